//! The deterministic saga orchestrator: instances keyed by the correlation key, a
//! virtual clock advanced by event time (timers fire in (due, creation) order before
//! any later event), retries with backoff, compensation of completed steps in
//! reverse order, and the runtime invariants (unexpected events, events after the
//! end, unknown instances and messages, instances left unfinished).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet, VecDeque};

use serde::Serialize;

use super::format::{Node, NodeId, OnTimeout, Saga, StepId};
use super::hash::{FastMap, FastSet};
use super::stats::Histogram;
use super::stream::Event;

/// How to run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Record a timeline per instance (off for long streams).
    pub keep_timelines: bool,
    /// Participants confirm every compensation command 1 ms after it is sent
    /// (exploration, where the stream has no replies for compensations).
    pub auto_confirm: bool,
    /// (instance key, step, compensation index): the participant fails the first
    /// attempt of that compensation (with `auto_confirm`).
    pub fail_compensation_once: Option<(String, StepId, usize)>,
    /// Forget finished instances this long (virtual ms) after they end, so memory
    /// stays flat on long streams. `None`: keep them all.
    pub retention: Option<i64>,
    /// The contract's message names: anything else is an unknown message.
    pub known_messages: Option<HashSet<String>>,
    /// At the end of the stream, let the clock run until no timer is left (nothing
    /// more arrives), instead of reporting instances as waiting.
    pub drain: bool,
}

/// A broken invariant.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Violation {
    /// Stream line (0: none).
    pub line: u32,
    pub rule: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub saga: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    pub message: String,
}

/// One thing that happened to an instance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    /// Virtual time (ms).
    pub t: i64,
    /// Stream line of the event that caused it (0: a timer or the orchestrator).
    #[serde(skip_serializing_if = "is_zero")]
    pub line: u32,
    /// Idempotency key of the causing event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(flatten)]
    pub what: What,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum What {
    Started {
        message: String,
    },
    Sent {
        step: String,
        command: String,
        attempt: u32,
    },
    Waiting {
        step: String,
    },
    Completed {
        step: String,
        event: Option<String>,
        latency_ms: i64,
    },
    StepFailed {
        step: String,
        event: Option<String>,
        attempt: u32,
    },
    TimedOut {
        step: String,
        attempt: u32,
    },
    Retry {
        step: String,
        attempt: u32,
        delay_ms: u64,
    },
    BranchTaken {
        branch: String,
        value: String,
        case: String,
    },
    /// The step timed out while the saga gave up: it may have taken effect, so it
    /// is compensated too (compensations are idempotent).
    Uncertain {
        step: String,
    },
    Compensating {
        step: String,
        command: String,
        attempt: u32,
    },
    Compensated {
        step: String,
        event: String,
    },
    CompensationFailed {
        step: String,
        event: Option<String>,
        attempt: u32,
    },
    Ignored {
        event: String,
    },
    Duplicate {
        event: String,
    },
    Unexpected {
        event: String,
    },
    AfterEnd {
        event: String,
    },
    Emitted {
        message: String,
    },
    Finished {
        state: String,
    },
}

/// Final state of an instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Final {
    Completed,
    Compensated,
    /// Ended neither completed nor fully compensated.
    Failed {
        reason: String,
    },
    /// The stream ended while the instance waited; `deadline` is its next timer.
    Waiting {
        deadline: Option<i64>,
    },
}

impl Final {
    pub fn name(&self) -> &'static str {
        match self {
            Final::Completed => "completed",
            Final::Compensated => "compensated",
            Final::Failed { .. } => "failed",
            Final::Waiting { .. } => "waiting",
        }
    }
}

/// The outcome of one instance.
#[derive(Debug, Clone, Serialize)]
pub struct InstanceReport {
    pub saga: String,
    pub key: String,
    pub started: i64,
    #[serde(rename = "final")]
    pub state: Final,
    pub emitted: Vec<String>,
    pub timeline: Vec<Entry>,
}

/// Latencies of one step.
#[derive(Debug, Clone, Serialize)]
pub struct StepLatency {
    pub saga: String,
    pub step: String,
    pub count: u64,
    pub p50_ms: u64,
    pub p95_ms: u64,
    pub p99_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub objective_p95_ms: Option<u64>,
    pub ok: bool,
}

/// Everything a run produced.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub events: u64,
    pub instances: Vec<InstanceReport>,
    pub finished: BTreeCounts,
    pub latencies: Vec<StepLatency>,
    pub violations: Vec<Violation>,
    /// Commands found in the stream (the orchestrator's own sends, recorded).
    pub observed_commands: u64,
    /// Contract messages that no saga uses.
    pub unrelated: u64,
}

/// Instances by final state.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct BTreeCounts {
    pub completed: u64,
    pub compensated: u64,
    pub failed: u64,
    pub waiting: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum TimerKind {
    Step(StepId),
    Resend(StepId),
    Branch,
    Comp,
    CompResend,
    AutoReply,
}

#[derive(Debug)]
struct Active {
    step: StepId,
    attempt: u32,
    first_sent: i64,
    timer: u64,
    due: Option<i64>,
}

#[derive(Debug)]
struct CompRun {
    step: StepId,
    idx: usize,
    attempt: u32,
    timer: u64,
    due: Option<i64>,
    auto: u64,
}

#[derive(Debug, PartialEq)]
enum Phase {
    Running,
    Compensating,
    Done,
}

#[derive(Debug)]
struct Inst {
    saga: usize,
    key: String,
    started: i64,
    phase: Phase,
    pending: Vec<NodeId>,
    active: Vec<Active>,
    branch: Option<(NodeId, u64, Option<i64>)>,
    completed: Vec<StepId>,
    /// Steps in flight when the saga began compensating.
    abandoned: Vec<StepId>,
    pivot_passed: bool,
    comp_todo: Vec<(StepId, usize)>,
    comp: Option<CompRun>,
    uncompensable: Vec<StepId>,
    seen: FastSet<String>,
    timeline: Vec<Entry>,
    emitted: Vec<String>,
    state: Option<Final>,
}

/// The simulator.
pub struct Engine<'s> {
    sagas: &'s [Saga],
    opts: Options,
    insts: Vec<Option<Inst>>,
    free: Vec<usize>,
    by_key: Vec<FastMap<String, usize>>,
    known: Option<FastSet<String>>,
    timers: BinaryHeap<Reverse<(i64, u64, usize, TimerKind)>>,
    seq: u64,
    now: i64,
    vocab: Vec<FastSet<String>>,
    commands: FastSet<String>,
    hist: Vec<Vec<Histogram>>,
    retired: VecDeque<(i64, usize)>,
    done: Vec<InstanceReport>,
    counts: BTreeCounts,
    violations: Vec<Violation>,
    events: u64,
    observed_commands: u64,
    unrelated: u64,
}

impl<'s> Engine<'s> {
    pub fn new(sagas: &'s [Saga], mut opts: Options) -> Self {
        let known: Option<FastSet<String>> =
            opts.known_messages.take().map(|k| k.into_iter().collect());
        let mut vocab = Vec::new();
        let mut commands = FastSet::default();
        for s in sagas {
            let mut v = FastSet::default();
            for (n, role) in s.message_refs() {
                match role {
                    super::format::Role::Event => {
                        v.insert(n.name.clone());
                    }
                    super::format::Role::Command | super::format::Role::Emitted => {
                        commands.insert(n.name.clone());
                    }
                }
            }
            vocab.push(v);
        }
        Engine {
            sagas,
            opts,
            insts: Vec::new(),
            free: Vec::new(),
            by_key: sagas.iter().map(|_| FastMap::default()).collect(),
            known,
            timers: BinaryHeap::new(),
            seq: 0,
            now: i64::MIN,
            vocab,
            commands,
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
        }
    }

    /// Deliver one event (after firing every timer due at or before its time).
    pub fn feed(&mut self, ev: &Event) {
        self.events += 1;
        self.advance_to(ev.time);
        let t = self.now;
        if self
            .known
            .as_ref()
            .is_some_and(|k| !k.contains(&ev.message))
        {
            let key = self.sagas.iter().find_map(|s| ev.key(&s.correlation));
            self.violation(
                "saga-unknown-message",
                None,
                key,
                ev.line,
                format!("`{}` is not a message of the contract", ev.message),
            );
            return;
        }
        let mut routed = false;
        for si in 0..self.sagas.len() {
            let saga = &self.sagas[si];
            let Some(key) = ev.key_ref(&saga.correlation) else {
                continue;
            };
            if let Some(&ii) = self.by_key[si].get(key.as_ref()) {
                self.deliver(ii, ev, t);
                routed = true;
            } else if ev.message == saga.start.message.name
                && saga
                    .start
                    .when
                    .as_ref()
                    .is_none_or(|(p, v)| ev.get(p) == Some(v))
            {
                self.start(si, key.into_owned(), ev, t);
                routed = true;
            }
        }
        if routed {
            return;
        }
        if let Some(si) = self.vocab.iter().position(|v| v.contains(&ev.message)) {
            let saga = &self.sagas[si];
            let msg = match ev.key(&saga.correlation) {
                Some(k) => format!(
                    "`{}` for `{k}`, which is no running instance of any saga",
                    ev.message
                ),
                None => format!(
                    "`{}` has no correlation key at `{}`",
                    ev.message, saga.correlation
                ),
            };
            self.violation(
                "saga-unknown-instance",
                Some(si),
                ev.key(&saga.correlation),
                ev.line,
                msg,
            );
        } else if self.commands.contains(&ev.message) {
            self.observed_commands += 1;
        } else {
            self.unrelated += 1;
        }
    }

    /// Fire every timer due at or before `t` and move the clock there.
    pub fn advance_to(&mut self, t: i64) {
        while let Some(Reverse((due, seq, ii, kind))) = self.timers.peek().copied() {
            if due > t {
                break;
            }
            self.timers.pop();
            self.now = self.now.max(due);
            self.fire(ii, seq, kind, due);
        }
        self.now = self.now.max(t);
        if let Some(ret) = self.opts.retention {
            while let Some(&(end, ii)) = self.retired.front() {
                if end + ret >= self.now {
                    break;
                }
                self.retired.pop_front();
                if let Some(inst) = self.insts.get_mut(ii).and_then(Option::take) {
                    self.by_key[inst.saga].remove(&inst.key);
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
        }
    }

    fn report(&mut self, mut inst: Inst) -> InstanceReport {
        let saga = &self.sagas[inst.saga];
        let state = match inst.state.take() {
            Some(s) => s,
            None => {
                let mut dues: Vec<i64> = inst.active.iter().filter_map(|a| a.due).collect();
                dues.extend(inst.branch.and_then(|b| b.2));
                dues.extend(inst.comp.as_ref().and_then(|c| c.due));
                let deadline = dues.into_iter().min();
                if deadline.is_none() {
                    let waiting_on = inst
                        .active
                        .iter()
                        .map(|a| saga.steps[a.step].id.clone())
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
                        line: 0,
                        message: format!("waits forever (no timeout) in {waiting_on}"),
                    });
                }
                self.counts.waiting += 1;
                Final::Waiting { deadline }
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
        self.seq += 1;
        self.timers.push(Reverse((due, self.seq, ii, kind)));
        self.seq
    }

    fn log(
        &mut self,
        ii: usize,
        t: i64,
        line: u32,
        id: Option<&str>,
        what: impl FnOnce(&Saga) -> What,
    ) {
        if !self.opts.keep_timelines {
            return;
        }
        let sagas = self.sagas;
        if let Some(inst) = self.insts.get_mut(ii).and_then(Option::as_mut) {
            let w = what(&sagas[inst.saga]);
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

    fn start(&mut self, si: usize, key: String, ev: &Event, t: i64) {
        let saga = &self.sagas[si];
        let mut seen = FastSet::default();
        if let Some(id) = ev.key(&saga.idempotency) {
            seen.insert(id);
        }
        let inst = Inst {
            saga: si,
            key: key.clone(),
            started: t,
            phase: Phase::Running,
            pending: saga.top.iter().rev().copied().collect(),
            active: Vec::new(),
            branch: None,
            completed: Vec::new(),
            abandoned: Vec::new(),
            pivot_passed: false,
            comp_todo: Vec::new(),
            comp: None,
            uncompensable: Vec::new(),
            seen,
            timeline: Vec::new(),
            emitted: Vec::new(),
            state: None,
        };
        let ii = match self.free.pop() {
            Some(i) => {
                self.insts[i] = Some(inst);
                i
            }
            None => {
                self.insts.push(Some(inst));
                self.insts.len() - 1
            }
        };
        self.by_key[si].insert(key, ii);
        let id = ev.key(&saga.idempotency);
        self.log(ii, t, ev.line, id.as_deref(), |_| What::Started {
            message: ev.message.clone(),
        });
        self.next_node(ii, t);
    }

    fn next_node(&mut self, ii: usize, t: i64) {
        let sagas = self.sagas;
        let Some(inst) = self.inst(ii) else { return };
        let saga = &sagas[inst.saga];
        let Some(node) = inst.pending.pop() else {
            self.finish_inst(ii, t, Final::Completed);
            return;
        };
        match &saga.nodes[node] {
            Node::Step(s) => self.activate(ii, *s, t, 1, t),
            Node::Parallel { steps, .. } => {
                for &s in steps {
                    self.activate(ii, s, t, 1, t);
                }
            }
            Node::Branch(b) => {
                let due = b
                    .timeout
                    .map(|d| t.saturating_add(super::duration::signed(d)));
                let timer = match due {
                    Some(d) => self.timer(ii, d, TimerKind::Branch),
                    None => 0,
                };
                if let Some(inst) = self.inst(ii) {
                    inst.branch = Some((node, timer, due));
                }
                let id = b.id.clone();
                self.log(ii, t, 0, None, |_| What::Waiting { step: id });
            }
        }
    }

    fn activate(&mut self, ii: usize, step: StepId, t: i64, attempt: u32, first_sent: i64) {
        let st = &self.sagas[self.insts[ii].as_ref().map_or(0, |i| i.saga)].steps[step];
        let due = st
            .timeout
            .map(|d| t.saturating_add(super::duration::signed(d)));
        let timer = match due {
            Some(d) => self.timer(ii, d, TimerKind::Step(step)),
            None => 0,
        };
        let (id, send) = (st.id.clone(), st.send.as_ref().map(|n| n.name.clone()));
        if let Some(inst) = self.inst(ii) {
            inst.active.retain(|a| a.step != step);
            inst.active.push(Active {
                step,
                attempt,
                first_sent,
                timer,
                due,
            });
        }
        match send {
            Some(command) => self.log(ii, t, 0, None, |_| What::Sent {
                step: id,
                command,
                attempt,
            }),
            None => self.log(ii, t, 0, None, |_| What::Waiting { step: id }),
        }
    }

    fn deliver(&mut self, ii: usize, ev: &Event, t: i64) {
        let sagas = self.sagas;
        let Some(inst) = self.inst(ii) else { return };
        let saga = &sagas[inst.saga];
        let id = ev.key_ref(&saga.idempotency);
        if let Some(id) = &id {
            if inst.seen.contains(id.as_ref()) {
                let m = ev.message.clone();
                self.log(ii, t, ev.line, Some(id), |_| What::Duplicate { event: m });
                return;
            }
            inst.seen.insert(id.to_string());
        }
        let idr = id.as_deref();
        let msg = ev.message.as_str();
        let globally_ignored =
            saga.ignore.iter().any(|n| n.name == msg) || saga.start.message.name == msg;
        match inst.phase {
            Phase::Done => {
                // A late success of a step abandoned in doubt is covered when the step
                // was compensated (compensations are idempotent); otherwise its effect
                // outlives the saga.
                let compensated = matches!(inst.state, Some(Final::Compensated));
                let took_effect = inst.abandoned.iter().any(|&a| {
                    let st = &saga.steps[a];
                    st.send.is_some()
                        && !st.read_only
                        && st.on.iter().any(|n| n.name == msg)
                        && (st.compensation.is_empty() || !compensated)
                });
                if took_effect {
                    let (si, key) = (inst.saga, inst.key.clone());
                    self.log(ii, t, ev.line, idr, |_| What::AfterEnd {
                        event: msg.to_string(),
                    });
                    self.violation("saga-after-terminal", Some(si), Some(key), ev.line, format!("`{msg}` arrived after the instance ended: the abandoned step took effect and is not compensated"));
                } else if globally_ignored || late_reply(saga, inst, msg) {
                    self.log(ii, t, ev.line, idr, |_| What::Ignored {
                        event: msg.to_string(),
                    });
                } else {
                    let key = inst.key.clone();
                    let si = inst.saga;
                    self.log(ii, t, ev.line, idr, |_| What::AfterEnd {
                        event: msg.to_string(),
                    });
                    self.violation(
                        "saga-after-terminal",
                        Some(si),
                        Some(key),
                        ev.line,
                        format!("`{msg}` arrived after the instance ended"),
                    );
                }
            }
            Phase::Running => {
                if let Some((node, _, _)) = inst.branch {
                    if let Node::Branch(b) = &saga.nodes[node] {
                        if b.on.name == msg {
                            let value = ev
                                .get(&b.pointer)
                                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string));
                            let case = value
                                .as_ref()
                                .and_then(|v| b.cases.iter().find(|(k, _)| k == v));
                            inst.branch = None;
                            match case {
                                Some((k, nodes)) => {
                                    inst.pending.extend(nodes.iter().rev().copied());
                                    let (bid, v, k) = (
                                        b.id.clone(),
                                        value.clone().unwrap_or_default(),
                                        k.clone(),
                                    );
                                    self.log(ii, t, ev.line, idr, |_| What::BranchTaken {
                                        branch: bid,
                                        value: v,
                                        case: k,
                                    });
                                    self.next_node(ii, t);
                                }
                                None => {
                                    let bid = b.id.clone();
                                    let shown = value.unwrap_or_else(|| "nothing".into());
                                    self.log(ii, t, ev.line, idr, |_| What::StepFailed {
                                        step: bid,
                                        event: Some(msg.to_string()),
                                        attempt: 1,
                                    });
                                    let key = inst_key(self, ii);
                                    let si = inst_saga(self, ii);
                                    self.violation(
                                        "saga-unexpected-event",
                                        Some(si),
                                        key,
                                        ev.line,
                                        format!(
                                            "branch `{}`: no case for {shown} at `{}`",
                                            b.id, b.pointer
                                        ),
                                    );
                                    self.begin_compensation(ii, t, None);
                                }
                            }
                            return;
                        }
                    }
                }
                let Some(inst) = self.inst(ii) else { return };
                let when_ok = |st: &super::format::Step| {
                    st.when.as_ref().is_none_or(|(p, v)| ev.get(p) == Some(v))
                };
                let hit = inst.active.iter().position(|a| {
                    let st = &saga.steps[a.step];
                    st.on.iter().any(|n| n.name == msg) && when_ok(st)
                });
                // A completion event that does not meet the step's `when` is progress.
                let progress = inst.active.iter().any(|a| {
                    let st = &saga.steps[a.step];
                    st.on.iter().any(|n| n.name == msg) && !when_ok(st)
                });
                if let Some(pos) = hit {
                    let a = inst.active.remove(pos);
                    let st = &saga.steps[a.step];
                    if st.pivot {
                        inst.pivot_passed = true;
                    }
                    inst.completed.push(a.step);
                    let lat = t.saturating_sub(a.first_sent);
                    let si = inst.saga;
                    let more = !inst.active.is_empty();
                    self.hist[si][a.step].record(lat.max(0) as u64);
                    self.log(ii, t, ev.line, idr, |_| What::Completed {
                        step: st.id.clone(),
                        event: Some(msg.to_string()),
                        latency_ms: lat,
                    });
                    if !more {
                        self.next_node(ii, t);
                    }
                    return;
                }
                let hit = inst
                    .active
                    .iter()
                    .position(|a| saga.steps[a.step].fail.iter().any(|n| n.name == msg));
                if let Some(pos) = hit {
                    let (step, attempt, first) = (
                        inst.active[pos].step,
                        inst.active[pos].attempt,
                        inst.active[pos].first_sent,
                    );
                    inst.active[pos].timer = 0;
                    inst.active[pos].due = None;
                    self.step_failed(ii, step, attempt, first, t, ev.line, idr, Some(msg));
                    return;
                }
                let step_ignored = inst
                    .active
                    .iter()
                    .any(|a| saga.steps[a.step].ignore.iter().any(|n| n.name == msg));
                if progress || step_ignored || globally_ignored || late_reply(saga, inst, msg) {
                    self.log(ii, t, ev.line, idr, |_| What::Ignored {
                        event: msg.to_string(),
                    });
                } else {
                    self.unexpected(ii, t, ev.line, idr, msg);
                }
            }
            Phase::Compensating => {
                if let Some(c) = &inst.comp {
                    let comp = &saga.steps[c.step].compensation[c.idx];
                    let (step, idx, attempt) = (c.step, c.idx, c.attempt);
                    if comp.confirm.name == msg {
                        self.comp_confirmed(ii, step, t, ev.line, idr, msg);
                        return;
                    }
                    if comp.fail.iter().any(|n| n.name == msg) {
                        self.comp_failed(ii, step, idx, attempt, t, ev.line, idr, Some(msg));
                        return;
                    }
                }
                if globally_ignored || late_reply(saga, inst, msg) {
                    self.log(ii, t, ev.line, idr, |_| What::Ignored {
                        event: msg.to_string(),
                    });
                } else {
                    self.unexpected(ii, t, ev.line, idr, msg);
                }
            }
        }
    }

    fn unexpected(&mut self, ii: usize, t: i64, line: u32, id: Option<&str>, msg: &str) {
        self.log(ii, t, line, id, |_| What::Unexpected {
            event: msg.to_string(),
        });
        let sagas = self.sagas;
        let Some(inst) = self.inst(ii) else { return };
        let saga = &sagas[inst.saga];
        let state = match inst.phase {
            Phase::Running => {
                let mut names: Vec<&str> = inst
                    .active
                    .iter()
                    .map(|a| saga.steps[a.step].id.as_str())
                    .collect();
                if let Some((n, _, _)) = inst.branch {
                    if let Node::Branch(b) = &saga.nodes[n] {
                        names.push(&b.id);
                    }
                }
                format!("step {}", names.join(" + "))
            }
            _ => inst.comp.as_ref().map_or_else(
                || "compensation".to_string(),
                |c| format!("compensation of {}", saga.steps[c.step].id),
            ),
        };
        let (si, key) = (inst.saga, inst.key.clone());
        self.violation(
            "saga-unexpected-event",
            Some(si),
            Some(key),
            line,
            format!("`{msg}` is neither handled nor ignored in {state}"),
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn step_failed(
        &mut self,
        ii: usize,
        step: StepId,
        attempt: u32,
        first: i64,
        t: i64,
        line: u32,
        id: Option<&str>,
        event: Option<&str>,
    ) {
        let sagas = self.sagas;
        let Some(inst) = self.inst(ii) else { return };
        let st = &sagas[inst.saga].steps[step];
        let sid = st.id.clone();
        if event.is_some() {
            self.log(ii, t, line, id, |_| What::StepFailed {
                step: sid.clone(),
                event: event.map(str::to_string),
                attempt,
            });
        }
        if attempt < st.retry.max {
            let delay = st.retry.delay(attempt);
            self.log(ii, t, 0, None, |_| What::Retry {
                step: sid,
                attempt: attempt + 1,
                delay_ms: delay,
            });
            let due = t.saturating_add(super::duration::signed(delay));
            let timer = self.timer(ii, due, TimerKind::Resend(step));
            if let Some(a) = self
                .inst(ii)
                .and_then(|i| i.active.iter_mut().find(|a| a.step == step))
            {
                a.timer = timer;
                a.due = Some(due);
                a.first_sent = first;
            }
            return;
        }
        self.begin_compensation(ii, t, event.map(|_| step));
    }

    /// Give up: compensate completed steps in reverse order, and first the steps in
    /// flight that may have taken effect (all but `certain`, which failed outright).
    fn begin_compensation(&mut self, ii: usize, t: i64, certain: Option<StepId>) {
        let sagas = self.sagas;
        let Some(inst) = self.inst(ii) else { return };
        let saga = &sagas[inst.saga];
        let abandoned: Vec<StepId> = inst.active.iter().map(|a| a.step).collect();
        inst.abandoned = abandoned.clone();
        inst.active.clear();
        inst.branch = None;
        inst.phase = Phase::Compensating;
        let uncertain: Vec<StepId> = abandoned
            .into_iter()
            .filter(|&s| {
                Some(s) != certain && saga.steps[s].send.is_some() && !saga.steps[s].read_only
            })
            .collect();
        if !inst.pivot_passed {
            for &s in &uncertain {
                let sid = saga.steps[s].id.clone();
                self.log(ii, t, 0, None, |_| What::Uncertain { step: sid });
            }
        }
        let Some(inst) = self.inst(ii) else { return };
        if inst.pivot_passed {
            self.finish_inst(ii, t, Final::Failed { reason: "a step after the pivot failed: nothing is compensated past the point of no return".into() });
            return;
        }
        let mut todo = Vec::new();
        for &s in uncertain.iter().rev().chain(inst.completed.iter().rev()) {
            let st = &saga.steps[s];
            if st.compensation.is_empty() {
                if st.send.is_some() && !st.read_only {
                    inst.uncompensable.push(s);
                }
            } else {
                todo.extend((0..st.compensation.len()).map(|i| (s, i)));
            }
        }
        todo.reverse();
        inst.comp_todo = todo;
        self.next_comp(ii, t);
    }

    fn next_comp(&mut self, ii: usize, t: i64) {
        let sagas = self.sagas;
        let Some(inst) = self.inst(ii) else { return };
        inst.comp = None;
        match inst.comp_todo.pop() {
            Some((s, i)) => self.send_comp(ii, s, i, 1, t),
            None if inst.uncompensable.is_empty() => self.finish_inst(ii, t, Final::Compensated),
            None => {
                let saga = &sagas[inst.saga];
                let names: Vec<String> = inst
                    .uncompensable
                    .iter()
                    .map(|&s| format!("`{}`", saga.steps[s].id))
                    .collect();
                self.finish_inst(
                    ii,
                    t,
                    Final::Failed {
                        reason: format!(
                            "completed steps without compensation: {}",
                            names.join(", ")
                        ),
                    },
                );
            }
        }
    }

    fn send_comp(&mut self, ii: usize, step: StepId, idx: usize, attempt: u32, t: i64) {
        let sagas = self.sagas;
        let Some(inst) = self.inst(ii) else { return };
        let saga = &sagas[inst.saga];
        let c = &saga.steps[step].compensation[idx];
        let key = inst.key.clone();
        let due = c
            .timeout
            .map(|d| t.saturating_add(super::duration::signed(d)));
        let timer = match due {
            Some(d) => self.timer(ii, d, TimerKind::Comp),
            None => 0,
        };
        let auto = if self.opts.auto_confirm {
            self.timer(ii, t.saturating_add(1), TimerKind::AutoReply)
        } else {
            0
        };
        let fail_next = self
            .opts
            .fail_compensation_once
            .as_ref()
            .is_some_and(|(k, s, i)| *k == key && *s == step && *i == idx)
            && attempt == 1;
        if let Some(inst) = self.inst(ii) {
            inst.comp = Some(CompRun {
                step,
                idx,
                attempt,
                timer,
                due,
                auto: if fail_next { auto | (1 << 63) } else { auto },
            });
        }
        let (sid, cmd) = (saga.steps[step].id.clone(), c.send.name.clone());
        self.log(ii, t, 0, None, |_| What::Compensating {
            step: sid,
            command: cmd,
            attempt,
        });
    }

    fn comp_confirmed(
        &mut self,
        ii: usize,
        step: StepId,
        t: i64,
        line: u32,
        id: Option<&str>,
        msg: &str,
    ) {
        let sid = self.sagas[inst_saga(self, ii)].steps[step].id.clone();
        self.log(ii, t, line, id, |_| What::Compensated {
            step: sid,
            event: msg.to_string(),
        });
        self.next_comp(ii, t);
    }

    #[allow(clippy::too_many_arguments)]
    fn comp_failed(
        &mut self,
        ii: usize,
        step: StepId,
        idx: usize,
        attempt: u32,
        t: i64,
        line: u32,
        id: Option<&str>,
        event: Option<&str>,
    ) {
        let saga = &self.sagas[inst_saga(self, ii)];
        let c = &saga.steps[step].compensation[idx];
        let sid = saga.steps[step].id.clone();
        self.log(ii, t, line, id, |_| What::CompensationFailed {
            step: sid.clone(),
            event: event.map(str::to_string),
            attempt,
        });
        if attempt < c.retry.max {
            let delay = c.retry.delay(attempt);
            self.log(ii, t, 0, None, |_| What::Retry {
                step: format!("compensation of {sid}"),
                attempt: attempt + 1,
                delay_ms: delay,
            });
            let due = t.saturating_add(super::duration::signed(delay));
            let timer = self.timer(ii, due, TimerKind::CompResend);
            if let Some(c) = self.inst(ii).and_then(|i| i.comp.as_mut()) {
                c.timer = timer;
                c.due = Some(due);
                c.auto = 0;
            }
            return;
        }
        self.finish_inst(
            ii,
            t,
            Final::Failed {
                reason: format!("the compensation of `{sid}` failed"),
            },
        );
    }

    fn finish_inst(&mut self, ii: usize, t: i64, state: Final) {
        let sagas = self.sagas;
        let Some(inst) = self.inst(ii) else { return };
        let saga = &sagas[inst.saga];
        let emits = match state {
            Final::Completed => &saga.emits_complete,
            _ => &saga.emits_failure,
        };
        let emits: Vec<String> = emits.iter().map(|n| n.name.clone()).collect();
        inst.phase = Phase::Done;
        inst.active.clear();
        inst.branch = None;
        inst.comp = None;
        inst.emitted = emits.clone();
        match &state {
            Final::Completed => self.counts.completed += 1,
            Final::Compensated => self.counts.compensated += 1,
            Final::Failed { reason } => {
                let (si, key) = (inst.saga, inst.key.clone());
                self.counts.failed += 1;
                let reason = reason.clone();
                self.violation(
                    "saga-not-finished",
                    Some(si),
                    Some(key),
                    0,
                    format!("ended neither completed nor fully compensated: {reason}"),
                );
            }
            Final::Waiting { .. } => self.counts.waiting += 1,
        }
        for m in emits {
            self.log(ii, t, 0, None, |_| What::Emitted { message: m });
        }
        let name = state.name().to_string();
        self.log(ii, t, 0, None, |_| What::Finished { state: name });
        if let Some(inst) = self.inst(ii) {
            inst.state = Some(state);
        }
        if self.opts.retention.is_some() {
            self.retired.push_back((t, ii));
        }
    }

    fn fire(&mut self, ii: usize, seq: u64, kind: TimerKind, t: i64) {
        let sagas = self.sagas;
        let Some(inst) = self.inst(ii) else { return };
        let saga = &sagas[inst.saga];
        match kind {
            TimerKind::Step(step) | TimerKind::Resend(step) => {
                let Some(a) = inst
                    .active
                    .iter()
                    .find(|a| a.step == step && a.timer == seq)
                else {
                    return;
                };
                let (attempt, first) = (a.attempt, a.first_sent);
                let st = &saga.steps[step];
                if let TimerKind::Resend(_) = kind {
                    self.activate(ii, step, t, attempt + 1, first);
                    return;
                }
                let sid = st.id.clone();
                self.log(ii, t, 0, None, |_| What::TimedOut { step: sid, attempt });
                match st.on_timeout.unwrap_or(OnTimeout::Fail) {
                    OnTimeout::Complete => {
                        if let Some(inst) = self.inst(ii) {
                            inst.active.retain(|a| a.step != step);
                            inst.completed.push(step);
                            let more = !inst.active.is_empty();
                            let si = inst.saga;
                            self.hist[si][step].record(t.saturating_sub(first).max(0) as u64);
                            let sid = st.id.clone();
                            self.log(ii, t, 0, None, |_| What::Completed {
                                step: sid,
                                event: None,
                                latency_ms: t.saturating_sub(first),
                            });
                            if !more {
                                self.next_node(ii, t);
                            }
                        }
                    }
                    OnTimeout::Retry => {
                        self.step_failed(ii, step, attempt, first, t, 0, None, None)
                    }
                    OnTimeout::Fail => self.begin_compensation(ii, t, None),
                }
            }
            TimerKind::Branch => {
                if inst.branch.is_some_and(|b| b.1 == seq) {
                    let bid = match inst.branch.map(|b| &saga.nodes[b.0]) {
                        Some(Node::Branch(b)) => b.id.clone(),
                        _ => String::new(),
                    };
                    inst.branch = None;
                    self.log(ii, t, 0, None, |_| What::TimedOut {
                        step: bid,
                        attempt: 1,
                    });
                    self.begin_compensation(ii, t, None);
                }
            }
            TimerKind::Comp | TimerKind::CompResend => {
                let Some(c) = inst.comp.as_ref().filter(|c| c.timer == seq) else {
                    return;
                };
                let (step, idx, attempt) = (c.step, c.idx, c.attempt);
                if kind == TimerKind::CompResend {
                    self.send_comp(ii, step, idx, attempt + 1, t);
                } else {
                    let sid = saga.steps[step].id.clone();
                    self.log(ii, t, 0, None, |_| What::TimedOut {
                        step: format!("compensation of {sid}"),
                        attempt,
                    });
                    self.comp_failed(ii, step, idx, attempt, t, 0, None, None);
                }
            }
            TimerKind::AutoReply => {
                let Some(c) = inst.comp.as_ref().filter(|c| c.auto & !(1 << 63) == seq) else {
                    return;
                };
                let (step, idx, attempt, fail) =
                    (c.step, c.idx, c.attempt, c.auto & (1 << 63) != 0);
                let comp = &saga.steps[step].compensation[idx];
                if fail {
                    let ev = comp.fail.first().map(|n| n.name.clone());
                    match ev {
                        Some(e) => self.comp_failed(ii, step, idx, attempt, t, 0, None, Some(&e)),
                        None => {
                            // No failure reply declared: the participant stays silent.
                            if let Some(c) = self.inst(ii).and_then(|i| i.comp.as_mut()) {
                                c.auto = 0;
                            }
                        }
                    }
                } else {
                    let e = comp.confirm.name.clone();
                    self.comp_confirmed(ii, step, t, 0, None, &e);
                }
            }
        }
    }
}

/// A reply of a step that already completed or was abandoned: late, no effect.
fn late_reply(saga: &Saga, inst: &Inst, msg: &str) -> bool {
    inst.completed.iter().chain(&inst.abandoned).any(|&s| {
        let st = &saga.steps[s];
        st.on.iter().chain(&st.fail).any(|n| n.name == msg)
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
