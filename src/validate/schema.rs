//! Checks of Schema Objects in each dialect (AsyncAPI/draft-07, OpenAPI 3.0, OpenAPI 3.1,
//! Swagger 2.0), of AsyncAPI multi-format schemas and of message payloads by
//! `schemaFormat`. Part of the structural walker (`walk.rs`).

use serde_json::{Map, Value};

use super::spec::*;
use super::walk::{Seg, Walker, is_int};

/// What a schema keyword's value must be.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kw {
    Str,
    Bool,
    Num,
    PosNum,
    NonNegInt,
    Any,
    Schema,
    SchemaMap,
    SchemaOrBool,
    SchemaList,
    Items,
    StrList,
    AnyList,
    Type,
    Discriminator,
    Xml,
    Docs,
    Dependencies,
}

fn keyword(d: Dialect, key: &str) -> Option<Kw> {
    use Kw::*;
    let common = match key {
        "title" | "description" | "format" | "pattern" => Str,
        "multipleOf" => PosNum,
        "maximum" | "minimum" => Num,
        "maxLength" | "minLength" | "maxItems" | "minItems" | "maxProperties" | "minProperties" => {
            NonNegInt
        }
        "uniqueItems" | "readOnly" => Bool,
        "required" => StrList,
        "enum" => AnyList,
        "type" => Type,
        "allOf" => SchemaList,
        "properties" => SchemaMap,
        "additionalProperties" => SchemaOrBool,
        "items" => Items,
        "default" | "example" => Any,
        "externalDocs" => Docs,
        "exclusiveMaximum" | "exclusiveMinimum" => {
            if matches!(d, Dialect::Oas30 | Dialect::Swagger) {
                Bool
            } else {
                Num
            }
        }
        "discriminator" => {
            if matches!(d, Dialect::Oas30 | Dialect::Oas31) {
                Discriminator
            } else {
                Str
            }
        }
        _ => {
            return match d {
                Dialect::Swagger => match key {
                    "$ref" => Some(Str),
                    "xml" => Some(Xml),
                    _ => None,
                },
                Dialect::Oas30 => match key {
                    "not" => Some(Schema),
                    "oneOf" | "anyOf" => Some(SchemaList),
                    "nullable" | "writeOnly" | "deprecated" => Some(Bool),
                    "xml" => Some(Xml),
                    _ => None,
                },
                _ => match key {
                    "not"
                    | "if"
                    | "then"
                    | "else"
                    | "contains"
                    | "propertyNames"
                    | "additionalItems"
                    | "unevaluatedItems"
                    | "unevaluatedProperties"
                    | "contentSchema" => Some(Schema),
                    "oneOf" | "anyOf" | "prefixItems" => Some(SchemaList),
                    "patternProperties" | "definitions" | "$defs" | "dependentSchemas" => {
                        Some(SchemaMap)
                    }
                    "writeOnly" | "deprecated" => Some(Bool),
                    "$id" | "$schema" | "$comment" | "$anchor" | "$dynamicAnchor"
                    | "contentMediaType" | "contentEncoding" => Some(Str),
                    "examples" => Some(AnyList),
                    "maxContains" | "minContains" => Some(NonNegInt),
                    "dependencies" => Some(Dependencies),
                    "xml" => Some(Xml),
                    "dependentRequired" => Some(Any),
                    "const" => Some(Any),
                    _ => Some(Any),
                },
            };
        }
    };
    Some(common)
}

const JSON_TYPES: &[&str] = &[
    "array", "boolean", "integer", "null", "number", "object", "string",
];
const OAS30_TYPES: &[&str] = &["array", "boolean", "integer", "number", "object", "string"];

/// Default schema formats of AsyncAPI (validated as AsyncAPI Schema).
fn is_async_format(f: &str) -> bool {
    let f = f.trim();
    f.starts_with("application/vnd.aai.asyncapi")
        || f.starts_with("application/schema+json;version=draft-07")
        || f.starts_with("application/schema+yaml;version=draft-07")
}

fn is_oas30_format(f: &str) -> bool {
    f.trim().starts_with("application/vnd.oai.openapi")
}

/// The Avro formats the official AsyncAPI schemas check (`avroSchema_v1.json`; other
/// Avro versions are left alone, as there).
fn is_avro19_format(f: &str) -> bool {
    matches!(
        f.trim(),
        "application/vnd.apache.avro;version=1.9.0"
            | "application/vnd.apache.avro+json;version=1.9.0"
            | "application/vnd.apache.avro+yaml;version=1.9.0"
    )
}

const AVRO_PRIMITIVES: &[&str] = &[
    "null", "boolean", "int", "long", "float", "double", "bytes", "string",
];

/// An Avro name: `^[A-Za-z_][A-Za-z0-9_]*$`.
fn avro_name_ok(s: &str) -> bool {
    let mut cs = s.chars();
    cs.next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && cs.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// An Avro full name or namespace: names joined by `.` (a namespace may be empty).
pub(super) fn avro_fullname_ok(s: &str, empty_ok: bool) -> bool {
    if s.is_empty() {
        return empty_ok;
    }
    s.split('.').all(avro_name_ok)
}

impl<'a> Walker<'a> {
    /// An Avro 1.9 schema (`avroSchema_v1.json`): a primitive type name, a named type
    /// reference, a union (non-empty list) or a type object (`record`, `enum`, `array`,
    /// `map`, `fixed`, or a primitive with metadata). Current position: the schema.
    pub(super) fn avro(&mut self, v: &'a Value) {
        match v {
            Value::String(s) => {
                if !AVRO_PRIMITIVES.contains(&s.as_str()) && !avro_fullname_ok(s, false) {
                    let loc = self.loc();
                    self.report(
                        "value-pattern",
                        loc,
                        format!("`{s}` is neither an Avro primitive type nor a type name (`^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$`)"),
                        None,
                    );
                }
            }
            Value::Array(items) => {
                if items.is_empty() {
                    return self.type_error(v, "an Avro union (a non-empty list of schemas)");
                }
                for (i, s) in items.iter().enumerate() {
                    self.path.push(Seg::Idx(i));
                    self.avro(s);
                    self.path.pop();
                }
            }
            // A reference to an Avro schema elsewhere (an `.avsc` file, a component):
            // the loader resolves it (or reports it), and its target is an Avro schema
            // too (a JSON Schema there is no Avro schema, whatever `schemaFormat` says).
            Value::Object(m) if m.contains_key("$ref") => self.follow(v, Ty::Avro),
            Value::Object(m) => self.avro_object(m),
            _ => self.type_error(
                v,
                "an Avro schema (a type name, a list of schemas or a type object)",
            ),
        }
    }

    fn avro_object(&mut self, m: &'a Map<String, Value>) {
        let Some(t) = m.get("type") else {
            let (rule, loc) = (self.rules.required, self.loc_key());
            return self.report(
                rule,
                loc,
                "an Avro schema object needs its `type`".to_string(),
                None,
            );
        };
        let Some(ty) = t.as_str() else {
            return self.with_key("type", |w| w.type_error(t, "an Avro type name"));
        };
        if AVRO_PRIMITIVES.contains(&ty) {
            return;
        }
        let required: &[&str] = match ty {
            "record" => &["name", "fields"],
            "enum" => &["name", "symbols"],
            "array" => &["items"],
            "map" => &["values"],
            "fixed" => &["name", "size"],
            _ => {
                return self.with_key("type", |w| {
                    let mut allowed: Vec<&str> = AVRO_PRIMITIVES.to_vec();
                    allowed.extend(["record", "enum", "array", "map", "fixed"]);
                    w.check_enum(t, &allowed)
                });
            }
        };
        for r in required {
            if !m.contains_key(*r) {
                let (rule, loc) = (self.rules.required, self.loc_key());
                self.report(
                    rule,
                    loc,
                    format!("an Avro `{ty}` schema is missing the required field `{r}`"),
                    None,
                );
            }
        }
        self.avro_names(m);
        for key in ["items", "values"] {
            if let Some(s) = m.get(key) {
                self.with_key(key, |w| w.avro(s));
            }
        }
        if let Some(size) = m.get("size").filter(|s| !s.is_number()) {
            self.with_key("size", |w| w.type_error(size, "a number"));
        }
        for key in ["symbols", "fields"] {
            let Some(list) = m.get(key) else { continue };
            self.path.push(Seg::Key(key));
            match list.as_array() {
                None => self.type_error(list, "an array"),
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.path.push(Seg::Idx(i));
                        if key == "symbols" {
                            self.avro_name(item);
                        } else {
                            self.avro_field(item);
                        }
                        self.path.pop();
                    }
                }
            }
            self.path.pop();
        }
    }

    fn avro_field(&mut self, v: &'a Value) {
        let Some(m) = v.as_object() else {
            return self.type_error(v, "an Avro field (an object with `name` and `type`)");
        };
        for r in ["name", "type"] {
            if !m.contains_key(r) {
                let (rule, loc) = (self.rules.required, self.loc_key());
                self.report(
                    rule,
                    loc,
                    format!("an Avro field is missing the required field `{r}`"),
                    None,
                );
            }
        }
        self.avro_names(m);
        if let Some(t) = m.get("type") {
            self.with_key("type", |w| w.avro(t));
        }
        if let Some(o) = m.get("order") {
            self.with_key("order", |w| {
                w.check_enum(o, &["ascending", "descending", "ignore"])
            });
        }
    }

    /// `name`, `namespace`, `doc` and `aliases` of an Avro type or field.
    fn avro_names(&mut self, m: &'a Map<String, Value>) {
        if let Some(n) = m.get("name") {
            self.with_key("name", |w| w.avro_name(n));
        }
        if let Some(d) = m.get("doc").filter(|d| !d.is_string()) {
            self.with_key("doc", |w| w.type_error(d, "a string"));
        }
        if let Some(ns) = m.get("namespace") {
            self.with_key("namespace", |w| match ns.as_str() {
                Some(s) if avro_fullname_ok(s, true) => {}
                Some(s) => {
                    let loc = w.loc();
                    w.report(
                        "value-pattern",
                        loc,
                        format!("`{s}` is not an Avro namespace (names joined by `.`)"),
                        None,
                    );
                }
                None => w.type_error(ns, "a string (an Avro namespace)"),
            });
        }
        if let Some(a) = m.get("aliases") {
            self.with_key("aliases", |w| match a.as_array() {
                Some(items) => {
                    for (i, n) in items.iter().enumerate() {
                        w.path.push(Seg::Idx(i));
                        w.avro_name(n);
                        w.path.pop();
                    }
                }
                None => w.type_error(a, "an array of Avro names"),
            });
        }
    }

    fn avro_name(&mut self, v: &'a Value) {
        match v.as_str() {
            Some(s) if avro_name_ok(s) => {}
            Some(s) => {
                let loc = self.loc();
                self.report(
                    "value-pattern",
                    loc,
                    format!("`{s}` is not an Avro name (`^[A-Za-z_][A-Za-z0-9_]*$`)"),
                    None,
                );
            }
            None => self.type_error(v, "a string (an Avro name)"),
        }
    }

    fn schema_rule_unknown(&self) -> &'static str {
        self.rules.unknown
    }

    /// Check a Schema Object of dialect `d` at the current position.
    pub(super) fn schema(&mut self, v: &'a Value, d: Dialect) {
        let m = match v {
            Value::Object(m) => m,
            Value::Bool(_) if matches!(d, Dialect::Async | Dialect::Oas31) => return,
            _ => {
                let what = match d {
                    Dialect::Async | Dialect::Oas31 => "a Schema Object or a boolean",
                    _ => "a Schema Object",
                };
                return self.type_error(v, what);
            }
        };
        let has_ref = m.contains_key("$ref");
        if has_ref {
            self.follow(v, Ty::Schema(d));
            // The AsyncAPI schemas validate a schema's keywords with the draft-07
            // meta-schema, which checks the siblings of `$ref` too (`{"$ref": …,
            // "type": []}` is invalid); OpenAPI 3.1 applies them.
            if !matches!(d, Dialect::Oas31 | Dialect::Async) {
                return;
            }
        }
        if !(has_ref && d == Dialect::Async) {
            self.schema_examples(m, d);
        }
        self.schema_keywords(m, d);
    }

    /// Each keyword of the schema `m` (its `$ref` aside), checked for dialect `d`.
    fn schema_keywords(&mut self, m: &'a Map<String, Value>, d: Dialect) {
        for (key, val) in m {
            if key == "$ref" {
                continue;
            }
            if d == Dialect::Oas31 {
                // The official 3.1 schema leaves schema keywords to the JSON Schema dialect:
                // only sub-schemas are walked (for their `$ref`s), nothing is reported.
                self.path.push(Seg::Key(key));
                self.schema31_keyword(val, keyword(d, key));
                self.path.pop();
                continue;
            }
            let Some(kw) = keyword(d, key) else {
                if key.starts_with("x-") {
                    continue;
                }
                self.path.push(Seg::Key(key));
                let title = if d == Dialect::Oas30 {
                    "OpenAPI 3.0 Schema Object"
                } else {
                    "Swagger 2.0 Schema Object"
                };
                let help = crate::suggest::closest(key, SCHEMA_KEYWORDS)
                    .map(|c| format!("did you mean `{c}`?"));
                let extra = match key.as_str() {
                    "const" => " (use `enum` with one value)",
                    "examples" => " (use `example`)",
                    "$defs" | "definitions" => " (put shared schemas under `components/schemas`)",
                    _ => "",
                };
                let msg = format!(
                    "`{key}` is not a keyword of the {title}{extra}; other keys must start with `x-`"
                );
                let (rule, loc) = (self.schema_rule_unknown(), self.loc_key());
                self.report(rule, loc, msg, help);
                self.path.pop();
                continue;
            };
            self.path.push(Seg::Key(key));
            self.schema_keyword(val, kw, d);
            self.schema_value_rules(key, val, true);
            self.path.pop();
        }
    }

    fn schema_keyword(&mut self, val: &'a Value, kw: Kw, d: Dialect) {
        match kw {
            Kw::Any => {}
            Kw::Str => self.check(val, Ty::Str),
            Kw::Bool => self.check(val, Ty::Bool),
            Kw::Num => self.check(val, Ty::Num),
            Kw::PosNum => {
                if !val.as_f64().is_some_and(|n| n > 0.0) {
                    self.type_error(val, "a number greater than 0");
                }
            }
            Kw::NonNegInt => {
                if !(is_int(val) && val.as_f64().is_some_and(|n| n >= 0.0)) {
                    self.type_error(val, "a non-negative integer");
                }
            }
            Kw::Schema => self.schema(val, d),
            Kw::SchemaOrBool => {
                if !val.is_boolean() {
                    self.schema(val, d);
                }
            }
            Kw::SchemaMap => {
                let Some(m) = val.as_object() else {
                    return self.type_error(val, "an object (a map of names to schemas)");
                };
                for (k, s) in m {
                    self.path.push(Seg::Key(k));
                    self.schema(s, d);
                    self.path.pop();
                }
            }
            Kw::SchemaList => {
                let Some(items) = val.as_array() else {
                    return self.type_error(val, "an array of schemas");
                };
                if items.is_empty() {
                    return self.type_error(val, "a non-empty array of schemas");
                }
                self.schema_items(items, d);
            }
            Kw::Items => match val {
                Value::Array(items) if d != Dialect::Oas30 => self.schema_items(items, d),
                _ => self.schema(val, d),
            },
            Kw::StrList => {
                let Some(items) = val.as_array() else {
                    return self.type_error(val, "an array of strings");
                };
                if items.is_empty() && matches!(d, Dialect::Oas30 | Dialect::Swagger) {
                    return self.type_error(val, "a non-empty array of strings");
                }
                self.check(val, STRS);
            }
            Kw::AnyList => {
                let Some(items) = val.as_array() else {
                    return self.type_error(val, "an array");
                };
                // draft-04 and the OpenAPI 3.0 Schema: `enum` has `minItems: 1`.
                if items.is_empty() && matches!(d, Dialect::Oas30 | Dialect::Swagger) {
                    let (rule, loc) = (self.rules.type_, self.loc());
                    let msg =
                        "`enum` must list at least one value (an empty `enum` allows nothing)";
                    return self.report(rule, loc, msg.to_string(), None);
                }
                self.enum_duplicates(items);
            }
            Kw::Type => {
                let allowed = if d == Dialect::Oas30 {
                    OAS30_TYPES
                } else {
                    JSON_TYPES
                };
                match val {
                    Value::Array(items) if d != Dialect::Oas30 => {
                        if items.is_empty() {
                            // draft-04/07: a `type` list has `minItems: 1`.
                            return self.type_error(val, "a type name or a non-empty list of them");
                        }
                        for (i, t) in items.iter().enumerate() {
                            self.path.push(Seg::Idx(i));
                            self.check_enum(t, allowed);
                            self.path.pop();
                        }
                    }
                    _ => self.check_enum(val, allowed),
                }
            }
            Kw::Discriminator => self.check(val, Ty::Node(K::Discriminator)),
            Kw::Xml => self.check(val, Ty::Node(K::Xml)),
            // AsyncAPI 3 `schema.json`: `externalDocs: {oneOf: [Reference, externalDocs]}`.
            Kw::Docs
                if d == Dialect::Async
                    && self.family == super::Family::AsyncApi
                    && self.ver >= 30 =>
            {
                self.check(val, Ty::RefOr(K::ExternalDocs))
            }
            Kw::Docs => self.check(val, Ty::Node(K::ExternalDocs)),
            Kw::Dependencies => {
                let Some(m) = val.as_object() else {
                    return self.type_error(val, "an object");
                };
                for (k, s) in m {
                    self.path.push(Seg::Key(k));
                    if s.is_array() {
                        self.check(s, STRS);
                    } else {
                        self.schema(s, d);
                    }
                    self.path.pop();
                }
            }
        }
    }

    fn schema31_keyword(&mut self, val: &'a Value, kw: Option<Kw>) {
        let sub = |w: &mut Self, s: &'a Value| {
            if s.is_object() {
                w.schema(s, Dialect::Oas31);
            }
        };
        match (kw, val) {
            (Some(Kw::Schema | Kw::SchemaOrBool | Kw::Items), Value::Object(_)) => sub(self, val),
            (Some(Kw::SchemaMap), Value::Object(m)) => {
                for (k, s) in m {
                    self.path.push(Seg::Key(k));
                    sub(self, s);
                    self.path.pop();
                }
            }
            (Some(Kw::SchemaList | Kw::Items), Value::Array(items)) => {
                for (i, s) in items.iter().enumerate() {
                    self.path.push(Seg::Idx(i));
                    sub(self, s);
                    self.path.pop();
                }
            }
            (Some(Kw::AnyList), Value::Array(items)) => self.enum_duplicates(items),
            _ => {}
        }
    }

    fn schema_items(&mut self, items: &'a [Value], d: Dialect) {
        // AsyncAPI and Swagger: `items: {anyOf: [schema, {type: array, minItems: 1}]}`.
        if items.is_empty() && matches!(d, Dialect::Async | Dialect::Swagger) {
            let (rule, loc) = (self.rules.type_, self.loc());
            return self.report(
                rule,
                loc,
                "`items` must be a schema or a non-empty list of schemas".to_string(),
                None,
            );
        }
        for (i, s) in items.iter().enumerate() {
            self.path.push(Seg::Idx(i));
            self.schema(s, d);
            self.path.pop();
        }
    }

    /// Warn about repeated `enum` values.
    fn enum_duplicates(&mut self, items: &'a [Value]) {
        if !matches!(self.path.last(), Some(Seg::Key("enum"))) {
            return;
        }
        for i in super::valueset::repeated(items) {
            self.path.push(Seg::Idx(i));
            let loc = self.loc();
            let shown = match &items[i] {
                Value::String(s) => format!("`{s}`"),
                other => other.to_string(),
            };
            self.report(
                "schema-enum-duplicate",
                loc,
                format!("enum value {shown} is listed more than once"),
                None,
            );
            self.path.pop();
        }
    }

    /// AsyncAPI 3 `payload`/`headers`/component schema: a schema or a Multi Format Schema.
    pub(super) fn any_schema(&mut self, v: &'a Value) {
        let Some(m) = v.as_object() else {
            return self.schema(v, Dialect::Async);
        };
        if m.contains_key("$ref") {
            self.follow(v, Ty::Node(K::AnySchema));
            // The draft-07 meta-schema checks a reference's siblings as keywords.
            return self.schema_keywords(m, Dialect::Async);
        }
        let Some(fmt) = m.get("schemaFormat") else {
            if let Some(schema) = m.get("schema") {
                // anySchema.json: an object with `schema` is a Multi Format Schema; with
                // no `schemaFormat` its schema is an AsyncAPI schema.
                self.path.push(Seg::Key("schema"));
                self.schema(schema, Dialect::Async);
                self.path.pop();
                return;
            }
            return self.schema(v, Dialect::Async);
        };
        static MULTI: Obj = Obj {
            title: "Multi Format Schema Object",
            fields: &[req("schemaFormat", STR), req("schema", Ty::Any)],
            ext: true,
            open: false,
        };
        self.object_fields(m, &MULTI, &[]);
        let Some(fmt) = fmt.as_str() else { return };
        if let Some(schema) = m.get("schema") {
            self.path.push(Seg::Key("schema"));
            self.payload_by_format(schema, fmt, "schemaFormat");
            self.path.pop();
        }
    }

    /// Check a payload schema according to its `schemaFormat` (current position: the payload).
    fn payload_by_format(&mut self, v: &'a Value, fmt: &str, format_key: &str) {
        if is_async_format(fmt) {
            self.schema(v, Dialect::Async);
        } else if is_oas30_format(fmt) {
            self.schema(v, Dialect::Oas30);
        } else if is_avro19_format(fmt) {
            self.avro(v);
        } else {
            let loc = self.loc();
            self.report(
                "asyncapi-schema-format-unvalidated",
                loc,
                format!("the schema is in format `{fmt}` (from `{format_key}`); only AsyncAPI, JSON Schema, OpenAPI and Avro 1.9.0 schemas are validated"),
                None,
            );
        }
    }

    /// A 2.x Message Object (not a reference, not `oneOf`).
    pub(super) fn message_object2(&mut self, m: &'a Map<String, Value>) {
        let table = super::asyncapi_tables::table(K::MessageObject2);
        if let Some(t) = table {
            self.object_fields(m, t, &[]);
        }
        if let Some(payload) = m.get("payload") {
            let fmt = m.get("schemaFormat").and_then(Value::as_str);
            self.path.push(Seg::Key("payload"));
            match fmt {
                None => self.schema(payload, Dialect::Async),
                Some(f) => self.payload_by_format(payload, f, "schemaFormat"),
            }
            self.path.pop();
        }
    }
}

/// Keywords offered as "did you mean" suggestions.
const SCHEMA_KEYWORDS: &[&str] = &[
    "title",
    "multipleOf",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "maxProperties",
    "minProperties",
    "required",
    "enum",
    "type",
    "not",
    "allOf",
    "oneOf",
    "anyOf",
    "items",
    "properties",
    "additionalProperties",
    "description",
    "format",
    "default",
    "nullable",
    "discriminator",
    "readOnly",
    "writeOnly",
    "example",
    "externalDocs",
    "deprecated",
    "xml",
];
