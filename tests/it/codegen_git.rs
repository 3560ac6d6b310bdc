//! `hnp-events codegen` inside a git work tree: a file as hnp-events last wrote it is
//! regenerated whatever git says; `--force` discards only hand edits git has a copy of
//! (unless `--allow-dirty`), and the generated files that differ from `HEAD` are
//! reported (after writing, and by `--dry-run` / `--check` before). Repositories are made
//! with git2 in temporary folders, so no `git` binary or user configuration is needed.

use std::path::Path;

use git2::{Repository, Signature};

use crate::util::{code, run_in, stderr, stdout};

const SPEC_V1: &str = r#"asyncapi: 3.0.0
info: {title: shop, version: '1'}
channels:
  orders:
    address: orders
    messages:
      OrderPlaced: {$ref: '#/components/messages/OrderPlaced'}
operations:
  onOrderPlaced:
    action: receive
    channel: {$ref: '#/channels/orders'}
components:
  messages:
    OrderPlaced:
      payload: {type: object, properties: {id: {type: string}}}
"#;

/// Version 2 adds a field: `src/models.rs` changes, the handler files do not.
fn spec_v2() -> String {
    SPEC_V1.replace(
        "properties: {id: {type: string}}",
        "properties: {id: {type: string}, total: {type: number}}",
    )
}

/// Stage everything and commit it (the first commit when there is no `HEAD`).
pub(crate) fn commit_all(repo: &Repository, msg: &str) {
    let mut index = repo.index().expect("index");
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .expect("add");
    index.write().expect("write index");
    let tree = repo
        .find_tree(index.write_tree().expect("tree"))
        .expect("find tree");
    let sig = Signature::now("t", "t@example.invalid").expect("signature");
    let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, msg, &tree, &parents)
        .expect("commit");
}

/// A work tree holding `api.yaml` (version 1).
fn work_tree() -> (tempfile::TempDir, Repository) {
    let work = tempfile::tempdir().expect("tempdir");
    let repo = Repository::init(work.path()).expect("git init");
    std::fs::write(work.path().join("api.yaml"), SPEC_V1).expect("write spec");
    (work, repo)
}

fn gen_in(work: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["codegen", "--lang", "rust", "--out", "gen/rust"];
    args.extend_from_slice(extra);
    args.push("api.yaml");
    run_in(work, &args)
}

/// The indented file list under the "differ from git HEAD" line (empty without one).
fn differing(out: &str) -> Vec<String> {
    let mut lines = out.lines().skip_while(|l| !l.contains("from git HEAD"));
    if lines.next().is_none() {
        return Vec::new();
    }
    lines
        .take_while(|l| l.starts_with("  "))
        .map(|l| l.trim().to_string())
        .collect()
}

#[test]
fn clean_repository_regenerates_and_reports_what_differs_from_head() {
    let (work, repo) = work_tree();
    let o = gen_in(work.path(), &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // Nothing is committed yet: every generated file differs from HEAD; the files the
    // run lists are not listed twice, the manifest is named.
    let out = stdout(&o);
    assert!(
        out.contains("generated files differ from git HEAD (not committed): the ")
            && out.contains(" listed above, and\n"),
        "{out}"
    );
    assert_eq!(differing(&out), vec![".hnp-events/manifest.json"], "{out}");
    assert_eq!(out.matches("src/models.rs").count(), 1, "{out}");
    commit_all(&repo, "generated");

    // Committed and unchanged: up to date, nothing differs.
    let o = gen_in(work.path(), &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("up to date"), "{}", stdout(&o));
    assert!(!stdout(&o).contains("git HEAD"), "{}", stdout(&o));

    // A contract change: --dry-run and --check say which files would differ from HEAD
    // (the models and the manifest, not the untouched handler files) and write nothing.
    std::fs::write(work.path().join("api.yaml"), spec_v2()).expect("write spec");
    let models = work.path().join("gen/rust/src/models.rs");
    let before = std::fs::read_to_string(&models).expect("models");
    for flag in ["--dry-run", "--check"] {
        let o = gen_in(work.path(), &[flag]);
        let out = stdout(&o);
        assert!(
            out.contains("2 generated files would differ from git HEAD (not committed): the one listed above, and\n  .hnp-events/manifest.json\n"),
            "{flag}: {out}"
        );
    }
    assert_eq!(std::fs::read_to_string(&models).expect("models"), before);

    // The committed files are overwritten without complaint, and reported.
    let o = gen_in(work.path(), &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("update             src/models.rs"));
    assert_eq!(
        differing(&stdout(&o)),
        vec![".hnp-events/manifest.json"],
        "{}",
        stdout(&o)
    );
    assert_ne!(std::fs::read_to_string(&models).expect("models"), before);
}

/// Issue 15 item 5: the edit-contract → codegen loop. A file exactly as hnp-events last
/// wrote it is regenerated whatever git says (modified, staged, untracked); only a file
/// changed since then stops the run, and `--force` discards such a change only when git
/// has it committed (or with `--allow-dirty`).
#[test]
fn the_edit_contract_codegen_loop_is_never_refused() {
    let (work, repo) = work_tree();
    assert_eq!(code(&gen_in(work.path(), &[])), 0);
    commit_all(&repo, "generated");
    let models = work.path().join("gen/rust/src/models.rs");

    // v2, not committed (models.rs modified since the last commit), then back to v1.
    std::fs::write(work.path().join("api.yaml"), spec_v2()).expect("write spec");
    assert_eq!(code(&gen_in(work.path(), &[])), 0);
    let v2 = std::fs::read_to_string(&models).expect("models");
    std::fs::write(work.path().join("api.yaml"), SPEC_V1).expect("write spec");
    let o = gen_in(work.path(), &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_ne!(std::fs::read_to_string(&models).expect("models"), v2);

    // Staged, then regenerated: not refused either.
    std::fs::write(work.path().join("api.yaml"), spec_v2()).expect("write spec");
    assert_eq!(code(&gen_in(work.path(), &[])), 0);
    let mut index = repo.index().expect("index");
    index
        .add_path(Path::new("gen/rust/src/models.rs"))
        .expect("stage");
    index.write().expect("write index");
    std::fs::write(work.path().join("api.yaml"), SPEC_V1).expect("write spec");
    let o = gen_in(work.path(), &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    // A hand edit that is not committed: refused (exit 1), naming the file; --force
    // alone does not discard it (git has no copy); --force --allow-dirty does.
    std::fs::write(&models, "// hand edit\n").expect("edit");
    std::fs::write(work.path().join("api.yaml"), spec_v2()).expect("write spec");
    let o = gen_in(work.path(), &[]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains("  src/models.rs (edited by hand since it was generated)")
            && !err.contains("git"),
        "{err}"
    );
    let o = gen_in(work.path(), &["--force"]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    let err = stderr(&o);
    assert!(
        err.contains("--force would discard hand edits that are not committed")
            && err.contains("  src/models.rs (modified since the last commit)")
            && err.contains("--allow-dirty"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&models).expect("models"),
        "// hand edit\n"
    );
    let o = gen_in(work.path(), &["--force", "--allow-dirty"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("overwrite (edited) src/models.rs"),
        "{}",
        stdout(&o)
    );
    assert!(
        std::fs::read_to_string(&models)
            .expect("models")
            .starts_with("// @generated")
    );

    // A committed hand edit: --force alone discards it (git keeps it).
    std::fs::write(&models, "// committed hand edit\n").expect("edit");
    commit_all(&repo, "hand edit");
    std::fs::write(work.path().join("api.yaml"), SPEC_V1).expect("write spec");
    let o = gen_in(work.path(), &["--force"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn untracked_output_regenerates_and_force_keeps_untracked_hand_edits() {
    let (work, _repo) = work_tree();
    // Generated but never committed; a contract change regenerates it.
    assert_eq!(code(&gen_in(work.path(), &[])), 0);
    std::fs::write(work.path().join("api.yaml"), spec_v2()).expect("write spec");
    let o = gen_in(work.path(), &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // A hand edit in an untracked file: --force stops, --allow-dirty too discards it.
    let models = work.path().join("gen/rust/src/models.rs");
    std::fs::write(&models, "// hand edit\n").expect("edit");
    std::fs::write(work.path().join("api.yaml"), SPEC_V1).expect("write spec");
    let o = gen_in(work.path(), &["--force"]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(
        stderr(&o).contains("  src/models.rs (untracked, never committed)"),
        "{}",
        stderr(&o)
    );
    // --allow-dirty alone does not discard a hand edit.
    let o = gen_in(work.path(), &["--allow-dirty"]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(stderr(&o).contains("edited by hand"), "{}", stderr(&o));
    assert_eq!(code(&gen_in(work.path(), &["--force", "--allow-dirty"])), 0);
}

/// What a user sees on a first run, a no-op re-run, and a forced run over a hand edit
/// inside a git work tree (issue 15, "Found" 10).
#[test]
fn codegen_output_in_a_work_tree_is_snapshotted() {
    let (work, repo) = work_tree();
    let mut seen = String::new();
    let mut show = |what: &str, o: &std::process::Output| {
        seen.push_str(&format!(
            "$ {what}  (exit {})\n{}{}\n",
            code(o),
            stdout(o),
            stderr(o)
        ));
    };
    show("codegen (first run)", &gen_in(work.path(), &[]));
    commit_all(&repo, "generated");
    let scaffold = work.path().join("gen/rust/src/handlers_impl.rs");
    let mut text = std::fs::read_to_string(&scaffold).expect("scaffold");
    text.push_str("// my code\n");
    std::fs::write(&scaffold, text).expect("edit scaffold");
    show(
        "codegen (scaffold edited, not committed)",
        &gen_in(work.path(), &[]),
    );
    let models = work.path().join("gen/rust/src/models.rs");
    std::fs::write(&models, "// hand edit\n").expect("edit");
    commit_all(&repo, "hand edit");
    show(
        "codegen (models.rs edited by hand)",
        &gen_in(work.path(), &[]),
    );
    show("codegen --force", &gen_in(work.path(), &["--force"]));
    insta::assert_snapshot!("codegen_git_user_output", seen);
}

#[test]
fn ignored_output_is_neither_refused_nor_reported() {
    let (work, repo) = work_tree();
    std::fs::write(work.path().join(".gitignore"), "/gen/\n").expect("gitignore");
    commit_all(&repo, "spec");
    let o = gen_in(work.path(), &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!stdout(&o).contains("git HEAD"), "{}", stdout(&o));
    std::fs::write(work.path().join("api.yaml"), spec_v2()).expect("write spec");
    let o = gen_in(work.path(), &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!stdout(&o).contains("git HEAD"), "{}", stdout(&o));
}

#[test]
fn outside_a_work_tree_nothing_changes() {
    let work = tempfile::tempdir().expect("tempdir");
    if Repository::discover(work.path()).is_ok() {
        // The temporary folder itself lies in a work tree: nothing to test here.
        return;
    }
    std::fs::write(work.path().join("api.yaml"), SPEC_V1).expect("write spec");
    assert_eq!(code(&gen_in(work.path(), &[])), 0);
    std::fs::write(work.path().join("api.yaml"), spec_v2()).expect("write spec");
    let o = gen_in(work.path(), &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!stdout(&o).contains("git"), "{}", stdout(&o));
}

#[test]
fn odd_output_paths_are_still_checked() {
    // Glob characters in the folder name, and `..` after a folder that does not exist.
    for out in ["gen[1]/rust", "build/../gen*/rust"] {
        let (work, _repo) = work_tree();
        let generate = |extra: &[&str]| {
            let mut args = vec!["codegen", "--lang", "rust", "--out", out];
            args.extend_from_slice(extra);
            args.push("api.yaml");
            run_in(work.path(), &args)
        };
        assert_eq!(code(&generate(&[])), 0, "{out}");
        let models = work
            .path()
            .join(out.replace("build/../", ""))
            .join("src/models.rs");
        std::fs::write(&models, "// hand edit\n").expect("edit");
        std::fs::write(work.path().join("api.yaml"), spec_v2()).expect("write spec");
        let o = generate(&["--force"]);
        assert_eq!(code(&o), 1, "{out}: {}", stdout(&o));
        assert!(
            stderr(&o).contains("  src/models.rs (untracked, never committed)"),
            "{out}: {}",
            stderr(&o)
        );
    }
}
