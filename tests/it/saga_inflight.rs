//! In-flight semantics (issue 12, class 2): giving up while a step's command is in
//! flight waits for its outcome before compensating (or compensates at once with
//! `inFlight: abandon`), and a success that arrives after the saga gave up on the
//! step is compensated again (reopening an ended instance), or `saga-late-effect`
//! when nothing can undo it.

use std::sync::Arc;

use hnp_events::saga::{self, engine, stream::Event};

use crate::util::repo;

const ADOPTION: &str = "fixtures/codegen/sagas/adoption.saga.yaml";
const GITOPS: &str = "fixtures/hnp/sagas/gitops-sync.saga.yaml";

fn load(path: &str) -> saga::Saga {
    saga::load(&repo().join(path), Arc::from(path)).expect("fixture saga parses")
}

fn ev(line: u32, time: i64, message: &str, cause: Option<&str>) -> Event {
    crate::util::saga_event(line, time, message, "k", cause)
}

fn run(s: saga::Saga, evs: &[Event]) -> engine::Outcome {
    engine::run(
        &[s],
        evs,
        engine::Options {
            keep_timelines: true,
            drain: true,
            ..Default::default()
        },
    )
}

/// When each compensation command was sent: (time, step).
fn compensations(o: &engine::Outcome) -> Vec<(i64, String)> {
    o.instances[0]
        .timeline
        .iter()
        .filter_map(|e| match &e.what {
            engine::What::Compensating { step, .. } => Some((e.t, step.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn giving_up_waits_for_the_step_in_flight_before_compensating_it() {
    // charge-fee is declined while reserve-pet is in flight; the pet is reserved
    // later: only then is it released.
    let evs = [
        ev(1, 0, "AdoptionRequested", None),
        ev(2, 10, "FeeDeclined", None),
        ev(3, 20, "PetReserved", None),
        ev(4, 25, "PetReleased", None),
    ];
    let o = run(load(ADOPTION), &evs);
    assert!(o.violations.is_empty(), "{:#?}", o.violations);
    assert_eq!(compensations(&o), [(20, "reserve-pet".to_string())]);
    assert_eq!(o.instances[0].state.name(), "compensated");
    assert!(o.instances[0].timeline.iter().any(|e| matches!(
        &e.what,
        engine::What::AwaitOutcome { step } if step == "reserve-pet"
    )));
}

#[test]
fn a_step_in_flight_that_times_out_is_compensated_in_doubt() {
    let evs = [
        ev(1, 0, "AdoptionRequested", None),
        ev(2, 10, "FeeDeclined", None),
        ev(3, 30_500, "PetReleased", None),
    ];
    let o = run(load(ADOPTION), &evs);
    // reserve-pet's attempt times out at 30 s: its outcome is unknown, so it is
    // compensated then (not at 10 ms, while its command was still in flight).
    assert_eq!(compensations(&o), [(30_000, "reserve-pet".to_string())]);
    assert_eq!(o.instances[0].state.name(), "compensated");
}

#[test]
fn abandon_compensates_the_step_in_flight_at_once() {
    let mut s = load(ADOPTION);
    let i = s
        .steps
        .iter()
        .position(|x| x.id == "reserve-pet")
        .expect("step");
    s.steps[i].abandon = true;
    let evs = [
        ev(1, 0, "AdoptionRequested", None),
        ev(2, 10, "FeeDeclined", None),
        ev(3, 20, "PetReleased", None),
    ];
    let o = run(s, &evs);
    assert_eq!(compensations(&o), [(10, "reserve-pet".to_string())]);
}

#[test]
fn abandon_needs_a_compensation() {
    let text = std::fs::read_to_string(repo().join(GITOPS))
        .expect("saga")
        .replace(
            "    ignore: ConflictDetectionCompleted\n    p95: 2s\n",
            "    ignore: ConflictDetectionCompleted\n    inFlight: abandon\n    p95: 2s\n",
        );
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("g.saga.yaml");
    std::fs::write(&p, text).expect("write");
    let err = saga::load(&p, Arc::from("g.saga.yaml")).expect_err("rejected");
    assert!(
        err.iter()
            .any(|d| d.rule == "saga-invalid" && d.message.contains("inFlight: abandon")),
        "{err:#?}"
    );
}

/// The gitops sync up to the moment `apply-netbox` is given up in doubt: its two
/// attempts (sent at 20 ms and 125.02 s) time out, the saga gives up at 245.02 s and
/// the snapshot restore is confirmed at 246 s: the instance ends compensated.
fn apply_given_up_then_restored() -> Vec<Event> {
    let mut evs = vec![ev(1, 0, "SyncStarted", None)];
    for (i, (m, step)) in [
        ("RepositoryAccessValidated", "validate-access"),
        ("ChangesFetched", "fetch-changes"),
        ("ResourcesStaged", "stage-crds"),
    ]
    .iter()
    .enumerate()
    {
        let c = format!("k/{step}/1");
        evs.push(ev(2 + i as u32, 10 + i as i64, m, Some(&c)));
    }
    evs.push(ev(5, 20, "ConflictDetectionCompleted", None));
    evs.push(ev(
        6,
        246_000,
        "NetBoxSnapshotRestored",
        Some("k/apply-netbox/compensation/1/1"),
    ));
    evs
}

fn late_effects(o: &engine::Outcome) -> Vec<&engine::Violation> {
    o.violations
        .iter()
        .filter(|v| v.rule == "saga-late-effect")
        .collect()
}

/// Issue 12: a late success after compensation triggers that step's compensation.
/// The instance had ended compensated; attempt 2's success arrives after that: the
/// instance reopens, sends the restore again (a new attempt, with the snapshot id
/// the late success carries), and ends compensated again, without a finding and
/// without emitting its failure event twice.
#[test]
fn a_success_after_the_instance_ended_reopens_it_to_compensate_again() {
    let mut evs = apply_given_up_then_restored();
    let mut late = ev(7, 250_000, "NetBoxChangesApplied", Some("k/apply-netbox/2"));
    late.payload["snapshotId"] = serde_json::json!("snap-9");
    evs.push(late);
    evs.push(ev(
        8,
        251_000,
        "NetBoxSnapshotRestored",
        Some("k/apply-netbox/compensation/1/2"),
    ));
    let o = run(load(GITOPS), &evs);
    assert!(o.violations.is_empty(), "{:#?}", o.violations);
    let i = &o.instances[0];
    assert_eq!(i.state.name(), "compensated");
    assert_eq!(i.emitted, ["SyncFailed"]);
    assert_eq!((o.finished.compensated, o.finished.failed), (1, 0));
    assert_eq!(
        compensations(&o),
        [
            (245_020, "apply-netbox".to_string()),
            (250_000, "apply-netbox".to_string())
        ]
    );
    let t = &i.timeline;
    let reopened = t
        .iter()
        .position(
            |e| matches!(&e.what, engine::What::LateEffect { step, .. } if step == "apply-netbox"),
        )
        .expect("the late effect is on the timeline");
    assert_eq!(t[reopened].line, 7);
    // The re-run restore carries what the late success captured.
    assert!(
        t[reopened..].iter().any(|e| matches!(
            &e.what,
            engine::What::Compensating { with, attempt: 2, .. }
                if with.get("snapshotId") == Some(&serde_json::json!("snap-9"))
        )),
        "{t:#?}"
    );
    let ends = t
        .iter()
        .filter(|e| matches!(&e.what, engine::What::Finished { .. }))
        .count();
    assert_eq!(ends, 2, "{t:#?}");
    let emits = t
        .iter()
        .filter(|e| matches!(&e.what, engine::What::Emitted { .. }))
        .count();
    assert_eq!(emits, 1, "{t:#?}");
    // The golden file records the re-run compensation.
    let golden = saga::expect::of(&o).to_string();
    assert!(
        golden.contains("apply-netbox: RestoreNetBoxSnapshot #2"),
        "{golden}"
    );
    // The same success before the give-up completes the step: no finding.
    let mut ok = evs.clone();
    ok.truncate(5);
    ok.push(ev(
        6,
        130_000,
        "NetBoxChangesApplied",
        Some("k/apply-netbox/2"),
    ));
    let o = run(load(GITOPS), &ok);
    assert!(late_effects(&o).is_empty(), "{:#?}", o.violations);
}

/// A re-run compensation is handled like any other: one that fails for good (here:
/// never answered, every retry timing out) is the usual failed compensation.
#[test]
fn a_reopened_compensation_that_fails_is_not_finished() {
    let mut evs = apply_given_up_then_restored();
    evs.push(ev(
        7,
        250_000,
        "NetBoxChangesApplied",
        Some("k/apply-netbox/2"),
    ));
    let o = run(load(GITOPS), &evs);
    assert!(late_effects(&o).is_empty(), "{:#?}", o.violations);
    let nf: Vec<_> = o
        .violations
        .iter()
        .filter(|v| v.rule == "saga-not-finished")
        .collect();
    assert_eq!(nf.len(), 1, "{:#?}", o.violations);
    assert!(
        nf[0]
            .message
            .contains("the compensation of `apply-netbox` failed"),
        "{}",
        nf[0].message
    );
    assert_eq!(o.instances[0].state.name(), "failed");
    assert_eq!((o.finished.compensated, o.finished.failed), (0, 1));
    // Three attempts of the re-run round (its own retry budget), after the first.
    let attempts: Vec<u32> = o.instances[0]
        .timeline
        .iter()
        .filter_map(|e| match &e.what {
            engine::What::Compensating { attempt, .. } => Some(*attempt),
            _ => None,
        })
        .collect();
    assert_eq!(attempts, [1, 2, 3, 4]);
}

/// What still outlives the saga: a late success of a step without compensation, and
/// one the saga `ignore`s (it drops the success instead of compensating it again).
#[test]
fn a_late_success_nothing_undoes_is_still_a_late_effect() {
    let mut evs = apply_given_up_then_restored();
    evs.push(ev(
        7,
        250_000,
        "NetBoxChangesApplied",
        Some("k/apply-netbox/2"),
    ));
    let mut s = load(GITOPS);
    let i = s
        .steps
        .iter()
        .position(|x| x.id == "apply-netbox")
        .expect("step");
    s.steps[i].compensation.clear();
    let o = run(
        s,
        &evs[..evs.len() - 2]
            .iter()
            .chain(&evs[evs.len() - 1..])
            .cloned()
            .collect::<Vec<_>>(),
    );
    let late = late_effects(&o);
    assert_eq!(late.len(), 1, "{:#?}", o.violations);
    assert_eq!(late[0].line, 7);
    assert!(
        late[0].message.contains("`apply-netbox`")
            && late[0].message.contains("it has no compensation"),
        "{}",
        late[0].message
    );

    let mut s = load(GITOPS);
    s.ignore.push(saga::format::Named {
        name: "NetBoxChangesApplied".into(),
        ptr: "/ignore/0".into(),
    });
    let o = run(s, &evs);
    let late = late_effects(&o);
    assert_eq!(late.len(), 1, "{:#?}", o.violations);
    assert!(
        late[0].message.contains("ignores `NetBoxChangesApplied`"),
        "{}",
        late[0].message
    );
    assert_eq!(o.instances[0].state.name(), "compensated");
}

#[test]
fn abort_on_gives_up_from_any_step_and_awaits_the_step_in_flight() {
    let mut s = load(GITOPS);
    s.abort_on = vec![saga::format::Named {
        name: "SyncFailed".into(),
        ptr: "/abortOn".into(),
    }];
    let mut evs = vec![ev(1, 0, "SyncStarted", None)];
    for (i, (m, step)) in [
        ("RepositoryAccessValidated", "validate-access"),
        ("ChangesFetched", "fetch-changes"),
        ("ResourcesStaged", "stage-crds"),
    ]
    .iter()
    .enumerate()
    {
        let c = format!("k/{step}/1");
        evs.push(ev(2 + i as u32, 10 + i as i64, m, Some(&c)));
    }
    evs.push(ev(5, 20, "ConflictDetectionCompleted", None));
    evs.push(ev(6, 30, "NetBoxChangesApplied", Some("k/apply-netbox/1")));
    // update-status is in flight when the sync is cancelled from outside.
    evs.push(ev(7, 40, "SyncFailed", None));
    let o = run(s, &evs);
    let t = &o.instances[0].timeline;
    assert!(t.iter().any(|e| matches!(
        &e.what,
        engine::What::Aborted { event } if event == "SyncFailed"
    )));
    assert!(t.iter().any(|e| matches!(
        &e.what,
        engine::What::AwaitOutcome { step } if step == "update-status"
    )));
    // Its outcome stays unknown (its 30 s run out): it is compensated first (nobody
    // answers the compensation in this stream, so it is retried).
    let c = compensations(&o);
    assert_eq!(c[0], (30_030, "update-status".to_string()), "{c:?}");
}

#[test]
fn the_saga_deadline_gives_up_a_running_instance() {
    let mut s = load(GITOPS);
    s.deadline = Some(1_000);
    let o = run(s, &[ev(1, 0, "SyncStarted", None)]);
    assert_eq!(o.instances[0].state.name(), "compensated");
    assert_eq!(o.instances[0].emitted, ["SyncFailed"]);
    assert!(
        o.instances[0]
            .timeline
            .iter()
            .any(|e| e.t == 1_000 && matches!(&e.what, engine::What::DeadlinePassed))
    );
}

/// A success of a step in doubt that arrives while the saga is still compensating
/// (the moment its compensation is sent) is undone too: its compensation runs again
/// after the one in flight, and the instance ends compensated without a finding.
#[test]
fn a_late_success_while_compensating_is_compensated_again() {
    let a = "k/apply-netbox/2";
    let mut evs = vec![ev(1, 0, "SyncStarted", None)];
    for (i, (m, step)) in [
        ("RepositoryAccessValidated", "validate-access"),
        ("ChangesFetched", "fetch-changes"),
        ("ResourcesStaged", "stage-crds"),
    ]
    .iter()
    .enumerate()
    {
        let c = format!("k/{step}/1");
        evs.push(ev(2 + i as u32, 10 + i as i64, m, Some(&c)));
    }
    evs.push(ev(5, 20, "ConflictDetectionCompleted", None));
    // Attempt 2 times out at 245.02 s: the saga gives up and sends the restore; the
    // success of attempt 2 arrives at that moment.
    evs.push(ev(6, 245_020, "NetBoxChangesApplied", Some(a)));
    // The restore sent again is a new attempt of the compensation (its own id).
    let restore = "k/apply-netbox/compensation/1/1";
    evs.push(ev(7, 246_000, "NetBoxSnapshotRestored", Some(restore)));
    let again = "k/apply-netbox/compensation/1/2";
    evs.push(ev(8, 247_000, "NetBoxSnapshotRestored", Some(again)));
    let o = run(load(GITOPS), &evs);
    assert!(o.violations.is_empty(), "{:#?}", o.violations);
    assert!(
        o.instances[0].timeline.iter().any(
            |e| matches!(&e.what, engine::What::LateEffect { step, .. } if step == "apply-netbox")
        ),
        "{:#?}",
        o.instances[0].timeline
    );
    assert_eq!(
        compensations(&o),
        [
            (245_020, "apply-netbox".to_string()),
            (246_000, "apply-netbox".to_string())
        ]
    );
    assert_eq!(o.instances[0].state.name(), "compensated");
}

/// Exploration's participant model plays a compensation sent again for a late effect
/// like the first time: a misbehaviour scripted for every round recurs (the reopened
/// round's first attempt fails too), recorded answers go by attempt number.
#[test]
fn a_reopened_compensation_is_played_like_the_first_round() {
    let mut evs = apply_given_up_then_restored();
    evs.retain(|e| e.message != "NetBoxSnapshotRestored");
    evs.push(ev(
        7,
        250_000,
        "NetBoxChangesApplied",
        Some("k/apply-netbox/2"),
    ));
    let outcome = |every_round| {
        let s = load(GITOPS);
        let step = s
            .steps
            .iter()
            .position(|x| x.id == "apply-netbox")
            .expect("step");
        engine::run(
            &[s],
            &evs,
            engine::Options {
                keep_timelines: true,
                drain: true,
                auto_confirm: true,
                comp_scripts: vec![engine::CompScript {
                    key: "k".into(),
                    step,
                    idx: 0,
                    answers: vec![engine::Answer::Fail],
                    every_round,
                }],
                ..Default::default()
            },
        )
    };
    let failed = |o: &engine::Outcome| -> Vec<u32> {
        o.instances[0]
            .timeline
            .iter()
            .filter_map(|e| match &e.what {
                engine::What::CompensationFailed { attempt, .. } => Some(*attempt),
                _ => None,
            })
            .collect()
    };
    let o = outcome(true);
    assert!(o.violations.is_empty(), "{:#?}", o.violations);
    assert_eq!(failed(&o), [1, 3]);
    assert_eq!(o.instances[0].state.name(), "compensated");
    let o = outcome(false);
    assert_eq!(failed(&o), [1]);
    assert_eq!(o.instances[0].state.name(), "compensated");
}

/// The success of an earlier attempt (here the first of two, both timed out) that
/// arrives after the instance ended took effect too: it reopens the instance like
/// the last attempt's would, rather than being ignored as a stale reply.
#[test]
fn a_late_success_of_an_earlier_attempt_is_compensated_again_too() {
    let mut evs = apply_given_up_then_restored();
    evs.push(ev(
        7,
        250_000,
        "NetBoxChangesApplied",
        Some("k/apply-netbox/1"),
    ));
    evs.push(ev(
        8,
        251_000,
        "NetBoxSnapshotRestored",
        Some("k/apply-netbox/compensation/1/2"),
    ));
    let o = run(load(GITOPS), &evs);
    assert!(o.violations.is_empty(), "{:#?}", o.violations);
    assert_eq!(
        compensations(&o),
        [
            (245_020, "apply-netbox".to_string()),
            (250_000, "apply-netbox".to_string())
        ]
    );
    assert_eq!(o.instances[0].state.name(), "compensated");
}

/// A step awaited while the saga gives up that then completes is a completed step in
/// every way: what its event captures is carried by the compensations (`with`), and
/// their `if` is judged on that event (found by the generated runtimes' parity work:
/// the engine recorded neither on this path).
#[test]
fn an_awaited_step_that_completes_captures_and_meets_its_compensations_if() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(repo().join("fixtures/codegen/sagas/rehoming.saga.yaml"))
        .expect("saga")
        .replace(
            "contract: ../pets.asyncapi-2.6.yaml",
            &format!(
                "contract: {}",
                repo()
                    .join("fixtures/codegen/pets.asyncapi-2.6.yaml")
                    .display()
            ),
        )
        .replace("\nsteps:\n", "\ndeadline: 10s\nsteps:\n")
        // The refund carries the charge's id (captured by the completing FeeCharged).
        .replace(
            "          with: {petId: /payload/id}\n          # A waived fee",
            "          with: {chargeId: /payload/id}\n          # A waived fee",
        );
    let p = dir.path().join("rehoming.saga.yaml");
    std::fs::write(&p, text).expect("write");
    let mk = |line: u32, time: i64, message: &str, id: &str| Event {
        line,
        offset: 0,
        time,
        message: message.to_string(),
        headers: serde_json::json!({"correlationid": "k", "id": format!("k-{line}")}),
        payload: serde_json::json!({"id": id}),
    };
    // The deadline passes with charge-fee and book-visit in flight; both are awaited.
    let refunds = |charge: &str| {
        let evs = [
            mk(1, 0, "AdoptionRequested", "pet-1"),
            mk(2, 1_000, "PetReserved", "res-1"),
            mk(3, 12_000, "FeeCharged", charge),
            mk(4, 13_000, "VisitBooked", "visit-1"),
            mk(5, 14_000, "VisitCancelled", "visit-1"),
            mk(6, 15_000, "FeeRefunded", charge),
            mk(7, 16_000, "PetReleased", "pet-1"),
        ];
        let s = saga::load(&p, Arc::from("rehoming.saga.yaml")).expect("saga");
        let o = run(s, &evs);
        o.instances[0]
            .timeline
            .iter()
            .filter_map(|e| match &e.what {
                engine::What::Compensating {
                    step,
                    command,
                    with,
                    ..
                } if step == "charge-fee" => Some((command.clone(), with.get("chargeId").cloned())),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        refunds("ch-7"),
        [("RefundFee".to_string(), Some(serde_json::json!("ch-7")))]
    );
    // A waived fee (the `if` fails on the completing event) is not refunded.
    assert_eq!(refunds("waived-7"), []);
}

/// A saga-wide `deadline` bounds steps and branches: one without its own timeout is no
/// `saga-timeout-missing` then (compensations still need theirs).
#[test]
fn a_deadline_bounds_steps_without_their_own_timeout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let contract = repo().join("fixtures/codegen/pets.asyncapi-2.6.yaml");
    let text = std::fs::read_to_string(repo().join("fixtures/codegen/sagas/fostering.saga.yaml"))
        .expect("saga")
        .replace(
            "contract: ../pets.asyncapi-2.6.yaml",
            &format!("contract: {}", contract.display()),
        );
    assert!(
        text.contains("\ndeadline: "),
        "fostering declares a deadline"
    );
    let ws = saga::contract::load_workspace(&contract).expect("contract");
    let missing = |text: &str| {
        let p = dir.path().join("fostering.saga.yaml");
        std::fs::write(&p, text).expect("write");
        let s = saga::load(&p, Arc::from("fostering.saga.yaml")).expect("saga");
        saga::check(&s, &ws)
            .into_iter()
            .filter(|d| d.rule == "saga-timeout-missing")
            .count()
    };
    assert_eq!(missing(&text), 0);
    let without: String = text
        .lines()
        .filter(|l| !l.starts_with("deadline: "))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(missing(&without) >= 1);
}
