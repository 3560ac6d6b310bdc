//! Event-sourced projections (read models) declared over an AsyncAPI contract: the
//! `*.projection.yaml` format, static checks against the contract, replay of recorded
//! streams into rows (state validated after every event), snapshot equivalence,
//! idempotency and order checks, and upcasters for old events.
//!
//! Flow: `format` (parse, checked against `schema`) → `compiled` (jq programs via
//! jaq, state schema resolved) → `check` (static diagnostics, with `contract` facts)
//! → `replay` (fold, checks) with `upcast`. Reads the saga module's contract and stream
//! readers; changes nothing there. Nothing here prints.

pub mod check;
pub mod compiled;
pub mod contract;
pub mod evolve;
pub mod format;
pub mod jq;
pub mod native;
pub mod replay;
pub mod schema;
pub mod upcast;
pub mod valjson;

use std::path::Path;
use std::sync::Arc;

use crate::diag::{Diagnostic, Severity, SourceSet};
use crate::source::{self, Workspace};

pub use compiled::Compiled;
pub use format::Projection;
pub use schema::{json_schema, upcast_json_schema};

fn name_ends(p: &Path, kind: &str) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    ["yaml", "yml", "json"]
        .iter()
        .any(|ext| name.ends_with(&format!(".{kind}.{ext}")))
}

/// Whether a path names a projection file.
pub fn is_projection_path(p: &Path) -> bool {
    name_ends(p, "projection")
}

/// Whether a path names an upcast file (`*.upcast.yaml`).
pub fn is_upcast_path(p: &Path) -> bool {
    name_ends(p, "upcast")
}

/// Whether a path names a projection or an upcast file: `validate` checks both,
/// `simulate` replays both, `projections:` in hnp-events.yaml lists both.
pub fn is_event_sourcing_path(p: &Path) -> bool {
    is_projection_path(p) || is_upcast_path(p)
}

/// Read and parse a projection file. `Err` holds located diagnostics.
pub fn load(path: &Path, display: Arc<str>) -> Result<Projection, (Vec<Diagnostic>, SourceSet)> {
    let mut sources = SourceSet::default();
    let bytes = crate::fsio::read_regular(path).map_err(|e| {
        (
            vec![Diagnostic::new(
                "file-unreadable",
                crate::diag::Location::file(display.clone()),
                format!("cannot read the projection: {e}"),
            )],
            SourceSet::default(),
        )
    })?;
    let mut diags = Vec::new();
    let file = source::parse_file(path, bytes, display, &mut diags);
    sources.insert(file.display.clone(), file.text.clone());
    if file.value.is_none() || diags.iter().any(|d| d.severity == Severity::Error) {
        return Err((diags, sources));
    }
    match format::parse(file, &mut diags) {
        Some(p) if diags.is_empty() => Ok(p),
        _ => Err((diags, sources)),
    }
}

/// A projection with its contract loaded, compiled and checked.
pub struct Checked {
    pub projection: Projection,
    pub ws: Workspace,
    /// `None` when a reducer, transform or the state schema did not compile.
    pub compiled: Option<Compiled>,
    /// Static findings (and compile errors).
    pub diagnostics: Vec<Diagnostic>,
    pub sources: SourceSet,
}

/// Load a projection and its contract, compile and check it. `Err` when the file or
/// its contract cannot be used at all.
pub fn load_and_check(
    path: &Path,
    display: Arc<str>,
) -> Result<Checked, (Vec<Diagnostic>, SourceSet)> {
    let p = load(path, display)?;
    let mut sources = SourceSet::default();
    sources.insert(p.source.display.clone(), p.source.text.clone());
    for u in &p.upcasters {
        if let Some(f) = &u.origin {
            sources.insert(f.display.clone(), f.text.clone());
        }
    }
    let ws = match crate::saga::contract::load_workspace(&p.contract_path) {
        Ok(ws) => ws,
        Err(e) => {
            return Err((
                vec![p.source.diag_at(
                    "projection-contract",
                    "/contract",
                    format!("the contract `{}` cannot be loaded: {e}", p.contract),
                )],
                sources,
            ));
        }
    };
    sources.extend(ws.sources());
    let contract = match crate::saga::contract::Contract::new(&ws) {
        Ok(c) => c,
        Err(e) => {
            return Err((
                vec![p.source.diag_at(
                    "projection-contract",
                    "/contract",
                    format!("the contract `{}` cannot be used: {e}", p.contract),
                )],
                sources,
            ));
        }
    };
    let mut diagnostics = contract.load_errors();
    let compiled = compiled::compile(&p, &ws, &mut diagnostics);
    diagnostics.extend(check::check(&p, &contract, compiled.as_ref()));
    crate::diag::sort_and_dedup(&mut diagnostics);
    Ok(Checked {
        projection: p,
        ws,
        compiled,
        diagnostics,
        sources,
    })
}
