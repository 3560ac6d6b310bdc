//! `hnp-events graph`: load, build the flow graph (or a saga's state machine), render.

use std::path::PathBuf;

use super::{ToolError, exit, write_atomic, write_stdout};
use crate::graph::{self, Format, arch};

pub const AFTER_HELP: &str = "\
Examples:
  hnp-events graph                                      # the documents, sagas and projections in ./hnp-events.yaml
  hnp-events graph fixtures/hnp/asyncapi.yaml --format dot | dot -Tsvg > flow.svg
  hnp-events graph --format svg --output flow.svg       # laid out here: no Graphviz, no browser
  hnp-events graph --focus SyncStarted --depth 2        # the neighbourhood of one node
  hnp-events graph --with-findings --format svg -o flow.svg   # nodes with gate misses marked
  hnp-events graph fixtures/hnp/sagas/gitops-sync.saga.yaml   # a saga's state machine

Nodes: operations (command, query, event, request, reply, as `classify` calls them),
channels, messages, sagas and projections. Edges: emits, consumes, replies, carries
(channel → message), step and compensates (saga → command), serves (projection → query).
Given only saga files, `graph` draws each saga's state machine: steps, branches,
parallel groups, timeouts and compensations.
Exit codes: 0 drawn, 2 the inputs could not be read or a --focus name is unknown.";

#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct GraphArgs {
    /// Documents, folders, saga or projection files [default: those in ./hnp-events.yaml]
    pub paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Mermaid)]
    pub format: Format,
    /// Draw only the neighbourhood of this node (an operation id, message name,
    /// channel address, saga or projection name)
    #[arg(long, value_name = "NAME")]
    pub focus: Option<String>,
    /// How many edges away from --focus to go
    #[arg(long, value_name = "N", default_value_t = 1, requires = "focus")]
    pub depth: usize,
    /// Mark the nodes that architecture gates find lacking (runs the gates)
    #[arg(long)]
    pub with_findings: bool,
    /// Write to this file instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Workspace root for $refs
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

pub fn run(args: &GraphArgs) -> Result<u8, ToolError> {
    let config = arch::config();
    let inputs = arch::Inputs::from_paths(&args.paths, &config);
    let only_sagas = !args.paths.is_empty()
        && inputs.documents.is_empty()
        && inputs.projections.is_empty()
        && !inputs.sagas.is_empty();
    let text = if only_sagas {
        let mut out = String::new();
        for p in &inputs.sagas {
            let saga = crate::saga::load(p, arch::display(p)).map_err(|d| {
                ToolError::Usage(
                    d.first()
                        .map(|d| format!("{}: {}", d.location, d.message))
                        .unwrap_or_else(|| format!("{}: unusable saga", p.display())),
                )
            })?;
            let m = graph::machine::build(&saga);
            if !out.is_empty() && args.format == Format::Mermaid {
                out.push('\n');
            }
            out.push_str(&graph::render_machine(&m, args.format));
        }
        out
    } else {
        let a = arch::load(&inputs, config, args.root.as_ref(), args.with_findings).map_err(
            |e| match e {
                arch::LoadFailure::Load(e) => ToolError::Load(e),
                other => ToolError::Usage(other.to_string()),
            },
        )?;
        let mut g = graph::flow::build(&a);
        if args.with_findings {
            graph::flow::overlay_findings(&mut g, &a.findings);
        }
        if let Some(name) = &args.focus {
            let centre = graph::flow::find(&g, name).map_err(ToolError::Usage)?;
            g = graph::flow::focus(&g, &centre, args.depth);
        }
        let title = match &args.focus {
            Some(f) => format!("event flow around {f}"),
            None => "event flow".to_string(),
        };
        graph::render_flow(&g, args.format, &title)
    };
    match &args.output {
        Some(p) => write_atomic(p, &text)?,
        None => write_stdout(&text)?,
    }
    Ok(exit::OK)
}
