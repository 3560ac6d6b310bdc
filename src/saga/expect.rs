//! Expectation files for `simulate --expect`: the final state, emitted events,
//! commands sent and compensations run of every instance (golden; `--bless` writes
//! them). JSON (also valid YAML).

use serde_json::{Value, json};

use super::engine::{Outcome, What};

/// The expectation document of an outcome: per instance, the final state, the
/// events emitted, the commands sent (with their step and attempt) and the
/// compensations run (with their outcome, and the late effects that run them again),
/// in order. Golden files written before the last two existed are still compared on
/// the fields they have.
pub fn of(outcome: &Outcome) -> Value {
    let instances: Vec<Value> = outcome
        .instances
        .iter()
        .map(|i| {
            let mut commands = Vec::new();
            let mut compensations = Vec::new();
            for e in &i.timeline {
                match &e.what {
                    What::Sent {
                        step,
                        command,
                        attempt,
                        with,
                    } => commands.push(format!("{step}: {command} #{attempt}{}", carries(with))),
                    What::Compensating {
                        step,
                        command,
                        attempt,
                        with,
                    } => {
                        compensations.push(format!("{step}: {command} #{attempt}{}", carries(with)))
                    }
                    What::Compensated { step, event } => {
                        compensations.push(format!("{step}: confirmed by {event}"));
                    }
                    What::CompensationSkipped { step, command } => {
                        compensations.push(format!("{step}: {command} skipped (if)"));
                    }
                    // A late success of a step in doubt: its compensations run again
                    // (reopening the instance if it had ended).
                    What::LateEffect { step, event } => {
                        compensations.push(format!("{step}: late effect by {event}, again"));
                    }
                    What::CompensationFailed { step, event, .. } => compensations.push(format!(
                        "{step}: failed{}",
                        event
                            .as_ref()
                            .map(|e| format!(" by {e}"))
                            .unwrap_or_else(|| " (timeout)".into())
                    )),
                    _ => {}
                }
            }
            json!({
                "saga": i.saga,
                "instance": i.key,
                "final": i.state.name(),
                "emitted": i.emitted,
                "commands": commands,
                "compensations": compensations,
            })
        })
        .collect();
    json!({ "instances": instances })
}

/// ` with {...}`: the captured values a command carries, as JSON (nothing when none).
fn carries(with: &std::collections::BTreeMap<String, Value>) -> String {
    if with.is_empty() {
        return String::new();
    }
    format!(" with {}", serde_json::to_string(with).unwrap_or_default())
}

/// Where two lists first differ, for a mismatch message.
fn list_diff(actual: &Value, expected: &Value) -> String {
    let (Some(a), Some(e)) = (actual.as_array(), expected.as_array()) else {
        return format!("is {actual}, expected {expected}");
    };
    let at = a
        .iter()
        .zip(e)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(e.len()));
    let show = |v: Option<&Value>| v.map_or("nothing".to_string(), Value::to_string);
    format!(
        "differs at #{}: got {}, expected {} ({} entries, expected {})",
        at + 1,
        show(a.get(at)),
        show(e.get(at)),
        a.len(),
        e.len()
    )
}

/// Text of an expectation file.
pub fn text(outcome: &Outcome) -> String {
    let mut s = serde_json::to_string_pretty(&of(outcome)).unwrap_or_default();
    s.push('\n');
    s
}

/// Differences between an expectation and an outcome (empty: as expected).
pub fn compare(expected: &Value, outcome: &Outcome) -> Vec<String> {
    let actual = of(outcome);
    let list = |v: &Value| -> Vec<(String, String, Value)> {
        v.get("instances")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|i| {
                        let s =
                            |k: &str| i.get(k).and_then(Value::as_str).unwrap_or("").to_string();
                        (s("saga"), s("instance"), i.clone())
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let (exp, act) = (list(expected), list(&actual));
    let mut out = Vec::new();
    for (s, k, e) in &exp {
        match act.iter().find(|(s2, k2, _)| s2 == s && k2 == k) {
            None => out.push(format!("{s} {k}: expected, but no such instance ran")),
            Some((_, _, a)) => {
                for field in ["final", "emitted"] {
                    if e.get(field) != a.get(field) {
                        out.push(format!(
                            "{s} {k}: `{field}` is {}, expected {}",
                            a.get(field).map_or("nothing".into(), Value::to_string),
                            e.get(field).map_or("nothing".into(), Value::to_string)
                        ));
                    }
                }
                // Checked when the golden file records them.
                for field in ["commands", "compensations"] {
                    if let (Some(ev), Some(av)) = (e.get(field), a.get(field)) {
                        if ev != av {
                            out.push(format!("{s} {k}: `{field}` {}", list_diff(av, ev)));
                        }
                    }
                }
            }
        }
    }
    for (s, k, _) in &act {
        if !exp.iter().any(|(s2, k2, _)| s2 == s && k2 == k) {
            out.push(format!("{s} {k}: ran, but is not in the expectation"));
        }
    }
    out
}
