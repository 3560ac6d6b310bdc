//! Expectation files for `simulate --expect`: the final state and emitted events of
//! every instance (golden; `--bless` writes them). JSON (also valid YAML).

use serde_json::{Value, json};

use super::engine::Outcome;

/// The expectation document of an outcome.
pub fn of(outcome: &Outcome) -> Value {
    let instances: Vec<Value> = outcome
        .instances
        .iter()
        .map(|i| json!({"saga": i.saga, "instance": i.key, "final": i.state.name(), "emitted": i.emitted}))
        .collect();
    json!({ "instances": instances })
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
