//! A saga that starts on any of several messages (`start: [A, B, {message, when}]`),
//! and the HNP streams of this round: gitops-sync aborted by `SyncFailed` (`abortOn`),
//! crd-apply's Applied condition reported before the apply's reply.

use std::path::Path;
use std::sync::Arc;

use hnp_events::saga;

use crate::util::{code, repo, run, stderr, stdout};

fn load_text(text: &str) -> Result<saga::Saga, Vec<hnp_events::diag::Diagnostic>> {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("s.saga.yaml");
    std::fs::write(&p, text).expect("write");
    saga::load(&p, Arc::from("s.saga.yaml"))
}

const HEAD: &str = "saga: s\nversion: 1\ncontract: c.yaml\ncorrelation: /headers/correlationid\n";
const STEPS: &str = "steps:\n  - id: wait\n    on: B\n    timeout: 1m\n    onTimeout: fail\n";

#[test]
fn the_export_saga_starts_on_created_updated_and_deleted() {
    let out = run(&[
        "simulate",
        "fixtures/hnp/sagas/netbox-git-export.saga.yaml",
        "--events",
        "fixtures/hnp/streams/netbox-git-export-happy.jsonl",
        "--expect",
        "fixtures/hnp/streams/netbox-git-export-happy.expect.json",
    ]);
    let text = stdout(&out);
    assert_eq!(code(&out), 0, "{text}{}", stderr(&out));
    for m in [
        "NetBoxObjectCreated",
        "NetBoxObjectUpdated",
        "NetBoxObjectDeleted",
    ] {
        assert!(text.contains(&format!("started by {m}")), "{m}: {text}");
    }
    assert!(text.contains("3 instances: 3 completed"), "{text}");
}

#[test]
fn a_second_start_message_for_a_running_instance_is_a_concurrent_start() {
    // NetBoxObjectDeleted for the key of a running export (started by an update).
    let text =
        std::fs::read_to_string(repo().join("fixtures/hnp/streams/netbox-git-export-happy.jsonl"))
            .expect("stream");
    let first = text.lines().next().expect("a line");
    let mut v: serde_json::Value = serde_json::from_str(first).expect("json");
    assert_eq!(v["message"], "NetBoxObjectUpdated");
    v["message"] = "NetBoxObjectDeleted".into();
    v["headers"]["id"] = "01JEVSECONDSTART000000000".into();
    let stream: String = text
        .lines()
        .take(1)
        .map(str::to_string)
        .chain([v.to_string()])
        .chain(text.lines().skip(1).map(str::to_string))
        .map(|l| l + "\n")
        .collect();
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("two-starts.jsonl");
    std::fs::write(&p, stream).expect("write");
    let out = run(&[
        "simulate",
        "fixtures/hnp/sagas/netbox-git-export.saga.yaml",
        "--events",
        &p.to_string_lossy(),
        "--no-validate",
    ]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert!(
        stdout(&out).contains("saga-concurrent-start") && stdout(&out).contains(":2:"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn start_lists_are_parsed_and_their_mistakes_located() {
    let s = load_text(&format!(
        "{HEAD}start: [A, {{message: C, when: {{pointer: /payload/x, equals: 1}}}}]\n{STEPS}"
    ))
    .expect("parses");
    let names: Vec<&str> = s.start.iter().map(|x| x.message.name.as_str()).collect();
    assert_eq!(names, ["A", "C"]);
    assert_eq!(s.start[1].message.ptr, "/start/1/message");
    assert!(s.start[1].when.is_some() && s.start[0].when.is_none());

    let err = load_text(&format!("{HEAD}start: []\n{STEPS}")).expect_err("empty");
    assert!(
        err.iter()
            .any(|d| d.rule == "saga-invalid" && d.message.contains("`start` is empty")),
        "{err:#?}"
    );
    // The same message twice, one without `when`: the two cannot be told apart.
    let err = load_text(&format!(
        "{HEAD}start:\n  - A\n  - {{message: A, when: {{pointer: /payload/x, equals: 1}}}}\n{STEPS}"
    ))
    .expect_err("ambiguous");
    let d = err
        .iter()
        .find(|d| d.message.contains("is a start message twice"))
        .unwrap_or_else(|| panic!("{err:#?}"));
    assert_eq!(d.location.line(), Some(7), "{d:#?}");
    let err = load_text(&format!("{HEAD}start: [A, 3]\n{STEPS}")).expect_err("a number");
    assert!(
        err.iter().any(|d| d.message.contains("expected a mapping")),
        "{err:#?}"
    );
}

#[test]
fn the_json_schema_takes_start_lists() {
    let schema = saga::json_schema();
    let v = jsonschema::validator_for(&schema).expect("compiles");
    let parse = |t: &str| {
        let mut d = Vec::new();
        hnp_events::source::parse_file(
            Path::new("s.yaml"),
            t.as_bytes().to_vec(),
            Arc::from("s"),
            &mut d,
        )
        .value
        .expect("yaml")
    };
    let ok = parse(&format!(
        "{HEAD}start: [A, {{message: C, when: {{pointer: /payload/x, equals: 1}}}}]\n{STEPS}"
    ));
    assert!(v.is_valid(&ok));
    for bad in [
        "start: []\n",
        "start: [A, 3]\n",
        "start: [{when: {pointer: /a, equals: 1}}]\n",
    ] {
        assert!(!v.is_valid(&parse(&format!("{HEAD}{bad}{STEPS}"))), "{bad}");
    }
}

#[test]
fn sync_failed_aborts_gitops_sync_after_the_step_in_flight() {
    let out = run(&[
        "simulate",
        "fixtures/hnp/sagas/gitops-sync.saga.yaml",
        "--events",
        "fixtures/hnp/streams/gitops-sync-abort.jsonl",
        "--expect",
        "fixtures/hnp/streams/gitops-sync-abort.expect.json",
    ]);
    let text = stdout(&out);
    assert_eq!(code(&out), 0, "{text}{}", stderr(&out));
    let abort = text.find("abortOn").expect("aborted");
    let restore = text.find("send RestoreNetBoxSnapshot").expect("restored");
    assert!(abort < restore, "{text}");
    assert!(text.contains("1 compensated"), "{text}");
}

#[test]
fn an_applied_report_before_the_apply_reply_completes_verification() {
    // crd-apply's verify-applied waits from the moment ApplyResources is sent: the
    // agents' early report is its completion, not an ignored event.
    let out = run(&[
        "simulate",
        "fixtures/hnp/sagas/crd-apply.saga.yaml",
        "--events",
        "fixtures/hnp/streams/crd-apply-early-status.jsonl",
        "--expect",
        "fixtures/hnp/streams/crd-apply-early-status.expect.json",
    ]);
    let text = stdout(&out);
    assert_eq!(code(&out), 0, "{text}{}", stderr(&out));
    let verify = text.find("done verify-applied").expect("verified");
    let apply = text.find("done apply-resources").expect("applied");
    assert!(verify < apply, "{text}");
    assert!(!text.contains("ignored ResourceStatusChanged"), "{text}");
}
