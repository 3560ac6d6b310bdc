//! `hnp-events docs`: load the architecture with its gates, render the site, write it
//! under --out (and nowhere else).

use std::path::{Component, Path, PathBuf};

use serde_json::{Value, json};

use super::{ToolError, exit};
use crate::diag::Severity;
use crate::diff::contract::Finding;
use crate::docs::{self, DocsFormat};
use crate::graph::arch;

pub const AFTER_HELP: &str = "\
Examples:
  hnp-events docs --out target/site                 # the documents, sagas and projections in ./hnp-events.yaml
  hnp-events docs fixtures/hnp --out target/site    # a folder: its documents, sagas and projections
  hnp-events docs --out wiki --format markdown      # Markdown with Mermaid diagrams
  hnp-events docs --out site --templates my-templates/   # override templates by file name
  hnp-events docs --out site --base v1.3.0          # with the changelog (`diff`) from a git revision

The site is self-contained (inline CSS and SVG; no fonts, external scripts or network;
one small inline script adds a filter box to the overview) and works from file://: an
overview (documents, the eight gate metrics, the flow diagram with gate misses marked), the CQRS
table, and a page per channel, message, saga and projection. With --base, a changelog
page (Markdown: a section of the overview): what `hnp-events diff REV` reports for the
documents and the configured sagas, from REV to the working tree.
Exit codes: 0 written, 2 the inputs could not be read, a template failed, --base is not
a revision of the git repository around the documents, or the site could not be written.";

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
    /// Add the changelog from this git revision to the working tree (as `hnp-events diff
    /// REV` reports it for the documents)
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
}

/// The contract changes of `documents` from `base` to the working tree: what
/// `hnp-events diff BASE DOCUMENTS` reports (sagas, compatibility modes and the config's
/// rule levels included), from the same function.
fn changelog(base: &str, documents: &[PathBuf]) -> Result<Vec<Finding>, ToolError> {
    let mut args = vec![base.to_string()];
    for d in documents {
        let abs = d
            .canonicalize()
            .map_err(|e| ToolError::Usage(format!("--base {base}: {}: {e}", d.display())))?;
        args.push(abs.to_string_lossy().into_owned());
    }
    let args = super::diff::DiffArgs {
        args,
        base_from_upstream: false,
        compatibility: None,
        tags: None,
        format: crate::report::Format::Human,
        output: None,
        fail_on: None,
        quiet: false,
        color: super::ColorChoice::Never,
        root: None,
    };
    super::diff::changelog(&args).map_err(|e| match e {
        ToolError::Usage(m) => ToolError::Usage(format!("--base {base}: {m}")),
        other => other,
    })
}

/// Which findings a changelog section takes, by severity.
type Pick = fn(Severity) -> bool;

/// The changelog in the site's context: counts, and findings by section and group
/// (breaking / to review / non-breaking, as `diff --format markdown` orders them).
fn changelog_context(findings: &[Finding], base: &str) -> Value {
    let head = "the working tree";
    let sections: [(&str, Pick); 3] = [
        ("Breaking", |s| s == Severity::Error),
        ("To review", |s| s == Severity::Warning),
        ("Non-breaking", |s| s < Severity::Warning),
    ];
    let mut out = Vec::new();
    let mut counts = Vec::new();
    for (title, pick) in sections {
        let mut groups: std::collections::BTreeMap<&str, Vec<Value>> = Default::default();
        for f in findings.iter().filter(|f| pick(f.diag.severity)) {
            let d = &f.diag;
            let at = match d.location.line() {
                Some(l) => format!("{}:{l}", d.location.file),
                None => d.location.file.to_string(),
            };
            groups
                .entry(f.group.as_str())
                .or_default()
                .push(json!({"rule": d.rule, "message": d.message, "at": at}));
        }
        counts.push(groups.values().map(Vec::len).sum::<usize>());
        if !groups.is_empty() {
            let groups: Vec<Value> = groups
                .into_iter()
                .map(|(g, items)| json!({"group": g, "items": items}))
                .collect();
            out.push(json!({"title": title, "groups": groups}));
        }
    }
    json!({
        "base": base,
        "head": head,
        "breaking": counts[0],
        "review": counts[1],
        "other": counts[2],
        "sections": out,
        "markdown": crate::diff::render::markdown(findings, base, head),
    })
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
    let mut ctx = docs::context::build(&a);
    if let Some(base) = &args.base {
        let findings = changelog(base, &inputs.documents)?;
        ctx["changelog"] = changelog_context(&findings, base);
    }
    let pages = docs::render_context(&ctx, args.format, args.templates.as_deref())
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
