//! The fast replay (events folded from the tape, reducers on the native path, rows
//! validated as jq values) gives what the plain way gives: the same rows, counts and
//! findings, on every fixture projection and stream, on streams with the lines the
//! fast path must leave to serde, and on planted errors.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use hnp_events::projection::replay::{Folder, Outcome, read_stream, replay_stream};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// (rows, counts, findings) of an outcome, for comparison.
fn summary(o: &Outcome) -> String {
    format!(
        "rows {:?}\nevents {} folded {} ignored {} upcast {} other {} snapshots {}\nviolations {:#?}\nsuppressed {:?}",
        o.rows,
        o.events,
        o.folded,
        o.ignored,
        o.upcast,
        o.other,
        o.snapshots,
        o.violations,
        o.suppressed
    )
}

/// The outcome of the plain way (every event as a `serde_json` value, fed one by one)
/// and of [`replay_stream`], with the read errors of each.
fn both(projection: &Path, stream: &Path, validate: bool) -> (String, String) {
    both_counted(projection, stream, validate).0
}

/// [`both`], and how many events the fast way folded from their tape.
fn both_counted(projection: &Path, stream: &Path, validate: bool) -> ((String, String), usize) {
    let checked =
        hnp_events::projection::load_and_check(projection, Arc::from("p")).expect("loads");
    let compiled = checked.compiled.as_ref().expect("compiles");
    let contract = hnp_events::saga::contract::Contract::new(&checked.ws).expect("contract");
    let shown: Arc<str> = Arc::from(stream.to_string_lossy().as_ref());
    let p = &checked.projection;
    let mut plain = Folder::new(p, compiled, &contract, validate);
    let mut s1 = hnp_events::diag::SourceSet::default();
    let r1 = read_stream(stream, &shown, Some(&mut s1), |ev| plain.feed(&ev));
    let mut fast = Folder::new(p, compiled, &contract, validate);
    let mut s2 = hnp_events::diag::SourceSet::default();
    let r2 = replay_stream(&mut fast, stream, &shown, Some(&mut s2));
    let taped = fast.from_tape;
    (
        (
            format!("{r1:#?}\n{}", summary(&plain.finish())),
            format!("{r2:#?}\n{}", summary(&fast.finish())),
        ),
        taped,
    )
}

fn projections() -> Vec<PathBuf> {
    let dir = root().join("fixtures/hnp/projections");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| hnp_events::projection::is_event_sourcing_path(p))
        .collect();
    out.sort();
    out
}

fn streams() -> Vec<PathBuf> {
    let dir = root().join("fixtures/hnp/projections/streams");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    out.sort();
    out
}

#[test]
fn fast_replay_agrees_with_the_plain_way_on_every_fixture() {
    let mut compared = 0;
    let mut taped = 0;
    for p in projections() {
        for s in streams() {
            for validate in [true, false] {
                let ((a, b), n) = both_counted(&p, &s, validate);
                taped += n;
                assert_eq!(
                    a,
                    b,
                    "{} on {} (validate {validate})",
                    p.display(),
                    s.display()
                );
                compared += 1;
            }
        }
    }
    assert!(compared >= 40, "{compared}");
    // The fast way was taken (not only its fallback).
    assert!(taped > 500, "{taped}");
}

/// Lines of the happy sync stream, for building edge-case streams.
fn happy() -> Vec<String> {
    std::fs::read_to_string(root().join("fixtures/hnp/projections/streams/sync-status-happy.jsonl"))
        .expect("stream")
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn fast_replay_agrees_on_lines_the_tape_leaves_and_on_bad_events() {
    let h = happy();
    let first = &h[0];
    let mut lines: Vec<String> = Vec::new();
    lines.push(String::new());
    lines.push("   ".into());
    lines.push("// a comment".into());
    // Unicode whitespace only: skipped as the plain reader skips it.
    lines.push("\u{a0}".into());
    lines.push(format!("  {first}  "));
    // Escapes, exponents and repeated keys go the serde way.
    lines.push(first.replace("git_to_netbox", "git\\u005fto_netbox"));
    lines.push(first.replace("\"totalSteps\":5", "\"totalSteps\":5e0"));
    lines.push(first.replace(
        "{\"time\"",
        "{\"time\":\"2026-01-01T00:00:00.000Z\",\"time\"",
    ));
    // Invalid against the contract, without a key, a key of another type, a string
    // key, an unknown message, a message of another projection.
    lines.push(first.replace("\"totalSteps\":5", "\"totalSteps\":\"five\""));
    lines.push(first.replace("\"fabricId\":1,", ""));
    lines.push(first.replace("\"fabricId\":1", "\"fabricId\":true"));
    lines.push(first.replace("\"fabricId\":1", "\"fabricId\":\"7\""));
    lines.push(first.replace(
        "\"message\":\"SyncStarted\"",
        "\"message\":\"NoSuchMessage\"",
    ));
    lines.extend(h.iter().cloned());
    let dir = tempfile::tempdir().expect("tempdir");
    let stream = dir.path().join("edge.jsonl");
    std::fs::write(&stream, lines.join("\n")).expect("write");
    let mut compared = 0;
    let mut taped = 0;
    let mut found = 0;
    for p in projections() {
        for validate in [true, false] {
            let ((a, b), n) = both_counted(&p, &stream, validate);
            assert_eq!(a, b, "{} (validate {validate})", p.display());
            compared += 1;
            taped += n;
            found += a.matches("rule: \"projection-").count();
        }
    }
    assert!(compared > 0 && taped > 0, "{compared} {taped}");
    // The bad events were found (the same way by both).
    assert!(found >= 4, "{found}");
    // A malformed line ends the read at the same place, with the same error; so
    // does a line that is not UTF-8.
    for bad in [
        b"{\"time\": 1, \"message\"".to_vec(),
        vec![b'{', 0xff, b'}'],
    ] {
        let mut bytes = h[0].clone().into_bytes();
        bytes.push(b'\n');
        bytes.extend_from_slice(&bad);
        bytes.push(b'\n');
        bytes.extend_from_slice(h[1].as_bytes());
        std::fs::write(&stream, &bytes).expect("write");
        let p = root().join("fixtures/hnp/projections/fabric-sync-status.projection.yaml");
        let (a, b) = both(&p, &stream, true);
        assert_eq!(a, b);
        assert!(a.starts_with("Err("), "{a}");
    }
}

#[test]
fn fast_replay_agrees_with_the_plain_way_on_planted_bugs() {
    // Reducers that fail, leave the state schema, are not idempotent, or use forms
    // the native path does not have (run by jaq).
    let reducers = [
        r#"SyncStarted: '.status = "syncing" | .syncs += 1'"#,
        r#"SyncStarted: '.status = $event.payload.totalSteps'"#,
        r#"SyncStarted: '.percent = ($event.payload.syncId + 1)'"#,
        r#"SyncStarted: '.syncId = $event.payload.syncId | .x = 1'"#,
        r#"SyncStarted: '.status = "syncing" | .percent = ([.percent // 0, $event.payload.totalSteps] | max)'"#,
        r#"SyncStarted: '.status = ("syncing" | ascii_upcase | ascii_downcase)'"#,
        r#"SyncStarted: 'if .syncs > 0 then .status = "synced" else .status = "syncing" end'"#,
        r#"SyncStarted: '.syncId = $event.payload.syncId.x'"#,
        r#"SyncStarted: 'empty'"#,
        r#"SyncStarted: '., .'"#,
    ];
    let hnp = root().join("fixtures/hnp");
    let stream = hnp.join("projections/streams/sync-status-duplicate.jsonl");
    let mut found = 0;
    for r in reducers {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("x.projection.yaml");
        let body = format!(
            "projection: x\nversion: 1\ncontract: {}\nkey: /payload/fabricId\nstate:\n  type: object\n  additionalProperties: false\n  properties:\n    status: {{enum: [unknown, syncing, synced, error]}}\n    syncs: {{type: integer, minimum: 0}}\n    syncId: {{type: string}}\n    percent: {{type: integer}}\ninitial: {{status: unknown, syncs: 0}}\non:\n  {r}\nignore: [SyncProgressed, SyncCompleted, SyncFailed]\nsnapshot: {{every: 2}}\n",
            hnp.join("asyncapi.yaml").to_string_lossy()
        );
        std::fs::write(&p, body).expect("write");
        let checked = hnp_events::projection::load_and_check(&p, Arc::from("p")).expect("loads");
        if checked.compiled.is_none() {
            continue;
        }
        let (a, b) = both(&p, &stream, true);
        assert_eq!(a, b, "{r}");
        if a.contains("rule: \"projection-") {
            found += 1;
        }
    }
    assert!(found >= 5, "{found}");
}
