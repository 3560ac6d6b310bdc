//! What a run reports: instances with their timelines and final states, step
//! latencies, and broken invariants.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

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
        /// Captured values the command carries (`with`).
        #[serde(skip_serializing_if = "BTreeMap::is_empty")]
        with: BTreeMap<String, Value>,
    },
    Waiting {
        step: String,
    },
    Completed {
        step: String,
        event: Option<String>,
        /// Since the attempt that completed it was first sent; `None` for a step whose
        /// outcome had been unknown (its last attempt timed out).
        #[serde(skip_serializing_if = "Option::is_none")]
        latency_ms: Option<i64>,
    },
    /// An `abortOn` event made the running instance give up.
    Aborted {
        event: String,
    },
    /// The saga-wide `deadline` passed while the instance was running.
    DeadlinePassed,
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
    /// A success of a step in doubt arrived while the saga was still compensating,
    /// after that step's compensation was sent: its compensations run again, after
    /// the one in flight.
    LateEffect {
        step: String,
        event: String,
    },
    /// The saga gives up while the step's command is in flight: its outcome is
    /// awaited before anything is compensated.
    AwaitOutcome {
        step: String,
    },
    Compensating {
        step: String,
        command: String,
        attempt: u32,
        /// Captured values the command carries (`with`).
        #[serde(skip_serializing_if = "BTreeMap::is_empty")]
        with: BTreeMap<String, Value>,
    },
    /// A compensation whose `if` the event that completed its step did not meet.
    CompensationSkipped {
        step: String,
        command: String,
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
    /// The stream ended while the instance waited; `deadline` is its next timer and
    /// `timer` says which one it is (a step's timeout, the saga's deadline, …).
    Waiting {
        deadline: Option<i64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        timer: Option<String>,
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
    /// Commands (and compensations) answered, timed out, or still awaited: counted as
    /// they happen, with or without timelines (`simulate --quiet` measures delivery).
    #[serde(skip)]
    pub delivery: DeliveryCounts,
}

/// Command attempts settled by an answer or a timeout, and those still awaited.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryCounts {
    pub answered: u64,
    pub timed_out: u64,
    pub in_flight: u64,
}

/// Instances by final state.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct BTreeCounts {
    pub completed: u64,
    pub compensated: u64,
    pub failed: u64,
    pub waiting: u64,
}
