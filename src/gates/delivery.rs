//! Gates over the messaging contract: `delivery_declared` (each send/receive operation
//! states its delivery guarantee) and `ordering_declared` (each event channel states
//! its ordering key, or that it has none).

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::protocols;
use super::roles::{self, ChannelRole};
use super::util::{Item, ext, message_name};
use crate::classify::{Kind, Row, value_at};
use crate::model::{Action, Document, Model, Operation, Src};
use crate::source::Workspace;

/// The delivery guarantees `x-hnp-delivery` accepts.
pub const DELIVERY: &[&str] = &["at-most-once", "at-least-once", "exactly-once"];

/// The operation's id as findings name it.
fn op_name(op: &Operation) -> String {
    op.operation_id
        .clone()
        .or_else(|| op.key.clone())
        .unwrap_or_else(|| op.src.pointer.clone())
}

/// Whether the tool can see how exactly-once is achieved: `x-hnp-delivery-mechanism`, a
/// Kafka binding that names a transaction, or MQTT `qos: 2` (the protocol's handshake).
fn exactly_once_mechanism(ws: &Workspace, doc: &Document, op: &Operation) -> bool {
    if ext(ws, &op.extensions, "x-hnp-delivery-mechanism").is_some() {
        return true;
    }
    let ch = op.channel.and_then(|c| doc.channels.get(c));
    let transactional = |src: &Src| {
        value_at(ws, src)
            .and_then(|v| v.get("bindings"))
            .map(|b| ws.deref(src.file, b).2)
            .and_then(|b| b.get("kafka"))
            .is_some_and(|k| {
                serde_json::to_string(k)
                    .is_ok_and(|t| t.to_ascii_lowercase().contains("transaction"))
            })
    };
    transactional(&op.src)
        || ch.is_some_and(|c| transactional(&c.src))
        || protocols::delivery(ws, doc, ch, op).is_some_and(|i| i.guarantee == "exactly-once")
}

/// The guarantees declared (`x-hnp-delivery`) by the producers of each channel (by
/// where the channel lives), with the producing operation.
fn producers<'a>(ws: &'a Workspace, model: &'a Model) -> HashMap<&'a Src, (String, &'a str)> {
    let mut out = HashMap::new();
    for doc in &model.documents {
        for op in &doc.operations {
            if op.action != Some(Action::Send) {
                continue;
            }
            let (Some(ch), Some(d)) = (
                op.channel.and_then(|c| doc.channels.get(c)),
                ext(ws, &op.extensions, "x-hnp-delivery").and_then(Value::as_str),
            ) else {
                continue;
            };
            out.entry(&ch.src).or_insert((op_name(op), d));
        }
    }
    out
}

pub fn delivery(ws: &Workspace, model: &Model) -> Vec<Item> {
    let mut items = Vec::new();
    let producers = producers(ws, model);
    for doc in &model.documents {
        for op in doc.operations.iter().filter(|o| o.action.is_some()) {
            let ch = op.channel.and_then(|c| doc.channels.get(c));
            let declared = ext(ws, &op.extensions, "x-hnp-delivery");
            // A consumer that counts on every message (at-least-once, exactly-once) while
            // its producer may drop them (at-most-once) is written for a guarantee the
            // channel does not give. (A consumer weaker than its producer is its choice.)
            let disagrees = match (op.action, declared.and_then(Value::as_str), ch) {
                (Some(Action::Receive), Some(mine), Some(c)) => producers
                    .get(&c.src)
                    .filter(|(_, theirs)| *theirs == "at-most-once" && mine != "at-most-once")
                    .map(|(p, theirs)| {
                        format!(
                            "consumer `{}` declares {mine} but its producer `{p}` declares {theirs} on channel `{}`",
                            op_name(op),
                            super::roles::address(c)
                        )
                    }),
                _ => None,
            };
            let miss = match declared {
                _ if disagrees.is_some() => disagrees,
                Some(Value::String(s))
                    if s == "exactly-once" && !exactly_once_mechanism(ws, doc, op) =>
                {
                    Some(format!(
                        "operation `{}` declares exactly-once but no mechanism the tool can see (`x-hnp-delivery-mechanism`, a transactional Kafka binding)",
                        op_name(op)
                    ))
                }
                Some(Value::String(s)) if DELIVERY.contains(&s.as_str()) => None,
                Some(v) => Some(format!(
                    "`x-hnp-delivery: {}` is not one of {}",
                    v,
                    DELIVERY.join(", ")
                )),
                None if protocols::delivery(ws, doc, ch, op).is_some() => None,
                // A server behind a `$ref` that did not resolve may name a protocol that
                // fixes the guarantee: not judged (the ref is reported once already).
                None if protocols::servers_of(doc, ch)
                    .iter()
                    .any(|s| super::flow::dangling_schema(ws, &s.src)) =>
                {
                    continue;
                }
                // So may the bindings of messages that did not resolve (MQTT `qos`,
                // Kafka `acks`, AMQP `deliveryMode` on the message): when all of the
                // operation's messages are such, not judged either.
                None if !op.messages.is_empty()
                    && op
                        .messages
                        .iter()
                        .filter_map(|&i| doc.messages.get(i))
                        .all(|m| super::flow::dangling(ws, &m.src)) =>
                {
                    continue;
                }
                None => Some(format!(
                    "operation `{}` declares no delivery guarantee",
                    op_name(op)
                )),
            };
            items.push(Item::check(
                op.src.clone(),
                miss,
                "add `x-hnp-delivery: at-most-once|at-least-once|exactly-once` (the same on producer and consumer; exactly-once with `x-hnp-delivery-mechanism` or a transactional Kafka binding), or a binding that implies one (MQTT `qos`, Kafka `acks`, AMQP `ack`); servers whose protocol fixes it (Kafka, SQS, NATS, MQTT, WebSocket) need nothing",
            ));
        }
    }
    items
}

pub fn ordering(ws: &Workspace, model: &Model, rows: &[Row]) -> Vec<Item> {
    let mut event_channels: HashSet<(usize, usize)> = HashSet::new();
    // Channels whose operations name an SQS FIFO queue in their bindings (3.0 SQS
    // operation binding `queues: [{fifoQueue: true}]`): ordered like a FIFO channel.
    let mut fifo: HashSet<(usize, usize)> = HashSet::new();
    let mut websocket: HashSet<(usize, usize)> = HashSet::new();
    for (d, doc) in model.documents.iter().enumerate() {
        for op in &doc.operations {
            if let Some(c) = op.channel {
                if protocols::sqs_fifo_operation(ws, op) {
                    fifo.insert((d, c));
                }
                // An operation's `ws` binding says its channel is a WebSocket endpoint.
                if protocols::has_binding(ws, &op.src, "ws") {
                    websocket.insert((d, c));
                }
            }
        }
    }
    // Where the answers of each document carry their correlation id: the messages it
    // receives with the id at the same place are the requests those answers answer (an
    // RPC queue: `rpc_queue` answered on `{queue}`), not an ordered stream of events.
    let mut answer_ids: HashSet<(usize, &str)> = HashSet::new();
    for row in rows.iter().filter(|r| r.answer) {
        let Some(doc) = model.documents.get(row.doc) else {
            continue;
        };
        let Some(op) = doc.operations.get(row.op) else {
            continue;
        };
        for m in op.messages.iter().filter_map(|&i| doc.messages.get(i)) {
            if let Some(loc) = m
                .correlation_id
                .as_ref()
                .and_then(|c| c.location.as_deref())
            {
                answer_ids.insert((row.doc, loc));
            }
        }
    }
    let answered = |d: usize, doc: &Document, op: &Operation| {
        op.action == Some(Action::Receive)
            && !op.messages.is_empty()
            && op.messages.iter().all(|&i| {
                doc.messages.get(i).is_some_and(|m| {
                    // A message named as an event (`OrderPlaced`) is one, correlated or not.
                    crate::classify::naming(&message_name(m)) != crate::classify::Naming::PastTense
                        && m.correlation_id
                            .as_ref()
                            .and_then(|c| c.location.as_deref())
                            .is_some_and(|loc| answer_ids.contains(&(d, loc)))
                })
            })
    };
    for row in rows {
        let requests = model
            .documents
            .get(row.doc)
            .and_then(|d| d.operations.get(row.op).map(|o| answered(row.doc, d, o)))
            .unwrap_or(false);
        if matches!(row.kind, Kind::EventPublished | Kind::EventConsumed)
            && !row.answer
            && !requests
        {
            if let Some(c) = model
                .documents
                .get(row.doc)
                .and_then(|d| d.operations.get(row.op))
                .and_then(|o| o.channel)
            {
                event_channels.insert((row.doc, c));
            }
        }
    }
    let mut keys: Vec<&(usize, usize)> = event_channels.iter().collect();
    keys.sort();
    let mut seen: HashSet<&Src> = HashSet::new();
    let mut items = Vec::new();
    let mut counts_by_doc: std::collections::HashMap<
        usize,
        std::collections::HashMap<&str, usize>,
    > = std::collections::HashMap::new();
    for &(d, c) in keys {
        let Some(doc) = model.documents.get(d) else {
            continue;
        };
        let Some(ch) = doc.channels.get(c) else {
            continue;
        };
        if !seen.insert(&ch.src) {
            continue;
        }
        // Dead-letter queues and control channels carry no ordered event stream.
        let (role, _) = roles::role_of_words(&roles::words(roles::address(ch)));
        let msgs: Vec<_> = ch
            .messages
            .iter()
            .filter_map(|&i| doc.messages.get(i))
            .collect();
        let control = !msgs.is_empty()
            && msgs
                .iter()
                .all(|m| roles::control_message(m, &message_name(m)));
        if role != ChannelRole::Plain || control {
            continue;
        }
        let key = ext(ws, &ch.extensions, "x-hnp-ordering-key");
        let none =
            ext(ws, &ch.extensions, "x-hnp-ordering").and_then(Value::as_str) == Some("none");
        let counts = counts_by_doc
            .entry(d)
            .or_insert_with(|| protocols::address_counts(doc));
        let implied = protocols::ordering_in(ws, doc, ch, counts)
            .or_else(|| {
                fifo.contains(&(d, c))
                    .then(|| "an SQS FIFO queue".to_string())
            })
            .or_else(|| {
                websocket
                    .contains(&(d, c))
                    .then(|| "a WebSocket operation: one connection delivers in order".to_string())
            });
        // A message behind a `$ref` that did not resolve (or with a trait that did not)
        // may carry the Kafka `key` binding that orders the channel (when the channel may
        // be on Kafka): when every visible message has one, or none is visible, the
        // ordering is unknown, not missing.
        let servers = protocols::servers_of(doc, Some(ch));
        let kafka_possible = servers.is_empty()
            || servers.iter().any(|s| {
                super::flow::dangling_schema(ws, &s.src)
                    || s.protocol
                        .as_deref()
                        .is_none_or(|p| p.to_ascii_lowercase().starts_with("kafka"))
            });
        let hidden = kafka_possible
            && msgs.iter().any(|m| {
                super::flow::dangling(ws, &m.src)
                    || m.traits.iter().any(|t| super::flow::dangling_schema(ws, t))
            });
        let visible_keyless = msgs.iter().any(|m| {
            !super::flow::dangling(ws, &m.src)
                && !super::util::message_layers(ws, m).iter().any(|(f, v)| {
                    v.get("bindings")
                        .map(|b| ws.deref(*f, b).2)
                        .and_then(|b| b.get("kafka"))
                        .and_then(|k| k.get("key"))
                        .is_some()
                })
        });
        let miss = match key {
            Some(Value::String(p)) if p.is_empty() || p.starts_with('/') => None,
            Some(v) => Some(format!("`x-hnp-ordering-key: {v}` is not a JSON pointer")),
            None if none || implied.is_some() => None,
            None if hidden && !visible_keyless => continue,
            None => Some(format!(
                "event channel `{}` declares no ordering key",
                ch.address.clone().unwrap_or_else(|| ch.key.clone())
            )),
        };
        items.push(Item::check(
            ch.src.clone(),
            miss,
            "add `x-hnp-ordering-key: /payload/...` (a JSON pointer into the message), a Kafka message `key` binding, a channel per entity (`orders.{orderId}`), or `x-hnp-ordering: none`",
        ));
    }
    items
}
