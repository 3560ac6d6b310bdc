//! The vocabulary of our structural tables: object kinds, field types and version
//! ranges. The tables themselves live in `asyncapi_tables.rs` and `openapi_tables.rs`;
//! the walker that applies them is `walk.rs`.

/// A document version packed as `major * 10 + minor` (AsyncAPI 2.0 → 20, 3.1 → 31;
/// OpenAPI 3.0 → 30; Swagger 2.0 → 20).
pub type Ver = u8;

/// Which schema dialect a schema position uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// The document's default: AsyncAPI Schema (draft-07 superset), OpenAPI 3.0 Schema,
    /// OpenAPI 3.1 (2020-12) or Swagger 2.0 Schema.
    Doc,
    /// AsyncAPI Schema / JSON Schema draft-07.
    Async,
    /// OpenAPI 3.0 Schema Object (fixed keywords, `nullable`).
    Oas30,
    /// OpenAPI 3.1 Schema Object (JSON Schema 2020-12 dialect: any keyword).
    Oas31,
    /// Swagger 2.0 Schema Object.
    Swagger,
}

/// What a Bindings Object belongs to (each protocol defines one binding per kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BindingsOf {
    Server,
    Channel,
    Operation,
    Message,
}

/// Object kinds with a table of fields (or hand-written checks, see `walk.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum K {
    // Shared by several specifications.
    Contact,
    License,
    Tag,
    ExternalDocs,
    ServerVariable,
    /// Map of binding objects keyed by protocol, of a server, channel, operation or message.
    Bindings(BindingsOf),
    /// Map of `x-` extensions/anything: only "is an object" is checked.
    AnyObject,
    // AsyncAPI (both majors unless the name says otherwise).
    AsyncRoot,
    AsyncInfo,
    AsyncSecurityScheme,
    AsyncOAuthFlows,
    AsyncOAuthFlow,
    CorrelationId,
    Server2,
    Channel2,
    Operation2,
    OperationTrait2,
    /// A 2.x `message`: a Message Object, a Reference or `{oneOf: [...]}`.
    Message2,
    MessageObject2,
    MessageTrait2,
    MessageExample,
    Parameter2,
    Components2,
    Server3,
    Channel3,
    Operation3,
    OperationTrait3,
    OperationReply,
    OperationReplyAddress,
    Message3,
    MessageTrait3,
    /// An AsyncAPI 3 message `traits` item: a Message Trait, a Reference, or a pair
    /// `[trait or Reference, options object]`.
    MessageTraitItem3,
    Parameter3,
    Components3,
    /// AsyncAPI 3 `payload`/`headers`/component schema: a schema or a Multi Format Schema.
    AnySchema,
    // OpenAPI 3.x.
    OasRoot,
    OasInfo,
    OasServer,
    Paths,
    PathItem,
    OasOperation,
    Responses,
    OasResponse,
    MediaType,
    OasExample,
    Encoding,
    OasParameter,
    OasHeader,
    RequestBody,
    OasComponents,
    OasSecurityScheme,
    OasOAuthFlows,
    OasOAuthFlow,
    Link,
    Callback,
    Discriminator,
    Xml,
    // Swagger 2.0.
    SwRoot,
    SwInfo,
    SwPaths,
    SwPathItem,
    SwOperation,
    SwResponses,
    SwResponse,
    SwParameter,
    SwHeader,
    SwItems,
    SwSecurityScheme,
}

/// What a field's value must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ty {
    Any,
    Str,
    Bool,
    Num,
    Int,
    /// A string or `null` (AsyncAPI 3 channel `address`).
    StrOrNull,
    /// A string from a fixed list.
    Enum(&'static [&'static str]),
    /// An object of the given kind (no `$ref` allowed here).
    Node(K),
    /// A Reference Object or an object of the given kind.
    RefOr(K),
    /// A Reference Object only (AsyncAPI 3 `channel`, `messages`).
    Ref,
    /// A map from free names to values.
    Map(&'static Ty),
    /// A components map: names must match `^[a-zA-Z0-9.\-_]+$`.
    Comp(&'static Ty),
    Arr(&'static Ty),
    /// A schema in the given dialect (a `$ref` is followed).
    Schema(Dialect),
    /// A security requirement (map of scheme name → list of scopes).
    SecReq,
    /// An Avro 1.9 schema (a payload whose `schemaFormat` is Avro, reached by `$ref`).
    Avro,
}

/// One field of an object table.
#[derive(Debug, Clone, Copy)]
pub struct F {
    pub name: &'static str,
    pub ty: Ty,
    pub req: bool,
    /// First and last version (inclusive) the field exists in.
    pub from: Ver,
    pub to: Ver,
}

/// An optional field present in every version.
pub const fn f(name: &'static str, ty: Ty) -> F {
    F {
        name,
        ty,
        req: false,
        from: 0,
        to: 255,
    }
}

/// A required field present in every version.
pub const fn req(name: &'static str, ty: Ty) -> F {
    F {
        name,
        ty,
        req: true,
        from: 0,
        to: 255,
    }
}

impl F {
    /// Restrict the field to versions `from..=to`.
    pub const fn vers(mut self, from: Ver, to: Ver) -> F {
        self.from = from;
        self.to = to;
        self
    }

    pub const fn since(self, from: Ver) -> F {
        self.vers(from, 255)
    }

    pub const fn until(self, to: Ver) -> F {
        self.vers(0, to)
    }

    pub fn in_version(&self, v: Ver) -> bool {
        self.from <= v && v <= self.to
    }
}

/// The table of one object kind.
#[derive(Debug, Clone, Copy)]
pub struct Obj {
    /// Human name, e.g. "Message Object".
    pub title: &'static str,
    pub fields: &'static [F],
    /// `x-` extension keys are allowed.
    pub ext: bool,
    /// Keys not in `fields` are allowed (no unknown-field check).
    pub open: bool,
}

pub const fn obj(title: &'static str, fields: &'static [F]) -> Obj {
    Obj {
        title,
        fields,
        ext: true,
        open: false,
    }
}

// Common types, to keep the tables short.
pub const STR: Ty = Ty::Str;
pub const BOOL: Ty = Ty::Bool;
pub const STRS: Ty = Ty::Arr(&Ty::Str);
pub const SCHEMA: Ty = Ty::Schema(Dialect::Doc);
pub const MAP_STR: Ty = Ty::Map(&Ty::Str);
