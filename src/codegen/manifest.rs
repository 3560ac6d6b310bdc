//! The ownership manifest (`.hnp-events/manifest.json` in the output folder): for each
//! language, every generated file's path and content hash. It tells an untouched
//! generated file (safe to rewrite or delete) from one edited by hand.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

pub const PATH: &str = ".hnp-events/manifest.json";

/// The journal of a run in progress for one language: the manifest entries it is about
/// to write, saved before its first write and removed after the manifest. A file whose
/// hash is in the journal was written by a run that was killed: ours, not a hand edit.
pub fn pending_path(lang: &str) -> String {
    format!(".hnp-events/pending-{lang}.json")
}

#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub generator: String,
    /// language → relative path → content hash.
    pub languages: BTreeMap<String, BTreeMap<String, String>>,
}

/// FNV-1a, 64 bits, as 16 hex digits: enough to notice a hand edit.
pub fn hash(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("fnv1a64:{h:016x}")
}

impl Manifest {
    /// Read the manifest of an output folder; a missing one is empty.
    pub fn load(dir: &Path) -> Result<Manifest, String> {
        Self::load_at(dir, PATH)
    }

    /// Read a manifest-shaped file at `rel` in the output folder; a missing one is empty.
    pub fn load_at(dir: &Path, rel: &str) -> Result<Manifest, String> {
        let p = dir.join(rel);
        match crate::fsio::read_regular_string(&p) {
            Ok(t) => serde_json::from_str(&t)
                .map_err(|e| format!("{}: not a manifest: {e}", p.display())),
            Err(crate::fsio::ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                Ok(Manifest::default())
            }
            Err(e) => Err(format!("{}: {e}", p.display())),
        }
    }

    pub fn to_text(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}
