//! Constraint coverage, measured: every constraint of the official JSON Schemas in
//! `$HNP_CORPUS/schemas` (AsyncAPI 2.0.0–3.1.0, OpenAPI 3.0 and 3.1, Swagger 2.0) is
//! enumerated by its location in the schema file; for each, a mutation of a valid corpus
//! document that violates exactly that constraint is generated and confirmed with the
//! `jsonschema` crate (the mutant is invalid, and every error left once each failed
//! `oneOf`/`anyOf` is followed into the branch the original document matched is the
//! targeted constraint's); then `validate` (library call) must report an error at or
//! inside the official error's instance location.
//!
//! Constraints counted: each `required` entry, `additionalProperties: false` (and 3.1's
//! `unevaluatedProperties: false`), each `patternProperties` entry, `enum`/`const`,
//! `pattern`, `format`, `minItems`/`uniqueItems`/`minProperties`, `oneOf`/`anyOf`/`not`,
//! `if`-`then`/`else`, `dependencies` (and 3.1's `dependentSchemas`) — but not those
//! inside an `if` or under a `not`, which are conditions (see [`condition_subschemas`]).
//! `propertyNames` applies to each key (its mutants rename the key).
//!
//! Where no mutant violates exactly one constraint, the first mutant the official schema
//! rejects (breaking it and another, or another only) must still be caught at or inside
//! an official error's location. And the converse: our errors on an officially valid
//! seed or synthesised document fail the test unless [`BEYOND_SCHEMA`] explains them.
//!
//! A constraint is *reached* when some valid document (a corpus document or a seed) has a
//! value its subschema applies to; it is *mutable* when a mutation violating exactly it
//! was found; it is *caught* when we report it. The test prints a table per schema and
//! every missed constraint with its location, and fails when a missed constraint is
//! neither caught nor listed in [`EXCUSED`] with a reason. The seeds: corpus documents
//! relabelled to sibling versions, an AsyncAPI 3 document with Kafka/MQTT/NATS bindings,
//! and documents synthesised from the official schema itself for what is still
//! unreached (see `constraint_coverage/synth.rs`); each unreached constraint is counted
//! per schema under a reason class (not referenced from the root; reached only by
//! documents our rules reject; no synthesised instance reaches it) and the schema
//! resource that holds it.
//!
//! Run: `HNP_CORPUS=/work/shared/corpus cargo test --test it constraint_coverage -- --nocapture`
//! (`HNP_COVERAGE_LIST=1` also lists every enumerated constraint; `HNP_COVERAGE_DUMP=DIR`
//! writes each missed constraint's mutant to DIR; `HNP_SYNTH_TRACE=1` lists the slots
//! the synthesiser tried).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use hnp_events::diag::Severity;
use hnp_events::source::{DocKind, LoadOptions, Workspace};
use jsonschema::error::ValidationErrorKind;
use jsonschema::{ValidationError, Validator};
use serde_json::{Map, Value, json};

use super::corpus::read_rows;

mod synth;

/// Missed constraints we knowingly leave to the official schema, by schema file and a
/// substring of the location, with the reason: only where the official schema, as its
/// dialect runs it, does not assert the constraint (the test asserts `format`).
const EXCUSED: &[(&str, &str, &str)] = &[(
    "openapi-3.1.json",
    "/format",
    "the OpenAPI 3.1 schema is JSON Schema 2020-12, where `format` only annotates (the official schema, run as published, accepts these values; the specification lets URL fields be relative references)",
)];

/// The least share of mutable constraints `validate` must catch, per schema file
/// (percent). Raised as rules close the gaps.
const FLOOR_PERCENT: usize = 100;

/// The least number of constraints that must yield an exact mutant in all (629 from the
/// corpus alone; 961 with the relabelled and binding seeds; 1,741 with the seeds
/// synthesised from the schemas; 2,074 with the hand-written payload, security and
/// binding seeds; 2,176 with `propertyNames`, conditions apart and the trait, OpenAPI 3.1
/// and Swagger seeds, when measured): fewer means the mutant generator, the
/// synthesiser or the corpus lost reach, which would make the percentages above
/// meaningless.
const MIN_MUTABLE: usize = 2000;

const SCHEMAS: &[&str] = &[
    "asyncapi-2.0.0.json",
    "asyncapi-2.1.0.json",
    "asyncapi-2.2.0.json",
    "asyncapi-2.3.0.json",
    "asyncapi-2.4.0.json",
    "asyncapi-2.5.0.json",
    "asyncapi-2.6.0.json",
    "asyncapi-3.0.0.json",
    "asyncapi-3.1.0.json",
    "openapi-3.0.json",
    "openapi-3.1.json",
    "swagger-2.0.json",
];

/// Documents larger than this are not mutated (our validation of each mutant must stay fast).
const MAX_DOC_BYTES: u64 = 200_000;
/// Instance locations kept per subschema (the first that yields an exact mutant wins).
const SITES_PER_SCHEMA: usize = 6;

fn schema_file_of(kind: &DocKind) -> Option<String> {
    Some(match kind {
        DocKind::AsyncApi(v) => format!("asyncapi-{v}.json"),
        DocKind::OpenApi(v) if v.minor == 0 => "openapi-3.0.json".to_string(),
        DocKind::OpenApi(_) => "openapi-3.1.json".to_string(),
        DocKind::Swagger => "swagger-2.0.json".to_string(),
        _ => return None,
    })
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn esc(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn unesc(seg: &str) -> String {
    seg.replace("~1", "/").replace("~0", "~")
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Some(b) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn get<'v>(root: &'v Value, pointer: &str) -> Option<&'v Value> {
    if pointer.is_empty() {
        return Some(root);
    }
    let mut cur = root;
    for seg in pointer.strip_prefix('/')?.split('/') {
        let key = unesc(seg);
        cur = match cur {
            Value::Object(m) => m.get(&key)?,
            Value::Array(a) => a.get(key.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn get_mut<'v>(root: &'v mut Value, pointer: &str) -> Option<&'v mut Value> {
    if pointer.is_empty() {
        return Some(root);
    }
    let mut cur = root;
    for seg in pointer.strip_prefix('/')?.split('/') {
        let key = unesc(seg);
        cur = match cur {
            Value::Object(m) => m.get_mut(&key)?,
            Value::Array(a) => a.get_mut(key.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// Keys whose value is a map of names to subschemas.
const SCHEMA_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "definitions",
    "$defs",
    "dependentSchemas",
];
/// Keys whose value is one subschema.
const SCHEMA_ONE: &[&str] = &[
    "additionalProperties",
    "unevaluatedProperties",
    "items",
    "additionalItems",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
];
/// Keys whose value is a list of subschemas.
const SCHEMA_LIST: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems", "items"];

#[derive(Debug, Clone)]
struct Constraint {
    /// JSON pointer (in the schema file) of the subschema that holds it.
    at: String,
    keyword: &'static str,
    /// The `required` entry, the `patternProperties` pattern, the `dependencies` key.
    detail: Option<String>,
}

impl Constraint {
    fn keyword_location(&self) -> String {
        format!("{}/{}", self.at, self.keyword)
    }
    fn label(&self) -> String {
        match &self.detail {
            Some(d) => format!("{}/{} [{d}]", self.at, self.keyword),
            None => format!("{}/{}", self.at, self.keyword),
        }
    }
}

/// One official schema file: its tree, embedded resources, validators.
struct Official {
    root: Value,
    /// Base URI (no fragment) → pointer of the resource in the file.
    resources: Vec<(String, String)>,
    /// Anchor name → pointer (`$dynamicAnchor`/`$anchor`), per file.
    registry: jsonschema::Registry<'static>,
    draft: jsonschema::Draft,
    validator: Validator,
    validator_formats: Validator,
    branch_cache: HashMap<String, Option<Validator>>,
    pattern_cache: HashMap<String, Option<Validator>>,
}

fn draft_of(root: &Value) -> jsonschema::Draft {
    match root.get("$schema").and_then(Value::as_str).unwrap_or("") {
        s if s.contains("draft-04") => jsonschema::Draft::Draft4,
        s if s.contains("draft-07") => jsonschema::Draft::Draft7,
        s if s.contains("2020-12") => jsonschema::Draft::Draft202012,
        _ => jsonschema::Draft::Draft7,
    }
}

fn id_of(node: &Map<String, Value>, draft: jsonschema::Draft) -> Option<&str> {
    let key = if draft == jsonschema::Draft::Draft4 {
        "id"
    } else {
        "$id"
    };
    node.get(key).and_then(Value::as_str)
}

fn resolve_uri(base: &str, reference: &str) -> String {
    if reference.contains("://") || reference.starts_with("urn:") {
        return reference.to_string();
    }
    if let Some(frag) = reference.strip_prefix('#') {
        let b = base.split('#').next().unwrap_or(base);
        return format!("{b}#{frag}");
    }
    let b = base.split('#').next().unwrap_or(base);
    match b.rfind('/') {
        Some(i) => format!("{}{}", &b[..=i], reference),
        None => reference.to_string(),
    }
}

/// Called with (pointer, subschema, base URI).
type SchemaVisitor<'f> = dyn FnMut(&str, &Map<String, Value>, &str) + 'f;

/// Walk the schema tree schema-wise: `f(pointer, node, base_uri)` for every subschema.
fn walk_schema(
    node: &Value,
    ptr: &str,
    base: &str,
    draft: jsonschema::Draft,
    f: &mut SchemaVisitor,
) {
    let Value::Object(m) = node else { return };
    let base = match id_of(m, draft) {
        Some(id) => resolve_uri(base, id).trim_end_matches('#').to_string(),
        None => base.to_string(),
    };
    f(ptr, m, &base);
    for (k, v) in m {
        let p = format!("{ptr}/{}", esc(k));
        if SCHEMA_MAPS.contains(&k.as_str()) || (k == "dependencies" && v.is_object()) {
            if let Value::Object(sub) = v {
                for (name, s) in sub {
                    if s.is_object() {
                        walk_schema(s, &format!("{p}/{}", esc(name)), &base, draft, f);
                    }
                }
            }
        } else if SCHEMA_ONE.contains(&k.as_str()) && v.is_object() {
            walk_schema(v, &p, &base, draft, f);
        } else if SCHEMA_LIST.contains(&k.as_str()) {
            if let Value::Array(items) = v {
                for (i, s) in items.iter().enumerate() {
                    walk_schema(s, &format!("{p}/{i}"), &base, draft, f);
                }
            }
        }
    }
}

/// Pointers of the subschemas whose keywords are conditions rather than constraints:
/// those inside an `if` (a document that breaks one only selects `else`, or skips
/// `then`) and those under an odd number of `not`s (breaking one makes the `not` hold).
/// No document can be invalid for breaking them; the `if`-`then`/`else` and the `not`
/// that hold them are constraints and are counted.
fn condition_subschemas(
    node: &Value,
    ptr: &str,
    in_if: bool,
    nots: usize,
    out: &mut HashSet<String>,
) {
    let Value::Object(m) = node else { return };
    if in_if || nots % 2 == 1 {
        out.insert(ptr.to_string());
    }
    for (k, v) in m {
        let p = format!("{ptr}/{}", esc(k));
        if SCHEMA_MAPS.contains(&k.as_str()) || (k == "dependencies" && v.is_object()) {
            if let Value::Object(sub) = v {
                for (name, s) in sub {
                    condition_subschemas(s, &format!("{p}/{}", esc(name)), in_if, nots, out);
                }
            }
        } else if SCHEMA_ONE.contains(&k.as_str()) && v.is_object() {
            let (i, n) = match k.as_str() {
                "if" => (true, nots),
                "not" => (in_if, nots + 1),
                _ => (in_if, nots),
            };
            condition_subschemas(v, &p, i, n, out);
        } else if SCHEMA_LIST.contains(&k.as_str()) {
            if let Value::Array(items) = v {
                for (i, s) in items.iter().enumerate() {
                    condition_subschemas(s, &format!("{p}/{i}"), in_if, nots, out);
                }
            }
        }
    }
}

/// The constraints of the schema, and how many keywords were left out as conditions
/// (see [`condition_subschemas`]).
fn enumerate(root: &Value, draft: jsonschema::Draft) -> (Vec<Constraint>, usize) {
    let mut conditions = HashSet::new();
    condition_subschemas(root, "", false, 0, &mut conditions);
    let mut all = enumerate_all(root, draft);
    let before = all.len();
    all.retain(|c| !conditions.contains(&c.at));
    let left_out = before - all.len();
    (all, left_out)
}

fn enumerate_all(root: &Value, draft: jsonschema::Draft) -> Vec<Constraint> {
    let mut out = Vec::new();
    walk_schema(root, "", "", draft, &mut |ptr, m, _| {
        let c = |keyword: &'static str, detail: Option<String>| Constraint {
            at: ptr.to_string(),
            keyword,
            detail,
        };
        if let Some(Value::Array(req)) = m.get("required") {
            for r in req.iter().filter_map(Value::as_str) {
                out.push(c("required", Some(r.to_string())));
            }
        }
        for kw in ["additionalProperties", "unevaluatedProperties"] {
            if m.get(kw) == Some(&Value::Bool(false)) {
                out.push(c(
                    if kw == "additionalProperties" {
                        "additionalProperties"
                    } else {
                        "unevaluatedProperties"
                    },
                    None,
                ));
            }
        }
        if let Some(Value::Object(pp)) = m.get("patternProperties") {
            for pat in pp.keys() {
                out.push(c("patternProperties", Some(pat.clone())));
            }
        }
        for kw in [
            "enum",
            "const",
            "pattern",
            "format",
            "minItems",
            "uniqueItems",
            "minProperties",
            "oneOf",
            "anyOf",
            "not",
            "if",
        ] {
            if let Some(v) = m.get(kw) {
                let skip = (kw == "uniqueItems" && v != &Value::Bool(true))
                    || (kw == "minItems" && v.as_u64().unwrap_or(0) == 0)
                    || (kw == "minProperties" && v.as_u64().unwrap_or(0) == 0)
                    || (kw == "if" && !m.contains_key("then") && !m.contains_key("else"));
                if !skip {
                    out.push(c(kw, None));
                }
            }
        }
        for kw in ["dependencies", "dependentSchemas", "dependentRequired"] {
            if let Some(Value::Object(deps)) = m.get(kw) {
                for k in deps.keys() {
                    out.push(c(
                        match kw {
                            "dependencies" => "dependencies",
                            "dependentSchemas" => "dependentSchemas",
                            _ => "dependentRequired",
                        },
                        Some(k.clone()),
                    ));
                }
            }
        }
    });
    out
}

impl Official {
    fn load(dir: &Path, name: &str) -> Official {
        let schemas = dir.join("schemas");
        let root = read_json(&schemas.join(name));
        let draft = draft_of(&root);
        let mut resources = Vec::new();
        walk_schema(&root, "", "", draft, &mut |ptr, m, base| {
            if id_of(m, draft).is_some() {
                resources.push((base.to_string(), ptr.to_string()));
            }
        });
        let root_id = resources
            .iter()
            .find(|(_, p)| p.is_empty())
            .map(|(b, _)| b.clone())
            .unwrap_or_else(|| "urn:hnp:root".to_string());
        let mut extra: Vec<(String, Value)> = Vec::new();
        if name == "openapi-3.1.json" {
            for f in [
                "openapi-3.1-dialect-base.json",
                "openapi-3.1-meta-base.json",
                "openapi-3.1-schema-base.json",
            ] {
                let v = read_json(&schemas.join(f));
                if let Some(id) = v.get("$id").and_then(Value::as_str) {
                    extra.push((id.to_string(), v));
                }
            }
        }
        let mut builder = jsonschema::Registry::new();
        for (uri, v) in extra {
            builder = builder
                .add(uri, jsonschema::Resource::from_contents(v))
                .expect("resource");
        }
        builder = builder
            .add(
                root_id.clone(),
                jsonschema::Resource::from_contents(root.clone()),
            )
            .expect("root resource");
        let registry = builder.prepare().expect("registry");
        let build = |formats: bool| {
            jsonschema::options()
                .with_draft(draft)
                .with_registry(&registry)
                .should_validate_formats(formats)
                .build(&root)
                .unwrap_or_else(|e| panic!("compiling {name}: {e}"))
        };
        let validator = build(false);
        let validator_formats = build(true);
        Official {
            root,
            resources,
            registry,
            draft,
            validator,
            validator_formats,
            branch_cache: HashMap::new(),
            pattern_cache: HashMap::new(),
        }
    }

    /// The absolute URI of the subschema at `ptr` (its nearest resource + fragment).
    fn uri_of(&self, ptr: &str) -> String {
        let mut best: Option<&(String, String)> = None;
        for r in &self.resources {
            let inside = ptr == r.1 || (ptr.starts_with(&r.1) && ptr[r.1.len()..].starts_with('/'));
            if inside && best.is_none_or(|b| r.1.len() > b.1.len()) {
                best = Some(r);
            }
        }
        match best {
            Some((base, p)) => format!("{base}#{}", &ptr[p.len()..]),
            None => format!("urn:hnp:root#{ptr}"),
        }
    }

    /// The pointer in the file of an absolute URI (`base#fragment`).
    fn pointer_of_uri(&self, uri: &str) -> Option<String> {
        let (base, frag) = uri.split_once('#').unwrap_or((uri, ""));
        let base = base.trim_end_matches('#');
        let (_, p) = self.resources.iter().find(|(b, _)| b == base)?;
        let frag = percent_decode(frag);
        if frag.is_empty() || frag.starts_with('/') {
            Some(format!("{p}{frag}"))
        } else {
            None
        }
    }

    /// The keyword location, in the file, of an error.
    fn error_location(&self, e: &ValidationError) -> String {
        match e.absolute_keyword_location() {
            Some(u) => self
                .pointer_of_uri(u.as_str())
                .unwrap_or_else(|| u.as_str().to_string()),
            None => e.schema_path().as_str().to_string(),
        }
    }

    fn branch_valid(&mut self, ptr: &str, inst: &Value) -> bool {
        if !self.branch_cache.contains_key(ptr) {
            let uri = self.uri_of(ptr);
            let v = jsonschema::options()
                .with_draft(self.draft)
                .with_registry(&self.registry)
                .should_validate_formats(false)
                .build(&json!({ "$ref": uri }))
                .ok();
            self.branch_cache.insert(ptr.to_string(), v);
        }
        match self.branch_cache.get(ptr) {
            Some(Some(v)) => v.is_valid(inst),
            _ => true,
        }
    }

    fn matches(&mut self, pattern: &str, key: &str) -> bool {
        if !self.pattern_cache.contains_key(pattern) {
            let v = jsonschema::options()
                .build(&json!({ "pattern": pattern }))
                .ok();
            self.pattern_cache.insert(pattern.to_string(), v);
        }
        match self.pattern_cache.get(pattern) {
            Some(Some(v)) => v.is_valid(&Value::String(key.to_string())),
            _ => false,
        }
    }

    fn resolve_ref(&self, base: &str, reference: &str) -> Option<(String, String)> {
        let uri = resolve_uri(
            if base.is_empty() {
                "urn:hnp:root"
            } else {
                base
            },
            reference,
        );
        let ptr = if let Some(frag) = uri.strip_prefix("urn:hnp:root#") {
            percent_decode(frag)
        } else {
            self.pointer_of_uri(&uri)?
        };
        let target_base = self.base_at(&ptr);
        Some((ptr, target_base))
    }

    fn base_at(&self, ptr: &str) -> String {
        let uri = self.uri_of(ptr);
        uri.split('#').next().unwrap_or("").to_string()
    }
}

/// Where each subschema applies in one document: `(schema pointer, instance pointer)`.
struct Applies {
    pairs: HashSet<(String, String)>,
    /// Schema pointer → instance pointers, first seen first.
    sites: HashMap<String, Vec<String>>,
}

fn apply(
    off: &mut Official,
    sp: &str,
    base: &str,
    inst: &Value,
    ip: &str,
    out: &mut Applies,
    depth: usize,
) {
    if depth > 200 || !out.pairs.insert((sp.to_string(), ip.to_string())) {
        return;
    }
    let Some(Value::Object(m)) = get(&off.root, sp).cloned() else {
        return;
    };
    let base = match id_of(&m, off.draft) {
        Some(id) => resolve_uri(
            if base.is_empty() {
                "urn:hnp:root"
            } else {
                base
            },
            id,
        )
        .trim_end_matches('#')
        .to_string(),
        None => base.to_string(),
    };
    let sites = out.sites.entry(sp.to_string()).or_default();
    if sites.len() < SITES_PER_SCHEMA {
        sites.push(ip.to_string());
    }
    if let Some(Value::String(r)) = m.get("$ref") {
        if let Some((tp, tb)) = off.resolve_ref(&base, r) {
            apply(off, &tp, &tb, inst, ip, out, depth + 1);
        }
        if off.draft != jsonschema::Draft::Draft202012 {
            return;
        }
    }
    if let Some(Value::Array(all)) = m.get("allOf") {
        for i in 0..all.len() {
            apply(
                off,
                &format!("{sp}/allOf/{i}"),
                &base,
                inst,
                ip,
                out,
                depth + 1,
            );
        }
    }
    for kw in ["anyOf", "oneOf"] {
        if let Some(Value::Array(bs)) = m.get(kw) {
            for i in 0..bs.len() {
                let bp = format!("{sp}/{kw}/{i}");
                if off.branch_valid(&bp, inst) {
                    apply(off, &bp, &base, inst, ip, out, depth + 1);
                }
            }
        }
    }
    if m.contains_key("if") {
        let ifp = format!("{sp}/if");
        if off.branch_valid(&ifp, inst) {
            apply(off, &ifp, &base, inst, ip, out, depth + 1);
            if m.contains_key("then") {
                apply(off, &format!("{sp}/then"), &base, inst, ip, out, depth + 1);
            }
        } else if m.contains_key("else") {
            apply(off, &format!("{sp}/else"), &base, inst, ip, out, depth + 1);
        }
    }
    match inst {
        Value::Object(obj) => {
            let props = m.get("properties").and_then(Value::as_object);
            let pats: Vec<String> = m
                .get("patternProperties")
                .and_then(Value::as_object)
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default();
            for (k, v) in obj {
                let kp = format!("{ip}/{}", esc(k));
                let mut matched = false;
                if props.is_some_and(|p| p.contains_key(k)) {
                    matched = true;
                    apply(
                        off,
                        &format!("{sp}/properties/{}", esc(k)),
                        &base,
                        v,
                        &kp,
                        out,
                        depth + 1,
                    );
                }
                for pat in &pats {
                    if off.matches(pat, k) {
                        matched = true;
                        apply(
                            off,
                            &format!("{sp}/patternProperties/{}", esc(pat)),
                            &base,
                            v,
                            &kp,
                            out,
                            depth + 1,
                        );
                    }
                }
                if !matched && m.get("additionalProperties").is_some_and(Value::is_object) {
                    apply(
                        off,
                        &format!("{sp}/additionalProperties"),
                        &base,
                        v,
                        &kp,
                        out,
                        depth + 1,
                    );
                }
                for kw in ["dependencies", "dependentSchemas"] {
                    if m.get(kw)
                        .and_then(|d| d.get(k))
                        .is_some_and(Value::is_object)
                    {
                        apply(
                            off,
                            &format!("{sp}/{kw}/{}", esc(k)),
                            &base,
                            inst,
                            ip,
                            out,
                            depth + 1,
                        );
                    }
                }
            }
            if m.get("propertyNames").is_some_and(Value::is_object) {
                for k in obj.keys() {
                    apply(
                        off,
                        &format!("{sp}/propertyNames"),
                        &base,
                        &Value::String(k.clone()),
                        &format!("{ip}/{}{KEY_SITE}", esc(k)),
                        out,
                        depth + 1,
                    );
                }
            }
        }
        Value::Array(items) => {
            let prefix = m
                .get("prefixItems")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            for (i, v) in items.iter().enumerate() {
                let ipi = format!("{ip}/{i}");
                match m.get("items") {
                    Some(Value::Object(_)) if i >= prefix => {
                        apply(off, &format!("{sp}/items"), &base, v, &ipi, out, depth + 1)
                    }
                    Some(Value::Array(list)) if i < list.len() => apply(
                        off,
                        &format!("{sp}/items/{i}"),
                        &base,
                        v,
                        &ipi,
                        out,
                        depth + 1,
                    ),
                    _ => {}
                }
                if i < prefix {
                    apply(
                        off,
                        &format!("{sp}/prefixItems/{i}"),
                        &base,
                        v,
                        &ipi,
                        out,
                        depth + 1,
                    );
                }
            }
        }
        _ => {}
    }
}

/// Errors left after following each failed union into the branch the original matched.
fn leaves<'e>(
    off: &Official,
    e: &'e ValidationError<'static>,
    pairs: &HashSet<(String, String)>,
    target: &str,
    out: &mut Vec<(&'e ValidationError<'static>, String)>,
) {
    let loc = off.error_location(e);
    if loc == target {
        out.push((e, loc));
        return;
    }
    let context = match e.kind() {
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            context
        }
        // `propertyNames` wraps the error of the key (its keyword location inside).
        ValidationErrorKind::PropertyNames { error } => {
            leaves(off, error, pairs, target, out);
            return;
        }
        _ => {
            out.push((e, loc));
            return;
        }
    };
    let ip = e.instance_path().as_str().to_string();
    let matched: Vec<usize> = (0..context.len())
        .filter(|i| pairs.contains(&(format!("{loc}/{i}"), ip.clone())))
        .collect();
    let pick = if matched.len() == 1 {
        matched[0]
    } else {
        match (0..context.len()).min_by_key(|&i| context[i].len()) {
            Some(i) => i,
            None => {
                out.push((e, loc));
                return;
            }
        }
    };
    for sub in &context[pick] {
        leaves(off, sub, pairs, target, out);
    }
}

struct Doc {
    path: PathBuf,
    value: Value,
    applies: Applies,
}

/// Suffix of an instance pointer that names a property's key rather than its value
/// (where `propertyNames` applies).
const KEY_SITE: &str = "\u{1}key";

/// Mutations of the key at `site` (`object pointer/key`): the key renamed to values
/// that break `format`, `pattern` or `enum`/`const`, its value and place kept.
fn key_candidates(c: &Constraint, doc: &Value, site: &str) -> Vec<Value> {
    let Some((parent, key)) = site.rsplit_once('/') else {
        return Vec::new();
    };
    let key = unesc(key);
    let names: &[&str] = match c.keyword {
        "format" => &["::not valid::", "a b", "[", "{", "%zz", "^[a-z"],
        "pattern" => &["hnp not matching !", "", "1", "{", "$"],
        "enum" | "const" => &["hnp-not-allowed"],
        _ => &[],
    };
    let mut out = Vec::new();
    for name in names {
        let mut d = doc.clone();
        if let Some(Value::Object(o)) = get_mut(&mut d, parent) {
            if o.contains_key(*name) {
                continue;
            }
            let renamed: Map<String, Value> = std::mem::take(o)
                .into_iter()
                .map(|(k, v)| {
                    if k == key {
                        (name.to_string(), v)
                    } else {
                        (k, v)
                    }
                })
                .collect();
            *o = renamed;
            out.push(d);
        }
    }
    out
}

/// Candidate mutations of the value at `ip` for constraint `c`.
fn candidates(off: &Official, c: &Constraint, doc: &Value, ip: &str) -> Vec<Value> {
    if let Some(site) = ip.strip_suffix(KEY_SITE) {
        return key_candidates(c, doc, site);
    }
    let Some(v) = get(doc, ip) else {
        return Vec::new();
    };
    let mut out: Vec<Value> = Vec::new();
    let with = |f: &dyn Fn(&mut Value)| {
        let mut d = doc.clone();
        if let Some(t) = get_mut(&mut d, ip) {
            f(t);
        }
        d
    };
    let replace = |new: Value| with(&|t: &mut Value| *t = new.clone());
    let scalars = || {
        vec![
            json!("hnp-mutant: not allowed"),
            json!(987654321),
            json!(true),
            json!([]),
            json!({}),
            Value::Null,
        ]
    };
    match c.keyword {
        "required" => {
            let key = c.detail.clone().unwrap_or_default();
            if v.get(&key).is_some() {
                out.push(with(&|t: &mut Value| {
                    if let Some(o) = t.as_object_mut() {
                        o.remove(&key);
                    }
                }));
            }
        }
        "additionalProperties" | "unevaluatedProperties" if v.is_object() => {
            out.push(with(&|t: &mut Value| {
                if let Some(o) = t.as_object_mut() {
                    o.insert("hnpUnexpected".into(), json!("x"));
                }
            }));
        }
        "patternProperties" => {
            // Handled by the caller per key (see `site_candidates`).
        }
        "enum" | "const" => {
            let mut vals = vec![json!("hnp-not-allowed")];
            if let Some(s) = v.as_str() {
                vals.push(json!(format!("{s}-hnp")));
            }
            vals.extend(scalars());
            for x in vals {
                out.push(replace(x));
            }
        }
        "pattern" if v.is_string() => {
            for s in ["hnp not matching !", "", "1", "a", "{", "-", "x-", "$"] {
                out.push(replace(json!(s)));
            }
        }
        "format" if v.is_string() => {
            for s in [
                "::not valid::",
                "not an address",
                "[",
                "http://[bad",
                "%zz",
                "a b",
            ] {
                out.push(replace(json!(s)));
            }
        }
        "minItems" => {
            let n = get(&off.root, &c.keyword_location())
                .and_then(Value::as_u64)
                .unwrap_or(1) as usize;
            if let Some(a) = v.as_array() {
                let cut: Vec<Value> = a.iter().take(n.saturating_sub(1)).cloned().collect();
                out.push(replace(Value::Array(cut)));
            }
        }
        "uniqueItems" => {
            if let Some(a) = v.as_array().filter(|a| !a.is_empty()) {
                let mut b = a.clone();
                b.push(a[0].clone());
                out.push(replace(Value::Array(b)));
            }
        }
        "minProperties" => {
            let n = get(&off.root, &c.keyword_location())
                .and_then(Value::as_u64)
                .unwrap_or(1) as usize;
            if let Some(o) = v.as_object() {
                let cut: Map<String, Value> = o
                    .iter()
                    .take(n.saturating_sub(1))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                out.push(replace(Value::Object(cut)));
            }
        }
        "oneOf" | "anyOf" | "not" | "if" | "dependencies" | "dependentSchemas"
        | "dependentRequired" => {
            if c.keyword == "dependencies" || c.keyword == "dependentRequired" {
                // {a: [b, ...]}: keep a (add it if absent), drop one of the others.
                let dep = get(&off.root, &c.keyword_location())
                    .and_then(|d| d.get(c.detail.as_deref().unwrap_or("")))
                    .cloned();
                if let (Some(Value::Array(needs)), Some(o)) = (dep, v.as_object()) {
                    for n in needs.iter().filter_map(Value::as_str) {
                        if o.contains_key(n) {
                            let a = c.detail.clone().unwrap_or_default();
                            let n = n.to_string();
                            out.push(with(&|t: &mut Value| {
                                if let Some(o) = t.as_object_mut() {
                                    o.remove(&n);
                                    o.entry(a.clone()).or_insert(json!("x"));
                                }
                            }));
                        }
                    }
                }
            }
            if c.keyword == "not" {
                // Satisfy the negated schema: add what it requires, set what it enumerates.
                let neg = get(&off.root, &c.keyword_location())
                    .cloned()
                    .unwrap_or(Value::Null);
                if let Some(o) = v.as_object() {
                    let mut o2 = o.clone();
                    for r in neg
                        .get("required")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                    {
                        o2.entry(r.to_string())
                            .or_insert(json!("https://example.com/hnp"));
                    }
                    if let Some(Value::Object(props)) = neg.get("properties") {
                        for (k, s) in props {
                            if let Some(x) = s.get("enum").and_then(|e| e.get(0)) {
                                o2.insert(k.clone(), x.clone());
                            }
                        }
                    }
                    out.push(replace(Value::Object(o2)));
                }
            }
            if let Some(o) = v.as_object() {
                let mut o2 = o.clone();
                o2.insert("$ref".into(), json!("#/components/schemas/hnp"));
                out.push(replace(Value::Object(o2)));
                for k in o.keys() {
                    let k2 = k.clone();
                    out.push(with(&|t: &mut Value| {
                        if let Some(o) = t.as_object_mut() {
                            o.remove(&k2);
                        }
                    }));
                }
                for k in o.keys() {
                    for x in [json!(987654321), json!("hnp-mutant")] {
                        let k2 = k.clone();
                        out.push(with(&|t: &mut Value| {
                            if let Some(o) = t.as_object_mut() {
                                o.insert(k2.clone(), x.clone());
                            }
                        }));
                    }
                }
            }
            for x in scalars() {
                out.push(replace(x));
            }
        }
        _ => {}
    }
    out
}

/// Mutations for a `patternProperties` entry: a matching key's value replaced.
fn pattern_candidates(
    off: &mut Official,
    c: &Constraint,
    doc: &Value,
    ip: &str,
) -> Vec<(Value, String)> {
    let pat = c.detail.clone().unwrap_or_default();
    let Some(Value::Object(o)) = get(doc, ip) else {
        return Vec::new();
    };
    let keys: Vec<String> = o.keys().cloned().collect();
    let mut out = Vec::new();
    for k in keys.iter().filter(|k| off.matches(&pat, k)).take(2) {
        for x in [
            json!(987654321),
            json!("hnp-mutant"),
            json!(true),
            json!([]),
            json!({}),
            json!({"hnpUnexpected": 1}),
        ] {
            let mut d = doc.clone();
            if let Some(Value::Object(t)) = get_mut(&mut d, ip) {
                t.insert(k.clone(), x);
            }
            out.push((d, format!("{ip}/{}", esc(k))));
        }
    }
    out
}

#[derive(Default, Clone, Copy)]
struct Tally {
    /// Keywords inside an `if` or a `not`: conditions, not counted as constraints.
    conditions: usize,
    enumerated: usize,
    reached: usize,
    mutable: usize,
    caught: usize,
    /// Missed, with a reason in [`EXCUSED`].
    excused: usize,
    /// Without an exact mutant, with one that also breaks another constraint.
    inexact: usize,
    /// Of those, caught at or inside an official error's location.
    inexact_caught: usize,
    /// Of those, missed with a reason in [`EXCUSED`].
    inexact_excused: usize,
}

#[derive(Debug)]
enum Outcome {
    Unreached,
    /// Reached, but no mutation violates exactly this constraint (the reason).
    NoExactMutant(&'static str),
    /// Reached, no exact mutant, but one that breaks this constraint and others: is it
    /// caught at or inside an official error's location?
    Inexact {
        caught: bool,
        doc: String,
        pointer: String,
        ours: Vec<String>,
    },
    Caught,
    Missed {
        doc: String,
        pointer: String,
        ours: Vec<String>,
    },
}

#[test]
fn constraint_coverage() {
    let Some(dir) = std::env::var_os("HNP_CORPUS") else {
        println!("skipping: HNP_CORPUS not set");
        return;
    };
    let started = Instant::now();
    let dir = PathBuf::from(dir);
    assert!(dir.is_dir(), "HNP_CORPUS={} is not a folder", dir.display());
    let rows = read_rows(&dir);
    let tmp = tempfile::tempdir().expect("tempdir");
    let list = std::env::var_os("HNP_COVERAGE_LIST").is_some();
    let mut table: BTreeMap<String, Tally> = BTreeMap::new();
    let mut missed_lines = Vec::new();
    let mut unexcused = Vec::new();
    // Our errors on officially valid synthesised documents, not explained by BEYOND_SCHEMA.
    let mut stricter: Vec<String> = Vec::new();
    let mut mutants = 0usize;
    // Every valid corpus document once: (path, its schema file, value, we call it clean).
    let mut paths: Vec<(u64, PathBuf)> = rows
        .iter()
        .filter(|r| r.expected == "valid" && r.schema_verdict == "valid")
        .filter(|r| r.external_refs.contains("local=0") && r.external_refs.contains("remote=0"))
        .map(|r| dir.join(&r.path))
        .filter_map(|p| Some((std::fs::metadata(&p).ok()?.len(), p)))
        .filter(|(n, _)| *n <= MAX_DOC_BYTES)
        .collect();
    paths.sort();
    let mut loaded: Vec<(PathBuf, String, Value, bool)> = Vec::new();
    for (_, path) in paths {
        let opts = LoadOptions {
            root: Some(dir.clone()),
            ..LoadOptions::default()
        };
        let Ok(ws) = Workspace::load(std::slice::from_ref(&path), &opts) else {
            continue;
        };
        let Some(&id) = ws.inputs.first() else {
            continue;
        };
        let file = ws.file(id);
        let Some(kind) = schema_file_of(&file.kind) else {
            continue;
        };
        let Some(value) = file.value.clone() else {
            continue;
        };
        let mut diags = ws.diagnostics.clone();
        diags.extend(hnp_events::validate::validate(&ws));
        let clean = !diags.iter().any(|d| d.severity == Severity::Error);
        loaded.push((path, kind, value, clean));
    }
    let mut seeds_used: BTreeMap<String, usize> = BTreeMap::new();
    let mut synth_lines: Vec<String> = Vec::new();
    let mut unreached_lines: Vec<String> = Vec::new();
    let mut inexact_lines: Vec<String> = Vec::new();
    for name in SCHEMAS {
        let mut off = Official::load(&dir, name);
        let (constraints, conditions) = enumerate(&off.root, off.draft);
        // The valid corpus documents of this version, smallest first, that we call clean;
        // then the synthetic seeds (see [`seeds`]).
        let mut docs: Vec<Doc> = Vec::new();
        let mut seeded = 0usize;
        for (path, kind, value, clean) in &loaded {
            if kind != name || !*clean || !off.validator.is_valid(value) {
                continue;
            }
            let mut applies = Applies {
                pairs: HashSet::new(),
                sites: HashMap::new(),
            };
            apply(&mut off, "", "", value, "", &mut applies, 0);
            docs.push(Doc {
                path: path.clone(),
                value: value.clone(),
                applies,
            });
        }
        for (path, value) in seeds(name, &loaded) {
            if seeded >= MAX_SEEDS || !off.validator.is_valid(&value) {
                continue;
            }
            let errors = ours_errors(&value, tmp.path());
            for (rule, ptr, msg) in &errors {
                if !beyond_schema(rule, msg) {
                    stricter.push(format!(
                        "{name}: {rule} at {ptr}: {msg} (seed {})",
                        path.display()
                    ));
                }
            }
            if !errors.is_empty() {
                continue;
            }
            seeded += 1;
            let mut applies = Applies {
                pairs: HashSet::new(),
                sites: HashMap::new(),
            };
            apply(&mut off, "", "", &value, "", &mut applies, 0);
            docs.push(Doc {
                path,
                value,
                applies,
            });
        }
        seeds_used.insert(name.to_string(), seeded);
        // Seeds synthesised from the schema itself for what is still unreached.
        let mut unreached: HashSet<String> = constraints
            .iter()
            .map(|c| c.at.clone())
            .filter(|at| !docs.iter().any(|d| d.applies.sites.contains_key(at)))
            .collect();
        let unreached_before = constraints
            .iter()
            .filter(|c| unreached.contains(&c.at))
            .count();
        let synth_started = Instant::now();
        let rep = synth::expand(&mut off, &mut docs, &mut unreached, tmp.path(), name);
        synth_lines.push(format!(
            "{name}: {} candidate documents, {} invalid for the official schema, {} rejected by our rules, {} kept; unreached constraints {unreached_before} -> {} ({:.1?})",
            rep.tried,
            rep.official_invalid,
            rep.ours_rejected.values().map(|r| r.0).sum::<usize>(),
            rep.kept,
            constraints.iter().filter(|c| unreached.contains(&c.at)).count(),
            synth_started.elapsed()
        ));
        for (rule, (n, example)) in &rep.ours_rejected {
            synth_lines.push(format!("    ours rejected {n} by {rule}, e.g. {example}"));
        }
        for line in &rep.stricter {
            stricter.push(format!("{name}: {line}"));
        }
        for (path, value) in late_seeds(name) {
            let official = off.validator.iter_errors(&value).next().map(|e| {
                format!(
                    "the official schema: {} at {}",
                    e,
                    e.instance_path().as_str()
                )
            });
            let ours = ours_clean_why(&value, tmp.path()).err().map(|(_, why)| why);
            if let Some(why) = official.or(ours) {
                synth_lines.push(format!(
                    "    hand-written seed {} dropped: {why}",
                    path.display()
                ));
                continue;
            }
            let mut applies = Applies {
                pairs: HashSet::new(),
                sites: HashMap::new(),
            };
            apply(&mut off, "", "", &value, "", &mut applies, 0);
            unreached.retain(|at| !applies.sites.contains_key(at));
            docs.push(Doc {
                path,
                value,
                applies,
            });
        }
        let mut root_reach = HashMap::new();
        let from_root = synth::reach(&off, "", &mut root_reach);
        let tally = table.entry(name.to_string()).or_default();
        tally.conditions = conditions;
        let mut classes: BTreeMap<String, usize> = BTreeMap::new();
        let mut inexact: BTreeMap<String, usize> = BTreeMap::new();
        for c in &constraints {
            tally.enumerated += 1;
            let outcome = judge(&mut off, c, &docs, tmp.path(), &dir, &mut mutants);
            if list {
                println!("{name} {} {outcome:?}", c.label());
            }
            match outcome {
                Outcome::Unreached => {
                    let class = unreached_class(&off, c, &from_root, &rep);
                    *classes.entry(class).or_default() += 1;
                }
                Outcome::NoExactMutant(why) => {
                    tally.reached += 1;
                    *inexact.entry(format!("{why} ({})", c.keyword)).or_default() += 1;
                }
                Outcome::Inexact {
                    caught,
                    doc,
                    pointer,
                    ours,
                } => {
                    tally.reached += 1;
                    tally.inexact += 1;
                    *inexact
                        .entry(format!(
                            "every mutation the official schema rejects also breaks another constraint; the first such mutant {} ({})",
                            if caught { "is caught" } else { "is MISSED" },
                            c.keyword
                        ))
                        .or_default() += 1;
                    if caught {
                        tally.inexact_caught += 1;
                    } else {
                        let (line, excused) = missed_line(
                            name,
                            c,
                            " (no exact mutant; one that also breaks another constraint)",
                            &doc,
                            &pointer,
                            &ours,
                        );
                        if excused {
                            tally.inexact_excused += 1;
                        } else {
                            unexcused.push(line.clone());
                        }
                        missed_lines.push(line);
                    }
                }
                Outcome::Caught => {
                    tally.reached += 1;
                    tally.mutable += 1;
                    tally.caught += 1;
                }
                Outcome::Missed { doc, pointer, ours } => {
                    tally.reached += 1;
                    tally.mutable += 1;
                    let (line, excused) = missed_line(name, c, "", &doc, &pointer, &ours);
                    if excused {
                        tally.excused += 1;
                    } else {
                        unexcused.push(line.clone());
                    }
                    missed_lines.push(line);
                }
            }
        }
        inexact_lines.push(format!(
            "{name}: {}",
            inexact
                .iter()
                .map(|(k, v)| format!("{v} {k}"))
                .collect::<Vec<_>>()
                .join("; ")
        ));
        unreached_lines.push(format!(
            "{name}: {}",
            classes
                .iter()
                .map(|(k, v)| format!("{v} {k}"))
                .collect::<Vec<_>>()
                .join("; ")
        ));
        drop(off);
    }
    println!("constraint coverage (official schema constraints, mutants caught by validate):");
    println!(
        "  {:<22} {:>10} {:>10} {:>8} {:>8} {:>7} {:>8} {:>7}",
        "schema", "conditions", "enumerated", "reached", "mutable", "caught", "excused", "%"
    );
    let mut total = Tally::default();
    for (name, t) in &table {
        println!(
            "  {:<22} {:>10} {:>10} {:>8} {:>8} {:>7} {:>8} {:>6.1}%",
            name,
            t.conditions,
            t.enumerated,
            t.reached,
            t.mutable,
            t.caught,
            t.excused,
            100.0 * t.caught as f64 / t.mutable.max(1) as f64
        );
        total.conditions += t.conditions;
        total.enumerated += t.enumerated;
        total.reached += t.reached;
        total.mutable += t.mutable;
        total.caught += t.caught;
        total.excused += t.excused;
        total.inexact += t.inexact;
        total.inexact_caught += t.inexact_caught;
        total.inexact_excused += t.inexact_excused;
    }
    println!(
        "  {:<22} {:>10} {:>10} {:>8} {:>8} {:>7} {:>8} {:>6.1}%",
        "total",
        total.conditions,
        total.enumerated,
        total.reached,
        total.mutable,
        total.caught,
        total.excused,
        100.0 * total.caught as f64 / total.mutable.max(1) as f64
    );
    println!(
        "constraints without an exact mutant but with a mutant the official schema rejects (breaking it and another constraint, or another only): {}, of which we catch {} and {} are excused ({})",
        total.inexact,
        total.inexact_caught,
        total.inexact_excused,
        table
            .iter()
            .map(|(n, t)| format!(
                "{n} {}+{}/{}",
                t.inexact_caught, t.inexact_excused, t.inexact
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "mutants validated by the official schema: {mutants}; {} missed constraint(s):\n  {}",
        missed_lines.len(),
        missed_lines.join("\n  ")
    );
    println!(
        "synthetic seeds per schema: {}",
        seeds_used
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "synthesised seeds (from the official schemas):\n  {}",
        synth_lines.join("\n  ")
    );
    println!(
        "unreached constraints, per schema and reason:\n  {}",
        unreached_lines.join("\n  ")
    );
    println!(
        "reached constraints without an exact mutant, per schema, reason and keyword:\n  {}",
        inexact_lines.join("\n  ")
    );
    println!("constraint coverage took {:.1?}", started.elapsed());
    for (name, t) in &table {
        assert!(
            (t.caught + t.excused) * 100 >= t.mutable * FLOOR_PERCENT,
            "{name}: {}/{} caught (and {} excused), below the floor of {FLOOR_PERCENT} %",
            t.caught,
            t.mutable,
            t.excused
        );
    }
    assert!(
        total.mutable >= MIN_MUTABLE,
        "only {} constraints yield an exact mutant, below the floor of {MIN_MUTABLE}",
        total.mutable
    );
    println!(
        "errors of ours on officially valid synthesised documents not explained by the \
         specification ({} kept of those rejected):\n  {}",
        stricter.len(),
        stricter.join("\n  ")
    );
    assert!(
        stricter.is_empty(),
        "{} error(s) of ours on documents the official schema accepts (a false alarm, or \
         a rule of the specification to add to BEYOND_SCHEMA with its reason):\n  {}",
        stricter.len(),
        stricter.join("\n  ")
    );
    assert!(
        unexcused.is_empty(),
        "{} constraint(s) of the official schemas we do not enforce (add a rule or an excuse \
         with its reason):\n  {}",
        unexcused.len(),
        unexcused.join("\n  ")
    );
}

/// The report line of a constraint we missed (`what` qualifies it), and whether
/// [`EXCUSED`] excuses it (its reason is then part of the line).
fn missed_line(
    name: &str,
    c: &Constraint,
    what: &str,
    doc: &str,
    pointer: &str,
    ours: &[String],
) -> (String, bool) {
    let label = format!("{name} {}", c.label());
    let excuse = EXCUSED
        .iter()
        .find(|(s, loc, _)| name.starts_with(s) && label.contains(loc));
    let line = format!(
        "{label}{what}\n      mutant of {doc} at {pointer}; ours: {}{}",
        if ours.is_empty() {
            "nothing".to_string()
        } else {
            ours.join("; ")
        },
        excuse
            .map(|e| format!("\n      excused: {}", e.2))
            .unwrap_or_default()
    );
    (line, excuse.is_some())
}

/// Why nothing reaches `c`: the class of reason, and where (the schema resource).
fn unreached_class(
    off: &Official,
    c: &Constraint,
    from_root: &HashSet<String>,
    rep: &synth::SynthReport,
) -> String {
    let resource = off.base_at(&c.at);
    let resource = resource
        .rsplit_once("/definitions/")
        .map(|(_, r)| r.to_string())
        .or_else(|| {
            resource
                .find("/bindings/")
                .map(|i| resource[i + 1..].to_string())
        })
        .unwrap_or(resource);
    let why = if !from_root.contains(&c.at) {
        "not referenced from the document root"
    } else if rep.reached_by_rejected.contains(&c.at) {
        "reached only by documents our rules reject"
    } else {
        "no synthesised instance reaches it"
    };
    format!("{why} ({resource})")
}

/// Find an exact mutant for `c` and see whether we catch it.
fn judge(
    off: &mut Official,
    c: &Constraint,
    docs: &[Doc],
    tmp: &Path,
    corpus: &Path,
    mutants: &mut usize,
) -> Outcome {
    let target = c.keyword_location();
    let mut reached = false;
    let (mut any_candidate, mut any_invalid) = (false, false);
    // The first mutant that breaks this constraint together with another one.
    let mut inexact: Option<(PathBuf, Value, Vec<String>)> = None;
    // Else the first mutant the official schema rejects at all.
    let mut first_invalid: Option<(PathBuf, Value, Vec<String>)> = None;
    for doc in docs {
        let Some(sites) = doc.applies.sites.get(&c.at) else {
            continue;
        };
        reached = true;
        for ip in sites {
            let cands: Vec<Value> = if c.keyword == "patternProperties" {
                pattern_candidates(off, c, &doc.value, ip)
                    .into_iter()
                    .map(|(d, _)| d)
                    .collect()
            } else {
                candidates(off, c, &doc.value, ip)
            };
            for m in cands {
                *mutants += 1;
                any_candidate = true;
                let validator = if c.keyword == "format" {
                    &off.validator_formats
                } else {
                    &off.validator
                };
                let errors: Vec<ValidationError<'static>> =
                    validator.iter_errors(&m).map(|e| e.to_owned()).collect();
                if errors.is_empty() {
                    continue;
                }
                any_invalid = true;
                if first_invalid.is_none() {
                    let official: Vec<String> = errors
                        .iter()
                        .map(|e| e.instance_path().as_str().to_string())
                        .collect();
                    first_invalid = Some((doc.path.clone(), m.clone(), official));
                }
                let mut ls = Vec::new();
                for e in &errors {
                    leaves(off, e, &doc.applies.pairs, &target, &mut ls);
                }
                let hit = |(e, loc): &(&ValidationError<'static>, String)| match c.keyword {
                    "patternProperties" => {
                        let inside = format!("{ip}/");
                        e.instance_path().as_str().starts_with(&inside)
                    }
                    "if" => {
                        loc.starts_with(&format!("{}/then", c.at))
                            || loc.starts_with(&format!("{}/else", c.at))
                            || e.evaluation_path().as_str().contains("/then")
                            || e.evaluation_path().as_str().contains("/else")
                    }
                    "required" => {
                        *loc == target
                            && matches!(e.kind(), ValidationErrorKind::Required { property }
                                if property.as_str() == c.detail.as_deref())
                    }
                    "dependencies" | "dependentSchemas" | "dependentRequired" => {
                        loc.starts_with(&target)
                    }
                    _ => *loc == target,
                };
                let exact = ls.iter().all(hit);
                if !exact {
                    if inexact.is_none() && ls.iter().any(hit) {
                        // It breaks this constraint and another: kept to check that we
                        // at least call the document invalid, where the official schema does.
                        let official: Vec<String> = errors
                            .iter()
                            .map(|e| e.instance_path().as_str().to_string())
                            .collect();
                        inexact = Some((doc.path.clone(), m, official));
                    }
                    continue;
                }
                // An exact mutant: does validate catch it, at or inside the official error?
                let official: Vec<String> = errors
                    .iter()
                    .map(|e| e.instance_path().as_str().to_string())
                    .collect();
                let (caught, ours) = ours_catch(&doc.path, &m, &official, tmp, corpus);
                let rel = doc
                    .path
                    .strip_prefix(corpus)
                    .unwrap_or(&doc.path)
                    .display()
                    .to_string();
                return if caught {
                    Outcome::Caught
                } else {
                    if let Some(dump) = std::env::var_os("HNP_COVERAGE_DUMP") {
                        let file = PathBuf::from(dump).join(format!(
                            "{}.json",
                            c.label().replace(['/', ' ', '[', ']', '~', '\\'], "_")
                        ));
                        let _ = std::fs::write(
                            file,
                            serde_json::to_string_pretty(&m).unwrap_or_default(),
                        );
                    }
                    Outcome::Missed {
                        doc: rel,
                        pointer: official.join(", "),
                        ours,
                    }
                };
            }
        }
    }
    if let Some((path, m, official)) = inexact.or(first_invalid) {
        let (caught, ours) = ours_catch(&path, &m, &official, tmp, corpus);
        return Outcome::Inexact {
            caught,
            doc: path
                .strip_prefix(corpus)
                .unwrap_or(&path)
                .display()
                .to_string(),
            pointer: official.join(", "),
            ours,
        };
    }
    if reached {
        Outcome::NoExactMutant(if !any_candidate {
            "the mutator has no mutation of this keyword for the values reached"
        } else if !any_invalid {
            "the official schema accepts every mutation (another branch or keyword admits it)"
        } else {
            "every mutation the official schema rejects also breaks another constraint"
        })
    } else {
        Outcome::Unreached
    }
}

fn ours_catch(
    original: &Path,
    mutant: &Value,
    official: &[String],
    tmp: &Path,
    _corpus: &Path,
) -> (bool, Vec<String>) {
    let name = original
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "doc".into());
    let path = tmp.join(format!("{name}.json"));
    let text = serde_json::to_string_pretty(mutant).expect("json");
    std::fs::write(&path, text).expect("write mutant");
    let opts = LoadOptions {
        root: Some(tmp.to_path_buf()),
        ..LoadOptions::default()
    };
    let Ok(ws) = Workspace::load(std::slice::from_ref(&path), &opts) else {
        return (true, vec!["load error".into()]);
    };
    let mut diags = ws.diagnostics.clone();
    diags.extend(hnp_events::validate::validate(&ws));
    let errors: Vec<_> = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    let inside = |outer: &str, inner: &str| {
        inner == outer
            || (inner.starts_with(outer) && inner.as_bytes().get(outer.len()) == Some(&b'/'))
    };
    let caught = errors.iter().any(|d| {
        d.location
            .pointer
            .as_deref()
            .is_some_and(|p| official.iter().any(|o| inside(o, p)))
    });
    let ours = errors
        .iter()
        .take(3)
        .map(|d| {
            format!(
                "{} {}",
                d.location.pointer.as_deref().unwrap_or("-"),
                d.rule
            )
        })
        .collect();
    (caught, ours)
}

/// Synthetic seeds per schema file, at most this many.
const MAX_SEEDS: usize = 60;

/// The version string a document of `schema` declares.
fn version_of(schema: &str) -> Option<(&'static str, &'static str)> {
    Some(match schema {
        "asyncapi-2.0.0.json" => ("asyncapi", "2.0.0"),
        "asyncapi-2.1.0.json" => ("asyncapi", "2.1.0"),
        "asyncapi-2.2.0.json" => ("asyncapi", "2.2.0"),
        "asyncapi-2.3.0.json" => ("asyncapi", "2.3.0"),
        "asyncapi-2.4.0.json" => ("asyncapi", "2.4.0"),
        "asyncapi-2.5.0.json" => ("asyncapi", "2.5.0"),
        "asyncapi-2.6.0.json" => ("asyncapi", "2.6.0"),
        "asyncapi-3.0.0.json" => ("asyncapi", "3.0.0"),
        "asyncapi-3.1.0.json" => ("asyncapi", "3.1.0"),
        "openapi-3.0.json" => ("openapi", "3.0.3"),
        "openapi-3.1.json" => ("openapi", "3.1.0"),
        _ => return None,
    })
}

/// Documents that reach constraints no corpus document of this version reaches:
/// valid corpus documents of a sibling version (same major) relabelled to this one,
/// and for AsyncAPI 3 a document with a binding of every field-checked protocol
/// (Kafka 0.3.0–0.5.0, MQTT, NATS). Each is kept only when the official schema and
/// our rules both call it valid.
fn seeds(schema: &str, loaded: &[(PathBuf, String, Value, bool)]) -> Vec<(PathBuf, Value)> {
    let Some((field, version)) = version_of(schema) else {
        return Vec::new();
    };
    let major = &version[..1];
    let mut out = Vec::new();
    if field == "asyncapi" && major == "3" {
        let mut b = bindings_seed();
        b["asyncapi"] = json!(version);
        out.push((PathBuf::from(format!("seed/{schema}/bindings.json")), b));
    }
    for (path, kind, value, clean) in loaded {
        let Some((_, v)) = version_of(kind) else {
            continue;
        };
        if kind == schema || !clean || !v.starts_with(major) {
            continue;
        }
        let mut m = value.clone();
        m[field] = json!(version);
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push((PathBuf::from(format!("seed/{schema}/from-{v}-{file}")), m));
    }
    out
}

/// Hand-written seeds added after the synthesiser's (so that they change nothing it
/// does): an AsyncAPI document per version with payloads in the other schema formats
/// and a security scheme of every type, and for 3.x one with every binding version.
fn late_seeds(schema: &str) -> Vec<(PathBuf, Value)> {
    let seed = |name: &str, v: Value| (PathBuf::from(format!("seed/{schema}/{name}.json")), v);
    match version_of(schema) {
        Some(("openapi", v)) if v.starts_with("3.1") => {
            return vec![seed("every-object", openapi31_seed())];
        }
        None if schema == "swagger-2.0.json" => {
            return vec![seed("references", swagger_references_seed())];
        }
        _ => {}
    }
    let Some(("asyncapi", version)) = version_of(schema) else {
        return Vec::new();
    };
    let mut out = vec![
        seed("payload-formats", payload_formats_seed(version)),
        seed("security-schemes", security_seed(version)),
        seed("traits-and-references", traits_seed(version)),
    ];
    if version.starts_with('3') {
        out.push((
            PathBuf::from(format!("seed/{schema}/binding-versions.json")),
            binding_versions_seed(version),
        ));
    }
    out
}

/// Rules of ours that may reject a document the official schema accepts, each with the
/// part of the specification no JSON Schema can state (rule, a substring of the message
/// or "" for any, the reason). Any other error of ours on an officially valid
/// synthesised document is a false alarm: the test fails and lists it.
const BEYOND_SCHEMA: &[(&str, &str, &str)] = &[
    (
        "ref-unresolved",
        "",
        "a `$ref` must resolve; the official schema does not follow references",
    ),
    (
        "asyncapi-channel-parameter-unused",
        "",
        "a channel parameter names an expression of the channel address (specification; the schema cannot relate a key to a string)",
    ),
    (
        "asyncapi-duplicate-operation-id",
        "",
        "operationIds are unique in the document (specification)",
    ),
    (
        "openapi-duplicate-operation-id",
        "",
        "operationIds are unique in the document (specification)",
    ),
    (
        "asyncapi-duplicate-message-id",
        "",
        "messageIds are unique in the document (specification 2.4.0+)",
    ),
    (
        "asyncapi-operation-message-not-in-channel",
        "",
        "an operation's messages are a subset of its channel's (specification 3.0)",
    ),
    (
        "asyncapi-server-undefined",
        "",
        "a channel's `servers` name servers of the document (specification)",
    ),
    (
        "asyncapi-security-undefined",
        "",
        "a security requirement names a scheme of `components/securitySchemes` (specification)",
    ),
    (
        "openapi-security-undefined",
        "",
        "a security requirement names a scheme of `components/securitySchemes` (specification)",
    ),
    (
        "schema-example-invalid",
        "",
        "an example must be valid under its own schema (AsyncAPI parser, Spectral); the official schema cannot apply a schema written in the document",
    ),
    (
        "asyncapi-required",
        "a message example must have",
        "a Message Example Object MUST contain `headers` and/or `payload` (specification 2.1.0+; the 2.2.0–2.5.0 schemas of message traits do not say it)",
    ),
    (
        "asyncapi-required",
        "an Avro schema object needs its `type`",
        "an Avro schema written as an object has a `type` (Avro 1.9 specification; 2.0, 2.1 and 2.6 schemas do not check Avro payloads)",
    ),
];

/// Whether our error `(rule, message)` on an officially valid document is one of the
/// [`BEYOND_SCHEMA`] rules.
fn beyond_schema(rule: &str, message: &str) -> bool {
    BEYOND_SCHEMA
        .iter()
        .any(|(r, m, _)| *r == rule && message.contains(m))
}

/// Our errors on `doc`: `(rule, pointer, message)`.
fn ours_errors(doc: &Value, tmp: &Path) -> Vec<(String, String, String)> {
    let path = tmp.join("seed.json");
    let text = serde_json::to_string_pretty(doc).expect("json");
    std::fs::write(&path, text).expect("write seed");
    let opts = LoadOptions {
        root: Some(tmp.to_path_buf()),
        ..LoadOptions::default()
    };
    let ws = match Workspace::load(std::slice::from_ref(&path), &opts) {
        Ok(ws) => ws,
        Err(e) => return vec![("load".into(), String::new(), format!("load: {e}"))],
    };
    let mut diags = ws.diagnostics.clone();
    diags.extend(hnp_events::validate::validate(&ws));
    diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            (
                d.rule.to_string(),
                d.location.pointer.clone().unwrap_or_default(),
                d.message.clone(),
            )
        })
        .collect()
}

/// `Err((rule, "rule at pointer: message"))` of our first error on `doc`.
fn ours_clean_why(doc: &Value, tmp: &Path) -> Result<(), (String, String)> {
    match ours_errors(doc, tmp).into_iter().next() {
        None => Ok(()),
        Some((rule, ptr, msg)) => Err((rule.clone(), format!("{rule} at {ptr}: {msg}"))),
    }
}

/// An AsyncAPI document of `version` whose component messages carry payloads in the
/// other schema formats the official schema checks: an OpenAPI 3.0 Schema Object (every
/// keyword of the dialect: `nullable`, `discriminator`, `xml`, `externalDocs`,
/// `readOnly`/`writeOnly`, `exclusiveMaximum` as a boolean, …) and, in 2.2.0–2.5.0, an
/// Avro 1.9 record (enum, array, map, fixed, union and logical types). 2.x names the
/// format on the message (`schemaFormat` + `payload`), 3.x in a Multi Format Schema
/// Object. (2.6 and 3.x get no Avro payload here: the synthesiser's smaller Avro seeds
/// reach them and give exact mutants of more constraints than this record does.)
fn payload_formats_seed(version: &str) -> Value {
    let oas = json!({"title": "Order", "description": "An order", "type": "object", "required": ["a"], "minProperties": 1, "maxProperties": 20, "nullable": false, "readOnly": false, "writeOnly": false, "deprecated": false, "discriminator": {"propertyName": "kind"}, "xml": {"name": "order", "namespace": "https://example.com/ns", "prefix": "o", "attribute": false, "wrapped": false}, "externalDocs": {"description": "docs", "url": "https://example.com/docs"}, "example": {"a": "xy", "kind": "k"}, "properties": {"a": {"type": "string", "minLength": 1, "maxLength": 5, "pattern": "^x", "enum": ["xy"], "default": "xy"}, "e": {"type": "string", "format": "email"}, "n": {"type": "number", "multipleOf": 2, "maximum": 10, "exclusiveMaximum": false, "minimum": 0, "exclusiveMinimum": false}, "l": {"type": "array", "items": {"type": "string"}, "minItems": 0, "maxItems": 3, "uniqueItems": true}, "o": {"oneOf": [{"type": "string"}, {"type": "integer"}]}, "p": {"anyOf": [{"type": "string"}], "allOf": [{"type": "string"}], "not": {"type": "integer"}}, "m": {"type": "object", "additionalProperties": {"type": "string"}}, "b": {"type": "object", "additionalProperties": true}, "kind": {"type": "string"}, "r": {"$ref": "#/components/schemas/Item"}}, "x-origin": "seed"});
    let avro = json!({"type": "record", "name": "Order", "namespace": "com.example", "doc": "An order", "aliases": ["Purchase"], "fields": [{"name": "id", "type": "string", "doc": "id", "default": "x", "order": "ascending", "aliases": ["key"]}, {"name": "state", "type": {"type": "enum", "name": "State", "symbols": ["OPEN", "DONE"], "default": "OPEN"}}, {"name": "lines", "type": {"type": "array", "items": "int"}, "default": []}, {"name": "attrs", "type": {"type": "map", "values": "long"}}, {"name": "digest", "type": {"type": "fixed", "name": "Digest", "size": 16}}, {"name": "note", "type": ["null", "string"], "default": null}, {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 4, "scale": 2}}, {"name": "previous", "type": "State", "default": "OPEN"}]});
    if version.starts_with('2') {
        let mut msgs = json!({"oas": {"schemaFormat": "application/vnd.oai.openapi;version=3.0.0", "payload": oas}});
        if matches!(version, "2.2.0" | "2.3.0" | "2.4.0" | "2.5.0") {
            msgs["avro"] = json!({"schemaFormat": "application/vnd.apache.avro;version=1.9.0", "payload": avro});
        }
        return json!({
            "asyncapi": version,
            "info": {"title": "Payload formats", "version": "1.0.0"},
            "channels": {},
            "components": {"messages": msgs, "schemas": {"Item": {"type": "string"}}}
        });
    }
    json!({
        "asyncapi": version,
        "info": {"title": "Payload formats", "version": "1.0.0"},
        "components": {"messages": {
            "oas": {"payload": {"schemaFormat": "application/vnd.oai.openapi;version=3.0.0", "schema": oas}}
        }, "schemas": {"Item": {"type": "string"}}}
    })
}

/// An AsyncAPI document of `version` whose message uses traits, inline and by
/// reference, a trait with every field that may be a Reference written both ways, a
/// channel that names its servers, and a message example with headers only.
fn traits_seed(version: &str) -> Value {
    if version.starts_with('2') {
        let mut trait_ = json!({"headers": {"type": "object"}, "correlationId": {"location": "$message.header#/id"}, "tags": [{"name": "a"}, {"name": "b"}], "externalDocs": {"url": "https://example.com/docs"}, "bindings": {}, "examples": [{"headers": {"id": "1"}}]});
        if version == "2.0.0" {
            // 2.0.0: a trait's examples are any objects.
            trait_["examples"] = json!([{"id": "1"}]);
        }
        let mut doc = json!({
            "asyncapi": version,
            "info": {"title": "Traits", "version": "1.0.0"},
            "servers": {"prod": {"url": "broker.example.com", "protocol": "kafka"}, "test": {"url": "test.example.com", "protocol": "kafka"}},
            "channels": {"orders": {"publish": {"message": {
                "payload": {"type": "object"},
                "traits": [{"$ref": "#/components/messageTraits/Common"}, {"contentType": "application/json"}]
            }}}},
            "components": {"messageTraits": {"Common": trait_}}
        });
        if version != "2.0.0" && version != "2.1.0" {
            doc["channels"]["orders"]["servers"] = json!(["prod", "test"]);
        }
        return doc;
    }
    json!({
        "asyncapi": version,
        "info": {"title": "Traits", "version": "1.0.0"},
        "servers": {"prod": {"host": "broker.example.com", "protocol": "kafka"}},
        "channels": {"orders": {"address": "orders", "servers": [{"$ref": "#/servers/prod"}], "messages": {"placed": {"$ref": "#/components/messages/Placed"}}}},
        "operations": {"placeOrder": {"action": "send", "channel": {"$ref": "#/channels/orders"}, "messages": [{"$ref": "#/channels/orders/messages/placed"}]}},
        "components": {
            "messages": {"Placed": {
                "payload": {"type": "object"},
                "examples": [{"headers": {"id": "1"}}],
                "traits": [{"$ref": "#/components/messageTraits/ByRef"}, {"$ref": "#/components/messageTraits/Inline"}]
            }},
            "messageTraits": {
                "ByRef": {
                    "correlationId": {"$ref": "#/components/correlationIds/Id"},
                    "externalDocs": {"$ref": "#/components/externalDocs/Docs"},
                    "tags": [{"$ref": "#/components/tags/A"}, {"name": "b"}],
                    "bindings": {"$ref": "#/components/messageBindings/Kafka"}
                },
                "Inline": {
                    "correlationId": {"location": "$message.header#/id"},
                    "externalDocs": {"url": "https://example.com/docs"},
                    "tags": [{"name": "c"}],
                    "bindings": {"kafka": {"key": {"type": "string"}}}
                }
            },
            "correlationIds": {"Id": {"location": "$message.header#/id"}},
            "externalDocs": {"Docs": {"url": "https://example.com/docs"}},
            "tags": {"A": {"name": "a"}},
            "messageBindings": {"Kafka": {"kafka": {"key": {"type": "string"}}}, "KafkaRef": {"kafka": {"key": {"$ref": "#/components/schemas/Key"}, "bindingVersion": "0.4.0"}}},
            "schemas": {"Key": {"type": "string"}}
        }
    })
}

/// A Swagger 2.0 document whose parameters and responses are JSON References.
fn swagger_references_seed() -> Value {
    json!({
        "swagger": "2.0",
        "info": {"title": "References", "version": "1.0.0"},
        "paths": {"/items": {"get": {
            "parameters": [{"$ref": "#/parameters/limit"}],
            "responses": {"200": {"description": "ok"}, "404": {"$ref": "#/responses/NotFound"}}
        }}},
        "parameters": {"limit": {"name": "limit", "in": "query", "type": "integer"}},
        "responses": {"NotFound": {"description": "not found"}}
    })
}

/// An OpenAPI 3.1 document with an object of every kind the schema checks in its own
/// branch: a license `identifier`, external documentation, parameters in path, header,
/// cookie (with `style`) and query (with `content`), headers with `style` and with
/// `content`, responses with only `default`, OAuth 2 with all four flows, OpenID
/// Connect, and every `components` map.
fn openapi31_seed() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Every object", "version": "1.0.0", "license": {"name": "Apache 2.0", "identifier": "Apache-2.0"}},
        "externalDocs": {"description": "docs", "url": "https://example.com/docs"},
        "security": [{"oauth": ["read"]}, {"oidc": []}],
        "paths": {
            "/items/{id}": {
                "get": {
                    "operationId": "getItem",
                    "parameters": [
                        {"name": "id", "in": "path", "required": true, "style": "simple", "schema": {"type": "string"}},
                        {"name": "X-Trace", "in": "header", "style": "simple", "schema": {"type": "string"}},
                        {"name": "session", "in": "cookie", "style": "form", "schema": {"type": "string"}},
                        {"name": "filter", "in": "query", "content": {"application/json": {"schema": {"type": "object"}}}}
                    ],
                    "responses": {"200": {
                        "description": "ok",
                        "headers": {
                            "X-Rate": {"style": "simple", "schema": {"type": "integer"}},
                            "X-Blob": {"content": {"text/plain": {"schema": {"type": "string"}}}}
                        },
                        "content": {"application/json": {"schema": {"type": "object"}}}
                    }}
                },
                "delete": {"parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}], "responses": {"default": {"description": "any"}}}
            }
        },
        "components": {
            "schemas": {"Item": {"type": "object"}},
            "responses": {"Ok": {"description": "ok"}},
            "parameters": {"Limit": {"name": "limit", "in": "query", "schema": {"type": "integer"}}},
            "examples": {"One": {"value": 1}},
            "requestBodies": {"Body": {"content": {"application/json": {"schema": {"type": "object"}}}}},
            "headers": {"X-Id": {"schema": {"type": "string"}}},
            "securitySchemes": {
                "oauth": {"type": "oauth2", "flows": {
                    "implicit": {"authorizationUrl": "https://example.com/auth", "refreshUrl": "https://example.com/refresh", "scopes": {"read": "read"}},
                    "password": {"tokenUrl": "https://example.com/token", "refreshUrl": "https://example.com/refresh", "scopes": {"read": "read"}},
                    "clientCredentials": {"tokenUrl": "https://example.com/token", "refreshUrl": "https://example.com/refresh", "scopes": {"read": "read"}},
                    "authorizationCode": {"authorizationUrl": "https://example.com/auth", "tokenUrl": "https://example.com/token", "refreshUrl": "https://example.com/refresh", "scopes": {"read": "read"}}
                }},
                "oidc": {"type": "openIdConnect", "openIdConnectUrl": "https://example.com/.well-known/openid-configuration"}
            },
            "links": {"Self": {"operationId": "getItem"}},
            "callbacks": {"Done": {"{$request.body#/url}": {"post": {"responses": {"200": {"description": "ok"}}}}}},
            "pathItems": {"Ping": {"get": {"responses": {"200": {"description": "ok"}}}}}
        }
    })
}

/// An AsyncAPI document of `version` with a security scheme of every type its version
/// knows (user/password, API key, X.509, symmetric and asymmetric encryption, HTTP API
/// key, HTTP basic and bearer, OAuth 2 with all four flows, OpenID Connect and, from
/// 2.1.0, SASL plain, SCRAM-SHA-256/512 and GSSAPI), each with a description; 3.x flows
/// carry `availableScopes` and the schemes `scopes`, 2.x flows `scopes`.
fn security_seed(version: &str) -> Value {
    let v3 = version.starts_with('3');
    let scopes = if v3 { "availableScopes" } else { "scopes" };
    let flow = |extra: Value| {
        let mut f = extra;
        f[scopes] = json!({"read": "read access"});
        f
    };
    let mut schemes = json!({
        "userPassword": {"type": "userPassword", "description": "d"},
        "apiKey": {"type": "apiKey", "in": "user", "description": "d"},
        "x509": {"type": "X509", "description": "d"},
        "sym": {"type": "symmetricEncryption", "description": "d"},
        "asym": {"type": "asymmetricEncryption", "description": "d"},
        "httpApiKey": {"type": "httpApiKey", "name": "api_key", "in": "header", "description": "d"},
        "httpBasic": {"type": "http", "scheme": "basic", "description": "d"},
        "httpBearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT", "description": "d"},
        "oauth": {"type": "oauth2", "description": "d", "flows": {
            "implicit": flow(json!({"authorizationUrl": "https://example.com/auth"})),
            "password": flow(json!({"tokenUrl": "https://example.com/token"})),
            "clientCredentials": flow(json!({"tokenUrl": "https://example.com/token", "refreshUrl": "https://example.com/refresh"})),
            "authorizationCode": flow(json!({"authorizationUrl": "https://example.com/auth", "tokenUrl": "https://example.com/token"}))
        }},
        "oidc": {"type": "openIdConnect", "openIdConnectUrl": "https://example.com/.well-known/openid-configuration", "description": "d"}
    });
    if version != "2.0.0" {
        for (k, t) in [
            ("plain", "plain"),
            ("scram256", "scramSha256"),
            ("scram512", "scramSha512"),
            ("gssapi", "gssapi"),
        ] {
            schemes[k] = json!({"type": t, "description": "d"});
        }
    }
    if v3 {
        schemes["oauth"]["scopes"] = json!(["read"]);
        schemes["oidc"]["scopes"] = json!(["read"]);
    }
    let mut doc = json!({
        "asyncapi": version,
        "info": {"title": "Security schemes", "version": "1.0.0"},
        "components": {"securitySchemes": schemes}
    });
    if !v3 {
        doc["channels"] = json!({});
    }
    doc
}

/// An AsyncAPI 3 document with a binding of every protocol the Bindings Objects check,
/// once without `bindingVersion` (the official schema then applies the latest version)
/// and once per version it knows, each on its own server, channel, operation or message:
/// the smallest content each binding schema accepts (its required fields).
fn binding_versions_seed(version: &str) -> Value {
    // (object, protocol, content, versions ("" = none given), 3.1 only)
    let table: &[(&str, &str, &str, &[&str], bool)] = &[
        (
            "channel",
            "amqp",
            "{\"is\": \"queue\", \"queue\": {\"name\": \"q\", \"durable\": true, \"exclusive\": false, \"autoDelete\": false, \"vhost\": \"/\"}}",
            &["", "0.3.0"],
            false,
        ),
        ("channel", "anypointmq", "{}", &["", "0.0.1"], false),
        (
            "channel",
            "googlepubsub",
            "{\"schemaSettings\": {\"encoding\": \"json\", \"name\": \"projects/p/schemas/s\"}}",
            &["", "0.2.0"],
            false,
        ),
        ("channel", "ibmmq", "{}", &["", "0.1.0"], false),
        ("channel", "jms", "{}", &["", "0.0.1"], false),
        (
            "channel",
            "kafka",
            "{}",
            &["", "0.3.0", "0.4.0", "0.5.0"],
            false,
        ),
        (
            "channel",
            "pulsar",
            "{\"namespace\": \"ns\", \"persistence\": \"persistent\"}",
            &["", "0.1.0"],
            false,
        ),
        (
            "channel",
            "sns",
            "{\"name\": \"topic\"}",
            &["", "0.1.0"],
            false,
        ),
        (
            "channel",
            "sqs",
            "{\"queue\": {\"name\": \"q\", \"fifoQueue\": false}}",
            &["", "0.2.0"],
            false,
        ),
        ("channel", "ws", "{}", &["", "0.1.0"], false),
        ("message", "amqp", "{}", &["", "0.3.0"], false),
        ("message", "anypointmq", "{}", &["", "0.0.1"], false),
        ("message", "googlepubsub", "{}", &["", "0.2.0"], false),
        ("message", "http", "{}", &["", "0.2.0", "0.3.0"], false),
        (
            "message",
            "ibmmq",
            "{\"type\": \"binary\"}",
            &["", "0.1.0"],
            false,
        ),
        ("message", "jms", "{}", &["", "0.0.1"], false),
        (
            "message",
            "kafka",
            "{}",
            &["", "0.3.0", "0.4.0", "0.5.0"],
            false,
        ),
        ("message", "mqtt", "{}", &["", "0.2.0"], false),
        ("operation", "amqp", "{}", &["", "0.3.0"], false),
        ("operation", "http", "{}", &["", "0.2.0", "0.3.0"], false),
        (
            "operation",
            "kafka",
            "{}",
            &["", "0.3.0", "0.4.0", "0.5.0"],
            false,
        ),
        ("operation", "mqtt", "{}", &["", "0.2.0"], false),
        ("operation", "nats", "{}", &["", "0.1.0"], false),
        (
            "operation",
            "sns",
            "{\"consumers\": [{\"protocol\": \"sqs\", \"endpoint\": {\"name\": \"q\"}, \"rawMessageDelivery\": true}]}",
            &["", "0.1.0"],
            false,
        ),
        (
            "operation",
            "solace",
            "{}",
            &["", "0.2.0", "0.3.0", "0.4.0"],
            false,
        ),
        (
            "operation",
            "sqs",
            "{\"queues\": [{\"name\": \"q\"}]}",
            &["", "0.2.0"],
            false,
        ),
        ("server", "ibmmq", "{}", &["", "0.1.0"], false),
        (
            "server",
            "jms",
            "{\"jmsConnectionFactory\": \"org.apache.activemq.ActiveMQConnectionFactory\"}",
            &["", "0.0.1"],
            false,
        ),
        (
            "server",
            "kafka",
            "{}",
            &["", "0.3.0", "0.4.0", "0.5.0"],
            false,
        ),
        ("server", "mqtt", "{}", &["", "0.2.0"], false),
        ("server", "pulsar", "{}", &["", "0.1.0"], false),
        ("server", "ros2", "{}", &["", "0.1.0"], true),
        (
            "server",
            "solace",
            "{}",
            &["", "0.2.0", "0.3.0", "0.4.0"],
            false,
        ),
    ];
    let mut doc = json!({
        "asyncapi": version,
        "info": {"title": "Binding versions", "version": "1.0.0"},
        "servers": {},
        "channels": {},
        "operations": {}
    });
    let mut i = 0;
    for (kind, proto, content, versions, only31) in table {
        if *only31 && version == "3.0.0" {
            continue;
        }
        for v in *versions {
            i += 1;
            let mut b: Value = serde_json::from_str(content).expect("binding content");
            if !v.is_empty() {
                b["bindingVersion"] = json!(v);
            }
            let name = format!("{kind}-{proto}-{i}");
            let bindings = json!({ *proto: b });
            match *kind {
                "server" => {
                    doc["servers"][&name] = json!({"host": "broker.example.com", "protocol": proto, "bindings": bindings});
                }
                "channel" => {
                    doc["channels"][&name] = json!({"address": name, "bindings": bindings});
                }
                "message" => {
                    doc["channels"][&name] =
                        json!({"address": name, "messages": {"m": {"bindings": bindings}}});
                }
                _ => {
                    doc["channels"][&name] = json!({"address": name});
                    doc["operations"][&name] = json!({
                        "action": "send",
                        "channel": {"$ref": format!("#/channels/{name}")},
                        "bindings": bindings
                    });
                }
            }
        }
    }
    doc
}

/// An AsyncAPI 3 document with Kafka, MQTT and NATS bindings on servers, channels,
/// operations and messages (every field of each binding object set).
fn bindings_seed() -> Value {
    json!({
        "asyncapi": "3.0.0",
        "info": {"title": "Binding seed", "version": "1.0.0"},
        "servers": {
            "kafka": {"host": "kafka.example.com:9092", "protocol": "kafka", "bindings": {"kafka": {
                "schemaRegistryUrl": "https://registry.example.com",
                "schemaRegistryVendor": "confluent",
                "bindingVersion": "0.5.0"}}},
            "kafka3": {"host": "kafka3.example.com:9092", "protocol": "kafka", "bindings": {"kafka": {
                "schemaRegistryUrl": "https://registry.example.com", "bindingVersion": "0.3.0"}}},
            "mqtt": {"host": "mqtt.example.com", "protocol": "mqtt", "bindings": {"mqtt": {
                "clientId": "guest",
                "cleanSession": true,
                "lastWill": {"topic": "/last-wills", "qos": 2, "message": "Guest gone offline.", "retain": false},
                "keepAlive": 60,
                "sessionExpiryInterval": 600,
                "maximumPacketSize": 1200,
                "bindingVersion": "0.2.0"}}}
        },
        "channels": {
            "orders": {
                "address": "orders",
                "messages": {"OrderPlaced": {"$ref": "#/components/messages/OrderPlaced"}},
                "bindings": {"kafka": {
                    "topic": "orders",
                    "partitions": 12,
                    "replicas": 3,
                    "topicConfiguration": {
                        "cleanup.policy": ["delete", "compact"],
                        "retention.ms": 604800000,
                        "retention.bytes": 1000000000,
                        "delete.retention.ms": 86400000,
                        "max.message.bytes": 1048588,
                        "confluent.key.schema.validation": true,
                        "confluent.key.subject.name.strategy": "TopicNameStrategy",
                        "confluent.value.schema.validation": true,
                        "confluent.value.subject.name.strategy": "TopicNameStrategy"
                    },
                    "bindingVersion": "0.5.0"}}
            },
            "orders4": {
                "address": "orders.v4",
                "messages": {"OrderPlaced4": {"$ref": "#/components/messages/OrderPlaced4"}},
                "bindings": {"kafka": {
                    "topic": "orders.v4",
                    "partitions": 1,
                    "replicas": 1,
                    "topicConfiguration": {
                        "cleanup.policy": ["compact"],
                        "retention.ms": -1,
                        "retention.bytes": -1,
                        "delete.retention.ms": 0,
                        "max.message.bytes": 0
                    },
                    "bindingVersion": "0.4.0"}}
            },
            "orders3": {
                "address": "orders.v3",
                "messages": {"OrderPlaced3": {"$ref": "#/components/messages/OrderPlaced3"}},
                "bindings": {"kafka": {"topic": "orders.v3", "partitions": 2, "replicas": 2, "bindingVersion": "0.3.0"}}
            }
        },
        "operations": {
            "placeOrder": {
                "action": "send",
                "channel": {"$ref": "#/channels/orders"},
                "bindings": {
                    "kafka": {"groupId": {"type": "string", "enum": ["orders"]}, "clientId": {"type": "string"}, "bindingVersion": "0.5.0"},
                    "mqtt": {"qos": 1, "retain": false, "messageExpiryInterval": 60, "bindingVersion": "0.2.0"},
                    "nats": {"queue": "order-workers", "bindingVersion": "0.1.0"}
                }
            },
            "placeOrder4": {
                "action": "receive",
                "channel": {"$ref": "#/channels/orders4"},
                "bindings": {"kafka": {"groupId": {"type": "string"}, "bindingVersion": "0.4.0"}}
            },
            "placeOrder3": {
                "action": "receive",
                "channel": {"$ref": "#/channels/orders3"},
                "bindings": {"kafka": {"clientId": {"type": "string"}, "bindingVersion": "0.3.0"}}
            }
        },
        "components": {"messages": {
            "OrderPlaced": {
                "payload": {"type": "object"},
                "bindings": {
                    "kafka": {
                        "key": {"type": "string", "enum": ["myKey"]},
                        "schemaIdLocation": "payload",
                        "schemaIdPayloadEncoding": "apicurio-new",
                        "schemaLookupStrategy": "TopicIdStrategy",
                        "bindingVersion": "0.5.0"
                    },
                    "mqtt": {
                        "payloadFormatIndicator": 1,
                        "correlationData": {"type": "string", "format": "uuid"},
                        "contentType": "application/json",
                        "responseTopic": "application/responses",
                        "bindingVersion": "0.2.0"
                    }
                }
            },
            "OrderPlaced4": {
                "payload": {"type": "object"},
                "bindings": {"kafka": {"key": {"type": "string"}, "schemaIdLocation": "header", "bindingVersion": "0.4.0"}}
            },
            "OrderPlaced3": {
                "payload": {"type": "object"},
                "bindings": {"kafka": {"key": {"type": "string"}, "schemaIdLocation": "payload", "schemaLookupStrategy": "TopicIdStrategy", "bindingVersion": "0.3.0"}}
            }
        }}
    })
}
