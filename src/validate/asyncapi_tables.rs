//! The structure of AsyncAPI 2.0–2.6 and 3.0–3.1 documents, as our own field tables
//! (written from the specifications; the official JSON Schemas agree on them).
//! Versions are `major * 10 + minor`: 2.4 → 24, 3.0 → 30.

use super::spec::*;

const TAGS2: Ty = Ty::Arr(&Ty::Node(K::Tag));
const TAGS3: Ty = Ty::Arr(&Ty::RefOr(K::Tag));
const DOCS2: Ty = Ty::Node(K::ExternalDocs);
const DOCS3: Ty = Ty::RefOr(K::ExternalDocs);
const SERVER_BINDINGS: Ty = Ty::RefOr(K::Bindings(BindingsOf::Server));
const CHANNEL_BINDINGS: Ty = Ty::RefOr(K::Bindings(BindingsOf::Channel));
const OPERATION_BINDINGS: Ty = Ty::RefOr(K::Bindings(BindingsOf::Operation));
const MESSAGE_BINDINGS: Ty = Ty::RefOr(K::Bindings(BindingsOf::Message));
const SECURITY2: Ty = Ty::Arr(&Ty::SecReq);
const SECURITY3: Ty = Ty::Arr(&Ty::RefOr(K::AsyncSecurityScheme));

/// Protocols with a binding object (3.x binding maps are closed to these).
pub const BINDING_PROTOCOLS: &[&str] = &[
    "http",
    "ws",
    "amqp",
    "amqp1",
    "mqtt",
    "mqtt5",
    "kafka",
    "anypointmq",
    "nats",
    "jms",
    "sns",
    "sqs",
    "stomp",
    "redis",
    "ibmmq",
    "solace",
    "googlepubsub",
    "pulsar",
];

/// Security scheme types of AsyncAPI.
pub const SECURITY_TYPES: &[&str] = &[
    "userPassword",
    "apiKey",
    "X509",
    "symmetricEncryption",
    "asymmetricEncryption",
    "httpApiKey",
    "http",
    "oauth2",
    "openIdConnect",
    "plain",
    "scramSha256",
    "scramSha512",
    "gssapi",
];

static ROOT: Obj = obj(
    "AsyncAPI document",
    &[
        req("asyncapi", STR),
        f("id", STR),
        req("info", Ty::Node(K::AsyncInfo)),
        f("servers", Ty::Map(&Ty::RefOr(K::Server2))).until(26),
        f("servers", Ty::Map(&Ty::RefOr(K::Server3))).since(30),
        f("defaultContentType", STR),
        req("channels", Ty::Map(&Ty::Node(K::Channel2))).until(26),
        f("channels", Ty::Map(&Ty::RefOr(K::Channel3))).since(30),
        f("operations", Ty::Map(&Ty::RefOr(K::Operation3))).since(30),
        f("components", Ty::Node(K::Components2)).until(26),
        f("components", Ty::Node(K::Components3)).since(30),
        f("tags", TAGS2).until(26),
        f("externalDocs", DOCS2).until(26),
    ],
);

static INFO: Obj = obj(
    "Info Object",
    &[
        req("title", STR),
        req("version", STR),
        f("description", STR),
        f("termsOfService", STR),
        f("contact", Ty::Node(K::Contact)),
        f("license", Ty::Node(K::License)),
        f("tags", TAGS3).since(30),
        f("externalDocs", DOCS3).since(30),
    ],
);

static SERVER2: Obj = obj(
    "Server Object",
    &[
        req("url", STR),
        req("protocol", STR),
        f("protocolVersion", STR),
        f("description", STR),
        f("variables", Ty::Map(&Ty::RefOr(K::ServerVariable))),
        f("security", SECURITY2),
        f("bindings", SERVER_BINDINGS),
        f("tags", TAGS2).since(25),
    ],
);

static SERVER3: Obj = obj(
    "Server Object",
    &[
        req("host", STR),
        req("protocol", STR),
        f("pathname", STR),
        f("title", STR),
        f("summary", STR),
        f("description", STR),
        f("protocolVersion", STR),
        f("variables", Ty::Map(&Ty::RefOr(K::ServerVariable))),
        f("security", SECURITY3),
        f("tags", TAGS3),
        f("externalDocs", DOCS3),
        f("bindings", SERVER_BINDINGS),
    ],
);

static CHANNEL2: Obj = obj(
    "Channel Item Object",
    &[
        f("$ref", STR),
        f("parameters", Ty::Map(&Ty::RefOr(K::Parameter2))),
        f("description", STR),
        f("servers", STRS).since(22),
        f("publish", Ty::Node(K::Operation2)),
        f("subscribe", Ty::Node(K::Operation2)),
        f("deprecated", BOOL),
        f("bindings", CHANNEL_BINDINGS),
    ],
);

static OPERATION2: Obj = obj(
    "Operation Object",
    &[
        f("traits", Ty::Arr(&Ty::RefOr(K::OperationTrait2))),
        f("summary", STR),
        f("description", STR),
        f("security", SECURITY2).since(24),
        f("tags", TAGS2),
        f("externalDocs", DOCS2),
        f("operationId", STR),
        f("bindings", OPERATION_BINDINGS),
        f("message", Ty::Node(K::Message2)),
    ],
);

static OPERATION_TRAIT2: Obj = obj(
    "Operation Trait Object",
    &[
        f("summary", STR),
        f("description", STR),
        f("tags", TAGS2),
        f("externalDocs", DOCS2),
        f("operationId", STR),
        f("security", SECURITY2).since(24),
        f("bindings", OPERATION_BINDINGS),
    ],
);

static MESSAGE2: Obj = obj(
    "Message Object",
    &[
        f("schemaFormat", STR),
        f("contentType", STR),
        f("headers", SCHEMA),
        f("messageId", STR).since(24),
        f("payload", Ty::Any),
        f("correlationId", Ty::RefOr(K::CorrelationId)),
        f("tags", TAGS2),
        f("summary", STR),
        f("name", STR),
        f("title", STR),
        f("description", STR),
        f("externalDocs", DOCS2),
        f("deprecated", BOOL),
        f("examples", Ty::Arr(&Ty::Node(K::MessageExample))),
        f("bindings", MESSAGE_BINDINGS),
        f("traits", Ty::Arr(&Ty::RefOr(K::MessageTrait2))),
    ],
);

static MESSAGE_TRAIT2: Obj = obj(
    "Message Trait Object",
    &[
        f("schemaFormat", STR),
        f("contentType", STR),
        f("headers", SCHEMA),
        f("messageId", STR).since(24),
        f("correlationId", Ty::RefOr(K::CorrelationId)),
        f("tags", TAGS2),
        f("summary", STR),
        f("name", STR),
        f("title", STR),
        f("description", STR),
        f("externalDocs", DOCS2),
        f("deprecated", BOOL),
        // 2.0.0 `messageTrait.json`: examples are any objects (the Message Example
        // Object, which messages already had, came to traits in 2.1.0).
        f("examples", Ty::Arr(&Ty::Node(K::AnyObject))).until(20),
        f("examples", Ty::Arr(&Ty::Node(K::MessageExample))).since(21),
        f("bindings", MESSAGE_BINDINGS),
    ],
);

static MESSAGE_EXAMPLE: Obj = obj(
    "Message Example Object",
    &[
        f("name", STR).since(21),
        f("summary", STR).since(21),
        f("headers", Ty::Node(K::AnyObject)),
        f("payload", Ty::Any),
    ],
);

static PARAMETER2: Obj = obj(
    "Parameter Object",
    &[
        f("description", STR),
        f("schema", SCHEMA),
        f("location", STR),
        f("$ref", STR).until(24),
    ],
);

static CORRELATION_ID: Obj = obj(
    "Correlation ID Object",
    &[f("description", STR), req("location", STR)],
);

static COMPONENTS2: Obj = obj(
    "Components Object",
    &[
        f("schemas", Ty::Comp(&SCHEMA)),
        f("servers", Ty::Comp(&Ty::RefOr(K::Server2))).since(23),
        f("channels", Ty::Comp(&Ty::Node(K::Channel2))).since(23),
        f("serverVariables", Ty::Comp(&Ty::RefOr(K::ServerVariable))).since(24),
        f("messages", Ty::Comp(&Ty::Node(K::Message2))),
        f(
            "securitySchemes",
            Ty::Comp(&Ty::RefOr(K::AsyncSecurityScheme)),
        ),
        f("parameters", Ty::Comp(&Ty::RefOr(K::Parameter2))),
        f("correlationIds", Ty::Comp(&Ty::RefOr(K::CorrelationId))),
        f("operationTraits", Ty::Comp(&Ty::RefOr(K::OperationTrait2))),
        f("messageTraits", Ty::Comp(&Ty::RefOr(K::MessageTrait2))),
        f("serverBindings", Ty::Comp(&SERVER_BINDINGS)),
        f("channelBindings", Ty::Comp(&CHANNEL_BINDINGS)),
        f("operationBindings", Ty::Comp(&OPERATION_BINDINGS)),
        f("messageBindings", Ty::Comp(&MESSAGE_BINDINGS)),
    ],
);

static CHANNEL3: Obj = obj(
    "Channel Object",
    &[
        f("address", Ty::StrOrNull),
        f("messages", Ty::Map(&Ty::RefOr(K::Message3))),
        f("parameters", Ty::Map(&Ty::RefOr(K::Parameter3))),
        f("title", STR),
        f("summary", STR),
        f("description", STR),
        f("servers", Ty::Arr(&Ty::Ref)),
        f("tags", TAGS3),
        f("externalDocs", DOCS3),
        f("bindings", CHANNEL_BINDINGS),
    ],
);

static OPERATION3: Obj = obj(
    "Operation Object",
    &[
        req("action", Ty::Enum(&["send", "receive"])),
        req("channel", Ty::Ref),
        f("messages", Ty::Arr(&Ty::Ref)),
        f("reply", Ty::RefOr(K::OperationReply)),
        f("traits", Ty::Arr(&Ty::RefOr(K::OperationTrait3))),
        f("title", STR),
        f("summary", STR),
        f("description", STR),
        f("security", SECURITY3),
        f("tags", TAGS3),
        f("externalDocs", DOCS3),
        f("bindings", OPERATION_BINDINGS),
    ],
);

static OPERATION_TRAIT3: Obj = obj(
    "Operation Trait Object",
    &[
        f("title", STR),
        f("summary", STR),
        f("description", STR),
        f("security", SECURITY3),
        f("tags", TAGS3),
        f("externalDocs", DOCS3),
        f("bindings", OPERATION_BINDINGS),
    ],
);

static OPERATION_REPLY: Obj = obj(
    "Operation Reply Object",
    &[
        f("address", Ty::RefOr(K::OperationReplyAddress)),
        f("channel", Ty::Ref),
        f("messages", Ty::Arr(&Ty::Ref)),
    ],
);

static REPLY_ADDRESS: Obj = obj(
    "Operation Reply Address Object",
    &[req("location", STR), f("description", STR)],
);

static MESSAGE3: Obj = obj(
    "Message Object",
    &[
        f("contentType", STR),
        f("headers", Ty::Node(K::AnySchema)),
        f("payload", Ty::Node(K::AnySchema)),
        f("correlationId", Ty::RefOr(K::CorrelationId)),
        f("tags", TAGS3),
        f("summary", STR),
        f("name", STR),
        f("title", STR),
        f("description", STR),
        f("externalDocs", DOCS3),
        f("deprecated", BOOL),
        f("examples", Ty::Arr(&Ty::Node(K::MessageExample))),
        f("bindings", MESSAGE_BINDINGS),
        f("traits", Ty::Arr(&Ty::Node(K::MessageTraitItem3))),
    ],
);

static MESSAGE_TRAIT3: Obj = obj(
    "Message Trait Object",
    &[
        f("contentType", STR),
        f("headers", Ty::Node(K::AnySchema)),
        f("correlationId", Ty::RefOr(K::CorrelationId)),
        f("tags", TAGS3),
        f("summary", STR),
        f("name", STR),
        f("title", STR),
        f("description", STR),
        f("externalDocs", DOCS3),
        f("deprecated", BOOL),
        f("examples", Ty::Arr(&Ty::Node(K::MessageExample))),
        f("bindings", MESSAGE_BINDINGS),
    ],
);

static PARAMETER3: Obj = obj(
    "Parameter Object",
    &[
        f("description", STR),
        f("enum", STRS),
        f("default", STR),
        f("examples", STRS),
        f("location", STR),
    ],
);

static COMPONENTS3: Obj = obj(
    "Components Object",
    &[
        f("schemas", Ty::Comp(&Ty::Node(K::AnySchema))),
        f("servers", Ty::Comp(&Ty::RefOr(K::Server3))),
        f("channels", Ty::Comp(&Ty::RefOr(K::Channel3))),
        f("serverVariables", Ty::Comp(&Ty::RefOr(K::ServerVariable))),
        f("operations", Ty::Comp(&Ty::RefOr(K::Operation3))),
        f("messages", Ty::Comp(&Ty::RefOr(K::Message3))),
        f(
            "securitySchemes",
            Ty::Comp(&Ty::RefOr(K::AsyncSecurityScheme)),
        ),
        f("parameters", Ty::Comp(&Ty::RefOr(K::Parameter3))),
        f("correlationIds", Ty::Comp(&Ty::RefOr(K::CorrelationId))),
        f("operationTraits", Ty::Comp(&Ty::RefOr(K::OperationTrait3))),
        f("messageTraits", Ty::Comp(&Ty::RefOr(K::MessageTrait3))),
        f("replies", Ty::Comp(&Ty::RefOr(K::OperationReply))),
        f(
            "replyAddresses",
            Ty::Comp(&Ty::RefOr(K::OperationReplyAddress)),
        ),
        f("serverBindings", Ty::Comp(&SERVER_BINDINGS)),
        f("channelBindings", Ty::Comp(&CHANNEL_BINDINGS)),
        f("operationBindings", Ty::Comp(&OPERATION_BINDINGS)),
        f("messageBindings", Ty::Comp(&MESSAGE_BINDINGS)),
        f("tags", Ty::Comp(&Ty::RefOr(K::Tag))),
        f("externalDocs", Ty::Comp(&Ty::RefOr(K::ExternalDocs))),
    ],
);

static OAUTH_FLOWS: Obj = obj(
    "OAuth Flows Object",
    &[
        f("implicit", Ty::Node(K::AsyncOAuthFlow)),
        f("password", Ty::Node(K::AsyncOAuthFlow)),
        f("clientCredentials", Ty::Node(K::AsyncOAuthFlow)),
        f("authorizationCode", Ty::Node(K::AsyncOAuthFlow)),
    ],
);

static OAUTH_FLOW: Obj = obj(
    "OAuth Flow Object",
    &[
        f("authorizationUrl", STR),
        f("tokenUrl", STR),
        f("refreshUrl", STR),
        f("scopes", MAP_STR).until(26),
        f("availableScopes", MAP_STR).since(30),
    ],
);

/// The table of an AsyncAPI kind (`None` for kinds checked by hand in `walk.rs`).
pub fn table(k: K) -> Option<&'static Obj> {
    Some(match k {
        K::AsyncRoot => &ROOT,
        K::AsyncInfo => &INFO,
        K::Server2 => &SERVER2,
        K::Server3 => &SERVER3,
        K::Channel2 => &CHANNEL2,
        K::Channel3 => &CHANNEL3,
        K::Operation2 => &OPERATION2,
        K::OperationTrait2 => &OPERATION_TRAIT2,
        K::Operation3 => &OPERATION3,
        K::OperationTrait3 => &OPERATION_TRAIT3,
        K::OperationReply => &OPERATION_REPLY,
        K::OperationReplyAddress => &REPLY_ADDRESS,
        K::MessageObject2 => &MESSAGE2,
        K::MessageTrait2 => &MESSAGE_TRAIT2,
        K::Message3 => &MESSAGE3,
        K::MessageTrait3 => &MESSAGE_TRAIT3,
        K::MessageExample => &MESSAGE_EXAMPLE,
        K::Parameter2 => &PARAMETER2,
        K::Parameter3 => &PARAMETER3,
        K::CorrelationId => &CORRELATION_ID,
        K::Components2 => &COMPONENTS2,
        K::Components3 => &COMPONENTS3,
        K::AsyncOAuthFlows => &OAUTH_FLOWS,
        K::AsyncOAuthFlow => &OAUTH_FLOW,
        _ => return None,
    })
}

/// Fields of an AsyncAPI security scheme by `type`: (field, type, required).
pub fn security_fields(ty: &str, v: Ver) -> &'static [F] {
    static NONE: &[F] = &[];
    static API_KEY: &[F] = &[req("in", Ty::Enum(&["user", "password"]))];
    static HTTP_API_KEY: &[F] = &[
        req("name", STR),
        req("in", Ty::Enum(&["query", "header", "cookie"])),
    ];
    static HTTP: &[F] = &[req("scheme", STR), f("bearerFormat", STR)];
    static OAUTH2_2: &[F] = &[req("flows", Ty::Node(K::AsyncOAuthFlows))];
    static OAUTH2_3: &[F] = &[
        req("flows", Ty::Node(K::AsyncOAuthFlows)),
        f("scopes", STRS),
    ];
    static OIDC2: &[F] = &[req("openIdConnectUrl", STR)];
    static OIDC3: &[F] = &[req("openIdConnectUrl", STR), f("scopes", STRS)];
    match ty {
        "apiKey" => API_KEY,
        "httpApiKey" => HTTP_API_KEY,
        "http" => HTTP,
        "oauth2" if v >= 30 => OAUTH2_3,
        "oauth2" => OAUTH2_2,
        "openIdConnect" if v >= 30 => OIDC3,
        "openIdConnect" => OIDC2,
        _ => NONE,
    }
}
