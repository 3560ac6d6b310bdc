//! The `diff:` section of `hnp-events.yaml`: compatibility modes per document, channel
//! and message, the default mode, the release tag pattern, and rule severities that
//! apply to `diff` only.
//!
//! ```yaml
//! diff:
//!   compatibility: full              # items declaring no mode (as --compatibility)
//!   tags: 'v*'                       # release tags for -transitive modes (as --tags)
//!   documents:
//!     api/openapi.yaml: backward
//!   channels:                        # by key (AsyncAPI 3), name (2.x) or address
//!     kubernetes.resource.lifecycle: full-transitive
//!   messages:                        # by key in its channel or components name
//!     ResourceCreated: forward
//!   rules:                           # like the top-level `rules:`, for diff only
//!     diff-enum-value-added: warning
//! ```
//!
//! Parsed with the config's positioned loader, so every problem is a located
//! `config-invalid` with a "did you mean" where one is close.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::Mode;
use crate::config::RuleLevel;
use crate::diag::Diagnostic;
use crate::source::{self, SourceFile};

/// One mode given for a named item.
#[derive(Debug, Clone)]
pub struct ModeEntry {
    /// The key as written (for documents: resolved against the config's folder in
    /// `path`).
    pub name: String,
    pub mode: Mode,
    /// The JSON pointer of the entry in the config file (to locate "matches nothing").
    pub at: String,
}

/// The parsed `diff:` section.
#[derive(Debug, Clone, Default)]
pub struct DiffSettings {
    pub compatibility: Option<Mode>,
    pub tags: Option<String>,
    /// (path relative to the config's folder, entry).
    pub documents: Vec<(PathBuf, ModeEntry)>,
    pub channels: Vec<ModeEntry>,
    pub messages: Vec<ModeEntry>,
    /// Severities for `diff`, over the top-level `rules:`.
    pub rules: BTreeMap<String, RuleLevel>,
}

/// The keys of the `diff:` section.
pub const KEYS: &[&str] = &[
    "channels",
    "compatibility",
    "documents",
    "messages",
    "rules",
    "tags",
];

/// A mode, or a located error naming the closest spelling.
fn mode_at(file: &SourceFile, at: &str, v: &Value, diags: &mut Vec<Diagnostic>) -> Option<Mode> {
    let text = v.as_str();
    if let Some(m) = text.and_then(Mode::parse) {
        return Some(m);
    }
    let shown = text.map_or_else(|| v.to_string(), str::to_string);
    let norm = shown.trim().to_ascii_lowercase().replace('_', "-");
    let help = match crate::suggest::closest(&norm, Mode::NAMES) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("use one of: {}", Mode::NAMES.join(", ")),
    };
    diags.push(
        file.diag_at(
            "config-invalid",
            at,
            format!("`{shown}` is not a compatibility mode"),
        )
        .with_help(help),
    );
    None
}

/// `name: MODE` entries of one sub-section.
fn entries(
    file: &SourceFile,
    at: &str,
    v: &Value,
    what: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<ModeEntry> {
    let Some(map) = v.as_object() else {
        diags.push(file.diag_at(
            "config-invalid",
            at,
            format!("`diff.{what}` maps {what} to compatibility modes (`name: backward`)"),
        ));
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, m) in map {
        let eat = source::pointer::push(at, name);
        if let Some(mode) = mode_at(file, &eat, m, diags) {
            out.push(ModeEntry {
                name: name.clone(),
                mode,
                at: eat,
            });
        }
    }
    out
}

/// Read `diff:` at pointer `at` of the config file (`dir`: the config's folder).
pub fn parse(
    file: &SourceFile,
    at: &str,
    v: &Value,
    dir: &Path,
    diags: &mut Vec<Diagnostic>,
) -> DiffSettings {
    let mut out = DiffSettings::default();
    let Some(map) = v.as_object() else {
        diags.push(file.diag_at(
            "config-invalid",
            at,
            "`diff` is a mapping: compatibility, tags, documents, channels, messages, rules",
        ));
        return out;
    };
    for (key, v) in map {
        let kat = source::pointer::push(at, key);
        match key.as_str() {
            "compatibility" => out.compatibility = mode_at(file, &kat, v, diags),
            "tags" => match v.as_str() {
                Some(p) if globset::Glob::new(p).is_ok() && !p.is_empty() => {
                    out.tags = Some(p.to_string());
                }
                _ => diags.push(file.diag_at(
                    "config-invalid",
                    &kat,
                    "`diff.tags` is a glob over tag names, e.g. 'v*'",
                )),
            },
            "documents" => {
                for e in entries(file, &kat, v, "documents", diags) {
                    let path = dir.join(&e.name);
                    out.documents.push((path, e));
                }
            }
            "channels" => out.channels = entries(file, &kat, v, "channels", diags),
            "messages" => out.messages = entries(file, &kat, v, "messages", diags),
            "rules" => out.rules = crate::config::parse_rule_levels(file, &kat, v, diags),
            other => {
                let help = match crate::suggest::closest(other, KEYS) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("`diff` settings: {}", KEYS.join(", ")),
                };
                diags.push(
                    Diagnostic::new(
                        "config-invalid",
                        file.locate_key(&kat),
                        format!("unknown diff setting `{other}`"),
                    )
                    .with_help(help),
                );
            }
        }
    }
    out
}
