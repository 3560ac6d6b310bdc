//! Child sagas as steps (`saga: PATH`): `fabric-rollout` commits a NetBox edit to Git,
//! runs the HNP `crd-apply` saga as a child, then updates the fabric's status. The
//! child runs under the id of the command that starts it and its outcome reaches the
//! parent from the child's own run; every construct that cannot work is a static
//! finding at the step.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use hnp_events::diag::{Diagnostic, Severity};
use hnp_events::saga;

use crate::util::{code, repo, run, stdout};

const PARENT: &str = "fixtures/saga-child/fabric-rollout.saga.yaml";
const CHILD: &str = "fixtures/hnp/sagas/crd-apply.saga.yaml";
const STREAMS: [&str; 3] = ["happy", "child-fails", "status-fails"];

fn stream(name: &str) -> String {
    format!("fixtures/saga-child/streams/fabric-rollout-{name}.jsonl")
}

/// The final state of each instance, from the text report's headings.
fn states(out: &str) -> Vec<String> {
    let mut v: Vec<String> = out
        .lines()
        .filter(|l| !l.starts_with(' ') && l.contains(" — "))
        .map(|l| {
            let (who, state) = l.split_once(" — ").unwrap_or((l, ""));
            let saga = who.split(' ').next().unwrap_or("");
            let state = state.split(' ').next().unwrap_or("");
            format!("{saga}: {state}")
        })
        .collect();
    v.sort();
    v
}

#[test]
fn the_rollout_and_its_child_run_clean_on_every_stream() {
    let want = [
        (
            "happy",
            ["crd-apply: completed", "fabric-rollout: completed"],
        ),
        (
            "child-fails",
            ["crd-apply: compensated", "fabric-rollout: compensated"],
        ),
        (
            "status-fails",
            ["crd-apply: completed", "fabric-rollout: compensated"],
        ),
    ];
    for (name, expected) in want {
        let o = run(&["simulate", PARENT, "--events", &stream(name)]);
        let out = stdout(&o);
        assert_eq!(code(&o), 0, "{name}:\n{out}");
        assert!(out.contains("; 0 violations"), "{name}:\n{out}");
        assert_eq!(states(&out), expected, "{name}:\n{out}");
    }
}

#[test]
fn exploration_of_the_rollout_finds_nothing_at_depth_two() {
    for name in STREAMS {
        let o = run(&[
            "simulate",
            PARENT,
            "--events",
            &stream(name),
            "--explore",
            "--depth",
            "2",
            "--quiet",
        ]);
        let out = stdout(&o);
        assert_eq!(code(&o), 0, "{name}:\n{out}");
        assert!(out.contains(": 0 counterexamples"), "{name}:\n{out}");
    }
}

/// The parent takes the child's outcome from the child's run, not from the recorded
/// copy: with the agents' Applied report lost, the child times out and gives up, so
/// the parent's roll-out fails although the recording says SyncCompleted.
#[test]
fn the_parent_follows_the_childs_run_not_the_recorded_outcome() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(repo().join(stream("happy"))).expect("stream");
    let mut kept: Vec<String> = text
        .lines()
        .filter(|l| {
            !l.contains("\"message\":\"ResourceStatusChanged\"")
                && !l.contains("\"message\":\"FabricStatusUpdated\"")
        })
        .map(str::to_string)
        .collect();
    // Another run 20 minutes later moves the clock past every timer of the first.
    let later = kept[0]
        .replace("rollout-7c41d2e8", "rollout-00000000")
        .replace("2026-01-01T00:00:00.000Z", "2026-01-01T00:20:00.000Z")
        .replace("01JCH", "01JCZ");
    kept.push(later);
    let p = dir.path().join("lost-status.jsonl");
    std::fs::write(&p, kept.join("\n") + "\n").expect("write");
    let o = run(&["simulate", PARENT, "--events", p.to_str().expect("utf-8")]);
    let out = stdout(&o);
    let first = "fabric-rollout rollout-7c41d2e8-5b90-4f3a-8e21-9d6c0b4a7f15 — ";
    let heading = out.lines().find(|l| l.starts_with(first)).unwrap_or("");
    assert!(!heading.contains("completed"), "{out}");
    assert!(out.contains("FAIL roll-out <- SyncFailed"), "{out}");
    assert!(!out.contains("done roll-out"), "{out}");
}

/// Static findings of a parent saga text (its contract and child paths made absolute).
fn check_parent(text: &str, child: Option<&str>) -> Vec<Diagnostic> {
    let dir = tempfile::tempdir().expect("tempdir");
    check_in(dir.path(), text, child)
}

fn check_in(dir: &Path, text: &str, child: Option<&str>) -> Vec<Diagnostic> {
    let contract = repo().join("fixtures/hnp/asyncapi.yaml");
    let child_path: PathBuf = match child {
        Some(c) => {
            let c = c.replace(
                "contract: ../asyncapi.yaml",
                &format!("contract: {}", contract.display()),
            );
            let p = dir.join("child.saga.yaml");
            std::fs::write(&p, c).expect("write child");
            p
        }
        None => repo().join(CHILD),
    };
    let text = text
        .replace(
            "contract: ../hnp/asyncapi.yaml",
            &format!("contract: {}", contract.display()),
        )
        .replace(
            "saga: ../hnp/sagas/crd-apply.saga.yaml",
            &format!("saga: {}", child_path.display()),
        );
    let p = dir.join("parent.saga.yaml");
    std::fs::write(&p, text).expect("write parent");
    let ws = saga::contract::load_workspace(&contract).expect("contract");
    match saga::load(&p, Arc::from("parent.saga.yaml")) {
        Ok(s) => saga::check(&s, &ws),
        Err(d) => d,
    }
}

fn parent() -> String {
    std::fs::read_to_string(repo().join(PARENT)).expect("parent")
}

fn child() -> String {
    std::fs::read_to_string(repo().join(CHILD)).expect("child")
}

fn rules(d: &[Diagnostic]) -> Vec<(&'static str, Severity)> {
    let mut v: Vec<_> = d.iter().map(|d| (d.rule, d.severity)).collect();
    v.sort_by_key(|(r, _)| *r);
    v.dedup();
    v
}

#[test]
fn the_correct_rollout_has_no_static_finding() {
    let d = check_parent(&parent(), None);
    assert!(d.is_empty(), "{d:#?}");
}

const STEP: &str = "    saga: ../hnp/sagas/crd-apply.saga.yaml\n";

/// Each construct that cannot work, planted into the correct pair, is reported by its
/// rule, as an error where the saga cannot work.
#[test]
fn every_planted_child_flaw_is_reported() {
    let p = parent();
    let c = child();
    assert!(p.contains(STEP));
    let with_step = |extra: &str| p.replace(STEP, &format!("{STEP}{extra}"));
    let cases: Vec<(&str, String, Option<String>, &str, Severity)> = vec![
        (
            "read-only on a child that changes state",
            with_step("    readOnly: true\n"),
            None,
            "saga-child-readonly",
            Severity::Error,
        ),
        (
            "a start message the child does not start on",
            with_step("    send: NetBoxObjectCreated\n"),
            None,
            "saga-child-start",
            Severity::Error,
        ),
        (
            "a child without a failure event",
            p.clone(),
            Some(c.replace("  onFailure: SyncFailed\n", "")),
            "saga-child-outcome",
            Severity::Error,
        ),
        (
            "a child without a completion event",
            p.clone(),
            Some(c.replace("  onComplete: SyncCompleted\n", "")),
            "saga-child-outcome",
            Severity::Error,
        ),
        (
            "a timeout shorter than the child's deadline",
            p.clone(),
            Some(c.replace("steps:\n", "deadline: 30m\nsteps:\n")),
            "saga-child-timeout",
            Severity::Warning,
        ),
        (
            "the child reads its key elsewhere",
            p.clone(),
            Some(c.replace(
                "correlation: /headers/correlationid",
                "correlation: /headers/subject",
            )),
            "saga-child-correlation",
            Severity::Error,
        ),
        (
            "a child-saga step that writes `on`",
            with_step("    on: SyncCompleted\n"),
            None,
            "saga-invalid",
            Severity::Error,
        ),
        (
            "a missing child file",
            p.replace(STEP, "    saga: ./no-such.saga.yaml\n"),
            None,
            "saga-child-invalid",
            Severity::Error,
        ),
        (
            "a child completed and never undone",
            p.replace(
                "    compensation:\n      send: RestoreClusterState\n      confirm: ClusterStateRestored\n      fail: ClusterStateRestoreFailed\n      timeout: 2m\n      retry: {max: 3, backoff: 10s}\n",
                "",
            ),
            None,
            "saga-compensation-missing",
            Severity::Warning,
        ),
    ];
    for (what, text, child_text, rule, severity) in cases {
        match &child_text {
            Some(ct) => assert_ne!(*ct, c, "{what}: the child mutation did not apply"),
            None => assert_ne!(text, p, "{what}: the mutation did not apply"),
        }
        let d = check_parent(&text, child_text.as_deref());
        let found: Vec<_> = d.iter().filter(|d| d.rule == rule).collect();
        assert!(!found.is_empty(), "{what}: no {rule} in {:#?}", rules(&d));
        assert!(
            found.iter().all(|d| d.severity == severity),
            "{what}: {found:#?}"
        );
        // Located in the parent, at the step (a missing file: at `saga:`).
        assert!(
            found
                .iter()
                .any(|d| d.location.file.as_ref().ends_with("parent.saga.yaml")),
            "{what}: {found:#?}"
        );
    }
}

/// A saga that runs itself, directly or through its child.
#[test]
fn cycles_of_child_sagas_are_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let contract = repo().join("fixtures/hnp/asyncapi.yaml");
    let own = parent()
        .replace(
            "contract: ../hnp/asyncapi.yaml",
            &format!("contract: {}", contract.display()),
        )
        .replace(STEP, "    saga: ./a.saga.yaml\n");
    std::fs::write(dir.path().join("a.saga.yaml"), &own).expect("write");
    let d = match saga::load(&dir.path().join("a.saga.yaml"), Arc::from("a.saga.yaml")) {
        Ok(_) => Vec::new(),
        Err(d) => d,
    };
    assert!(d.iter().any(|d| d.rule == "saga-child-cycle"), "{d:#?}");
    // a → b → a
    std::fs::write(
        dir.path().join("a.saga.yaml"),
        own.replace("./a.saga.yaml", "./b.saga.yaml"),
    )
    .expect("write");
    std::fs::write(
        dir.path().join("b.saga.yaml"),
        own.replace("saga: fabric-rollout", "saga: other"),
    )
    .expect("write");
    let d = match saga::load(&dir.path().join("a.saga.yaml"), Arc::from("a.saga.yaml")) {
        Ok(_) => Vec::new(),
        Err(d) => d,
    };
    let cyc: Vec<_> = d.iter().filter(|d| d.rule == "saga-child-cycle").collect();
    assert!(!cyc.is_empty(), "{d:#?}");
    assert!(
        cyc.iter().any(|d| d
            .message
            .contains("a.saga.yaml → b.saga.yaml → a.saga.yaml")),
        "{cyc:#?}"
    );
}

#[test]
fn the_happy_timeline_shows_the_child_under_its_command_id() {
    let o = run(&["simulate", PARENT, "--events", &stream("happy")]);
    insta::assert_snapshot!(crate::util::without_timing(&stdout(&o)));
}
