//! Gates over classified operations: `event_flow_coverage` (commands lead to events,
//! events reach consumers), `cqrs_compliance` (unambiguous kinds, no violations) and
//! `error_handling_coverage` (commands declare a failure path).

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::roles::{self, ChannelRole};
use super::util::{Item, distinct, ext, message_layers, message_name};
use crate::classify::{Kind, Naming, Row, naming_with, value_at};
use crate::diag::{Diagnostic, Location};
use crate::gates::verbs::Verbs;
use crate::model::{Action, Model, Src, Verb};
use crate::source::Workspace;

/// Commands: what `classify` calls a command, a request, or a reply that answers a
/// request it handles; not the operations that only carry answers (`…_response`).
pub fn is_command(row: &Row) -> bool {
    matches!(row.kind, Kind::Command | Kind::Request | Kind::Reply) && !row.answer
}

/// Events: the messages of `event published`/`event consumed` operations.
pub fn is_event(row: &Row) -> bool {
    matches!(row.kind, Kind::EventPublished | Kind::EventConsumed) && !row.answer
}

/// Per document, the channels some operation sends messages on, and those it sends
/// failure messages on (`…Error`): one pass, so the per-operation questions below are
/// lookups, not scans of every operation (linear on large documents).
struct SentOn {
    any: HashSet<usize>,
    failure: HashSet<usize>,
}

fn sent_on(model: &Model) -> Vec<SentOn> {
    model
        .documents
        .iter()
        .map(|doc| {
            let mut s = SentOn {
                any: HashSet::new(),
                failure: HashSet::new(),
            };
            for o in &doc.operations {
                let (Some(Action::Send), Some(c)) = (o.action, o.channel) else {
                    continue;
                };
                if !o.messages.is_empty() {
                    s.any.insert(c);
                }
                if o.messages
                    .iter()
                    .filter_map(|&i| doc.messages.get(i))
                    .any(|m| failure_name(&message_name(m)))
                {
                    s.failure.insert(c);
                }
            }
            s
        })
        .collect()
}

/// Whether a received operation's channel is one the application also sends on (the
/// results of a command come back on the same connection).
fn received_and_answered(sent: Option<&SentOn>, op: &crate::model::Operation) -> bool {
    op.action == Some(Action::Receive)
        && op
            .channel
            .is_some_and(|c| sent.is_some_and(|s| s.any.contains(&c)))
}

/// The failure channels (error channels, dead-letter queues) of a document, by stem:
/// whether one covers a channel with words `w` is a lookup of each prefix of `w`.
struct FailureStems {
    any: HashSet<Vec<String>>,
    dead_letter: HashSet<Vec<String>>,
}

impl FailureStems {
    fn new(doc: &crate::model::Document) -> Self {
        let mut f = FailureStems {
            any: HashSet::new(),
            dead_letter: HashSet::new(),
        };
        for (r, stem) in roles::channel_roles(doc) {
            if stem.is_empty() {
                continue;
            }
            match r {
                ChannelRole::Error => {
                    f.any.insert(stem);
                }
                ChannelRole::DeadLetter => {
                    f.dead_letter.insert(stem.clone());
                    f.any.insert(stem);
                }
                _ => {}
            }
        }
        f
    }

    /// Whether a stem of `set` is a prefix of `w` ([`roles::covers`]).
    fn covers(set: &HashSet<Vec<String>>, w: &[String]) -> bool {
        !set.is_empty() && (1..=w.len()).any(|k| set.contains(&w[..k]))
    }
}

/// Whether an operation only exchanges control messages (ping, heartbeat, subscribe):
/// connection management, neither a command nor an event.
pub fn control_op(doc: &crate::model::Document, op: &crate::model::Operation) -> bool {
    let msgs: Vec<_> = op
        .messages
        .iter()
        .filter_map(|&i| doc.messages.get(i))
        .collect();
    !msgs.is_empty()
        && msgs
            .iter()
            .all(|m| roles::control_message(m, &message_name(m)))
}

/// Whether a message's payload has an error property (`error`, `errorMessage`).
fn carries_error(ws: &Workspace, m: &crate::model::Message) -> bool {
    let Some((file, payload)) = m
        .payload
        .as_ref()
        .and_then(|p| value_at(ws, &p.src).map(|v| (p.src.file, v)))
    else {
        return false;
    };
    let error_prop = |props: std::collections::BTreeSet<String>| {
        props
            .iter()
            .any(|p| p.to_ascii_lowercase().contains("error"))
    };
    // The payload's own properties, or those of its envelope's `data` (CloudEvents
    // structured mode: the answer is under `data`).
    error_prop(super::util::schema_props(ws, file, payload))
        || super::util::schema_property(ws, file, payload, "data")
            .is_some_and(|(f, d)| error_prop(super::util::schema_props(ws, f, d)))
}

/// Whether the channel of an operation is a dead-letter queue.
fn dead_letter_channel(doc: &crate::model::Document, op: &crate::model::Operation) -> bool {
    op.channel
        .and_then(|c| doc.channels.get(c))
        .is_some_and(|c| {
            roles::role_of_words(&roles::words(roles::address(c))).0 == ChannelRole::DeadLetter
        })
}

/// Whether a message is behind a `$ref` that did not resolve (reported by
/// `ref-unresolved`/`ref-remote`): nothing about its content can be judged.
pub fn dangling(ws: &Workspace, src: &Src) -> bool {
    value_at(ws, src).is_none_or(|v| v.get("$ref").is_some_and(Value::is_string))
}

/// Whether a schema is a `$ref` that did not resolve (a schema's own `$ref` was
/// followed when it resolved, so one left in place is dangling).
pub fn dangling_schema(ws: &Workspace, src: &Src) -> bool {
    let Some(v) = value_at(ws, src) else {
        return true;
    };
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let (_, _, t) = ws.deref(src.file, v);
            std::ptr::eq(t, v) || t.get("$ref").and_then(Value::as_str) == Some(r)
        }
        None => false,
    }
}

/// A request (or a request handled) that only reads: a message named with a read verb
/// (`GetItem`, `listOrders`) or an operation summary that starts with one ("Get list of
/// plan names"). Handling it twice changes nothing, so it needs no idempotency key.
pub fn read_request(
    ws: &Workspace,
    doc: &crate::model::Document,
    op: &crate::model::Operation,
    row: &Row,
) -> bool {
    row.kind == Kind::Reply && op.action == Some(Action::Receive) && reads_text(ws, doc, op)
}

/// A request/reply exchange (either end) or a query that only reads: a query, or a
/// request whose operation id, summary or message name starts with a read verb, or whose
/// summary asks for a list, inventory or details ("Request the full exchange list").
/// A read that fails leaves no state to repair, and its caller sees the missing answer
/// (no reply, a timeout): `error_handling_coverage` does not ask it for a failure path.
pub fn read_only(
    ws: &Workspace,
    doc: &crate::model::Document,
    op: &crate::model::Operation,
    row: &Row,
) -> bool {
    match row.kind {
        Kind::Query => true,
        Kind::Request | Kind::Reply => reads_text(ws, doc, op),
        _ => false,
    }
}

/// Nouns that a request asking for them reads ("Request the channel inventory").
const READ_NOUNS: &[&str] = &[
    "List",
    "Lists",
    "Inventory",
    "Details",
    "Detail",
    "Info",
    "Information",
    "Status",
];

fn reads_text(ws: &Workspace, doc: &crate::model::Document, op: &crate::model::Operation) -> bool {
    let reads = |text: &str| {
        crate::classify::words(text)
            .first()
            .is_some_and(|w| crate::classify::READ_VERBS.contains(&w.as_str()))
    };
    let summary = value_at(ws, &op.src)
        .and_then(|v| v.get("summary"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let asks_for_data = {
        let plain: String = summary
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { ' ' })
            .collect();
        let w = crate::classify::words(&plain);
        matches!(
            w.first().map(String::as_str),
            Some("Request" | "Retrieve" | "Ask")
        ) && w.iter().take(6).any(|x| READ_NOUNS.contains(&x.as_str()))
    };
    summary.split_whitespace().next().is_some_and(reads)
        || asks_for_data
        || op.operation_id.as_deref().is_some_and(reads)
        || op
            .messages
            .iter()
            .filter_map(|&i| doc.messages.get(i))
            .any(|m| reads(&message_name(m)))
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

/// Event flow: commands with a resulting event, and published events with a consumer.
/// Consumers are measured only when the documents describe both ends of some flow (a
/// document that consumes none of the events it publishes describes one application,
/// whose consumers are elsewhere); what is not measured is returned as notes.
pub fn event_flow(ws: &Workspace, model: &Model, rows: &[Row]) -> (Vec<Item>, Vec<String>) {
    let sent = sent_on(model);
    let mut items = Vec::new();
    let mut notes = Vec::new();
    // An HTTP command's result is its response. Whether it also leads to an event is a
    // question only when the documents describe events at all (an event operation,
    // `x-hnp-emits`, `callbacks`); a plain HTTP API is not measured (a note says so).
    let http = |row: &Row| {
        model
            .documents
            .get(row.doc)
            .and_then(|d| d.operations.get(row.op))
            .is_some_and(|op| matches!(op.verb, Verb::Http { .. }))
    };
    let events_documented = rows.iter().any(|r| {
        is_event(r)
            || emits_list(ws, model, r).is_some_and(|l| !l.is_empty())
            || (http(r) && has_callbacks(ws, model, r))
    });
    let mut http_unmeasured = 0usize;
    for row in rows.iter().filter(|r| is_command(r)) {
        if !events_documented && http(row) {
            http_unmeasured += 1;
            continue;
        }
        let Some(doc) = model.documents.get(row.doc) else {
            continue;
        };
        let Some(op) = doc.operations.get(row.op) else {
            continue;
        };
        if control_op(doc, op) {
            continue;
        }
        let emits = emits_list(ws, model, row).is_some_and(|l| !l.is_empty());
        // A `reply` given only as a channel (or a dynamic address) is a result too, and so
        // is a reply channel paired by name (`x.get.requested` → `x.get.response`).
        let reply = op.reply.as_ref().is_some_and(|r| {
            !r.messages.is_empty() || r.channel.is_some() || r.address_location.is_some()
        }) || row.paired_reply.is_some();
        let callbacks = matches!(op.verb, Verb::Http { .. }) && has_callbacks(ws, model, row);
        let answered_here = received_and_answered(sent.get(row.doc), op);
        let miss = (!(emits || reply || callbacks || answered_here))
            .then(|| format!("command `{}` declares no resulting event", row.id));
        items.push(Item::check(
            op.src.clone(),
            miss,
            "list the events it causes with `x-hnp-emits: [$ref, …]`, declare a `reply`, or (OpenAPI) `callbacks`",
        ));
    }
    let (consumers, consumer_names) = consumed(model);
    // Published events (and what publishes them), once each.
    let mut published: Vec<(&crate::model::Document, &crate::model::Operation)> = Vec::new();
    let mut consumed_only = 0usize;
    for row in rows.iter().filter(|r| is_event(r)) {
        let Some(doc) = model.documents.get(row.doc) else {
            continue;
        };
        let Some(op) = doc.operations.get(row.op) else {
            continue;
        };
        if dead_letter_channel(doc, op) {
            continue;
        }
        if row.kind == Kind::EventPublished {
            published.push((doc, op));
        } else {
            consumed_only += 1;
        }
    }
    // (message, channel it is received on) → the documents that receive it there; and
    // message → every receiving document (for "another document consumes it").
    let mut receivers: HashMap<(&Src, Option<usize>), Vec<&crate::model::Document>> =
        HashMap::new();
    let mut receiving_docs: HashMap<&Src, Vec<&crate::model::Document>> = HashMap::new();
    for d in &model.documents {
        for o in d
            .operations
            .iter()
            .filter(|o| o.action == Some(Action::Receive))
        {
            for x in o.messages.iter().filter_map(|&i| d.messages.get(i)) {
                receivers.entry((&x.src, o.channel)).or_default().push(d);
                receiving_docs.entry(&x.src).or_default().push(d);
            }
        }
    }
    let mut seen: HashSet<Src> = HashSet::new();
    let mut candidates = Vec::new();
    let mut any_consumed = false;
    for (doc, op) in published {
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
            if !seen.insert(m.src.clone()) || dangling(ws, &m.src) {
                continue;
            }
            let name = message_name(m);
            if roles::control_message(m, &name) {
                continue;
            }
            let external = op_external
                || message_layers(ws, m)
                    .iter()
                    .any(|(_, v)| is_true(v.get("x-hnp-external")));
            let consumed = consumers.contains(&m.src) || consumer_names.contains(&name);
            // A 2.x document describes one application: receiving on a channel what it
            // also sends there (a chat relay, an echo) is its two directions, not a
            // consumer of its events, so it is no sign that the consumers are described.
            let relayed = matches!(doc.spec, crate::model::Spec::AsyncApi(v) if v.major == 2)
                && receivers
                    .get(&(&m.src, op.channel))
                    .is_some_and(|ds| ds.iter().any(|&d| std::ptr::eq(d, doc)))
                && receiving_docs
                    .get(&m.src)
                    .is_none_or(|ds| ds.iter().all(|&d| std::ptr::eq(d, doc)));
            any_consumed |= consumed && !relayed;
            candidates.push((m.src.clone(), name, consumed || external));
        }
    }
    let published_count = candidates.len();
    let consumed_count = candidates.iter().filter(|c| c.2).count();
    // The documents describe the system (both ends of its flows) when they use the
    // `x-hnp-*` vocabulary or consume at least half of what they publish; else they
    // describe one application, whose consumers are elsewhere.
    let hnp = model.documents.iter().any(|d| {
        d.operations
            .iter()
            .any(|o| o.extensions.iter().any(|e| e.key.starts_with("x-hnp-")))
            || d.channels
                .iter()
                .any(|c| c.extensions.iter().any(|e| e.key.starts_with("x-hnp-")))
            || d.messages
                .iter()
                .any(|m| m.extensions.iter().any(|e| e.key.starts_with("x-hnp-")))
    });
    let measured = any_consumed && (hnp || consumed_count * 2 >= published_count);
    // Producers are measured when the documents describe a closed system: they use the
    // `x-hnp-*` vocabulary, or every event they publish is consumed in them (a pipeline
    // described end to end). A service's interface consumes what others produce.
    let closed = any_consumed && (hnp || consumed_count == published_count);
    if closed {
        let (produced, produced_names) = produced(model);
        for row in rows
            .iter()
            .filter(|r| is_event(r) && r.kind == Kind::EventConsumed)
        {
            let Some(doc) = model.documents.get(row.doc) else {
                continue;
            };
            let Some(op) = doc.operations.get(row.op) else {
                continue;
            };
            if dead_letter_channel(doc, op) || external(ws, doc, op, None) {
                continue;
            }
            for i in distinct(doc, op.messages.iter().copied()) {
                let Some(m) = doc.messages.get(i) else {
                    continue;
                };
                let name = message_name(m);
                if !seen.insert(m.src.clone())
                    || dangling(ws, &m.src)
                    || roles::control_message(m, &name)
                    || external(ws, doc, op, Some(m))
                {
                    continue;
                }
                let ok = produced.contains(&m.src) || produced_names.contains(&name);
                items.push(Item::check(
                    m.src.clone(),
                    (!ok).then(|| {
                        format!(
                            "event `{name}` is consumed by `{}` but no operation produces it",
                            row.id
                        )
                    }),
                    "add the `send` operation that publishes it, or mark the message `x-hnp-external: true` when it is produced outside these documents",
                ));
            }
        }
    }
    if measured {
        for (src, name, ok) in candidates {
            let miss = (!ok).then(|| format!("event `{name}` has no consumer"));
            items.push(Item::check(
                src,
                miss,
                "add the `receive` operation that consumes it, or mark the message `x-hnp-external: true` when it is consumed outside these documents",
            ));
        }
    } else if published_count > 0 {
        notes.push(format!(
            "{published_count} published event{}, {consumed_count} with a consumer in these documents: they describe one application's interface, so event consumers are not measured (mark consumers elsewhere `x-hnp-external: true` to measure them)",
            if published_count == 1 { "" } else { "s" }
        ));
    }
    if http_unmeasured > 0 {
        notes.push(format!(
            "no events documented: an HTTP command's outcome is its response, so whether {} lead{} to an event is not measured (declare `x-hnp-emits` or `callbacks` to measure it)",
            if http_unmeasured == 1 { "the 1 HTTP command".to_string() } else { format!("the {http_unmeasured} HTTP commands") },
            if http_unmeasured == 1 { "s" } else { "" }
        ));
    }
    items.extend(emits_targets(ws, model, rows));
    items.extend(unused_messages(ws, model));
    if items.is_empty() && published_count == 0 && consumed_only > 0 {
        notes.push(format!(
            "no producer documented ({consumed_only} operation{} only consume events): event_flow not measured",
            if consumed_only == 1 { "" } else { "s" }
        ));
    }
    (items, notes)
}

/// Whether an HTTP operation declares non-empty `callbacks`.
fn has_callbacks(ws: &Workspace, model: &Model, row: &Row) -> bool {
    model
        .documents
        .get(row.doc)
        .and_then(|d| d.operations.get(row.op))
        .and_then(|op| value_at(ws, &op.src))
        .and_then(|v| v.get("callbacks"))
        .and_then(Value::as_object)
        .is_some_and(|c| !c.is_empty())
}

/// Whether an operation, its channel or (when given) a message is marked
/// `x-hnp-external: true` (the other end lives outside these documents).
fn external(
    ws: &Workspace,
    doc: &crate::model::Document,
    op: &crate::model::Operation,
    m: Option<&crate::model::Message>,
) -> bool {
    let is_true = |v: Option<&Value>| v.and_then(Value::as_bool) == Some(true);
    is_true(ext(ws, &op.extensions, "x-hnp-external"))
        || op
            .channel
            .and_then(|c| doc.channels.get(c))
            .is_some_and(|c| is_true(ext(ws, &c.extensions, "x-hnp-external")))
        || m.is_some_and(|m| {
            message_layers(ws, m)
                .iter()
                .any(|(_, v)| is_true(v.get("x-hnp-external")))
        })
}

/// The messages an operation carries: its own, else (3.x, none listed) every message of
/// its channel.
fn op_messages<'a>(
    doc: &'a crate::model::Document,
    op: &'a crate::model::Operation,
) -> impl Iterator<Item = &'a crate::model::Message> {
    let idx: &[usize] = if op.messages.is_empty() {
        op.channel
            .and_then(|c| doc.channels.get(c))
            .map(|c| c.messages.as_slice())
            .unwrap_or(&[])
    } else {
        &op.messages
    };
    idx.iter().filter_map(|&i| doc.messages.get(i))
}

/// Messages some operation sends anywhere in the model (sends, and the replies of
/// received requests), by where they live and by name.
fn produced(model: &Model) -> (HashSet<&Src>, HashSet<String>) {
    let mut srcs = HashSet::new();
    let mut names = HashSet::new();
    for doc in &model.documents {
        for op in &doc.operations {
            let mut sent: Vec<&crate::model::Message> = Vec::new();
            if op.action == Some(Action::Send) {
                sent.extend(op_messages(doc, op));
            }
            if let Some(r) = &op.reply {
                sent.extend(r.messages.iter().filter_map(|&i| doc.messages.get(i)));
            }
            for m in sent {
                srcs.insert(&m.src);
                names.insert(message_name(m));
            }
        }
    }
    (srcs, names)
}

/// `x-hnp-emits` targets: each must be sent by some operation (an event a command
/// claims to cause that nothing publishes reaches no one).
fn emits_targets(ws: &Workspace, model: &Model, rows: &[Row]) -> Vec<Item> {
    let (produced, produced_names) = produced(model);
    let names: HashMap<&Src, String> = model
        .documents
        .iter()
        .flat_map(|d| d.messages.iter())
        .map(|m| (&m.src, message_name(m)))
        .collect();
    let mut items = Vec::new();
    for row in rows {
        let Some(op) = model
            .documents
            .get(row.doc)
            .and_then(|d| d.operations.get(row.op))
        else {
            continue;
        };
        let Some(at) = op.extensions.iter().find(|e| e.key == "x-hnp-emits") else {
            continue;
        };
        let Some(list) = value_at(ws, &at.src).and_then(Value::as_array) else {
            continue;
        };
        for (i, item) in list.iter().enumerate() {
            let target = crate::source::workspace::ref_of(item)
                .and_then(|r| ws.ref_target(at.src.file, r))
                .map(|(f, p)| Src::new(f, p));
            let name = match &target {
                Some(t) => names
                    .get(t)
                    .cloned()
                    .unwrap_or_else(|| t.pointer.rsplit('/').next().unwrap_or("").to_string()),
                None => match item.as_str() {
                    Some(s) => s.to_string(),
                    None => continue,
                },
            };
            let ok = target.as_ref().is_some_and(|t| produced.contains(t))
                || produced_names.contains(&name);
            items.push(Item::check(
                Src::new(at.src.file, format!("{}/{i}", at.src.pointer)),
                (!ok).then(|| {
                    format!(
                        "`x-hnp-emits` of `{}` names `{name}`, which no operation sends",
                        row.id
                    )
                }),
                "add the `send` operation that publishes the event, or correct the `x-hnp-emits` entry",
            ));
        }
    }
    items
}

/// Messages on channels of AsyncAPI documents with operations that no operation (of
/// any loaded document) sends, receives or answers with: they are in no flow. (A
/// document with no operations at all gets one `gate-not-measured` note instead.)
fn unused_messages(ws: &Workspace, model: &Model) -> Vec<Item> {
    let mut used: HashSet<&Src> = HashSet::new();
    for doc in &model.documents {
        for op in &doc.operations {
            used.extend(op_messages(doc, op).map(|m| &m.src));
            if let Some(r) = &op.reply {
                used.extend(
                    r.messages
                        .iter()
                        .filter_map(|&i| doc.messages.get(i))
                        .map(|m| &m.src),
                );
                // A reply given as a channel only answers with that channel's messages.
                if r.messages.is_empty() {
                    if let Some(c) = r.channel.and_then(|c| doc.channels.get(c)) {
                        used.extend(
                            c.messages
                                .iter()
                                .filter_map(|&i| doc.messages.get(i))
                                .map(|m| &m.src),
                        );
                    }
                }
            }
        }
    }
    let mut seen: HashSet<&Src> = HashSet::new();
    let mut items = Vec::new();
    for doc in model
        .documents
        .iter()
        .filter(|d| matches!(d.spec, crate::model::Spec::AsyncApi(_)) && !d.operations.is_empty())
    {
        for ch in &doc.channels {
            for m in ch.messages.iter().filter_map(|&i| doc.messages.get(i)) {
                if used.contains(&m.src) || !seen.insert(&m.src) || dangling(ws, &m.src) {
                    continue;
                }
                items.push(Item::check(
                    m.src.clone(),
                    Some(format!(
                        "message `{}` on channel `{}` is in no operation",
                        message_name(m),
                        roles::address(ch)
                    )),
                    "add the operation that sends or receives it, or remove it from the channel",
                ));
            }
        }
    }
    items
}

/// Choreography cycles: an operation whose results are consumed by operations whose
/// results lead back to it (through `x-hnp-emits`, replies and consumers), with no saga
/// step sending or awaiting any of the messages on the way to end it. One finding per
/// cycle, at its first operation, with the cycle.
pub fn cycles(model: &Model, rows: &[Row], sagas: &[crate::saga::Saga]) -> Vec<Item> {
    let mut by_id: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        by_id.entry(r.id.as_str()).or_default().push(i);
    }
    let adj: Vec<Vec<usize>> = rows
        .iter()
        .map(|r| {
            r.consumers
                .iter()
                .flat_map(|c| by_id.get(c.as_str()).cloned().unwrap_or_default())
                .collect()
        })
        .collect();
    let saga_names: HashSet<&str> = sagas
        .iter()
        .flat_map(|s| s.steps.iter())
        .flat_map(|st| st.send.iter().chain(st.on.iter()).chain(st.fail.iter()))
        .map(|n| n.name.as_str())
        .collect();
    let mut items = Vec::new();
    for scc in strongly_connected(&adj) {
        if scc.len() < 2 {
            continue;
        }
        let members: HashSet<usize> = scc.iter().copied().collect();
        let start = scc.iter().copied().min().unwrap_or(0);
        let path = cycle_path(&adj, &members, start);
        let names: Vec<&str> = path.iter().map(|&i| rows[i].id.as_str()).collect();
        let messages: Vec<&str> = path
            .iter()
            .flat_map(|&i| rows[i].emits.iter().map(String::as_str))
            .collect();
        let covered = messages.iter().any(|m| saga_names.contains(m));
        let Some(op) = model
            .documents
            .get(rows[start].doc)
            .and_then(|d| d.operations.get(rows[start].op))
        else {
            continue;
        };
        let miss = (!covered).then(|| {
            format!(
                "operation `{}` starts a choreography cycle: {} → {} (through {}), and no saga ends it",
                rows[start].id,
                names.join(" → "),
                rows[start].id,
                messages.join(", ")
            )
        });
        items.push(Item::check(
            op.src.clone(),
            miss,
            "break the cycle (a consumer that stops on a terminal state), or coordinate it with a saga file whose steps send or await its messages",
        ));
    }
    items
}

/// The strongly connected components of a graph (Tarjan's algorithm, iterative: no
/// recursion depth on large documents).
pub(crate) fn strongly_connected(adj: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = adj.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut out = Vec::new();
    let mut next = 0usize;
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some(&mut (v, ref mut edge)) = work.last_mut() {
            if *edge == 0 && index[v] == usize::MAX {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = adj[v].get(*edge) {
                *edge += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut scc = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    scc.push(w);
                    if w == v {
                        break;
                    }
                }
                out.push(scc);
            }
        }
    }
    out
}

/// A path from `start` through `members` back to `start` (breadth-first, shortest).
fn cycle_path(adj: &[Vec<usize>], members: &HashSet<usize>, start: usize) -> Vec<usize> {
    let mut prev: HashMap<usize, usize> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for &w in &adj[v] {
            if !members.contains(&w) {
                continue;
            }
            if w == start {
                let mut path = vec![v];
                let mut cur = v;
                while cur != start {
                    cur = prev.get(&cur).copied().unwrap_or(start);
                    path.push(cur);
                }
                path.reverse();
                return path;
            }
            if let std::collections::hash_map::Entry::Vacant(e) = prev.entry(w) {
                e.insert(v);
                queue.push_back(w);
            }
        }
    }
    vec![start]
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
        } else if over.is_none() && !row.answer && !matches!(op.verb, Verb::Http { .. }) {
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
        // A command's missing outcome: an HTTP command without a success response. An
        // AsyncAPI command without a resulting event is `event_flow_coverage`'s finding
        // (one finding per root cause).
        if miss.is_none() && row.kind == Kind::Command {
            if let Verb::Http { .. } = op.verb {
                let outcome = emits
                    || value_at(ws, &op.src)
                        .and_then(|v| v.get("responses"))
                        .and_then(Value::as_object)
                        .is_some_and(|r| {
                            r.keys().any(|k| k.starts_with('2') || k.starts_with('3'))
                        });
                if !outcome {
                    miss = Some(format!("command `{}` declares no outcome", row.id));
                }
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
    let failure_stems: Vec<FailureStems> = model.documents.iter().map(FailureStems::new).collect();
    let sent = sent_on(model);
    // Event consumers that declare at-least-once delivery: a message that keeps failing
    // is redelivered forever unless a dead-letter channel or a retry policy ends it.
    for row in rows
        .iter()
        .filter(|r| is_event(r) && r.kind == Kind::EventConsumed)
    {
        let Some(doc) = model.documents.get(row.doc) else {
            continue;
        };
        let Some(op) = doc.operations.get(row.op) else {
            continue;
        };
        let channel = op.channel.and_then(|c| doc.channels.get(c));
        // Declared, or implied by the operation's bindings or the channel's servers
        // (Kafka, SQS, JetStream: see the protocol table) where a failed message comes
        // back: not MQTT `qos: 1`, which acknowledges on receipt and has no redelivery
        // loop (nor a dead-letter queue) for a consumer to guard against.
        let at_least_once = match ext(ws, &op.extensions, "x-hnp-delivery").and_then(Value::as_str)
        {
            Some(d) => d == "at-least-once",
            None => super::protocols::delivery(ws, doc, channel, op)
                .is_some_and(|i| i.guarantee == "at-least-once" && !i.why.starts_with("MQTT")),
        };
        if control_op(doc, op) || dead_letter_channel(doc, op) || !at_least_once {
            continue;
        }
        let words = channel
            .map(|c| roles::words(roles::address(c)))
            .unwrap_or_default();
        let ok = ext(ws, &op.extensions, "x-hnp-dead-letter").is_some()
            || ext(ws, &op.extensions, "x-hnp-retry").is_some()
            || channel.is_some_and(|c| {
                ext(ws, &c.extensions, "x-hnp-dead-letter").is_some()
                    || ext(ws, &c.extensions, "x-hnp-retry").is_some()
            })
            || super::protocols::sqs_dead_letter(ws, channel, op)
            || failure_stems
                .get(row.doc)
                .is_some_and(|f| FailureStems::covers(&f.dead_letter, &words));
        let miss = (!ok).then(|| {
            format!(
                "at-least-once consumer `{}` has no dead-letter channel or retry policy",
                row.id
            )
        });
        items.push(Item::check(
            op.src.clone(),
            miss,
            "declare `x-hnp-dead-letter: {$ref: '#/channels/…'}` or `x-hnp-retry: {maxAttempts: …}` on the consumer (or an SQS `deadLetterQueue`), so a message that keeps failing does not block or loop forever",
        ));
    }
    for row in rows.iter().filter(|r| is_command(r)) {
        let Some(doc) = model.documents.get(row.doc) else {
            continue;
        };
        let Some(op) = doc.operations.get(row.op) else {
            continue;
        };
        // A read has no state to repair when it fails: its caller sees no answer.
        if control_op(doc, op) || read_only(ws, doc, op, row) {
            continue;
        }
        let ok = if matches!(op.verb, Verb::Http { .. }) {
            value_at(ws, &op.src)
                .and_then(|v| v.get("responses"))
                .and_then(Value::as_object)
                .is_some_and(|r| {
                    r.keys()
                        .any(|k| k.starts_with('4') || k.starts_with('5') || k == "default")
                })
        } else {
            // A failure reply, or a reply whose payload carries an error
            // (`subscriptionStatus` with `errorMessage`).
            // A 3.0 `reply` that names only its channel may answer with any message of
            // that channel.
            let reply_failure = op.reply.as_ref().is_some_and(|r| {
                let msgs = if r.messages.is_empty() {
                    r.channel
                        .and_then(|c| doc.channels.get(c))
                        .map(|c| c.messages.as_slice())
                        .unwrap_or_default()
                } else {
                    r.messages.as_slice()
                };
                msgs.iter()
                    .filter_map(|&i| doc.messages.get(i))
                    .any(|m| failure_name(&message_name(m)) || carries_error(ws, m))
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
                || ext(ws, &op.extensions, "x-hnp-retry").is_some()
                || channel.is_some_and(|c| ext(ws, &c.extensions, "x-hnp-dead-letter").is_some())
                || super::protocols::sqs_dead_letter(ws, channel, op);
            // An error channel or dead-letter queue named for it (`addCheck_error`,
            // `orders.dlq` for `orders.ingest`), or failure messages on its paired reply.
            let words = channel
                .map(|c| roles::words(roles::address(c)))
                .unwrap_or_default();
            let words = match roles::role_of_words(&words) {
                (ChannelRole::Request, stem) => stem.to_vec(),
                _ => words,
            };
            let failure_channel = failure_stems
                .get(row.doc)
                .is_some_and(|f| FailureStems::covers(&f.any, &words));
            let paired_failure = row
                .paired_reply
                .and_then(|c| doc.channels.get(c))
                .is_some_and(|c| {
                    c.messages
                        .iter()
                        .filter_map(|&i| doc.messages.get(i))
                        .any(|m| failure_name(&message_name(m)) || carries_error(ws, m))
                });
            // A command received on a channel the application also sends failures on
            // (one WebSocket: the answer comes back on the same connection).
            let same_channel_failure = op.action == Some(Action::Receive)
                && op
                    .channel
                    .is_some_and(|c| sent.get(row.doc).is_some_and(|s| s.failure.contains(&c)));
            reply_failure
                || emits_failure
                || dead_letter
                || failure_channel
                || paired_failure
                || same_channel_failure
        };
        let miss = (!ok).then(|| format!("command `{}` declares no failure path", row.id));
        items.push(Item::check(
            op.src.clone(),
            miss,
            "declare 4xx/5xx responses (OpenAPI), a failure event in the `reply` or `x-hnp-emits`, an error channel named for it (`…_error`), or a dead-letter channel (`x-hnp-dead-letter`, an SQS `deadLetterQueue`) or `x-hnp-retry` for its consumer",
        ));
    }
    items
}
