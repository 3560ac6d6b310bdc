//! `hnp-events validate`: load, check (structural rules, saga checks, architecture
//! gates), filter (rule selection, ignores), render, decide the exit code.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use super::{ToolError, ValidateArgs, exit, use_color, write_atomic, write_stdout};
use crate::config::{CONFIG_FILE, Config, FailOn, RuleLevel};
use crate::diag::{self, Diagnostic, Location, SourceSet};
use crate::gates::{self, Metric};
use crate::report::{self, Format, RenderOptions, Report, Summary};
use crate::source::{LoadOptions, SourceFile, Workspace};
use crate::suppress::Suppressor;

/// Whether a path names a saga file.
pub fn is_saga_path(p: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    [".saga.yaml", ".saga.yml", ".saga.json"]
        .iter()
        .any(|s| name.ends_with(s))
}

/// `--rule`/`--skip-rule` ids must exist.
fn check_rule_ids(ids: &[String]) -> Result<(), ToolError> {
    let known: Vec<&str> = diag::RULES.iter().map(|r| r.id).collect();
    for id in ids {
        if diag::rule_meta(id).is_none() {
            let hint = crate::suggest::closest(id, &known)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            return Err(ToolError::Usage(format!(
                "unknown rule `{id}`{hint} (`hnp-events rules` lists them)"
            )));
        }
    }
    Ok(())
}

/// How a saga file is shown: relative to the working directory, without `./`.
fn display(p: &Path) -> Arc<str> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let shown = p.strip_prefix(&cwd).unwrap_or(p);
    let shown = shown.strip_prefix(".").unwrap_or(shown);
    Arc::from(shown.to_string_lossy().as_ref())
}

pub fn run(args: &ValidateArgs) -> Result<u8, ToolError> {
    let started = Instant::now();
    let mut diags: Vec<Diagnostic> = Vec::new();
    let mut sources = SourceSet::default();
    check_rule_ids(&args.rules)?;
    check_rule_ids(&args.skip_rules)?;

    // The configuration: explicit, or ./hnp-events.yaml unless --no-config.
    let config_path = match &args.config {
        Some(p) => Some(p.clone()),
        None if !args.no_config && Path::new(CONFIG_FILE).is_file() => {
            Some(PathBuf::from(CONFIG_FILE))
        }
        None => None,
    };
    let mut config = Config::default();
    let mut config_file: Option<SourceFile> = None;
    if let Some(path) = &config_path {
        let (cfg, cdiags, file) = Config::load(path).map_err(ToolError::Usage)?;
        if let Some(f) = &file {
            sources.insert(f.display.clone(), f.text.clone());
        }
        config_file = file;
        diags.extend(cdiags);
        config = cfg;
    }

    let (projection_paths, paths): (Vec<PathBuf>, Vec<PathBuf>) = args
        .paths
        .iter()
        .cloned()
        .partition(|p| crate::projection::is_event_sourcing_path(p));
    let projections = if args.paths.is_empty() {
        config.projections.clone()
    } else {
        projection_paths
    };
    let (saga_paths, doc_paths): (Vec<PathBuf>, Vec<PathBuf>) =
        paths.into_iter().partition(|p| is_saga_path(p));
    // Saga files named without documents are a selection, not the project's sagas:
    // chains of commands they do not coordinate are not counted against them.
    let all_sagas = args.paths.is_empty() || !doc_paths.is_empty();
    let (inputs, sagas): (Vec<PathBuf>, Vec<PathBuf>) = if args.paths.is_empty() {
        if config_path.is_none() {
            return Err(ToolError::Usage(format!(
                "no PATH given and no {CONFIG_FILE} in the current folder; pass files or folders to validate"
            )));
        }
        if config.documents.is_empty() {
            return Err(ToolError::Usage(format!(
                "{} lists no `documents`; add some or pass files or folders to validate",
                config_path
                    .as_deref()
                    .unwrap_or(Path::new(CONFIG_FILE))
                    .display()
            )));
        }
        (config.documents.clone(), config.sagas.clone())
    } else if doc_paths.is_empty() && !config.documents.is_empty() {
        // Only sagas named: check them against the configured documents.
        (config.documents.clone(), saga_paths)
    } else {
        (doc_paths, saga_paths)
    };
    let opts = LoadOptions {
        root: args.root.clone(),
        config_root: config
            .path
            .as_ref()
            .map(|_| config.root.clone().unwrap_or_else(|| config.dir.clone())),
        allow_ref_outside: args.allow_ref_outside,
    };

    let progress = progress_spinner(args);
    // Sagas: static checks join the output; loaded sagas feed saga_completeness.
    let mut loaded_sagas = Vec::new();
    if !sagas.is_empty() {
        match crate::saga::sim::load(&sagas, display) {
            Ok(l) => {
                sources.extend(l.sources);
                diags.extend(l.diagnostics);
                loaded_sagas = l.sagas;
            }
            Err((d, s)) => {
                sources.extend(s);
                diags.extend(d);
            }
        }
    }
    // Projections: static checks join the output; what they serve feeds
    // projection_coverage.
    let mut served = std::collections::BTreeSet::new();
    for p in &projections {
        match crate::projection::load_and_check(p, display(p)) {
            Ok(c) => {
                served.extend(c.projection.serves.iter().map(|n| n.name.clone()));
                sources.extend(c.sources);
                diags.extend(c.diagnostics);
            }
            Err((d, s)) => {
                sources.extend(s);
                diags.extend(d);
            }
        }
    }
    // Only sagas and no documents: measure the sagas' contracts.
    let mut inputs = inputs;
    if inputs.is_empty() {
        for s in &loaded_sagas {
            if !inputs.contains(&s.contract_path) {
                inputs.push(s.contract_path.clone());
            }
        }
    }
    let ws = if inputs.is_empty() {
        None
    } else {
        Some(Workspace::load(&inputs, &opts)?)
    };
    let mut model = None;
    let mut doc_diags = Vec::new();
    if let Some(ws) = &ws {
        doc_diags.extend(ws.diagnostics.iter().cloned());
        let (d, m) = crate::validate::validate_with_model(ws);
        doc_diags.extend(d);
        model = Some(m);
    }

    let enabled = |rule: &str| {
        (args.rules.is_empty() || args.rules.iter().any(|r| r == rule))
            && !args.skip_rules.iter().any(|r| r == rule)
            && config.rules.get(rule) != Some(&RuleLevel::Off)
    };
    let mut metrics: Vec<Metric> = Vec::new();
    let mut gates_skipped = None;
    if let (Some(ws), Some(model)) = (&ws, &model) {
        let suppressor = Suppressor::new(&config.ignore, ws);
        // Metrics over a document with structural errors measure a broken model, and
        // their threshold errors would bury the errors to fix first: gates wait. An example
        // its schema rejects, or a `$ref` that did not resolve (left out of the counts), is
        // an error, but the model the gates measure is sound.
        let structural = {
            let mut d = doc_diags.clone();
            suppressor.apply(&mut d);
            d.retain(|d| enabled(d.rule));
            config.apply_rule_levels(&mut d);
            d.iter()
                .filter(|d| {
                    d.severity == diag::Severity::Error && crate::gates::blocks_gates(d.rule)
                })
                .count()
        };
        let gates_on = !args.no_gates && !config.gates.all_off;
        if gates_on && structural > 0 {
            gates_skipped = Some(format!(
                "architecture gates not run: the documents have {} structural {}; fix {} first",
                structural,
                if structural == 1 { "error" } else { "errors" },
                if structural == 1 { "it" } else { "them" },
            ));
        } else if gates_on {
            let (m, d) = run_gates(
                ws,
                model,
                (
                    &loaded_sagas,
                    all_sagas,
                    // Upcast files alone serve no query: coverage needs projection files.
                    projections
                        .iter()
                        .any(|p| crate::projection::is_projection_path(p))
                        .then_some(&served),
                ),
                &config,
                config_file.as_ref(),
                &enabled,
                &suppressor,
            );
            metrics = m;
            diags.extend(d);
        }
        diags.extend(doc_diags);
        suppressor.apply(&mut diags);
    }
    drop(progress);

    diags.retain(|d| enabled(d.rule));
    config.apply_rule_levels(&mut diags);
    diag::sort_and_dedup(&mut diags);
    // A metric below its threshold sums up the warnings before it: it comes last
    // (the sort is stable).
    diags.sort_by_key(|d| d.rule == gates::THRESHOLD_RULE);
    if let Some(ws) = &ws {
        sources.extend(ws.sources());
    }
    let files = ws.as_ref().map_or(0, |w| w.files.len()) + loaded_sagas.len() + projections.len();
    let remote_refs = ws.as_ref().map_or(0, |w| w.remote_refs);
    // Rendering needs only the texts and the diagnostics: free the parsed documents,
    // their source maps and the IR first, so that the report reuses their memory
    // instead of adding to the peak.
    drop(model);
    drop(ws);
    let summary = Summary {
        files,
        elapsed: started.elapsed(),
        remote_refs,
        metrics,
        gates_skipped,
    };
    let report = Report {
        diagnostics: &diags,
        sources: &sources,
        summary: &summary,
    };
    let to_file = args.output.is_some();
    let opts = RenderOptions {
        color: !to_file && args.format == Format::Human && use_color(args.color),
        timing: true,
        quiet: args.quiet,
    };
    let text = report::render(args.format, &report, opts);
    match &args.output {
        Some(path) => write_atomic(path, &text)?,
        None => write_stdout(&text)?,
    }

    // A file or folder that could not be read means the job was not done: exit 2,
    // after the report has named every such path.
    if diags.iter().any(|d| d.rule == "file-unreadable") {
        return Ok(exit::TOOL);
    }
    let fail_on = args.fail_on.or(config.fail_on).unwrap_or(FailOn::Error);
    let failed = fail_on
        .threshold()
        .is_some_and(|t| diags.iter().any(|d| d.severity >= t));
    Ok(if failed { exit::FINDINGS } else { exit::OK })
}

/// Classify the IR's operations and run the gates.
fn run_gates(
    ws: &Workspace,
    model: &crate::model::Model,
    // The saga files (and whether they are all of the project's), and what the
    // projection files serve (`None`: no projection files).
    (sagas, all_sagas, served): (
        &[crate::saga::Saga],
        bool,
        Option<&std::collections::BTreeSet<String>>,
    ),
    config: &Config,
    config_file: Option<&SourceFile>,
    enabled: &dyn Fn(&str) -> bool,
    suppressor: &Suppressor<'_>,
) -> (Vec<Metric>, Vec<Diagnostic>) {
    let verbs = config.gates.verbs();
    let (rows, classify_diags) = crate::classify::classify_with(ws, model, &verbs);
    let first_doc = ws
        .inputs
        .first()
        .map(|&f| ws.file(f).file_location())
        .unwrap_or_else(|| Location::file("."));
    // A metric's threshold error points at its `gates` entry in the config, else at
    // the config's `gates`, else at the first document.
    let anchor = |name: &str| -> Location {
        let Some(f) = config_file else {
            return first_doc.clone();
        };
        let v = f.value.as_ref();
        let entry = format!("/gates/{name}");
        if v.and_then(|v| v.pointer(&entry)).is_some() {
            f.locate_key(&entry)
        } else if v.and_then(|v| v.get("gates")).is_some() {
            f.locate_key("/gates")
        } else {
            first_doc.clone()
        }
    };
    let suppressed = |rule: &str, loc: &Location| suppressor.suppressed(rule, loc);
    let input = gates::Input {
        ws,
        model,
        rows: &rows,
        classify_diags: &classify_diags,
        sagas,
        all_sagas,
        verbs: &verbs,
        served,
    };
    let filter = gates::Filter {
        enabled,
        suppressed: &suppressed,
        anchor: &anchor,
    };
    gates::run(&input, &config.gates, &filter)
}

/// A spinner on standard error while documents load and are checked: only on a terminal,
/// not in CI, and only once the run has taken [`SPINNER_AFTER`] (a quick run never flashes
/// one). A thread waits for that long, or for the spinner to be dropped, whichever comes
/// first.
struct Spinner {
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// A run shorter than this never shows the spinner (`HNP_PROGRESS_AFTER_MS` changes it;
/// the tests use it to make "a quick run" independent of the machine's load).
const SPINNER_AFTER: std::time::Duration = std::time::Duration::from_millis(300);

fn spinner_after() -> std::time::Duration {
    std::env::var("HNP_PROGRESS_AFTER_MS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(SPINNER_AFTER, std::time::Duration::from_millis)
}

impl Drop for Spinner {
    /// Stops the spinner and clears it before anything else is printed (also on an early
    /// return with an error).
    fn drop(&mut self) {
        // Dropping the sender wakes the thread, which clears the spinner if it drew one.
        self.stop = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn progress_spinner(args: &ValidateArgs) -> Option<Spinner> {
    let interactive = std::io::stderr().is_terminal()
        && std::env::var_os("CI").is_none()
        && !args.quiet
        && args.format == Format::Human;
    if !interactive {
        return None;
    }
    let after = spinner_after();
    let (stop, wait) = std::sync::mpsc::channel::<()>();
    let thread = std::thread::spawn(move || {
        if wait.recv_timeout(after) != Err(std::sync::mpsc::RecvTimeoutError::Timeout) {
            return;
        }
        let p = indicatif::ProgressBar::new_spinner();
        p.set_message("loading and checking documents…");
        // Drawn now, not at the first tick of the ticker thread (which a loaded
        // machine may schedule only after the run ended).
        p.tick();
        p.enable_steady_tick(std::time::Duration::from_millis(100));
        let _ = wait.recv();
        p.finish_and_clear();
    });
    Some(Spinner {
        stop: Some(stop),
        thread: Some(thread),
    })
}
