//! Helpers shared by the gate checks: values at locations, extensions, trait merging,
//! schema properties across `$ref`/`allOf`, and the per-item result type.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::classify::value_at;
use crate::model::{Document, Extension, Message, Src};
use crate::source::{FileId, Workspace};

/// One counted item of a metric: where it lives and, when it misses, why.
#[derive(Debug, Clone)]
pub struct Item {
    pub src: Src,
    /// `None` = the item passes.
    pub miss: Option<String>,
    pub help: Option<&'static str>,
}

impl Item {
    pub fn pass(src: Src) -> Self {
        Item {
            src,
            miss: None,
            help: None,
        }
    }

    pub fn check(src: Src, miss: Option<String>, help: &'static str) -> Self {
        Item {
            src,
            miss,
            help: Some(help),
        }
    }
}

/// The value of an `x-*` extension recorded in the IR.
pub fn ext<'a>(ws: &'a Workspace, exts: &[Extension], key: &str) -> Option<&'a Value> {
    crate::classify::extension(ws, exts, key)
}

/// A message's own object followed by its traits' objects (2.x traits merge into the
/// message), each with the file it lives in.
pub fn message_layers<'a>(ws: &'a Workspace, m: &Message) -> Vec<(FileId, &'a Value)> {
    std::iter::once(&m.src)
        .chain(m.traits.iter())
        .filter_map(|s| value_at(ws, s).map(|v| (s.file, v)))
        .collect()
}

/// A field of the message or of one of its traits (the message wins).
pub fn layered<'a>(layers: &[(FileId, &'a Value)], key: &str) -> Option<(FileId, &'a Value)> {
    layers.iter().find_map(|(f, v)| v.get(key).map(|x| (*f, x)))
}

/// The property names a schema declares, following `$ref`s and `allOf`.
pub fn schema_props(ws: &Workspace, file: FileId, schema: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    walk_all_of(ws, file, schema, 0, &mut |s| {
        if let Some(props) = s.get("properties").and_then(Value::as_object) {
            out.extend(props.keys().cloned());
        }
    });
    out
}

/// The `required` property names of a schema, following `$ref`s and `allOf`.
pub fn schema_required(ws: &Workspace, file: FileId, schema: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    walk_all_of(ws, file, schema, 0, &mut |s| {
        if let Some(r) = s.get("required").and_then(Value::as_array) {
            out.extend(r.iter().filter_map(Value::as_str).map(str::to_string));
        }
    });
    out
}

/// Visit a schema and every `allOf` member under it, each with its `$ref` followed
/// (depth-bounded: a self-referencing `allOf` ends).
fn walk_all_of(
    ws: &Workspace,
    file: FileId,
    schema: &Value,
    depth: usize,
    visit: &mut dyn FnMut(&Value),
) {
    if depth > 16 {
        return;
    }
    let (f, _, s) = ws.deref(file, schema);
    visit(s);
    if let Some(all) = s.get("allOf").and_then(Value::as_array) {
        for sub in all {
            walk_all_of(ws, f, sub, depth + 1, visit);
        }
    }
}

/// The schema of property `name` of a schema (following `$ref`s and `allOf`), with the
/// file it lives in.
pub fn schema_property<'a>(
    ws: &'a Workspace,
    file: FileId,
    schema: &'a Value,
    name: &str,
) -> Option<(FileId, &'a Value)> {
    fn walk<'a>(
        ws: &'a Workspace,
        file: FileId,
        schema: &'a Value,
        name: &str,
        depth: usize,
    ) -> Option<(FileId, &'a Value)> {
        if depth > 16 {
            return None;
        }
        let (f, _, s) = ws.deref(file, schema);
        if let Some(p) = s.get("properties").and_then(|p| p.get(name)) {
            return Some((f, p));
        }
        s.get("allOf")
            .and_then(Value::as_array)?
            .iter()
            .find_map(|sub| walk(ws, f, sub, name, depth + 1))
    }
    walk(ws, file, schema, name, 0)
}

/// Whether a schema, or an `allOf` member under it, is a `$ref` that did not resolve
/// (reported once by `ref-unresolved`/`ref-remote`): what it would add is unknown.
pub fn schema_has_dangling_ref(ws: &Workspace, file: FileId, schema: &Value) -> bool {
    let mut dangling = false;
    walk_all_of(ws, file, schema, 0, &mut |s| {
        dangling |= s.get("$ref").is_some_and(Value::is_string);
    });
    dangling
}

/// Whether a schema's `oneOf`/`anyOf` alternatives include a `$ref` that did not resolve:
/// its shape (object or not, its properties) is then unknown.
pub fn alternatives_dangle(ws: &Workspace, file: FileId, schema: &Value) -> bool {
    ["oneOf", "anyOf"].iter().any(|k| {
        schema
            .get(*k)
            .and_then(Value::as_array)
            .is_some_and(|alts| {
                alts.iter()
                    .any(|a| match a.get("$ref").and_then(Value::as_str) {
                        Some(r) => {
                            let (_, _, t) = ws.deref(file, a);
                            std::ptr::eq(t, a) || t.get("$ref").and_then(Value::as_str) == Some(r)
                        }
                        None => false,
                    })
            })
    })
}

/// Whether a message's payload or headers lean on a `$ref` that did not resolve: a key
/// or property the gates look for may be behind it, so its absence is not a finding.
pub fn message_has_dangling_ref(ws: &Workspace, m: &Message) -> bool {
    message_layers(ws, m).into_iter().any(|(f, v)| {
        ["payload", "headers"]
            .iter()
            .filter_map(|k| v.get(*k))
            .any(|s| schema_has_dangling_ref(ws, f, s))
    })
}

/// The header property names of a message, its traits included.
pub fn header_props(ws: &Workspace, m: &Message) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (f, v) in message_layers(ws, m) {
        if let Some(h) = v.get("headers") {
            out.extend(schema_props(ws, f, h));
        }
    }
    out
}

/// Whether a header set carries a CloudEvents attribute (binary mode: `id`, `ce_id`,
/// `ce-id`, `ce-id` in any case).
pub fn has_ce_attr(props: &BTreeSet<String>, attr: &str) -> bool {
    props.iter().any(|p| {
        let p = p.to_ascii_lowercase();
        p == attr || p == format!("ce_{attr}") || p == format!("ce-{attr}")
    })
}

/// A message's display name: its `name` (when it is an identifier), else its `messageId`, else the key it has
/// under `components/messages` (where it lives after `$ref`s), else the key it has in
/// its channel (3.x), else its `title`. Naming is judged on this: a 3.0 channel's
/// camelCase key referring to a PascalCase component is the component's name.
pub fn message_name(m: &Message) -> String {
    identifier(m.name.as_ref())
        .cloned()
        .or_else(|| m.message_id.clone())
        .or_else(|| component_key(&m.src.pointer))
        .or_else(|| m.key.clone())
        .or_else(|| m.title.clone())
        .unwrap_or_else(|| format!("(unnamed) {}", m.src.pointer))
}

/// Whether a message has a name of its own (`name`, `messageId`, a component or
/// channel key, a `title`).
pub fn named(m: &Message) -> bool {
    identifier(m.name.as_ref()).is_some()
        || m.message_id.is_some()
        || component_key(&m.src.pointer).is_some()
        || m.key.is_some()
        || m.title.is_some()
}

/// A `name` that is an identifier: AsyncAPI's `name` is machine-friendly, so one with
/// spaces (`Return Captcha request details`) is a title, and the message is named by
/// its `messageId` or key instead.
fn identifier(name: Option<&String>) -> Option<&String> {
    name.filter(|n| !n.trim().contains(char::is_whitespace))
}

/// The key of a message that lives at `/components/messages/<key>`.
pub fn component_key(pointer: &str) -> Option<String> {
    let rest = pointer.strip_prefix("/components/messages/")?;
    (!rest.is_empty() && !rest.contains('/')).then(|| rest.replace("~1", "/").replace("~0", "~"))
}

/// A binding value: `bindings.<protocol>.<field>` on the object at `src`.
pub fn binding<'a>(ws: &'a Workspace, src: &Src, protocol: &str, field: &str) -> Option<&'a Value> {
    let v = value_at(ws, src)?;
    let b = v.get("bindings")?;
    let (_, _, b) = ws.deref(src.file, b);
    let p = b.get(protocol)?;
    let (_, _, p) = ws.deref(src.file, p);
    p.get(field)
}

/// Distinct messages (by where they live) in first-seen order.
pub fn distinct(doc: &Document, idx: impl IntoIterator<Item = usize>) -> Vec<usize> {
    let mut seen = BTreeSet::new();
    idx.into_iter()
        .filter(|&i| {
            doc.messages
                .get(i)
                .is_some_and(|m| seen.insert(m.src.clone()))
        })
        .collect()
}

/// Where content the gates cannot see lives: messages and channels that are a `$ref`
/// which did not resolve, and operations on such a channel (their kind, bindings and
/// messages are unknown). Keyed as `Option<Src>` to match the counted items.
pub fn opaque(
    ws: &Workspace,
    model: &crate::model::Model,
) -> std::collections::HashSet<Option<Src>> {
    let mut out = std::collections::HashSet::new();
    for doc in &model.documents {
        for m in &doc.messages {
            if super::flow::dangling(ws, &m.src) {
                out.insert(Some(m.src.clone()));
            }
        }
        for c in &doc.channels {
            if super::flow::dangling(ws, &c.src) {
                out.insert(Some(c.src.clone()));
            }
        }
        for op in &doc.operations {
            let channel_unknown = op
                .channel
                .and_then(|c| doc.channels.get(c))
                .is_some_and(|c| super::flow::dangling(ws, &c.src));
            if channel_unknown || super::flow::dangling(ws, &op.src) {
                out.insert(Some(op.src.clone()));
            }
        }
    }
    out
}
