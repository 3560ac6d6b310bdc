//! The table-driven structural walker: applies the field tables of `asyncapi_tables.rs`
//! and `openapi_tables.rs` to one document in a single pass, following `$ref`s through
//! a work queue (each `(file, pointer, type)` target is checked once, where it lives)
//! so that recursion depth is bounded by the document's own nesting.
//!
//! Pointers are only built when a diagnostic is reported: the current position is a
//! stack of borrowed path segments on top of a base pointer.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::spec::*;
use super::{asyncapi_tables, openapi_tables};
use crate::diag::{Diagnostic, Location};
use crate::source::{FileId, Workspace, pointer};

/// The rule ids one specification family reports structural problems with.
#[derive(Debug)]
pub struct Rules {
    pub required: &'static str,
    pub type_: &'static str,
    pub unknown: &'static str,
    pub enum_: &'static str,
    pub name: &'static str,
    pub version: &'static str,
    pub tag_duplicate: &'static str,
}

pub static ASYNC_RULES: Rules = Rules {
    required: "asyncapi-required",
    type_: "asyncapi-type",
    unknown: "asyncapi-unknown-field",
    enum_: "asyncapi-enum",
    name: "asyncapi-component-name",
    version: "asyncapi-field-version",
    tag_duplicate: "asyncapi-tag-duplicate",
};

pub static OPENAPI_RULES: Rules = Rules {
    required: "openapi-required",
    type_: "openapi-type",
    unknown: "openapi-unknown-field",
    enum_: "openapi-enum",
    name: "openapi-component-name",
    version: "openapi-field-version",
    tag_duplicate: "openapi-tag-duplicate",
};

/// Which specification family a document belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    AsyncApi,
    OpenApi,
    Swagger,
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Seg<'a> {
    Key(&'a str),
    Idx(usize),
}

struct Item<'a> {
    file: FileId,
    base: String,
    value: &'a Value,
    ty: Ty,
}

/// Walks one document (and whatever its `$ref`s reach).
pub struct Walker<'a> {
    pub(super) ws: &'a Workspace,
    pub(super) rules: &'static Rules,
    pub(super) family: Family,
    /// `major * 10 + minor`.
    pub(super) ver: Ver,
    /// The version as written, for messages.
    pub(super) ver_label: String,
    pub(super) doc_dialect: Dialect,
    pub(super) file: FileId,
    pub(super) base: String,
    pub(super) path: Vec<Seg<'a>>,
    queue: Vec<Item<'a>>,
    visited: HashSet<(FileId, String, Ty)>,
    pub diags: Vec<Diagnostic>,
    /// Examples found on the way, checked against their schemas afterwards.
    pub examples: Vec<super::examples::Job>,
}

static CONTACT: Obj = obj(
    "Contact Object",
    &[f("name", STR), f("url", STR), f("email", STR)],
);
static LICENSE: Obj = obj("License Object", &[req("name", STR), f("url", STR)]);
static LICENSE31: Obj = obj(
    "License Object",
    &[req("name", STR), f("identifier", STR), f("url", STR)],
);
static TAG: Obj = obj(
    "Tag Object",
    &[
        req("name", STR),
        f("description", STR),
        f("externalDocs", Ty::RefOr(K::ExternalDocs)),
    ],
);
static EXTERNAL_DOCS: Obj = obj(
    "External Documentation Object",
    &[f("description", STR), req("url", STR)],
);
static ASYNC_SERVER_VARIABLE: Obj = obj(
    "Server Variable Object",
    &[
        f("enum", STRS),
        f("default", STR),
        f("description", STR),
        f("examples", STRS),
    ],
);
static OAS_SERVER_VARIABLE: Obj = obj(
    "Server Variable Object",
    &[f("enum", STRS), req("default", STR), f("description", STR)],
);

/// "a string", "an object", … for messages.
pub fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a number",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

pub(super) fn is_int(v: &Value) -> bool {
    match v {
        Value::Number(n) => {
            n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        _ => false,
    }
}

fn is_ext(key: &str) -> bool {
    key.len() > 2 && key.starts_with("x-")
}

fn component_name_ok(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

impl<'a> Walker<'a> {
    pub fn new(
        ws: &'a Workspace,
        file: FileId,
        family: Family,
        ver: Ver,
        ver_label: String,
    ) -> Self {
        let doc_dialect = match family {
            Family::AsyncApi => Dialect::Async,
            Family::OpenApi if ver >= 31 => Dialect::Oas31,
            Family::OpenApi => Dialect::Oas30,
            Family::Swagger => Dialect::Swagger,
        };
        Walker {
            ws,
            rules: if family == Family::AsyncApi {
                &ASYNC_RULES
            } else {
                &OPENAPI_RULES
            },
            family,
            ver,
            ver_label,
            doc_dialect,
            file,
            base: String::new(),
            path: Vec::new(),
            queue: Vec::new(),
            visited: HashSet::new(),
            diags: Vec::new(),
            examples: Vec::new(),
        }
    }

    /// Check the document root and everything reachable from it.
    pub fn run(&mut self, root: &'a Value) {
        let k = match self.family {
            Family::AsyncApi => K::AsyncRoot,
            Family::OpenApi => K::OasRoot,
            Family::Swagger => K::SwRoot,
        };
        self.check(root, Ty::Node(k));
        while let Some(item) = self.queue.pop() {
            self.file = item.file;
            self.base = item.base;
            self.path.clear();
            self.check(item.value, item.ty);
        }
    }

    // ---- positions and reporting ----

    /// The JSON pointer of the current position (allocates: call only to report).
    pub(super) fn ptr(&self) -> String {
        let mut s = self.base.clone();
        for seg in &self.path {
            match seg {
                Seg::Key(k) => s = pointer::push(&s, k),
                Seg::Idx(i) => {
                    s.push('/');
                    s.push_str(&i.to_string());
                }
            }
        }
        s
    }

    pub(super) fn loc(&self) -> Location {
        self.ws.file(self.file).locate(&self.ptr())
    }

    pub(super) fn loc_key(&self) -> Location {
        self.ws.file(self.file).locate_key(&self.ptr())
    }

    pub(super) fn report(
        &mut self,
        rule: &'static str,
        loc: Location,
        msg: String,
        help: Option<String>,
    ) {
        let mut d = Diagnostic::new(rule, loc, msg);
        if let Some(h) = help {
            d = d.with_help(h);
        }
        self.diags.push(d);
    }

    /// The name of the current field, for messages (`the document root` at the top).
    pub(super) fn here(&self) -> String {
        match self.path.last() {
            Some(Seg::Key(k)) => format!("`{k}`"),
            Some(Seg::Idx(i)) => format!("item {i}"),
            None if self.base.is_empty() => "the document root".to_string(),
            None => format!("`{}`", self.base),
        }
    }

    pub(super) fn type_error(&mut self, v: &Value, expected: &str) {
        let msg = format!("{} must be {expected}, found {}", self.here(), describe(v));
        let rule = self.rules.type_;
        let loc = self.loc();
        self.report(rule, loc, msg, None);
    }

    pub(super) fn with_key<R>(&mut self, key: &'a str, f: impl FnOnce(&mut Self) -> R) -> R {
        self.path.push(Seg::Key(key));
        let r = f(self);
        self.path.pop();
        r
    }

    // ---- following references ----

    /// Queue the target of the Reference Object `v` to be checked as `ty`.
    pub(super) fn follow(&mut self, v: &'a Value, ty: Ty) {
        let Some(r) = v.get("$ref") else { return };
        if !r.is_string() {
            self.with_key("$ref", |w| w.type_error(r, "a string (a URI reference)"));
            return;
        }
        self.ref_syntax(v);
        let (tf, ptr, tv) = self.ws.deref(self.file, v);
        if tv.get("$ref").is_some_and(Value::is_string) {
            // A chain that never reaches content (cycle, unresolvable): the loader reported it.
            return;
        }
        if let Some(p) = ptr {
            if self.visited.insert((tf, p.clone(), ty)) {
                self.queue.push(Item {
                    file: tf,
                    base: p,
                    value: tv,
                    ty,
                });
            }
        }
    }

    /// A `$ref` is a URI reference (`format: uri-reference` in the AsyncAPI schemas, the
    /// draft-07 meta-schema and OpenAPI 3.0's Reference; Swagger 2.0 does not say, and
    /// OpenAPI 3.1's format only annotates): `{`, `}`, spaces and the like must be
    /// percent-encoded, as the AsyncAPI parser and Spectral (which assert the format)
    /// require, although the reference resolves either way here.
    pub(super) fn ref_syntax(&mut self, v: &'a Value) {
        let checked = match self.family {
            Family::AsyncApi => true,
            Family::OpenApi => self.ver < 31,
            Family::Swagger => false,
        };
        let Some(raw) = v.get("$ref").and_then(Value::as_str).filter(|_| checked) else {
            return;
        };
        if super::values::uri_reference_ok(raw) {
            return;
        }
        let encoded = super::values::percent_encode_uri(raw);
        self.with_key("$ref", |w| {
            let loc = w.loc();
            w.report(
                "ref-invalid",
                loc,
                format!("`{raw}` is not a URI reference (RFC 3986): characters such as `{{`, `}}` and spaces must be percent-encoded"),
                (encoded != raw).then(|| format!("write `{encoded}`")),
            );
        });
    }

    /// Swagger 2.0: where a parameter or a response may be a JSON Reference, the
    /// reference is `$ref` alone (`jsonReference`: `additionalProperties: false`, not
    /// even `x-` extensions): its siblings are neither the reference nor the object.
    fn swagger_ref_siblings(&mut self, v: &'a Value) {
        let Some(m) = v.as_object() else { return };
        for key in m.keys().filter(|k| *k != "$ref") {
            self.with_key(key, |w| {
                let (rule, loc) = (w.rules.unknown, w.loc_key());
                w.report(
                    rule,
                    loc,
                    format!(
                        "`{key}` is not allowed beside `$ref`: a Swagger 2.0 JSON Reference holds `$ref` only"
                    ),
                    Some("move it into the referenced object, or write the object inline".to_string()),
                );
            });
        }
    }

    /// AsyncAPI 3: a `channel`/`servers` reference must point at an entry of the root
    /// `channels`/`servers` map (current position: the reference).
    fn ref_into(&mut self, v: &'a Value, section: &str) {
        let Some(raw) = v.get("$ref").and_then(Value::as_str) else {
            return;
        };
        let Some((_, target)) = self.ws.ref_target(self.file, raw) else {
            return;
        };
        let tokens = pointer::parse(&target).unwrap_or_default();
        if tokens.len() == 2 && tokens[0] == section {
            return;
        }
        self.path.push(Seg::Key("$ref"));
        let loc = self.loc();
        self.path.pop();
        let what = if section == "channels" {
            "a channel"
        } else {
            "a server"
        };
        self.report(
            "asyncapi-ref-target",
            loc,
            format!("`{raw}` must point to {what} in the root `{section}` (`#/{section}/NAME`); the specification does not allow a reference to anywhere else here"),
            Some(format!("declare it under `{section}` (which may itself `$ref` the component) and refer to that")),
        );
    }

    /// Mark the current position as checked as `ty` (so refs to it are not rechecked).
    fn mark_visited(&mut self, ty: Ty) {
        let p = self.ptr();
        self.visited.insert((self.file, p, ty));
    }

    // ---- values ----

    pub(super) fn check(&mut self, v: &'a Value, ty: Ty) {
        match ty {
            Ty::Any => {}
            Ty::Str => {
                if !v.is_string() {
                    self.type_error(v, "a string");
                }
            }
            Ty::StrOrNull => {
                if !v.is_string() && !v.is_null() {
                    self.type_error(v, "a string or null");
                }
            }
            Ty::Bool => {
                if !v.is_boolean() {
                    self.type_error(v, "a boolean (`true` or `false`)");
                }
            }
            Ty::Num => {
                if !v.is_number() {
                    self.type_error(v, "a number");
                }
            }
            Ty::Int => {
                if !is_int(v) {
                    self.type_error(v, "an integer");
                }
            }
            Ty::Enum(allowed) => self.check_enum(v, allowed),
            Ty::Node(k) => self.node(v, k),
            Ty::RefOr(k) => {
                if v.get("$ref").is_some() {
                    if self.family == Family::Swagger {
                        self.swagger_ref_siblings(v);
                    }
                    self.follow(v, Ty::Node(k));
                } else {
                    self.node(v, k);
                }
            }
            Ty::Ref => {
                let ok = v
                    .as_object()
                    .is_some_and(|m| m.get("$ref").is_some_and(Value::is_string));
                if !ok {
                    self.type_error(v, "a Reference Object (`$ref: '#/…'`)");
                } else {
                    self.ref_syntax(v);
                }
            }
            Ty::Map(t) => {
                let Some(m) = v.as_object() else {
                    return self.type_error(v, "an object (a map of names to values)");
                };
                for (k, val) in m {
                    self.with_key(k, |w| w.check(val, *t));
                }
            }
            Ty::Comp(t) => self.components_map(v, *t),
            Ty::Arr(t) => {
                let Some(items) = v.as_array() else {
                    return self.type_error(v, "an array");
                };
                for (i, item) in items.iter().enumerate() {
                    self.path.push(Seg::Idx(i));
                    self.check(item, *t);
                    self.path.pop();
                }
                if matches!(t, Ty::Node(K::Tag) | Ty::RefOr(K::Tag)) {
                    self.unique_tags(items);
                }
            }
            Ty::Avro => self.avro(v),
            Ty::Schema(d) => {
                let d = if d == Dialect::Doc {
                    self.doc_dialect
                } else {
                    d
                };
                self.schema(v, d);
            }
            Ty::SecReq => {
                let Some(m) = v.as_object() else {
                    return self.type_error(
                        v,
                        "a Security Requirement Object (a map of scheme names to lists of scopes)",
                    );
                };
                for (k, val) in m {
                    self.with_key(k, |w| {
                        w.check(val, STRS);
                        // Scopes are distinct (AsyncAPI SecurityRequirement, Swagger
                        // securityRequirement).
                        if w.family != Family::OpenApi {
                            w.value_rule_unique(val);
                        }
                    });
                }
            }
        }
    }

    pub(super) fn check_enum(&mut self, v: &Value, allowed: &[&str]) {
        let list = allowed
            .iter()
            .map(|a| format!("`{a}`"))
            .collect::<Vec<_>>()
            .join(", ");
        match v.as_str() {
            Some(s) if allowed.contains(&s) => {}
            Some(s) => {
                let help =
                    crate::suggest::closest(s, allowed).map(|c| format!("did you mean `{c}`?"));
                let msg = format!("{} must be one of {list}; found `{s}`", self.here());
                let rule = self.rules.enum_;
                let loc = self.loc();
                self.report(rule, loc, msg, help);
            }
            None => self.type_error(v, &format!("one of the strings {list}")),
        }
    }

    /// An AsyncAPI 3 Parameter or a Server Variable with an `enum`: its `default` and
    /// each of its `examples` must be one of the listed values (`value-not-in-enum`).
    fn values_in_enum(&mut self, m: &'a Map<String, Value>, k: K) {
        let Some(Value::Array(allowed)) = m.get("enum") else {
            return;
        };
        let what = if k == K::Parameter3 {
            "parameter"
        } else {
            "server variable"
        };
        let list = || {
            allowed
                .iter()
                .map(|a| match a {
                    Value::String(s) => format!("`{s}`"),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let shown = |v: &Value| match v {
            Value::String(s) => format!("`{s}`"),
            other => other.to_string(),
        };
        let set = super::valueset::ValueSet::new(allowed);
        if let Some(d) = m.get("default").filter(|d| !set.contains(d)) {
            let msg = format!(
                "the {what}'s `default` {} is not one of its `enum` values ({})",
                shown(d),
                list()
            );
            let help = d
                .as_str()
                .and_then(|s| {
                    let names: Vec<&str> = allowed.iter().filter_map(Value::as_str).collect();
                    crate::suggest::closest(s, &names)
                })
                .map(|c| format!("did you mean `{c}`?"));
            let loc = self.with_key("default", |w| w.loc());
            self.report("value-not-in-enum", loc, msg, help);
        }
        if let Some(Value::Array(examples)) = m.get("examples") {
            for (i, ex) in examples.iter().enumerate() {
                if set.contains(ex) {
                    continue;
                }
                let msg = format!(
                    "the {what}'s example {} is not one of its `enum` values ({})",
                    shown(ex),
                    list()
                );
                let loc = self.with_key("examples", |w| {
                    w.path.push(Seg::Idx(i));
                    let loc = w.loc();
                    w.path.pop();
                    loc
                });
                self.report("value-not-in-enum", loc, msg, None);
            }
        }
    }

    fn components_map(&mut self, v: &'a Value, t: Ty) {
        let Some(m) = v.as_object() else {
            return self.type_error(v, "an object (a map of component names to components)");
        };
        for (k, val) in m {
            self.path.push(Seg::Key(k));
            if !component_name_ok(k) {
                let rule = self.rules.name;
                let loc = self.loc_key();
                self.report(
                    rule,
                    loc,
                    format!("component name `{k}` is not allowed: names must match `^[a-zA-Z0-9.\\-_]+$`"),
                    Some("use only letters, digits, `.`, `-` and `_`".to_string()),
                );
            }
            if val.get("$ref").is_none() {
                match t {
                    Ty::RefOr(kind) => self.mark_visited(Ty::Node(kind)),
                    Ty::Node(_) | Ty::Schema(_) => self.mark_visited(t),
                    _ => {}
                }
            }
            self.check(val, t);
            self.path.pop();
        }
    }

    fn unique_tags(&mut self, items: &'a [Value]) {
        let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for (i, item) in items.iter().enumerate() {
            let Some(name) = item.get("name").and_then(Value::as_str) else {
                continue;
            };
            if !seen.insert(name) {
                self.path.push(Seg::Idx(i));
                let rule = self.rules.tag_duplicate;
                let loc = self.loc();
                self.report(
                    rule,
                    loc,
                    format!("tag `{name}` is listed twice; tag names must be unique"),
                    None,
                );
                self.path.pop();
            }
        }
    }

    // ---- objects ----

    fn node(&mut self, v: &'a Value, k: K) {
        // Kinds that accept non-objects or need hand-written checks.
        match k {
            K::AnySchema => return self.any_schema(v),
            K::MessageTraitItem3 => return self.message_trait_item3(v),
            K::Message2 if v.get("$ref").is_some() => return self.follow(v, Ty::Node(K::Message2)),
            _ => {}
        }
        let Some(m) = v.as_object() else {
            let title = self.title_of(k);
            return self.type_error(v, &format!("an object ({title})"));
        };
        match k {
            K::AnyObject => {}
            K::Bindings(of) => self.bindings(m, of),
            K::Message2 => {
                if m.contains_key("oneOf") {
                    static ONE_OF: Obj = Obj {
                        ext: false,
                        ..obj(
                            "Message Object",
                            &[req("oneOf", Ty::Arr(&Ty::Node(K::Message2)))],
                        )
                    };
                    self.object_fields(m, &ONE_OF, &[]);
                } else {
                    self.message_object2(m);
                }
            }
            K::AsyncSecurityScheme | K::OasSecurityScheme | K::SwSecurityScheme => {
                self.security_scheme(m, k)
            }
            K::Paths | K::SwPaths => {
                let item = if k == K::Paths {
                    K::PathItem
                } else {
                    K::SwPathItem
                };
                for (key, val) in m {
                    self.path.push(Seg::Key(key));
                    if key.starts_with('/') {
                        self.check(val, Ty::Node(item));
                    } else if !key.starts_with("x-") {
                        let rule = self.rules.unknown;
                        let loc = self.loc_key();
                        self.report(
                            rule,
                            loc,
                            format!("path `{key}` must start with `/`"),
                            Some(format!("write `/{key}`")),
                        );
                    }
                    self.path.pop();
                }
            }
            K::Responses | K::SwResponses => {
                let resp = if k == K::Responses {
                    Ty::RefOr(K::OasResponse)
                } else {
                    Ty::RefOr(K::SwResponse)
                };
                for (key, val) in m {
                    self.path.push(Seg::Key(key));
                    if key == "default" || is_status_key(key) {
                        self.check(val, resp);
                    } else if !key.starts_with("x-") {
                        let rule = self.rules.unknown;
                        let loc = self.loc_key();
                        self.report(
                            rule,
                            loc,
                            format!("`{key}` is not a response key: use an HTTP status code (`200`), a range (`2XX`) or `default`"),
                            None,
                        );
                    }
                    self.path.pop();
                }
                if m.keys().all(|key| key.starts_with("x-")) {
                    let rule = self.rules.required;
                    let loc = self.loc_key();
                    self.report(
                        rule,
                        loc,
                        "the Responses Object must hold at least one response".to_string(),
                        None,
                    );
                }
            }
            K::Callback => {
                for (key, val) in m {
                    if !key.starts_with("x-") {
                        self.with_key(key, |w| w.check(val, Ty::RefOr(K::PathItem)));
                    }
                }
            }
            _ => {
                let table = self.table_of(k);
                self.object_fields(m, table, &[]);
                self.value_rules(m, k);
                match k {
                    K::MediaType | K::OasParameter | K::OasHeader => self.value_examples(m, k),
                    K::Parameter3 | K::ServerVariable => {
                        self.values_in_enum(m, k);
                        if k == K::ServerVariable {
                            self.oas31_enum_not_empty(m);
                        }
                    }
                    K::OasRoot | K::Link | K::License | K::OasExample => self.oas_one_of(m, k),
                    K::SwResponse => self.swagger_response_examples(m),
                    K::SwParameter => self.swagger_parameter(m),
                    K::Operation3 | K::OperationReply => {
                        if let Some(c) = m.get("channel") {
                            self.with_key("channel", |w| w.ref_into(c, "channels"));
                        }
                    }
                    K::Channel3 => {
                        if let Some(Value::Array(items)) = m.get("servers") {
                            self.with_key("servers", |w| {
                                for (i, item) in items.iter().enumerate() {
                                    w.path.push(Seg::Idx(i));
                                    w.ref_into(item, "servers");
                                    w.path.pop();
                                }
                            });
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    /// An AsyncAPI 3 message trait: a Message Trait Object or Reference, or the pair
    /// `[trait or Reference, options]` (messageObject.json `traits/items/oneOf`).
    fn message_trait_item3(&mut self, v: &'a Value) {
        let Value::Array(pair) = v else {
            return self.check(v, Ty::RefOr(K::MessageTrait3));
        };
        if let Some(first) = pair.first() {
            self.path.push(Seg::Idx(0));
            self.check(first, Ty::RefOr(K::MessageTrait3));
            self.path.pop();
        }
        if let Some(second) = pair.get(1).filter(|s| !s.is_object()) {
            self.path.push(Seg::Idx(1));
            self.type_error(second, "an object (the trait's options)");
            self.path.pop();
        }
    }

    /// OpenAPI 3.1 Server Variable: `enum` has `minItems: 1`.
    fn oas31_enum_not_empty(&mut self, m: &'a Map<String, Value>) {
        if self.family != Family::OpenApi || self.ver < 31 {
            return;
        }
        if m.get("enum")
            .and_then(Value::as_array)
            .is_some_and(Vec::is_empty)
        {
            self.with_key("enum", |w| {
                let (rule, loc) = (w.rules.required, w.loc());
                w.report(
                    rule,
                    loc,
                    "a server variable's `enum` lists at least one value (or is left out)"
                        .to_string(),
                    None,
                );
            });
        }
    }

    /// The official schemas' alternatives: an OpenAPI 3.1 document has `paths`,
    /// `components` or `webhooks`; a Link has `operationRef` or `operationId`, not both
    /// (3.0: `not: {required: [both]}`; 3.1: `oneOf`, so one of them is required).
    fn oas_one_of(&mut self, m: &'a Map<String, Value>, k: K) {
        if self.family != Family::OpenApi {
            return;
        }
        let rule = self.rules.required;
        match k {
            K::OasRoot
                if self.ver >= 31
                    && !["paths", "components", "webhooks"]
                        .iter()
                        .any(|f| m.contains_key(*f)) =>
            {
                let loc = self.loc_key();
                self.report(
                    rule,
                    loc,
                    "an OpenAPI 3.1 document needs at least one of `paths`, `components` or `webhooks`"
                        .to_string(),
                    None,
                );
            }
            K::Link => {
                let (r, i) = (
                    m.contains_key("operationRef"),
                    m.contains_key("operationId"),
                );
                if r && i {
                    self.with_key("operationId", |w| {
                        let loc = w.loc_key();
                        w.report(
                            rule,
                            loc,
                            "a Link names its operation by `operationRef` or by `operationId`, not both".to_string(),
                            None,
                        );
                    });
                } else if !r && !i && self.ver >= 31 {
                    let loc = self.loc_key();
                    self.report(
                        rule,
                        loc,
                        "an OpenAPI 3.1 Link needs `operationRef` or `operationId`".to_string(),
                        None,
                    );
                }
            }
            // 3.1 `license`: `dependentSchemas: {identifier: {not: {required: [url]}}}`;
            // `example`: `not: {required: [value, externalValue]}`.
            K::License | K::OasExample if self.ver >= 31 => {
                let (a, b, msg) = if k == K::License {
                    (
                        "identifier",
                        "url",
                        "a License gives an SPDX `identifier` or a `url`, not both (OpenAPI 3.1: they are mutually exclusive)",
                    )
                } else {
                    (
                        "value",
                        "externalValue",
                        "an Example gives its `value` inline or by `externalValue`, not both (they are mutually exclusive)",
                    )
                };
                if m.contains_key(a) && m.contains_key(b) {
                    self.with_key(b, |w| {
                        let loc = w.loc_key();
                        w.report(
                            rule,
                            loc,
                            msg.to_string(),
                            Some(format!("remove `{b}` or `{a}`")),
                        );
                    });
                }
            }
            _ => {}
        }
    }

    pub(super) fn title_of(&self, k: K) -> &'static str {
        match k {
            K::Bindings(_) => "Bindings Object",
            K::AnyObject => "an object",
            K::Message2 | K::AnySchema => "Message Object or Schema",
            K::MessageTraitItem3 => "Message Trait Object",
            K::AsyncSecurityScheme | K::OasSecurityScheme | K::SwSecurityScheme => {
                "Security Scheme Object"
            }
            K::Paths | K::SwPaths => "Paths Object",
            K::Responses | K::SwResponses => "Responses Object",
            K::Callback => "Callback Object",
            _ => self.table_of(k).title,
        }
    }

    fn table_of(&self, k: K) -> &'static Obj {
        static EMPTY: Obj = Obj {
            title: "Object",
            fields: &[],
            ext: true,
            open: true,
        };
        match k {
            K::Contact => &CONTACT,
            K::License if self.family == Family::OpenApi && self.ver >= 31 => &LICENSE31,
            K::License => &LICENSE,
            K::Tag => &TAG,
            K::ExternalDocs => &EXTERNAL_DOCS,
            K::ServerVariable if self.family == Family::AsyncApi => &ASYNC_SERVER_VARIABLE,
            K::ServerVariable => &OAS_SERVER_VARIABLE,
            _ => asyncapi_tables::table(k)
                .or_else(|| openapi_tables::table(k))
                .unwrap_or(&EMPTY),
        }
    }

    /// Check an object's keys against a table (plus `extra` fields), then its required fields.
    pub(super) fn object_fields(&mut self, m: &'a Map<String, Value>, table: &Obj, extra: &[F]) {
        let ver = self.ver;
        for (key, val) in m {
            let found = table
                .fields
                .iter()
                .chain(extra)
                .find(|fd| fd.name == key && fd.in_version(ver));
            match found {
                Some(fd) => {
                    let ty = fd.ty;
                    self.with_key(key, |w| w.check(val, ty));
                }
                None if table.ext && is_ext(key) => {}
                None if table.open => {}
                None => {
                    self.path.push(Seg::Key(key));
                    if let Some(other) = table.fields.iter().find(|fd| fd.name == key) {
                        let (rule, loc) = (self.rules.version, self.loc_key());
                        let msg = format!(
                            "`{key}` is not a field of the {} in {} {}: it exists only in {}",
                            table.title,
                            self.family_name(),
                            self.ver_label,
                            self.version_range(other)
                        );
                        self.report(rule, loc, msg, None);
                    } else {
                        self.unknown_field(key, table, extra);
                    }
                    self.path.pop();
                }
            }
        }
        for fd in table.fields.iter().chain(extra) {
            if fd.req && fd.in_version(ver) && !m.contains_key(fd.name) {
                let (rule, loc) = (self.rules.required, self.loc_key());
                let msg = format!(
                    "the {} is missing the required field `{}`",
                    table.title, fd.name
                );
                self.report(rule, loc, msg, None);
            }
        }
    }

    fn unknown_field(&mut self, key: &str, table: &Obj, extra: &[F]) {
        let ver = self.ver;
        let mut names: Vec<&str> = table
            .fields
            .iter()
            .chain(extra)
            .filter(|fd| fd.in_version(ver))
            .map(|fd| fd.name)
            .collect();
        names.dedup();
        let allowed = if names.is_empty() {
            "none".to_string()
        } else {
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let ext = if table.ext {
            ", or `x-` extensions"
        } else {
            ""
        };
        let help = crate::suggest::closest(key, &names).map(|c| format!("did you mean `{c}`?"));
        let msg = format!(
            "unknown field `{key}` in the {}; allowed: {allowed}{ext}",
            table.title
        );
        let (rule, loc) = (self.rules.unknown, self.loc_key());
        self.report(rule, loc, msg, help);
    }

    pub(super) fn family_name(&self) -> &'static str {
        match self.family {
            Family::AsyncApi => "AsyncAPI",
            Family::OpenApi => "OpenAPI",
            Family::Swagger => "Swagger",
        }
    }

    fn version_range(&self, fd: &F) -> String {
        let show = |v: Ver| format!("{}.{}", v / 10, v % 10);
        match (fd.from, fd.to) {
            (0, to) => format!("{} {} and earlier", self.family_name(), show(to)),
            (from, 255) => format!("{} {} and later", self.family_name(), show(from)),
            (from, to) => format!("{} {}–{}", self.family_name(), show(from), show(to)),
        }
    }

    fn bindings(&mut self, m: &'a Map<String, Value>, of: BindingsOf) {
        for (key, val) in m {
            self.path.push(Seg::Key(key));
            // ROS 2 bindings came with AsyncAPI 3.1.
            let known = asyncapi_tables::BINDING_PROTOCOLS.contains(&key.as_str())
                || (key == "ros2" && self.ver >= 31);
            if self.family == Family::AsyncApi
                && self.ver >= 30
                && !known
                && !is_ext(key)
                && key != "$ref"
            {
                let help = crate::suggest::closest(key, asyncapi_tables::BINDING_PROTOCOLS)
                    .map(|c| format!("did you mean `{c}`?"));
                let (rule, loc) = (self.rules.unknown, self.loc_key());
                self.report(rule, loc, format!("unknown protocol `{key}` in the Bindings Object; use a protocol name such as `kafka`, `amqp`, `mqtt`, `http`, `ws`, or an `x-` extension"), help);
            } else if known && self.ver >= 30 {
                match val.as_object() {
                    Some(b) => self.binding_object(key, b, of),
                    None => self.type_error(val, "an object (a binding)"),
                }
            }
            self.path.pop();
        }
    }

    fn security_scheme(&mut self, m: &'a Map<String, Value>, k: K) {
        const SW_TYPES: &[&str] = &["basic", "apiKey", "oauth2"];
        const OAS31_TYPES: &[&str] = &["apiKey", "http", "mutualTLS", "oauth2", "openIdConnect"];
        const OAS30_TYPES: &[&str] = &["apiKey", "http", "oauth2", "openIdConnect"];
        static ASYNC_BASE: &[F] = &[
            req("type", Ty::Enum(asyncapi_tables::SECURITY_TYPES)),
            f("description", STR),
        ];
        static SW_BASE: &[F] = &[req("type", Ty::Enum(SW_TYPES)), f("description", STR)];
        static OAS31_BASE: &[F] = &[req("type", Ty::Enum(OAS31_TYPES)), f("description", STR)];
        static OAS30_BASE: &[F] = &[req("type", Ty::Enum(OAS30_TYPES)), f("description", STR)];
        let (types, base): (&[&str], &'static [F]) = match k {
            K::AsyncSecurityScheme => (asyncapi_tables::SECURITY_TYPES, ASYNC_BASE),
            K::SwSecurityScheme => (SW_TYPES, SW_BASE),
            _ if self.ver >= 31 => (OAS31_TYPES, OAS31_BASE),
            _ => (OAS30_TYPES, OAS30_BASE),
        };
        let title = "Security Scheme Object";
        let ty = m
            .get("type")
            .and_then(Value::as_str)
            .filter(|t| types.contains(t));
        let extra: &[F] = match (k, ty) {
            (_, None) => &[],
            (K::AsyncSecurityScheme, Some(t)) => asyncapi_tables::security_fields(t, self.ver),
            (K::SwSecurityScheme, Some(t)) => openapi_tables::sw_security_fields(t),
            (_, Some(t)) => openapi_tables::security_fields(t),
        };
        let table = Obj {
            title,
            fields: base,
            ext: true,
            open: ty.is_none(),
        };
        self.object_fields(m, &table, extra);
        self.value_rules(m, k);
    }
}

fn is_status_key(k: &str) -> bool {
    let b = k.as_bytes();
    b.len() == 3
        && (b'1'..=b'5').contains(&b[0])
        && ((b[1].is_ascii_digit() && b[2].is_ascii_digit()) || (b[1] == b'X' && b[2] == b'X'))
}
