//! Causation (issue 12, class 1): a reply names the command attempt that caused it
//! (`causation: /headers/causationid`; the orchestrator names its commands
//! `KEY/STEP/ATTEMPT`), and is matched to that attempt only. A reply of an older
//! attempt, or of another instance's command, is a located finding and never a
//! completion; without `causation`, exploration's participant model finds the replies
//! taken for the wrong attempt.

use std::sync::Arc;

use hnp_events::saga::{self, engine, explore, stream::Event};
use serde_json::json;

use crate::util::repo;

const GITOPS: &str = "fixtures/hnp/sagas/gitops-sync.saga.yaml";

fn gitops() -> saga::Saga {
    saga::load(&repo().join(GITOPS), Arc::from(GITOPS)).expect("fixture saga parses")
}

fn ev(line: u32, time: i64, message: &str, corr: &str, cause: Option<&str>) -> Event {
    crate::util::saga_event(line, time, message, corr, cause)
}

fn run(sagas: &[saga::Saga], evs: &[Event]) -> engine::Outcome {
    engine::run(
        sagas,
        evs,
        engine::Options {
            keep_timelines: true,
            ..Default::default()
        },
    )
}

/// The attempts of `step` the instance sent.
fn attempts(o: &engine::Outcome, key: &str, step: &str) -> Vec<u32> {
    o.instances
        .iter()
        .filter(|i| i.key == key)
        .flat_map(|i| &i.timeline)
        .filter_map(|e| match &e.what {
            engine::What::Sent {
                step: s, attempt, ..
            } if s == step => Some(*attempt),
            _ => None,
        })
        .collect()
}

/// validate-access: timeout 30 s, retried after 1 s. Attempt 1 times out, attempt 2
/// is sent at 31 s; the failure reply of attempt 1 arrives at 31.5 s, then attempt 2
/// succeeds at 32 s.
fn late_failure(with_cause: bool) -> Vec<Event> {
    let c = |s: &'static str| with_cause.then_some(s);
    vec![
        ev(1, 0, "SyncStarted", "k", None),
        ev(
            2,
            31_500,
            "RepositoryAccessValidationFailed",
            "k",
            c("k/validate-access/1"),
        ),
        ev(
            3,
            32_000,
            "RepositoryAccessValidated",
            "k",
            c("k/validate-access/2"),
        ),
    ]
}

#[test]
fn a_late_failure_of_attempt_one_does_not_fail_attempt_two() {
    let s = [gitops()];
    let o = run(&s, &late_failure(true));
    let stale: Vec<_> = o
        .violations
        .iter()
        .filter(|v| v.rule == "saga-reply-stale")
        .collect();
    assert_eq!(stale.len(), 1, "{:#?}", o.violations);
    assert_eq!(stale[0].line, 2, "located at the stale reply's line");
    assert!(
        stale[0].message.contains("k/validate-access/1")
            && stale[0].message.contains("earlier attempt"),
        "{}",
        stale[0].message
    );
    // Attempt 2 was answered by its own reply: no third attempt.
    assert_eq!(attempts(&o, "k", "validate-access"), [1, 2]);
    assert!(
        o.instances[0].timeline.iter().any(|e| matches!(
            &e.what,
            engine::What::Completed { step, .. } if step == "validate-access"
        )),
        "attempt 2 completes the step"
    );
}

#[test]
fn without_causation_the_late_failure_fails_the_retry() {
    // The bug `causation` exists for: matched by type, attempt 1's failure fails
    // attempt 2.
    let mut s = gitops();
    s.causation = None;
    let o = run(&[s], &late_failure(false));
    assert_eq!(failed_attempts(&o), [2]);
    let o = run(&[gitops()], &late_failure(true));
    assert_eq!(failed_attempts(&o), Vec::<u32>::new());
}

/// The attempts of validate-access that a reply failed.
fn failed_attempts(o: &engine::Outcome) -> Vec<u32> {
    o.instances[0]
        .timeline
        .iter()
        .filter_map(|e| match &e.what {
            engine::What::StepFailed {
                attempt,
                event: Some(_),
                ..
            } => Some(*attempt),
            _ => None,
        })
        .collect()
}

#[test]
fn a_reply_caused_by_another_instance_completes_nothing() {
    let s = [gitops()];
    let evs = vec![
        ev(1, 0, "SyncStarted", "a", None),
        ev(2, 5, "SyncStarted", "b", None),
        // Routed to `b` by its correlation key, but caused by `a`'s command.
        ev(
            3,
            100,
            "RepositoryAccessValidated",
            "b",
            Some("a/validate-access/1"),
        ),
    ];
    let o = run(&s, &evs);
    let foreign: Vec<_> = o
        .violations
        .iter()
        .filter(|v| v.rule == "saga-reply-foreign")
        .collect();
    assert_eq!(foreign.len(), 1, "{:#?}", o.violations);
    assert_eq!(foreign[0].line, 3);
    assert_eq!(foreign[0].instance.as_deref(), Some("b"));
    // `b` still waits for its own reply: only one command sent.
    assert_eq!(attempts(&o, "b", "fetch-changes"), Vec::<u32>::new());
    assert_eq!(attempts(&o, "b", "validate-access"), [1]);
}

#[test]
fn a_reply_without_a_causation_value_is_matched_by_type() {
    // The header is optional in the contract: such a reply is matched as without
    // `causation` (no finding on the recorded streams of older participants).
    let s = [gitops()];
    let evs = vec![
        ev(1, 0, "SyncStarted", "k", None),
        ev(2, 10, "RepositoryAccessValidated", "k", None),
    ];
    let o = run(&s, &evs);
    assert!(o.violations.is_empty(), "{:#?}", o.violations);
    assert_eq!(attempts(&o, "k", "fetch-changes"), [1]);
}

fn explore_happy(s: saga::Saga) -> explore::Report {
    let p = repo().join("fixtures/hnp/streams/gitops-sync-happy.jsonl");
    let text = std::fs::read_to_string(p).expect("stream");
    let evs: Vec<Event> = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let v: serde_json::Value = serde_json::from_str(l).expect("json");
            saga::stream::event_of_value(&v, i as u32 + 1).expect("event")
        })
        .collect();
    explore::explore(&[s], &evs, 0, explore::ExploreOptions::default())
}

#[test]
fn exploration_finds_replies_taken_for_the_wrong_attempt_without_causation() {
    let mut s = gitops();
    s.causation = None;
    let r = explore_happy(s);
    let c = r
        .counterexamples
        .iter()
        .find(|c| c.rule == "saga-reply-misattributed")
        .expect("a counterexample");
    assert!(
        c.perturbation.iter().any(|p| p.contains("late")),
        "{:?}",
        c.perturbation
    );
    assert!(
        c.violations[0].message.contains("declare `causation:`"),
        "{}",
        c.violations[0].message
    );
    // With causation, the same late answers are told apart: nothing found.
    let r = explore_happy(gitops());
    assert!(r.counterexamples.is_empty(), "{:#?}", r.counterexamples);
}

#[test]
fn the_causation_pointer_must_exist_in_every_reply() {
    let ws = saga::contract::load_workspace(&repo().join("fixtures/hnp/asyncapi.yaml"))
        .expect("contract loads");
    let mut s = gitops();
    s.causation = Some("/headers/causeid".into());
    let d = saga::check(&s, &ws);
    assert!(
        d.iter().any(|d| d.rule == "saga-pointer-unknown"
            && d.message.contains("/headers/causeid")
            && d.message.contains("RepositoryAccessValidated")),
        "{d:#?}"
    );
    assert!(saga::check(&gitops(), &ws).is_empty());
}

#[test]
fn the_saga_schema_accepts_causation() {
    let schema = saga::json_schema();
    let v = jsonschema::validator_for(&schema).expect("schema compiles");
    let doc: serde_json::Value = serde_norway_or_yaml(GITOPS);
    assert!(v.is_valid(&doc));
    let mut bad = doc.clone();
    bad["causation"] = json!("headers/causationid");
    assert!(!v.is_valid(&bad), "a causation that is no JSON pointer");
}

fn serde_norway_or_yaml(path: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(repo().join(path)).expect("saga");
    let mut diags = Vec::new();
    let f = hnp_events::source::parse_file(
        std::path::Path::new(path),
        text.into_bytes(),
        Arc::from(path),
        &mut diags,
    );
    f.value.expect("parses")
}
