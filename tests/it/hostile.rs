//! Hostile input on the file system: special files (devices, FIFOs) named directly,
//! found by a folder walk, behind a symbolic link, a `$ref` or a saga's `contract:`;
//! files over the size limit; folders and files that cannot be read; links that leave
//! the workspace root. Each is refused by name with exit 2, never read, never a hang.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::util::{code, stderr, stdout};

/// Run the binary in `dir`; a run still going after a minute is killed and the test
/// fails (a hang is the bug some of these tests are about, so they must not hang).
fn run_guarded(dir: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hnp-events"))
        .args(args)
        .current_dir(dir)
        .env_remove("CI")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("hnp-events {args:?} hung (killed after 60 s)");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn mkfifo(p: &Path) {
    let ok = Command::new("mkfifo").arg(p).status().expect("mkfifo");
    assert!(ok.success());
}

const DOC: &str = "asyncapi: 3.0.0\ninfo: {title: t, version: '1'}\n";

fn all(o: &Output) -> String {
    format!("{}{}", stdout(o), stderr(o))
}

#[test]
fn devices_and_fifos_named_directly_are_refused() {
    let d = tempfile::tempdir().expect("tempdir");
    let o = run_guarded(d.path(), &["validate", "/dev/zero"]);
    assert_eq!(code(&o), 2, "{}", all(&o));
    assert!(
        all(&o).contains("not a regular file (a character device)"),
        "{}",
        all(&o)
    );
    let fifo = d.path().join("api.yaml");
    mkfifo(&fifo);
    let o = run_guarded(d.path(), &["validate", "api.yaml"]);
    assert_eq!(code(&o), 2, "{}", all(&o));
    assert!(
        all(&o).contains("not a regular file (a FIFO)"),
        "{}",
        all(&o)
    );
}

#[test]
fn special_files_in_a_walk_behind_links_and_refs_are_refused() {
    let d = tempfile::tempdir().expect("tempdir");
    let specs = d.path().join("specs");
    std::fs::create_dir(&specs).expect("mkdir");
    mkfifo(&specs.join("pipe.yaml"));
    std::os::unix::fs::symlink("/dev/zero", specs.join("zero.yaml")).expect("link");
    std::fs::write(
        specs.join("api.yaml"),
        format!("{DOC}components:\n  schemas:\n    A: {{$ref: 'fifo.yaml#/A'}}\n"),
    )
    .expect("write");
    mkfifo(&specs.join("fifo.yaml"));
    let o = run_guarded(d.path(), &["validate", "--root", "specs", "specs"]);
    assert_eq!(code(&o), 2, "{}", all(&o));
    let text = all(&o);
    assert!(text.contains("specs/pipe.yaml"), "{text}");
    assert!(text.contains("specs/fifo.yaml"), "{text}");
    assert!(
        text.matches("not a regular file (a FIFO)").count() >= 2,
        "{text}"
    );
}

#[test]
fn a_saga_contract_or_stream_that_is_a_fifo_is_refused() {
    let d = tempfile::tempdir().expect("tempdir");
    mkfifo(&d.path().join("contract.yaml"));
    std::fs::write(
        d.path().join("s.saga.yaml"),
        "saga: s\nversion: 1.0.0\ncontract: contract.yaml\ncorrelation: /headers/id\nstart: {message: A}\nsteps:\n  - {id: a, send: B, on: C, timeout: 1s}\n",
    )
    .expect("saga");
    std::fs::write(d.path().join("e.jsonl"), "").expect("stream");
    let o = run_guarded(
        d.path(),
        &["simulate", "s.saga.yaml", "--events", "e.jsonl"],
    );
    assert_eq!(code(&o), 2, "{}", all(&o));
    assert!(
        all(&o).contains("not a regular file (a FIFO)"),
        "{}",
        all(&o)
    );
    // The stream too.
    mkfifo(&d.path().join("f.jsonl"));
    let saga = crate::util::repo().join("fixtures/hnp/sagas/gitops-sync.saga.yaml");
    let saga = saga.to_string_lossy().into_owned();
    let o = run_guarded(d.path(), &["simulate", &saga, "--events", "f.jsonl"]);
    assert_eq!(code(&o), 2, "{}", all(&o));
    assert!(
        all(&o).contains("not a regular file (a FIFO)"),
        "{}",
        all(&o)
    );
}

#[test]
fn a_file_over_the_size_limit_is_refused_before_it_is_read() {
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        d.path().join("api.yaml"),
        format!("{DOC}components:\n  schemas:\n    A: {{$ref: 'big.yaml#/A'}}\n"),
    )
    .expect("write");
    // A sparse 2 GiB file: reading it first would take seconds and 2 GiB of memory.
    let big = std::fs::File::create(d.path().join("big.yaml")).expect("create");
    big.set_len(2 << 30).expect("set_len");
    let o = run_guarded(d.path(), &["validate", "api.yaml"]);
    assert_eq!(code(&o), 2, "{}", all(&o));
    assert!(
        all(&o).contains("2 GiB, over the 256 MiB limit"),
        "{}",
        all(&o)
    );
    // The limit is configurable.
    let o = run_guarded(d.path(), &["validate", "--max-file-size", "40", "api.yaml"]);
    assert_eq!(code(&o), 2, "{}", all(&o));
    assert!(all(&o).contains("over the 40 bytes limit"), "{}", all(&o));
}

#[test]
fn a_walked_link_leaving_the_root_is_not_loaded() {
    let d = tempfile::tempdir().expect("tempdir");
    let specs = d.path().join("specs");
    let outside = d.path().join("outside");
    std::fs::create_dir(&specs).expect("mkdir");
    std::fs::create_dir(&outside).expect("mkdir");
    std::fs::write(specs.join("api.yaml"), DOC).expect("doc");
    std::fs::write(outside.join("secret.yaml"), "asyncapi: 3.0.0\nzzz: 1\n").expect("doc");
    std::os::unix::fs::symlink(outside.join("secret.yaml"), specs.join("link.yaml")).expect("link");
    let o = run_guarded(d.path(), &["validate", "--root", "specs", "specs"]);
    let text = all(&o);
    assert!(text.contains("specs/link.yaml"), "{text}");
    assert!(text.contains("outside the workspace root"), "{text}");
    assert!(!text.contains("zzz"), "the linked file was loaded: {text}");
}

/// Run as `nobody` (permission bits do not bind root). `None` when that cannot be done
/// here: then the test prints why and passes, except in CI, where it fails.
fn as_nobody(dir: &Path, args: &[&str]) -> Option<Output> {
    let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"]
        .into_iter()
        .find(|p| Path::new(p).exists());
    let Some(setpriv) = setpriv else {
        assert!(
            std::env::var_os("CI").is_none(),
            "setpriv is needed in CI for the unreadable-path tests"
        );
        println!("skipping: no setpriv to run as another user");
        return None;
    };
    let o = Command::new(setpriv)
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(env!("CARGO_BIN_EXE_hnp-events"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("setpriv runs");
    Some(o)
}

#[test]
fn unreadable_folders_and_files_are_exit_2_with_the_path() {
    let base = tempfile::tempdir().expect("tempdir");
    let d = base.path().join("w");
    std::fs::create_dir(&d).expect("mkdir");
    // `nobody` must be able to reach the folder and run the binary.
    for p in [base.path(), d.as_path()] {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let specs = d.join("specs");
    std::fs::create_dir_all(specs.join("locked")).expect("mkdir");
    std::fs::write(specs.join("api.yaml"), DOC).expect("doc");
    std::fs::write(specs.join("locked/inner.yaml"), DOC).expect("doc");
    std::fs::write(specs.join("secret.yaml"), DOC).expect("doc");
    for (p, mode) in [
        (specs.as_path(), 0o755),
        (specs.join("locked").as_path(), 0o000),
        (specs.join("api.yaml").as_path(), 0o644),
        (specs.join("secret.yaml").as_path(), 0o000),
    ] {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).expect("chmod");
    }
    let Some(o) = as_nobody(&d, &["validate", "--no-config", "specs"]) else {
        return;
    };
    let text = all(&o);
    assert_eq!(code(&o), 2, "{text}");
    assert!(text.contains("specs/locked"), "{text}");
    assert!(text.contains("specs/secret.yaml"), "{text}");
    assert!(text.contains("permission denied"), "{text}");
    // The readable file was still checked.
    assert!(
        text.contains("3 files checked") || text.contains("files checked"),
        "{text}"
    );
    // A whole unreadable folder named directly.
    std::fs::set_permissions(&specs, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    let o = as_nobody(&d, &["validate", "--no-config", "specs"]).expect("ran before");
    assert_eq!(code(&o), 2, "{}", all(&o));
    assert!(all(&o).contains("specs"), "{}", all(&o));
    std::fs::set_permissions(&specs, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    std::fs::set_permissions(specs.join("locked"), std::fs::Permissions::from_mode(0o755))
        .expect("chmod");
}

/// 250 nested anchors around 200,000 scalars (no alias at all): keeping a copy per
/// anchor once took 4 GB.
fn nested_anchors() -> String {
    let mut s = String::from("asyncapi: 3.0.0\ninfo: {title: t, version: '1'}\nx-data:\n");
    for i in 0..250 {
        s.push_str(&format!("{}k{i}: &a{i}\n", "  ".repeat(i + 1)));
    }
    s.push_str(&"  ".repeat(251));
    s.push_str("v: [");
    s.push_str(&vec!["1"; 200_000].join(", "));
    s.push_str("]\n");
    s
}

/// One 1 MB scalar aliased 5,000 times: few nodes, 5 GB of text.
fn aliased_big_scalar() -> String {
    format!(
        "asyncapi: 3.0.0\ninfo: {{title: t, version: '1'}}\nx-big: &b \"{}\"\nx-list: [{}]\n",
        "x".repeat(1 << 20),
        vec!["*b"; 5000].join(", ")
    )
}

#[test]
fn anchor_and_alias_bombs_are_refused_by_nodes_and_by_bytes() {
    let d = tempfile::tempdir().expect("tempdir");
    for (name, text, what) in [
        ("nested.yaml", nested_anchors(), "250000 nodes"),
        ("scalar.yaml", aliased_big_scalar(), "64 MiB of text"),
    ] {
        std::fs::write(d.path().join(name), text).expect("write");
        let o = run_guarded(d.path(), &["validate", "--no-config", name]);
        assert_eq!(code(&o), 1, "{}", all(&o));
        let text = all(&o);
        assert!(text.contains("yaml-alias-limit"), "{name}: {text}");
        assert!(text.contains(what), "{name}: {text}");
    }
    // The same in a YAML event stream for `simulate`.
    std::fs::write(
        d.path().join("stream.yaml"),
        format!(
            "- &b {{headers: {{x: \"{}\"}}}}\n{}",
            "x".repeat(1 << 20),
            "- *b\n".repeat(5000)
        ),
    )
    .expect("write");
    let saga = crate::util::repo().join("fixtures/hnp/sagas/gitops-sync.saga.yaml");
    let saga = saga.to_string_lossy().into_owned();
    let o = run_guarded(d.path(), &["simulate", &saga, "--events", "stream.yaml"]);
    assert_eq!(code(&o), 2, "{}", all(&o));
    assert!(all(&o).contains("yaml-alias-limit"), "{}", all(&o));
}
