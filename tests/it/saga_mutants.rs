//! Saga mutation testing (issue 12): plant a bug of each statically detectable class
//! into the HNP sagas, one per mutant, and count what the checks catch. The unmutated
//! sagas produce no finding at all; every mutant must produce a finding of the class
//! it plants.

use crate::util::repo;

struct Mutant {
    saga: &'static str,
    /// What the mutant plants, for the report.
    bug: &'static str,
    /// Text replaced (must occur in the saga) and its replacement.
    from: &'static str,
    to: &'static str,
    /// The rule that must report it.
    rule: &'static str,
}

const MUTANTS: &[Mutant] = &[
    Mutant {
        saga: "gitops-sync",
        bug: "no failure event on the failure path",
        from: "  onFailure: SyncFailed\n",
        to: "",
        rule: "saga-failure-event-missing",
    },
    Mutant {
        saga: "gitops-sync",
        bug: "onFailure emits the success event",
        from: "  onFailure: SyncFailed\n",
        to: "  onFailure: SyncCompleted\n",
        rule: "saga-failure-event-missing",
    },
    Mutant {
        saga: "gitops-sync",
        bug: "onFailure emits a progress event (found outside: M17)",
        from: "  onFailure: SyncFailed\n",
        to: "  onFailure: SyncProgressed\n",
        rule: "saga-failure-event-missing",
    },
    Mutant {
        saga: "crd-apply",
        bug: "onFailure emits a success-named event",
        from: "  onFailure: SyncFailed\n",
        to: "  onFailure: DriftResolved\n",
        rule: "saga-failure-event-missing",
    },
    Mutant {
        saga: "gitops-sync",
        bug: "compensation confirmed by the forward reply (no distinguishing when)",
        from: "      send: MarkSyncError\n      confirm: SyncErrorMarked\n      fail: SyncErrorMarkFailed\n",
        to: "      send: UpdateFabricStatus\n      confirm: FabricStatusUpdated\n",
        rule: "saga-confirm-ambiguous",
    },
    Mutant {
        saga: "gitops-sync",
        bug: "compensation fails on the forward failure reply",
        from: "      send: MarkSyncError\n      confirm: SyncErrorMarked\n      fail: SyncErrorMarkFailed\n",
        to: "      send: UpdateFabricStatus\n      confirm: FabricStatusUpdated\n      when: {pointer: /payload/syncStatus, equals: error}\n      fail: FabricStatusUpdateFailed\n",
        rule: "saga-confirm-ambiguous",
    },
    Mutant {
        saga: "gitops-sync",
        bug: "compensation without a timeout",
        from: "      fail: NetBoxSnapshotRestoreFailed\n      timeout: 2m\n",
        to: "      fail: NetBoxSnapshotRestoreFailed\n",
        rule: "saga-timeout-missing",
    },
    Mutant {
        saga: "drift-reconcile",
        bug: "branch without a timeout",
        from: "      pointer: /payload/strategy\n      timeout: 24h\n",
        to: "      pointer: /payload/strategy\n",
        rule: "saga-timeout-missing",
    },
    Mutant {
        saga: "drift-reconcile",
        bug: "branch misses an enum value",
        from: "        manual:\n",
        to: "        manual_review:\n",
        rule: "saga-branch-incomplete",
    },
    Mutant {
        saga: "drift-reconcile",
        bug: "branch pointer names nothing in the schema",
        from: "      pointer: /payload/strategy\n",
        to: "      pointer: /payload/suggestedStrategy\n",
        rule: "saga-pointer-unknown",
    },
    Mutant {
        saga: "drift-reconcile",
        bug: "branch pointer optional in the schema",
        from: "      pointer: /payload/strategy\n",
        to: "      pointer: /headers/causationid\n",
        rule: "saga-pointer-optional",
    },
    Mutant {
        saga: "crd-apply",
        bug: "when pointer names nothing in the schema",
        from: "        when: {pointer: /payload/appliedCondition/status, equals: \"True\"}\n",
        to: "        when: {pointer: /payload/applied/status, equals: \"True\"}\n",
        rule: "saga-pointer-unknown",
    },
    Mutant {
        saga: "crd-apply",
        bug: "start condition names nothing in the schema",
        from: "  when: {pointer: /payload/direction, equals: netbox_to_cluster}\n",
        to: "  when: {pointer: /payload/directions, equals: netbox_to_cluster}\n",
        rule: "saga-pointer-unknown",
    },
    Mutant {
        saga: "crd-apply",
        bug: "a command's timeout counts as success",
        from: "        timeout: 2m\n        onTimeout: retry\n        retry: {max: 2, backoff: 10s}\n        p95: 1m\n",
        to: "        timeout: 2m\n        onTimeout: complete\n        retry: {max: 2, backoff: 10s}\n        p95: 1m\n",
        rule: "saga-timeout-complete-command",
    },
    Mutant {
        saga: "crd-apply",
        bug: "compensation after the pivot",
        from: "    retry: {max: 2, backoff: 5s}\n    readOnly: true\n",
        to: "    retry: {max: 2, backoff: 5s}\n    readOnly: true\n    pivot: true\n",
        rule: "saga-pivot-compensation",
    },
    Mutant {
        saga: "gitops-sync",
        bug: "state-changing step without compensation",
        from: "    p95: 30s\n    compensation:\n      send: RestoreNetBoxSnapshot\n      confirm: NetBoxSnapshotRestored\n      fail: NetBoxSnapshotRestoreFailed\n      timeout: 2m\n      retry: {max: 3, backoff: 5s}\n      # snapshotId is optional in the command: an apply whose outcome is unknown\n      # captured none, and the worker restores what it took for the saga.\n      with: {syncId: /payload/sagaId, fabricId: /payload/fabricId, snapshotId: /payload/snapshotId}\n",
        to: "    p95: 30s\n",
        rule: "saga-compensation-missing",
    },
    Mutant {
        saga: "crd-apply",
        bug: "step without a timeout",
        from: "    timeout: 1m\n    onTimeout: retry\n    retry: {max: 2, backoff: 5s}\n",
        to: "    retry: {max: 2, backoff: 5s}\n",
        rule: "saga-timeout-missing",
    },
    Mutant {
        saga: "crd-apply",
        bug: "command step without failure events",
        from: "    fail: ClusterStateBackupFailed\n",
        to: "",
        rule: "saga-failure-unhandled",
    },
    Mutant {
        saga: "crd-apply",
        bug: "reply that does not answer the command",
        from: "    on: ClusterStateBackedUp\n",
        to: "    on: ResourcesApplied\n",
        rule: "saga-direction",
    },
    Mutant {
        saga: "crd-apply",
        bug: "a non-idempotent command retried",
        from: "        retry: {max: 2, backoff: 10s}\n        p95: 1m\n",
        to: "        retry: {max: 2, backoff: 10s}\n        idempotent: false\n        p95: 1m\n",
        rule: "saga-retry-not-idempotent",
    },
    Mutant {
        saga: "gitops-sync",
        bug: "correlation key typo",
        from: "correlation: /headers/correlationid\n",
        to: "correlation: /headers/correlationId\n",
        rule: "saga-correlation-unknown",
    },
    Mutant {
        saga: "gitops-sync",
        bug: "a compensation fills a required property with what its own step captured (nothing when the step is in doubt)",
        from: "snapshotId: /payload/snapshotId}\n  - id: update-status",
        to: "snapshotId: /payload/reason}\n  - id: update-status",
        rule: "saga-capture-missing",
    },
    Mutant {
        saga: "gitops-sync",
        bug: "a command carries a value no step captures",
        from: "        capture: {stagingId: /payload/stagingId}\n",
        to: "",
        rule: "saga-capture-missing",
    },
    Mutant {
        saga: "gitops-sync",
        bug: "a command carries a value its own reply brings",
        from: "stagingId: /payload/stagingId}\n    on: NetBoxChangesApplied",
        to: "stagingId: /payload/stagingId, snapshotId: /payload/reason}\n    on: NetBoxChangesApplied",
        rule: "saga-capture-missing",
    },
    Mutant {
        saga: "gitops-sync",
        bug: "the start message no longer captures what every command carries",
        from: "  capture: {syncId: /payload/syncId, fabricId: /payload/fabricId}\n",
        to: "  capture: {fabricId: /payload/fabricId}\n",
        rule: "saga-capture-missing",
    },
    Mutant {
        saga: "gitops-sync",
        bug: "a captured string written where the command expects an integer",
        from: "with: {syncId: /payload/sagaId, fabricId: /payload/fabricId}\n    on: FabricStatusUpdated",
        to: "with: {syncId: /payload/fabricId}\n    on: FabricStatusUpdated",
        rule: "saga-capture-type",
    },
    Mutant {
        saga: "gitops-sync",
        bug: "a capture pointer names nothing in the completing event",
        from: "capture: {commitSha: /payload/toCommit}",
        to: "capture: {commitSha: /payload/commitSha}",
        rule: "saga-pointer-unknown",
    },
    Mutant {
        saga: "gitops-sync",
        bug: "a with pointer names nothing in the command",
        from: "stagingId: /payload/stagingId}\n    on: NetBoxChangesApplied",
        to: "stagingId: /payload/stageId}\n    on: NetBoxChangesApplied",
        rule: "saga-pointer-unknown",
    },
    Mutant {
        saga: "gitops-sync",
        bug: "the status step's compensation attached to the apply step (outside red team B12)",
        from: "      send: RestoreNetBoxSnapshot\n      confirm: NetBoxSnapshotRestored\n      fail: NetBoxSnapshotRestoreFailed\n",
        to: "      send: MarkSyncError\n      confirm: SyncErrorMarked\n      fail: SyncErrorMarkFailed\n",
        rule: "saga-compensation-mismatch",
    },
    Mutant {
        saga: "crd-apply",
        bug: "readOnly on a command the contract can undo (outside red team B13)",
        from: "        p95: 1m\n        compensation:\n",
        to: "        p95: 1m\n        readOnly: true\n        compensation:\n",
        rule: "saga-readonly-state-change",
    },
];

fn check_text(name: &str, text: &str) -> Vec<hnp_events::diag::Diagnostic> {
    crate::saga_inverses::check("fixtures/hnp/asyncapi.yaml", name, text)
}

#[test]
fn every_planted_static_bug_is_caught_and_the_originals_are_clean() {
    for name in ["gitops-sync", "crd-apply", "drift-reconcile"] {
        let text =
            std::fs::read_to_string(repo().join(format!("fixtures/hnp/sagas/{name}.saga.yaml")))
                .expect("saga");
        let d = check_text(name, &text);
        assert!(d.is_empty(), "{name} unmutated: {d:#?}");
    }
    let mut survivors = Vec::new();
    for m in MUTANTS {
        let text = std::fs::read_to_string(
            repo().join(format!("fixtures/hnp/sagas/{}.saga.yaml", m.saga)),
        )
        .expect("saga");
        assert!(
            text.contains(m.from),
            "mutant `{}`: `{}` not in {}",
            m.bug,
            m.from,
            m.saga
        );
        let d = check_text(m.saga, &text.replacen(m.from, m.to, 1));
        if !d.iter().any(|d| d.rule == m.rule) {
            survivors.push(format!(
                "{}: {} (expected {}; got {:?})",
                m.saga,
                m.bug,
                m.rule,
                d.iter().map(|d| d.rule).collect::<Vec<_>>()
            ));
        }
    }
    println!(
        "saga static mutants: {} planted, {} caught",
        MUTANTS.len(),
        MUTANTS.len() - survivors.len()
    );
    assert!(survivors.is_empty(), "survivors:\n{}", survivors.join("\n"));
}

/// Class 3: a correlation key that is not unique per run. Two gitops-sync runs share
/// one key (their events interleave): the second start is reported, not merged
/// silently. A redelivered start (same idempotency key) is no second run.
#[test]
fn a_correlation_key_shared_by_two_runs_is_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(repo().join("fixtures/hnp/streams/gitops-sync-happy.jsonl"))
        .expect("stream");
    let lines: Vec<&str> = text.lines().collect();
    // The second run: the same events 500 ms later, with their own event ids.
    let mut second: Vec<String> = Vec::new();
    for l in &lines {
        let mut v: serde_json::Value = serde_json::from_str(l).expect("json");
        let t = hnp_events::saga::stream::parse_rfc3339(v["time"].as_str().expect("time"))
            .expect("time");
        v["time"] = serde_json::json!(t + 500);
        let id = v["headers"]["id"].as_str().expect("id").to_string();
        v["headers"]["id"] = serde_json::json!(format!("{id}-b"));
        second.push(v.to_string());
    }
    let mut both: Vec<(i64, String)> = lines
        .iter()
        .map(|l| l.to_string())
        .chain(second)
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(&l).expect("json");
            let t = match &v["time"] {
                serde_json::Value::String(s) => {
                    hnp_events::saga::stream::parse_rfc3339(s).expect("time")
                }
                n => n.as_i64().expect("ms"),
            };
            (t, l)
        })
        .collect();
    both.sort_by_key(|(t, _)| *t);
    let p = dir.path().join("shared-key.jsonl");
    std::fs::write(
        &p,
        both.into_iter().map(|(_, l)| l + "\n").collect::<String>(),
    )
    .expect("write");
    let out = crate::util::run(&[
        "simulate",
        "fixtures/hnp/sagas/gitops-sync.saga.yaml",
        "--events",
        &p.display().to_string(),
    ]);
    let text = crate::util::stdout(&out);
    assert_eq!(crate::util::code(&out), 1, "{text}");
    assert!(text.contains("saga-concurrent-start"), "{text}");
    assert!(text.contains("shared-key.jsonl:2"), "{text}");
    // A redelivery of the start is a duplicate, not a second run.
    let dup = crate::util::run(&[
        "simulate",
        "fixtures/hnp/sagas/gitops-sync.saga.yaml",
        "--events",
        "fixtures/hnp/streams/gitops-sync-duplicate.jsonl",
    ]);
    assert!(!crate::util::stdout(&dup).contains("saga-concurrent-start"));
}

/// Class 7: golden files record the commands sent and the compensations run, so a
/// saga whose compensations run in another order (or a command retried once more)
/// no longer matches the blessed run of the correct saga, and the mismatch says where.
#[test]
fn golden_files_catch_changed_commands_and_compensation_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let contract = repo().join("fixtures/hnp/asyncapi.yaml");
    let text = std::fs::read_to_string(repo().join("fixtures/hnp/sagas/crd-apply.saga.yaml"))
        .expect("saga")
        .replace(
            "contract: ../asyncapi.yaml",
            &format!("contract: {}", contract.display()),
        );
    let restore = "          - send: RestoreClusterState\n            confirm: ClusterStateRestored\n            fail: ClusterStateRestoreFailed\n            timeout: 2m\n            retry: {max: 3, backoff: 10s}\n";
    let delete = "          - send: DeleteCreatedResources\n            confirm: CreatedResourcesDeleted\n            fail: CreatedResourcesDeletionFailed\n            timeout: 2m\n            retry: {max: 3, backoff: 10s}\n";
    assert!(
        text.contains(&format!("{restore}{delete}")),
        "fixture shape"
    );
    let swapped = text.replace(&format!("{restore}{delete}"), &format!("{delete}{restore}"));
    let p = dir.path().join("crd-apply.saga.yaml");
    std::fs::write(&p, swapped).expect("write");
    let out = crate::util::run(&[
        "simulate",
        &p.display().to_string(),
        "--events",
        "fixtures/hnp/streams/crd-apply-compensate.jsonl",
        "--expect",
        "fixtures/hnp/streams/crd-apply-compensate.expect.json",
    ]);
    let text = crate::util::stdout(&out);
    assert_eq!(crate::util::code(&out), 1, "{text}");
    assert!(
        text.contains("`compensations` differs at #1: got \"apply-resources: DeleteCreatedResources #1\", expected \"apply-resources: RestoreClusterState #1\""),
        "{text}"
    );
    // The unmutated saga matches its golden file.
    let ok = crate::util::run(&[
        "simulate",
        "fixtures/hnp/sagas/crd-apply.saga.yaml",
        "--events",
        "fixtures/hnp/streams/crd-apply-compensate.jsonl",
        "--expect",
        "fixtures/hnp/streams/crd-apply-compensate.expect.json",
        "--quiet",
    ]);
    assert_eq!(crate::util::code(&ok), 0, "{}", crate::util::stdout(&ok));
}

/// A state-changing step after the pivot needs no compensation (one there is
/// `saga-pivot-compensation`): it only goes forward, so `saga-compensation-missing`
/// must not ask for one. The same step before the pivot does need one.
#[test]
fn steps_past_the_pivot_need_no_compensation() {
    let text = std::fs::read_to_string(repo().join("fixtures/hnp/sagas/drift-reconcile.saga.yaml"))
        .expect("saga");
    let step = "          - id: mark-synced\n            send: UpdateFabricStatus\n            on: FabricStatusUpdated\n            fail: FabricStatusUpdateFailed\n            ignore: DriftResolutionChosen\n            timeout: 30s\n            onTimeout: retry\n            retry: {max: 5, backoff: 2s}\n";
    let pivot = "            pivot: true\n";
    assert!(text.contains(pivot));
    let after = text.replacen(pivot, &format!("{pivot}{step}"), 1);
    let d = check_text("drift-reconcile", &after);
    assert!(
        !d.iter().any(|d| d.rule == "saga-compensation-missing"),
        "{d:#?}"
    );
    let before = text.replacen(
        "        favor_git:\n",
        &format!("        favor_git:\n{step}"),
        1,
    );
    let d = check_text("drift-reconcile", &before);
    assert!(
        d.iter()
            .any(|d| d.rule == "saga-compensation-missing" && d.message.contains("mark-synced")),
        "{d:#?}"
    );
}

/// A compensation confirmed by the forward reply's message with a `when`: without
/// `causation`, the `when` tells the two apart only if the forward step waits for
/// another value at the same pointer (found outside: M40). With `causation` replies
/// name their command, so it is not ambiguous.
#[test]
fn a_when_that_the_forward_reply_may_meet_is_ambiguous() {
    let text = std::fs::read_to_string(repo().join("fixtures/hnp/sagas/gitops-sync.saga.yaml"))
        .expect("saga");
    let comp_from = "      send: MarkSyncError\n      confirm: SyncErrorMarked\n      fail: SyncErrorMarkFailed\n";
    let comp_to = "      send: UpdateFabricStatus\n      confirm: FabricStatusUpdated\n      when: {pointer: /payload/syncStatus, equals: error}\n";
    assert!(text.contains(comp_from));
    let with_causation = text.replacen(comp_from, comp_to, 1);
    let d = check_text("gitops-sync", &with_causation);
    assert!(
        !d.iter().any(|d| d.rule == "saga-confirm-ambiguous"),
        "{d:#?}"
    );
    let without = with_causation.replacen("causation: /headers/causationid\n", "", 1);
    let d = check_text("gitops-sync", &without);
    assert!(
        d.iter().any(|d| d.rule == "saga-confirm-ambiguous"),
        "{d:#?}"
    );
}

/// A correlation key optional in many messages (start included) is one finding at
/// `correlation` that says an instance may never start, not one per message (found
/// outside: 20 identical warnings, exit 0).
#[test]
fn a_correlation_key_optional_everywhere_is_one_finding_at_the_key() {
    let text = std::fs::read_to_string(repo().join("fixtures/hnp/sagas/gitops-sync.saga.yaml"))
        .expect("saga");
    let text = text.replacen(
        "correlation: /headers/correlationid",
        "correlation: /headers/fabricid",
        1,
    );
    let d: Vec<_> = check_text("gitops-sync", &text)
        .into_iter()
        .filter(|d| d.rule == "saga-pointer-optional")
        .collect();
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(
        d[0].message.contains("no start message requires it"),
        "{}",
        d[0].message
    );
    assert_eq!(d[0].location.line(), Some(7), "{:?}", d[0].location);
}
