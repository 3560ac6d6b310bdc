//! Pointers checked against the schemas they point into: every ordering key
//! (`x-hnp-ordering-key` on a channel), idempotency key (`x-hnp-idempotency-key` on a
//! message, its trait or a receive operation) and `correlationId` location must be able
//! to exist in each message it applies to — following `$ref`, `allOf`, `oneOf` and
//! `anyOf` — and should be `required` along its path. An error when it cannot exist
//! (`gate-pointer-missing`), a warning when it may be absent (`gate-pointer-optional`);
//! located at the pointer, with the message's schema as `related`.
//!
//! Reads the IR and the workspace; returns diagnostics (never prints).

use std::collections::HashSet;

use serde_json::Value;

use super::util::message_name;
use crate::classify::value_at;
use crate::diag::{Diagnostic, Location};
use crate::model::{Action, Message, Model, Src};
use crate::source::{FileId, Workspace, pointer};

/// The rule of a pointer that cannot exist in a message.
pub const MISSING_RULE: &str = "gate-pointer-missing";
/// The rule of a pointer that may be absent from a message.
pub const OPTIONAL_RULE: &str = "gate-pointer-optional";

/// Whether a path exists in the instances of a schema.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Presence {
    /// Always there.
    Required,
    /// May be absent: the first property on the path that is not required.
    Optional(String),
    /// Cannot be there: the property no schema on the path declares.
    Missing(String),
    /// The schema does not say (no properties declared, a free-form object).
    Unknown,
}

/// Alternatives (`oneOf`/`anyOf`): there if some branch has it; required if all do.
fn alternatives(rs: Vec<Presence>) -> Presence {
    if rs.contains(&Presence::Unknown) {
        return Presence::Unknown;
    }
    if rs.iter().all(|r| *r == Presence::Required) {
        return Presence::Required;
    }
    if let Some(Presence::Missing(m)) = rs.iter().find(|r| matches!(r, Presence::Missing(_)))
        && rs.iter().all(|r| matches!(r, Presence::Missing(_)))
    {
        return Presence::Missing(m.clone());
    }
    let first = rs
        .iter()
        .find_map(|r| match r {
            Presence::Optional(p) | Presence::Missing(p) => Some(p.clone()),
            _ => None,
        })
        .unwrap_or_default();
    Presence::Optional(first)
}

/// The property `name` as `allOf` and the schema itself declare it: its schema, whether
/// some part requires it, and whether any part declares properties at all (or is a
/// non-object type, where no property can exist).
fn gather<'a>(
    ws: &'a Workspace,
    file: FileId,
    s: &'a Value,
    name: &str,
    out: &mut (Option<(FileId, &'a Value)>, bool, bool),
    depth: usize,
) {
    if depth > 32 {
        out.2 = false;
        return;
    }
    let (f, _, s) = ws.deref(file, s);
    if let Some(props) = s.get("properties").and_then(Value::as_object) {
        out.2 = true;
        if let Some(p) = props.get(name) {
            out.0.get_or_insert((f, p));
        }
    }
    if let Some(Value::String(t)) = s.get("type")
        && t != "object"
    {
        out.2 = true;
    }
    if s.get("required")
        .and_then(Value::as_array)
        .is_some_and(|r| r.iter().any(|x| x.as_str() == Some(name)))
    {
        out.1 = true;
    }
    if let Some(all) = s.get("allOf").and_then(Value::as_array) {
        for sub in all {
            gather(ws, f, sub, name, out, depth + 1);
        }
    }
}

fn presence(
    ws: &Workspace,
    file: FileId,
    schema: &Value,
    toks: &[String],
    depth: usize,
) -> Presence {
    let Some((tok, rest)) = toks.split_first() else {
        return Presence::Required;
    };
    if depth > 32 {
        return Presence::Unknown;
    }
    let (f, _, s) = ws.deref(file, schema);
    let mut g = (None, false, false);
    gather(ws, f, s, tok, &mut g, depth);
    if g.0.is_none() {
        for key in ["oneOf", "anyOf"] {
            if let Some(alts) = s.get(key).and_then(Value::as_array) {
                let rs = alts
                    .iter()
                    .map(|a| presence(ws, f, a, toks, depth + 1))
                    .collect();
                return alternatives(rs);
            }
        }
    }
    let (found, required, declares) = g;
    let open = s
        .get("additionalProperties")
        .is_some_and(|a| a != &Value::Bool(false))
        || s.get("patternProperties").is_some();
    match found {
        Some((ff, sub)) => match presence(ws, ff, sub, rest, depth + 1) {
            Presence::Required if required => Presence::Required,
            Presence::Required => Presence::Optional(tok.clone()),
            Presence::Optional(p) if required => Presence::Optional(p),
            Presence::Optional(_) => Presence::Optional(tok.clone()),
            other => other,
        },
        None if declares && !open => Presence::Missing(tok.clone()),
        None => Presence::Unknown,
    }
}

/// A key of the message (`/payload/a/b`, `/headers/x`) or a runtime expression
/// (`$message.payload#/a/b`, `$message.header#/x`): the part and its tokens.
fn split(p: &str) -> Option<(&'static str, Vec<String>)> {
    let (part, rest) = if let Some(r) = p.strip_prefix("$message.payload#") {
        ("payload", r)
    } else if let Some(r) = p.strip_prefix("$message.header#") {
        ("headers", r)
    } else if let Some(r) = p.strip_prefix("/payload") {
        ("payload", r)
    } else if let Some(r) = p.strip_prefix("/headers") {
        ("headers", r)
    } else {
        return None;
    };
    if !(rest.is_empty() || rest.starts_with('/')) {
        return None;
    }
    Some((part, pointer::parse(rest)?))
}

/// What one pointer is checked against.
struct Check<'a> {
    what: &'static str,
    text: String,
    at: Src,
    message: &'a Message,
}

fn check_one(ws: &Workspace, c: &Check<'_>) -> Option<Diagnostic> {
    let (part, toks) = split(&c.text)?;
    // The message's own schema, else a trait's (2.x traits carry headers).
    let own = if part == "payload" {
        c.message.payload.as_ref()
    } else {
        c.message.headers.as_ref()
    };
    let schema: Option<(FileId, &Value, Location)> = match own {
        Some(r) => value_at(ws, &r.src).map(|v| (r.src.file, v, schema_location(ws, &r.src))),
        None => c.message.traits.iter().find_map(|t| {
            let v = value_at(ws, t)?.get(part)?;
            Some((t.file, v, schema_location(ws, &t.child(part))))
        }),
    };
    let name = message_name(c.message);
    let here = ws.file(c.at.file).locate(&c.at.pointer);
    let Some((file, value, loc)) = schema else {
        // A correlation id in a header no schema describes may be a protocol's own
        // property (AMQP `correlation_id`): not judged.
        if toks.is_empty() || c.what == "correlation id" {
            return None;
        }
        return Some(
            Diagnostic::new(
                MISSING_RULE,
                here,
                format!(
                    "{} `{}` cannot exist in message `{name}`: it has no {part} schema",
                    c.what, c.text
                ),
            )
            .with_help("point into a property the message's schema declares")
            .with_related(
                ws.file(c.message.src.file)
                    .locate_key(&c.message.src.pointer),
                format!("message `{name}`"),
            ),
        );
    };
    let related = (loc, format!("the {part} schema of message `{name}`"));
    match presence(ws, file, value, &toks, 0) {
        Presence::Required | Presence::Unknown => None,
        Presence::Missing(p) => Some(
            Diagnostic::new(
                MISSING_RULE,
                here,
                format!(
                    "{} `{}` cannot exist in message `{name}`: no schema on its path declares `{p}`",
                    c.what, c.text
                ),
            )
            .with_help("point into a property the message's schema declares")
            .with_related(related.0.clone(), related.1.clone()),
        ),
        Presence::Optional(p) => Some(
            Diagnostic::new(
                OPTIONAL_RULE,
                here,
                format!(
                    "{} `{}` may be absent from message `{name}`: `{p}` is not required",
                    c.what, c.text
                ),
            )
            .with_help("add the property to `required` at each level of the path, or point to one that is")
            .with_related(related.0.clone(), related.1.clone()),
        ),
    }
}

fn schema_location(ws: &Workspace, src: &Src) -> Location {
    ws.file(src.file).locate_key(&src.pointer)
}

/// Every pointer of the model checked against the messages it applies to.
pub fn check(ws: &Workspace, model: &Model) -> Vec<Diagnostic> {
    let mut checks: Vec<Check<'_>> = Vec::new();
    for doc in &model.documents {
        for ch in &doc.channels {
            if let Some(e) = ch.extensions.iter().find(|e| e.key == "x-hnp-ordering-key")
                && let Some(Value::String(p)) = value_at(ws, &e.src)
            {
                for m in ch.messages.iter().filter_map(|&i| doc.messages.get(i)) {
                    checks.push(Check {
                        what: "ordering key",
                        text: p.clone(),
                        at: e.src.clone(),
                        message: m,
                    });
                }
            }
        }
        for op in &doc.operations {
            if op.action != Some(Action::Receive) {
                continue;
            }
            if let Some(e) = op
                .extensions
                .iter()
                .find(|e| e.key == "x-hnp-idempotency-key")
                && let Some(Value::String(p)) = value_at(ws, &e.src)
            {
                for m in op.messages.iter().filter_map(|&i| doc.messages.get(i)) {
                    checks.push(Check {
                        what: "idempotency key",
                        text: p.clone(),
                        at: e.src.clone(),
                        message: m,
                    });
                }
            }
        }
        for m in &doc.messages {
            // The message's own key wins over its traits'.
            for s in std::iter::once(&m.src).chain(m.traits.iter()) {
                if let Some(Value::String(p)) =
                    value_at(ws, s).and_then(|v| v.get("x-hnp-idempotency-key"))
                {
                    checks.push(Check {
                        what: "idempotency key",
                        text: p.clone(),
                        at: s.child("x-hnp-idempotency-key"),
                        message: m,
                    });
                    break;
                }
            }
            if let Some(c) = &m.correlation_id
                && let Some(loc) = &c.location
            {
                checks.push(Check {
                    what: "correlation id",
                    text: loc.clone(),
                    at: c.src.child("location"),
                    message: m,
                });
            }
        }
    }
    let mut seen: HashSet<(Src, Src)> = HashSet::new();
    let mut out = Vec::new();
    for c in &checks {
        if !seen.insert((c.at.clone(), c.message.src.clone())) {
            continue;
        }
        if super::flow::dangling(ws, &c.message.src) {
            continue;
        }
        if let Some(d) = check_one(ws, c) {
            out.push(d);
        }
    }
    out
}
