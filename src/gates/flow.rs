//! Gates over classified operations: `event_flow_coverage` (commands lead to events,
//! events reach consumers), `cqrs_compliance` (unambiguous kinds, no violations) and
//! `error_handling_coverage` (commands declare a failure path).

use std::collections::HashSet;

use serde_json::Value;

use super::util::{Item, distinct, ext, message_layers, message_name};
use crate::classify::{Kind, Naming, Row, naming_with, value_at};
use crate::diag::{Diagnostic, Location};
use crate::gates::verbs::Verbs;
use crate::model::{Action, Model, Src, Verb};
use crate::source::Workspace;

fn is_command(k: Kind) -> bool {
    matches!(k, Kind::Command | Kind::Request | Kind::Reply)
}

fn is_event(k: Kind) -> bool {
    matches!(k, Kind::EventPublished | Kind::EventConsumed)
}

/// A name that reads as a failure (`SyncFailed`, `ApplyError`, `WebhookRejected`).
pub fn failure_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        "fail", "error", "reject", "fault", "nack", "timedout", "dead",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

fn emits_list<'a>(ws: &'a Workspace, model: &Model, row: &Row) -> Option<&'a Vec<Value>> {
    let op = model.documents.get(row.doc)?.operations.get(row.op)?;
    ext(ws, &op.extensions, "x-hnp-emits").and_then(Value::as_array)
}

/// Messages received by some operation anywhere in the model: by where they live, and
/// by name (another document may describe the same message).
fn consumed(model: &Model) -> (HashSet<&Src>, HashSet<String>) {
    let mut srcs = HashSet::new();
    let mut names = HashSet::new();
    for doc in &model.documents {
        for op in &doc.operations {
            if op.action == Some(Action::Receive) {
                for m in op.messages.iter().filter_map(|&m| doc.messages.get(m)) {
                    srcs.insert(&m.src);
                    names.insert(message_name(m));
                }
            }
        }
    }
    (srcs, names)
}

pub fn event_flow(ws: &Workspace, model: &Model, rows: &[Row]) -> Vec<Item> {
    let mut items = Vec::new();
    for row in rows.iter().filter(|r| is_command(r.kind)) {
        let Some(op) = model
            .documents
            .get(row.doc)
            .and_then(|d| d.operations.get(row.op))
        else {
            continue;
        };
        let emits = emits_list(ws, model, row).is_some_and(|l| !l.is_empty());
        let reply = op.reply.as_ref().is_some_and(|r| !r.messages.is_empty());
        let callbacks = matches!(op.verb, Verb::Http { .. })
            && value_at(ws, &op.src)
                .and_then(|v| v.get("callbacks"))
                .and_then(Value::as_object)
                .is_some_and(|c| !c.is_empty());
        let miss = (!(emits || reply || callbacks))
            .then(|| format!("command `{}` declares no resulting event", row.id));
        items.push(Item::check(
            op.src.clone(),
            miss,
            "list the events it causes with `x-hnp-emits: [$ref, …]`, declare a `reply`, or (OpenAPI) `callbacks`",
        ));
    }
    let (consumers, consumer_names) = consumed(model);
    let mut seen: HashSet<Src> = HashSet::new();
    for row in rows.iter().filter(|r| is_event(r.kind)) {
        let Some(doc) = model.documents.get(row.doc) else {
            continue;
        };
        let Some(op) = doc.operations.get(row.op) else {
            continue;
        };
        let is_true = |v: Option<&Value>| v.and_then(Value::as_bool) == Some(true);
        let op_external = is_true(ext(ws, &op.extensions, "x-hnp-external"))
            || op
                .channel
                .and_then(|c| doc.channels.get(c))
                .is_some_and(|c| is_true(ext(ws, &c.extensions, "x-hnp-external")));
        for i in distinct(doc, op.messages.iter().copied()) {
            let Some(m) = doc.messages.get(i) else {
                continue;
            };
            if !seen.insert(m.src.clone()) {
                continue;
            }
            let external = op_external
                || message_layers(ws, m)
                    .iter()
                    .any(|(_, v)| is_true(v.get("x-hnp-external")));
            let consumed = consumers.contains(&m.src) || consumer_names.contains(&message_name(m));
            let miss = (!consumed && !external)
                .then(|| format!("event `{}` has no consumer", message_name(m)));
            items.push(Item::check(
                m.src.clone(),
                miss,
                "add the `receive` operation that consumes it, or mark the message `x-hnp-external: true` when it is consumed outside these documents",
            ));
        }
    }
    items
}

pub fn cqrs(
    ws: &Workspace,
    model: &Model,
    rows: &[Row],
    classify_diags: &[Diagnostic],
    verbs: &Verbs,
) -> Vec<Item> {
    let ambiguous: HashSet<&Location> = classify_diags
        .iter()
        .filter(|d| d.rule == "cqrs-ambiguous")
        .map(|d| &d.location)
        .collect();
    let mut items = Vec::new();
    for row in rows {
        let Some(doc) = model.documents.get(row.doc) else {
            continue;
        };
        let Some(op) = doc.operations.get(row.op) else {
            continue;
        };
        let over = ext(ws, &op.extensions, "x-hnp-cqrs").and_then(Value::as_str);
        let emits = emits_list(ws, model, row).is_some_and(|l| !l.is_empty());
        let mut miss = None;
        if ambiguous.contains(&row.location) {
            miss = Some(format!(
                "`{}`: its method and its name disagree about whether it changes state",
                row.id
            ));
        } else if over.is_none() && !matches!(op.verb, Verb::Http { .. }) {
            let names: Vec<Naming> = op
                .messages
                .iter()
                .filter_map(|&i| doc.messages.get(i))
                .map(|m| naming_with(&message_name(m), verbs))
                .collect();
            if names.contains(&Naming::Imperative) && names.contains(&Naming::PastTense) {
                miss = Some(format!(
                    "`{}` mixes commands and events in one operation",
                    row.id
                ));
            }
        }
        if miss.is_none() && row.kind == Kind::Query {
            if emits {
                miss = Some(format!("query `{}` emits events (`x-hnp-emits`)", row.id));
            } else if let Verb::Http { method, .. } = &op.verb {
                let m = method.to_ascii_lowercase();
                if matches!(m.as_str(), "put" | "patch" | "delete") {
                    miss = Some(format!(
                        "query `{}` uses the unsafe method {}",
                        row.id,
                        m.to_uppercase()
                    ));
                }
            }
        }
        if miss.is_none() && row.kind == Kind::Command {
            let outcome = emits
                || op.reply.is_some()
                || (matches!(op.verb, Verb::Http { .. })
                    && value_at(ws, &op.src)
                        .and_then(|v| v.get("responses"))
                        .and_then(Value::as_object)
                        .is_some_and(|r| {
                            r.keys().any(|k| k.starts_with('2') || k.starts_with('3'))
                        }));
            if !outcome {
                miss = Some(format!("command `{}` declares no outcome", row.id));
            }
        }
        items.push(Item::check(
            op.src.clone(),
            miss,
            "queries only read (safe methods, no `x-hnp-emits`); commands declare their outcome (a success response, a `reply` or `x-hnp-emits`); say which it is with `x-hnp-cqrs: command|query`",
        ));
    }
    items
}

pub fn error_handling(ws: &Workspace, model: &Model, rows: &[Row]) -> Vec<Item> {
    let mut items = Vec::new();
    for row in rows.iter().filter(|r| is_command(r.kind)) {
        let Some(doc) = model.documents.get(row.doc) else {
            continue;
        };
        let Some(op) = doc.operations.get(row.op) else {
            continue;
        };
        let ok = if matches!(op.verb, Verb::Http { .. }) {
            value_at(ws, &op.src)
                .and_then(|v| v.get("responses"))
                .and_then(Value::as_object)
                .is_some_and(|r| {
                    r.keys()
                        .any(|k| k.starts_with('4') || k.starts_with('5') || k == "default")
                })
        } else {
            let reply_failure = op.reply.as_ref().is_some_and(|r| {
                r.messages
                    .iter()
                    .filter_map(|&i| doc.messages.get(i))
                    .any(|m| failure_name(&message_name(m)))
            });
            let emits_failure = emits_list(ws, model, row).is_some_and(|l| {
                l.iter().any(|v| {
                    v.as_str()
                        .or_else(|| v.get("$ref").and_then(Value::as_str))
                        .is_some_and(failure_name)
                })
            });
            let channel = op.channel.and_then(|c| doc.channels.get(c));
            let dead_letter = ext(ws, &op.extensions, "x-hnp-dead-letter").is_some()
                || channel.is_some_and(|c| ext(ws, &c.extensions, "x-hnp-dead-letter").is_some());
            reply_failure || emits_failure || dead_letter
        };
        let miss = (!ok).then(|| format!("command `{}` declares no failure path", row.id));
        items.push(Item::check(
            op.src.clone(),
            miss,
            "declare 4xx/5xx responses (OpenAPI), a failure event in the `reply` or `x-hnp-emits`, or a dead-letter channel (`x-hnp-dead-letter`) for its consumer",
        ));
    }
    items
}
