//! The saga file format (`*.saga.yaml`, YAML or JSON): the typed model and its
//! located parser. Every problem is a `saga-invalid` diagnostic in the saga file.
//!
//! ```yaml
//! saga: gitops-sync                 # name
//! version: 1.0.0
//! contract: ../asyncapi.yaml        # AsyncAPI document, relative to this file
//! correlation: /headers/correlationid   # JSON pointer into every message
//! idempotencyKey: /headers/id       # optional (default /headers/id)
//! causation: /headers/causationid   # optional: replies name their command's attempt
//! start: {message: SyncStarted, when: {pointer: /payload/direction, equals: git_to_netbox}}
//! # or several: start: [NetBoxObjectCreated, NetBoxObjectUpdated, {message: ..., when: ...}]
//! ignore: [ChangesFetched]          # events ignored in every state
//! abortOn: [SyncCancelled]          # events that make a running instance give up
//! deadline: 30m                     # saga-wide: still running then, it gives up
//! steps:
//!   - id: fetch
//!     send: FetchChanges            # omitted: a wait step
//!     on: [ChangesFetched]          # events that complete the step
//!     fail: [ChangeFetchFailed]     # events that fail it
//!     timeout: 30s
//!     onTimeout: retry              # retry | fail | complete
//!     retry: {max: 3, backoff: 1s, factor: 2}
//!     readOnly: true                # changes nothing: needs no compensation
//!     pivot: false                  # point of no return
//!     p95: 2s                       # latency objective
//!     inFlight: wait                # or abandon: compensate at once when the saga gives up
//!     with: {fabricId: /payload/fabricId}        # captured values the command carries
//!     capture: {snapshotId: /payload/snapshotId} # read from the completing event
//!     when: {pointer: /payload/appliedCondition/status, equals: "True"}  # filter `on`
//!     compensation:                 # or a list, run in order
//!       {send: RevertCommit, confirm: CommitReverted, fail: [CommitRevertFailed], timeout: 1m, retry: {max: 3},
//!        if: {pointer: /payload/commitSha, exists: true}}   # only when the completing event meets it
//!   - parallel: [ {id: a, ...}, {id: b, ...} ]
//!   - branch: {id: choose, on: DriftDetected, pointer: /payload/strategy, timeout: 5m,
//!              cases: {favor_git: [...steps], favor_cluster: [...steps]}}
//! emits: {onComplete: [SyncCompleted], onFailure: [SyncFailed]}
//! ```

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

pub use super::cond::Cond;
use crate::diag::Diagnostic;
use crate::source::{SourceFile, pointer};

/// Index of a node in [`Saga::nodes`].
pub type NodeId = usize;
/// Index of a step in [`Saga::steps`].
pub type StepId = usize;

/// A parsed saga.
#[derive(Debug)]
pub struct Saga {
    pub name: String,
    pub version: String,
    /// The contract path as written.
    pub contract: String,
    /// The contract path resolved against the saga file's folder.
    pub contract_path: PathBuf,
    pub correlation: String,
    pub idempotency: String,
    /// Where a reply names the command that caused it (`/headers/causationid`): the
    /// orchestrator names each command it sends `KEY/STEP/ATTEMPT` (a compensation
    /// `KEY/STEP/compensation/N/ATTEMPT`, N from 1), and a reply is matched to that
    /// attempt, not by its message type alone.
    pub causation: Option<String>,
    /// The messages that start an instance (at least one; any of them starts it).
    pub start: Vec<Start>,
    pub ignore: Vec<Named>,
    pub nodes: Vec<Node>,
    pub top: Vec<NodeId>,
    pub steps: Vec<Step>,
    pub emits_complete: Vec<Named>,
    pub emits_failure: Vec<Named>,
    /// Events that make a running instance give up (compensate) whatever step it is in.
    pub abort_on: Vec<Named>,
    /// Saga-wide deadline from the start: a running instance still running then gives
    /// up (compensates).
    pub deadline: Option<u64>,
    /// The saga file (for locations).
    pub source: SourceFile,
}

/// A message name with the pointer where the saga file names it.
#[derive(Debug, Clone)]
pub struct Named {
    pub name: String,
    pub ptr: String,
}

#[derive(Debug, Clone)]
pub struct Start {
    pub message: Named,
    /// Only messages whose value at the pointer equals the value start an instance.
    pub when: Option<Cond>,
    /// Values the start message carries that later commands need.
    pub capture: Vec<Capture>,
}

/// A named value and a pointer: in `capture`, where the value is read from the event
/// that completes a step (or starts the saga); in `with`, where it is written into the
/// command sent.
#[derive(Debug, Clone)]
pub struct Capture {
    pub name: String,
    pub pointer: String,
    /// Where the saga file writes it (`.../capture/NAME`).
    pub ptr: String,
}

#[derive(Debug, Clone)]
pub enum Node {
    Step(StepId),
    Parallel { ptr: String, steps: Vec<StepId> },
    Branch(Branch),
}

#[derive(Debug, Clone)]
pub struct Branch {
    pub id: String,
    pub ptr: String,
    pub on: Named,
    pub pointer: String,
    pub timeout: Option<u64>,
    pub cases: Vec<(String, Vec<NodeId>)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnTimeout {
    Retry,
    Fail,
    Complete,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// Attempts in all, the first included (1 = no retry).
    pub max: u32,
    pub backoff: u64,
    pub factor: u32,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            max: 1,
            backoff: 0,
            factor: 2,
        }
    }
}

impl Retry {
    /// Delay before attempt `n + 1` after attempt `n` (1-based) failed.
    pub fn delay(&self, n: u32) -> u64 {
        let mut d = self.backoff;
        for _ in 1..n.min(32) {
            d = d.saturating_mul(u64::from(self.factor));
        }
        d
    }
}

#[derive(Debug, Clone)]
pub struct Step {
    pub id: String,
    pub ptr: String,
    pub send: Option<Named>,
    pub on: Vec<Named>,
    pub fail: Vec<Named>,
    pub ignore: Vec<Named>,
    pub timeout: Option<u64>,
    pub on_timeout: Option<OnTimeout>,
    pub retry: Retry,
    pub has_retry: bool,
    pub compensation: Vec<Compensation>,
    pub pivot: bool,
    pub read_only: bool,
    /// `Some(false)`: the step's command must not be repeated (overrides the
    /// contract's `x-hnp-idempotent`).
    pub idempotent: Option<bool>,
    pub p95: Option<u64>,
    /// `inFlight: abandon`: when the saga gives up while this step's command is in
    /// flight, compensate it at once instead of waiting for its outcome (its
    /// compensation must be safe whether or not the command took effect).
    pub abandon: bool,
    /// Completion events count only when the value at the pointer equals this
    /// (others are progress, ignored).
    pub when: Option<Cond>,
    /// Values read from the event that completes the step, for later commands.
    pub capture: Vec<Capture>,
    /// Captured values the step's command carries.
    pub with: Vec<Capture>,
    /// `saga: PATH`: the step runs a child saga (see [`Child`]).
    pub child: Option<Child>,
}

/// A step that runs a child saga: it sends one of the child's start messages (its
/// `send`, or the child's only start), completes on the child's `emits.onComplete`
/// and fails on its `emits.onFailure`. The child is its own instance with its own
/// steps and compensations; the parent sees only its start and its outcome.
/// `saga::load` reads the child file and fills the step's `send`, `on` and `fail`.
#[derive(Debug, Clone)]
pub struct Child {
    /// The path as written, relative to the parent's file.
    pub path: String,
    /// Where `saga:` is written in the step.
    pub ptr: String,
    /// The child, once loaded.
    pub saga: Option<std::sync::Arc<Saga>>,
    /// The step wrote `readOnly` itself (else it is the child's: every step read-only).
    pub read_only_given: bool,
    /// The step wrote `send` itself (else the child's only start message).
    pub send_given: bool,
}

#[derive(Debug, Clone)]
pub struct Compensation {
    pub ptr: String,
    pub send: Named,
    pub confirm: Named,
    /// The condition a `confirm` event must meet (`{pointer, equals}`): tells the
    /// compensation's confirmation from a forward reply of the same message.
    pub when: Option<Cond>,
    pub fail: Vec<Named>,
    pub timeout: Option<u64>,
    pub retry: Retry,
    /// Captured values the compensation's command carries.
    pub with: Vec<Capture>,
    /// `if`: the compensation runs only when the event that completed its step meets
    /// this (a step completed without one — in doubt, or by its timer — is
    /// compensated regardless).
    pub only_if: Option<Cond>,
}

/// The role of a message name in a saga (for contract checks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Sent by the orchestrator, expecting a reply.
    Command,
    /// Received by the orchestrator.
    Event,
    /// Published by the orchestrator when the saga ends.
    Emitted,
}

impl Saga {
    /// Every message name the saga uses, with its role and where it is named.
    pub fn message_refs(&self) -> Vec<(&Named, Role)> {
        let mut out: Vec<(&Named, Role)> = self
            .start
            .iter()
            .map(|s| (&s.message, Role::Event))
            .collect();
        out.extend(self.ignore.iter().map(|n| (n, Role::Event)));
        out.extend(self.abort_on.iter().map(|n| (n, Role::Event)));
        for s in &self.steps {
            out.extend(s.send.iter().map(|n| (n, Role::Command)));
            out.extend(
                s.on.iter()
                    .chain(&s.fail)
                    .chain(&s.ignore)
                    .map(|n| (n, Role::Event)),
            );
            for c in &s.compensation {
                out.push((&c.send, Role::Command));
                out.push((&c.confirm, Role::Event));
                out.extend(c.fail.iter().map(|n| (n, Role::Event)));
            }
        }
        for n in &self.nodes {
            if let Node::Branch(b) = n {
                out.push((&b.on, Role::Event));
            }
        }
        out.extend(
            self.emits_complete
                .iter()
                .chain(&self.emits_failure)
                .map(|n| (n, Role::Emitted)),
        );
        out
    }

    /// The start declarations for a message (several may name it, each with its own
    /// `when`).
    pub fn starts_of<'a>(&'a self, message: &'a str) -> impl Iterator<Item = &'a Start> + 'a {
        self.start.iter().filter(move |s| s.message.name == message)
    }

    /// Whether a message is one of the saga's start messages (whatever its `when`).
    pub fn is_start(&self, message: &str) -> bool {
        self.start.iter().any(|s| s.message.name == message)
    }

    /// Every node id reachable from `top`, in document order.
    pub fn all_nodes(&self) -> Vec<NodeId> {
        let mut out = Vec::new();
        fn go(s: &Saga, ids: &[NodeId], out: &mut Vec<NodeId>) {
            for &id in ids {
                out.push(id);
                if let Some(Node::Branch(b)) = s.nodes.get(id) {
                    for (_, c) in &b.cases {
                        go(s, c, out);
                    }
                }
            }
        }
        go(self, &self.top, &mut out);
        out
    }
}

const SAGA_KEYS: &[&str] = &[
    "saga",
    "version",
    "description",
    "contract",
    "correlation",
    "idempotencyKey",
    "causation",
    "start",
    "ignore",
    "steps",
    "emits",
    "abortOn",
    "deadline",
];
const STEP_KEYS: &[&str] = &[
    "id",
    "description",
    "send",
    "on",
    "fail",
    "ignore",
    "timeout",
    "onTimeout",
    "retry",
    "compensation",
    "pivot",
    "readOnly",
    "idempotent",
    "p95",
    "when",
    "inFlight",
    "capture",
    "with",
    "saga",
];
const COMP_KEYS: &[&str] = &[
    "send", "confirm", "when", "fail", "timeout", "retry", "with", "if",
];
const BRANCH_KEYS: &[&str] = &["id", "on", "pointer", "timeout", "cases"];
const RETRY_KEYS: &[&str] = &["max", "backoff", "factor"];

/// Parse a saga file that `source::parse_file` has read. Problems go to `diags`;
/// `None` when the file is unusable.
pub fn parse(source: SourceFile, diags: &mut Vec<Diagnostic>) -> Option<Saga> {
    let root = source.value.clone()?;
    let before = diags.len();
    let mut rd = Rd {
        file: &source,
        diags,
        steps: Vec::new(),
        nodes: Vec::new(),
    };
    let map = rd.obj(&root, "", SAGA_KEYS)?;
    let name = rd.string(map, "", "saga", true).unwrap_or_default();
    let version = rd.string(map, "", "version", true).unwrap_or_default();
    let contract = rd.string(map, "", "contract", true).unwrap_or_default();
    let correlation = rd.pointer(map, "", "correlation", true).unwrap_or_default();
    let idempotency = rd
        .pointer(map, "", "idempotencyKey", false)
        .unwrap_or_else(|| "/headers/id".to_string());
    let causation = rd.pointer(map, "", "causation", false);
    let start = rd.start(map);
    let ignore = rd.names(map, "", "ignore");
    let abort_on = rd.names(map, "", "abortOn");
    let deadline = rd.duration(map, "", "deadline");
    let mut top = Vec::new();
    match map.get("steps") {
        Some(Value::Array(items)) if !items.is_empty() => {
            top = rd.node_list(items, "/steps", 0);
        }
        Some(Value::Array(_)) => {
            rd.err("/steps", "`steps` is empty: a saga needs at least one step")
        }
        Some(_) => rd.err("/steps", "`steps` must be a list"),
        None => rd.err("", "missing required field `steps`"),
    }
    let (mut emits_complete, mut emits_failure) = (Vec::new(), Vec::new());
    if let Some(e) = map.get("emits") {
        if let Some(m) = rd.obj(e, "/emits", &["onComplete", "onFailure"]) {
            emits_complete = rd.names(m, "/emits", "onComplete");
            emits_failure = rd.names(m, "/emits", "onFailure");
        }
    }
    // Step ids are unique.
    let mut seen: Vec<(&str, &str)> = Vec::new();
    let mut dups = Vec::new();
    for s in &rd.steps {
        if let Some((_, first)) = seen.iter().find(|(id, _)| *id == s.id) {
            dups.push((s.ptr.clone(), s.id.clone(), first.to_string()));
        } else {
            seen.push((&s.id, &s.ptr));
        }
    }
    for (ptr, id, first) in dups {
        let d = Diagnostic::new(
            "saga-invalid",
            source.locate(&pointer::push(&ptr, "id")),
            format!("step id `{id}` is used twice"),
        )
        .with_related(
            source.locate(&pointer::push(&first, "id")),
            "first used here",
        );
        rd.diags.push(d);
    }
    let steps = std::mem::take(&mut rd.steps);
    let nodes = std::mem::take(&mut rd.nodes);
    let failed = rd.diags.len() > before;
    let start = start?;
    if failed {
        return None;
    }
    let base = source.path.parent().unwrap_or(Path::new("."));
    let contract_path = base.join(&contract);
    Some(Saga {
        name,
        version,
        contract,
        contract_path,
        correlation,
        idempotency,
        causation,
        start,
        ignore,
        nodes,
        top,
        steps,
        emits_complete,
        emits_failure,
        abort_on,
        deadline,
        source,
    })
}

struct Rd<'a> {
    file: &'a SourceFile,
    diags: &'a mut Vec<Diagnostic>,
    steps: Vec<Step>,
    nodes: Vec<Node>,
}

impl<'a> Rd<'a> {
    fn err(&mut self, ptr: &str, msg: impl Into<String>) {
        self.diags.push(self.file.diag_at("saga-invalid", ptr, msg));
    }

    fn obj<'v>(
        &mut self,
        v: &'v Value,
        ptr: &str,
        allowed: &[&str],
    ) -> Option<&'v Map<String, Value>> {
        let Some(m) = v.as_object() else {
            self.err(ptr, format!("expected a mapping, found {}", kind(v)));
            return None;
        };
        for k in m.keys() {
            if !allowed.contains(&k.as_str()) {
                let hint = crate::suggest::closest(k, allowed)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                let d = Diagnostic::new(
                    "saga-invalid",
                    self.file.locate_key(&pointer::push(ptr, k)),
                    format!("unknown field `{k}`{hint}"),
                )
                .with_help(format!("allowed here: {}", allowed.join(", ")));
                self.diags.push(d);
            }
        }
        Some(m)
    }

    fn string(
        &mut self,
        m: &Map<String, Value>,
        ptr: &str,
        key: &str,
        required: bool,
    ) -> Option<String> {
        match m.get(key) {
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(Value::Number(n)) if key == "version" => Some(n.to_string()),
            Some(v) => {
                self.err(
                    &pointer::push(ptr, key),
                    format!("`{key}` must be a non-empty string, found {}", kind(v)),
                );
                None
            }
            None if required => {
                self.err(ptr, format!("missing required field `{key}`"));
                None
            }
            None => None,
        }
    }

    fn pointer(
        &mut self,
        m: &Map<String, Value>,
        ptr: &str,
        key: &str,
        required: bool,
    ) -> Option<String> {
        let s = self.string(m, ptr, key, required)?;
        if pointer::parse(&s).is_none() || s.is_empty() {
            self.err(
                &pointer::push(ptr, key),
                format!("`{s}` is not a JSON pointer (e.g. `/headers/correlationid`)"),
            );
            return None;
        }
        Some(s)
    }

    fn name(
        &mut self,
        m: &Map<String, Value>,
        ptr: &str,
        key: &str,
        required: bool,
    ) -> Option<Named> {
        let name = self.string(m, ptr, key, required)?;
        Some(Named {
            name,
            ptr: pointer::push(ptr, key),
        })
    }

    /// A message name or a list of them.
    fn names(&mut self, m: &Map<String, Value>, ptr: &str, key: &str) -> Vec<Named> {
        let at = pointer::push(ptr, key);
        match m.get(key) {
            None => Vec::new(),
            Some(Value::String(s)) => vec![Named {
                name: s.clone(),
                ptr: at,
            }],
            Some(Value::Array(items)) => {
                let mut out = Vec::new();
                for (i, it) in items.iter().enumerate() {
                    let p = pointer::push(&at, &i.to_string());
                    match it {
                        Value::String(s) if !s.is_empty() => out.push(Named {
                            name: s.clone(),
                            ptr: p,
                        }),
                        v => self.err(&p, format!("expected a message name, found {}", kind(v))),
                    }
                }
                out
            }
            Some(v) => {
                self.err(
                    &at,
                    format!(
                        "`{key}` must be a message name or a list of them, found {}",
                        kind(v)
                    ),
                );
                Vec::new()
            }
        }
    }

    fn duration(&mut self, m: &Map<String, Value>, ptr: &str, key: &str) -> Option<u64> {
        let at = pointer::push(ptr, key);
        match m.get(key)? {
            Value::String(s) => match super::duration::parse_ms(s) {
                Some(ms) => Some(ms),
                None if super::duration::parse_ms_unbounded(s).is_some() => {
                    self.err(&at, format!("`{s}` is longer than 100 years"));
                    None
                }
                None => {
                    self.err(
                        &at,
                        format!("`{s}` is not a duration (e.g. `250ms`, `30s`, `5m`, `1h`)"),
                    );
                    None
                }
            },
            v => {
                self.err(
                    &at,
                    format!(
                        "`{key}` must be a duration string such as `30s`, found {}",
                        kind(v)
                    ),
                );
                None
            }
        }
    }

    fn boolean(&mut self, m: &Map<String, Value>, ptr: &str, key: &str) -> bool {
        match m.get(key) {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(v) => {
                self.err(
                    &pointer::push(ptr, key),
                    format!("`{key}` must be true or false, found {}", kind(v)),
                );
                false
            }
        }
    }

    fn retry(&mut self, m: &Map<String, Value>, ptr: &str) -> Option<Retry> {
        let at = pointer::push(ptr, "retry");
        let r = self.obj(m.get("retry")?, &at, RETRY_KEYS)?;
        let mut out = Retry::default();
        match r.get("max") {
            Some(Value::Number(n)) => match n.as_u64().filter(|&n| (1..=1000).contains(&n)) {
                Some(n) => out.max = n as u32,
                None => self.err(
                    &pointer::push(&at, "max"),
                    "`max` (attempts, the first included) must be an integer from 1 to 1000",
                ),
            },
            Some(v) => self.err(
                &pointer::push(&at, "max"),
                format!("`max` must be an integer, found {}", kind(v)),
            ),
            None => self.err(&at, "missing required field `max`"),
        }
        out.backoff = self.duration(r, &at, "backoff").unwrap_or(0);
        if let Some(f) = r.get("factor") {
            match f.as_u64().filter(|&n| (1..=10).contains(&n)) {
                Some(n) => out.factor = n as u32,
                None => self.err(
                    &pointer::push(&at, "factor"),
                    "`factor` must be an integer from 1 to 10",
                ),
            }
        }
        Some(out)
    }

    fn start(&mut self, m: &Map<String, Value>) -> Option<Vec<Start>> {
        match m.get("start") {
            None => {
                self.err("", "missing required field `start`");
                None
            }
            Some(Value::Array(items)) if items.is_empty() => {
                self.err(
                    "/start",
                    "`start` is empty: a saga needs at least one start message",
                );
                None
            }
            Some(Value::Array(items)) => {
                let mut out = Vec::new();
                let mut ok = true;
                for (i, it) in items.iter().enumerate() {
                    match self.one_start(it, &format!("/start/{i}")) {
                        Some(s) => out.push(s),
                        None => ok = false,
                    }
                }
                // The same message twice without telling the two apart by `when` is
                // one start written twice.
                for (i, a) in out.iter().enumerate() {
                    if let Some(b) = out[..i].iter().find(|b| {
                        b.message.name == a.message.name && (b.when.is_none() || a.when.is_none())
                    }) {
                        let d = Diagnostic::new(
                            "saga-invalid",
                            self.file.locate(&a.message.ptr),
                            format!(
                                "`{}` is a start message twice, and one of them has no `when` to tell them apart",
                                a.message.name
                            ),
                        )
                        .with_related(self.file.locate(&b.message.ptr), "first named here");
                        self.diags.push(d);
                        ok = false;
                    }
                }
                ok.then_some(out)
            }
            Some(v) => Some(vec![self.one_start(v, "/start")?]),
        }
    }

    /// One start: a message name or `{message, when}`.
    fn one_start(&mut self, v: &Value, at: &str) -> Option<Start> {
        match v {
            Value::String(s) if !s.is_empty() => Some(Start {
                message: Named {
                    name: s.clone(),
                    ptr: at.to_string(),
                },
                when: None,
                capture: Vec::new(),
            }),
            Value::String(_) => {
                self.err(at, "a start message name must not be empty");
                None
            }
            v => {
                let s = self.obj(v, at, &["message", "when", "capture"])?;
                let message = self.name(s, at, "message", true)?;
                let when = match s.get("when") {
                    None => None,
                    Some(w) => Some(self.when(w, &pointer::push(at, "when"))?),
                };
                let capture = self.captures(s, at, "capture");
                Some(Start {
                    message,
                    when,
                    capture,
                })
            }
        }
    }

    /// `capture: {NAME: POINTER}` / `with: {NAME: POINTER}`: names are identifiers
    /// (generated code uses them), pointers point into an event's headers or payload.
    fn captures(&mut self, m: &Map<String, Value>, ptr: &str, key: &str) -> Vec<Capture> {
        let Some(v) = m.get(key) else {
            return Vec::new();
        };
        let at = pointer::push(ptr, key);
        let Some(map) = v.as_object() else {
            self.err(
                &at,
                format!(
                    "`{key}` must be a mapping from a value's name to a JSON pointer, found {}",
                    kind(v)
                ),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (name, p) in map {
            let here = pointer::push(&at, name);
            let ident = name
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !ident {
                self.err(
                    &here,
                    format!("`{name}` is not a name: use letters, digits and `_`, not starting with a digit"),
                );
                continue;
            }
            let Some(text) = p.as_str() else {
                self.err(&here, format!("expected a JSON pointer, found {}", kind(p)));
                continue;
            };
            let into_event = text.starts_with("/headers/") || text.starts_with("/payload/");
            if pointer::parse(text).is_none() || !into_event {
                self.err(
                    &here,
                    format!("`{text}` is not a JSON pointer into an event's headers or payload (e.g. `/payload/snapshotId`)"),
                );
                continue;
            }
            out.push(Capture {
                name: name.clone(),
                pointer: text.to_string(),
                ptr: here,
            });
        }
        out
    }

    /// `{pointer, equals | in | exists | matches}` or `{not: CONDITION}`.
    fn when(&mut self, w: &Value, at: &str) -> Option<Cond> {
        self.cond(w, at, 0)
    }

    fn cond(&mut self, w: &Value, at: &str, depth: usize) -> Option<Cond> {
        if depth > 8 {
            self.err(at, "conditions nest deeper than 8 `not`s");
            return None;
        }
        if let Some(inner) = w.as_object().and_then(|m| m.get("not")) {
            self.obj(w, at, &["not"])?;
            let c = self.cond(inner, &pointer::push(at, "not"), depth + 1)?;
            return Some(Cond::Not(Box::new(c)));
        }
        let wm = self.obj(
            w,
            at,
            &["pointer", "equals", "in", "exists", "matches", "not"],
        )?;
        let p = self.pointer(wm, at, "pointer", true)?;
        let ops: Vec<&str> = ["equals", "in", "exists", "matches"]
            .into_iter()
            .filter(|k| wm.contains_key(*k))
            .collect();
        if ops.len() != 1 {
            self.err(
                at,
                if ops.is_empty() {
                    "a condition needs one of `equals`, `in`, `exists`, `matches` (or is `{not: CONDITION}`)".to_string()
                } else {
                    format!(
                        "a condition takes one of `equals`, `in`, `exists`, `matches`, found {}",
                        ops.iter().map(|o| format!("`{o}`")).collect::<Vec<_>>().join(" and ")
                    )
                },
            );
            return None;
        }
        let v = &wm[ops[0]];
        let here = pointer::push(at, ops[0]);
        match ops[0] {
            "equals" => Some(Cond::Equals {
                pointer: p,
                value: v.clone(),
            }),
            "in" => match v.as_array() {
                Some(a) if !a.is_empty() => Some(Cond::In {
                    pointer: p,
                    values: a.clone(),
                }),
                _ => {
                    self.err(&here, "`in` must be a non-empty list of values");
                    None
                }
            },
            "exists" => match v.as_bool() {
                Some(b) => Some(Cond::Exists {
                    pointer: p,
                    exists: b,
                }),
                None => {
                    self.err(
                        &here,
                        format!("`exists` must be true or false, found {}", kind(v)),
                    );
                    None
                }
            },
            _ => {
                let Some(pat) = v.as_str() else {
                    self.err(
                        &here,
                        format!(
                            "`matches` must be a regular expression (a string), found {}",
                            kind(v)
                        ),
                    );
                    return None;
                };
                if let Err(e) = regex::Regex::new(pat) {
                    let first = e
                        .to_string()
                        .lines()
                        .last()
                        .unwrap_or("")
                        .trim()
                        .to_string();
                    self.err(
                        &here,
                        format!("`{pat}` is not a regular expression: {first}"),
                    );
                    return None;
                }
                Some(Cond::Matches {
                    pointer: p,
                    pattern: pat.to_string(),
                })
            }
        }
    }

    fn node_list(&mut self, items: &[Value], ptr: &str, depth: usize) -> Vec<NodeId> {
        let mut out = Vec::new();
        for (i, it) in items.iter().enumerate() {
            let p = pointer::push(ptr, &i.to_string());
            if let Some(n) = self.node(it, &p, depth) {
                out.push(n);
            }
        }
        out
    }

    fn node(&mut self, v: &Value, ptr: &str, depth: usize) -> Option<NodeId> {
        if depth > 16 {
            self.err(ptr, "branches nest deeper than 16 levels");
            return None;
        }
        let m = v.as_object();
        if let Some(par) = m.and_then(|m| m.get("parallel")) {
            self.obj(v, ptr, &["parallel"])?;
            let at = pointer::push(ptr, "parallel");
            let Some(items) = par.as_array().filter(|a| a.len() >= 2) else {
                self.err(&at, "`parallel` must be a list of at least two steps");
                return None;
            };
            let mut steps = Vec::new();
            for (i, it) in items.iter().enumerate() {
                if let Some(s) = self.step(it, &pointer::push(&at, &i.to_string())) {
                    steps.push(s);
                }
            }
            self.nodes.push(Node::Parallel { ptr: at, steps });
            return Some(self.nodes.len() - 1);
        }
        if let Some(b) = m.and_then(|m| m.get("branch")) {
            self.obj(v, ptr, &["branch"])?;
            let at = pointer::push(ptr, "branch");
            let bm = self.obj(b, &at, BRANCH_KEYS)?;
            let id = self.string(bm, &at, "id", true);
            let on = self.name(bm, &at, "on", true);
            let ptr_in = self.pointer(bm, &at, "pointer", true);
            let timeout = self.duration(bm, &at, "timeout");
            let cases_at = pointer::push(&at, "cases");
            let mut cases = Vec::new();
            match bm.get("cases") {
                Some(Value::Object(cm)) if !cm.is_empty() => {
                    for (k, c) in cm {
                        let cp = pointer::push(&cases_at, k);
                        match c {
                            Value::Array(items) => {
                                let ids = self.node_list(items, &cp, depth + 1);
                                cases.push((k.clone(), ids));
                            }
                            v => self.err(
                                &cp,
                                format!("a case must be a list of steps, found {}", kind(v)),
                            ),
                        }
                    }
                }
                _ => self.err(
                    &at,
                    "`cases` must be a non-empty mapping from values to lists of steps",
                ),
            }
            self.nodes.push(Node::Branch(Branch {
                id: id?,
                ptr: at,
                on: on?,
                pointer: ptr_in?,
                timeout,
                cases,
            }));
            return Some(self.nodes.len() - 1);
        }
        let s = self.step(v, ptr)?;
        self.nodes.push(Node::Step(s));
        Some(self.nodes.len() - 1)
    }

    fn step(&mut self, v: &Value, ptr: &str) -> Option<StepId> {
        let m = self.obj(v, ptr, STEP_KEYS)?;
        let id = self.string(m, ptr, "id", true);
        let send = self.name(m, ptr, "send", false);
        let on = self.names(m, ptr, "on");
        let fail = self.names(m, ptr, "fail");
        let ignore = self.names(m, ptr, "ignore");
        let timeout = self.duration(m, ptr, "timeout");
        let on_timeout = match m.get("onTimeout") {
            None => None,
            Some(Value::String(s)) => match s.as_str() {
                "retry" => Some(OnTimeout::Retry),
                "fail" | "compensate" => Some(OnTimeout::Fail),
                "complete" => Some(OnTimeout::Complete),
                other => {
                    self.err(
                        &pointer::push(ptr, "onTimeout"),
                        format!("`{other}`: expected `retry`, `fail` or `complete`"),
                    );
                    None
                }
            },
            Some(v) => {
                self.err(
                    &pointer::push(ptr, "onTimeout"),
                    format!("expected `retry`, `fail` or `complete`, found {}", kind(v)),
                );
                None
            }
        };
        let retry = self.retry(m, ptr);
        let pivot = self.boolean(m, ptr, "pivot");
        let read_only = self.boolean(m, ptr, "readOnly");
        // `idempotent: false` marks the step's command as unsafe to repeat (absent: as
        // the contract says).
        let idempotent = m
            .get("idempotent")
            .map(|_| self.boolean(m, ptr, "idempotent"));
        let p95 = self.duration(m, ptr, "p95");
        let when = match m.get("when") {
            Some(w) => self.when(w, &pointer::push(ptr, "when")),
            None => None,
        };
        let capture = self.captures(m, ptr, "capture");
        let with = self.captures(m, ptr, "with");
        if !with.is_empty() && send.is_none() {
            self.err(
                &pointer::push(ptr, "with"),
                "`with` fills the step's command, but the step sends none (`send`)",
            );
        }
        let abandon = match m.get("inFlight") {
            None => false,
            Some(Value::String(s)) if s == "wait" => false,
            Some(Value::String(s)) if s == "abandon" => true,
            Some(v) => {
                self.err(
                    &pointer::push(ptr, "inFlight"),
                    format!("`inFlight` must be `wait` or `abandon`, found {}", kind(v)),
                );
                false
            }
        };
        let mut compensation = Vec::new();
        if let Some(c) = m.get("compensation") {
            let at = pointer::push(ptr, "compensation");
            match c {
                Value::Array(items) => {
                    for (i, it) in items.iter().enumerate() {
                        if let Some(c) = self.compensation(it, &pointer::push(&at, &i.to_string()))
                        {
                            compensation.push(c);
                        }
                    }
                }
                other => compensation.extend(self.compensation(other, &at)),
            }
        }
        if abandon && compensation.is_empty() {
            self.err(
                &pointer::push(ptr, "inFlight"),
                "`inFlight: abandon` needs a compensation, safe to run whether or not the command took effect",
            );
        }
        let child = self.string(m, ptr, "saga", false).map(|path| Child {
            path,
            ptr: pointer::push(ptr, "saga"),
            saga: None,
            read_only_given: m.contains_key("readOnly"),
            send_given: send.is_some(),
        });
        if let Some(c) = &child {
            for key in ["on", "fail"] {
                if m.contains_key(key) {
                    self.err(
                        &pointer::push(ptr, key),
                        format!("a step that runs a child saga (`saga: {}`) completes on the child's `emits.onComplete` and fails on its `emits.onFailure`: `{key}` is not written", c.path),
                    );
                }
            }
            if on_timeout == Some(OnTimeout::Complete) {
                self.err(
                    &pointer::push(ptr, "onTimeout"),
                    "`onTimeout: complete` on a child saga: the parent would go on while the child may still fail or compensate",
                );
            }
        } else if on.is_empty() && on_timeout != Some(OnTimeout::Complete) {
            self.err(
                ptr,
                "a step needs `on` (the events that complete it) or `onTimeout: complete`",
            );
        }
        if on_timeout == Some(OnTimeout::Complete) && timeout.is_none() {
            self.err(
                &pointer::push(ptr, "onTimeout"),
                "`onTimeout` needs a `timeout`",
            );
        }
        self.steps.push(Step {
            id: id?,
            ptr: ptr.to_string(),
            send,
            on,
            fail,
            ignore,
            timeout,
            on_timeout,
            has_retry: retry.is_some(),
            retry: retry.unwrap_or_default(),
            compensation,
            pivot,
            read_only,
            idempotent,
            p95,
            abandon,
            when,
            capture,
            with,
            child,
        });
        Some(self.steps.len() - 1)
    }

    fn compensation(&mut self, v: &Value, ptr: &str) -> Option<Compensation> {
        let m = self.obj(v, ptr, COMP_KEYS)?;
        let send = self.name(m, ptr, "send", true);
        let confirm = self.name(m, ptr, "confirm", true);
        let fail = self.names(m, ptr, "fail");
        let timeout = self.duration(m, ptr, "timeout");
        let retry = self.retry(m, ptr).unwrap_or_default();
        let when = match m.get("when") {
            None => None,
            Some(w) => Some(self.when(w, &pointer::push(ptr, "when"))?),
        };
        let with = self.captures(m, ptr, "with");
        let only_if = match m.get("if") {
            None => None,
            Some(w) => Some(self.when(w, &pointer::push(ptr, "if"))?),
        };
        Some(Compensation {
            ptr: ptr.to_string(),
            send: send?,
            confirm: confirm?,
            when,
            fail,
            timeout,
            retry,
            with,
            only_if,
        })
    }
}

/// A short description of a value's type for messages.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}
