//! Starting instances and the forward path: nodes, steps, replies, branches.

use std::borrow::Cow;
use std::sync::Arc;

use super::super::format::Saga;
use super::super::format::{Node, StepId};
use super::super::view::EventView;
use super::instance::{Active, Inst, Phase, Seen, TimerKind};
use super::plan::SagaPlan;
use super::{Engine, Final, What, inst_key, inst_saga, late_reply};

/// What a reply's causation names.
enum Attribution {
    /// The attempt of this step in flight, or the last attempt of a step no longer in
    /// flight (then a late reply).
    Step(StepId),
    /// The compensation attempt in flight.
    Compensation,
    /// An older attempt, or a command never sent (the reason, for people).
    Stale(String),
    /// A command of another instance.
    Foreign,
}

/// Match a reply's causation `c` to the command attempt it answers.
fn attribute(inst: &Inst, saga: &Saga, sp: &SagaPlan, mid: u32, c: &str) -> Attribution {
    let Some(rest) = c
        .strip_prefix(inst.key.as_str())
        .and_then(|r| r.strip_prefix('/'))
    else {
        return Attribution::Foreign;
    };
    if let Some(r) = &inst.comp {
        let (confirm, fail, _) = &sp.steps[r.step].comp[r.idx];
        if (*confirm == mid || fail.contains(&mid))
            && super::compensation_id(&inst.key, &saga.steps[r.step].id, r.idx, r.attempt) == c
        {
            return Attribution::Compensation;
        }
    }
    let Some((head, n)) = rest
        .rsplit_once('/')
        .and_then(|(h, n)| Some((h, n.parse::<u32>().ok()?)))
    else {
        return Attribution::Stale("which names no command of this saga".into());
    };
    if head.contains("/compensation/") {
        return Attribution::Stale("not the compensation attempt in flight".into());
    }
    let Some(step) = saga.steps.iter().position(|s| s.id == head) else {
        return Attribution::Stale(format!("but this saga has no step `{head}`"));
    };
    let replies = sp.steps[step].on.contains(&mid) || sp.steps[step].fail.contains(&mid);
    let last = inst
        .last_attempt
        .iter()
        .find(|(s, _)| *s == step)
        .map(|x| x.1);
    match last {
        _ if !replies => Attribution::Stale(format!("but `{head}` does not answer with it")),
        Some(l) if l == n => Attribution::Step(step),
        Some(l) if n < l => Attribution::Stale(format!(
            "an earlier attempt than the one sent last (attempt {l})"
        )),
        _ => Attribution::Stale("a command this instance has not sent (yet)".into()),
    }
}

/// Whether `mid` is the outcome (an `on` or `fail` message) of a step that runs a
/// child saga.
fn child_outcome(saga: &Saga, sp: &SagaPlan, mid: u32) -> bool {
    saga.steps
        .iter()
        .zip(&sp.steps)
        .any(|(st, p)| st.child.is_some() && (p.on.contains(&mid) || p.fail.contains(&mid)))
}

/// The step given up in doubt whose earlier (sent) attempt causation `c` names, when
/// `mid` is a success of that step.
fn earlier_success(inst: &Inst, saga: &Saga, sp: &SagaPlan, mid: u32, c: &str) -> Option<StepId> {
    let rest = c.strip_prefix(inst.key.as_str())?.strip_prefix('/')?;
    let (head, n) = rest.rsplit_once('/')?;
    let n = n.parse::<u32>().ok()?;
    let step = saga.steps.iter().position(|s| s.id == head)?;
    let last = inst.last_attempt.iter().find(|(s, _)| *s == step)?.1;
    (n >= 1 && n < last && inst.uncertain.contains(&step) && sp.steps[step].on.contains(&mid))
        .then_some(step)
}

/// Whether causation `c` names an attempt of this instance that was never sent (a
/// step's attempt past its last one, or a compensation attempt past its last one).
fn stale_unsent(inst: &Inst, saga: &Saga, c: &str) -> bool {
    let Some(rest) = c
        .strip_prefix(inst.key.as_str())
        .and_then(|r| r.strip_prefix('/'))
    else {
        return false;
    };
    let Some((head, n)) = rest
        .rsplit_once('/')
        .and_then(|(h, n)| Some((h, n.parse::<u32>().ok()?)))
    else {
        return false;
    };
    if let Some((step, idx)) = head.split_once("/compensation/") {
        let Some(s) = saga.steps.iter().position(|x| x.id == step) else {
            return false;
        };
        let Some(i) = idx.parse::<usize>().ok().and_then(|i| i.checked_sub(1)) else {
            return false;
        };
        return n > inst.comp_attempts(s, i);
    }
    let Some(step) = saga.steps.iter().position(|s| s.id == head) else {
        return false;
    };
    let last = inst
        .last_attempt
        .iter()
        .find(|(s, _)| *s == step)
        .map_or(0, |x| x.1);
    n > last
}

fn inst_phase_done(e: &Engine<'_>, ii: usize) -> bool {
    e.insts
        .get(ii)
        .and_then(Option::as_ref)
        .is_some_and(|i| i.phase == Phase::Done)
}

impl Engine<'_> {
    pub(super) fn start<E: EventView + ?Sized>(&mut self, si: usize, key: String, ev: &E, t: i64) {
        let saga = &self.sagas[si];
        let mut seen = Seen::default();
        let id = ev.key(&self.plan.sagas[si].idempotency);
        if let Some(id) = &id {
            seen.insert(id);
        }
        let inst = Inst {
            saga: si,
            key: key.clone(),
            started: t,
            phase: Phase::Running,
            pending: saga.top.iter().rev().copied().collect(),
            active: Vec::with_capacity(1),
            branch: None,
            completed: Vec::with_capacity(saga.steps.len()),
            abandoned: Vec::new(),
            uncertain: Vec::new(),
            settled: Vec::new(),
            data: Default::default(),
            comp_skip: Vec::new(),
            gave_up: None,
            pivot_passed: false,
            last_line: 0,
            sent: Vec::new(),
            last_attempt: Vec::new(),
            comp_todo: Vec::new(),
            comp: None,
            comp_sent: Vec::new(),
            comp_last: Vec::new(),
            reached: Vec::new(),
            uncompensable: Vec::new(),
            seen,
            timeline: Vec::new(),
            awaiting: Vec::new(),
            emitted: Vec::new(),
            state: None,
            aliases: Vec::new(),
            reopened: None,
            ended: i64::MIN,
            late_runs: 0,
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
        if let Some(d) = saga.deadline {
            self.timer(
                ii,
                t.saturating_add(super::super::duration::signed(d)),
                TimerKind::Deadline,
            );
        }
        self.log(ii, t, ev.line(), id.as_deref(), |_| What::Started {
            message: ev.message().to_string(),
        });
        // The first start declaration this message meets names what it captures.
        let sagas = self.sagas;
        let caps = sagas[si]
            .start
            .iter()
            .zip(&self.plan.sagas[si].start)
            .find(|(st, (_, c))| {
                st.message.name == ev.message() && c.as_ref().is_none_or(|c| c.holds(ev))
            })
            .map(|(st, _)| st.capture.as_slice())
            .unwrap_or_default();
        self.capture(ii, caps, ev);
        self.next_node(ii, t);
    }

    pub(super) fn next_node(&mut self, ii: usize, t: i64) {
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
                    .map(|d| t.saturating_add(super::super::duration::signed(d)));
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

    pub(super) fn activate(
        &mut self,
        ii: usize,
        step: StepId,
        t: i64,
        attempt: u32,
        first_sent: i64,
    ) {
        let st = &self.sagas[self.insts[ii].as_ref().map_or(0, |i| i.saga)].steps[step];
        let due = st
            .timeout
            .map(|d| t.saturating_add(super::super::duration::signed(d)));
        let timer = match due {
            Some(d) => self.timer(ii, d, TimerKind::Step(step)),
            None => 0,
        };
        let has_send = st.send.is_some();
        // A child saga runs under the id of the command that starts it: its outcome
        // events, carrying that key, come to this instance as that attempt's answer.
        let alias = match (&st.child, self.insts[ii].as_ref()) {
            (Some(_), Some(inst)) if has_send => {
                Some((inst.saga, super::command_id(&inst.key, &st.id, attempt)))
            }
            _ => None,
        };
        if let Some((si, k)) = alias {
            self.by_key[si].insert(k.clone(), ii);
            if let Some(inst) = self.inst(ii) {
                inst.aliases.push(k);
            }
        }
        if let Some(inst) = self.inst(ii) {
            if !inst.reached.contains(&step) {
                inst.reached.push(step);
            }
            if has_send && !inst.sent.contains(&step) {
                inst.sent.push(step);
            }
            if has_send {
                match inst.last_attempt.iter_mut().find(|(s, _)| *s == step) {
                    Some(x) => x.1 = attempt,
                    None => inst.last_attempt.push((step, attempt)),
                }
            }
            inst.active.retain(|a| a.step != step);
            inst.active.push(Active {
                step,
                attempt,
                first_sent,
                timer,
                due,
                failed: false,
            });
        }
        // The names are copied only when a timeline is kept.
        if has_send {
            let with = if self.opts.keep_timelines {
                self.with_values(ii, &self.sagas[inst_saga(self, ii)].steps[step].with)
            } else {
                Default::default()
            };
            self.log(ii, t, 0, None, |s| What::Sent {
                with,
                step: s.steps[step].id.clone(),
                command: s.steps[step]
                    .send
                    .as_ref()
                    .map(|n| n.name.clone())
                    .unwrap_or_default(),
                attempt,
            });
        } else {
            self.log(ii, t, 0, None, |s| What::Waiting {
                step: s.steps[step].id.clone(),
            });
        }
    }

    pub(super) fn deliver<E: EventView + ?Sized>(&mut self, ii: usize, ev: &E, mid: u32, t: i64) {
        let sagas = self.sagas;
        let plan = Arc::clone(&self.plan);
        let causal = self.opts.causal;
        let Some(inst) = self.inst(ii) else { return };
        let saga = &sagas[inst.saga];
        let sp = &plan.sagas[inst.saga];
        // Exploration: participants answer what they are sent, so a recorded reply to a
        // command this run never sent is not delivered (it could not have been produced).
        if causal && !super::sent_in_run(inst, saga, sp, mid) {
            return;
        }
        // Routed by a child saga's key (see `activate`): of the child's events only its
        // outcome is this saga's, as the answer of the attempt that started it.
        let alias = if sp.children {
            ev.key(&sp.correlation)
                .filter(|k| *k != inst.key)
                .map(Cow::into_owned)
        } else {
            None
        };
        if alias.is_some() && !(self.child_outcome && child_outcome(saga, sp, mid)) {
            return;
        }
        // A recorded copy of what this instance emits, while it is a child: the child's
        // outcome is what it emits when it ends, not an event it takes.
        if !self.child_outcome
            && self.plan.any_children
            && (saga.emits_complete.iter().chain(&saga.emits_failure))
                .any(|n| n.name == ev.message())
            && self.is_child(ii)
        {
            let m = ev.message().to_string();
            let (line, idr) = (ev.line(), ev.key(&sp.idempotency).map(Cow::into_owned));
            self.log(ii, t, line, idr.as_deref(), |_| What::Ignored { event: m });
            return;
        }
        let Some(inst) = self.inst(ii) else { return };
        // Likewise, once the run has given up (or ended), an event only steps or
        // branches it never reached would take was caused by what the recorded run
        // did and this one did not: not delivered either.
        if causal && inst.phase != Phase::Running && !super::reached_in_run(inst, sp, mid) {
            return;
        }
        let id = ev.key(&sp.idempotency);
        if let Some(id) = &id {
            if !inst.seen.insert(id) {
                let m = ev.message().to_string();
                self.log(ii, t, ev.line(), Some(id), |_| What::Duplicate { event: m });
                return;
            }
        }
        let idr = id.as_deref();
        let msg = ev.message();
        let line = ev.line();
        // Another run's start (not a redelivery: its idempotency key is new) for the key
        // of a running instance: two runs would be merged into one.
        if !matches!(inst.phase, Phase::Done) && sp.starts(saga, mid, ev) {
            let (si, key) = (inst.saga, inst.key.clone());
            self.log(ii, t, line, idr, |_| What::Ignored {
                event: msg.to_string(),
            });
            self.violation(
                "saga-concurrent-start",
                Some(si),
                Some(key.clone()),
                line,
                format!(
                    "a second `{msg}` for `{key}` while its instance is running: the correlation key is not unique per run, and the two runs would be merged (the second start is rejected)"
                ),
            );
            return;
        }
        let globally_ignored =
            sp.ignore.contains(&mid) || sp.is_start(mid) || sp.abort_on.contains(&mid);
        if inst.phase == Phase::Running && sp.abort_on.contains(&mid) {
            let m = msg.to_string();
            self.log(ii, t, line, idr, |_| What::Aborted { event: m });
            self.begin_compensation(ii, t, None, None);
            return;
        }
        // Causation: a reply that names its command is matched to that attempt only.
        let mut only: Option<StepId> = None;
        // The reply names the compensation attempt in flight: it is that
        // compensation's answer, never a forward step's (not a late effect).
        let mut to_comp = false;
        let cause = match alias {
            Some(a) => Some(Cow::Owned(a)),
            None => sp.causation.as_ref().and_then(|p| ev.key(p)),
        };
        if let (true, Some(c)) = (sp.replies.contains(&mid), cause) {
            // A success of an earlier attempt of a step given up in doubt took effect
            // as well: once the saga gave up, it is a late effect like the last one's.
            let earlier = if inst.phase == Phase::Running {
                None
            } else {
                earlier_success(inst, saga, sp, mid, &c)
            };
            match attribute(inst, saga, sp, mid, &c) {
                Attribution::Step(s) => only = Some(s),
                Attribution::Stale(_) if earlier.is_some() => only = earlier,
                Attribution::Compensation => to_comp = true,
                // Exploration: a reply naming an attempt this run never sent could not
                // have been produced in it.
                Attribution::Stale(_) if causal && stale_unsent(inst, saga, &c) => return,
                Attribution::Stale(why) => {
                    let (si, key) = (inst.saga, inst.key.clone());
                    self.log(ii, t, line, idr, |_| What::Ignored {
                        event: msg.to_string(),
                    });
                    if inst_phase_done(self, ii) {
                        // After the end, an old attempt's reply is a late reply.
                    } else {
                        self.violation(
                            "saga-reply-stale",
                            Some(si),
                            Some(key),
                            line,
                            format!("`{msg}` answers `{c}`, {why}: it is not a completion"),
                        );
                    }
                    return;
                }
                Attribution::Foreign => {
                    let (si, key) = (inst.saga, inst.key.clone());
                    self.log(ii, t, line, idr, |_| What::Ignored {
                        event: msg.to_string(),
                    });
                    self.violation(
                        "saga-reply-foreign",
                        Some(si),
                        Some(key.clone()),
                        line,
                        format!("`{msg}` for `{key}` answers `{c}`, a command this instance did not send (another instance's, by its causation): it is not a completion"),
                    );
                    return;
                }
            }
        }
        let Some(inst) = self.inst(ii) else { return };
        match inst.phase {
            Phase::Done => {
                if self.late_effect(ii, ev, mid, only, t, line, idr) {
                    return;
                }
                let Some(inst) = self.inst(ii) else { return };
                // An event the instance emitted as it ended, recorded in the stream (a
                // child's outcome, which its parent waits for), is its own.
                let own = inst.emitted.iter().any(|e| e == msg);
                if globally_ignored || own || late_reply(sp, inst, mid) {
                    self.log(ii, t, line, idr, |_| What::Ignored {
                        event: msg.to_string(),
                    });
                } else {
                    let key = inst.key.clone();
                    let si = inst.saga;
                    self.log(ii, t, line, idr, |_| What::AfterEnd {
                        event: msg.to_string(),
                    });
                    self.violation(
                        "saga-after-terminal",
                        Some(si),
                        Some(key),
                        line,
                        format!("`{msg}` arrived after the instance ended"),
                    );
                }
            }
            Phase::Running => {
                if let Some((node, _, _)) = inst.branch {
                    if let (Node::Branch(b), Some((on, ptr))) =
                        (&saga.nodes[node], &sp.branch[node])
                    {
                        if *on == mid {
                            let value = ev.field(ptr).map(|f| f.text());
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
                                    self.log(ii, t, line, idr, |_| What::BranchTaken {
                                        branch: bid,
                                        value: v,
                                        case: k,
                                    });
                                    self.next_node(ii, t);
                                }
                                None => {
                                    let bid = b.id.clone();
                                    let shown = value.unwrap_or_else(|| "nothing".into());
                                    self.log(ii, t, line, idr, |_| What::StepFailed {
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
                                        line,
                                        format!(
                                            "branch `{}`: no case for {shown} at `{}`",
                                            b.id, b.pointer
                                        ),
                                    );
                                    self.begin_compensation(ii, t, None, None);
                                }
                            }
                            return;
                        }
                    }
                }
                let Some(inst) = self.inst(ii) else { return };
                let when_ok =
                    |step: StepId| sp.steps[step].when.as_ref().is_none_or(|c| c.holds(ev));
                let hit = inst.active.iter().position(|a| {
                    only.is_none_or(|s| s == a.step)
                        && sp.steps[a.step].on.contains(&mid)
                        && when_ok(a.step)
                });
                // A completion event that does not meet the step's `when` is progress.
                let progress = inst
                    .active
                    .iter()
                    .any(|a| sp.steps[a.step].on.contains(&mid) && !when_ok(a.step));
                if let Some(pos) = hit {
                    let a = inst.active.remove(pos);
                    let attributed = (a.step, a.attempt);
                    let st = &saga.steps[a.step];
                    if st.pivot {
                        inst.pivot_passed = true;
                    }
                    inst.completed.push(a.step);
                    inst.settle(a.step);
                    let lat = t.saturating_sub(a.first_sent);
                    let si = inst.saga;
                    let more = !inst.active.is_empty();
                    self.hist[si][a.step].record(lat.max(0) as u64);
                    self.log(ii, t, line, idr, |_| What::Completed {
                        step: st.id.clone(),
                        event: Some(msg.to_string()),
                        latency_ms: Some(lat),
                    });
                    self.capture(ii, &st.capture, ev);
                    self.comp_conditions(ii, a.step, ev);
                    self.misattributed(ev, ii, idr, line, msg, |k, s| {
                        super::command_id(k, &s.steps[attributed.0].id, attributed.1)
                    });
                    if !more {
                        self.next_node(ii, t);
                    }
                    return;
                }
                let hit = inst.active.iter().position(|a| {
                    only.is_none_or(|s| s == a.step) && sp.steps[a.step].fail.contains(&mid)
                });
                if let Some(pos) = hit.filter(|&p| inst.active[p].failed) {
                    // This attempt already failed (or timed out): its retry is due.
                    let _ = pos;
                    self.log(ii, t, line, idr, |_| What::Ignored {
                        event: msg.to_string(),
                    });
                    return;
                }
                if let Some(pos) = hit {
                    let (step, attempt, first) = (
                        inst.active[pos].step,
                        inst.active[pos].attempt,
                        inst.active[pos].first_sent,
                    );
                    self.misattributed(ev, ii, idr, line, msg, |k, s| {
                        super::command_id(k, &s.steps[step].id, attempt)
                    });
                    let Some(inst) = self.inst(ii) else { return };
                    inst.active[pos].timer = 0;
                    inst.active[pos].due = None;
                    self.step_failed(ii, step, attempt, first, t, line, idr, Some(msg));
                    return;
                }
                let step_ignored = inst
                    .active
                    .iter()
                    .any(|a| sp.steps[a.step].ignore.contains(&mid));
                if progress || step_ignored || globally_ignored || late_reply(sp, inst, mid) {
                    self.log(ii, t, line, idr, |_| What::Ignored {
                        event: msg.to_string(),
                    });
                } else {
                    self.unexpected(ii, t, line, idr, msg);
                }
            }
            Phase::Compensating => {
                // A step in flight when the saga gave up: its outcome is awaited.
                let when_ok =
                    |step: StepId| sp.steps[step].when.as_ref().is_none_or(|c| c.holds(ev));
                let awaited = inst.active.iter().find_map(|a| {
                    if to_comp || only.is_some_and(|s| s != a.step) {
                        return None;
                    }
                    let p = &sp.steps[a.step];
                    if p.on.contains(&mid) && when_ok(a.step) {
                        Some((a.step, a.attempt, a.first_sent, true))
                    } else if p.fail.contains(&mid) {
                        Some((a.step, a.attempt, a.first_sent, false))
                    } else {
                        None
                    }
                });
                if let Some((step, attempt, first, ok)) = awaited {
                    let sid = saga.steps[step].id.clone();
                    if ok {
                        // A real answer of the attempt in flight: its latency counts.
                        let lat = t.saturating_sub(first);
                        let si = inst.saga;
                        self.hist[si][step].record(lat.max(0) as u64);
                        self.log(ii, t, line, idr, |_| What::Completed {
                            step: sid,
                            event: Some(msg.to_string()),
                            latency_ms: Some(lat),
                        });
                        // What it captures is there for the compensations (`with`,
                        // `if`), as for any completed step.
                        let caps = &sagas[inst_saga(self, ii)].steps[step].capture;
                        self.capture(ii, caps, ev);
                        self.comp_conditions(ii, step, ev);
                    } else {
                        self.log(ii, t, line, idr, |_| What::StepFailed {
                            step: sid,
                            event: Some(msg.to_string()),
                            attempt,
                        });
                    }
                    self.misattributed(ev, ii, idr, line, msg, |k, s| {
                        super::command_id(k, &s.steps[step].id, attempt)
                    });
                    self.awaited(ii, step, Some(ok), t);
                    return;
                }
                if !to_comp && self.late_effect(ii, ev, mid, only, t, line, idr) {
                    return;
                }
                let Some(inst) = self.inst(ii) else { return };
                if let Some(c) = &inst.comp {
                    let (confirm, fail, when) = &sp.steps[c.step].comp[c.idx];
                    let (step, idx, attempt) = (c.step, c.idx, c.attempt);
                    // A confirm with a `when` counts only when the event meets it (a
                    // forward reply of the same message does not confirm).
                    let when_ok = when.as_ref().is_none_or(|c| c.holds(ev));
                    let comp_id = |k: &str, s: &Saga| {
                        super::compensation_id(k, &s.steps[step].id, idx, attempt)
                    };
                    if *confirm == mid && when_ok {
                        self.misattributed(ev, ii, idr, line, msg, comp_id);
                        self.comp_confirmed(ii, step, t, line, idr, msg);
                        return;
                    }
                    if fail.contains(&mid) {
                        self.misattributed(ev, ii, idr, line, msg, comp_id);
                        self.comp_failed(ii, step, idx, attempt, t, line, idr, Some(msg));
                        return;
                    }
                }
                if globally_ignored || late_reply(sp, inst, mid) {
                    self.log(ii, t, line, idr, |_| What::Ignored {
                        event: msg.to_string(),
                    });
                } else {
                    self.unexpected(ii, t, line, idr, msg);
                }
            }
        }
    }

    /// A success of a state-changing step the saga gave up on with its outcome unknown,
    /// arriving once its compensation may have run (or with none to run): the effect
    /// outlives the saga (`saga-late-effect`). `true` when reported.
    #[allow(clippy::too_many_arguments)]
    fn late_effect<E: EventView + ?Sized>(
        &mut self,
        ii: usize,
        ev: &E,
        mid: u32,
        only: Option<StepId>,
        t: i64,
        line: u32,
        idr: Option<&str>,
    ) -> bool {
        let sagas = self.sagas;
        let plan = Arc::clone(&self.plan);
        let Some(inst) = self.inst(ii) else {
            return false;
        };
        let saga = &sagas[inst.saga];
        let sp = &plan.sagas[inst.saga];
        let Some(step) = inst.uncertain.iter().copied().find(|&s| {
            only.is_none_or(|o| o == s)
                && sp.steps[s].on.contains(&mid)
                && sp.steps[s].when.as_ref().is_none_or(|c| c.holds(ev))
        }) else {
            return false;
        };
        // Without a causation naming the step, a message that also answers one of
        // this step's compensations already sent (`saga-confirm-ambiguous`) is taken
        // as that answer, not as a late effect (else each answer would trigger the
        // compensation again, without end).
        if only.is_none()
            && inst.comp_sent.iter().any(|&(s, i)| {
                let (confirm, fail, _) = &sp.steps[s].comp[i];
                s == step && (*confirm == mid || fail.contains(&mid))
            })
        {
            return false;
        }
        let st = &saga.steps[step];
        if inst.phase == Phase::Compensating && inst.comp.is_none() && inst.comp_todo.is_empty() {
            // Other steps are still awaited: nothing is compensated yet, so this step
            // simply completed.
            inst.uncertain.retain(|&s| s != step);
            inst.completed.push(step);
            inst.settle(step);
            let (sid, m) = (st.id.clone(), ev.message().to_string());
            self.log(ii, t, line, idr, |_| What::Completed {
                step: sid,
                event: Some(m),
                latency_ms: None,
            });
            self.capture(ii, &st.capture, ev);
            self.comp_conditions(ii, step, ev);
            return true;
        }
        // The saga ignores its own success message (`ignore:`): a late success is
        // dropped, and once the step's compensation was sent nothing undoes it.
        let ignored = sp.ignore.contains(&mid);
        if ignored
            && inst.phase == Phase::Compensating
            && !inst.comp_sent.iter().any(|&(s, _)| s == step)
        {
            // Its compensation is still to run: it undoes this effect too.
            return false;
        }
        let reopen = inst.phase == Phase::Done && !inst.pivot_passed;
        let bounded = inst.late_runs < super::instance::MAX_LATE_RUNS;
        if (inst.phase == Phase::Compensating || reopen)
            && !st.compensation.is_empty()
            && !ignored
            && bounded
        {
            inst.late_runs += 1;
            // Still compensating: the effect is undone too, its compensations run
            // again after the one in flight. Ended already: the instance reopens to
            // run them, then ends again as it had.
            let (sid, m) = (st.id.clone(), ev.message().to_string());
            // What it captured is there for its compensations, run again, and their
            // `if` is evaluated on this event.
            self.capture(ii, &st.capture, ev);
            self.comp_conditions(ii, step, ev);
            let Some(inst) = self.insts.get_mut(ii).and_then(Option::as_mut) else {
                return true;
            };
            if inst.phase == Phase::Done {
                let prior = inst.state.take();
                let counts = &mut self.counts;
                match &prior {
                    Some(Final::Compensated) => {
                        counts.compensated = counts.compensated.saturating_sub(1)
                    }
                    Some(Final::Failed { .. }) => counts.failed = counts.failed.saturating_sub(1),
                    _ => {}
                }
                inst.reopened = prior;
                inst.phase = Phase::Compensating;
            }
            let mut skipped = Vec::new();
            for i in (0..st.compensation.len()).rev() {
                if inst.comp_skip.contains(&(step, i)) {
                    skipped.push(i);
                } else if !inst.comp_todo.contains(&(step, i)) {
                    inst.comp_todo.push((step, i));
                }
            }
            self.log(ii, t, line, idr, |_| What::LateEffect {
                step: sid.clone(),
                event: m,
            });
            for i in skipped.into_iter().rev() {
                let command = st.compensation[i].send.name.clone();
                let step = sid.clone();
                self.log(ii, t, 0, None, |_| What::CompensationSkipped {
                    step,
                    command,
                });
            }
            if self.inst(ii).is_some_and(|i| i.comp.is_none()) {
                self.next_comp(ii, t);
            }
            return true;
        }
        let how = if st.compensation.is_empty() {
            "it has no compensation".to_string()
        } else if !bounded {
            format!(
                "the saga already compensated {} late effects of this instance again (the most it does)",
                super::instance::MAX_LATE_RUNS
            )
        } else if ignored {
            format!(
                "the saga ignores `{}` (`ignore:`), so it drops the late success instead of compensating it again",
                ev.message()
            )
        } else {
            "the saga had passed its pivot, past which nothing is compensated".to_string()
        };
        let (si, key, msg) = (inst.saga, inst.key.clone(), ev.message().to_string());
        let m = msg.clone();
        self.log(ii, t, line, idr, |_| What::AfterEnd { event: m });
        self.violation(
            "saga-late-effect",
            Some(si),
            Some(key),
            line,
            format!(
                "`{msg}`: `{}` took effect after the saga gave up on it (its outcome was unknown) and {how}: the effect outlives the saga",
                st.id
            ),
        );
        true
    }

    /// Exploration: the reply truly answers another command than the attempt the
    /// engine matched it to (by message type, without `causation`).
    fn misattributed<E: EventView + ?Sized>(
        &mut self,
        ev: &E,
        ii: usize,
        idr: Option<&str>,
        line: u32,
        msg: &str,
        attributed: impl FnOnce(&str, &Saga) -> String,
    ) {
        let _ = idr;
        let Some(truth) = self
            .truth
            .as_ref()
            .and_then(|p| ev.key(p))
            .map(|c| c.into_owned())
        else {
            return;
        };
        let Some(inst) = self.insts.get(ii).and_then(Option::as_ref) else {
            return;
        };
        let got = attributed(&inst.key, &self.sagas[inst.saga]);
        if got == truth {
            return;
        }
        let (si, key, truth) = (inst.saga, inst.key.clone(), truth.clone());
        let hint = if self.sagas[si].causation.is_none() {
            " (declare `causation:` so that replies name the attempt they answer)"
        } else {
            ""
        };
        self.violation(
            "saga-reply-misattributed",
            Some(si),
            Some(key),
            line,
            format!("`{msg}` answers `{truth}` but was taken as the answer to `{got}`{hint}"),
        );
    }

    pub(super) fn unexpected(&mut self, ii: usize, t: i64, line: u32, id: Option<&str>, msg: &str) {
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
    pub(super) fn step_failed(
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
            let due = t.saturating_add(super::super::duration::signed(delay));
            let timer = self.timer(ii, due, TimerKind::Resend(step));
            if let Some(a) = self
                .inst(ii)
                .and_then(|i| i.active.iter_mut().find(|a| a.step == step))
            {
                a.timer = timer;
                a.due = Some(due);
                a.first_sent = first;
                a.failed = true;
            }
            return;
        }
        self.begin_compensation(ii, t, event.map(|_| step), Some(step));
    }
}
