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
    // The rule, not the file name (findings in the target name the referencing file).
    let json = stdout(&out);
    assert!(!json.contains("\"rule\": \"ref-outside-root\""), "{json}");
    assert!(json.contains("\"diagnostics\""), "{json}");
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

/// Validate `name` (written into a temporary folder with `text`) as JSON and summarise.
fn check_temp(name: &str, text: &[u8], extra: &[&str]) -> (i32, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join(name), text).expect("write");
    let mut args = vec![
        "validate",
        "--no-gates",
        "--no-config",
        "--format",
        "json",
        "--root",
        ".",
    ];
    args.extend_from_slice(extra);
    args.push(name);
    let out = crate::util::run_in(dir.path(), &args);
    (code(&out), summarize(&stdout(&out)))
}

#[test]
fn a_network_path_ref_is_remote_not_a_file_outside_the_root() {
    // `//host/x` is `scheme://host/x` without its scheme (RFC 3986 §4.2): a host, never
    // the absolute path `/host/x`, even with --allow-ref-outside.
    let doc = "asyncapi: 3.0.0\ninfo: {title: t, version: 1.0.0}\ncomponents:\n  schemas:\n    S:\n      $ref: '//schemas.example.com/s.yaml#/S'\n";
    for extra in [&[][..], &["--allow-ref-outside"][..]] {
        let (exit, s) = check_temp("api.yaml", doc.as_bytes(), extra);
        assert!(
            s.contains("api.yaml:6:13 warning ref-remote: remote reference `//schemas.example.com/s.yaml#/S` (a network-path reference to the host `schemas.example.com`)"),
            "{s}"
        );
        assert!(
            !s.contains("ref-outside-root") && !s.contains("ref-unresolved"),
            "{s}"
        );
        assert_eq!(exit, 0, "{s}");
    }
    // `///x` has an empty host: it is the absolute path `/x`, outside the root.
    let (_, s) = check_temp(
        "api.yaml",
        doc.replace("//schemas.example.com", "///etc").as_bytes(),
        &[],
    );
    assert!(s.contains("error ref-outside-root"), "{s}");
}

#[test]
fn utf32_is_named_utf32() {
    let text = "asyncapi: 3.0.0\n";
    let mut le = vec![0xFF, 0xFE, 0, 0];
    let mut be = vec![0, 0, 0xFE, 0xFF];
    for c in text.chars() {
        le.extend_from_slice(&(c as u32).to_le_bytes());
        be.extend_from_slice(&(c as u32).to_be_bytes());
    }
    for (bytes, name) in [(le, "little-endian"), (be, "big-endian")] {
        let (exit, s) = check_temp("api.yaml", &bytes, &[]);
        assert!(
            s.contains(&format!(
                "api.yaml:1:1 error file-encoding: the file is UTF-32 ({name}) encoded"
            )),
            "{s}"
        );
        assert_eq!(exit, 1);
        // Without the byte-order mark too.
        let (_, s) = check_temp("api.yaml", &bytes[4..], &[]);
        assert!(s.contains(&format!("UTF-32 ({name})")), "{s}");
    }
}

#[test]
fn a_nul_or_control_character_past_64_kib_is_located_and_named() {
    let mut doc = String::from("asyncapi: 3.0.0\ninfo:\n  title: t\n  version: 1.0.0\n  x-pad:\n");
    let mut line = 5;
    while doc.len() < 80 * 1024 {
        doc.push_str("    - padding padding padding padding padding padding\n");
        line += 1;
    }
    for (c, named) in [
        ('\0', "U+0000 (NUL)"),
        ('\u{1}', "U+0001"),
        ('\u{1b}', "U+001B (ESC)"),
        ('\u{7f}', "U+007F (DEL)"),
    ] {
        for quoted in [false, true] {
            let value = if quoted {
                format!("  description: \"a{c}b\"\n")
            } else {
                format!("  description: a{c}b\n")
            };
            let (exit, s) = check_temp("api.yaml", format!("{doc}{value}").as_bytes(), &[]);
            let col = if quoted { 18 } else { 17 };
            assert!(
                s.contains(&format!(
                    "api.yaml:{}:{col} error file-binary: the file contains the control character {named}",
                    line + 1
                )),
                "{c:?}: {s}"
            );
            assert!(!s.contains("end of stream"), "{s}");
            assert_eq!(exit, 1, "{s}");
        }
    }
}

/// A URI written after the `#` (`#https://…`) is no JSON pointer; the help says to drop
/// the `#` (a remote reference, reported and not fetched) or vendor the file.
#[test]
fn a_uri_after_the_hash_gets_its_own_help() {
    let path = crate::util::repo().join("fixtures/invalid/loading/ref-invalid.yaml");
    let ws = hnp_events::source::Workspace::load(
        std::slice::from_ref(&path),
        &hnp_events::source::LoadOptions::default(),
    )
    .expect("load");
    let d = ws
        .diagnostics
        .iter()
        .find(|d| d.message.contains("order-shipped"))
        .expect("diagnostic");
    let help = d.help.as_deref().unwrap_or("");
    assert!(
        help.contains("drop the `#` (`https://example.com/schemas/order-shipped.json`"),
        "{help}"
    );
    let other = ws
        .diagnostics
        .iter()
        .find(|d| d.message.contains("#components/messages"))
        .expect("diagnostic");
    assert!(
        other
            .help
            .as_deref()
            .unwrap_or("")
            .contains("starts with `/`"),
        "{:?}",
        other.help
    );
}
