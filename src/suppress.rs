//! Suppressing findings: `ignore:` entries of hnp-events.yaml (a path glob, a JSON
//! pointer and rules) and inline `x-hnp-ignore: [rule, …]` on any object of a
//! document, which silences those rules for findings located at or under that object.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use crate::config::IgnoreEntry;
use crate::diag::{Diagnostic, Location};
use crate::source::{Workspace, pointer};

/// The extension that suppresses rules inline.
pub const INLINE_KEY: &str = "x-hnp-ignore";

/// Decides whether a finding is suppressed.
pub struct Suppressor<'a> {
    entries: &'a [IgnoreEntry],
    roots: HashMap<Arc<str>, &'a Value>,
    /// Each loaded file's absolute, lexically normalised path, for config-relative globs.
    absolute: HashMap<Arc<str>, PathBuf>,
    /// Whether any loaded file mentions `x-hnp-ignore` (else inline checks are skipped).
    inline_used: bool,
}

impl<'a> Suppressor<'a> {
    pub fn new(entries: &'a [IgnoreEntry], ws: &'a Workspace) -> Self {
        let roots = ws
            .files
            .iter()
            .filter_map(|f| f.value.as_ref().map(|v| (f.display.clone(), v)))
            .collect();
        let inline_used = ws.files.iter().any(|f| f.text.contains(INLINE_KEY));
        let absolute = if entries.is_empty() {
            HashMap::new()
        } else {
            ws.files
                .iter()
                .map(|f| {
                    (
                        f.display.clone(),
                        crate::source::normalise_path(Path::new(&*f.display)),
                    )
                })
                .collect()
        };
        Suppressor {
            entries,
            roots,
            absolute,
            inline_used,
        }
    }

    /// Whether `rule` is suppressed at `location`.
    pub fn suppressed(&self, rule: &str, location: &Location) -> bool {
        self.by_config(rule, location) || (self.inline_used && self.inline(rule, location))
    }

    fn by_config(&self, rule: &str, location: &Location) -> bool {
        let ptr = location.pointer.as_deref().unwrap_or("");
        if self.entries.is_empty() {
            return false;
        }
        // Files outside the workspace (saga files, the config) are normalised here.
        let abs = match self.absolute.get(&location.file) {
            Some(a) => std::borrow::Cow::Borrowed(a),
            None => {
                std::borrow::Cow::Owned(crate::source::normalise_path(Path::new(&*location.file)))
            }
        };
        self.entries.iter().any(|e| {
            abs.strip_prefix(&e.base)
                .ok()
                .is_some_and(|rel| e.glob.is_match(rel))
                && e.pointer
                    .as_deref()
                    .is_none_or(|p| ptr == p || ptr.starts_with(&format!("{p}/")) || p.is_empty())
                && (e.rules.is_empty() || e.rules.iter().any(|r| r == rule))
        })
    }

    fn inline(&self, rule: &str, location: &Location) -> bool {
        let Some(mut v) = self.roots.get(&location.file).copied() else {
            return false;
        };
        let tokens = location
            .pointer
            .as_deref()
            .and_then(pointer::parse)
            .unwrap_or_default();
        let lists = |v: &Value| {
            v.get(INLINE_KEY)
                .and_then(Value::as_array)
                .is_some_and(|l| {
                    l.iter()
                        .any(|x| x.as_str().is_some_and(|s| s == rule || s == "all"))
                })
        };
        if lists(v) {
            return true;
        }
        for t in &tokens {
            match pointer::step(v, t) {
                Some(next) => v = next,
                None => return false,
            }
            if lists(v) {
                return true;
            }
        }
        false
    }

    /// Drop suppressed diagnostics.
    pub fn apply(&self, diags: &mut Vec<Diagnostic>) {
        if self.entries.is_empty() && !self.inline_used {
            return;
        }
        diags.retain(|d| !self.suppressed(d.rule, &d.location));
    }
}
