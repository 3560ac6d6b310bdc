//! `hnp-events simulate X.projection.yaml --events STREAM`: fold a stream through
//! projections (static checks first), print the read model and the findings, compare
//! with `--expect` or write it with `--bless`, and explore event orders.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use serde_json::Value;

use super::simulate::{SimFormat, SimulateArgs};
use super::{ToolError, exit, write_atomic, write_stdout};
use crate::diag::{Diagnostic, Severity, SourceSet};
use crate::projection::replay::{self, Ev, Folder, Outcome};

/// Streams explored (`--explore`, `--replay`) are held whole: at most this many events.
const MAX_EXPLORE_EVENTS: usize = 10_000;

/// Whether `simulate` was given projection files (all of them must be).
pub fn wanted(args: &SimulateArgs) -> bool {
    args.sagas
        .iter()
        .any(|p| crate::projection::is_event_sourcing_path(p))
}

fn display(p: &Path) -> Arc<str> {
    Arc::from(p.to_string_lossy().as_ref())
}

fn render(diags: &[Diagnostic], sources: &SourceSet) -> String {
    crate::saga::render::render_diags(diags, sources)
}

pub fn run(args: &SimulateArgs) -> Result<u8, ToolError> {
    if let Some(p) = args
        .sagas
        .iter()
        .find(|p| !crate::projection::is_event_sourcing_path(p))
    {
        return Err(ToolError::Usage(format!(
            "{}: simulate takes sagas or projections, not both in one run",
            p.display()
        )));
    }
    if args.expect.is_some() && args.sagas.len() > 1 {
        return Err(ToolError::Usage(
            "--expect takes one projection".to_string(),
        ));
    }
    let stream_shown = display(&args.events);
    let mut out = String::new();
    let mut json_out = Vec::new();
    let mut failed = false;
    for path in &args.sagas {
        let checked = match crate::projection::load_and_check(path, display(path)) {
            Ok(c) => c,
            Err((d, s)) => {
                eprint!("{}", render(&d, &s));
                return Ok(exit::TOOL);
            }
        };
        let mut sources = checked.sources.clone();
        let Some(compiled) = &checked.compiled else {
            eprint!("{}", render(&checked.diagnostics, &sources));
            return Ok(exit::TOOL);
        };
        let p = &checked.projection;
        let contract = match crate::saga::contract::Contract::new(&checked.ws) {
            Ok(c) => c,
            Err(e) => return Err(ToolError::Usage(e)),
        };
        let mut folder = Folder::new(p, compiled, &contract, !args.no_validate);
        let explore = args.explore || args.replay.is_some();
        let mut held: Vec<Ev> = Vec::new();
        let mut too_many = false;
        let read = if explore {
            replay::read_stream(&args.events, &stream_shown, Some(&mut sources), |ev| {
                if held.len() < MAX_EXPLORE_EVENTS {
                    held.push(ev);
                } else {
                    too_many = true;
                }
            })
        } else {
            replay::replay_stream(&mut folder, &args.events, &stream_shown, Some(&mut sources))
        };
        if let Err(d) = read {
            eprint!("{}", render(&d, &sources));
            return Ok(exit::TOOL);
        }
        if too_many {
            return Err(ToolError::Usage(format!(
                "{}: --explore and --replay take streams of at most {MAX_EXPLORE_EVENTS} events (cut a window of the recording)",
                args.events.display()
            )));
        }
        let mut finding = None;
        if explore {
            if let Some(token) = &args.replay {
                let (a, b) = replay::parse_token(token).ok_or_else(|| {
                    ToolError::Usage(format!(
                        "--replay `{token}`: expected swap:LINE:LINE, as --explore prints it"
                    ))
                })?;
                let ia = held.iter().position(|e| e.line == a);
                let ib = held.iter().position(|e| e.line == b);
                let (Some(ia), Some(ib)) = (ia, ib) else {
                    return Err(ToolError::Usage(format!(
                        "--replay `{token}`: the stream has no event at line {a} or {b}"
                    )));
                };
                held.swap(ia, ib);
            }
            for ev in &held {
                folder.feed(ev);
            }
            if args.explore {
                let (tried, f) = replay::explore(p, compiled, &contract, &held);
                finding = Some((tried, f));
            }
        }
        let mut outcome = folder.finish();
        if let Some((tried, f)) = finding {
            outcome.explored = Some((tried, f.as_ref().map(|(t, _)| t.clone())));
            if let Some((_, d)) = f {
                outcome.violations.push(d);
            }
        }
        let mut diags = checked.diagnostics.clone();
        diags.extend(outcome.violations.iter().cloned());
        crate::diag::sort_and_dedup(&mut diags);
        let mut mismatches = Vec::new();
        if let Some(exp) = &args.expect {
            let mine = replay::expectation(&outcome);
            if args.bless {
                let mut t = serde_json::to_string_pretty(&mine).unwrap_or_default();
                t.push('\n');
                write_atomic(exp, &t)?;
            } else {
                let text = crate::fsio::read_regular_string(exp)
                    .map_err(|e| ToolError::Usage(format!("{}: {e}", exp.display())))?;
                let v: Value = serde_json::from_str(&text)
                    .map_err(|e| ToolError::Usage(format!("{}: not JSON: {e}", exp.display())))?;
                mismatches = compare(&v, &mine);
            }
        }
        failed |= !mismatches.is_empty() || diags.iter().any(|d| d.severity == Severity::Error);
        match args.format {
            SimFormat::Human => {
                if !diags.is_empty() {
                    out.push_str(&render(&diags, &sources));
                    out.push('\n');
                }
                out.push_str(&table(&outcome));
                for m in &mismatches {
                    let _ = writeln!(out, "expectation mismatch: {m}");
                }
                out.push_str(&summary(&outcome, &diags));
            }
            SimFormat::Json => {
                json_out.push(serde_json::json!({
                    "projection": outcome.projection,
                    "rows": outcome.rows,
                    "events": outcome.events,
                    "folded": outcome.folded,
                    "ignored": outcome.ignored,
                    "upcast": outcome.upcast,
                    "other": outcome.other,
                    "snapshots": outcome.snapshots,
                    "explored": outcome.explored.as_ref().map(|(n, t)| serde_json::json!({"pairs": n, "token": t})),
                    "diagnostics": diags,
                    "suppressed": outcome.suppressed,
                    "mismatches": mismatches,
                }));
            }
        }
    }
    if args.format == SimFormat::Json {
        out = serde_json::to_string_pretty(&serde_json::json!({"projections": json_out}))
            .unwrap_or_default();
        out.push('\n');
    }
    write_stdout(&out)?;
    Ok(if failed { exit::FINDINGS } else { exit::OK })
}

/// Differences between an expectation file and this run's rows.
fn compare(expected: &Value, mine: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let (Some(e), Some(m)) = (
        expected.get("rows").and_then(Value::as_object),
        mine.get("rows").and_then(Value::as_object),
    ) else {
        return vec!["the expectation file has no `rows` object".to_string()];
    };
    for (k, ev) in e {
        match m.get(k) {
            None => out.push(format!("row `{k}` expected, not produced")),
            Some(mv) if mv != ev => {
                out.push(format!("row `{k}`: {}", replay::first_difference(ev, mv)))
            }
            _ => {}
        }
    }
    for k in m.keys() {
        if !e.contains_key(k) {
            out.push(format!("row `{k}` produced, not expected"));
        }
    }
    out
}

fn table(o: &Outcome) -> String {
    let mut s = String::new();
    let width = o
        .rows
        .keys()
        .map(|k| k.chars().count())
        .max()
        .unwrap_or(3)
        .max(3);
    let _ = writeln!(s, "{} — read model", o.projection);
    let _ = writeln!(s, "{:width$}  ROW", "KEY");
    for (k, v) in &o.rows {
        let _ = writeln!(
            s,
            "{k:width$}  {}",
            serde_json::to_string(v).unwrap_or_default()
        );
    }
    s.push('\n');
    s
}

fn summary(o: &Outcome, diags: &[Diagnostic]) -> String {
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diags
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    let mut s = format!(
        "{}: {} events, {} folded into {} rows, {} ignored, {} upcast, {} for other readers; {} snapshots checked",
        o.projection,
        o.events,
        o.folded,
        o.rows.len(),
        o.ignored,
        o.upcast,
        o.other,
        o.snapshots
    );
    if let Some((n, t)) = &o.explored {
        let _ = write!(
            s,
            "; explored {n} reorderings{}",
            t.as_ref()
                .map(|t| format!(" (order-sensitive: --replay {t})"))
                .unwrap_or_default()
        );
    }
    let _ = writeln!(s, "; {errors} errors, {warnings} warnings");
    for (rule, n) in &o.suppressed {
        let _ = writeln!(s, "  (+{n} more {rule})");
    }
    s
}
