//! `hnp-events docs`: load the architecture with its gates, render the site, write it
//! under --out (and nowhere else).

use std::path::{Component, Path, PathBuf};

use super::{ToolError, exit};
use crate::docs::{self, DocsFormat};
use crate::graph::arch;

pub const AFTER_HELP: &str = "\
Examples:
  hnp-events docs --out target/site                 # the documents, sagas and projections in ./hnp-events.yaml
  hnp-events docs fixtures/hnp --out target/site    # a folder: its documents, sagas and projections
  hnp-events docs --out wiki --format markdown      # Markdown with Mermaid diagrams
  hnp-events docs --out site --templates my-templates/   # override templates by file name

The site is self-contained (inline CSS and SVG; no scripts, fonts or network) and works
from file://: an overview (documents, the eight gate metrics, the flow diagram), the CQRS
table, and a page per channel, message, saga and projection.
Exit codes: 0 written, 2 the inputs could not be read, a template failed or the site
could not be written.";

#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct DocsArgs {
    /// Documents, folders, saga or projection files [default: those in ./hnp-events.yaml]
    pub paths: Vec<PathBuf>,
    /// The folder to write the site into (created if missing)
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: PathBuf,
    /// HTML site or Markdown pages
    #[arg(long, short = 'f', value_enum, default_value_t = DocsFormat::Html)]
    pub format: DocsFormat,
    /// Folder of templates overriding the embedded ones by file name
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Workspace root for $refs
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

/// A page path made of plain names (no `..`, not absolute): stays under --out.
fn confined(rel: &str) -> bool {
    Path::new(rel)
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
}

pub fn run(args: &DocsArgs) -> Result<u8, ToolError> {
    let config = arch::config();
    let inputs = arch::Inputs::from_paths(&args.paths, &config);
    let a = arch::load(&inputs, config, args.root.as_ref(), true).map_err(|e| match e {
        arch::LoadFailure::Load(e) => ToolError::Load(e),
        other => ToolError::Usage(other.to_string()),
    })?;
    let pages = docs::render(&a, args.format, args.templates.as_deref())
        .map_err(|e| ToolError::Usage(e.to_string()))?;
    let io =
        |p: &Path, e: std::io::Error| ToolError::Usage(format!("writing {}: {e}", p.display()));
    std::fs::create_dir_all(&args.out).map_err(|e| io(&args.out, e))?;
    for (rel, text) in &pages {
        if !confined(rel) {
            return Err(ToolError::Usage(format!(
                "internal error: page path `{rel}`"
            )));
        }
        let path = args.out.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        }
        super::write_atomic(&path, text)?;
    }
    Ok(exit::OK)
}
