//! Upcasters: an old stored event becomes the message a projection handles, through
//! jq transforms of `{headers, payload}`; chains compose (v1 → v2 → v3), and every
//! step's result must be valid under its message's schema.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::compiled::Compiled;
use super::jq::{to_json, to_val};
use crate::saga::contract::Contract;

/// The longest chain followed (a longer one is a cycle).
const MAX_CHAIN: usize = 16;

/// Compiled message schemas, by message name, made on first use.
#[derive(Default)]
pub struct Schemas {
    cache: HashMap<String, Option<crate::saga::contract::Compiled>>,
}

impl Schemas {
    /// The first error of an event `{headers, payload}` against a message's schemas.
    pub fn error(&mut self, contract: &Contract<'_>, message: &str, ev: &Value) -> Option<String> {
        let c = self
            .cache
            .entry(message.to_string())
            .or_insert_with(|| contract.compile(message).ok());
        let c = c.as_ref()?;
        for (part, v) in [("headers", &c.headers), ("payload", &c.payload)] {
            if let Some(v) = v {
                let inst = ev.get(part).unwrap_or(&Value::Null);
                if let Some(e) = v.iter_errors(inst).next() {
                    return Some(format!("{part}{}: {e}", e.instance_path()));
                }
            }
        }
        None
    }
}

/// Upcast an event of `message` through the chain of upcasters that starts at it.
/// `Ok((message, event, steps))`; `Err` says which step failed and why.
pub fn upcast_with(
    c: &Compiled,
    contract: &Contract<'_>,
    schemas: &mut Schemas,
    message: &str,
    event: &Value,
) -> Result<(String, Value, usize), String> {
    let mut cur = message.to_string();
    let mut ev = event.clone();
    let mut steps = 0;
    while let Some((to, prog, _)) = c.upcasters.get(&cur) {
        if steps >= MAX_CHAIN {
            return Err(format!(
                "the upcasters from `{message}` form a cycle (more than {MAX_CHAIN} steps)"
            ));
        }
        let input = json!({"headers": ev.get("headers").cloned().unwrap_or(Value::Null), "payload": ev.get("payload").cloned().unwrap_or(Value::Null)});
        let out = prog
            .run(to_val(&input), to_val(&ev))
            .map_err(|e| format!("`{cur}` → `{to}`: {e}"))?;
        let out = to_json(&out);
        let time = ev.get("time").cloned().unwrap_or(Value::Null);
        ev = json!({
            "message": to,
            "time": time,
            "headers": out.get("headers").cloned().unwrap_or(Value::Null),
            "payload": out.get("payload").cloned().unwrap_or(Value::Null),
        });
        if let Some(e) = schemas.error(contract, to, &ev) {
            return Err(format!("`{cur}` → `{to}` gives an invalid `{to}`: {e}"));
        }
        cur = to.clone();
        steps += 1;
    }
    Ok((cur, ev, steps))
}

/// [`upcast_with`] with a fresh schema cache.
pub fn upcast(
    c: &Compiled,
    contract: &Contract<'_>,
    message: &str,
    event: &Value,
) -> Result<(String, Value, usize), String> {
    upcast_with(c, contract, &mut Schemas::default(), message, event)
}

/// Whether a message's breaking change is covered: some upcaster chain starts at it
/// and turns every example of it into a valid event (for the schema-evolution diff).
pub fn covered(c: &Compiled, contract: &Contract<'_>, message: &str) -> bool {
    if !c.upcasters.contains_key(message) {
        return false;
    }
    let mut schemas = Schemas::default();
    super::contract::examples(contract, message)
        .iter()
        .all(|ex| upcast_with(c, contract, &mut schemas, message, ex).is_ok())
}
