//! How output files are written (issue: hostile input and interrupted runs): planted
//! symbolic links are never followed, special files keep their kind, a killed run is
//! resumed, two runs into one folder take turns, every refusal comes before the first
//! write, and the git guard holds for folder names that are not UTF-8.

use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::util::{code, run_in, stderr, stdout};

const SPEC: &str = r#"asyncapi: 3.0.0
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
      payload: {type: object, description: 'version one', properties: {id: {type: string}}}
"#;

fn spec(version: &str) -> String {
    SPEC.replace("version one", &format!("version {version}"))
        .replace(
            "{id: {type: string}}",
            &format!("{{id: {{type: string}}, v{version}: {{type: string}}}}"),
        )
}

fn project(version: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::write(d.path().join("api.yaml"), spec(version)).expect("write spec");
    d
}

fn gen_into(dir: &Path, lang: &str, out: &Path) -> std::process::Output {
    // The folder goes as an OsStr: its name need not be UTF-8.
    Command::new(env!("CARGO_BIN_EXE_hnp-events"))
        .args(["codegen", "--lang", lang, "--out"])
        .arg(out)
        .arg("api.yaml")
        .current_dir(dir)
        .env_remove("CI")
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

/// Every file below `dir`, relative, with whether it is a regular file.
fn tree(dir: &Path) -> Vec<(PathBuf, bool)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir") {
            let e = e.expect("entry");
            let ty = e.file_type().expect("type");
            if ty.is_dir() {
                stack.push(e.path());
            } else {
                let rel = e.path().strip_prefix(dir).expect("under dir").to_path_buf();
                out.push((rel, ty.is_file()));
            }
        }
    }
    out.sort();
    out
}

fn temporaries(dir: &Path) -> Vec<PathBuf> {
    tree(dir)
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| p.to_string_lossy().ends_with(".hnp-tmp"))
        .collect()
}

#[test]
fn planted_links_at_temporary_names_are_never_followed() {
    let p = project("one");
    let outside = tempfile::tempdir().expect("tempdir");
    // Learn the generated file names, then start afresh with links planted under every
    // name the old scheme (`.NAME.PID.hnp-tmp`) would use for the next few hundred pids.
    let out = p.path().join("gen");
    assert_eq!(code(&gen_into(p.path(), "rust", &out)), 0);
    let files: Vec<PathBuf> = tree(&out).into_iter().map(|(p, _)| p).collect();
    std::fs::remove_dir_all(&out).expect("clean");
    let next_pid: u32 = std::fs::read_to_string("/proc/sys/kernel/ns_last_pid")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(1000);
    for f in &files {
        let parent = out.join(f).parent().expect("parent").to_path_buf();
        std::fs::create_dir_all(&parent).expect("mkdir");
        let name = f.file_name().expect("name").to_string_lossy().into_owned();
        for pid in next_pid..next_pid + 300 {
            let victim = outside.path().join(format!("{name}.{pid}"));
            let link = parent.join(format!(".{name}.{pid}.hnp-tmp"));
            std::os::unix::fs::symlink(&victim, &link).expect("plant link");
        }
    }
    let o = gen_into(p.path(), "rust", &out);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        std::fs::read_dir(outside.path())
            .expect("ls")
            .next()
            .is_none(),
        "nothing may be written outside --out"
    );
    for f in &files {
        let m = std::fs::symlink_metadata(out.join(f)).expect("generated");
        assert!(m.is_file(), "{} must be a regular file", f.display());
    }
    // The planted links were ours by name: a later run removes them as stale.
    assert!(temporaries(&out).is_empty(), "{:?}", temporaries(&out));
}

#[test]
fn output_to_special_files_keeps_them_and_reports_write_errors() {
    let repo = crate::util::repo();
    // /dev/full: no space left — exit 2, not a silent success. (A binary that renames
    // over it, as root, would replace the device: then it is still checked afterwards.)
    let o = run_in(
        &repo,
        &["validate", "--format", "json", "--output", "/dev/full"],
    );
    let full = std::fs::metadata("/dev/full").expect("meta");
    assert!(full.file_type().is_char_device(), "/dev/full was replaced");
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("/dev/full"), "{}", stderr(&o));
    // /dev/null stays a device.
    let o = run_in(
        &repo,
        &["validate", "--format", "json", "--output", "/dev/null"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let m = std::fs::metadata("/dev/null").expect("meta");
    assert!(m.file_type().is_char_device());
    // A FIFO is written in place: a reader on the other end gets the report.
    let d = tempfile::tempdir().expect("tempdir");
    let fifo = d.path().join("report.fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(&fifo).expect("read fifo"))
    };
    let fifo_s = fifo.to_string_lossy().into_owned();
    let o = run_in(
        &repo,
        &["validate", "--format", "json", "--output", &fifo_s],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let got = reader.join().expect("reader");
    assert!(got.contains("\"diagnostics\""), "{got}");
    let m = std::fs::symlink_metadata(&fifo).expect("meta");
    assert!(m.file_type().is_fifo(), "the FIFO must stay a FIFO");
    // /proc/self/fd/1 of the child is its stdout pipe: written, not replaced.
    let o = Command::new(env!("CARGO_BIN_EXE_hnp-events"))
        .args([
            "validate",
            "--format",
            "json",
            "--output",
            "/proc/self/fd/1",
        ])
        .current_dir(&repo)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("\"diagnostics\""));
}

#[test]
fn a_run_killed_mid_write_is_resumed_not_taken_for_hand_edits() {
    let p = project("one");
    let out = p.path().join("gen");
    assert_eq!(code(&gen_into(p.path(), "rust", &out)), 0);
    // Version two changes the models; the run is killed after writing some files.
    std::fs::write(p.path().join("api.yaml"), spec("two")).expect("v2");
    let mut child = Command::new(env!("CARGO_BIN_EXE_hnp-events"))
        .args(["codegen", "--lang", "rust", "--out", "gen", "api.yaml"])
        .current_dir(p.path())
        .env("HNP_TEST_CODEGEN_PAUSE_AFTER", "3")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let journal = out.join(".hnp-events/pending-rust.json");
    let mut waited = 0;
    while !journal.exists() && waited < 600 {
        std::thread::sleep(std::time::Duration::from_millis(50));
        waited += 1;
    }
    // Give it time to reach the pause, then SIGKILL it.
    std::thread::sleep(std::time::Duration::from_millis(300));
    child.kill().expect("kill -9");
    let _ = child.wait();
    assert!(journal.exists(), "the run journals before its first write");
    // A temporary a write was killed in the middle of.
    std::fs::write(out.join("src/.models.rs.12345.hnp-tmp"), "half").expect("stale tmp");
    // Version three: files the killed run wrote are neither the manifest's nor what
    // this run generates, but they are in the journal: updated, not refused.
    std::fs::write(p.path().join("api.yaml"), spec("three")).expect("v3");
    let o = gen_into(p.path(), "rust", &out);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert!(temporaries(&out).is_empty(), "{:?}", temporaries(&out));
    assert!(
        !journal.exists(),
        "the journal goes once the manifest is written"
    );
    let manifest = std::fs::read_to_string(out.join(".hnp-events/manifest.json")).expect("m");
    for (f, regular) in tree(&out) {
        assert!(regular);
        let f = f.to_string_lossy().into_owned();
        if !f.starts_with(".hnp-events") && !f.contains("_impl") {
            assert!(manifest.contains(&f), "{f} is in the manifest");
        }
    }
}

#[test]
fn two_runs_into_one_folder_keep_both_languages() {
    let p = project("one");
    for round in 0..50 {
        let out = p.path().join(format!("gen{round}"));
        let spawn = |lang: &str| {
            Command::new(env!("CARGO_BIN_EXE_hnp-events"))
                .args(["codegen", "--lang", lang, "--out"])
                .arg(&out)
                .arg("api.yaml")
                .current_dir(p.path())
                .env("NO_COLOR", "1")
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        };
        let (a, b) = (spawn("rust"), spawn("python"));
        let (a, b) = (
            a.wait_with_output().expect("rust"),
            b.wait_with_output().expect("python"),
        );
        assert_eq!(code(&a), 0, "{}", stderr(&a));
        assert_eq!(code(&b), 0, "{}", stderr(&b));
        let m: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(out.join(".hnp-events/manifest.json")).expect("manifest"),
        )
        .expect("json");
        for lang in ["rust", "python"] {
            let files = m["languages"][lang].as_object().map_or(0, |o| o.len());
            assert!(
                files > 0,
                "round {round}: {lang} is missing from the manifest: {m}"
            );
        }
    }
}

#[test]
fn a_symlinked_bookkeeping_folder_is_refused_before_any_write() {
    let p = project("one");
    let out = p.path().join("gen");
    assert_eq!(code(&gen_into(p.path(), "rust", &out)), 0);
    let before = tree(&out)
        .into_iter()
        .filter(|(f, _)| !f.starts_with(".hnp-events"))
        .map(|(f, _)| (f.clone(), std::fs::read(out.join(&f)).expect("read")))
        .collect::<Vec<_>>();
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let moved = elsewhere.path().join("meta");
    std::fs::rename(out.join(".hnp-events"), &moved).expect("move");
    std::os::unix::fs::symlink(&moved, out.join(".hnp-events")).expect("link");
    std::fs::write(p.path().join("api.yaml"), spec("two")).expect("v2");
    let o = gen_into(p.path(), "rust", &out);
    assert_eq!(code(&o), 2, "{}{}", stdout(&o), stderr(&o));
    assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));
    for (f, bytes) in before {
        assert_eq!(
            std::fs::read(out.join(&f)).expect("read"),
            bytes,
            "{} was written before the refusal",
            f.display()
        );
    }
}

#[test]
fn the_git_guard_holds_for_folder_names_that_are_not_utf8() {
    use git2::{Repository, Signature};
    let p = project("one");
    let repo = Repository::init(p.path()).expect("git init");
    let commit_all = |msg: &str| {
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
    };
    let out = p.path().join(std::ffi::OsStr::from_bytes(b"gen\xff"));
    assert_eq!(code(&gen_into(p.path(), "rust", &out)), 0);
    commit_all("v1");
    // Regenerated but not committed: the models now hold uncommitted changes.
    std::fs::write(p.path().join("api.yaml"), spec("two")).expect("v2");
    assert_eq!(code(&gen_into(p.path(), "rust", &out)), 0);
    let models = std::fs::read(out.join("src/models.rs")).expect("models");
    std::fs::write(p.path().join("api.yaml"), spec("three")).expect("v3");
    let o = gen_into(p.path(), "rust", &out);
    assert_eq!(code(&o), 1, "{}{}", stdout(&o), stderr(&o));
    assert!(stderr(&o).contains("uncommitted"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(out.join("src/models.rs")).expect("models"),
        models,
        "a file with uncommitted changes was overwritten"
    );
}
