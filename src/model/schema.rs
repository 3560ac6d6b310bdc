//! Schemas as standalone JSON Schema documents, for the `jsonschema` crate (which
//! resolves nothing by itself: no file or network access).
//!
//! - [`inline`] copies a schema with every `$ref` replaced by its target (recursion
//!   becomes `{}`); used by sagas.
//! - [`Bundler`] copies a schema and everything it references into one document: each
//!   referenced schema goes once into `definitions`/`$defs` under a key per
//!   `(file, pointer)`, and `$ref`s are rewritten to point there, so recursive schemas
//!   stay recursive and bundling always terminates. It also translates the OpenAPI
//!   dialects (`nullable`, read-only/write-only `required` properties) and repairs what
//!   the validator's meta-schema would refuse, which would make the whole bundle
//!   uncompilable: draft 2019-09 recursion (`$recursiveAnchor`/`$recursiveRef`),
//!   boolean `exclusiveMinimum`/`exclusiveMaximum` where the draft wants numbers (and
//!   the reverse), repeated `required` names, an empty `required` in draft 4.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use crate::source::{FileId, Workspace, pointer};

/// The value at a pointer of a loaded file.
pub fn pointer_get<'w>(ws: &'w Workspace, f: FileId, p: &str) -> Option<&'w Value> {
    let root = ws.file(f).value.as_ref()?;
    pointer::resolve(root, &pointer::parse(p)?).ok()
}

const LITERAL: &[&str] = &["examples", "example", "const", "enum", "default"];

/// Copy a schema with every `$ref` replaced by its target. A reference back into a
/// schema being inlined (recursion) becomes `{}` (anything), so inlining terminates.
pub fn inline(
    ws: &Workspace,
    file: FileId,
    v: &Value,
    stack: &mut Vec<(FileId, String)>,
    depth: usize,
) -> Value {
    if depth > 64 {
        return json!({});
    }
    match v {
        Value::Object(m) => {
            let mut out = Map::new();
            let mut target = None;
            for (k, child) in m {
                if k == "$ref" {
                    if let Some(raw) = child.as_str() {
                        target = Some(match ws.ref_target(file, raw) {
                            Some(t) if !stack.contains(&t) => {
                                let inner = pointer_get(ws, t.0, &t.1).cloned();
                                stack.push(t.clone());
                                let r = inner
                                    .map(|iv| inline(ws, t.0, &iv, stack, depth + 1))
                                    .unwrap_or_else(|| json!({}));
                                stack.pop();
                                r
                            }
                            _ => json!({}),
                        });
                    }
                    continue;
                }
                if k.starts_with("x-") || k == "discriminator" || k == "externalDocs" {
                    continue;
                }
                let c = if LITERAL.contains(&k.as_str()) {
                    child.clone()
                } else if let (true, Value::Object(names)) =
                    (NAME_MAPS.contains(&k.as_str()), child)
                {
                    // Keys here are names (a property called `default` is a
                    // schema, not literal data).
                    Value::Object(
                        names
                            .iter()
                            .map(|(n, s)| (n.clone(), inline(ws, file, s, stack, depth + 1)))
                            .collect(),
                    )
                } else {
                    inline(ws, file, child, stack, depth + 1)
                };
                out.insert(k.clone(), c);
            }
            match target {
                Some(t) if out.is_empty() => t,
                Some(t) => {
                    match out.get_mut("allOf") {
                        Some(Value::Array(a)) => a.push(t),
                        _ => {
                            out.insert("allOf".into(), json!([t]));
                        }
                    }
                    Value::Object(out)
                }
                None => Value::Object(out),
            }
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|i| inline(ws, file, i, stack, depth + 1))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The schema dialect of a schema position, as far as bundling cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flavor {
    /// OpenAPI 3.0 Schema Object: draft-4 semantics plus `nullable`.
    Oas30,
    /// Swagger 2.0 Schema Object: draft-4 semantics (plus the common `x-nullable`).
    Swagger,
    /// AsyncAPI Schema: JSON Schema draft-07.
    Async,
    /// OpenAPI 3.1: JSON Schema 2020-12.
    Oas31,
}

impl Flavor {
    /// The JSON Schema draft the bundled document is validated with.
    pub fn draft(self) -> jsonschema::Draft {
        match self {
            Flavor::Oas30 | Flavor::Swagger => jsonschema::Draft::Draft4,
            Flavor::Async => jsonschema::Draft::Draft7,
            Flavor::Oas31 => jsonschema::Draft::Draft202012,
        }
    }

    fn defs_key(self) -> &'static str {
        if self == Flavor::Oas31 {
            "$defs"
        } else {
            "definitions"
        }
    }

    fn openapi(self) -> bool {
        self != Flavor::Async
    }
}

/// Keys under which object keys are names (each value a schema).
const NAME_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "definitions",
    "$defs",
    "dependentSchemas",
];

/// Keys that would change how the bundled document's references resolve, or are not
/// validation keywords.
const DROPPED: &[&str] = &[
    "$id",
    "$schema",
    "$anchor",
    "$dynamicAnchor",
    "$recursiveAnchor",
    "$comment",
    "discriminator",
    "externalDocs",
    "xml",
];

/// Collects schemas reachable from some roots into one standalone document.
pub struct Bundler<'w> {
    ws: &'w Workspace,
    flavor: Flavor,
    keys: HashMap<(FileId, String), String>,
    defs: Map<String, Value>,
    pending: Vec<(FileId, String, String)>,
    /// While a schema is copied: the key of the schema a `$recursiveRef` reaches (the
    /// schema being copied when it carries `$recursiveAnchor: true`).
    recursive: Option<String>,
}

impl<'w> Bundler<'w> {
    pub fn new(ws: &'w Workspace, flavor: Flavor) -> Self {
        Bundler {
            ws,
            flavor,
            keys: HashMap::new(),
            defs: Map::new(),
            pending: Vec::new(),
            recursive: None,
        }
    }

    /// Bundle the schema at `pointer` of `file` into a standalone document.
    pub fn bundle(ws: &'w Workspace, flavor: Flavor, file: FileId, pointer: &str) -> Value {
        let mut b = Bundler::new(ws, flavor);
        let key = b.add(file, pointer);
        b.finish_with_key(&key)
    }

    /// Add the schema at `(file, pointer)` (and everything it references); its key.
    pub fn add(&mut self, file: FileId, pointer: &str) -> String {
        let key = self.key_of(file, pointer);
        self.drain();
        key
    }

    /// Add a schema value found in `file` (an inline schema: everything it references
    /// is added); its bundled copy, to use as (part of) a root.
    pub fn add_value(&mut self, file: FileId, v: &Value) -> Value {
        self.recursive = None;
        let copy = self.schema(file, v);
        self.drain();
        copy
    }

    /// The key of the schema at `(file, pointer)` if it is in the bundle already
    /// (added, or referenced by an added schema).
    pub fn key_if_added(&self, file: FileId, pointer: &str) -> Option<String> {
        self.keys.get(&(file, pointer.to_string())).cloned()
    }

    /// The bundled copy of an added schema.
    pub fn def(&self, key: &str) -> Option<&Value> {
        self.defs.get(key)
    }

    /// The document whose root is `root` (which may `$ref` added schemas through
    /// [`Bundler::ref_to`]).
    pub fn finish(mut self, root: Value) -> Value {
        self.defs.insert("root".to_string(), root);
        self.finish_with_key("root")
    }

    /// A `$ref` value pointing at an added schema.
    pub fn ref_to(&self, key: &str) -> Value {
        json!({ "$ref": format!("#/{}/{key}", self.flavor.defs_key()) })
    }

    fn finish_with_key(self, key: &str) -> Value {
        let mut out = Map::new();
        out.insert(
            "$ref".to_string(),
            Value::String(format!("#/{}/{key}", self.flavor.defs_key())),
        );
        out.insert(self.flavor.defs_key().to_string(), Value::Object(self.defs));
        Value::Object(out)
    }

    fn key_of(&mut self, file: FileId, pointer: &str) -> String {
        if let Some(k) = self.keys.get(&(file, pointer.to_string())) {
            return k.clone();
        }
        let k = format!("s{}", self.keys.len());
        self.keys.insert((file, pointer.to_string()), k.clone());
        self.pending.push((file, pointer.to_string(), k.clone()));
        k
    }

    fn drain(&mut self) {
        while let Some((file, ptr, key)) = self.pending.pop() {
            let ws = self.ws;
            let copy = match pointer_get(ws, file, &ptr) {
                Some(v) => {
                    // Draft 2019-09: `$recursiveRef: "#"` in a schema written with
                    // `$recursiveAnchor: true` means that schema (read statically).
                    self.recursive = (v.get("$recursiveAnchor") == Some(&Value::Bool(true)))
                        .then(|| key.clone());
                    self.schema(file, v)
                }
                None => Value::Bool(true),
            };
            self.defs.insert(key, copy);
        }
    }

    /// Copy one schema, rewriting its references.
    fn schema(&mut self, file: FileId, v: &Value) -> Value {
        let Value::Object(m) = v else {
            return v.clone();
        };
        let mut out = Map::new();
        let mut recursive_ref = None;
        for (k, child) in m {
            let k = k.as_str();
            if (k.starts_with("x-") && k != "x-nullable") || DROPPED.contains(&k) {
                continue;
            }
            if k == "$recursiveRef" {
                // To the anchored schema being copied; without one, `#` would be the
                // document (not a schema): dropped, as an unresolvable `$ref` is.
                recursive_ref = self.recursive.as_ref().map(|key| self.ref_to(key));
                continue;
            }
            if k == "id" && child.is_string() && self.flavor != Flavor::Oas31 {
                continue;
            }
            let c = match (k, child) {
                ("$ref", Value::String(raw)) => match self.ws.ref_target(file, raw) {
                    Some((tf, tp)) => {
                        let key = self.key_of(tf, &tp);
                        Value::String(format!("#/{}/{key}", self.flavor.defs_key()))
                    }
                    // Unresolvable (reported by the loader): accept anything.
                    None => continue,
                },
                _ if LITERAL.contains(&k) => child.clone(),
                _ if NAME_MAPS.contains(&k) => match child {
                    Value::Object(names) => Value::Object(
                        names
                            .iter()
                            .map(|(n, s)| (n.clone(), self.schema(file, s)))
                            .collect(),
                    ),
                    other => other.clone(),
                },
                ("dependencies", Value::Object(deps)) => Value::Object(
                    deps.iter()
                        .map(|(n, s)| {
                            let c = if s.is_array() {
                                s.clone()
                            } else {
                                self.schema(file, s)
                            };
                            (n.clone(), c)
                        })
                        .collect(),
                ),
                ("required", Value::Array(names)) => {
                    let mut uniq: Vec<Value> = Vec::new();
                    for n in names {
                        if !uniq.contains(n) {
                            uniq.push(n.clone());
                        }
                    }
                    Value::Array(uniq)
                }
                (_, Value::Object(_)) => self.schema(file, child),
                (_, Value::Array(items)) => {
                    Value::Array(items.iter().map(|s| self.schema(file, s)).collect())
                }
                _ => child.clone(),
            };
            out.insert(k.to_string(), c);
        }
        if let Some(r) = recursive_ref {
            if out.contains_key("$ref") {
                let all = out.entry("allOf").or_insert_with(|| json!([]));
                if let Some(a) = all.as_array_mut() {
                    a.push(r);
                }
            } else if let Some(raw) = r.get("$ref") {
                out.insert("$ref".into(), raw.clone());
            }
        }
        self.exclusive_bounds(&mut out);
        if self.flavor.openapi() {
            self.relax_required(file, m, &mut out);
            // Draft 4 wants at least one name (and none means no constraint anyway).
            if out
                .get("required")
                .and_then(Value::as_array)
                .is_some_and(Vec::is_empty)
            {
                out.remove("required");
            }
            let nullable = match self.flavor {
                Flavor::Oas30 => out.remove("nullable"),
                Flavor::Swagger => out.remove("x-nullable"),
                _ => None,
            };
            out.remove("x-nullable");
            if nullable == Some(Value::Bool(true)) {
                return json!({ "anyOf": [{ "type": "null" }, Value::Object(out)] });
            }
        }
        Value::Object(out)
    }

    /// `exclusiveMinimum`/`exclusiveMaximum` in the form the draft wants: a number from
    /// draft 6 on (`exclusiveMinimum: true` beside `minimum: 0`, the OpenAPI 3.0 form
    /// written in a 3.1 or AsyncAPI schema, becomes `exclusiveMinimum: 0`), a flag
    /// beside `minimum` in draft 4 (the reverse).
    fn exclusive_bounds(&self, out: &mut Map<String, Value>) {
        let draft4 = matches!(self.flavor, Flavor::Oas30 | Flavor::Swagger);
        for (ex, bound) in [
            ("exclusiveMinimum", "minimum"),
            ("exclusiveMaximum", "maximum"),
        ] {
            match out.get(ex).cloned() {
                Some(Value::Bool(flag)) if !draft4 => {
                    out.remove(ex);
                    if flag {
                        if let Some(b) = out.remove(bound) {
                            out.insert(ex.to_string(), b);
                        }
                    }
                }
                Some(n @ Value::Number(_)) if draft4 => match out.get(bound) {
                    // Both bounds: keep the flag form of the exclusive one only when it
                    // is the tighter one; else the inclusive bound alone decides.
                    Some(b) => {
                        let (x, y) = (n.as_f64(), b.as_f64());
                        let tighter = match (x, y) {
                            (Some(x), Some(y)) if ex == "exclusiveMinimum" => x >= y,
                            (Some(x), Some(y)) => x <= y,
                            _ => false,
                        };
                        if tighter {
                            out.insert(bound.to_string(), n);
                            out.insert(ex.to_string(), Value::Bool(true));
                        } else {
                            out.remove(ex);
                        }
                    }
                    None => {
                        out.insert(bound.to_string(), n);
                        out.insert(ex.to_string(), Value::Bool(true));
                    }
                },
                _ => {}
            }
        }
    }

    /// OpenAPI: a required property that is `readOnly` (or `writeOnly`) is only
    /// required in responses (requests); an example may show either side, so such
    /// properties are not required here.
    fn relax_required(&self, file: FileId, src: &Map<String, Value>, out: &mut Map<String, Value>) {
        let Some(Value::Object(props)) = src.get("properties") else {
            return;
        };
        let Some(Value::Array(req)) = out.get_mut("required") else {
            return;
        };
        req.retain(|name| {
            let Some(p) = name.as_str().and_then(|n| props.get(n)) else {
                return true;
            };
            let (_, _, p) = self.ws.deref(file, p);
            let flag = |k: &str| p.get(k).and_then(Value::as_bool) == Some(true);
            !(flag("readOnly") || flag("writeOnly"))
        });
    }
}

/// RFC 7396 JSON merge patch (how AsyncAPI applies traits).
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(t) = target {
        for (k, v) in p {
            if v.is_null() {
                t.remove(k);
            } else {
                merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
    }
}
