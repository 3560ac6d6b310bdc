//! Stream metrics of `simulate`: the HNP checklist's performance objectives measured
//! on a recorded stream.
//!
//! - **Latency**: per event consumer, the time from an event to the reaction it causes
//!   (an event whose causation pointer names the first event's id), and per saga step
//!   (the engine's step latencies), as p50/p95/p99 against an objective: the
//!   consumer operation's `x-hnp-latency: {p95: 100ms}`, else the configured default
//!   for event consumers (`objectives.latency-p95`, < 100 ms as the checklist writes);
//!   a saga step's objective is its `p95`, else its command handler's `x-hnp-latency`.
//! - **Delivery**: commands (and compensation commands) answered within their timeout
//!   / commands whose fate the stream decides (answered or timed out; those still in
//!   flight when the stream ends are not counted), objective > 99.9 %.
//! - **Ordering**: per ordering key (`x-hnp-ordering-key` of the message's channel),
//!   events that arrive after an event of the same key produced later (by the
//!   producer's timestamp, `/headers/time`) / events with a key and a timestamp,
//!   objective 100 % in order.
//!
//! One pass, constant work per event (hash maps); event ids are remembered for a
//! window of virtual time ([`WINDOW_MS`]), so memory stays bounded on long streams.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::hash::Hasher as _;

use crate::saga::hash::{FastHasher, FastMap};

use serde::Serialize;
use serde_json::Value;

use crate::diag::{Diagnostic, Severity};
use crate::model::{Action, Extension};
use crate::saga::duration::{parse_ms, show_ms};
use crate::saga::engine::Outcome;
use crate::saga::sim::Loaded;
use crate::saga::stats::Histogram;
use crate::saga::view::{EventView, Ptr};
use crate::source::{SourceFile, Workspace};

/// Reactions later than this after their cause are not matched (ids are forgotten):
/// far beyond any latency objective, and it bounds memory on long streams.
pub const WINDOW_MS: i64 = 600_000;

/// The objectives, as the HNP checklist writes them; `objectives:` in
/// `hnp-events.yaml` changes them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Objectives {
    /// Default p95 of an event consumer (met when p95 < it).
    pub latency_p95_ms: u64,
    /// Commands answered within their timeout (met when the ratio > it).
    pub delivery: f64,
    /// Events in order per ordering key (met when the ratio >= it).
    pub ordering: f64,
}

impl Default for Objectives {
    fn default() -> Self {
        Objectives {
            latency_p95_ms: 100,
            delivery: 0.999,
            ordering: 1.0,
        }
    }
}

/// Read `objectives: {latency-p95: 100ms, delivery: 0.999, ordering: 1.0}`.
pub fn parse_objectives(
    file: &SourceFile,
    at: &str,
    v: &Value,
    diags: &mut Vec<Diagnostic>,
) -> Objectives {
    let mut o = Objectives::default();
    let Some(map) = v.as_object() else {
        diags.push(file.diag_at(
            "config-invalid",
            at,
            "`objectives` must be a mapping: {latency-p95: 100ms, delivery: 0.999, ordering: 1.0}",
        ));
        return o;
    };
    for (k, v) in map {
        let kat = crate::source::pointer::push(at, k);
        match k.as_str() {
            "latency-p95" => match v.as_str().and_then(parse_ms) {
                Some(ms) if ms > 0 => o.latency_p95_ms = ms,
                _ => diags.push(file.diag_at(
                    "config-invalid",
                    &kat,
                    "`latency-p95` must be a positive duration, e.g. 100ms",
                )),
            },
            "delivery" | "ordering" => match v.as_f64().filter(|f| (0.0..=1.0).contains(f)) {
                Some(f) if k == "delivery" => o.delivery = f,
                Some(f) => o.ordering = f,
                None => diags.push(file.diag_at(
                    "config-invalid",
                    &kat,
                    format!("`{k}` must be a ratio between 0 and 1, e.g. 0.999"),
                )),
            },
            other => diags.push(
                crate::diag::Diagnostic::new(
                    "config-invalid",
                    file.locate_key(&kat),
                    format!("unknown objective `{other}`"),
                )
                .with_help("known objectives: latency-p95, delivery, ordering"),
            ),
        }
    }
    o
}

/// A consumer of a message, as the contract declares it.
#[derive(Debug, Clone)]
struct Consumer {
    /// The operation's id (or key).
    label: String,
    /// Its `x-hnp-latency` p95.
    objective: Option<u64>,
    /// Messages it answers or emits.
    reacts: Vec<String>,
}

/// What the contracts say about the stream's messages.
#[derive(Debug, Default)]
pub struct Plan {
    consumers: HashMap<String, Vec<Consumer>>,
    /// Message → (channel label, ordering key pointer).
    ordering: HashMap<String, (usize, Ptr)>,
    channels: Vec<String>,
    /// Commands (messages with declared replies).
    commands: HashSet<String>,
    /// Command → the `x-hnp-latency` p95 of an operation that receives it.
    handler_objective: HashMap<String, u64>,
    id_ptr: Option<Ptr>,
    causation_ptr: Option<Ptr>,
    time_ptr: Option<Ptr>,
    /// Located problems with `x-hnp-latency` declarations.
    pub diagnostics: Vec<Diagnostic>,
}

fn ext<'a>(ws: &'a Workspace, exts: &[Extension], key: &str) -> Option<&'a Value> {
    crate::classify::extension(ws, exts, key)
}

/// The message name of an `x-hnp-emits` entry (`$ref` to a message, or a name).
fn emitted_name(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(m) => m
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.rsplit('/').next())
            .map(|s| s.replace("~1", "/").replace("~0", "~")),
        _ => None,
    }
}

impl Plan {
    /// Index the sagas' contracts.
    pub fn new(loaded: &Loaded) -> Plan {
        let mut plan = Plan::default();
        let first = loaded.sagas.first();
        plan.id_ptr = Some(Ptr::new(
            first.map_or("/headers/id", |s| s.idempotency.as_str()),
        ));
        plan.causation_ptr = Some(Ptr::new(
            first
                .and_then(|s| s.causation.as_deref())
                .unwrap_or("/headers/causationid"),
        ));
        plan.time_ptr = Some(Ptr::new("/headers/time"));
        for ws in &loaded.contracts {
            plan.add_contract(ws);
        }
        for list in plan.consumers.values_mut() {
            list.sort_by(|a, b| a.label.cmp(&b.label));
            list.dedup_by(|a, b| a.label == b.label);
        }
        plan
    }

    fn add_contract(&mut self, ws: &Workspace) {
        let Ok(contract) = crate::saga::contract::Contract::new(ws) else {
            return;
        };
        self.commands.extend(contract.replies.keys().cloned());
        let by_target: HashMap<(crate::source::FileId, &str), &str> = contract
            .messages
            .iter()
            .map(|(n, (f, p))| ((*f, p.as_str()), n.as_str()))
            .collect();
        let (model, _) = crate::model::build(ws);
        for doc in &model.documents {
            let name_of = |i: usize| -> Option<String> {
                let m = doc.messages.get(i)?;
                by_target
                    .get(&(m.src.file, m.src.pointer.as_str()))
                    .map(|s| (*s).to_string())
                    .or_else(|| m.key.clone())
            };
            for ch in &doc.channels {
                if let Some(Value::String(p)) = ext(ws, &ch.extensions, "x-hnp-ordering-key") {
                    if p.starts_with("/headers") || p.starts_with("/payload") {
                        let label = ch.address.clone().unwrap_or_else(|| ch.key.clone());
                        self.channels.push(label);
                        let ci = self.channels.len() - 1;
                        for &mi in &ch.messages {
                            if let Some(n) = name_of(mi) {
                                self.ordering.entry(n).or_insert((ci, Ptr::new(p)));
                            }
                        }
                    }
                }
            }
            for op in &doc.operations {
                if op.action != Some(Action::Receive) {
                    continue;
                }
                let label = op
                    .operation_id
                    .clone()
                    .or_else(|| op.key.clone())
                    .unwrap_or_else(|| op.src.pointer.clone());
                let objective = match ext(ws, &op.extensions, "x-hnp-latency") {
                    None => None,
                    Some(v) => {
                        let p95 = v.get("p95").and_then(Value::as_str).and_then(parse_ms);
                        if p95.is_none() {
                            if let Some(e) = op.extensions.iter().find(|e| e.key == "x-hnp-latency")
                            {
                                self.diagnostics.push(Diagnostic::new(
                                    "stream-latency-objective",
                                    ws.file(e.src.file).locate(&e.src.pointer),
                                    format!(
                                        "operation `{label}`: `x-hnp-latency` must be {{p95: <duration>}}, e.g. {{p95: 100ms}}"
                                    ),
                                ).with_severity(Severity::Error));
                            }
                        }
                        p95
                    }
                };
                let mut reacts: Vec<String> = op
                    .reply
                    .iter()
                    .flat_map(|r| r.messages.iter())
                    .filter_map(|&i| name_of(i))
                    .collect();
                if let Some(Value::Array(items)) = ext(ws, &op.extensions, "x-hnp-emits") {
                    reacts.extend(items.iter().filter_map(emitted_name));
                }
                for &mi in &op.messages {
                    let Some(n) = name_of(mi) else { continue };
                    if let Some(o) = objective {
                        self.handler_objective.entry(n.clone()).or_insert(o);
                    }
                    self.consumers.entry(n).or_default().push(Consumer {
                        label: label.clone(),
                        objective,
                        reacts: reacts.clone(),
                    });
                }
            }
        }
    }
}

/// Latency of one consumer (or saga step) with its objective.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LatencyRow {
    /// The consumer operation, or `saga/step`.
    pub name: String,
    /// The event consumed (consumers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    pub count: u64,
    pub p50_ms: u64,
    pub p95_ms: u64,
    pub p99_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub objective_p95_ms: Option<u64>,
    /// `<` (the checklist's default) or `<=` (a declared bound).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comparator: Option<&'static str>,
    /// Where the objective comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<&'static str>,
    pub ok: bool,
}

/// Delivery reliability.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    /// Always true: the engine counts answers and timeouts with or without timelines.
    pub measured: bool,
    pub answered: u64,
    pub timed_out: u64,
    /// Still waiting for an answer (and within their timeout) at the end.
    pub in_flight: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ratio: Option<f64>,
    pub objective: f64,
    pub ok: bool,
}

/// Ordering per ordering key.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ordering {
    /// False with `--no-validate` (events are read only for what the sagas need).
    pub measured: bool,
    /// Events with an ordering key and a producer timestamp.
    pub events: u64,
    pub out_of_order: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ratio: Option<f64>,
    pub objective: f64,
    pub ok: bool,
}

/// A missed objective.
#[derive(Debug, Clone, Serialize)]
pub struct MetricViolation {
    /// Stream line (0: none).
    pub line: u32,
    pub rule: &'static str,
    pub message: String,
}

/// Everything measured.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub objectives: Objectives,
    /// False with `--no-validate` (events are read only for what the sagas need).
    pub consumers_measured: bool,
    pub consumers: Vec<LatencyRow>,
    pub steps: Vec<LatencyRow>,
    pub delivery: Delivery,
    pub ordering: Ordering,
    pub violations: Vec<MetricViolation>,
}

#[derive(Debug, Default)]
struct Slot {
    event: String,
    hist: Histogram,
    /// The slowest reaction: (latency, line).
    slowest: (u64, u32),
    objective: Option<u64>,
}

/// Watches the stream event by event.
pub struct Collector<'p> {
    plan: &'p Plan,
    /// Message names seen (interned: ids map to an index).
    names: Vec<String>,
    name_ix: FastMap<String, u32>,
    /// Hash of an event id → (message, time). A 64-bit hash: a collision (a reaction
    /// taken for another event's) is negligible, and no id string is kept.
    recent: FastMap<u64, (u32, i64)>,
    window: VecDeque<(i64, u64)>,
    slots: BTreeMap<String, Slot>,
    /// (channel, hash of the key) → (latest producer time, last arrival); keys not
    /// seen for [`WINDOW_MS`] are forgotten.
    last: FastMap<(usize, u64), (i64, i64)>,
    last_window: VecDeque<(i64, (usize, u64))>,
    ordering: Ordering,
    first_disorder: Option<(u32, String)>,
}

fn hash(s: &str) -> u64 {
    let mut h = FastHasher::default();
    h.write(s.as_bytes());
    h.finish()
}

impl<'p> Collector<'p> {
    pub fn new(plan: &'p Plan) -> Self {
        Collector {
            plan,
            names: Vec::new(),
            name_ix: FastMap::default(),
            recent: FastMap::default(),
            window: VecDeque::new(),
            slots: BTreeMap::new(),
            last: FastMap::default(),
            last_window: VecDeque::new(),
            ordering: Ordering::default(),
            first_disorder: None,
        }
    }

    fn intern(&mut self, msg: &str) -> u32 {
        if let Some(&i) = self.name_ix.get(msg) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(msg.to_string());
        self.name_ix.insert(msg.to_string(), i);
        i
    }

    /// Look at one event (in stream order).
    pub fn observe(&mut self, ev: &impl EventView) {
        let t = ev.time();
        while let Some(&(t0, id)) = self.window.front() {
            if t0.saturating_add(WINDOW_MS) >= t {
                break;
            }
            self.window.pop_front();
            if self.recent.get(&id).is_some_and(|e| e.1 == t0) {
                self.recent.remove(&id);
            }
        }
        while let Some(&(t0, k)) = self.last_window.front() {
            if t0.saturating_add(WINDOW_MS) >= t {
                break;
            }
            self.last_window.pop_front();
            if self.last.get(&k).is_some_and(|e| e.1 == t0) {
                self.last.remove(&k);
            }
        }
        let msg = ev.message();
        if let Some(c) = self.plan.causation_ptr.as_ref().and_then(|p| ev.key(p)) {
            if let Some(&(cause, t0)) = self.recent.get(&hash(&c)) {
                let latency = t.saturating_sub(t0).max(0) as u64;
                let cause = self.names.get(cause as usize).cloned().unwrap_or_default();
                self.record(cause, msg, latency, ev.line());
            }
        }
        if let Some(id) = self.plan.id_ptr.as_ref().and_then(|p| ev.key(p)) {
            let h = hash(&id);
            if !self.recent.contains_key(&h) {
                let m = self.intern(msg);
                self.window.push_back((t, h));
                self.recent.insert(h, (m, t));
            }
        }
        if let Some((ci, ptr)) = self.plan.ordering.get(msg) {
            let key = ev.key(ptr);
            let produced = self
                .plan
                .time_ptr
                .as_ref()
                .and_then(|p| ev.field(p))
                .and_then(|f| match f {
                    crate::saga::view::Field::Str(s) => crate::saga::stream::parse_rfc3339(s),
                    other => crate::saga::stream::parse_rfc3339(&other.text()),
                });
            if let (Some(key), Some(produced)) = (key, produced) {
                self.ordering.events += 1;
                let k = (*ci, hash(&key));
                let e = self.last.entry(k).or_insert((i64::MIN, t));
                e.1 = t;
                self.last_window.push_back((t, k));
                if produced < e.0 {
                    self.ordering.out_of_order += 1;
                    if self.first_disorder.is_none() {
                        self.first_disorder = Some((
                            ev.line(),
                            format!(
                                "`{msg}` at line {} was produced before an event of the same ordering key on `{}` that arrived earlier",
                                ev.line(),
                                self.plan.channels.get(*ci).map_or("", String::as_str)
                            ),
                        ));
                    }
                } else {
                    e.0 = produced;
                }
            }
        }
    }

    fn record(&mut self, cause: String, reaction: &str, latency: u64, line: u32) {
        let plan = self.plan;
        let consumers = plan.consumers.get(&cause);
        let chosen = consumers.and_then(|cs| {
            cs.iter()
                .find(|c| c.reacts.iter().any(|r| r == reaction))
                // A lone consumer that declares nothing it leads to.
                .or_else(|| (cs.len() == 1 && cs[0].reacts.is_empty()).then(|| &cs[0]))
        });
        let (name, objective) = match chosen {
            Some(c) => (c.label.clone(), c.objective),
            None => (format!("{cause} → {reaction}"), None),
        };
        let slot = self.slots.entry(name).or_insert_with(|| Slot {
            event: cause.clone(),
            objective,
            ..Slot::default()
        });
        slot.hist.record(latency);
        if latency > slot.slowest.0 || slot.hist.count == 1 {
            slot.slowest = (latency, line);
        }
    }

    /// The report, with the engine's outcome (saga step latencies, command answers).
    pub fn finish(
        self,
        loaded: &Loaded,
        outcome: &Outcome,
        o: Objectives,
        full_events: bool,
    ) -> Report {
        let mut violations = Vec::new();
        let mut consumers = Vec::new();
        for (name, s) in &self.slots {
            let command = self.plan.commands.contains(&s.event);
            let (objective, comparator, source) = match s.objective {
                Some(ms) => (Some(ms), Some("<="), Some("x-hnp-latency")),
                None if command => (None, None, None),
                None => (Some(o.latency_p95_ms), Some("<"), Some("default")),
            };
            let p95 = s.hist.percentile(95);
            let ok = match (objective, comparator) {
                (Some(ms), Some("<")) => p95 < ms,
                (Some(ms), _) => p95 <= ms,
                (None, _) => true,
            };
            if !ok {
                violations.push(MetricViolation {
                    line: s.slowest.1,
                    rule: "stream-latency-objective",
                    message: format!(
                        "{}: p95 latency {} misses its objective {} {} ({}); the slowest reaction ({}) is at line {}",
                        if name.contains('→') {
                            format!("reactions `{name}`")
                        } else {
                            format!("consumer `{name}` of `{}`", s.event)
                        },
                        show_ms(p95),
                        comparator.unwrap_or("<="),
                        show_ms(objective.unwrap_or(0)),
                        source.unwrap_or(""),
                        show_ms(s.slowest.0),
                        s.slowest.1
                    ),
                });
            }
            consumers.push(LatencyRow {
                name: name.clone(),
                event: Some(s.event.clone()),
                count: s.hist.count,
                p50_ms: s.hist.percentile(50),
                p95_ms: p95,
                p99_ms: s.hist.percentile(99),
                objective_p95_ms: objective,
                comparator,
                source,
                ok,
            });
        }

        // Saga steps: the engine's latencies; a step without `p95` takes its command
        // handler's `x-hnp-latency` (the engine judges `p95` itself).
        let mut steps = Vec::new();
        for l in outcome.latencies.iter().filter(|l| l.count > 0) {
            let send = loaded
                .sagas
                .iter()
                .find(|s| s.name == l.saga)
                .and_then(|s| s.steps.iter().find(|st| st.id == l.step))
                .and_then(|st| st.send.as_ref())
                .map(|n| n.name.as_str());
            let (objective, source, ok) = match l.objective_p95_ms {
                Some(ms) => (Some(ms), Some("saga p95"), l.ok),
                None => match send.and_then(|c| self.plan.handler_objective.get(c)) {
                    Some(&ms) => (Some(ms), Some("x-hnp-latency"), l.p95_ms <= ms),
                    None => (None, None, true),
                },
            };
            if !ok && source == Some("x-hnp-latency") {
                violations.push(MetricViolation {
                    line: 0,
                    rule: "stream-latency-objective",
                    message: format!(
                        "saga step `{}/{}`: p95 latency {} misses the `x-hnp-latency` {} of `{}`'s handler",
                        l.saga,
                        l.step,
                        show_ms(l.p95_ms),
                        show_ms(objective.unwrap_or(0)),
                        send.unwrap_or("")
                    ),
                });
            }
            steps.push(LatencyRow {
                name: format!("{}/{}", l.saga, l.step),
                event: None,
                count: l.count,
                p50_ms: l.p50_ms,
                p95_ms: l.p95_ms,
                p99_ms: l.p99_ms,
                objective_p95_ms: objective,
                comparator: objective.map(|_| "<="),
                source,
                ok,
            });
        }

        let mut delivery = delivery(outcome);
        delivery.objective = o.delivery;
        let judged = delivery.answered + delivery.timed_out;
        if delivery.measured && judged > 0 {
            let r = delivery.answered as f64 / judged as f64;
            delivery.ratio = Some(r);
            delivery.ok = r > o.delivery || (r >= 1.0 && o.delivery >= 1.0);
            if !delivery.ok {
                violations.push(MetricViolation {
                    line: 0,
                    rule: "stream-delivery-reliability",
                    message: format!(
                        "{} of {} answered within their timeout ({}); the objective is > {}",
                        delivery.answered,
                        plural(judged, "command"),
                        percent(r),
                        percent(o.delivery)
                    ),
                });
            }
        } else {
            delivery.ok = true;
        }

        let mut ordering = self.ordering;
        ordering.objective = o.ordering;
        ordering.measured = full_events;
        if full_events && ordering.events > 0 {
            let r = (ordering.events - ordering.out_of_order) as f64 / ordering.events as f64;
            ordering.ratio = Some(r);
            ordering.ok = r >= o.ordering;
            if !ordering.ok {
                let (line, first) = self.first_disorder.unwrap_or_default();
                violations.push(MetricViolation {
                    line,
                    rule: "stream-ordering",
                    message: format!(
                        "{} of {} events out of order per ordering key ({} in order; the objective is {}): {first}",
                        ordering.out_of_order,
                        ordering.events,
                        percent(r),
                        percent(o.ordering)
                    ),
                });
            }
        } else {
            ordering.ok = true;
        }
        violations.sort_by(|a, b| (a.line, a.rule, &a.message).cmp(&(b.line, b.rule, &b.message)));
        Report {
            objectives: o,
            consumers_measured: full_events,
            consumers,
            steps,
            delivery,
            ordering,
            violations,
        }
    }
}

/// Commands answered within their timeout: the engine counts attempts as they settle
/// (counters, not timelines), so a run with `--quiet` measures the same.
fn delivery(outcome: &Outcome) -> Delivery {
    Delivery {
        measured: true,
        answered: outcome.delivery.answered,
        timed_out: outcome.delivery.timed_out,
        in_flight: outcome.delivery.in_flight,
        ..Delivery::default()
    }
}

fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn percent(r: f64) -> String {
    let p = r * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{p:.0} %")
    } else {
        format!("{p:.1} %")
    }
}

/// Human rendering of the report (after the saga output).
/// `quiet`: only the missed objectives (nothing when every one is met).
pub fn human(r: &Report, quiet: bool) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    if quiet {
        for v in &r.violations {
            let _ = writeln!(s, "{}", violation_line(v));
        }
        return s;
    }
    let _ = writeln!(s, "stream metrics:");
    // Saga steps judged by their own `p95` are in the engine's table above.
    let rows: Vec<&LatencyRow> = r
        .consumers
        .iter()
        .chain(r.steps.iter().filter(|l| l.source == Some("x-hnp-latency")))
        .collect();
    if !r.consumers_measured {
        let _ = writeln!(
            s,
            "  consumer latency and ordering: not measured with --no-validate (events are read only for what the sagas need)"
        );
    } else if r.consumers.is_empty() {
        let _ = writeln!(
            s,
            "  consumer latency: no reactions in the stream (no event names another's id at its causation pointer)"
        );
    }
    if !rows.is_empty() {
        let w = rows
            .iter()
            .map(|l| l.name.chars().count())
            .max()
            .unwrap_or(0)
            .max(8);
        let _ = writeln!(
            s,
            "  {:w$}  {:>6}  {:>8}  {:>8}  {:>8}  objective",
            "latency", "n", "p50", "p95", "p99"
        );
        for l in rows {
            let obj = match (l.objective_p95_ms, l.comparator) {
                (Some(ms), Some(c)) => format!(
                    "p95 {c} {} ({}) {}",
                    show_ms(ms),
                    l.source.unwrap_or(""),
                    if l.ok { "ok" } else { "MISSED" }
                ),
                _ => "-".to_string(),
            };
            let _ = writeln!(
                s,
                "  {:w$}  {:>6}  {:>8}  {:>8}  {:>8}  {obj}",
                l.name,
                l.count,
                show_ms(l.p50_ms),
                show_ms(l.p95_ms),
                show_ms(l.p99_ms)
            );
        }
    }
    let d = &r.delivery;
    if let Some(ratio) = d.ratio {
        let _ = writeln!(
            s,
            "  delivery: {} of {} answered within their timeout ({}; objective > {}) {}{}",
            d.answered,
            plural(d.answered + d.timed_out, "command"),
            percent(ratio),
            percent(d.objective),
            if d.ok { "ok" } else { "MISSED" },
            if d.in_flight > 0 {
                format!("; {} still in flight at the end", d.in_flight)
            } else {
                String::new()
            }
        );
    } else {
        let _ = writeln!(
            s,
            "  delivery: no command answered or timed out{}",
            if d.in_flight > 0 {
                format!(" ({} still in flight at the end)", d.in_flight)
            } else {
                String::new()
            }
        );
    }
    let o = &r.ordering;
    match o.ratio {
        _ if !o.measured => {}
        Some(ratio) => {
            let _ = writeln!(
                s,
                "  ordering: {} of {} events in order per ordering key ({}; objective {}) {}",
                o.events - o.out_of_order,
                o.events,
                percent(ratio),
                percent(o.objective),
                if o.ok { "ok" } else { "MISSED" }
            );
        }
        None => {
            let _ = writeln!(
                s,
                "  ordering: no event with an ordering key and a producer time (/headers/time)"
            );
        }
    }
    for v in &r.violations {
        let _ = writeln!(s, "  {}", violation_line(v));
    }
    s
}

fn violation_line(v: &MetricViolation) -> String {
    if v.line > 0 {
        format!("{} (line {}): {}", v.rule, v.line, v.message)
    } else {
        format!("{}: {}", v.rule, v.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::saga::stream::Event;
    use proptest::prelude::*;

    fn event(line: u32, arrived: i64, key: u8, produced_s: i64) -> Event {
        let t = format!("2026-01-01T00:00:{produced_s:02}.000Z");
        Event {
            line,
            offset: 0,
            time: arrived,
            message: "M".into(),
            headers: serde_json::json!({"id": format!("e{line}"), "time": t}),
            payload: serde_json::json!({"k": key}),
        }
    }

    fn plan() -> Plan {
        let mut p = Plan::default();
        p.channels.push("ch".into());
        p.ordering.insert("M".into(), (0, Ptr::new("/payload/k")));
        p.time_ptr = Some(Ptr::new("/headers/time"));
        p.id_ptr = Some(Ptr::new("/headers/id"));
        p.causation_ptr = Some(Ptr::new("/headers/causationid"));
        p
    }

    proptest! {
        /// The one-pass count equals the definition: an event is out of order when an
        /// event of its key that arrived earlier was produced later.
        #[test]
        fn ordering_matches_the_quadratic_definition(
            evs in proptest::collection::vec((0u8..4, 0i64..50), 0..60)
        ) {
            let plan = plan();
            let mut c = Collector::new(&plan);
            for (i, (k, p)) in evs.iter().enumerate() {
                c.observe(&event(i as u32 + 1, i as i64, *k, *p));
            }
            let naive = (0..evs.len())
                .filter(|&i| (0..i).any(|j| evs[j].0 == evs[i].0 && evs[j].1 > evs[i].1))
                .count() as u64;
            prop_assert_eq!(c.ordering.out_of_order, naive);
            prop_assert_eq!(c.ordering.events, evs.len() as u64);
        }
    }
}
