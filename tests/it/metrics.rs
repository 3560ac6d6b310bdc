//! Stream metrics of `simulate` (latency per consumer and step, delivery, ordering):
//! passing and failing streams, objectives from the contract and from hnp-events.yaml.

use std::path::Path;

use serde_json::Value;

use crate::util::{code, repo, run, run_in, stdout};

const SAGAS: &[&str] = &[
    "crd-apply",
    "drift-reconcile",
    "gitops-sync",
    "netbox-git-export",
];

fn json_run(dir: &Path, saga: &str, stream: &str, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["simulate", saga, "--events", stream, "--format", "json"];
    args.extend_from_slice(extra);
    let out = run_in(dir, &args);
    let v: Value = serde_json::from_str(&stdout(&out)).expect("json output");
    (code(&out), v)
}

fn rules(v: &Value) -> Vec<String> {
    v["metrics"]["violations"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x["rule"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn consumer<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["metrics"]["consumers"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["name"] == name))
        .unwrap_or_else(|| panic!("no consumer {name}: {v}"))
}

#[test]
fn a_slow_consumer_misses_the_default_objective_and_a_fast_one_meets_it() {
    let saga = "fixtures/hnp/sagas/netbox-git-export.saga.yaml";
    let (c, v) = json_run(
        &repo(),
        saga,
        "fixtures/metrics/netbox-git-export-fast-consumer.jsonl",
        &[],
    );
    assert_eq!(c, 0, "{v}");
    assert!(rules(&v).is_empty(), "{v}");
    let done = consumer(&v, "NetBoxObjectUpdated → ConflictDetectionCompleted");
    assert_eq!(done["p95Ms"], 60);
    assert_eq!(done["objectiveP95Ms"], 100);
    assert_eq!(done["ok"], true);

    let (c, v) = json_run(
        &repo(),
        saga,
        "fixtures/metrics/netbox-git-export-slow-consumer.jsonl",
        &[],
    );
    assert_eq!(c, 1, "{v}");
    assert_eq!(
        rules(&v),
        ["stream-latency-objective", "stream-latency-objective"]
    );
    // Times in the stream: the update at 0 ms, the detector's events at 800 and 1200 ms.
    assert_eq!(
        consumer(&v, "NetBoxObjectUpdated → ConflictDetected")["p95Ms"],
        800
    );
    let done = consumer(&v, "NetBoxObjectUpdated → ConflictDetectionCompleted");
    assert_eq!(done["p95Ms"], 1200);
    assert_eq!(done["ok"], false);
    // Located at the slowest reaction's line.
    let lines: Vec<u64> = v["metrics"]["violations"]
        .as_array()
        .expect("test setup")
        .iter()
        .map(|x| x["line"].as_u64().expect("test setup"))
        .collect();
    assert_eq!(lines, [2, 3]);
    // The saga itself is fine: only the metric fails the run.
    assert_eq!(v["violations"].as_array().map(Vec::len), Some(0));

    // Human output says the same.
    let out = run(&[
        "simulate",
        saga,
        "--events",
        "fixtures/metrics/netbox-git-export-slow-consumer.jsonl",
    ]);
    let text = stdout(&out);
    assert!(text.contains("stream metrics:"), "{text}");
    assert!(text.contains("p95 < 100 ms (default) MISSED"), "{text}");
    // Without validation events are read only for what the sagas need: consumer
    // latency and ordering are not measured (so not judged).
    let (c2, v2) = json_run(
        &repo(),
        saga,
        "fixtures/metrics/netbox-git-export-slow-consumer.jsonl",
        &["--no-validate"],
    );
    assert_eq!(c2, 0, "{v2}");
    assert_eq!(v2["metrics"]["consumersMeasured"], false);
    assert_eq!(v2["metrics"]["ordering"]["measured"], false);
    assert_eq!(
        v2["metrics"]["delivery"]["answered"],
        v["metrics"]["delivery"]["answered"]
    );
}

#[test]
fn hnp_streams_meet_the_objectives_except_where_built_to_break_them() {
    for name in SAGAS {
        for kind in ["happy", "compensate", "duplicate"] {
            let (c, v) = json_run(
                &repo(),
                &format!("fixtures/hnp/sagas/{name}.saga.yaml"),
                &format!("fixtures/hnp/streams/{name}-{kind}.jsonl"),
                &[],
            );
            assert_eq!(c, 0, "{name}-{kind}: {v}");
            assert!(rules(&v).is_empty(), "{name}-{kind}: {v}");
            let m = &v["metrics"];
            assert_eq!(m["delivery"]["timedOut"], 0, "{name}-{kind}");
            assert!(
                m["delivery"]["answered"].as_u64().expect("test setup") > 0,
                "{name}-{kind}"
            );
            assert_eq!(m["ordering"]["outOfOrder"], 0, "{name}-{kind}");
        }
    }
    // crd-apply's out-of-order stream delivers step 2's reply (produced at 3.4 s)
    // before step 1's (produced at 0.4 s), both keyed by the saga id.
    let (c, v) = json_run(
        &repo(),
        "fixtures/hnp/sagas/crd-apply.saga.yaml",
        "fixtures/hnp/streams/crd-apply-out-of-order.jsonl",
        &[],
    );
    assert_eq!(c, 1);
    assert_eq!(rules(&v), ["stream-ordering"]);
    assert_eq!(v["metrics"]["ordering"]["outOfOrder"], 1);
    assert_eq!(v["metrics"]["violations"][0]["line"], 3);
    // gitops-sync's timeout stream: validate-access answered, fetch-changes never
    // (three attempts time out); the instance waits for a compensation at the end.
    let (c, v) = json_run(
        &repo(),
        "fixtures/hnp/sagas/gitops-sync.saga.yaml",
        "fixtures/hnp/streams/gitops-sync-timeout.jsonl",
        &[],
    );
    assert_eq!(c, 1);
    assert_eq!(rules(&v), ["stream-delivery-reliability"]);
    let d = &v["metrics"]["delivery"];
    assert_eq!(
        (d["answered"].as_u64(), d["timedOut"].as_u64()),
        (Some(1), Some(3))
    );
    // crd-apply's timeout stream ends while apply-resources is in flight: not judged.
    let (c, v) = json_run(
        &repo(),
        "fixtures/hnp/sagas/crd-apply.saga.yaml",
        "fixtures/hnp/streams/crd-apply-timeout.jsonl",
        &[],
    );
    assert_eq!(c, 0, "{v}");
    assert_eq!(v["metrics"]["delivery"]["inFlight"], 1);
}

fn copy_crd_apply(dir: &Path, latency: Option<&str>) {
    let hnp = repo().join("fixtures/hnp");
    for sub in ["common", "sagas", "streams"] {
        std::fs::create_dir_all(dir.join(sub)).expect("test setup");
    }
    for f in [
        "common/cloudevents.yaml",
        "common/schemas.yaml",
        "sagas/crd-apply.saga.yaml",
        "streams/crd-apply-happy.jsonl",
    ] {
        std::fs::copy(hnp.join(f), dir.join(f)).expect("test setup");
    }
    let mut text = std::fs::read_to_string(hnp.join("asyncapi.yaml")).expect("test setup");
    if let Some(l) = latency {
        let at = text
            .find("  handleBackupClusterState:\n")
            .expect("the handler");
        let end = at + text[at..].find("\n\n").expect("its end");
        text.insert_str(end, &format!("\n    x-hnp-latency: {l}"));
    }
    std::fs::write(dir.join("asyncapi.yaml"), text).expect("test setup");
}

#[test]
fn a_step_without_p95_is_held_to_its_handlers_x_hnp_latency() {
    let saga = "sagas/crd-apply.saga.yaml";
    let stream = "streams/crd-apply-happy.jsonl";
    let step = |v: &Value| {
        v["metrics"]["steps"]
            .as_array()
            .and_then(|a| a.iter().find(|s| s["name"] == "crd-apply/backup-cluster"))
            .cloned()
            .unwrap_or(Value::Null)
    };
    // The backup is answered 3 s after it is sent.
    let dir = tempfile::tempdir().expect("test setup");
    copy_crd_apply(dir.path(), Some("{p95: 1s}"));
    let (c, v) = json_run(dir.path(), saga, stream, &[]);
    assert_eq!(c, 1, "{v}");
    assert_eq!(rules(&v), ["stream-latency-objective"]);
    assert_eq!(step(&v)["source"], "x-hnp-latency");
    assert_eq!(step(&v)["p95Ms"], 3000);

    let dir = tempfile::tempdir().expect("test setup");
    copy_crd_apply(dir.path(), Some("{p95: 5s}"));
    let (c, v) = json_run(dir.path(), saga, stream, &[]);
    assert_eq!(c, 0, "{v}");
    assert_eq!(step(&v)["objectiveP95Ms"], 5000);

    // Without a declaration the step has no objective.
    let dir = tempfile::tempdir().expect("test setup");
    copy_crd_apply(dir.path(), None);
    let (c, v) = json_run(dir.path(), saga, stream, &[]);
    assert_eq!(c, 0, "{v}");
    assert_eq!(step(&v).get("objectiveP95Ms"), None);

    // A malformed declaration is a located error at the operation.
    let dir = tempfile::tempdir().expect("test setup");
    copy_crd_apply(dir.path(), Some("fast"));
    let (c, v) = json_run(dir.path(), saga, stream, &[]);
    assert_eq!(c, 1, "{v}");
    let d = v["diagnostics"]
        .as_array()
        .and_then(|a| a.iter().find(|d| d["rule"] == "stream-latency-objective"))
        .cloned()
        .unwrap_or(Value::Null);
    assert!(
        d["message"]
            .as_str()
            .unwrap_or("")
            .contains("handleBackupClusterState"),
        "{v}"
    );
    assert!(d.to_string().contains("asyncapi.yaml"), "{d}");
}

#[test]
fn objectives_and_rule_levels_come_from_hnp_events_yaml() {
    let dir = tempfile::tempdir().expect("test setup");
    let hnp = repo().join("fixtures/hnp");
    let saga = hnp.join("sagas/netbox-git-export.saga.yaml");
    let slow = repo().join("fixtures/metrics/netbox-git-export-slow-consumer.jsonl");
    let (saga, slow) = (
        saga.to_str().expect("test setup"),
        slow.to_str().expect("test setup"),
    );
    std::fs::write(
        dir.path().join("hnp-events.yaml"),
        "objectives: {latency-p95: 2s}\n",
    )
    .expect("test setup");
    let (c, v) = json_run(dir.path(), saga, slow, &[]);
    assert_eq!(c, 0, "{v}");
    assert_eq!(v["metrics"]["objectives"]["latencyP95Ms"], 2000);
    std::fs::write(
        dir.path().join("hnp-events.yaml"),
        "rules: {stream-latency-objective: warning}\n",
    )
    .expect("test setup");
    let (c, v) = json_run(dir.path(), saga, slow, &[]);
    assert_eq!(c, 0, "a warning does not fail: {v}");
    assert_eq!(rules(&v).len(), 2);
    std::fs::write(
        dir.path().join("hnp-events.yaml"),
        "objectives: {delivery: 2}\n",
    )
    .expect("test setup");
    let out = run_in(dir.path(), &["simulate", saga, "--events", slow]);
    assert_eq!(code(&out), 2);
    assert!(
        crate::util::stderr(&out).contains("`delivery` must be a ratio"),
        "{}",
        crate::util::stderr(&out)
    );
}

#[test]
fn quiet_runs_print_only_missed_objectives_and_measure_the_same() {
    let out = run(&[
        "simulate",
        "fixtures/hnp/sagas/netbox-git-export.saga.yaml",
        "--events",
        "fixtures/metrics/netbox-git-export-slow-consumer.jsonl",
        "-q",
    ]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let text = stdout(&out);
    assert!(!text.contains("stream metrics:"), "{text}");
    assert!(
        text.contains("stream-latency-objective (line 3): reactions `NetBoxObjectUpdated → ConflictDetectionCompleted`"),
        "{text}"
    );
    // --quiet keeps no timelines, but the engine counts answered and timed-out attempts
    // as they happen: the same stream gives the same exit code and the same metrics with
    // and without it (gitops-sync's timeout stream misses the delivery objective).
    for (saga, stream) in [
        ("gitops-sync", "gitops-sync-timeout"),
        ("crd-apply", "crd-apply-timeout"),
        ("crd-apply", "crd-apply-out-of-order"),
        ("netbox-git-export", "netbox-git-export-happy"),
        ("drift-reconcile", "drift-reconcile-compensate"),
    ] {
        let saga = format!("fixtures/hnp/sagas/{saga}.saga.yaml");
        let stream = format!("fixtures/hnp/streams/{stream}.jsonl");
        let (c, full) = json_run(&repo(), &saga, &stream, &[]);
        let (cq, quiet) = json_run(&repo(), &saga, &stream, &["-q"]);
        assert_eq!(c, cq, "{stream}: exit code with and without -q");
        assert_eq!(full["metrics"], quiet["metrics"], "{stream}");
    }
    let (c, v) = json_run(
        &repo(),
        "fixtures/hnp/sagas/gitops-sync.saga.yaml",
        "fixtures/hnp/streams/gitops-sync-timeout.jsonl",
        &["-q"],
    );
    assert_eq!(c, 1, "{v}");
    assert_eq!(rules(&v), ["stream-delivery-reliability"]);
    let d = &v["metrics"]["delivery"];
    assert_eq!(
        (d["answered"].as_u64(), d["timedOut"].as_u64()),
        (Some(1), Some(3))
    );
}
