//! Schemas → a language-neutral set of named types. Component schemas are named from
//! their keys, inline schemas from their message name and property path; `allOf` is
//! merged, `oneOf`/`anyOf` become unions, string `enum`s become enums, `const` strings
//! literals, `nullable` / `type: [.., null]` optional values. Recursion is handled by
//! naming a schema before building it.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde_json::{Map, Value};

use super::names::{Namer, RESERVED_TYPES, pascal};
use crate::source::{FileId, Workspace, pointer, workspace::ref_of};

/// An integer width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Int {
    I32,
    I64,
    /// `format: uint64` (and `uint32`): up to `u64::MAX`.
    U64,
}

/// A type expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    Str,
    Bool,
    Int(Int),
    Float,
    DateTime,
    Date,
    Uuid,
    Any,
    /// A JSON object with unknown members.
    Object,
    /// A single string value.
    Literal(String),
    Named(usize),
    List(Box<Ty>),
    /// A fixed-length array whose items have their own types (`prefixItems` with
    /// `items: false`, or draft-07 `items: [...]` with `additionalItems: false`, and
    /// every position required).
    Tuple(Vec<Ty>),
    Map(Box<Ty>),
    Nullable(Box<Ty>),
}

impl Ty {
    pub fn nullable(self) -> Ty {
        match self {
            Ty::Nullable(_) | Ty::Any => self,
            t => Ty::Nullable(Box::new(t)),
        }
    }
}

/// A property of a struct.
#[derive(Debug, Clone)]
pub struct Field {
    /// The JSON key.
    pub key: String,
    pub ty: Ty,
    pub required: bool,
    pub doc: Option<String>,
}

/// What a named type is.
#[derive(Debug, Clone)]
pub enum Kind {
    /// Being built (a recursive reference saw it).
    Pending,
    Struct {
        fields: Vec<Field>,
        extra: Option<Ty>,
    },
    Enum {
        values: Vec<String>,
    },
    /// An `enum` of integers: only these values (Rust: an enum with its own serde
    /// impls; Python: `Literal[...]`).
    IntEnum {
        values: Vec<i64>,
    },
    Union {
        variants: Vec<Ty>,
        discriminator: Option<Discriminator>,
    },
    Alias(Ty),
}

/// The discriminator of a `oneOf`/`anyOf`: OpenAPI `discriminator: {propertyName,
/// mapping}` or the AsyncAPI 2.x `discriminator: NAME` string.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Discriminator {
    /// The JSON property carrying the tag.
    pub property: String,
    /// Per variant: the tag values the `mapping` gives it (the first is the canonical one).
    pub mapped: Vec<Vec<String>>,
    /// Per variant: the component name of the schema it references (the implicit tag).
    pub ref_names: Vec<Option<String>>,
}

/// A named type.
#[derive(Debug, Clone)]
pub struct Def {
    pub name: String,
    pub doc: Option<String>,
    pub kind: Kind,
}

/// All named types of a generation run.
#[derive(Debug)]
pub struct TypeSet {
    pub defs: Vec<Def>,
    /// Structs whose schema forbids unlisted members (`additionalProperties: false`,
    /// `unevaluatedProperties: false`): `deny_unknown_fields` / `extra="forbid"`.
    pub closed: HashSet<usize>,
    by_src: HashMap<(FileId, String), usize>,
    /// Named types built from an inline schema (a request body, a property's object, a
    /// union's variant): the file it is written in and the schema.
    inline: HashMap<usize, (FileId, Value)>,
    namer: Namer,
    depth: usize,
}

impl Default for TypeSet {
    fn default() -> Self {
        TypeSet {
            defs: Vec::new(),
            closed: HashSet::new(),
            by_src: HashMap::new(),
            inline: HashMap::new(),
            namer: Namer::with_reserved(RESERVED_TYPES),
            depth: 0,
        }
    }
}

fn doc_of(v: &Value) -> Option<String> {
    v.get("description")
        .or_else(|| v.get("title"))
        .and_then(Value::as_str)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

impl TypeSet {
    /// The type of the schema at `(file, ptr)`, named `name` when it needs a name.
    pub fn named_at(&mut self, ws: &Workspace, file: FileId, ptr: &str, name: &str) -> Ty {
        let key = (file, ptr.to_string());
        if let Some(&i) = self.by_src.get(&key) {
            return self.use_def(i);
        }
        let Some(v) = get(ws, file, ptr) else {
            return Ty::Any;
        };
        // Reserve the name first so recursive references find it.
        let idx = self.defs.len();
        let name = self.namer.take(&pascal(name));
        self.defs.push(Def {
            name: name.clone(),
            doc: doc_of(v),
            kind: Kind::Pending,
        });
        self.by_src.insert(key, idx);
        let ty = self.build(ws, file, v, &name, Some(idx));
        match ty {
            Ty::Named(j) if j == idx => Ty::Named(idx),
            other => {
                // A primitive or container: keep the component name as an alias unless
                // the alias would refer to itself.
                if mentions(&other, idx) {
                    self.defs[idx].kind = Kind::Alias(Ty::Any);
                } else {
                    self.defs[idx].kind = Kind::Alias(other);
                }
                Ty::Named(idx)
            }
        }
    }

    /// Every named type built from a schema location: `((file, pointer), def)`, in
    /// definition order.
    pub fn sources(&self) -> Vec<((FileId, String), usize)> {
        let mut out: Vec<((FileId, String), usize)> =
            self.by_src.iter().map(|(k, &i)| (k.clone(), i)).collect();
        out.sort_by_key(|(_, i)| *i);
        out
    }

    /// Every named type built from an inline schema (no location of its own): `(def,
    /// file, schema)`, in definition order. A type that is the non-null part of a
    /// nullable schema is not listed (the schema is not its own).
    pub fn inline_sources(&self) -> Vec<(usize, FileId, &Value)> {
        let mut out: Vec<(usize, FileId, &Value)> =
            self.inline.iter().map(|(&i, (f, v))| (i, *f, v)).collect();
        out.sort_by_key(|(i, _, _)| *i);
        out
    }

    fn use_def(&self, i: usize) -> Ty {
        Ty::Named(i)
    }

    /// The type of a schema value found in `file`.
    pub fn ty(&mut self, ws: &Workspace, file: FileId, v: &Value, hint: &str) -> Ty {
        if let Some(raw) = ref_of(v) {
            return match ws.ref_target(file, raw) {
                Some((f, p)) => {
                    let name = p
                        .rsplit('/')
                        .next()
                        .filter(|s| !s.is_empty())
                        .map(|s| {
                            pointer::parse(&format!("/{s}"))
                                .and_then(|t| t.into_iter().next())
                                .unwrap_or_else(|| s.to_string())
                        })
                        .unwrap_or_else(|| hint.to_string());
                    self.named_at(ws, f, &p, &name)
                }
                None => Ty::Any,
            };
        }
        self.build(ws, file, v, hint, None)
    }

    /// Build a schema; `slot` is the def reserved for it (component schemas).
    fn build(
        &mut self,
        ws: &Workspace,
        file: FileId,
        v: &Value,
        hint: &str,
        slot: Option<usize>,
    ) -> Ty {
        self.depth += 1;
        let before = self.defs.len();
        let t = if self.depth > 48 {
            Ty::Any
        } else {
            self.build_inner(ws, file, v, hint, slot)
        };
        self.depth -= 1;
        // A type this schema made (not a component's, not one an inner schema made
        // first): remember its schema for the fidelity harness (without `null` when the
        // type is the non-null part of it).
        let made = match (&t, slot) {
            (Ty::Named(j), None) => Some((*j, None)),
            (Ty::Nullable(inner), None) => match inner.as_ref() {
                Ty::Named(j) => Some((*j, non_null(v))),
                _ => None,
            },
            _ => None,
        };
        if let Some((j, stripped)) = made {
            let nullable = matches!(t, Ty::Nullable(_));
            if j >= before
                && (!nullable || stripped.is_some())
                && !self.inline.contains_key(&j)
                && !self.by_src.values().any(|&k| k == j)
            {
                self.inline
                    .insert(j, (file, stripped.unwrap_or_else(|| v.clone())));
            }
        }
        t
    }

    fn build_inner(
        &mut self,
        ws: &Workspace,
        file: FileId,
        v: &Value,
        hint: &str,
        slot: Option<usize>,
    ) -> Ty {
        let Some(m) = v.as_object() else {
            return Ty::Any;
        };
        if ref_of(v).is_some() {
            let t = self.ty(ws, file, v, hint);
            return t;
        }
        let nullable = m.get("nullable").and_then(Value::as_bool) == Some(true)
            || types_of(m).iter().any(|t| t == "null");
        let wrap = |t: Ty| if nullable { t.nullable() } else { t };

        // allOf: a lone reference (with description etc.) is that type; otherwise merge.
        if let Some(all) = m.get("allOf").and_then(Value::as_array) {
            let has_own = m.contains_key("properties");
            // Parts that only describe (`{description: ...}` beside a `$ref`, the usual
            // way to document a reference) or only constrain a value add no shape.
            let shaped: Vec<&Value> = all.iter().filter(|p| !annotation_only(p)).collect();
            let nullable = nullable
                || all
                    .iter()
                    .any(|p| p.get("nullable").and_then(Value::as_bool) == Some(true));
            let wrap = |t: Ty| if nullable { t.nullable() } else { t };
            if let Some(d) = distribute_union(ws, file, m, all) {
                return wrap(self.build_inner(ws, file, &d, hint, slot));
            }
            if shaped.len() == 1 && !has_own {
                let inner = self.ty(ws, file, shaped[0], hint);
                return wrap(inner);
            }
            // No part is an object: the value is the first typed part's (the others
            // only constrain it: `allOf: [{$ref: Id}, {maxLength: 8}]`).
            if !has_own && !shaped.is_empty() {
                let objectish = shaped.iter().any(|p| {
                    let (_, _, t) = ws.deref(file, p);
                    is_objectish(t)
                });
                if !objectish {
                    if let Some(first) = shaped.iter().find(|p| {
                        let (_, _, t) = ws.deref(file, p);
                        t.get("type").is_some() || ref_of(p).is_some()
                    }) {
                        let inner = self.ty(ws, file, first, hint);
                        return wrap(inner);
                    }
                }
            }
            let mut merged = Merged::default();
            merge_into(ws, file, v, &mut merged, 0);
            let mv = Value::Object(std::mem::take(&mut merged.map));
            return wrap(self.object(ws, file, &mv, hint, slot, &merged));
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(alts) = m.get(key).and_then(Value::as_array) {
                // `properties` plus alternatives that only require some of them (`anyOf:
                // [{required: [a]}, {required: [b]}]`): one struct, the alternatives are
                // validation only.
                if m.contains_key("properties") && alts.iter().all(refines_only) {
                    continue;
                }
                let (nulls, rest): (Vec<&Value>, Vec<&Value>) =
                    alts.iter().partition(|a| is_null_schema(a));
                let nullable = nullable || !nulls.is_empty();
                let wrap = |t: Ty| if nullable { t.nullable() } else { t };
                if rest.len() == 1 {
                    let t = self.ty(ws, file, rest[0], hint);
                    return wrap(t);
                }
                if rest.is_empty() {
                    return Ty::Any;
                }
                let idx = self.slot(slot, hint, v);
                let name = self.defs[idx].name.clone();
                let mut variants = Vec::new();
                let mut ref_names: Vec<Option<String>> = Vec::new();
                for (i, alt) in rest.iter().enumerate() {
                    let vh = alt
                        .get("title")
                        .or_else(|| alt.get("x-hnp-variant"))
                        .and_then(Value::as_str)
                        .map(|t| format!("{name}{}", pascal(t)))
                        .unwrap_or_else(|| format!("{name}Option{}", i + 1));
                    let t = self.ty(ws, file, alt, &vh);
                    if !variants.contains(&t) {
                        variants.push(t);
                        ref_names.push(ref_of(alt).and_then(ref_name));
                    }
                }
                let property = match m.get("discriminator") {
                    Some(Value::String(p)) => Some(p.clone()),
                    Some(d) => d
                        .get("propertyName")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    None => None,
                };
                let discriminator = property.filter(|p| !p.is_empty()).map(|property| {
                    let mut mapped = vec![Vec::new(); variants.len()];
                    let mapping = m
                        .get("discriminator")
                        .and_then(|d| d.get("mapping"))
                        .and_then(Value::as_object);
                    for (tag, target) in mapping.into_iter().flatten() {
                        let Some(target) = target.as_str() else {
                            continue;
                        };
                        // A bare name means a component schema.
                        let raw = if target.contains('#') || target.contains('/') {
                            target.to_string()
                        } else {
                            format!("#/components/schemas/{target}")
                        };
                        let Some(at) = ws.ref_target(file, &raw) else {
                            continue;
                        };
                        let Some(&t) = self.by_src.get(&at) else {
                            continue;
                        };
                        if let Some(k) = variants.iter().position(|v| *v == Ty::Named(t)) {
                            mapped[k].push(tag.clone());
                        }
                    }
                    Discriminator {
                        property,
                        mapped,
                        ref_names: ref_names.clone(),
                    }
                });
                self.defs[idx].kind = Kind::Union {
                    variants,
                    discriminator,
                };
                return wrap(Ty::Named(idx));
            }
        }
        if let Some(c) = m.get("const") {
            return match c {
                Value::String(s) => wrap(Ty::Literal(s.clone())),
                Value::Bool(_) => wrap(Ty::Bool),
                Value::Number(n) if n.is_i64() || n.is_u64() => wrap(Ty::Int(Int::I64)),
                Value::Number(_) => wrap(Ty::Float),
                _ => Ty::Any,
            };
        }
        if let Some(vals) = m.get("enum").and_then(Value::as_array) {
            let strs: Vec<String> = vals
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect();
            let has_null = vals.iter().any(Value::is_null);
            let wrap = |t: Ty| {
                if nullable || has_null {
                    t.nullable()
                } else {
                    t
                }
            };
            if !strs.is_empty() && strs.len() + usize::from(has_null) == vals.len() {
                let mut uniq = Vec::new();
                for s in strs {
                    if !uniq.contains(&s) {
                        uniq.push(s);
                    }
                }
                let idx = self.slot(slot, hint, v);
                self.defs[idx].kind = Kind::Enum { values: uniq };
                return wrap(Ty::Named(idx));
            }
            // Integers only (`1.0` is the integer 1 in JSON Schema, but a model reads
            // it as a float: such enums stay plain integers).
            let ints: Vec<i64> = vals.iter().filter_map(Value::as_i64).collect();
            let integer_typed = types_of(m).iter().all(|t| t == "integer" || t == "null");
            if !ints.is_empty() && integer_typed && ints.len() + usize::from(has_null) == vals.len()
            {
                let mut uniq = Vec::new();
                for i in ints {
                    if !uniq.contains(&i) {
                        uniq.push(i);
                    }
                }
                let idx = self.slot(slot, hint, v);
                self.defs[idx].kind = Kind::IntEnum { values: uniq };
                return wrap(Ty::Named(idx));
            }
        }
        let types = types_of(m);
        let main: Vec<&str> = types
            .iter()
            .map(String::as_str)
            .filter(|t| *t != "null")
            .collect();
        if main.len() > 1 {
            // `type: [string, integer]`: a union of one variant per type, each with the
            // schema's keywords.
            let idx = self.slot(slot, hint, v);
            let name = self.defs[idx].name.clone();
            let mut variants = Vec::new();
            for t in &main {
                let mut one = m.clone();
                one.insert("type".into(), Value::String((*t).to_string()));
                one.remove("nullable");
                let t = self.build(
                    ws,
                    file,
                    &Value::Object(one),
                    &format!("{name}{}", pascal(t)),
                    None,
                );
                if !variants.contains(&t) {
                    variants.push(t);
                }
            }
            self.defs[idx].kind = Kind::Union {
                variants,
                discriminator: None,
            };
            return wrap(Ty::Named(idx));
        }
        let t = main.first().copied().unwrap_or_else(|| {
            if m.contains_key("properties") || m.contains_key("additionalProperties") {
                "object"
            } else if m.contains_key("items") || m.contains_key("prefixItems") {
                "array"
            } else {
                ""
            }
        });
        let fmt = m.get("format").and_then(Value::as_str).unwrap_or("");
        let ty = match t {
            "string" => match fmt {
                "date-time" => Ty::DateTime,
                "date" => Ty::Date,
                "uuid" => Ty::Uuid,
                _ => Ty::Str,
            },
            "integer" => match fmt {
                "int32" => Ty::Int(Int::I32),
                "uint64" | "uint32" => Ty::Int(Int::U64),
                _ => Ty::Int(Int::I64),
            },
            "number" => Ty::Float,
            "boolean" => Ty::Bool,
            "array" if self.tuple_items(m).is_some() => {
                let items = self.tuple_items(m).cloned().unwrap_or_default();
                Ty::Tuple(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, item)| self.ty(ws, file, item, &format!("{hint}{i}")))
                        .collect(),
                )
            }
            "array" => {
                let item = match m.get("items") {
                    Some(i) if i.is_object() => self.ty(ws, file, i, &format!("{hint}Item")),
                    _ => Ty::Any,
                };
                Ty::List(Box::new(item))
            }
            "object" => return wrap(self.object(ws, file, v, hint, slot, &Merged::default())),
            _ => Ty::Any,
        };
        wrap(ty)
    }

    /// The positional item schemas of an array schema that is an exact tuple: every
    /// position required (`minItems` at least their number) and none after them
    /// (`items: false` after `prefixItems`, `additionalItems: false` after a draft-07
    /// `items` array, `unevaluatedItems: false`, or `maxItems` at most their number).
    /// Other positional arrays (shorter or longer ones allowed) stay lists.
    fn tuple_items<'v>(&self, m: &'v serde_json::Map<String, Value>) -> Option<&'v Vec<Value>> {
        let (items, after) = match (m.get("prefixItems"), m.get("items")) {
            (Some(Value::Array(p)), after) => (p, after),
            (None, Some(Value::Array(p))) => (p, m.get("additionalItems")),
            _ => return None,
        };
        let n = items.len() as u64;
        let closed = after == Some(&Value::Bool(false))
            || m.get("unevaluatedItems") == Some(&Value::Bool(false))
            || m.get("maxItems")
                .and_then(Value::as_u64)
                .is_some_and(|x| x <= n);
        let min = m.get("minItems").and_then(Value::as_u64).unwrap_or(0);
        // serde implements tuples up to 16 items.
        (closed && min >= n && (1..=16).contains(&n)).then_some(items)
    }

    /// A def index: the reserved slot, or a new one named from the hint.
    fn slot(&mut self, slot: Option<usize>, hint: &str, v: &Value) -> usize {
        if let Some(i) = slot {
            return i;
        }
        let name = self.namer.take(&pascal(hint));
        self.defs.push(Def {
            name,
            doc: doc_of(v),
            kind: Kind::Pending,
        });
        self.defs.len() - 1
    }

    /// An object schema: a struct, or a map when it only has `additionalProperties`.
    /// `files` gives, per property, the file its schema was written in (merged allOf).
    fn object(
        &mut self,
        ws: &Workspace,
        file: FileId,
        v: &Value,
        hint: &str,
        slot: Option<usize>,
        merged: &Merged,
    ) -> Ty {
        let files = &merged.files;
        let props = v.get("properties").and_then(Value::as_object);
        let addl = v.get("additionalProperties");
        let file_of = |k: &str| {
            files
                .iter()
                .rev()
                .find(|(p, _)| p == k)
                .map(|(_, f)| *f)
                .unwrap_or(file)
        };
        let addl_ty = |ts: &mut TypeSet, name: &str| -> Option<Ty> {
            match addl {
                Some(Value::Bool(false)) => None,
                Some(a @ Value::Object(o)) if !o.is_empty() => {
                    let f = file_of("additionalProperties");
                    Some(ts.ty(ws, f, a, &format!("{name}Value")))
                }
                Some(_) => Some(Ty::Any),
                None => None,
            }
        };
        let no_props = props.is_none_or(|p| p.is_empty());
        // `required` without `properties` (the members misplaced beside them, as in
        // DEFRA's `HoldData`): a struct of those members, of any value, plus a
        // catch-all, so a missing one is rejected and nothing is lost.
        let required_only = no_props
            && v.get("required")
                .and_then(Value::as_array)
                .is_some_and(|r| r.iter().any(Value::is_string))
            && addl != Some(&Value::Bool(false))
            && v.get("unevaluatedProperties") != Some(&Value::Bool(false));
        // No members at all (`additionalProperties: false` without `properties`): an
        // empty closed struct, so any member is rejected (a map would take them).
        let closed_empty = no_props
            && (addl == Some(&Value::Bool(false))
                || v.get("unevaluatedProperties") == Some(&Value::Bool(false)));
        if no_props && !required_only && !closed_empty {
            return match addl_ty(self, hint) {
                Some(t) if t != Ty::Any => Ty::Map(Box::new(t)),
                _ => Ty::Object,
            };
        }
        let idx = self.slot(slot, hint, v);
        let name = self.defs[idx].name.clone();
        let required: BTreeSet<&str> = v
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut fields = Vec::new();
        for (k, pv) in props.into_iter().flatten() {
            let f = file_of(k);
            let phint = format!("{name}{}", pascal(k));
            let ty = match merged.stacked.iter().find(|(p, _)| p == k) {
                // An inherited object property refined with more properties: both apply.
                Some((_, parts)) => {
                    let mut inner = Merged::default();
                    for (pf, part) in parts {
                        merge_into(ws, *pf, part, &mut inner, 0);
                    }
                    let iv = Value::Object(std::mem::take(&mut inner.map));
                    self.object(ws, f, &iv, &phint, None, &inner)
                }
                None => self.ty(ws, f, pv, &phint),
            };
            // A required `readOnly` (`writeOnly`) property is only required in
            // responses (requests): a model serves both, so it is optional.
            let (_, _, target) = ws.deref(f, pv);
            let one_sided = ["readOnly", "writeOnly"]
                .iter()
                .any(|k| pv.get(*k).or_else(|| target.get(*k)) == Some(&Value::Bool(true)));
            fields.push(Field {
                key: k.clone(),
                ty,
                required: required.contains(k.as_str()) && !one_sided,
                doc: doc_of(pv),
            });
        }
        let closed = |k: &str| v.get(k) == Some(&Value::Bool(false));
        // A member the schema requires but does not describe (`required: [messagetype]`
        // beside `properties: {messageType}`) is in every valid instance: a field of any
        // value keeps it (issue 16; a closed object admits no such instance).
        if !closed("additionalProperties") && !closed("unevaluatedProperties") {
            for k in &required {
                if !props.is_some_and(|p| p.contains_key(*k)) {
                    fields.push(Field {
                        key: (*k).to_string(),
                        ty: Ty::Any,
                        required: true,
                        doc: Some("Required by the schema, which does not describe it.".into()),
                    });
                }
            }
        }
        let extra = match addl_ty(self, &name) {
            None if required_only => Some(Ty::Any),
            e => e,
        };
        if closed("additionalProperties") || closed("unevaluatedProperties") {
            self.closed.insert(idx);
        }
        self.defs[idx].kind = Kind::Struct { fields, extra };
        Ty::Named(idx)
    }
}

/// The last segment of a `$ref` (a component name), unescaped.
fn ref_name(raw: &str) -> Option<String> {
    let frag = raw.rsplit_once('#').map_or(raw, |(_, f)| f);
    let last = frag.rsplit('/').next().filter(|s| !s.is_empty())?;
    pointer::parse(&format!("/{last}")).and_then(|t| t.into_iter().next())
}

/// Why a union cannot be tagged, or the tag value of every variant: the `mapping`'s,
/// else the variant's `const` (or one-value `enum`) for the property, else the component
/// name of the schema it references. Every variant must be a struct; the values distinct.
/// A variant the `mapping` names under several values gets all of them, the first one
/// (the one written on output) first.
pub fn tags(defs: &[Def], variants: &[Ty], d: &Discriminator) -> Result<Vec<Vec<String>>, String> {
    let mut out: Vec<Vec<String>> = Vec::new();
    for (k, v) in variants.iter().enumerate() {
        let Ty::Named(j) = v else {
            return Err(format!(
                "variant {} is not an object type, so it cannot carry the `{}` tag",
                k + 1,
                d.property
            ));
        };
        let Some(def) = defs.get(*j) else {
            return Err("a variant is unknown".into());
        };
        let Kind::Struct { fields, .. } = &def.kind else {
            return Err(format!(
                "variant `{}` is not an object type, so it cannot carry the `{}` tag",
                def.name, d.property
            ));
        };
        // The values the variant's own property allows (`const` / `enum`), if restricted.
        let allowed: Option<Vec<String>> =
            fields
                .iter()
                .find(|f| f.key == d.property)
                .and_then(|f| match &f.ty {
                    Ty::Literal(l) => Some(vec![l.clone()]),
                    Ty::Named(e) => match defs.get(*e).map(|d| &d.kind) {
                        Some(Kind::Enum { values }) => Some(values.clone()),
                        _ => None,
                    },
                    _ => None,
                });
        let own = allowed
            .as_ref()
            .filter(|a| a.len() == 1)
            .and_then(|a| a.first().cloned());
        let mapped = d.mapped.get(k).filter(|m| !m.is_empty()).cloned();
        let tag = mapped
            .or_else(|| own.map(|t| vec![t]))
            .or_else(|| d.ref_names.get(k).cloned().flatten().map(|t| vec![t]));
        let Some(tag) = tag else {
            return Err(format!(
                "variant `{}` has no `{}` value (no mapping, const or schema name)",
                def.name, d.property
            ));
        };
        if let Some(allowed) = &allowed {
            if let Some(bad) = tag.iter().find(|t| !allowed.contains(t)) {
                return Err(format!(
                    "the `{}` value `{bad}` of variant `{}` is not one its schema allows",
                    d.property, def.name
                ));
            }
        }
        for t in &tag {
            if out.iter().flatten().any(|o| o == t) {
                return Err(format!(
                    "two variants have the `{}` value `{t}`",
                    d.property
                ));
            }
        }
        out.push(tag);
    }
    Ok(out)
}

fn types_of(m: &Map<String, Value>) -> Vec<String> {
    match m.get("type") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

/// Keywords that describe or constrain a value without giving it a shape.
const ANNOTATIONS: &[&str] = &[
    "description",
    "title",
    "example",
    "examples",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
    "nullable",
    "externalDocs",
    "format",
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
    "$comment",
    "xml",
];

/// A schema that only describes or constrains (no type, properties, composition).
fn annotation_only(v: &Value) -> bool {
    v.as_object().is_some_and(|m| {
        m.keys()
            .all(|k| ANNOTATIONS.contains(&k.as_str()) || k.starts_with("x-"))
    })
}

/// `allOf` with one union part (`allOf: [{anyOf: [A, B]}, {properties: {id: …}}]`,
/// also when the union is a `$ref` in the same file) as the union of each alternative
/// with the other parts (`anyOf: [{allOf: [A, …]}, {allOf: [B, …]}]`), the same set of
/// values: merging the parts alone would keep only the object part's members and drop
/// every alternative's. `None` when no part, or more than one part, is such a union (or
/// it lives in another file, whose `$ref`s the rewritten schema could not follow).
fn distribute_union(
    ws: &Workspace,
    file: FileId,
    m: &Map<String, Value>,
    all: &[Value],
) -> Option<Value> {
    let mut found = None;
    for (i, part) in all.iter().enumerate() {
        let (f, _, t) = ws.deref(file, part);
        let Some(tm) = t.as_object() else { continue };
        for key in ["oneOf", "anyOf"] {
            let Some(alts) = tm.get(key).and_then(Value::as_array) else {
                continue;
            };
            let real = alts.iter().filter(|a| !is_null_schema(a)).count();
            if real < 2 || alts.iter().all(refines_only) || tm.contains_key("properties") {
                continue;
            }
            if found.is_some() || f != file {
                return None;
            }
            found = Some((i, key, tm));
        }
    }
    let (at, key, tm) = found?;
    // The parts that shape the value (a `nullable: true` or a description beside the
    // union adds nothing to distribute); only object parts add members.
    let others: Vec<Value> = all
        .iter()
        .enumerate()
        .filter(|(i, p)| *i != at && !annotation_only(p))
        .map(|(_, p)| p.clone())
        .collect();
    let mut own = Map::new();
    for k in ["properties", "required", "additionalProperties"] {
        if let Some(x) = m.get(k) {
            own.insert(k.to_string(), x.clone());
        }
    }
    let objects = others.iter().any(|p| {
        let (_, _, t) = ws.deref(file, p);
        is_objectish(t)
    });
    if !objects && !m.contains_key("properties") {
        return None;
    }
    let alts = tm.get(key).and_then(Value::as_array)?;
    let mut out = Vec::new();
    let mut nullable = false;
    for alt in alts {
        if is_null_schema(alt) {
            nullable = true;
            continue;
        }
        let mut parts = vec![alt.clone()];
        parts.extend(others.iter().cloned());
        if !own.is_empty() {
            parts.push(Value::Object(own.clone()));
        }
        let mut am = Map::new();
        am.insert("allOf".into(), Value::Array(parts));
        let title = alt
            .get("title")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| ref_of(alt).and_then(ref_name));
        if let Some(t) = title {
            am.insert("x-hnp-variant".into(), Value::String(t));
        }
        out.push(Value::Object(am));
    }
    let mut d = Map::new();
    d.insert(key.into(), Value::Array(out));
    if nullable {
        d.insert("nullable".into(), Value::Bool(true));
    }
    for k in ["description"] {
        if let Some(x) = m.get(k).or_else(|| tm.get(k)) {
            d.insert(k.into(), x.clone());
        }
    }
    if let Some(x) = tm.get("discriminator").and_then(|x| x.get("propertyName")) {
        let mut dm = Map::new();
        dm.insert("propertyName".into(), x.clone());
        d.insert("discriminator".into(), Value::Object(dm));
    }
    Some(Value::Object(d))
}

/// An alternative that only adds requirements on the properties its parent declares.
fn refines_only(v: &Value) -> bool {
    v.as_object().is_some_and(|m| {
        m.keys().all(|k| {
            matches!(
                k.as_str(),
                "required" | "not" | "minProperties" | "maxProperties" | "description" | "title"
            ) || k.starts_with("x-")
        })
    })
}

/// A schema that makes an object (so `allOf` parts merge as properties).
fn is_objectish(v: &Value) -> bool {
    let Some(m) = v.as_object() else {
        return false;
    };
    m.contains_key("properties")
        || m.contains_key("additionalProperties")
        || m.contains_key("allOf")
        || m.contains_key("oneOf")
        || m.contains_key("anyOf")
        || types_of(m).iter().any(|t| t == "object")
        || (m.get("type").is_none() && m.contains_key("required"))
}

/// A nullable schema without its `null` (`nullable`, a `"null"` type, `null` branches
/// of a union, a `null` enum value), or `None` when `null` comes from elsewhere (an
/// `allOf` part).
fn non_null(v: &Value) -> Option<Value> {
    let mut m = v.as_object()?.clone();
    let mut changed = m.remove("nullable").is_some() | m.remove("x-nullable").is_some();
    if let Some(Value::Array(ts)) = m.get("type") {
        let rest: Vec<Value> = ts.iter().filter(|t| *t != "null").cloned().collect();
        if rest.len() != ts.len() {
            changed = true;
            let t = match rest.as_slice() {
                [one] => one.clone(),
                _ => Value::Array(rest),
            };
            m.insert("type".into(), t);
        }
    }
    for key in ["oneOf", "anyOf", "enum"] {
        if let Some(Value::Array(alts)) = m.get(key) {
            let rest: Vec<Value> = alts
                .iter()
                .filter(|a| !(is_null_schema(a) || a.is_null()))
                .cloned()
                .collect();
            if rest.len() != alts.len() && !rest.is_empty() {
                changed = true;
                m.insert(key.into(), Value::Array(rest));
            }
        }
    }
    changed.then_some(Value::Object(m))
}

fn is_null_schema(v: &Value) -> bool {
    v.get("type").and_then(Value::as_str) == Some("null")
}

fn mentions(t: &Ty, idx: usize) -> bool {
    match t {
        Ty::Named(i) => *i == idx,
        Ty::List(t) | Ty::Map(t) | Ty::Nullable(t) => mentions(t, idx),
        Ty::Tuple(ts) => ts.iter().any(|t| mentions(t, idx)),
        _ => false,
    }
}

fn get<'w>(ws: &'w Workspace, file: FileId, ptr: &str) -> Option<&'w Value> {
    let root = ws.file(file).value.as_ref()?;
    pointer::resolve(root, &pointer::parse(ptr)?).ok()
}

/// Merge an `allOf` schema into one object schema: properties, required and
/// additionalProperties of every part (refs followed). Records the file each property's
/// schema lives in so nested refs resolve.
#[derive(Debug, Default)]
struct Merged {
    map: Map<String, Value>,
    /// Per property (and `additionalProperties`): the file its schema was written in.
    files: Vec<(String, FileId)>,
    /// Properties given as objects by several parts: every part, in order.
    stacked: Vec<(String, Vec<(FileId, Value)>)>,
}

fn merge_into(ws: &Workspace, file: FileId, v: &Value, merged: &mut Merged, depth: usize) {
    if depth > 32 {
        return;
    }
    let (file, _, v) = ws.deref(file, v);
    let Some(m) = v.as_object() else {
        return;
    };
    if let Some(all) = m.get("allOf").and_then(Value::as_array) {
        for part in all {
            merge_into(ws, file, part, merged, depth + 1);
        }
    }
    let Merged {
        map: out,
        files,
        stacked,
    } = merged;
    if let Some(props) = m.get("properties").and_then(Value::as_object) {
        let dst = out
            .entry("properties")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(dst) = dst.as_object_mut() {
            for (k, pv) in props {
                match (dst.get(k), pv.as_object()) {
                    (Some(old), Some(o)) if o.contains_key("properties") => {
                        let old_file = files
                            .iter()
                            .rev()
                            .find(|(p, _)| p == k)
                            .map(|(_, f)| *f)
                            .unwrap_or(file);
                        match stacked.iter_mut().find(|(p, _)| p == k) {
                            Some((_, parts)) => parts.push((file, pv.clone())),
                            None => stacked.push((
                                k.clone(),
                                vec![(old_file, old.clone()), (file, pv.clone())],
                            )),
                        }
                    }
                    // A refinement (`const`, description) of an inherited property keeps
                    // the inherited schema unless it brings a type of its own.
                    (Some(_), Some(o))
                        if !o.contains_key("type")
                            && !o.contains_key("$ref")
                            && !o.contains_key("const")
                            && !o.contains_key("enum") => {}
                    _ => {
                        dst.insert(k.clone(), pv.clone());
                        files.push((k.clone(), file));
                    }
                }
            }
        }
    }
    if let Some(req) = m.get("required").and_then(Value::as_array) {
        let dst = out
            .entry("required")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Some(dst) = dst.as_array_mut() {
            for r in req {
                if !dst.contains(r) {
                    dst.push(r.clone());
                }
            }
        }
    }
    for k in ["additionalProperties", "description", "title", "nullable"] {
        if let Some(x) = m.get(k) {
            out.insert(k.to_string(), x.clone());
            if k == "additionalProperties" {
                files.push((k.to_string(), file));
            }
        }
    }
}

impl TypeSet {
    /// Add a named type built by the caller.
    pub fn add(&mut self, name: &str, doc: Option<String>, kind: Kind) -> usize {
        let name = self.namer.take(&pascal(name));
        self.defs.push(Def { name, doc, kind });
        self.defs.len() - 1
    }

    pub fn add_struct(&mut self, name: &str, fields: Vec<Field>) -> Ty {
        Ty::Named(self.add(
            name,
            None,
            Kind::Struct {
                fields,
                extra: None,
            },
        ))
    }

    pub fn add_union(&mut self, name: &str, variants: Vec<Ty>) -> Ty {
        Ty::Named(self.add(
            name,
            None,
            Kind::Union {
                variants,
                discriminator: None,
            },
        ))
    }

    /// Reserve a name in the type namespace (handler interfaces).
    pub fn take_name(&mut self, want: &str) -> String {
        self.namer.take(&pascal(want))
    }
}

/// A union without a `discriminator` whose object variants all require one property
/// with a distinct `const` value is discriminated by that property (issue 11, 16): an
/// untagged decode would take the first variant whose fields fit, so a variant that
/// accepts a superset of another's inputs (`heartbeat` before `update`) would win.
pub fn infer_discriminators(defs: &mut [Def]) {
    let mut found = Vec::new();
    for (i, d) in defs.iter().enumerate() {
        let Kind::Union {
            variants,
            discriminator: None,
        } = &d.kind
        else {
            continue;
        };
        let consts = |v: &Ty| -> Option<Vec<(String, String)>> {
            let Ty::Named(j) = v else { return None };
            let Kind::Struct { fields, .. } = &defs.get(*j)?.kind else {
                return None;
            };
            Some(
                fields
                    .iter()
                    .filter(|f| f.required)
                    .filter_map(|f| match &f.ty {
                        Ty::Literal(l) => Some((f.key.clone(), l.clone())),
                        _ => None,
                    })
                    .collect(),
            )
        };
        let Some(all) = variants.iter().map(consts).collect::<Option<Vec<_>>>() else {
            continue;
        };
        if all.len() < 2 {
            continue;
        }
        let Some(first) = all.first() else { continue };
        let property = first.iter().map(|(k, _)| k).find(|k| {
            let mut seen = HashSet::new();
            all.iter().all(|fs| {
                fs.iter()
                    .find(|(fk, _)| fk == *k)
                    .is_some_and(|(_, v)| seen.insert(v.clone()))
            })
        });
        if let Some(p) = property {
            found.push((i, p.clone(), variants.len()));
        }
    }
    for (i, property, n) in found {
        if let Some(Kind::Union { discriminator, .. }) = defs.get_mut(i).map(|d| &mut d.kind) {
            *discriminator = Some(Discriminator {
                property,
                mapped: vec![Vec::new(); n],
                ref_names: vec![None; n],
            });
        }
    }
}
