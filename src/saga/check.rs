//! Static checks of a saga against its contract (`saga::check`) and the completeness
//! ratio (`saga::completeness`). Every diagnostic points into the saga file.

use std::collections::BTreeSet;

use super::contract::Contract;
use super::format::{Node, OnTimeout, Role, Saga, Step};
use crate::diag::Diagnostic;
use crate::source::pointer;

/// Check a saga against its loaded contract.
pub fn check_with(saga: &Saga, contract: &Contract) -> Vec<Diagnostic> {
    let src = &saga.source;
    let mut out = Vec::new();
    let names: Vec<&str> = contract.messages.keys().map(String::as_str).collect();
    // Messages exist, carry the correlation key, flow in the right direction.
    let mut correlation_reported = BTreeSet::new();
    if let Some(d) = correlation_unknown(saga, contract) {
        // One finding at the key itself; the per-message ones would only repeat it.
        out.push(d);
        correlation_reported.extend(contract.messages.keys().cloned());
    }
    for (n, role) in saga.message_refs() {
        if !contract.messages.contains_key(&n.name) {
            let hint = crate::suggest::closest(&n.name, &names)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            out.push(src.diag_at(
                "saga-message-unknown",
                &n.ptr,
                format!(
                    "message `{}` is not in the contract `{}`{hint}",
                    n.name, saga.contract
                ),
            ));
            continue;
        }
        if role != Role::Emitted
            && !contract.declares(&n.name, &saga.correlation)
            && correlation_reported.insert(n.name.clone())
        {
            out.push(
                src.diag_at(
                    "saga-correlation-missing",
                    &n.ptr,
                    format!(
                        "message `{}` does not declare the correlation key `{}` in its schema",
                        n.name, saga.correlation
                    ),
                )
                .with_help(
                    "every message of a saga must carry the key its instances are matched by",
                ),
            );
        }
        let is_command = contract.replies.contains_key(&n.name);
        match role {
            Role::Command
                if !is_command
                    && !contract.sent.contains(&n.name)
                    && !contract.received.contains(&n.name) =>
            {
                out.push(src.diag_at(
                    "saga-direction",
                    &n.ptr,
                    format!("`{}` is sent by the saga, but no operation of the contract sends or receives it", n.name),
                ));
            }
            Role::Event | Role::Emitted if is_command => {
                out.push(src.diag_at(
                    "saga-direction",
                    &n.ptr,
                    format!("`{}` is a command (the contract declares replies for it), not an event the saga can wait for or emit", n.name),
                ));
            }
            _ => {}
        }
    }
    // Replies of each command match the contract's declared replies.
    for s in &saga.steps {
        if let Some(cmd) = &s.send {
            if let Some(rs) = contract.replies.get(&cmd.name) {
                for e in s.on.iter().chain(&s.fail) {
                    if contract.messages.contains_key(&e.name) && !rs.contains(&e.name) {
                        out.push(src.diag_at(
                            "saga-direction",
                            &e.ptr,
                            format!(
                                "`{}` is not a reply of `{}` in the contract (declared replies: {})",
                                e.name,
                                cmd.name,
                                rs.iter().cloned().collect::<Vec<_>>().join(", ")
                            ),
                        ));
                    }
                }
            }
        }
        for c in &s.compensation {
            if let Some(rs) = contract.replies.get(&c.send.name) {
                for e in std::iter::once(&c.confirm).chain(&c.fail) {
                    if contract.messages.contains_key(&e.name) && !rs.contains(&e.name) {
                        out.push(src.diag_at(
                            "saga-direction",
                            &e.ptr,
                            format!(
                                "`{}` is not a reply of `{}` in the contract",
                                e.name, c.send.name
                            ),
                        ));
                    }
                }
            }
        }
        // Branch cases that the schema's enum cannot produce are unreachable.
    }
    for n in &saga.nodes {
        if let Node::Branch(b) = n {
            if let Some(values) = enum_at(contract, &b.on.name, &b.pointer) {
                for (k, _) in &b.cases {
                    if !values.contains(k) {
                        out.push(src.diag_at(
                            "saga-unreachable-step",
                            &pointer::push(&pointer::push(&b.ptr, "cases"), k),
                            format!(
                                "case `{k}` is unreachable: `{}` at `{}` is one of {}",
                                b.on.name,
                                b.pointer,
                                values.iter().cloned().collect::<Vec<_>>().join(", ")
                            ),
                        ));
                    }
                }
            }
        }
    }
    out.extend(check_structure(saga));
    out.extend(super::soundness::check(saga, contract));
    out.extend(super::child::check(saga));
    out
}

/// The checks that need no contract: reachability, handled events, compensations,
/// timeouts.
pub fn check_structure(saga: &Saga) -> Vec<Diagnostic> {
    let src = &saga.source;
    let mut out = Vec::new();
    // Unreachable: steps after a step that can never complete.
    fn walk(saga: &Saga, ids: &[usize], out: &mut Vec<Diagnostic>) {
        let mut blocked: Option<String> = None;
        for &id in ids {
            let ptr = match &saga.nodes[id] {
                Node::Step(s) => saga.steps[*s].ptr.clone(),
                Node::Parallel { ptr, .. } => ptr.clone(),
                Node::Branch(b) => b.ptr.clone(),
            };
            if let Some(by) = &blocked {
                out.push(saga.source.diag_at(
                    "saga-unreachable-step",
                    &ptr,
                    format!("unreachable: step `{by}` before it can never complete"),
                ));
                continue;
            }
            match &saga.nodes[id] {
                Node::Step(s) => {
                    let st = &saga.steps[*s];
                    if st.on.is_empty() && st.on_timeout != Some(OnTimeout::Complete) {
                        blocked = Some(st.id.clone());
                    }
                }
                Node::Parallel { steps, .. } => {
                    if let Some(st) = steps
                        .iter()
                        .map(|&s| &saga.steps[s])
                        .find(|st| st.on.is_empty() && st.on_timeout != Some(OnTimeout::Complete))
                    {
                        blocked = Some(st.id.clone());
                    }
                }
                Node::Branch(b) => {
                    for (_, c) in &b.cases {
                        walk(saga, c, out);
                    }
                }
            }
        }
    }
    walk(saga, &saga.top, &mut out);

    // Every (state, event) pair handled or ignored. Replies to the saga's own
    // commands cannot precede their command, and replies of earlier steps are late
    // (ignored by the engine); what remains are spontaneous events: those of wait
    // steps and branches.
    let mut spontaneous: BTreeSet<&str> = BTreeSet::new();
    for st in saga.steps.iter().filter(|st| st.send.is_none()) {
        spontaneous.extend(st.on.iter().chain(&st.fail).map(|n| n.name.as_str()));
    }
    for n in &saga.nodes {
        if let Node::Branch(b) = n {
            spontaneous.insert(&b.on.name);
        }
    }
    let global: BTreeSet<&str> = saga.ignore.iter().map(|n| n.name.as_str()).collect();
    // Steps of one `parallel` wait together: a sibling's events are handled.
    let mut siblings: Vec<&[usize]> = vec![&[]; saga.steps.len()];
    for n in &saga.nodes {
        if let Node::Parallel { steps, .. } = n {
            for &st in steps {
                if let Some(x) = siblings.get_mut(st) {
                    *x = steps;
                }
            }
        }
    }
    let past_pivot = super::soundness::past_pivot(saga);
    for (k, s) in saga.steps.iter().enumerate() {
        let mut handled: BTreeSet<&str> = global.clone();
        for &sib in siblings[k] {
            let sib = &saga.steps[sib];
            handled.extend(sib.on.iter().chain(&sib.fail).map(|n| n.name.as_str()));
        }
        handled.extend(saga.start.iter().map(|st| st.message.name.as_str()));
        handled.extend(
            s.on.iter()
                .chain(&s.fail)
                .chain(&s.ignore)
                .map(|n| n.name.as_str()),
        );
        for earlier in &saga.steps[..k] {
            handled.extend(
                earlier
                    .on
                    .iter()
                    .chain(&earlier.fail)
                    .map(|n| n.name.as_str()),
            );
        }
        let missing: Vec<&str> = spontaneous.difference(&handled).copied().collect();
        if !missing.is_empty() {
            out.push(src.diag_at(
                "saga-unhandled-event",
                &s.ptr,
                format!(
                    "while waiting in step `{}`, these events are neither handled nor ignored: {}",
                    s.id,
                    missing.join(", ")
                ),
            ).with_help("list events that may arrive at any time under the step's or the saga's `ignore`"));
        }
        check_step(saga, s, past_pivot.contains(&k), &mut out);
    }
    out
}

fn check_step(saga: &Saga, s: &Step, past_pivot: bool, out: &mut Vec<Diagnostic>) {
    let src = &saga.source;
    // Past the pivot a step only goes forward: it needs no compensation (one there is
    // `saga-pivot-compensation`).
    if s.send.is_some() && !s.read_only && !s.pivot && !past_pivot && s.compensation.is_empty() {
        out.push(src.diag_at(
            "saga-compensation-missing",
            &s.ptr,
            format!("step `{}` changes state but has no `compensation` (mark it `readOnly: true` or `pivot: true` if that is intended)", s.id),
        ));
    }
    match (s.timeout, s.on_timeout) {
        // The saga-wide deadline bounds the wait: the saga gives up then.
        (None, _) if saga.deadline.is_some() => {}
        (None, _) => out.push(src.diag_at(
            "saga-timeout-missing",
            &s.ptr,
            format!(
                "step `{}` has no `timeout`: a lost reply leaves the saga waiting forever",
                s.id
            ),
        )),
        (Some(_), None) => out.push(src.diag_at(
            "saga-timeout-unhandled",
            &pointer::push(&s.ptr, "timeout"),
            format!(
                "the timeout of step `{}` has no handler: add `onTimeout: retry | fail | complete`",
                s.id
            ),
        )),
        (Some(_), Some(OnTimeout::Retry)) if !s.has_retry => out.push(src.diag_at(
            "saga-timeout-unhandled",
            &pointer::push(&s.ptr, "onTimeout"),
            format!(
                "step `{}` retries on timeout but has no `retry` policy",
                s.id
            ),
        )),
        _ => {}
    }
    if s.send.is_some() && s.fail.is_empty() {
        out.push(src.diag_at(
            "saga-failure-unhandled",
            &s.ptr,
            format!(
                "step `{}` lists no failure events (`fail`): a failure reply would be unexpected",
                s.id
            ),
        ));
    }
}

/// Step is complete: compensated (or pivot / read-only / wait), timeout with a
/// handler, failure handled.
/// `past_pivot`: the step comes after the pivot on every path (it only goes forward:
/// a compensation there is an error, `saga-pivot-compensation`).
pub fn step_complete(s: &Step, past_pivot: bool) -> bool {
    let comp =
        !s.compensation.is_empty() || s.pivot || past_pivot || s.read_only || s.send.is_none();
    let timeout = s.timeout.is_some() && s.on_timeout.is_some();
    let failure = s.send.is_none() || !s.fail.is_empty();
    comp && timeout && failure
}

/// (complete steps, all steps) over sagas: the `saga_completeness` gate.
pub fn completeness(sagas: &[Saga]) -> (usize, usize) {
    let mut num = 0;
    let mut den = 0;
    for saga in sagas {
        let past = super::soundness::past_pivot(saga);
        for (k, s) in saga.steps.iter().enumerate() {
            den += 1;
            if step_complete(s, past.contains(&k)) {
                num += 1;
            }
        }
    }
    (num, den)
}

/// The `enum` of the schema at a `/payload/...` or `/headers/...` pointer, if any.
pub(super) fn enum_at(contract: &Contract, msg: &str, ptr: &str) -> Option<BTreeSet<String>> {
    let tokens = pointer::parse(ptr)?;
    let (part, rest) = tokens.split_first()?;
    let (mut f, mut s) = contract.part(msg, part)?;
    for t in rest {
        let (f2, _, s2) = contract.ws.deref(f, s);
        let next = s2
            .get("properties")
            .and_then(|p| p.get(t.as_str()))
            .or_else(|| {
                s2.get("allOf")?.as_array()?.iter().find_map(|sub| {
                    let (_, _, sub) = contract.ws.deref(f2, sub);
                    sub.get("properties")?.get(t.as_str())
                })
            })?;
        f = f2;
        s = next;
    }
    let (_, _, s) = contract.ws.deref(f, s);
    let values = s.get("enum")?.as_array()?;
    Some(
        values
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
            .collect(),
    )
}

/// The correlation key declared by none of the messages the saga matches by it: a typo in
/// the key itself, reported once at `correlation:` with the nearest declared pointer.
fn correlation_unknown(saga: &Saga, contract: &Contract) -> Option<Diagnostic> {
    let mut used: Vec<&str> = saga
        .message_refs()
        .into_iter()
        .filter(|(n, role)| *role != Role::Emitted && contract.messages.contains_key(&n.name))
        .map(|(n, _)| n.name.as_str())
        .collect();
    used.sort_unstable();
    used.dedup();
    if used.is_empty() || used.iter().any(|m| contract.declares(m, &saga.correlation)) {
        return None;
    }
    // Pointers declared by the most messages first; the nearest of those is the hint.
    let mut count: std::collections::BTreeMap<String, usize> = Default::default();
    for m in &used {
        let mut ps = contract.declared_pointers(m, 512);
        ps.sort_unstable();
        ps.dedup();
        for p in ps {
            *count.entry(p).or_default() += 1;
        }
    }
    let best = count.values().copied().max().unwrap_or(0);
    let common: Vec<&str> = count
        .iter()
        .filter(|(_, c)| **c == best)
        .map(|(p, _)| p.as_str())
        .collect();
    let hint = crate::suggest::closest(&saga.correlation, &common)
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default();
    Some(
        saga.source
            .diag_at(
                "saga-correlation-unknown",
                "/correlation",
                format!(
                    "the correlation key `{}` is declared by none of the {} message{} this saga uses{hint}",
                    saga.correlation,
                    used.len(),
                    if used.len() == 1 { "" } else { "s" }
                ),
            )
            .with_help(
                "`correlation:` is a JSON pointer into every message (`/headers/...` or `/payload/...`) that routes it to its saga instance",
            ),
    )
}
