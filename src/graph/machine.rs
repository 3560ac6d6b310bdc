//! A saga as a state machine: a state per step (a wait step when it sends nothing),
//! fork/join around parallel groups, a choice per branch with a transition per case,
//! a state per compensation, and the two ends (completed, failed) with the events they
//! emit. A failing step (its `fail` events, or a timeout that fails) goes to the
//! compensation of the last completed step that has one on its path, and each
//! compensation to the one before it, then to `Failed`.

use serde::Serialize;

use crate::saga::Saga;
use crate::saga::format::{Node as SagaNode, OnTimeout, Step};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StateKind {
    Start,
    Step,
    Wait,
    Fork,
    Join,
    Choice,
    Compensation,
    Completed,
    Failed,
}

impl StateKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StateKind::Start => "start",
            StateKind::Step => "step",
            StateKind::Wait => "wait",
            StateKind::Fork => "fork",
            StateKind::Join => "join",
            StateKind::Choice => "choice",
            StateKind::Compensation => "compensation",
            StateKind::Completed => "completed",
            StateKind::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct State {
    /// A stable identifier made of letters, digits and `_`.
    pub id: String,
    pub kind: StateKind,
    /// The step id, `Completed`, …
    pub name: String,
    /// Further lines: what it sends, timeout, retries, objective.
    pub lines: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TransitionKind {
    Forward,
    Fail,
    Timeout,
    Compensate,
}

#[derive(Debug, Clone, Serialize)]
pub struct Transition {
    pub from: usize,
    pub to: usize,
    pub kind: TransitionKind,
    pub label: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    pub saga: String,
    pub states: Vec<State>,
    pub transitions: Vec<Transition>,
}

/// `90s` → `1m30s`, as saga files write durations (milliseconds in).
pub fn duration(ms: u64) -> String {
    if ms == 0 {
        return "0s".to_string();
    }
    let mut out = String::new();
    let mut rest = ms;
    for (unit, size) in [
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1000),
    ] {
        if rest >= size {
            out.push_str(&format!("{}{unit}", rest / size));
            rest %= size;
        }
    }
    if rest > 0 {
        out.push_str(&format!("{rest}ms"));
    }
    out
}

fn names(v: &[crate::saga::format::Named]) -> String {
    v.iter()
        .map(|n| n.name.as_str())
        .collect::<Vec<_>>()
        .join(" | ")
}

/// An id fit for Mermaid and DOT: letters, digits and `_`.
pub fn ident(prefix: &str, s: &str) -> String {
    let body: String = s
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("{prefix}_{body}")
}

struct Build<'a> {
    saga: &'a Saga,
    m: Machine,
    failed: usize,
    /// Transitions made so far: the same one twice is drawn once.
    made: std::collections::HashSet<(usize, usize, TransitionKind, String)>,
}

/// Where control leaves a node: from a state, with a label.
#[derive(Clone)]
struct Exit {
    from: usize,
    label: String,
    /// Where a failure from here on goes (the last compensation on this path).
    undo: usize,
}

impl Build<'_> {
    fn state(&mut self, kind: StateKind, name: &str, lines: Vec<String>) -> usize {
        let prefix = match kind {
            StateKind::Compensation => "undo",
            StateKind::Fork => "fork",
            StateKind::Join => "join",
            StateKind::Choice => "choice",
            _ => "s",
        };
        let mut id = ident(prefix, name);
        let mut n = 2;
        while self.m.states.iter().any(|s| s.id == id) {
            id = format!("{}_{n}", ident(prefix, name));
            n += 1;
        }
        self.m.states.push(State {
            id,
            kind,
            name: name.to_string(),
            lines,
        });
        self.m.states.len() - 1
    }

    fn go(&mut self, from: usize, to: usize, kind: TransitionKind, label: impl Into<String>) {
        let label = label.into();
        if self.made.insert((from, to, kind, label.clone())) {
            self.m.transitions.push(Transition {
                from,
                to,
                kind,
                label,
            });
        }
    }

    /// Where a chain of compensation states starting at `head` ends (the undo it
    /// was built on), and its last compensation state.
    fn chain_end(&self, head: usize, stop: &[usize]) -> Option<(usize, usize)> {
        let mut at = head;
        for _ in 0..=self.m.states.len() {
            let next = self
                .m
                .transitions
                .iter()
                .find(|t| t.from == at && t.kind == TransitionKind::Compensate)?;
            if stop.contains(&next.to) {
                return Some((at, next.to));
            }
            at = next.to;
        }
        None
    }

    fn step_lines(step: &Step) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(c) = step.child.as_ref().and_then(|c| c.saga.as_ref()) {
            lines.push(format!("child saga {}", c.name));
        }
        if let Some(s) = &step.send {
            lines.push(format!("send {}", s.name));
        } else {
            lines.push(format!("wait for {}", names(&step.on)));
        }
        let mut t = Vec::new();
        if let Some(ms) = step.timeout {
            let what = match step.on_timeout {
                Some(OnTimeout::Retry) => "retry",
                Some(OnTimeout::Fail) => "fail",
                Some(OnTimeout::Complete) => "complete",
                None => "?",
            };
            t.push(format!("timeout {} → {what}", duration(ms)));
        }
        if step.has_retry {
            t.push(format!("retry ×{}", step.retry.max));
        }
        if let Some(p) = step.p95 {
            t.push(format!("p95 {}", duration(p)));
        }
        if !t.is_empty() {
            lines.push(t.join(", "));
        }
        let mut flags = Vec::new();
        if step.pivot {
            flags.push("pivot");
        }
        if step.read_only {
            flags.push("read-only");
        }
        if !flags.is_empty() {
            lines.push(flags.join(", "));
        }
        lines
    }

    /// A step entered from `exits`; returns where it leaves.
    fn step(&mut self, sid: usize, exits: &[Exit]) -> Vec<Exit> {
        let saga = self.saga;
        let Some(step) = saga.steps.get(sid) else {
            return exits.to_vec();
        };
        let kind = if step.send.is_some() {
            StateKind::Step
        } else {
            StateKind::Wait
        };
        let s = self.state(kind, &step.id, Self::step_lines(step));
        for e in exits {
            self.go(e.from, s, TransitionKind::Forward, e.label.clone());
        }
        let mut undos: Vec<usize> = exits.iter().map(|e| e.undo).collect();
        undos.sort_unstable();
        undos.dedup();
        for &u in &undos {
            if !step.fail.is_empty() {
                self.go(s, u, TransitionKind::Fail, names(&step.fail));
            }
            match step.on_timeout {
                Some(OnTimeout::Fail) => self.go(s, u, TransitionKind::Timeout, "timeout"),
                Some(OnTimeout::Retry) => {
                    self.go(s, u, TransitionKind::Timeout, "retries exhausted")
                }
                _ => {}
            }
        }
        let mut label = names(&step.on);
        if step.on_timeout == Some(OnTimeout::Complete) {
            label = if label.is_empty() {
                "timeout".to_string()
            } else {
                format!("{label} / timeout")
            };
        }
        let mut out = Vec::new();
        for &u in &undos {
            let mut undo = u;
            for (ci, c) in step.compensation.iter().enumerate() {
                let name = if step.compensation.len() > 1 {
                    format!("{} {}", step.id, ci + 1)
                } else {
                    step.id.clone()
                };
                let mut lines = vec![format!("send {}", c.send.name)];
                if let Some(t) = c.timeout {
                    lines.push(format!("timeout {}", duration(t)));
                }
                let cs = self.state(StateKind::Compensation, &name, lines);
                self.go(cs, undo, TransitionKind::Compensate, c.confirm.name.clone());
                undo = cs;
            }
            out.push(Exit {
                from: s,
                label: label.clone(),
                undo,
            });
            if step.compensation.is_empty() {
                // One exit is enough when nothing changes per path.
                continue;
            }
        }
        // Merge exits of the same state and undo target.
        out.dedup_by(|a, b| a.from == b.from && a.undo == b.undo);
        out
    }

    fn nodes(&mut self, ids: &[usize], mut exits: Vec<Exit>) -> Vec<Exit> {
        let saga = self.saga;
        for &nid in ids {
            let Some(node) = saga.nodes.get(nid) else {
                continue;
            };
            exits = match node {
                SagaNode::Step(sid) => self.step(*sid, &exits),
                SagaNode::Parallel { steps, .. } => {
                    let name = steps
                        .first()
                        .and_then(|&s| saga.steps.get(s))
                        .map(|s| s.id.clone())
                        .unwrap_or_else(|| "parallel".to_string());
                    let fork = self.state(StateKind::Fork, &name, vec![]);
                    let join = self.state(StateKind::Join, &name, vec![]);
                    let mut undos = Vec::new();
                    for e in &exits {
                        self.go(e.from, fork, TransitionKind::Forward, e.label.clone());
                        undos.push(e.undo);
                    }
                    undos.sort_unstable();
                    undos.dedup();
                    let mut undo_after = undos.clone();
                    // A sibling that fails undoes the siblings listed before it (the
                    // engine awaits the ones in flight, then compensates those that
                    // took effect): each sibling's failure leads into the undo chain
                    // of the ones before it.
                    // (With several compensating siblings the join below chains
                    // them into one undo path instead.)
                    let chain = steps
                        .iter()
                        .filter(|&&s| {
                            saga.steps
                                .get(s)
                                .is_some_and(|st| !st.compensation.is_empty())
                        })
                        .count()
                        <= 1;
                    let mut cur = undos.clone();
                    for &sid in steps {
                        let entry: Vec<Exit> = cur
                            .iter()
                            .map(|&u| Exit {
                                from: fork,
                                label: String::new(),
                                undo: u,
                            })
                            .collect();
                        let out = self.step(sid, &entry);
                        let mut next = Vec::new();
                        for e in out {
                            self.go(e.from, join, TransitionKind::Forward, e.label.clone());
                            undo_after.push(e.undo);
                            next.push(e.undo);
                        }
                        next.sort_unstable();
                        next.dedup();
                        if chain && !next.is_empty() {
                            cur = next;
                        }
                    }
                    undo_after.sort_unstable();
                    undo_after.dedup();
                    // After the join, the compensations that were added win.
                    let added: Vec<usize> = undo_after
                        .iter()
                        .copied()
                        .filter(|u| !undos.contains(u))
                        .collect();
                    // Several steps of the group have compensations: after the join a
                    // failure undoes them all, the group's last step (in the file) first,
                    // then what came before the group — one chain, not alternatives.
                    let keep = if added.len() > 1 {
                        let mut last: Vec<(usize, usize)> = Vec::new(); // (pre-group undo, head)
                        for &head in &added {
                            let Some((tail, end)) = self.chain_end(head, &undos) else {
                                continue;
                            };
                            match last.iter_mut().find(|(u, _)| *u == end) {
                                Some((_, prev)) => {
                                    if let Some(t) = self.m.transitions.iter_mut().find(|t| {
                                        t.from == tail
                                            && t.to == end
                                            && t.kind == TransitionKind::Compensate
                                    }) {
                                        t.to = *prev;
                                    }
                                    *prev = head;
                                }
                                None => last.push((end, head)),
                            }
                        }
                        last.into_iter().map(|(_, head)| head).collect()
                    } else if added.is_empty() {
                        undos
                    } else {
                        added
                    };
                    keep.into_iter()
                        .map(|u| Exit {
                            from: join,
                            label: String::new(),
                            undo: u,
                        })
                        .collect()
                }
                SagaNode::Branch(br) => {
                    let mut lines = vec![format!("wait for {}", br.on.name)];
                    if let Some(t) = br.timeout {
                        lines.push(format!("timeout {}", duration(t)));
                    }
                    let wait = self.state(StateKind::Wait, &br.id, lines);
                    let mut undos = Vec::new();
                    for e in &exits {
                        self.go(e.from, wait, TransitionKind::Forward, e.label.clone());
                        undos.push(e.undo);
                    }
                    undos.sort_unstable();
                    undos.dedup();
                    for &u in &undos {
                        if br.timeout.is_some() {
                            self.go(wait, u, TransitionKind::Timeout, "timeout");
                        }
                    }
                    let choice = self.state(StateKind::Choice, &br.id, vec![]);
                    self.go(wait, choice, TransitionKind::Forward, br.on.name.clone());
                    let mut out = Vec::new();
                    for (case, body) in &br.cases {
                        let entry: Vec<Exit> = undos
                            .iter()
                            .map(|&u| Exit {
                                from: choice,
                                label: format!("{} = {case}", br.pointer),
                                undo: u,
                            })
                            .collect();
                        out.extend(self.nodes(body, entry));
                    }
                    out
                }
            };
        }
        exits
    }
}

/// The state machine of a saga.
pub fn build(saga: &Saga) -> Machine {
    let mut b = Build {
        saga,
        m: Machine {
            saga: saga.name.clone(),
            states: Vec::new(),
            transitions: Vec::new(),
        },
        failed: 0,
        made: std::collections::HashSet::new(),
    };
    let start = b.state(StateKind::Start, "start", vec![]);
    let failed_lines = if saga.emits_failure.is_empty() {
        vec![]
    } else {
        vec![format!("emit {}", names(&saga.emits_failure))]
    };
    b.failed = b.state(StateKind::Failed, "Failed", failed_lines);
    // One entry per start message (a saga may start on any of several).
    let entry: Vec<Exit> = saga
        .start
        .iter()
        .map(|st| {
            let mut label = st.message.name.clone();
            if let Some(c) = &st.when {
                label.push_str(&format!(" [{}]", c.describe()));
            }
            Exit {
                from: start,
                label,
                undo: b.failed,
            }
        })
        .collect();
    let top = saga.top.clone();
    let exits = b.nodes(&top, entry);
    let done_lines = if saga.emits_complete.is_empty() {
        vec![]
    } else {
        vec![format!("emit {}", names(&saga.emits_complete))]
    };
    let done = b.state(StateKind::Completed, "Completed", done_lines);
    let mut seen = Vec::new();
    for e in exits {
        if !seen.contains(&(e.from, e.label.clone())) {
            seen.push((e.from, e.label.clone()));
            b.go(e.from, done, TransitionKind::Forward, e.label);
        }
    }
    // Keep `Failed` last among the states, after `Completed`, for reading order.
    let m = b.m;
    prune(reorder_failed(m, b.failed))
}

/// Drop the states no path reaches from the start (the compensation of a last step:
/// nothing after it can fail), with their transitions.
fn prune(mut m: Machine) -> Machine {
    let mut seen = vec![false; m.states.len()];
    let mut stack = vec![0usize];
    while let Some(i) = stack.pop() {
        if std::mem::replace(&mut seen[i], true) {
            continue;
        }
        stack.extend(m.transitions.iter().filter(|t| t.from == i).map(|t| t.to));
    }
    let mut map = vec![usize::MAX; m.states.len()];
    let mut states = Vec::new();
    for (i, st) in m.states.into_iter().enumerate() {
        if seen[i] {
            map[i] = states.len();
            states.push(st);
        }
    }
    m.states = states;
    m.transitions.retain(|t| seen[t.from] && seen[t.to]);
    for t in &mut m.transitions {
        t.from = map[t.from];
        t.to = map[t.to];
    }
    m
}

fn reorder_failed(mut m: Machine, failed: usize) -> Machine {
    let last = m.states.len() - 1;
    if failed == last {
        return m;
    }
    let st = m.states.remove(failed);
    m.states.push(st);
    let fix = |i: usize| {
        if i == failed {
            last
        } else if i > failed {
            i - 1
        } else {
            i
        }
    };
    for t in &mut m.transitions {
        t.from = fix(t.from);
        t.to = fix(t.to);
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn saga(text: &str) -> Saga {
        let mut diags = Vec::new();
        let file = crate::source::parse_file(
            std::path::Path::new("t.saga.yaml"),
            text.as_bytes().to_vec(),
            std::sync::Arc::from("t.saga.yaml"),
            &mut diags,
        );
        let s = crate::saga::format::parse(file, &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        s.expect("a saga")
    }

    #[test]
    fn parallel_groups_fork_and_join_and_failures_compensate_in_reverse() {
        let m = build(&saga(
            "saga: p\nversion: 1.0.0\ncontract: a.yaml\ncorrelation: /headers/c\nstart: Go\n\
             steps:\n\
             - {id: one, send: A, on: ADone, fail: AFailed, timeout: 1s, onTimeout: fail, compensation: {send: UndoA, confirm: AUndone, timeout: 1s}}\n\
             - parallel: [{id: two, send: B, on: BDone, fail: BFailed, timeout: 1s, onTimeout: fail, compensation: {send: UndoB, confirm: BUndone, timeout: 1s}}, \
                          {id: three, send: C, on: CDone, fail: CFailed, timeout: 90s, onTimeout: retry, retry: {max: 2}, readOnly: true}]\n\
             - {id: four, send: D, on: DDone, fail: DFailed, timeout: 1s, onTimeout: fail, pivot: true}\n\
             emits: {onComplete: Done, onFailure: Failed}\n",
        ));
        let id = |name: &str| {
            m.states
                .iter()
                .position(|s| s.id == name)
                .unwrap_or_else(|| panic!("no state {name}"))
        };
        let has = |from: &str, to: &str, kind: TransitionKind| {
            m.transitions
                .iter()
                .any(|t| t.from == id(from) && t.to == id(to) && t.kind == kind)
        };
        assert!(has("s_one", "fork_two", TransitionKind::Forward));
        assert!(has("fork_two", "s_two", TransitionKind::Forward));
        assert!(has("fork_two", "s_three", TransitionKind::Forward));
        assert!(has("s_two", "join_two", TransitionKind::Forward));
        assert!(has("s_three", "join_two", TransitionKind::Forward));
        assert!(has("join_two", "s_four", TransitionKind::Forward));
        // A failure in the group compensates step one; after it, step two's undo runs first.
        assert!(has("s_two", "undo_one", TransitionKind::Fail));
        assert!(has("s_four", "undo_two", TransitionKind::Fail));
        assert!(has("undo_two", "undo_one", TransitionKind::Compensate));
        assert!(has("undo_one", "s_Failed", TransitionKind::Compensate));
        assert!(has("s_one", "s_Failed", TransitionKind::Timeout));
        assert!(has("s_four", "s_Completed", TransitionKind::Forward));
        let three = &m.states[id("s_three")];
        assert!(
            three
                .lines
                .iter()
                .any(|l| l == "timeout 1m30s → retry, retry ×2"),
            "{:?}",
            three.lines
        );
        let mermaid = crate::graph::render::machine_mermaid(&m);
        assert!(mermaid.contains("state fork_two <<fork>>"));
        assert!(mermaid.contains("state join_two <<join>>"));
    }

    #[test]
    fn durations_read_like_saga_files() {
        assert_eq!(duration(90_000), "1m30s");
        assert_eq!(duration(86_400_000), "1d");
        assert_eq!(duration(1500), "1s500ms");
    }
}
