//! The command line: help texts, exit codes, output files, completions and man page.

use std::path::Path;

use crate::util::{code, repo, run, run_in, stderr, stdout};

/// Checked-in generated files must match what the binary generates. Run with
/// `HNP_BLESS=1` to rewrite them.
fn check_generated(rel: &str, args: &[&str]) {
    let out = run(args);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let generated = stdout(&out);
    let path = repo().join(rel);
    if std::env::var_os("HNP_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("write generated file");
        return;
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == generated,
        "{rel} is stale: run `HNP_BLESS=1 cargo test --test it cli::` and commit the result"
    );
}

#[test]
fn completions_are_current() {
    for (shell, file) in [
        ("bash", "completions/hnp-events.bash"),
        ("zsh", "completions/_hnp-events"),
        ("fish", "completions/hnp-events.fish"),
        ("powershell", "completions/_hnp-events.ps1"),
        ("elvish", "completions/hnp-events.elv"),
    ] {
        check_generated(file, &["completions", shell]);
    }
}

#[test]
fn man_page_is_current() {
    check_generated("completions/hnp-events.1", &["man"]);
}

#[test]
fn help_texts() {
    for cmd in [
        &["--help"][..],
        &["init", "--help"],
        &["validate", "--help"],
        &["classify", "--help"],
        &["simulate", "--help"],
        &["codegen", "--help"],
        &["rules", "--help"],
        &["explain", "--help"],
        &["schema", "--help"],
        &["completions", "--help"],
        &["man", "--help"],
        &["diff", "--help"],
        &["graph", "--help"],
        &["bundle", "--help"],
        &["docs", "--help"],
    ] {
        let out = run(cmd);
        assert_eq!(code(&out), 0);
        let text = stdout(&out);
        let name = format!("help_{}", cmd[0].trim_start_matches('-'));
        insta::assert_snapshot!(name, text);
    }
}

#[test]
fn every_subcommand_help_has_examples() {
    for sub in [
        "init",
        "validate",
        "classify",
        "simulate",
        "rules",
        "explain",
        "schema",
        "codegen",
        "completions",
        "man",
        "diff",
        "graph",
        "bundle",
        "docs",
    ] {
        let out = run(&[sub, "--help"]);
        assert!(
            stdout(&out).contains("Examples:"),
            "{sub} --help has no examples"
        );
    }
}

#[test]
fn usage_errors_exit_2() {
    let out = run(&["validate", "--format", "nope", "x.yaml"]);
    assert_eq!(code(&out), 2);
    let out = run(&["frobnicate"]);
    assert_eq!(code(&out), 2);
    let out = run(&["explain", "ref-remot"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("did you mean `ref-remote`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn no_path_and_no_config_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run_in(dir.path(), &["validate"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("hnp-events.yaml"), "{}", stderr(&out));
}

#[test]
fn fail_on_threshold() {
    let f = "fixtures/invalid/loading/ref-remote.yaml";
    assert_eq!(code(&run(&["validate", "--no-gates", "--no-config", f])), 0);
    assert_eq!(
        code(&run(&[
            "validate",
            "--no-gates",
            "--no-config",
            "--fail-on",
            "warning",
            f
        ])),
        1
    );
    let bad = "fixtures/invalid/loading/yaml-syntax.yaml";
    assert_eq!(
        code(&run(&[
            "validate",
            "--no-gates",
            "--no-config",
            "--fail-on",
            "never",
            bad
        ])),
        0
    );
}

#[test]
fn output_file_is_written_whole_and_stdout_stays_empty() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("report.sarif");
    let out = run(&[
        "validate",
        "--no-gates",
        "--no-config",
        "--format",
        "sarif",
        "--output",
        target.to_str().expect("utf-8 path"),
        "fixtures/invalid/loading/ref-unresolved.yaml",
    ]);
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).is_empty());
    let text = std::fs::read_to_string(&target).expect("report written");
    let v: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(v["version"], "2.1.0");
    // No temporary files left beside it.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("read dir")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

#[test]
fn output_to_a_missing_folder_is_a_tool_error() {
    let out = run(&[
        "validate",
        "--no-gates",
        "--no-config",
        "--output",
        "/nonexistent-folder/x/report.json",
        "fixtures/invalid/loading/ref-remote.yaml",
    ]);
    assert_eq!(code(&out), 2);
    assert!(!Path::new("/nonexistent-folder").exists());
}

#[test]
fn config_errors_are_located() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("hnp-events.yaml"),
        "documents:\n  - api.yaml\nfail_on: warning\nrules:\n  ref-remot: off\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("api.yaml"),
        "asyncapi: 3.0.0\ninfo: {title: t, version: 1.0.0}\n",
    )
    .expect("write");
    let out = run_in(dir.path(), &["validate", "--format", "json"]);
    let s = crate::util::summarize(&stdout(&out));
    assert!(
        s.contains("hnp-events.yaml:3:1 error config-invalid: unknown setting `fail_on`"),
        "{s}"
    );
    assert!(
        s.contains("hnp-events.yaml:5:3 error config-invalid: unknown rule `ref-remot`"),
        "{s}"
    );
    assert_eq!(code(&out), 1);
}

#[test]
fn config_rule_levels_apply() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("hnp-events.yaml"),
        "documents: [api.yaml]\nfail-on: warning\nrules:\n  ref-remote: off\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("api.yaml"),
        "asyncapi: 3.0.0\ninfo: {title: t, version: 1.0.0}\ncomponents:\n  schemas:\n    S: {$ref: 'https://example.com/s.json'}\n",
    )
    .expect("write");
    let out = run_in(dir.path(), &["validate", "--format", "json"]);
    assert!(!stdout(&out).contains("ref-remote"), "{}", stdout(&out));
}

#[cfg(unix)]
#[test]
fn broken_pipe_exits_quietly() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_hnp-events"))
        .args(["completions", "bash"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // Close our end of stdout at once.
    drop(child.stdout.take());
    let status = child.wait().expect("wait");
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    assert!(!err.contains("panicked"), "{err}");
    assert!(status.code() == Some(0), "status {status:?}, stderr {err}");
}

#[test]
fn rules_lists_every_rule() {
    let out = run(&["rules"]);
    assert_eq!(code(&out), 0);
    for r in hnp_events::diag::RULES {
        assert!(stdout(&out).contains(r.id));
    }
}

#[test]
fn quiet_prints_diagnostics_only() {
    let out = run(&[
        "validate",
        "--no-gates",
        "--no-config",
        "-q",
        "fixtures/invalid/loading/ref-unresolved.yaml",
    ]);
    let text = stdout(&out);
    assert!(text.contains("error[ref-unresolved]"), "{text}");
    assert!(!text.contains("checked"), "{text}");
    let out = run(&[
        "validate",
        "--no-gates",
        "--no-config",
        "fixtures/invalid/loading/ref-unresolved.yaml",
    ]);
    assert!(stdout(&out).contains("1 file checked: 1 error"));
}

/// A shell whose completion script is driven as the shell itself does on <TAB>.
struct Shell {
    name: &'static str,
    script: &'static str,
    /// The program and its arguments before the harness's own.
    argv: &'static [&'static str],
    harness: &'static str,
}

const SHELLS: [Shell; 3] = [
    Shell {
        name: "bash",
        script: "completions/hnp-events.bash",
        argv: &["bash", "--norc", "--noprofile"],
        harness: "tests/shells/complete.bash",
    },
    Shell {
        name: "zsh",
        // compinit loads `_hnp-events` from the folder.
        script: "completions",
        argv: &["zsh", "-f"],
        harness: "tests/shells/complete.zsh",
    },
    Shell {
        name: "fish",
        script: "completions/hnp-events.fish",
        argv: &["fish", "--no-config"],
        harness: "tests/shells/complete.fish",
    },
];

/// The candidates `shell` offers for `line` typed in the repository root, or `None`
/// when the shell is not installed (a failure in CI, where it must be: `.ci/shells.sh`).
fn complete(shell: &Shell, line: &str) -> Option<Vec<String>> {
    let root = repo();
    let out = std::process::Command::new(shell.argv[0])
        .args(&shell.argv[1..])
        .arg(root.join(shell.harness))
        .arg(root.join(shell.script))
        .arg(&root)
        .arg(line)
        .env("HOME", std::env::temp_dir())
        .env("TERM", "dumb")
        .output();
    match out {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "{} is not installed: CI must run .ci/shells.sh",
                shell.name
            );
            eprintln!(
                "note: {} not installed, its completions are not tested (apt-get install {})",
                shell.name, shell.name
            );
            None
        }
        Err(e) => panic!("running {}: {e}", shell.name),
        Ok(out) => {
            assert_eq!(code(&out), 0, "{} harness: {}", shell.name, stderr(&out));
            Some(stdout(&out).lines().map(str::to_string).collect())
        }
    }
}

/// Completions work in each shell: subcommands, flags, flag values, rule ids and paths.
/// (The bash script once completed subcommand names only: its case labels never matched.)
#[test]
fn completions_complete_in_each_shell() {
    // (typed line, a candidate that must be offered: exactly, or as the end of a path)
    let cases: &[(&str, &[&str])] = &[
        ("hnp-events val", &["validate"]),
        ("hnp-events validate --fo", &["--format"]),
        (
            "hnp-events validate --format ",
            &["json", "sarif", "markdown"],
        ),
        ("hnp-events validate --fail-on ", &["warning", "never"]),
        ("hnp-events codegen --lang ", &["rust", "python"]),
        ("hnp-events explain ref-rem", &["ref-remote"]),
        ("hnp-events explain gate-o", &["gate-ordering-declared"]),
        (
            "hnp-events validate --rule gate-sch",
            &["gate-schema-consistency"],
        ),
        ("hnp-events completions ", &["bash", "zsh", "fish"]),
        ("hnp-events schema ", &["config", "saga", "projection"]),
        ("hnp-events di", &["diff"]),
        ("hnp-events gra", &["graph"]),
        ("hnp-events bun", &["bundle"]),
        ("hnp-events docs --format ", &["html", "markdown"]),
        (
            "hnp-events graph --format ",
            &["mermaid", "dot", "svg", "json"],
        ),
        (
            "hnp-events validate fixtures/hnp/asyncapi-2",
            &["asyncapi-2.6.yaml"],
        ),
        (
            "hnp-events validate --output fixtures/hnp/open",
            &["openapi.yaml"],
        ),
    ];
    for shell in &SHELLS {
        for (line, wanted) in cases {
            let Some(got) = complete(shell, line) else {
                break;
            };
            for w in *wanted {
                assert!(
                    got.iter().any(|g| g == w || g.ends_with(&format!("/{w}"))),
                    "{}: `{line}<TAB>` does not offer `{w}`; it offers {got:?}",
                    shell.name
                );
            }
        }
    }
}

/// `classify` on a document with structural errors: the table of what could be
/// classified, the errors on standard error, exit code 1 (it was 0, errors unseen).
/// AsyncAPI 2.x operations keep the document's `publish`/`subscribe`.
#[test]
fn classify_reports_structural_errors() {
    let out = run(&["classify", "fixtures/invalid/structural/asyncapi-enum.yaml"]);
    assert_eq!(code(&out), 1);
    insta::assert_snapshot!(
        "classify_invalid",
        format!("stdout:\n{}\nstderr:\n{}", stdout(&out), stderr(&out))
    );
    let out = run(&["classify", "fixtures/hnp/asyncapi-2.6.yaml"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("publish netbox.webhooks.{model}"), "{text}");
    assert!(text.contains("subscribe netbox.objects.{model}"), "{text}");
}

/// `init` in a folder with API documents, a saga, a non-API YAML file and a
/// `node_modules` copy: a commented config listing exactly the documents and the saga,
/// which the config loader and the config's JSON Schema both accept.
#[test]
fn init_lists_what_it_finds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    for sub in ["api/v2", "node_modules/pkg", "flows", ".hidden"] {
        std::fs::create_dir_all(d.join(sub)).expect("mkdir");
    }
    let fixture = |name: &str| {
        std::fs::read_to_string(repo().join("fixtures/gates").join(name)).expect("fixture")
    };
    std::fs::write(
        d.join("api/events.yaml"),
        fixture("schema-consistency.pass.yaml"),
    )
    .expect("write");
    std::fs::write(
        d.join("api/v2/rest.json"),
        "{\"openapi\": \"3.0.3\", \"info\": {\"title\": \"t\", \"version\": \"1\"}, \"paths\": {}}",
    )
    .expect("write");
    std::fs::write(d.join("api/values.yaml"), "replicas: 3\n").expect("write");
    std::fs::write(
        d.join("node_modules/pkg/api.yaml"),
        fixture("schema-consistency.pass.yaml"),
    )
    .expect("write");
    std::fs::write(
        d.join(".hidden/api.yaml"),
        fixture("schema-consistency.pass.yaml"),
    )
    .expect("write");
    std::fs::write(
        d.join("flows/checkout.saga.yaml"),
        fixture("saga-completeness.pass.saga.yaml"),
    )
    .expect("write");
    let out = run_in(d, &["init"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    insta::assert_snapshot!("init_stdout", stdout(&out));
    let config = std::fs::read_to_string(d.join("hnp-events.yaml")).expect("config written");
    insta::assert_snapshot!("init_config", config);

    // The loader reads it without a complaint about the config itself.
    let out = run_in(d, &["validate", "--no-gates", "--format", "json"]);
    let s = crate::util::summarize(&stdout(&out));
    assert!(!s.contains("config-invalid"), "{s}");
    assert!(
        s.contains("flows/checkout.saga.yaml") || !s.contains("error"),
        "{s}"
    );
    // So does the config's JSON Schema.
    let value: serde_json::Value = {
        let out = run_in(d, &["schema", "config"]);
        serde_json::from_str(&stdout(&out)).expect("schema JSON")
    };
    let validator = jsonschema::validator_for(&value).expect("schema compiles");
    let (loaded, diags, file) =
        hnp_events::config::Config::load(&d.join("hnp-events.yaml")).expect("config loads");
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(loaded.documents.len(), 2, "{:?}", loaded.documents);
    assert_eq!(loaded.sagas.len(), 1, "{:?}", loaded.sagas);
    let as_json = file.and_then(|f| f.value).expect("config parsed");
    assert!(validator.is_valid(&as_json), "{as_json}");
}

/// `init --example` writes a contract, saga and stream that pass `validate` (gates
/// included) and `simulate`, without a terminal and without asking anything.
#[test]
fn init_example_validates_and_simulates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hnp-events"))
        .args(["init", "--example"])
        .current_dir(d)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("runs");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    insta::assert_snapshot!("init_example_stdout", stdout(&out));
    let out = run_in(d, &["validate", "--fail-on", "warning"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(
        stdout(&out).contains("no problems found"),
        "{}",
        stdout(&out)
    );
    let out = run_in(
        d,
        &[
            "simulate",
            "sagas/place-order.saga.yaml",
            "--events",
            "streams/place-order.jsonl",
        ],
    );
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("1 completed, 1 compensated"),
        "{}",
        stdout(&out)
    );
}

/// `init` never overwrites: an existing file stops it before anything is written,
/// with exit code 2 and the file's name.
#[test]
fn init_refuses_to_overwrite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::create_dir_all(d.join("sagas")).expect("mkdir");
    std::fs::write(d.join("sagas/place-order.saga.yaml"), "mine\n").expect("write");
    let out = run_in(d, &["init", "--example"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("sagas/place-order.saga.yaml already exists"),
        "{}",
        stderr(&out)
    );
    assert!(!d.join("hnp-events.yaml").exists(), "nothing is written");
    assert!(!d.join("contracts").exists(), "nothing is written");
    assert_eq!(
        std::fs::read_to_string(d.join("sagas/place-order.saga.yaml")).expect("read"),
        "mine\n"
    );
    std::fs::write(d.join("hnp-events.yaml"), "documents: []\n").expect("write");
    let out = run_in(d, &["init"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("hnp-events.yaml already exists"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(d.join("hnp-events.yaml")).expect("read"),
        "documents: []\n"
    );
}

/// A write that fails half-way (here `streams` is a file, not a folder) leaves nothing
/// behind: the files and folders written before it are removed again.
#[test]
fn init_writes_all_or_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(d.join("streams"), "not a folder\n").expect("write");
    let out = run_in(d, &["init", "--example"]);
    assert_eq!(code(&out), 2, "{}", stdout(&out));
    assert!(stderr(&out).contains("streams"), "{}", stderr(&out));
    let mut left: Vec<String> = std::fs::read_dir(d)
        .expect("read dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["streams"]);
}
