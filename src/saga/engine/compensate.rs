//! Giving up: compensation of completed (and uncertain) steps in reverse order,
//! retries of compensations, and the end of an instance.

use super::super::format::StepId;
use super::instance::{CompRun, Phase, TimerKind};
use super::{Answer, Engine, Final, What, inst_saga};

impl Engine<'_> {
    /// Give up. Steps whose command is in flight are waited for first (unless they
    /// declare `inFlight: abandon`): a success makes them completed steps, a failure
    /// leaves nothing to undo, a timeout leaves their outcome unknown. Then the
    /// completed steps, and those of unknown outcome, are compensated, last first.
    /// `certain`: the step that failed outright (a failure reply: nothing to undo);
    /// `cause`: the step whose failure or timeout gave up (not waited for).
    pub(super) fn begin_compensation(
        &mut self,
        ii: usize,
        t: i64,
        certain: Option<StepId>,
        cause: Option<StepId>,
    ) {
        let sagas = self.sagas;
        let Some(inst) = self.inst(ii) else { return };
        let saga = &sagas[inst.saga];
        inst.phase = Phase::Compensating;
        inst.branch = None;
        inst.gave_up = cause.or(certain);
        let pivot = inst.pivot_passed;
        let mut wait = Vec::new();
        let mut abandoned = Vec::new();
        for a in &inst.active {
            let st = &saga.steps[a.step];
            let changes = st.send.is_some() && !st.read_only;
            let in_flight = !a.failed && a.due.is_some();
            if !pivot
                && changes
                && in_flight
                && !st.abandon
                && Some(a.step) != cause
                && Some(a.step) != certain
            {
                wait.push(a.step);
            } else {
                abandoned.push(a.step);
            }
        }
        inst.active.retain(|a| wait.contains(&a.step));
        inst.abandoned = abandoned.clone();
        let uncertain: Vec<StepId> = abandoned
            .into_iter()
            .filter(|&s| {
                Some(s) != certain && saga.steps[s].send.is_some() && !saga.steps[s].read_only
            })
            .collect();
        inst.uncertain = uncertain.clone();
        for &s in &uncertain {
            inst.settle(s);
        }
        if pivot {
            self.finish_inst(ii, t, Final::Failed { reason: "a step after the pivot failed: nothing is compensated past the point of no return".into() });
            return;
        }
        for &s in &uncertain {
            let sid = saga.steps[s].id.clone();
            self.log(ii, t, 0, None, |_| What::Uncertain { step: sid });
        }
        for &s in &wait {
            let sid = saga.steps[s].id.clone();
            self.log(ii, t, 0, None, |_| What::AwaitOutcome { step: sid });
        }
        if wait.is_empty() {
            self.start_compensations(ii, t);
        }
    }

    /// A step waited for while giving up has its outcome: `Some(true)` it completed,
    /// `Some(false)` it failed, `None` it timed out (unknown). When none is left, the
    /// compensations start.
    pub(super) fn awaited(&mut self, ii: usize, step: StepId, outcome: Option<bool>, t: i64) {
        let Some(inst) = self.inst(ii) else { return };
        inst.active.retain(|a| a.step != step);
        match outcome {
            Some(true) => {
                inst.completed.push(step);
                inst.settle(step);
            }
            Some(false) => {}
            None => {
                inst.uncertain.push(step);
                inst.settle(step);
            }
        }
        let left = !inst.active.is_empty();
        if outcome.is_none() {
            let sid = self.sagas[inst_saga(self, ii)].steps[step].id.clone();
            self.log(ii, t, 0, None, |_| What::Uncertain { step: sid });
        }
        if !left {
            self.start_compensations(ii, t);
        }
    }

    /// Compensate the steps of unknown outcome and the completed ones, last first.
    fn start_compensations(&mut self, ii: usize, t: i64) {
        let sagas = self.sagas;
        let Some(inst) = self.inst(ii) else { return };
        let saga = &sagas[inst.saga];
        let mut todo = Vec::new();
        let mut skipped = Vec::new();
        // Last settled first: a step that completed (or was given up in doubt) after
        // another is undone before it.
        let order: Vec<StepId> = inst
            .settled
            .iter()
            .rev()
            .copied()
            .filter(|s| inst.uncertain.contains(s) || inst.completed.contains(s))
            .collect();
        for &s in &order {
            let st = &saga.steps[s];
            if st.compensation.is_empty() {
                if st.send.is_some() && !st.read_only && !inst.uncompensable.contains(&s) {
                    inst.uncompensable.push(s);
                }
            } else {
                // A compensation whose `if` the completing event did not meet is
                // skipped (a step in doubt has no such event: all of them run).
                let done = inst.completed.contains(&s) && !inst.uncertain.contains(&s);
                for i in 0..st.compensation.len() {
                    if done && inst.comp_skip.contains(&(s, i)) {
                        skipped.push((s, i));
                    } else {
                        todo.push((s, i));
                    }
                }
            }
        }
        todo.reverse();
        inst.comp_todo = todo;
        for (s, i) in skipped {
            let (step, command) = (
                saga.steps[s].id.clone(),
                saga.steps[s].compensation[i].send.name.clone(),
            );
            self.log(ii, t, 0, None, |_| What::CompensationSkipped {
                step,
                command,
            });
        }
        self.next_comp(ii, t);
    }

    pub(super) fn next_comp(&mut self, ii: usize, t: i64) {
        let sagas = self.sagas;
        let Some(inst) = self.inst(ii) else { return };
        inst.comp = None;
        match inst.comp_todo.pop() {
            Some((s, i)) => {
                let attempt = inst.comp_attempts(s, i) + 1;
                self.send_comp(ii, s, i, attempt, t)
            }
            // Reopened for a late effect: it ends again as it had.
            None if inst.reopened.is_some() => {
                let prior = inst.reopened.clone().unwrap_or(Final::Compensated);
                self.finish_inst(ii, t, prior);
            }
            None if inst.uncompensable.is_empty() => self.finish_inst(ii, t, Final::Compensated),
            None => {
                let saga = &sagas[inst.saga];
                // A step whose every attempt timed out is in doubt, not completed.
                let (doubt, done): (Vec<usize>, Vec<usize>) = inst
                    .uncompensable
                    .iter()
                    .partition(|s| inst.uncertain.contains(s));
                let names = |v: &[usize]| {
                    v.iter()
                        .map(|&s| format!("`{}`", saga.steps[s].id))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let mut parts = Vec::new();
                if !done.is_empty() {
                    parts.push(format!(
                        "completed steps without compensation: {}",
                        names(&done)
                    ));
                }
                if !doubt.is_empty() {
                    parts.push(format!(
                        "steps in doubt (every attempt timed out) without compensation: {}",
                        names(&doubt)
                    ));
                }
                self.finish_inst(
                    ii,
                    t,
                    Final::Failed {
                        reason: parts.join("; "),
                    },
                );
            }
        }
    }

    pub(super) fn send_comp(&mut self, ii: usize, step: StepId, idx: usize, attempt: u32, t: i64) {
        let sagas = self.sagas;
        let Some(inst) = self.inst(ii) else { return };
        let saga = &sagas[inst.saga];
        let c = &saga.steps[step].compensation[idx];
        let key = inst.key.clone();
        // A retry goes on the round in flight; otherwise a round begins.
        let first = inst
            .comp
            .as_ref()
            .filter(|r| r.step == step && r.idx == idx)
            .map_or(attempt, |r| r.first);
        let due = c
            .timeout
            .map(|d| t.saturating_add(super::super::duration::signed(d)));
        let timer = match due {
            Some(d) => self.timer(ii, d, TimerKind::Comp),
            None => 0,
        };
        let answer = if self.opts.auto_confirm {
            self.opts
                .comp_scripts
                .iter()
                .find(|c| c.key == key && c.step == step && c.idx == idx)
                .and_then(|c| {
                    let n = if c.every_round {
                        attempt.saturating_sub(first)
                    } else {
                        attempt.saturating_sub(1)
                    };
                    c.answers.get(n as usize).copied()
                })
                .unwrap_or(Answer::Confirm)
        } else {
            Answer::Lose
        };
        let reply = |attempt| TimerKind::CompReply { step, idx, attempt };
        let auto = match answer {
            Answer::Confirm => self.timer(ii, t.saturating_add(1), TimerKind::AutoReply),
            Answer::Fail => self.timer(ii, t.saturating_add(1), TimerKind::AutoReply) | (1 << 63),
            Answer::Lose => 0,
            Answer::Late => {
                // After the timeout, and after the retry was sent (and answered).
                if let Some(d) = due {
                    let n = attempt.saturating_sub(first) + 1;
                    let retried = d
                        .saturating_add(super::super::duration::signed(c.retry.delay(n)))
                        .saturating_add(2);
                    self.timer(ii, retried, reply(attempt));
                }
                0
            }
            Answer::Twice => {
                self.timer(ii, t.saturating_add(1), reply(attempt));
                self.timer(ii, t.saturating_add(2), reply(attempt));
                0
            }
        };
        if let Some(inst) = self.inst(ii) {
            if !inst.comp_sent.contains(&(step, idx)) {
                inst.comp_sent.push((step, idx));
            }
            match inst.comp_last.iter_mut().find(|(k, _)| *k == (step, idx)) {
                Some(x) => x.1 = attempt,
                None => inst.comp_last.push(((step, idx), attempt)),
            }
            inst.comp = Some(CompRun {
                first,
                step,
                idx,
                attempt,
                timer,
                due,
                auto,
            });
        }
        let (sid, cmd) = (saga.steps[step].id.clone(), c.send.name.clone());
        let with = if self.opts.keep_timelines {
            self.with_values(ii, &c.with)
        } else {
            Default::default()
        };
        self.log(ii, t, 0, None, |_| What::Compensating {
            with,
            step: sid,
            command: cmd,
            attempt,
        });
    }

    /// The participant model's reply to attempt `attempt` of compensation `idx` of
    /// `step`, as the event it would send: its correlation key, causation and
    /// idempotency key, and the field its `when` needs.
    pub(super) fn comp_reply(
        &self,
        ii: usize,
        step: StepId,
        idx: usize,
        attempt: u32,
        t: i64,
    ) -> Option<super::super::stream::Event> {
        use serde_json::Value;
        let inst = self.insts.get(ii).and_then(Option::as_ref)?;
        let saga = &self.sagas[inst.saga];
        let c = &saga.steps[step].compensation[idx];
        let cid = super::compensation_id(&inst.key, &saga.steps[step].id, idx, attempt);
        let mut e = super::super::stream::Event {
            line: 0,
            offset: 0,
            time: t,
            message: c.confirm.name.clone(),
            headers: Value::Object(serde_json::Map::new()),
            payload: Value::Object(serde_json::Map::new()),
        };
        e.set(&saga.correlation, Value::String(inst.key.clone()));
        e.set(&saga.idempotency, Value::String(format!("{cid}~reply")));
        if let Some(p) = &saga.causation {
            e.set(p, Value::String(cid.clone()));
        }
        if let Some(p) = &self.opts.true_cause {
            e.set(p, Value::String(cid));
        }
        // A value that meets the confirmation's `when` (an absent one stays absent).
        if let Some(super::super::cond::Example::Set(p, v)) =
            c.when.as_ref().and_then(super::super::cond::Cond::example)
        {
            e.set(&p, v);
        }
        Some(e)
    }

    pub(super) fn comp_confirmed(
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
    pub(super) fn comp_failed(
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
        // Attempts of this round (a round run again for a late effect has its own).
        let first = self
            .insts
            .get(ii)
            .and_then(Option::as_ref)
            .and_then(|i| i.comp.as_ref())
            .map_or(1, |r| r.first);
        let n = attempt.saturating_sub(first) + 1;
        if n < c.retry.max {
            let delay = c.retry.delay(n);
            self.log(ii, t, 0, None, |_| What::Retry {
                step: format!("compensation of {sid}"),
                attempt: attempt + 1,
                delay_ms: delay,
            });
            let due = t.saturating_add(super::super::duration::signed(delay));
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

    pub(super) fn finish_inst(&mut self, ii: usize, t: i64, state: Final) {
        let sagas = self.sagas;
        let Some(inst) = self.inst(ii) else { return };
        let saga = &sagas[inst.saga];
        let emits = match state {
            Final::Completed => &saga.emits_complete,
            _ => &saga.emits_failure,
        };
        // Reopened for a late effect: its end events were emitted when it first
        // ended, and ending as it had is no new finding.
        let prior = inst.reopened.take();
        let emits: Vec<String> = if prior.is_some() {
            Vec::new()
        } else {
            emits.iter().map(|n| n.name.clone()).collect()
        };
        let again = prior.as_ref() == Some(&state);
        inst.phase = Phase::Done;
        inst.ended = t;
        inst.active.clear();
        inst.branch = None;
        inst.comp = None;
        if prior.is_none() {
            inst.emitted = emits.clone();
        }
        match &state {
            Final::Completed => self.counts.completed += 1,
            Final::Compensated => self.counts.compensated += 1,
            Final::Failed { .. } if again => self.counts.failed += 1,
            Final::Failed { reason } => {
                let (si, key, line) = (inst.saga, inst.key.clone(), inst.last_line);
                self.counts.failed += 1;
                let reason = reason.clone();
                self.violation(
                    "saga-not-finished",
                    Some(si),
                    Some(key),
                    line,
                    format!("ended neither completed nor fully compensated: {reason}"),
                );
            }
            Final::Waiting { .. } => self.counts.waiting += 1,
        }
        for m in emits {
            self.log(ii, t, 0, None, |_| What::Emitted { message: m });
        }
        let name = state.name();
        self.log(ii, t, 0, None, |_| What::Finished {
            state: name.to_string(),
        });
        if let Some(inst) = self.inst(ii) {
            inst.state = Some(state);
        }
        if self.opts.retention.is_some() {
            self.retired.push_back((t, ii));
        }
        let emitted = self.inst(ii).map(|i| i.emitted.clone()).unwrap_or_default();
        self.child_ended(ii, &emitted, t);
    }
}
