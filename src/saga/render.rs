//! Text and JSON output of `simulate`: timelines per instance, final states, step
//! latencies, violations and a summary. Deterministic: no wall-clock time unless
//! asked for.

use std::fmt::Write as _;

use serde_json::json;

use super::duration::show_ms;
use super::engine::{Entry, Final, InstanceReport, Outcome, Violation, What};
use crate::diag::{Diagnostic, SourceSet};
use crate::report::{self, Format, RenderOptions, Summary};

/// What to show.
#[derive(Debug, Clone, Copy, Default)]
pub struct Show {
    /// Timelines of every instance (else only of instances that did not end well).
    pub all_timelines: bool,
    pub quiet: bool,
}

/// Human rendering of one run.
pub fn human(
    outcome: &Outcome,
    diags: &[Diagnostic],
    sources: &SourceSet,
    stream: &str,
    mismatches: &[String],
    show: Show,
) -> String {
    let mut s = String::new();
    if !diags.is_empty() {
        s.push_str(&render_diags(diags, sources));
        s.push('\n');
    }
    if !show.quiet {
        for inst in &outcome.instances {
            let bad = !matches!(inst.state, Final::Completed | Final::Compensated);
            if show.all_timelines || bad || outcome.instances.len() <= 20 {
                s.push_str(&timeline(inst, stream));
                s.push('\n');
            }
        }
        let with_data: Vec<_> = outcome.latencies.iter().filter(|l| l.count > 0).collect();
        if !with_data.is_empty() {
            let w = with_data
                .iter()
                .map(|l| l.saga.len() + l.step.len() + 1)
                .max()
                .unwrap_or(0)
                .max(4);
            let _ = writeln!(s, "step latencies:");
            let _ = writeln!(
                s,
                "  {:w$}  {:>6}  {:>8}  {:>8}  {:>8}  objective",
                "step", "n", "p50", "p95", "p99"
            );
            for l in with_data {
                let name = format!("{}/{}", l.saga, l.step);
                let obj = match l.objective_p95_ms {
                    Some(o) if l.ok => format!("p95 <= {} ok", show_ms(o)),
                    Some(o) => format!("p95 <= {} MISSED", show_ms(o)),
                    None => "-".to_string(),
                };
                let _ = writeln!(
                    s,
                    "  {name:w$}  {:>6}  {:>8}  {:>8}  {:>8}  {obj}",
                    l.count,
                    show_ms(l.p50_ms),
                    show_ms(l.p95_ms),
                    show_ms(l.p99_ms)
                );
            }
            s.push('\n');
        }
    }
    if !outcome.violations.is_empty() {
        let _ = writeln!(s, "violations ({}):", outcome.violations.len());
        for v in &outcome.violations {
            let _ = writeln!(s, "  {}", violation_line(v, stream));
        }
        s.push('\n');
    }
    if !mismatches.is_empty() {
        let _ = writeln!(s, "expectation mismatches ({}):", mismatches.len());
        for m in mismatches {
            let _ = writeln!(s, "  {m}");
        }
        s.push('\n');
    }
    let c = &outcome.finished;
    let n = outcome
        .instances
        .len()
        .max((c.completed + c.compensated + c.failed + c.waiting) as usize);
    let _ = writeln!(
        s,
        "{}, {}: {} completed, {} compensated, {} failed, {} waiting; {}",
        plural(outcome.events as usize, "event"),
        plural(n, "instance"),
        c.completed,
        c.compensated,
        c.failed,
        c.waiting,
        plural(outcome.violations.len(), "violation")
    );
    s
}

/// `file:line rule [saga/instance] message`.
pub fn violation_line(v: &Violation, stream: &str) -> String {
    let at = if v.line > 0 {
        format!("{stream}:{}: ", v.line)
    } else {
        String::new()
    };
    let who = match (&v.saga, &v.instance) {
        (Some(s), Some(i)) => format!(" [{s} {i}]"),
        (Some(s), None) => format!(" [{s}]"),
        _ => String::new(),
    };
    format!("{at}{}{who}: {}", v.rule, v.message)
}

/// The timeline of one instance.
pub fn timeline(inst: &InstanceReport, stream: &str) -> String {
    let mut s = String::new();
    let state = match &inst.state {
        Final::Failed { reason } => format!("failed: {reason}"),
        Final::Waiting {
            deadline: Some(d),
            timer,
        } => {
            format!(
                "waiting (the stream ended before {} at +{})",
                timer.as_deref().unwrap_or("its next timer"),
                show_ms(d.saturating_sub(inst.started).max(0) as u64)
            )
        }
        Final::Waiting { deadline: None, .. } => "waiting forever (no deadline)".to_string(),
        other => other.name().to_string(),
    };
    let _ = writeln!(s, "{} {} — {state}", inst.saga, inst.key);
    for e in &inst.timeline {
        let _ = writeln!(
            s,
            "  {:>16}  {}{}",
            format!(
                "+{}",
                show_ms(e.t.saturating_sub(inst.started).max(0) as u64)
            ),
            entry(e),
            at(e, stream)
        );
    }
    s
}

fn at(e: &Entry, stream: &str) -> String {
    if e.line > 0 {
        format!("  ({stream}:{})", e.line)
    } else {
        String::new()
    }
}

/// ` {name: value, ...}`: the captured values a command carries (nothing when none).
fn carries(with: &std::collections::BTreeMap<String, serde_json::Value>) -> String {
    if with.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = with.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    format!(" {{{}}}", parts.join(", "))
}

fn entry(e: &Entry) -> String {
    match &e.what {
        What::Started { message } => format!("started by {message}"),
        What::Sent {
            step,
            command,
            attempt,
            with,
        } => {
            let with = carries(with);
            if *attempt > 1 {
                format!("send {command}{with} [{step}, attempt {attempt}]")
            } else {
                format!("send {command}{with} [{step}]")
            }
        }
        What::Waiting { step } => format!("wait [{step}]"),
        What::Completed {
            step,
            event,
            latency_ms,
        } => match (event, latency_ms) {
            (Some(ev), Some(ms)) => {
                format!("done {step} <- {ev} in {}", show_ms((*ms).max(0) as u64))
            }
            // Its last attempt had timed out: the time the answer took is unknown.
            (Some(ev), None) => {
                format!("done {step} <- {ev} (after its outcome was given up as unknown)")
            }
            (None, ms) => format!(
                "done {step} (timeout window elapsed) in {}",
                show_ms(ms.unwrap_or(0).max(0) as u64)
            ),
        },
        What::StepFailed {
            step,
            event,
            attempt,
        } => {
            format!(
                "FAIL {step} <- {} (attempt {attempt})",
                event.as_deref().unwrap_or("?")
            )
        }
        What::TimedOut { step, attempt } => format!("TIMEOUT {step} (attempt {attempt})"),
        What::Aborted { event } => format!("ABORT <- {event} (abortOn)"),
        What::DeadlinePassed => "DEADLINE the saga's deadline passed".to_string(),
        What::Retry {
            step,
            attempt,
            delay_ms,
        } => format!("retry {step}: attempt {attempt} in {}", show_ms(*delay_ms)),
        What::BranchTaken {
            branch,
            value,
            case,
        } => format!("branch {branch} = {value} -> case {case}"),
        What::Uncertain { step } => {
            format!("abandon {step} (may have taken effect: compensate it too)")
        }
        What::LateEffect { step, event } => {
            format!("late effect {step} <- {event}: compensate it again")
        }
        What::AwaitOutcome { step } => {
            format!("giving up: wait for the outcome of {step} (in flight) before compensating")
        }
        What::Compensating {
            step,
            command,
            attempt,
            with,
        } => {
            let with = carries(with);
            if *attempt > 1 {
                format!("compensate {step}: send {command}{with} (attempt {attempt})")
            } else {
                format!("compensate {step}: send {command}{with}")
            }
        }
        What::Compensated { step, event } => format!("compensated {step} <- {event}"),
        What::CompensationSkipped { step, command } => {
            format!("skip compensation of {step}: {command} (its `if` does not hold)")
        }
        What::CompensationFailed {
            step,
            event,
            attempt,
        } => {
            format!(
                "COMPENSATION FAILED {step} <- {} (attempt {attempt})",
                event.as_deref().unwrap_or("timeout")
            )
        }
        What::Ignored { event } => format!("ignored {event}"),
        What::Duplicate { event } => format!("duplicate {event} (same id: no effect)"),
        What::Unexpected { event } => format!("UNEXPECTED {event}"),
        What::AfterEnd { event } => format!("AFTER END {event}"),
        What::Emitted { message } => format!("emit {message}"),
        What::Finished { state } => format!("end: {state}"),
    }
}

/// Diagnostics as the human report shows them (no summary line).
pub fn render_diags(diags: &[Diagnostic], sources: &SourceSet) -> String {
    let summary = Summary::default();
    let r = report::Report {
        diagnostics: diags,
        sources,
        summary: &summary,
    };
    report::render(
        Format::Human,
        &r,
        RenderOptions {
            color: false,
            timing: false,
            quiet: true,
        },
    )
}

/// JSON rendering of one run.
pub fn json(outcome: &Outcome, diags: &[Diagnostic], mismatches: &[String]) -> String {
    let v = json!({
        "diagnostics": diags,
        "instances": outcome.instances,
        "latencies": outcome.latencies.iter().filter(|l| l.count > 0).collect::<Vec<_>>(),
        "violations": outcome.violations,
        "mismatches": mismatches,
        "summary": {
            "events": outcome.events,
            "instances": outcome.finished,
            "violations": outcome.violations.len(),
            "observedCommands": outcome.observed_commands,
            "unrelated": outcome.unrelated,
        }
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

/// `1 event`, `2 events`.
fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
