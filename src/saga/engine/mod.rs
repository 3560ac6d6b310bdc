//! The deterministic saga orchestrator: instances keyed by the correlation key, a
//! virtual clock advanced by event time (timers fire in (due, creation) order before
//! any later event), retries with backoff, compensation of completed steps in
//! reverse order, and the runtime invariants (unexpected events, events after the
//! end, unknown instances and messages, instances left unfinished).
//!
//! `outcome`: what a run reports; `instance`: the state of one saga instance;
//! `steps`: starting instances and the forward path; `compensate`: giving up,
//! compensations and the end of an instance; `timers`: the timer queue and what a
//! timer does when it fires.

mod compensate;
mod data;
mod instance;
mod outcome;
mod plan;
mod steps;
mod timers;

use std::borrow::Cow;
use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use super::format::{Saga, StepId};
use super::hash::{FastMap, FastSet};
use super::stats::Histogram;
use super::stream::Event;
use super::view::EventView;
use instance::{Inst, Phase, TimerKind};
pub use outcome::{
    BTreeCounts, DeliveryCounts, Entry, Final, InstanceReport, Outcome, StepLatency, Violation,
    What,
};
use plan::{Plan, SagaPlan};
use timers::Timers;

/// How to run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Record a timeline per instance (off for long streams).
    pub keep_timelines: bool,
    /// Participants confirm every compensation command 1 ms after it is sent
    /// (exploration, where the stream has no replies for compensations).
    pub auto_confirm: bool,
    /// How the participants answer particular compensations (with `auto_confirm`):
    /// attempt `n` of the compensation gets `answers[n-1]`, later attempts are
    /// confirmed.
    pub comp_scripts: Vec<CompScript>,
    /// Forget finished instances this long (virtual ms) after they end, so memory
    /// stays flat on long streams. `None`: keep them all.
    pub retention: Option<i64>,
    /// The contract's message names: anything else is an unknown message.
    pub known_messages: Option<HashSet<String>>,
    /// At the end of the stream, let the clock run until no timer is left (nothing
    /// more arrives), instead of reporting instances as waiting.
    pub drain: bool,
    /// Exploration: a reply to a command is delivered only when this run sent that
    /// command (participants answer what they are sent); a recorded reply that the
    /// perturbed run never asked for is dropped instead of being reported as late.
    pub causal: bool,
    /// Exploration: where the participant model writes the command a reply it
    /// produced truly answers. A reply the engine matches to another attempt is
    /// `saga-reply-misattributed`.
    pub true_cause: Option<String>,
}

/// How a participant answers one attempt of a compensation command (exploration's
/// participant model).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Answer {
    /// Confirmed 1 ms after it is sent.
    Confirm,
    /// Failed 1 ms after it is sent (with the compensation's first failure reply; a
    /// compensation that declares none is not answered).
    Fail,
    /// Never answered: the attempt times out.
    Lose,
    /// Confirmed late: after the attempt's timeout and after its retry was sent and
    /// answered.
    Late,
    /// Confirmed, and the confirmation delivered twice (the same message id).
    Twice,
}

/// The participant's answers to one compensation of one instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompScript {
    pub key: String,
    pub step: StepId,
    pub idx: usize,
    pub answers: Vec<Answer>,
    /// The answers start again with each round of the compensation (a round sent
    /// again for a late effect is played the same way); otherwise they go by attempt
    /// number across rounds (what a recording answered).
    pub every_round: bool,
}

/// The id the orchestrator gives attempt `attempt` of a step's command: what a
/// reply names at the saga's `causation` pointer.
pub fn command_id(key: &str, step: &str, attempt: u32) -> String {
    format!("{key}/{step}/{attempt}")
}

/// The id of attempt `attempt` of compensation `idx` (0-based) of a step.
pub fn compensation_id(key: &str, step: &str, idx: usize, attempt: u32) -> String {
    format!("{key}/{step}/compensation/{}/{attempt}", idx + 1)
}

/// The simulator.
pub struct Engine<'s> {
    sagas: &'s [Saga],
    opts: Options,
    insts: Vec<Option<Inst>>,
    free: Vec<usize>,
    plan: Arc<Plan>,
    truth: Option<super::view::Ptr>,
    by_key: Vec<FastMap<String, usize>>,
    known: Option<FastSet<String>>,
    timers: Timers,
    now: i64,
    hist: Vec<Vec<Histogram>>,
    retired: VecDeque<(i64, usize)>,
    done: Vec<InstanceReport>,
    counts: BTreeCounts,
    violations: Vec<Violation>,
    events: u64,
    observed_commands: u64,
    unrelated: u64,
    delivery: DeliveryCounts,
    /// A child's outcome is being delivered to its parent (see `child_ended`).
    child_outcome: bool,
}

impl<'s> Engine<'s> {
    pub fn new(sagas: &'s [Saga], mut opts: Options) -> Self {
        let known: Option<FastSet<String>> =
            opts.known_messages.take().map(|k| k.into_iter().collect());
        let plan = Arc::new(Plan::new(sagas, known.as_ref()));
        let truth = opts.true_cause.as_deref().map(super::view::Ptr::new);
        Engine {
            sagas,
            opts,
            plan,
            truth,
            insts: Vec::new(),
            free: Vec::new(),
            by_key: sagas.iter().map(|_| FastMap::default()).collect(),
            known,
            timers: Timers::default(),
            now: i64::MIN,
            hist: sagas
                .iter()
                .map(|s| vec![Histogram::default(); s.steps.len()])
                .collect(),
            retired: VecDeque::new(),
            done: Vec::new(),
            counts: BTreeCounts::default(),
            violations: Vec::new(),
            events: 0,
            observed_commands: 0,
            unrelated: 0,
            delivery: DeliveryCounts::default(),
            child_outcome: false,
        }
    }

    /// The parent instance (and its saga) that started instance `ii` as a child saga:
    /// its key is one of the parent's aliases.
    fn parent_of(&self, ii: usize) -> Option<usize> {
        if !self.plan.any_children {
            return None;
        }
        let inst = self.insts.get(ii).and_then(Option::as_ref)?;
        (0..self.sagas.len()).find_map(|si| {
            let &pi = self.by_key[si].get(&inst.key)?;
            let p = self.insts.get(pi).and_then(Option::as_ref)?;
            (pi != ii && p.aliases.contains(&inst.key)).then_some(pi)
        })
    }

    /// Whether instance `ii` runs as a child saga: its key is the id of a command that
    /// starts it (`KEY/STEP/ATTEMPT`, STEP a step of some saga that runs this one),
    /// whether or not the parent's instance is in the run.
    fn is_child(&self, ii: usize) -> bool {
        let Some(inst) = self.insts.get(ii).and_then(Option::as_ref) else {
            return false;
        };
        let me = &self.sagas[inst.saga].source.path;
        let mut parts = inst.key.rsplitn(3, '/');
        let (Some(attempt), Some(step), Some(_)) = (parts.next(), parts.next(), parts.next())
        else {
            return false;
        };
        attempt.parse::<u32>().is_ok()
            && self.sagas.iter().any(|p| {
                p.steps.iter().any(|s| {
                    s.id == step
                        && s.child
                            .as_ref()
                            .and_then(|c| c.saga.as_ref())
                            .is_some_and(|c| c.source.path == *me)
                })
            })
    }

    /// A child instance ended emitting `emitted`: its parent receives those events (the
    /// outcome of the attempt that started it) at once, under the child's key. The
    /// recorded copies of a child's outcome in the stream are its output, not an input:
    /// neither the child nor the parent takes them (see `deliver`).
    fn child_ended(&mut self, ii: usize, emitted: &[String], t: i64) {
        use serde_json::Value;
        let Some(pi) = self.parent_of(ii) else { return };
        let Some(key) = inst_key(self, ii) else {
            return;
        };
        let ps = inst_saga(self, pi);
        let parent = &self.sagas[ps];
        for m in emitted {
            let mut e = Event {
                line: 0,
                offset: 0,
                time: t,
                message: m.clone(),
                headers: Value::Object(serde_json::Map::new()),
                payload: Value::Object(serde_json::Map::new()),
            };
            e.set(&parent.correlation, Value::String(key.clone()));
            e.set(
                &parent.idempotency,
                Value::String(format!("{key}~outcome~{m}")),
            );
            if let Some(p) = &parent.causation {
                e.set(p, Value::String(key.clone()));
            }
            if let Some(p) = &self.opts.true_cause {
                e.set(p, Value::String(key.clone()));
            }
            let mid = self.plan.names.get(m);
            self.child_outcome = true;
            self.deliver(pi, &e, mid, t);
            self.child_outcome = false;
        }
    }

    /// Deliver one event (after firing every timer due at or before its time).
    pub fn feed<E: EventView + ?Sized>(&mut self, ev: &E) {
        self.events += 1;
        self.advance_to(ev.time());
        let t = self.now;
        let message = ev.message();
        let mid = self.plan.names.get(message);
        let known = match self.plan.info.get(mid as usize) {
            Some(i) => i.known,
            None => self.known.as_ref().is_none_or(|k| k.contains(message)),
        };
        if !known {
            let key = self
                .plan
                .sagas
                .iter()
                .find_map(|s| ev.key(&s.correlation))
                .map(Cow::into_owned);
            self.violation(
                "saga-unknown-message",
                None,
                key,
                ev.line(),
                format!("`{message}` is not a message of the contract"),
            );
            return;
        }
        let mut routed = false;
        for si in 0..self.sagas.len() {
            let plan = &self.plan.sagas[si];
            let Some(key) = ev.key(&plan.correlation) else {
                continue;
            };
            if let Some(&ii) = self.by_key[si].get(key.as_ref()) {
                self.deliver(ii, ev, mid, t);
                routed = true;
            } else if plan.starts(&self.sagas[si], mid, ev) {
                self.start(si, key.into_owned(), ev, t);
                routed = true;
            }
        }
        if routed {
            return;
        }
        let info = self.plan.info.get(mid as usize).copied();
        if let Some(si) = info.and_then(|i| i.vocab) {
            let saga = &self.sagas[si];
            let key = ev
                .key(&self.plan.sagas[si].correlation)
                .map(Cow::into_owned);
            let msg = match &key {
                Some(k) => {
                    format!("`{message}` for `{k}`, which is no running instance of any saga")
                }
                None => format!(
                    "`{message}` has no correlation key at `{}`",
                    saga.correlation
                ),
            };
            self.violation("saga-unknown-instance", Some(si), key, ev.line(), msg);
        } else if info.is_some_and(|i| i.command) {
            self.observed_commands += 1;
        } else {
            self.unrelated += 1;
        }
    }

    /// Fire every timer due at or before `t` and move the clock there.
    pub fn advance_to(&mut self, t: i64) {
        self.timers.clean(&self.insts);
        while let Some(d) = self.timers.pop_due(t) {
            self.now = self.now.max(d.due);
            self.fire(d.ii, d.seq, d.kind, d.due);
        }
        self.now = self.now.max(t);
        if let Some(ret) = self.opts.retention {
            while let Some(&(end, ii)) = self.retired.front() {
                if end.saturating_add(ret) >= self.now {
                    break;
                }
                self.retired.pop_front();
                // Reopened for a late effect: retired when it ends again.
                if self
                    .insts
                    .get(ii)
                    .and_then(Option::as_ref)
                    .is_some_and(|i| i.phase != Phase::Done || i.ended > end)
                {
                    continue;
                }
                if let Some(inst) = self.insts.get_mut(ii).and_then(Option::take) {
                    self.delivery.in_flight += inst.awaiting.len() as u64;
                    self.by_key[inst.saga].remove(&inst.key);
                    for a in &inst.aliases {
                        self.by_key[inst.saga].remove(a);
                    }
                    self.free.push(ii);
                }
            }
        }
    }

    /// End of the stream: collect the outcome (timers still pending do not fire).
    pub fn finish(mut self) -> Outcome {
        let mut reports = std::mem::take(&mut self.done);
        for ii in 0..self.insts.len() {
            let Some(inst) = self.insts[ii].take() else {
                continue;
            };
            reports.push(self.report(inst));
        }
        reports.sort_by(|a, b| (&a.saga, a.started, &a.key).cmp(&(&b.saga, b.started, &b.key)));
        let mut latencies = Vec::new();
        for (si, saga) in self.sagas.iter().enumerate() {
            for (st, step) in saga.steps.iter().enumerate() {
                let h = &self.hist[si][st];
                let p95 = h.percentile(95);
                let ok = step.p95.is_none_or(|o| h.count == 0 || p95 <= o);
                if !ok {
                    self.violations.push(Violation {
                        rule: "saga-latency-objective",
                        saga: Some(saga.name.clone()),
                        instance: None,
                        line: 0,
                        message: format!(
                            "step `{}`: p95 latency {} exceeds its objective {}",
                            step.id,
                            super::duration::show_ms(p95),
                            super::duration::show_ms(step.p95.unwrap_or(0))
                        ),
                    });
                }
                latencies.push(StepLatency {
                    saga: saga.name.clone(),
                    step: step.id.clone(),
                    count: h.count,
                    p50_ms: h.percentile(50),
                    p95_ms: p95,
                    p99_ms: h.percentile(99),
                    objective_p95_ms: step.p95,
                    ok,
                });
            }
        }
        self.violations.sort();
        self.violations.dedup();
        Outcome {
            events: self.events,
            instances: reports,
            finished: self.counts,
            latencies,
            violations: self.violations,
            observed_commands: self.observed_commands,
            unrelated: self.unrelated,
            delivery: self.delivery,
        }
    }

    fn report(&mut self, mut inst: Inst) -> InstanceReport {
        self.delivery.in_flight += inst.awaiting.len() as u64;
        let saga = &self.sagas[inst.saga];
        let state = match inst.state.take() {
            Some(s) => s,
            None => {
                // Each pending timer, with what it is (for the timeline's words).
                let mut dues: Vec<(i64, String)> = inst
                    .active
                    .iter()
                    .filter_map(|a| {
                        let id = &saga.steps[a.step].id;
                        a.due.map(|d| {
                            if a.failed {
                                (d, format!("the retry of step `{id}`"))
                            } else {
                                (d, format!("the timeout of step `{id}`"))
                            }
                        })
                    })
                    .collect();
                if let Some((node, _, Some(d))) = inst.branch {
                    let id = match saga.nodes.get(node) {
                        Some(crate::saga::format::Node::Branch(br)) => br.id.as_str(),
                        _ => "?",
                    };
                    dues.push((d, format!("the timeout of branch `{id}`")));
                }
                if let Some(c) = &inst.comp {
                    if let Some(d) = c.due {
                        dues.push((
                            d,
                            format!(
                                "the timer of the compensation of `{}`",
                                saga.steps[c.step].id
                            ),
                        ));
                    }
                }
                // The saga-wide deadline gives up a running instance: a wait under it
                // is not forever either.
                if let (Some(d), Phase::Running) = (saga.deadline, &inst.phase) {
                    dues.push((
                        inst.started.saturating_add(super::duration::signed(d)),
                        "the saga's deadline".to_string(),
                    ));
                }
                let next = dues.into_iter().min_by_key(|(d, _)| *d);
                let (deadline, timer) = match next {
                    Some((d, what)) => (Some(d), Some(what)),
                    None => (None, None),
                };
                if deadline.is_none() {
                    let waiting_on = inst
                        .active
                        .iter()
                        .map(|a| saga.steps[a.step].id.clone())
                        .chain(inst.branch.and_then(|b| match saga.nodes.get(b.0) {
                            Some(crate::saga::format::Node::Branch(br)) => {
                                Some(format!("branch {} (waiting for {})", br.id, br.on.name))
                            }
                            _ => None,
                        }))
                        .chain(
                            inst.comp
                                .as_ref()
                                .map(|c| format!("compensation of {}", saga.steps[c.step].id)),
                        )
                        .collect::<Vec<_>>()
                        .join(", ");
                    self.violations.push(Violation {
                        rule: "saga-not-finished",
                        saga: Some(saga.name.clone()),
                        instance: Some(inst.key.clone()),
                        line: inst.last_line,
                        message: format!("waits forever (no timeout) in {waiting_on}"),
                    });
                }
                self.counts.waiting += 1;
                Final::Waiting { deadline, timer }
            }
        };
        if self.opts.keep_timelines {
            for (rule, message) in super::invariants::check_timeline(saga, &inst.timeline) {
                self.violations.push(Violation {
                    rule,
                    saga: Some(saga.name.clone()),
                    instance: Some(inst.key.clone()),
                    line: 0,
                    message,
                });
            }
        }
        InstanceReport {
            saga: saga.name.clone(),
            key: inst.key,
            started: inst.started,
            state,
            emitted: inst.emitted,
            timeline: inst.timeline,
        }
    }

    fn violation(
        &mut self,
        rule: &'static str,
        saga: Option<usize>,
        instance: Option<String>,
        line: u32,
        message: String,
    ) {
        self.violations.push(Violation {
            rule,
            saga: saga.map(|s| self.sagas[s].name.clone()),
            instance,
            line,
            message,
        });
    }

    fn timer(&mut self, ii: usize, due: i64, kind: TimerKind) -> u64 {
        self.timers.push(ii, due, kind)
    }

    fn log(
        &mut self,
        ii: usize,
        t: i64,
        line: u32,
        id: Option<&str>,
        what: impl FnOnce(&Saga) -> What,
    ) {
        let sagas = self.sagas;
        let keep = self.opts.keep_timelines;
        if let Some(inst) = self.insts.get_mut(ii).and_then(Option::as_mut) {
            let w = what(&sagas[inst.saga]);
            if line > 0 {
                inst.last_line = line;
            }
            // Delivery: an attempt awaits its answer until a reply or a timeout settles
            // it (counted here, so a run without timelines measures it too).
            if let Some((key, answered)) = settles(&w, &mut inst.awaiting) {
                if let Some(at) = inst.awaiting.iter().position(|k| *k == key) {
                    inst.awaiting.swap_remove(at);
                    if answered {
                        self.delivery.answered += 1;
                    } else {
                        self.delivery.timed_out += 1;
                    }
                }
            }
            if !keep {
                return;
            }
            inst.timeline.push(Entry {
                t,
                line,
                id: id.map(str::to_string),
                what: w,
            });
        }
    }

    fn inst(&mut self, ii: usize) -> Option<&mut Inst> {
        self.insts.get_mut(ii).and_then(Option::as_mut)
    }
}

/// What a timeline entry settles for delivery: `Some((key, answered))` for an answer or
/// a timeout of the attempt awaited under `key`; an attempt sent is recorded as awaited.
fn settles(w: &What, awaiting: &mut Vec<String>) -> Option<(String, bool)> {
    let mut wait = |key: String| {
        if !awaiting.contains(&key) {
            awaiting.push(key);
        }
        None
    };
    match w {
        What::Sent { step, .. } => wait(step.clone()),
        What::Compensating { step, .. } => wait(format!("compensation of {step}")),
        What::Completed {
            step,
            event: Some(_),
            ..
        }
        | What::StepFailed {
            step,
            event: Some(_),
            ..
        } => Some((step.clone(), true)),
        What::Compensated { step, .. }
        | What::CompensationFailed {
            step,
            event: Some(_),
            ..
        } => Some((format!("compensation of {step}"), true)),
        What::TimedOut { step, .. } => Some((step.clone(), false)),
        _ => None,
    }
}

/// Whether `mid` may arrive in this run: it is not a reply of a command step, or one
/// of the command steps it answers was sent.
fn sent_in_run(inst: &Inst, saga: &Saga, plan: &SagaPlan, mid: u32) -> bool {
    let mut reply_of_command = false;
    for (s, st) in plan.steps.iter().enumerate() {
        if !(st.on.contains(&mid) || st.fail.contains(&mid)) {
            continue;
        }
        if saga.steps[s].send.is_none() || inst.sent.contains(&s) {
            return true;
        }
        reply_of_command = true;
    }
    !reply_of_command
}

/// Whether `mid` may have been caused by this run (asked once it gave up or ended):
/// it is no event that only steps this run never reached or branches take, nor the
/// answer of a compensation it never sent (events nothing here takes are kept).
fn reached_in_run(inst: &Inst, plan: &SagaPlan, mid: u32) -> bool {
    if plan.ignore.contains(&mid) || plan.is_start(mid) || plan.abort_on.contains(&mid) {
        return true;
    }
    let mut taken_elsewhere = false;
    for (s, st) in plan.steps.iter().enumerate() {
        if st.on.contains(&mid) || st.fail.contains(&mid) {
            if inst.reached.contains(&s) {
                return true;
            }
            taken_elsewhere = true;
        }
        for (i, (confirm, fail, _)) in st.comp.iter().enumerate() {
            if *confirm == mid || fail.contains(&mid) {
                if inst.comp_sent.contains(&(s, i)) {
                    return true;
                }
                taken_elsewhere = true;
            }
        }
    }
    // A branch takes one event, while the run waits in it (never once it gave up):
    // another one is no answer to anything this run did.
    taken_elsewhere |= plan.branch.iter().flatten().any(|(on, _)| *on == mid);
    !taken_elsewhere
}

/// A reply of a step that already completed or was abandoned, or of a compensation
/// already sent (a late or repeated answer): no effect.
fn late_reply(plan: &SagaPlan, inst: &Inst, mid: u32) -> bool {
    inst.completed
        .iter()
        .chain(&inst.abandoned)
        .chain(&inst.uncertain)
        .any(|&s| {
            let st = &plan.steps[s];
            st.on.contains(&mid) || st.fail.contains(&mid)
        })
        // A participant's failure answer that comes after the saga ended changes
        // nothing: the command it answers was sent and given up on.
        || inst.sent.iter().any(|&s| plan.steps[s].fail.contains(&mid))
        || inst.comp_sent.iter().any(|&(s, i)| {
        let (confirm, fail, _) = &plan.steps[s].comp[i];
        *confirm == mid || fail.contains(&mid)
    })
}

fn inst_key(e: &Engine<'_>, ii: usize) -> Option<String> {
    e.insts
        .get(ii)
        .and_then(Option::as_ref)
        .map(|i| i.key.clone())
}

fn inst_saga(e: &Engine<'_>, ii: usize) -> usize {
    e.insts
        .get(ii)
        .and_then(Option::as_ref)
        .map_or(0, |i| i.saga)
}

/// Run a whole in-memory stream.
pub fn run(sagas: &[Saga], events: &[Event], opts: Options) -> Outcome {
    let drain = opts.drain;
    let mut e = Engine::new(sagas, opts);
    for ev in events {
        e.feed(ev);
    }
    if drain {
        e.advance_to(i64::MAX);
    }
    e.finish()
}
