//! `hnp-events classify`: load, build the IR, classify, print.

use std::path::PathBuf;

use super::{ToolError, exit, write_stdout};
use crate::classify;

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
request / reply (AsyncAPI `reply`). Override with `x-hnp-cqrs: command|query`.")]
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

pub fn run(args: &ClassifyArgs) -> Result<u8, ToolError> {
    let ws = super::load_documents(&args.paths, args.root.as_ref())?;
    let (model, _) = crate::model::build(&ws);
    let (rows, _diags) = classify::classify(&ws, &model);
    let text = match args.format {
        ClassifyFormat::Table => classify::table(&rows),
        ClassifyFormat::Json => classify::json(&rows),
        ClassifyFormat::Markdown => classify::markdown(&rows),
    };
    write_stdout(&text)?;
    Ok(exit::OK)
}
