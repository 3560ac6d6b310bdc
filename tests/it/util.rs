//! Shared helpers: run the binary, summarise JSON reports for snapshots.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (tests run with it as the working directory).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Run `hnp-events ARGS...` in `dir` with a clean environment for colour/CI.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hnp-events"))
        .args(args)
        .current_dir(dir)
        .env_remove("CI")
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

/// Run in the repository root.
pub fn run(args: &[&str]) -> Output {
    run_in(&repo(), args)
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// One line per diagnostic (`file:line:col severity rule: message`, related locations
/// indented below) from a `--format json` report.
pub fn summarize(json: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(json).expect("valid JSON report");
    let mut out = String::new();
    for d in v["diagnostics"].as_array().expect("diagnostics array") {
        let pos = |x: &serde_json::Value| match (x.get("line"), x.get("column")) {
            (Some(l), Some(c)) => format!("{}:{}:{}", x["file"].as_str().unwrap_or("?"), l, c),
            _ => x["file"].as_str().unwrap_or("?").to_string(),
        };
        out.push_str(&format!(
            "{} {} {}: {}\n",
            pos(d),
            d["severity"].as_str().unwrap_or("?"),
            d["rule"].as_str().unwrap_or("?"),
            d["message"].as_str().unwrap_or("?")
        ));
        if let Some(rel) = d.get("related").and_then(|r| r.as_array()) {
            for r in rel {
                out.push_str(&format!(
                    "    related {}: {}\n",
                    pos(r),
                    r["message"].as_str().unwrap_or("?")
                ));
            }
        }
    }
    out
}

/// A recorded saga event for engine-level tests: correlation id `corr`, event id
/// `{corr}-{line}`, an optional causation id, and the gitops-sync payload.
pub fn saga_event(
    line: u32,
    time: i64,
    message: &str,
    corr: &str,
    cause: Option<&str>,
) -> hnp_events::saga::stream::Event {
    let mut headers = serde_json::json!({"correlationid": corr, "id": format!("{corr}-{line}")});
    if let Some(c) = cause {
        headers["causationid"] = serde_json::json!(c);
    }
    hnp_events::saga::stream::Event {
        line,
        offset: 0,
        time,
        message: message.to_string(),
        headers,
        payload: serde_json::json!({"direction": "git_to_netbox"}),
    }
}

/// Output without the summary's timing (`checked ... in 12ms`), which varies from run to run.
pub fn without_timing(text: &str) -> String {
    text.lines()
        .map(
            |l| match l.find(" in ").filter(|_| l.contains(" checked")) {
                Some(i) => &l[..i],
                None => l,
            },
        )
        .collect::<Vec<_>>()
        .join("\n")
}

/// `(rule, message)` of every finding of `diff old.yaml new.yaml --format json` on
/// the two texts (exit code 0 or 1, else the test fails with standard error).
pub fn diff_findings(old: &str, new: &str) -> Vec<(String, String)> {
    let work = tempfile::tempdir().expect("tempdir");
    let dir = work.path();
    std::fs::write(dir.join("old.yaml"), old).expect("old");
    std::fs::write(dir.join("new.yaml"), new).expect("new");
    let out = run_in(dir, &["diff", "old.yaml", "new.yaml", "--format", "json"]);
    assert!(code(&out) < 2, "{}", stderr(&out));
    let v: serde_json::Value =
        serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
    v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap_or("").to_string(),
                d["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// Copy a folder tree (tests that edit fixtures work on a copy in a temporary folder).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).expect("copy");
        }
    }
}

/// The events of a recorded stream (JSON lines) under the repository, numbered by line.
pub fn read_stream(path: &str) -> Vec<hnp_events::saga::stream::Event> {
    let text = std::fs::read_to_string(repo().join(path)).expect("stream");
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            let v: serde_json::Value = serde_json::from_str(l).expect("json");
            hnp_events::saga::stream::event_of_value(&v, i as u32 + 1).expect("event")
        })
        .collect()
}
