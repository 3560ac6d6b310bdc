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

impl<'a> Walker<'a> {
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
        if m.contains_key("$ref") {
            self.follow(v, Ty::Schema(d));
            if d != Dialect::Oas31 {
                return;
            }
        }
        self.schema_examples(m, d);
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
            return self.follow(v, Ty::Node(K::AnySchema));
        }
        let Some(fmt) = m.get("schemaFormat") else {
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
        } else {
            let loc = self.loc();
            self.report(
                "asyncapi-schema-format-unvalidated",
                loc,
                format!("the schema is in format `{fmt}` (from `{format_key}`); only AsyncAPI, JSON Schema and OpenAPI schemas are validated"),
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
