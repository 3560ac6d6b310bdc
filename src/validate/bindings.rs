//! AsyncAPI 3 protocol binding objects, as the official 3.0/3.1 schemas check them: each
//! protocol's `bindingVersion` per kind (server, channel, operation, message), and the
//! binding objects of HTTP (operation, message), AMQP 0-9-1 (channel, operation, message),
//! WebSockets (channel), Kafka (server, channel, operation, message: 0.3.0–0.5.0), MQTT
//! (server, operation, message), NATS (operation), JMS (server, channel, message), IBM MQ
//! (server, channel, message), Solace (server, operation: 0.2.0–0.4.0), Pulsar (server,
//! channel), Google Cloud Pub/Sub (channel, message), Anypoint MQ (channel, message), SNS
//! and SQS (channel, operation), ROS 2 (3.1: server, operation) field by field. The official schemas define no binding
//! object for the other protocols (`amqp1`, `mqtt5`, `stomp`, `redis`, server bindings of
//! most). Part of the structural walker (`walk.rs`).

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

static KAFKA_SERVER: Obj = obj(
    "Kafka Server Binding",
    &[
        f("schemaRegistryUrl", STR),
        f("schemaRegistryVendor", STR),
        f("bindingVersion", STR),
    ],
);
/// Kafka channel binding 0.3.0 (no `topicConfiguration` yet).
static KAFKA_CHANNEL_030: Obj = obj(
    "Kafka Channel Binding 0.3.0",
    &[
        f("topic", STR),
        f("partitions", Ty::Int),
        f("replicas", Ty::Int),
        f("bindingVersion", STR),
    ],
);
static KAFKA_CHANNEL: Obj = obj(
    "Kafka Channel Binding",
    &[
        f("topic", STR),
        f("partitions", Ty::Int),
        f("replicas", Ty::Int),
        f("topicConfiguration", Ty::Any),
        f("bindingVersion", STR),
    ],
);
/// `topicConfiguration` of 0.4.0 (closed); 0.5.0 adds the Confluent settings and
/// allows any other key.
static KAFKA_TOPIC_CONFIGURATION: Obj = Obj {
    ext: false,
    ..obj(
        "Kafka topicConfiguration",
        &[
            f("cleanup.policy", Ty::Arr(&Ty::Enum(&["compact", "delete"]))),
            f("retention.ms", Ty::Int),
            f("retention.bytes", Ty::Int),
            f("delete.retention.ms", Ty::Int),
            f("max.message.bytes", Ty::Int),
        ],
    )
};
static KAFKA_TOPIC_CONFIGURATION_050: Obj = Obj {
    open: true,
    ..obj(
        "Kafka topicConfiguration",
        &[
            f("cleanup.policy", Ty::Arr(&Ty::Enum(&["compact", "delete"]))),
            f("retention.ms", Ty::Int),
            f("retention.bytes", Ty::Int),
            f("delete.retention.ms", Ty::Int),
            f("max.message.bytes", Ty::Int),
            f("confluent.key.schema.validation", BOOL),
            f("confluent.key.subject.name.strategy", STR),
            f("confluent.value.schema.validation", BOOL),
            f("confluent.value.subject.name.strategy", STR),
        ],
    )
};
static KAFKA_OPERATION: Obj = obj(
    "Kafka Operation Binding",
    &[
        f("groupId", ASYNC_SCHEMA),
        f("clientId", ASYNC_SCHEMA),
        f("bindingVersion", STR),
    ],
);
/// `key` is a schema in 0.3.0; 0.4.0 also takes an Avro schema, 0.5.0 a Reference:
/// checked as a schema only in 0.3.0.
static KAFKA_MESSAGE_030: Obj = obj(
    "Kafka Message Binding 0.3.0",
    &[
        f("key", ASYNC_SCHEMA),
        f("schemaIdLocation", Ty::Enum(&["header", "payload"])),
        f("schemaIdPayloadEncoding", STR),
        f("schemaLookupStrategy", STR),
        f("bindingVersion", STR),
    ],
);
static KAFKA_MESSAGE: Obj = obj(
    "Kafka Message Binding",
    &[
        f("key", Ty::Any),
        f("schemaIdLocation", Ty::Enum(&["header", "payload"])),
        f("schemaIdPayloadEncoding", STR),
        f("schemaLookupStrategy", STR),
        f("bindingVersion", STR),
    ],
);
static MQTT_SERVER: Obj = obj(
    "MQTT Server Binding",
    &[
        f("clientId", STR),
        f("cleanSession", BOOL),
        f("lastWill", Ty::Any),
        f("keepAlive", Ty::Int),
        // An integer, a schema or a Reference.
        f("sessionExpiryInterval", Ty::Any),
        f("maximumPacketSize", Ty::Any),
        f("bindingVersion", STR),
    ],
);
static MQTT_LAST_WILL: Obj = Obj {
    open: true,
    ..obj(
        "MQTT lastWill",
        &[
            f("topic", STR),
            f("qos", Ty::Int),
            f("message", STR),
            f("retain", BOOL),
        ],
    )
};
static MQTT_OPERATION: Obj = obj(
    "MQTT Operation Binding",
    &[
        f("qos", Ty::Int),
        f("retain", BOOL),
        f("messageExpiryInterval", Ty::Any),
        f("bindingVersion", STR),
    ],
);
static MQTT_MESSAGE: Obj = obj(
    "MQTT Message Binding",
    &[
        f("payloadFormatIndicator", Ty::Int),
        f("correlationData", Ty::Any),
        f("contentType", STR),
        f("responseTopic", Ty::Any),
        f("bindingVersion", STR),
    ],
);
static NATS_OPERATION: Obj = obj(
    "NATS Operation Binding",
    &[f("queue", STR), f("bindingVersion", STR)],
);

static JMS_SERVER: Obj = obj(
    "JMS Server Binding",
    &[
        req("jmsConnectionFactory", STR),
        f("properties", Ty::Arr(&Ty::Any)),
        f("clientID", STR),
        f("bindingVersion", STR),
    ],
);
/// An entry of a JMS server binding's `properties`.
static JMS_PROPERTY: Obj = Obj {
    open: true,
    ..obj("JMS property", &[req("name", STR), req("value", Ty::Any)])
};
static JMS_CHANNEL: Obj = obj(
    "JMS Channel Binding",
    &[
        f("destination", STR),
        f("destinationType", Ty::Enum(&["queue", "fifo-queue"])),
        f("bindingVersion", STR),
    ],
);
static JMS_MESSAGE: Obj = obj(
    "JMS Message Binding",
    &[f("headers", ASYNC_SCHEMA), f("bindingVersion", STR)],
);
static IBMMQ_SERVER: Obj = obj(
    "IBM MQ Server Binding",
    &[
        f("groupId", STR),
        f("ccdtQueueManagerName", STR),
        f("cipherSpec", STR),
        f("multiEndpointServer", BOOL),
        f("heartBeatInterval", Ty::Int),
        f("bindingVersion", STR),
    ],
);
static IBMMQ_CHANNEL: Obj = obj(
    "IBM MQ Channel Binding",
    &[
        f("destinationType", Ty::Enum(&["topic", "queue"])),
        f("queue", Ty::Any),
        f("topic", Ty::Any),
        f("maxMsgLength", Ty::Int),
        f("bindingVersion", STR),
    ],
);
static IBMMQ_QUEUE: Obj = Obj {
    open: true,
    ..obj(
        "IBM MQ queue",
        &[
            req("objectName", STR),
            f("isPartitioned", BOOL),
            f("exclusive", BOOL),
        ],
    )
};
static IBMMQ_TOPIC: Obj = Obj {
    open: true,
    ..obj(
        "IBM MQ topic",
        &[
            f("string", STR),
            f("objectName", STR),
            f("durablePermitted", BOOL),
            f("lastMsgRetained", BOOL),
        ],
    )
};
static IBMMQ_MESSAGE: Obj = obj(
    "IBM MQ Message Binding",
    &[
        f("type", Ty::Enum(&["string", "jms", "binary"])),
        f("headers", STR),
        f("description", STR),
        f("expiry", Ty::Int),
        f("bindingVersion", STR),
    ],
);
/// Solace 0.2.0 spells the VPN field `msvVpn` (so does its official schema).
static SOLACE_SERVER_020: Obj = obj(
    "Solace Server Binding 0.2.0",
    &[f("msvVpn", STR), f("bindingVersion", STR)],
);
static SOLACE_SERVER_030: Obj = obj(
    "Solace Server Binding 0.3.0",
    &[f("msgVpn", STR), f("bindingVersion", STR)],
);
static SOLACE_SERVER: Obj = obj(
    "Solace Server Binding",
    &[
        f("msgVpn", STR),
        f("clientName", STR),
        f("bindingVersion", STR),
    ],
);
/// The Solace operation binding allows no `x-` extensions (its schema has no
/// `patternProperties`).
static SOLACE_OPERATION_030: Obj = Obj {
    ext: false,
    ..obj(
        "Solace Operation Binding",
        &[
            f("destinations", Ty::Arr(&Ty::Any)),
            f("bindingVersion", STR),
        ],
    )
};
static SOLACE_OPERATION: Obj = Obj {
    ext: false,
    ..obj(
        "Solace Operation Binding",
        &[
            f("destinations", Ty::Arr(&Ty::Any)),
            f("timeToLive", Ty::Int),
            f("priority", Ty::Int),
            f("dmqEligible", BOOL),
            f("bindingVersion", STR),
        ],
    )
};
static SOLACE_DESTINATION: Obj = Obj {
    open: true,
    ..obj(
        "Solace destination",
        &[
            f("destinationType", Ty::Enum(&["queue", "topic"])),
            f("deliveryMode", Ty::Enum(&["direct", "persistent"])),
            f("queue", Ty::Any),
            f("topicSubscriptions", STRS),
        ],
    )
};
static SOLACE_QUEUE: Obj = Obj {
    open: true,
    ..obj(
        "Solace queue",
        &[
            f("name", STR),
            f("topicSubscriptions", STRS),
            f("accessType", Ty::Enum(&["exclusive", "nonexclusive"])),
            f("maxTtl", STR),
            f("maxMsgSpoolUsage", STR),
        ],
    )
};
static SOLACE_QUEUE_020: Obj = Obj {
    open: true,
    ..obj(
        "Solace queue",
        &[
            f("name", STR),
            f("topicSubscriptions", STRS),
            f("accessType", Ty::Enum(&["exclusive", "nonexclusive"])),
        ],
    )
};
static PULSAR_SERVER: Obj = obj(
    "Pulsar Server Binding",
    &[f("tenant", STR), f("bindingVersion", STR)],
);
static PULSAR_CHANNEL: Obj = obj(
    "Pulsar Channel Binding",
    &[
        req("namespace", STR),
        req("persistence", Ty::Enum(&["persistent", "non-persistent"])),
        f("compaction", Ty::Int),
        f("geo-replication", STRS),
        f("retention", Ty::Any),
        f("ttl", Ty::Int),
        f("deduplication", BOOL),
        f("bindingVersion", STR),
    ],
);
static PULSAR_RETENTION: Obj = Obj {
    ext: false,
    ..obj(
        "Pulsar retention",
        &[f("time", Ty::Int), f("size", Ty::Int)],
    )
};
static GOOGLEPUBSUB_CHANNEL: Obj = obj(
    "Google Cloud Pub/Sub Channel Binding",
    &[
        f("bindingVersion", STR),
        f("labels", Ty::Node(K::AnyObject)),
        f("messageRetentionDuration", STR),
        f("messageStoragePolicy", Ty::Any),
        req("schemaSettings", Ty::Any),
    ],
);
static GOOGLEPUBSUB_STORAGE: Obj = Obj {
    ext: false,
    ..obj(
        "Google Cloud Pub/Sub messageStoragePolicy",
        &[f("allowedPersistenceRegions", STRS)],
    )
};
static GOOGLEPUBSUB_SCHEMA_SETTINGS: Obj = Obj {
    open: true,
    ..obj(
        "Google Cloud Pub/Sub schemaSettings",
        &[
            req("encoding", STR),
            f("firstRevisionId", STR),
            f("lastRevisionId", STR),
            req("name", STR),
        ],
    )
};
static GOOGLEPUBSUB_MESSAGE: Obj = obj(
    "Google Cloud Pub/Sub Message Binding",
    &[
        f("bindingVersion", STR),
        f("attributes", Ty::Node(K::AnyObject)),
        f("orderingKey", STR),
        f("schema", Ty::Any),
    ],
);
static GOOGLEPUBSUB_SCHEMA: Obj = Obj {
    open: true,
    ..obj("Google Cloud Pub/Sub message schema", &[req("name", STR)])
};
static ANYPOINTMQ_CHANNEL: Obj = obj(
    "Anypoint MQ Channel Binding",
    &[
        f("destination", STR),
        f(
            "destinationType",
            Ty::Enum(&["exchange", "queue", "fifo-queue"]),
        ),
        f("bindingVersion", STR),
    ],
);
static ANYPOINTMQ_MESSAGE: Obj = obj(
    "Anypoint MQ Message Binding",
    &[f("headers", ASYNC_SCHEMA), f("bindingVersion", STR)],
);

/// SNS and SQS: the top-level binding objects are closed; their parts are open (their
/// schemas list properties and `x-` extensions but do not forbid others).
const fn open(o: Obj) -> Obj {
    Obj { open: true, ..o }
}
static AWS_IDENTIFIER_SNS: Obj = open(obj(
    "SNS identifier",
    &[
        f("url", STR),
        f("email", STR),
        f("phone", STR),
        f("arn", STR),
        f("name", STR),
    ],
));
static AWS_IDENTIFIER_SQS: Obj = open(obj("SQS identifier", &[f("arn", STR), f("name", STR)]));
static AWS_POLICY: Obj = open(obj("policy", &[req("statements", Ty::Arr(&Ty::Any))]));
static AWS_STATEMENT: Obj = open(obj(
    "policy statement",
    &[
        req("effect", Ty::Enum(&["Allow", "Deny"])),
        req("principal", Ty::Any),
        req("action", Ty::Any),
    ],
));
static AWS_REDRIVE: Obj = open(obj(
    "redrive policy",
    &[
        req("deadLetterQueue", Ty::Any),
        f("maxReceiveCount", Ty::Int),
    ],
));
static SNS_CHANNEL: Obj = obj(
    "SNS Channel Binding",
    &[
        req("name", STR),
        f("ordering", Ty::Any),
        f("policy", Ty::Any),
        f("tags", Ty::Node(K::AnyObject)),
        f("bindingVersion", STR),
    ],
);
static SNS_ORDERING: Obj = open(obj(
    "SNS ordering",
    &[
        req("type", Ty::Enum(&["standard", "FIFO"])),
        f("contentBasedDeduplication", BOOL),
    ],
));
static SNS_OPERATION: Obj = obj(
    "SNS Operation Binding",
    &[
        f("topic", Ty::Any),
        req("consumers", Ty::Arr(&Ty::Any)),
        f("deliveryPolicy", Ty::Any),
        f("bindingVersion", STR),
    ],
);
static SNS_CONSUMER: Obj = open(obj(
    "SNS consumer",
    &[
        req(
            "protocol",
            Ty::Enum(&[
                "http",
                "https",
                "email",
                "email-json",
                "sms",
                "sqs",
                "application",
                "lambda",
                "firehose",
            ]),
        ),
        req("endpoint", Ty::Any),
        f("filterPolicy", Ty::Any),
        f(
            "filterPolicyScope",
            Ty::Enum(&["MessageAttributes", "MessageBody"]),
        ),
        req("rawMessageDelivery", BOOL),
        f("redrivePolicy", Ty::Any),
        f("deliveryPolicy", Ty::Any),
        f("displayName", STR),
    ],
));
static SNS_DELIVERY_POLICY: Obj = open(obj(
    "SNS delivery policy",
    &[
        f("minDelayTarget", Ty::Int),
        f("maxDelayTarget", Ty::Int),
        f("numRetries", Ty::Int),
        f("numNoDelayRetries", Ty::Int),
        f("numMinDelayRetries", Ty::Int),
        f("numMaxDelayRetries", Ty::Int),
        f(
            "backoffFunction",
            Ty::Enum(&["arithmetic", "exponential", "geometric", "linear"]),
        ),
        f("maxReceivesPerSecond", Ty::Int),
    ],
));
static SQS_CHANNEL: Obj = obj(
    "SQS Channel Binding",
    &[
        req("queue", Ty::Any),
        f("deadLetterQueue", Ty::Any),
        f("bindingVersion", STR),
    ],
);
static SQS_OPERATION: Obj = obj(
    "SQS Operation Binding",
    &[req("queues", Ty::Arr(&Ty::Any)), f("bindingVersion", STR)],
);
macro_rules! sqs_queue_fields {
    ($($extra:expr,)*) => {
        &[
            $($extra,)*
            f("deduplicationScope", Ty::Enum(&["queue", "messageGroup"])),
            f("fifoThroughputLimit", Ty::Enum(&["perQueue", "perMessageGroupId"])),
            f("deliveryDelay", Ty::Int),
            f("visibilityTimeout", Ty::Int),
            f("receiveMessageWaitTime", Ty::Int),
            f("messageRetentionPeriod", Ty::Int),
            f("redrivePolicy", Ty::Any),
            f("policy", Ty::Any),
            f("tags", Ty::Node(K::AnyObject)),
        ]
    };
}
/// A channel's queue: `name` and `fifoQueue` required.
static SQS_QUEUE_CHANNEL: Obj = open(obj(
    "SQS queue",
    sqs_queue_fields!(req("name", STR), req("fifoQueue", BOOL),),
));
/// An operation's queue: `name` required; may be a `$ref` to a channel's queue.
static SQS_QUEUE_OPERATION: Obj = open(obj(
    "SQS queue",
    sqs_queue_fields!(req("name", STR), f("fifoQueue", BOOL), f("$ref", STR),),
));

/// ROS 2 (AsyncAPI 3.1): the server binding is open (its schema does not close it).
static ROS2_SERVER: Obj = open(obj(
    "ROS 2 Server Binding",
    &[
        f("bindingVersion", STR),
        f("domainId", Ty::Int),
        f("rmwImplementation", STR),
    ],
));
static ROS2_OPERATION: Obj = obj(
    "ROS 2 Operation Binding",
    &[
        f("bindingVersion", STR),
        req("node", STR),
        f("qosPolicies", Ty::Any),
        req(
            "role",
            Ty::Enum(&[
                "publisher",
                "action_client",
                "service_client",
                "subscriber",
                "action_server",
                "service_server",
            ]),
        ),
    ],
);
/// `qosPolicies` (the schema spells `realiable` so; so do we).
static ROS2_QOS: Obj = open(obj(
    "ROS 2 QoS policies",
    &[
        f("deadline", Ty::Int),
        f("durability", Ty::Enum(&["transient_local", "volatile"])),
        f("history", Ty::Enum(&["keep_last", "keep_all", "unknown"])),
        f("leaseDuration", Ty::Int),
        f("lifespan", Ty::Int),
        f("liveliness", Ty::Enum(&["automatic", "manual"])),
        f("reliability", Ty::Enum(&["best_effort", "realiable"])),
    ],
));

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
            ("kafka", BindingsOf::Server) => &KAFKA_SERVER,
            ("kafka", BindingsOf::Channel) if version == Some("0.3.0") => &KAFKA_CHANNEL_030,
            ("kafka", BindingsOf::Channel) => &KAFKA_CHANNEL,
            ("kafka", BindingsOf::Operation) => &KAFKA_OPERATION,
            ("kafka", BindingsOf::Message) if version == Some("0.3.0") => &KAFKA_MESSAGE_030,
            ("kafka", BindingsOf::Message) => &KAFKA_MESSAGE,
            ("mqtt", BindingsOf::Server) => &MQTT_SERVER,
            ("mqtt", BindingsOf::Operation) => &MQTT_OPERATION,
            ("mqtt", BindingsOf::Message) => &MQTT_MESSAGE,
            ("nats", BindingsOf::Operation) => &NATS_OPERATION,
            ("jms", BindingsOf::Server) => &JMS_SERVER,
            ("jms", BindingsOf::Channel) => &JMS_CHANNEL,
            ("jms", BindingsOf::Message) => &JMS_MESSAGE,
            ("ibmmq", BindingsOf::Server) => &IBMMQ_SERVER,
            ("ibmmq", BindingsOf::Channel) => &IBMMQ_CHANNEL,
            ("ibmmq", BindingsOf::Message) => &IBMMQ_MESSAGE,
            ("solace", BindingsOf::Server) if version == Some("0.2.0") => &SOLACE_SERVER_020,
            ("solace", BindingsOf::Server) if version == Some("0.3.0") => &SOLACE_SERVER_030,
            ("solace", BindingsOf::Server) => &SOLACE_SERVER,
            ("solace", BindingsOf::Operation) if matches!(version, Some("0.2.0" | "0.3.0")) => {
                &SOLACE_OPERATION_030
            }
            ("solace", BindingsOf::Operation) => &SOLACE_OPERATION,
            ("pulsar", BindingsOf::Server) => &PULSAR_SERVER,
            ("pulsar", BindingsOf::Channel) => &PULSAR_CHANNEL,
            ("googlepubsub", BindingsOf::Channel) => &GOOGLEPUBSUB_CHANNEL,
            ("googlepubsub", BindingsOf::Message) => &GOOGLEPUBSUB_MESSAGE,
            ("anypointmq", BindingsOf::Channel) => &ANYPOINTMQ_CHANNEL,
            ("anypointmq", BindingsOf::Message) => &ANYPOINTMQ_MESSAGE,
            ("ros2", BindingsOf::Server) => &ROS2_SERVER,
            ("ros2", BindingsOf::Operation) => &ROS2_OPERATION,
            ("sns", BindingsOf::Channel) => &SNS_CHANNEL,
            ("sns", BindingsOf::Operation) => &SNS_OPERATION,
            ("sqs", BindingsOf::Channel) => &SQS_CHANNEL,
            ("sqs", BindingsOf::Operation) => &SQS_OPERATION,
            _ => return,
        };
        self.object_fields(m, table, &[]);
        match (proto, of) {
            // 0.4.0 `key`: `anyOf: [Reference, schema, Avro schema]`; 0.5.0 (the latest):
            // `oneOf: [Reference, schema]`. A schema is an object or a boolean; an Avro
            // schema may also be a type name or a union (a non-empty list).
            ("kafka", BindingsOf::Message) if version != Some("0.3.0") => {
                if let Some(key) = m.get("key") {
                    let avro = version == Some("0.4.0");
                    let ok = match key {
                        Value::Object(_) | Value::Bool(_) => true,
                        Value::String(s) if avro => super::schema::avro_fullname_ok(s, false),
                        Value::Array(items) if avro => !items.is_empty(),
                        _ => false,
                    };
                    if !ok {
                        self.with_key("key", |w| {
                            w.type_error(
                                key,
                                if avro {
                                    "a schema, a Reference or an Avro schema (a type name or a non-empty union)"
                                } else {
                                    "a schema or a Reference"
                                },
                            )
                        });
                    } else if let Some(k) = key.as_object().filter(|k| !k.contains_key("$ref")) {
                        if !avro {
                            // 0.5.0: an object without `$ref` is a Schema Object.
                            self.with_key("key", |w| w.schema(key, Dialect::Async));
                        } else if let Some(t) = k.get("type").filter(|t| {
                            !(t.is_string()
                                || t.as_array().is_some_and(|a| a.iter().all(Value::is_string)))
                        }) {
                            // 0.4.0: a schema's or an Avro schema's `type` is a name (or,
                            // in a schema, a list of names).
                            self.with_key("key", |w| {
                                w.with_key("type", |w| {
                                    w.type_error(t, "a type name or a list of them")
                                })
                            });
                        }
                    }
                }
            }
            ("kafka", BindingsOf::Channel) => {
                self.int_at_least(m, "partitions", 1);
                self.int_at_least(m, "replicas", 1);
                if let Some(tc) = m.get("topicConfiguration") {
                    self.path.push(Seg::Key("topicConfiguration"));
                    match tc.as_object() {
                        Some(o) => {
                            let t = if version == Some("0.4.0") {
                                &KAFKA_TOPIC_CONFIGURATION
                            } else {
                                &KAFKA_TOPIC_CONFIGURATION_050
                            };
                            self.object_fields(o, t, &[]);
                            self.int_at_least(o, "retention.ms", -1);
                            self.int_at_least(o, "retention.bytes", -1);
                            self.int_at_least(o, "delete.retention.ms", 0);
                            self.int_at_least(o, "max.message.bytes", 0);
                        }
                        None => self.type_error(tc, "an object (the topic configuration)"),
                    }
                    self.path.pop();
                }
            }
            ("mqtt", BindingsOf::Server) => {
                if let Some(lw) = m.get("lastWill") {
                    self.path.push(Seg::Key("lastWill"));
                    match lw.as_object() {
                        Some(o) => {
                            self.object_fields(o, &MQTT_LAST_WILL, &[]);
                            self.int_in(o, "qos", &[0, 1, 2], "an MQTT QoS level (0, 1 or 2)");
                        }
                        None => self.type_error(lw, "an object (the last will)"),
                    }
                    self.path.pop();
                }
                self.int_or_schema(m, "sessionExpiryInterval", 0, None);
                self.int_or_schema(m, "maximumPacketSize", 1, Some(4_294_967_295));
            }
            ("mqtt", BindingsOf::Operation) => {
                self.int_in(m, "qos", &[0, 1, 2], "an MQTT QoS level (0, 1 or 2)");
                self.int_or_schema(m, "messageExpiryInterval", 0, Some(4_294_967_295));
            }
            ("mqtt", BindingsOf::Message) => {
                self.int_in(
                    m,
                    "payloadFormatIndicator",
                    &[0, 1],
                    "0 (unspecified bytes) or 1 (UTF-8 text)",
                );
                if let Some(v) = m
                    .get("responseTopic")
                    .filter(|v| v.as_str().is_some_and(|s| !s.is_empty()))
                {
                    // `oneOf: [{type: string, format: uri-template}, schema, Reference]`
                    // (MQTT binding 0.2.0): a topic such as `replies/{id}` is one.
                    self.with_key("responseTopic", |w| w.value_rule_uri_template(v));
                }
                for key in ["correlationData", "responseTopic"] {
                    if let Some(v) = m.get(key) {
                        if !(v.is_object()
                            || (key == "responseTopic"
                                && v.as_str().is_some_and(|s| !s.is_empty())))
                        {
                            self.with_key(key, |w| {
                                w.type_error(
                                    v,
                                    if key == "responseTopic" {
                                        "a topic (non-empty string), a schema or a Reference"
                                    } else {
                                        "a schema or a Reference"
                                    },
                                )
                            });
                        }
                    }
                }
            }
            ("nats", BindingsOf::Operation) => {
                if let Some(q) = m.get("queue").and_then(Value::as_str) {
                    let n = q.chars().count();
                    if n > 255 {
                        self.with_key("queue", |w| {
                            let (rule, loc) = (w.rules.type_, w.loc());
                            w.report(
                                rule,
                                loc,
                                format!(
                                    "a NATS queue name has at most 255 characters; this one has {n}"
                                ),
                                None,
                            );
                        });
                    }
                }
            }
            ("amqp", BindingsOf::Channel) => self.amqp_channel(m),
            ("jms", BindingsOf::Server) => {
                if let Some(Value::Array(props)) = m.get("properties") {
                    self.path.push(Seg::Key("properties"));
                    for (i, p) in props.iter().enumerate() {
                        self.path.push(Seg::Idx(i));
                        self.sub_object(p, &JMS_PROPERTY, "a JMS property (`name`, `value`)");
                        if let Some(v) = p.get("value") {
                            if !(v.is_string() || v.is_boolean() || v.is_number() || v.is_null()) {
                                self.with_key("value", |w| {
                                    w.type_error(v, "a string, boolean, number or null")
                                });
                            }
                        }
                        self.path.pop();
                    }
                    self.path.pop();
                }
            }
            ("ibmmq", BindingsOf::Channel) => {
                self.sub_field(m, "queue", &IBMMQ_QUEUE);
                self.sub_field(m, "topic", &IBMMQ_TOPIC);
                // oneOf: a topic (the default) without `queue`, or a queue with `queue`
                // and no `topic`.
                let dt = m.get("destinationType").and_then(Value::as_str);
                let (q, t) = (m.contains_key("queue"), m.contains_key("topic"));
                let topic_ok = matches!(dt, None | Some("topic")) && !q;
                let queue_ok = matches!(dt, None | Some("queue")) && q && !t;
                if !topic_ok && !queue_ok && matches!(dt, None | Some("topic" | "queue")) {
                    let msg = match dt {
                        Some("queue") if !q => {
                            "an IBM MQ channel binding with `destinationType: queue` needs a `queue`"
                        }
                        Some("queue") => {
                            "an IBM MQ channel binding with `destinationType: queue` has no `topic`"
                        }
                        Some(_) => {
                            "an IBM MQ channel binding with `destinationType: topic` (the default) has no `queue`"
                        }
                        None => {
                            "an IBM MQ channel binding has a `queue` (with `destinationType: queue`) or a `topic`, not both"
                        }
                    };
                    let (rule, loc) = (self.rules.required, self.loc_key());
                    self.report(rule, loc, msg.to_string(), None);
                }
            }
            ("ibmmq", BindingsOf::Message) => {
                // oneOf: `binary`; `jms` or `string` without `headers`. With no `type`,
                // all three hold unless `headers` is given.
                let ty = m.get("type").and_then(Value::as_str);
                let h = m.contains_key("headers");
                let n = [
                    matches!(ty, None | Some("binary")),
                    matches!(ty, None | Some("jms")) && !h,
                    matches!(ty, None | Some("string")) && !h,
                ]
                .iter()
                .filter(|b| **b)
                .count();
                if n != 1 && matches!(ty, None | Some("binary" | "jms" | "string")) {
                    let msg = if ty.is_some() {
                        "an IBM MQ message binding of `type` `jms` or `string` has no `headers` (only `binary` messages carry them)"
                    } else {
                        "an IBM MQ message binding without `headers` must give its `type` (`string`, `jms` or `binary`): the official schema's alternatives all match otherwise"
                    };
                    let (rule, loc) = (self.rules.required, self.loc_key());
                    self.report(rule, loc, msg.to_string(), None);
                }
            }
            ("solace", BindingsOf::Operation) => {
                if let Some(Value::Array(ds)) = m.get("destinations") {
                    let queue = if version == Some("0.2.0") {
                        &SOLACE_QUEUE_020
                    } else {
                        &SOLACE_QUEUE
                    };
                    self.path.push(Seg::Key("destinations"));
                    for (i, d) in ds.iter().enumerate() {
                        self.path.push(Seg::Idx(i));
                        if self.sub_object(d, &SOLACE_DESTINATION, "a Solace destination") {
                            if let Some(o) = d.as_object() {
                                self.sub_field(o, "queue", queue);
                                if !o.contains_key("destinationType") {
                                    let (rule, loc) = (self.rules.required, self.loc_key());
                                    self.report(
                                        rule,
                                        loc,
                                        "a Solace destination needs its `destinationType` (`queue` or `topic`): the official schema's alternatives both match otherwise".to_string(),
                                        None,
                                    );
                                }
                            }
                        }
                        self.path.pop();
                    }
                    self.path.pop();
                }
            }
            ("pulsar", BindingsOf::Channel) => {
                self.sub_field(m, "retention", &PULSAR_RETENTION);
            }
            ("googlepubsub", BindingsOf::Channel) => {
                self.sub_field(m, "messageStoragePolicy", &GOOGLEPUBSUB_STORAGE);
                self.sub_field(m, "schemaSettings", &GOOGLEPUBSUB_SCHEMA_SETTINGS);
            }
            ("ros2", BindingsOf::Operation) => self.sub_field(m, "qosPolicies", &ROS2_QOS),
            ("ros2", BindingsOf::Server) => {
                // A DDS domain id: 0–231.
                self.int_at_least(m, "domainId", 0);
                self.int_at_most(m, "domainId", 231);
            }
            ("sns", BindingsOf::Channel) => {
                self.sub_field(m, "ordering", &SNS_ORDERING);
                self.aws_policy(m);
            }
            ("sns", BindingsOf::Operation) => {
                self.sub_field(m, "topic", &AWS_IDENTIFIER_SNS);
                self.sub_field(m, "deliveryPolicy", &SNS_DELIVERY_POLICY);
                if let Some(Value::Array(cs)) = m.get("consumers") {
                    self.path.push(Seg::Key("consumers"));
                    if cs.is_empty() {
                        self.type_error(&m["consumers"], "a non-empty list of consumers");
                    }
                    for (i, c) in cs.iter().enumerate() {
                        self.path.push(Seg::Idx(i));
                        if self.sub_object(c, &SNS_CONSUMER, "an SNS consumer") {
                            if let Some(o) = c.as_object() {
                                self.sub_field(o, "endpoint", &AWS_IDENTIFIER_SNS);
                                self.sub_field(o, "deliveryPolicy", &SNS_DELIVERY_POLICY);
                                self.aws_redrive(o, &AWS_IDENTIFIER_SNS);
                                if let Some(fp) = o.get("filterPolicy") {
                                    self.path.push(Seg::Key("filterPolicy"));
                                    match fp.as_object() {
                                        Some(fm) => {
                                            for (k, v) in fm {
                                                let ok = v.is_string()
                                                    || v.is_object()
                                                    || v.as_array().is_some_and(|a| {
                                                        a.iter().all(Value::is_string)
                                                    });
                                                if !ok && !k.starts_with("x-") {
                                                    self.with_key(k, |w| {
                                                        w.type_error(v, "a string, a list of strings or an object")
                                                    });
                                                }
                                            }
                                        }
                                        None => self.type_error(fp, "an object (a filter policy)"),
                                    }
                                    self.path.pop();
                                }
                            }
                        }
                        self.path.pop();
                    }
                    self.path.pop();
                }
            }
            ("sqs", BindingsOf::Channel) => {
                for key in ["queue", "deadLetterQueue"] {
                    if let Some(q) = m.get(key) {
                        self.path.push(Seg::Key(key));
                        self.sqs_queue(q, &SQS_QUEUE_CHANNEL);
                        self.path.pop();
                    }
                }
            }
            ("sqs", BindingsOf::Operation) => {
                if let Some(Value::Array(qs)) = m.get("queues") {
                    self.path.push(Seg::Key("queues"));
                    for (i, q) in qs.iter().enumerate() {
                        self.path.push(Seg::Idx(i));
                        self.sqs_queue(q, &SQS_QUEUE_OPERATION);
                        self.path.pop();
                    }
                    self.path.pop();
                }
            }
            ("googlepubsub", BindingsOf::Message) => {
                self.sub_field(m, "schema", &GOOGLEPUBSUB_SCHEMA);
            }
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

    /// An SQS queue (current position): its table, redrive policy and policy.
    fn sqs_queue(&mut self, q: &'a Value, table: &Obj) {
        if self.sub_object(q, table, "an SQS queue") {
            if let Some(o) = q.as_object() {
                self.aws_redrive(o, &AWS_IDENTIFIER_SQS);
                self.aws_policy(o);
            }
        }
    }

    /// `redrivePolicy` of `m`: a dead-letter queue identifier.
    fn aws_redrive(&mut self, m: &'a Map<String, Value>, identifier: &Obj) {
        if let Some(r) = m.get("redrivePolicy") {
            self.path.push(Seg::Key("redrivePolicy"));
            if self.sub_object(r, &AWS_REDRIVE, "an object (a redrive policy)") {
                if let Some(o) = r.as_object() {
                    self.sub_field(o, "deadLetterQueue", identifier);
                }
            }
            self.path.pop();
        }
    }

    /// `policy` of `m`: statements with an effect, a principal and an action (each a
    /// string or a list of strings).
    fn aws_policy(&mut self, m: &'a Map<String, Value>) {
        let Some(p) = m.get("policy") else { return };
        self.path.push(Seg::Key("policy"));
        if self.sub_object(p, &AWS_POLICY, "an object (a policy)") {
            if let Some(Value::Array(sts)) = p.get("statements") {
                self.path.push(Seg::Key("statements"));
                for (i, st) in sts.iter().enumerate() {
                    self.path.push(Seg::Idx(i));
                    if self.sub_object(st, &AWS_STATEMENT, "a policy statement") {
                        for key in ["principal", "action"] {
                            let Some(v) = st.get(key) else { continue };
                            let ok = v.is_string()
                                || v.as_array().is_some_and(|a| a.iter().all(Value::is_string));
                            if !ok {
                                self.with_key(key, |w| {
                                    w.type_error(v, "a string or a list of strings")
                                });
                            }
                        }
                    }
                    self.path.pop();
                }
                self.path.pop();
            }
        }
        self.path.pop();
    }

    /// The object at `key` of `m`, checked against `table` (current position: `m`).
    fn sub_field(&mut self, m: &'a Map<String, Value>, key: &'a str, table: &Obj) {
        if let Some(v) = m.get(key) {
            self.path.push(Seg::Key(key));
            self.sub_object(v, table, &format!("an object ({})", table.title));
            self.path.pop();
        }
    }

    /// `v` (the current position) checked against `table`; false when not an object.
    fn sub_object(&mut self, v: &'a Value, table: &Obj, what: &str) -> bool {
        match v.as_object() {
            Some(o) => {
                self.object_fields(o, table, &[]);
                true
            }
            None => {
                self.type_error(v, what);
                false
            }
        }
    }

    /// An integer field below `min` is reported (its type is checked by the table).
    fn int_at_least(&mut self, m: &'a Map<String, Value>, key: &'a str, min: i64) {
        let Some(v) = m.get(key).filter(|v| is_int(v)) else {
            return;
        };
        if v.as_f64().is_some_and(|n| n < min as f64) {
            self.with_key(key, |w| {
                let (rule, loc) = (w.rules.type_, w.loc());
                w.report(
                    rule,
                    loc,
                    format!("`{key}` must be an integer of at least {min}; found {v}"),
                    None,
                );
            });
        }
    }

    /// An integer field above `max` is reported (its type is checked by the table).
    fn int_at_most(&mut self, m: &'a Map<String, Value>, key: &'a str, max: i64) {
        let Some(v) = m.get(key).filter(|v| is_int(v)) else {
            return;
        };
        if v.as_f64().is_some_and(|n| n > max as f64) {
            self.with_key(key, |w| {
                let (rule, loc) = (w.rules.type_, w.loc());
                w.report(
                    rule,
                    loc,
                    format!("`{key}` must be an integer of at most {max}; found {v}"),
                    None,
                );
            });
        }
    }

    /// An integer field outside `allowed` is reported with the rule for enums.
    fn int_in(&mut self, m: &'a Map<String, Value>, key: &'a str, allowed: &[i64], what: &str) {
        let Some(v) = m.get(key) else { return };
        if !is_int(v) {
            self.with_key(key, |w| w.type_error(v, what));
            return;
        }
        if !v.as_i64().is_some_and(|n| allowed.contains(&n)) {
            self.with_key(key, |w| {
                let (rule, loc) = (w.rules.enum_, w.loc());
                w.report(
                    rule,
                    loc,
                    format!("`{key}` must be {what}; found {v}"),
                    None,
                );
            });
        }
    }

    /// A field that is an integer in `min..=max`, or a schema or Reference (an object).
    fn int_or_schema(
        &mut self,
        m: &'a Map<String, Value>,
        key: &'a str,
        min: i64,
        max: Option<i64>,
    ) {
        let Some(v) = m.get(key) else { return };
        if v.is_object() {
            return;
        }
        let in_range = is_int(v)
            && v.as_f64()
                .is_some_and(|n| n >= min as f64 && max.is_none_or(|x| n <= x as f64));
        if !in_range {
            let range = match max {
                Some(x) => format!("an integer from {min} to {x}"),
                None => format!("an integer of at least {min}"),
            };
            if is_int(v) {
                self.with_key(key, |w| {
                    let (rule, loc) = (w.rules.type_, w.loc());
                    w.report(
                        rule,
                        loc,
                        format!("`{key}` must be {range}, a schema or a Reference; found {v}"),
                        None,
                    );
                });
            } else {
                self.with_key(key, |w| {
                    w.type_error(v, &format!("{range}, a schema or a Reference"))
                });
            }
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
