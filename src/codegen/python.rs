//! The template context for the Python package: pydantic v2 annotations, aliases,
//! enum members, and an order for type aliases (they are evaluated at import time).

use std::collections::{HashMap, HashSet};

use serde_json::{Value, json};

use super::api::Api;
use super::names::{Namer, py_escape, screaming, snake};
use super::types::{Def, Kind, Ty, tags};

/// The Python annotation of a type.
pub fn ty(t: &Ty, defs: &[Def]) -> String {
    ty_in(t, defs, "")
}

/// The annotation with named types qualified by `prefix` (`models.`).
pub fn ty_in(t: &Ty, defs: &[Def], prefix: &str) -> String {
    let ty = |t: &Ty, defs: &[Def]| ty_in(t, defs, prefix);
    match t {
        Ty::Str => "str".into(),
        Ty::Literal(l) => format!("Literal[{}]", py_str(l)),
        Ty::Bool => "bool".into(),
        Ty::Int(_) => "int".into(),
        Ty::Float => "float".into(),
        Ty::DateTime => "_dt.datetime".into(),
        Ty::Date => "_dt.date".into(),
        Ty::Uuid => "_uuid.UUID".into(),
        Ty::Any => "Any".into(),
        Ty::Object => "dict[str, Any]".into(),
        Ty::Named(i) => defs
            .get(*i)
            .map(|d| format!("{prefix}{}", d.name))
            .unwrap_or_else(|| "Any".into()),
        Ty::List(t) => format!("list[{}]", ty(t, defs)),
        Ty::Tuple(ts) => format!(
            "tuple[{}]",
            ts.iter()
                .map(|t| ty(t, defs))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Ty::Map(t) => format!("dict[str, {}]", ty(t, defs)),
        Ty::Nullable(t) => format!("{} | None", ty(t, defs)),
    }
}

/// A Python string literal, quoted as `ruff format` quotes it.
pub fn py_str(s: &str) -> String {
    super::pyfmt::str_lit(s)
}

fn named_in(t: &Ty, out: &mut Vec<usize>) {
    match t {
        Ty::Named(i) => out.push(*i),
        Ty::List(t) | Ty::Map(t) | Ty::Nullable(t) => named_in(t, out),
        Ty::Tuple(ts) => ts.iter().for_each(|t| named_in(t, out)),
        _ => {}
    }
}

/// A class docstring's text, at the class body's indentation as `ruff format` writes it
/// (a closing quote kept clear of the docstring's own).
fn doc(d: &Option<String>) -> Option<String> {
    d.as_ref().map(|s| {
        let s = s.replace('\\', "\\\\").replace("\"\"\"", "'''");
        super::pyfmt::docstring(&s, "    ")
    })
}

/// Aliases and unions in an order where each follows the aliases it uses.
fn alias_order(defs: &[Def]) -> Vec<usize> {
    let is_alias = |i: usize| {
        matches!(
            defs.get(i).map(|d| &d.kind),
            Some(Kind::Alias(_) | Kind::Union { .. } | Kind::IntEnum { .. } | Kind::Pending)
        )
    };
    let mut done = HashSet::new();
    let mut order = Vec::new();
    fn visit(
        i: usize,
        defs: &[Def],
        is_alias: &dyn Fn(usize) -> bool,
        done: &mut HashSet<usize>,
        order: &mut Vec<usize>,
        depth: usize,
    ) {
        if depth > 64 || !done.insert(i) {
            return;
        }
        let mut deps = Vec::new();
        match &defs[i].kind {
            Kind::Alias(t) => named_in(t, &mut deps),
            Kind::Union { variants, .. } => variants.iter().for_each(|v| named_in(v, &mut deps)),
            _ => {}
        }
        for d in deps {
            if is_alias(d) {
                visit(d, defs, is_alias, done, order, depth + 1);
            }
        }
        order.push(i);
    }
    for i in 0..defs.len() {
        if is_alias(i) {
            visit(i, defs, &is_alias, &mut done, &mut order, 0);
        }
    }
    order
}

/// How each discriminated union is generated: `Ok(tag per variant)` for a pydantic
/// discriminated union, `Err(why)` for a plain one; and the `Literal` tag of each
/// `(struct, property)`. A struct that is a variant of two unions with different tags
/// for the same property can only carry one: the later union is not discriminated.
///
/// The Rust rules apply too (a variant struct also used on its own, or in unions tagged
/// by other properties, leaves the union untagged), so both languages agree.
#[allow(clippy::type_complexity)]
fn tagging(
    api: &Api,
) -> (
    HashMap<usize, Result<Vec<Vec<String>>, String>>,
    HashMap<(usize, String), Vec<String>>,
) {
    let mut out = HashMap::new();
    let mut literal: HashMap<(usize, String), Vec<String>> = HashMap::new();
    let defs = &api.types.defs;
    let (rust, _) = super::rust::tagging(api);
    for (i, d) in defs.iter().enumerate() {
        let Kind::Union {
            variants,
            discriminator: Some(disc),
        } = &d.kind
        else {
            continue;
        };
        let base = match rust.get(&i) {
            Some(Err(why)) => Err(why.clone()),
            _ => tags(defs, variants, disc),
        };
        let decision = base.and_then(|ts| {
            for (v, t) in variants.iter().zip(&ts) {
                if let Ty::Named(j) = v {
                    if let Some(other) = literal.get(&(*j, disc.property.clone())) {
                        if other != t {
                            let name = defs.get(*j).map(|d| d.name.as_str()).unwrap_or("");
                            return Err(format!(
                                "`{name}` already carries `{}` = `{}` for another union",
                                disc.property,
                                other.join("`, `")
                            ));
                        }
                    }
                }
            }
            Ok(ts)
        });
        if let Ok(ts) = &decision {
            for (v, t) in variants.iter().zip(ts) {
                if let Ty::Named(j) = v {
                    literal.insert((*j, disc.property.clone()), t.clone());
                }
            }
        }
        out.insert(i, decision);
    }
    (out, literal)
}

/// The context of every Python template.
pub fn context(api: &Api, package: &str) -> Value {
    let defs = &api.types.defs;
    let (tagged, literal) = tagging(api);
    // The Python name of each tag field (pydantic discriminates by field name).
    let mut idents: HashMap<(usize, String), String> = HashMap::new();
    let ce: std::collections::HashMap<usize, &str> = api
        .messages
        .iter()
        .filter_map(|m| m.ce_type.as_deref().map(|t| (m.def, t)))
        .collect();
    let mut enums = Vec::new();
    let mut classes = Vec::new();
    for (i, d) in defs.iter().enumerate() {
        match &d.kind {
            Kind::Enum { values } => {
                let mut n = Namer::with_reserved(&["mro", "name", "value"]);
                let ms: Vec<Value> = values
                    .iter()
                    .map(|v| {
                        let m = if v.is_empty() {
                            "EMPTY".to_string()
                        } else {
                            screaming(v)
                        };
                        let m = if m.starts_with('_') {
                            format!("V{m}")
                        } else {
                            m
                        };
                        json!({"name": n.take_snake(&m), "value": py_str(v)})
                    })
                    .collect();
                enums.push(json!({"name": d.name, "doc": doc(&d.doc), "members": ms}));
            }
            Kind::Struct { fields, extra } => {
                let mut n = Namer::with_reserved(&["model_config", "ce_type", "CE_TYPE"]);
                // A field whose key is already a Python name keeps it (`id` stays `id`
                // beside `@id`, which becomes `id_2`): with `populate_by_name`, `id=...`
                // must fill the `id` member, not another one renamed to it.
                let mut wanted: Vec<Option<String>> = vec![None; fields.len()];
                let own = |f: &super::types::Field| py_escape(snake(&f.key)) == f.key;
                for pass in [true, false] {
                    for (k, f) in fields.iter().enumerate() {
                        if own(f) == pass && wanted[k].is_none() {
                            wanted[k] = Some(n.take_snake(&py_escape(snake(&f.key))));
                        }
                    }
                }
                let mut fs: Vec<Value> = fields
                    .iter()
                    .zip(wanted)
                    .map(|(f, ident)| {
                        let ident = ident.unwrap_or_default();
                        if let Some(tag) = literal.get(&(i, f.key.clone())) {
                            idents.insert((i, f.key.clone()), ident.clone());
                            // The tag of a discriminated union: a literal (pydantic needs it).
                            let alias = (ident != f.key).then(|| py_str(&f.key));
                            let lits: Vec<String> = tag.iter().map(|t| py_str(t)).collect();
                            let default = (!f.required).then(|| lits.first().cloned()).flatten();
                            return json!({"name": ident, "ty": format!("Literal[{}]", lits.join(", ")), "default": default, "alias": alias, "doc": f.doc});
                        }
                        let t = ty(&f.ty, defs);
                        let (ann, default) = if f.required {
                            (t, None)
                        } else if matches!(f.ty, Ty::Nullable(_) | Ty::Any) {
                            (t, Some("None"))
                        } else {
                            (format!("{t} | None"), Some("None"))
                        };
                        let alias = (ident != f.key).then(|| py_str(&f.key));
                        json!({"name": ident, "ty": ann, "default": default, "alias": alias, "doc": f.doc})
                    })
                    .collect();
                // A tag the variant's schema does not declare.
                let mut missing: Vec<(&String, &Vec<String>)> = literal
                    .iter()
                    .filter(|((j, k), _)| *j == i && !fields.iter().any(|f| &f.key == k))
                    .map(|((_, k), t)| (k, t))
                    .collect();
                missing.sort();
                for (k, t) in missing {
                    let ident = n.take_snake(&py_escape(snake(k)));
                    idents.insert((i, k.clone()), ident.clone());
                    let alias = (&ident != k).then(|| py_str(k));
                    let lits: Vec<String> = t.iter().map(|t| py_str(t)).collect();
                    let default = lits.first().cloned();
                    fs.push(json!({"name": ident, "ty": format!("Literal[{}]", lits.join(", ")), "default": default, "alias": alias, "doc": null}));
                }
                let mut c = json!({
                    "name": d.name, "doc": doc(&d.doc),
                    "extra": extra.is_some(),
                    "closed": extra.is_none() && api.types.closed.contains(&i),
                    "ce_type": ce.get(&i).map(|t| py_str(t)),
                });
                c["fields"] = Value::Array(fs);
                classes.push(c);
            }
            _ => {}
        }
    }
    let aliases: Vec<Value> = alias_order(defs)
        .into_iter()
        .map(|i| {
            let d = &defs[i];
            let mut comment = None;
            let target = match &d.kind {
                Kind::Alias(t) => ty(t, defs),
                Kind::Union {
                    variants,
                    discriminator,
                } => {
                    let vs: Vec<String> = variants.iter().map(|v| ty(v, defs)).collect();
                    match (tagged.get(&i), discriminator) {
                        (Some(Ok(_)), Some(disc)) => {
                            let field = variants
                                .iter()
                                .find_map(|v| match v {
                                    Ty::Named(j) => idents.get(&(*j, disc.property.clone())),
                                    _ => None,
                                })
                                .cloned()
                                .unwrap_or_else(|| py_escape(snake(&disc.property)));
                            format!(
                                "Annotated[{}, Field(discriminator={})]",
                                vs.join(" | "),
                                py_str(&field)
                            )
                        }
                        (Some(Err(why)), Some(disc)) => {
                            comment = Some(format!(
                                "Discriminated by `{}` but not a pydantic discriminated union: {why}.",
                                disc.property
                            ));
                            vs.join(" | ")
                        }
                        _ => vs.join(" | "),
                    }
                }
                Kind::IntEnum { values } => {
                    let vs: Vec<String> = values.iter().map(i64::to_string).collect();
                    format!("Literal[{}]", vs.join(", "))
                }
                _ => "Any".into(),
            };
            // Contract text (property names, tag values) must stay on the `#` line.
            let comment = comment.map(|c| super::saga::doc_text(super::Lang::Rust, &c));
            json!({"name": d.name, "target": target, "comment": comment})
        })
        .collect();
    let messages: Vec<Value> = api
        .messages
        .iter()
        .map(|m| {
            let name = defs.get(m.def).map(|d| d.name.clone()).unwrap_or_default();
            let examples: Vec<Value> = m.examples.iter().map(|(n, x)| json!({"n": n, "text": py_str(&serde_json::to_string(x).unwrap_or_default())})).collect();
            let skipped = super::api::skipped_comments(&name, &m.skipped);
            json!({"name": name, "const": screaming(&name), "fn": snake(&name), "ce_type": m.ce_type.as_deref().map(py_str), "role": m.role, "examples": examples, "skipped": skipped})
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
                    let text = |t: &str| super::saga::doc_text(super::Lang::Python, t);
                    let example = |i: usize| {
                        api.first_example(i).map(|x| py_str(&serde_json::to_string(x).unwrap_or_default()))
                    };
                    let msg_name = |i: usize| {
                        api.messages
                            .get(i)
                            .and_then(|m| defs.get(m.def))
                            .map(|d| d.name.clone())
                            .unwrap_or_default()
                    };
                    let ms: Vec<Value> = h
                        .methods
                        .iter()
                        .map(|m| {
                            let consume = match m.name.strip_prefix("handle") {
                                Some(rest) => format!("consume{rest}"),
                                None => format!("consume_{}", m.name),
                            };
                            json!({
                                "name": py_escape(m.name.clone()),
                                "consume": py_escape(consume),
                                "input": m.input.as_ref().map(|t| ty_in(t, defs, "models.")),
                                "output": m.output.as_ref().map(|t| ty_in(t, defs, "models.")).unwrap_or_else(|| "None".into()),
                                "doc": m.doc.replace('\\', "\\\\").replace("\"\"\"", "'''"),
                                "message": m.message.map(msg_name),
                                "key": m.idempotency_key.as_deref().map(py_str),
                                "key_doc": m.idempotency_key.as_deref().map(text),
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
                                "method": py_escape(e.method.clone()),
                                "ty": format!("models.{name}"),
                                "message": name,
                                "message_lit": py_str(&name),
                                "ce_type": api.messages.get(e.message).and_then(|m| m.ce_type.as_deref()).map(py_str),
                                "address": e.address.as_deref().map(py_str),
                                "address_doc": e.address.as_deref().map(text),
                                "example": example(e.message),
                            })
                        })
                        .collect();
                    let base = h.name.strip_suffix("Handler").unwrap_or(&h.name);
                    let has_publisher = !h.emits.is_empty() || h.dead_letter.is_some();
                    let unit = h.methods.iter().all(|m| m.output.is_none());
                    let consumer = (h.at_least_once && h.methods.iter().all(|m| m.message.is_some()))
                        .then(|| format!("{base}Consumer"));
                    let probe = api
                        .probe_method(h)
                        .and_then(|m| ms.iter().find(|c| c["name"] == py_escape(m.name.clone())))
                        .cloned();
                    let probe_emit = emits.iter().find(|e| !e["example"].is_null()).cloned();
                    let tested_emits = emits.iter().filter(|e| !e["example"].is_null()).count();
                    json!({
                        "name": h.name,
                        "kind": h.kind,
                        "operation": h.operation,
                        "op_lit": py_str(&h.operation),
                        "op_doc": text(&h.operation),
                        "fn": snake(&h.name),
                        "methods": ms,
                        "publisher": has_publisher.then(|| format!("{base}Publisher")),
                        "recorder": has_publisher.then(|| format!("{base}Recorder")),
                        "consumer": consumer,
                        "keyed": h.methods.iter().any(|m| m.idempotency_key.is_some()),
                        "emits": emits,
                        "emits_missing": h.emits_missing.iter().map(|n| text(n)).collect::<Vec<_>>(),
                        "delivery": h.delivery,
                        "at_least_once": h.at_least_once,
                        "dead_letter": h.dead_letter.as_deref().map(py_str),
                        "dead_letter_doc": h.dead_letter.as_deref().map(text),
                        "unit": unit,
                        "probe": probe,
                        "probe_emit": probe_emit,
                        "tested_emits": tested_emits,
                    })
                })
                .collect();
            json!({"module": py_escape(g.module.clone()), "title": g.title, "handlers": hs})
        })
        .collect();
    let mut modules: Vec<String> = api
        .groups
        .iter()
        .map(|g| py_escape(g.module.clone()))
        .collect();
    modules.sort();
    // Moved in, not through `json!` (which would copy every array).
    let mut ctx =
        json!({"package": package, "dist_name": package.replace('_', "-"), "modules": modules});
    ctx["enums"] = Value::Array(enums);
    ctx["classes"] = Value::Array(classes);
    ctx["aliases"] = Value::Array(aliases);
    ctx["messages"] = Value::Array(messages);
    ctx["groups"] = Value::Array(groups);
    ctx
}
