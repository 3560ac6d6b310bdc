//! The template context for the Rust crate: type expressions, serde attributes, boxing
//! of recursive fields, enum variant names. Templates only lay the code out.

use serde_json::{Value, json};

use super::api::Api;
use super::names::{Namer, pascal, rust_escape, snake};
use super::types::{Def, Int, Kind, Ty, tags};

/// The Rust spelling of a type; `boxed` wraps a named type in `Box` (recursion).
pub fn ty(t: &Ty, defs: &[Def], boxed: bool) -> String {
    ty_in(t, defs, boxed, "")
}

/// Like [`ty`] with named types qualified by `prefix` (`crate::models::`).
pub fn ty_in(t: &Ty, defs: &[Def], boxed: bool, prefix: &str) -> String {
    let ty = |t: &Ty, defs: &[Def], boxed: bool| ty_in(t, defs, boxed, prefix);
    match t {
        Ty::Str | Ty::Literal(_) => "String".into(),
        Ty::Bool => "bool".into(),
        Ty::Int(Int::I32) => "i32".into(),
        Ty::Int(Int::I64) => "i64".into(),
        Ty::Int(Int::U64) => "u64".into(),
        Ty::Float => "f64".into(),
        Ty::DateTime => "chrono::DateTime<chrono::Utc>".into(),
        Ty::Date => "chrono::NaiveDate".into(),
        Ty::Uuid => "uuid::Uuid".into(),
        Ty::Any => "serde_json::Value".into(),
        Ty::Object => "serde_json::Map<String, serde_json::Value>".into(),
        Ty::Named(i) => {
            let n = defs
                .get(*i)
                .map(|d| format!("{prefix}{}", d.name))
                .unwrap_or_else(|| "serde_json::Value".into());
            if boxed { format!("Box<{n}>") } else { n }
        }
        Ty::List(t) => format!("Vec<{}>", ty(t, defs, false)),
        Ty::Tuple(ts) => {
            let items: Vec<String> = ts.iter().map(|t| ty(t, defs, false)).collect();
            let t = match items.as_slice() {
                [one] => format!("({one},)"),
                _ => format!("({})", items.join(", ")),
            };
            if boxed { format!("Box<{t}>") } else { t }
        }
        Ty::Map(t) => format!("std::collections::BTreeMap<String, {}>", ty(t, defs, false)),
        Ty::Nullable(t) => format!("Option<{}>", ty(t, defs, boxed)),
    }
}

/// Named types reached without indirection (no Vec/Map in between).
fn direct(t: &Ty, out: &mut Vec<usize>) {
    match t {
        Ty::Named(i) => out.push(*i),
        Ty::Nullable(t) => direct(t, out),
        Ty::Tuple(ts) => ts.iter().for_each(|t| direct(t, out)),
        _ => {}
    }
}

fn edges(d: &Def) -> Vec<usize> {
    let mut out = Vec::new();
    match &d.kind {
        Kind::Struct { fields, .. } => fields.iter().for_each(|f| direct(&f.ty, &mut out)),
        Kind::Union { variants, .. } => variants.iter().for_each(|v| direct(v, &mut out)),
        Kind::Alias(t) => direct(t, &mut out),
        _ => {}
    }
    out
}

/// Strongly connected components of the direct-containment graph (iterative Tarjan):
/// the component id of every def, and whether each def sits on a cycle.
fn cycles(defs: &[Def]) -> (Vec<usize>, Vec<bool>) {
    let n = defs.len();
    let adj: Vec<Vec<usize>> = defs
        .iter()
        .map(|d| edges(d).into_iter().filter(|&j| j < n).collect())
        .collect();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on = vec![false; n];
    let mut comp = vec![usize::MAX; n];
    let mut stack = Vec::new();
    let mut next = 0;
    let mut ncomp = 0;
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work = vec![(root, 0usize)];
        while let Some(&mut (v, ref mut ei)) = work.last_mut() {
            if *ei == 0 && index[v] == usize::MAX {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on[v] = true;
            }
            if let Some(&w) = adj[v].get(*ei) {
                *ei += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(p, _)) = work.last() {
                low[p] = low[p].min(low[v]);
            }
            if low[v] == index[v] {
                while let Some(w) = stack.pop() {
                    on[w] = false;
                    comp[w] = ncomp;
                    if w == v {
                        break;
                    }
                }
                ncomp += 1;
            }
        }
    }
    let mut size = vec![0usize; ncomp];
    for &c in &comp {
        if c < ncomp {
            size[c] += 1;
        }
    }
    let cyclic = (0..n)
        .map(|i| size.get(comp[i]).is_some_and(|&s| s > 1) || adj[i].contains(&i))
        .collect();
    (comp, cyclic)
}

/// Whether a field of `owner` of type `t` must be boxed: it leads back to `owner`.
fn needs_box(scc: &(Vec<usize>, Vec<bool>), owner: usize, t: &Ty) -> bool {
    let mut out = Vec::new();
    direct(t, &mut out);
    out.into_iter()
        .any(|i| scc.1.get(owner) == Some(&true) && scc.0.get(i) == scc.0.get(owner))
}

/// Contract text (a property name, a tag value) made safe inside a `///` line.
fn comment(s: &str) -> String {
    super::saga::doc_text(super::Lang::Rust, s)
}

/// A description as `///` lines that rustdoc never runs as a doctest: every opening code
/// fence becomes a `text` fence, lines outside fences keep at most three spaces of
/// indentation (four would start an indented, tested code block), and tabs become spaces
/// (`clippy::tabs_in_doc_comments`).
fn doc_lines(doc: &Option<String>) -> Vec<String> {
    let Some(d) = doc.as_deref() else {
        return Vec::new();
    };
    // The open fence: its character and length.
    let mut open: Option<(char, usize)> = None;
    let mut out = Vec::new();
    for raw in d.lines() {
        let line = raw.replace('\t', "    ").replace("*/", "* /");
        let line = line.trim_end();
        let body = line.trim_start_matches(' ');
        let indent = line.len() - body.len();
        let fence = ['`', '~'].into_iter().find_map(|c| {
            let n = body.chars().take_while(|&x| x == c).count();
            (n >= 3 && indent < 4).then_some((c, n))
        });
        match (open, fence) {
            (None, Some((c, n))) => {
                open = Some((c, n));
                out.push(format!("{}text", c.to_string().repeat(n)));
            }
            (Some((c, n)), Some((fc, fnn)))
                if fc == c && fnn >= n && body.trim_start_matches(c).is_empty() =>
            {
                open = None;
                out.push(body.to_string());
            }
            (Some(_), _) => out.push(line.to_string()),
            (None, None) => out.push(format!("{}{body}", " ".repeat(indent.min(3)))),
        }
    }
    if let Some((c, n)) = open {
        // An unclosed fence would run to the end of the item's docs: close it.
        out.push(c.to_string().repeat(n));
    }
    out
}

fn variant_name(v: &str) -> String {
    if v.is_empty() {
        "Empty".into()
    } else {
        pascal(v)
    }
}

/// Every named type a type mentions (through containers).
fn mentioned(t: &Ty, out: &mut Vec<usize>) {
    match t {
        Ty::Named(i) => out.push(*i),
        Ty::List(t) | Ty::Map(t) | Ty::Nullable(t) => mentioned(t, out),
        Ty::Tuple(ts) => ts.iter().for_each(|t| mentioned(t, out)),
        _ => {}
    }
}

/// How each discriminated union is generated: `Ok(tag per variant)` for a
/// `#[serde(tag)]` enum, `Err(why)` for an untagged one; and the `(struct, property)`
/// fields left out of the variant structs because the enum carries the tag.
///
/// serde's internally tagged enums consume the tag before the variant's struct sees the
/// rest, so the struct must not carry it: a variant struct also used anywhere else (as
/// a message, a field, a body, another kind of union) keeps its field and the union
/// stays untagged.
#[allow(clippy::type_complexity)]
pub(super) fn tagging(
    api: &Api,
) -> (
    std::collections::HashMap<usize, Result<Vec<Vec<String>>, String>>,
    std::collections::HashSet<(usize, String)>,
) {
    let defs = &api.types.defs;
    let mut plan = std::collections::HashMap::new();
    for (i, d) in defs.iter().enumerate() {
        if let Kind::Union {
            variants,
            discriminator: Some(disc),
        } = &d.kind
        {
            plan.insert(
                i,
                tags(defs, variants, disc).map(|t| (disc.property.clone(), t)),
            );
        }
    }
    // Uses of every def outside tagged unions.
    let mut other_uses = vec![0usize; defs.len()];
    let count = |t: &Ty, uses: &mut Vec<usize>| {
        let mut out = Vec::new();
        mentioned(t, &mut out);
        for j in out {
            if let Some(u) = uses.get_mut(j) {
                *u += 1;
            }
        }
    };
    for (i, d) in defs.iter().enumerate() {
        match &d.kind {
            Kind::Struct { fields, extra } => {
                fields.iter().for_each(|f| count(&f.ty, &mut other_uses));
                if let Some(e) = extra {
                    count(e, &mut other_uses);
                }
            }
            Kind::Union { variants, .. } if !matches!(plan.get(&i), Some(Ok(_))) => {
                variants.iter().for_each(|v| count(v, &mut other_uses));
            }
            Kind::Alias(t) => count(t, &mut other_uses),
            _ => {}
        }
    }
    for m in &api.messages {
        if let Some(u) = other_uses.get_mut(m.def) {
            *u += 1;
        }
    }
    for g in &api.groups {
        for h in &g.handlers {
            for m in &h.methods {
                for t in m.input.iter().chain(m.output.iter()) {
                    count(t, &mut other_uses);
                }
            }
        }
    }
    // The tag properties of the tagged unions each struct is a variant of.
    let mut props: std::collections::HashMap<usize, std::collections::BTreeSet<&str>> =
        std::collections::HashMap::new();
    for (i, p) in &plan {
        if let (Ok((property, _)), Some(Kind::Union { variants, .. })) =
            (p, defs.get(*i).map(|d| &d.kind))
        {
            for v in variants {
                if let Ty::Named(j) = v {
                    props.entry(*j).or_default().insert(property.as_str());
                }
            }
        }
    }
    let mut out = std::collections::HashMap::new();
    let mut dropped = std::collections::HashSet::new();
    let mut ids: Vec<&usize> = plan.keys().collect();
    ids.sort();
    for &i in ids {
        let decision = match &plan[&i] {
            Err(why) => Err(why.clone()),
            Ok((property, tags)) => {
                let Some(Kind::Union { variants, .. }) = defs.get(i).map(|d| &d.kind) else {
                    continue;
                };
                // serde consumes one tag only: a struct in unions tagged by different
                // properties keeps all of them, and those unions stay untagged.
                let conflict = variants.iter().find_map(|v| match v {
                    Ty::Named(j) => props
                        .get(j)
                        .and_then(|ps| ps.iter().find(|p| **p != property.as_str()))
                        .and_then(|other| defs.get(*j).map(|d| (d.name.clone(), *other))),
                    _ => None,
                });
                if let Some((name, other)) = conflict {
                    out.insert(
                        i,
                        Err(format!(
                            "`{name}` is also a variant of a union tagged by `{other}`, so its struct keeps the `{property}` field"
                        )),
                    );
                    continue;
                }
                let shared = variants.iter().find_map(|v| match v {
                    Ty::Named(j) if other_uses.get(*j).is_some_and(|&u| u > 0) => {
                        defs.get(*j).map(|d| d.name.clone())
                    }
                    _ => None,
                });
                match shared {
                    Some(name) => Err(format!(
                        "`{name}` is also used on its own, so its struct keeps the `{property}` field"
                    )),
                    None => {
                        // Every variant struct declares the tag: it keeps the field (so
                        // the struct is whole on its own too) and the enum's generated
                        // `Deserialize` hands it the whole object.
                        let declared = variants.iter().all(|v| match v {
                            Ty::Named(j) => matches!(
                                defs.get(*j).map(|d| &d.kind),
                                Some(Kind::Struct { fields, .. })
                                    if fields.iter().any(|f| &f.key == property)
                            ),
                            _ => false,
                        });
                        if !declared {
                            for v in variants {
                                if let Ty::Named(j) = v {
                                    dropped.insert((*j, property.clone()));
                                }
                            }
                        }
                        Ok(tags.clone())
                    }
                }
            }
        };
        out.insert(i, decision);
    }
    (out, dropped)
}

/// Sort key of an untagged union's variant: objects with more required members, then
/// more members, first; then other specific types; catch-alls (any value, any object,
/// maps) last.
fn specificity(defs: &[Def], t: &Ty) -> (u8, usize, usize) {
    let t = match t {
        Ty::Nullable(inner) => inner.as_ref(),
        t => t,
    };
    match t {
        Ty::Named(j) => match defs.get(*j).map(|d| &d.kind) {
            Some(Kind::Struct { fields, extra }) => {
                let req = fields.iter().filter(|f| f.required).count();
                let group = if req == 0 && extra.is_some() { 2 } else { 0 };
                (group, usize::MAX - req, usize::MAX - fields.len())
            }
            Some(Kind::Alias(a)) => specificity(defs, a),
            _ => (1, 0, 0),
        },
        Ty::Literal(_) | Ty::DateTime | Ty::Date | Ty::Uuid => (1, 0, 0),
        Ty::Int(_) => (1, 1, 0),
        Ty::Float | Ty::Str | Ty::Bool | Ty::List(_) => (1, 2, 0),
        Ty::Tuple(_) => (1, 1, 0),
        Ty::Map(_) => (3, 0, 0),
        Ty::Object => (3, 1, 0),
        Ty::Any | Ty::Nullable(_) => (4, 0, 0),
    }
}

/// The JSON members a struct variant knows, and whether it keeps unknown ones
/// (`None` member list for a non-struct type: given as an empty list, not open).
fn members(defs: &[Def], t: &Ty) -> (Vec<String>, Value) {
    let t = match t {
        Ty::Nullable(inner) => inner.as_ref(),
        t => t,
    };
    match t {
        Ty::Named(j) => match defs.get(*j).map(|d| &d.kind) {
            Some(Kind::Struct { fields, extra }) => (
                fields.iter().map(|f| f.key.clone()).collect(),
                Value::String(extra.is_some().to_string()),
            ),
            _ => (Vec::new(), Value::Null),
        },
        _ => (Vec::new(), Value::Null),
    }
}

/// The struct variants a union variant may become (nested unions followed), each with
/// its members and whether it keeps unknown ones: the generated deserializer scores a
/// union variant by its best inner variant.
fn union_alts(defs: &[Def], t: &Ty, depth: usize, out: &mut Vec<Value>) {
    let t = match t {
        Ty::Nullable(inner) => inner.as_ref(),
        t => t,
    };
    let Ty::Named(j) = t else { return };
    match defs.get(*j).map(|d| &d.kind) {
        Some(Kind::Struct { .. }) if depth > 0 => {
            let (known, open) = members(defs, t);
            out.push(json!({"known": known.iter().map(|k| rust_str(k)).collect::<Vec<_>>(), "open": open}));
        }
        Some(Kind::Union { variants, .. }) if depth < 8 => {
            for v in variants {
                union_alts(defs, v, depth + 1, out);
            }
        }
        _ => {}
    }
}

/// Whether serde fills the type in when its member is missing (`Option`, `Value`, or
/// an alias of one).
fn fills_missing(defs: &[Def], t: &Ty, depth: usize) -> bool {
    match t {
        Ty::Nullable(_) | Ty::Any => true,
        Ty::Named(j) if depth < 16 => match defs.get(*j).map(|d| &d.kind) {
            Some(Kind::Alias(inner)) => fills_missing(defs, inner, depth + 1),
            _ => false,
        },
        _ => false,
    }
}

fn is_copy(d: &Def) -> bool {
    matches!(d.kind, Kind::Enum { .. } | Kind::IntEnum { .. })
}

/// A Rust variant name for an integer value: `V1`, `Minus1`.
fn int_variant(v: i64) -> String {
    if v < 0 {
        format!("Minus{}", v.unsigned_abs())
    } else {
        format!("V{v}")
    }
}

/// The context of every Rust template.
pub fn context(api: &Api, crate_name: &str) -> Value {
    let defs = &api.types.defs;
    let scc = cycles(defs);
    let (tagged, dropped) = tagging(api);
    let mut types = Vec::new();
    // `const` string values of struct fields, each checked by its own helper
    // (`serde_helpers::const_N`), in first-use order.
    let mut literals: Vec<(String, [bool; 3])> = Vec::new();
    let mut literal_ids: std::collections::HashMap<String, usize> = Default::default();
    for (i, d) in defs.iter().enumerate() {
        let base = json!({"name": d.name, "doc": doc_lines(&d.doc)});
        let mut o = base.as_object().cloned().unwrap_or_default();
        match &d.kind {
            Kind::Pending => {
                o.insert("kind".into(), json!("alias"));
                o.insert("target".into(), json!("serde_json::Value"));
            }
            Kind::Alias(t) => {
                o.insert("kind".into(), json!("alias"));
                o.insert("target".into(), json!(ty(t, defs, false)));
            }
            Kind::Enum { values } => {
                let mut n = Namer::with_reserved(&["Self"]);
                let vs: Vec<Value> = values.iter().map(|v| json!({"name": n.take(&variant_name(v)), "value": v, "lit": rust_str(v)})).collect();
                o.insert("kind".into(), json!("enum"));
                o.insert("variants".into(), Value::Array(vs));
            }
            Kind::IntEnum { values } => {
                let vs: Vec<Value> = values
                    .iter()
                    .map(|v| json!({"name": int_variant(*v), "value": v.to_string()}))
                    .collect();
                let listed: Vec<String> = values.iter().map(i64::to_string).collect();
                o.insert("kind".into(), json!("int_enum"));
                o.insert("variants".into(), Value::Array(vs));
                o.insert("listed".into(), json!(listed.join(", ")));
            }
            Kind::Union {
                variants,
                discriminator,
            } => {
                let tags = tagged.get(&i);
                let is_tagged = matches!(tags, Some(Ok(_))) && discriminator.is_some();
                let mut n = Namer::with_reserved(&["Self"]);
                // Untagged: the most specific variants first (serde takes the first
                // that fits).
                let mut order: Vec<usize> = (0..variants.len()).collect();
                if !is_tagged {
                    order.sort_by_key(|&k| specificity(defs, &variants[k]));
                }
                let vs: Vec<Value> = order
                    .iter()
                    .map(|&k| (k, &variants[k]))
                    .map(|(k, v)| {
                        let vn = match v {
                            Ty::Named(j) => defs.get(*j).map(|d| d.name.clone()).unwrap_or_default(),
                            other => pascal(&ty(other, defs, false).replace("serde_json::", "").replace("chrono::", "")),
                        };
                        let all: &[String] = match tags {
                            Some(Ok(t)) => t.get(k).map_or(&[], Vec::as_slice),
                            _ => &[],
                        };
                        let tag = all.first().map(|t| rust_str(t));
                        let aliases: Vec<String> = all.iter().skip(1).map(|t| rust_str(t)).collect();
                        let (known, open) = members(defs, v);
                        let mut alts = Vec::new();
                        union_alts(defs, v, 0, &mut alts);
                        json!({"name": n.take(&pascal(&vn)), "ty": ty(v, defs, needs_box(&scc, i, v)), "tag": tag, "aliases": aliases, "known": known.iter().map(|k| rust_str(k)).collect::<Vec<_>>(), "open": open, "alts": alts})
                    })
                    .collect();
                // Two or more object variants serde cannot tell apart by their required
                // members alone: a generated deserializer picks the best match.
                let objects: Vec<&Value> = vs
                    .iter()
                    .filter(|v| {
                        v["open"] == json!("true")
                            || v["alts"].as_array().is_some_and(|a| !a.is_empty())
                            || (v["open"].is_string()
                                && !v["known"].as_array().is_some_and(Vec::is_empty))
                    })
                    .collect();
                let best_match = !is_tagged && objects.len() >= 2;
                o.insert("best_match".into(), json!(best_match));
                o.insert("kind".into(), json!("union"));
                o.insert("variants".into(), Value::Array(vs));
                o.insert(
                    "discriminator".into(),
                    json!(discriminator.as_ref().map(|d| comment(&d.property))),
                );
                let (tag, untagged_why) = match (tags, discriminator) {
                    (Some(Ok(_)), Some(d)) => (Some(rust_str(&d.property)), None),
                    (Some(Err(why)), _) => (None, Some(comment(why))),
                    _ => (None, None),
                };
                // The variant structs keep their tag field (see `tagging`).
                let keeps_tag = is_tagged
                    && discriminator.as_ref().is_some_and(|d| {
                        variants.iter().all(|v| {
                            matches!(v, Ty::Named(j) if !dropped.contains(&(*j, d.property.clone())))
                        })
                    });
                o.insert("keeps_tag".into(), json!(keeps_tag));
                o.insert("tag".into(), json!(tag));
                o.insert("untagged_why".into(), json!(untagged_why));
            }
            Kind::Struct { fields, extra } => {
                let mut n = Namer::default();
                let mut fs = Vec::new();
                let mut carried = None;
                for f in fields {
                    if dropped.contains(&(i, f.key.clone())) {
                        carried = Some(f.key.clone());
                        continue;
                    }
                    let ident = rust_escape(n.take_snake(&snake(&f.key)));
                    let bare = ident.trim_start_matches("r#").to_string();
                    let boxed = needs_box(&scc, i, &f.ty);
                    let inner = ty(&f.ty, defs, boxed);
                    let mut attrs = Vec::new();
                    if bare != f.key {
                        attrs.push(format!("rename = {}", rust_str(&f.key)));
                    }
                    // An alias of an `Option` or `Value` (a `$ref` to a nullable schema)
                    // is filled in as `None` by serde too.
                    let nullable = fills_missing(defs, &f.ty, 0) && f.ty != Ty::Any;
                    // A `const` string accepts only its value (`Option<..>` when
                    // optional; a nullable one also `null`).
                    let literal = match &f.ty {
                        Ty::Literal(l) => Some((l, "")),
                        Ty::Nullable(t) => match t.as_ref() {
                            Ty::Literal(l) if f.required => Some((l, "_or_null")),
                            _ => None,
                        },
                        _ => None,
                    };
                    if let Some((l, null)) = literal {
                        let next = literal_ids.len();
                        let k = *literal_ids.entry(l.clone()).or_insert_with(|| {
                            literals.push((l.clone(), [false; 3]));
                            next
                        });
                        let opt = if f.required { null } else { "_opt" };
                        let used = usize::from(!f.required) + 2 * usize::from(!null.is_empty());
                        if let Some(u) = literals.get_mut(k).and_then(|l| l.1.get_mut(used)) {
                            *u = true;
                        }
                        attrs.push(format!(
                            "deserialize_with = \"crate::serde_helpers::const_{k}{opt}\""
                        ));
                    }
                    let full = if f.required {
                        // serde fills a missing `Option` (and `Value`) field with
                        // `None` (`null`); a required one must be present.
                        if (nullable || f.ty == Ty::Any) && literal.is_none() {
                            attrs.push(
                                "deserialize_with = \"serde::Deserialize::deserialize\"".into(),
                            );
                        }
                        inner
                    } else {
                        attrs.push("default".into());
                        attrs.push("skip_serializing_if = \"Option::is_none\"".into());
                        if (nullable || f.ty == Ty::Any) && literal.is_none() {
                            attrs.push(
                                "deserialize_with = \"crate::serde_helpers::present\"".into(),
                            );
                        }
                        format!("Option<{inner}>")
                    };
                    let mut doc = doc_lines(&f.doc);
                    if let Ty::Literal(l) = &f.ty {
                        doc.push(format!("Always `{l}`."));
                    }
                    fs.push(
                        json!({"name": ident, "ty": full, "serde": attrs.join(", "), "doc": doc}),
                    );
                }
                let extra = extra.as_ref().map(|t| {
                    let name = n.take_snake("extra");
                    json!({"name": name, "ty": format!("std::collections::BTreeMap<String, {}>", ty(t, defs, false))})
                });
                // A variant struct whose tag the enum carries stays open: used on its
                // own, its input still holds the tag.
                let tag_carried = carried.is_some();
                if let Some(k) = carried {
                    let doc = o.entry("doc").or_insert_with(|| json!([]));
                    if let Some(a) = doc.as_array_mut() {
                        if !a.is_empty() {
                            a.push(json!(""));
                        }
                        a.push(json!(format!(
                            "Its `{k}` tag is carried by the tagged enum(s) it is a variant of."
                        )));
                    }
                }
                o.insert("kind".into(), json!("struct"));
                o.insert(
                    "closed".into(),
                    json!(api.types.closed.contains(&i) && extra.is_none() && !tag_carried),
                );
                o.insert("fields".into(), Value::Array(fs));
                o.insert("extra".into(), json!(extra));
                o.insert("eq".into(), json!(false));
            }
        }
        o.insert("copy".into(), json!(is_copy(d)));
        types.push(Value::Object(o));
    }
    let messages: Vec<Value> = api
        .messages
        .iter()
        .map(|m| {
            let name = defs.get(m.def).map(|d| d.name.clone()).unwrap_or_default();
            let examples: Vec<Value> = m.examples.iter().map(|(n, x)| json!({"n": n, "text": raw_str(&serde_json::to_string_pretty(x).unwrap_or_default())})).collect();
            let skipped = super::api::skipped_comments(&name, &m.skipped);
            json!({"name": name, "fn": snake(&name), "ce_type": m.ce_type.as_deref().map(rust_str), "role": m.role, "examples": examples, "skipped": skipped})
        })
        .collect();
    let groups: Vec<Value> = api
        .groups
        .iter()
        .map(|g| {
            let hs: Vec<Value> = g
                .handlers
                .iter()
                .map(|h| {
                    let example = |i: usize| {
                        api.messages
                            .get(i)
                            .and_then(|m| m.examples.first())
                            .map(|(_, x)| raw_str(&serde_json::to_string(x).unwrap_or_default()))
                    };
                    let msg_name = |i: usize| {
                        api.messages
                            .get(i)
                            .and_then(|m| defs.get(m.def))
                            .map(|d| d.name.clone())
                            .unwrap_or_default()
                    };
                    let base = h.name.strip_suffix("Handler").unwrap_or(&h.name);
                    let one = h.methods.len() == 1;
                    let ms: Vec<Value> = h
                        .methods
                        .iter()
                        .map(|m| {
                            let consume = match m.name.strip_prefix("handle") {
                                Some(rest) => format!("consume{rest}"),
                                None => format!("consume_{}", m.name),
                            };
                            // A nested generic type (`Vec<BTreeMap<String, Map<…>>>`) is
                            // named by an alias in the handler's module, so signatures stay
                            // readable (and under clippy's `type_complexity`).
                            let alias = |t: &Ty, what: &str| -> (String, Option<(String, String)>) {
                                let full = ty_in(t, defs, false, "crate::models::");
                                if full.matches('<').count() < 2 {
                                    return (full, None);
                                }
                                let name = if one {
                                    format!("{base}{what}")
                                } else {
                                    format!("{base}{}{what}", pascal(&m.name))
                                };
                                (name.clone(), Some((name, full)))
                            };
                            let (input, input_alias) = match &m.input {
                                Some(t) => {
                                    let (n, a) = alias(t, "Input");
                                    (Some(n), a)
                                }
                                None => (None, None),
                            };
                            let (output, output_alias) = match &m.output {
                                Some(t) => alias(t, "Output"),
                                None => ("()".to_string(), None),
                            };
                            let aliases: Vec<Value> = input_alias
                                .iter()
                                .chain(output_alias.iter())
                                .map(|(n, t)| json!({"name": n, "ty": t}))
                                .collect();
                            json!({
                                "name": rust_escape(m.name.clone()),
                                "consume": rust_escape(consume),
                                "input": input,
                                "input_aliased": input_alias.is_some(),
                                "output": output,
                                "output_aliased": output_alias.is_some(),
                                "aliases": aliases,
                                "doc": m.doc,
                                "message": m.message.map(msg_name),
                                "key": m.idempotency_key.as_deref().map(rust_str),
                                "key_doc": m.idempotency_key.as_deref().map(comment),
                                "example": m.message.and_then(example),
                                "example_keyed": api.example_has_key(m),
                            })
                        })
                        .collect();
                    let emits: Vec<Value> = h
                        .emits
                        .iter()
                        .map(|e| {
                            let name = msg_name(e.message);
                            json!({
                                "method": rust_escape(e.method.clone()),
                                "ty": format!("crate::models::{name}"),
                                "message": name,
                                "message_lit": rust_str(&name),
                                "ce_type": api.messages.get(e.message).and_then(|m| m.ce_type.as_deref()).map(rust_str),
                                "address": e.address.as_deref().map(rust_str),
                                "address_doc": e.address.as_deref().map(comment),
                                "example": example(e.message),
                            })
                        })
                        .collect();
                    let publisher = (!h.emits.is_empty() || h.dead_letter.is_some())
                        .then(|| format!("{base}Publisher"));
                    let unit = h.methods.iter().all(|m| m.output.is_none());
                    // The generated tests drive one consumer method (keyed, with an
                    // example, preferably) through a probe implementation.
                    let probe = api
                        .probe_method(h)
                        .and_then(|m| ms.iter().find(|c| c["name"] == rust_escape(m.name.clone())))
                        .cloned();
                    let probe_emit = emits.iter().find(|e| !e["example"].is_null()).cloned();
                    json!({
                        "name": h.name,
                        "kind": h.kind,
                        "operation": h.operation,
                        "op_lit": rust_str(&h.operation),
                        "op_doc": comment(&h.operation),
                        "fn": snake(&h.name),
                        "methods": ms,
                        "publisher": publisher,
                        "emits": emits,
                        "emits_missing": h.emits_missing.iter().map(|n| comment(n)).collect::<Vec<_>>(),
                        "delivery": h.delivery,
                        "at_least_once": h.at_least_once,
                        "dead_letter": h.dead_letter.as_deref().map(rust_str),
                        "dead_letter_doc": h.dead_letter.as_deref().map(comment),
                        "unit": unit,
                        "probe": probe,
                        "probe_emit": probe_emit,
                        "tested_emits": emits.iter().filter(|e| !e["example"].is_null()).count(),
                    })
                })
                .collect();
            json!({"module": rust_escape(g.module.clone()), "file": g.module, "title": g.title, "handlers": hs})
        })
        .collect();
    // Moved in, not through `json!` (which would copy every array).
    let mut ctx = json!({"crate_name": crate_name, "lib_name": crate_name.replace('-', "_")});
    // Only aliases (or nothing): models.rs imports no serde traits (no unused import).
    ctx["serde_used"] = json!(types.iter().any(|t| t["kind"] != "alias"));
    ctx["types"] = Value::Array(types);
    ctx["literals"] = Value::Array(
        literals
            .iter()
            .enumerate()
            .map(|(k, (l, [req, opt, or_null]))| json!({"n": k, "lit": rust_str(l), "doc": comment(l), "required": req, "optional": opt, "or_null": or_null}))
            .collect(),
    );
    ctx["messages"] = Value::Array(messages);
    ctx["groups"] = Value::Array(groups);
    ctx
}

/// A Rust string literal.
pub fn rust_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A Rust raw string literal holding `s`.
pub fn raw_str(s: &str) -> String {
    let mut hashes = 1;
    while s.contains(&format!("\"{}", "#".repeat(hashes))) {
        hashes += 1;
    }
    let h = "#".repeat(hashes);
    format!("r{h}\"{s}\"{h}")
}
