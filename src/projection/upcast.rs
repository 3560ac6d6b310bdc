//! Upcasters: an old stored event becomes the message a projection handles, through
//! jq transforms of `{headers, payload}`; chains compose (v1 → v2 → v3), and every
//! step's result must be valid under its message's schema.
//!
//! An upcaster starts at a message (an old message the contract still defines, e.g.
//! `SyncResultV1`) or at one CloudEvents `type` of a message (`{message: WatchErrored,
//! type: ….watch_errored.v1}`: the events of that message stored under that type).
//! [`covered`] is the question the schema-evolution `diff` asks: does a verified
//! upcaster cover a breaking change to a stored event?

use std::collections::HashMap;

use serde_json::{Value, json};

use super::jq::{Program, to_json, to_val};
use crate::diag::Location;
use crate::saga::contract::Contract;

/// The longest chain followed (a longer one is a cycle).
pub const MAX_CHAIN: usize = 16;

/// One side of a compiled upcaster.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ver {
    pub message: String,
    /// The CloudEvents `type` (`None`: any event of the message).
    pub ty: Option<String>,
}

impl Ver {
    pub fn show(&self) -> String {
        match &self.ty {
            Some(t) => format!("`{}` ({t})", self.message),
            None => format!("`{}`", self.message),
        }
    }
}

/// One compiled upcaster.
#[derive(Debug)]
pub struct Step {
    pub from: Ver,
    pub to: Ver,
    pub prog: Program,
    /// Where its transform is written.
    pub at: Location,
}

/// A set of compiled upcasters, looked up by the old event's message and type.
#[derive(Debug, Default)]
pub struct Upcasters {
    pub steps: Vec<Step>,
    /// (message, type) → step; type `None` for untyped upcasters.
    index: HashMap<(String, Option<String>), usize>,
    /// Stored events (`{message, time, headers, payload}`) of the streams the upcast
    /// files list, when read for `diff` (old events to verify upcasters on).
    pub stored: Vec<Value>,
}

impl Upcasters {
    /// Add a step; `Err` names the step already starting there.
    pub fn add(&mut self, s: Step) -> Result<(), Location> {
        let k = (s.from.message.clone(), s.from.ty.clone());
        if let Some(&i) = self.index.get(&k) {
            return Err(self.steps[i].at.clone());
        }
        self.index.insert(k, self.steps.len());
        self.steps.push(s);
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The step an event of `message` with CloudEvents type `ty` starts with: the one
    /// for its type, else the untyped one.
    pub fn find(&self, message: &str, ty: Option<&str>) -> Option<&Step> {
        if self.steps.is_empty() {
            return None;
        }
        if let Some(t) = ty {
            if let Some(&i) = self.index.get(&(message.to_string(), Some(t.to_string()))) {
                return Some(&self.steps[i]);
            }
        }
        self.index
            .get(&(message.to_string(), None))
            .map(|&i| &self.steps[i])
    }

    /// The step for an event `{message, headers, payload}`.
    pub fn find_event(&self, message: &str, ev: &Value) -> Option<&Step> {
        self.find(message, ev.pointer("/headers/type").and_then(Value::as_str))
    }

    /// Whether any upcaster starts at `message`.
    pub fn starts_at(&self, message: &str) -> bool {
        self.steps.iter().any(|s| s.from.message == message)
    }

    /// Upcast an event of `message` through the chain of upcasters that starts at it;
    /// `invalid(message, event)` gives the first error of an event against its
    /// message's schemas. `Ok((message, event, steps))`; `Err` says which step failed.
    pub fn run(
        &self,
        message: &str,
        event: &Value,
        invalid: &mut dyn FnMut(&str, &Value) -> Option<String>,
    ) -> Result<(String, Value, usize), String> {
        let mut cur = message.to_string();
        let mut ev = event.clone();
        let mut steps = 0;
        while let Some(s) = self.find_event(&cur, &ev) {
            if steps >= MAX_CHAIN {
                return Err(format!(
                    "the upcasters from `{message}` form a cycle (more than {MAX_CHAIN} steps)"
                ));
            }
            let input = json!({"headers": ev.get("headers").cloned().unwrap_or(Value::Null), "payload": ev.get("payload").cloned().unwrap_or(Value::Null)});
            let out = s
                .prog
                .run(to_val(&input), to_val(&ev))
                .map_err(|e| format!("{} → {}: {e}", s.from.show(), s.to.show()))?;
            let out = to_json(&out);
            let time = ev.get("time").cloned().unwrap_or(Value::Null);
            let mut headers = out.get("headers").cloned().unwrap_or(Value::Null);
            if let (Some(t), Value::Object(h)) = (&s.to.ty, &mut headers) {
                h.insert("type".to_string(), Value::String(t.clone()));
            }
            ev = json!({
                "message": s.to.message,
                "time": time,
                "headers": headers,
                "payload": out.get("payload").cloned().unwrap_or(Value::Null),
            });
            if let Some(e) = invalid(&s.to.message, &ev) {
                return Err(format!(
                    "{} → {} gives an invalid `{}`: {e}",
                    s.from.show(),
                    s.to.show(),
                    s.to.message
                ));
            }
            cur = s.to.message.clone();
            steps += 1;
        }
        Ok((cur, ev, steps))
    }
}

/// Compiled message schemas of a contract, by message name, made on first use.
#[derive(Default)]
pub struct Schemas {
    cache: HashMap<String, Option<crate::saga::contract::Compiled>>,
}

impl Schemas {
    /// The first error of an event `{headers, payload}` against a message's schemas.
    pub fn error(&mut self, contract: &Contract<'_>, message: &str, ev: &Value) -> Option<String> {
        if !self.cache.contains_key(message) {
            self.cache
                .insert(message.to_string(), contract.compile(message).ok());
        }
        let Some(c) = self.cache.get(message).and_then(Option::as_ref) else {
            return Some(format!("`{message}` is not a message of the contract"));
        };
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

/// Upcast an event through `u`, validating against the contract's schemas.
pub fn upcast_with(
    u: &Upcasters,
    contract: &Contract<'_>,
    schemas: &mut Schemas,
    message: &str,
    event: &Value,
) -> Result<(String, Value, usize), String> {
    u.run(message, event, &mut |m, ev| schemas.error(contract, m, ev))
}

/// What [`covered`] found.
#[derive(Debug, Clone, PartialEq)]
pub enum Cover {
    /// No upcaster starts at the message.
    None,
    /// Every old event upcast to a valid new one (how many were checked), through
    /// the upcaster at `at`.
    Verified { at: Location, checked: usize },
    /// An upcaster starts there, but does not turn this old event into a valid one
    /// (or there was no old event to check it on).
    Failed { at: Location, why: String },
}

/// Whether a breaking change to the stored event `message` is covered: some
/// upcaster chain starts at it (for the old events' CloudEvents type) and turns every
/// old event (`{message, headers, payload}`, e.g. the old revision's examples) into
/// an event that `invalid` (the new contract's schemas) accepts. An upcaster checked
/// on no old event does not count as verified. Used by `diff`.
pub fn covered(
    u: &Upcasters,
    message: &str,
    old_events: &[Value],
    invalid: &mut dyn FnMut(&str, &Value) -> Option<String>,
) -> Cover {
    if !u.starts_at(message) {
        return Cover::None;
    }
    let mut at = None;
    let mut checked = 0;
    for ev in old_events {
        let Some(s) = u.find_event(message, ev) else {
            continue;
        };
        at.get_or_insert_with(|| s.at.clone());
        if let Err(why) = u.run(message, ev, invalid) {
            return Cover::Failed {
                at: s.at.clone(),
                why: format!("an old event does not upcast: {why}"),
            };
        }
        checked += 1;
    }
    let first = u
        .steps
        .iter()
        .find(|s| s.from.message == message)
        .map(|s| s.at.clone());
    match (at.or(first), checked) {
        (Some(at), 0) => Cover::Failed {
            at,
            why: format!("no old `{message}` event (example) to verify it on"),
        },
        (Some(at), n) => Cover::Verified { at, checked: n },
        (None, _) => Cover::None,
    }
}
