//! The library half of the codegen fidelity harness (issue 16): for every generated type
//! that stands for a schema (component and referenced schemas, inline schemas such as
//! request and response bodies and the objects nested in them, AsyncAPI messages as
//! `{headers?, payload}`), the schema as a standalone JSON Schema document, instances
//! synthesised from it and confirmed valid by the `jsonschema` crate (fixed seed), and
//! instances it rejects (a missing required property, a value outside an `enum`, an
//! unlisted property where `additionalProperties: false`). The harness test feeds them
//! to the generated Rust and Python models and compares what comes back.
//!
//! The generator covers: `$ref`, `allOf` (merged), `oneOf`/`anyOf` (one branch per
//! instance, merged with the schema's own keywords), `const`, `enum`, `type` arrays,
//! objects (required only / every property / an unlisted one where
//! `additionalProperties` allows it explicitly), arrays (`items`, tuples), string
//! formats and lengths, numeric bounds (the largest allowed value, so `uint64` reaches
//! `u64::MAX`). A candidate the validator rejects (a `pattern`, a `not`, ...) is dropped
//! and counted. Every generated type that gets no case is listed with the reason
//! ([`Coverage::unchecked`]): no schema of its own (an HTTP request's parameters and
//! body, a message whose payload is not JSON Schema), a schema the validator cannot
//! compile (with its error), past the caller's limit.

use serde_json::{Map, Value, json};

use super::api::Api;
use crate::model::schema::{Bundler, Flavor};
use crate::model::{Model, Spec};
use crate::source::Workspace;

/// Instances of one generated type.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Case {
    /// The generated type's name (the same in Rust and Python).
    pub ty: String,
    /// Instances the schema accepts.
    pub valid: Vec<Value>,
    /// Instances the schema rejects, each with what is wrong with it.
    pub invalid: Vec<(String, Value)>,
    /// Candidates the generator made that the schema rejected (not used).
    pub dropped: usize,
}

/// `($ref, property, tag)`: an object made for that reference carries the tag.
type Hint = (String, String, String);

/// Why a generated type got no case.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum Why {
    /// Built by the generator from several places, not from one schema (an HTTP
    /// request: parameters and body), or the non-null part of a nullable inline schema.
    NoSchema,
    /// An AsyncAPI message whose payload `schemaFormat` is not a JSON Schema dialect.
    PayloadFormat(String),
    /// The `jsonschema` crate refused the bundled schema.
    Uncompilable(String),
    /// Past the `max` given to [`coverage`].
    OverLimit,
    /// Still being built when generation ended (a recursion the generator gave up on).
    Pending,
}

impl std::fmt::Display for Why {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Why::NoSchema => f.write_str("without a schema of their own"),
            Why::PayloadFormat(x) => write!(f, "payload schemaFormat `{x}`"),
            Why::Uncompilable(e) => write!(f, "schema not compilable: {e}"),
            Why::OverLimit => f.write_str("over the type limit"),
            Why::Pending => f.write_str("never built"),
        }
    }
}

/// The cases of a generation run, and the generated types without one.
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    pub cases: Vec<Case>,
    /// `(type, why)` for every generated type without a case, in definition order.
    pub unchecked: Vec<(String, Why)>,
}

impl Coverage {
    /// One line about the types without a case (empty when there are none): how many
    /// per reason, with the first few names.
    pub fn note(&self, generated: usize) -> String {
        if generated == 0 {
            return "no generated types".to_string();
        }
        let mut groups: Vec<(String, Vec<&str>)> = Vec::new();
        for (ty, why) in &self.unchecked {
            // Compiler errors differ per schema: grouped by their kind only.
            let key = match why {
                Why::Uncompilable(_) => "schema not compilable".to_string(),
                w => w.to_string(),
            };
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, names)) => names.push(ty),
                None => groups.push((key, vec![ty])),
            }
        }
        let mut parts: Vec<String> = groups
            .iter()
            .map(|(why, names)| {
                let shown: Vec<&str> = names.iter().take(3).copied().collect();
                let more = if names.len() > 3 { ", …" } else { "" };
                format!("{} {why} ({}{more})", names.len(), shown.join(", "))
            })
            .collect();
        if let Some((ty, Why::Uncompilable(e))) = self
            .unchecked
            .iter()
            .find(|(_, w)| matches!(w, Why::Uncompilable(_)))
        {
            let e: String = e.chars().take(120).collect();
            parts.push(format!("first compile error ({ty}): {e}"));
        }
        let empty: Vec<&str> = self
            .cases
            .iter()
            .filter(|c| c.valid.is_empty())
            .map(|c| c.ty.as_str())
            .collect();
        if !empty.is_empty() {
            let shown: Vec<&str> = empty.iter().take(3).copied().collect();
            let more = if empty.len() > 3 { ", …" } else { "" };
            parts.push(format!(
                "{} without a valid instance made ({}{more})",
                empty.len(),
                shown.join(", ")
            ));
        }
        parts.join("; ")
    }
}

/// How many instances are tried per type (branch `k` of every union, alternating
/// required-only and every-property objects).
const ROUNDS: usize = 4;

/// The schema dialect of a model's first document.
fn flavor(model: &Model) -> Flavor {
    match model.documents.first().map(|d| &d.spec) {
        Some(Spec::AsyncApi(_)) | None => Flavor::Async,
        Some(Spec::OpenApi(v)) if v.major == 3 && v.minor >= 1 => Flavor::Oas31,
        Some(Spec::OpenApi(_)) => Flavor::Oas30,
        Some(Spec::Swagger) => Flavor::Swagger,
    }
}

/// A payload `schemaFormat` the harness understands (JSON Schema dialects).
fn json_schema_format(f: Option<&str>) -> bool {
    f.is_none_or(|f| {
        let f = f.trim();
        f.starts_with("application/vnd.aai.asyncapi")
            || f.starts_with("application/schema+json")
            || f.starts_with("application/schema+yaml")
            || f.starts_with("application/vnd.oai.openapi")
    })
}

/// The cases of every schema-backed type of `api`, at most `max` (in definition order;
/// `usize::MAX` for all).
pub fn cases(ws: &Workspace, model: &Model, api: &Api, seed: u64, max: usize) -> Vec<Case> {
    coverage(ws, model, api, seed, max).cases
}

/// [`cases`], and why the other generated types have none.
pub fn coverage(ws: &Workspace, model: &Model, api: &Api, seed: u64, max: usize) -> Coverage {
    let flavor = flavor(model);
    let defs = &api.types.defs;
    let sources = api.types.sources();
    // The discriminated unions' variants (by schema location): the tag each carries.
    // JSON Schema does not check a `discriminator`, OpenAPI does: instances follow it.
    let mut tagged: Vec<((crate::source::FileId, String), String, String)> = Vec::new();
    for d in defs {
        if let super::types::Kind::Union {
            variants,
            discriminator: Some(disc),
        } = &d.kind
        {
            let Ok(tags) = super::types::tags(defs, variants, disc) else {
                continue;
            };
            for (v, t) in variants.iter().zip(tags) {
                let super::types::Ty::Named(j) = v else {
                    continue;
                };
                if let (Some((loc, _)), Some(tag)) =
                    (sources.iter().find(|(_, k)| k == j), t.first())
                {
                    tagged.push((loc.clone(), disc.property.clone(), tag.clone()));
                }
            }
        }
    }
    // The tags of the variants the bundle holds (the others cannot occur in an
    // instance; adding them would only make every bundle as large as the document, and
    // uncompilable with any of them).
    let hints_of = |b: &Bundler| -> Vec<Hint> {
        tagged
            .iter()
            .filter_map(|((f, p), prop, tag)| {
                let key = b.key_if_added(*f, p)?;
                let r = b.ref_to(&key);
                let raw = r["$ref"].as_str().unwrap_or_default().to_string();
                Some((raw, prop.clone(), tag.clone()))
            })
            .collect()
    };
    let mut unchecked: Vec<(usize, Why)> = Vec::new();
    let mut roots: Vec<(usize, Value, Vec<Hint>)> = Vec::new();
    for ((file, ptr), i) in &sources {
        let mut b = Bundler::new(ws, flavor);
        let key = b.add(*file, ptr);
        let hints = hints_of(&b);
        let root = b.ref_to(&key);
        roots.push((*i, b.finish(root), hints));
    }
    for (i, file, v) in api.types.inline_sources() {
        let mut b = Bundler::new(ws, flavor);
        let root = b.add_value(file, v);
        let hints = hints_of(&b);
        roots.push((i, b.finish(root), hints));
    }
    for m in &api.messages {
        let Some((pf, pp, fmt)) = &m.payload else {
            continue;
        };
        if !json_schema_format(fmt.as_deref()) {
            unchecked.push((m.def, Why::PayloadFormat(fmt.clone().unwrap_or_default())));
            continue;
        }
        let mut b = Bundler::new(ws, flavor);
        let pk = b.add(*pf, pp);
        let mut props = Map::new();
        props.insert("payload".into(), b.ref_to(&pk));
        if let Some((hf, hp)) = &m.headers {
            let hk = b.add(*hf, hp);
            props.insert("headers".into(), b.ref_to(&hk));
        }
        let hints = hints_of(&b);
        let root = json!({"type": "object", "required": ["payload"], "properties": props});
        roots.push((m.def, b.finish(root), hints));
    }
    roots.sort_by_key(|(i, _, _)| *i);
    roots.dedup_by_key(|(i, _, _)| *i);
    let mut out = Vec::new();
    for (n, (i, schema, hints)) in roots.into_iter().enumerate() {
        let Some(def) = defs.get(i) else { continue };
        if n >= max {
            unchecked.push((i, Why::OverLimit));
            continue;
        }
        if matches!(def.kind, super::types::Kind::Pending) {
            unchecked.push((i, Why::Pending));
            continue;
        }
        let validator = match jsonschema::options()
            .with_draft(flavor.draft())
            .should_validate_formats(true)
            .build(&schema)
        {
            Ok(v) => v,
            Err(e) => {
                unchecked.push((i, Why::Uncompilable(e.to_string())));
                continue;
            }
        };
        let mut case = Case {
            ty: def.name.clone(),
            valid: Vec::new(),
            invalid: Vec::new(),
            dropped: 0,
        };
        let mut g = Gen {
            root: &schema,
            rng: seed ^ fnv(&def.name),
            nodes: 0,
            hints: &hints,
        };
        for k in 0..ROUNDS {
            g.nodes = 0;
            let mode = Mode {
                full: k % 2 == 0,
                branch: k,
            };
            let Some(v) = g.make(&schema, mode, 0) else {
                case.dropped += 1;
                continue;
            };
            if case.valid.contains(&v) {
                continue;
            }
            if validator.is_valid(&v) {
                case.valid.push(v);
            } else {
                case.dropped += 1;
            }
        }
        if let Some(base) = case.valid.first().cloned() {
            for (why, bad) in negatives(&schema, &base) {
                if !validator.is_valid(&bad) {
                    case.invalid.push((why, bad));
                }
            }
        }
        out.push((i, case));
    }
    // The generated types neither checked nor explained above have no schema.
    let mut seen = vec![false; defs.len()];
    for j in out
        .iter()
        .map(|(j, _)| *j)
        .chain(unchecked.iter().map(|(j, _)| *j))
    {
        if let Some(x) = seen.get_mut(j) {
            *x = true;
        }
    }
    for (i, _) in seen.iter().enumerate().filter(|(_, s)| !**s) {
        unchecked.push((i, Why::NoSchema));
    }
    unchecked.sort_by_key(|(i, _)| *i);
    Coverage {
        cases: out.into_iter().map(|(_, c)| c).collect(),
        unchecked: unchecked
            .into_iter()
            .filter_map(|(i, w)| defs.get(i).map(|d| (d.name.clone(), w)))
            .collect(),
    }
}

fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    h
}

#[derive(Debug, Clone, Copy)]
struct Mode {
    /// Every property (else the required ones only).
    full: bool,
    /// Which branch of each union, which member of each `enum`.
    branch: usize,
}

struct Gen<'a> {
    root: &'a Value,
    rng: u64,
    /// Values made for the current instance (a budget against explosion).
    nodes: usize,
    /// `($ref, property, tag)`: an object made for that reference carries the tag.
    hints: &'a [Hint],
}

/// The largest instance, in values.
const MAX_NODES: usize = 4000;
/// How deep an instance goes (recursive schemas stop taking optional properties
/// after half of it).
const MAX_DEPTH: usize = 24;

impl<'a> Gen<'a> {
    fn next(&mut self) -> u64 {
        // xorshift64*
        let mut x = self.rng.max(1);
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// The target of a local `$ref`.
    fn resolve(&self, raw: &str) -> Option<&'a Value> {
        let frag = raw.strip_prefix('#')?;
        if frag.is_empty() {
            return Some(self.root);
        }
        self.root.pointer(frag)
    }

    /// `s` with `$ref`s followed and `allOf` merged into one schema object.
    fn flat(&self, s: &Value, depth: usize) -> Map<String, Value> {
        let mut out = Map::new();
        self.flat_into(s, &mut out, depth);
        out
    }

    fn flat_into(&self, s: &Value, out: &mut Map<String, Value>, depth: usize) {
        if depth > 32 {
            return;
        }
        let Some(m) = s.as_object() else {
            if s == &Value::Bool(false) {
                out.insert("not".into(), json!({}));
            }
            return;
        };
        if let Some(t) = m
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| self.resolve(r))
        {
            self.flat_into(t, out, depth + 1);
        }
        if let Some(all) = m.get("allOf").and_then(Value::as_array) {
            for part in all {
                self.flat_into(part, out, depth + 1);
            }
        }
        for (k, v) in m {
            match k.as_str() {
                "$ref" | "allOf" | "definitions" | "$defs" => {}
                "properties" => {
                    let dst = out.entry("properties").or_insert_with(|| json!({}));
                    if let (Some(dst), Some(src)) = (dst.as_object_mut(), v.as_object()) {
                        for (pk, pv) in src {
                            match dst.get_mut(pk) {
                                // Both parts constrain the property: both apply.
                                Some(old) => {
                                    let merged = json!({"allOf": [old.clone(), pv.clone()]});
                                    *old = merged;
                                }
                                None => {
                                    dst.insert(pk.clone(), pv.clone());
                                }
                            }
                        }
                    }
                }
                "required" => {
                    let dst = out.entry("required").or_insert_with(|| json!([]));
                    if let (Some(dst), Some(src)) = (dst.as_array_mut(), v.as_array()) {
                        for r in src {
                            if !dst.contains(r) {
                                dst.push(r.clone());
                            }
                        }
                    }
                }
                "anyOf" | "oneOf" if out.contains_key(k) => {
                    // Two unions: keep them both as a nested allOf of unions.
                    let prev = out.remove(k).unwrap_or(Value::Null);
                    let mut a = Map::new();
                    a.insert(k.clone(), prev);
                    let mut b = Map::new();
                    b.insert(k.clone(), v.clone());
                    let both = json!({"allOf": [a, b]});
                    let extra = out.entry("x-unions").or_insert_with(|| json!([]));
                    if let Some(a) = extra.as_array_mut() {
                        a.push(both);
                    }
                }
                _ => {
                    out.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
        }
    }

    fn make(&mut self, s: &Value, mode: Mode, depth: usize) -> Option<Value> {
        let mut v = self.make_inner(s, mode, depth)?;
        self.tag(s, &mut v);
        Some(v)
    }

    /// Give `v` the tags of the references `s` is (through pure `$ref` chains).
    fn tag(&self, s: &Value, v: &mut Value) {
        let Some(o) = v.as_object_mut() else { return };
        let mut at = s;
        for _ in 0..8 {
            let Some(raw) = at.get("$ref").and_then(Value::as_str) else {
                return;
            };
            for (r, prop, tag) in self.hints {
                if r == raw {
                    o.insert(prop.clone(), Value::String(tag.clone()));
                }
            }
            match self.resolve(raw) {
                Some(next) => at = next,
                None => return,
            }
        }
    }

    fn make_inner(&mut self, s: &Value, mode: Mode, depth: usize) -> Option<Value> {
        self.nodes += 1;
        if depth > MAX_DEPTH || self.nodes > MAX_NODES {
            return None;
        }
        let mut m = self.flat(s, 0);
        if m.contains_key("not") && m.len() == 1 {
            return None;
        }
        // Unions: one branch, merged with the schema's own keywords.
        for key in ["oneOf", "anyOf"] {
            if let Some(Value::Array(alts)) = m.remove(key) {
                if alts.is_empty() {
                    continue;
                }
                // Non-null branches first, so round 0 is not always `null`.
                let mut order: Vec<&Value> = alts.iter().filter(|a| !is_null(a)).collect();
                order.extend(alts.iter().filter(|a| is_null(a)));
                let pick = order.get(mode.branch % order.len()).copied()?;
                let mut base = Value::Object(m);
                let mut merged = Map::new();
                if let Some(o) = base.as_object_mut() {
                    o.remove("x-unions");
                }
                self.flat_into(&base, &mut merged, 0);
                self.flat_into(pick, &mut merged, 0);
                let mut v = self.make(&Value::Object(merged), mode, depth + 1)?;
                self.tag(pick, &mut v);
                return Some(v);
            }
        }
        if let Some(Value::Array(more)) = m.remove("x-unions") {
            let mut merged = Map::new();
            self.flat_into(&Value::Object(m), &mut merged, 0);
            for u in &more {
                self.flat_into(u, &mut merged, 0);
            }
            return self.make(&Value::Object(merged), mode, depth + 1);
        }
        if let Some(c) = m.get("const") {
            return Some(c.clone());
        }
        if let Some(Value::Array(vals)) = m.get("enum") {
            let non_null: Vec<&Value> = vals.iter().filter(|v| !v.is_null()).collect();
            let pool = if non_null.is_empty() {
                vals.iter().collect()
            } else {
                non_null
            };
            return pool
                .get(mode.branch % pool.len().max(1))
                .map(|v| (*v).clone());
        }
        let types: Vec<String> = match m.get("type") {
            Some(Value::String(t)) => vec![t.clone()],
            Some(Value::Array(ts)) => {
                let mut v: Vec<String> = ts
                    .iter()
                    .filter_map(Value::as_str)
                    .filter(|t| *t != "null")
                    .map(str::to_string)
                    .collect();
                if ts.iter().any(|t| t == "null") {
                    v.push("null".into());
                }
                v
            }
            _ => Vec::new(),
        };
        let t = if types.is_empty() {
            if m.contains_key("properties")
                || m.contains_key("additionalProperties")
                || m.contains_key("required")
            {
                "object".to_string()
            } else if m.contains_key("items") || m.contains_key("prefixItems") {
                "array".to_string()
            } else {
                String::new()
            }
        } else {
            types[mode.branch % types.len()].clone()
        };
        match t.as_str() {
            "null" => Some(Value::Null),
            "boolean" => Some(Value::Bool(mode.full)),
            "integer" => Some(self.integer(&m, mode)),
            "number" => Some(self.number(&m, mode)),
            "string" => Some(self.string(&m, mode)),
            "array" => self.array(&m, mode, depth),
            "object" => self.object(&m, mode, depth),
            _ => Some(if mode.full {
                json!({"any": [1, "two", true]})
            } else {
                json!("anything")
            }),
        }
    }

    fn integer(&mut self, m: &Map<String, Value>, mode: Mode) -> Value {
        let fmt = m.get("format").and_then(Value::as_str).unwrap_or("");
        let num = |k: &str| m.get(k).and_then(Value::as_f64);
        let mut lo = num("minimum").map(f64::ceil);
        let mut hi = num("maximum").map(f64::floor);
        if let Some(x) = num("exclusiveMinimum") {
            lo = Some(x.floor() + 1.0);
        }
        if let Some(x) = num("exclusiveMaximum") {
            hi = Some(x.ceil() - 1.0);
        }
        if m.get("exclusiveMinimum") == Some(&Value::Bool(true)) {
            lo = lo.map(|x| x + 1.0);
        }
        if m.get("exclusiveMaximum") == Some(&Value::Bool(true)) {
            hi = hi.map(|x| x - 1.0);
        }
        if mode.full {
            // The largest value the format allows (`uint64` → u64::MAX).
            if hi.is_none() {
                return match fmt {
                    "uint64" => json!(u64::MAX),
                    "int64" => json!(i64::MAX),
                    "uint32" => json!(u32::MAX),
                    "int32" => json!(i32::MAX),
                    "uint8" => json!(u8::MAX),
                    "int8" => json!(i8::MAX),
                    "uint16" => json!(u16::MAX),
                    "int16" => json!(i16::MAX),
                    // Past i32 only when nothing says it is small.
                    _ if lo.is_none() => json!(3_000_000_000_i64),
                    _ => json!(lo.unwrap_or(0.0) as i64 + 1),
                };
            }
            if let Some(h) = hi {
                return json!(h as i64);
            }
        }
        let v = lo.unwrap_or(match fmt {
            f if f.starts_with("uint") => 0.0,
            _ => -((self.next() % 5) as f64) - 1.0,
        });
        let v = match hi {
            Some(h) if v > h => h,
            _ => v,
        };
        let step = m.get("multipleOf").and_then(Value::as_f64).unwrap_or(1.0);
        let v = if step > 0.0 {
            (v / step).ceil() * step
        } else {
            v
        };
        json!(v as i64)
    }

    fn number(&mut self, m: &Map<String, Value>, mode: Mode) -> Value {
        let num = |k: &str| m.get(k).and_then(Value::as_f64);
        let lo = num("minimum").or(num("exclusiveMinimum").map(|x| x + 0.5));
        let hi = num("maximum").or(num("exclusiveMaximum").map(|x| x - 0.5));
        let want = if mode.full { 1234.5 } else { -0.25 };
        let mut v = want;
        if let Some(l) = lo {
            if v < l {
                v = l;
            }
        }
        if let Some(h) = hi {
            if v > h {
                v = h;
            }
        }
        if let Some(step) = num("multipleOf").filter(|s| *s > 0.0) {
            v = (v / step).ceil() * step;
        }
        json!(v)
    }

    fn string(&mut self, m: &Map<String, Value>, mode: Mode) -> Value {
        let fmt = m.get("format").and_then(Value::as_str).unwrap_or("");
        let by_format = match fmt {
            "date-time" => Some(if mode.full {
                "2021-03-04T05:06:07.250Z"
            } else {
                "2021-03-04T05:06:07Z"
            }),
            "date" => Some("2021-03-04"),
            "time" => Some("05:06:07Z"),
            "uuid" => Some("3f2a9c4e-8b1d-4e7a-9c2b-5d6e7f8a9b0c"),
            "email" => Some("someone@example.com"),
            "uri" | "url" | "iri" => Some("https://example.com/a/b"),
            "uri-reference" | "iri-reference" => Some("/a/b"),
            "hostname" | "idn-hostname" => Some("example.com"),
            "ipv4" => Some("192.0.2.1"),
            "ipv6" => Some("2001:db8::1"),
            "byte" => Some("aGVsbG8="),
            "duration" => Some("P1D"),
            "json-pointer" => Some("/a/b"),
            "regex" => Some("^a+$"),
            _ => None,
        };
        if let Some(s) = by_format {
            return json!(s);
        }
        let min = m.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
        let max = m
            .get("maxLength")
            .and_then(Value::as_u64)
            .map(|x| x as usize);
        let base = if mode.full {
            format!("text-{}", self.next() % 1000)
        } else {
            "a".to_string()
        };
        let mut s = base;
        while s.chars().count() < min {
            s.push('x');
        }
        if let Some(mx) = max {
            s = s.chars().take(mx.max(min)).collect();
        }
        json!(s)
    }

    fn array(&mut self, m: &Map<String, Value>, mode: Mode, depth: usize) -> Option<Value> {
        let min = m.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
        let max = m
            .get("maxItems")
            .and_then(Value::as_u64)
            .map_or(usize::MAX, |x| x as usize);
        let tuple = match (m.get("prefixItems"), m.get("items")) {
            (Some(Value::Array(p)), _) => Some(p.clone()),
            (_, Some(Value::Array(p))) => Some(p.clone()),
            _ => None,
        };
        let mut out = Vec::new();
        if let Some(parts) = tuple {
            for p in parts.iter().take(max) {
                out.push(self.make(p, mode, depth + 1)?);
            }
            return Some(Value::Array(out));
        }
        let n = if mode.full && depth < MAX_DEPTH / 2 {
            min.max(2)
        } else {
            min
        }
        .min(max)
        .min(64);
        let item = m.get("items").cloned().unwrap_or(json!({}));
        for k in 0..n {
            // Items differ (uniqueItems) by taking different branches.
            let im = Mode {
                full: mode.full && k == 0,
                branch: mode.branch + k,
            };
            out.push(self.make(&item, im, depth + 1)?);
        }
        Some(Value::Array(out))
    }

    fn object(&mut self, m: &Map<String, Value>, mode: Mode, depth: usize) -> Option<Value> {
        let props = m
            .get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let required: Vec<String> = m
            .get("required")
            .and_then(Value::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        let full = mode.full && depth < MAX_DEPTH / 2;
        let mut out = Map::new();
        for (k, ps) in &props {
            if !(full || required.contains(k)) {
                continue;
            }
            match self.make(ps, mode, depth + 1) {
                Some(v) => {
                    out.insert(k.clone(), v);
                }
                None if required.contains(k) => return None,
                None => {}
            }
        }
        for r in &required {
            if !out.contains_key(r) {
                let addl = m.get("additionalProperties").cloned().unwrap_or(json!({}));
                out.insert(r.clone(), self.make(&addl, mode, depth + 1)?);
            }
        }
        if full {
            match m.get("additionalProperties") {
                Some(Value::Bool(true)) => {
                    out.insert("unlistedKey".into(), json!("unlisted value"));
                }
                Some(a @ Value::Object(o)) if !o.is_empty() => {
                    if let Some(v) = self.make(a, mode, depth + 1) {
                        out.insert("unlistedKey".into(), v);
                    }
                }
                _ => {}
            }
        }
        Some(Value::Object(out))
    }
}

fn is_null(v: &Value) -> bool {
    v.get("type").and_then(Value::as_str) == Some("null")
}

/// An integer outside an `enum` of integers (and nulls): one above the largest.
fn int_outside(e: &Value) -> Option<Value> {
    let vals = e.as_array()?;
    let ints: Vec<i64> = vals.iter().filter_map(Value::as_i64).collect();
    let all = !ints.is_empty() && vals.iter().all(|v| v.is_i64() || v.is_null());
    all.then(|| ints.iter().max().and_then(|m| m.checked_add(1)))
        .flatten()
        .map(Value::from)
}

/// Instances the schema should reject, made from a valid one: each top-level required
/// property removed (the first), an `enum` property (strings or integers) given a value
/// outside it,
/// an unlisted property where `additionalProperties: false`. The caller keeps only
/// those the validator rejects.
fn negatives(schema: &Value, base: &Value) -> Vec<(String, Value)> {
    let g = Gen {
        root: schema,
        rng: 1,
        nodes: 0,
        hints: &[],
    };
    let m = g.flat(schema, 0);
    let mut out = Vec::new();
    if let Some(e) = m.get("enum") {
        out.push((
            "a value outside the enum".to_string(),
            int_outside(e).unwrap_or_else(|| json!("not-an-enum-value")),
        ));
    }
    let Some(obj) = base.as_object() else {
        return out;
    };
    if m.contains_key("oneOf") || m.contains_key("anyOf") {
        return out;
    }
    if let Some(req) = m.get("required").and_then(Value::as_array) {
        if let Some(r) = req.iter().filter_map(Value::as_str).next() {
            let mut bad = obj.clone();
            bad.remove(r);
            out.push((
                format!("required property `{r}` missing"),
                Value::Object(bad),
            ));
        }
    }
    if let Some(props) = m.get("properties").and_then(Value::as_object) {
        for (k, ps) in props {
            let pm = g.flat(ps, 0);
            let strings = pm
                .get("enum")
                .and_then(Value::as_array)
                .is_some_and(|e| e.iter().all(|v| v.is_string() || v.is_null()));
            let ints = pm.get("enum").and_then(int_outside);
            if (strings || ints.is_some()) && obj.contains_key(k) {
                let mut bad = obj.clone();
                bad.insert(
                    k.clone(),
                    ints.unwrap_or_else(|| json!("not-an-enum-value")),
                );
                out.push((format!("`{k}` outside its enum"), Value::Object(bad)));
                break;
            }
        }
    }
    if let Some(props) = m.get("properties").and_then(Value::as_object) {
        for (k, ps) in props {
            let pm = g.flat(ps, 0);
            if let Some(Value::String(c)) = pm.get("const") {
                if obj.contains_key(k) {
                    let mut bad = obj.clone();
                    bad.insert(k.clone(), json!(format!("{c}-not-the-const")));
                    out.push((format!("`{k}` other than its const"), Value::Object(bad)));
                    break;
                }
            }
        }
    }
    if m.get("additionalProperties") == Some(&Value::Bool(false)) {
        let mut bad = obj.clone();
        bad.insert("unexpectedField".into(), json!(1));
        out.push((
            "an unlisted property where additionalProperties is false".to_string(),
            Value::Object(bad),
        ));
    }
    out
}
