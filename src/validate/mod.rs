//! Structural and semantic checks of loaded documents. Reads the workspace (and the IR),
//! returns diagnostics; never prints.

use crate::diag::Diagnostic;
use crate::source::Workspace;

/// Run every structural check over the workspace's documents.
pub fn validate(_ws: &Workspace) -> Vec<Diagnostic> {
    Vec::new()
}
