//! `hnp-events classify`: load, build the IR, classify, print.

use std::path::PathBuf;

use std::io::Write;

use super::{ToolError, exit, write_stdout};
use crate::classify;
use crate::diag::Severity;
use crate::report::{Format, RenderOptions, Report, Summary};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ClassifyFormat {
    /// An aligned table
    Table,
    /// JSON for tools
    Json,
    /// A Markdown table for pull-request comments
    Markdown,
}

#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  hnp-events classify                                  # the documents in ./hnp-events.yaml
  hnp-events classify fixtures/hnp/openapi.yaml
  hnp-events classify api/ --format markdown > cqrs.md

Kinds: command (changes state), query (reads), event published / event consumed,
request / reply (AsyncAPI `reply`). Override with `x-hnp-cqrs: command|query`.
AsyncAPI 2.x operations show the document's word: `publish` (the application receives)
or `subscribe` (it sends).
Exit codes: 0 classified, 1 the documents have structural errors (printed on standard
error; the classification may be incomplete), 2 the documents could not be read.")]
pub struct ClassifyArgs {
    /// Files or folders [default: the documents listed in ./hnp-events.yaml]
    pub paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = ClassifyFormat::Table)]
    pub format: ClassifyFormat,
    /// Workspace root for $refs
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

/// Classify what can be classified; structural errors of the documents go to standard
/// error (with their locations) and make the exit code 1, since a broken document's
/// classification may be incomplete.
pub fn run(args: &ClassifyArgs) -> Result<u8, ToolError> {
    let ws = super::load_documents(&args.paths, args.root.as_ref())?;
    let (mut errors, model) = crate::validate::validate_with_model(&ws);
    errors.extend(ws.diagnostics.iter().cloned());
    errors.retain(|d| d.severity == Severity::Error);
    crate::diag::sort_and_dedup(&mut errors);
    let verbs = super::config_verbs();
    let (rows, _diags) = classify::classify_with(&ws, &model, &verbs);
    let text = match args.format {
        ClassifyFormat::Table => classify::table(&rows),
        ClassifyFormat::Json => classify::json(&rows),
        ClassifyFormat::Markdown => classify::markdown(&rows),
    };
    write_stdout(&text)?;
    if errors.is_empty() {
        return Ok(exit::OK);
    }
    let sources = ws.sources();
    let summary = Summary::default();
    let report = Report {
        diagnostics: &errors,
        sources: &sources,
        summary: &summary,
    };
    let opts = RenderOptions {
        quiet: true,
        ..RenderOptions::default()
    };
    let n = errors.len();
    let mut msg = crate::report::render(Format::Human, &report, opts);
    msg.push_str(&format!(
        "error: the documents have {n} structural {}; the classification above may be incomplete (`hnp-events validate` shows every finding)\n",
        if n == 1 { "error" } else { "errors" }
    ));
    let mut err = std::io::stderr().lock();
    // Standard error going away is no reason to fail differently.
    let _ = err.write_all(msg.as_bytes());
    Ok(exit::FINDINGS)
}
