//! Streams and replay tokens that are wrong on purpose (issue 11 items 19 and 20):
//! impossible times, times out of range, time going backwards, a byte order mark,
//! and replay tokens that name events, sagas or steps that do not exist.

use std::path::{Path, PathBuf};

use crate::util::{code, repo, run, stderr, stdout};

const SAGA: &str = "fixtures/hnp/sagas/crd-apply.saga.yaml";
const HAPPY: &str = "fixtures/hnp/streams/crd-apply-happy.jsonl";

fn happy_lines() -> Vec<String> {
    std::fs::read_to_string(repo().join(HAPPY))
        .expect("fixture")
        .lines()
        .map(str::to_string)
        .collect()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

fn simulate(stream: &Path) -> std::process::Output {
    run(&["simulate", SAGA, "--events", &stream.display().to_string()])
}

/// The happy stream with the first event's `time` replaced by `time` (JSON text).
fn with_first_time(time: &str) -> String {
    let mut lines = happy_lines();
    lines[0] = lines[0].replacen(
        "\"time\":\"2026-01-01T00:00:00.000Z\",\"message\"",
        &format!("\"time\":{time},\"message\""),
        1,
    );
    assert!(lines[0].contains(time), "fixture shape changed");
    lines.join("\n") + "\n"
}

#[test]
fn impossible_and_out_of_range_times_are_located_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (time, why) in [
        (
            "\"2026-02-30T00:00:00Z\"",
            "that day does not exist in that month",
        ),
        (
            "\"2026-01-01T00:00:00+00:99\"",
            "the offset is out of range",
        ),
        (
            "\"2026-01-01T24:00:00Z\"",
            "the time of day is out of range",
        ),
        ("9200000000000000000", "after 9999-12-31"),
        ("-5", "non-negative"),
    ] {
        let p = write(dir.path(), "s.jsonl", &with_first_time(time));
        let out = simulate(&p);
        let all = format!("{}{}", stdout(&out), stderr(&out));
        assert_eq!(code(&out), 2, "{time}: {all}");
        assert!(all.contains(why), "{time}: {all}");
        assert!(
            all.contains("s.jsonl:1:"),
            "{time}: not located at line 1: {all}"
        );
    }
}

#[test]
fn a_huge_timeout_is_refused_instead_of_overflowing_deadlines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(repo().join(SAGA))
        .expect("saga")
        .replace(
            "contract: ../asyncapi.yaml",
            &format!(
                "contract: {}",
                repo().join("fixtures/hnp/asyncapi.yaml").display()
            ),
        );
    let first = text.find("timeout: ").expect("a timeout");
    let end = first + text[first..].find('\n').expect("eol");
    let text = format!("{}timeout: 106751991d{}", &text[..first], &text[end..]);
    let saga = write(dir.path(), "huge.saga.yaml", &text);
    let out = run(&["simulate", &saga.display().to_string(), "--events", HAPPY]);
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert_ne!(code(&out), 0, "{all}");
    assert!(all.contains("longer than 100 years"), "{all}");
}

#[test]
fn time_going_backwards_is_a_warning_at_the_event() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut lines = happy_lines();
    // Line 3 stamped before line 2 (ms since 1970: 1 s after the start).
    lines[2] = lines[2].replacen(
        "\"time\":\"2026-01-01T00:00:03.400Z\"",
        "\"time\":\"2026-01-01T00:00:00.100Z\"",
        1,
    );
    let p = write(dir.path(), "back.jsonl", &(lines.join("\n") + "\n"));
    let out = simulate(&p);
    let text = stdout(&out);
    assert!(text.contains("saga-time-backwards"), "{text}");
    assert!(text.contains("back.jsonl:3:"), "{text}");
    assert!(
        text.contains("300 ms earlier than the one at line 2"),
        "{text}"
    );
    // In order: no such warning.
    let ok = simulate(&repo().join(HAPPY));
    assert!(!stdout(&ok).contains("saga-time-backwards"));
}

#[test]
fn a_byte_order_mark_is_accepted_as_validate_accepts_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plain = std::fs::read_to_string(repo().join(HAPPY)).expect("fixture");
    let p = write(dir.path(), "bom.jsonl", &format!("\u{feff}{plain}"));
    let out = simulate(&p);
    let reference = simulate(&repo().join(HAPPY));
    assert_eq!(code(&out), code(&reference), "{}", stdout(&out));
    assert_eq!(
        stdout(&out).replace(&p.display().to_string(), "X"),
        stdout(&reference).replace(&repo().join(HAPPY).display().to_string(), "X")
    );
}

#[test]
fn replay_tokens_out_of_range_are_refused_clearly() {
    let unsafe_saga = "fixtures/hnp/sagas/crd-apply-unsafe.saga.yaml";
    let explore = run(&["simulate", unsafe_saga, "--events", HAPPY, "--explore"]);
    let token = stdout(&explore)
        .lines()
        .find_map(|l| l.split("--replay ").nth(1))
        .expect("a replay token")
        .trim()
        .to_string();
    let fp = token.split(':').next().expect("fingerprint");
    for (ops, keep, why) in [
        ("x999", "0-3", "names event 999"),
        ("s5", "0-3", "names event 6"),
        (&format!("d{}", usize::MAX) as &str, "0", "names event"),
        ("c0.7.0.0", "0-3", "names saga #7"),
        ("c0.0.42.0", "0-3", "names step #42"),
        ("c0.0.0.9", "0-3", "names compensation #9"),
        ("t1@999999999999999", "0-3", "more than 100 years"),
        ("d1", "0-99", "keeps event"),
        ("d1", "3,1", "increasing order"),
    ] {
        let t = format!("{fp}:{ops}:{keep}");
        let out = run(&["simulate", unsafe_saga, "--events", HAPPY, "--replay", &t]);
        let all = format!("{}{}", stdout(&out), stderr(&out));
        assert_eq!(code(&out), 2, "{t}: {all}");
        assert!(all.contains(why), "{t}: {all}");
        assert!(!all.contains("panicked"), "{t}: {all}");
    }
}

/// `n` interleaved copies of the gitops-sync happy path, one instance every 100 ms,
/// each with its own correlation key and event ids.
fn many_instances(n: usize) -> String {
    let lines: Vec<serde_json::Value> =
        std::fs::read_to_string(repo().join("fixtures/hnp/streams/gitops-sync-happy.jsonl"))
            .expect("fixture")
            .lines()
            .map(|l| serde_json::from_str(l).expect("json"))
            .collect();
    let t0 = hnp_events::saga::stream::parse_rfc3339(lines[0]["time"].as_str().expect("time"))
        .expect("rfc3339");
    let mut out: Vec<(i64, String)> = Vec::new();
    for k in 0..n {
        for (j, l) in lines.iter().enumerate() {
            let mut v = l.clone();
            let t = hnp_events::saga::stream::parse_rfc3339(v["time"].as_str().expect("time"))
                .expect("rfc3339")
                - t0
                + k as i64 * 100;
            v["time"] = serde_json::json!(t);
            let key = format!("saga-{k:06}");
            // A reply names its command `KEY/STEP/ATTEMPT`: it follows the key.
            let old = v["headers"]["correlationid"]
                .as_str()
                .unwrap_or("")
                .to_string();
            if let Some(c) = v["headers"]["causationid"].as_str() {
                let c = c.replacen(&old, &key, 1);
                v["headers"]["causationid"] = serde_json::json!(c);
            }
            v["headers"]["correlationid"] = serde_json::json!(key);
            v["headers"]["id"] = serde_json::json!(format!("ev-{k:06}-{j}"));
            out.push((t, v.to_string()));
        }
    }
    out.sort_by_key(|(t, _)| *t);
    out.into_iter().map(|(_, l)| l + "\n").collect()
}

const GITOPS: &str = "fixtures/hnp/sagas/gitops-sync.saga.yaml";

#[test]
fn explore_limits_stop_early_and_report_what_was_found() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = write(dir.path(), "many.jsonl", &many_instances(20));
    let p = p.display().to_string();
    let all = run(&["simulate", GITOPS, "--events", &p, "--explore"]);
    let text = stdout(&all);
    assert_eq!(code(&all), 0, "{text}");
    assert!(!text.contains("stopped early"), "{text}");
    let planned: u64 = text
        .lines()
        .find_map(|l| l.strip_prefix("explored "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("summary");
    assert!(planned > 100, "{text}");
    let five = run(&[
        "simulate",
        GITOPS,
        "--events",
        &p,
        "--explore",
        "--max-scenarios",
        "5",
    ]);
    let text = stdout(&five);
    assert_eq!(code(&five), 0, "{text}");
    assert!(text.contains("explored 5 scenarios"), "{text}");
    assert!(
        text.contains(&format!(
            "stopped early (--max-scenarios reached): 5 of {planned} scenarios explored"
        )),
        "{text}"
    );
    let none = run(&[
        "simulate",
        GITOPS,
        "--events",
        &p,
        "--explore",
        "--time-budget",
        "0ms",
    ]);
    let text = stdout(&none);
    assert_eq!(code(&none), 0, "{text}");
    assert!(
        text.contains("stopped early (--time-budget reached): 0 of"),
        "{text}"
    );
    // JSON says it too.
    let json = run(&[
        "simulate",
        GITOPS,
        "--events",
        &p,
        "--explore",
        "--max-scenarios",
        "5",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("json");
    assert_eq!(v["explore"]["stopped"], "max-scenarios");
    assert_eq!(v["explore"]["scenarios"], 5);
    assert_eq!(v["explore"]["planned"], planned);
}

/// Exploration works per instance group: twice the instances, twice the scenarios,
/// at depth 2 too (pairs of faults are formed within a group; each scenario replays
/// only the instances it perturbs).
#[test]
fn explore_scenarios_grow_linearly_with_instances() {
    let sagas = [
        hnp_events::saga::load(&repo().join(GITOPS), std::sync::Arc::from(GITOPS)).expect("saga"),
    ];
    let count = |n: usize, depth: u8| {
        let evs: Vec<hnp_events::saga::stream::Event> = many_instances(n)
            .lines()
            .enumerate()
            .map(|(i, l)| {
                let v: serde_json::Value = serde_json::from_str(l).expect("json");
                hnp_events::saga::stream::event_of_value(&v, i as u32 + 1).expect("event")
            })
            .collect();
        let r = hnp_events::saga::explore::explore(
            &sagas,
            &evs,
            0,
            hnp_events::saga::explore::ExploreOptions {
                depth,
                ..Default::default()
            },
        );
        assert!(r.counterexamples.is_empty(), "{:#?}", r.counterexamples);
        assert!(r.base_violations.is_empty());
        r.scenarios
    };
    for depth in [1, 2] {
        let (a, b) = (count(8, depth), count(16, depth));
        // Exactly double but for swaps at the edges of the stream.
        let ratio = b as f64 / a as f64;
        assert!((ratio - 2.0).abs() < 0.05, "depth {depth}: {a} then {b}");
    }
}

/// Ctrl-C during `--explore` prints what was found so far and exits 130.
#[test]
fn ctrl_c_stops_exploration_with_a_partial_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = write(dir.path(), "many.jsonl", &many_instances(400));
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_hnp-events"))
        .current_dir(repo())
        .args([
            "simulate",
            GITOPS,
            "--events",
            &p.display().to_string(),
            "--explore",
            "--depth",
            "2",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let out = child.wait_with_output().expect("wait");
    let text = stdout(&out);
    assert_eq!(code(&out), 130, "{text}{}", stderr(&out));
    assert!(text.contains("stopped early (interrupted)"), "{text}");
    assert!(text.contains("explored "), "{text}");
}
