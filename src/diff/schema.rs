//! The JSON Schema compatibility engine: given two schemas, decide whether every
//! instance valid under one is valid under the other, and say why not.
//!
//! [`subset`] proves `L(left) ⊆ L(right)` keyword by keyword; [`compare`] runs it both
//! ways for an old and a new schema:
//! - **readers** (`old ⊆ new`, "backward"): data written with the old schema still
//!   validates under the new one — what a reader on the new schema needs;
//! - **writers** (`new ⊆ old`, "forward"): data written with the new schema validates
//!   under the old one — what readers still on the old schema need.
//!
//! Soundness is the contract (tested against the `jsonschema` crate by a property
//! test): an empty issue list is a proof. Whatever the engine cannot decide (a changed
//! `pattern`, `not`, `if`/`then`/`else`, an unknown keyword) is an [`Effect::Unknown`]
//! issue, never silence. A proof may fail where a cleverer one would succeed (then an
//! issue is reported that a person must judge): the engine is conservative, not exact.
//!
//! `$ref`s are followed through a [`Resolver`] per side (the two sides usually live in
//! different revisions); recursion is handled coinductively: a pair of schemas met again
//! below itself after descending into the instance is assumed compatible (instances are
//! finite, so any counterexample would have shown up at the shallower level).
//!
//! This module knows nothing of documents, messages or directions of a contract.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

/// How to read a schema's keywords.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// OpenAPI 3.0 Schema Object: `nullable`, boolean `exclusiveMinimum`, siblings of
    /// `$ref` ignored.
    OpenApi30,
    /// Draft 4–7 (Swagger 2.0, AsyncAPI Schema): siblings of `$ref` ignored, `items`
    /// arrays are tuples with `additionalItems`.
    Draft7,
    /// Draft 2020-12 (OpenAPI 3.1): `$ref` is one keyword among others, `prefixItems`.
    Draft2020,
}

/// Resolves `$ref` strings of one side (one revision).
pub trait Resolver {
    /// The target of `raw` found in `file`: its file, JSON pointer and value.
    fn resolve(&self, file: u32, raw: &str) -> Option<(u32, String, &Value)>;
}

/// One side of a comparison: how its refs resolve and which dialect it is written in.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub resolver: &'a dyn Resolver,
    pub dialect: Dialect,
}

/// Where a schema is: a file of its side and a JSON pointer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Loc {
    pub file: u32,
    pub pointer: String,
}

impl Loc {
    pub fn new(file: u32, pointer: impl Into<String>) -> Self {
        Loc {
            file,
            pointer: pointer.into(),
        }
    }

    fn child(&self, tokens: &[&str]) -> Loc {
        let mut p = self.pointer.clone();
        for t in tokens {
            p.push('/');
            p.push_str(&t.replace('~', "~0").replace('/', "~1"));
        }
        Loc::new(self.file, p)
    }
}

/// How sure an issue is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Effect {
    /// Some instance valid on one side is invalid on the other (or the engine cannot
    /// prove otherwise for a change that usually is breaking).
    Breaking,
    /// The engine cannot decide (e.g. a changed `pattern`).
    Unknown,
}

/// One reason a proof of `L(left) ⊆ L(right)` failed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Issue {
    pub effect: Effect,
    /// Where in the old schema (the nearest schema object).
    pub old: Loc,
    /// Where in the new schema.
    pub new: Loc,
    /// The instance location the issue is about, as a JSON pointer (`/items/0/id`;
    /// `*` stands for any other property name or position).
    pub at: String,
    /// What changed, phrased from old to new (`enum value "x" removed`).
    pub message: String,
}

/// The verdict on an old/new pair of schemas.
#[derive(Debug, Clone, Default)]
pub struct Comparison {
    /// Why some instance valid under the old schema may be invalid under the new one
    /// (breaks readers on the new schema fed by writers still on the old one).
    pub readers: Vec<Issue>,
    /// Why some instance valid under the new schema may be invalid under the old one
    /// (breaks readers still on the old schema fed by writers on the new one).
    pub writers: Vec<Issue>,
}

impl Comparison {
    /// Every instance valid under the old schema validates under the new one.
    pub fn readers_compatible(&self) -> bool {
        self.readers.is_empty()
    }

    /// Every instance valid under the new schema validates under the old one.
    pub fn writers_compatible(&self) -> bool {
        self.writers.is_empty()
    }
}

/// Compare an old and a new schema both ways.
pub fn compare(old: Side<'_>, o: (&Loc, &Value), new: Side<'_>, n: (&Loc, &Value)) -> Comparison {
    Comparison {
        readers: subset(old, o, new, n, true),
        writers: subset(new, n, old, o, false),
    }
}

/// Why `L(left) ⊆ L(right)` could not be proven (empty: proven). `left_is_old` phrases
/// the messages from old to new and places the issues' locations.
pub fn subset(
    left: Side<'_>,
    l: (&Loc, &Value),
    right: Side<'_>,
    r: (&Loc, &Value),
    left_is_old: bool,
) -> Vec<Issue> {
    subset_with(left, l, right, r, left_is_old, &mut Proven::default())
}

/// Pairs of schemas proven `L(left) ⊆ L(right)`, and pairs whose proof failed, kept
/// across comparisons of the same two revisions (keyed by the values' addresses and
/// the two dialects), so schemas shared by many operations are compared once: without
/// it, a document whose schemas all reach each other costs a walk of the whole graph
/// per occurrence.
#[derive(Debug, Default)]
pub struct Proven {
    sets: HashMap<(Dialect, Dialect), HashSet<(usize, usize)>>,
    failed: HashMap<(Dialect, Dialect, bool), Failed>,
    compared: usize,
}

/// Failed pairs by the two values' addresses.
type Failed = HashMap<(usize, usize), Failure>;

impl Proven {
    /// How many schema pairs were compared keyword by keyword (not answered from a
    /// cache, nor assumed) with this `Proven`: what the comparison costs.
    pub fn pairs_compared(&self) -> usize {
        self.compared
    }
}

/// A pair whose proof failed for reasons that do not depend on where it was met:
/// its issues with instance locations relative to the pair (`""` is the pair's own
/// value), the [`FAILURE_ISSUES`] nearest the pair's value, and what was left out.
#[derive(Debug, Clone)]
struct Failure {
    issues: Vec<Issue>,
    omitted: Option<(Effect, usize)>,
}

/// Issues kept per failed pair for reuse.
const FAILURE_ISSUES: usize = 8;

/// Messages of issues that depend on where a pair was met (the step budget, the
/// nesting, the pairs in progress), not on the pair: a failure made only of these is
/// not cached.
const TOO_LARGE: &str = "the schemas are too large or too deeply nested to compare";
const SELF_REFERENCE: &str = "a schema refers to itself without describing any part of the value";
const SELF_INCLUSION: &str =
    "the schema includes itself through `allOf`/`$ref`, or nests them too deeply to compare";

fn contextual(i: &Issue) -> bool {
    i.effect == Effect::Unknown
        && (i.message == TOO_LARGE || i.message == SELF_REFERENCE || i.message == SELF_INCLUSION)
}

/// [`subset`], reusing and extending `proven` (the two sides must be the same
/// revisions, unchanged, on every call with one `Proven`).
pub fn subset_with(
    left: Side<'_>,
    l: (&Loc, &Value),
    right: Side<'_>,
    r: (&Loc, &Value),
    left_is_old: bool,
    proven: &mut Proven,
) -> Vec<Issue> {
    subset_skipping(left, l, right, r, left_is_old, None, proven)
}

/// [`subset_with`] where properties flagged `skip: true` (in the old or the new
/// schema) do not exist: OpenAPI's `writeOnly` properties are never in a response
/// and `readOnly` ones never in a request ("SHOULD NOT be sent"), and their
/// `required` applies only to the other direction. One `proven` must serve one
/// `skip` value.
pub fn subset_skipping(
    left: Side<'_>,
    l: (&Loc, &Value),
    right: Side<'_>,
    r: (&Loc, &Value),
    left_is_old: bool,
    skip: Option<&'static str>,
    proven: &mut Proven,
) -> Vec<Issue> {
    let key = (left.dialect, right.dialect);
    let fkey = (left.dialect, right.dialect, left_is_old);
    let mut c = Checker {
        l: left,
        r: right,
        left_is_old,
        skip,
        stack: HashMap::new(),
        proven: std::mem::take(proven.sets.entry(key).or_default()),
        failed: std::mem::take(proven.failed.entry(fkey).or_default()),
        compared: 0,
        steps: 0,
        low: usize::MAX,
        tentative: Vec::new(),
        nest: Vec::new(),
        types_done: HashMap::new(),
        types_busy: HashSet::new(),
    };
    let mut out = c.sub(&Node::at(l.0, l.1), &Node::at(r.0, r.1), "", 0);
    proven.sets.insert(key, c.proven);
    proven.failed.insert(fkey, c.failed);
    proven.compared += c.compared;
    dedup(&mut out);
    out
}

/// An issue's instance location relative to `at` (where its pair was met).
fn relative_at(issue_at: &str, at: &str) -> Option<String> {
    if at.is_empty() {
        return Some(if issue_at == "/" {
            String::new()
        } else {
            issue_at.to_string()
        });
    }
    let rest = issue_at.strip_prefix(at)?;
    (rest.is_empty() || rest.starts_with('/')).then(|| rest.to_string())
}

/// A relative instance location (see [`relative_at`]) placed below `at`.
fn absolute_at(at: &str, rel: &str) -> String {
    let s = format!("{at}{rel}");
    if s.is_empty() { "/".into() } else { s }
}

fn dedup(v: &mut Vec<Issue>) {
    let mut seen = HashSet::new();
    v.retain(|i| seen.insert(i.clone()));
}

/// Pairs of schemas compared before giving up with an [`Effect::Unknown`] (nested
/// `anyOf`s can make the search exponential).
const MAX_STEPS: usize = 50_000;
/// Deepest nesting of schemas followed.
const MAX_DEPTH: usize = 128;

/// Keywords that annotate and never reject an instance.
const ANNOTATIONS: &[&str] = &[
    "title",
    "description",
    "default",
    "examples",
    "example",
    "deprecated",
    "readOnly",
    "writeOnly",
    "$comment",
    "$id",
    "$schema",
    "$anchor",
    "$dynamicAnchor",
    "$defs",
    "definitions",
    "$vocabulary",
    "externalDocs",
    "xml",
    "discriminator",
    "contentEncoding",
    "contentMediaType",
    "contentSchema",
    "nullable",
    "id",
];

/// Keywords whose meaning this engine understands.
const HANDLED: &[&str] = &[
    "type",
    "enum",
    "const",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "items",
    "prefixItems",
    "additionalItems",
    "minItems",
    "maxItems",
    "uniqueItems",
    "contains",
    "minContains",
    "maxContains",
    "properties",
    "required",
    "additionalProperties",
    "patternProperties",
    "propertyNames",
    "minProperties",
    "maxProperties",
    "allOf",
    "anyOf",
    "oneOf",
    "$ref",
];

// ---- type sets ----

const T_NULL: u8 = 1;
const T_BOOL: u8 = 2;
const T_OBJ: u8 = 4;
const T_ARR: u8 = 8;
const T_STR: u8 = 16;
/// Numbers that are not integers.
const T_FRAC: u8 = 32;
const T_INT: u8 = 64;
const T_NUM: u8 = T_FRAC | T_INT;
const T_ALL: u8 = 127;

fn type_bits(name: &str) -> Option<u8> {
    Some(match name {
        "null" => T_NULL,
        "boolean" => T_BOOL,
        "object" => T_OBJ,
        "array" => T_ARR,
        "string" => T_STR,
        "number" => T_NUM,
        "integer" => T_INT,
        _ => return None,
    })
}

fn type_names(bits: u8) -> String {
    let mut v = Vec::new();
    for (b, n) in [
        (T_NULL, "null"),
        (T_BOOL, "boolean"),
        (T_OBJ, "object"),
        (T_ARR, "array"),
        (T_STR, "string"),
    ] {
        if bits & b != 0 {
            v.push(n);
        }
    }
    if bits & T_NUM == T_NUM {
        v.push("number");
    } else if bits & T_INT != 0 {
        v.push("integer");
    } else if bits & T_FRAC != 0 {
        v.push("non-integer number");
    }
    if bits == T_ALL {
        return "any type".to_string();
    }
    if v.is_empty() {
        return "no type".to_string();
    }
    v.join(" | ")
}

/// A count as (old, new), given as (left, right).
fn o_n(left_is_old: bool, l: f64, r: f64) -> (f64, f64) {
    if left_is_old { (l, r) } else { (r, l) }
}

/// The type of a JSON value (integers include `1.0`, as JSON Schema counts them).
fn value_bits(v: &Value) -> u8 {
    match v {
        Value::Null => T_NULL,
        Value::Bool(_) => T_BOOL,
        Value::Object(_) => T_OBJ,
        Value::Array(_) => T_ARR,
        Value::String(_) => T_STR,
        Value::Number(n) => {
            if n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0) {
                T_INT
            } else {
                T_FRAC
            }
        }
    }
}

/// JSON equality as JSON Schema defines it (`1 == 1.0`).
pub fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            if let (Some(i), Some(j)) = (x.as_i64(), y.as_i64()) {
                return i == j;
            }
            if let (Some(i), Some(j)) = (x.as_u64(), y.as_u64()) {
                return i == j;
            }
            match (x.as_f64(), y.as_f64()) {
                (Some(f), Some(g)) => f == g,
                _ => false,
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        let cut: String = s.chars().take(57).collect();
        format!("{cut}…")
    } else {
        s
    }
}

// ---- nodes ----

/// A schema value and where it is.
#[derive(Debug, Clone)]
struct Node<'a> {
    loc: Loc,
    v: &'a Value,
}

impl<'a> Node<'a> {
    fn at(loc: &Loc, v: &'a Value) -> Self {
        Node {
            loc: loc.clone(),
            v,
        }
    }

    fn obj(&self) -> Option<&'a Map<String, Value>> {
        self.v.as_object()
    }

    fn get(&self, k: &str) -> Option<&'a Value> {
        self.obj()?.get(k)
    }

    fn child(&self, tokens: &[&str], v: &'a Value) -> Node<'a> {
        Node {
            loc: self.loc.child(tokens),
            v,
        }
    }

    fn kw(&self, k: &str) -> Option<Node<'a>> {
        self.get(k).map(|v| self.child(&[k], v))
    }

    fn num(&self, k: &str) -> Option<f64> {
        self.get(k).and_then(Value::as_f64)
    }

    fn is_false(&self) -> bool {
        self.v == &Value::Bool(false)
    }

    /// No keyword here rejects anything (`true`, `{}`, annotations only).
    fn is_trivial(&self) -> bool {
        match self.v {
            Value::Bool(b) => *b,
            Value::Object(m) => m
                .keys()
                .all(|k| k.starts_with("x-") || ANNOTATIONS.contains(&k.as_str())),
            _ => true,
        }
    }
}

static EMPTY: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);

/// A `true` schema to compare against absent keywords.
static TRUE: Value = Value::Bool(true);

/// Lower or upper bound: value and whether it is exclusive.
type Bound = Option<(f64, bool)>;

/// `a` is at least as tight as `b` (for a lower bound when `lower`).
fn bound_within(a: Bound, b: Bound, lower: bool) -> bool {
    match (a, b) {
        (_, None) => true,
        (None, Some(_)) => false,
        (Some((av, ax)), Some((bv, bx))) => {
            if av == bv {
                ax || !bx
            } else if lower {
                av > bv
            } else {
                av < bv
            }
        }
    }
}

fn show_bound(b: Bound, lower: bool) -> String {
    match b {
        None => "none".to_string(),
        Some((v, x)) => {
            let op = match (lower, x) {
                (true, true) => ">",
                (true, false) => "≥",
                (false, true) => "<",
                (false, false) => "≤",
            };
            format!("{op} {}", fmt_num(v))
        }
    }
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

struct Checker<'a> {
    l: Side<'a>,
    r: Side<'a>,
    left_is_old: bool,
    /// Properties whose schema (on either side) sets this keyword to `true` are left
    /// out, with their `required` (see [`subset_skipping`]).
    skip: Option<&'static str>,
    /// Pairs being compared (keyed by their locations after following `$ref`s), with
    /// the instance depth at which they were entered.
    /// Keyed by the values' addresses: a synthetic `true` (an absent keyword) shares
    /// its parent's location, never its address.
    /// The value is the instance depth at which the pair was entered and its position
    /// on the stack.
    stack: HashMap<(usize, usize), (usize, usize)>,
    /// Pairs proven compatible.
    proven: HashSet<(usize, usize)>,
    /// Pairs whose proof failed (see [`Failure`]).
    failed: Failed,
    /// Pairs compared keyword by keyword.
    compared: usize,
    steps: usize,
    /// The lowest stack position of a pair assumed compatible (met below itself) in
    /// the comparison under way: a result that relied on an assumption about a pair
    /// still in progress is only tentative.
    low: usize,
    /// Pairs proven on the assumption that pairs still in progress are compatible:
    /// proven once the lowest of those is (like Tarjan's strongly connected
    /// components), dropped if it fails.
    tentative: Vec<(usize, usize)>,
    /// Nesting of [`Checker::sub_rest_vs_schema`]: the right conjuncts being expanded.
    nest: Vec<Loc>,
    /// Type sets computed so far (by side and location), and those being computed.
    /// Keyed by side and the value's address (a synthetic `true` shares its parent's
    /// location, never its address).
    types_done: HashMap<(bool, usize), u8>,
    types_busy: HashSet<(bool, usize)>,
}

/// What a pair of schemas is compared for: the instance depth (instance path
/// segments descended) and the instance path.
impl<'a> Checker<'a> {
    /// An issue at a pair of nodes; `old_new` is the message from old to new.
    fn issue(&self, effect: Effect, l: &Node<'_>, r: &Node<'_>, at: &str, msg: String) -> Issue {
        let (old, new) = if self.left_is_old {
            (l.loc.clone(), r.loc.clone())
        } else {
            (r.loc.clone(), l.loc.clone())
        };
        Issue {
            effect,
            old,
            new,
            at: if at.is_empty() { "/".into() } else { at.into() },
            message: msg,
        }
    }

    /// Phrase by direction: `if_old` when the left side is the old one.
    fn phr(&self, if_old: String, if_new: String) -> String {
        if self.left_is_old { if_old } else { if_new }
    }

    /// Follow `$ref`s (`right` picks the side). A `$ref` with sibling keywords in 2020
    /// is kept (its target is a conjunct, see [`Checker::conjuncts`]).
    fn deref(&self, right: bool, n: &Node<'a>) -> Result<Node<'a>, String> {
        let side = if right { self.r } else { self.l };
        let mut cur = n.clone();
        for _ in 0..64 {
            let Some(raw) = cur.get("$ref").and_then(Value::as_str) else {
                return Ok(cur);
            };
            if side.dialect == Dialect::Draft2020 && has_assertions_besides_ref(cur.v) {
                return Ok(cur);
            }
            match side.resolver.resolve(cur.loc.file, raw) {
                Some((file, pointer, v)) => cur = Node::at(&Loc::new(file, pointer), v),
                None => return Err(raw.to_string()),
            }
        }
        Err("a cycle of `$ref`s".into())
    }

    /// The parts of a schema that must all hold: itself (without `allOf`), every
    /// `allOf` member and, in 2020, the target of a `$ref` with siblings.
    fn conjuncts(&self, right: bool, n: &Node<'a>) -> Vec<Node<'a>> {
        let side = if right { self.r } else { self.l };
        let mut out = Vec::new();
        if let Some(Value::Array(items)) = n.get("allOf") {
            for (i, m) in items.iter().enumerate() {
                out.push(n.child(&["allOf", &i.to_string()], m));
            }
        }
        if side.dialect == Dialect::Draft2020 && n.get("$ref").is_some() {
            if let Some(raw) = n.get("$ref").and_then(Value::as_str) {
                if let Some((file, pointer, v)) = side.resolver.resolve(n.loc.file, raw) {
                    out.push(Node::at(&Loc::new(file, pointer), v));
                }
            }
        }
        out
    }

    /// The types a schema admits (over-approximated for the left side, where only
    /// an over-approximation is sound, it is exact for `type`, `enum`, `const`, and
    /// intersected over `allOf`).
    fn types(&mut self, right: bool, n: &Node<'a>, depth: usize) -> u8 {
        if depth > 16 {
            return T_ALL;
        }
        let Ok(n) = self.deref(right, n) else {
            return T_ALL;
        };
        let key = (right, std::ptr::from_ref(n.v) as usize);
        if let Some(&t) = self.types_done.get(&key) {
            return t;
        }
        // A schema among its own conjuncts: all types is an over-approximation, which
        // is what every use needs.
        if !self.types_busy.insert(key) {
            return T_ALL;
        }
        let t = self.types_of(right, &n, depth);
        self.types_busy.remove(&key);
        self.types_done.insert(key, t);
        t
    }

    fn types_of(&mut self, right: bool, n: &Node<'a>, depth: usize) -> u8 {
        match n.v {
            Value::Bool(true) => return T_ALL,
            Value::Bool(false) => return 0,
            Value::Object(_) => {}
            _ => return T_ALL,
        }
        let dialect = if right {
            self.r.dialect
        } else {
            self.l.dialect
        };
        let mut t = declared_types(n, dialect);
        if let Some(Value::Array(vals)) = n.get("enum") {
            t &= vals.iter().fold(0, |acc, v| acc | value_bits(v));
        }
        if let Some(c) = n.get("const") {
            t &= value_bits(c);
        }
        for c in self.conjuncts(right, n) {
            t &= self.types(right, &c, depth + 1);
        }
        // Every instance matches one `anyOf`/`oneOf` branch.
        if let Some(bs) = self.branches(n) {
            let mut u = 0;
            for b in &bs {
                u |= self.types(right, b, depth + 1);
            }
            t &= u;
        }
        t
    }

    /// Prove `L(l) ⊆ L(r)`.
    fn sub(&mut self, l: &Node<'a>, r: &Node<'a>, at: &str, depth: usize) -> Vec<Issue> {
        self.steps += 1;
        if self.steps > MAX_STEPS || depth > MAX_DEPTH {
            return vec![self.issue(Effect::Unknown, l, r, at, TOO_LARGE.into())];
        }
        let l = match self.deref(false, l) {
            Ok(n) => n,
            Err(raw) => return self.unresolved(l, r, at, &raw),
        };
        let r = match self.deref(true, r) {
            Ok(n) => n,
            Err(raw) => return self.unresolved(&l, r, at, &raw),
        };
        if l.is_false() || r.is_trivial() {
            return Vec::new();
        }
        let key = (
            std::ptr::from_ref(l.v) as usize,
            std::ptr::from_ref(r.v) as usize,
        );
        if self.proven.contains(&key) {
            return Vec::new();
        }
        if let Some(f) = self.failed.get(&key) {
            return self.reuse(f.clone(), &l, &r, at);
        }
        if let Some(&(entered, pos)) = self.stack.get(&key) {
            // Met again below itself: assumed compatible when the instance was
            // descended into since (coinduction over finite instances).
            if depth > entered {
                self.low = self.low.min(pos);
                return Vec::new();
            }
            return vec![self.issue(Effect::Unknown, &l, &r, at, SELF_REFERENCE.into())];
        }
        let pos = self.stack.len();
        self.stack.insert(key, (depth, pos));
        let outer_low = std::mem::replace(&mut self.low, usize::MAX);
        let mark = self.tentative.len();
        let nested = !self.nest.is_empty();
        self.compared += 1;
        let out = self.sub_inner(&l, &r, at, depth);
        self.stack.remove(&key);
        let low = self.low;
        if out.is_empty() {
            if low >= pos {
                // Every assumption made below was about this pair or pairs entered
                // after it, all proven now.
                self.proven.insert(key);
                for k in self.tentative.drain(mark..) {
                    self.proven.insert(k);
                }
                self.low = outer_low;
            } else {
                self.tentative.push(key);
                self.low = outer_low.min(low);
            }
        } else {
            self.tentative.truncate(mark);
            self.low = outer_low.min(low);
            // A synthetic `true` (an absent keyword) has its parent's location.
            if !nested && !std::ptr::eq(l.v, &TRUE) {
                if let Some(f) = self.failure(&out, at) {
                    self.failed.insert(key, f);
                }
            }
        }
        out
    }

    /// What to keep of a failed pair's issues (`None`: nothing that holds wherever
    /// the pair is met).
    fn failure(&self, out: &[Issue], at: &str) -> Option<Failure> {
        let mut kept: Vec<(usize, Issue)> = Vec::new();
        for i in out.iter().filter(|i| !contextual(i)) {
            let rel = relative_at(&i.at, at)?;
            kept.push((
                rel.len(),
                Issue {
                    at: rel,
                    ..i.clone()
                },
            ));
        }
        if kept.is_empty() {
            return None;
        }
        // The issues nearest the pair's value first (stable: same order otherwise).
        kept.sort_by_key(|(n, _)| *n);
        let rest = kept.split_off(kept.len().min(FAILURE_ISSUES));
        let omitted = rest
            .iter()
            .map(|(_, i)| i.effect)
            .min()
            .map(|e| (e, rest.len()));
        Some(Failure {
            issues: kept.into_iter().map(|(_, i)| i).collect(),
            omitted,
        })
    }

    /// A cached failure met again at `at`.
    fn reuse(&self, f: Failure, l: &Node<'_>, r: &Node<'_>, at: &str) -> Vec<Issue> {
        let mut out: Vec<Issue> = f
            .issues
            .into_iter()
            .map(|i| Issue {
                at: absolute_at(at, &i.at),
                ..i
            })
            .collect();
        if let Some((effect, n)) = f.omitted {
            let m = format!(
                "{n} more change(s) further inside this value, listed where these schemas were first compared"
            );
            out.push(self.issue(effect, l, r, at, m));
        }
        out
    }

    fn unresolved(&self, l: &Node<'_>, r: &Node<'_>, at: &str, raw: &str) -> Vec<Issue> {
        vec![self.issue(
            Effect::Unknown,
            l,
            r,
            at,
            format!("`$ref: {raw}` does not resolve; the schemas cannot be compared"),
        )]
    }

    fn sub_inner(&mut self, l: &Node<'a>, r: &Node<'a>, at: &str, depth: usize) -> Vec<Issue> {
        if r.is_false() {
            let m = self.phr(
                "the schema now rejects every value (`false`)".into(),
                "the schema used to reject every value (`false`)".into(),
            );
            return vec![self.issue(Effect::Breaking, l, r, at, m)];
        }
        if !r.v.is_object() {
            return Vec::new();
        }
        let mut out = Vec::new();
        // Every conjunct of the right side must hold.
        let r_conj = self.conjuncts(true, r);
        let l_conj = self.conjuncts(false, l);
        for (j, rc) in r_conj.iter().enumerate() {
            // Prefer the left conjunct at the same index (both sides usually keep the
            // same `allOf` shape), then any other, then the whole left schema.
            let mut best: Option<Vec<Issue>> = None;
            let order = std::iter::once(j)
                .chain((0..l_conj.len()).filter(|&i| i != j))
                .filter(|&i| i < l_conj.len());
            for i in order {
                let got = self.sub(&l_conj[i], rc, at, depth);
                if got.is_empty() {
                    best = Some(Vec::new());
                    break;
                }
                if best.is_none() {
                    best = Some(got);
                }
            }
            if best.as_ref().is_some_and(Vec::is_empty) {
                continue;
            }
            // The whole left schema (its own keywords) against the conjunct.
            let got = self.sub_rest_vs_schema(l, rc, at, depth);
            if got.is_empty() {
                continue;
            }
            out.extend(best.unwrap_or(got));
        }
        // The right side's own keywords.
        out.extend(self.sub_rest(l, &l_conj, r, at, depth));
        out
    }

    /// The whole left schema against a right conjunct, when the conjunct is not
    /// implied by one left conjunct alone.
    fn sub_rest_vs_schema(
        &mut self,
        l: &Node<'a>,
        rc: &Node<'a>,
        at: &str,
        depth: usize,
    ) -> Vec<Issue> {
        self.steps += 1;
        let Ok(rc) = self.deref(true, rc) else {
            return vec![self.issue(
                Effect::Unknown,
                l,
                rc,
                at,
                "a `$ref` does not resolve".into(),
            )];
        };
        if self.steps > MAX_STEPS || self.nest.len() > 32 || self.nest.contains(&rc.loc) {
            return vec![self.issue(Effect::Unknown, l, &rc, at, SELF_INCLUSION.into())];
        }
        if rc.is_trivial() {
            return Vec::new();
        }
        if rc.is_false() || !rc.v.is_object() {
            return self.sub_inner(l, &rc, at, depth);
        }
        let l_conj = self.conjuncts(false, l);
        let mut out = Vec::new();
        self.nest.push(rc.loc.clone());
        for c in self.conjuncts(true, &rc) {
            out.extend(self.sub_rest_vs_schema(l, &c, at, depth));
        }
        self.nest.pop();
        out.extend(self.sub_rest(l, &l_conj, &rc, at, depth));
        out
    }

    /// The right schema's own keywords (not its `allOf`/`$ref` conjuncts) against the
    /// whole left schema.
    fn sub_rest(
        &mut self,
        l: &Node<'a>,
        l_conj: &[Node<'a>],
        r: &Node<'a>,
        at: &str,
        depth: usize,
    ) -> Vec<Issue> {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            return vec![self.issue(Effect::Unknown, l, r, at, TOO_LARGE.into())];
        }
        let tl = self.types(false, l, 0);
        let first = self.keywords(l, l_conj, r, tl, at, depth);
        if first.is_empty() {
            return first;
        }
        // A left conjunct alone may imply the right keywords (`allOf: [Base, …]`).
        for c in l_conj {
            let Ok(c) = self.deref(false, c) else {
                continue;
            };
            if !c.v.is_object() {
                continue;
            }
            let cc = self.conjuncts(false, &c);
            let tc = self.types(false, &c, 0) & tl;
            if self.keywords(&c, &cc, r, tc, at, depth).is_empty() {
                return Vec::new();
            }
        }
        // A left `anyOf`/`oneOf`: each branch on its own may imply them.
        if let Some(branches) = self.branches(l) {
            let mut all = Vec::new();
            for b in &branches {
                all.extend(self.sub_rest_branch(b, r, tl, at, depth));
            }
            // The branches' own issues name what the new side lets through (a
            // `null` branch added, say) unless the right is a union too, whose
            // comparison above already went branch by branch.
            if all.is_empty() || self.branches(r).is_none() {
                return all;
            }
        }
        first
    }

    fn sub_rest_branch(
        &mut self,
        b: &Node<'a>,
        r: &Node<'a>,
        tl: u8,
        at: &str,
        depth: usize,
    ) -> Vec<Issue> {
        let Ok(b) = self.deref(false, b) else {
            return vec![self.issue(
                Effect::Unknown,
                b,
                r,
                at,
                "a `$ref` does not resolve".into(),
            )];
        };
        if b.is_false() {
            return Vec::new();
        }
        let bc = self.conjuncts(false, &b);
        let tb = self.types(false, &b, 0) & tl;
        self.keywords(&b, &bc, r, tb, at, depth)
    }

    /// `anyOf` or `oneOf` branches of a schema (a left `oneOf` is over-approximated
    /// by `anyOf`).
    fn branches(&self, n: &Node<'a>) -> Option<Vec<Node<'a>>> {
        for k in ["anyOf", "oneOf"] {
            if let Some(Value::Array(items)) = n.get(k) {
                return Some(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, m)| n.child(&[k, &i.to_string()], m))
                        .collect(),
                );
            }
        }
        None
    }

    /// Keyword-by-keyword: every keyword of `r` holds for every instance of `l`
    /// (`tl`: the types `l` admits; type-specific keywords of `r` are checked only
    /// for those types).
    fn keywords(
        &mut self,
        l: &Node<'a>,
        l_conj: &[Node<'a>],
        r: &Node<'a>,
        tl: u8,
        at: &str,
        depth: usize,
    ) -> Vec<Issue> {
        let mut out = Vec::new();
        let Some(rm) = r.obj() else {
            return out;
        };
        // type
        let tr = declared_types(r, self.r.dialect);
        if tl & !tr != 0 {
            let tl_decl = declared_types(l, self.l.dialect);
            let (o, n) = if self.left_is_old {
                (tl_decl, tr)
            } else {
                (tr, tl_decl)
            };
            let extra = type_names(tl & !tr);
            let m = self.phr(
                format!(
                    "type narrowed from {} to {}: {extra} values are rejected now",
                    type_names(o),
                    type_names(n)
                ),
                format!(
                    "type widened from {} to {}: {extra} values were rejected before",
                    type_names(o),
                    type_names(n)
                ),
            );
            out.push(self.issue(Effect::Breaking, l, r, at, m));
        }
        // enum / const
        for k in ["enum", "const"] {
            let Some(rv) = rm.get(k) else { continue };
            let allowed: Vec<&Value> = match (k, rv) {
                ("enum", Value::Array(a)) => a.iter().collect(),
                ("enum", _) => continue,
                _ => vec![rv],
            };
            match left_values(l, l_conj) {
                Some(vals) => {
                    for v in vals {
                        if !allowed.iter().any(|a| json_eq(a, v)) {
                            let m = self.phr(
                                format!("value {} is no longer allowed", short(v)),
                                format!("value {} is newly allowed", short(v)),
                            );
                            out.push(self.issue(Effect::Breaking, l, r, at, m));
                        }
                    }
                }
                // Values of none of the types the new side admits are reported by the
                // `type` issue above already.
                None if tl & tr == 0 => {}
                None => {
                    let shown = allowed
                        .iter()
                        .map(|v| short(v))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let m = self.phr(
                        format!("values restricted to {shown} (`{k}` added)"),
                        format!("values were restricted to {shown} (`{k}` removed)"),
                    );
                    out.push(self.issue(Effect::Breaking, l, r, at, m));
                }
            }
        }
        if tl & T_NUM != 0 {
            self.numeric(l, r, at, &mut out);
        }
        if tl & T_STR != 0 {
            self.string(l, r, at, &mut out);
        }
        if tl & T_ARR != 0 {
            self.array(l, r, at, depth, &mut out);
        }
        if tl & T_OBJ != 0 {
            self.object(l, l_conj, r, at, depth, &mut out);
        }
        // anyOf / oneOf on the right.
        for kw in ["anyOf", "oneOf"] {
            if rm.contains_key(kw) {
                self.union(l, r, kw, at, depth, &mut out);
            }
        }
        // What is not understood must be unchanged.
        for (k, rv) in rm {
            if k.starts_with("x-")
                || ANNOTATIONS.contains(&k.as_str())
                || HANDLED.contains(&k.as_str())
            {
                continue;
            }
            if k == "unevaluatedProperties" && tl & T_OBJ == 0 {
                continue;
            }
            if k == "unevaluatedItems" && tl & T_ARR == 0 {
                continue;
            }
            let same = self.l.dialect == self.r.dialect
                && l.get(k)
                    .is_some_and(|lv| json_eq(lv, rv) && self.same_resolution(l, r, rv));
            // `if`/`then`/`else` are one assertion: all three must be unchanged.
            let same = same
                && (!["if", "then", "else"].contains(&k.as_str())
                    || ["if", "then", "else"]
                        .iter()
                        .all(|x| match (l.get(x), r.get(x)) {
                            (Some(a), Some(b)) => json_eq(a, b),
                            (None, None) => true,
                            _ => false,
                        }))
                && (!matches!(k.as_str(), "unevaluatedProperties" | "unevaluatedItems")
                    || (json_eq(l.v, r.v) && self.same_resolution(l, r, r.v)));
            if !same {
                let m = self.phr(
                    format!("`{k}` added or changed; its effect is not analysed"),
                    format!("`{k}` removed or changed; its effect is not analysed"),
                );
                out.push(self.issue(Effect::Unknown, l, r, at, m));
            }
        }
        out
    }

    fn numeric(&mut self, l: &Node<'a>, r: &Node<'a>, at: &str, out: &mut Vec<Issue>) {
        for lower in [true, false] {
            let lb = bound(l, lower);
            let rb = bound(r, lower);
            if !bound_within(lb, rb, lower) {
                let what = if lower { "minimum" } else { "maximum" };
                let (o, n) = if self.left_is_old { (lb, rb) } else { (rb, lb) };
                let m = format!(
                    "{what} changed from {} to {}",
                    show_bound(o, lower),
                    show_bound(n, lower)
                );
                out.push(self.issue(Effect::Breaking, l, r, at, m));
            }
        }
        if let Some(rm) = r.num("multipleOf") {
            let ok = match l.num("multipleOf") {
                Some(lm) => is_multiple(lm, rm),
                None => false,
            };
            if !ok {
                let (o, n) = if self.left_is_old {
                    (l.get("multipleOf"), r.get("multipleOf"))
                } else {
                    (r.get("multipleOf"), l.get("multipleOf"))
                };
                let show = |v: Option<&Value>| v.map_or("none".to_string(), short);
                let m = format!("multipleOf changed from {} to {}", show(o), show(n));
                out.push(self.issue(Effect::Breaking, l, r, at, m));
            }
        }
    }

    fn string(&mut self, l: &Node<'a>, r: &Node<'a>, at: &str, out: &mut Vec<Issue>) {
        self.count_bounds(l, r, "minLength", "maxLength", "length", at, out);
        if let Some(rp) = r.get("pattern") {
            match l.get("pattern") {
                Some(lp) if lp == rp => {}
                Some(lp) => {
                    let (o, n) = if self.left_is_old { (lp, rp) } else { (rp, lp) };
                    let m = format!(
                        "pattern changed from {} to {}; whether it accepts the same strings is not decided",
                        short(o),
                        short(n)
                    );
                    out.push(self.issue(Effect::Unknown, l, r, at, m));
                }
                None => {
                    let m = self.phr(
                        format!("pattern {} added", short(rp)),
                        format!("pattern {} removed", short(rp)),
                    );
                    out.push(self.issue(Effect::Breaking, l, r, at, m));
                }
            }
        }
        if let Some(rf) = r.get("format") {
            let same = l.get("format") == Some(rf);
            if !same {
                let m = match (l.get("format"), self.left_is_old) {
                    (Some(lf), true) => {
                        format!("format changed from {} to {}", short(lf), short(rf))
                    }
                    (Some(lf), false) => {
                        format!("format changed from {} to {}", short(rf), short(lf))
                    }
                    (None, true) => format!("format {} added", short(rf)),
                    (None, false) => format!("format {} removed", short(rf)),
                };
                out.push(self.issue(Effect::Breaking, l, r, at, m));
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn count_bounds(
        &mut self,
        l: &Node<'a>,
        r: &Node<'a>,
        min_k: &str,
        max_k: &str,
        what: &str,
        at: &str,
        out: &mut Vec<Issue>,
    ) {
        for (k, lower) in [(min_k, true), (max_k, false)] {
            let lb = l.num(k).map(|v| (v, false));
            let rb = r.num(k).map(|v| (v, false));
            // `minLength: 0` is no bound at all.
            let rb = rb.filter(|&(v, _)| !(lower && v <= 0.0));
            if !bound_within(lb, rb, lower) {
                let (o, n) = if self.left_is_old { (lb, rb) } else { (rb, lb) };
                let m = format!(
                    "{k} ({what}) changed from {} to {}",
                    o.map_or("none".to_string(), |b| fmt_num(b.0)),
                    n.map_or("none".to_string(), |b| fmt_num(b.0))
                );
                out.push(self.issue(Effect::Breaking, l, r, at, m));
            }
        }
    }

    fn array(&mut self, l: &Node<'a>, r: &Node<'a>, at: &str, depth: usize, out: &mut Vec<Issue>) {
        self.count_bounds(l, r, "minItems", "maxItems", "items", at, out);
        let (lp, lrest) = tuple(l, self.l.dialect);
        let (rp, rrest) = tuple(r, self.r.dialect);
        let true_node = |n: &Node<'a>| n.child(&[], &TRUE);
        let n = lp.len().max(rp.len());
        for i in 0..n {
            let li = lp
                .get(i)
                .cloned()
                .or_else(|| lrest.clone())
                .unwrap_or_else(|| true_node(l));
            let ri = rp
                .get(i)
                .cloned()
                .or_else(|| rrest.clone())
                .unwrap_or_else(|| true_node(r));
            if ri.is_trivial() {
                continue;
            }
            let got = self.sub(&li, &ri, &format!("{at}/{i}"), depth + 1);
            out.extend(got);
        }
        if let Some(rr) = rrest {
            let lr = lrest.unwrap_or_else(|| true_node(l));
            let got = self.sub(&lr, &rr, &format!("{at}/*"), depth + 1);
            out.extend(got);
        }
        if r.get("uniqueItems") == Some(&Value::Bool(true))
            && l.get("uniqueItems") != Some(&Value::Bool(true))
        {
            let m = self.phr(
                "items must be unique now (`uniqueItems` added)".into(),
                "items had to be unique (`uniqueItems` removed)".into(),
            );
            out.push(self.issue(Effect::Breaking, l, r, at, m));
        }
        if let Some(rc) = r.kw("contains") {
            // `minContains`/`maxContains` exist from draft 2019-09 on; before, an
            // array holds at least one matching item and the counts mean nothing.
            let counts = |n: &Node<'a>, d: Dialect| {
                if d == Dialect::Draft2020 {
                    (n.num("minContains").unwrap_or(1.0), n.num("maxContains"))
                } else {
                    (1.0, None)
                }
            };
            let (rmin, rmax) = counts(r, self.r.dialect);
            match l.kw("contains") {
                Some(lc) => {
                    let (lmin, lmax) = counts(l, self.l.dialect);
                    // At least `lmin` left items match `lc`, each then matching `rc`.
                    if rmin > 0.0 {
                        let got = self.sub(&lc, &rc, &format!("{at}/*"), depth + 1);
                        out.extend(got);
                    }
                    if lmin < rmin {
                        let (o, n) = o_n(self.left_is_old, lmin, rmin);
                        let m = format!("`minContains` changed from {o} to {n}");
                        out.push(self.issue(Effect::Breaking, l, r, at, m));
                    }
                    if let Some(rmax) = rmax {
                        // Items matching `rc` are counted by `lc` only when the two are
                        // the same schema.
                        let same = self.l.dialect == self.r.dialect
                            && json_eq(lc.v, rc.v)
                            && self.same_resolution(l, r, rc.v);
                        match lmax {
                            Some(lmax) if same && lmax <= rmax => {}
                            Some(lmax) if same => {
                                let (o, n) = o_n(self.left_is_old, lmax, rmax);
                                let m = format!("`maxContains` changed from {o} to {n}");
                                out.push(self.issue(Effect::Breaking, l, r, at, m));
                            }
                            _ => {
                                let m = self.phr(
                                    "`maxContains` added or its `contains` changed".into(),
                                    "`maxContains` removed or its `contains` changed".into(),
                                );
                                out.push(self.issue(Effect::Breaking, l, r, at, m));
                            }
                        }
                    }
                }
                None if rmin == 0.0 && rmax.is_none() => {}
                None => {
                    let m = self.phr("`contains` added".into(), "`contains` removed".into());
                    out.push(self.issue(Effect::Breaking, l, r, at, m));
                }
            }
        }
    }

    /// Whether property `name` is left out (see [`Checker::skip`]): its schema in
    /// `properties` of either side sets the skipped keyword to `true`.
    fn skipped(&self, l: &Node<'a>, r: &Node<'a>, name: &str) -> bool {
        let Some(flag) = self.skip else {
            return false;
        };
        [(false, l), (true, r)].into_iter().any(|(right, n)| {
            n.get("properties")
                .and_then(|p| p.get(name))
                .is_some_and(|v| {
                    let node = n.child(&["properties", name], v);
                    self.deref(right, &node)
                        .is_ok_and(|d| d.get(flag) == Some(&Value::Bool(true)))
                })
        })
    }

    fn object(
        &mut self,
        l: &Node<'a>,
        l_conj: &[Node<'a>],
        r: &Node<'a>,
        at: &str,
        depth: usize,
        out: &mut Vec<Issue>,
    ) {
        self.count_bounds(
            l,
            r,
            "minProperties",
            "maxProperties",
            "properties",
            at,
            out,
        );
        // required: a left conjunct requiring the name is as good.
        let mut newly_required: HashSet<&str> = HashSet::new();
        if let Some(Value::Array(req)) = r.get("required") {
            let mut lreq: HashSet<&str> = required_of(l).collect();
            for c in l_conj {
                if let Ok(c) = self.deref(false, c) {
                    lreq.extend(required_of(&c));
                }
            }
            for name in req.iter().filter_map(Value::as_str) {
                if !lreq.contains(name) && !self.skipped(l, r, name) {
                    newly_required.insert(name);
                    let m = self.phr(
                        format!("property `{name}` is required now"),
                        format!("property `{name}` is no longer required"),
                    );
                    out.push(self.issue(Effect::Breaking, l, r, &format!("{at}/{name}"), m));
                }
            }
        }
        let lpp = l.get("patternProperties");
        let rpp = r.get("patternProperties");
        let same_patterns = match (lpp, rpp) {
            (None, None) => true,
            (Some(a), Some(b)) => {
                self.l.dialect == self.r.dialect && json_eq(a, b) && self.same_resolution(l, r, b)
            }
            _ => false,
        };
        if !same_patterns {
            if rpp.is_some() {
                let m = self.phr(
                    "`patternProperties` added or changed; its effect is not analysed".into(),
                    "`patternProperties` removed or changed; its effect is not analysed".into(),
                );
                out.push(self.issue(Effect::Unknown, l, r, at, m));
            } else if r.get("additionalProperties").is_some_and(|a| a != &TRUE) {
                // Names the left matched by a pattern fall under the right's
                // `additionalProperties`.
                let m = self.phr(
                    "`patternProperties` removed while `additionalProperties` constrains other names".into(),
                    "`patternProperties` added while the old `additionalProperties` constrains other names".into(),
                );
                out.push(self.issue(Effect::Unknown, l, r, at, m));
            }
        }
        let lprops = l
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&EMPTY);
        let rprops = r
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&EMPTY);
        let ladd = l.kw("additionalProperties");
        let radd = r.kw("additionalProperties");
        let l_open = ladd.as_ref().is_none_or(|a| a.is_trivial());
        let r_closed = radd.as_ref().is_some_and(|a| a.is_false());
        let mut names: Vec<&String> = lprops.keys().collect();
        names.extend(rprops.keys().filter(|k| !lprops.contains_key(*k)));
        for name in names {
            if self.skipped(l, r, name) {
                continue;
            }
            let here = format!("{at}/{name}");
            let ln = match lprops.get(name) {
                Some(v) => l.child(&["properties", name], v),
                // A name a left pattern matches is not under `additionalProperties`.
                None if lpp.is_some() => l.child(&[], &TRUE),
                None => ladd.clone().unwrap_or_else(|| l.child(&[], &TRUE)),
            };
            let rn = match rprops.get(name) {
                Some(v) => r.child(&["properties", name], v),
                None => radd.clone().unwrap_or_else(|| r.child(&[], &TRUE)),
            };
            if rn.is_trivial() {
                continue;
            }
            let in_l = lprops.contains_key(name);
            let in_r = rprops.contains_key(name);
            if in_l && !in_r && r_closed {
                let m = self.phr(
                    format!("property `{name}` removed from a closed schema (`additionalProperties: false`)"),
                    format!("property `{name}` added, but the old schema is closed (`additionalProperties: false`)"),
                );
                out.push(self.issue(Effect::Breaking, &ln, r, &here, m));
                continue;
            }
            let got = self.sub(&ln, &rn, &here, depth + 1);
            if got.is_empty() {
                continue;
            }
            if !in_l && in_r && l_open && newly_required.contains(name.as_str()) {
                // Already reported: the property is required now.
                continue;
            }
            if !in_l && in_r && l_open {
                // Open content model: the left allowed anything under this name.
                let m = self.phr(
                    format!("property `{name}` added with a schema; writers on the old schema were free to send any value under this name (open content model)"),
                    format!("property `{name}` removed; writers on the new schema may send any value under this name, which the old schema constrained"),
                );
                out.push(self.issue(Effect::Unknown, l, &rn, &here, m));
                continue;
            }
            out.extend(got);
        }
        if let Some(ra) = radd {
            if !ra.is_trivial() {
                let la = ladd.unwrap_or_else(|| l.child(&[], &TRUE));
                if ra.is_false() && !la.is_false() {
                    let m = self.phr(
                        "schema closed (`additionalProperties: false`): properties not listed are rejected now".into(),
                        "schema opened (`additionalProperties: false` removed): properties not listed were rejected before".into(),
                    );
                    out.push(self.issue(Effect::Breaking, l, r, &format!("{at}/*"), m));
                } else {
                    let got = self.sub(&la, &ra, &format!("{at}/*"), depth + 1);
                    out.extend(got);
                }
            }
        }
        if let Some(rn) = r.kw("propertyNames") {
            match l.kw("propertyNames") {
                Some(ln) => {
                    let got = self.sub(&ln, &rn, &format!("{at}/*"), depth + 1);
                    out.extend(got);
                }
                None => {
                    let m = self.phr(
                        "`propertyNames` added".into(),
                        "`propertyNames` removed".into(),
                    );
                    out.push(self.issue(Effect::Breaking, l, r, at, m));
                }
            }
        }
    }

    /// `r` has `anyOf`/`oneOf`: every left instance must match one branch (exactly one
    /// for `oneOf`, proven only when the branches cannot overlap or are unchanged).
    fn union(
        &mut self,
        l: &Node<'a>,
        r: &Node<'a>,
        kw: &str,
        at: &str,
        depth: usize,
        out: &mut Vec<Issue>,
    ) {
        let one = kw == "oneOf";
        let rb: Vec<Node<'a>> = match r.get(kw) {
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, m)| r.child(&[kw, &i.to_string()], m))
                .collect(),
            _ => return,
        };
        if one {
            let same = self.l.dialect == self.r.dialect
                && l.get("oneOf")
                    .zip(r.get("oneOf"))
                    .is_some_and(|(a, b)| json_eq(a, b) && self.same_resolution(l, r, a));
            if same {
                return;
            }
            if !self.disjoint(&rb) {
                let m = self.phr(
                    "`oneOf` branches changed and may overlap: a value matching two branches is rejected".into(),
                    "`oneOf` branches changed and may overlap: a value matching two branches was rejected before".into(),
                );
                out.push(self.issue(Effect::Unknown, l, r, at, m));
                return;
            }
        }
        // The whole left schema fits one branch?
        let mut tried = Vec::with_capacity(rb.len());
        for b in &rb {
            let got = self.sub(l, b, at, depth);
            if got.is_empty() {
                return;
            }
            tried.push(got);
        }
        // Each left branch fits some right branch?
        if let Some(lb) = self.branches(l) {
            let mut missing = Vec::new();
            for (i, b) in lb.iter().enumerate() {
                let order = std::iter::once(i)
                    .chain((0..rb.len()).filter(|&j| j != i))
                    .filter(|&j| j < rb.len());
                let mut fit = false;
                for j in order {
                    if self.sub(b, &rb[j], at, depth).is_empty() {
                        fit = true;
                        break;
                    }
                }
                if !fit {
                    missing.push((i, b.clone()));
                }
            }
            if missing.is_empty() {
                return;
            }
            for (i, b) in missing {
                let m = self.phr(
                    format!("`{kw}` branch {i} removed or narrowed: no new branch accepts all its values"),
                    format!("`{kw}` branch {i} added or widened: no old branch accepts all its values"),
                );
                out.push(self.issue(Effect::Breaking, &b, r, at, m));
            }
            return;
        }
        // Only one branch admits values of the left's types: the others reject
        // them all, so why that branch does not fit is why the union does not (a
        // nullable wrapper around a narrowed enum says which value went).
        let tl = self.types(false, l, 0);
        let overlapping: Vec<usize> = (0..rb.len())
            .filter(|&j| self.types(true, &rb[j], 0) & tl != 0)
            .collect();
        if let [j] = overlapping[..] {
            if let Some(got) = tried.get_mut(j) {
                out.append(got);
                return;
            }
        }
        if tl == 0 {
            // The left admits no value at all.
            return;
        }
        if overlapping.is_empty() {
            let t = type_names(tl);
            let m = self.phr(
                format!("{t} values match no `{kw}` branch now"),
                format!("{t} values matched no old `{kw}` branch"),
            );
            out.push(self.issue(Effect::Breaking, l, r, at, m));
            return;
        }
        let m = self.phr(
            format!("no `{kw}` branch accepts every value the old schema accepted"),
            format!("no old `{kw}` branch accepts every value the new schema accepts"),
        );
        out.push(self.issue(Effect::Breaking, l, r, at, m));
    }

    /// Every `$ref` inside equal JSON resolves to equal targets on both sides (so
    /// that equal text means equal schemas).
    fn same_resolution(&self, l: &Node<'a>, r: &Node<'a>, v: &Value) -> bool {
        let mut refs = Vec::new();
        collect_refs(v, &mut refs, 0);
        refs.iter().all(|raw| {
            match (
                self.l.resolver.resolve(l.loc.file, raw),
                self.r.resolver.resolve(r.loc.file, raw),
            ) {
                (Some(a), Some(b)) => json_eq(a.2, b.2) && !contains_ref(a.2, 0),
                _ => false,
            }
        })
    }

    /// No value can match two of the branches: they admit disjoint types, or each
    /// requires a property with a `const`/`enum` disjoint from the others'.
    fn disjoint(&mut self, branches: &[Node<'a>]) -> bool {
        let mut seen_types = 0u8;
        let mut by_type = true;
        for b in branches {
            let t = self.types(true, b, 0);
            if t & seen_types != 0 {
                by_type = false;
                break;
            }
            seen_types |= t;
        }
        if by_type {
            return true;
        }
        // A tag property: required and with fixed values in every branch.
        let resolved: Vec<Node<'a>> = branches
            .iter()
            .filter_map(|b| self.deref(true, b).ok())
            .collect();
        if resolved.len() != branches.len() {
            return false;
        }
        let Some(first) = resolved.first() else {
            return true;
        };
        for b in branches {
            if self.types(true, b, 0) & !T_OBJ != 0 {
                return false;
            }
        }
        'names: for name in required_of(first) {
            let mut seen: Vec<&Value> = Vec::new();
            for b in &resolved {
                if !required_of(b).any(|n| n == name) {
                    continue 'names;
                }
                let Some(p) = b.get("properties").and_then(|p| p.get(name)) else {
                    continue 'names;
                };
                let vals: Vec<&Value> = match (p.get("const"), p.get("enum")) {
                    (Some(c), _) => vec![c],
                    (None, Some(Value::Array(a))) => a.iter().collect(),
                    _ => continue 'names,
                };
                for v in vals {
                    if seen.iter().any(|s| json_eq(s, v)) {
                        continue 'names;
                    }
                    seen.push(v);
                }
            }
            return true;
        }
        false
    }
}

fn collect_refs<'v>(v: &'v Value, out: &mut Vec<&'v str>, depth: usize) {
    if depth > 64 {
        return;
    }
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                if k == "$ref" {
                    if let Some(s) = c.as_str() {
                        out.push(s);
                    }
                } else {
                    collect_refs(c, out, depth + 1);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|c| collect_refs(c, out, depth + 1)),
        _ => {}
    }
}

fn contains_ref(v: &Value, depth: usize) -> bool {
    let mut refs = Vec::new();
    collect_refs(v, &mut refs, depth);
    !refs.is_empty()
}

fn has_assertions_besides_ref(v: &Value) -> bool {
    v.as_object().is_some_and(|m| {
        m.keys()
            .any(|k| k != "$ref" && !k.starts_with("x-") && !ANNOTATIONS.contains(&k.as_str()))
    })
}

/// The types a schema's own `type` (and 3.0 `nullable`) admits.
fn declared_types(n: &Node<'_>, dialect: Dialect) -> u8 {
    let mut t = match n.get("type") {
        None => T_ALL,
        Some(Value::String(s)) => type_bits(s).unwrap_or(T_ALL),
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(|s| type_bits(s).unwrap_or(T_ALL))
            .fold(0, |acc, b| acc | b),
        Some(_) => T_ALL,
    };
    if dialect == Dialect::OpenApi30
        && n.get("nullable") == Some(&Value::Bool(true))
        && n.get("type").is_some()
    {
        t |= T_NULL;
    }
    t
}

/// The values a left schema is restricted to by its `enum`/`const` (or a
/// conjunct's), when it is.
fn left_values<'v>(l: &Node<'v>, conj: &[Node<'v>]) -> Option<Vec<&'v Value>> {
    let of = |n: &Node<'v>| -> Option<Vec<&'v Value>> {
        if let Some(c) = n.get("const") {
            return Some(vec![c]);
        }
        match n.get("enum") {
            Some(Value::Array(a)) => Some(a.iter().collect()),
            _ => None,
        }
    };
    let mut best = of(l);
    for c in conj {
        if let Some(v) = of(c) {
            if best.as_ref().is_none_or(|b| v.len() < b.len()) {
                best = Some(v);
            }
        }
    }
    // A value the left's own `type` rejects is not an instance.
    best.map(|vals| {
        let t = declared_types(l, Dialect::Draft2020) | {
            if l.get("nullable") == Some(&Value::Bool(true)) {
                T_NULL
            } else {
                0
            }
        };
        vals.into_iter()
            .filter(|v| value_bits(v) & t != 0)
            .collect()
    })
}

fn required_of<'v>(n: &Node<'v>) -> impl Iterator<Item = &'v str> {
    n.get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

/// A numeric bound (draft 4 boolean and draft 6+ numeric `exclusive*` forms).
fn bound(n: &Node<'_>, lower: bool) -> Bound {
    let (inc, exc) = if lower {
        ("minimum", "exclusiveMinimum")
    } else {
        ("maximum", "exclusiveMaximum")
    };
    let mut b: Bound = None;
    let tighter = |b: Bound, c: (f64, bool)| -> Bound {
        match b {
            None => Some(c),
            Some(x) => {
                if bound_within(Some(c), Some(x), lower) {
                    Some(c)
                } else {
                    Some(x)
                }
            }
        }
    };
    if let Some(v) = n.num(inc) {
        let excl = n.get(exc) == Some(&Value::Bool(true));
        b = tighter(b, (v, excl));
    }
    if let Some(v) = n.num(exc) {
        b = tighter(b, (v, true));
    }
    b
}

/// Every multiple of `a` is a multiple of `b` (decided exactly, else `false`).
fn is_multiple(a: f64, b: f64) -> bool {
    if a == b {
        return true;
    }
    if b <= 0.0 || a <= 0.0 {
        return false;
    }
    if a.fract() == 0.0 && b.fract() == 0.0 && a < 9.0e15 && b < 9.0e15 {
        return (a as i64) % (b as i64) == 0;
    }
    false
}

/// Positional item schemas and the schema of the other items.
fn tuple<'a>(n: &Node<'a>, dialect: Dialect) -> (Vec<Node<'a>>, Option<Node<'a>>) {
    let list = |k: &str| -> Vec<Node<'a>> {
        match n.get(k) {
            Some(Value::Array(a)) => a
                .iter()
                .enumerate()
                .map(|(i, v)| n.child(&[k, &i.to_string()], v))
                .collect(),
            _ => Vec::new(),
        }
    };
    match n.get("items") {
        Some(Value::Array(_)) => (list("items"), n.kw("additionalItems")),
        _ if dialect == Dialect::Draft2020 => (list("prefixItems"), n.kw("items")),
        _ => (Vec::new(), n.kw("items")),
    }
}

/// A resolver over one JSON document: `#/…` pointers into it (for tests and for
/// schemas compared on their own).
pub struct LocalResolver<'a> {
    pub root: &'a Value,
}

impl Resolver for LocalResolver<'_> {
    fn resolve(&self, _file: u32, raw: &str) -> Option<(u32, String, &Value)> {
        let frag = raw.strip_prefix('#')?;
        let target = if frag.is_empty() {
            self.root
        } else {
            self.root.pointer(frag)?
        };
        Some((0, frag.to_string(), target))
    }
}

#[cfg(test)]
mod tests;
