//! Seeds synthesised from the official schema itself: for the subschemas no corpus
//! document or relabelled seed reaches, build instances the schema accepts (following
//! `$ref`, `required`, `properties`, `enum`/`const`, a literal for a `pattern` or
//! `format`, `allOf`/`anyOf`/`oneOf` branches, `if`-`then`/`else`, `patternProperties`)
//! and place each at a slot of a valid document that can hold it (a property of an
//! object the document already has, or a new entry of a map). A synthesised document is
//! kept when the official schema and our rules both call it valid and it reaches a
//! constraint nothing reached before; the mutation machinery then treats it like any
//! other seed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use super::{Applies, Doc, Official, apply, beyond_schema, esc, get, get_mut, ours_errors};

/// Candidate instances kept per subschema.
const CAP: usize = 24;
/// Candidates tried per slot (a property or map entry of a document node).
const PER_SLOT: usize = 40;
/// A slot whose instances our rules reject this many times is given up.
const MAX_REJECTED_PER_SLOT: usize = 6;
/// Rounds: a round's seeds are the next round's base documents.
const ROUNDS: usize = 4;
/// Synthesised seeds kept per schema file, at most.
pub(super) const MAX_SYNTH_SEEDS: usize = 400;
/// Recursion guard (cycles are cut by the stack; this bounds long acyclic chains).
const MAX_DEPTH: usize = 48;

/// Strings tried for a `pattern` or a `patternProperties` key: the first the pattern
/// matches is used.
const LITERALS: &[&str] = &[
    "hnp",
    "hnp_a",
    "Hnp",
    "a",
    "x-hnp",
    "/hnp",
    "200",
    "2XX",
    "default",
    "3.1.0",
    "3.0.3",
    "1.2.3.4",
    "Bearer",
    "en",
    "en-US",
    "hnp.a",
    "application/json",
    "$message.payload#/hnp",
    "123e4567-e89b-12d3-a456-426614174000",
    "https://www.linkedin.com/in/hnp",
    "example.com",
    "example.com:8080",
    "schemas",
    "$ref",
    "type",
    "1",
    "hnp-a.b_c",
];

fn format_literal(format: &str) -> Option<&'static str> {
    Some(match format {
        "uri" | "iri" => "https://example.com/hnp",
        "uri-reference" | "iri-reference" => "https://example.com/hnp",
        "uri-template" => "https://example.com/{id}",
        "email" | "idn-email" => "hnp@example.com",
        "date-time" => "2024-01-01T00:00:00Z",
        "date" => "2024-01-01",
        "time" => "00:00:00Z",
        "uuid" => "123e4567-e89b-12d3-a456-426614174000",
        "regex" => "^hnp$",
        "hostname" | "idn-hostname" => "example.com",
        "ipv4" => "127.0.0.1",
        "ipv6" => "::1",
        "media-range" => "application/json",
        "json-pointer" => "/hnp",
        _ => return None,
    })
}

/// Deep merge: objects key by key; otherwise `b` wins.
fn merge(a: &Value, b: &Value) -> Value {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut r = x.clone();
            for (k, v) in y {
                let nv = match r.get(k) {
                    Some(old) => merge(old, v),
                    None => v.clone(),
                };
                r.insert(k.clone(), nv);
            }
            Value::Object(r)
        }
        _ => b.clone(),
    }
}

fn push_unique(out: &mut Vec<Value>, v: Value) {
    if !out.contains(&v) {
        out.push(v);
    }
}

/// Whether `v` holds a `$ref` anywhere (a Reference our rules must resolve).
fn has_ref(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.contains_key("$ref") || m.values().any(has_ref),
        Value::Array(a) => a.iter().any(has_ref),
        _ => false,
    }
}

pub(super) struct Synth {
    memo: HashMap<String, Vec<Value>>,
    stack: Vec<String>,
    /// The lowest stack index a cycle was cut at, below the current frame: a result
    /// computed with an ancestor cut out is not memoised (it lacks that recursion).
    low: usize,
    /// Subschemas evaluated (a bound on the work of mutually recursive schemas).
    calls: usize,
}

/// Subschema evaluations per schema file, at most.
const MAX_CALLS: usize = 60_000;

impl Synth {
    pub(super) fn new() -> Synth {
        Synth {
            memo: HashMap::new(),
            stack: Vec::new(),
            low: usize::MAX,
            calls: 0,
        }
    }

    fn literal(off: &mut Official, pattern: &str) -> Option<String> {
        LITERALS
            .iter()
            .find(|s| off.matches(pattern, s))
            .map(|s| s.to_string())
    }

    /// Instances the subschema at `ptr` accepts, most varied first (at most [`CAP`]).
    pub(super) fn synth(&mut self, off: &mut Official, ptr: &str) -> Vec<Value> {
        if let Some(v) = self.memo.get(ptr) {
            return v.clone();
        }
        if let Some(i) = self.stack.iter().position(|p| p == ptr) {
            self.low = self.low.min(i);
            return Vec::new();
        }
        if self.stack.len() > MAX_DEPTH || self.calls > MAX_CALLS {
            return Vec::new();
        }
        self.calls += 1;
        let depth = self.stack.len();
        let outer_low = std::mem::replace(&mut self.low, usize::MAX);
        self.stack.push(ptr.to_string());
        let out = self.inner(off, ptr);
        self.stack.pop();
        let inner_low = if self.low < depth {
            self.low
        } else {
            usize::MAX
        };
        if inner_low == usize::MAX {
            self.memo.insert(ptr.to_string(), out.clone());
        }
        self.low = outer_low.min(inner_low);
        out
    }

    fn inner(&mut self, off: &mut Official, ptr: &str) -> Vec<Value> {
        let m = match get(&off.root, ptr) {
            Some(Value::Object(m)) => m.clone(),
            Some(Value::Bool(true)) => return vec![json!({}), json!("hnp")],
            _ => return Vec::new(),
        };
        let base = off.base_at(ptr);
        let draft2020 = off.draft == jsonschema::Draft::Draft202012;
        let mut cands: Vec<Value> = Vec::new();
        let mut from_ref = false;
        if let Some(Value::String(r)) = m.get("$ref") {
            let Some((tp, _)) = off.resolve_ref(&base, r) else {
                return Vec::new();
            };
            let c = self.synth(off, &tp);
            if !draft2020 {
                return c;
            }
            cands = c;
            from_ref = true;
            if cands.is_empty() {
                return Vec::new();
            }
        }
        if m.contains_key("$dynamicRef") && !from_ref {
            cands.push(json!({}));
            from_ref = true;
        }
        if let Some(c) = m.get("const") {
            cands = vec![c.clone()];
        } else if let Some(Value::Array(e)) = m.get("enum") {
            cands = e.iter().take(CAP).cloned().collect();
        } else if !from_ref {
            for t in types_of(&m) {
                cands.extend(self.of_type(off, ptr, &m, t));
            }
        }
        // Applicators, in turn, on every candidate.
        if let Some(Value::Array(all)) = m.get("allOf") {
            for i in 0..all.len() {
                cands = self.conform(off, &format!("{ptr}/allOf/{i}"), cands, true, 2);
            }
        }
        for kw in ["anyOf", "oneOf"] {
            if let Some(Value::Array(bs)) = m.get(kw) {
                // Each branch's instances, interleaved (so that a cap keeps every branch).
                let mut per_branch = Vec::new();
                for i in 0..bs.len() {
                    let bp = format!("{ptr}/{kw}/{i}");
                    per_branch.push(self.conform(off, &bp, cands.clone(), false, 8));
                }
                let mut next = Vec::new();
                let longest = per_branch.iter().map(Vec::len).max().unwrap_or(0);
                for j in 0..longest {
                    for b in &per_branch {
                        if let Some(v) = b.get(j) {
                            push_unique(&mut next, v.clone());
                        }
                    }
                }
                cands = next;
            }
        }
        if m.contains_key("if") {
            cands = self.if_then(off, ptr, &m, cands);
        }
        if let Some(Value::Object(deps)) = m.get("dependencies") {
            let mut next = Vec::new();
            for c in cands {
                let mut c = c;
                for (k, dep) in deps {
                    if c.get(k).is_none() {
                        continue;
                    }
                    match dep {
                        Value::Array(needs) => {
                            if let Some(o) = c.as_object_mut() {
                                for n in needs.iter().filter_map(Value::as_str) {
                                    o.entry(n.to_string()).or_insert(json!("hnp"));
                                }
                            }
                        }
                        Value::Object(_) => {
                            let dp = format!("{ptr}/dependencies/{}", esc(k));
                            if let Some(a) = self.synth(off, &dp).first() {
                                c = merge(&c, a);
                            }
                        }
                        _ => {}
                    }
                }
                next.push(c);
            }
            cands = next;
        }
        for key in ["examples", "default"] {
            match (key, m.get(key)) {
                ("examples", Some(Value::Array(ex))) => {
                    for e in ex.iter().take(4) {
                        push_unique(&mut cands, e.clone());
                    }
                }
                ("default", Some(d)) => push_unique(&mut cands, d.clone()),
                _ => {}
            }
        }
        let needs_check = from_ref
            || [
                "allOf",
                "anyOf",
                "oneOf",
                "not",
                "if",
                "dependencies",
                "properties",
                "required",
                "additionalProperties",
                "patternProperties",
                "items",
                "minItems",
                "uniqueItems",
                "minProperties",
                "examples",
                "default",
                "propertyNames",
                "unevaluatedProperties",
            ]
            .iter()
            .any(|k| m.contains_key(*k));
        let mut out: Vec<Value> = Vec::new();
        for c in cands {
            if out.len() >= CAP {
                break;
            }
            if out.contains(&c) || (needs_check && !off.branch_valid(ptr, &c)) {
                continue;
            }
            out.push(c);
        }
        // Candidates without a Reference first: our rules resolve every `$ref`.
        out.sort_by_key(has_ref);
        out
    }

    /// Each candidate made valid for the subschema at `bp` (merged with one of its
    /// instances when it is not already): the candidate itself when valid, and the
    /// richest merge that is (`keep_plain`: both, for `allOf`).
    fn conform(
        &mut self,
        off: &mut Official,
        bp: &str,
        cands: Vec<Value>,
        keep_plain: bool,
        per: usize,
    ) -> Vec<Value> {
        let alts = self.synth(off, bp);
        let mut out = Vec::new();
        for c in cands {
            let plain = off.branch_valid(bp, &c);
            let mut merged = 0;
            for a in alts.iter() {
                if merged >= per {
                    break;
                }
                let mm = merge(&c, a);
                if mm != c && !out.contains(&mm) && off.branch_valid(bp, &mm) {
                    out.push(mm);
                    merged += 1;
                }
            }
            if plain && (keep_plain || merged == 0) {
                push_unique(&mut out, c);
            } else if !plain && merged == 0 {
                // A `not: {required: [...]}` branch: drop the keys it forbids.
                let forbidden: Vec<String> = get(&off.root, &format!("{bp}/not/required"))
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect();
                if let (false, Value::Object(o)) = (forbidden.is_empty(), &c) {
                    let mut o = o.clone();
                    for k in &forbidden {
                        o.remove(k);
                    }
                    let repaired = Value::Object(o);
                    if off.branch_valid(bp, &repaired) {
                        push_unique(&mut out, repaired);
                    }
                }
            }
            if out.len() >= CAP * 2 {
                break;
            }
        }
        out
    }

    fn if_then(
        &mut self,
        off: &mut Official,
        ptr: &str,
        m: &Map<String, Value>,
        cands: Vec<Value>,
    ) -> Vec<Value> {
        let ifp = format!("{ptr}/if");
        let thenp = format!("{ptr}/then");
        let elsep = format!("{ptr}/else");
        let if_alts = self.synth(off, &ifp);
        let mut out = Vec::new();
        for c in cands {
            // As it is, and made to satisfy `if` (to reach `then`).
            let mut variants = vec![c.clone()];
            for a in if_alts.iter().take(2) {
                let mm = merge(&c, a);
                if mm != c {
                    variants.push(mm);
                }
            }
            for v in variants {
                let branch = if off.branch_valid(&ifp, &v) {
                    m.contains_key("then").then_some(&thenp)
                } else {
                    m.contains_key("else").then_some(&elsep)
                };
                match branch {
                    Some(bp) => {
                        for x in self.conform(off, bp, vec![v], true, 4) {
                            push_unique(&mut out, x);
                        }
                    }
                    None => push_unique(&mut out, v),
                }
            }
            if out.len() >= CAP * 2 {
                break;
            }
        }
        out
    }

    fn of_type(
        &mut self,
        off: &mut Official,
        ptr: &str,
        m: &Map<String, Value>,
        t: &str,
    ) -> Vec<Value> {
        match t {
            "object" => self.object(off, ptr, m),
            "array" => self.array(off, ptr, m),
            "string" => {
                let mut s = if let Some(Value::String(p)) = m.get("pattern") {
                    match Self::literal(off, p) {
                        Some(s) => s,
                        None => return Vec::new(),
                    }
                } else if let Some(f) = m.get("format").and_then(Value::as_str) {
                    format_literal(f).unwrap_or("hnp").to_string()
                } else {
                    "hnp".to_string()
                };
                let min = m.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
                while s.chars().count() < min {
                    s.push('a');
                }
                if let Some(max) = m.get("maxLength").and_then(Value::as_u64) {
                    s = s.chars().take(max as usize).collect();
                }
                vec![json!(s)]
            }
            "integer" | "number" => {
                let mut n = 1i64;
                if let Some(x) = m.get("minimum").and_then(Value::as_f64) {
                    n = x.ceil() as i64;
                }
                if let Some(x) = m.get("exclusiveMinimum").and_then(Value::as_f64) {
                    n = x.floor() as i64 + 1;
                }
                if let Some(x) = m.get("maximum").and_then(Value::as_f64) {
                    n = n.min(x.floor() as i64);
                }
                vec![json!(n)]
            }
            "boolean" => vec![json!(true), json!(false)],
            "null" => vec![Value::Null],
            _ => Vec::new(),
        }
    }

    fn object(&mut self, off: &mut Official, ptr: &str, m: &Map<String, Value>) -> Vec<Value> {
        let required: Vec<String> = m
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        let mut children: Vec<(String, Vec<Value>)> = Vec::new();
        if let Some(Value::Object(props)) = m.get("properties") {
            for k in props.keys() {
                let alts = self.synth(off, &format!("{ptr}/properties/{}", esc(k)));
                children.push((k.clone(), alts));
            }
        }
        if let Some(Value::Object(pp)) = m.get("patternProperties") {
            for pat in pp.keys() {
                if pat.starts_with("^x-") {
                    continue;
                }
                let Some(key) = Self::literal(off, pat) else {
                    continue;
                };
                if children.iter().any(|(k, _)| *k == key) {
                    continue;
                }
                let alts = self.synth(off, &format!("{ptr}/patternProperties/{}", esc(pat)));
                children.push((key, alts));
            }
        }
        if children.is_empty() {
            if let Some(Value::Object(_)) = m.get("additionalProperties") {
                let alts = self.synth(off, &format!("{ptr}/additionalProperties"));
                children.push(("hnp".to_string(), alts));
            }
        }
        let mut minimal = Map::new();
        for r in &required {
            let v = children
                .iter()
                .find(|(k, _)| k == r)
                .and_then(|(_, a)| a.first().cloned())
                .unwrap_or_else(|| json!("hnp"));
            minimal.insert(r.clone(), v);
        }
        let mut full = minimal.clone();
        for (k, alts) in &children {
            if let Some(a) = alts.iter().find(|a| !has_ref(a)).or(alts.first()) {
                full.insert(k.clone(), a.clone());
            }
        }
        let mut out = vec![Value::Object(full.clone()), Value::Object(minimal.clone())];
        // One property varied at a time, in the full instance and alone.
        for (k, alts) in &children {
            for a in alts.iter().skip(1) {
                let mut v = full.clone();
                v.insert(k.clone(), a.clone());
                push_unique(&mut out, Value::Object(v));
            }
        }
        for (k, alts) in &children {
            if let Some(a) = alts.first() {
                let mut v = minimal.clone();
                v.insert(k.clone(), a.clone());
                push_unique(&mut out, Value::Object(v));
            }
        }
        out.truncate(CAP * 2);
        out
    }

    fn array(&mut self, off: &mut Official, ptr: &str, m: &Map<String, Value>) -> Vec<Value> {
        let n = m
            .get("minItems")
            .and_then(Value::as_u64)
            .unwrap_or(1)
            .max(1) as usize;
        let unique = m.get("uniqueItems") == Some(&Value::Bool(true));
        match m.get("items") {
            Some(Value::Array(list)) => {
                let mut v = Vec::new();
                for i in 0..list.len() {
                    match self.synth(off, &format!("{ptr}/items/{i}")).first() {
                        Some(a) => v.push(a.clone()),
                        None => break,
                    }
                }
                vec![Value::Array(v)]
            }
            Some(items) if items.is_object() || items.is_boolean() => {
                let alts = self.synth(off, &format!("{ptr}/items"));
                let mut out = Vec::new();
                if alts.is_empty() {
                    return out;
                }
                let first: Vec<Value> = if unique {
                    if alts.len() < n {
                        return out;
                    }
                    alts.iter().take(n).cloned().collect()
                } else {
                    std::iter::repeat_n(alts[0].clone(), n).collect()
                };
                out.push(Value::Array(first));
                if n == 1 {
                    for a in alts.iter().skip(1) {
                        out.push(json!([a]));
                    }
                }
                out
            }
            _ => vec![json!(["hnp"]), json!([])],
        }
    }
}

/// The types a subschema admits (declared, else inferred from its keywords).
fn types_of(m: &Map<String, Value>) -> Vec<&'static str> {
    const ALL: &[&str] = &[
        "object", "array", "string", "integer", "number", "boolean", "null",
    ];
    let pick = |t: &str| ALL.iter().copied().find(|a| *a == t);
    match m.get("type") {
        Some(Value::String(t)) => return pick(t).into_iter().collect(),
        Some(Value::Array(ts)) => {
            let mut v: Vec<&str> = ts
                .iter()
                .filter_map(Value::as_str)
                .filter_map(pick)
                .collect();
            // Objects first: they reach the most.
            v.sort_by_key(|t| *t != "object");
            return v;
        }
        _ => {}
    }
    let has = |ks: &[&str]| ks.iter().any(|k| m.contains_key(*k));
    if has(&[
        "properties",
        "required",
        "patternProperties",
        "additionalProperties",
        "minProperties",
        "dependencies",
        "propertyNames",
    ]) {
        vec!["object"]
    } else if has(&["items", "minItems", "uniqueItems", "prefixItems"]) {
        vec!["array"]
    } else if has(&["pattern", "format", "minLength", "maxLength"]) {
        vec!["string"]
    } else if has(&["minimum", "maximum", "exclusiveMinimum", "multipleOf"]) {
        vec!["number"]
    } else if has(&["allOf", "anyOf", "oneOf", "if", "not"]) {
        // Shaped by its applicators: start from an empty object (a branch's instance
        // replaces it when the branch is not an object).
        vec!["object"]
    } else {
        vec!["object", "string"]
    }
}

/// Subschemas statically reachable from `ptr` (through `$ref` and every subschema
/// keyword).
pub(super) fn reach(
    off: &Official,
    ptr: &str,
    memo: &mut HashMap<String, HashSet<String>>,
) -> HashSet<String> {
    if let Some(r) = memo.get(ptr) {
        return r.clone();
    }
    let mut seen: HashSet<String> = HashSet::new();
    let mut todo = vec![ptr.to_string()];
    while let Some(p) = todo.pop() {
        if !seen.insert(p.clone()) {
            continue;
        }
        let Some(Value::Object(m)) = get(&off.root, &p) else {
            continue;
        };
        if let Some(Value::String(r)) = m.get("$ref") {
            if let Some((tp, _)) = off.resolve_ref(&off.base_at(&p), r) {
                todo.push(tp);
            }
        }
        for (k, v) in m {
            let kp = format!("{p}/{}", esc(k));
            if super::SCHEMA_MAPS.contains(&k.as_str()) && k != "definitions" && k != "$defs"
                || (k == "dependencies" && v.is_object())
            {
                if let Value::Object(sub) = v {
                    for name in sub.keys() {
                        todo.push(format!("{kp}/{}", esc(name)));
                    }
                }
            } else if super::SCHEMA_ONE.contains(&k.as_str()) && v.is_object() {
                todo.push(kp);
            } else if super::SCHEMA_LIST.contains(&k.as_str()) {
                if let Value::Array(items) = v {
                    for i in 0..items.len() {
                        todo.push(format!("{kp}/{i}"));
                    }
                }
            }
        }
    }
    memo.insert(ptr.to_string(), seen.clone());
    seen
}

/// What became of the synthesis, per schema file (for the report).
#[derive(Default)]
pub(super) struct SynthReport {
    pub tried: usize,
    pub official_invalid: usize,
    /// Officially valid documents our rules reject: rule → (count, example).
    pub ours_rejected: BTreeMap<String, (usize, String)>,
    pub kept: usize,
    /// Constraint subschema pointers reached only by documents our rules reject.
    pub reached_by_rejected: HashSet<String>,
    /// Our errors on officially valid documents that no [`super::BEYOND_SCHEMA`] entry
    /// explains: false alarms.
    pub stricter: Vec<String>,
}

/// At most this many false alarms are kept per schema for the report.
const MAX_STRICTER: usize = 20;

/// Grow `docs` with synthesised seeds until the unreached constraints (`unreached`: the
/// subschema pointers holding them) stop shrinking.
pub(super) fn expand(
    off: &mut Official,
    docs: &mut Vec<Doc>,
    unreached: &mut HashSet<String>,
    tmp: &Path,
    schema: &str,
) -> SynthReport {
    let mut rep = SynthReport::default();
    let mut synth = Synth::new();
    let mut reach_memo = HashMap::new();
    let mut tried_slots: HashMap<String, usize> = HashMap::new();
    // Base documents: the smallest few (cheap to mutate), then each round's new seeds.
    let mut order: Vec<usize> = (0..docs.len()).collect();
    order.sort_by_key(|&i| docs[i].value.to_string().len());
    let mut bases: Vec<usize> = order.into_iter().take(6).collect();
    for round in 0..ROUNDS {
        let before = docs.len();
        for &bi in &bases {
            let (base_value, mut pairs): (Value, Vec<(String, String)>) = {
                let d = &docs[bi];
                (d.value.clone(), d.applies.pairs.iter().cloned().collect())
            };
            pairs.sort();
            for (sp, ip) in pairs {
                if unreached.is_empty() || rep.kept >= MAX_SYNTH_SEEDS {
                    return rep;
                }
                let Some(Value::Object(inst)) = get(&base_value, &ip) else {
                    continue;
                };
                let Some(Value::Object(m)) = get(&off.root, &sp).cloned() else {
                    continue;
                };
                let mut slots: Vec<(String, String)> = Vec::new();
                if let Some(Value::Object(props)) = m.get("properties") {
                    for k in props.keys() {
                        slots.push((format!("{sp}/properties/{}", esc(k)), k.clone()));
                    }
                }
                if let Some(Value::Object(pp)) = m.get("patternProperties") {
                    for pat in pp.keys().filter(|p| !p.starts_with("^x-")) {
                        if let Some(key) = Synth::literal(off, pat) {
                            let key = if inst.contains_key(&key) {
                                format!("{key}hnp")
                            } else {
                                key
                            };
                            if off.matches(pat, &key) {
                                slots.push((format!("{sp}/patternProperties/{}", esc(pat)), key));
                            }
                        }
                    }
                }
                if m.get("additionalProperties").is_some_and(Value::is_object) {
                    slots.push((format!("{sp}/additionalProperties"), "hnpSynth".to_string()));
                }
                for (slot, key) in slots {
                    if tried_slots.get(&slot).copied().unwrap_or(0) >= 2 {
                        continue;
                    }
                    let r = reach(off, &slot, &mut reach_memo);
                    if !r.iter().any(|p| unreached.contains(p)) {
                        continue;
                    }
                    *tried_slots.entry(slot.clone()).or_default() += 1;
                    let alts = synth.synth(off, &slot);
                    let mut kept_here = false;
                    let mut rejected_here = 0;
                    for (n, v) in alts.into_iter().take(PER_SLOT).enumerate() {
                        rep.tried += 1;
                        // What the new value reaches, from its slot (cheap: the rest of
                        // the document is unchanged).
                        let vp = format!("{ip}/{}", esc(&key));
                        let mut local = Applies {
                            pairs: HashSet::new(),
                            sites: HashMap::new(),
                        };
                        let slot_base = off.base_at(&slot);
                        apply(off, &slot, &slot_base, &v, &vp, &mut local, 0);
                        if !local.sites.keys().any(|s| unreached.contains(s)) {
                            continue;
                        }
                        let mut d = base_value.clone();
                        let Some(Value::Object(t)) = get_mut(&mut d, &ip) else {
                            continue;
                        };
                        t.insert(key.clone(), v);
                        if !off.validator.is_valid(&d) {
                            rep.official_invalid += 1;
                            continue;
                        }
                        let mut applies = Applies {
                            pairs: HashSet::new(),
                            sites: HashMap::new(),
                        };
                        apply(off, "", "", &d, "", &mut applies, 0);
                        let gain: Vec<String> = applies
                            .sites
                            .keys()
                            .filter(|s| unreached.contains(*s))
                            .cloned()
                            .collect();
                        if gain.is_empty() {
                            continue;
                        }
                        // Only a document that reaches something new is worth our rules'
                        // verdict (the slow step).
                        let errors = ours_errors(&d, tmp);
                        for (rule, ptr, msg) in &errors {
                            if !beyond_schema(rule, msg) && rep.stricter.len() < MAX_STRICTER {
                                rep.stricter.push(format!(
                                    "{rule} at {ptr}: {msg} (slot {slot}; document {})",
                                    serde_json::to_string(&d).unwrap_or_default()
                                ));
                            }
                        }
                        if let Some((rule, ptr, msg)) = errors.into_iter().next() {
                            let e = rep
                                .ours_rejected
                                .entry(rule.clone())
                                .or_insert((0, String::new()));
                            e.0 += 1;
                            if e.1.is_empty() {
                                e.1 = format!("{rule} at {ptr}: {msg} (slot {slot})");
                            }
                            rep.reached_by_rejected.extend(gain);
                            rejected_here += 1;
                            if rejected_here >= MAX_REJECTED_PER_SLOT {
                                // The slot's instances trip the same rule of ours.
                                break;
                            }
                            continue;
                        }
                        for g in &gain {
                            unreached.remove(g);
                        }
                        rep.kept += 1;
                        kept_here = true;
                        docs.push(Doc {
                            path: PathBuf::from(format!(
                                "seed/{schema}/synth-r{round}-{}-{n}",
                                docs.len()
                            )),
                            value: d,
                            applies,
                        });
                    }
                    if std::env::var_os("HNP_SYNTH_TRACE").is_some() {
                        println!(
                            "synth {schema} r{round} slot {slot} at {ip}/{key}: {} alternatives, kept {kept_here}",
                            synth.synth(off, &slot).len()
                        );
                    }
                    if kept_here {
                        tried_slots.insert(slot, 2);
                    }
                }
            }
        }
        if docs.len() == before {
            break;
        }
        bases = (before..docs.len()).collect();
    }
    rep
}
