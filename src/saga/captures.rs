//! Data a saga carries from events to the commands it sends (issue 12, item 6):
//! `capture: {NAME: POINTER}` on a start message or a step reads a value from the
//! event (the start message, or the event that completes the step), and
//! `with: {NAME: POINTER}` on a step or a compensation writes it into the command.
//!
//! Checked here, against the saga's paths and the contract:
//! - every name a command's `with` uses is captured before that command is sent, on
//!   every path (`saga-capture-missing`): by a start message (every one of them), or
//!   by a step that has completed with an event by then — not a parallel sibling, not a
//!   step in a branch case that may not be taken, not a later step, not a step that may
//!   complete on its timeout (no event then);
//! - a compensation may use what its own step captured only when the step can never be
//!   compensated in doubt (its last attempt timed out, or it was abandoned in flight:
//!   then nothing was captured), or when the property it fills is optional in the
//!   compensation's command (sent without it then);
//! - capture pointers exist (and are required) in every message they are read from,
//!   `with` pointers exist in the command (`saga-pointer-unknown`,
//!   `saga-pointer-optional`), and the value's type fits where it is written
//!   (`saga-capture-type`).

use std::collections::{BTreeMap, BTreeSet};

use super::contract::Contract;
use super::format::{Capture, Node, NodeId, OnTimeout, Saga, Step};
use super::soundness::required_along;
use crate::diag::Diagnostic;

/// The checks of this module, for one saga against its contract.
pub fn check(saga: &Saga, contract: &Contract, out: &mut Vec<Diagnostic>) {
    let uses_data = saga.start.iter().any(|s| !s.capture.is_empty())
        || saga.steps.iter().any(|s| {
            !s.capture.is_empty()
                || !s.with.is_empty()
                || s.compensation.iter().any(|c| !c.with.is_empty())
        });
    if !uses_data {
        return;
    }
    let mut cx = Cx {
        saga,
        contract,
        out,
        captured_by: BTreeMap::new(),
    };
    for st in &saga.start {
        for c in &st.capture {
            cx.captured_by
                .entry(c.name.as_str())
                .or_default()
                .push("the start message".to_string());
        }
    }
    for s in &saga.steps {
        for c in &s.capture {
            cx.captured_by
                .entry(c.name.as_str())
                .or_default()
                .push(format!("step `{}`", s.id));
        }
    }
    // Captured by every start message.
    let mut avail: Option<BTreeSet<&str>> = None;
    for st in &saga.start {
        let names: BTreeSet<&str> = st.capture.iter().map(|c| c.name.as_str()).collect();
        avail = Some(match avail {
            None => names,
            Some(a) => a.intersection(&names).copied().collect(),
        });
    }
    cx.walk(&saga.top, avail.unwrap_or_default());
    cx.pointers();
}

struct Cx<'a, 'o> {
    saga: &'a Saga,
    contract: &'a Contract<'a>,
    out: &'o mut Vec<Diagnostic>,
    /// Where each name is captured (for messages).
    captured_by: BTreeMap<&'a str, Vec<String>>,
}

/// What a step adds to the captured values once it has completed: nothing when it may
/// complete on its timeout, without an event to read.
fn adds(s: &Step) -> impl Iterator<Item = &str> {
    let with_event = s.on_timeout != Some(OnTimeout::Complete);
    s.capture
        .iter()
        .filter(move |_| with_event)
        .map(|c| c.name.as_str())
}

/// Whether a step can be compensated without its outcome known (its last attempt
/// timed out, or it was abandoned in flight): nothing it captures is there then.
fn compensated_in_doubt(s: &Step) -> bool {
    s.send.is_some() && !s.read_only && (s.timeout.is_some() || s.abandon)
}

impl<'a> Cx<'a, '_> {
    /// Walk nodes in order with the names captured on every path so far; returns
    /// what is captured on every path at the end.
    fn walk(&mut self, ids: &[NodeId], mut avail: BTreeSet<&'a str>) -> BTreeSet<&'a str> {
        let saga = self.saga;
        for &id in ids {
            match saga.nodes.get(id) {
                Some(Node::Step(s)) => {
                    let st = &saga.steps[*s];
                    self.step(st, &avail);
                    avail.extend(adds(st));
                }
                Some(Node::Parallel { steps, .. }) => {
                    for &s in steps {
                        self.step(&saga.steps[s], &avail);
                    }
                    for &s in steps {
                        avail.extend(adds(&saga.steps[s]));
                    }
                }
                Some(Node::Branch(b)) => {
                    let mut after: Option<BTreeSet<&str>> = None;
                    for (_, case) in &b.cases {
                        let end = self.walk(case, avail.clone());
                        after = Some(match after {
                            None => end,
                            Some(a) => a.intersection(&end).copied().collect(),
                        });
                    }
                    if let Some(a) = after {
                        avail = a;
                    }
                }
                None => {}
            }
        }
        avail
    }

    fn step(&mut self, st: &'a Step, avail: &BTreeSet<&'a str>) {
        for w in &st.with {
            if !avail.contains(w.name.as_str()) {
                let why = self.why_missing(&w.name, st, false);
                self.missing(w, &format!("step `{}`'s command", st.id), &why);
            }
        }
        let own: BTreeSet<&str> = adds(st).collect();
        for c in &st.compensation {
            for w in &c.with {
                let name = w.name.as_str();
                if avail.contains(name) {
                    continue;
                }
                if own.contains(name) {
                    if !compensated_in_doubt(st) {
                        continue;
                    }
                    // Sent without it when the property is optional in the command.
                    if required_along(self.contract, &c.send.name, &w.pointer) == Some(false) {
                        continue;
                    }
                    let how = if st.abandon {
                        "abandoned in flight or its last attempt timed out"
                    } else {
                        "its last attempt timed out"
                    };
                    self.out.push(
                        self.saga
                            .source
                            .diag_at(
                                "saga-capture-missing",
                                &w.ptr,
                                format!(
                                    "the compensation of `{}` writes `{name}` into `{}` at `{}`, but `{name}` is captured from `{}`'s own completion: when `{}` is compensated in doubt ({how}), nothing was captured",
                                    st.id, c.send.name, w.pointer, st.id, st.id
                                ),
                            )
                            .with_help(format!(
                                "capture `{name}` before `{}` is sent (from the start message or an earlier step), or make `{}` optional in `{}` so that the participant can undo the command without it",
                                st.id, w.pointer, c.send.name
                            )),
                    );
                    continue;
                }
                let why = self.why_missing(name, st, true);
                self.missing(
                    w,
                    &format!("the compensation of `{}` (`{}`)", st.id, c.send.name),
                    &why,
                );
            }
        }
    }

    fn why_missing(&self, name: &str, st: &Step, compensation: bool) -> String {
        match self.captured_by.get(name) {
            None => "no `capture` in the saga declares it".to_string(),
            Some(by) => {
                let own = format!("step `{}`", st.id);
                let by: Vec<String> = by.iter().map(String::clone).collect();
                if !compensation && by.iter().all(|b| *b == own) {
                    return format!(
                        "it is captured from the event that completes `{}`, after its command is sent",
                        st.id
                    );
                }
                let timeout_completes: Vec<String> = self
                    .saga
                    .steps
                    .iter()
                    .filter(|s| {
                        s.on_timeout == Some(OnTimeout::Complete)
                            && s.capture.iter().any(|c| c.name == name)
                    })
                    .map(|s| format!("`{}`", s.id))
                    .collect();
                let mut why = format!(
                    "it is captured by {}, which may not have completed with an event by then (a later step, a parallel sibling, or a branch case that may not be taken",
                    by.join(", ")
                );
                if !timeout_completes.is_empty() {
                    why.push_str(&format!(
                        "; {} may complete on its timeout, without an event",
                        timeout_completes.join(", ")
                    ));
                }
                why.push(')');
                why
            }
        }
    }

    fn missing(&mut self, w: &Capture, what: &str, why: &str) {
        self.out.push(
            self.saga
                .source
                .diag_at(
                    "saga-capture-missing",
                    &w.ptr,
                    format!(
                        "{what} needs `{}`, which is not captured before it is sent on every path: {why}",
                        w.name
                    ),
                )
                .with_help("capture the value from the start message or from a step that always completes before this command (with an event)"),
        );
    }

    /// Capture pointers against the messages they read, `with` pointers against the
    /// commands they fill, and the types of the two.
    fn pointers(&mut self) {
        let saga = self.saga;
        let contract = self.contract;
        // (message, capture) for every place a name is read from.
        let mut sources: BTreeMap<&str, Vec<(&str, &Capture)>> = BTreeMap::new();
        let mut reads: Vec<(&str, &Capture)> = Vec::new();
        for st in &saga.start {
            for c in &st.capture {
                reads.push((&st.message.name, c));
            }
        }
        for s in &saga.steps {
            for c in &s.capture {
                for n in &s.on {
                    reads.push((&n.name, c));
                }
            }
        }
        for (msg, c) in reads {
            if contract.message(msg).is_none() {
                continue; // saga-message-unknown says so
            }
            if !contract.declares(msg, &c.pointer) {
                self.out.push(saga.source.diag_at(
                    "saga-pointer-unknown",
                    &c.ptr,
                    format!(
                        "`capture` reads `{}` as `{}`, which the schema of `{msg}` does not declare",
                        c.pointer, c.name
                    ),
                ));
                continue;
            }
            if required_along(contract, msg, &c.pointer) == Some(false) {
                self.out.push(
                    saga.source
                        .diag_at(
                            "saga-pointer-optional",
                            &c.ptr,
                            format!(
                                "`capture` reads `{}` as `{}`, which is optional in `{msg}`: an event without it captures nothing",
                                c.pointer, c.name
                            ),
                        )
                        .with_help("make the property `required` in the message schema"),
                );
            }
            sources.entry(c.name.as_str()).or_default().push((msg, c));
        }
        let mut writes: Vec<(&str, &Capture)> = Vec::new();
        for s in &saga.steps {
            if let Some(send) = &s.send {
                writes.extend(s.with.iter().map(|w| (send.name.as_str(), w)));
            }
            for k in &s.compensation {
                writes.extend(k.with.iter().map(|w| (k.send.name.as_str(), w)));
            }
        }
        let mut reported = BTreeSet::new();
        for (cmd, w) in writes {
            if contract.message(cmd).is_none() {
                continue;
            }
            if !contract.declares(cmd, &w.pointer) {
                self.out.push(saga.source.diag_at(
                    "saga-pointer-unknown",
                    &w.ptr,
                    format!(
                        "`with` writes `{}` at `{}`, which the schema of `{cmd}` does not declare",
                        w.name, w.pointer
                    ),
                ));
                continue;
            }
            let Some(to) = contract.types_at(cmd, &w.pointer) else {
                continue;
            };
            for (msg, c) in sources.get(w.name.as_str()).into_iter().flatten() {
                let Some(from) = contract.types_at(msg, &c.pointer) else {
                    continue;
                };
                let fits = from.iter().any(|f| {
                    to.iter()
                        .any(|t| f == t || (f == "integer" && t == "number"))
                });
                if !fits && reported.insert((w.ptr.as_str(), *msg)) {
                    self.out.push(
                        saga.source
                            .diag_at(
                                "saga-capture-type",
                                &w.ptr,
                                format!(
                                    "`with` writes `{}` ({} in `{msg}` at `{}`) at `{}`, where `{cmd}` expects {}",
                                    w.name,
                                    types(&from),
                                    c.pointer,
                                    w.pointer,
                                    types(&to)
                                ),
                            )
                            .with_related(saga.source.locate(&c.ptr), "captured here"),
                    );
                }
            }
        }
    }
}

fn types(t: &[String]) -> String {
    let a = |s: &str| match s {
        "integer" | "array" | "object" => format!("an {s}"),
        _ => format!("a {s}"),
    };
    t.iter().map(|s| a(s)).collect::<Vec<_>>().join(" or ")
}
