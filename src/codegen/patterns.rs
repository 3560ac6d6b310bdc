//! The event patterns a handler carries (issue 16, item 3), read from the contract:
//! the events an operation declares (`x-hnp-emits`, its `reply`), its delivery guarantee,
//! the idempotency key of each message it consumes, and its dead-letter channel. The
//! facts are read the way the gates read them (`crate::gates`), so a contract the gates
//! accept gets the guard and the dead-letter path they assume.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use crate::classify::value_at;
use crate::gates::util::{ext, has_ce_attr, header_props, layered, message_layers};
use crate::model::{Action, Document, Message, Model, Operation, Src};
use crate::source::Workspace;

/// Where messages are sent: the address of a channel some `send` operation sends each
/// message on (by where the message lives), for the outbox relay.
pub fn send_addresses(model: &Model) -> HashMap<Src, String> {
    let mut out = HashMap::new();
    for doc in &model.documents {
        for op in doc
            .operations
            .iter()
            .filter(|o| o.action == Some(Action::Send))
        {
            let Some(ch) = op.channel.and_then(|c| doc.channels.get(c)) else {
                continue;
            };
            let address = ch.address.clone().unwrap_or_else(|| ch.key.clone());
            for m in op.messages.iter().filter_map(|&i| doc.messages.get(i)) {
                out.entry(m.src.clone()).or_insert_with(|| address.clone());
            }
        }
    }
    out
}

/// The messages an operation's `x-hnp-emits` names, by where they live (a `$ref`) or by
/// name (a string), in list order; entries that name nothing are left out.
pub fn emitted(ws: &Workspace, op: &Operation) -> Vec<Result<Src, String>> {
    let Some(at) = op.extensions.iter().find(|e| e.key == "x-hnp-emits") else {
        return Vec::new();
    };
    let Some(list) = value_at(ws, &at.src).and_then(Value::as_array) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|item| match crate::source::workspace::ref_of(item) {
            Some(r) => ws
                .ref_target(at.src.file, r)
                .map(|(f, p)| Ok(Src::new(f, p))),
            None => item.as_str().map(|s| Err(s.to_string())),
        })
        .collect()
}

/// The delivery guarantee of an operation: `x-hnp-delivery`, else what its bindings or
/// servers imply (the gates' protocol table).
pub fn delivery(ws: &Workspace, doc: &Document, op: &Operation) -> Option<String> {
    if let Some(d) = ext(ws, &op.extensions, "x-hnp-delivery").and_then(Value::as_str) {
        return Some(d.to_string());
    }
    let ch = op.channel.and_then(|c| doc.channels.get(c));
    crate::gates::protocols::delivery(ws, doc, ch, op).map(|i| i.guarantee.to_string())
}

/// A `correlationId` runtime expression as a pointer into `{headers, payload}`
/// (`$message.header#/correlationId` → `/headers/correlationId`).
fn expression_pointer(location: &str) -> Option<String> {
    let (head, rest) = location.split_once('#')?;
    let base = match head {
        "$message.header" => "/headers",
        "$message.payload" => "/payload",
        _ => return None,
    };
    (rest.is_empty() || rest.starts_with('/')).then(|| format!("{base}{rest}"))
}

/// The idempotency key of a message consumed by `op`, as a JSON pointer into the
/// message's `{headers, payload}`: the operation's `x-hnp-idempotency-key`, the
/// message's (or its traits'), its `correlationId`, a CloudEvents `id` header, a header
/// or payload property under a common name (`eventId`, `Idempotency-Key`), or a
/// required payload `id`, in that order.
pub fn idempotency_key(ws: &Workspace, op: &Operation, m: &Message) -> Option<String> {
    let declared = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
    if let Some(k) = declared(ext(ws, &op.extensions, "x-hnp-idempotency-key")) {
        return Some(k);
    }
    let layers = message_layers(ws, m);
    if let Some(k) = declared(layered(&layers, "x-hnp-idempotency-key").map(|(_, v)| v)) {
        return Some(k);
    }
    let correlation = m
        .correlation_id
        .as_ref()
        .and_then(|c| c.location.clone())
        .or_else(|| {
            layered(&layers, "correlationId").and_then(|(f, v)| {
                let (_, _, v) = ws.deref(f, v);
                v.get("location")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
        });
    if let Some(p) = correlation.as_deref().and_then(expression_pointer) {
        return Some(p);
    }
    let headers = header_props(ws, m);
    if has_ce_attr(&headers, "id") {
        let p = headers.iter().find(|p| {
            let l = p.to_ascii_lowercase();
            l == "id" || l == "ce_id" || l == "ce-id"
        })?;
        return Some(format!("/headers/{}", crate::source::pointer::escape(p)));
    }
    let common = |props: &std::collections::BTreeSet<String>| {
        props
            .iter()
            .find(|p| {
                let n: String = p
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .map(|c| c.to_ascii_lowercase())
                    .collect();
                crate::gates::messages::IDEMPOTENCY_NAMES.contains(&n.as_str())
            })
            .cloned()
    };
    if let Some(h) = common(&headers) {
        return Some(format!("/headers/{}", crate::source::pointer::escape(&h)));
    }
    let p = m.payload.as_ref()?;
    let v = value_at(ws, &p.src)?;
    let props = crate::gates::util::schema_props(ws, p.src.file, v);
    if let Some(k) = common(&props) {
        return Some(format!("/payload/{}", crate::source::pointer::escape(&k)));
    }
    crate::gates::util::schema_required(ws, p.src.file, v)
        .contains("id")
        .then(|| "/payload/id".to_string())
}

/// The dead-letter channel of a consumer (`x-hnp-dead-letter` on the operation, else on
/// its channel): the channel's address, else its key, else the reference's last token.
pub fn dead_letter(ws: &Workspace, doc: &Document, op: &Operation) -> Option<String> {
    if op.action != Some(Action::Receive) {
        return None;
    }
    let ch = op.channel.and_then(|c| doc.channels.get(c));
    let (at, v) = op
        .extensions
        .iter()
        .chain(ch.map(|c| c.extensions.as_slice()).unwrap_or_default())
        .find(|e| e.key == "x-hnp-dead-letter")
        .and_then(|e| value_at(ws, &e.src).map(|v| (e.src.clone(), v)))?;
    let r = crate::source::workspace::ref_of(v).or_else(|| v.as_str())?;
    let by_src: BTreeMap<&Src, &crate::model::Channel> =
        doc.channels.iter().map(|c| (&c.src, c)).collect();
    let target = ws.ref_target(at.file, r).map(|(f, p)| Src::new(f, p));
    if let Some(c) = target.as_ref().and_then(|t| by_src.get(t)) {
        return Some(c.address.clone().unwrap_or_else(|| c.key.clone()));
    }
    r.rsplit('/')
        .next()
        .filter(|s| !s.is_empty())
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
}

#[cfg(test)]
mod tests {
    use super::expression_pointer;

    #[test]
    fn correlation_expressions_become_pointers() {
        assert_eq!(
            expression_pointer("$message.header#/correlationId").as_deref(),
            Some("/headers/correlationId")
        );
        assert_eq!(
            expression_pointer("$message.payload#/a/b").as_deref(),
            Some("/payload/a/b")
        );
        assert_eq!(expression_pointer("$message.payload"), None);
        assert_eq!(expression_pointer("$request.body#/x"), None);
    }
}
