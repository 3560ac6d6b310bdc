//! What protocols, servers and bindings imply about delivery and ordering, so that a
//! guarantee stated in a form other than `x-hnp-delivery`/`x-hnp-ordering-key` is read
//! (the README's table lists each row; `tests/it/gates_precision.rs` tests each one).
//!
//! Reads the IR and the workspace; pure functions.

use serde_json::Value;

use super::util::{binding, message_layers};
use crate::classify::value_at;
use crate::model::{Channel, Document, Operation, Server, Src};
use crate::source::Workspace;

/// A delivery guarantee and what implies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Implied {
    pub guarantee: &'static str,
    pub why: String,
}

fn implied(guarantee: &'static str, why: impl Into<String>) -> Option<Implied> {
    Some(Implied {
        guarantee,
        why: why.into(),
    })
}

/// The servers a channel is available on: the ones it names, else all of the document's.
pub fn servers_of<'a>(doc: &'a Document, ch: Option<&Channel>) -> Vec<&'a Server> {
    let named: Vec<&Server> = match ch {
        Some(c) if !c.servers.is_empty() => doc
            .servers
            .iter()
            .filter(|s| c.servers.contains(&s.name))
            .collect(),
        _ => Vec::new(),
    };
    if named.is_empty() {
        doc.servers.iter().collect()
    } else {
        named
    }
}

fn protocol(s: &Server) -> String {
    s.protocol.as_deref().unwrap_or("").to_ascii_lowercase()
}

/// Whether any text of the server or document mentions JetStream (NATS's persistent,
/// acknowledged layer): its description, bindings or extensions.
fn jetstream(ws: &Workspace, doc: &Document, s: &Server) -> bool {
    let mentions = |src: &Src| {
        value_at(ws, src).is_some_and(|v| {
            serde_json::to_string(v).is_ok_and(|t| t.to_ascii_lowercase().contains("jetstream"))
        })
    };
    mentions(&s.src)
        || value_at(ws, &doc.src)
            .and_then(|v| v.get("info"))
            .and_then(|i| i.get("description"))
            .and_then(Value::as_str)
            .is_some_and(|d| d.to_ascii_lowercase().contains("jetstream"))
}

/// A binding field on the operation, its traits, or any message of it.
fn op_binding<'a>(
    ws: &'a Workspace,
    doc: &Document,
    op: &Operation,
    protocol: &str,
    field: &str,
) -> Option<&'a Value> {
    std::iter::once(&op.src)
        .chain(op.traits.iter())
        .find_map(|s| binding(ws, s, protocol, field))
        .or_else(|| {
            op.messages
                .iter()
                .filter_map(|&i| doc.messages.get(i))
                .flat_map(|m| message_layers(ws, m))
                .find_map(|(f, v)| {
                    let b = v.get("bindings")?;
                    let (_, _, b) = ws.deref(f, b);
                    b.get(protocol)?.get(field)
                })
        })
}

/// Whether the channel's or operation's SQS bindings name a dead-letter queue.
pub fn sqs_dead_letter(ws: &Workspace, ch: Option<&Channel>, op: &Operation) -> bool {
    let has = |v: Option<&Value>| {
        v.is_some_and(|v| serde_json::to_string(v).is_ok_and(|t| t.contains("deadLetterQueue")))
    };
    has(binding(ws, &op.src, "sqs", "queues"))
        || ch.is_some_and(|c| {
            has(binding(ws, &c.src, "sqs", "queue"))
                || has(binding(ws, &c.src, "sqs", "deadLetterQueue"))
        })
}

/// The delivery guarantee the operation's bindings or its channel's servers imply.
pub fn delivery(
    ws: &Workspace,
    doc: &Document,
    ch: Option<&Channel>,
    op: &Operation,
) -> Option<Implied> {
    // Bindings first: they are the operation's own words.
    if let Some(q) = op_binding(ws, doc, op, "mqtt", "qos").and_then(Value::as_u64) {
        return match q {
            0 => implied("at-most-once", "MQTT `qos: 0`"),
            1 => implied("at-least-once", "MQTT `qos: 1`"),
            _ => implied("exactly-once", format!("MQTT `qos: {q}`")),
        };
    }
    if op_binding(ws, doc, op, "kafka", "acks").is_some() {
        return implied("at-least-once", "a Kafka `acks` binding");
    }
    if let Some(a) = op_binding(ws, doc, op, "amqp", "ack").and_then(Value::as_bool) {
        return if a {
            implied("at-least-once", "AMQP `ack: true`")
        } else {
            implied("at-most-once", "AMQP `ack: false`")
        };
    }
    if op_binding(ws, doc, op, "amqp", "deliveryMode").is_some() {
        return implied("at-least-once", "an AMQP `deliveryMode` binding");
    }
    if sqs_dead_letter(ws, ch, op) {
        return implied("at-least-once", "an SQS queue with a `deadLetterQueue`");
    }
    // Then the protocol of every server the channel is on, when they agree.
    let servers = servers_of(doc, ch);
    let mut found: Option<Implied> = None;
    for s in &servers {
        let p = protocol(s);
        let this = match p.as_str() {
            "kafka" | "kafka-secure" => implied(
                "at-least-once",
                "Kafka (consumers commit offsets after processing)",
            ),
            "sqs" => implied(
                "at-least-once",
                "SQS (a message is redelivered until deleted)",
            ),
            "sns" => implied("at-least-once", "SNS (retries delivery until acknowledged)"),
            "googlepubsub" => implied("at-least-once", "Google Pub/Sub (acknowledged delivery)"),
            "pulsar" => implied("at-least-once", "Pulsar (acknowledged delivery)"),
            "nats" if jetstream(ws, doc, s) => {
                implied("at-least-once", "NATS JetStream (acknowledged delivery)")
            }
            "nats" => implied(
                "at-most-once",
                "core NATS (no acknowledgement or redelivery)",
            ),
            "mqtt" | "secure-mqtt" | "mqtts" | "mqtt5" => {
                implied("at-most-once", "MQTT with the default `qos: 0`")
            }
            "ws" | "wss" => implied(
                "at-most-once",
                "a WebSocket connection (no acknowledgement or redelivery)",
            ),
            "redis" => implied("at-most-once", "Redis pub/sub (no redelivery)"),
            _ => None,
        };
        match (&found, this) {
            (_, None) => return None,
            (None, Some(t)) => found = Some(t),
            (Some(f), Some(t)) if f.guarantee == t.guarantee => {}
            (Some(_), Some(_)) => return None,
        }
    }
    found
}

/// Why a channel's events arrive in order without a declared key: a channel per entity
/// (`run.{run_id}.step.{step_id}`), one WebSocket connection (WebSocket servers or a `ws`
/// channel binding; or, with no servers, several channels on one address), an SQS FIFO
/// queue, a Kafka topic with one partition, or a Kafka message `key` on every message.
pub fn ordering(ws: &Workspace, doc: &Document, ch: &Channel) -> Option<String> {
    ordering_in(ws, doc, ch, &address_counts(doc))
}

/// Whether an operation's SQS binding lists a FIFO queue (`queues: [{fifoQueue: true}]`,
/// the 3.0 SQS operation binding): its channel is delivered in order.
pub fn sqs_fifo_operation(ws: &Workspace, op: &crate::model::Operation) -> bool {
    binding(ws, &op.src, "sqs", "queues")
        .and_then(Value::as_array)
        .is_some_and(|qs| {
            qs.iter().any(|q| {
                let (_, _, q) = ws.deref(op.src.file, q);
                q.get("fifoQueue").and_then(Value::as_bool) == Some(true)
            })
        })
}

/// Whether the object at `src` has a binding for `protocol` (`bindings: {ws: …}`, even an
/// empty one: it states the protocol).
pub fn has_binding(ws: &Workspace, src: &Src, protocol: &str) -> bool {
    value_at(ws, src)
        .and_then(|v| v.get("bindings"))
        .map(|b| ws.deref(src.file, b).2)
        .is_some_and(|b| b.get(protocol).is_some())
}

/// Address parameters that name a route, a format or a deployment, not an entity: a
/// channel `serialplab.{target}.{protocol}` is one stream per destination and encoding,
/// not one per entity, so it orders nothing by itself.
const NON_ENTITY_PARAMETERS: &[&str] = &[
    "protocol",
    "format",
    "version",
    "v",
    "env",
    "environment",
    "stage",
    "region",
    "zone",
    "target",
    "service",
    "lang",
    "language",
    "locale",
    "type",
    "kind",
    "topic",
    "channel",
    "queue",
    "exchange",
    "cluster",
    "namespace",
    "prefix",
    "encoding",
    "serialization",
    "codec",
    "direction",
    "action",
    "event",
    "eventtype",
];

/// Whether a channel's address has a parameter that identifies an entity (`{orderId}`,
/// `{device}`), so that each entity's events share one ordered channel.
pub fn entity_parameterised(ch: &Channel) -> bool {
    let a = super::roles::address(ch);
    a.split('{')
        .skip(1)
        .filter_map(|p| p.split('}').next())
        .any(|p| {
            let norm: String = p
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .map(|c| c.to_ascii_lowercase())
                .collect();
            !norm.is_empty() && !NON_ENTITY_PARAMETERS.contains(&norm.as_str())
        })
}

/// How many channels of a document have each address (one pass; [`ordering_in`] looks
/// an address up instead of scanning every channel per channel).
pub fn address_counts(doc: &Document) -> std::collections::HashMap<&str, usize> {
    let mut counts = std::collections::HashMap::new();
    for c in &doc.channels {
        *counts.entry(super::roles::address(c)).or_insert(0) += 1;
    }
    counts
}

/// [`ordering`] with the document's [`address_counts`] computed once.
pub fn ordering_in(
    ws: &Workspace,
    doc: &Document,
    ch: &Channel,
    counts: &std::collections::HashMap<&str, usize>,
) -> Option<String> {
    let msgs: Vec<_> = ch
        .messages
        .iter()
        .filter_map(|&i| doc.messages.get(i))
        .collect();
    let kafka_key = !msgs.is_empty()
        && msgs.iter().all(|m| {
            message_layers(ws, m).iter().any(|(f, v)| {
                v.get("bindings")
                    .map(|b| ws.deref(*f, b).2)
                    .and_then(|b| b.get("kafka"))
                    .and_then(|k| k.get("key"))
                    .is_some()
            })
        });
    if kafka_key {
        return Some("a Kafka message `key` orders each key's events".into());
    }
    // Requests that name where to answer (an AMQP `replyTo` binding, a `replyTo` header):
    // each is answered on its own, by correlation — not an ordered stream of events.
    if !msgs.is_empty() && msgs.iter().all(|m| carries_reply_address(ws, m)) {
        return Some("its messages are requests that carry their reply address".into());
    }
    // Messages that carry their own sequence number: the consumer orders them.
    if !msgs.is_empty() && msgs.iter().all(|m| carries_sequence(ws, m)) {
        return Some("its messages carry their own sequence number".into());
    }
    if binding(ws, &ch.src, "sqs", "queue")
        .and_then(|q| q.get("fifoQueue"))
        .and_then(Value::as_bool)
        == Some(true)
    {
        return Some("an SQS FIFO queue".into());
    }
    if binding(ws, &ch.src, "kafka", "partitions").and_then(Value::as_u64) == Some(1) {
        return Some("a Kafka topic with one partition delivers in order".into());
    }
    if has_binding(ws, &ch.src, "ws") {
        return Some(
            "a WebSocket channel (its `ws` binding): one connection delivers in order".into(),
        );
    }
    if entity_parameterised(ch) {
        return Some(format!(
            "a channel per entity (`{}`) orders each entity's events",
            super::roles::address(ch)
        ));
    }
    // Several channels on one address, with no broker named: one endpoint whose
    // messages are told apart by type, not by destination — one connection, in order.
    let addr = super::roles::address(ch);
    if doc.servers.is_empty() && counts.get(addr).is_some_and(|&n| n > 1) {
        return Some(format!(
            "the channels sharing the address `{addr}` are one connection, delivered in order"
        ));
    }
    let servers = servers_of(doc, Some(ch));
    if !servers.is_empty()
        && servers
            .iter()
            .all(|s| matches!(protocol(s).as_str(), "ws" | "wss"))
    {
        return Some("one WebSocket connection delivers in order".into());
    }
    None
}

/// Property names of a reply address, compared without case or separators.
const REPLY_ADDRESS: &[&str] = &[
    "replyto",
    "replyaddress",
    "replychannel",
    "replyqueue",
    "replysubject",
];

/// Property names of a sequence number, compared without case or separators.
const SEQUENCE: &[&str] = &[
    "sequence",
    "seq",
    "seqno",
    "seqnum",
    "sequencenumber",
    "sequenceno",
    "sequenceid",
];

fn normalised(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Whether a message names where its answer goes: an AMQP message binding `replyTo`, or a
/// header `replyTo`/`reply_to`/`Reply-To`.
fn carries_reply_address(ws: &Workspace, m: &crate::model::Message) -> bool {
    let binding = message_layers(ws, m).iter().any(|(f, v)| {
        v.get("bindings")
            .map(|b| ws.deref(*f, b).2)
            .and_then(|b| b.get("amqp"))
            .and_then(|a| a.get("replyTo"))
            .is_some()
    });
    binding
        || super::util::header_props(ws, m)
            .iter()
            .any(|p| REPLY_ADDRESS.contains(&normalised(p).as_str()))
}

/// Whether a message's headers or payload carry a sequence number (`sequence`, `seq`,
/// `sequenceNumber`, `seq_no`).
fn carries_sequence(ws: &Workspace, m: &crate::model::Message) -> bool {
    let named = |props: &std::collections::BTreeSet<String>| {
        props
            .iter()
            .any(|p| SEQUENCE.contains(&normalised(p).as_str()))
    };
    named(&super::util::header_props(ws, m))
        || m.payload.as_ref().is_some_and(|p| {
            value_at(ws, &p.src)
                .is_some_and(|v| named(&super::util::schema_props(ws, p.src.file, v)))
        })
}
