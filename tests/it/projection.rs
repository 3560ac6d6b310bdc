//! Projections: static checks, replay, snapshot/idempotency/order checks and upcasters,
//! on the HNP fixtures (zero findings on the correct projections) and on planted bugs
//! (each must be caught).

use std::path::Path;

use serde_json::Value;

use crate::util::{code, copy_dir, repo, run, run_in, stderr, stdout};

const P: &str = "fixtures/hnp/projections";

fn sim_json(projection: &str, stream: &str, extra: &[&str]) -> (i32, Value) {
    let mut args = vec![
        "simulate", projection, "--events", stream, "--format", "json",
    ];
    args.extend_from_slice(extra);
    let o = run(&args);
    let v: Value = serde_json::from_str(&stdout(&o))
        .unwrap_or_else(|e| panic!("JSON output ({e}): {}\n{}", stdout(&o), stderr(&o)));
    (code(&o), v)
}

fn rules(v: &Value) -> Vec<String> {
    v["projections"][0]["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["rule"].as_str().unwrap_or("?").to_string())
        .collect()
}

fn diag<'a>(v: &'a Value, rule: &str) -> &'a Value {
    v["projections"][0]["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .find(|d| d["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} in {v:#}"))
}

#[test]
fn correct_hnp_projections_have_zero_findings() {
    for (p, s) in [
        ("fabric-sync-status", "sync-status-happy"),
        ("fabric-sync-status", "sync-status-duplicate"),
        ("fabric-sync-status", "sync-status-reordered"),
        ("watch-health", "watch-errors-v1"),
        ("crd-live-status", "crd-live-status"),
        ("drift-dashboard", "drift"),
    ] {
        let (c, v) = sim_json(
            &format!("{P}/{p}.projection.yaml"),
            &format!("{P}/streams/{s}.jsonl"),
            &["--explore"],
        );
        assert_eq!(rules(&v), Vec::<String>::new(), "{p} on {s}: {v:#}");
        assert_eq!(c, 0, "{p} on {s}");
        assert!(v["projections"][0]["explored"]["token"].is_null());
    }
}

#[test]
fn sync_status_read_model() {
    let (c, v) = sim_json(
        &format!("{P}/fabric-sync-status.projection.yaml"),
        &format!("{P}/streams/sync-status-duplicate.jsonl"),
        &[],
    );
    assert_eq!(c, 0);
    let rows = &v["projections"][0]["rows"];
    // Two syncs completed for fabric 3 (one redelivered: still two), fabric 5 failed.
    assert_eq!(rows["3"]["syncs"], 2);
    assert_eq!(rows["3"]["status"], "synced");
    assert_eq!(rows["3"]["syncStatus"], "in_sync");
    assert_eq!(rows["5"]["status"], "error");
    assert_eq!(rows["5"]["failedStep"], "ApplyResources");
    assert_eq!(v["projections"][0]["events"], 9);
    assert!(v["projections"][0]["snapshots"].as_u64().unwrap_or(0) >= 3);
}

#[test]
fn crd_live_status_follows_the_applied_condition() {
    let (_, v) = sim_json(
        &format!("{P}/crd-live-status.projection.yaml"),
        &format!("{P}/streams/crd-live-status.jsonl"),
        &[],
    );
    let rows = v["projections"][0]["rows"].as_object().expect("rows");
    let live: Vec<bool> = rows.values().map(|r| r["live"] == true).collect();
    assert_eq!(live, [true, false], "{rows:#?}");
    // The late event of an older generation did not take the row back.
    assert!(
        rows.values()
            .any(|r| r["generation"] == 7 && r["lastAppliedGen"] == 7)
    );
}

#[test]
fn planted_non_idempotent_counter_is_caught_statically_and_on_replay() {
    let (c, v) = sim_json(
        &format!("{P}/sync-counter-unsafe.projection.yaml"),
        &format!("{P}/streams/sync-status-duplicate.jsonl"),
        &[],
    );
    assert_eq!(c, 1);
    let ds: Vec<&Value> = v["projections"][0]["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["rule"] == "projection-not-idempotent")
        .collect();
    assert_eq!(ds.len(), 2, "{v:#}");
    // One on the reducer (static, from the contract's example), one on the stream line.
    let files: Vec<&str> = ds
        .iter()
        .map(|d| d["location"]["file"].as_str().unwrap_or(""))
        .collect();
    assert!(
        files
            .iter()
            .any(|f| f.ends_with("sync-counter-unsafe.projection.yaml"))
    );
    let on_stream = ds
        .iter()
        .find(|d| {
            d["location"]["file"]
                .as_str()
                .unwrap_or("")
                .ends_with(".jsonl")
        })
        .expect("stream finding");
    assert_eq!(on_stream["location"]["line"], 6);
    assert!(
        on_stream["message"]
            .as_str()
            .unwrap_or("")
            .contains("`.syncs`: 1 → 2"),
        "{on_stream}"
    );
    assert_eq!(on_stream["related"][0]["location"]["line"], 15);
    // The counter really double counts.
    assert_eq!(v["projections"][0]["rows"]["3"]["syncs"], 3);
}

#[test]
fn planted_order_sensitive_reducer_on_unordered_channel_is_caught() {
    let proj = format!("{P}/plugin-instances-unsafe.projection.yaml");
    let stream = format!("{P}/streams/plugin-lifecycle.jsonl");
    let (_, v) = sim_json(&proj, &stream, &["--explore"]);
    let all: Vec<&Value> = v["projections"][0]["diagnostics"]
        .as_array()
        .expect("d")
        .iter()
        .filter(|d| d["rule"] == "projection-order-sensitive")
        .collect();
    // Statically (contract examples) and by exploration (the stream).
    assert_eq!(all.len(), 2, "{v:#}");
    let token = v["projections"][0]["explored"]["token"]
        .as_str()
        .expect("a token")
        .to_string();
    assert_eq!(token, "swap:3:4");
    // The token replays the reordered stream: the live instance now reads as unloaded.
    let (_, base) = sim_json(&proj, &stream, &[]);
    let (_, swapped) = sim_json(&proj, &stream, &["--replay", &token]);
    assert_eq!(
        base["projections"][0]["rows"]["netbox-web-1"]["loaded"],
        true
    );
    assert_eq!(
        swapped["projections"][0]["rows"]["netbox-web-1"]["loaded"],
        false
    );
}

#[test]
fn planted_lossy_snapshot_is_caught_at_the_snapshot_point() {
    let (c, v) = sim_json(
        &format!("{P}/sync-status-lossy-snapshot.projection.yaml"),
        &format!("{P}/streams/sync-status-happy.jsonl"),
        &[],
    );
    assert_eq!(c, 1);
    assert_eq!(rules(&v), ["projection-snapshot-divergent"]);
    let d = diag(&v, "projection-snapshot-divergent");
    assert_eq!(d["location"]["line"], 6);
    assert!(
        d["message"]
            .as_str()
            .unwrap_or("")
            .contains("`.syncs`: 2 → 1"),
        "{d}"
    );
}

#[test]
fn snapshot_serialised_through_a_closed_schema_drops_undeclared_fields() {
    use hnp_events::projection::compiled::serialise;
    let schema = serde_json::json!({"type": "object", "additionalProperties": false,
        "properties": {"a": {"type": "object", "additionalProperties": false, "properties": {"x": {}}}, "open": {"type": "object"}}});
    let row = serde_json::json!({"a": {"x": 1, "y": 2}, "open": {"z": 3}, "b": 4});
    assert_eq!(
        serialise(&row, &schema),
        serde_json::json!({"a": {"x": 1}, "open": {"z": 3}})
    );
}

/// Write a projection next to the HNP contract (a temporary copy of the fixtures).
fn temp_projection(body: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let hnp = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/hnp");
    let p = dir.path().join("x.projection.yaml");
    let text = body.replace("CONTRACT", &hnp.join("asyncapi.yaml").to_string_lossy());
    std::fs::write(&p, text).expect("write");
    (dir, p.to_string_lossy().into_owned())
}

#[test]
fn a_reducer_that_does_not_compile_is_an_error_at_its_line_and_column() {
    let (_d, p) = temp_projection(
        "projection: x\nversion: 1\ncontract: CONTRACT\nkey: /payload/fabricId\nstate: {type: object}\ninitial: {}\non:\n  SyncStarted: '.status = \"x\"'\n  SyncCompleted: '.syncs += foo(1)'\nignore: [SyncProgressed, SyncFailed]\n",
    );
    let o = run(&[
        "simulate",
        &p,
        "--events",
        &format!("{P}/streams/sync-status-happy.jsonl"),
    ]);
    assert_eq!(code(&o), 2, "{}", stdout(&o));
    let err = stderr(&o);
    assert!(err.contains("projection-reducer-invalid"), "{err}");
    // `foo` starts at column 29 of line 9 (the quote at 18, `.` at 19).
    assert!(err.contains("x.projection.yaml:9:29"), "{err}");
    assert!(err.contains("undefined filter `foo`"), "{err}");
}

#[test]
fn static_checks_name_unknown_messages_missing_keys_and_undeclared_fields() {
    let (_d, p) = temp_projection(
        "projection: x\nversion: 1\ncontract: CONTRACT\nkey: /payload/fabricId\nstate: {type: object, additionalProperties: false, properties: {status: {type: string}}}\ninitial: {status: unknown}\non:\n  SyncStarted: '.status = \"syncing\" | .statsu = 1'\n  SyncComplete: '.'\n  PluginLoaded: '.'\n",
    );
    let o = run(&[
        "simulate",
        &p,
        "--events",
        &format!("{P}/streams/sync-status-happy.jsonl"),
        "-f",
        "json",
    ]);
    let v: Value = serde_json::from_str(&stdout(&o)).expect("json");
    let mut got: Vec<(String, u64)> = v["projections"][0]["diagnostics"]
        .as_array()
        .expect("d")
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap_or("").to_string(),
                d["location"]["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    got.sort();
    got.dedup();
    for want in [
        ("projection-field-unknown", 8),
        ("projection-key-missing", 10),
        ("projection-message-unknown", 9),
        ("projection-unhandled-message", 7),
        // The misspelt field also makes every row invalid: statically (line 8) and
        // after the stream's first SyncStarted (line 1).
        ("projection-state-invalid", 8),
        ("projection-state-invalid", 1),
    ] {
        assert!(
            got.contains(&(want.0.to_string(), want.1)),
            "{want:?} not in {got:?}"
        );
    }
    let f = diag(&v, "projection-field-unknown");
    assert_eq!(
        f["location"]["column"]
            .as_u64()
            .or(f["location"]["col"].as_u64()),
        Some(39),
        "{f}"
    );
    assert_eq!(f["help"], "did you mean `status`?");
    assert_eq!(
        diag(&v, "projection-message-unknown")["help"],
        "did you mean `SyncCompleted`?"
    );
    assert_eq!(code(&o), 1);
}

#[test]
fn a_row_that_leaves_its_schema_is_located_at_the_event_and_the_reducer() {
    let (_d, p) = temp_projection(
        "projection: x\nversion: 1\ncontract: CONTRACT\nkey: /payload/fabricId\nstate: {type: object, properties: {percent: {type: integer, maximum: 50}}}\ninitial: {}\non:\n  SyncProgressed: '.percent = $event.payload.percent'\nignore: [SyncStarted, SyncCompleted, SyncFailed]\n",
    );
    let (c, v) = sim_json(&p, &format!("{P}/streams/sync-status-happy.jsonl"), &[]);
    assert_eq!(c, 1);
    let d = diag(&v, "projection-state-invalid");
    assert_eq!(d["location"]["line"], 4, "{d}");
    assert!(d["message"].as_str().unwrap_or("").contains("80"), "{d}");
    assert_eq!(d["related"][0]["location"]["line"], 8);
}

#[test]
fn upcasters_compose_and_a_broken_one_is_caught() {
    let dir = "fixtures/projection/upcast";
    let (c, v) = sim_json(
        &format!("{dir}/sync-results.projection.yaml"),
        &format!("{dir}/stream.jsonl"),
        &[],
    );
    assert_eq!(c, 0, "{v:#}");
    let o = &v["projections"][0];
    assert_eq!(o["upcast"], 3);
    // v1 ok:true → synced, v1 ok:false → failed, then v3 synced: one failure on fabric 3.
    assert_eq!(o["rows"]["3"]["failures"], 1);
    assert_eq!(o["rows"]["3"]["last"], "synced");
    assert_eq!(o["rows"]["4"]["last"], "failed");
    let (c, v) = sim_json(
        &format!("{dir}/sync-results-bad-upcast.projection.yaml"),
        &format!("{dir}/stream.jsonl"),
        &[],
    );
    assert_eq!(c, 1);
    let r = rules(&v);
    assert_eq!(
        r.iter()
            .filter(|x| *x == "projection-upcast-invalid")
            .count(),
        3,
        "{r:?}"
    );
}

#[test]
fn expect_and_bless() {
    let dir = tempfile::tempdir().expect("tempdir");
    let exp = dir.path().join("e.json");
    let exp = exp.to_string_lossy();
    let proj = format!("{P}/fabric-sync-status.projection.yaml");
    let happy = format!("{P}/streams/sync-status-happy.jsonl");
    let o = run(&[
        "simulate", &proj, "--events", &happy, "--expect", &exp, "--bless",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(&["simulate", &proj, "--events", &happy, "--expect", &exp]);
    assert_eq!(code(&o), 0);
    // Another stream gives other rows: a mismatch, exit 1.
    let o = run(&[
        "simulate",
        &proj,
        "--events",
        &format!("{P}/streams/drift.jsonl"),
        "--expect",
        &exp,
    ]);
    assert_eq!(code(&o), 1);
    assert!(
        stdout(&o).contains("expectation mismatch"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn schema_projection_accepts_every_fixture_and_rejects_a_bad_one() {
    let o = run(&["schema", "projection"]);
    assert_eq!(code(&o), 0);
    let schema: Value = serde_json::from_str(&stdout(&o)).expect("json");
    let v = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let mut n = 0;
    for dir in [P, "fixtures/projection/upcast"] {
        for e in std::fs::read_dir(dir).expect("dir") {
            let path = e.expect("entry").path();
            if path.to_string_lossy().ends_with(".projection.yaml") {
                let text = std::fs::read_to_string(&path).expect("read");
                let doc: Value = serde_json::to_value(saphyr_value(&text)).expect("yaml");
                assert!(v.is_valid(&doc), "{}", path.display());
                n += 1;
            }
        }
    }
    assert!(n >= 8, "{n}");
    let bad = serde_json::json!({"projection": "x", "version": 1, "contract": "a.yaml", "key": "payload/x", "state": {}, "initial": {}, "on": {}});
    assert!(!v.is_valid(&bad));
}

/// YAML → JSON through the crate's own loader (the fixtures are plain YAML).
fn saphyr_value(text: &str) -> Value {
    let mut diags = Vec::new();
    let f = hnp_events::source::parse_file(
        Path::new("x.yaml"),
        text.as_bytes().to_vec(),
        "x.yaml".into(),
        &mut diags,
    );
    f.value.expect("parses")
}

#[test]
fn validate_checks_projections_named_on_the_command_line() {
    let o = run(&[
        "validate",
        "--no-config",
        "--no-gates",
        "fixtures/hnp/asyncapi.yaml",
        &format!("{P}/sync-counter-unsafe.projection.yaml"),
        "-f",
        "json",
    ]);
    assert!(
        stdout(&o).contains("projection-not-idempotent"),
        "{}",
        stdout(&o)
    );
    assert_eq!(code(&o), 1);
    let o = run(&[
        "validate",
        "--no-config",
        "--no-gates",
        "fixtures/hnp/asyncapi.yaml",
        &format!("{P}/fabric-sync-status.projection.yaml"),
        &format!("{P}/crd-live-status.projection.yaml"),
        &format!("{P}/drift-dashboard.projection.yaml"),
        "-f",
        "json",
    ]);
    assert!(!stdout(&o).contains("projection-"), "{}", stdout(&o));
}

/// An OpenAPI document with the given query operations (path → operationId and
/// extra YAML lines), beside the HNP contract.
fn coverage_run(ops: &[(&str, &str, &str)], projections: &[&str]) -> (i32, Value) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut doc = String::from("openapi: 3.0.3\ninfo: {title: reads, version: 1.0.0}\npaths:\n");
    for (path, id, extra) in ops {
        doc.push_str(&format!(
            "  {path}:\n    get:\n      operationId: {id}\n{extra}      responses:\n        '200': {{description: ok}}\n"
        ));
    }
    let file = dir.path().join("reads.yaml");
    std::fs::write(&file, doc).expect("write");
    let file = file.to_string_lossy().to_string();
    let mut args = vec![
        "validate",
        "--no-config",
        "--rule",
        "gate-projection-coverage",
        "--rule",
        "gate-threshold",
        "-f",
        "json",
        &file,
    ];
    let ps: Vec<String> = projections
        .iter()
        .map(|p| format!("{P}/{p}.projection.yaml"))
        .collect();
    args.extend(ps.iter().map(String::as_str));
    let o = run(&args);
    let v: Value = serde_json::from_str(&stdout(&o))
        .unwrap_or_else(|e| panic!("JSON output ({e}): {}\n{}", stdout(&o), stderr(&o)));
    (code(&o), v)
}

fn coverage_metric(v: &Value) -> &Value {
    v["metrics"]
        .as_array()
        .expect("metrics")
        .iter()
        .find(|m| m["name"] == "projection_coverage")
        .unwrap_or_else(|| panic!("no projection_coverage in {v:#}"))
}

fn coverage_findings(v: &Value) -> Vec<(String, String)> {
    v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["rule"] == "gate-projection-coverage")
        .map(|d| {
            (
                d["message"].as_str().unwrap_or("?").to_string(),
                d["line"].to_string(),
            )
        })
        .collect()
}

#[test]
fn projection_coverage_counts_served_and_reasoned_queries() {
    let served = ("/fabrics/{id}/status/", "getFabricStatus", "");
    let reasoned = (
        "/fabrics/",
        "listFabrics",
        "      x-hnp-projection: {none: read from the NetBox database}\n",
    );
    // Passing: one query served by the sync-status projection, one with a reason.
    let (c, v) = coverage_run(&[served, reasoned], &["fabric-sync-status"]);
    let m = coverage_metric(&v);
    assert_eq!(
        (&m["numerator"], &m["denominator"]),
        (&2.into(), &2.into()),
        "{v:#}"
    );
    assert_eq!(m["status"], "pass");
    assert!(coverage_findings(&v).is_empty(), "{v:#}");
    assert_eq!(c, 0, "{v:#}");

    // Failing: a query nobody serves, and a `none` without its reason.
    let unserved = ("/vpcs/", "listVpcs", "");
    let bare = (
        "/switches/",
        "listSwitches",
        "      x-hnp-projection: none\n",
    );
    let (c, v) = coverage_run(&[served, reasoned, unserved, bare], &["fabric-sync-status"]);
    let m = coverage_metric(&v);
    assert_eq!(
        (&m["numerator"], &m["denominator"]),
        (&2.into(), &4.into()),
        "{v:#}"
    );
    assert_eq!(m["status"], "fail");
    let f = coverage_findings(&v);
    assert_eq!(f.len(), 2, "{f:?}");
    assert!(
        f[0].0.contains("`listVpcs` is served by no projection"),
        "{f:?}"
    );
    assert!(
        f[1].0.contains("`listSwitches`") && f[1].0.contains("reason is required"),
        "{f:?}"
    );
    // Each finding points at its operation (`get:` of its path, lines 16 and 21).
    assert_eq!((f[0].1.as_str(), f[1].1.as_str()), ("16", "21"), "{f:?}");
    assert!(
        v["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .any(|d| d["rule"] == "gate-threshold"
                && d["message"]
                    .as_str()
                    .is_some_and(|s| s.contains("projection_coverage is 50%"))),
        "{v:#}"
    );
    assert_eq!(c, 1);

    // The same documents without a projection file: the gate is not measured.
    let (_, v) = coverage_run(&[served, unserved], &[]);
    assert!(
        v["metrics"]
            .as_array()
            .expect("metrics")
            .iter()
            .all(|m| m["name"] != "projection_coverage"),
        "{v:#}"
    );
}

/// Every query of the HNP REST API is served by a projection or says why none applies:
/// NetBox's CRUD reads (its database) and the three git/GitOps status reads (the Git
/// remote, NetBox configuration, a comparison of three stores), each with its reason.
/// Without the git reads' marks the gate finds exactly those three.
#[test]
fn hnp_queries_are_served_or_marked_with_a_reason() {
    let check = |root: &Path| -> Value {
        let o = run_in(
            root,
            &[
                "validate",
                "--no-config",
                "--rule",
                "gate-projection-coverage",
                "--rule",
                "gate-threshold",
                "-f",
                "json",
                "fixtures/hnp/openapi.yaml",
                &format!("{P}/fabric-sync-status.projection.yaml"),
                &format!("{P}/crd-live-status.projection.yaml"),
                &format!("{P}/drift-dashboard.projection.yaml"),
            ],
        );
        serde_json::from_str(&stdout(&o))
            .unwrap_or_else(|e| panic!("JSON output ({e}): {}\n{}", stdout(&o), stderr(&o)))
    };
    let v = check(&repo());
    let m = coverage_metric(&v);
    assert_eq!(
        (&m["numerator"], &m["denominator"], &m["status"]),
        (&33.into(), &33.into(), &"pass".into()),
        "{v:#}"
    );
    assert!(coverage_findings(&v).is_empty(), "{v:#}");
    let git_reads = [
        "getFabricGitStatus",
        "getFabricGitOpsStatus",
        "getFabricStateComparison",
    ];
    let text = std::fs::read_to_string("fixtures/hnp/openapi.yaml").expect("read");
    let lines: Vec<&str> = text.lines().collect();
    let marks: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].contains("x-hnp-projection"))
        .collect();
    assert_eq!(marks.len(), 31);
    for &i in &marks {
        // The operation the mark belongs to: the nearest operationId above it.
        let op = lines[..i]
            .iter()
            .rev()
            .find_map(|l| l.trim().strip_prefix("operationId: "))
            .expect("operationId");
        assert!(
            op.starts_with("list") || op.starts_with("retrieve") || git_reads.contains(&op),
            "line {}: {op}",
            i + 1
        );
        let reason = lines[i].split("none:").nth(1).unwrap_or_default();
        assert!(reason.trim().len() > 20, "line {}: no reason", i + 1);
    }
    // The same documents with the git reads' marks taken out.
    let tmp = tempfile::tempdir().expect("tempdir");
    copy_dir(
        &repo().join("fixtures/hnp"),
        &tmp.path().join("fixtures/hnp"),
    );
    let stripped: String = lines
        .iter()
        .enumerate()
        .filter(|(i, l)| {
            !(l.contains("x-hnp-projection")
                && lines[..*i]
                    .iter()
                    .rev()
                    .find_map(|l| l.trim().strip_prefix("operationId: "))
                    .is_some_and(|op| git_reads.contains(&op)))
        })
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    std::fs::write(tmp.path().join("fixtures/hnp/openapi.yaml"), stripped).expect("write");
    let v = check(tmp.path());
    let m = coverage_metric(&v);
    assert_eq!(
        (&m["numerator"], &m["denominator"]),
        (&30.into(), &33.into()),
        "{v:#}"
    );
    let missed: Vec<String> = coverage_findings(&v).into_iter().map(|f| f.0).collect();
    assert_eq!(missed.len(), 3, "{missed:?}");
    for id in git_reads {
        assert!(
            missed.iter().any(|s| s.contains(&format!("`{id}`"))),
            "{missed:?}"
        );
    }
}

/// The reordered case: `sync-status-reordered.jsonl` delivers fabric 3's 80 %
/// `SyncProgressed` after its `SyncCompleted` (and fabric 5's events after both). It
/// folds into the same read model as the same events in time order (the reducer keeps
/// the highest percentage); a last-writer-wins mutant of that reducer does not.
#[test]
fn reordered_sync_stream_folds_into_the_same_read_model() {
    let rows = |projection: &str, stream: &str| -> (i32, Value) {
        let (c, v) = sim_json(projection, stream, &[]);
        (c, v["projections"][0]["rows"].clone())
    };
    let reordered = format!("{P}/streams/sync-status-reordered.jsonl");
    let text = std::fs::read_to_string(&reordered).expect("stream");
    let mut lines: Vec<(String, &str)> = text
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("JSON line");
            (v["time"].as_str().expect("time").to_string(), l)
        })
        .collect();
    let before: Vec<&str> = lines.iter().map(|(_, l)| *l).collect();
    lines.sort();
    let sorted: Vec<&str> = lines.iter().map(|(_, l)| *l).collect();
    assert_ne!(before, sorted, "the stream is out of order");
    let dir = tempfile::tempdir().expect("tempdir");
    let in_order = dir.path().join("in-order.jsonl");
    std::fs::write(&in_order, sorted.join("\n") + "\n").expect("write");
    let in_order = in_order.to_string_lossy().into_owned();

    let p = format!("{P}/fabric-sync-status.projection.yaml");
    let (c, a) = rows(&p, &in_order);
    assert_eq!(c, 0);
    let (c, b) = rows(&p, &reordered);
    assert_eq!(c, 0);
    assert_eq!(a, b);
    assert_eq!(b["3"]["percent"], 100);

    // The mutant, in a copy of the fixtures (its `$ref`s are relative).
    let hnp = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/hnp");
    let copy = dir.path().join("hnp");
    for sub in ["", "common", "projections"] {
        std::fs::create_dir_all(copy.join(sub)).expect("mkdir");
        for e in std::fs::read_dir(hnp.join(sub)).expect("read_dir") {
            let path = e.expect("entry").path();
            if path.is_file() {
                std::fs::copy(&path, copy.join(sub).join(path.file_name().expect("name")))
                    .expect("copy");
            }
        }
    }
    let mutant = copy.join("projections/fabric-sync-status.projection.yaml");
    let text = std::fs::read_to_string(&mutant).expect("read");
    let lww = text.replace(
        ".percent = ([.percent // 0, $event.payload.percent] | max)",
        ".percent = $event.payload.percent",
    );
    assert_ne!(text, lww);
    std::fs::write(&mutant, lww).expect("write");
    let m = mutant.to_string_lossy().into_owned();
    let (_, a) = rows(&m, &in_order);
    let (_, b) = rows(&m, &reordered);
    assert_eq!(a["3"]["percent"], 100);
    assert_eq!(b["3"]["percent"], 80);
}

/// `--explore` groups events by the key as the replay makes it: a numeric key (here
/// an integer id) is explored too, and a last-writer-wins reducer on an unordered
/// channel is caught with its replay token.
#[test]
fn explore_reorders_events_with_numeric_keys() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("asyncapi.yaml"),
        "asyncapi: 3.0.0\ninfo: {title: t, version: 1.0.0}\nchannels:\n  c:\n    address: c\n    x-hnp-ordering: none\n    messages:\n      Set: {$ref: '#/components/messages/Set'}\noperations:\n  r: {action: receive, channel: {$ref: '#/channels/c'}}\ncomponents:\n  messages:\n    Set:\n      payload:\n        type: object\n        required: [id, v]\n        properties: {id: {type: integer}, v: {type: integer}}\n",
    )
    .expect("contract");
    let p = dir.path().join("last.projection.yaml");
    std::fs::write(
        &p,
        "projection: last\nversion: 1\ncontract: asyncapi.yaml\nkey: /payload/id\nstate: {type: object}\ninitial: {}\non:\n  Set: '.v = $event.payload.v'\n",
    )
    .expect("projection");
    let s = dir.path().join("s.jsonl");
    std::fs::write(
        &s,
        "{\"message\":\"Set\",\"time\":1,\"headers\":{},\"payload\":{\"id\":7,\"v\":1}}\n{\"message\":\"Set\",\"time\":2,\"headers\":{},\"payload\":{\"id\":7,\"v\":2}}\n",
    )
    .expect("stream");
    let (_, v) = sim_json(&p.to_string_lossy(), &s.to_string_lossy(), &["--explore"]);
    let o = &v["projections"][0];
    assert_eq!(o["rows"]["7"]["v"], 2, "{o:#}");
    assert_eq!(o["explored"]["pairs"], 1, "{o:#}");
    assert_eq!(o["explored"]["token"], "swap:1:2", "{o:#}");
}
