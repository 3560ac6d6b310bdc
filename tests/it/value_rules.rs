//! The value constraints of the official schemas (`src/validate/values.rs`): formats,
//! patterns, distinct items, OAuth flows, message examples and parameter styles, each
//! reported at the value with its rule. The documents are written here (one per
//! specification family) and the diagnostics snapshot-tested, one line each.

use hnp_events::source::{LoadOptions, Workspace};

fn diagnose(name: &str, text: &str) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write");
    let ws = Workspace::load(std::slice::from_ref(&path), &LoadOptions::default()).expect("load");
    let mut diags = ws.diagnostics.clone();
    diags.extend(hnp_events::validate::validate(&ws));
    hnp_events::diag::sort_and_dedup(&mut diags);
    diags
        .iter()
        .map(|d| {
            let (line, col) = d.location.span.map_or((0, 0), |s| (s.line, s.col));
            format!("{line}:{col} {} {} {}", d.severity, d.rule, d.message)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn asyncapi_value_constraints() {
    let out = diagnose(
        "asyncapi.yaml",
        r#"asyncapi: 3.0.0
info:
  title: T
  version: 1.0.0
  contact:
    email: not an address
  license:
    name: MIT
    url: opensource.org/licenses/MIT
channels:
  c:
    address: c
    servers:
      - $ref: '#/servers/s'
      - $ref: '#/servers/s'
    messages:
      m:
        payload: {type: object, required: [id, id], pattern: "[a-z"}
        examples:
          - name: no payload or headers
servers:
  s:
    host: example.com
    protocol: ws
components:
  securitySchemes:
    o:
      type: oauth2
      flows:
        implicit:
          tokenUrl: https://example.com/t
          availableScopes: {}
  correlationIds:
    x:
      location: $message.body#/id
"#,
    );
    for rule in [
        "value-format",
        "value-duplicate",
        "value-pattern",
        "asyncapi-required",
        "asyncapi-unknown-field",
    ] {
        assert!(out.contains(rule), "{rule} missing:\n{out}");
    }
    insta::assert_snapshot!(out);
}

#[test]
fn swagger_and_openapi_value_constraints() {
    let sw = diagnose(
        "swagger.yaml",
        r#"swagger: "2.0"
info: {title: T, version: "1", contact: {url: "not a url"}}
host: https://api.example.com
basePath: v1
schemes: [https, https]
paths:
  /a:
    get:
      tags: [x, x]
      responses:
        "200":
          description: ok
          schema: {type: string, enum: []}
"#,
    );
    let oas = diagnose(
        "openapi.yaml",
        r#"openapi: 3.0.3
info: {title: T, version: "1", contact: {email: nobody}}
paths:
  /a:
    get:
      parameters:
        - {name: q, in: query, style: simple, schema: {type: string}}
      responses:
        "200": {description: ok}
"#,
    );
    insta::assert_snapshot!(format!("{sw}\n---\n{oas}"));
}

#[test]
fn openapi31_urls_may_be_relative() {
    let out = diagnose(
        "openapi31.yaml",
        r#"openapi: 3.1.0
info: {title: T, version: "1", license: {name: MIT, url: /license}}
externalDocs: {url: /docs}
paths: {}
"#,
    );
    assert!(!out.contains("value-format"), "{out}");
}

/// Kafka, MQTT and NATS binding objects (AsyncAPI 3) field by field, as the official
/// 3.0 schema checks them: each line below is one wrong field; the official schema
/// (`$HNP_CORPUS/schemas/asyncapi-3.0.0.json`, when set) rejects the document too.
#[test]
fn asyncapi3_kafka_mqtt_nats_bindings() {
    let text = r#"asyncapi: 3.0.0
info: {title: T, version: 1.0.0}
servers:
  k:
    host: kafka:9092
    protocol: kafka
    bindings:
      kafka: {schemaRegistryUrl: 5, bindingVersion: 0.5.0}
  m:
    host: mqtt
    protocol: mqtt
    bindings:
      mqtt:
        lastWill: {qos: 3}
        keepAlive: soon
        maximumPacketSize: 0
channels:
  c:
    address: c
    bindings:
      kafka:
        partitions: 0
        topicConfiguration: {retention.ms: -2, cleanup.policy: [forever]}
        bindingVersion: 0.4.0
  d:
    address: d
    bindings:
      kafka: {topicConfiguration: {}, bindingVersion: 0.3.0}
operations:
  o:
    action: send
    channel: {$ref: '#/channels/c'}
    bindings:
      mqtt: {qos: 5, messageExpiryInterval: -1}
      nats: {queue: 7}
      kafka: {groupId: 5}
components:
  messages:
    M:
      bindings:
        kafka: {schemaIdLocation: body}
        mqtt: {payloadFormatIndicator: 2, responseTopic: ''}
"#;
    let out = diagnose("asyncapi.yaml", text);
    insta::assert_snapshot!("asyncapi3_bindings", out);
    // The oracle: the official schema rejects it as well, and accepts it once the
    // bindings are taken out.
    let Some(validator) = official("asyncapi-3.0.0.json") else {
        return;
    };
    let mut doc: serde_json::Value = parsed(text);
    assert!(!validator.is_valid(&doc));
    strip_bindings(&mut doc);
    assert!(validator.is_valid(&doc), "{doc}");
}

fn parsed(text: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("doc.yaml");
    std::fs::write(&path, text).expect("write");
    let ws = Workspace::load(std::slice::from_ref(&path), &LoadOptions::default()).expect("load");
    let id = *ws.inputs.first().expect("input");
    ws.file(id).value.clone().expect("parsed")
}

fn strip_bindings(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            m.remove("bindings");
            m.values_mut().for_each(strip_bindings);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(strip_bindings),
        _ => {}
    }
}

/// OpenAPI 3.1's alternatives: a document with none of `paths`, `components`,
/// `webhooks`; a Link with both or neither of `operationRef`/`operationId` (3.0: both
/// only); an empty server variable `enum`.
#[test]
fn openapi31_alternatives() {
    let doc = |v: &str| {
        format!(
            r#"openapi: {v}
info: {{title: T, version: 1.0.0}}
servers:
  - url: 'https://{{env}}.example.com'
    variables:
      env: {{default: prod, enum: []}}
components:
  links:
    Both: {{operationId: a, operationRef: '#/paths/~1a/get'}}
    Neither: {{description: none}}
"#
        )
    };
    let out31 = diagnose("openapi.yaml", &doc("3.1.0"));
    let out30 = diagnose("openapi.yaml", &doc("3.0.3"));
    let bare = diagnose(
        "openapi.yaml",
        "openapi: 3.1.0\ninfo: {title: T, version: 1.0.0}\n",
    );
    insta::assert_snapshot!(
        "openapi31_alternatives",
        format!(
            "--- 3.1.0\n{out31}\n--- 3.0.3\n{out30}\n--- 3.1.0 with neither paths, components nor webhooks\n{bare}"
        )
    );
}

/// The other protocols' binding objects (JMS, IBM MQ, Solace, Pulsar, Google Cloud
/// Pub/Sub, Anypoint MQ), an Avro 1.9.0 payload and message traits (AsyncAPI 3), as the
/// official 3.0 schema checks them: each line below is one wrong field.
#[test]
fn asyncapi3_other_bindings_avro_traits() {
    let text = r#"asyncapi: 3.0.0
info: {title: T, version: 1.0.0, x-linkedin: 'https://example.com/me'}
servers:
  j:
    host: jms
    protocol: jms
    bindings:
      jms: {properties: [{name: a}], bindingVersion: 0.0.1}
      solace: {msgVpn: v, bindingVersion: 0.2.0}
channels:
  c:
    address: c
    bindings:
      ibmmq: {destinationType: queue, bindingVersion: 0.1.0}
      pulsar: {namespace: n, persistence: sometimes, retention: {days: 1}}
      googlepubsub: {schemaSettings: {encoding: json}}
      anypointmq: {destinationType: topic}
operations:
  o:
    action: send
    channel: {$ref: '#/channels/c'}
    bindings:
      solace:
        destinations: [{deliveryMode: direct}, {destinationType: queue, queue: {accessType: shared}}]
components:
  messages:
    M:
      payload:
        schemaFormat: application/vnd.apache.avro;version=1.9.0
        schema: {type: record, name: 1User, fields: [{name: id}, {name: kind, type: enum, symbols: [a-b]}]}
      traits:
        - {payload: {type: string}}
        - [{name: N}, 5]
      bindings:
        ibmmq: {type: jms, headers: h}
        googlepubsub: {schema: {}}
"#;
    let out = diagnose("asyncapi.yaml", text);
    insta::assert_snapshot!("asyncapi3_other_bindings", out);
}

/// SNS and SQS binding objects, a component schema's `$ref` siblings (AsyncAPI 3) and
/// an OpenAPI 3.0 parameter described by `content`, as the official schemas check them.
#[test]
fn sns_sqs_ref_siblings_parameter_content() {
    let text = r#"asyncapi: 3.0.0
info: {title: T, version: 1.0.0}
channels:
  c:
    address: c
    bindings:
      sns: {ordering: {type: random}, policy: {statements: [{effect: Allow, principal: 5}]}}
      sqs: {queue: {name: q}}
operations:
  o:
    action: send
    channel: {$ref: '#/channels/c'}
    bindings:
      sns: {consumers: []}
      sqs: {queues: [{name: q, fifoThroughputLimit: perTopic}]}
components:
  schemas:
    S: {$ref: '#/components/schemas/T', $id: '::not valid::', type: []}
    T: {type: string}
"#;
    let out = diagnose("asyncapi.yaml", text);
    let oas = diagnose(
        "openapi.yaml",
        r#"openapi: 3.0.3
info: {title: T, version: '1'}
paths:
  /a:
    get:
      parameters:
        - name: q
          in: query
          style: form
          content: {application/json: {schema: {type: object}}, text/plain: {}}
      responses:
        '200': {description: ok}
"#,
    );
    insta::assert_snapshot!(
        "sns_sqs_ref_siblings_parameter_content",
        format!("{out}\n{oas}")
    );
}

/// ROS 2 bindings exist from AsyncAPI 3.1 on: accepted there (they were reported as an
/// unknown protocol), field-checked, and unknown in 3.0.
#[test]
fn ros2_bindings_in_asyncapi_31() {
    let doc = |version: &str, role: &str| {
        format!(
            r#"asyncapi: {version}
info: {{title: T, version: 1.0.0}}
servers:
  r: {{host: localhost, protocol: ros2, bindings: {{ros2: {{domainId: 1, rmwImplementation: rmw_fastrtps_cpp}}}}}}
channels:
  c: {{address: c}}
operations:
  o:
    action: send
    channel: {{$ref: '#/channels/c'}}
    bindings:
      ros2: {{role: {role}, node: /talker, qosPolicies: {{reliability: best_effort}}}}
"#
        )
    };
    let errors = |text: String| -> Vec<String> {
        diagnose("asyncapi.yaml", &text)
            .lines()
            .filter(|l| l.contains(" error "))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(errors(doc("3.1.0", "publisher")), Vec::<String>::new());
    let bad = errors(doc("3.1.0", "talker"));
    assert!(
        bad.len() == 1 && bad[0].contains("asyncapi-enum") && bad[0].contains("`role`"),
        "{bad:?}"
    );
    let old = errors(doc("3.0.0", "publisher"));
    assert!(
        old.iter().all(|l| l.contains("unknown protocol `ros2`")) && old.len() == 2,
        "{old:?}"
    );
}

/// The MQTT 0.2.0 message binding's `responseTopic` is a URI *template*: a relative
/// topic such as `replies/{id}` is valid (it was reported as "must be an absolute URI"),
/// an unclosed expression is not. The official schema (formats asserted) agrees.
#[test]
fn mqtt_response_topic_is_a_uri_template() {
    let doc = |topic: &str| {
        format!(
            "asyncapi: 3.0.0\ninfo: {{title: T, version: 1.0.0}}\ncomponents:\n  messages:\n    M:\n      bindings:\n        mqtt: {{responseTopic: '{topic}', bindingVersion: 0.2.0}}\n"
        )
    };
    let good = doc("replies/{id}");
    let bad = doc("replies/{id");
    assert_eq!(diagnose("asyncapi.yaml", &good), "");
    let out = diagnose("asyncapi.yaml", &bad);
    assert!(
        out.contains("error value-format") && out.contains("URI template"),
        "{out}"
    );
    let Some(validator) = official("asyncapi-3.0.0.json") else {
        return;
    };
    assert!(validator.is_valid(&parsed(&good)));
    assert!(!validator.is_valid(&parsed(&bad)));
}

/// Constraints the coverage test found unenforced once it followed `propertyNames` and
/// wrote seeds for them: AsyncAPI 2.x channel names are URI templates and schema
/// `patternProperties` keys regular expressions; an OpenAPI 3.1 License has an
/// `identifier` or a `url`, an Example a `value` or an `externalValue`, a Header one
/// media type in `content` and `style: simple` beside `schema`; a Swagger 2.0 JSON
/// Reference is `$ref` alone. Each document is also rejected by its official schema
/// (formats asserted) and accepted once the flaw is taken out.
#[test]
fn key_formats_and_exclusive_fields() {
    let cases: &[(&str, &str, &str, &str, &str)] = &[
        (
            "asyncapi-2.6.0.json",
            "asyncapi.yaml",
            "asyncapi: 2.6.0\ninfo: {title: T, version: 1.0.0}\nchannels:\n  'orders placed':\n    publish:\n      message:\n        payload: {type: object}\n",
            "'orders placed'",
            "orders.placed",
        ),
        (
            "asyncapi-2.6.0.json",
            "asyncapi.yaml",
            "asyncapi: 2.6.0\ninfo: {title: T, version: 1.0.0}\nchannels:\n  orders:\n    publish:\n      message:\n        payload:\n          type: object\n          patternProperties:\n            '^[a-z': {type: string}\n",
            "'^[a-z'",
            "'^[a-z]'",
        ),
        (
            "openapi-3.1.json",
            "openapi.yaml",
            "openapi: 3.1.0\ninfo:\n  title: T\n  version: 1.0.0\n  license: {name: Apache 2.0, identifier: Apache-2.0, url: 'https://www.apache.org/licenses/LICENSE-2.0'}\npaths: {}\n",
            ", url: 'https://www.apache.org/licenses/LICENSE-2.0'",
            "",
        ),
        (
            "openapi-3.1.json",
            "openapi.yaml",
            "openapi: 3.1.0\ninfo: {title: T, version: 1.0.0}\ncomponents:\n  examples:\n    One: {value: 1, externalValue: 'https://example.com/one.json'}\n",
            ", externalValue: 'https://example.com/one.json'",
            "",
        ),
        (
            "openapi-3.1.json",
            "openapi.yaml",
            "openapi: 3.1.0\ninfo: {title: T, version: 1.0.0}\ncomponents:\n  headers:\n    X-Rate: {style: form, schema: {type: integer}}\n    X-Blob: {content: {}}\n",
            "style: form, ",
            "",
        ),
        (
            "swagger-2.0.json",
            "swagger.yaml",
            "swagger: '2.0'\ninfo: {title: T, version: 1.0.0}\npaths:\n  /items:\n    get:\n      responses:\n        '404': {$ref: '#/responses/NotFound', description: gone}\nresponses:\n  NotFound: {description: not found}\n",
            ", description: gone",
            "",
        ),
    ];
    let mut out = Vec::new();
    let cases: Vec<_> = cases.iter().chain(MORE_CASES).collect();
    for (_, name, text, _, _) in &cases {
        out.push(diagnose(name, text));
    }
    insta::assert_snapshot!("key_formats_and_exclusive_fields", out.join("\n---\n"));
    if std::env::var_os("HNP_CORPUS").is_none() {
        return;
    }
    for (schema, name, text, flaw, fix) in &cases {
        let validator = official(schema).expect("official schema");
        assert!(
            !validator.is_valid(&parsed(text)),
            "official accepts {text}"
        );
        let mut fixed = text.replace(flaw, fix);
        if fixed.contains("X-Blob: {content: {}}") {
            fixed = fixed.replace(
                "X-Blob: {content: {}}",
                "X-Blob: {content: {text/plain: {}}}",
            );
        }
        assert!(
            validator.is_valid(&parsed(&fixed)),
            "official rejects {fixed}"
        );
        assert_eq!(diagnose(name, &fixed), "", "{fixed}");
    }
}

/// AsyncAPI 2.0.0 message traits take examples of any shape (`messageTrait.json`:
/// `items: {type: object}`); the Message Example Object came to traits in 2.1.0. An
/// example `{id: 1}` in a trait was an `asyncapi-unknown-field` error in 2.0.0 documents.
#[test]
fn asyncapi_200_trait_examples_are_free_form() {
    let doc = |v: &str| {
        format!(
            "asyncapi: {v}\ninfo: {{title: T, version: 1.0.0}}\nchannels: {{}}\ncomponents:\n  messageTraits:\n    Common:\n      examples:\n        - id: 1\n"
        )
    };
    assert_eq!(diagnose("asyncapi.yaml", &doc("2.0.0")), "");
    let out = diagnose("asyncapi.yaml", &doc("2.1.0"));
    assert!(out.contains("error asyncapi-unknown-field"), "{out}");
    if std::env::var_os("HNP_CORPUS").is_none() {
        return;
    }
    for (v, valid) in [("2.0.0", true), ("2.1.0", false)] {
        let validator = official(&format!("asyncapi-{v}.json")).expect("official schema");
        assert_eq!(validator.is_valid(&parsed(&doc(v))), valid, "{v}");
    }
}

/// An XML Object's `namespace` is `format: uri` in OpenAPI 3.0 and a plain string in
/// Swagger 2.0 (whose specification only says it SHOULD be a URL): a name
/// such as `orders` was a false `value-format` error in Swagger documents.
#[test]
fn xml_namespace_is_a_uri_in_openapi_only() {
    let swagger = "swagger: '2.0'\ninfo: {title: T, version: 1.0.0}\npaths: {}\ndefinitions:\n  Order: {type: object, xml: {namespace: orders}}\n";
    let openapi = "openapi: 3.0.3\ninfo: {title: T, version: 1.0.0}\npaths: {}\ncomponents:\n  schemas:\n    Order: {type: object, xml: {namespace: orders}}\n";
    assert_eq!(diagnose("swagger.yaml", swagger), "");
    let out = diagnose("openapi.yaml", openapi);
    assert!(out.contains("error value-format"), "{out}");
    if std::env::var_os("HNP_CORPUS").is_none() {
        return;
    }
    for (file, text, valid) in [
        ("swagger-2.0.json", swagger, true),
        ("openapi-3.0.json", openapi, false),
    ] {
        let validator = official(file).expect("official schema");
        assert_eq!(validator.is_valid(&parsed(text)), valid, "{file}");
    }
}

/// In AsyncAPI 3 a Schema Object's `externalDocs` may be a Reference (`oneOf:
/// [Reference, externalDocs]`); `$ref` there was an unknown field and `url` missing.
#[test]
fn asyncapi3_schema_external_docs_may_be_a_reference() {
    let text = "asyncapi: 3.0.0\ninfo: {title: T, version: 1.0.0}\ncomponents:\n  externalDocs:\n    D: {url: 'https://example.com/docs'}\n  schemas:\n    S:\n      type: object\n      externalDocs: {$ref: '#/components/externalDocs/D'}\n";
    assert_eq!(diagnose("asyncapi.yaml", text), "");
    let Some(validator) = official("asyncapi-3.0.0.json") else {
        return;
    };
    assert!(validator.is_valid(&parsed(text)));
}

/// More of [`key_formats_and_exclusive_fields`]: what the coverage test found once it
/// also judged mutants that break more than one constraint — an empty `items` list
/// (AsyncAPI, Swagger), OpenAPI OAuth flows without the URLs their grant needs or with
/// one it cannot use (3.0 and 3.1), a 3.0 `bearerFormat` on a non-bearer HTTP scheme,
/// and a Kafka message `key` that is no schema (0.4.0 also takes an Avro type name).
const MORE_CASES: &[(&str, &str, &str, &str, &str)] = &[
    (
        "asyncapi-3.0.0.json",
        "asyncapi.yaml",
        "asyncapi: 3.0.0\ninfo: {title: T, version: 1.0.0}\ncomponents:\n  schemas:\n    Pair: {type: array, items: []}\n",
        "items: []",
        "items: [{type: string}]",
    ),
    (
        "swagger-2.0.json",
        "swagger.yaml",
        "swagger: '2.0'\ninfo: {title: T, version: 1.0.0}\npaths: {}\ndefinitions:\n  Pair: {type: array, items: []}\n",
        "items: []",
        "items: [{type: string}]",
    ),
    (
        "openapi-3.0.json",
        "openapi.yaml",
        "openapi: 3.0.3\ninfo: {title: T, version: 1.0.0}\npaths: {}\ncomponents:\n  securitySchemes:\n    oauth:\n      type: oauth2\n      flows:\n        implicit: {scopes: {}}\n",
        "{scopes: {}}",
        "{authorizationUrl: 'https://example.com/auth', scopes: {}}",
    ),
    (
        "openapi-3.1.json",
        "openapi.yaml",
        "openapi: 3.1.0\ninfo: {title: T, version: 1.0.0}\ncomponents:\n  securitySchemes:\n    oauth:\n      type: oauth2\n      flows:\n        password: {authorizationUrl: 'https://example.com/auth', tokenUrl: 'https://example.com/token', scopes: {}}\n",
        "authorizationUrl: 'https://example.com/auth', ",
        "",
    ),
    (
        "openapi-3.0.json",
        "openapi.yaml",
        "openapi: 3.0.3\ninfo: {title: T, version: 1.0.0}\npaths: {}\ncomponents:\n  securitySchemes:\n    basic: {type: http, scheme: basic, bearerFormat: JWT}\n",
        ", bearerFormat: JWT",
        "",
    ),
    (
        "asyncapi-3.0.0.json",
        "asyncapi.yaml",
        "asyncapi: 3.0.0\ninfo: {title: T, version: 1.0.0}\ncomponents:\n  messages:\n    M:\n      bindings:\n        kafka: {key: 'order id', bindingVersion: 0.4.0}\n",
        "'order id'",
        "com.example.OrderId",
    ),
    (
        "asyncapi-3.0.0.json",
        "asyncapi.yaml",
        "asyncapi: 3.0.0\ninfo: {title: T, version: 1.0.0}\ncomponents:\n  messages:\n    M:\n      bindings:\n        kafka: {key: {type: 5}, bindingVersion: 0.5.0}\n",
        "{type: 5}",
        "{type: string}",
    ),
    (
        "asyncapi-2.6.0.json",
        "asyncapi.yaml",
        "asyncapi: 2.6.0\ninfo: {title: T, version: 1.0.0}\nchannels:\n  users:\n    subscribe:\n      message:\n        schemaFormat: application/vnd.apache.avro+json;version=1.9.0\n        payload: {$ref: '#/components/schemas/User'}\ncomponents:\n  schemas:\n    User: {type: object, properties: {id: {type: string}}}\n",
        "payload: {$ref: '#/components/schemas/User'}",
        "payload: {type: record, name: User, fields: [{name: id, type: string}]}",
    ),
    (
        "asyncapi-3.0.0.json",
        "asyncapi.yaml",
        "asyncapi: 3.0.0\ninfo: {title: T, version: 1.0.0}\nchannels:\n  'chat-{chatId}':\n    address: 'chat/{chatId}'\n    parameters:\n      chatId: {}\noperations:\n  receive:\n    action: receive\n    channel: {$ref: '#/channels/chat-{chatId}'}\n",
        "{$ref: '#/channels/chat-{chatId}'}",
        "{$ref: '#/channels/chat-%7BchatId%7D'}",
    ),
];

/// An Avro payload given by `$ref` is an Avro schema where it points: an `.avsc` file
/// is checked as Avro (the official schema cannot follow it), and a record there that
/// is no Avro schema is reported in that file.
#[test]
fn avro_payload_references_are_checked_as_avro() {
    let dir = tempfile::tempdir().expect("tempdir");
    let doc = "asyncapi: 3.0.0\ninfo: {title: T, version: 1.0.0}\ncomponents:\n  messages:\n    User:\n      payload:\n        schemaFormat: application/vnd.apache.avro;version=1.9.0\n        schema: {$ref: './user.avsc'}\n";
    std::fs::write(dir.path().join("asyncapi.yaml"), doc).expect("write");
    let run = |avsc: &str| {
        std::fs::write(dir.path().join("user.avsc"), avsc).expect("write");
        let path = dir.path().join("asyncapi.yaml");
        let ws =
            Workspace::load(std::slice::from_ref(&path), &LoadOptions::default()).expect("load");
        let mut diags = ws.diagnostics.clone();
        diags.extend(hnp_events::validate::validate(&ws));
        diags
            .iter()
            .filter(|d| d.severity == hnp_events::diag::Severity::Error)
            .map(|d| format!("{} {} {}", d.location.file, d.rule, d.message))
            .collect::<Vec<_>>()
    };
    let good =
        run(r#"{"type": "record", "name": "User", "fields": [{"name": "id", "type": "string"}]}"#);
    assert!(good.is_empty(), "{good:?}");
    let bad = run(r#"{"type": "object", "properties": {"id": {"type": "string"}}}"#);
    assert!(
        bad.len() == 1 && bad[0].contains("user.avsc") && bad[0].contains("found `object`"),
        "{bad:?}"
    );
}

/// The official schema `file` of `$HNP_CORPUS/schemas`, formats asserted (as the
/// AsyncAPI parser and Spectral run it), or `None` when `HNP_CORPUS` is not set.
fn official(file: &str) -> Option<jsonschema::Validator> {
    let dir = std::env::var_os("HNP_CORPUS")?;
    let text = std::fs::read_to_string(std::path::Path::new(&dir).join("schemas").join(file))
        .expect("official schema");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("json");
    Some(
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("validator"),
    )
}
