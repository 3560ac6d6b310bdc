//! Replay: fold a recorded stream into rows (one per key), validating every row
//! against `state` after every event; check snapshot equivalence (a row restored from
//! its persisted snapshot and folded on ends as the row folded from the start),
//! idempotency (the same event again changes no row) and, on request, order
//! (swapping two events of a key on an unordered channel changes no row).
//! Findings are located diagnostics: at the stream line, with the reducer related.

use std::collections::BTreeMap;

use jaq_json::Val;
use serde_json::{Value, json};

use super::compiled::{Compiled, serialise};
use super::contract::Facts;
use super::format::Projection;
use super::jq::{to_json, to_val};
use super::upcast::{Schemas, upcast_with};
use crate::diag::{Diagnostic, Location};
use crate::saga::contract::Contract;
use crate::saga::hash::{FastMap, FastSet};

/// At most this many findings of one rule are reported one by one.
const MAX_PER_RULE: usize = 20;

/// One event of the stream, as the fold sees it.
#[derive(Debug, Clone)]
pub struct Ev {
    pub line: u32,
    pub location: Location,
    /// `{message, time, headers, payload}`.
    pub value: Value,
}

impl Ev {
    fn message(&self) -> &str {
        self.value
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("")
    }
}

/// What a replay found.
#[derive(Debug, Default)]
pub struct Outcome {
    pub projection: String,
    pub rows: BTreeMap<String, Value>,
    pub events: usize,
    pub folded: usize,
    pub ignored: usize,
    pub upcast: usize,
    pub other: usize,
    pub snapshots: usize,
    pub violations: Vec<Diagnostic>,
    /// Findings not reported one by one, by rule.
    pub suppressed: BTreeMap<&'static str, usize>,
    /// `--explore`: pairs tried, and the first that changed a row (with its token).
    pub explored: Option<(usize, Option<String>)>,
}

/// The first place two JSON values differ, as `path: a → b`.
pub fn first_difference(a: &Value, b: &Value) -> String {
    fn go(a: &Value, b: &Value, path: &mut String) -> Option<String> {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                for (k, va) in x {
                    let len = path.len();
                    path.push('.');
                    path.push_str(k);
                    let r = match y.get(k) {
                        Some(vb) => go(va, vb, path),
                        None => Some(format!("`{path}`: {va} → absent")),
                    };
                    path.truncate(len);
                    if r.is_some() {
                        return r;
                    }
                }
                for (k, vb) in y {
                    if !x.contains_key(k) {
                        return Some(format!("`{path}.{k}`: absent → {vb}"));
                    }
                }
                None
            }
            _ if a == b => None,
            _ => Some(format!(
                "`{}`: {a} → {b}",
                if path.is_empty() { "." } else { path }
            )),
        }
    }
    go(a, b, &mut String::new()).unwrap_or_else(|| "no difference".to_string())
}

/// The fold over one stream.
pub struct Folder<'a> {
    p: &'a Projection,
    c: &'a Compiled,
    contract: &'a Contract<'a>,
    facts: Facts,
    schemas: Schemas,
    validate_events: bool,
    rows: FastMap<String, Val>,
    /// Rows restored from a snapshot that differed from the live row: (row, line of
    /// the snapshot point).
    shadows: FastMap<String, (Val, u32, Location)>,
    /// Rows changed since the last snapshot point, with their JSON.
    dirty: FastMap<String, Value>,
    /// The key pointer's tokens.
    key: Option<Vec<String>>,
    since_snapshot: u64,
    initial: Val,
    not_idempotent: FastSet<String>,
    pub out: Outcome,
}

impl<'a> Folder<'a> {
    pub fn new(
        p: &'a Projection,
        c: &'a Compiled,
        contract: &'a Contract<'a>,
        validate_events: bool,
    ) -> Self {
        Folder {
            p,
            c,
            contract,
            facts: Facts::new(contract),
            schemas: Schemas::default(),
            validate_events,
            rows: FastMap::default(),
            shadows: FastMap::default(),
            dirty: FastMap::default(),
            key: crate::source::pointer::parse(&p.key),
            since_snapshot: 0,
            initial: to_val(&p.initial),
            not_idempotent: FastSet::default(),
            out: Outcome {
                projection: p.name.clone(),
                ..Outcome::default()
            },
        }
    }

    fn report(&mut self, d: Diagnostic) {
        let n = self
            .out
            .violations
            .iter()
            .filter(|v| v.rule == d.rule)
            .count();
        if n < MAX_PER_RULE {
            self.out.violations.push(d);
        } else {
            *self.out.suppressed.entry(d.rule).or_default() += 1;
        }
    }

    fn reducer_loc(&self, message: &str) -> Location {
        self.p.reducer(message).map_or_else(
            || self.p.source.file_location(),
            |r| self.p.source.locate(&r.ptr),
        )
    }

    /// The event's idempotency key pointer (the projection's, the message's
    /// `x-hnp-idempotency-key`, else the CloudEvents id).
    fn idempotency_ptr(&self, message: &str) -> String {
        self.p
            .idempotency
            .clone()
            .or_else(|| self.facts.idempotency.get(message).cloned())
            .unwrap_or_else(|| "/headers/id".to_string())
    }

    /// Fold one event.
    pub fn feed(&mut self, ev: &Ev) {
        self.out.events += 1;
        let mut message = ev.message().to_string();
        // The event is cloned only when an upcaster rewrites it.
        let mut upcast: Option<Value> = None;
        // An event an upcaster starts at from its CloudEvents type is an old version
        // the contract may no longer describe: it is validated once upcast.
        let step = self.c.upcasters.find_event(&message, &ev.value);
        let typed = step.is_some_and(|s| s.from.ty.is_some());
        if self.validate_events && !typed && self.contract.messages.contains_key(&message) {
            if let Some(e) = self.schemas.error(self.contract, &message, &ev.value) {
                self.report(Diagnostic::new(
                    "projection-event-invalid",
                    ev.location.clone(),
                    format!("the `{message}` event does not match the contract: {e}"),
                ));
                return;
            }
        }
        if let Some(step) = step {
            let at = step.at.clone();
            match upcast_with(
                &self.c.upcasters,
                self.contract,
                &mut self.schemas,
                &message,
                &ev.value,
            ) {
                Ok((m, v, _)) => {
                    message = m;
                    upcast = Some(v);
                    self.out.upcast += 1;
                }
                Err(e) => {
                    let d = Diagnostic::new(
                        "projection-upcast-invalid",
                        ev.location.clone(),
                        format!("the `{message}` event does not upcast: {e}"),
                    )
                    .with_related(at, "the upcaster");
                    self.report(d);
                    return;
                }
            }
        }
        let value = upcast.as_ref().unwrap_or(&ev.value);
        let Some(prog) = self.c.reducers.get(&message) else {
            if self.p.ignore.iter().any(|n| n.name == message) {
                self.out.ignored += 1;
            } else {
                self.out.other += 1;
            }
            self.tick(ev);
            return;
        };
        let key = match self.key.as_ref().and_then(|t| {
            let mut v = value;
            for tok in t {
                v = crate::source::pointer::step(v, tok)?;
            }
            Some(v)
        }) {
            Some(Value::String(s)) => s.clone(),
            Some(v @ (Value::Number(_) | Value::Bool(_))) => v.to_string(),
            _ => {
                self.report(
                    Diagnostic::new(
                        "projection-key-missing",
                        ev.location.clone(),
                        format!(
                            "the `{message}` event has no key at `{}`: it belongs to no row",
                            self.p.key
                        ),
                    )
                    .with_related(self.p.source.locate("/key"), "the key"),
                );
                self.tick(ev);
                return;
            }
        };
        self.out.folded += 1;
        let event = to_val(value);
        let row = self
            .rows
            .get(&key)
            .cloned()
            .unwrap_or_else(|| self.initial.clone());
        let new = match prog.run(row, event.clone()) {
            Ok(v) => v,
            Err(e) => {
                let d = Diagnostic::new(
                    "projection-reducer-failed",
                    ev.location.clone(),
                    format!("the reducer for `{message}` fails on this event (row `{key}`): {e}"),
                )
                .with_related(self.reducer_loc(&message), "the reducer");
                self.report(d);
                self.tick(ev);
                return;
            }
        };
        let json_row = to_json(&new);
        if let Some((at, msg)) = self.c.row_error(&json_row) {
            let d = Diagnostic::new("projection-state-invalid", ev.location.clone(), format!("after this `{message}` event, row `{key}` does not fit `state` (at `{at}`): {msg}"))
                .with_related(self.reducer_loc(&message), "the reducer");
            self.report(d);
        }
        // Idempotency: the same event again (same idempotency key) changes nothing.
        if !self.not_idempotent.contains(&message) {
            if let Ok(again) = prog.run(new.clone(), event.clone()) {
                // Compared as jq values (numbers by value); JSON only for the message.
                if again != new {
                    let again = to_json(&again);
                    self.not_idempotent.insert(message.clone());
                    let kp = self.idempotency_ptr(&message);
                    let kv = crate::source::pointer::parse(&kp)
                        .and_then(|t| crate::source::pointer::resolve(value, &t).ok())
                        .map(|v| v.to_string())
                        .unwrap_or_else(|| "(none)".to_string());
                    let d = Diagnostic::new(
                        "projection-not-idempotent",
                        ev.location.clone(),
                        format!("the reducer for `{message}` is not idempotent: a redelivery of this event (idempotency key `{kp}` = {kv}) changes row `{key}`: {}", first_difference(&json_row, &again)),
                    )
                    .with_related(self.reducer_loc(&message), "the reducer");
                    self.report(d);
                }
            }
        }
        if let Some((shadow, at, loc)) = self.shadows.remove(&key) {
            if let Ok(s) = prog.run(shadow, event) {
                if s != new {
                    self.shadows.insert(key.clone(), (s, at, loc));
                }
            }
        }
        self.rows.insert(key.clone(), new);
        self.dirty.insert(key, json_row);
        self.tick(ev);
    }

    /// Count an event towards the next snapshot; take it when due.
    fn tick(&mut self, ev: &Ev) {
        let line = ev.line;
        let Some(snap) = &self.p.snapshot else { return };
        self.since_snapshot += 1;
        if self.since_snapshot < snap.every {
            return;
        }
        self.since_snapshot = 0;
        self.out.snapshots += 1;
        let dirty: Vec<(String, Value)> = self.dirty.drain().collect();
        for (key, json) in dirty {
            if self.shadows.contains_key(&key) {
                continue;
            }
            let Some(row) = self.rows.get(&key) else {
                continue;
            };
            let restored = match self.persist_restore(row, &json) {
                Ok(r) => r,
                Err(e) => {
                    self.report(Diagnostic::new("projection-snapshot-divergent", self.p.source.locate("/snapshot"), format!("the snapshot of row `{key}` after line {line} cannot be stored and restored: {e}")));
                    continue;
                }
            };
            if let Some(restored) = restored {
                self.shadows
                    .insert(key, (restored, line, ev.location.clone()));
            }
        }
    }

    /// The row as a snapshot stores and restores it (`persist`, the state schema,
    /// `restore`), when it differs from the live row (`json` is its JSON). Stored
    /// rows are JSON values: writing them as JSON text and reading them back is the
    /// identity (serde_json prints floats in their shortest round-trip form), so the
    /// text itself is not made.
    fn persist_restore(&self, row: &Val, json: &Value) -> Result<Option<Val>, String> {
        let stored = match &self.c.persist {
            Some(p) => to_json(
                &p.run(row.clone(), Val::Null)
                    .map_err(|e| format!("`persist`: {e}"))?,
            ),
            None => json.clone(),
        };
        let stored = serialise(&stored, &self.c.state);
        let restored = match &self.c.restore {
            Some(p) => to_json(
                &p.run(to_val(&stored), Val::Null)
                    .map_err(|e| format!("`restore`: {e}"))?,
            ),
            None => stored,
        };
        Ok((restored != *json).then(|| to_val(&restored)))
    }

    /// End of the stream: rows and the snapshot verdicts.
    pub fn finish(mut self) -> Outcome {
        let mut shadows: Vec<(String, (Val, u32, Location))> = self.shadows.drain().collect();
        shadows.sort_by(|a, b| (a.1.1, &a.0).cmp(&(b.1.1, &b.0)));
        for (key, (shadow, _, location)) in shadows {
            let live = self.rows.get(&key).map(to_json).unwrap_or(Value::Null);
            let restored = to_json(&shadow);
            if live != restored {
                let d = Diagnostic::new(
                    "projection-snapshot-divergent",
                    location,
                    format!("restoring the snapshot taken after this line and folding the rest gives a different row `{key}` than folding from the start: {}", first_difference(&live, &restored)),
                )
                .with_related(self.p.source.locate("/snapshot"), "the snapshot settings");
                self.report(d);
            }
        }
        self.out.rows = self
            .rows
            .iter()
            .map(|(k, v)| (k.clone(), to_json(v)))
            .collect();
        self.out
    }
}

/// Read every event of a stream (JSON Lines or a JSON array) as `{message, time,
/// headers, payload}`, located at its line. With `sources`, the text of a JSON Lines
/// stream small enough to be shown joins them (for rendering).
pub fn read_stream(
    path: &std::path::Path,
    shown: &std::sync::Arc<str>,
    sources: Option<&mut crate::diag::SourceSet>,
    mut each: impl FnMut(Ev),
) -> Result<(), Vec<Diagnostic>> {
    use crate::saga::stream::{ReadOptions, StreamFile, Wanted};
    let mut s = StreamFile::open(path, shown.clone())?;
    // Line starts, for locations in a JSON Lines stream small enough to be shown.
    let mut starts: Vec<usize> = Vec::new();
    // (The size is asked first: a large stream is read line by line only, so memory
    // stays flat.)
    let small = std::fs::metadata(path).is_ok_and(|m| m.len() < (8 << 20));
    if let (true, true, Some(sources)) = (s.is_lines(), small, sources) {
        if let Ok(t) = crate::fsio::read_regular_string(path) {
            if t.len() < (8 << 20) {
                starts.push(0);
                starts.extend(t.match_indices('\n').map(|(i, _)| i + 1));
                sources.insert(shown.clone(), std::sync::Arc::from(t.as_str()));
            }
        }
    }
    let wanted = Wanted::default();
    let mut index = 0;
    while let Some(r) = s.next_event(ReadOptions {
        full: true,
        wanted: &wanted,
    }) {
        let e = r.map_err(|d| vec![d])?;
        let location = match starts.get((e.line as usize).wrapping_sub(1)) {
            Some(&off) => crate::saga::stream::line_location(shown, e.line, off, 1),
            None => s.locate(&e, index, ""),
        };
        index += 1;
        let value = json!({"message": e.message, "time": e.time, "headers": e.headers, "payload": e.payload});
        each(Ev {
            line: e.line,
            location,
            value,
        });
    }
    Ok(())
}

/// `--explore`: within each key, swap every two neighbouring events that both travel
/// on channels declaring no ordering; the first swap that changes the key's final row
/// is reported with its token (`swap:LINE_A:LINE_B`). Pairs tried, and the finding.
pub fn explore(
    p: &Projection,
    c: &Compiled,
    contract: &Contract<'_>,
    events: &[Ev],
) -> (usize, Option<(String, Diagnostic)>) {
    let facts = Facts::new(contract);
    // Old events are folded as the replay folds them: upcast first (one that does not
    // upcast stays as it is; the replay reports it).
    let mut schemas = Schemas::default();
    let upcast: Vec<Ev> = events
        .iter()
        .map(|e| match c.upcasters.find_event(e.message(), &e.value) {
            Some(_) => {
                match upcast_with(&c.upcasters, contract, &mut schemas, e.message(), &e.value) {
                    Ok((_, value, _)) => Ev { value, ..e.clone() },
                    Err(_) => e.clone(),
                }
            }
            None => e.clone(),
        })
        .collect();
    let events = &upcast[..];
    let key = crate::source::pointer::parse(&p.key);
    let mut by_key: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, e) in events.iter().enumerate() {
        if !c.reducers.contains_key(e.message()) {
            continue;
        }
        // Keys as the replay makes them (numbers and booleans as text).
        let k = match key
            .as_ref()
            .and_then(|t| crate::source::pointer::resolve(&e.value, t).ok())
        {
            Some(Value::String(k)) => k.clone(),
            Some(v @ (Value::Number(_) | Value::Bool(_))) => v.to_string(),
            _ => continue,
        };
        by_key.entry(k).or_default().push(i);
    }
    let fold = |idx: &[usize]| -> Option<Value> {
        let mut row = to_val(&p.initial);
        for &i in idx {
            let prog = c.reducers.get(events[i].message())?;
            row = prog.run(row, to_val(&events[i].value)).ok()?;
        }
        Some(to_json(&row))
    };
    let mut tried = 0;
    for (key, idx) in &by_key {
        let Some(base) = fold(idx) else { continue };
        for w in 0..idx.len().saturating_sub(1) {
            let (a, b) = (&events[idx[w]], &events[idx[w + 1]]);
            if !(facts.unordered(a.message()) && facts.unordered(b.message())) || a.value == b.value
            {
                continue;
            }
            tried += 1;
            let mut swapped = idx.clone();
            swapped.swap(w, w + 1);
            let Some(other) = fold(&swapped) else {
                continue;
            };
            if other != base {
                let token = format!("swap:{}:{}", a.line, b.line);
                let d = Diagnostic::new(
                    "projection-order-sensitive",
                    a.location.clone(),
                    format!("delivering this `{}` after the `{}` of line {} (row `{key}`, on a channel with `x-hnp-ordering: none`) changes the row: {}; replay with --replay {token}", a.message(), b.message(), b.line, first_difference(&base, &other)),
                )
                .with_related(b.location.clone(), "the other event")
                .with_related(p.reducer(b.message()).map_or_else(|| p.source.file_location(), |r| p.source.locate(&r.ptr)), "its reducer");
                return (tried, Some((token, d)));
            }
        }
    }
    (tried, None)
}

/// Parse a `--replay` token: the two stream lines to swap.
pub fn parse_token(token: &str) -> Option<(u32, u32)> {
    let rest = token.strip_prefix("swap:")?;
    let (a, b) = rest.split_once(':')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// The expectation file of an outcome (`--expect`/`--bless`).
pub fn expectation(o: &Outcome) -> Value {
    json!({"projection": o.projection, "rows": o.rows})
}
