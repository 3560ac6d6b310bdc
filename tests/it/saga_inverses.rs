//! What undoes what (outside red team B12, B13): a compensation attached to the wrong
//! step, and `readOnly: true` on a state-changing step, reported from what the contract
//! (`x-hnp-compensates`, `x-hnp-idempotent`) or the saga itself declares — and nothing
//! on the correct sagas.

use std::sync::Arc;

use hnp_events::diag::Diagnostic;
use hnp_events::saga;

use crate::util::repo;

/// Static findings of a saga text whose contract is `contract` (a repository path).
pub(crate) fn check(contract: &str, name: &str, text: &str) -> Vec<Diagnostic> {
    let dir = tempfile::tempdir().expect("tempdir");
    let contract = repo().join(contract);
    let text = text
        .replace(
            "contract: ../asyncapi.yaml",
            &format!("contract: {}", contract.display()),
        )
        .replace(
            "contract: ../pets.asyncapi-2.6.yaml",
            &format!("contract: {}", contract.display()),
        );
    let p = dir.path().join(format!("{name}.saga.yaml"));
    std::fs::write(&p, text).expect("write");
    let ws = saga::contract::load_workspace(&contract).expect("contract");
    match saga::load(&p, Arc::from(name)) {
        Ok(s) => saga::check(&s, &ws),
        Err(d) => d,
    }
}

fn hnp(name: &str) -> String {
    std::fs::read_to_string(repo().join(format!("fixtures/hnp/sagas/{name}.saga.yaml")))
        .expect("saga")
}

fn of<'a>(d: &'a [Diagnostic], rule: &str) -> Vec<&'a Diagnostic> {
    d.iter().filter(|d| d.rule == rule).collect()
}

const RULES: [&str; 2] = ["saga-compensation-mismatch", "saga-readonly-state-change"];

#[test]
fn the_correct_sagas_give_no_inverse_finding() {
    for name in [
        "gitops-sync",
        "crd-apply",
        "crd-apply-unsafe",
        "drift-reconcile",
        "netbox-git-export",
    ] {
        let d = check("fixtures/hnp/asyncapi.yaml", name, &hnp(name));
        let bad: Vec<_> = d.iter().filter(|d| RULES.contains(&d.rule)).collect();
        assert!(bad.is_empty(), "{name}: {bad:#?}");
    }
    for name in ["adoption", "checkup"] {
        let text = std::fs::read_to_string(
            repo().join(format!("fixtures/codegen/sagas/{name}.saga.yaml")),
        )
        .expect("saga");
        let d = check("fixtures/codegen/pets.asyncapi-2.6.yaml", name, &text);
        let bad: Vec<_> = d.iter().filter(|d| RULES.contains(&d.rule)).collect();
        assert!(bad.is_empty(), "{name}: {bad:#?}");
    }
}

/// B12: the compensations of `apply-netbox` and `update-status` swapped. The contract
/// says `RestoreNetBoxSnapshot` undoes `ApplyToNetBox` and `MarkSyncError` undoes
/// `UpdateFabricStatus`: both compensations are reported, each at its `send`.
#[test]
fn swapped_compensations_are_reported_at_both_steps() {
    let text = hnp("gitops-sync");
    let restore = "      send: RestoreNetBoxSnapshot\n      confirm: NetBoxSnapshotRestored\n      fail: NetBoxSnapshotRestoreFailed\n";
    let mark = "      send: MarkSyncError\n      confirm: SyncErrorMarked\n      fail: SyncErrorMarkFailed\n";
    assert!(text.contains(restore) && text.contains(mark));
    let swapped = text
        .replace(restore, "@RESTORE@")
        .replace(mark, restore)
        .replace("@RESTORE@", mark);
    let d = check("fixtures/hnp/asyncapi.yaml", "gitops-sync", &swapped);
    let found = of(&d, "saga-compensation-mismatch");
    assert_eq!(found.len(), 2, "{d:#?}");
    let apply = found
        .iter()
        .find(|d| {
            d.message
                .contains("step `apply-netbox` sends `MarkSyncError`")
        })
        .expect("apply-netbox reported");
    assert!(
        apply.message.contains("undoes `UpdateFabricStatus`")
            && apply.message.contains("the step sends `ApplyToNetBox`"),
        "{}",
        apply.message
    );
    let help = apply.help.as_deref().unwrap_or("");
    assert!(
        help.contains("(`update-status`)") && help.contains("`RestoreNetBoxSnapshot`"),
        "{help}"
    );
    let line = swapped
        .lines()
        .position(|l| l == "      send: MarkSyncError")
        .expect("line")
        + 1;
    assert_eq!(
        apply.location.span.map(|s| s.line),
        Some(line as u32),
        "{apply:#?}"
    );
}

/// B13: `readOnly: true` on `ApplyResources` (its compensations dropped): the contract
/// names two inverses of it.
#[test]
fn read_only_on_a_command_the_contract_can_undo_is_reported() {
    let text = hnp("crd-apply");
    let from = "        p95: 1m\n        compensation:\n          - send: RestoreClusterState\n            confirm: ClusterStateRestored\n            fail: ClusterStateRestoreFailed\n            timeout: 2m\n            retry: {max: 3, backoff: 10s}\n          - send: DeleteCreatedResources\n            confirm: CreatedResourcesDeleted\n            fail: CreatedResourcesDeletionFailed\n            timeout: 2m\n            retry: {max: 3, backoff: 10s}\n";
    assert!(text.contains(from));
    let mutated = text.replace(from, "        p95: 1m\n        readOnly: true\n");
    let d = check("fixtures/hnp/asyncapi.yaml", "crd-apply", &mutated);
    let found = of(&d, "saga-readonly-state-change");
    assert_eq!(found.len(), 1, "{d:#?}");
    assert!(
        found[0].message.contains("`ApplyResources` changes state")
            && found[0].message.contains("`DeleteCreatedResources`")
            && found[0].message.contains("`RestoreClusterState`"),
        "{}",
        found[0].message
    );
    let line = mutated
        .lines()
        .position(|l| l == "        readOnly: true")
        .expect("line")
        + 1;
    assert_eq!(found[0].location.span.map(|s| s.line), Some(line as u32));
}

/// Without contract declarations (the pets contract has none), the saga's own account
/// is evidence: a command it compensates on one step, or sends as a compensation, is
/// not read-only on another.
#[test]
fn read_only_on_a_command_the_saga_itself_undoes_is_reported() {
    let contract = repo().join("fixtures/codegen/pets.asyncapi-2.6.yaml");
    let text = format!(
        "saga: ro\nversion: 1.0.0\ncontract: {}\ncorrelation: /headers/correlationid\nstart: AdoptionRequested\nsteps:\n  - id: charge\n    send: ChargeFee\n    on: FeeCharged\n    fail: FeeDeclined\n    timeout: 30s\n    onTimeout: fail\n    compensation: {{send: RefundFee, confirm: FeeRefunded, timeout: 30s, retry: {{max: 3, backoff: 1s}}}}\n  - id: refund-again\n    send: RefundFee\n    on: FeeRefunded\n    timeout: 30s\n    onTimeout: fail\n    readOnly: true\nemits: {{onComplete: AdoptionCompleted, onFailure: AdoptionFailed}}\n",
        contract.display()
    );
    let d = check("fixtures/codegen/pets.asyncapi-2.6.yaml", "ro", &text);
    let found = of(&d, "saga-readonly-state-change");
    assert_eq!(found.len(), 1, "{d:#?}");
    assert!(
        found[0]
            .message
            .contains("it is the compensation of step `charge`"),
        "{}",
        found[0].message
    );
    // The same saga without the read-only mark has no such finding.
    let d = check(
        "fixtures/codegen/pets.asyncapi-2.6.yaml",
        "ro",
        &text.replace("    readOnly: true\n", ""),
    );
    assert!(of(&d, "saga-readonly-state-change").is_empty(), "{d:#?}");
}

/// `x-hnp-compensates` on a message (a name or a `$ref`), not only on the operation
/// that sends it.
#[test]
fn a_message_level_declaration_is_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pets = std::fs::read_to_string(repo().join("fixtures/codegen/pets.asyncapi-2.6.yaml"))
        .expect("contract");
    let from = "    RefundFee:\n      name: RefundFee\n";
    assert!(pets.contains(from));
    let contract = dir.path().join("pets.yaml");
    std::fs::write(
        &contract,
        pets.replace(
            from,
            "    RefundFee:\n      name: RefundFee\n      x-hnp-compensates: [{$ref: '#/components/messages/ChargeFee'}]\n",
        ),
    )
    .expect("write");
    let saga_text = format!(
        "saga: wrong\nversion: 1.0.0\ncontract: {}\ncorrelation: /headers/correlationid\nstart: AdoptionRequested\nsteps:\n  - id: visit\n    send: BookVisit\n    on: VisitBooked\n    timeout: 30s\n    onTimeout: fail\n    compensation: {{send: RefundFee, confirm: FeeRefunded, timeout: 30s, retry: {{max: 3, backoff: 1s}}}}\nemits: {{onComplete: AdoptionCompleted, onFailure: AdoptionFailed}}\n",
        contract.display()
    );
    let p = dir.path().join("wrong.saga.yaml");
    std::fs::write(&p, saga_text).expect("write");
    let ws = saga::contract::load_workspace(&contract).expect("contract");
    let s = saga::load(&p, Arc::from("wrong")).expect("saga");
    let d = saga::check(&s, &ws);
    let found = of(&d, "saga-compensation-mismatch");
    assert_eq!(found.len(), 1, "{d:#?}");
    assert!(
        found[0].message.contains("undoes `ChargeFee`"),
        "{}",
        found[0].message
    );
}

/// A small AsyncAPI 2.6 contract: the inverse declared on `publish` operations (one
/// with a single message, one with a `oneOf`), one entry naming no message.
const V2: &str = r#"asyncapi: 2.6.0
info:
  title: inverses over 2.x operations
  version: 1.0.0
channels:
  stock.reserve:
    publish:
      operationId: reserveStock
      message:
        $ref: '#/components/messages/ReserveStock'
  stock.release:
    publish:
      operationId: releaseStock
      x-hnp-compensates: [ReserveStock]
      message:
        $ref: '#/components/messages/ReleaseStock'
  fees:
    publish:
      operationId: fees
      x-hnp-compensates: [ChargeFees, {$ref: '#/components/messages/Nothing'}]
      message:
        oneOf:
          - $ref: '#/components/messages/RefundFee'
  events:
    subscribe:
      operationId: events
      message:
        oneOf:
          - $ref: '#/components/messages/OrderPlaced'
          - $ref: '#/components/messages/StockReserved'
          - $ref: '#/components/messages/StockReleased'
          - $ref: '#/components/messages/FeeRefunded'
          - $ref: '#/components/messages/OrderDone'
          - $ref: '#/components/messages/OrderFailed'
components:
  schemas:
    Headers:
      type: object
      required: [correlationid]
      properties:
        correlationid: {type: string}
  messages:
    OrderPlaced: {name: OrderPlaced, headers: {$ref: '#/components/schemas/Headers'}, payload: {type: object}}
    ReserveStock: {name: ReserveStock, headers: {$ref: '#/components/schemas/Headers'}, payload: {type: object}}
    StockReserved: {name: StockReserved, headers: {$ref: '#/components/schemas/Headers'}, payload: {type: object}}
    ReleaseStock: {name: ReleaseStock, headers: {$ref: '#/components/schemas/Headers'}, payload: {type: object}}
    StockReleased: {name: StockReleased, headers: {$ref: '#/components/schemas/Headers'}, payload: {type: object}}
    ChargeFee: {name: ChargeFee, headers: {$ref: '#/components/schemas/Headers'}, payload: {type: object}}
    RefundFee: {name: RefundFee, headers: {$ref: '#/components/schemas/Headers'}, payload: {type: object}}
    FeeRefunded: {name: FeeRefunded, headers: {$ref: '#/components/schemas/Headers'}, payload: {type: object}}
    OrderDone: {name: OrderDone, headers: {$ref: '#/components/schemas/Headers'}, payload: {type: object}}
    OrderFailed: {name: OrderFailed, headers: {$ref: '#/components/schemas/Headers'}, payload: {type: object}}
"#;

/// Static findings of `saga_steps` over the [`V2`] contract, and the contract's text.
fn check_v2(saga_steps: &str) -> Vec<Diagnostic> {
    let dir = tempfile::tempdir().expect("tempdir");
    let contract = dir.path().join("inv.asyncapi.yaml");
    std::fs::write(&contract, V2).expect("write");
    let text = format!(
        "saga: v2\nversion: 1.0.0\ncontract: {}\ncorrelation: /headers/correlationid\nstart: OrderPlaced\nsteps:\n{saga_steps}emits: {{onComplete: OrderDone, onFailure: OrderFailed}}\n",
        contract.display()
    );
    let p = dir.path().join("v2.saga.yaml");
    std::fs::write(&p, text).expect("write");
    let ws = saga::contract::load_workspace(&contract).expect("contract");
    let s = saga::load(&p, Arc::from("v2")).expect("saga");
    saga::check(&s, &ws)
}

/// `x-hnp-compensates` on an AsyncAPI 2.x `publish` operation is read like on a 3.x
/// operation: `ReleaseStock` undoes `ReserveStock`, so it is no compensation of a
/// step that sends `ChargeFee`, and `ReserveStock` is not read-only.
#[test]
fn an_asyncapi_2_operation_level_declaration_is_read() {
    let d = check_v2(
        "  - id: charge\n    send: ChargeFee\n    on: FeeRefunded\n    timeout: 30s\n    onTimeout: fail\n    compensation: {send: ReleaseStock, confirm: StockReleased, timeout: 30s, retry: {max: 3, backoff: 1s}}\n",
    );
    let found = of(&d, "saga-compensation-mismatch");
    assert_eq!(found.len(), 1, "{d:#?}");
    assert!(
        found[0].message.contains("undoes `ReserveStock`"),
        "{}",
        found[0].message
    );
    let d = check_v2(
        "  - id: reserve\n    send: ReserveStock\n    on: StockReserved\n    timeout: 30s\n    onTimeout: fail\n    readOnly: true\n",
    );
    let found = of(&d, "saga-readonly-state-change");
    assert_eq!(found.len(), 1, "{d:#?}");
    assert!(
        found[0].message.contains("`ReleaseStock`"),
        "{}",
        found[0].message
    );
}

/// An `x-hnp-compensates` entry that names no message — a name or a `$ref` — is a
/// warning located at the entry in the contract, with the nearest name as a hint.
#[test]
fn a_declared_inverse_naming_no_message_is_reported_at_the_contract() {
    let d = check_v2(
        "  - id: reserve\n    send: ReserveStock\n    on: StockReserved\n    timeout: 30s\n    onTimeout: fail\n    compensation: {send: ReleaseStock, confirm: StockReleased, timeout: 30s, retry: {max: 3, backoff: 1s}}\n",
    );
    let found = of(&d, "saga-compensates-unknown");
    assert_eq!(found.len(), 2, "{d:#?}");
    let line = V2
        .lines()
        .position(|l| l.contains("x-hnp-compensates: [ChargeFees"))
        .expect("line") as u32
        + 1;
    for (f, what) in found
        .iter()
        .zip(["ChargeFees", "#/components/messages/Nothing"])
    {
        assert_eq!(f.severity, hnp_events::diag::Severity::Warning);
        assert!(f.location.file.ends_with("inv.asyncapi.yaml"), "{f:#?}");
        assert_eq!(
            f.location.span.as_ref().map(|s| s.line),
            Some(line),
            "{f:#?}"
        );
        assert!(f.message.contains(&format!("`{what}`")), "{}", f.message);
    }
    assert!(
        found[0]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("did you mean `ChargeFee`?")),
        "{:#?}",
        found[0]
    );
    // The known entry of the same contract still counts: no other finding.
    assert!(of(&d, "saga-compensation-mismatch").is_empty(), "{d:#?}");
}
