//! The architecture as `graph` and `docs` read it: the documents' workspace and IR, the
//! CQRS rows, the saga and projection files, and — on demand — the gate metrics and
//! every finding. Loads through the public APIs of `source`, `model`, `classify`,
//! `gates`, `saga` and `projection`; changes nothing there.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::classify::Row;
use crate::config::{CONFIG_FILE, Config};
use crate::diag::{Diagnostic, Location, Severity};
use crate::gates::Metric;
use crate::model::Model;
use crate::projection::Projection;
use crate::saga::Saga;
use crate::source::{LoadOptions, Workspace};

/// What the user named: API documents, saga files and projection files.
#[derive(Debug, Default, Clone)]
pub struct Inputs {
    pub documents: Vec<PathBuf>,
    pub sagas: Vec<PathBuf>,
    pub projections: Vec<PathBuf>,
}

fn is_saga(p: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    [".saga.yaml", ".saga.yml", ".saga.json"]
        .iter()
        .any(|s| name.ends_with(s))
}

/// Saga and projection files under a folder (sorted; hidden folders and `target` are
/// skipped; at most 16 levels deep).
fn walk_side_files(dir: &Path, depth: usize, out: &mut Inputs) {
    if depth > 16 {
        return;
    }
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with('.') || name == "target" || name == "node_modules" {
            continue;
        }
        // No symbolic links to folders: a loop would never end.
        let Ok(meta) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        if meta.is_dir() {
            walk_side_files(&p, depth + 1, out);
        } else if is_saga(&p) {
            out.sagas.push(p);
        } else if crate::projection::is_projection_path(&p) {
            out.projections.push(p);
        }
    }
}

impl Inputs {
    /// Sort paths into documents, sagas and projections; with no paths, the ones listed
    /// in the config. A folder is read for documents and for the saga and projection
    /// files under it.
    pub fn from_paths(paths: &[PathBuf], config: &Config) -> Inputs {
        if paths.is_empty() {
            return Inputs {
                documents: config.documents.clone(),
                sagas: config.sagas.clone(),
                projections: config.projections.clone(),
            };
        }
        let mut out = Inputs::default();
        for p in paths {
            if is_saga(p) {
                out.sagas.push(p.clone());
            } else if crate::projection::is_projection_path(p) {
                out.projections.push(p.clone());
            } else {
                if p.is_dir() {
                    walk_side_files(p, 0, &mut out);
                }
                out.documents.push(p.clone());
            }
        }
        out
    }
}

/// A loaded architecture.
pub struct Arch {
    pub config: Config,
    pub ws: Workspace,
    pub model: Model,
    pub rows: Vec<Row>,
    pub sagas: Vec<Saga>,
    pub projections: Vec<Projection>,
    /// The gate metrics (empty when the gates did not run).
    pub metrics: Vec<Metric>,
    /// Why the gates did not run, when they did not.
    pub gates_skipped: Option<String>,
    /// Every finding: structural, saga and projection checks, gate misses (sorted).
    pub findings: Vec<Diagnostic>,
}

/// How a side file is shown: relative to the working directory.
pub fn display(p: &Path) -> Arc<str> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let shown = p.strip_prefix(&cwd).unwrap_or(p);
    let shown = shown.strip_prefix(".").unwrap_or(shown);
    Arc::from(shown.to_string_lossy().as_ref())
}

/// The config in the working directory, when there is one.
pub fn config() -> Config {
    Path::new(CONFIG_FILE)
        .is_file()
        .then(|| Config::load(Path::new(CONFIG_FILE)).ok())
        .flatten()
        .map(|(cfg, _, _)| cfg)
        .unwrap_or_default()
}

/// A failure to load (exit code 2).
#[derive(Debug)]
pub enum LoadFailure {
    Usage(String),
    Load(crate::source::workspace::LoadError),
    /// A saga or projection file that cannot be read or parsed.
    Side(Vec<Diagnostic>),
}

impl std::fmt::Display for LoadFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadFailure::Usage(s) => f.write_str(s),
            LoadFailure::Load(e) => write!(f, "{e}"),
            LoadFailure::Side(d) => {
                let first = d.first().map(|d| format!("{}: {}", d.location, d.message));
                write!(
                    f,
                    "{}",
                    first.unwrap_or_else(|| "unusable file".to_string())
                )
            }
        }
    }
}

/// Load the inputs; `gates`: also measure them (metrics and every finding).
pub fn load(
    inputs: &Inputs,
    config: Config,
    root: Option<&PathBuf>,
    gates: bool,
) -> Result<Arch, LoadFailure> {
    let mut sagas = Vec::new();
    let mut findings = Vec::new();
    for p in &inputs.sagas {
        match crate::saga::load(p, display(p)) {
            Ok(s) => sagas.push(s),
            Err(d) => return Err(LoadFailure::Side(d)),
        }
    }
    let mut projections = Vec::new();
    // Upcast files (listed under `projections:` too) are no read model: no node.
    for p in inputs
        .projections
        .iter()
        .filter(|p| !crate::projection::is_upcast_path(p))
    {
        match crate::projection::load(p, display(p)) {
            Ok(s) => projections.push(s),
            Err((d, _)) => return Err(LoadFailure::Side(d)),
        }
    }
    let mut documents = inputs.documents.clone();
    if documents.is_empty() {
        // Only side files: their contracts are the documents.
        let contracts = sagas
            .iter()
            .map(|s| &s.contract_path)
            .chain(projections.iter().map(|p| &p.contract_path));
        for c in contracts {
            if !documents.contains(c) {
                documents.push(c.clone());
            }
        }
    }
    if documents.is_empty() {
        return Err(LoadFailure::Usage(format!(
            "no PATH given and no documents listed in {CONFIG_FILE}"
        )));
    }
    let opts = LoadOptions {
        root: root.cloned(),
        config_root: config
            .path
            .as_ref()
            .map(|_| config.root.clone().unwrap_or_else(|| config.dir.clone())),
        allow_ref_outside: false,
    };
    let ws = Workspace::load(&documents, &opts).map_err(LoadFailure::Load)?;
    let (structural, model) = crate::validate::validate_with_model(&ws);
    let verbs = config.gates.verbs().into_owned();
    let (rows, classify_diags) = crate::classify::classify_with(&ws, &model, &verbs);
    let served: std::collections::BTreeSet<String> = projections
        .iter()
        .flat_map(|p| p.serves.iter().map(|n| n.name.clone()))
        .collect();
    let mut metrics = Vec::new();
    let mut gates_skipped = None;
    if gates {
        findings.extend(ws.diagnostics.iter().cloned());
        findings.extend(structural.iter().cloned());
        let errors = structural
            .iter()
            .chain(&ws.diagnostics)
            .filter(|d| d.severity == Severity::Error && d.rule != "schema-example-invalid")
            .count();
        // Each saga against its own contract (not the first document loaded here).
        match crate::saga::sim::load(&inputs.sagas, display) {
            Ok(l) => findings.extend(l.diagnostics),
            Err((d, _)) => findings.extend(d),
        }
        for p in &inputs.projections {
            if let Ok(c) = crate::projection::load_and_check(p, display(p)) {
                findings.extend(c.diagnostics);
            }
        }
        if errors > 0 {
            gates_skipped = Some(format!(
                "architecture gates not run: the documents have {errors} structural error{}",
                if errors == 1 { "" } else { "s" }
            ));
        } else if !config.gates.all_off {
            let suppressor = crate::suppress::Suppressor::new(&config.ignore, &ws);
            let first = ws
                .inputs
                .first()
                .map(|&f| ws.file(f).file_location())
                .unwrap_or_else(|| Location::file("."));
            let anchor = |_: &str| first.clone();
            let enabled = |_: &str| true;
            let suppressed = |rule: &str, loc: &Location| suppressor.suppressed(rule, loc);
            let input = crate::gates::Input {
                ws: &ws,
                model: &model,
                rows: &rows,
                classify_diags: &classify_diags,
                sagas: &sagas,
                all_sagas: true,
                verbs: &verbs,
                served: (!inputs.projections.is_empty()).then_some(&served),
            };
            let filter = crate::gates::Filter {
                enabled: &enabled,
                suppressed: &suppressed,
                anchor: &anchor,
            };
            let (m, d) = crate::gates::run(&input, &config.gates, &filter);
            metrics = m;
            findings.extend(d);
            suppressor.apply(&mut findings);
        }
        crate::diag::sort_and_dedup(&mut findings);
    }
    Ok(Arch {
        config,
        ws,
        model,
        rows,
        sagas,
        projections,
        metrics,
        gates_skipped,
        findings,
    })
}
