//! AsyncAPI 3 protocol binding objects, as the official 3.0/3.1 schemas check them: each
//! protocol's `bindingVersion` per kind (server, channel, operation, message), and the
//! binding objects of HTTP (operation, message), AMQP 0-9-1 (channel, operation, message)
//! and WebSockets (channel) field by field (the other protocols' fields are not checked
//! yet; their `bindingVersion` is). Part of the structural walker (`walk.rs`).

use serde_json::{Map, Value};

use super::spec::*;
use super::walk::{Seg, Walker, is_int};

/// The `bindingVersion`s the official AsyncAPI 3.0/3.1 schemas accept, by protocol and
/// kind (`None`: the schema puts no constraint on that protocol's binding of that kind).
fn binding_versions(ver: Ver, proto: &str, of: BindingsOf) -> Option<&'static [&'static str]> {
    use BindingsOf::*;
    const KAFKA: &[&str] = &["0.5.0", "0.4.0", "0.3.0"];
    const SOLACE: &[&str] = &["0.4.0", "0.3.0", "0.2.0"];
    const HTTP: &[&str] = &["0.2.0", "0.3.0"];
    Some(match (proto, of) {
        ("kafka", _) => KAFKA,
        ("mqtt", Server | Operation | Message) => &["0.2.0"],
        ("jms", Server | Channel | Message) => &["0.0.1"],
        ("ibmmq", Server | Channel | Message) => &["0.1.0"],
        ("solace", Server | Operation) => SOLACE,
        ("pulsar", Server | Channel) => &["0.1.0"],
        ("ros2", Server | Operation) if ver >= 31 => &["0.1.0"],
        ("ws", Channel) => &["0.1.0"],
        ("amqp", Channel | Operation | Message) => &["0.3.0"],
        ("anypointmq", Channel | Message) => &["0.0.1"],
        ("sns", Channel | Operation) => &["0.1.0"],
        ("sqs", Channel | Operation) => &["0.2.0"],
        ("googlepubsub", Channel | Message) => &["0.2.0"],
        ("http", Operation | Message) => HTTP,
        ("nats", Operation) => &["0.1.0"],
        _ => return None,
    })
}

const HTTP_METHODS: &[&str] = &[
    "GET", "PUT", "POST", "PATCH", "DELETE", "HEAD", "OPTIONS", "CONNECT", "TRACE",
];
const ASYNC_SCHEMA: Ty = Ty::Schema(Dialect::Async);

static HTTP_OPERATION: Obj = obj(
    "HTTP Operation Binding",
    &[
        f("method", Ty::Enum(HTTP_METHODS)),
        f("query", ASYNC_SCHEMA),
        f("bindingVersion", STR),
    ],
);
static HTTP_MESSAGE: Obj = obj(
    "HTTP Message Binding",
    &[
        f("headers", ASYNC_SCHEMA),
        f("statusCode", Ty::Num),
        f("bindingVersion", STR),
    ],
);
/// `statusCode` came with HTTP binding 0.3.0.
static HTTP_MESSAGE_020: Obj = obj(
    "HTTP Message Binding 0.2.0",
    &[f("headers", ASYNC_SCHEMA), f("bindingVersion", STR)],
);
static AMQP_EXCHANGE: Obj = Obj {
    open: true,
    ..obj(
        "AMQP exchange",
        &[
            f("name", STR),
            f(
                "type",
                Ty::Enum(&["topic", "direct", "fanout", "default", "headers"]),
            ),
            f("durable", BOOL),
            f("autoDelete", BOOL),
            f("vhost", STR),
        ],
    )
};
static AMQP_QUEUE: Obj = Obj {
    open: true,
    ..obj(
        "AMQP queue",
        &[
            f("name", STR),
            f("durable", BOOL),
            f("exclusive", BOOL),
            f("autoDelete", BOOL),
            f("vhost", STR),
        ],
    )
};
static AMQP_CHANNEL: Obj = obj(
    "AMQP Channel Binding",
    &[
        f("is", Ty::Enum(&["queue", "routingKey"])),
        f("exchange", Ty::Any),
        f("queue", Ty::Any),
        f("bindingVersion", STR),
    ],
);
static AMQP_OPERATION: Obj = obj(
    "AMQP Operation Binding",
    &[
        f("expiration", Ty::Int),
        f("userId", STR),
        f("cc", STRS),
        f("priority", Ty::Int),
        f("deliveryMode", Ty::Int),
        f("mandatory", BOOL),
        f("bcc", STRS),
        f("timestamp", BOOL),
        f("ack", BOOL),
        f("bindingVersion", STR),
    ],
);
static AMQP_MESSAGE: Obj = obj(
    "AMQP Message Binding",
    &[
        f("contentEncoding", STR),
        f("messageType", STR),
        f("bindingVersion", STR),
    ],
);
static WS_CHANNEL: Obj = obj(
    "WebSockets Channel Binding",
    &[
        f("method", Ty::Enum(&["GET", "POST"])),
        f("query", ASYNC_SCHEMA),
        f("headers", ASYNC_SCHEMA),
        f("bindingVersion", STR),
    ],
);

impl<'a> Walker<'a> {
    /// Check the binding object `m` of protocol `proto` (current position: the binding).
    pub(super) fn binding_object(
        &mut self,
        proto: &str,
        m: &'a Map<String, Value>,
        of: BindingsOf,
    ) {
        let versions = binding_versions(self.ver, proto, of);
        let version = m.get("bindingVersion");
        if let (Some(allowed), Some(v)) = (versions, version) {
            self.with_key("bindingVersion", |w| w.check_enum(v, allowed));
            if !v.as_str().is_some_and(|s| allowed.contains(&s)) {
                // Unknown version: its fields cannot be told.
                return;
            }
        }
        let version = version.and_then(Value::as_str);
        let table = match (proto, of) {
            ("http", BindingsOf::Operation) => &HTTP_OPERATION,
            ("http", BindingsOf::Message) if version == Some("0.2.0") => &HTTP_MESSAGE_020,
            ("http", BindingsOf::Message) => &HTTP_MESSAGE,
            ("amqp", BindingsOf::Channel) => &AMQP_CHANNEL,
            ("amqp", BindingsOf::Operation) => &AMQP_OPERATION,
            ("amqp", BindingsOf::Message) => &AMQP_MESSAGE,
            ("ws", BindingsOf::Channel) => &WS_CHANNEL,
            _ => return,
        };
        self.object_fields(m, table, &[]);
        match (proto, of) {
            ("amqp", BindingsOf::Channel) => self.amqp_channel(m),
            ("amqp", BindingsOf::Operation) => {
                if let Some(e) = m.get("expiration").filter(|e| is_int(e)) {
                    if e.as_f64().is_some_and(|n| n < 0.0) {
                        self.with_key("expiration", |w| {
                            w.type_error(e, "a non-negative integer (milliseconds)")
                        });
                    }
                }
                if let Some(d) = m.get("deliveryMode").filter(|d| is_int(d)) {
                    if !matches!(d.as_i64(), Some(1 | 2)) {
                        self.with_key("deliveryMode", |w| {
                            let (rule, loc) = (w.rules.enum_, w.loc());
                            w.report(
                                rule,
                                loc,
                                format!("`deliveryMode` must be 1 (transient) or 2 (persistent); found {d}"),
                                None,
                            );
                        });
                    }
                }
            }
            _ => {}
        }
    }

    /// AMQP channel binding: `is: routingKey` (the default when `exchange` is given) has an
    /// `exchange` and no `queue`; `is: queue` a `queue` and no `exchange`.
    fn amqp_channel(&mut self, m: &'a Map<String, Value>) {
        for (key, table) in [("exchange", &AMQP_EXCHANGE), ("queue", &AMQP_QUEUE)] {
            let Some(v) = m.get(key) else { continue };
            self.path.push(Seg::Key(key));
            match v.as_object() {
                Some(o) => {
                    self.object_fields(o, table, &[]);
                    if let Some(name) = o.get("name").and_then(Value::as_str) {
                        if name.chars().count() > 255 {
                            self.with_key("name", |w| {
                                let (rule, loc) = (w.rules.type_, w.loc());
                                w.report(
                                    rule,
                                    loc,
                                    format!("an AMQP {key} name has at most 255 characters; this one has {}", name.chars().count()),
                                    None,
                                );
                            });
                        }
                    }
                }
                None => self.type_error(v, &format!("an object (the AMQP {key})")),
            }
            self.path.pop();
        }
        let is = m.get("is").and_then(Value::as_str);
        let (exchange, queue) = (m.contains_key("exchange"), m.contains_key("queue"));
        let routing_ok = is != Some("queue") && exchange && !queue;
        let queue_ok = is != Some("routingKey") && queue && !exchange;
        if routing_ok || queue_ok || !matches!(is, None | Some("queue" | "routingKey")) {
            return;
        }
        let msg = match is {
            Some("queue") if exchange => {
                "an AMQP channel binding with `is: queue` needs a `queue` and no `exchange`"
            }
            Some("queue") => "an AMQP channel binding with `is: queue` needs a `queue`",
            Some(_) if queue => {
                "an AMQP channel binding with `is: routingKey` needs an `exchange` and no `queue`"
            }
            Some(_) => "an AMQP channel binding with `is: routingKey` needs an `exchange`",
            None if exchange => {
                "an AMQP channel binding has either an `exchange` (`is: routingKey`) or a `queue` (`is: queue`), not both"
            }
            None => {
                "an AMQP channel binding needs an `exchange` (`is: routingKey`) or a `queue` (`is: queue`)"
            }
        };
        let (rule, loc) = (self.rules.required, self.loc_key());
        self.report(rule, loc, msg.to_string(), None);
    }
}
