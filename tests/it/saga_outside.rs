//! Shapes of false alarms found by an outside evaluation of the saga checks (correct
//! sagas written outside the project, explored at depth 1 and 2): each test is a small
//! self-written saga of that shape over the pets codegen contract, explored, and must
//! give no counterexample.

use std::sync::Arc;

use hnp_events::saga::{self, explore, stream::Event};

use crate::util::repo;

fn saga_of(body: &str) -> saga::Saga {
    let dir = tempfile::tempdir().expect("tempdir");
    let contract = repo().join("fixtures/codegen/pets.asyncapi-2.6.yaml");
    let text = format!(
        "saga: outside\nversion: 1.0.0\ncontract: {}\ncorrelation: /headers/correlationid\ncausation: /headers/causationid\nstart: AdoptionRequested\n{body}emits: {{onComplete: AdoptionCompleted, onFailure: AdoptionFailed}}\n",
        contract.display()
    );
    let p = dir.path().join("outside.saga.yaml");
    std::fs::write(&p, text).expect("write");
    saga::load(&p, Arc::from("outside.saga.yaml")).expect("saga parses")
}

fn ev(line: u32, time: i64, message: &str, cause: Option<&str>) -> Event {
    crate::util::saga_event(line, time, message, "k", cause)
}

fn counterexamples(s: &saga::Saga, evs: &[Event], depth: u8) -> Vec<String> {
    let r = explore::explore(
        std::slice::from_ref(s),
        evs,
        0,
        explore::ExploreOptions {
            depth,
            ..Default::default()
        },
    );
    assert!(r.base_violations.is_empty(), "{:#?}", r.base_violations);
    r.counterexamples
        .iter()
        .map(|c| format!("{}: {:?}", c.rule, c.perturbation))
        .collect()
}

/// A pivot whose first attempt failed and whose retry failed too. Losing the first
/// failure must not deliver the retry's recorded answer before the retry is sent,
/// and losing the last attempt's answer is the pivot exhausted by silence (not
/// explored: its doubt cannot be compensated).
#[test]
fn a_lost_failure_of_a_retried_pivot_keeps_causality() {
    let s = saga_of(
        "steps:\n  - id: charge\n    send: ChargeFee\n    on: FeeCharged\n    fail: FeeDeclined\n    timeout: 1m\n    onTimeout: retry\n    retry: {max: 2, backoff: 10s}\n    pivot: true\n",
    );
    let evs = [
        ev(1, 0, "AdoptionRequested", None),
        ev(2, 1_000, "FeeDeclined", Some("k/charge/1")),
        ev(3, 12_000, "FeeDeclined", Some("k/charge/2")),
    ];
    for depth in [1, 2] {
        let c = counterexamples(&s, &evs, depth);
        assert!(c.is_empty(), "depth {depth}: {c:#?}");
    }
}

/// Two parallel steps: losing one's reply delays what follows that step, not the
/// sibling's own answer (its command was sent before, its participant is
/// independent), so the sibling does not time out for nothing; a failure answer that
/// arrives after the instance ended is a late reply, not an effect after the end.
#[test]
fn a_lost_reply_does_not_delay_the_parallel_sibling() {
    let s = saga_of(
        "steps:\n  - parallel:\n      - id: reserve\n        send: ReservePet\n        on: PetReserved\n        timeout: 30s\n        onTimeout: retry\n        retry: {max: 2, backoff: 1s}\n        compensation: {send: ReleasePet, confirm: PetReleased, timeout: 30s, retry: {max: 3, backoff: 1s}}\n      - id: charge\n        send: ChargeFee\n        on: FeeCharged\n        fail: FeeDeclined\n        timeout: 30s\n        onTimeout: fail\n        compensation: {send: RefundFee, confirm: FeeRefunded, timeout: 30s, retry: {max: 3, backoff: 1s}}\n",
    );
    let evs = [
        ev(1, 0, "AdoptionRequested", None),
        ev(2, 1_000, "PetReserved", Some("k/reserve/1")),
        ev(3, 20_000, "FeeCharged", Some("k/charge/1")),
    ];
    let c = counterexamples(&s, &evs, 1);
    assert!(c.is_empty(), "depth 1: {c:#?}");
    // At depth 2 a lost answer and a late one combine into real in-flight races
    // (reported as such); none is an effect after the end.
    let c = counterexamples(&s, &evs, 2);
    assert!(
        !c.iter().any(|c| c.starts_with("saga-after-terminal")),
        "depth 2: {c:#?}"
    );
}

/// Two parallel state-changing steps: one times out (in doubt) and makes the saga
/// give up, the other's success arrives afterwards. The one that settled last — the
/// late success — is undone first, then the one in doubt (before, steps in doubt were
/// always compensated before completed ones, whatever the order they settled in).
#[test]
fn compensations_run_last_settled_first() {
    let s = saga_of(
        "steps:\n  - parallel:\n      - id: reserve\n        send: ReservePet\n        on: PetReserved\n        timeout: 30s\n        onTimeout: fail\n        compensation: {send: ReleasePet, confirm: PetReleased, timeout: 30s}\n      - id: charge\n        send: ChargeFee\n        on: FeeCharged\n        timeout: 2m\n        onTimeout: fail\n        compensation: {send: RefundFee, confirm: FeeRefunded, timeout: 30s}\n",
    );
    let evs = [
        ev(1, 0, "AdoptionRequested", None),
        ev(2, 60_000, "FeeCharged", Some("k/charge/1")),
        ev(3, 61_000, "FeeRefunded", Some("k/charge/compensation/1/1")),
        ev(4, 62_000, "PetReleased", Some("k/reserve/compensation/1/1")),
    ];
    let o = saga::engine::run(
        std::slice::from_ref(&s),
        &evs,
        saga::engine::Options {
            keep_timelines: true,
            ..Default::default()
        },
    );
    let order: Vec<&str> = o
        .instances
        .iter()
        .flat_map(|i| &i.timeline)
        .filter_map(|e| match &e.what {
            saga::engine::What::Compensating { step, .. } => Some(step.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(order, ["charge", "reserve"]);
    assert_eq!(o.instances[0].state.name(), "compensated");
}

/// A compensation with `if` runs only when the event that completed its step meets
/// the condition: a reservation the participant reports as not held needs no release.
#[test]
fn a_compensation_runs_only_if_the_completing_event_meets_its_condition() {
    let s = saga_of(
        "steps:\n  - id: reserve\n    send: ReservePet\n    on: PetReserved\n    timeout: 30s\n    onTimeout: fail\n    compensation: {send: ReleasePet, confirm: PetReleased, timeout: 30s, if: {pointer: /payload/id, matches: \"^held-\"}}\n  - id: charge\n    send: ChargeFee\n    on: FeeCharged\n    fail: FeeDeclined\n    timeout: 30s\n    onTimeout: fail\n    pivot: true\n",
    );
    let run = |id: &str| {
        let mut reserved = ev(2, 1_000, "PetReserved", Some("k/reserve/1"));
        reserved.set("/payload/id", serde_json::json!(id));
        let evs = [
            ev(1, 0, "AdoptionRequested", None),
            reserved,
            ev(3, 2_000, "FeeDeclined", Some("k/charge/1")),
            ev(4, 3_000, "PetReleased", Some("k/reserve/compensation/1/1")),
        ];
        saga::engine::run(
            std::slice::from_ref(&s),
            &evs,
            saga::engine::Options {
                keep_timelines: true,
                ..Default::default()
            },
        )
    };
    let kinds = |o: &saga::engine::Outcome| -> Vec<String> {
        o.instances[0]
            .timeline
            .iter()
            .filter_map(|e| match &e.what {
                saga::engine::What::Compensating { command, .. } => Some(format!("send {command}")),
                saga::engine::What::CompensationSkipped { command, .. } => {
                    Some(format!("skip {command}"))
                }
                _ => None,
            })
            .collect()
    };
    let free = run("free-1");
    assert_eq!(kinds(&free), ["skip ReleasePet"]);
    assert_eq!(free.instances[0].state.name(), "compensated");
    let held = run("held-1");
    assert_eq!(kinds(&held), ["send ReleasePet"]);
    assert_eq!(held.instances[0].state.name(), "compensated");
}

/// The rules found missing or wrong by the outside red team (second round).
fn static_rules(body: &str) -> Vec<&'static str> {
    let s = saga_of(body);
    let contract = repo().join("fixtures/codegen/pets.asyncapi-2.6.yaml");
    let ws = hnp_events::source::Workspace::load(
        &[contract],
        &hnp_events::source::LoadOptions::default(),
    )
    .expect("contract loads");
    saga::check(&s, &ws).iter().map(|d| d.rule).collect()
}

/// A pivot inside one branch case: a step after the branch that has a compensation
/// comes after the pivot on that path (its compensation never runs there).
#[test]
fn a_compensation_after_a_pivot_in_one_branch_case_is_reported() {
    let body = "steps:\n  - branch:\n      id: check\n      on: HomeChecked\n      pointer: /payload/outcome\n      timeout: 1h\n      cases:\n        suitable:\n          - id: charge\n            send: ChargeFee\n            on: FeeCharged\n            fail: FeeDeclined\n            timeout: 30s\n            onTimeout: fail\n            pivot: true\n        unsuitable: []\n        pending: []\n  - id: book\n    send: BookVisit\n    on: VisitBooked\n    timeout: 1m\n    onTimeout: fail\n    compensation: {send: CancelVisit, confirm: VisitCancelled, timeout: 30s}\n";
    assert!(static_rules(body).contains(&"saga-pivot-compensation"));
    let no_pivot = body.replace("            pivot: true\n", "");
    assert!(!static_rules(&no_pivot).contains(&"saga-pivot-compensation"));
}

/// A compensation's reply that is a forward reply only of a step in another case of
/// the same branch is never ambiguous: the two never run in one instance.
#[test]
fn replies_of_another_branch_case_do_not_make_a_confirmation_ambiguous() {
    let body = "steps:\n  - branch:\n      id: check\n      on: HomeChecked\n      pointer: /payload/outcome\n      timeout: 1h\n      cases:\n        suitable:\n          - id: reserve\n            send: ReservePet\n            on: PetReserved\n            timeout: 30s\n            onTimeout: fail\n            compensation: {send: ReleasePet, confirm: PetReleased, timeout: 30s}\n        unsuitable:\n          - id: release\n            send: ReleasePet\n            on: PetReleased\n            timeout: 30s\n            onTimeout: fail\n            readOnly: true\n        pending: []\n";
    assert!(!static_rules(body).contains(&"saga-confirm-ambiguous"));
    // In sequence, the same reply is ambiguous.
    let seq = "steps:\n  - id: release\n    send: ReleasePet\n    on: PetReleased\n    timeout: 30s\n    onTimeout: fail\n    readOnly: true\n  - id: reserve\n    send: ReservePet\n    on: PetReserved\n    timeout: 30s\n    onTimeout: fail\n    compensation: {send: ReleasePet, confirm: PetReleased, timeout: 30s}\n";
    assert!(static_rules(seq).contains(&"saga-confirm-ambiguous"));
}

/// A step past the pivot needs no compensation: the completeness gate counts it
/// complete (it used to ask for the compensation `saga-pivot-compensation` forbids).
#[test]
fn steps_past_the_pivot_are_complete_for_the_gate() {
    let s = saga_of(
        "steps:\n  - id: charge\n    send: ChargeFee\n    on: FeeCharged\n    fail: FeeDeclined\n    timeout: 30s\n    onTimeout: fail\n    pivot: true\n  - id: book\n    send: BookVisit\n    on: VisitBooked\n    fail: FeeDeclined\n    timeout: 1m\n    onTimeout: retry\n    retry: {max: 5, backoff: 1s}\n",
    );
    assert_eq!(saga::check::completeness(std::slice::from_ref(&s)), (2, 2));
}

/// AsyncAPI 2.x contracts say what the application sends and receives through each
/// channel's `subscribe` and `publish` (a `message` or a `oneOf` of them): the pets
/// contract's `publish` carries the saga's commands, so none is "in no operation".
#[test]
fn commands_in_an_asyncapi_2_publish_oneof_have_a_direction() {
    let rules = static_rules(
        "steps:\n  - id: reserve\n    send: ReservePet\n    on: PetReserved\n    timeout: 30s\n    onTimeout: fail\n    compensation: {send: ReleasePet, confirm: PetReleased, timeout: 30s}\n",
    );
    assert!(!rules.contains(&"saga-direction"), "{rules:?}");
}

/// The recording ends while a command past the pivot is in flight: `simulate` leaves
/// the instance waiting, with no finding. Exploration's plain run plays the run out
/// (the command times out, the step fails past the pivot), but the end of the
/// recording means the same to both: the unperturbed stream breaks nothing.
#[test]
fn the_end_of_the_recording_is_judged_alike_by_simulate_and_explore() {
    let s = saga_of(
        "steps:\n  - id: charge\n    send: ChargeFee\n    on: FeeCharged\n    fail: FeeDeclined\n    timeout: 1m\n    onTimeout: retry\n    retry: {max: 2, backoff: 1s}\n    pivot: true\n  - id: book\n    send: BookVisit\n    on: VisitBooked\n    timeout: 1m\n    onTimeout: retry\n    retry: {max: 2, backoff: 1s}\n",
    );
    let evs = [
        ev(1, 0, "AdoptionRequested", None),
        ev(2, 1_000, "FeeCharged", Some("k/charge/1")),
    ];
    let plain = hnp_events::saga::engine::run(
        std::slice::from_ref(&s),
        &evs,
        hnp_events::saga::engine::Options::default(),
    );
    assert!(plain.violations.is_empty(), "{:#?}", plain.violations);
    assert_eq!(plain.instances[0].state.name(), "waiting");
    let c = counterexamples(&s, &evs, 1);
    assert!(
        !c.iter().any(|c| c.starts_with("saga-not-finished")),
        "{c:#?}"
    );
}

/// An instance that ends failed is reported at the last stream event it took (the
/// one that made it end), not at line 0.
#[test]
fn an_instance_that_ends_failed_is_located_at_its_last_event() {
    let s = saga_of(
        "steps:\n  - id: reserve\n    send: ReservePet\n    on: PetReserved\n    timeout: 1m\n    onTimeout: fail\n  - id: charge\n    send: ChargeFee\n    on: FeeCharged\n    fail: FeeDeclined\n    timeout: 1m\n    onTimeout: fail\n",
    );
    let evs = [
        ev(1, 0, "AdoptionRequested", None),
        ev(2, 1_000, "PetReserved", Some("k/reserve/1")),
        ev(3, 2_000, "FeeDeclined", Some("k/charge/1")),
    ];
    let o = hnp_events::saga::engine::run(
        std::slice::from_ref(&s),
        &evs,
        hnp_events::saga::engine::Options::default(),
    );
    let v: Vec<_> = o
        .violations
        .iter()
        .filter(|v| v.rule == "saga-not-finished")
        .collect();
    assert_eq!(v.len(), 1, "{:#?}", o.violations);
    assert_eq!(v[0].line, 3, "{:#?}", v[0]);
}

/// The outside evaluation's pets adoption (FA3, FA4): charge the fee, book the visit,
/// then branch on the home check. Delivering the fee's success after its timeout makes
/// the saga give up and end compensated; the late success then reopens the instance
/// to refund again (no `saga-late-effect`), and the recorded visit booking and home
/// check, which answer or follow a command this run never sent, are dropped from the
/// run (no `saga-after-terminal`).
#[test]
fn a_perturbed_early_end_keeps_causality_and_compensates_the_late_success() {
    let s = saga_of(
        "steps:\n  - id: charge-fee\n    send: ChargeFee\n    on: FeeCharged\n    fail: FeeDeclined\n    timeout: 30s\n    onTimeout: fail\n    ignore: [HomeChecked]\n    compensation: {send: RefundFee, confirm: FeeRefunded, timeout: 30s, retry: {max: 3, backoff: 2s}}\n  - id: book-visit\n    send: BookVisit\n    on: VisitBooked\n    timeout: 1m\n    onTimeout: fail\n    ignore: [HomeChecked]\n    compensation: {send: CancelVisit, confirm: VisitCancelled, timeout: 30s, retry: {max: 3, backoff: 2s}}\n  - branch:\n      id: home-check\n      on: HomeChecked\n      pointer: /payload/outcome\n      timeout: 2h\n      cases:\n        suitable: []\n        pending:\n          - id: recheck\n            on: HomeChecked\n            when: {pointer: /payload/outcome, equals: suitable}\n            timeout: 1h\n            onTimeout: fail\n            readOnly: true\n",
    );
    let checked = |line, time, outcome: &str| {
        let mut e = ev(line, time, "HomeChecked", None);
        e.payload["outcome"] = serde_json::json!(outcome);
        e
    };
    let evs = [
        ev(1, 0, "AdoptionRequested", None),
        ev(2, 900, "FeeCharged", Some("k/charge-fee/1")),
        ev(3, 5_000, "VisitBooked", Some("k/book-visit/1")),
        checked(4, 3_600_000, "pending"),
        checked(5, 5_400_000, "suitable"),
    ];
    for depth in [1, 2] {
        let c = counterexamples(&s, &evs, depth);
        assert!(c.is_empty(), "depth {depth}: {c:#?}");
    }
}

/// With causality, a late success still counts where nothing undoes it: the same
/// fee step without a compensation is `saga-late-effect` when its success is
/// delivered after its timeout.
#[test]
fn exploration_still_finds_a_late_effect_without_compensation() {
    let s = saga_of(
        "steps:\n  - id: charge-fee\n    send: ChargeFee\n    on: FeeCharged\n    fail: FeeDeclined\n    timeout: 30s\n    onTimeout: fail\n  - id: book-visit\n    send: BookVisit\n    on: VisitBooked\n    timeout: 1m\n    onTimeout: fail\n    compensation: {send: CancelVisit, confirm: VisitCancelled, timeout: 30s, retry: {max: 3, backoff: 2s}}\n",
    );
    let evs = [
        ev(1, 0, "AdoptionRequested", None),
        ev(2, 900, "FeeCharged", Some("k/charge-fee/1")),
        ev(3, 5_000, "VisitBooked", Some("k/book-visit/1")),
    ];
    let c = counterexamples(&s, &evs, 1);
    assert!(
        c.iter().any(|c| c.starts_with("saga-late-effect")),
        "{c:#?}"
    );
}

/// A compensation confirmed by its own step's success message, without `causation`
/// (`saga-confirm-ambiguous`): the confirmations of the compensation sent again for a
/// late success are taken as its answers, not as more late effects — the run ends
/// (it used to compensate again on every confirmation, without end).
#[test]
fn a_confirmation_that_is_also_the_success_does_not_reopen_without_end() {
    let mut s = saga_of(
        "steps:\n  - id: charge\n    send: ChargeFee\n    on: FeeCharged\n    timeout: 30s\n    onTimeout: fail\n    compensation: {send: RefundFee, confirm: FeeCharged, timeout: 30s, retry: {max: 3, backoff: 1s}}\n",
    );
    s.causation = None;
    let step = 0;
    let evs = [
        ev(1, 0, "AdoptionRequested", None),
        ev(2, 100_000, "FeeCharged", None),
    ];
    let o = saga::engine::run(
        std::slice::from_ref(&s),
        &evs,
        saga::engine::Options {
            keep_timelines: true,
            drain: true,
            auto_confirm: true,
            comp_scripts: vec![saga::engine::CompScript {
                key: "k".into(),
                step,
                idx: 0,
                answers: vec![saga::engine::Answer::Twice],
                every_round: true,
            }],
            ..Default::default()
        },
    );
    let i = &o.instances[0];
    assert_eq!(i.state.name(), "compensated", "{:#?}", i.timeline);
    assert!(i.timeline.len() < 40, "{:#?}", i.timeline);
}
