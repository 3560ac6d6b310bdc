//! The workspace configuration file `hnp-events.yaml`: which documents and sagas to
//! load, the fail threshold, the workspace root, per-rule severities, gate thresholds
//! (`crate::gates::settings`) and `ignore` entries (applied by `crate::suppress`).
//!
//! Parsed with the project's own positioned loader, so a bad key or value is a located
//! diagnostic like any other.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use crate::diag::{Diagnostic, Location, Severity, rule_meta};
use crate::source::{self, SourceFile};

/// The file name looked for in the current folder.
pub const CONFIG_FILE: &str = "hnp-events.yaml";

/// When `validate` fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    /// The lowest severity that fails the run.
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "error" => FailOn::Error,
            "warning" => FailOn::Warning,
            "info" => FailOn::Info,
            "never" => FailOn::Never,
            _ => return None,
        })
    }
}

/// A rule's configured level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleLevel {
    Off,
    On(Severity),
}

/// The parsed configuration. Paths are resolved against the config file's folder.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The config file itself, when one was read.
    pub path: Option<PathBuf>,
    /// The folder holding the config (the default workspace root).
    pub dir: PathBuf,
    pub documents: Vec<PathBuf>,
    pub fail_on: Option<FailOn>,
    pub root: Option<PathBuf>,
    pub rules: BTreeMap<String, RuleLevel>,
    /// Saga files (`*.saga.yaml`) checked with the documents; they feed saga_completeness.
    pub sagas: Vec<PathBuf>,
    /// Projection and upcast files (`*.projection.yaml`, `*.upcast.yaml`) statically checked with the documents.
    pub projections: Vec<PathBuf>,
    pub gates: crate::gates::Settings,
    pub ignore: Vec<IgnoreEntry>,
    /// The `diff:` section (`crate::diff::settings`).
    pub diff: crate::diff::settings::DiffSettings,
    /// The stream objectives `simulate` measures against.
    pub objectives: crate::metrics::Objectives,
}

/// One `ignore:` entry: findings in files matching `path`, at or under `pointer`, of
/// `rules` (all rules when empty) are suppressed.
#[derive(Debug, Clone)]
pub struct IgnoreEntry {
    /// Matched against the finding's file path relative to `base`.
    pub glob: globset::GlobMatcher,
    /// The folder holding the config file, made absolute.
    pub base: PathBuf,
    pub pointer: Option<String>,
    pub rules: Vec<String>,
}

impl Config {
    /// Read and check a config file. Diagnostics locate every problem; a config with
    /// errors is still returned with what could be read.
    pub fn load(path: &Path) -> Result<(Config, Vec<Diagnostic>, Option<SourceFile>), String> {
        let bytes =
            crate::fsio::read_regular(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let display: Arc<str> = Arc::from(path.to_string_lossy().as_ref());
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        let mut cfg = Config {
            path: Some(path.to_path_buf()),
            dir: dir.clone(),
            ..Config::default()
        };
        let mut diags = Vec::new();
        let file = match source::load_text_file(path, bytes, display, &mut diags) {
            Some(f) => f,
            None => return Ok((cfg, diags, None)),
        };
        let Some(Value::Object(map)) = file.value.as_ref() else {
            diags.push(file.diag_at(
                "config-invalid",
                "",
                "the configuration must be a mapping of settings",
            ));
            return Ok((cfg, diags, Some(file)));
        };
        for (key, v) in map {
            let at = source::pointer::push("", key);
            match key.as_str() {
                "documents" => match v.as_array() {
                    Some(items) => {
                        for (i, item) in items.iter().enumerate() {
                            match item.as_str() {
                                Some(s) => cfg.documents.push(dir.join(s)),
                                None => diags.push(file.diag_at(
                                    "config-invalid",
                                    &source::pointer::push(&at, &i.to_string()),
                                    "each document must be a path string",
                                )),
                            }
                        }
                    }
                    None => diags.push(file.diag_at(
                        "config-invalid",
                        &at,
                        "`documents` must be a list of paths",
                    )),
                },
                "fail-on" => match v.as_str().and_then(FailOn::parse) {
                    Some(f) => cfg.fail_on = Some(f),
                    None => diags.push(file.diag_at(
                        "config-invalid",
                        &at,
                        "`fail-on` must be one of: error, warning, info, never",
                    )),
                },
                "root" => match v.as_str() {
                    Some(s) => cfg.root = Some(dir.join(s)),
                    None => diags.push(file.diag_at(
                        "config-invalid",
                        &at,
                        "`root` must be a folder path",
                    )),
                },
                "rules" => cfg.rules = parse_rule_levels(&file, &at, v, &mut diags),
                "sagas" => match v.as_array() {
                    Some(items) => {
                        for (i, item) in items.iter().enumerate() {
                            match item.as_str() {
                                Some(s) => cfg.sagas.push(dir.join(s)),
                                None => diags.push(file.diag_at(
                                    "config-invalid",
                                    &source::pointer::push(&at, &i.to_string()),
                                    "each saga must be a path string",
                                )),
                            }
                        }
                    }
                    None => diags.push(file.diag_at(
                        "config-invalid",
                        &at,
                        "`sagas` must be a list of paths to `*.saga.yaml` files",
                    )),
                },
                "projections" => match v.as_array() {
                    Some(items) => {
                        for (i, item) in items.iter().enumerate() {
                            match item.as_str() {
                                Some(s) => cfg.projections.push(dir.join(s)),
                                None => diags.push(file.diag_at(
                                    "config-invalid",
                                    &source::pointer::push(&at, &i.to_string()),
                                    "each projection must be a path string",
                                )),
                            }
                        }
                    }
                    None => diags.push(file.diag_at(
                        "config-invalid",
                        &at,
                        "`projections` must be a list of paths to `*.projection.yaml` files",
                    )),
                },
                "gates" => cfg.gates = crate::gates::Settings::parse(&file, &at, v, &mut diags),
                "diff" => cfg.diff = crate::diff::settings::parse(&file, &at, v, &dir, &mut diags),
                "ignore" => cfg.ignore = parse_ignore(&file, &at, v, &dir, &mut diags),
                "objectives" => {
                    cfg.objectives = crate::metrics::parse_objectives(&file, &at, v, &mut diags)
                }
                other => {
                    let mut d = Diagnostic::new(
                        "config-invalid",
                        file.locate_key(&at),
                        format!("unknown setting `{other}`"),
                    );
                    if let Some(s) = crate::suggest::closest(other, KEYS) {
                        d = d.with_help(format!("did you mean `{s}`?"));
                    } else {
                        d = d.with_help(format!("known settings: {}", KEYS.join(", ")));
                    }
                    diags.push(d);
                }
            }
        }
        Ok((cfg, diags, Some(file)))
    }

    /// Apply per-rule levels: drop rules turned off, change severities.
    pub fn apply_rule_levels(&self, diags: &mut Vec<Diagnostic>) {
        if self.rules.is_empty() {
            return;
        }
        diags.retain_mut(|d| match self.rules.get(d.rule) {
            Some(RuleLevel::Off) => false,
            Some(RuleLevel::On(s)) => {
                d.severity = *s;
                true
            }
            None => true,
        });
    }
}

const KEYS: &[&str] = &[
    "diff",
    "documents",
    "fail-on",
    "gates",
    "ignore",
    "objectives",
    "projections",
    "root",
    "rules",
    "sagas",
];

/// Read a `rules:` map (rule id → level) at pointer `at`: unknown ids and levels are
/// located errors, with the closest rule id suggested.
pub fn parse_rule_levels(
    file: &SourceFile,
    at: &str,
    v: &Value,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, RuleLevel> {
    let mut out = BTreeMap::new();
    let Some(rules) = v.as_object() else {
        diags.push(file.diag_at("config-invalid", at, "`rules` must map rule ids to levels"));
        return out;
    };
    for (id, level) in rules {
        let rat = source::pointer::push(at, id);
        if rule_meta(id).is_none() {
            let ids: Vec<&str> = crate::diag::RULES.iter().map(|r| r.id).collect();
            let help = match crate::suggest::closest(id, &ids) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "`hnp-events rules` lists every rule id".to_string(),
            };
            diags.push(
                Diagnostic::new(
                    "config-invalid",
                    file.locate_key(&rat),
                    format!("unknown rule `{id}`"),
                )
                .with_help(help),
            );
            continue;
        }
        let lvl = match level.as_str() {
            Some("off") => Some(RuleLevel::Off),
            Some("hint") => Some(RuleLevel::On(Severity::Hint)),
            Some("info") => Some(RuleLevel::On(Severity::Info)),
            Some("warning") => Some(RuleLevel::On(Severity::Warning)),
            Some("error") => Some(RuleLevel::On(Severity::Error)),
            _ => None,
        };
        match lvl {
            Some(l) => {
                out.insert(id.clone(), l);
            }
            None => diags.push(file.diag_at(
                "config-invalid",
                &rat,
                "a rule level must be one of: off, hint, info, warning, error",
            )),
        }
    }
    out
}

/// Read the `ignore:` list.
fn parse_ignore(
    file: &SourceFile,
    at: &str,
    v: &Value,
    dir: &Path,
    diags: &mut Vec<Diagnostic>,
) -> Vec<IgnoreEntry> {
    let mut out = Vec::new();
    let base = crate::source::normalise_path(dir);
    let Some(items) = v.as_array() else {
        diags.push(file.diag_at(
            "config-invalid",
            at,
            "`ignore` must be a list of `{path, pointer, rules}` entries",
        ));
        return out;
    };
    for (i, item) in items.iter().enumerate() {
        let iat = source::pointer::push(at, &i.to_string());
        let Some(fields) = item.as_object() else {
            diags.push(file.diag_at(
                "config-invalid",
                &iat,
                "an ignore entry is a mapping: `{path, pointer, rules}`",
            ));
            continue;
        };
        let mut glob = None;
        let mut pointer = None;
        let mut rules = Vec::new();
        let mut ok = true;
        for (k, fv) in fields {
            let fat = source::pointer::push(&iat, k);
            match (k.as_str(), fv) {
                ("path", Value::String(p)) => match globset::Glob::new(p) {
                    Ok(g) => glob = Some(g.compile_matcher()),
                    Err(e) => {
                        ok = false;
                        diags.push(file.diag_at("config-invalid", &fat, format!("bad glob: {e}")));
                    }
                },
                ("pointer", Value::String(p)) if p.is_empty() || p.starts_with('/') => {
                    pointer = Some(p.clone());
                }
                ("pointer", _) => {
                    ok = false;
                    diags.push(file.diag_at(
                        "config-invalid",
                        &fat,
                        "`pointer` is a JSON pointer (`/channels/old`)",
                    ));
                }
                ("rules", Value::Array(ids)) => {
                    for (j, id) in ids.iter().enumerate() {
                        let rat = source::pointer::push(&fat, &j.to_string());
                        match id.as_str() {
                            Some(id) if rule_meta(id).is_some() => rules.push(id.to_string()),
                            Some(id) => {
                                ok = false;
                                let ids: Vec<&str> =
                                    crate::diag::RULES.iter().map(|r| r.id).collect();
                                let mut d = file.diag_at(
                                    "config-invalid",
                                    &rat,
                                    format!("unknown rule `{id}`"),
                                );
                                if let Some(s) = crate::suggest::closest(id, &ids) {
                                    d = d.with_help(format!("did you mean `{s}`?"));
                                }
                                diags.push(d);
                            }
                            None => {
                                ok = false;
                                diags.push(file.diag_at(
                                    "config-invalid",
                                    &rat,
                                    "a rule id is a string",
                                ));
                            }
                        }
                    }
                }
                _ => {
                    ok = false;
                    diags.push(
                        Diagnostic::new("config-invalid", file.locate_key(&fat), format!("unknown or invalid ignore setting `{k}`"))
                            .with_help("an ignore entry has `path` (a glob), optional `pointer` and optional `rules`"),
                    );
                }
            }
        }
        match glob {
            Some(glob) if ok => out.push(IgnoreEntry {
                glob,
                base: base.clone(),
                pointer,
                rules,
            }),
            Some(_) => {}
            None => {
                if ok {
                    diags.push(file.diag_at(
                        "config-invalid",
                        &iat,
                        "an ignore entry needs a `path` glob",
                    ));
                }
            }
        }
    }
    out
}

/// A location for the config file as a whole.
pub fn config_location(path: &Path) -> Location {
    Location::file(path.to_string_lossy().as_ref())
}
