//! Fuzz the loader and the `$ref` resolver against an odd file system.
//!
//! The input is up to three files separated by `0xFF` bytes (a document `ws/api.yaml`,
//! `ws/other.yaml` and `ws/sub/third.json`); its first byte picks options. They live in a
//! workspace folder, made once per process, that also holds what a hostile repository
//! can commit or a machine can have: symbolic links inside and out of the root, to
//! themselves, dangling and to `/dev/zero`; a FIFO (directly and behind a link); a folder
//! named like a document. `$ref`s to all of them, and YAML anchors, aliases and merge
//! keys, come from the seeds (`fuzz/seeds/load`) and the dictionary (`fuzz/load.dict`).
//!
//! Run: `cargo +nightly fuzz run load fuzz/seeds/load -- -dict=fuzz/load.dict
//! -rss_limit_mb=1024 -timeout=10` (see the README's "Loading guarantees").
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use hnp_events::source::{LoadOptions, Workspace};
use libfuzzer_sys::fuzz_target;

/// The fixture folder: `<tmp>/ws` is the workspace root, `<tmp>/secret.yaml` is outside.
struct Fixture {
    _dir: tempfile::TempDir,
    ws: PathBuf,
}

fn fixture() -> Option<&'static Fixture> {
    static F: OnceLock<Option<Fixture>> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().ok()?;
        let ws = dir.path().join("ws");
        std::fs::create_dir_all(ws.join("sub")).ok()?;
        std::fs::create_dir_all(ws.join("folder.yaml")).ok()?;
        std::fs::write(
            dir.path().join("secret.yaml"),
            "components: {schemas: {S: {type: string}}}\n",
        )
        .ok()?;
        std::fs::write(
            ws.join("fragment.yaml"),
            "components:\n  schemas:\n    A: &a {type: object, properties: {b: {$ref: '#/components/schemas/B'}}}\n    B: {<<: *a, required: [b]}\n    C: {$ref: './other.yaml#/components/schemas/C'}\n",
        )
        .ok()?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::symlink;
            symlink("other.yaml", ws.join("link.yaml")).ok()?;
            symlink("../secret.yaml", ws.join("out.yaml")).ok()?;
            symlink("self.yaml", ws.join("self.yaml")).ok()?;
            symlink("missing.yaml", ws.join("dangling.yaml")).ok()?;
            symlink("/dev/zero", ws.join("zero.yaml")).ok()?;
            symlink("..", ws.join("sub/up")).ok()?;
            let fifo = ws.join("fifo.yaml");
            let made = std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .is_ok_and(|s| s.success());
            if made {
                symlink("fifo.yaml", ws.join("to-fifo.yaml")).ok()?;
            }
        }
        Some(Fixture { _dir: dir, ws })
    })
    .as_ref()
}

fn write(path: &Path, bytes: &[u8]) -> bool {
    std::fs::write(path, bytes).is_ok()
}

fuzz_target!(|data: &[u8]| {
    let Some(fx) = fixture() else { return };
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let mut parts = rest.splitn(3, |&x| x == 0xFF);
    let main = parts.next().unwrap_or_default();
    let other = parts.next().unwrap_or_default();
    let third = parts.next().unwrap_or_default();
    // Bit 2: a valid AsyncAPI header before the main document, so that what follows
    // reaches the validator rather than stopping at "not an API document".
    let main: Vec<u8> = if flags & 4 != 0 {
        [&b"asyncapi: 3.0.0\ninfo: {title: t, version: '1'}\n"[..], main].concat()
    } else {
        main.to_vec()
    };
    let api = fx.ws.join("api.yaml");
    if !write(&api, &main)
        || !write(&fx.ws.join("other.yaml"), other)
        || !write(&fx.ws.join("sub/third.json"), third)
    {
        return;
    }
    // Bit 0: walk the whole folder (links, the FIFO and the folder named `.yaml`
    // included) instead of loading the one document.
    let input = if flags & 1 != 0 { fx.ws.clone() } else { api };
    let opts = LoadOptions {
        root: Some(fx.ws.clone()),
        // Bit 1: refs may leave the root (to `secret.yaml`, `/dev/zero`, `/`...).
        allow_ref_outside: flags & 2 != 0,
        ..LoadOptions::default()
    };
    // Bit 3: a 1 KiB file-size cap, so that the cap's path is taken too.
    hnp_events::fsio::set_max_file_size(if flags & 8 != 0 { 1024 } else { 16 << 20 });
    if let Ok(ws) = Workspace::load(&[input], &opts) {
        let _ = hnp_events::validate::validate(&ws);
        for f in &ws.files {
            let _ = f.locate("/a/b/0");
            let _ = f.locate("/components/schemas/A/properties");
        }
    }
});
