//! Issue 16's "Done when" quality check, on EVERY document at once (not in CI: it takes
//! long): for every valid shared corpus document (and the HNP and codegen fixtures), the
//! generated Python package passes `ruff check`, `mypy --strict` and pytest, and the
//! generated Rust crates, built as one cargo workspace, pass `cargo clippy --all-targets
//! -D warnings` and `cargo test` (doctests included). Runs only with
//! `HNP_CODEGEN_QUALITY=1`; `HNP_CODEGEN_QUALITY_LANGS` (`rust,python` by default)
//! picks the languages, `HNP_FIDELITY_ONLY` substrings (comma-separated) of the corpus documents, and
//! `HNP_CODEGEN_TARGET_DIR` the cargo target directory. The table (pass/fail per
//! document and step) is printed and written to `target/codegen-quality.md`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{code, repo, run, stderr};

/// (label, path, `$ref` root: the corpus for corpus documents).
fn docs() -> Vec<(String, PathBuf, Option<PathBuf>)> {
    let mut out: Vec<(String, PathBuf, Option<PathBuf>)> = [
        "fixtures/hnp/asyncapi.yaml",
        "fixtures/hnp/asyncapi-2.6.yaml",
        "fixtures/hnp/openapi.yaml",
    ]
    .iter()
    .map(|p| (p.to_string(), repo().join(p), None))
    .collect();
    let mut fx: Vec<PathBuf> = std::fs::read_dir(repo().join("fixtures/codegen"))
        .expect("fixtures/codegen")
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        })
        .collect();
    fx.sort();
    for p in fx {
        let label = p
            .strip_prefix(repo())
            .unwrap_or(&p)
            .to_string_lossy()
            .into_owned();
        out.push((label, p, None));
    }
    let Ok(corpus) = std::env::var("HNP_CORPUS") else {
        return out;
    };
    let corpus = PathBuf::from(corpus);
    let verdicts = std::fs::read_to_string(corpus.join("VERDICTS.tsv"))
        .expect("HNP_CORPUS is set but VERDICTS.tsv is missing");
    let only = std::env::var("HNP_FIDELITY_ONLY").ok();
    for line in verdicts.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 7 || cols[6] != "valid" {
            continue;
        }
        if !matches!(cols[1], "asyncapi" | "openapi" | "swagger") {
            continue;
        }
        if only
            .as_deref()
            .is_some_and(|o| !o.split(',').any(|o| cols[0].contains(o)))
        {
            continue;
        }
        out.push((
            cols[0].to_string(),
            corpus.join(cols[0]),
            Some(corpus.clone()),
        ));
    }
    out
}

/// Runs a step; `None` when it passed, else the last lines of its output.
fn step(dir: &Path, prog: &str, args: &[&str]) -> Option<String> {
    let o = match Command::new(prog).args(args).current_dir(dir).output() {
        Ok(o) => o,
        Err(e) => return Some(format!("{prog}: {e}")),
    };
    if o.status.success() {
        return None;
    }
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = lines[lines.len().saturating_sub(4)..].join(" / ");
    Some(tail.chars().take(400).collect())
}

#[test]
fn e2e_quality_every_document() {
    if std::env::var("HNP_CODEGEN_QUALITY").as_deref() != Ok("1") {
        return;
    }
    let langs = std::env::var("HNP_CODEGEN_QUALITY_LANGS").unwrap_or_else(|_| "rust,python".into());
    let py = std::env::var("HNP_CODEGEN_PYTHON").unwrap_or_else(|_| "python3".into());
    let target = std::env::var("HNP_CODEGEN_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| repo().join("target/codegen-quality"));
    let t = target.to_string_lossy().into_owned();
    let mypy_cache = target.join("mypy-cache");
    let mc = mypy_cache.to_string_lossy().into_owned();
    let work = tempfile::tempdir().expect("tempdir");
    let ws_root = work.path().join("rust");
    std::fs::create_dir_all(&ws_root).expect("mkdir");
    let mut rows: Vec<(String, String, String)> = Vec::new();
    let mut failures: Vec<String> = Vec::new();
    let mut members: Vec<(String, String)> = Vec::new();
    let docs = docs();
    for (n, (label, path, root)) in docs.iter().enumerate() {
        let name = format!("q-d{n}");
        let lib = format!("q_d{n}");
        let p = path.to_string_lossy().into_owned();
        let root = root.as_ref().map(|r| r.to_string_lossy().into_owned());
        let root_args: Vec<&str> = match &root {
            Some(r) => vec!["--root", r],
            None => Vec::new(),
        };
        let mut py_cell = String::from("–");
        if langs.contains("python") {
            let dir = work.path().join(format!("py{n}"));
            let d = dir.to_string_lossy().into_owned();
            let o = run(&[
                &["codegen", "--lang", "python", "--name", &name, "--out", &d][..],
                &root_args,
                &[&p],
            ]
            .concat());
            let mut bad = Vec::new();
            if code(&o) != 0 {
                bad.push(format!("codegen exit {}: {}", code(&o), stderr(&o).trim()));
            } else {
                for (what, args) in [
                    ("ruff", vec!["-m", "ruff", "check", "--no-cache", "."]),
                    (
                        "ruff format",
                        vec!["-m", "ruff", "format", "--check", "--no-cache", "."],
                    ),
                    (
                        "mypy",
                        vec!["-m", "mypy", "--strict", "--cache-dir", &mc, &lib, "tests"],
                    ),
                    (
                        "pytest",
                        vec!["-m", "pytest", "-q", "-p", "no:cacheprovider"],
                    ),
                ] {
                    if let Some(e) = step(&dir, &py, &args) {
                        bad.push(format!("{what}: {e}"));
                    }
                }
            }
            py_cell = if bad.is_empty() {
                "ok".into()
            } else {
                failures.push(format!("{label} [python] {}", bad.join("; ")));
                format!("FAIL ({})", bad.len())
            };
            let _ = std::fs::remove_dir_all(&dir);
            eprintln!("quality python {label}: {py_cell}");
        }
        let mut rs_cell = String::from("–");
        if langs.contains("rust") {
            let dir = ws_root.join(format!("d{n}"));
            let d = dir.to_string_lossy().into_owned();
            let o = run(&[
                &["codegen", "--lang", "rust", "--name", &name, "--out", &d][..],
                &root_args,
                &[&p],
            ]
            .concat());
            if code(&o) != 0 {
                failures.push(format!("{label} [rust] codegen exit {}", code(&o)));
                rs_cell = "FAIL (codegen)".into();
            } else {
                members.push((format!("d{n}"), name.clone()));
                rs_cell = "pending".into();
            }
        }
        rows.push((label.clone(), py_cell, rs_cell));
    }
    if !members.is_empty() {
        let list: Vec<String> = members.iter().map(|(m, _)| format!("\"{m}\"")).collect();
        std::fs::write(
            ws_root.join("Cargo.toml"),
            format!(
                "[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
                list.join(", ")
            ),
        )
        .expect("workspace");
        // Per crate, so a failure is located; the shared target directory makes the
        // dependencies build once.
        for (m, name) in &members {
            let mut bad = Vec::new();
            for (what, args) in [
                ("cargo fmt", vec!["fmt", "-p", name, "--check"]),
                (
                    "clippy",
                    vec![
                        "clippy",
                        "-p",
                        name,
                        "--all-targets",
                        "--target-dir",
                        &t,
                        "--",
                        "-D",
                        "warnings",
                    ],
                ),
                ("test", vec!["test", "-p", name, "--target-dir", &t]),
            ] {
                if let Some(e) = step(&ws_root, "cargo", &args) {
                    bad.push(format!("{what}: {e}"));
                }
            }
            let n: usize = m.trim_start_matches('d').parse().expect("member index");
            let cell = if bad.is_empty() {
                "ok".to_string()
            } else {
                failures.push(format!("{} [rust] {}", docs[n].0, bad.join("; ")));
                format!("FAIL ({})", bad.len())
            };
            eprintln!("quality rust {}: {cell}", docs[n].0);
            rows[n].2 = cell;
            let _ = std::fs::remove_dir_all(target.join("debug/incremental"));
        }
    }
    let mut md = String::from("| document | python | rust |\n|---|---|---|\n");
    for (label, p, r) in &rows {
        let _ = writeln!(md, "| {label} | {p} | {r} |");
    }
    let _ = writeln!(
        md,
        "\n{} documents, {} failures:",
        docs.len(),
        failures.len()
    );
    for f in &failures {
        let _ = writeln!(md, "- {f}");
    }
    println!("{md}");
    let _ = std::fs::write(repo().join("target/codegen-quality.md"), &md);
    assert!(failures.is_empty(), "{} quality failures", failures.len());
}
