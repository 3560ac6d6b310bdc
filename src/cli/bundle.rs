//! `hnp-events bundle`: load one document and everything it $refs, write it as one file.

use std::path::PathBuf;

use super::{ToolError, exit, write_atomic};
use crate::source::{LoadOptions, Workspace};

pub const AFTER_HELP: &str = "\
Examples:
  hnp-events bundle fixtures/hnp/asyncapi.yaml --out target/asyncapi.bundled.yaml
  hnp-events bundle api/openapi.yaml --out openapi.json              # JSON by the extension
  hnp-events bundle api/asyncapi.yaml --out flat.yaml --dereference  # every $ref inlined

References inside the document are kept; parts of other files are pulled in under
`components` (Swagger 2.0: `definitions`, `parameters`, `responses`) with stable names
and their $refs rewritten. A $ref inside an extension value (`x-…`, e.g. `x-hnp-emits`
naming another document's messages) stays a reference to that file, its path made
relative to the --out folder. --dereference inlines every reference except recursive
ones and those in extension values. Key order is kept. Nothing is written but the
--out file.
Exit codes: 0 written, 2 the document could not be read or the output not written.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BundleFormat {
    Yaml,
    Json,
}

#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct BundleArgs {
    /// The document (AsyncAPI, OpenAPI or Swagger)
    pub path: PathBuf,
    /// The file to write
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: PathBuf,
    /// Inline every $ref except recursive ones
    #[arg(long)]
    pub dereference: bool,
    /// Output format [default: by the --out extension: .json is JSON, else YAML]
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<BundleFormat>,
    /// Workspace root: $refs may reach any file under it
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

pub fn run(args: &BundleArgs) -> Result<u8, ToolError> {
    let opts = LoadOptions {
        root: args.root.clone(),
        ..LoadOptions::default()
    };
    let ws = Workspace::load(std::slice::from_ref(&args.path), &opts)?;
    let usage =
        |e: crate::bundle::BundleError| ToolError::Usage(format!("{}: {e}", args.path.display()));
    // The folder written to: references kept in extension values are relative to it.
    // (A folder that does not exist is reported by the write below.)
    let parent = match args.out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let out_dir = parent
        .canonicalize()
        .or_else(|_| std::path::absolute(&parent))
        .unwrap_or(parent);
    let mut doc = crate::bundle::bundle(&ws, &out_dir).map_err(usage)?;
    if args.dereference {
        doc = crate::bundle::dereference(&doc).map_err(usage)?;
    }
    let json = match args.format {
        Some(f) => f == BundleFormat::Json,
        None => args
            .out
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json")),
    };
    let text = if json {
        let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
        s.push('\n');
        s
    } else {
        crate::bundle::yaml::to_yaml(&doc)
    };
    write_atomic(&args.out, &text)?;
    Ok(exit::OK)
}
