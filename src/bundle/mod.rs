//! `hnp-events bundle`: a multi-file document as one document. References inside the
//! document stay as they are; every other file's part a `$ref` reaches is pulled in
//! under `components` (Swagger 2.0: `definitions`, `parameters`, `responses`) with a
//! stable name (its own component name, else the last token of its pointer, else the
//! file's stem; `_2`, `_3`, … only when two different parts would share a name), and the
//! `$ref` is rewritten to point there. A part no components section can hold (a path
//! item, a channel of AsyncAPI 2.x) is inlined. `dereference` then inlines every
//! reference except those that lead back into themselves (recursive schemas), which
//! keep pointing at their component. Key order is kept (serde_json `preserve_order`).
//!
//! Extension values (`x-…` keys) are the extension's business, not the document's: a
//! `$ref` inside one that leads to another file (such as `x-hnp-emits` in an OpenAPI
//! document naming messages of an AsyncAPI document) is neither pulled in nor inlined
//! — it would turn another kind of document's parts into this document's components
//! (another schema dialect) and lose which part it names. It stays an external
//! reference, its path rewritten relative to the folder the bundle is written to.
//! `dereference` leaves every reference inside an extension value as it is.
//!
//! Reads the loaded workspace (`crate::source`); returns values and text, never
//! writes. References that did not resolve (missing files, remote URLs) are left as
//! they are: `validate` reports them on the bundle as on the original.

pub mod yaml;

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path};

use serde_json::{Map, Value};

use crate::source::{DocKind, FileId, Workspace, pointer};

/// Why a bundle could not be made.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("the input is not an AsyncAPI, OpenAPI or Swagger document")]
    NotADocument,
    #[error(
        "the dereferenced document would exceed {0} values (a reference is used in very many places); bundle without --dereference"
    )]
    TooLarge(usize),
}

/// The most values a dereferenced document may have.
pub const MAX_VALUES: usize = 20_000_000;

struct Bundler<'a> {
    ws: &'a Workspace,
    root: FileId,
    /// The folder the bundle will be written to (external references kept in
    /// extension values are made relative to it).
    out_dir: &'a Path,
    swagger: bool,
    /// Part (file, pointer) → (section, name) once pulled.
    names: HashMap<(FileId, String), (String, String)>,
    used: HashSet<(String, String)>,
    pulled: Vec<(String, String, Value)>,
    /// Parts being inlined (a part that contains itself stays a reference).
    inlining: Vec<(FileId, String)>,
}

fn value_at<'w>(ws: &'w Workspace, file: FileId, ptr: &str) -> Option<&'w Value> {
    let root = ws.file(file).value.as_ref()?;
    pointer::resolve(root, &tokens_of(ptr)).ok()
}

fn tokens_of(ptr: &str) -> Vec<String> {
    pointer::parse(ptr).unwrap_or_default()
}

const ASYNC_SECTIONS: &[&str] = &[
    "schemas",
    "servers",
    "channels",
    "operations",
    "messages",
    "securitySchemes",
    "serverVariables",
    "parameters",
    "correlationIds",
    "replies",
    "replyAddresses",
    "externalDocs",
    "tags",
    "operationTraits",
    "messageTraits",
    "serverBindings",
    "channelBindings",
    "operationBindings",
    "messageBindings",
];
const OPENAPI_SECTIONS: &[&str] = &[
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "securitySchemes",
    "links",
    "callbacks",
];

impl Bundler<'_> {
    fn allowed(&self, section: &str) -> bool {
        if self.swagger {
            return matches!(section, "schemas" | "parameters" | "responses");
        }
        match &self.ws.file(self.root).kind {
            DocKind::AsyncApi(v) => {
                ASYNC_SECTIONS.contains(&section)
                    // 2.x has no operations, replies, … in components.
                    && (v.major >= 3
                        || !matches!(
                            section,
                            "operations" | "replies" | "replyAddresses" | "externalDocs" | "tags"
                        ))
            }
            DocKind::OpenApi(v) => {
                OPENAPI_SECTIONS.contains(&section) || (section == "pathItems" && v.minor >= 1)
            }
            _ => false,
        }
    }

    /// The section a part belongs in: from where it lives (`/components/<s>/<name>`,
    /// `/definitions/<name>`), else from where it is referenced.
    fn section(&self, site: &[String], target: &[String]) -> Option<(String, String)> {
        let from_target = match target {
            [c, s, name] if c == "components" => Some((s.clone(), name.clone())),
            [d, name] if d == "definitions" || d == "$defs" => {
                Some(("schemas".to_string(), name.clone()))
            }
            [p, name] if p == "parameters" || p == "responses" => Some((p.clone(), name.clone())),
            _ => None,
        };
        if let Some((s, n)) = from_target {
            if self.allowed(&s) {
                return Some((s, n));
            }
        }
        let last = site.last().map(String::as_str).unwrap_or("");
        let parent = site
            .len()
            .checked_sub(2)
            .and_then(|i| site.get(i))
            .map(String::as_str)
            .unwrap_or("");
        let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let section = match (parent, last) {
            (_, "payload" | "schema" | "items" | "additionalProperties" | "not")
            | (
                "properties" | "patternProperties" | "allOf" | "anyOf" | "oneOf" | "prefixItems"
                | "definitions" | "$defs" | "schemas",
                _,
            ) => "schemas",
            (_, "headers") if !site.iter().any(|t| t == "responses") => "schemas",
            ("messages", _) | (_, "message") => "messages",
            ("parameters", _) => "parameters",
            ("responses", _) => "responses",
            (_, "requestBody") => "requestBodies",
            (_, "correlationId") => "correlationIds",
            ("traits", l) if numeric(l) => {
                if site.iter().any(|t| t == "messages" || t == "message") {
                    "messageTraits"
                } else {
                    "operationTraits"
                }
            }
            _ => return None,
        };
        if !self.allowed(section) {
            return None;
        }
        let name = target
            .iter()
            .rev()
            .find(|t| !numeric(t))
            .cloned()
            .unwrap_or_default();
        Some((section.to_string(), name))
    }

    fn stem(&self, file: FileId) -> String {
        let p = &self.ws.file(file).path;
        let stem = p
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "part".to_string());
        stem.split('.').next().unwrap_or("part").to_string()
    }

    fn name_for(&mut self, section: &str, wanted: &str) -> String {
        let base: String = wanted
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let mut name = base.clone();
        let mut n = 2;
        while self.used.contains(&(section.to_string(), name.clone())) {
            name = format!("{base}_{n}");
            n += 1;
        }
        self.used.insert((section.to_string(), name.clone()));
        name
    }

    fn reference(&self, section: &str, name: &str) -> String {
        let esc = pointer::escape(name);
        if self.swagger {
            let s = if section == "schemas" {
                "definitions"
            } else {
                section
            };
            format!("#/{s}/{esc}")
        } else {
            format!("#/components/{section}/{esc}")
        }
    }

    /// A copy of `v` (found in `file` at `site`) with every reference to another
    /// file's part rewritten.
    fn rewrite(&mut self, file: FileId, v: &Value, site: &mut Vec<String>) -> Value {
        match v {
            Value::Object(m) => {
                if let Some(raw) = m.get("$ref").and_then(Value::as_str) {
                    if let Some((tf, tp)) = self.ws.ref_target(file, raw) {
                        return self.follow(file, m, tf, tp, site);
                    }
                }
                let mut out = Map::with_capacity(m.len());
                for (k, x) in m {
                    site.push(k.clone());
                    out.insert(k.clone(), self.rewrite(file, x, site));
                    site.pop();
                }
                Value::Object(out)
            }
            Value::Array(a) => {
                let mut out = Vec::with_capacity(a.len());
                for (i, x) in a.iter().enumerate() {
                    site.push(i.to_string());
                    out.push(self.rewrite(file, x, site));
                    site.pop();
                }
                Value::Array(out)
            }
            _ => v.clone(),
        }
    }

    fn siblings(
        &mut self,
        file: FileId,
        m: &Map<String, Value>,
        site: &mut Vec<String>,
    ) -> Map<String, Value> {
        let mut out = Map::new();
        for (k, x) in m {
            if k != "$ref" {
                site.push(k.clone());
                out.insert(k.clone(), self.rewrite(file, x, site));
                site.pop();
            }
        }
        out
    }

    fn follow(
        &mut self,
        file: FileId,
        m: &Map<String, Value>,
        tf: FileId,
        tp: String,
        site: &mut Vec<String>,
    ) -> Value {
        let with_ref = |r: String, rest: Map<String, Value>| {
            let mut out = Map::with_capacity(rest.len() + 1);
            out.insert("$ref".to_string(), Value::String(r));
            out.extend(rest);
            Value::Object(out)
        };
        if tf == self.root {
            let rest = self.siblings(file, m, site);
            return with_ref(format!("#{tp}"), rest);
        }
        if in_extension(site) {
            let path = relative_uri(self.out_dir, &self.ws.file(tf).path);
            let rest = self.siblings(file, m, site);
            return with_ref(format!("{path}#{}", encode_fragment(&tp)), rest);
        }
        let key = (tf, tp.clone());
        if let Some((s, n)) = self.names.get(&key).cloned() {
            let rest = self.siblings(file, m, site);
            return with_ref(self.reference(&s, &n), rest);
        }
        let target_tokens = tokens_of(&tp);
        let ws = self.ws;
        let Some(target) = value_at(ws, tf, &tp) else {
            return Value::Object(m.clone());
        };
        match self.section(site, &target_tokens) {
            Some((section, wanted)) => {
                let wanted = if wanted.is_empty() {
                    self.stem(tf)
                } else {
                    wanted
                };
                let name = self.name_for(&section, &wanted);
                self.names.insert(key, (section.clone(), name.clone()));
                // Reserve the slot now, so that the order of components follows the
                // order in which they are first referenced.
                let slot = self.pulled.len();
                self.pulled
                    .push((section.clone(), name.clone(), Value::Null));
                let mut tsite = target_tokens.clone();
                let body = self.rewrite(tf, target, &mut tsite);
                self.pulled[slot].2 = body;
                let rest = self.siblings(file, m, site);
                with_ref(self.reference(&section, &name), rest)
            }
            None => {
                if self.inlining.contains(&key) {
                    // A part that contains itself and has no section: left as written.
                    return Value::Object(m.clone());
                }
                self.inlining.push(key);
                let mut tsite = target_tokens.clone();
                let body = self.rewrite(tf, target, &mut tsite);
                self.inlining.pop();
                let rest = self.siblings(file, m, site);
                merge(body, rest)
            }
        }
    }
}

/// Keys under which every key is a name (of a property, a component, a channel, a
/// media type, …), so that a name starting with `x-` there is not an extension.
const NAME_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "definitions",
    "$defs",
    "dependentSchemas",
    "schemas",
    "channels",
    "operations",
    "servers",
    "messages",
    "parameters",
    "headers",
    "examples",
    "content",
    "encoding",
    "links",
    "callbacks",
    "variables",
    "scopes",
    "mapping",
    "securitySchemes",
    "webhooks",
    "requestBodies",
    "serverVariables",
    "correlationIds",
    "replies",
    "replyAddresses",
    "operationTraits",
    "messageTraits",
    "serverBindings",
    "channelBindings",
    "operationBindings",
    "messageBindings",
    "pathItems",
];

/// Whether the value at `site` is (inside) an extension value: some token is an
/// `x-…` key in a place where keys are fields, not names. (`paths` and an
/// operation's `responses` hold paths and status codes, never `x-` names, so an
/// `x-` key there is an extension; top-level and `components` sections hold names.)
pub fn in_extension(site: &[String]) -> bool {
    site.iter().enumerate().any(|(i, t)| {
        if !t.starts_with("x-") {
            return false;
        }
        let Some(parent) = i.checked_sub(1).and_then(|p| site.get(p)) else {
            return true;
        };
        if i == 2 && site[0] == "components" {
            return false;
        }
        if parent == "responses" {
            // Swagger's top-level `responses` names them; an operation's holds codes.
            return i != 1;
        }
        !NAME_MAPS.contains(&parent.as_str())
    })
}

/// `target` as a relative URI reference from the folder `from` (both absolute),
/// `/`-separated, characters outside a URI path percent-encoded.
fn relative_uri(from: &Path, target: &Path) -> String {
    let a: Vec<Component> = from.components().collect();
    let b: Vec<Component> = target.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = Vec::new();
    for _ in common..a.len() {
        parts.push("..".to_string());
    }
    for c in &b[common..] {
        parts.push(c.as_os_str().to_string_lossy().into_owned());
    }
    let joined = parts.join("/");
    let enc = percent_encode(&joined, b"/");
    if enc.starts_with("..") {
        enc
    } else {
        format!("./{enc}")
    }
}

/// A JSON pointer as a URI fragment.
fn encode_fragment(ptr: &str) -> String {
    percent_encode(ptr, b"/?:@!$&'()*+,;=")
}

fn percent_encode(s: &str, keep: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || keep.contains(&b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

/// A referenced value with the reference's sibling keys laid over it.
fn merge(body: Value, rest: Map<String, Value>) -> Value {
    if rest.is_empty() {
        return body;
    }
    match body {
        Value::Object(mut b) => {
            for (k, v) in rest {
                b.insert(k, v);
            }
            Value::Object(b)
        }
        other => other,
    }
}

/// The first input document of the workspace as one document, to be written into the
/// folder `out_dir` (absolute; references kept in extension values are relative to it).
pub fn bundle(ws: &Workspace, out_dir: &Path) -> Result<Value, BundleError> {
    let root = *ws.inputs.first().ok_or(BundleError::NotADocument)?;
    let file = ws.file(root);
    let swagger = match file.kind {
        DocKind::AsyncApi(_) | DocKind::OpenApi(_) => false,
        DocKind::Swagger => true,
        _ => return Err(BundleError::NotADocument),
    };
    let value = file.value.as_ref().ok_or(BundleError::NotADocument)?;
    let mut b = Bundler {
        ws,
        root,
        out_dir,
        swagger,
        names: HashMap::new(),
        used: HashSet::new(),
        pulled: Vec::new(),
        inlining: Vec::new(),
    };
    // Names the document already uses are taken.
    let existing: Vec<(String, &Value)> = if swagger {
        ["definitions", "parameters", "responses"]
            .iter()
            .filter_map(|s| {
                value.get(*s).map(|v| {
                    (
                        if *s == "definitions" {
                            "schemas".to_string()
                        } else {
                            s.to_string()
                        },
                        v,
                    )
                })
            })
            .collect()
    } else {
        value
            .get("components")
            .and_then(Value::as_object)
            .map(|c| c.iter().map(|(k, v)| (k.clone(), v)).collect())
            .unwrap_or_default()
    };
    for (section, v) in existing {
        if let Some(m) = v.as_object() {
            for k in m.keys() {
                b.used.insert((section.clone(), k.clone()));
            }
        }
    }
    let mut out = b.rewrite(root, value, &mut Vec::new());
    let pulled = std::mem::take(&mut b.pulled);
    if let Value::Object(top) = &mut out {
        for (section, name, body) in pulled {
            let holder = if swagger {
                let s = if section == "schemas" {
                    "definitions".to_string()
                } else {
                    section
                };
                top.entry(s).or_insert_with(|| Value::Object(Map::new()))
            } else {
                let comps = top
                    .entry("components".to_string())
                    .or_insert_with(|| Value::Object(Map::new()));
                match comps {
                    Value::Object(c) => c
                        .entry(section)
                        .or_insert_with(|| Value::Object(Map::new())),
                    _ => continue,
                }
            };
            if let Value::Object(h) = holder {
                h.insert(name, body);
            }
        }
    }
    Ok(out)
}

/// Inline every local reference of a bundled document, except references back into
/// a part being inlined (recursion), which stay references into `components`.
///
/// AsyncAPI 3.x requires Reference Objects where an operation or reply names its
/// channel and messages and a channel its servers (they say *which* one, not what it
/// holds): those stay references.
pub fn dereference(doc: &Value) -> Result<Value, BundleError> {
    let mut d = Deref {
        root: doc,
        stack: Vec::new(),
        site: Vec::new(),
        budget: MAX_VALUES,
        async3: doc
            .get("asyncapi")
            .and_then(Value::as_str)
            .is_some_and(|v| v.starts_with('3')),
    };
    d.go(doc, false)
}

struct Deref<'a> {
    root: &'a Value,
    stack: Vec<String>,
    /// Where in the output the value being made goes.
    site: Vec<String>,
    budget: usize,
    async3: bool,
}

impl Deref<'_> {
    fn items(&mut self, a: &[Value], identity: bool) -> Result<Value, BundleError> {
        let mut out = Vec::with_capacity(a.len());
        for (i, x) in a.iter().enumerate() {
            self.site.push(i.to_string());
            let y = self.go(x, identity);
            self.site.pop();
            out.push(y?);
        }
        Ok(Value::Array(out))
    }

    /// `identity`: a reference here names an item and must stay one.
    fn go(&mut self, v: &Value, identity: bool) -> Result<Value, BundleError> {
        self.budget = self
            .budget
            .checked_sub(1)
            .ok_or(BundleError::TooLarge(MAX_VALUES))?;
        let root = self.root;
        match v {
            Value::Object(m) => {
                if m.contains_key("$ref") && (identity || in_extension(&self.site)) {
                    return Ok(v.clone());
                }
                if let Some(raw) = m.get("$ref").and_then(Value::as_str) {
                    if let Some(ptr) = raw.strip_prefix('#') {
                        let target =
                            pointer::parse(ptr).and_then(|t| pointer::resolve(root, &t).ok());
                        if let Some(target) = target {
                            if self.stack.iter().any(|s| s == ptr) {
                                return Ok(v.clone());
                            }
                            self.stack.push(ptr.to_string());
                            let body = self.go(target, false);
                            self.stack.pop();
                            let mut rest = Map::new();
                            for (k, x) in m {
                                if k != "$ref" {
                                    self.site.push(k.clone());
                                    let y = self.go(x, false);
                                    self.site.pop();
                                    rest.insert(k.clone(), y?);
                                }
                            }
                            return Ok(merge(body?, rest));
                        }
                    }
                }
                let mut out = Map::with_capacity(m.len());
                for (k, x) in m {
                    let id = self.async3 && k == "channel";
                    let list_id =
                        self.async3 && (k == "messages" || k == "servers") && x.is_array();
                    self.site.push(k.clone());
                    let y = if list_id {
                        match x {
                            Value::Array(a) => self.items(a, true),
                            _ => Ok(x.clone()),
                        }
                    } else {
                        self.go(x, id)
                    };
                    self.site.pop();
                    out.insert(k.clone(), y?);
                }
                Ok(Value::Object(out))
            }
            Value::Array(a) => self.items(a, false),
            _ => Ok(v.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn recursive_references_stay() {
        let doc = json!({
            "components": {"schemas": {
                "Tree": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}}}},
                "Leaf": {"type": "string"}
            }},
            "x": {"$ref": "#/components/schemas/Tree"},
            "y": {"$ref": "#/components/schemas/Leaf", "description": "kept"}
        });
        let d = dereference(&doc).expect("small");
        assert_eq!(d["y"], json!({"type": "string", "description": "kept"}));
        assert_eq!(
            d["x"]["properties"]["children"]["items"],
            json!({"$ref": "#/components/schemas/Tree"})
        );
    }

    fn site(p: &str) -> Vec<String> {
        pointer::parse(p).expect("pointer")
    }

    #[test]
    fn extension_positions_are_told_from_names() {
        for p in [
            "/x-hnp-emits/0",
            "/paths/~1a/post/x-hnp-emits/0",
            "/paths/x-ext",
            "/paths/~1a/get/responses/x-ext",
            "/components/x-ext/A",
            "/components/messages/M/x-hnp-idempotency/key",
            "/components/schemas/S/properties/p/x-link",
            "/tags/0/x-ext",
        ] {
            assert!(in_extension(&site(p)), "{p}");
        }
        for p in [
            "",
            "/components/schemas/x-thing",
            "/components/schemas/S/properties/x-id",
            "/responses/x-shared",
            "/channels/x-chan/messages/x-msg",
            "/paths/~1a/post/responses/200/content/x-type~1y",
            "/components/schemas/S/patternProperties/x-",
        ] {
            assert!(!in_extension(&site(p)), "{p}");
        }
    }

    #[test]
    fn relative_uris_from_the_output_folder() {
        let t = Path::new("/w/api/async api.yaml");
        assert_eq!(relative_uri(Path::new("/w/api"), t), "./async%20api.yaml");
        assert_eq!(
            relative_uri(Path::new("/w/out/deep"), t),
            "../../api/async%20api.yaml"
        );
        assert_eq!(relative_uri(Path::new("/w"), t), "./api/async%20api.yaml");
        assert_eq!(
            encode_fragment("/paths/~1a~1{id}/get"),
            "/paths/~1a~1%7Bid%7D/get"
        );
    }

    #[test]
    fn dereference_leaves_extension_references() {
        let doc = json!({
            "components": {"messages": {"M": {"payload": {"$ref": "#/components/schemas/P"}}},
                           "schemas": {"P": {"type": "string"}}},
            "x-hnp-emits": [{"$ref": "#/components/messages/M"}],
            "y": {"x-ext": {"$ref": "#/components/schemas/P"}, "s": {"$ref": "#/components/schemas/P"}}
        });
        let d = dereference(&doc).expect("small");
        assert_eq!(d["x-hnp-emits"], doc["x-hnp-emits"]);
        assert_eq!(d["y"]["x-ext"], doc["y"]["x-ext"]);
        assert_eq!(d["y"]["s"], json!({"type": "string"}));
        assert_eq!(
            d["components"]["messages"]["M"]["payload"],
            json!({"type": "string"})
        );
    }
}
