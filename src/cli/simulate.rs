//! `hnp-events simulate`: run sagas over a recorded event stream (or explore
//! perturbations of it), render timelines and decide the exit code.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use clap::ValueEnum;

use super::{ToolError, exit, write_atomic, write_stdout};
use crate::diag::{Diagnostic, Severity, SourceSet};
use crate::saga::engine::{Engine, Options};
use crate::saga::{expect, explore, render, sim};

/// The help epilogue of `simulate` (examples and exit codes).
pub const AFTER_HELP: &str = "\
Examples:
  hnp-events simulate sagas/gitops-sync.saga.yaml --events streams/sync.jsonl
  hnp-events simulate sagas/*.saga.yaml --events recorded.jsonl --format json
  hnp-events simulate saga.yaml --events s.jsonl --expect s.expect.json --bless
  hnp-events simulate saga.yaml --events s.jsonl --explore --depth 2 --shard 1/4
  hnp-events simulate saga.yaml --events s.jsonl --replay 1a2b3c4d:e5:0-4

Streams are JSON Lines (one {time, message, headers, payload} per line) or a YAML list.
Exit codes: 0 every invariant held, 1 a violation, an invalid event or an expectation
mismatch, 2 an unreadable or invalid saga, contract or stream, 130 exploration
interrupted by Ctrl-C with nothing found so far.";

#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// Saga files (*.saga.yaml)
    #[arg(required = true, value_name = "SAGA")]
    pub sagas: Vec<PathBuf>,
    /// The event stream (JSON Lines, or a YAML/JSON list)
    #[arg(long, short = 'e', value_name = "STREAM")]
    pub events: PathBuf,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = SimFormat::Human)]
    pub format: SimFormat,
    /// Compare final states and emitted events with FILE (golden)
    #[arg(long, value_name = "FILE")]
    pub expect: Option<PathBuf>,
    /// Write the --expect file from this run instead of comparing
    #[arg(long, requires = "expect")]
    pub bless: bool,
    /// Perturb the stream systematically and report minimised counterexamples
    #[arg(long)]
    pub explore: bool,
    /// Perturbations combined per scenario (1 or 2)
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=2), requires = "explore")]
    pub depth: u8,
    /// Run only shard K of N of the scenarios (e.g. 2/4)
    #[arg(long, value_name = "K/N", requires = "explore")]
    pub shard: Option<String>,
    /// Stop exploring after N scenarios (what was found so far is reported)
    #[arg(long, value_name = "N", requires = "explore")]
    pub max_scenarios: Option<u64>,
    /// Stop exploring after this long, e.g. 30s or 5m (what was found so far is reported)
    #[arg(long, value_name = "DURATION", requires = "explore", value_parser = parse_budget)]
    pub time_budget: Option<std::time::Duration>,
    /// Reproduce a counterexample printed by --explore
    #[arg(long, value_name = "TOKEN", conflicts_with = "explore")]
    pub replay: Option<String>,
    /// Do not validate events against the contract's schemas
    #[arg(long)]
    pub no_validate: bool,
    /// Print the timeline of every instance (default: all when there are at most 20)
    #[arg(long)]
    pub timelines: bool,
    /// Print only violations and the summary (and forget finished instances, for long streams)
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Exploration holds the whole stream in memory (each scenario re-runs only the
/// instances it perturbs, so time grows linearly): recorded windows, not whole
/// production recordings.
const MAX_EXPLORE_EVENTS: usize = 200_000;

fn parse_budget(s: &str) -> Result<std::time::Duration, String> {
    crate::saga::duration::parse_ms(s)
        .map(std::time::Duration::from_millis)
        .ok_or_else(|| format!("`{s}` is not a duration (e.g. 500ms, 30s, 5m)"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SimFormat {
    Human,
    Json,
}

fn display(p: &Path) -> Arc<str> {
    Arc::from(p.to_string_lossy().as_ref())
}

fn fatal(diags: &[Diagnostic], sources: &SourceSet) -> Result<u8, ToolError> {
    let text = render::render_diags(diags, sources);
    eprint!("{text}");
    Ok(exit::TOOL)
}

pub fn run(args: &SimulateArgs) -> Result<u8, ToolError> {
    let started = Instant::now();
    let loaded = match sim::load(&args.sagas, display) {
        Ok(l) => l,
        Err((d, s)) => return fatal(&d, &s),
    };
    let mut sources = loaded.sources.clone();
    let stream_display = display(&args.events);
    let validate = !args.no_validate;

    if args.explore || args.replay.is_some() {
        // Ctrl-C ends an exploration and reports what was found so far (from here on:
        // while the stream is read, it stops before the first scenario); a second
        // Ctrl-C ends the process at once.
        let interrupted = Arc::new(AtomicBool::new(false));
        if args.explore {
            let _ = signal_hook::flag::register_conditional_shutdown(
                signal_hook::consts::SIGINT,
                i32::from(exit::INTERRUPTED),
                interrupted.clone(),
            );
            let _ = signal_hook::flag::register(signal_hook::consts::SIGINT, interrupted.clone());
        }
        let (events, ev_diags) = match sim::read_all(
            &loaded,
            &args.events,
            stream_display.clone(),
            validate,
            &mut sources,
        ) {
            Ok(x) => x,
            Err(d) => return fatal(&d, &sources),
        };
        if events.len() > MAX_EXPLORE_EVENTS {
            return Err(ToolError::Usage(format!(
                "{}: {} events; --explore and --replay take streams of at most {MAX_EXPLORE_EVENTS} events (cut a window of the recording)",
                args.events.display(),
                events.len()
            )));
        }
        let text = crate::fsio::read_regular_string(&args.events).unwrap_or_default();
        let fp = explore::fingerprint(
            loaded
                .sagas
                .iter()
                .map(|s| &*s.source.text)
                .chain(std::iter::once(text.as_str())),
        );
        let mut diags = loaded.diagnostics.clone();
        diags.extend(ev_diags);
        crate::diag::sort_and_dedup(&mut diags);
        if let Some(token) = &args.replay {
            let outcome =
                explore::replay(&loaded.sagas, &events, fp, token).map_err(ToolError::Usage)?;
            let out = match args.format {
                SimFormat::Human => render::human(
                    &outcome,
                    &diags,
                    &sources,
                    &stream_display,
                    &[],
                    render::Show {
                        all_timelines: true,
                        quiet: false,
                    },
                ),
                SimFormat::Json => render::json(&outcome, &diags, &[]),
            };
            write_stdout(&out)?;
            return Ok(if outcome.violations.is_empty() {
                exit::OK
            } else {
                exit::FINDINGS
            });
        }
        let shard = match &args.shard {
            None => (1, 1),
            Some(s) => parse_shard(s).ok_or_else(|| {
                ToolError::Usage(format!(
                    "--shard `{s}`: expected K/N with 1 <= K <= N, e.g. 2/4"
                ))
            })?,
        };
        let bar = std::io::stderr().is_terminal().then(|| {
            let b = indicatif::ProgressBar::new(0);
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "exploring {bar:30} {pos}/{len} scenarios, {eta} left (Ctrl-C: stop and report)",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            b
        });
        let progress = |done: u64, planned: u64| {
            if let Some(b) = &bar {
                b.set_length(planned);
                b.set_position(done);
            }
        };
        let report = explore::explore(
            &loaded.sagas,
            &events,
            fp,
            explore::ExploreOptions {
                depth: args.depth,
                shard,
                max_scenarios: args.max_scenarios,
                time_budget: args.time_budget,
                interrupt: Some(&interrupted),
                progress: Some(&progress),
            },
        );
        if let Some(b) = &bar {
            b.finish_and_clear();
        }
        let out = match args.format {
            SimFormat::Human => explore_human(&report, &diags, &sources, &stream_display, started),
            SimFormat::Json => {
                let mut s = serde_json::to_string_pretty(
                    &serde_json::json!({"diagnostics": diags, "explore": report}),
                )
                .unwrap_or_default();
                s.push('\n');
                s
            }
        };
        write_stdout(&out)?;
        let failed = !report.counterexamples.is_empty()
            || !report.base_violations.is_empty()
            || diags.iter().any(|d| d.severity == Severity::Error);
        return Ok(if failed {
            exit::FINDINGS
        } else if report.stopped == Some(explore::Stopped::Interrupted) {
            exit::INTERRUPTED
        } else {
            exit::OK
        });
    }

    let mut engine = Engine::new(
        &loaded.sagas,
        Options {
            // Golden files record the commands and compensations of each instance.
            keep_timelines: !args.quiet || args.expect.is_some(),
            retention: (args.quiet && args.expect.is_none()).then_some(600_000),
            known_messages: Some(loaded.known_messages()),
            ..Options::default()
        },
    );
    let (objectives, rule_levels) = stream_objectives()?;
    let plan = crate::metrics::Plan::new(&loaded);
    let mut collector = crate::metrics::Collector::new(&plan);
    let ev_diags = match sim::read_each(
        &loaded,
        &args.events,
        stream_display.clone(),
        validate,
        &mut sources,
        |e| {
            // Without validation events are read sparsely (only what the sagas need):
            // consumer latency and ordering are then not measured.
            if validate {
                collector.observe(&e);
            }
            engine.feed(&e);
        },
    ) {
        Ok(d) => d,
        Err(d) => return fatal(&d, &sources),
    };
    let outcome = engine.finish();
    let mut diags = loaded.diagnostics.clone();
    diags.extend(ev_diags);
    diags.extend(plan.diagnostics.iter().cloned());
    rule_levels.apply_rule_levels(&mut diags);
    crate::diag::sort_and_dedup(&mut diags);
    let metrics = metrics_report(
        collector.finish(&loaded, &outcome, objectives, validate),
        &rule_levels,
    );

    let mut mismatches = Vec::new();
    if let Some(path) = &args.expect {
        if args.bless {
            write_atomic(path, &expect::text(&outcome))?;
        } else {
            let text = crate::fsio::read_regular_string(path)
                .map_err(|e| ToolError::Usage(format!("{}: {e}", path.display())))?;
            let mut pd = Vec::new();
            let f = crate::source::parse_file(path, text.into_bytes(), display(path), &mut pd);
            let Some(v) = f.value else {
                sources.insert(f.display.clone(), f.text.clone());
                return fatal(&pd, &sources);
            };
            mismatches = expect::compare(&v, &outcome);
        }
    }
    let show = render::Show {
        all_timelines: args.timelines,
        quiet: args.quiet,
    };
    let out = match args.format {
        SimFormat::Human => render::human(
            &outcome,
            &diags,
            &sources,
            &stream_display,
            &mismatches,
            show,
        ),
        SimFormat::Json => render::json(&outcome, &diags, &mismatches),
    };
    let out = with_metrics(out, args.format, &metrics.0, args.quiet);
    write_stdout(&out)?;
    let failed = !outcome.violations.is_empty()
        || !mismatches.is_empty()
        || metrics.1
        || diags.iter().any(|d| d.severity == Severity::Error);
    Ok(if failed { exit::FINDINGS } else { exit::OK })
}

fn parse_shard(s: &str) -> Option<(u32, u32)> {
    let (k, n) = s.split_once('/')?;
    let (k, n): (u32, u32) = (k.trim().parse().ok()?, n.trim().parse().ok()?);
    (k >= 1 && k <= n).then_some((k, n))
}

fn explore_human(
    r: &explore::Report,
    diags: &[Diagnostic],
    sources: &SourceSet,
    stream: &str,
    started: Instant,
) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    if !diags.is_empty() {
        s.push_str(&render::render_diags(diags, sources));
        s.push('\n');
    }
    if !r.base_violations.is_empty() {
        let _ = writeln!(s, "the unperturbed stream already breaks invariants:");
        for v in &r.base_violations {
            let _ = writeln!(s, "  {}", render::violation_line(v, stream));
        }
        s.push('\n');
    }
    for (i, c) in r.counterexamples.iter().enumerate() {
        let _ = writeln!(
            s,
            "counterexample {} — {}{}",
            i + 1,
            c.rule,
            c.saga
                .as_ref()
                .map(|x| format!(" [{x}]"))
                .unwrap_or_default()
        );
        for p in &c.perturbation {
            let _ = writeln!(s, "  perturbation: {p}");
        }
        let _ = writeln!(
            s,
            "  minimised to {} events; replay with --replay {}",
            c.events, c.token
        );
        for v in &c.violations {
            let _ = writeln!(s, "  {}", render::violation_line(v, stream));
        }
        if let Some(inst) = &c.instance {
            for line in render::timeline(inst, stream).lines() {
                let _ = writeln!(s, "  {line}");
            }
        }
        s.push('\n');
    }
    let by: Vec<String> = r
        .by_rule
        .iter()
        .map(|(k, v)| format!("{k} in {v}"))
        .collect();
    let n = r.counterexamples.len();
    let _ = writeln!(
        s,
        "explored {} scenarios in {} ms: {n} counterexample{}{}",
        r.scenarios,
        started.elapsed().as_millis(),
        if n == 1 { "" } else { "s" },
        if by.is_empty() {
            String::new()
        } else {
            format!(
                " (one minimised example per rule and saga); scenarios that broke an invariant, by rule: {}",
                by.join(", ")
            )
        }
    );
    if let Some(why) = r.stopped {
        let _ = writeln!(
            s,
            "stopped early ({}): {} of {} scenarios explored; the counterexamples above are what was found so far",
            why.describe(),
            r.scenarios,
            r.planned
        );
    }
    s
}

// ---- stream metrics (latency, delivery, ordering: see `crate::metrics`) ----

/// The objectives and rule levels of `./hnp-events.yaml`, when there is one.
fn stream_objectives() -> Result<(crate::metrics::Objectives, crate::config::Config), ToolError> {
    let path = Path::new("hnp-events.yaml");
    if !path.is_file() {
        return Ok((
            crate::metrics::Objectives::default(),
            crate::config::Config::default(),
        ));
    }
    let (cfg, diags, file) = crate::config::Config::load(path).map_err(ToolError::Usage)?;
    if diags.iter().any(|d| d.severity == Severity::Error) {
        let mut sources = SourceSet::default();
        if let Some(f) = file {
            sources.insert(f.display.clone(), f.text.clone());
        }
        let text = render::render_diags(&diags, &sources);
        return Err(ToolError::Usage(format!(
            "hnp-events.yaml is invalid:\n{}",
            text.trim_end()
        )));
    }
    Ok((cfg.objectives, cfg))
}

/// The report with the config's rule levels applied; `.1`: a violation fails the run.
fn metrics_report(
    mut r: crate::metrics::Report,
    cfg: &crate::config::Config,
) -> (crate::metrics::Report, bool) {
    let mut failing = false;
    r.violations.retain(|v| match cfg.rules.get(v.rule) {
        Some(crate::config::RuleLevel::Off) => false,
        Some(crate::config::RuleLevel::On(s)) => {
            failing |= *s == Severity::Error;
            true
        }
        None => {
            failing = true;
            true
        }
    });
    (r, failing)
}

fn with_metrics(out: String, format: SimFormat, r: &crate::metrics::Report, quiet: bool) -> String {
    match format {
        SimFormat::Human => {
            let m = crate::metrics::human(r, quiet);
            if m.is_empty() {
                out
            } else {
                format!("{out}\n{m}")
            }
        }
        SimFormat::Json => {
            let Ok(mut v) = serde_json::from_str::<serde_json::Value>(&out) else {
                return out;
            };
            if let Some(m) = v.as_object_mut() {
                m.insert(
                    "metrics".into(),
                    serde_json::to_value(r).unwrap_or_default(),
                );
            }
            let mut s = serde_json::to_string_pretty(&v).unwrap_or(out);
            s.push('\n');
            s
        }
    }
}
