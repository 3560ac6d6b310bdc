//! Sagas at both revisions: a step whose command or event changed incompatibly in the
//! contract is reported at the saga (the saga's participants on the old version break
//! there), a saga removed is reported, and a saga that now rests on broken messages
//! needs a major bump of its `version` like a document.
//!
//! The sagas are those `hnp-events.yaml` lists at each revision, read through the
//! revision's [`Tree`] and parsed with `crate::saga::format` (nothing here checks a
//! saga against its contract: `validate` does).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use super::contract::Finding;
use super::load::{Tree, normalize};
use crate::diag::{Diagnostic, Location, Severity, SourceSet};
use crate::saga::Saga;
use crate::saga::format::Role;
use crate::source::SourceFile;

/// The sagas of one revision, by name.
#[derive(Default)]
pub struct Sagas {
    pub by_name: BTreeMap<String, Saga>,
}

impl Sagas {
    /// The sagas `prefix/hnp-events.yaml` lists in a tree (none when there is no
    /// configuration, or it lists none). A saga that does not parse is skipped:
    /// `validate` reports it.
    pub fn load(tree: &dyn Tree, prefix: &Path) -> Result<Sagas, String> {
        let cfg = prefix.join(crate::config::CONFIG_FILE);
        let Some(bytes) = tree.read(&cfg)? else {
            return Ok(Sagas::default());
        };
        let mut diags = Vec::new();
        let f = crate::source::parse_file(&cfg, bytes, Arc::from(tree.display(&cfg)), &mut diags);
        let paths: Vec<PathBuf> = f
            .value
            .as_ref()
            .and_then(|v| v.get("sagas"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter_map(|d| normalize(&prefix.join(d)))
            .collect();
        let mut out = Sagas::default();
        for p in paths {
            let Some(bytes) = tree.read(&p)? else {
                continue;
            };
            let mut diags = Vec::new();
            let file =
                crate::source::parse_file(&p, bytes, Arc::from(tree.display(&p)), &mut diags);
            if file.value.is_none() {
                continue;
            }
            if let Some(s) = crate::saga::format::parse(file, &mut diags) {
                out.by_name.insert(s.name.clone(), s);
            }
        }
        Ok(out)
    }

    pub fn sources(&self) -> SourceSet {
        let mut s = SourceSet::default();
        for saga in self.by_name.values() {
            s.insert(saga.source.display.clone(), saga.source.text.clone());
        }
        s
    }
}

/// Compare the sagas of two revisions, given the messages that broke in the contract
/// (by name: see `contract::Outcome::broken`).
pub fn diff(
    old: &Sagas,
    new: &Sagas,
    broken: &BTreeMap<String, (Location, String)>,
    base_label: &str,
    levels: &BTreeMap<String, crate::config::RuleLevel>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for (name, os) in &old.by_name {
        if !new.by_name.contains_key(name) {
            out.push(Finding {
                diag: Diagnostic::new(
                    "diff-saga-removed",
                    os.source.file_location(),
                    format!("saga `{name}` removed (it was in {base_label})"),
                ),
                group: format!("saga `{name}`"),
                shared: None,
            });
        }
    }
    for (name, ns) in &new.by_name {
        let group = format!("saga `{name}`");
        let Some(os) = old.by_name.get(name) else {
            out.push(Finding {
                diag: Diagnostic::new(
                    "diff-added",
                    loc(&ns.source, ""),
                    format!("saga `{name}` added"),
                ),
                group,
                shared: None,
            });
            continue;
        };
        let mut hits = 0usize;
        let mut seen = std::collections::BTreeSet::new();
        for (named, role) in ns.message_refs() {
            let Some((at, why)) = broken.get(&named.name) else {
                continue;
            };
            if !seen.insert((named.name.clone(), named.ptr.clone())) {
                continue;
            }
            let what = match role {
                Role::Command => "the command it sends",
                Role::Event => "the event it waits for",
                Role::Emitted => "the event it emits",
            };
            let diag = Diagnostic::new(
                "diff-saga-step-broken",
                loc(&ns.source, &named.ptr),
                format!(
                    "saga `{name}`: {what}, `{}`, changed incompatibly: {why}",
                    named.name
                ),
            )
            .with_related(at.clone(), "the contract change");
            // The versioning policy counts a step as broken while it is still an
            // error after the configured levels.
            if super::severity(levels, &diag) == Some(Severity::Error) {
                hits += 1;
            }
            out.push(Finding {
                diag,
                group: group.clone(),
                shared: None,
            });
        }
        if hits > 0 {
            if !super::major_bumped(&os.version, &ns.version) {
                let mut d = Diagnostic::new(
                    "diff-version-not-bumped",
                    loc(&ns.source, "/version"),
                    format!(
                        "saga `{name}` rests on {hits} broken {} but its `version` went from `{}` to `{}` without a major bump",
                        if hits == 1 { "message" } else { "messages" },
                        os.version,
                        ns.version
                    ),
                )
                .with_related(loc(&os.source, "/version"), format!("in {base_label}"));
                d.help = Some(format!(
                    "raise the saga's major version (e.g. `{}`)",
                    super::next_major(&os.version)
                ));
                out.push(Finding {
                    diag: d,
                    group,
                    shared: None,
                });
            }
        }
    }
    debug_assert!(out.iter().all(|f| f.diag.severity <= Severity::Error));
    out
}

fn loc(f: &SourceFile, ptr: &str) -> Location {
    f.locate_key(ptr)
}
