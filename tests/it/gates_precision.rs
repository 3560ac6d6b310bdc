//! Precision and recall of the architecture gates and `classify` against hand labels
//! (`tests/data/gates_precision.tsv`) over real documents of the shared corpus: the
//! expected kind of every operation and the real gaps a reviewer expects each gate to
//! report. Prints classify accuracy and, per rule, precision (findings that are real
//! gaps) and recall (real gaps found); asserts floors at what the gates achieve, so a
//! change that adds false alarms or loses real findings fails here.
//!
//! Run: `HNP_CORPUS=/work/shared/corpus cargo test --test it gates_precision -- --nocapture`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use hnp_events::source::{LoadOptions, Workspace};

use crate::util::repo;

/// The labels: operations' expected kinds and the expected findings, per document.
#[derive(Default)]
struct Labels {
    ops: BTreeMap<String, BTreeMap<String, String>>,
    gaps: BTreeSet<(String, String, String)>,
}

fn labels() -> Labels {
    let text = std::fs::read_to_string(repo().join("tests/data/gates_precision.tsv"))
        .expect("tests/data/gates_precision.tsv");
    let mut l = Labels::default();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        // A sixth column, when present, records why the label is what it is.
        assert!(
            cols.len() == 5 || cols.len() == 6,
            "five columns and an optional reason: {line}"
        );
        match cols[1] {
            "op" => {
                let prev = l
                    .ops
                    .entry(cols[0].to_string())
                    .or_default()
                    .insert(cols[3].to_string(), cols[4].to_string());
                assert!(prev.is_none(), "labelled twice: {line}");
            }
            "gap" => {
                assert!(l.gaps.insert((
                    cols[0].to_string(),
                    cols[2].to_string(),
                    cols[3].to_string()
                )));
            }
            other => panic!("unknown label kind `{other}`: {line}"),
        }
    }
    l
}

/// The first `quoted` name of a finding: the operation, message or channel it is about.
fn subject(message: &str) -> String {
    message.split('`').nth(1).unwrap_or(message).to_string()
}

/// What the tool says about one document: operation kinds and gate findings (rule,
/// subject).
fn measure(path: &Path, root: &Path) -> (BTreeMap<String, String>, Vec<(String, String)>) {
    let (kinds, diags) = measure_all(path, root);
    let findings = diags
        .iter()
        .filter(|(rule, _)| rule.starts_with("gate-") && rule != "gate-threshold")
        .filter(|(rule, _)| rule != "gate-not-measured")
        .map(|(rule, message)| (rule.clone(), subject(message)))
        .collect();
    (kinds, findings)
}

/// Operation kinds and every gate diagnostic (rule, message) of one document.
fn measure_all(path: &Path, root: &Path) -> (BTreeMap<String, String>, Vec<(String, String)>) {
    let opts = LoadOptions {
        root: Some(root.to_path_buf()),
        ..LoadOptions::default()
    };
    let ws = Workspace::load(&[path.to_path_buf()], &opts).expect("loads");
    let (model, _) = hnp_events::model::build(&ws);
    let (rows, cdiags) = hnp_events::classify::classify(&ws, &model);
    let kinds = rows
        .iter()
        .map(|r| (r.id.clone(), r.kind.as_str().replace(' ', "-")))
        .collect();
    let input = hnp_events::gates::Input {
        ws: &ws,
        model: &model,
        rows: &rows,
        classify_diags: &cdiags,
        sagas: &[],
        all_sagas: true,
        verbs: hnp_events::gates::verbs::Verbs::builtin(),
        served: None,
    };
    let enabled = |_: &str| true;
    let suppressed = |_: &str, _: &hnp_events::diag::Location| false;
    let anchor = |_: &str| hnp_events::diag::Location::file(path.to_string_lossy().as_ref());
    let filter = hnp_events::gates::Filter {
        enabled: &enabled,
        suppressed: &suppressed,
        anchor: &anchor,
    };
    let (_, diags) = hnp_events::gates::run(&input, &Default::default(), &filter);
    let diags = diags
        .iter()
        .map(|d| (d.rule.to_string(), d.message.clone()))
        .collect();
    (kinds, diags)
}

/// Floors: what the gates achieve on the labelled set (raise them as they improve).
const CLASSIFY_FLOOR: f64 = 0.95;
const PRECISION_FLOOR: f64 = 0.85;

#[test]
fn gates_precision_on_labelled_documents() {
    let Some(dir) = std::env::var_os("HNP_CORPUS") else {
        println!("skipping: HNP_CORPUS not set");
        return;
    };
    let dir = PathBuf::from(dir);
    assert!(dir.is_dir(), "HNP_CORPUS={} is not a folder", dir.display());
    let labels = labels();
    let docs: BTreeSet<&String> = labels
        .ops
        .keys()
        .chain(labels.gaps.iter().map(|g| &g.0))
        .collect();
    let (mut right, mut total) = (0usize, 0usize);
    let mut wrong = Vec::new();
    // rule → (true positives, false positives, false negatives)
    let mut per_rule: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    let mut false_alarms = Vec::new();
    let mut found: BTreeSet<(String, String, String)> = BTreeSet::new();
    for doc in &docs {
        let path = dir.join(doc);
        assert!(
            path.is_file(),
            "labelled document missing: {}",
            path.display()
        );
        let (kinds, findings) = measure(&path, path.parent().unwrap_or(&dir));
        let expected = labels.ops.get(*doc).cloned().unwrap_or_default();
        for (id, kind) in &kinds {
            let Some(want) = expected.get(id) else {
                panic!("{doc}: operation `{id}` has no label");
            };
            total += 1;
            if want == kind {
                right += 1;
            } else {
                wrong.push(format!("{doc}: `{id}` is {kind}, expected {want}"));
            }
        }
        for id in expected.keys() {
            assert!(kinds.contains_key(id), "{doc}: labelled `{id}` not found");
        }
        let mut seen = BTreeSet::new();
        for (rule, subj) in findings {
            let key = ((*doc).clone(), rule.clone(), subj.clone());
            if !seen.insert(key.clone()) {
                continue;
            }
            let e = per_rule.entry(rule.clone()).or_default();
            if labels.gaps.contains(&key) {
                e.0 += 1;
                found.insert(key);
            } else {
                e.1 += 1;
                false_alarms.push(format!("{doc}: {rule} `{subj}`"));
            }
        }
    }
    for g in labels.gaps.difference(&found) {
        per_rule.entry(g.1.clone()).or_default().2 += 1;
    }
    let accuracy = right as f64 / total.max(1) as f64;
    println!(
        "classify: {right}/{total} operations right ({:.1}%) over {} documents",
        100.0 * accuracy,
        docs.len()
    );
    for w in &wrong {
        println!("  wrong: {w}");
    }
    println!(
        "{:<30} {:>4} {:>4} {:>4} {:>10} {:>8}",
        "rule", "tp", "fp", "fn", "precision", "recall"
    );
    let mut worst = 1.0f64;
    for (rule, (tp, fp, fnn)) in &per_rule {
        let precision = if tp + fp == 0 {
            1.0
        } else {
            *tp as f64 / (tp + fp) as f64
        };
        let recall = if tp + fnn == 0 {
            1.0
        } else {
            *tp as f64 / (tp + fnn) as f64
        };
        worst = worst.min(precision);
        println!(
            "{rule:<30} {tp:>4} {fp:>4} {fnn:>4} {:>9.1}% {:>7.1}%",
            100.0 * precision,
            100.0 * recall
        );
    }
    for f in &false_alarms {
        println!("  false alarm: {f}");
    }
    for g in labels.gaps.difference(&found) {
        println!("  missed: {}: {} `{}`", g.0, g.1, g.2);
    }
    assert!(
        accuracy >= CLASSIFY_FLOOR,
        "classify accuracy {accuracy:.3} fell below {CLASSIFY_FLOOR}"
    );
    assert!(
        worst >= PRECISION_FLOOR,
        "a gate rule's precision {worst:.3} fell below {PRECISION_FLOOR}"
    );
}

/// Load one AsyncAPI document written to a temporary folder.
fn load_doc(text: &str) -> (tempfile::TempDir, Workspace, hnp_events::model::Model) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("api.yaml");
    std::fs::write(&path, text).expect("write");
    let opts = LoadOptions {
        root: Some(dir.path().to_path_buf()),
        ..LoadOptions::default()
    };
    let ws = Workspace::load(&[path], &opts).expect("loads");
    let (model, _) = hnp_events::model::build(&ws);
    (dir, ws, model)
}

/// A 3.0 document with one server, one channel and one receive operation.
fn protocol_doc(protocol: &str, server_extra: &str, op_extra: &str, address: &str) -> String {
    format!(
        "asyncapi: 3.0.0
info: {{title: t, version: '1', description: d}}
servers:
  main: {{host: example.com, protocol: {protocol}{server_extra}}}
channels:
  c:
    address: '{address}'
    messages:
      OrderPlaced:
        payload: {{type: object}}
operations:
  onOrderPlaced:
    action: receive
    channel: {{$ref: '#/channels/c'}}{op_extra}
"
    )
}

/// Every row of the README's table of what protocols and bindings imply.
#[test]
fn protocol_table_rows() {
    use hnp_events::gates::protocols;
    let delivery_rows: &[(&str, &str, &str, Option<&str>)] = &[
        ("kafka", "", "", Some("at-least-once")),
        ("kafka-secure", "", "", Some("at-least-once")),
        ("sqs", "", "", Some("at-least-once")),
        ("sns", "", "", Some("at-least-once")),
        ("googlepubsub", "", "", Some("at-least-once")),
        ("pulsar", "", "", Some("at-least-once")),
        ("nats", "", "", Some("at-most-once")),
        (
            "nats",
            ", description: JetStream stream ORDERS",
            "",
            Some("at-least-once"),
        ),
        ("mqtt", "", "", Some("at-most-once")),
        (
            "mqtt",
            "",
            "\n    bindings: {mqtt: {qos: 1}}",
            Some("at-least-once"),
        ),
        (
            "mqtt",
            "",
            "\n    bindings: {mqtt: {qos: 2}}",
            Some("exactly-once"),
        ),
        ("ws", "", "", Some("at-most-once")),
        ("wss", "", "", Some("at-most-once")),
        ("redis", "", "", Some("at-most-once")),
        (
            "amqp",
            "",
            "\n    bindings: {amqp: {ack: true}}",
            Some("at-least-once"),
        ),
        (
            "amqp",
            "",
            "\n    bindings: {amqp: {ack: false}}",
            Some("at-most-once"),
        ),
        (
            "amqp",
            "",
            "\n    bindings: {amqp: {deliveryMode: 2}}",
            Some("at-least-once"),
        ),
        (
            "http",
            "",
            "\n    bindings: {kafka: {acks: all}}",
            Some("at-least-once"),
        ),
        (
            "http",
            "",
            "\n    bindings: {sqs: {queues: [{name: q, deadLetterQueue: {name: dlq}}]}}",
            Some("at-least-once"),
        ),
        ("amqp", "", "", None),
        ("http", "", "", None),
    ];
    for (protocol, server, op, want) in delivery_rows {
        let (_d, ws, model) = load_doc(&protocol_doc(protocol, server, op, "orders"));
        let doc = &model.documents[0];
        let o = &doc.operations[0];
        let ch = o.channel.and_then(|c| doc.channels.get(c));
        let got = protocols::delivery(&ws, doc, ch, o).map(|i| i.guarantee);
        assert_eq!(got, *want, "{protocol}{server}{op}");
    }
    let ordering_rows: &[(&str, &str, bool)] = &[
        ("kafka", "orders", false),
        ("wss", "orders", true),
        ("ws", "orders", true),
        ("nats", "run.{run_id}.step.{step_id}", true),
        ("mqtt", "orders/{orderId}/status", true),
        ("nats", "orders.ingest", false),
    ];
    for (protocol, address, want) in ordering_rows {
        let mut text = protocol_doc(protocol, "", "", address);
        if address.contains('{') {
            let params: Vec<&str> = address
                .split('{')
                .skip(1)
                .filter_map(|p| p.split('}').next())
                .collect();
            let decl: String = params
                .iter()
                .map(|p| format!("      {p}: {{}}\n"))
                .collect();
            text = text.replace(
                "    messages:\n      OrderPlaced:",
                &format!("    parameters:\n{decl}    messages:\n      OrderPlaced:"),
            );
        }
        let (_d, ws, model) = load_doc(&text);
        let doc = &model.documents[0];
        let got = protocols::ordering(&ws, doc, &doc.channels[0]);
        assert_eq!(got.is_some(), *want, "{protocol} {address}: {got:?}");
    }
    // A Kafka message `key` binding and an SQS FIFO queue order too.
    let kafka_key = protocol_doc("kafka", "", "", "orders").replace(
        "payload: {type: object}",
        "payload: {type: object}\n        bindings: {kafka: {key: {type: string}}}",
    );
    let (_d, ws, model) = load_doc(&kafka_key);
    let doc = &model.documents[0];
    assert!(protocols::ordering(&ws, doc, &doc.channels[0]).is_some());
    let fifo = protocol_doc("sqs", "", "", "orders").replace(
        "    messages:\n      OrderPlaced:",
        "    bindings: {sqs: {queue: {name: q, fifoQueue: true}}}\n    messages:\n      OrderPlaced:",
    );
    let (_d, ws, model) = load_doc(&fifo);
    let doc = &model.documents[0];
    assert!(protocols::ordering(&ws, doc, &doc.channels[0]).is_some());
}

fn fixture(name: &str) -> (BTreeMap<String, String>, Vec<(String, String)>) {
    let path = repo().join("fixtures/precision").join(name);
    let root = repo().join("fixtures/precision");
    measure_all(&path, &root)
}

fn kinds_of(k: &BTreeMap<String, String>) -> Vec<String> {
    k.iter().map(|(id, kind)| format!("{id} {kind}")).collect()
}

fn findings_of(d: &[(String, String)], skip: &[&str]) -> Vec<String> {
    d.iter()
        .filter(|(rule, _)| !skip.contains(&rule.as_str()))
        .map(|(rule, m)| format!("{rule}: {m}"))
        .collect()
}

/// Reply and error channels, request/response pairs and channels per entity: the role
/// outranks the verb, and each gate reads what the protocol implies.
#[test]
fn replies_errors_and_pairs() {
    let (kinds, diags) = fixture("replies.yaml");
    assert_eq!(
        kinds_of(&kinds),
        [
            "addCheck request",
            "addCheckError reply",
            "addCheckResponse reply",
            "getLeaderboard request",
            "onStepCompleted event-consumed",
            "publishStepCompleted event-published",
            "receiveLeaderboard reply",
        ]
    );
    // Only the real gap is left: the JetStream consumer (at-least-once by its server: a
    // message that keeps failing is redelivered) has no dead-letter channel or retry
    // policy. The leaderboard request only reads (`GetLeaderboard`): a read that fails
    // has no state to repair, so no error channel is asked of it.
    // (Schema consistency reports the missing envelope on every message.)
    assert_eq!(
        findings_of(&diags, &["gate-schema-consistency", "gate-threshold"]),
        [
            "gate-error-handling-coverage: at-least-once consumer `onStepCompleted` has no dead-letter channel or retry policy",
        ]
    );
}

/// A 2.x message is named by its component key, never "message"; a message behind an
/// unresolved `$ref` is not judged again by the gates.
#[test]
fn naming_2x_and_unresolved_refs() {
    let (kinds, diags) = fixture("naming-2x.yaml");
    assert_eq!(
        kinds.get("handleCreateOrder").map(String::as_str),
        Some("command")
    );
    let text = findings_of(&diags, &[]).join("\n");
    assert!(!text.contains("`message`"), "{text}");
    assert!(text.contains("message `CreateOrder`"), "{text}");
    assert!(!text.contains("OrderShipped"), "{text}");
    assert!(!text.contains("no payload schema"), "{text}");
}

/// Vacuous passes are said: channels without operations, consumers without producers.
#[test]
fn vacuous_passes_are_notes() {
    let (_, diags) = fixture("channels-only.yaml");
    let notes = findings_of(&diags, &["gate-schema-consistency", "gate-threshold"]);
    assert_eq!(
        notes,
        [
            "gate-not-measured: `channels without operations` has 1 channel and 2 messages but no operations: the gates measure operations, so its messages are in no count"
        ]
    );
    let (_, diags) = fixture("consumer-only.yaml");
    let text = findings_of(&diags, &[]).join("\n");
    assert!(
        text.contains("gate-not-measured: no producer documented (1 operation only consume events): event_flow not measured"),
        "{text}"
    );
}

/// Ordering, idempotency and correlation pointers are checked against each message's
/// schema, through `$ref`, `allOf` and `oneOf`: an error when they cannot exist, a
/// warning when they may be absent, none when they are required on every path.
#[test]
fn pointers_against_schemas() {
    let (_, diags) = fixture("pointers.yaml");
    let found: Vec<String> = diags
        .iter()
        .filter(|(rule, _)| rule.starts_with("gate-pointer"))
        .map(|(rule, m)| format!("{rule}: {m}"))
        .collect();
    assert_eq!(
        found,
        [
            "gate-pointer-missing: ordering key `/payload/doesNotExist` cannot exist in message `ResourceCreated`: no schema on its path declares `doesNotExist`",
            "gate-pointer-optional: ordering key `/payload/resource/namespace` may be absent from message `ResourceCreated`: `namespace` is not required",
            "gate-pointer-missing: correlation id `$message.header#/correlationid` cannot exist in message `ResourceCreated`: no schema on its path declares `correlationid`",
        ]
    );
}

/// One connection that answers on itself: its sends are requests answered there (not
/// events), a lone `Notify` received is a notification (not a command), and a stream
/// that also reports errors stays an event stream.
#[test]
fn one_connection_requests_and_notifications() {
    let (kinds, diags) = fixture("one-connection.yaml");
    assert_eq!(
        kinds_of(&kinds),
        [
            "auth request",
            "receiveError reply",
            "receiveNotify event-consumed",
            "receiveSuccess reply",
            "sendStream event-published",
        ]
    );
    let text = findings_of(&diags, &["gate-schema-consistency"]).join("\n");
    // The request is answered (success and error on its channel): no flow or failure gap.
    assert!(!text.contains("`auth`"), "{text}");
    assert!(!text.contains("receiveNotify"), "{text}");
}

/// Channels sharing one address with no servers are one connection: ordered.
#[test]
fn shared_address_orders() {
    let (_, diags) = fixture("shared-address.yaml");
    let ordering: Vec<String> = findings_of(&diags, &[])
        .into_iter()
        .filter(|f| f.starts_with("gate-ordering-declared"))
        .collect();
    assert_eq!(
        ordering,
        ["gate-ordering-declared: event channel `/audit` declares no ordering key"]
    );
}

fn gate_findings(diags: &[(String, String)], rules: &[&str]) -> Vec<String> {
    diags
        .iter()
        .filter(|(rule, _)| rules.contains(&rule.as_str()))
        .map(|(rule, m)| format!("{rule}: {m}"))
        .collect()
}

/// Flow completeness (issue 13 item 3) and delivery consistency (item 2): each gap is
/// one located finding in the fail fixture, and none is left in the pass fixture.
#[test]
fn flow_completeness_and_delivery_consistency() {
    let rules = [
        "gate-event-flow-coverage",
        "gate-delivery-declared",
        "gate-error-handling-coverage",
    ];
    let (_, diags) = fixture("flow-completeness.fail.yaml");
    let mut found = gate_findings(&diags, &rules);
    found.sort();
    assert_eq!(
        found,
        [
            "gate-delivery-declared: consumer `onOrderPlaced` declares at-least-once but its producer `publishOrderPlaced` declares at-most-once on channel `orders.events`",
            "gate-delivery-declared: operation `onPaymentCaptured` declares exactly-once but no mechanism the tool can see (`x-hnp-delivery-mechanism`, a transactional Kafka binding)",
            "gate-error-handling-coverage: at-least-once consumer `onOrderPlaced` has no dead-letter channel or retry policy",
            "gate-event-flow-coverage: `x-hnp-emits` of `handlePlaceOrder` names `OrderShipped`, which no operation sends",
            "gate-event-flow-coverage: event `PaymentCaptured` is consumed by `onPaymentCaptured` but no operation produces it",
            "gate-event-flow-coverage: message `OrderArchived` on channel `orders.events` is in no operation",
        ]
    );
    let (_, diags) = fixture("flow-completeness.pass.yaml");
    assert_eq!(gate_findings(&diags, &rules), Vec::<String>::new());
    assert_eq!(
        gate_findings(&diags, &["gate-threshold"])
            .iter()
            .filter(|t| !t.contains("schema_consistency"))
            .count(),
        0,
        "{diags:?}"
    );
}

/// A contract whose channels carry messages no operation uses counts every message and
/// reports the unused ones (the "6 messages exist and 3 are counted").
#[test]
fn unused_messages_are_counted() {
    let (_d, ws, model) = load_doc(
        "asyncapi: 3.0.0
info: {title: t, version: '1', description: d}
channels:
  a:
    messages:
      OrderPlaced: {payload: {type: object}}
      OrderCancelled: {payload: {type: object}}
      OrderArchived: {payload: {type: object}}
  b:
    messages:
      PaymentCaptured: {payload: {type: object}}
      PaymentRefunded: {payload: {type: object}}
      PaymentVoided: {payload: {type: object}}
operations:
  publishOrders:
    action: send
    channel: {$ref: '#/channels/a'}
    messages: [{$ref: '#/channels/a/messages/OrderPlaced'}]
    x-hnp-delivery: at-least-once
  onOrders:
    action: receive
    channel: {$ref: '#/channels/a'}
    messages: [{$ref: '#/channels/a/messages/OrderPlaced'}]
    x-hnp-delivery: at-least-once
  onPayments:
    action: receive
    channel: {$ref: '#/channels/b'}
",
    );
    let (rows, cdiags) = hnp_events::classify::classify(&ws, &model);
    let (items, _) = hnp_events::gates::flow::event_flow(&ws, &model, &rows);
    let unused: Vec<&str> = items
        .iter()
        .filter_map(|i| i.miss.as_deref())
        .filter(|m| m.contains("in no operation"))
        .collect();
    // `onPayments` lists no messages, so it receives all three of channel b; of
    // channel a, two are in no operation.
    assert_eq!(
        unused,
        [
            "message `OrderCancelled` on channel `a` is in no operation",
            "message `OrderArchived` on channel `a` is in no operation",
        ]
    );
    let _ = cdiags;
}

/// OpenAPI commands that start asynchronous work with POST need an idempotency key.
#[test]
fn openapi_commands_need_idempotency_keys() {
    let (_, diags) = fixture("openapi-idempotency.yaml");
    assert_eq!(
        gate_findings(&diags, &["gate-idempotency-declared"]),
        [
            "gate-idempotency-declared: command `startSync` (POST) starts asynchronous work but takes no idempotency key: a retried request repeats it"
        ]
    );
}

/// A choreography cycle is one finding, at its first operation, naming the cycle; the
/// same flow without the edge back has none.
#[test]
fn choreography_cycles() {
    let (_, diags) = fixture("cycle.yaml");
    let found: Vec<String> = gate_findings(&diags, &["gate-event-flow-coverage"])
        .into_iter()
        .filter(|f| f.contains("cycle"))
        .collect();
    assert_eq!(
        found,
        [
            "gate-event-flow-coverage: operation `onStockReserved` starts a choreography cycle: onStockReserved → onPaymentCharged → onStockReserved (through PaymentCharged, StockReserved), and no saga ends it"
        ]
    );
    let text = std::fs::read_to_string(repo().join("fixtures/precision/cycle.yaml"))
        .expect("fixture")
        .replace(
            "    x-hnp-emits: [{$ref: '#/components/messages/StockReserved'}]\n",
            "",
        );
    let (_d, ws, model) = load_doc(&text);
    let (rows, _) = hnp_events::classify::classify(&ws, &model);
    assert!(hnp_events::gates::flow::cycles(&model, &rows, &[]).is_empty());
}

/// Third-round rules, each beside its failing counterpart
/// (`fixtures/precision/answers-and-streams.yaml`): a received past form of a request
/// sent on the connection is its answer; a stream address carries events; a 3.0 `reply`
/// given as a channel answers with its messages (a CloudEvents `data.error` is a failure
/// answer); a dangling `$ref` in a payload is not judged for an idempotency key.
#[test]
fn answers_streams_and_dangling_keys() {
    let (kinds, diags) = fixture("answers-and-streams.yaml");
    assert_eq!(
        kinds_of(&kinds),
        [
            "auth request",
            "consumeTasks event-consumed",
            "handleAudit reply",
            "handleReview reply",
            "receiveAuthorized reply",
            "receiveShipped event-consumed",
            "receiveSuccess reply",
            "sendOutput event-published",
            "sendStart command",
        ]
    );
    let mut failure = gate_findings(&diags, &["gate-error-handling-coverage"]);
    failure.sort();
    assert_eq!(
        failure,
        [
            "gate-error-handling-coverage: command `handleAudit` declares no failure path",
            "gate-error-handling-coverage: command `sendStart` declares no failure path",
        ]
    );
    let keys = gate_findings(&diags, &["gate-idempotency-declared"]);
    assert_eq!(
        keys,
        ["gate-idempotency-declared: consumed message `PlainTask` has no idempotency key"]
    );
}

/// Missing sagas (issue 13 item 4): an operation that starts a chain of two or more
/// commands (through `x-hnp-emits`, replies and consumers) is one `saga_completeness`
/// item, at the operation that starts it (not again at the command's sender or at the
/// handler of the second command); a saga file that sends two of the chain's commands
/// covers it, one that sends a single one does not.
#[test]
fn missing_sagas() {
    let (_, diags) = fixture("saga-chain.yaml");
    assert_eq!(
        gate_findings(&diags, &["gate-saga-completeness"]),
        [
            "gate-saga-completeness: operation `onOrderPlaced` starts a chain of 2 commands (ReserveStock → ChargePayment (via `onStockReserved`)) that no saga file coordinates"
        ]
    );
    let text = std::fs::read_to_string(repo().join("fixtures/precision/saga-chain.yaml"))
        .expect("fixture");
    let (_d, ws, model) = load_doc(&text);
    let (rows, _) = hnp_events::classify::classify(&ws, &model);
    let verbs = hnp_events::gates::verbs::Verbs::builtin();
    let saga_path = repo().join("fixtures/precision/saga-chain.saga.yaml");
    let saga = hnp_events::saga::load(&saga_path, std::sync::Arc::from("saga-chain.saga.yaml"))
        .expect("saga parses");
    let items = hnp_events::gates::chains::missing_sagas(&model, &rows, &[saga], verbs);
    assert_eq!(items.len(), 1);
    assert!(items[0].miss.is_none(), "{:?}", items[0].miss);
    // Mutant: the saga no longer charges the payment (one of the chain's commands).
    let one = std::fs::read_to_string(&saga_path)
        .expect("saga")
        .replace("send: ChargePayment", "send: ReleaseStock");
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("one.saga.yaml");
    std::fs::write(&p, one).expect("write");
    let saga = hnp_events::saga::load(&p, std::sync::Arc::from("one.saga.yaml")).expect("parses");
    let items = hnp_events::gates::chains::missing_sagas(&model, &rows, &[saga], verbs);
    assert!(items[0].miss.is_some());
    // Without the second command's `x-hnp-emits` there is no chain (one command).
    let single = text.replace(
        "    x-hnp-emits: [{$ref: '#/components/messages/ChargePayment'}]\n",
        "",
    );
    let (_d2, ws2, model2) = load_doc(&single);
    let (rows2, _) = hnp_events::classify::classify(&ws2, &model2);
    assert!(hnp_events::gates::chains::missing_sagas(&model2, &rows2, &[], verbs).is_empty());
}

/// The HNP contract's NetBox → Git export (flow 3) is a chain of three commands; without
/// `netbox-git-export.saga.yaml` it is reported, with it every gate passes.
#[test]
fn hnp_export_needs_its_saga() {
    let base = [
        "validate",
        "fixtures/hnp/asyncapi.yaml",
        "fixtures/hnp/asyncapi-2.6.yaml",
        "fixtures/hnp/openapi.yaml",
        "fixtures/hnp/sagas/crd-apply.saga.yaml",
        "fixtures/hnp/sagas/drift-reconcile.saga.yaml",
    ];
    // Not gitops-sync: its status compensation (UpdateFabricStatus → MarkSyncError) sends
    // two of the chain's commands, which the rule counts as coordinating it.
    let out = crate::util::run(&base);
    let text = crate::util::stdout(&out);
    assert!(
        text.contains("warning[gate-saga-completeness]: operation `startGitExportOnNetBoxChange` starts a chain of 3 commands (CommitToGit → UpdateFabricStatus → MarkSyncError) that no saga file coordinates"),
        "{text}"
    );
    let mut all = base.to_vec();
    all.push("fixtures/hnp/sagas/netbox-git-export.saga.yaml");
    let out = crate::util::run(&all);
    assert_eq!(crate::util::code(&out), 0, "{}", crate::util::stdout(&out));
    assert!(crate::util::stdout(&out).contains("no problems found"));
}

/// The commands one operation sends are alternatives (a `oneOf` of requests), not a
/// chain: found on the corpus (a client sending `request_media | get_chunk | get_vid` on
/// one channel), so no item unless one command leads to another.
#[test]
fn alternatives_are_not_a_chain() {
    let text = std::fs::read_to_string(repo().join("fixtures/precision/saga-chain.yaml"))
        .expect("fixture")
        .replace(
            "    x-hnp-emits: [{$ref: '#/components/messages/ChargePayment'}]\n",
            "",
        )
        .replace(
            "    messages: [{$ref: '#/channels/stockCommands/messages/ReserveStock'}]\n    x-hnp-delivery: at-most-once\n  handleReserveStock:",
            "    messages:\n      - {$ref: '#/channels/stockCommands/messages/ReserveStock'}\n      - {$ref: '#/channels/stockCommands/messages/ReleaseStock'}\n    x-hnp-delivery: at-most-once\n  handleReserveStock:",
        );
    assert!(text.contains("      - {$ref: '#/channels/stockCommands/messages/ReleaseStock'}"));
    let (_d, ws, model) = load_doc(&text);
    let (rows, _) = hnp_events::classify::classify(&ws, &model);
    let verbs = hnp_events::gates::verbs::Verbs::builtin();
    assert!(hnp_events::gates::chains::missing_sagas(&model, &rows, &[], verbs).is_empty());
}

/// Error handling reads the delivery a consumer's protocol implies (the recall miss of
/// the third round: a Kafka consumer with no dead-letter topic): Kafka and SQS consumers
/// without `x-hnp-delivery` are asked for a failure path; an MQTT `qos: 1` consumer is
/// not (acknowledged on receipt, no redelivery loop); a declared `at-most-once` wins.
#[test]
fn error_handling_reads_the_protocol() {
    let count = |protocol: &str, op_extra: &str| {
        let text = protocol_doc(protocol, "", op_extra, "orders.placed");
        let (_d, ws, model) = load_doc(&text);
        let (rows, _) = hnp_events::classify::classify(&ws, &model);
        hnp_events::gates::flow::error_handling(&ws, &model, &rows)
            .iter()
            .filter(|i| {
                i.miss
                    .as_deref()
                    .is_some_and(|m| m.starts_with("at-least-once consumer"))
            })
            .count()
    };
    assert_eq!(count("kafka", ""), 1);
    assert_eq!(count("sqs", ""), 1);
    assert_eq!(count("kafka", "\n    x-hnp-retry: {maxAttempts: 3}"), 0);
    assert_eq!(count("kafka", "\n    x-hnp-delivery: at-most-once"), 0);
    assert_eq!(count("mqtt", "\n    bindings: {mqtt: {qos: 1}}"), 0);
    assert_eq!(count("mqtt", "\n    x-hnp-delivery: at-least-once"), 1);
    assert_eq!(count("ws", ""), 0);
}

/// A long chain (each handler's reply consumed by the next step's orchestrator): one
/// finding, at its first operation, naming the first 16 commands ("at least"); every
/// later operation is part of that chain.
#[test]
fn a_long_chain_is_one_finding() {
    let n = 400;
    let mut channels = String::new();
    let mut ops = String::new();
    let mut msgs = String::new();
    for i in 0..=n {
        channels.push_str(&format!(
            "  c{i}:\n    address: c{i}\n    x-hnp-ordering: none\n    messages:\n      Item{i}Processed: {{$ref: '#/components/messages/Item{i}Processed'}}\n      ProcessItem{i}: {{$ref: '#/components/messages/ProcessItem{i}'}}\n"
        ));
        msgs.push_str(&format!(
            "    Item{i}Processed: {{payload: {{type: object}}}}\n    ProcessItem{i}: {{payload: {{type: object}}}}\n"
        ));
        if i == n {
            break;
        }
        let j = i + 1;
        ops.push_str(&format!(
            "  on{i}:\n    action: receive\n    channel: {{$ref: '#/channels/c{i}'}}\n    messages: [{{$ref: '#/channels/c{i}/messages/Item{i}Processed'}}]\n    x-hnp-emits: [{{$ref: '#/components/messages/ProcessItem{i}'}}]\n  handle{i}:\n    action: receive\n    channel: {{$ref: '#/channels/c{i}'}}\n    messages: [{{$ref: '#/channels/c{i}/messages/ProcessItem{i}'}}]\n    reply:\n      channel: {{$ref: '#/channels/c{j}'}}\n      messages: [{{$ref: '#/channels/c{j}/messages/Item{j}Processed'}}]\n"
        ));
    }
    let text = format!(
        "asyncapi: 3.0.0\ninfo: {{title: long, version: '1'}}\nchannels:\n{channels}operations:\n{ops}components:\n  messages:\n{msgs}"
    );
    let (_d, ws, model) = load_doc(&text);
    let (rows, _) = hnp_events::classify::classify(&ws, &model);
    let verbs = hnp_events::gates::verbs::Verbs::builtin();
    let items = hnp_events::gates::chains::missing_sagas(&model, &rows, &[], verbs);
    assert_eq!(items.len(), 1);
    let miss = items[0].miss.clone().unwrap_or_default();
    assert!(
        miss.starts_with("operation `on0` starts a chain of at least 16 commands (ProcessItem0 → ProcessItem1 (via `on1`) → "),
        "{miss}"
    );
    assert!(miss.contains("ProcessItem15 (via `on15`)"), "{miss}");
    assert!(!miss.contains("ProcessItem16"), "{miss}");
}

/// A plain HTTP API (no events anywhere) is not asked for resulting events: an HTTP
/// command's outcome is its response. A note says so; error handling still applies.
#[test]
fn plain_http_commands_need_no_event() {
    let (kinds, diags) = fixture("plain-http.yaml");
    assert_eq!(
        kinds_of(&kinds),
        [
            "archiveNote command",
            "createNote command",
            "listNotes query"
        ]
    );
    assert_eq!(
        findings_of(&diags, &["gate-threshold"]),
        [
            "gate-error-handling-coverage: command `archiveNote` declares no failure path",
            "gate-not-measured: no events documented: an HTTP command's outcome is its response, so whether the 2 HTTP commands lead to an event is not measured (declare `x-hnp-emits` or `callbacks` to measure it)",
        ]
    );
    // With a callback somewhere, the documents describe events: measured again.
    let (_, diags) = fixture("openapi-idempotency.yaml");
    let text = findings_of(&diags, &[]).join("\n");
    assert!(!text.contains("no events documented"), "{text}");
}

/// What orders a channel: an SQS FIFO queue named in operation bindings, an address
/// parameter that identifies an entity; route or format parameters do not.
#[test]
fn ordering_reads_fifo_operations_and_entity_parameters() {
    let (_, diags) = fixture("ordering-shapes.yaml");
    let ordering: Vec<String> = findings_of(&diags, &[])
        .into_iter()
        .filter(|f| f.starts_with("gate-ordering-declared"))
        .collect();
    assert_eq!(
        ordering,
        [
            "gate-ordering-declared: event channel `exports.{region}.{format}` declares no ordering key"
        ]
    );
}

/// Parts behind `$ref`s that do not resolve (a server, a payload in a format wrapper,
/// `oneOf` alternatives) are not judged again; what is visible still is.
#[test]
fn unresolved_parts_are_not_judged_again() {
    let (kinds, diags) = fixture("unresolved-parts.yaml");
    assert_eq!(kinds_of(&kinds), ["publishParcelShipped event-published"]);
    let text = findings_of(&diags, &["gate-threshold"]).join("\n");
    assert!(!text.contains("delivery guarantee"), "{text}");
    assert!(!text.contains("envelope"), "{text}");
    assert!(!text.contains("type: object"), "{text}");
    assert!(!text.contains("ParcelShippedEvent"), "{text}");
    assert!(
        text.contains("message `ParcelLabelPrinted`: no example"),
        "{text}"
    );
    // `…Event` (and `Message`, `V2`) after the verb is a type suffix, not the verb.
    use hnp_events::classify::{Naming, naming};
    assert_eq!(naming("ParcelShippedEvent"), Naming::PastTense);
    assert_eq!(naming("OrderPlacedV2"), Naming::PastTense);
    assert_eq!(naming("ShipParcelMessage"), Naming::Imperative);
    assert_eq!(naming("Event"), Naming::Unclear);
}

/// A handled request that only reads (its summary or message name starts with a read
/// verb, or its summary asks for a list or an inventory) needs no idempotency key and
/// no failure path (a read that fails has no state to repair; its caller sees no
/// answer); one that changes state needs both.
#[test]
fn read_requests_are_not_commands_for_the_gates() {
    let (_, diags) = fixture("read-requests.yaml");
    let text = findings_of(&diags, &["gate-schema-consistency", "gate-threshold"]);
    assert_eq!(
        text,
        [
            "gate-error-handling-coverage: command `bakeRequest` declares no failure path",
            "gate-idempotency-declared: consumed message `StartBake` has no idempotency key",
        ]
    );
}

/// Content behind a `$ref` that does not resolve is unknown, not missing, for every gate
/// rule: a message, a channel or an operation that did not resolve, an operation on such
/// a channel, a channel whose only messages did not, and examples in a payload that did
/// not give no finding and are not counted; what is visible is still judged.
#[test]
fn unresolved_content_is_unknown_for_every_gate() {
    let (_, diags) = fixture("unresolved-everywhere.yaml");
    assert_eq!(
        findings_of(&diags, &["gate-threshold"]),
        [
            "gate-event-flow-coverage: event `PaymentTaken` is consumed by `onPaymentTaken` but no operation produces it",
            "gate-error-handling-coverage: at-least-once consumer `onOrderPlaced` has no dead-letter channel or retry policy",
            "gate-error-handling-coverage: at-least-once consumer `onPaymentTaken` has no dead-letter channel or retry policy",
            "gate-error-handling-coverage: at-least-once consumer `onShipmentSent` has no dead-letter channel or retry policy",
            "gate-error-handling-coverage: at-least-once consumer `onInvoiceIssued` has no dead-letter channel or retry policy",
            "gate-ordering-declared: event channel `payments` declares no ordering key",
            "gate-ordering-declared: event channel `shipments` declares no ordering key",
        ]
    );
    // The counts leave the unknown items out: 2 of the 3 judged channels miss (not 4 of 5).
    let threshold = findings_of(&diags, &[]).join("\n");
    assert!(
        threshold.contains("ordering_declared is 33.3% (1/3)"),
        "{threshold}"
    );
    let (_, diags) = fixture("unresolved-everywhere-2x.yaml");
    assert_eq!(
        findings_of(&diags, &["gate-threshold"]),
        [
            "gate-event-flow-coverage: command `takePayment` declares no resulting event",
            "gate-error-handling-coverage: command `takePayment` declares no failure path",
            "gate-delivery-declared: operation `takePayment` declares no delivery guarantee",
            "gate-ordering-declared: event channel `orders` declares no ordering key",
        ]
    );
}

/// Bindings state what the servers do not: a `ws` channel or operation binding makes a
/// WebSocket endpoint (one connection, in order) and a Kafka topic with one partition is
/// in order; three partitions without a message key order nothing.
#[test]
fn ordering_reads_ws_bindings_and_single_partitions() {
    let (_, diags) = fixture("ordering-bindings.yaml");
    let ordering: Vec<String> = findings_of(&diags, &[])
        .into_iter()
        .filter(|f| f.starts_with("gate-ordering-declared"))
        .collect();
    assert_eq!(
        ordering,
        ["gate-ordering-declared: event channel `metrics` declares no ordering key"]
    );
}

/// A FastStream-generated 2.6 document (`<queue>:<exchange>:<Handler>` channels,
/// `<key>:Message` titles) uses `subscribe` for what the application receives and
/// `publish` for what it sends: read that way, the handler takes requests answered on
/// the response queue, and the publishers send the answers and an event. Messages are
/// named after their payload model, and an answer is named as neither a command nor an
/// event.
#[test]
fn faststream_documents_read_their_verbs_the_other_way() {
    let (kinds, diags) = fixture("faststream.yaml");
    assert_eq!(
        kinds_of(&kinds),
        [
            "/channels/order-events:_:Publisher/publish event-published",
            "/channels/order-requests:_:HandleCreateOrder/subscribe request",
            "/channels/order-responses:_:Publisher/publish reply",
        ]
    );
    let schema: Vec<String> = findings_of(&diags, &[])
        .into_iter()
        .filter(|f| f.starts_with("gate-schema-consistency"))
        .collect();
    assert_eq!(
        schema,
        [
            "gate-schema-consistency: message `CreateOrder`: envelope attributes missing: id, source, specversion, type; no example",
            "gate-schema-consistency: message `OrderResponse`: envelope attributes missing: id, source, specversion, type; no example",
            "gate-schema-consistency: message `OrderCreated`: envelope attributes missing: id, source, specversion, type; no example",
        ]
    );
    // The order events go out on `order-events` (the queue), not on the channel key.
    let text = findings_of(&diags, &[]).join("\n");
    assert!(
        text.contains("event channel `order-events` declares no ordering key"),
        "{text}"
    );
}

/// Channels that are not ordered event streams: requests carrying their reply address
/// (AMQP `replyTo`), requests answered by correlation (an RPC queue), and messages with
/// their own sequence number; an event named as one still needs its order stated.
#[test]
fn ordering_skips_requests_and_sequenced_messages() {
    let (_, diags) = fixture("ordering-requests.yaml");
    let ordering: Vec<String> = findings_of(&diags, &[])
        .into_iter()
        .filter(|f| f.starts_with("gate-ordering-declared") || f.contains("ordering_declared"))
        .collect();
    assert_eq!(
        ordering,
        [
            "gate-ordering-declared: event channel `orders` declares no ordering key",
            "gate-threshold: ordering_declared is 66.6% (2/3), below its threshold of 100%",
        ]
    );
}
