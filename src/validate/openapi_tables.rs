//! The structure of OpenAPI 3.0/3.1 and Swagger 2.0 documents, as our own field tables
//! (written from the specifications). Versions: OpenAPI 3.0 → 30, 3.1 → 31.

use super::spec::*;

const TAGS: Ty = Ty::Arr(&Ty::Node(K::Tag));
const DOCS: Ty = Ty::Node(K::ExternalDocs);
const SECURITY: Ty = Ty::Arr(&Ty::SecReq);
const SERVERS: Ty = Ty::Arr(&Ty::Node(K::OasServer));
const PARAMS: Ty = Ty::Arr(&Ty::RefOr(K::OasParameter));
const RSCHEMA: Ty = Ty::Schema(Dialect::Doc);

static ROOT: Obj = obj(
    "OpenAPI document",
    &[
        req("openapi", STR),
        req("info", Ty::Node(K::OasInfo)),
        f("jsonSchemaDialect", STR).since(31),
        f("servers", SERVERS),
        req("paths", Ty::Node(K::Paths)).until(30),
        f("paths", Ty::Node(K::Paths)).since(31),
        f("webhooks", Ty::Map(&Ty::RefOr(K::PathItem))).since(31),
        f("components", Ty::Node(K::OasComponents)),
        f("security", SECURITY),
        f("tags", TAGS),
        f("externalDocs", DOCS),
    ],
);

static INFO: Obj = obj(
    "Info Object",
    &[
        req("title", STR),
        f("summary", STR).since(31),
        f("description", STR),
        f("termsOfService", STR),
        f("contact", Ty::Node(K::Contact)),
        f("license", Ty::Node(K::License)),
        req("version", STR),
    ],
);

static SERVER: Obj = obj(
    "Server Object",
    &[
        req("url", STR),
        f("description", STR),
        f("variables", Ty::Map(&Ty::Node(K::ServerVariable))),
    ],
);

static PATH_ITEM: Obj = obj(
    "Path Item Object",
    &[
        f("$ref", STR),
        f("summary", STR),
        f("description", STR),
        f("get", Ty::Node(K::OasOperation)),
        f("put", Ty::Node(K::OasOperation)),
        f("post", Ty::Node(K::OasOperation)),
        f("delete", Ty::Node(K::OasOperation)),
        f("options", Ty::Node(K::OasOperation)),
        f("head", Ty::Node(K::OasOperation)),
        f("patch", Ty::Node(K::OasOperation)),
        f("trace", Ty::Node(K::OasOperation)),
        f("servers", SERVERS),
        f("parameters", PARAMS),
    ],
);

static OPERATION: Obj = obj(
    "Operation Object",
    &[
        f("tags", STRS),
        f("summary", STR),
        f("description", STR),
        f("externalDocs", DOCS),
        f("operationId", STR),
        f("parameters", PARAMS),
        f("requestBody", Ty::RefOr(K::RequestBody)),
        req("responses", Ty::Node(K::Responses)).until(30),
        f("responses", Ty::Node(K::Responses)).since(31),
        f("callbacks", Ty::Map(&Ty::RefOr(K::Callback))),
        f("deprecated", BOOL),
        f("security", SECURITY),
        f("servers", SERVERS),
    ],
);

static RESPONSE: Obj = obj(
    "Response Object",
    &[
        req("description", STR),
        f("headers", Ty::Map(&Ty::RefOr(K::OasHeader))),
        f("content", Ty::Map(&Ty::Node(K::MediaType))),
        f("links", Ty::Map(&Ty::RefOr(K::Link))),
    ],
);

static MEDIA_TYPE: Obj = obj(
    "Media Type Object",
    &[
        f("schema", RSCHEMA),
        f("example", Ty::Any),
        f("examples", Ty::Map(&Ty::RefOr(K::OasExample))),
        f("encoding", Ty::Map(&Ty::Node(K::Encoding))),
    ],
);

static EXAMPLE: Obj = obj(
    "Example Object",
    &[
        f("summary", STR),
        f("description", STR),
        f("value", Ty::Any),
        f("externalValue", STR),
    ],
);

static ENCODING: Obj = obj(
    "Encoding Object",
    &[
        f("contentType", STR),
        f("headers", Ty::Map(&Ty::RefOr(K::OasHeader))),
        f(
            "style",
            Ty::Enum(&["form", "spaceDelimited", "pipeDelimited", "deepObject"]),
        ),
        f("explode", BOOL),
        f("allowReserved", BOOL),
    ],
);

macro_rules! param_fields {
    ($($extra:expr,)*) => {
        &[
            $($extra,)*
            f("description", STR),
            f("required", BOOL),
            f("deprecated", BOOL),
            f("allowEmptyValue", BOOL),
            f("style", STR),
            f("explode", BOOL),
            f("allowReserved", BOOL),
            f("schema", RSCHEMA),
            f("content", Ty::Map(&Ty::Node(K::MediaType))),
            f("example", Ty::Any),
            f("examples", Ty::Map(&Ty::RefOr(K::OasExample))),
        ]
    };
}

static PARAMETER: Obj = obj(
    "Parameter Object",
    param_fields!(
        req("name", STR),
        req("in", Ty::Enum(&["query", "header", "path", "cookie"])),
    ),
);

static HEADER: Obj = obj("Header Object", param_fields!());

static REQUEST_BODY: Obj = obj(
    "Request Body Object",
    &[
        f("description", STR),
        req("content", Ty::Map(&Ty::Node(K::MediaType))),
        f("required", BOOL),
    ],
);

static COMPONENTS: Obj = obj(
    "Components Object",
    &[
        f("schemas", Ty::Comp(&RSCHEMA)),
        f("responses", Ty::Comp(&Ty::RefOr(K::OasResponse))),
        f("parameters", Ty::Comp(&Ty::RefOr(K::OasParameter))),
        f("examples", Ty::Comp(&Ty::RefOr(K::OasExample))),
        f("requestBodies", Ty::Comp(&Ty::RefOr(K::RequestBody))),
        f("headers", Ty::Comp(&Ty::RefOr(K::OasHeader))),
        f(
            "securitySchemes",
            Ty::Comp(&Ty::RefOr(K::OasSecurityScheme)),
        ),
        f("links", Ty::Comp(&Ty::RefOr(K::Link))),
        f("callbacks", Ty::Comp(&Ty::RefOr(K::Callback))),
        f("pathItems", Ty::Comp(&Ty::RefOr(K::PathItem))).since(31),
    ],
);

static OAUTH_FLOWS: Obj = obj(
    "OAuth Flows Object",
    &[
        f("implicit", Ty::Node(K::OasOAuthFlow)),
        f("password", Ty::Node(K::OasOAuthFlow)),
        f("clientCredentials", Ty::Node(K::OasOAuthFlow)),
        f("authorizationCode", Ty::Node(K::OasOAuthFlow)),
    ],
);

static OAUTH_FLOW: Obj = obj(
    "OAuth Flow Object",
    &[
        f("authorizationUrl", STR),
        f("tokenUrl", STR),
        f("refreshUrl", STR),
        req("scopes", MAP_STR),
    ],
);

static LINK: Obj = obj(
    "Link Object",
    &[
        f("operationRef", STR),
        f("operationId", STR),
        f("parameters", Ty::Map(&Ty::Any)),
        f("requestBody", Ty::Any),
        f("description", STR),
        f("server", Ty::Node(K::OasServer)),
    ],
);

static DISCRIMINATOR: Obj = Obj {
    ext: false,
    ..obj(
        "Discriminator Object",
        &[req("propertyName", STR), f("mapping", MAP_STR)],
    )
};

static XML: Obj = obj(
    "XML Object",
    &[
        f("name", STR),
        f("namespace", STR),
        f("prefix", STR),
        f("attribute", BOOL),
        f("wrapped", BOOL),
    ],
);

// ---- Swagger 2.0 ----

const SW_PARAMS: Ty = Ty::Arr(&Ty::RefOr(K::SwParameter));

static SW_ROOT: Obj = obj(
    "Swagger document",
    &[
        req("swagger", Ty::Enum(&["2.0"])),
        req("info", Ty::Node(K::SwInfo)),
        f("host", STR),
        f("basePath", STR),
        f(
            "schemes",
            Ty::Arr(&Ty::Enum(&["http", "https", "ws", "wss"])),
        ),
        f("consumes", STRS),
        f("produces", STRS),
        req("paths", Ty::Node(K::SwPaths)),
        f("definitions", Ty::Map(&RSCHEMA)),
        f("parameters", Ty::Map(&Ty::Node(K::SwParameter))),
        f("responses", Ty::Map(&Ty::Node(K::SwResponse))),
        f(
            "securityDefinitions",
            Ty::Map(&Ty::Node(K::SwSecurityScheme)),
        ),
        f("security", SECURITY),
        f("tags", TAGS),
        f("externalDocs", DOCS),
    ],
);

static SW_INFO: Obj = obj(
    "Info Object",
    &[
        req("title", STR),
        f("description", STR),
        f("termsOfService", STR),
        f("contact", Ty::Node(K::Contact)),
        f("license", Ty::Node(K::License)),
        req("version", STR),
    ],
);

static SW_PATH_ITEM: Obj = obj(
    "Path Item Object",
    &[
        f("$ref", STR),
        f("get", Ty::Node(K::SwOperation)),
        f("put", Ty::Node(K::SwOperation)),
        f("post", Ty::Node(K::SwOperation)),
        f("delete", Ty::Node(K::SwOperation)),
        f("options", Ty::Node(K::SwOperation)),
        f("head", Ty::Node(K::SwOperation)),
        f("patch", Ty::Node(K::SwOperation)),
        f("parameters", SW_PARAMS),
    ],
);

static SW_OPERATION: Obj = obj(
    "Operation Object",
    &[
        f("tags", STRS),
        f("summary", STR),
        f("description", STR),
        f("externalDocs", DOCS),
        f("operationId", STR),
        f("consumes", STRS),
        f("produces", STRS),
        f("parameters", SW_PARAMS),
        req("responses", Ty::Node(K::SwResponses)),
        f(
            "schemes",
            Ty::Arr(&Ty::Enum(&["http", "https", "ws", "wss"])),
        ),
        f("deprecated", BOOL),
        f("security", SECURITY),
    ],
);

static SW_RESPONSE: Obj = obj(
    "Response Object",
    &[
        req("description", STR),
        f("schema", RSCHEMA),
        f("headers", Ty::Map(&Ty::Node(K::SwHeader))),
        f("examples", Ty::Map(&Ty::Any)),
    ],
);

macro_rules! sw_simple_fields {
    ($($extra:expr,)*) => {
        &[
            $($extra,)*
            f("format", STR),
            f("items", Ty::Node(K::SwItems)),
            f("collectionFormat", Ty::Enum(&["csv", "ssv", "tsv", "pipes", "multi"])),
            f("default", Ty::Any),
            f("maximum", Ty::Num),
            f("exclusiveMaximum", BOOL),
            f("minimum", Ty::Num),
            f("exclusiveMinimum", BOOL),
            f("maxLength", Ty::Int),
            f("minLength", Ty::Int),
            f("pattern", STR),
            f("maxItems", Ty::Int),
            f("minItems", Ty::Int),
            f("uniqueItems", BOOL),
            f("enum", Ty::Arr(&Ty::Any)),
            f("multipleOf", Ty::Num),
        ]
    };
}

static SW_PARAMETER: Obj = obj(
    "Parameter Object",
    sw_simple_fields!(
        req("name", STR),
        req(
            "in",
            Ty::Enum(&["query", "header", "path", "formData", "body"])
        ),
        f("description", STR),
        f("required", BOOL),
        f("schema", RSCHEMA),
        f(
            "type",
            Ty::Enum(&["string", "number", "integer", "boolean", "array", "file"])
        ),
        f("allowEmptyValue", BOOL),
    ),
);

static SW_HEADER: Obj = obj(
    "Header Object",
    sw_simple_fields!(
        f("description", STR),
        req(
            "type",
            Ty::Enum(&["string", "number", "integer", "boolean", "array"])
        ),
    ),
);

static SW_ITEMS: Obj = obj(
    "Items Object",
    sw_simple_fields!(req(
        "type",
        Ty::Enum(&["string", "number", "integer", "boolean", "array"])
    ),),
);

/// The table of an OpenAPI/Swagger kind (`None` for kinds checked by hand).
pub fn table(k: K) -> Option<&'static Obj> {
    Some(match k {
        K::OasRoot => &ROOT,
        K::OasInfo => &INFO,
        K::OasServer => &SERVER,
        K::PathItem => &PATH_ITEM,
        K::OasOperation => &OPERATION,
        K::OasResponse => &RESPONSE,
        K::MediaType => &MEDIA_TYPE,
        K::OasExample => &EXAMPLE,
        K::Encoding => &ENCODING,
        K::OasParameter => &PARAMETER,
        K::OasHeader => &HEADER,
        K::RequestBody => &REQUEST_BODY,
        K::OasComponents => &COMPONENTS,
        K::OasOAuthFlows => &OAUTH_FLOWS,
        K::OasOAuthFlow => &OAUTH_FLOW,
        K::Link => &LINK,
        K::Discriminator => &DISCRIMINATOR,
        K::Xml => &XML,
        K::SwRoot => &SW_ROOT,
        K::SwInfo => &SW_INFO,
        K::SwPathItem => &SW_PATH_ITEM,
        K::SwOperation => &SW_OPERATION,
        K::SwResponse => &SW_RESPONSE,
        K::SwParameter => &SW_PARAMETER,
        K::SwHeader => &SW_HEADER,
        K::SwItems => &SW_ITEMS,
        _ => return None,
    })
}

/// Fields of an OpenAPI security scheme by `type`.
pub fn security_fields(ty: &str) -> &'static [F] {
    static NONE: &[F] = &[];
    static API_KEY: &[F] = &[
        req("name", STR),
        req("in", Ty::Enum(&["query", "header", "cookie"])),
    ];
    static HTTP: &[F] = &[req("scheme", STR), f("bearerFormat", STR)];
    static OAUTH2: &[F] = &[req("flows", Ty::Node(K::OasOAuthFlows))];
    static OIDC: &[F] = &[req("openIdConnectUrl", STR)];
    match ty {
        "apiKey" => API_KEY,
        "http" => HTTP,
        "oauth2" => OAUTH2,
        "openIdConnect" => OIDC,
        _ => NONE,
    }
}

/// Fields of a Swagger 2.0 security scheme by `type`.
pub fn sw_security_fields(ty: &str) -> &'static [F] {
    static NONE: &[F] = &[];
    static API_KEY: &[F] = &[req("name", STR), req("in", Ty::Enum(&["query", "header"]))];
    static OAUTH2: &[F] = &[
        req(
            "flow",
            Ty::Enum(&["implicit", "password", "application", "accessCode"]),
        ),
        f("authorizationUrl", STR),
        f("tokenUrl", STR),
        req("scopes", MAP_STR),
    ];
    match ty {
        "apiKey" => API_KEY,
        "oauth2" => OAUTH2,
        _ => NONE,
    }
}
