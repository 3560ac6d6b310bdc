//! What a new user sees in the first hour (issue 15): the rough edges of "Found 10" that
//! are not covered next to their command's own tests.

use crate::util::{code, repo, run_in, stderr, stdout};

/// `simulate -q` on the `init --example` project prints the one summary line and
/// nothing else (it once printed an empty line before it).
#[test]
fn simulate_quiet_prints_one_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let out = run_in(d, &["init", "--example"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = run_in(
        d,
        &[
            "simulate",
            "-q",
            "sagas/place-order.saga.yaml",
            "--events",
            "streams/place-order.jsonl",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
    assert_eq!(stdout(&out).lines().count(), 1, "{:?}", stdout(&out));
    insta::assert_snapshot!("simulate_quiet", stdout(&out));
}

/// Examples are numbered from 1 in every message of one report: a schema's `examples`
/// item and a message's example alike (the schema's once said "item 1" for the second).
#[test]
fn examples_are_numbered_alike() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(
        d.join("api.yaml"),
        "asyncapi: 3.0.0
info: {title: t, version: 1.0.0}
channels:
  counts:
    messages:
      Counted: {$ref: '#/components/messages/Counted'}
components:
  schemas:
    Count:
      type: integer
      examples: [1, x]
  messages:
    Counted:
      payload:
        type: object
        properties: {n: {type: integer}}
      examples:
        - payload: {n: 1}
        - payload: {n: y}
",
    )
    .expect("write");
    let out = run_in(
        d,
        &[
            "validate",
            "--no-config",
            "--no-gates",
            "--quiet",
            "api.yaml",
        ],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("the schema's example 2 "), "{text}");
    assert!(text.contains("message example 2 "), "{text}");
    insta::assert_snapshot!("examples_numbered_alike", text);
}

/// Drop the ANSI escape sequences a terminal would interpret.
fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                // Parameters, then one final byte in @..~.
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// `validate` in a pseudo-terminal (util-linux `script`), as a user at a terminal sees
/// it, with the spinner's delay set to `after_ms`; `None` where `script` is missing.
fn validate_in_a_terminal(after_ms: &str) -> Option<String> {
    let bin = env!("CARGO_BIN_EXE_hnp-events");
    let cmd = format!("'{bin}' validate --no-gates fixtures/hnp/asyncapi.yaml");
    let out = std::process::Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(repo())
        .env_remove("CI")
        .env_remove("NO_COLOR")
        .env("TERM", "xterm")
        .env("HNP_PROGRESS_AFTER_MS", after_ms)
        .output();
    match out {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "`script` (util-linux) is not installed"
            );
            eprintln!("note: `script` not installed, the terminal output is not tested");
            None
        }
        Err(e) => panic!("running script: {e}"),
        Ok(out) => {
            assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
            Some(stdout(&out))
        }
    }
}

/// A quick `validate` in a terminal shows no progress spinner (it once flashed one for a
/// 15 ms run). "Quick" is made independent of the machine's load: the delay is set far
/// beyond the run; with no delay the same pty shows the spinner, so the check can fail.
#[test]
fn quick_validate_shows_no_spinner_in_a_terminal() {
    let Some(raw) = validate_in_a_terminal("600000") else {
        return;
    };
    // The pty shows standard error too: no spinner frame, no cleared line.
    assert!(!raw.contains("loading and checking"), "{raw:?}");
    assert!(!raw.contains("\u{1b}[2K"), "{raw:?}");
    let text = strip_ansi(&raw).replace('\r', "");
    let text = crate::util::without_timing(&text);
    insta::assert_snapshot!("validate_in_a_terminal", text);
    let raw = validate_in_a_terminal("0").expect("script ran once");
    assert!(raw.contains("loading and checking"), "{raw:?}");
}
