//! Sagas declared over an AsyncAPI contract: the `*.saga.yaml` format, static checks
//! against the contract, a deterministic simulator over recorded event streams, the
//! invariants every run must keep, and systematic exploration of perturbed streams.
//!
//! Flow: `format` (parse) → `check` (static diagnostics) → `sim` (load sagas and
//! contracts, read and validate a stream) → `engine` (virtual-clock orchestrator) →
//! `invariants` → `render`; `explore` re-runs `engine` on perturbed streams.
//!
//! Reading a JSON Lines stream: `scan` parses each line onto a reused `tape`
//! (strings stay in the line buffer), validation runs on the tape, and the engine
//! reads events through `view` (an owned `stream::Event` or the tape) — no
//! `serde_json::Value` is built for an event that is valid; lines the scanner does
//! not accept, and invalid events, go the serde way for the reference result and
//! the located messages.

pub mod captures;
pub mod check;
pub mod child;
pub mod cond;
pub mod contract;
pub mod duration;
pub mod engine;
pub mod expect;
pub mod explore;
pub mod format;
pub mod hash;
pub mod invariants;
pub mod inverses;
pub mod render;
pub(crate) mod scan;
pub mod schema;
pub mod sim;
pub mod soundness;
pub mod stats;
pub mod stream;
pub mod tape;
pub mod view;

use std::path::Path;
use std::sync::Arc;

use crate::diag::Diagnostic;
use crate::source::{self, Workspace};

pub use check::completeness;
pub use format::Saga;
pub use schema::json_schema;

/// Read and parse a saga file. `Err` holds located diagnostics (unreadable file,
/// YAML/JSON syntax, `saga-invalid`).
pub fn load(path: &Path, display: Arc<str>) -> Result<Saga, Vec<Diagnostic>> {
    let mut stack = Vec::new();
    load_nested(path, display, &mut stack)
}

/// [`load`] as a child of the sagas on `stack` (their canonical paths; a cycle is an
/// error). The child sagas of its steps are loaded and linked (see [`child`]).
pub(crate) fn load_nested(
    path: &Path,
    display: Arc<str>,
    stack: &mut Vec<std::path::PathBuf>,
) -> Result<Saga, Vec<Diagnostic>> {
    let bytes = crate::fsio::read_regular(path).map_err(|e| {
        vec![Diagnostic::new(
            "file-unreadable",
            crate::diag::Location::file(display.clone()),
            format!("cannot read the saga: {e}"),
        )]
    })?;
    let mut diags = Vec::new();
    let file = source::parse_file(path, bytes, display.clone(), &mut diags);
    if file.value.is_none()
        || diags
            .iter()
            .any(|d| d.severity == crate::diag::Severity::Error)
    {
        return Err(diags);
    }
    match format::parse(file, &mut diags) {
        Some(mut s) if diags.is_empty() => {
            if s.steps.iter().any(|st| st.child.is_some()) {
                let me = s.source.path.clone();
                let pushed = stack.last() != Some(&me);
                if pushed {
                    stack.push(me);
                }
                child::link(&mut s, &display, stack, &mut diags);
                if pushed {
                    stack.pop();
                }
                if !diags.is_empty() {
                    return Err(diags);
                }
            }
            Ok(s)
        }
        _ => Err(diags),
    }
}

/// Static checks of a saga against the workspace of its contract (its first input).
pub fn check(saga: &Saga, ws: &Workspace) -> Vec<Diagnostic> {
    match contract::Contract::new(ws) {
        Ok(c) => check::check_with(saga, &c),
        Err(e) => vec![saga.source.diag_at(
            "saga-contract",
            "/contract",
            format!("the contract `{}` cannot be used: {e}", saga.contract),
        )],
    }
}
