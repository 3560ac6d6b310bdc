//! Exploration delivers the success of a retried step after the instance ended
//! (`Op::AfterEnd`): every attempt of the step goes unanswered, the saga gives up on
//! it in doubt and ends, and then the success of its first or of its last attempt
//! arrives. The engine takes it as a late effect (the instance reopens and runs the
//! step's compensations again); with nothing to undo it, it is `saga-late-effect`.

use std::sync::Arc;

use hnp_events::saga::{self, engine, explore, stream::Event};

use crate::util::{read_stream, repo};

const GITOPS: &str = "fixtures/hnp/sagas/gitops-sync.saga.yaml";
const HAPPY: &str = "fixtures/hnp/streams/gitops-sync-happy.jsonl";

/// gitops-sync, its text edited by `edit`, in a temporary folder.
fn gitops(edit: impl Fn(String) -> String) -> (tempfile::TempDir, saga::Saga) {
    let text = std::fs::read_to_string(repo().join(GITOPS))
        .expect("saga")
        .replacen(
            "contract: ../asyncapi.yaml",
            &format!(
                "contract: {}",
                repo().join("fixtures/hnp/asyncapi.yaml").display()
            ),
            1,
        );
    let text = edit(text);
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("gitops-sync.saga.yaml");
    std::fs::write(&p, text).expect("write");
    let s = saga::load(&p, Arc::from("gitops-sync.saga.yaml")).expect("saga");
    (dir, s)
}

/// apply-netbox's snapshot restore (its compensation) removed.
fn without_restore(text: String) -> String {
    let a = text
        .find("    compensation:\n      send: RestoreNetBoxSnapshot")
        .expect("restore");
    let b = text.find("  - id: update-status").expect("next step");
    format!("{}{}", &text[..a], &text[b..])
}

/// apply-netbox declares no failure reply: its participant answers with success or
/// not at all, so silence is its only way to fail.
fn without_failure_reply(text: String) -> String {
    assert!(text.contains("    fail: NetBoxApplyFailed\n"));
    text.replacen("    fail: NetBoxApplyFailed\n", "", 1)
}

/// Replay of one scenario: the step answered by `message` silenced until the end, then
/// the success of its attempt `attempt` delivered after it.
fn after_end(sagas: &[saga::Saga], evs: &[Event], message: &str, attempt: u32) -> engine::Outcome {
    let u = position(sagas, evs, message);
    explore::replay(
        sagas,
        evs,
        7,
        &token(sagas, evs, &[explore::Op::AfterEnd(u, attempt)]),
    )
    .expect("replay")
}

/// Position of the first `message` in the normalised stream (what tokens name).
fn position(sagas: &[saga::Saga], evs: &[Event], message: &str) -> usize {
    explore::normalise(sagas, evs)
        .iter()
        .position(|e| e.message == message)
        .expect("event")
}

/// The replay token of one scenario (fingerprint 7), keeping every event.
fn token(sagas: &[saga::Saga], evs: &[Event], ops: &[explore::Op]) -> String {
    let base = explore::normalise(sagas, evs);
    let (rec, _, _) = explore::recorded(sagas, evs);
    let n = explore::perturb(sagas, &base, ops, &rec).len();
    let ops: Vec<String> = ops
        .iter()
        .map(|o| match o {
            explore::Op::AfterEnd(u, k) => format!("a{u}.{k}"),
            other => panic!("not used here: {other:?}"),
        })
        .collect();
    format!("00000007:{}:0-{}", ops.join("+"), n - 1)
}

/// The correct saga: the success of either attempt of apply-netbox (and of
/// update-status) after the end reopens the instance, which restores the snapshot
/// again (a new attempt of the compensation, carrying the snapshot the late success
/// reports) and ends compensated again. The late reply names its attempt by
/// causation and arrives after the end, on the virtual clock.
#[test]
fn a_retried_steps_success_after_the_end_is_compensated_again() {
    let (_d, s) = gitops(|t| t);
    let sagas = [s];
    let evs = read_stream(HAPPY);
    let r = explore::explore(&sagas, &evs, 7, explore::ExploreOptions::default());
    assert!(r.counterexamples.is_empty(), "{:#?}", r.counterexamples);
    let applied = position(&sagas, &evs, "NetBoxChangesApplied");
    let status = position(&sagas, &evs, "FabricStatusUpdated");
    for (u, n, step, msg) in [
        (applied, 1, "apply-netbox", "NetBoxChangesApplied"),
        (applied, 2, "apply-netbox", "NetBoxChangesApplied"),
        (status, 1, "update-status", "FabricStatusUpdated"),
        (status, 3, "update-status", "FabricStatusUpdated"),
    ] {
        let ops = [explore::Op::AfterEnd(u, n)];
        let base = explore::normalise(&sagas, &evs);
        let (rec, _, _) = explore::recorded(&sagas, &evs);
        let perturbed = explore::perturb(&sagas, &base, &ops, &rec);
        let late: Vec<&Event> = perturbed.iter().filter(|e| e.message == msg).collect();
        assert_eq!(late.len(), 1, "{step} #{n}: {late:#?}");
        let key = late[0].key("/headers/correlationid").expect("key");
        assert_eq!(
            late[0].headers["causationid"],
            serde_json::json!(format!("{key}/{step}/{n}")),
            "{step} #{n}"
        );
        assert!(late[0].headers.get("x-hnp-explore-after-end").is_none());

        let o = explore::replay(&sagas, &evs, 7, &token(&sagas, &evs, &ops)).expect("replay");
        assert!(o.violations.is_empty(), "{step} #{n}: {:#?}", o.violations);
        let i = &o.instances[0];
        assert_eq!(i.state.name(), "compensated", "{step} #{n}");
        let t = &i.timeline;
        let ended = t
            .iter()
            .position(|e| matches!(e.what, engine::What::Finished { .. }))
            .expect("an end");
        let reopened = t
            .iter()
            .position(|e| matches!(&e.what, engine::What::LateEffect { step: s, .. } if s == step))
            .unwrap_or_else(|| panic!("{step} #{n}: no late effect in {t:#?}"));
        assert!(ended < reopened && t[ended].t < t[reopened].t, "{t:#?}");
        assert_eq!(t[reopened].t, late[0].time);
        // Every attempt timed out before the end.
        let timeouts = t[..ended]
            .iter()
            .filter(|e| matches!(&e.what, engine::What::TimedOut { step: s, .. } if s == step))
            .count();
        assert_eq!(timeouts, if step == "apply-netbox" { 2 } else { 3 });
        // The compensation runs again (its second attempt), and the instance ends again.
        assert!(
            t[reopened..].iter().any(|e| matches!(
                &e.what,
                engine::What::Compensating { step: s, attempt: 2, .. } if s == step
            )),
            "{t:#?}"
        );
        assert!(matches!(
            t.last().map(|e| &e.what),
            Some(engine::What::Finished { .. })
        ));
        assert_eq!(i.emitted, ["SyncFailed"]);
    }
}

/// The mutation test: apply-netbox, retried and without a failure reply, loses its
/// snapshot restore. Silence then ends the instance failed (a step in doubt without
/// compensation), but only the success delivered after the end shows the effect
/// that outlives the saga: `saga-late-effect`, located at the recorded reply. With
/// the restore kept, the same exploration finds nothing.
#[test]
fn a_retried_step_whose_late_success_nothing_undoes_is_found() {
    let evs = read_stream(HAPPY);
    let (_d, s) = gitops(without_failure_reply);
    let clean = [s];
    let r = explore::explore(&clean, &evs, 7, explore::ExploreOptions::default());
    assert!(r.counterexamples.is_empty(), "{:#?}", r.counterexamples);

    let (_d, s) = gitops(|t| without_restore(without_failure_reply(t)));
    let mutant = [s];
    let r = explore::explore(&mutant, &evs, 7, explore::ExploreOptions::default());
    let c = r
        .counterexamples
        .iter()
        .find(|c| c.rule == "saga-late-effect")
        .unwrap_or_else(|| panic!("no saga-late-effect: {:#?}", r.counterexamples));
    assert_eq!(c.perturbation.len(), 1, "{:?}", c.perturbation);
    assert!(
        c.perturbation[0].starts_with(
            "never answer the step answered by NetBoxChangesApplied (line 7) until the instance has ended"
        ) && c.perturbation[0].contains("deliver the success of attempt 1 after that end"),
        "{}",
        c.perturbation[0]
    );
    assert!(c.token.contains(":a"), "{}", c.token);
    assert_eq!(c.violations.len(), 1, "{:#?}", c.violations);
    assert_eq!(c.violations[0].line, 7);
    assert!(
        c.violations[0].message.contains("`apply-netbox`")
            && c.violations[0].message.contains("it has no compensation"),
        "{}",
        c.violations[0].message
    );
    // Both attempts' successes are explored, and each is the finding.
    assert_eq!(
        r.by_rule.get("saga-late-effect"),
        Some(&2),
        "{:?}",
        r.by_rule
    );
    let replayed = explore::replay(&mutant, &evs, 7, &c.token).expect("replay");
    assert!(
        replayed
            .violations
            .iter()
            .any(|v| v.rule == "saga-late-effect"),
        "{:#?}",
        replayed.violations
    );
}

/// With a failure reply the restore's removal was already found by the success
/// delivered as the saga gives up; the successes after the end find it too.
#[test]
fn the_successes_after_the_end_find_a_dropped_compensation_too() {
    let evs = read_stream(HAPPY);
    let (_d, s) = gitops(without_restore);
    let sagas = [s];
    let u = position(&sagas, &evs, "NetBoxChangesApplied");
    for n in [1, 2] {
        let ops = [explore::Op::AfterEnd(u, n)];
        let o = explore::replay(&sagas, &evs, 7, &token(&sagas, &evs, &ops)).expect("replay");
        let late: Vec<_> = o
            .violations
            .iter()
            .filter(|v| v.rule == "saga-late-effect")
            .collect();
        assert_eq!(late.len(), 1, "#{n}: {:#?}", o.violations);
        assert!(late[0].message.contains("it has no compensation"));
    }
}

/// A success after the end that the saga `ignore`s is dropped: nothing undoes it
/// (its compensation ran before it arrived), so it is `saga-late-effect`.
#[test]
fn a_late_success_the_saga_ignores_is_a_late_effect_after_the_end() {
    let evs = read_stream(HAPPY);
    let (_d, s) = gitops(|t| {
        t.replacen(
            "ignore:\n  - ConflictDetected\n",
            "ignore:\n  - ConflictDetected\n  - FabricStatusUpdated\n",
            1,
        )
    });
    let sagas = [s];
    let o = after_end(&sagas, &evs, "FabricStatusUpdated", 3);
    let late: Vec<_> = o
        .violations
        .iter()
        .filter(|v| v.rule == "saga-late-effect")
        .collect();
    assert_eq!(late.len(), 1, "{:#?}", o.violations);
    assert!(
        late[0].message.contains("ignores `FabricStatusUpdated`"),
        "{}",
        late[0].message
    );
}

/// A success after the end that the step's compensation's `if` excludes is not
/// compensated again, and is no finding: the `if` says that event leaves nothing to
/// undo (as rehoming's waived fee needs no refund). Here the restore is made
/// conditional on a snapshot id the recorded reply does not carry.
#[test]
fn a_late_success_the_compensations_if_excludes_is_not_compensated_again() {
    let evs = read_stream(HAPPY);
    let (_d, s) = gitops(|t| {
        t.replacen(
            "      with: {syncId: /payload/sagaId, fabricId: /payload/fabricId, snapshotId: /payload/snapshotId}\n",
            "      with: {syncId: /payload/sagaId, fabricId: /payload/fabricId, snapshotId: /payload/snapshotId}\n      if: {pointer: /payload/snapshotId, equals: none-taken}\n",
            1,
        )
    });
    let sagas = [s];
    let o = after_end(&sagas, &evs, "NetBoxChangesApplied", 2);
    assert!(o.violations.is_empty(), "{:#?}", o.violations);
    let t = &o.instances[0].timeline;
    let reopened = t
        .iter()
        .position(|e| matches!(&e.what, engine::What::LateEffect { .. }))
        .expect("late effect");
    assert!(
        t[reopened..]
            .iter()
            .any(|e| matches!(&e.what, engine::What::CompensationSkipped { step, .. } if step == "apply-netbox")),
        "{t:#?}"
    );
    assert!(!t[reopened..].iter().any(|e| matches!(
        &e.what,
        engine::What::Compensating { step, .. } if step == "apply-netbox"
    )));
}

/// apply-netbox given up on its first timeout (`onTimeout: fail`, no retry).
fn given_up_on_timeout(text: String) -> String {
    let t = text.replacen(
        "    onTimeout: retry\n    retry: {max: 2, backoff: 5s}\n    p95: 30s\n    compensation:\n      send: RestoreNetBoxSnapshot",
        "    onTimeout: fail\n    p95: 30s\n    compensation:\n      send: RestoreNetBoxSnapshot",
        1,
    );
    assert_ne!(t, text, "apply-netbox's timeout policy");
    t
}

/// Not only retried steps: a step the saga gives up on at its first timeout
/// (`onTimeout: fail`) may have taken effect too. Its success after the end is
/// compensated again when the step has a compensation, and is `saga-late-effect` when
/// it has none (a delayed reply finds that as well; the scenario after the end must
/// exist and find it on its own).
#[test]
fn a_step_given_up_at_its_first_timeout_is_answered_after_the_end_too() {
    let evs = read_stream(HAPPY);
    let (_d, s) = gitops(|t| given_up_on_timeout(without_failure_reply(t)));
    let clean = [s];
    let r = explore::explore(&clean, &evs, 7, explore::ExploreOptions::default());
    assert!(r.counterexamples.is_empty(), "{:#?}", r.counterexamples);

    let (_d, s) = gitops(|t| without_restore(given_up_on_timeout(without_failure_reply(t))));
    let mutant = [s];
    let r = explore::explore(&mutant, &evs, 7, explore::ExploreOptions::default());
    let c = r
        .counterexamples
        .iter()
        .find(|c| c.rule == "saga-late-effect")
        .unwrap_or_else(|| panic!("no saga-late-effect: {:#?}", r.counterexamples));
    // Two scenarios find it: the reply delayed past the timeout, and the success
    // after the end (which was not explored for a step without retries).
    assert_eq!(
        r.by_rule.get("saga-late-effect"),
        Some(&2),
        "{:?}",
        r.by_rule
    );
    assert!(!c.perturbation.is_empty());
    let u = position(&mutant, &evs, "NetBoxChangesApplied");
    let t = token(&mutant, &evs, &[explore::Op::AfterEnd(u, 1)]);
    let replayed = explore::replay(&mutant, &evs, 7, &t).expect("replay");
    assert!(
        replayed
            .violations
            .iter()
            .any(|v| v.rule == "saga-late-effect"),
        "{t}: {:#?}",
        replayed.violations
    );
    let replayed = explore::replay(&clean, &evs, 7, &t).expect("replay");
    assert!(replayed.violations.is_empty(), "{:#?}", replayed.violations);
}
