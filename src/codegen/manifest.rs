//! The ownership manifest (`.hnp-events/manifest.json` in the output folder): for each
//! language, every generated file's path and content hash. It tells an untouched
//! generated file (safe to rewrite or delete) from one edited by hand.
//!
//! The manifest is rewritten once every file of a run is in place. Before the first
//! file is written, the hashes the run is about to write are added to
//! `.hnp-events/pending.json`; a run that was killed part way therefore leaves files
//! whose content is either the one the manifest records or one listed as pending, and
//! the next run recognises both as its own. A run removes its language from the
//! pending list once the manifest is written.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

pub const DIR: &str = ".hnp-events";
pub const PATH: &str = ".hnp-events/manifest.json";
pub const PENDING: &str = ".hnp-events/pending.json";

#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub generator: String,
    /// language → relative path → content hash.
    pub languages: BTreeMap<String, BTreeMap<String, String>>,
    /// language → scaffold path → the hash of the content first written there: a
    /// scaffold no longer generated (its projection or saga removed) is deleted when it
    /// still has that content, and left alone, with a note, when it was edited.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub scaffolds: BTreeMap<String, BTreeMap<String, String>>,
}

/// Hashes an interrupted run may have written: language → relative path → hashes.
#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Pending {
    pub languages: BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
}

/// FNV-1a, 64 bits, as 16 hex digits: enough to notice a hand edit.
pub fn hash(text: &str) -> String {
    hash_bytes(text.as_bytes())
}

/// [`hash`] of any content (a file on disk need not be UTF-8).
pub fn hash_bytes(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("fnv1a64:{h:016x}")
}

/// Read a JSON file of the output folder; a missing one is the default.
fn load_json<T: Default + for<'de> Deserialize<'de>>(
    dir: &Path,
    rel: &str,
    what: &str,
) -> Result<T, String> {
    let p = dir.join(rel);
    match crate::fsio::read_regular_string(&p) {
        Ok(t) => serde_json::from_str(&t).map_err(|e| format!("{}: not {what}: {e}", p.display())),
        Err(crate::fsio::ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            Ok(T::default())
        }
        Err(e) => Err(format!("{}: {e}", p.display())),
    }
}

impl Manifest {
    /// Read the manifest of an output folder; a missing one is empty.
    pub fn load(dir: &Path) -> Result<Manifest, String> {
        load_json(dir, PATH, "a manifest")
    }

    pub fn to_text(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}

impl Pending {
    /// Read the pending list of an output folder; a missing one is empty.
    pub fn load(dir: &Path) -> Result<Pending, String> {
        load_json(dir, PENDING, "a pending-writes list")
    }

    pub fn is_empty(&self) -> bool {
        self.languages.values().all(BTreeMap::is_empty)
    }

    pub fn to_text(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}
