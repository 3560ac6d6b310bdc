//! `hnp-events codegen` inside a git work tree: files with uncommitted changes are not
//! overwritten without `--force`, and the generated files that differ from `HEAD` are
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
    // Nothing is committed yet: every generated file differs from HEAD.
    let first = differing(&stdout(&o));
    assert!(
        first.contains(&"src/models.rs".to_string())
            && first.contains(&".hnp-events/manifest.json".to_string())
            && first.contains(&"src/handlers_impl.rs".to_string()),
        "{}",
        stdout(&o)
    );
    commit_all(&repo, "generated");

    // Committed and unchanged: up to date, nothing differs.
    let o = gen_in(work.path(), &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("up to date"), "{}", stdout(&o));
    assert_eq!(
        differing(&stdout(&o)),
        Vec::<String>::new(),
        "{}",
        stdout(&o)
    );

    // A contract change: --dry-run and --check say which files would differ from HEAD
    // (the models and the manifest, not the untouched handler files) and write nothing.
    std::fs::write(work.path().join("api.yaml"), spec_v2()).expect("write spec");
    let models = work.path().join("gen/rust/src/models.rs");
    let before = std::fs::read_to_string(&models).expect("models");
    for flag in ["--dry-run", "--check"] {
        let o = gen_in(work.path(), &[flag]);
        let out = stdout(&o);
        assert!(out.contains("would differ from git HEAD"), "{flag}: {out}");
        assert_eq!(
            differing(&out),
            vec!["src/models.rs", ".hnp-events/manifest.json"],
            "{flag}: {out}"
        );
    }
    assert_eq!(std::fs::read_to_string(&models).expect("models"), before);

    // The committed files are overwritten without complaint, and reported.
    let o = gen_in(work.path(), &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("update           src/models.rs"));
    assert_eq!(
        differing(&stdout(&o)),
        vec!["src/models.rs", ".hnp-events/manifest.json"],
        "{}",
        stdout(&o)
    );
    assert_ne!(std::fs::read_to_string(&models).expect("models"), before);
}

#[test]
fn uncommitted_changes_are_refused_by_name_and_force_overrides() {
    let (work, repo) = work_tree();
    assert_eq!(code(&gen_in(work.path(), &[])), 0);
    commit_all(&repo, "generated");

    // Regenerated from version 2 but not committed: going back to version 1 would
    // overwrite uncommitted content, so it is refused (exit 1), naming the file.
    std::fs::write(work.path().join("api.yaml"), spec_v2()).expect("write spec");
    assert_eq!(code(&gen_in(work.path(), &[])), 0);
    let models = work.path().join("gen/rust/src/models.rs");
    let v2 = std::fs::read_to_string(&models).expect("models");
    std::fs::write(work.path().join("api.yaml"), SPEC_V1).expect("write spec");
    let o = gen_in(work.path(), &[]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    let err = stderr(&o);
    assert!(
        err.contains("uncommitted changes")
            && err.contains("  src/models.rs (modified since the last commit)")
            && err.contains("--force"),
        "{err}"
    );
    assert!(
        !err.contains("src/lib.rs"),
        "only files that would change: {err}"
    );
    assert_eq!(std::fs::read_to_string(&models).expect("models"), v2);

    // Staged is not committed either.
    let mut index = repo.index().expect("index");
    index
        .add_path(Path::new("gen/rust/src/models.rs"))
        .expect("stage");
    index.write().expect("write index");
    let err = stderr(&gen_in(work.path(), &[]));
    assert!(
        err.contains("  src/models.rs (staged, not committed)"),
        "{err}"
    );

    // --force overwrites.
    let o = gen_in(work.path(), &["--force"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_ne!(std::fs::read_to_string(&models).expect("models"), v2);

    // A hand edit that is not committed: refused by both checks, naming the file.
    std::fs::write(&models, "// hand edit\n").expect("edit");
    std::fs::write(work.path().join("api.yaml"), spec_v2()).expect("write spec");
    let o = gen_in(work.path(), &[]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains("src/models.rs") && err.contains("edited by hand"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&models).expect("models"),
        "// hand edit\n"
    );
    let o = gen_in(work.path(), &["--force"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        std::fs::read_to_string(&models)
            .expect("models")
            .starts_with("// @generated")
    );
}

#[test]
fn untracked_files_that_would_be_overwritten_are_refused() {
    let (work, _repo) = work_tree();
    // Generated but never committed; a contract change would overwrite them.
    assert_eq!(code(&gen_in(work.path(), &[])), 0);
    std::fs::write(work.path().join("api.yaml"), spec_v2()).expect("write spec");
    let o = gen_in(work.path(), &[]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(
        stderr(&o).contains("  src/models.rs (untracked, never committed)"),
        "{}",
        stderr(&o)
    );
    // --allow-dirty lifts only the git check.
    let o = gen_in(work.path(), &["--allow-dirty"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // ... but a hand edit is still refused with it.
    let models = work.path().join("gen/rust/src/models.rs");
    std::fs::write(&models, "// hand edit\n").expect("edit");
    std::fs::write(work.path().join("api.yaml"), SPEC_V1).expect("write spec");
    let o = gen_in(work.path(), &["--allow-dirty"]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(stderr(&o).contains("edited by hand"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("uncommitted"), "{}", stderr(&o));
    assert_eq!(code(&gen_in(work.path(), &["--force"])), 0);
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
        std::fs::write(work.path().join("api.yaml"), spec_v2()).expect("write spec");
        let o = generate(&[]);
        assert_eq!(code(&o), 1, "{out}: {}", stdout(&o));
        assert!(
            stderr(&o).contains("  src/models.rs (untracked, never committed)"),
            "{out}: {}",
            stderr(&o)
        );
    }
}
