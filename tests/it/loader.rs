//! Loading and `$ref` resolution: the broken fixtures under `fixtures/invalid/loading`
//! each give the expected rule at the exact line:column, with exit code 1.

use crate::util::{code, run, stdout, summarize};

fn check(file: &str, extra: &[&str]) -> String {
    let path = format!("fixtures/invalid/loading/{file}");
    let mut args = vec![
        "validate",
        "--no-gates",
        "--no-config",
        "--format",
        "json",
        &path,
    ];
    args.extend_from_slice(extra);
    let out = run(&args);
    format!("exit {}\n{}", code(&out), summarize(&stdout(&out)))
}

macro_rules! case {
    ($name:ident, $file:literal $(, $extra:literal)*) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(check($file, &[$($extra),*]));
        }
    };
}

case!(yaml_syntax, "yaml-syntax.yaml");
case!(json_syntax, "json-syntax.json");
case!(duplicate_key_yaml, "duplicate-key.yaml");
case!(duplicate_key_json, "duplicate-key.json");
case!(alias_bomb, "alias-bomb.yaml");
case!(deep_nesting_yaml, "deep-nesting.yaml");
case!(deep_nesting_json, "deep-nesting.json");
case!(non_utf8, "non-utf8.yaml");
case!(binary, "binary.json");
case!(empty, "empty.yaml");
case!(tabs, "tabs.yaml");
case!(ref_unresolved, "ref-unresolved.yaml");
case!(ref_missing_file, "ref-missing-file.yaml");
case!(ref_unresolved_other_file, "multi-file/asyncapi.yaml");
case!(ref_remote, "ref-remote.yaml", "--fail-on", "warning");
case!(ref_cycle, "ref-cycle.yaml");
case!(ref_invalid, "ref-invalid.yaml");
case!(
    ref_outside_root,
    "ref-outside-root.yaml",
    "--root",
    "fixtures/invalid/loading"
);
case!(not_an_api, "not-an-api.yaml");
case!(unsupported_version, "unsupported-version.yaml");

#[test]
fn remote_refs_are_warnings_and_noted_in_the_summary() {
    let out = run(&[
        "validate",
        "--no-gates",
        "--no-config",
        "fixtures/invalid/loading/ref-remote.yaml",
    ]);
    assert_eq!(
        code(&out),
        0,
        "a warning does not fail the default threshold"
    );
    let text = stdout(&out);
    assert!(text.contains("warning[ref-remote]"), "{text}");
    assert!(text.contains("not validated"), "{text}");
}

#[test]
fn unreadable_path_is_a_tool_error() {
    let out = run(&[
        "validate",
        "--no-gates",
        "--no-config",
        "fixtures/does-not-exist.yaml",
    ]);
    assert_eq!(code(&out), 2);
    assert!(crate::util::stderr(&out).contains("does-not-exist.yaml"));
}

#[test]
fn ref_outside_root_is_allowed_when_asked() {
    // With --allow-ref-outside the file is looked up (and is missing/unparseable
    // rather than refused).
    let out = run(&[
        "validate",
        "--no-gates",
        "--no-config",
        "--format",
        "json",
        "--root",
        "fixtures/invalid/loading",
        "--allow-ref-outside",
        "fixtures/invalid/loading/ref-outside-root.yaml",
    ]);
    assert!(!summarize(&stdout(&out)).contains("ref-outside-root"));
}

#[cfg(unix)]
#[test]
fn symlink_out_of_the_root_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let inside = dir.path().join("ws");
    std::fs::create_dir(&inside).expect("mkdir");
    std::fs::write(dir.path().join("secret.yaml"), "components: {}\n").expect("write");
    std::os::unix::fs::symlink(dir.path().join("secret.yaml"), inside.join("link.yaml"))
        .expect("symlink");
    std::fs::write(
        inside.join("api.yaml"),
        "asyncapi: 3.0.0\ninfo: {title: t, version: 1.0.0}\ncomponents:\n  schemas:\n    S:\n      $ref: './link.yaml#/components'\n",
    )
    .expect("write");
    let out = crate::util::run_in(
        &inside,
        &[
            "validate",
            "--no-gates",
            "--no-config",
            "--format",
            "json",
            "--root",
            ".",
            "api.yaml",
        ],
    );
    let s = summarize(&stdout(&out));
    assert!(s.contains("api.yaml:6:13 error ref-outside-root"), "{s}");
    assert_eq!(code(&out), 1);
}

#[test]
fn valid_refs_resolve_across_files() {
    // Escaped (`~1`) and percent-encoded pointers, a recursive schema, and refs from
    // services/orders/ into a sibling common/ folder.
    let out = run(&[
        "validate",
        "--no-gates",
        "--no-config",
        "--format",
        "json",
        "fixtures/valid/refs/services/orders/asyncapi.yaml",
    ]);
    let text = stdout(&out);
    assert_eq!(summarize(&text), "", "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(v["summary"]["files"], 3);
    assert_eq!(code(&out), 0);
}
