//! What `simulate` and `--explore` say about a run is located and true (outside red
//! team, round 3): exploration's findings name the stream line they concern, the
//! timeline says which timer a waiting instance waits for, a completion awaited while
//! giving up has its real latency, an abort is no attempt of a step, and exploration's
//! plain run judges the end of the recording as `simulate` does.

use std::path::Path;

use serde_json::Value;

use crate::util::{code, repo, run, stdout};

/// The HNP saga `name` rewritten by `edit`, saved in `dir` next to an absolute
/// contract path.
fn hnp_saga(dir: &Path, name: &str, edit: impl Fn(String) -> String) -> String {
    let text = std::fs::read_to_string(repo().join(format!("fixtures/hnp/sagas/{name}.saga.yaml")))
        .expect("saga");
    let contract = repo().join("fixtures/hnp/asyncapi.yaml");
    let text = edit(text).replace(
        "contract: ../asyncapi.yaml",
        &format!("contract: {}", contract.display()),
    );
    let p = dir.join(format!("{name}.saga.yaml"));
    std::fs::write(&p, text).expect("write");
    p.display().to_string()
}

fn stream(name: &str) -> String {
    repo()
        .join(format!("fixtures/hnp/streams/{name}.jsonl"))
        .display()
        .to_string()
}

/// Without `causation:`, exploration finds replies taken for another attempt; those
/// counterexamples (found at a synthetic reply or at the instance's end) carry the
/// stream line of the event they perturb, never 0.
#[test]
fn exploration_findings_carry_the_stream_line_they_concern() {
    let dir = tempfile::tempdir().expect("tempdir");
    let saga = hnp_saga(dir.path(), "gitops-sync", |t| {
        t.replace("causation: /headers/causationid\n", "")
    });
    let events = stream("gitops-sync-happy");
    let o = run(&[
        "simulate",
        &saga,
        "--events",
        &events,
        "--explore",
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).expect("json");
    let ces = v["explore"]["counterexamples"].as_array().expect("list");
    let rules: Vec<&str> = ces.iter().filter_map(|c| c["rule"].as_str()).collect();
    assert!(rules.contains(&"saga-reply-misattributed"), "{rules:?}");
    for c in ces {
        for viol in c["violations"].as_array().expect("violations") {
            let line = viol["line"].as_u64().unwrap_or(0);
            assert!(line > 0, "{c:#}");
            // The line is one the perturbation names.
            let text = c["perturbation"].to_string();
            assert!(text.contains(&format!("line {line}")), "{c:#}");
        }
    }
}

/// A saga without `deadline`: the instance the stream leaves waiting waits for a
/// step's timeout, and the timeline says so (not "the deadline"). With a saga-wide
/// deadline that comes first, the timeline names that.
#[test]
fn a_waiting_instance_names_the_timer_it_waits_for() {
    let events = stream("drift-reconcile-out-of-order");
    let saga = repo()
        .join("fixtures/hnp/sagas/drift-reconcile.saga.yaml")
        .display()
        .to_string();
    let o = run(&["simulate", &saga, "--events", &events]);
    let out = stdout(&o);
    assert!(!out.contains("before the deadline"), "{out}");
    assert!(
        out.contains(
            "waiting (the stream ended before the timeout of step `resolve-alert` at +1 min 40 s)"
        ),
        "{out}"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let with_deadline = hnp_saga(dir.path(), "drift-reconcile", |t| {
        t.replacen("steps:\n", "deadline: 1h\nsteps:\n", 1)
    });
    let out = stdout(&run(&["simulate", &with_deadline, "--events", &events]));
    assert!(
        out.contains("the timeout of step `resolve-alert` at +1 min 40 s"),
        "{out}"
    );
    let short = hnp_saga(dir.path(), "drift-reconcile", |t| {
        t.replacen("steps:\n", "deadline: 1m30s\nsteps:\n", 1)
    });
    let o = run(&["simulate", &short, "--events", &events, "--format", "json"]);
    let v: Value = serde_json::from_str(&stdout(&o)).expect("json");
    let state = &v["instances"][0]["final"];
    assert_eq!(state["timer"], "the saga's deadline", "{state:#}");
}

/// An abort while `update-status` is in flight: the abort is no attempt of a step, and
/// the in-flight step's answer, awaited while giving up, has its real latency (counted
/// in the step's latencies too).
#[test]
fn an_abort_and_an_awaited_answer_are_told_as_they_are() {
    let dir = tempfile::tempdir().expect("tempdir");
    // The recorded stream fails update-status after the abort; a success instead.
    let text = std::fs::read_to_string(stream("gitops-sync-abort")).expect("stream");
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[8].contains("\"FabricStatusUpdateFailed\""),
        "{}",
        lines[8]
    );
    let answered = lines[8].replace("FabricStatusUpdateFailed", "FabricStatusUpdated");
    let mut out_lines: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    out_lines[8] = answered;
    let events = dir.path().join("abort.jsonl");
    std::fs::write(&events, out_lines.join("\n") + "\n").expect("write");
    let saga = repo()
        .join("fixtures/hnp/sagas/gitops-sync.saga.yaml")
        .display()
        .to_string();
    let o = run(&[
        "simulate",
        &saga,
        "--events",
        &events.display().to_string(),
        "--no-validate",
    ]);
    let out = stdout(&o);
    assert!(out.contains("ABORT <- SyncFailed (abortOn)"), "{out}");
    assert!(!out.contains("abortOn <- SyncFailed (attempt"), "{out}");
    assert!(
        out.contains("done update-status <- FabricStatusUpdated in 400 ms"),
        "{out}"
    );
    assert!(out.contains("gitops-sync/update-status "), "{out}");
}
