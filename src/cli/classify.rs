//! `hnp-events classify`: load, build the IR, classify, print.

use std::path::PathBuf;

use super::{ToolError, exit, write_stdout};
use crate::classify;
use crate::config::{CONFIG_FILE, Config};
use crate::source::{LoadOptions, Workspace};

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
    let mut config = Config::default();
    if std::path::Path::new(CONFIG_FILE).is_file() {
        if let Ok((cfg, _, _)) = Config::load(std::path::Path::new(CONFIG_FILE)) {
            config = cfg;
        }
    }
    let inputs = if args.paths.is_empty() {
        if config.documents.is_empty() {
            return Err(ToolError::Usage(format!(
                "no PATH given and no documents listed in {CONFIG_FILE}"
            )));
        }
        config.documents.clone()
    } else {
        args.paths.clone()
    };
    let opts = LoadOptions {
        root: args.root.clone(),
        config_root: config.path.as_ref().map(|_| config.dir.clone()),
        allow_ref_outside: false,
    };
    let ws = Workspace::load(&inputs, &opts)?;
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
