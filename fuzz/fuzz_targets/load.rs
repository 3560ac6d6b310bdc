//! Fuzz the loader and `$ref` resolver: arbitrary bytes as a document that may refer
//! to a second arbitrary file beside it.
#![no_main]

use hnp_events::source::{LoadOptions, Workspace};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Split the input into a main document and a ref target.
    let (a, b) = match data.iter().position(|&x| x == 0xFF) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let Ok(dir) = tempfile::tempdir() else { return };
    let main = dir.path().join("api.yaml");
    if std::fs::write(&main, a).is_err()
        || std::fs::write(dir.path().join("other.yaml"), b).is_err()
    {
        return;
    }
    let opts = LoadOptions {
        root: Some(dir.path().to_path_buf()),
        ..LoadOptions::default()
    };
    if let Ok(ws) = Workspace::load(&[main], &opts) {
        let _ = hnp_events::validate::validate(&ws);
        for f in &ws.files {
            let _ = f.locate("/a/b/0");
        }
    }
});
