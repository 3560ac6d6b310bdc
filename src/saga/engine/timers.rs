//! The timer queue, and what a timer does when it fires.
//!
//! Timers are never cancelled: a timer whose step, branch or compensation moved on
//! finds nothing to do when it fires (its sequence number no longer matches).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::super::format::{Node, OnTimeout};
use super::instance::{Inst, TimerKind};
use super::{Engine, What};

/// A pending timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Due {
    pub(super) due: i64,
    /// Creation order (unique): timers due at the same time fire in this order.
    pub(super) seq: u64,
    pub(super) ii: usize,
    pub(super) kind: TimerKind,
}

impl Ord for Due {
    /// Reversed (the heap is a max-heap): the earliest (due, seq) first.
    fn cmp(&self, o: &Self) -> Ordering {
        (o.due, o.seq).cmp(&(self.due, self.seq))
    }
}

impl PartialOrd for Due {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

/// Pending timers in (due, creation) order.
#[derive(Debug, Default)]
pub(super) struct Timers {
    heap: BinaryHeap<Due>,
    seq: u64,
    /// Size at which timers that can no longer do anything are dropped.
    limit: usize,
}

/// Timers kept before the first clean-up.
const MIN_LIMIT: usize = 1024;

/// Whether a timer would still do something when it fires (what [`Engine::fire`]
/// checks first).
fn live(insts: &[Option<Inst>], d: &Due) -> bool {
    let Some(inst) = insts.get(d.ii).and_then(Option::as_ref) else {
        return false;
    };
    match d.kind {
        TimerKind::Step(step) | TimerKind::Resend(step) => inst
            .active
            .iter()
            .any(|a| a.step == step && a.timer == d.seq),
        TimerKind::Branch => inst.branch.is_some_and(|b| b.1 == d.seq),
        TimerKind::Comp | TimerKind::CompResend => {
            inst.comp.as_ref().is_some_and(|c| c.timer == d.seq)
        }
        TimerKind::Deadline => inst.phase == super::instance::Phase::Running,
        TimerKind::CompReply { .. } => true,
        TimerKind::AutoReply => inst
            .comp
            .as_ref()
            .is_some_and(|c| c.auto & !(1 << 63) == d.seq),
    }
}

impl Timers {
    /// Drop the timers that can no longer do anything, whenever the queue has
    /// doubled since the last time: it stays about as small as the live timers (and
    /// memory flat on long streams). Only between events, when every instance holds
    /// the sequence numbers of its timers.
    pub(super) fn clean(&mut self, insts: &[Option<Inst>]) {
        if self.heap.len() >= self.limit.max(MIN_LIMIT) {
            self.heap.retain(|d| live(insts, d));
            self.limit = 2 * self.heap.len();
        }
    }

    /// Add a timer; its sequence number (never 0).
    pub(super) fn push(&mut self, ii: usize, due: i64, kind: TimerKind) -> u64 {
        self.seq += 1;
        self.heap.push(Due {
            due,
            seq: self.seq,
            ii,
            kind,
        });
        self.seq
    }

    /// The next timer due at or before `t`, taken off the queue.
    pub(super) fn pop_due(&mut self, t: i64) -> Option<Due> {
        if self.heap.peek()?.due > t {
            return None;
        }
        self.heap.pop()
    }
}

impl Engine<'_> {
    pub(super) fn fire(&mut self, ii: usize, seq: u64, kind: TimerKind, t: i64) {
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
                if inst.phase == super::instance::Phase::Compensating {
                    // Waited for while giving up: its outcome stays unknown.
                    let sid = st.id.clone();
                    self.log(ii, t, 0, None, |_| What::TimedOut { step: sid, attempt });
                    self.awaited(ii, step, None, t);
                    return;
                }
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
                            inst.settle(step);
                            let more = !inst.active.is_empty();
                            let si = inst.saga;
                            self.hist[si][step].record(t.saturating_sub(first).max(0) as u64);
                            let sid = st.id.clone();
                            self.log(ii, t, 0, None, |_| What::Completed {
                                step: sid,
                                event: None,
                                latency_ms: Some(t.saturating_sub(first)),
                            });
                            if !more {
                                self.next_node(ii, t);
                            }
                        }
                    }
                    OnTimeout::Retry => {
                        self.step_failed(ii, step, attempt, first, t, 0, None, None)
                    }
                    OnTimeout::Fail => self.begin_compensation(ii, t, None, Some(step)),
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
                    self.begin_compensation(ii, t, None, None);
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
            TimerKind::Deadline => {
                if inst.phase == super::instance::Phase::Running {
                    self.log(ii, t, 0, None, |_| What::DeadlinePassed);
                    self.begin_compensation(ii, t, None, None);
                }
            }
            TimerKind::CompReply { step, idx, attempt } => {
                if let Some(ev) = self.comp_reply(ii, step, idx, attempt, t) {
                    let mid = self.plan.names.get(&ev.message);
                    self.deliver(ii, &ev, mid, t);
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
