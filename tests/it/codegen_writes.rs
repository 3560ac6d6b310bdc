//! How `codegen` (and `--output` of every command) writes: never through a symbolic link
//! or a planted temporary name, special files written in place, every refusal before the
//! first write, a killed run resumed by the next, concurrent runs serialised by a lock on
//! the output folder, the git guard on any folder name, and invalid contracts refused.

#![cfg(unix)]

use std::io::{BufRead, Read};
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::util::{code, run_in, stderr, stdout};

/// A contract with `n` channels (one handler file each); `v2` renames every operation
/// (every handler file changes), adds a field to every message and adds a channel.
fn spec(n: usize, v2: bool) -> String {
    let mut channels = String::new();
    let mut operations = String::new();
    let mut messages = String::new();
    let count = if v2 { n + 1 } else { n };
    for i in 0..count {
        channels.push_str(&format!(
            "  topic{i}:\n    address: topic{i}\n    messages:\n      Event{i}: {{$ref: '#/components/messages/Event{i}'}}\n"
        ));
        let op = if v2 { "handleEvent" } else { "onEvent" };
        operations.push_str(&format!(
            "  {op}{i}:\n    action: receive\n    channel: {{$ref: '#/channels/topic{i}'}}\n"
        ));
        let extra = if v2 { ", total: {type: number}" } else { "" };
        messages.push_str(&format!(
            "    Event{i}:\n      payload: {{type: object, properties: {{id: {{type: string}}, note{i}: {{type: string}}{extra}}}}}\n"
        ));
    }
    format!(
        "asyncapi: 3.0.0\ninfo: {{title: t, version: '1'}}\nchannels:\n{channels}operations:\n{operations}components:\n  messages:\n{messages}"
    )
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hnp-events"));
    c.env_remove("CI")
        .env_remove("HNP_TEST_PAUSE_AFTER_WRITES")
        .env("NO_COLOR", "1");
    c
}

fn gen_args<'a>(lang: &'a str, out: &'a str, spec: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["codegen", "--lang", lang, "--out", out];
    args.extend_from_slice(extra);
    args.push(spec);
    args
}

fn codegen(work: &Path, lang: &str, out: &str, spec: &str, extra: &[&str]) -> std::process::Output {
    run_in(work, &gen_args(lang, out, spec, extra))
}

/// Every entry under `dir` (not following links): relative path → (is a regular file,
/// content). Symbolic links and other special files have no content.
fn tree(dir: &Path) -> Vec<(String, bool, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir").flatten() {
            let p = e.path();
            let ft = std::fs::symlink_metadata(&p).expect("metadata").file_type();
            if ft.is_dir() {
                stack.push(p);
                continue;
            }
            let rel = p
                .strip_prefix(dir)
                .expect("under dir")
                .to_string_lossy()
                .into_owned();
            let content = if ft.is_file() {
                std::fs::read(&p).expect("read")
            } else {
                Vec::new()
            };
            out.push((rel, ft.is_file(), content));
        }
    }
    out.sort();
    out
}

fn temporaries(dir: &Path) -> Vec<String> {
    tree(dir)
        .into_iter()
        .map(|(p, _, _)| p)
        .filter(|p| p.ends_with(".hnp-tmp") || p.ends_with(".tmp"))
        .collect()
}

/// The manifest lists every language given, and each listed file is on disk with the
/// recorded hash.
fn assert_manifest_consistent(out: &Path, langs: &[&str]) {
    let text =
        std::fs::read_to_string(out.join(".hnp-events/manifest.json")).expect("manifest exists");
    let m: serde_json::Value = serde_json::from_str(&text).expect("manifest is JSON");
    for lang in langs {
        let files = m["languages"][lang]
            .as_object()
            .unwrap_or_else(|| panic!("no {lang} in the manifest:\n{text}"));
        assert!(!files.is_empty(), "{text}");
        for (path, h) in files {
            let on_disk = std::fs::read_to_string(out.join(path)).expect("listed file exists");
            assert_eq!(
                Some(hnp_events::codegen::manifest::hash(&on_disk).as_str()),
                h.as_str(),
                "{path}"
            );
        }
    }
}

fn write(p: &Path, text: &str) -> String {
    std::fs::write(p, text).expect("write");
    p.to_string_lossy().into_owned()
}

// ---- 1. temporaries and symbolic links ----

/// The temporaries of earlier versions were `.NAME.<pid>.hnp-tmp`, written through
/// whatever was there: a link planted under that name for the pid of the next run
/// sent the file outside the output folder. Links are planted for every generated
/// file and the pids likely to come next; nothing may be written through them.
#[test]
fn planted_temporary_names_are_never_written_through() {
    let work = tempfile::tempdir().expect("tempdir");
    let spec_s = write(&work.path().join("api.yaml"), &spec(3, false));
    let spec_of = spec;
    let out = work.path().join("gen");
    let outside = work.path().join("outside");
    std::fs::create_dir_all(&outside).expect("mkdir");
    // The files a first run creates (from a run elsewhere), and their folders.
    let probe = work.path().join("probe");
    let o = codegen(work.path(), "rust", "probe", &spec_s, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let names: Vec<String> = tree(&probe).into_iter().map(|(p, _, _)| p).collect();
    let next_pid: u64 = std::fs::read_to_string("/proc/sys/kernel/ns_last_pid")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(1000)
        + 1;
    let mut planted = 0;
    for name in &names {
        let rel = Path::new(name);
        let parent = out.join(rel.parent().unwrap_or(Path::new("")));
        std::fs::create_dir_all(&parent).expect("mkdir");
        let file = rel
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        for pid in next_pid..next_pid + 400 {
            let target = outside.join(format!("{planted}"));
            std::os::unix::fs::symlink(&target, parent.join(format!(".{file}.{pid}.hnp-tmp")))
                .expect("plant");
            planted += 1;
        }
    }
    // A first run, and one that updates files.
    for v2 in [false, true] {
        write(&work.path().join("api.yaml"), &spec_of(3, v2));
        let o = codegen(work.path(), "rust", "gen", &spec_s, &[]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert_eq!(
            std::fs::read_dir(&outside).expect("dir").count(),
            0,
            "a file was written outside --out"
        );
        for (p, regular, _) in tree(&out) {
            assert!(regular, "{p} is not a regular file");
        }
    }
    // The planted names match the pattern of our temporaries: they were cleared.
    assert_eq!(temporaries(&out), Vec::<String>::new());
    assert_manifest_consistent(&out, &["rust"]);
}

/// A generated file's path that is a symbolic link (to a file or a folder, inside or
/// outside the output folder) is refused before anything is written (exit 2): the link
/// is not replaced, since it may be someone's deliberate setup.
#[test]
fn a_symbolic_link_at_a_generated_path_is_refused_before_any_write() {
    let work = tempfile::tempdir().expect("tempdir");
    let spec = write(&work.path().join("api.yaml"), &spec(2, false));
    let outside = work.path().join("outside.rs");
    std::fs::write(&outside, "// mine\n").expect("write");
    let out = work.path().join("gen");
    std::fs::create_dir_all(out.join("src")).expect("mkdir");
    std::os::unix::fs::symlink(&outside, out.join("src/models.rs")).expect("symlink");
    let o = codegen(work.path(), "rust", "gen", &spec, &[]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("src/models.rs: is a symbolic link"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read_to_string(&outside).expect("outside"),
        "// mine\n"
    );
    let left: Vec<String> = tree(&out).into_iter().map(|(p, _, _)| p).collect();
    assert_eq!(left, vec!["src/models.rs"], "nothing else was written");
}

// ---- 2. --output and special files ----

fn small_invalid(work: &Path) -> String {
    // One error: a small report (fits a pipe's buffer).
    write(
        &work.join("bad.yaml"),
        "asyncapi: 3.0.0\ninfo: {title: t, version: '1'}\nchannels:\n  a:\n    address: a\n    messages:\n      m: {$ref: '#/components/messages/nope'}\n",
    )
}

#[test]
fn output_to_a_fifo_writes_into_it() {
    let work = tempfile::tempdir().expect("tempdir");
    let bad = small_invalid(work.path());
    let fifo = work.path().join("report.fifo");
    let st = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(st.success());
    // Held open for reading and writing: the run's open does not block, and what it
    // writes waits in the pipe.
    let mut held = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&fifo)
        .expect("open fifo");
    let fifo_s = fifo.to_string_lossy().into_owned();
    let o = run_in(
        work.path(),
        &[
            "validate",
            "--no-config",
            "--no-gates",
            "-f",
            "json",
            "--output",
            &fifo_s,
            &bad,
        ],
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let ft = std::fs::symlink_metadata(&fifo)
        .expect("still there")
        .file_type();
    assert!(ft.is_fifo(), "the FIFO was replaced: {ft:?}");
    let mut buf = vec![0u8; 1 << 16];
    let n = held.read(&mut buf).expect("read the report");
    let text = String::from_utf8_lossy(&buf[..n]);
    assert!(text.contains("ref-unresolved"), "{text}");
    assert_eq!(temporaries(work.path()), Vec::<String>::new());
}

#[test]
fn output_through_a_proc_fd_link_and_write_errors() {
    let work = tempfile::tempdir().expect("tempdir");
    let bad = small_invalid(work.path());
    let args = [
        "validate",
        "--no-config",
        "--no-gates",
        "-f",
        "json",
        "--output",
        "/proc/self/fd/1",
        bad.as_str(),
    ];
    // Standard output is a pipe: the report arrives through it.
    let o = run_in(work.path(), &args);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stdout(&o).contains("ref-unresolved"), "{}", stdout(&o));
    // Standard output is /dev/full: the write fails, exit 2 with the reason.
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let o = bin()
        .args(args)
        .current_dir(work.path())
        .stdout(Stdio::from(full))
        .output()
        .expect("runs");
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("writing /proc/self/fd/1") && stderr(&o).contains("space"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn output_replaces_regular_files_atomically_and_writes_through_links() {
    let work = tempfile::tempdir().expect("tempdir");
    let bad = small_invalid(work.path());
    let real = work.path().join("real.json");
    std::fs::write(&real, "old\n").expect("write");
    let link = work.path().join("link.json");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    let link_s = link.to_string_lossy().into_owned();
    let o = run_in(
        work.path(),
        &[
            "validate",
            "--no-config",
            "--no-gates",
            "-f",
            "json",
            "--output",
            &link_s,
            &bad,
        ],
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("link")
            .file_type()
            .is_symlink(),
        "the link was replaced"
    );
    let text = std::fs::read_to_string(&real).expect("real");
    assert!(text.contains("ref-unresolved"), "{text}");
    // A regular file: replaced; no temporary left.
    let plain = work.path().join("plain.json");
    std::fs::write(&plain, "old\n").expect("write");
    let plain_s = plain.to_string_lossy().into_owned();
    let o = run_in(
        work.path(),
        &[
            "validate",
            "--no-config",
            "--no-gates",
            "-f",
            "json",
            "--output",
            &plain_s,
            &bad,
        ],
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        std::fs::read_to_string(&plain)
            .expect("plain")
            .contains("ref-unresolved")
    );
    assert_eq!(temporaries(work.path()), Vec::<String>::new());
}

// ---- 3. a killed run ----

/// Start a codegen run that stops after `n` files are in place (the next one's
/// temporary written), and kill it there (SIGKILL).
fn run_killed_after(work: &Path, out: &str, spec: &str, n: usize) {
    let mut child = bin()
        .args(gen_args("rust", out, spec, &[]))
        .current_dir(work)
        .env("HNP_TEST_PAUSE_AFTER_WRITES", n.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let err = child.stderr.take().expect("stderr");
    let mut paused = false;
    for line in std::io::BufReader::new(err).lines() {
        let line = line.expect("stderr line");
        if line.contains(hnp_events::codegen::apply::PAUSE_MARK) {
            paused = true;
            break;
        }
    }
    child.kill().expect("kill");
    let _ = child.wait();
    assert!(paused, "the run ended before pausing");
}

#[test]
fn a_killed_run_is_resumed_by_the_next() {
    let work = tempfile::tempdir().expect("tempdir");
    let v1 = spec(150, false);
    let v2 = spec(150, true);
    let spec_p = work.path().join("api.yaml");
    let spec_s = write(&spec_p, &v1);
    // References: version 1, then (uninterrupted) version 2 or version 1 again.
    for (dir, text) in [("ref2", &v2), ("ref1", &v1)] {
        write(&spec_p, &v1);
        let o = codegen(work.path(), "rust", dir, &spec_s, &[]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        write(&spec_p, text);
        let o = codegen(work.path(), "rust", dir, &spec_s, &[]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    // Killed while going from version 1 to 2; then run with the same input, or going
    // back to the previous input: both complete as if never interrupted.
    for (again, reference) in [(&v2, "ref2"), (&v1, "ref1")] {
        let out = work.path().join("gen");
        let _ = std::fs::remove_dir_all(&out);
        write(&spec_p, &v1);
        let o = codegen(work.path(), "rust", "gen", &spec_s, &[]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        write(&spec_p, &v2);
        run_killed_after(work.path(), "gen", &spec_s, 40);
        assert!(
            !temporaries(&out).is_empty(),
            "the kill left a temporary behind"
        );
        write(&spec_p, again);
        let o = codegen(work.path(), "rust", "gen", &spec_s, &[]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert_eq!(temporaries(&out), Vec::<String>::new());
        assert!(!out.join(".hnp-events/pending.json").exists());
        assert!(
            tree(&out) == tree(&work.path().join(reference)),
            "the resumed output differs from an uninterrupted one ({reference})"
        );
        let o = codegen(work.path(), "rust", "gen", &spec_s, &["--check"]);
        assert_eq!(code(&o), 0, "{}", stdout(&o));
    }
}

// ---- 4. concurrent runs ----

#[test]
fn concurrent_runs_into_one_folder_keep_every_language() {
    let work = tempfile::tempdir().expect("tempdir");
    let spec_s = write(&work.path().join("api.yaml"), &spec(2, false));
    for i in 0..50 {
        let out = format!("gen{i}");
        let spawn = |lang: &str| {
            bin()
                .args(gen_args(lang, &out, &spec_s, &[]))
                .current_dir(work.path())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        };
        let a = spawn("rust");
        let b = spawn("python");
        for child in [a, b] {
            let o = child.wait_with_output().expect("wait");
            assert_eq!(code(&o), 0, "{}", stderr(&o));
        }
        assert_manifest_consistent(&work.path().join(&out), &["rust", "python"]);
    }
}

#[test]
fn a_run_waits_for_the_folder_lock_and_says_so() {
    let work = tempfile::tempdir().expect("tempdir");
    let spec_s = write(&work.path().join("api.yaml"), &spec(2, false));
    let out = work.path().join("gen");
    std::fs::create_dir_all(&out).expect("mkdir");
    let held = std::fs::File::open(&out).expect("open folder");
    fs4::FileExt::lock(&held).expect("lock");
    let mut child = bin()
        .args(gen_args("rust", "gen", &spec_s, &[]))
        .current_dir(work.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let err = child.stderr.take().expect("stderr");
    let mut lines = std::io::BufReader::new(err).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    assert!(
        first.contains("waiting for another hnp-events run") && first.contains("gen"),
        "{first}"
    );
    assert!(
        !out.join("Cargo.toml").exists(),
        "nothing written while waiting"
    );
    drop(held);
    let st = child.wait().expect("wait");
    assert_eq!(st.code(), Some(0));
    assert_manifest_consistent(&out, &["rust"]);
}

// ---- 5. every refusal before the first write ----

#[test]
fn refusals_come_before_the_first_write() {
    let work = tempfile::tempdir().expect("tempdir");
    let spec_s = write(&work.path().join("api.yaml"), &spec(2, false));
    let fresh = || {
        let out = work.path().join("gen");
        let _ = std::fs::remove_dir_all(&out);
        let o = codegen(work.path(), "rust", "gen", &spec_s, &[]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        // A hand edit to be overwritten with --force: whatever refuses must come first.
        std::fs::write(out.join("src/models.rs"), "// hand edit\n").expect("edit");
        out
    };
    let outside = work.path().join("outside");

    // The manifest folder is a link.
    let out = fresh();
    std::fs::rename(out.join(".hnp-events"), &outside).expect("move");
    std::os::unix::fs::symlink(&outside, out.join(".hnp-events")).expect("symlink");
    let before = tree(&outside);
    let o = codegen(work.path(), "rust", "gen", &spec_s, &["--force"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains(".hnp-events: is a symbolic link"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read_to_string(out.join("src/models.rs")).expect("models"),
        "// hand edit\n"
    );
    assert!(tree(&outside) == before, "written through the link");
    std::fs::remove_dir_all(&outside).expect("clean");

    // A folder where a generated file goes (sorted after the hand edit's file).
    let out = fresh();
    std::fs::remove_file(out.join("tests/roundtrip.rs")).expect("rm");
    std::fs::create_dir_all(out.join("tests/roundtrip.rs")).expect("mkdir");
    let o = codegen(work.path(), "rust", "gen", &spec_s, &["--force"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("is a folder"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(out.join("src/models.rs")).expect("models"),
        "// hand edit\n"
    );

    // A file where a generated folder goes.
    let out = fresh();
    std::fs::remove_dir_all(out.join("src/handlers")).expect("rm");
    std::fs::write(out.join("src/handlers"), "x").expect("write");
    let o = codegen(work.path(), "rust", "gen", &spec_s, &["--force"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("a folder is needed here"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read_to_string(out.join("src/models.rs")).expect("models"),
        "// hand edit\n"
    );

    // A file that is not UTF-8 where a generated file goes: not ours, not overwritten.
    let out = fresh();
    std::fs::write(out.join("src/models.rs"), b"\xff\xfe binary").expect("write");
    let o = codegen(work.path(), "rust", "gen", &spec_s, &[]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("src/models.rs"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(out.join("src/models.rs")).expect("models"),
        b"\xff\xfe binary"
    );
}

// ---- 6. the git guard on a folder whose name is not UTF-8 ----

#[test]
fn the_git_guard_holds_for_a_folder_name_that_is_not_utf8() {
    use std::os::unix::ffi::OsStrExt;
    let work = tempfile::tempdir().expect("tempdir");
    let repo = git2::Repository::init(work.path()).expect("git init");
    let spec_p = work.path().join("api.yaml");
    let spec_s = write(&spec_p, &spec(2, false));
    let name = std::ffi::OsStr::from_bytes(b"gen\xff");
    let out: PathBuf = work.path().join(name);
    let run = |extra: &[&str]| {
        let mut args: Vec<&std::ffi::OsStr> = ["codegen", "--lang", "rust", "--out"]
            .iter()
            .map(std::ffi::OsStr::new)
            .collect();
        args.push(out.as_os_str());
        args.extend(extra.iter().map(std::ffi::OsStr::new));
        args.push(std::ffi::OsStr::new(&spec_s));
        bin()
            .args(args)
            .current_dir(work.path())
            .output()
            .expect("runs")
    };
    let o = run(&[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("differ from git HEAD"),
        "{}",
        stdout(&o)
    );
    crate::codegen_git::commit_all(&repo, "generated");
    // Regenerated from version 2, not committed, then back to version 1: regenerated
    // (the files are as hnp-events last wrote them). A hand edit that is not committed
    // is kept by --force, and named.
    write(&spec_p, &spec(2, true));
    assert_eq!(code(&run(&[])), 0);
    let models = out.join("src/models.rs");
    write(&spec_p, &spec(2, false));
    assert_eq!(code(&run(&[])), 0);
    std::fs::write(&models, "// hand edit\n").expect("edit");
    write(&spec_p, &spec(2, true));
    let o = run(&["--force"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("src/models.rs (modified since the last commit)"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read_to_string(&models).expect("models"),
        "// hand edit\n"
    );
    assert_eq!(code(&run(&["--force", "--allow-dirty"])), 0);
}

// ---- issue 14 item 4: invalid contracts ----

#[test]
fn an_invalid_contract_is_refused_unless_allowed() {
    let work = tempfile::tempdir().expect("tempdir");
    let bad = small_invalid(work.path());
    let o = codegen(work.path(), "rust", "gen", &bad, &[]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("ref-unresolved")
            && err.contains("bad.yaml:7")
            && err.contains("--allow-invalid"),
        "{err}"
    );
    assert!(!work.path().join("gen").exists(), "nothing written");
    let o = codegen(work.path(), "rust", "gen", &bad, &["--check"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let o = codegen(work.path(), "rust", "gen", &bad, &["--allow-invalid"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}
