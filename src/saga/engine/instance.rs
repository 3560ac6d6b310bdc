//! The state of one saga instance.

use super::super::format::{NodeId, StepId};
use std::hash::Hasher as _;

use super::super::hash::{FastHasher, FastSet};
use super::{Entry, Final};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum TimerKind {
    Step(StepId),
    Resend(StepId),
    Branch,
    Comp,
    CompResend,
    AutoReply,
    /// The participant model delivers a reply to attempt `attempt` of compensation
    /// `idx` of `step` as an event (late or repeated answers).
    CompReply {
        step: StepId,
        idx: usize,
        attempt: u32,
    },
    Deadline,
}

#[derive(Debug)]
pub(super) struct Active {
    pub(super) step: StepId,
    pub(super) attempt: u32,
    pub(super) first_sent: i64,
    pub(super) timer: u64,
    pub(super) due: Option<i64>,
    /// The attempt failed (or timed out) and the retry waits for its backoff: a
    /// failure reply of the same attempt changes nothing more.
    pub(super) failed: bool,
}

#[derive(Debug)]
pub(super) struct CompRun {
    pub(super) step: StepId,
    pub(super) idx: usize,
    pub(super) attempt: u32,
    pub(super) timer: u64,
    pub(super) due: Option<i64>,
    pub(super) auto: u64,
    /// The attempt this round of the compensation began with (a round run again for a
    /// late effect goes on numbering its attempts; its retries count from here).
    pub(super) first: u32,
}

#[derive(Debug, PartialEq)]
pub(super) enum Phase {
    Running,
    Compensating,
    Done,
}

#[derive(Debug)]
pub(super) struct Inst {
    pub(super) saga: usize,
    pub(super) key: String,
    pub(super) started: i64,
    pub(super) phase: Phase,
    pub(super) pending: Vec<NodeId>,
    pub(super) active: Vec<Active>,
    pub(super) branch: Option<(NodeId, u64, Option<i64>)>,
    pub(super) completed: Vec<StepId>,
    /// Steps in flight when the saga began compensating.
    pub(super) abandoned: Vec<StepId>,
    /// Steps given up whose outcome is unknown (they may have taken effect): they are
    /// compensated too, and a late success of theirs is a late effect.
    pub(super) uncertain: Vec<StepId>,
    /// Completed and in-doubt steps in the order they settled (a step settles again
    /// when an in-doubt step's completion arrives): compensations run in reverse.
    pub(super) settled: Vec<StepId>,
    /// Compensations whose `if` the event that completed their step did not meet.
    pub(super) comp_skip: Vec<(StepId, usize)>,
    /// Values captured so far (`capture`), by name.
    pub(super) data: std::collections::BTreeMap<String, serde_json::Value>,
    /// The step whose failure or timeout made the saga give up.
    pub(super) gave_up: Option<StepId>,
    pub(super) pivot_passed: bool,
    /// The stream line of the last recorded event the instance took (0: none): where
    /// a finding about how it ended is located.
    pub(super) last_line: u32,
    /// Steps this run reached: what may answer or wake them can have been produced
    /// in this run (exploration's causality).
    pub(super) reached: Vec<StepId>,
    /// Steps whose command was sent at least once in this run.
    pub(super) sent: Vec<StepId>,
    /// The last attempt sent of each step's command (what `causation` matches).
    pub(super) last_attempt: Vec<(StepId, u32)>,
    pub(super) comp_todo: Vec<(StepId, usize)>,
    pub(super) comp: Option<CompRun>,
    /// Compensations sent at least once (step, index): their replies are expected,
    /// late ones included.
    pub(super) comp_sent: Vec<(StepId, usize)>,
    /// The last attempt sent of each compensation (step, index).
    pub(super) comp_last: Vec<((StepId, usize), u32)>,
    pub(super) uncompensable: Vec<StepId>,
    pub(super) seen: Seen,
    pub(super) timeline: Vec<Entry>,
    /// Steps (`compensation of …`) whose command awaits an answer (delivery counters).
    pub(super) awaiting: Vec<String>,
    pub(super) emitted: Vec<String>,
    pub(super) state: Option<Final>,
    /// The keys of the child sagas this instance started (the ids of the commands
    /// that started them): events under them are routed here too.
    pub(super) aliases: Vec<String>,
    /// The instance had ended in this state when a late success of a step in doubt
    /// reopened it to run that step's compensations again: it ends in it again.
    pub(super) reopened: Option<Final>,
    /// When it last ended (retention counts from there).
    pub(super) ended: i64,
    /// Late effects compensated again so far (bounded: see `MAX_LATE_RUNS`).
    pub(super) late_runs: u32,
}

/// Late effects an instance compensates again at most: a guard against a stream (or
/// a participant model) that answers every compensation with another late success.
pub(super) const MAX_LATE_RUNS: u32 = 64;

/// The idempotency keys an instance has seen: a few, in one buffer, compared by
/// hash first; many, in a set.
#[derive(Debug, Default)]
pub(super) struct Seen {
    /// (hash, end of the key in `text`).
    keys: Vec<(u64, u32)>,
    text: String,
    many: Option<FastSet<String>>,
}

/// Keys kept in the buffer before moving to a set.
const FEW: usize = 32;

impl Inst {
    /// Attempts sent so far of compensation `idx` of `step` (0: never sent).
    pub(super) fn comp_attempts(&self, step: StepId, idx: usize) -> u32 {
        self.comp_last
            .iter()
            .find(|(k, _)| *k == (step, idx))
            .map_or(0, |x| x.1)
    }

    /// Record that a step settled now (completed, or in doubt).
    pub(super) fn settle(&mut self, step: StepId) {
        self.settled.retain(|&s| s != step);
        self.settled.push(step);
    }
}

impl Seen {
    /// Add a key; `false` when it was seen already.
    pub(super) fn insert(&mut self, key: &str) -> bool {
        if let Some(set) = &mut self.many {
            return set.insert(key.to_string());
        }
        let mut h = FastHasher::default();
        h.write(key.as_bytes());
        let h = h.finish();
        let mut start = 0;
        for &(kh, end) in &self.keys {
            if kh == h && self.text.get(start..end as usize) == Some(key) {
                return false;
            }
            start = end as usize;
        }
        match u32::try_from(self.text.len() + key.len()) {
            Ok(end) if self.keys.len() < FEW => {
                if self.keys.is_empty() {
                    self.keys.reserve(8);
                    self.text.reserve(8 * key.len().max(8));
                }
                self.text.push_str(key);
                self.keys.push((h, end));
            }
            _ => {
                let mut set = FastSet::default();
                let mut start = 0;
                for &(_, end) in &self.keys {
                    set.insert(self.text.get(start..end as usize).unwrap_or("").to_string());
                    start = end as usize;
                }
                set.insert(key.to_string());
                self.keys = Vec::new();
                self.text = String::new();
                self.many = Some(set);
            }
        }
        true
    }
}
