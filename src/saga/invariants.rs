//! Invariants checked on a finished instance's timeline, independently of how the
//! engine produced it: compensations only for completed steps, in reverse order of
//! completion, each at most once; no second effect of a redelivered message; no timer
//! firing and no effect after the end.

use std::collections::{HashMap, HashSet};

use super::engine::{Entry, What};
use super::format::Saga;

/// Broken invariants of one timeline: (rule, message).
pub fn check_timeline(saga: &Saga, timeline: &[Entry]) -> Vec<(&'static str, String)> {
    let _ = saga;
    check_entries(timeline)
}

fn check_entries(timeline: &[Entry]) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let mut completed: Vec<&str> = Vec::new();
    let mut compensated: Vec<&str> = Vec::new();
    let mut comp_counts: HashMap<(&str, &str), usize> = HashMap::new();
    let mut effects_by_id: HashSet<&str> = HashSet::new();
    let mut ended = false;
    // Steps whose late effect is compensated again (after the others).
    let mut late: HashSet<&str> = HashSet::new();
    for e in timeline {
        let effect = matches!(
            e.what,
            What::Started { .. }
                | What::Completed { .. }
                | What::StepFailed { .. }
                | What::Aborted { .. }
                | What::BranchTaken { .. }
                | What::Compensated { .. }
                | What::CompensationFailed { .. }
        );
        if effect {
            if let Some(id) = e.id.as_deref() {
                if !effects_by_id.insert(id) {
                    out.push((
                        "saga-duplicate-effect",
                        format!(
                            "message id `{id}` had a second effect ({})",
                            describe(&e.what)
                        ),
                    ));
                }
            }
        }
        // A late success of a step in doubt reopens an ended instance to compensate
        // it again.
        if ended && matches!(e.what, What::LateEffect { .. }) {
            ended = false;
        }
        if ended {
            match &e.what {
                What::Duplicate { .. } | What::Ignored { .. } | What::AfterEnd { .. } => {}
                What::TimedOut { step, .. } | What::Retry { step, .. } => {
                    out.push((
                        "saga-orphaned-timer",
                        format!("a timer of `{step}` fired after the instance ended"),
                    ));
                }
                What::DeadlinePassed => out.push((
                    "saga-orphaned-timer",
                    "the saga's deadline fired after the instance ended".to_string(),
                )),
                w => out.push((
                    "saga-after-terminal",
                    format!("{} after the instance ended", describe(w)),
                )),
            }
            continue;
        }
        match &e.what {
            // A step abandoned in doubt whose success then arrives completed once,
            // when it last did (its place in the reverse order).
            What::Completed { step, .. } | What::Uncertain { step } => {
                completed.retain(|s| *s != step.as_str());
                completed.push(step);
            }
            What::LateEffect { step, .. } => {
                late.insert(step);
                comp_counts.retain(|(s, _), _| *s != step.as_str());
            }
            What::Compensating {
                step,
                attempt,
                command,
                ..
            } => {
                if !completed.contains(&step.as_str()) {
                    out.push((
                        "saga-compensation-order",
                        format!("`{command}` compensates `{step}`, which never completed"),
                    ));
                }
                if *attempt == 1 {
                    let n = comp_counts.entry((step, command)).or_default();
                    *n += 1;
                    if *n == 2 {
                        out.push((
                            "saga-compensation-order",
                            format!("`{step}` is compensated by `{command}` more than once"),
                        ));
                    }
                }
                if compensated.last() != Some(&step.as_str()) {
                    if compensated.contains(&step.as_str()) && !late.contains(step.as_str()) {
                        out.push((
                            "saga-compensation-order",
                            format!("compensation of `{step}` resumed after another step's"),
                        ));
                    }
                    compensated.push(step);
                }
            }
            What::Finished { .. } => ended = true,
            _ => {}
        }
    }
    // Reverse order: the compensated steps, in order, must be the completed steps
    // (that have compensations) from last to first.
    compensated.retain(|s| !late.contains(s));
    let expected: Vec<&str> = completed
        .iter()
        .rev()
        .copied()
        .filter(|s| compensated.contains(s))
        .collect();
    if compensated.iter().all(|s| completed.contains(s)) && expected != compensated {
        out.push((
            "saga-compensation-order",
            format!(
                "compensations ran in the order {}, not the reverse of completion ({})",
                compensated.join(" → "),
                expected.join(" → ")
            ),
        ));
    }
    out
}

fn describe(w: &What) -> String {
    match w {
        What::Started { message } => format!("start by `{message}`"),
        What::Sent { step, command, .. } => format!("`{command}` sent for `{step}`"),
        What::Waiting { step } => format!("waiting in `{step}`"),
        What::Completed { step, .. } => format!("completion of `{step}`"),
        What::StepFailed { step, .. } => format!("failure of `{step}`"),
        What::TimedOut { step, .. } => format!("timeout of `{step}`"),
        What::Aborted { event } => format!("abort by `{event}`"),
        What::DeadlinePassed => "the saga's deadline".to_string(),
        What::Retry { step, .. } => format!("retry of `{step}`"),
        What::BranchTaken { branch, case, .. } => format!("branch `{branch}` → `{case}`"),
        What::Uncertain { step } => format!("`{step}` abandoned in doubt"),
        What::AwaitOutcome { step } => format!("the outcome of `{step}` awaited"),
        What::Compensating { step, .. } => format!("compensation of `{step}`"),
        What::Compensated { step, .. } => format!("confirmed compensation of `{step}`"),
        What::CompensationSkipped { step, .. } => format!("skipped compensation of `{step}`"),
        What::LateEffect { step, .. } => format!("late effect of `{step}`"),
        What::CompensationFailed { step, .. } => format!("failed compensation of `{step}`"),
        What::Ignored { event }
        | What::Duplicate { event }
        | What::Unexpected { event }
        | What::AfterEnd { event } => format!("`{event}`"),
        What::Emitted { message } => format!("emission of `{message}`"),
        What::Finished { state } => format!("end ({state})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(t: i64, what: What) -> Entry {
        Entry {
            t,
            line: 0,
            id: None,
            what,
        }
    }

    fn done(step: &str) -> What {
        What::Completed {
            step: step.into(),
            event: None,
            latency_ms: Some(0),
        }
    }

    fn comp(step: &str, command: &str) -> What {
        What::Compensating {
            step: step.into(),
            command: command.into(),
            attempt: 1,
            with: Default::default(),
        }
    }

    /// Two parallel steps: `status` is abandoned in doubt, its success arrives, then
    /// `commit` completes; compensating `commit` then `status` is the reverse of
    /// completion (the in-doubt step counts once, where it completed last).
    #[test]
    fn a_step_in_doubt_then_completed_counts_once() {
        let timeline = [
            at(
                20_000,
                What::Uncertain {
                    step: "status".into(),
                },
            ),
            at(20_001, done("status")),
            at(22_000, done("commit")),
            at(22_001, comp("commit", "RevertCommit")),
            at(23_000, comp("status", "MarkSyncError")),
        ];
        assert_eq!(check_entries(&timeline), vec![]);
        // The wrong order is still reported.
        let wrong = [
            at(20_001, done("status")),
            at(22_000, done("commit")),
            at(22_001, comp("status", "MarkSyncError")),
            at(23_000, comp("commit", "RevertCommit")),
        ];
        let found = check_entries(&wrong);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "saga-compensation-order");
    }
}
