//! Saga mutation score (issue 12, "Done when"): a mutator plants a bug of each of the
//! issue's seven classes into the HNP sagas and the `fixtures/codegen` sagas, one per
//! mutant, and runs what a saga designer would run: `validate` (static checks),
//! `simulate` on every recorded stream of the saga (with its golden file), and
//! `simulate --explore` (depth 1) on its happy and compensation streams. A mutant is
//! caught when any of them reports a finding the unmutated saga does not have; the
//! unmutated HNP sagas have no finding at all (but the out-of-order streams', which
//! are the point of those streams). The score is printed; survivors are listed with
//! the reason they survive, and only those listed are allowed to.

use std::collections::BTreeSet;
use std::sync::Arc;

use hnp_events::saga::{self, engine, explore, stream::Event};
use serde_json::json;

use crate::util::{read_stream, repo};

struct Planted {
    saga: &'static str,
    /// The class (1–7).
    class: u8,
    bug: &'static str,
    /// Text replaced (must occur in the saga) and its replacement (`from` is applied
    /// to every occurrence when `all`).
    from: &'static str,
    to: &'static str,
}

const fn m(
    saga: &'static str,
    class: u8,
    bug: &'static str,
    from: &'static str,
    to: &'static str,
) -> Planted {
    Planted {
        saga,
        class,
        bug,
        from,
        to,
    }
}

const CAUSATION: &str = "causation: /headers/causationid\n";

/// The mutants. Class 5 (false alarms) is the tool's own bug class: it is checked by
/// the unmutated sagas giving no finding (at depth 1 and 2), not by planting.
const PLANTED: &[Planted] = &[
    // 1. Replies matched by message type only.
    m(
        "gitops-sync",
        1,
        "no causation: replies matched by type",
        CAUSATION,
        "",
    ),
    m(
        "crd-apply",
        1,
        "no causation: replies matched by type",
        CAUSATION,
        "",
    ),
    m(
        "drift-reconcile",
        1,
        "no causation: replies matched by type",
        CAUSATION,
        "",
    ),
    m(
        "gitops-sync",
        1,
        "causation read where replies do not carry it",
        CAUSATION,
        "causation: /headers/causeid\n",
    ),
    m(
        "gitops-sync",
        1,
        "compensation confirmed by the forward reply",
        "      send: MarkSyncError\n      confirm: SyncErrorMarked\n      fail: SyncErrorMarkFailed\n",
        "      send: UpdateFabricStatus\n      confirm: FabricStatusUpdated\n",
    ),
    m(
        "gitops-sync",
        1,
        "compensation failed by the forward failure reply",
        "      send: MarkSyncError\n      confirm: SyncErrorMarked\n      fail: SyncErrorMarkFailed\n",
        "      send: UpdateFabricStatus\n      confirm: FabricStatusUpdated\n      when: {pointer: /payload/syncStatus, equals: error}\n      fail: FabricStatusUpdateFailed\n",
    ),
    m(
        "gitops-sync",
        1,
        "a non-idempotent command retried",
        "    retry: {max: 2, backoff: 5s}\n    p95: 30s\n",
        "    retry: {max: 2, backoff: 5s}\n    idempotent: false\n    p95: 30s\n",
    ),
    m(
        "crd-apply",
        1,
        "a non-idempotent command retried",
        "        retry: {max: 2, backoff: 10s}\n        p95: 1m\n",
        "        retry: {max: 2, backoff: 10s}\n        idempotent: false\n        p95: 1m\n",
    ),
    m(
        "drift-reconcile",
        1,
        "a non-idempotent commit retried",
        "    send: CommitToGit\n",
        "    send: CommitToGit\n            idempotent: false\n",
    ),
    // 2. In-flight and late effects.
    m(
        "adoption",
        2,
        "a step compensated while in flight has no compensation",
        "        compensation: {send: ReleasePet, confirm: PetReleased, timeout: 30s, retry: {max: 3, backoff: 1s}}\n",
        "",
    ),
    m(
        "adoption",
        2,
        "abandoning a step in flight without a compensation",
        "        compensation: {send: ReleasePet, confirm: PetReleased, timeout: 30s, retry: {max: 3, backoff: 1s}}\n",
        "        inFlight: abandon\n",
    ),
    m(
        "gitops-sync",
        2,
        "the state-changing step's compensation dropped",
        "    p95: 30s\n    compensation:\n      send: RestoreNetBoxSnapshot\n      confirm: NetBoxSnapshotRestored\n      fail: NetBoxSnapshotRestoreFailed\n      timeout: 2m\n      retry: {max: 3, backoff: 5s}\n      # snapshotId is optional in the command: an apply whose outcome is unknown\n      # captured none, and the worker restores what it took for the saga.\n      with: {syncId: /payload/sagaId, fabricId: /payload/fabricId, snapshotId: /payload/snapshotId}\n",
        "    p95: 30s\n",
    ),
    m(
        "drift-reconcile",
        2,
        "the commit's compensation dropped",
        "            compensation:\n              send: RevertCommit\n              confirm: CommitReverted\n              fail: CommitRevertFailed\n              timeout: 1m\n              retry: {max: 3, backoff: 5s}\n",
        "",
    ),
    // 3. How a saga ends.
    m(
        "gitops-sync",
        3,
        "no failure event",
        "  onFailure: SyncFailed\n",
        "",
    ),
    m(
        "gitops-sync",
        3,
        "onFailure emits the success event",
        "  onFailure: SyncFailed\n",
        "  onFailure: SyncCompleted\n",
    ),
    m(
        "crd-apply",
        3,
        "onFailure emits a success-named event",
        "  onFailure: SyncFailed\n",
        "  onFailure: DriftResolved\n",
    ),
    m(
        "drift-reconcile",
        3,
        "no failure event",
        "  onFailure: ReconciliationFailed\n",
        "",
    ),
    m(
        "adoption",
        3,
        "no failure event",
        "  onFailure: AdoptionFailed\n",
        "",
    ),
    m(
        "checkup",
        3,
        "onFailure emits the success event",
        "  onFailure: AdoptionFailed\n",
        "  onFailure: AdoptionCompleted\n",
    ),
    m(
        "crd-apply",
        3,
        "compensations listed in forward order",
        "          - send: RestoreClusterState\n            confirm: ClusterStateRestored\n            fail: ClusterStateRestoreFailed\n            timeout: 2m\n            retry: {max: 3, backoff: 10s}\n          - send: DeleteCreatedResources\n            confirm: CreatedResourcesDeleted\n            fail: CreatedResourcesDeletionFailed\n            timeout: 2m\n            retry: {max: 3, backoff: 10s}\n",
        "          - send: DeleteCreatedResources\n            confirm: CreatedResourcesDeleted\n            fail: CreatedResourcesDeletionFailed\n            timeout: 2m\n            retry: {max: 3, backoff: 10s}\n          - send: RestoreClusterState\n            confirm: ClusterStateRestored\n            fail: ClusterStateRestoreFailed\n            timeout: 2m\n            retry: {max: 3, backoff: 10s}\n",
    ),
    m(
        "gitops-sync",
        3,
        "a correlation key no message declares",
        "correlation: /headers/correlationid\n",
        "correlation: /headers/correlationId\n",
    ),
    m(
        "gitops-sync",
        3,
        "the failing status update gives up at once",
        "    retry: {max: 3, backoff: 1s}\n    compensation:\n",
        "    retry: {max: 1, backoff: 1s}\n    compensation:\n",
    ),
    m(
        "drift-reconcile",
        3,
        "the alert resolution gives up one attempt early",
        "    retry: {max: 5, backoff: 2s}\n",
        "    retry: {max: 4, backoff: 2s}\n",
    ),
    // 4. Only exploration sees it (participants failing or answering late).
    m(
        "crd-apply",
        4,
        "the restore compensation is never retried",
        "            timeout: 2m\n            retry: {max: 3, backoff: 10s}\n          - send: DeleteCreatedResources\n",
        "            timeout: 2m\n          - send: DeleteCreatedResources\n",
    ),
    m(
        "gitops-sync",
        4,
        "the snapshot restore is never retried",
        "      timeout: 2m\n      retry: {max: 3, backoff: 5s}\n",
        "      timeout: 2m\n",
    ),
    m(
        "drift-reconcile",
        4,
        "the commit revert is never retried",
        "              timeout: 1m\n              retry: {max: 3, backoff: 5s}\n",
        "              timeout: 1m\n",
    ),
    m(
        "gitops-sync",
        4,
        "the status compensation is never retried",
        "      fail: SyncErrorMarkFailed\n      timeout: 30s\n      retry: {max: 3, backoff: 1s}\n",
        "      fail: SyncErrorMarkFailed\n      timeout: 30s\n",
    ),
    m(
        "crd-apply",
        4,
        "the delete compensation is never retried",
        "            fail: CreatedResourcesDeletionFailed\n            timeout: 2m\n            retry: {max: 3, backoff: 10s}\n",
        "            fail: CreatedResourcesDeletionFailed\n            timeout: 2m\n",
    ),
    // 4, compensation participants: a compensation must survive two failures.
    m(
        "crd-apply",
        4,
        "the restore compensation survives only one failure",
        "            timeout: 2m\n            retry: {max: 3, backoff: 10s}\n          - send: DeleteCreatedResources\n",
        "            timeout: 2m\n            retry: {max: 2, backoff: 10s}\n          - send: DeleteCreatedResources\n",
    ),
    m(
        "crd-apply",
        4,
        "the delete compensation survives only one failure",
        "            fail: CreatedResourcesDeletionFailed\n            timeout: 2m\n            retry: {max: 3, backoff: 10s}\n",
        "            fail: CreatedResourcesDeletionFailed\n            timeout: 2m\n            retry: {max: 2, backoff: 10s}\n",
    ),
    m(
        "gitops-sync",
        4,
        "the snapshot restore survives only one failure",
        "      timeout: 2m\n      retry: {max: 3, backoff: 5s}\n",
        "      timeout: 2m\n      retry: {max: 2, backoff: 5s}\n",
    ),
    m(
        "gitops-sync",
        4,
        "the status compensation survives only one lost reply",
        "      timeout: 30s\n      retry: {max: 3, backoff: 1s}\n",
        "      timeout: 30s\n      retry: {max: 2, backoff: 1s}\n",
    ),
    m(
        "drift-reconcile",
        4,
        "the commit revert survives only one failure",
        "              timeout: 1m\n              retry: {max: 3, backoff: 5s}\n",
        "              timeout: 1m\n              retry: {max: 2, backoff: 5s}\n",
    ),
    // 4, reordering within an instance: conflict reports may trail the resolution.
    m(
        "gitops-sync",
        4,
        "a conflict report after the resolution is not ignored",
        // The saga-wide ignore narrowed to the step that waits for the detector.
        "ignore:\n  - ConflictDetected\n# Another component (the NetBox worker, an operator) reporting the sync failed rolls it back,\n# whatever step the saga is in (steps in flight are awaited first).\nabortOn:\n  - SyncFailed\nsteps:\n  - id: validate-access\n    send: ValidateRepositoryAccess\n    with: {syncId: /payload/sagaId, fabricId: /payload/fabricId}\n    on: RepositoryAccessValidated\n    capture: {repositoryId: /payload/repositoryId}\n    fail: RepositoryAccessValidationFailed\n    timeout: 30s\n    onTimeout: retry\n    retry: {max: 3, backoff: 1s}\n    readOnly: true\n    # Detection runs on the staged resources: one cannot finish before them.\n    ignore: ConflictDetectionCompleted\n    p95: 2s\n  - id: fetch-changes\n    send: FetchChanges\n    with: {syncId: /payload/sagaId, fabricId: /payload/fabricId, repositoryId: /payload/repositoryId}\n    on: ChangesFetched\n    capture: {commitSha: /payload/toCommit}\n    fail: ChangeFetchFailed\n    timeout: 1m\n    onTimeout: retry\n    retry: {max: 3, backoff: 2s}\n    readOnly: true\n    # Detection runs on the staged resources: one cannot finish before them.\n    ignore: ConflictDetectionCompleted\n    p95: 10s\n  # The detector starts on the staged resources and may finish before the stager's\n  # reply reaches the saga: detect-conflicts waits from the moment StageResources is\n  # sent, so an early ConflictDetectionCompleted is its completion, not an ignored event.\n  - parallel:\n      - id: stage-crds\n        send: StageResources\n        with:\n          syncId: /payload/sagaId\n          fabricId: /payload/fabricId\n          repositoryId: /payload/repositoryId\n          commitSha: /payload/commitSha\n        on: ResourcesStaged\n        capture: {stagingId: /payload/stagingId}\n        fail: ResourceStagingFailed\n        timeout: 1m\n        onTimeout: retry\n        retry: {max: 2, backoff: 1s}\n        readOnly: true\n      - id: detect-conflicts\n        description: >-\n          Wait for the conflict detector to compare the staged resources with NetBox and\n          the cluster. ConflictDetected events are progress; the step completes on\n          ConflictDetectionCompleted, and the sync gives up when the detector does not\n          finish in time.\n        on: ConflictDetectionCompleted\n",
        "# Another component (the NetBox worker, an operator) reporting the sync failed rolls it back,\n# whatever step the saga is in (steps in flight are awaited first).\nabortOn:\n  - SyncFailed\nsteps:\n  - id: validate-access\n    send: ValidateRepositoryAccess\n    with: {syncId: /payload/sagaId, fabricId: /payload/fabricId}\n    on: RepositoryAccessValidated\n    capture: {repositoryId: /payload/repositoryId}\n    fail: RepositoryAccessValidationFailed\n    timeout: 30s\n    onTimeout: retry\n    retry: {max: 3, backoff: 1s}\n    readOnly: true\n    # Detection runs on the staged resources: one cannot finish before them.\n    ignore: ConflictDetectionCompleted\n    p95: 2s\n  - id: fetch-changes\n    send: FetchChanges\n    with: {syncId: /payload/sagaId, fabricId: /payload/fabricId, repositoryId: /payload/repositoryId}\n    on: ChangesFetched\n    capture: {commitSha: /payload/toCommit}\n    fail: ChangeFetchFailed\n    timeout: 1m\n    onTimeout: retry\n    retry: {max: 3, backoff: 2s}\n    readOnly: true\n    # Detection runs on the staged resources: one cannot finish before them.\n    ignore: ConflictDetectionCompleted\n    p95: 10s\n  # The detector starts on the staged resources and may finish before the stager's\n  # reply reaches the saga: detect-conflicts waits from the moment StageResources is\n  # sent, so an early ConflictDetectionCompleted is its completion, not an ignored event.\n  - parallel:\n      - id: stage-crds\n        send: StageResources\n        with:\n          syncId: /payload/sagaId\n          fabricId: /payload/fabricId\n          repositoryId: /payload/repositoryId\n          commitSha: /payload/commitSha\n        on: ResourcesStaged\n        capture: {stagingId: /payload/stagingId}\n        fail: ResourceStagingFailed\n        timeout: 1m\n        onTimeout: retry\n        retry: {max: 2, backoff: 1s}\n        readOnly: true\n      - id: detect-conflicts\n        description: >-\n          Wait for the conflict detector to compare the staged resources with NetBox and\n          the cluster. ConflictDetected events are progress; the step completes on\n          ConflictDetectionCompleted, and the sync gives up when the detector does not\n          finish in time.\n        on: ConflictDetectionCompleted\n        ignore: ConflictDetected\n",
    ),
    // 6. Static checks on every construct.
    m(
        "gitops-sync",
        6,
        "compensation without a timeout",
        "      timeout: 2m\n      retry: {max: 3, backoff: 5s}\n",
        "      retry: {max: 3, backoff: 5s}\n",
    ),
    m(
        "drift-reconcile",
        6,
        "branch without a timeout",
        "      timeout: 24h\n",
        "",
    ),
    m(
        "drift-reconcile",
        6,
        "branch missing an enum value",
        "        manual:\n          # A person fixes the object by hand: wait for the detector to see it in sync.\n          - id: await-manual-fix\n            on: DriftResolved\n            ignore: DriftResolutionChosen\n            timeout: 24h\n            onTimeout: fail\n            readOnly: true\n",
        "",
    ),
    m(
        "drift-reconcile",
        6,
        "branch pointer names nothing",
        "      pointer: /payload/strategy\n",
        "      pointer: /payload/suggestedStrategy\n",
    ),
    m(
        "drift-reconcile",
        6,
        "branch on an optional property",
        "      pointer: /payload/strategy\n",
        "      pointer: /headers/causationid\n",
    ),
    m(
        "crd-apply",
        6,
        "`when` pointer names nothing",
        "        when: {pointer: /payload/appliedCondition/status, equals: \"True\"}\n",
        "        when: {pointer: /payload/appliedCondition/state, equals: \"True\"}\n",
    ),
    m(
        "crd-apply",
        6,
        "start condition names nothing",
        "  when: {pointer: /payload/direction, equals: netbox_to_cluster}\n",
        "  when: {pointer: /payload/directions, equals: netbox_to_cluster}\n",
    ),
    m(
        "crd-apply",
        6,
        "a command's timeout counts as success",
        "        timeout: 2m\n        onTimeout: retry\n        retry: {max: 2, backoff: 10s}\n        p95: 1m\n",
        "        timeout: 2m\n        onTimeout: complete\n        retry: {max: 2, backoff: 10s}\n        p95: 1m\n",
    ),
    m(
        "crd-apply",
        6,
        "a wait step without a timeout",
        "        timeout: 3m\n        onTimeout: fail\n",
        "",
    ),
    m(
        "crd-apply",
        6,
        "a compensation after the pivot",
        "    retry: {max: 2, backoff: 5s}\n    readOnly: true\n",
        "    retry: {max: 2, backoff: 5s}\n    readOnly: true\n    pivot: true\n",
    ),
    m(
        "adoption",
        6,
        "a step without a timeout",
        "    timeout: 1m\n    onTimeout: fail\n",
        "",
    ),
    m(
        "checkup",
        6,
        "`when` pointer (under `not`) names nothing",
        "    when: {not: {pointer: /payload/outcome, matches: \"^(un|pend)\"}}\n",
        "    when: {not: {pointer: /payload/outcomes, matches: \"^(un|pend)\"}}\n",
    ),
    m(
        "checkup",
        6,
        "a start condition's `in` pointer names nothing",
        "  when: {pointer: /payload/outcome, in: [pending, unsuitable]}\n",
        "  when: {pointer: /payload/verdict, in: [pending, unsuitable]}\n",
    ),
    m(
        "checkup",
        6,
        "a command's timeout counts as success",
        "    onTimeout: retry\n",
        "    onTimeout: complete\n",
    ),
    // 7. Golden files record commands and compensations.
    m(
        "crd-apply",
        7,
        "the Applied condition awaited ten times longer",
        "        timeout: 3m\n        onTimeout: fail\n",
        "        timeout: 30m\n        onTimeout: fail\n",
    ),
    m(
        "gitops-sync",
        7,
        "one status update attempt more",
        "    retry: {max: 3, backoff: 1s}\n    compensation:\n",
        "    retry: {max: 4, backoff: 1s}\n    compensation:\n",
    ),
    m(
        "drift-reconcile",
        7,
        "the commit compensated by another command",
        "              send: RevertCommit\n",
        "              send: ResolveDriftAlert\n",
    ),
];

/// Survivors allowed, with the reason (bug text → why nothing can see it).
/// (Empty since exploration exhausts a step by silence, which caught the last one: the
/// status compensation of gitops-sync never retried.)
const KNOWN_SURVIVORS: &[(&str, &str)] = &[];

fn saga_file(name: &str) -> String {
    if matches!(name, "adoption" | "checkup") {
        format!("fixtures/codegen/sagas/{name}.saga.yaml")
    } else {
        format!("fixtures/hnp/sagas/{name}.saga.yaml")
    }
}

fn contract_of(name: &str) -> &'static str {
    if matches!(name, "adoption" | "checkup") {
        "fixtures/codegen/pets.asyncapi-2.6.yaml"
    } else {
        "fixtures/hnp/asyncapi.yaml"
    }
}

/// The streams of a saga: (name, events, golden file, explored).
fn streams(name: &str) -> Vec<(String, Vec<Event>, Option<serde_json::Value>, bool)> {
    if name == "crd-apply-unsafe" {
        return Vec::new();
    }
    if matches!(name, "adoption" | "checkup") {
        return codegen_streams(name);
    }
    [
        "happy",
        "compensate",
        "duplicate",
        "out-of-order",
        "timeout",
    ]
    .iter()
    .map(|k| {
        let base = format!("fixtures/hnp/streams/{name}-{k}");
        let golden = std::fs::read_to_string(repo().join(format!("{base}.expect.json")))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok());
        (
            k.to_string(),
            read_stream(&format!("{base}.jsonl")),
            golden,
            matches!(*k, "happy" | "compensate"),
        )
    })
    .collect()
}

/// Hand-made happy streams of the codegen sagas (they have no recorded streams).
fn codegen_streams(name: &str) -> Vec<(String, Vec<Event>, Option<serde_json::Value>, bool)> {
    let ev = |line: u32, t: i64, msg: &str, payload: serde_json::Value| Event {
        line,
        offset: 0,
        time: t,
        message: msg.to_string(),
        headers: json!({"correlationid": "k", "id": format!("e{line}")}),
        payload,
    };
    let evs = if name == "adoption" {
        vec![
            ev(1, 0, "AdoptionRequested", json!({})),
            ev(2, 100, "PetReserved", json!({})),
            ev(3, 200, "FeeCharged", json!({})),
            ev(4, 300, "VisitBooked", json!({})),
            ev(5, 400, "HomeChecked", json!({"outcome": "suitable"})),
        ]
    } else {
        vec![
            ev(1, 0, "HomeChecked", json!({"outcome": "pending"})),
            ev(2, 100, "VisitBooked", json!({})),
            ev(3, 200, "HomeChecked", json!({"outcome": "suitable"})),
        ]
    };
    vec![("happy".into(), evs, None, true)]
}

/// Everything the three commands report for a saga text, as comparable findings.
fn findings(name: &str, text: &str) -> BTreeSet<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let contract = repo().join(contract_of(name));
    let text = text.replacen(
        &format!(
            "contract: {}",
            if contract_of(name).contains("codegen") {
                "../pets.asyncapi-2.6.yaml"
            } else {
                "../asyncapi.yaml"
            }
        ),
        &format!("contract: {}", contract.display()),
        1,
    );
    let p = dir.path().join(format!("{name}.saga.yaml"));
    std::fs::write(&p, &text).expect("write");
    let mut out = BTreeSet::new();
    let s = match saga::load(&p, Arc::from(name)) {
        Ok(s) => s,
        Err(d) => {
            out.extend(d.iter().map(|d| format!("validate {}", d.rule)));
            return out;
        }
    };
    let ws = saga::contract::load_workspace(&contract).expect("contract");
    out.extend(
        saga::check(&s, &ws)
            .iter()
            .map(|d| format!("validate {}", d.rule)),
    );
    let sagas = [s];
    for (k, evs, golden, explored) in streams(name) {
        let o = engine::run(
            &sagas,
            &evs,
            engine::Options {
                keep_timelines: true,
                ..Default::default()
            },
        );
        out.extend(
            o.violations
                .iter()
                .map(|v| format!("simulate {k}: {} line {}", v.rule, v.line)),
        );
        if let Some(g) = golden {
            out.extend(
                saga::expect::compare(&g, &o)
                    .into_iter()
                    .map(|d| format!("expect {k}: {d}")),
            );
        }
        if explored {
            let r = explore::explore(&sagas, &evs, 0, explore::ExploreOptions::default());
            out.extend(
                r.counterexamples
                    .iter()
                    .map(|c| format!("explore {k}: {}", c.rule)),
            );
        }
    }
    out
}

#[test]
fn mutation_score_over_the_seven_classes() {
    let names = [
        "gitops-sync",
        "crd-apply",
        "drift-reconcile",
        "adoption",
        "checkup",
    ];
    let baseline: Vec<(&str, BTreeSet<String>)> = names
        .iter()
        .map(|n| {
            let text = std::fs::read_to_string(repo().join(saga_file(n))).expect("saga");
            (*n, findings(n, &text))
        })
        .collect();
    // Zero false alarms: nothing but the out-of-order streams' reports (a reply before
    // its command, the latency it costs).
    // The codegen fixtures are written for code generation, not as model sagas: they
    // have findings of their own (listed), and their mutants count by new findings.
    for (n, b) in baseline
        .iter()
        .filter(|(n, _)| matches!(*n, "adoption" | "checkup"))
    {
        println!("{n} unmutated (codegen fixture): {b:?}");
    }
    for (n, b) in baseline
        .iter()
        .filter(|(n, _)| !matches!(*n, "adoption" | "checkup"))
    {
        let unexpected: Vec<&String> = b
            .iter()
            .filter(|f| !f.starts_with("simulate out-of-order:"))
            .collect();
        assert!(unexpected.is_empty(), "{n} unmutated: {unexpected:#?}");
    }
    let mut caught = 0;
    let mut survivors = Vec::new();
    let mut by_class = [0u32; 8];
    for p in PLANTED {
        let text = std::fs::read_to_string(repo().join(saga_file(p.saga))).expect("saga");
        assert!(
            text.contains(p.from),
            "mutant `{}`: `{}` not in {}",
            p.bug,
            p.from,
            p.saga
        );
        by_class[p.class as usize] += 1;
        let base = &baseline
            .iter()
            .find(|(n, _)| *n == p.saga)
            .expect("baseline")
            .1;
        let got = findings(p.saga, &text.replacen(p.from, p.to, 1));
        let new: Vec<&String> = got.difference(base).collect();
        if new.is_empty() {
            survivors.push(format!("class {} {}: {}", p.class, p.saga, p.bug));
        } else {
            caught += 1;
            println!(
                "caught class {} {}: {} — {}",
                p.class,
                p.saga,
                p.bug,
                new.iter()
                    .take(3)
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            );
        }
    }
    println!(
        "saga mutation score: {caught}/{} caught ({:.0} %); per class 1–7: {:?}",
        PLANTED.len(),
        100.0 * f64::from(caught) / PLANTED.len() as f64,
        &by_class[1..]
    );
    for s in &survivors {
        println!("survivor: {s}");
    }
    assert!(PLANTED.len() >= 40);
    let unexplained: Vec<&String> = survivors
        .iter()
        .filter(|s| !KNOWN_SURVIVORS.iter().any(|(b, _)| s.ends_with(b)))
        .collect();
    assert!(unexplained.is_empty(), "survivors: {unexplained:#?}");
}

/// Zero false alarms under exploration at depth 2: the unmutated HNP sagas on every
/// recorded stream give no counterexample.
#[test]
fn unmutated_hnp_sagas_explore_clean_at_depth_two() {
    for name in [
        "gitops-sync",
        "crd-apply",
        "drift-reconcile",
        "netbox-git-export",
    ] {
        let s = [saga::load(&repo().join(saga_file(name)), Arc::from(name)).expect("saga")];
        for (k, evs, _, _) in streams(name) {
            let r = explore::explore(
                &s,
                &evs,
                0,
                explore::ExploreOptions {
                    depth: 2,
                    ..Default::default()
                },
            );
            assert!(
                r.counterexamples.is_empty(),
                "{name} {k}: {:#?}",
                r.counterexamples
            );
        }
    }
}

/// Exhausting a step by silence: with its status compensation never retried,
/// gitops-sync is caught only when every attempt of `update-status` times out (its
/// outcome unknown, so it is compensated) and that compensation fails once. The
/// counterexample names the silence, and its token replays the same violation.
#[test]
fn silence_on_every_attempt_catches_an_unretried_compensation() {
    let (_dir, s) = mutant("gitops-sync", "the status compensation is never retried");
    let sagas = [s];
    let evs = read_stream("fixtures/hnp/streams/gitops-sync-happy.jsonl");
    let r = explore::explore(&sagas, &evs, 7, explore::ExploreOptions::default());
    let c = r
        .counterexamples
        .iter()
        .find(|c| c.perturbation.iter().any(|p| p.starts_with("never answer")))
        .unwrap_or_else(|| panic!("no silence counterexample: {:#?}", r.counterexamples));
    assert!(
        c.perturbation
            .iter()
            .any(|p| p.starts_with("fail compensation 1 of `") && p.contains("` once")),
        "{:?}",
        c.perturbation
    );
    let replayed = explore::replay(&sagas, &evs, 7, &c.token).expect("replay");
    assert!(
        replayed.violations.iter().any(|v| v.rule == c.rule),
        "{} not replayed by {}",
        c.rule,
        c.token
    );
    // The unmutated saga retries that compensation: no counterexample.
    let clean = [saga::load(
        &repo().join(saga_file("gitops-sync")),
        Arc::from("gitops-sync"),
    )
    .expect("saga")];
    let r = explore::explore(&clean, &evs, 7, explore::ExploreOptions::default());
    assert!(r.counterexamples.is_empty(), "{:#?}", r.counterexamples);
}

/// Recorded compensation replies are the participant's answers, never dropped: a
/// recording whose restore compensation fails on every attempt fails plain
/// `simulate`, and exploration reports it as the unperturbed stream's violation
/// (before, exploration confirmed every compensation itself and passed it).
#[test]
fn recorded_compensation_failures_fail_exploration_too() {
    let name = "crd-apply";
    let sagas = [saga::load(&repo().join(saga_file(name)), Arc::from(name)).expect("saga")];
    let evs = read_stream("fixtures/hnp/streams/crd-apply-compensate.jsonl");
    let restored = evs
        .iter()
        .position(|e| e.message == "ClusterStateRestored")
        .expect("restore reply");
    let mut failing: Vec<Event> = evs[..restored].to_vec();
    let t0 = evs[restored].time;
    // Attempt n is sent 10 s, then 20 s after the failure before it.
    for (n, t) in [(1, t0), (2, t0 + 15_000), (3, t0 + 40_000)] {
        let mut e = evs[restored].clone();
        e.message = "ClusterStateRestoreFailed".into();
        e.time = t;
        e.line = 0;
        let key = e.key("/headers/correlationid").expect("key");
        e.headers["causationid"] = json!(format!("{key}/apply-resources/compensation/1/{n}"));
        e.headers["id"] = json!(format!("restore-failed-{n}"));
        failing.push(e);
    }
    let plain = engine::run(
        &sagas,
        &failing,
        engine::Options {
            keep_timelines: true,
            ..Default::default()
        },
    );
    assert!(
        plain
            .violations
            .iter()
            .any(|v| v.rule == "saga-not-finished"),
        "{:#?}",
        plain.violations
    );
    let r = explore::explore(&sagas, &failing, 0, explore::ExploreOptions::default());
    assert!(
        r.base_violations
            .iter()
            .any(|v| v.rule == "saga-not-finished"),
        "{:#?}",
        r.base_violations
    );
    // The recorded stream (confirmed) explores clean.
    let r = explore::explore(&sagas, &evs, 0, explore::ExploreOptions::default());
    assert!(r.base_violations.is_empty(), "{:#?}", r.base_violations);
}

/// A compensation that survives one failure but not two is caught by failing it
/// twice; the counterexample says so and its token replays the violation.
#[test]
fn failing_a_compensation_twice_is_explored_and_replayed() {
    let (_dir, s) = mutant(
        "gitops-sync",
        "the snapshot restore survives only one failure",
    );
    let sagas = [s];
    let evs = read_stream("fixtures/hnp/streams/gitops-sync-happy.jsonl");
    let r = explore::explore(&sagas, &evs, 7, explore::ExploreOptions::default());
    let c = r
        .counterexamples
        .iter()
        .find(|c| c.perturbation.iter().any(|p| p.contains("twice")))
        .unwrap_or_else(|| panic!("no two-failure counterexample: {:#?}", r.counterexamples));
    assert_eq!(c.rule, "saga-not-finished");
    let replayed = explore::replay(&sagas, &evs, 7, &c.token).expect("replay");
    assert!(
        replayed.violations.iter().any(|v| v.rule == c.rule),
        "{} not replayed by {}",
        c.rule,
        c.token
    );
}

/// Load a mutant of an HNP saga (by its `bug`) into a temporary folder.
fn mutant(name: &str, bug: &str) -> (tempfile::TempDir, saga::Saga) {
    let p = PLANTED.iter().find(|p| p.bug == bug).expect("mutant");
    let text = std::fs::read_to_string(repo().join(saga_file(name)))
        .expect("saga")
        .replacen(p.from, p.to, 1)
        .replacen(
            "contract: ../asyncapi.yaml",
            &format!(
                "contract: {}",
                repo().join("fixtures/hnp/asyncapi.yaml").display()
            ),
            1,
        );
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join(format!("{name}.saga.yaml"));
    std::fs::write(&f, &text).expect("write");
    let s = saga::load(&f, Arc::from(name)).expect("saga");
    (dir, s)
}

/// What a user reads of each counterexample: rule, perturbations, violations.
fn shown(r: &explore::Report) -> String {
    let mut s = String::new();
    for c in &r.counterexamples {
        s.push_str(&format!(
            "{} [{}]\n",
            c.rule,
            c.saga.as_deref().unwrap_or("-")
        ));
        for p in &c.perturbation {
            s.push_str(&format!("  perturbation: {p}\n"));
        }
        for v in &c.violations {
            s.push_str(&format!("  line {}: {}\n", v.line, v.message));
        }
    }
    s
}

/// Reordering within an instance (causal: the resolution's wait began before the
/// conflict report arrived) delivers a conflict report after the resolution: with
/// the saga-wide ignore of `ConflictDetected` removed, it is unexpected in
/// `apply-netbox`. The happy stream holds no such order; only the reordering finds it.
#[test]
fn reordering_within_an_instance_finds_an_unignored_late_report() {
    let (_d, s) = mutant(
        "gitops-sync",
        "a conflict report after the resolution is not ignored",
    );
    let sagas = [s];
    let evs = read_stream("fixtures/hnp/streams/gitops-sync-happy.jsonl");
    let r = explore::explore(&sagas, &evs, 7, explore::ExploreOptions::default());
    assert!(r.base_violations.is_empty(), "{:#?}", r.base_violations);
    insta::assert_snapshot!("explore_reorder_within_instance", shown(&r));
    let c = &r.counterexamples[0];
    let replayed = explore::replay(&sagas, &evs, 7, &c.token).expect("replay");
    assert!(replayed.violations.iter().any(|v| v.rule == c.rule));
}

/// The counterexample of a compensation that survives only one failure, as shown.
#[test]
fn failing_a_compensation_twice_is_shown_naming_the_step() {
    let (_d, s) = mutant(
        "crd-apply",
        "the delete compensation survives only one failure",
    );
    let evs = read_stream("fixtures/hnp/streams/crd-apply-compensate.jsonl");
    let r = explore::explore(&[s], &evs, 7, explore::ExploreOptions::default());
    insta::assert_snapshot!("explore_compensation_fails_twice", shown(&r));
}
