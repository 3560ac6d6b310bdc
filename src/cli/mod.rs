//! The command line: clap definitions (the one source of help, completions and the man
//! page) and the dispatch to commands. Only wiring lives here.

mod bundle;
mod classify;
mod codegen;
mod diff;
mod docs;
mod graph;
mod init;
mod projection;
mod simulate;
mod validate;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use crate::config::FailOn;
use crate::report::Format;

/// Exit codes: a documented contract.
pub mod exit {
    /// No finding at or above the fail threshold.
    pub const OK: u8 = 0;
    /// Findings at or above the fail threshold.
    pub const FINDINGS: u8 = 1;
    /// The tool could not do its job (usage, unreadable path, internal error).
    pub const TOOL: u8 = 2;
    /// Stopped by Ctrl-C (SIGINT) with nothing found so far (`simulate --explore`).
    pub const INTERRUPTED: u8 = 130;
}

const ABOUT: &str = "Validate, classify, simulate and generate code for event-driven architectures described by AsyncAPI and OpenAPI";

const AFTER_HELP: &str = "\
Exit codes:
  0  no finding at or above the fail threshold
  1  findings at or above the fail threshold
  2  the tool could not do its job (usage error, unreadable path, internal error)

Examples:
  hnp-events init --example                # a commented hnp-events.yaml (+ an example to start from)
  hnp-events validate                      # the documents listed in ./hnp-events.yaml
  hnp-events validate api/asyncapi.yaml    # one document and everything it $refs
  hnp-events validate specs/ --format sarif --output results.sarif
  hnp-events completions bash > /etc/bash_completion.d/hnp-events";

#[derive(Debug, Parser)]
#[command(name = "hnp-events", version, about = ABOUT, after_help = AFTER_HELP, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Largest input file read (documents, $ref targets, sagas, streams' lines); larger
    /// files are refused before reading [default: 256M]
    #[arg(long, global = true, value_name = "SIZE", env = "HNP_MAX_FILE_SIZE", value_parser = parse_size)]
    pub max_file_size: Option<u64>,
}

fn parse_size(s: &str) -> Result<u64, String> {
    crate::fsio::parse_size(s)
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a commented hnp-events.yaml listing the API documents and sagas found here
    #[command(after_help = init::AFTER_HELP)]
    Init(init::InitArgs),
    /// Check AsyncAPI, OpenAPI and Swagger documents and everything they $ref
    Validate(ValidateArgs),
    /// Classify every operation as command, query, event or request/reply, with the reason
    Classify(classify::ClassifyArgs),
    /// List every rule with its id, default severity and summary
    #[command(after_help = "Examples:\n  hnp-events rules\n  hnp-events rules --format json")]
    Rules(RulesArgs),
    /// Explain a rule: what it checks and why (with examples, if it has them)
    #[command(
        after_help = "Examples:\n  hnp-events explain ref-remote\n  hnp-events explain gate-ordering-declared"
    )]
    Explain {
        /// The rule id (see `hnp-events rules`)
        #[arg(value_parser = RuleIdParser, hide_possible_values = true)]
        rule: String,
    },
    /// Print a JSON Schema (for editors): of hnp-events.yaml or of saga files
    #[command(
        after_help = "Examples:\n  hnp-events schema config > hnp-events.schema.json\n  hnp-events schema saga > saga.schema.json\n  hnp-events schema projection > projection.schema.json\n  hnp-events schema upcast > upcast.schema.json"
    )]
    Schema {
        /// Which schema
        #[arg(value_enum)]
        what: SchemaKind,
    },
    /// Run sagas over a recorded event stream: timelines, invariants, exploration
    #[command(after_help = simulate::AFTER_HELP)]
    Simulate(simulate::SimulateArgs),
    /// Generate Rust or Python message types and handler skeletons, safely regenerable
    #[command(after_help = codegen::AFTER_HELP)]
    Codegen(codegen::CodegenArgs),
    /// Print a shell completion script
    #[command(
        after_help = "Examples:\n  hnp-events completions bash > ~/.local/share/bash-completion/completions/hnp-events\n  hnp-events completions zsh > ~/.zfunc/_hnp-events\n  hnp-events completions fish > ~/.config/fish/completions/hnp-events.fish"
    )]
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff)
    #[command(after_help = "Examples:\n  hnp-events man > hnp-events.1 && man ./hnp-events.1")]
    Man,
    /// Compare two revisions of the contract: breaking changes, and which side they break
    #[command(after_help = diff::AFTER_HELP)]
    Diff(diff::DiffArgs),
    /// Draw the event flow (operations, channels, messages, sagas, projections) or a
    /// saga's state machine: Mermaid, DOT, SVG or JSON
    Graph(graph::GraphArgs),
    /// Write a multi-file document as one file (external parts under components)
    Bundle(bundle::BundleArgs),
    /// Write a self-contained HTML site (or Markdown) of the architecture: gates, flow,
    /// CQRS, channels, messages, sagas, projections
    Docs(docs::DocsArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaKind {
    /// The configuration file hnp-events.yaml
    Config,
    /// Saga files (*.saga.yaml)
    Saga,
    /// Projection files (*.projection.yaml)
    Projection,
    /// Upcaster files (*.upcast.yaml)
    Upcast,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  hnp-events validate
  hnp-events validate fixtures/hnp/asyncapi.yaml
  hnp-events validate specs/ --fail-on warning
  hnp-events validate api.yaml --format github          # annotations in GitHub Actions
  hnp-events validate api.yaml --format sarif --output hnp-events.sarif
  hnp-events validate api.yaml --no-gates               # structural rules only
  hnp-events validate --format markdown > comment.md    # metrics for a pull request
  hnp-events validate api.yaml flows/sync.saga.yaml     # with a saga's checks

With no PATH, the documents and sagas listed in ./hnp-events.yaml are validated. After
the structural rules, the architecture gates run (metrics with thresholds; see
`hnp-events rules`): a miss is a warning, a metric below its threshold an error.
Exit codes: 0 clean, 1 findings at or above --fail-on, 2 the tool could not run.")]
pub struct ValidateArgs {
    /// Files or folders to validate (folders are walked for YAML/JSON API documents);
    /// `*.saga.yaml` files are checked as sagas
    pub paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report to FILE (atomically) instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Lowest severity that makes the run fail (exit code 1) [default: error, or the config's]
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Workspace root: $refs may reach any file under it [default: the config's folder,
    /// else the git work tree holding the input, else the input's folder]
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Let $refs reach files outside the workspace root
    #[arg(long)]
    pub allow_ref_outside: bool,
    /// Configuration file [default: ./hnp-events.yaml when it exists]
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Ignore ./hnp-events.yaml
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// Print only diagnostics (no summary line, no progress)
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// When to use colour in human output (NO_COLOR is honoured)
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Run the structural rules only: no architecture gates (for documents that are not
    /// event architectures)
    #[arg(long)]
    pub no_gates: bool,
    /// Run only this rule (repeatable; see `hnp-events rules`)
    #[arg(long = "rule", value_name = "ID", value_parser = RuleIdParser, hide_possible_values = true)]
    pub rules: Vec<String>,
    /// Do not run this rule (repeatable)
    #[arg(long = "skip-rule", value_name = "ID", value_parser = RuleIdParser, hide_possible_values = true)]
    pub skip_rules: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct RulesArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = RulesFormat::Table)]
    pub format: RulesFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Table,
    Json,
}

/// Rule ids offered to shell completions. Any string parses, so an unknown id reaches our
/// own "did you mean" message instead of clap's.
#[derive(Debug, Clone, Copy)]
pub struct RuleIdParser;

impl clap::builder::TypedValueParser for RuleIdParser {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        // No help text: fish puts a value's help inside a double-quoted string, where
        // the `$ref`s and quotes of rule summaries would break the script.
        Some(Box::new(
            crate::diag::RULES
                .iter()
                .map(|r| clap::builder::PossibleValue::new(r.id)),
        ))
    }
}

/// A failure of the tool itself (exit code 2), as opposed to a finding.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Load(#[from] crate::source::workspace::LoadError),
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { exit::TOOL } else { exit::OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(ToolError::Io { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::from(exit::OK)
        }
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: {e}");
            ExitCode::from(exit::TOOL)
        }
    }
}

/// Run a parsed command line; returns the exit code.
pub fn run(cli: Cli) -> Result<u8, ToolError> {
    if let Some(n) = cli.max_file_size {
        crate::fsio::set_max_file_size(n);
    }
    match cli.command {
        Command::Init(args) => init::run(&args),
        Command::Validate(args) => validate::run(&args),
        Command::Simulate(args) if projection::wanted(&args) => projection::run(&args),
        Command::Simulate(args) => simulate::run(&args),
        Command::Classify(args) => classify::run(&args),
        Command::Codegen(args) => codegen::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Graph(args) => graph::run(&args),
        Command::Bundle(args) => bundle::run(&args),
        Command::Docs(args) => docs::run(&args),
        Command::Rules(args) => {
            let text = match args.format {
                RulesFormat::Table => rules_table(),
                RulesFormat::Json => rules_json(),
            };
            write_stdout(&text)?;
            Ok(exit::OK)
        }
        Command::Explain { rule } => match crate::diag::rule_meta(&rule) {
            Some(m) => {
                write_stdout(&explain(m))?;
                Ok(exit::OK)
            }
            None => {
                let ids: Vec<&str> = crate::diag::RULES.iter().map(|r| r.id).collect();
                let hint = crate::suggest::closest(&rule, &ids)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                Err(ToolError::Usage(format!(
                    "unknown rule `{rule}`{hint} (`hnp-events rules` lists them)"
                )))
            }
        },
        Command::Schema { what } => {
            let v = match what {
                SchemaKind::Config => crate::config_schema::json_schema(),
                SchemaKind::Saga => crate::saga::json_schema(),
                SchemaKind::Projection => crate::projection::json_schema(),
                SchemaKind::Upcast => crate::projection::upcast_json_schema(),
            };
            let mut text = serde_json::to_string_pretty(&v).unwrap_or_default();
            text.push('\n');
            write_stdout(&text)?;
            Ok(exit::OK)
        }
        Command::Completions { shell } => {
            write_stdout(&completion(shell))?;
            Ok(exit::OK)
        }
        Command::Man => {
            write_stdout(&man_page())?;
            Ok(exit::OK)
        }
    }
}

/// Load the given paths, or the documents listed in `./hnp-events.yaml` when none are
/// given (for commands that read documents but not the config's other settings).
pub(crate) fn load_documents(
    paths: &[PathBuf],
    root: Option<&PathBuf>,
) -> Result<crate::source::Workspace, ToolError> {
    use crate::config::{CONFIG_FILE, Config};
    let config = Path::new(CONFIG_FILE)
        .is_file()
        .then(|| Config::load(Path::new(CONFIG_FILE)).ok())
        .flatten()
        .map(|(cfg, _, _)| cfg)
        .unwrap_or_default();
    let inputs = if paths.is_empty() {
        if config.documents.is_empty() {
            return Err(ToolError::Usage(format!(
                "no PATH given and no documents listed in {CONFIG_FILE}"
            )));
        }
        config.documents.clone()
    } else {
        paths.to_vec()
    };
    let opts = crate::source::LoadOptions {
        root: root.cloned(),
        config_root: config.path.as_ref().map(|_| config.dir.clone()),
        allow_ref_outside: false,
    };
    Ok(crate::source::Workspace::load(&inputs, &opts)?)
}

/// The verb lists of `./hnp-events.yaml` (`gates.schema_consistency.verbs`), else the
/// built-in ones; for commands that classify without reading the rest of the config.
pub(crate) fn config_verbs() -> crate::gates::verbs::Verbs {
    use crate::config::{CONFIG_FILE, Config};
    Path::new(CONFIG_FILE)
        .is_file()
        .then(|| Config::load(Path::new(CONFIG_FILE)).ok())
        .flatten()
        .map(|(cfg, _, _)| cfg.gates.verbs().into_owned())
        .unwrap_or_else(|| crate::gates::verbs::Verbs::builtin().clone())
}

/// The completion script for a shell (also checked in under `completions/`).
pub fn completion(shell: clap_complete::Shell) -> String {
    const BIN: &str = "hnp-events";
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), BIN, &mut buf);
    let text = String::from_utf8_lossy(&buf).into_owned();
    match shell {
        clap_complete::Shell::Bash => fix_bash_case_labels(&text, BIN),
        clap_complete::Shell::Fish => text + &fish_positional_values(&Cli::command(), BIN),
        _ => text,
    }
}

/// clap_complete's fish generator completes options only: add the possible values of
/// each subcommand's positional arguments (rule ids for `explain`, shells, schema kinds).
fn fish_positional_values(cmd: &clap::Command, bin: &str) -> String {
    let quote = |s: &str| format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"));
    let condition = format!("__fish_{}_using_subcommand", bin.replace('-', "_"));
    let mut out = String::new();
    for sub in cmd.get_subcommands() {
        for pos in sub.get_positionals() {
            let Some(values) = pos.get_value_parser().possible_values() else {
                continue;
            };
            for v in values.filter(|v| !v.is_hide_set()) {
                out.push_str(&format!(
                    "complete -c {bin} -n \"{condition} {}\" -f -a {}",
                    sub.get_name(),
                    quote(v.get_name())
                ));
                if let Some(help) = v.get_help() {
                    out.push_str(&format!(
                        " -d {}",
                        quote(&help.to_string().replace('\n', " "))
                    ));
                }
                out.push('\n');
            }
        }
    }
    out
}

/// clap_complete 4.6 names the bash function's states `hnp__events__subcmd__validate`
/// (each '-' of the binary name as `__`) but writes the case labels that match them
/// with each '-' as `__subcmd__` (`hnp__subcmd__events__subcmd__validate`), so no
/// label ever matched and only subcommand names completed. Rewrite the labels' prefix.
fn fix_bash_case_labels(text: &str, bin: &str) -> String {
    if !bin.contains('-') {
        return text.to_string();
    }
    let wrong = format!("{}__subcmd__", bin.replace('-', "__subcmd__"));
    let right = format!("{}__subcmd__", bin.replace('-', "__"));
    text.lines()
        .map(|line| {
            let body = line.trim_start();
            match body.strip_prefix(&wrong) {
                Some(rest) if body.ends_with(')') => {
                    format!("{}{right}{rest}\n", &line[..line.len() - body.len()])
                }
                _ => format!("{line}\n"),
            }
        })
        .collect()
}

/// The man page (also checked in as `completions/hnp-events.1`).
pub fn man_page() -> String {
    let mut buf = Vec::new();
    let cmd = Cli::command();
    // Rendering into a Vec cannot fail.
    let _ = clap_mangen::Man::new(cmd).render(&mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}

/// `explain RULE`: id, severity, summary, rationale and the examples when the rule has them.
fn explain(m: &crate::diag::RuleMeta) -> String {
    let mut s = format!(
        "{} ({})\n\n{}\n\n{}\n",
        m.id, m.severity, m.summary, m.rationale
    );
    let indent = |t: &str| t.lines().map(|l| format!("    {l}\n")).collect::<String>();
    if let Some(f) = m.example_fail {
        s.push_str(&format!("\nFails:\n\n{}", indent(f)));
    }
    if let Some(p) = m.example_pass {
        s.push_str(&format!("\nPasses:\n\n{}", indent(p)));
    }
    s
}

fn rules_table() -> String {
    let width = crate::diag::RULES
        .iter()
        .map(|r| r.id.len())
        .max()
        .unwrap_or(0);
    let mut s = String::new();
    for r in crate::diag::RULES {
        s.push_str(&format!(
            "{:width$}  {:7}  {}\n",
            r.id,
            r.severity.as_str(),
            r.summary
        ));
    }
    s
}

fn rules_json() -> String {
    let rules: Vec<serde_json::Value> = crate::diag::RULES
        .iter()
        .map(|r| {
            let mut v = serde_json::json!({
                "id": r.id,
                "severity": r.severity,
                "summary": r.summary,
                "rationale": r.rationale,
            });
            if let (Some(f), Some(p)) = (r.example_fail, r.example_pass) {
                v["example_fail"] = f.into();
                v["example_pass"] = p.into();
            }
            v
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&rules).unwrap_or_default();
    s.push('\n');
    s
}

pub(crate) fn write_stdout(text: &str) -> Result<(), ToolError> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|source| ToolError::Io {
            context: "writing to standard output".to_string(),
            source,
        })
}

/// Write `--output FILE`. A regular file (or a missing path) is replaced atomically: a
/// new temporary beside it (random name, created exclusively), then a rename; on failure
/// nothing is left behind. Anything else is written in place, never replaced: a FIFO, a
/// device, a symbolic link (written through: `/dev/stdout`, `/proc/self/fd/N`, a link to
/// a file elsewhere). A failed write is an error (exit 2).
pub(crate) fn write_atomic(path: &Path, text: &str) -> Result<(), ToolError> {
    // Not `ToolError::Io`: a broken pipe here (a FIFO whose reader left) is a failure,
    // unlike on standard output.
    let io = |e: std::io::Error| ToolError::Usage(format!("writing {}: {e}", path.display()));
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => replace_file(path, text).map_err(io),
        Err(e) => Err(io(e)),
        Ok(m) if m.file_type().is_file() => replace_file(path, text).map_err(io),
        Ok(_) => write_in_place(path, text).map_err(io),
    }
}

/// Replace a regular file (or create a missing one) through a temporary and a rename.
fn replace_file(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".to_string());
    let short: String = name.chars().take(64).collect();
    let mut tmp = crate::codegen::apply::new_temp(dir, &format!(".{short}."), ".tmp")?;
    tmp.write_all(text.as_bytes())?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Write into an existing special file or through a symbolic link, without creating or
/// replacing anything.
fn write_in_place(path: &Path, text: &str) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(path)?;
    f.write_all(text.as_bytes())?;
    f.flush()
}

/// Whether to colour output written to stdout.
pub(crate) fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}
