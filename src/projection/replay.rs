//! Replay: fold a recorded stream into rows (one per key), validating every row
//! against `state` after every event; check snapshot equivalence (a row restored from
//! its persisted snapshot and folded on ends as the row folded from the start),
//! idempotency (the same event again changes no row) and, on request, order
//! (swapping two events of a key on an unordered channel changes no row).
//! Findings are located diagnostics: at the stream line, with the reducer related.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use jaq_json::Val;
use serde_json::{Value, json};

use super::compiled::{Compiled, drops, drops_val, serialise};
use super::contract::Facts;
use super::format::Projection;
use super::jq::{Program, RunError, to_json, to_val};
use super::upcast::{Schemas, upcast_with};
use crate::diag::{Diagnostic, Location};
use crate::saga::contract::Contract;
use crate::saga::hash::{FastMap, FastSet};
use crate::saga::tape::TapeJson;
use crate::saga::view::{EventView, TapeEvent};

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

/// Where a finding about an event is: made only when one is reported.
#[derive(Clone, Copy)]
pub enum At<'e> {
    Loc(&'e Location),
    /// The event's line of a JSON Lines stream (`offset`: where the line starts).
    Line {
        file: &'e Arc<str>,
        line: u32,
        offset: usize,
    },
}

impl At<'_> {
    fn location(&self) -> Location {
        match self {
            At::Loc(l) => (*l).clone(),
            At::Line { file, line, offset } => {
                crate::saga::stream::line_location(file, *line, *offset, 1)
            }
        }
    }
}

/// The event a fold reads: its JSON, or the tape it was read onto.
#[derive(Clone, Copy)]
enum Src<'e> {
    Json(&'e Value),
    Tape(&'e TapeEvent<'e>),
}

/// An event on a tape as `{message, time, headers, payload}` (as [`read_stream`]
/// makes it).
fn tape_value(t: &TapeEvent<'_>) -> Value {
    let part = |p| t.part(p).map_or(Value::Null, |n| n.value());
    json!({"message": t.message(), "time": t.top.time, "headers": part(false), "payload": part(true)})
}

/// `$event.k1.k2…` read from a tape as jq reads it from the whole event (`keys` not
/// empty); `None` where jq raises an error (indexing a string, a number or an array
/// with a key).
fn tape_path(t: &TapeEvent<'_>, keys: &[String]) -> Option<Val> {
    let (first, rest) = keys.split_first()?;
    let scalar = |v: Value| rest.is_empty().then(|| to_val(&v));
    let mut node = match first.as_str() {
        "message" => return scalar(Value::String(t.message().to_string())),
        "time" => return scalar(Value::from(t.top.time)),
        "headers" | "payload" => match t.part(first == "payload") {
            Some(n) => n,
            None => return Some(Val::Null),
        },
        // A key the event does not have: `null`, and so is every key below it.
        _ => return Some(Val::Null),
    };
    for k in rest {
        if node.is_object() {
            match node.member(k) {
                Some(n) => node = n,
                None => return Some(Val::Null),
            }
        } else if node.is_null_value() {
            return Some(Val::Null);
        } else {
            return None;
        }
    }
    Some(to_val(&node.value()))
}

impl<'e> Src<'e> {
    fn value(&self) -> Cow<'e, Value> {
        match self {
            Src::Json(v) => Cow::Borrowed(v),
            Src::Tape(t) => Cow::Owned(tape_value(t)),
        }
    }
}

/// The event as jq values, made on first use: whole (for jaq), or the `$event`
/// paths the reducer's native form reads (one reducer per event).
struct EvVal<'e> {
    src: Src<'e>,
    full: Option<Val>,
    paths: Option<Vec<Option<Val>>>,
}

impl<'e> EvVal<'e> {
    fn new(src: Src<'e>) -> Self {
        EvVal {
            src,
            full: None,
            paths: None,
        }
    }

    fn full(&mut self) -> Val {
        let src = self.src;
        self.full
            .get_or_insert_with(|| to_val(&src.value()))
            .clone()
    }

    /// Run `prog` on `row` with this event: natively when the program has a native
    /// form that gives a value, else with jaq (the same value; see
    /// [`super::native`]).
    fn run(&mut self, prog: &Program, row: Val) -> Result<Val, RunError> {
        self.run_with(prog, row, false)
    }

    /// [`EvVal::run`], leaving unchanged objects uncopied on the native path (see
    /// [`super::native::Native::run_keeping`]; the same value).
    fn run_keeping(&mut self, prog: &Program, row: Val) -> Result<Val, RunError> {
        self.run_with(prog, row, true)
    }

    /// Whether `prog` runs natively and cannot fail on an object row with this event
    /// (its `$event` values all there): then [`EvVal::run_in_place`] may take the row.
    fn total(&mut self, prog: &Program) -> bool {
        let Some(n) = prog.native().filter(|n| n.total) else {
            return false;
        };
        self.resolve(n);
        self.paths
            .as_deref()
            .is_some_and(|p| p.iter().all(Option::is_some))
    }

    /// Run a program [`EvVal::total`] says cannot fail on `row`, owning it (an
    /// unshared row is changed in place, not copied). `None` would be a flaw of
    /// [`EvVal::total`].
    fn run_in_place(&mut self, prog: &Program, row: Val) -> Option<Val> {
        let n = prog.native()?;
        self.resolve(n);
        n.run(row, self.paths.as_deref()?)
    }

    /// The `$event` values the native form reads, once per event.
    fn resolve(&mut self, n: &super::native::Native) {
        if self.paths.is_none() {
            let mut out = Vec::with_capacity(n.paths.len());
            match self.src {
                Src::Tape(t) if n.paths.iter().all(|p| !p.is_empty()) => {
                    out.extend(n.paths.iter().map(|p| tape_path(t, p)));
                }
                _ => {
                    let full = self.full();
                    n.resolve(&full, &mut out);
                }
            }
            self.paths = Some(out);
        }
    }

    fn run_with(&mut self, prog: &Program, row: Val, keep: bool) -> Result<Val, RunError> {
        if let Some(n) = prog.native() {
            self.resolve(n);
            let native = |p: &[Option<Val>]| {
                if keep {
                    n.run_keeping(row.clone(), p)
                } else {
                    n.run(row.clone(), p)
                }
            };
            if let Some(v) = self.paths.as_deref().and_then(native) {
                return Ok(v);
            }
        }
        let event = self.full();
        prog.run(row, event)
    }
}

/// A row key from the value at the key pointer (numbers and booleans as text).
fn scalar_key(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(_) | Value::Bool(_) => Some(v.to_string()),
        _ => None,
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
    /// Message schemas compiled for tapes (`None`: not compiled; such events go the
    /// `serde_json` way).
    tape: FastMap<String, Option<crate::saga::contract::Compiled<TapeJson>>>,
    rows: FastMap<String, Val>,
    /// Rows restored from a snapshot that differed from the live row: (row, line of
    /// the snapshot point).
    shadows: FastMap<String, (Val, u32, Location)>,
    /// Rows changed since the last snapshot point.
    dirty: FastSet<String>,
    /// The key pointer's tokens.
    key: Option<Vec<String>>,
    since_snapshot: u64,
    initial: Val,
    not_idempotent: FastSet<String>,
    /// Events folded straight from their tape ([`Folder::feed_tape`]).
    pub from_tape: usize,
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
            tape: FastMap::default(),
            rows: FastMap::default(),
            shadows: FastMap::default(),
            dirty: FastSet::default(),
            key: crate::source::pointer::parse(&p.key),
            since_snapshot: 0,
            initial: to_val(&p.initial),
            not_idempotent: FastSet::default(),
            from_tape: 0,
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
        self.fold(&message, Src::Json(value), ev.line, At::Loc(&ev.location));
    }

    /// Whether an event on a tape is known valid against its message's schemas.
    fn valid_tape(&mut self, t: &TapeEvent<'_>) -> bool {
        let name = t.message();
        if !self.tape.contains_key(name) {
            let c = self.contract.compile_for::<TapeJson>(name).ok();
            self.tape.insert(name.to_string(), c);
        }
        let Some(Some(c)) = self.tape.get(name) else {
            return false;
        };
        c.accepts_tape(t)
    }

    /// Fold one event read onto a tape, as [`Folder::feed`] folds it. `false`, with
    /// nothing done, for an event an upcaster starts at or one not known to be valid
    /// on the tape: feed that one as an [`Ev`] (which reports its errors).
    pub fn feed_tape(&mut self, t: &TapeEvent<'_>, at: At<'_>) -> bool {
        let message = t.message();
        let ty = t
            .part(false)
            .and_then(|h| h.member("type"))
            .and_then(|n| n.str());
        if self.c.upcasters.find(message, ty).is_some() {
            return false;
        }
        if self.validate_events
            && self.contract.messages.contains_key(message)
            && !self.valid_tape(t)
        {
            return false;
        }
        self.out.events += 1;
        self.from_tape += 1;
        self.fold(message, Src::Tape(t), t.line, at);
        true
    }

    /// The event's row key (`None`: it has none).
    fn key_of(&self, src: Src<'_>) -> Option<String> {
        let tokens = self.key.as_ref()?;
        if let (Src::Tape(t), Some((first, rest))) = (src, tokens.split_first()) {
            if first == "headers" || first == "payload" {
                // The tape's pointer finds what serde's does when it finds anything.
                if let Some(n) = t.part(first == "payload").and_then(|n| n.pointer(rest)) {
                    if let Some(s) = n.str() {
                        return Some(s.to_string());
                    }
                    if let Some(k) = (!n.is_object())
                        .then(|| n.value())
                        .as_ref()
                        .and_then(scalar_key)
                    {
                        return Some(k);
                    }
                }
            }
        }
        let value = src.value();
        let mut v = &*value;
        for tok in tokens {
            v = crate::source::pointer::step(v, tok)?;
        }
        scalar_key(v)
    }

    /// Fold a valid (and upcast) event into its row, with the checks.
    fn fold(&mut self, message: &str, src: Src<'_>, line: u32, at: At<'_>) {
        let c = self.c;
        let Some(prog) = c.reducers.get(message) else {
            if self.p.ignore.iter().any(|n| n.name == message) {
                self.out.ignored += 1;
            } else {
                self.out.other += 1;
            }
            self.tick(line, at);
            return;
        };
        let Some(key) = self.key_of(src) else {
            self.report(
                Diagnostic::new(
                    "projection-key-missing",
                    at.location(),
                    format!(
                        "the `{message}` event has no key at `{}`: it belongs to no row",
                        self.p.key
                    ),
                )
                .with_related(self.p.source.locate("/key"), "the key"),
            );
            self.tick(line, at);
            return;
        };
        self.out.folded += 1;
        let mut event = EvVal::new(src);
        // A reducer that cannot fail changes an object row in place (taken out of the
        // table, so not shared); any other keeps the stored row for the jaq fallback.
        let in_place = matches!(self.rows.get(&key), Some(Val::Obj(_))) && event.total(prog);
        let taken = match self.rows.get_mut(&key) {
            Some(slot) if in_place => event.run_in_place(prog, std::mem::take(slot)),
            _ => None,
        };
        debug_assert!(!in_place || taken.is_some(), "a total reducer failed");
        let run = match taken {
            Some(v) => Ok(v),
            None => {
                let row = self
                    .rows
                    .get(&key)
                    .cloned()
                    .unwrap_or_else(|| self.initial.clone());
                event.run(prog, row)
            }
        };
        let new = match run {
            Ok(v) => v,
            Err(e) => {
                let d = Diagnostic::new(
                    "projection-reducer-failed",
                    at.location(),
                    format!("the reducer for `{message}` fails on this event (row `{key}`): {e}"),
                )
                .with_related(self.reducer_loc(message), "the reducer");
                self.report(d);
                self.tick(line, at);
                return;
            }
        };
        if let Some((ptr, msg)) = self.c.row_error_val(&new) {
            let d = Diagnostic::new("projection-state-invalid", at.location(), format!("after this `{message}` event, row `{key}` does not fit `state` (at `{ptr}`): {msg}"))
                .with_related(self.reducer_loc(message), "the reducer");
            self.report(d);
        }
        // Idempotency: the same event again (same idempotency key) changes nothing.
        if !self.not_idempotent.contains(message) {
            if let Ok(again) = event.run_keeping(prog, new.clone()) {
                // Compared as jq values (numbers by value); JSON only for the message.
                if again != new {
                    let again = to_json(&again);
                    self.not_idempotent.insert(message.to_string());
                    let kp = self.idempotency_ptr(message);
                    let value = src.value();
                    let kv = crate::source::pointer::parse(&kp)
                        .and_then(|t| crate::source::pointer::resolve(&value, &t).ok())
                        .map(|v| v.to_string())
                        .unwrap_or_else(|| "(none)".to_string());
                    let d = Diagnostic::new(
                        "projection-not-idempotent",
                        at.location(),
                        format!("the reducer for `{message}` is not idempotent: a redelivery of this event (idempotency key `{kp}` = {kv}) changes row `{key}`: {}", first_difference(&to_json(&new), &again)),
                    )
                    .with_related(self.reducer_loc(message), "the reducer");
                    self.report(d);
                }
            }
        }
        if let Some((shadow, sat, loc)) = self.shadows.remove(&key) {
            if let Ok(s) = event.run(prog, shadow) {
                if s != new {
                    self.shadows.insert(key.clone(), (s, sat, loc));
                }
            }
        }
        match self.rows.get_mut(&key) {
            Some(slot) => *slot = new,
            None => {
                self.rows.insert(key.clone(), new);
            }
        }
        self.dirty.insert(key);
        self.tick(line, at);
    }

    /// Count an event towards the next snapshot; take it when due.
    fn tick(&mut self, line: u32, at: At<'_>) {
        let Some(snap) = &self.p.snapshot else { return };
        self.since_snapshot += 1;
        if self.since_snapshot < snap.every {
            return;
        }
        self.since_snapshot = 0;
        self.out.snapshots += 1;
        let dirty: Vec<String> = self.dirty.drain().collect();
        for key in dirty {
            if self.shadows.contains_key(&key) {
                continue;
            }
            let Some(row) = self.rows.get(&key) else {
                continue;
            };
            let restored = match self.persist_restore(row) {
                Ok(r) => r,
                Err(e) => {
                    self.report(Diagnostic::new("projection-snapshot-divergent", self.p.source.locate("/snapshot"), format!("the snapshot of row `{key}` after line {line} cannot be stored and restored: {e}")));
                    continue;
                }
            };
            if let Some(restored) = restored {
                self.shadows.insert(key, (restored, line, at.location()));
            }
        }
    }

    /// The row as a snapshot stores and restores it (`persist`, the state schema,
    /// `restore`), when it differs from the live row (`json` is its JSON). Stored
    /// rows are JSON values: writing them as JSON text and reading them back is the
    /// identity (serde_json prints floats in their shortest round-trip form), so the
    /// text itself is not made.
    fn persist_restore(&self, row: &Val) -> Result<Option<Val>, String> {
        if self.c.persist.is_none() && self.c.restore.is_none() {
            // Stored and restored as it is, less what `serialise` drops: the same row
            // when it drops nothing (so nothing is built then).
            let dropped = if super::valjson::plain(row) {
                drops_val(row, &self.c.state)
            } else {
                drops(&to_json(row), &self.c.state)
            };
            return Ok(dropped.then(|| to_val(&serialise(&to_json(row), &self.c.state))));
        }
        let json = &to_json(row);
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

/// Open a stream as [`read_stream`] reads it: with `sources`, the text of a JSON
/// Lines stream small enough to be shown joins them, and its line starts are
/// returned (for locations).
fn open_stream(
    path: &std::path::Path,
    shown: &Arc<str>,
    sources: Option<&mut crate::diag::SourceSet>,
) -> Result<(crate::saga::stream::StreamFile, Vec<usize>), Vec<Diagnostic>> {
    let s = crate::saga::stream::StreamFile::open(path, shown.clone())?;
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
                sources.insert(shown.clone(), Arc::from(t.as_str()));
            }
        }
    }
    Ok((s, starts))
}

/// The event `{message, time, headers, payload}` of a stream event.
fn event_value(e: crate::saga::stream::Event) -> Value {
    json!({"message": e.message, "time": e.time, "headers": e.headers, "payload": e.payload})
}

/// Read every event of a stream (JSON Lines or a JSON array) as `{message, time,
/// headers, payload}`, located at its line. With `sources`, the text of a JSON Lines
/// stream small enough to be shown joins them (for rendering).
pub fn read_stream(
    path: &std::path::Path,
    shown: &Arc<str>,
    sources: Option<&mut crate::diag::SourceSet>,
    mut each: impl FnMut(Ev),
) -> Result<(), Vec<Diagnostic>> {
    let (s, starts) = open_stream(path, shown, sources)?;
    each_event(s, &starts, shown, &mut each)
}

/// The events of an open stream, located (`starts`: see [`open_stream`]).
fn each_event(
    mut s: crate::saga::stream::StreamFile,
    starts: &[usize],
    shown: &Arc<str>,
    each: &mut dyn FnMut(Ev),
) -> Result<(), Vec<Diagnostic>> {
    use crate::saga::stream::{ReadOptions, Wanted};
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
        each(Ev {
            line: e.line,
            location,
            value: event_value(e),
        });
    }
    Ok(())
}

/// Fold a stream into `folder`: what [`read_stream`] and [`Folder::feed`] do, with
/// the same events, rows and findings, but a JSON Lines event that the tape scanner
/// reads (as serde would) and that is valid on its tape is folded straight from the
/// tape ([`Folder::feed_tape`]): no `serde_json::Value` and no jq value of the whole
/// event are made for it. Every other event goes the [`Ev`] way.
pub fn replay_stream(
    folder: &mut Folder<'_>,
    path: &std::path::Path,
    shown: &Arc<str>,
    sources: Option<&mut crate::diag::SourceSet>,
) -> Result<(), Vec<Diagnostic>> {
    use crate::saga::scan::{Mode, scan_tape};
    use crate::saga::stream::{RawLine, ReadOptions, Wanted, line_location, parse_line};
    let (mut s, starts) = open_stream(path, shown, sources)?;
    if !s.is_lines() {
        return each_event(s, &starts, shown, &mut |ev| folder.feed(&ev));
    }
    let wanted = Wanted::default();
    let mut raw = RawLine {
        line: 0,
        offset: 0,
        bytes: Vec::with_capacity(4096),
    };
    let mut tape = crate::saga::tape::Tape::default();
    let mut fatal: Option<Diagnostic> = None;
    loop {
        // Every line comes here (blank and `//` lines too): it is checked and skipped
        // as `StreamFile::next_event` does.
        let fast = |bytes: &[u8], line: u32, offset: usize| {
            let Ok(text) = std::str::from_utf8(bytes) else {
                let e = std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "stream did not contain valid UTF-8",
                );
                fatal = Some(Diagnostic::new(
                    "saga-stream-invalid",
                    Location::file(shown.clone()),
                    format!("cannot read the stream: {e}"),
                ));
                return true;
            };
            let lead = text.len() - text.trim_start().len();
            let text = text.trim();
            if text.is_empty() || text.starts_with("//") {
                return true;
            }
            let at = offset + lead;
            let shown_at = starts
                .get((line as usize).wrapping_sub(1))
                .copied()
                .unwrap_or(at);
            if let Some(top) = scan_tape(text.as_bytes(), &mut tape, Mode::Full) {
                let ev = TapeEvent {
                    line,
                    offset: at,
                    text,
                    tape: &tape,
                    top,
                };
                let loc = At::Line {
                    file: shown,
                    line,
                    offset: shown_at,
                };
                if folder.feed_tape(&ev, loc) {
                    return true;
                }
            }
            let opts = ReadOptions {
                full: true,
                wanted: &wanted,
            };
            match parse_line(text, line, at, shown, opts) {
                Ok(e) => folder.feed(&Ev {
                    line: e.line,
                    location: line_location(shown, e.line, shown_at, 1),
                    value: event_value(e),
                }),
                Err(d) => fatal = Some(d),
            }
            true
        };
        match s.next_line_with(&mut raw, false, fast) {
            Ok(Some(_)) => {
                if let Some(d) = fatal.take() {
                    return Err(vec![d]);
                }
            }
            Ok(None) => return Ok(()),
            Err(d) => return Err(vec![d]),
        }
    }
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
