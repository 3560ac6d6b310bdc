//! Every contract-level `diff-…` rule fires on the smallest change that should trigger
//! it (and the unchanged document triggers nothing): one edit per rule, each checked
//! for its rule, its severity and the versioning policy that follows from it.

use std::path::Path;

use serde_json::Value;

use crate::codegen_git::commit_all;
use crate::util::{code, run_in, stderr, stdout};

const BASE: &str = r#"asyncapi: 3.0.0
info: {title: t, version: 1.0.0}
servers:
  prod: {host: 'kafka:9092', protocol: kafka}
channels:
  orders:
    address: shop.orders.{region}
    parameters:
      region: {}
    messages:
      OrderPlaced:
        correlationId: {location: '$message.header#/correlationId'}
        x-hnp-idempotency-key: /id
        x-hnp-ordering-key: /customer
        headers:
          type: object
          properties:
            type: {const: com.shop.order_placed.v1}
        payload:
          type: object
          required: [id]
          properties:
            id: {type: string}
            customer: {type: string}
            note: {type: string, pattern: '^a'}
  replies:
    address: shop.replies
    messages:
      Ack: {payload: {type: object}}
      Nack: {payload: {type: string}}
  audit:
    address: shop.audit
    messages:
      Audited: {payload: {type: object}}
operations:
  placeOrder:
    action: send
    channel: {$ref: '#/channels/orders'}
    x-hnp-delivery: at-least-once
    messages: [{$ref: '#/channels/orders/messages/OrderPlaced'}]
    reply:
      channel: {$ref: '#/channels/replies'}
  readReplies:
    action: receive
    channel: {$ref: '#/channels/replies'}
components:
  securitySchemes:
    sasl: {type: scramSha256}
"#;

fn rules_between(dir: &Path, old: &str, new: &str) -> Vec<(String, String)> {
    std::fs::write(dir.join("old.yaml"), old).expect("old");
    std::fs::write(dir.join("new.yaml"), new).expect("new");
    let out = run_in(dir, &["diff", "old.yaml", "new.yaml", "--format", "json"]);
    assert!(code(&out) < 2, "{}", stderr(&out));
    let v: Value = serde_json::from_str(&stdout(&out)).expect("json");
    let mut r: Vec<(String, String)> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap_or("").to_string(),
                d["severity"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    r.sort();
    r.dedup();
    r
}

/// A rule, its severity, and the edits (from, to) that make BASE trigger it.
type Case = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

#[test]
fn each_contract_rule_fires_on_its_change() {
    let work = tempfile::tempdir().expect("tempdir");
    let dir = work.path();
    assert_eq!(rules_between(dir, BASE, BASE), vec![]);
    // (rule, severity, edits applied to BASE)
    let cases: &[Case] = &[
        (
            "diff-server-removed",
            "error",
            &[(
                "servers:\n  prod: {host: 'kafka:9092', protocol: kafka}\n",
                "",
            )],
        ),
        (
            "diff-server-removed",
            "error",
            &[("protocol: kafka}", "protocol: amqp}")],
        ),
        (
            "diff-channel-address-changed",
            "error",
            &[(
                "address: shop.orders.{region}",
                "address: shop.order.{region}",
            )],
        ),
        (
            "diff-channel-parameters-changed",
            "error",
            &[("      region: {}\n", "      region: {}\n      tenant: {}\n")],
        ),
        (
            "diff-channel-removed",
            "error",
            &[(
                "  audit:\n    address: shop.audit\n    messages:\n      Audited: {payload: {type: object}}\n",
                "",
            )],
        ),
        (
            "diff-operation-removed",
            "error",
            &[(
                "  readReplies:\n    action: receive\n    channel: {$ref: '#/channels/replies'}\n",
                "",
            )],
        ),
        (
            "diff-operation-action-changed",
            "error",
            &[("    action: receive\n", "    action: send\n")],
        ),
        (
            "diff-reply-changed",
            "error",
            &[(
                "    reply:\n      channel: {$ref: '#/channels/replies'}",
                "    reply:\n      channel: {$ref: '#/channels/audit'}",
            )],
        ),
        (
            "diff-delivery-weakened",
            "error",
            &[(
                "x-hnp-delivery: at-least-once",
                "x-hnp-delivery: at-most-once",
            )],
        ),
        (
            "diff-security-added",
            "error",
            &[(
                "    x-hnp-delivery: at-least-once\n",
                "    x-hnp-delivery: at-least-once\n    security: [{$ref: '#/components/securitySchemes/sasl'}]\n",
            )],
        ),
        (
            "diff-correlation-id-moved",
            "error",
            &[("$message.header#/correlationId", "$message.payload#/id")],
        ),
        (
            "diff-idempotency-key-moved",
            "error",
            &[("x-hnp-idempotency-key: /id", "x-hnp-idempotency-key: /note")],
        ),
        (
            "diff-ordering-key-changed",
            "error",
            &[("x-hnp-ordering-key: /customer", "x-hnp-ordering-key: /id")],
        ),
        (
            "diff-cloudevents-type-changed",
            "error",
            &[("com.shop.order_placed.v1", "com.shop.order_created.v1")],
        ),
        (
            "diff-cloudevents-type-bumped",
            "info",
            &[("com.shop.order_placed.v1", "com.shop.order_placed.v2")],
        ),
        (
            "diff-cloudevents-version-not-bumped",
            "error",
            &[("customer: {type: string}", "customer: {type: integer}")],
        ),
        (
            "diff-message-removed",
            "error",
            &[("      Nack: {payload: {type: string}}\n", "")],
        ),
        (
            "diff-schema-breaking",
            "error",
            &[("customer: {type: string}", "customer: {type: integer}")],
        ),
        (
            "diff-schema-undecided",
            "warning",
            &[("pattern: '^a'", "pattern: '^b'")],
        ),
        (
            "diff-added",
            "info",
            &[(
                "      Nack: {payload: {type: string}}\n",
                "      Nack: {payload: {type: string}}\n      Retry: {payload: {type: string}}\n",
            )],
        ),
        (
            "diff-compatibility-invalid",
            "error",
            &[("info: {", "x-hnp-compatibility: sometimes\ninfo: {")],
        ),
    ];
    for (rule, severity, edits) in cases {
        let mut new = BASE.to_string();
        for (from, to) in *edits {
            assert!(new.contains(from), "{rule}: `{from}` not in the document");
            new = new.replacen(from, to, 1);
        }
        let got = rules_between(dir, BASE, &new);
        assert!(
            got.contains(&(rule.to_string(), severity.to_string())),
            "{rule}: {got:?}"
        );
        // A breaking change asks for a major bump of info.version; nothing else does.
        let breaking = got
            .iter()
            .any(|(r, s)| s == "error" && r != "diff-version-not-bumped");
        assert_eq!(
            got.iter().any(|(r, _)| r == "diff-version-not-bumped"),
            breaking,
            "{rule}: {got:?}"
        );
        // With the major bump, the policy is satisfied.
        let bumped = new.replacen("version: 1.0.0", "version: 2.0.0", 1);
        let got = rules_between(dir, BASE, &bumped);
        assert!(
            !got.iter().any(|(r, _)| r == "diff-version-not-bumped"),
            "{rule}: {got:?}"
        );
    }
}

const HTTP: &str = r#"openapi: 3.1.0
info: {title: t, version: 1.0.0}
paths:
  /items/{id}:
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          description: ok
          headers:
            X-Request-Id: {required: true, schema: {type: string}}
            X-Rate-Limit: {schema: {type: integer}}
          content:
            application/json: {schema: {type: object}}
            text/csv: {schema: {type: string}}
        '404': {description: missing}
"#;

#[test]
fn http_rules_fire_on_their_change() {
    let work = tempfile::tempdir().expect("tempdir");
    let dir = work.path();
    assert_eq!(rules_between(dir, HTTP, HTTP), vec![]);
    let cases: &[(&str, &str, &str)] = &[
        (
            "diff-http-status-removed",
            "        '200':\n          description: ok\n          headers:\n            X-Request-Id: {required: true, schema: {type: string}}\n            X-Rate-Limit: {schema: {type: integer}}\n          content:\n            application/json: {schema: {type: object}}\n            text/csv: {schema: {type: string}}\n",
            "",
        ),
        (
            "diff-http-media-type-removed",
            "            text/csv: {schema: {type: string}}\n",
            "",
        ),
        (
            "diff-http-parameter-required-added",
            "        - {name: id, in: path, required: true, schema: {type: string}}\n",
            "        - {name: id, in: path, required: true, schema: {type: string}}\n        - {name: q, in: query, required: true, schema: {type: string}}\n",
        ),
        ("diff-http-operation-removed", "    get:", "    put:"),
        (
            "diff-http-response-header-removed",
            "            X-Request-Id: {required: true, schema: {type: string}}\n",
            "",
        ),
        (
            "diff-http-response-header-removed",
            "X-Request-Id: {required: true,",
            "X-Request-Id: {required: false,",
        ),
        (
            "diff-schema-breaking",
            "X-Rate-Limit: {schema: {type: integer}}",
            "X-Rate-Limit: {schema: {type: string}}",
        ),
    ];
    for (rule, from, to) in cases {
        let new = HTTP.replacen(from, to, 1);
        assert_ne!(new, HTTP, "{rule}");
        let got = rules_between(dir, HTTP, &new);
        assert!(
            got.contains(&(rule.to_string(), "error".to_string())),
            "{rule}: {got:?}"
        );
    }
    // A non-success status removed is not a broken promise.
    let new = HTTP.replacen("        '404': {description: missing}\n", "", 1);
    assert_eq!(rules_between(dir, HTTP, &new), vec![]);
    // An optional header removed, a header's name re-cased, a header made
    // required, or widened for nobody: nothing a client on the old version minds.
    for (from, to) in [
        ("            X-Rate-Limit: {schema: {type: integer}}\n", ""),
        ("X-Request-Id:", "x-request-id:"),
        (
            "X-Rate-Limit: {schema:",
            "X-Rate-Limit: {required: true, schema:",
        ),
        (
            "X-Rate-Limit: {schema: {type: integer}}",
            "X-Rate-Limit: {schema: {type: integer, minimum: 0}}",
        ),
    ] {
        let new = HTTP.replacen(from, to, 1);
        assert_ne!(new, HTTP, "{from}");
        assert_eq!(rules_between(dir, HTTP, &new), vec![], "{from} -> {to}");
    }
}

/// A document listed by the config at BASE and not at HEAD.
#[test]
fn a_document_dropped_from_the_config_is_removed() {
    let work = tempfile::tempdir().expect("tempdir");
    let dir = work.path();
    std::fs::write(dir.join("a.yaml"), BASE).expect("a");
    std::fs::write(dir.join("b.yaml"), HTTP).expect("b");
    std::fs::write(
        dir.join("hnp-events.yaml"),
        "documents:\n  - a.yaml\n  - b.yaml\n",
    )
    .expect("config");
    let git = git2::Repository::init(dir).expect("git init");
    commit_all(&git, "v1");
    std::fs::write(dir.join("hnp-events.yaml"), "documents:\n  - a.yaml\n").expect("config");
    let out = run_in(dir, &["diff", "HEAD", "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let v: Value = serde_json::from_str(&stdout(&out)).expect("json");
    let ds = v["diagnostics"].as_array().expect("diagnostics");
    assert_eq!(ds.len(), 1, "{ds:?}");
    assert_eq!(ds[0]["rule"], "diff-document-removed");
    assert_eq!(ds[0]["file"], "HEAD:b.yaml");
}
