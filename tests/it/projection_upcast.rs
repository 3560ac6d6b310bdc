//! Upcasters (issue 18, item 4): `*.upcast.yaml` files and typed (CloudEvents `type`)
//! upcasters on the HNP fixture, checked on the contract's examples and on stored
//! streams, replayed before folding, and the `diff` hook: the real HNP v1 → v2 change
//! of `WatchErrored` (fixtures/hnp-evolution/07) is breaking without the upcaster,
//! covered (info) with the verified one, and still breaking with one that fails on a
//! stored event.

use std::path::Path;

use serde_json::Value;

use crate::codegen_git::commit_all;
use crate::util::{code, copy_dir, repo, run, run_in, stderr, stdout};

const P: &str = "fixtures/hnp/projections";

fn json_of(o: &std::process::Output) -> Value {
    serde_json::from_str(&stdout(o))
        .unwrap_or_else(|e| panic!("JSON output ({e}): {}\n{}", stdout(o), stderr(o)))
}

#[test]
fn hnp_watch_health_upcasts_stored_v1_errors_before_folding() {
    let o = run(&[
        "simulate",
        &format!("{P}/watch-health.projection.yaml"),
        "--events",
        &format!("{P}/streams/watch-errors-v1.jsonl"),
        "--format",
        "json",
    ]);
    let v = json_of(&o);
    assert_eq!(code(&o), 0, "{v:#}");
    let p = &v["projections"][0];
    assert_eq!(p["diagnostics"], serde_json::json!([]), "{p:#}");
    // Three v1 WatchErrored events (one a redelivery) are upcast; the v2 one is not.
    assert_eq!(p["upcast"], 3);
    let conn = &p["rows"]["3/Connection"];
    // The v1 event without `message` got one from the upcaster; the redelivery
    // counted once.
    assert_eq!(conn["lastError"], "HTTP 401 Unauthorized");
    assert_eq!(conn["errors"], 2);
    assert_eq!(
        p["rows"]["5/VPC"]["lastError"],
        "etcdserver: request timed out"
    );
}

/// A temporary copy of `fixtures/hnp` (so the upcast file can be broken).
fn hnp_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(
        &repo().join("fixtures/hnp"),
        &dir.path().join("fixtures/hnp"),
    );
    dir
}

const UPCAST: &str = "fixtures/hnp/projections/watch-errored-v2.upcast.yaml";

/// Make WatchErrored v2 as fixtures/hnp-evolution/07-watch-errored-v2.patch does
/// (`message` required, CloudEvents type `.v2`, `info.version` 2.0.0), by text: the
/// patch applies only after the six before it.
fn apply_v2(dir: &Path) {
    let path = dir.join("fixtures/hnp/asyncapi.yaml");
    let text = std::fs::read_to_string(&path).expect("contract");
    let edits = [
        ("  version: 1.4.0\n", "  version: 2.0.0\n"),
        (
            "          - reason\n          - relistRequired\n",
            "          - reason\n          - message\n          - relistRequired\n",
        ),
        (
            "type: com.githedgehog.hnp.kubernetes.watch_errored.v1",
            "type: com.githedgehog.hnp.kubernetes.watch_errored.v2",
        ),
    ];
    let mut out = text.clone();
    for (from, to) in edits {
        assert_eq!(
            out.matches(from).count(),
            1,
            "{from:?} once in the contract"
        );
        out = out.replace(from, to);
    }
    std::fs::write(&path, out).expect("write");
}

fn rules_and_levels(v: &Value) -> Vec<(String, String)> {
    let mut r: Vec<(String, String)> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap_or("?").to_string(),
                d["severity"].as_str().unwrap_or("?").to_string(),
            )
        })
        .collect();
    r.sort();
    r.dedup();
    r
}

#[test]
fn validate_checks_an_upcast_file_on_examples_and_its_stored_stream() {
    // Against the contract after the v2 change (`message` required).
    let dir = hnp_copy();
    apply_v2(dir.path());
    let o = run_in(
        dir.path(),
        &[
            "validate",
            "--no-config",
            "--no-gates",
            UPCAST,
            "fixtures/hnp/asyncapi.yaml",
            "-f",
            "json",
        ],
    );
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    // An upcaster that keeps `message` absent: the stored v1 event of line 4 (and its
    // redelivery on line 5) do not upcast to a valid v2 event.
    let path = dir.path().join(UPCAST);
    let text = std::fs::read_to_string(&path).expect("read");
    let broken = text.replace(
        r#"'.payload.message //= "HTTP \(.payload.httpStatus) \(.payload.reason)"'"#,
        "'.'",
    );
    assert_ne!(text, broken);
    std::fs::write(&path, broken).expect("write");
    let o = run_in(
        dir.path(),
        &[
            "validate",
            "--no-config",
            "--no-gates",
            UPCAST,
            "fixtures/hnp/asyncapi.yaml",
            "-f",
            "json",
        ],
    );
    assert_eq!(code(&o), 1, "{}{}", stdout(&o), stderr(&o));
    let v = json_of(&o);
    let bad: Vec<&Value> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["rule"] == "projection-upcast-invalid")
        .collect();
    let lines: Vec<u64> = bad.iter().filter_map(|d| d["line"].as_u64()).collect();
    assert_eq!(lines, [4, 5], "{v:#}");
    let msg = bad[0]["message"].as_str().unwrap_or("");
    assert!(msg.contains("message"), "{msg}");
    assert!(
        bad[0]["file"]
            .as_str()
            .unwrap_or("")
            .ends_with("watch-errors-v1.jsonl"),
        "{:#}",
        bad[0]
    );
}

#[test]
fn schema_upcast_accepts_the_fixture_and_rejects_a_bad_file() {
    let o = run(&["schema", "upcast"]);
    assert_eq!(code(&o), 0);
    let schema: Value = serde_json::from_str(&stdout(&o)).expect("json");
    let v = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let text = std::fs::read_to_string(repo().join(UPCAST)).expect("fixture");
    let fixture = yaml_value(&text);
    assert!(v.is_valid(&fixture), "{fixture:#}");
    let mut bad = fixture.clone();
    bad["upcasters"][0]["from"] = serde_json::json!({"message": "WatchErrored"});
    assert!(!v.is_valid(&bad));
}

fn yaml_value(text: &str) -> Value {
    let mut diags = Vec::new();
    let f = hnp_events::source::parse_file(
        Path::new("x.yaml"),
        text.as_bytes().to_vec(),
        std::sync::Arc::from("x.yaml"),
        &mut diags,
    );
    f.value.expect("parses")
}

/// diff HEAD~1 HEAD on the HNP contract before and after the v2 change, with the
/// configuration listing `projections` (or not).
fn diff_v2(projections: &[&str], break_upcaster: bool) -> (i32, Value) {
    let dir = hnp_copy();
    let mut cfg = "documents:\n  - fixtures/hnp/asyncapi.yaml\n".to_string();
    if !projections.is_empty() {
        cfg.push_str("projections:\n");
        for p in projections {
            cfg.push_str(&format!("  - {p}\n"));
        }
    }
    std::fs::write(dir.path().join("hnp-events.yaml"), cfg).expect("config");
    let git = git2::Repository::init(dir.path()).expect("git init");
    commit_all(&git, "v1");
    apply_v2(dir.path());
    if break_upcaster {
        let path = dir.path().join(UPCAST);
        let text = std::fs::read_to_string(&path).expect("read");
        std::fs::write(
            &path,
            text.replace(
                r#"'.payload.message //= "HTTP \(.payload.httpStatus) \(.payload.reason)"'"#,
                "'.'",
            ),
        )
        .expect("write");
    }
    commit_all(&git, "v2");
    let o = run_in(dir.path(), &["diff", "HEAD~1", "HEAD", "--format", "json"]);
    (code(&o), json_of(&o))
}

#[test]
fn diff_reports_a_breaking_change_to_a_stored_event_as_covered_only_with_a_verified_upcaster() {
    // Without an upcaster: breaking.
    let (c, v) = diff_v2(&[], false);
    assert_eq!(c, 1, "{v:#}");
    let r = rules_and_levels(&v);
    assert!(
        r.contains(&("diff-schema-breaking".into(), "error".into())),
        "{r:?}"
    );
    assert!(!r.iter().any(|(id, _)| id == "diff-breaking-upcast-covered"));

    // With the verified upcaster (listed directly, or through the projection that
    // includes it): covered, not breaking.
    for listed in [
        "fixtures/hnp/projections/watch-errored-v2.upcast.yaml",
        "fixtures/hnp/projections/watch-health.projection.yaml",
    ] {
        let (c, v) = diff_v2(&[listed], false);
        let r = rules_and_levels(&v);
        assert_eq!(c, 0, "{listed}: {r:?} {v:#}");
        assert!(
            r.contains(&("diff-breaking-upcast-covered".into(), "info".into())),
            "{listed}: {r:?}"
        );
        assert!(
            !r.iter().any(|(id, _)| id == "diff-schema-breaking"),
            "{r:?}"
        );
        let d = v["diagnostics"]
            .as_array()
            .expect("d")
            .iter()
            .find(|d| d["rule"] == "diff-breaking-upcast-covered")
            .expect("covered");
        let m = d["message"].as_str().unwrap_or("");
        assert!(m.contains("WatchErrored") && m.contains("message"), "{m}");
        assert!(
            d["related"]
                .as_array()
                .expect("related")
                .iter()
                .any(|r| r["file"]
                    .as_str()
                    .unwrap_or("")
                    .ends_with("watch-errored-v2.upcast.yaml")),
            "{d:#}"
        );
    }

    // An upcaster that fails on a stored v1 event (no `message`) does not cover it.
    let (c, v) = diff_v2(
        &["fixtures/hnp/projections/watch-errored-v2.upcast.yaml"],
        true,
    );
    assert_eq!(c, 1, "{v:#}");
    let d = v["diagnostics"]
        .as_array()
        .expect("d")
        .iter()
        .find(|d| d["rule"] == "diff-schema-breaking")
        .expect("still breaking");
    let help = d["help"].as_str().unwrap_or("");
    assert!(
        help.contains("does not cover") && help.contains("message"),
        "{d:#}"
    );
}

/// The shared function, directly: no upcaster, a verified one, a failing one, and
/// one with nothing to verify it on.
#[test]
fn covered_needs_an_old_event_and_every_one_valid() {
    use hnp_events::projection::upcast::{Cover, Step, Upcasters, Ver, covered};
    let loc = hnp_events::diag::Location::file(std::sync::Arc::from("u.upcast.yaml"));
    let step = |code: &str| Step {
        from: Ver {
            message: "E".into(),
            ty: Some("t.v1".into()),
        },
        to: Ver {
            message: "E".into(),
            ty: Some("t.v2".into()),
        },
        prog: hnp_events::projection::jq::compile(code).expect("compiles"),
        at: loc.clone(),
    };
    // The new schema: payload.n required.
    let mut invalid = |_: &str, ev: &Value| -> Option<String> {
        ev.pointer("/payload/n")
            .is_none()
            .then(|| "n is required".to_string())
    };
    let old = serde_json::json!({"message": "E", "headers": {"type": "t.v1"}, "payload": {}});
    let mut none = Upcasters::default();
    assert_eq!(
        covered(&none, "E", std::slice::from_ref(&old), &mut invalid),
        Cover::None
    );
    none.add(step(".payload.n = 1")).expect("added");
    assert_eq!(
        covered(&none, "E", std::slice::from_ref(&old), &mut invalid),
        Cover::Verified {
            at: loc.clone(),
            checked: 1
        }
    );
    assert!(matches!(
        covered(&none, "E", &[], &mut invalid),
        Cover::Failed { .. }
    ));
    let mut bad = Upcasters::default();
    bad.add(step(".")).expect("added");
    match covered(&bad, "E", &[old], &mut invalid) {
        Cover::Failed { why, .. } => assert!(why.contains("n is required"), "{why}"),
        other => panic!("{other:?}"),
    }
}

/// An upcast file alone is checked but measures no projection coverage (it serves no
/// query); `simulate` takes it too, upcasting the stored stream (nothing is folded).
#[test]
fn an_upcast_file_alone_measures_no_coverage_and_simulates() {
    let o = run(&[
        "validate",
        "--no-config",
        UPCAST,
        "fixtures/hnp/asyncapi.yaml",
        "fixtures/hnp/openapi.yaml",
        "-f",
        "json",
    ]);
    let v = json_of(&o);
    assert!(
        !v["metrics"]
            .as_array()
            .expect("metrics")
            .iter()
            .any(|m| m.to_string().contains("projection_coverage")),
        "{:#}",
        v["metrics"]
    );
    assert!(
        !v["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .any(|d| d["rule"] == "gate-projection-coverage"),
        "{v:#}"
    );
    let o = run(&[
        "simulate",
        UPCAST,
        "--events",
        &format!("{P}/streams/watch-errors-v1.jsonl"),
        "-f",
        "json",
    ]);
    let v = json_of(&o);
    assert_eq!(code(&o), 0, "{v:#}");
    assert_eq!(v["projections"][0]["upcast"], 3);
    assert_eq!(v["projections"][0]["folded"], 0);
}
