//! Static checks that a saga can work as written (issue 12, classes 1, 3 and 6): every
//! construct is checked, not only steps: compensations and branches need timeouts,
//! branch and `when` pointers must exist in the schemas of their messages (and be
//! required there), a branch must cover every value its pointer can take, a
//! compensation's confirmation must be distinguishable from a forward reply, nothing
//! is compensated after the pivot, a command's timeout never counts as success, a
//! non-idempotent command is never retried, and a saga that can fail says so with a
//! failure event.

use std::collections::BTreeSet;

use serde_json::Value;

use super::contract::Contract;
use super::format::{Node, NodeId, OnTimeout, Saga};
use crate::diag::Diagnostic;
use crate::source::pointer;

/// The checks of this module, for one saga against its contract.
pub fn check(saga: &Saga, contract: &Contract) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    confirmations(saga, &mut out);
    timeouts(saga, &mut out);
    pointers(saga, contract, &mut out);
    branches(saga, contract, &mut out);
    commands(saga, contract, &mut out);
    pivots(saga, &saga.top, false, &mut None, &mut out, &mut Vec::new());
    endings(saga, &mut out);
    super::captures::check(saga, contract, &mut out);
    super::inverses::check(saga, contract, &mut out);
    out
}

/// A compensation's `confirm` (or `fail`) that is also a forward reply: the reply of
/// the forward command would "confirm" a compensation that never ran, and the
/// compensation's confirmation would complete a forward step.
fn confirmations(saga: &Saga, out: &mut Vec<Diagnostic>) {
    let cases = step_cases(saga);
    // Two steps in different cases of one branch never run in the same instance.
    let exclusive = |a: usize, b: usize| {
        cases[a]
            .iter()
            .any(|(br, k)| cases[b].iter().any(|(br2, k2)| br == br2 && k != k2))
    };
    // The forward replies that may reach an instance where step `s` ran.
    let forward_of = |s: usize| -> BTreeSet<&str> {
        saga.steps
            .iter()
            .enumerate()
            .filter(|(f, _)| !exclusive(s, *f))
            .flat_map(|(_, f)| f.on.iter().chain(&f.fail))
            .map(|n| n.name.as_str())
            .chain(saga.start.iter().map(|st| st.message.name.as_str()))
            .collect()
    };
    let starts: BTreeSet<&str> = saga
        .start
        .iter()
        .map(|st| st.message.name.as_str())
        .collect();
    for (si, s) in saga.steps.iter().enumerate() {
        let forward = forward_of(si);
        for c in &s.compensation {
            // A `when` on the confirmation tells it apart from a forward reply when
            // replies name their command (`causation`), or when every forward step
            // taking that message waits for another value at the same pointer.
            // Otherwise the forward reply may meet the `when` too.
            let told_apart = |cw: &super::cond::Cond| {
                saga.causation.is_some()
                    || (!starts.contains(c.confirm.name.as_str())
                        && saga
                            .steps
                            .iter()
                            .enumerate()
                            .filter(|(f, _)| !exclusive(si, *f))
                            .filter(|(_, f)| f.on.iter().any(|n| n.name == c.confirm.name))
                            .all(|(_, f)| f.when.as_ref().is_some_and(|fw| fw.excludes(cw))))
            };
            let confirm = (!c.when.as_ref().is_some_and(told_apart)).then_some(&c.confirm);
            for n in confirm.into_iter().chain(&c.fail) {
                if forward.contains(n.name.as_str()) {
                    out.push(
                        saga.source
                            .diag_at(
                                "saga-confirm-ambiguous",
                                &n.ptr,
                                format!(
                                    "`{}` answers the compensation of step `{}`, but it is also a forward reply: a late forward reply would count as the compensation's outcome",
                                    n.name, s.id
                                ),
                            )
                            .with_help(
                                "give the compensation replies of its own (e.g. `…Restored`, `…Reverted`), or a `when` on `confirm` that only its confirmation meets",
                            ),
                    );
                }
            }
        }
    }
}

/// Per step, the branch cases it lies in: (branch node, case index), outermost first.
fn step_cases(saga: &Saga) -> Vec<Vec<(NodeId, usize)>> {
    fn go(
        saga: &Saga,
        ids: &[NodeId],
        path: &mut Vec<(NodeId, usize)>,
        out: &mut Vec<Vec<(NodeId, usize)>>,
    ) {
        for &id in ids {
            match saga.nodes.get(id) {
                Some(Node::Step(s)) => {
                    if let Some(o) = out.get_mut(*s) {
                        *o = path.clone();
                    }
                }
                Some(Node::Parallel { steps, .. }) => {
                    for &s in steps {
                        if let Some(o) = out.get_mut(s) {
                            *o = path.clone();
                        }
                    }
                }
                Some(Node::Branch(b)) => {
                    for (k, (_, case)) in b.cases.iter().enumerate() {
                        path.push((id, k));
                        go(saga, case, path, out);
                        path.pop();
                    }
                }
                None => {}
            }
        }
    }
    let mut out = vec![Vec::new(); saga.steps.len()];
    go(saga, &saga.top, &mut Vec::new(), &mut out);
    out
}

/// Compensations and branches wait too: without a timeout a lost answer leaves the
/// instance waiting forever.
fn timeouts(saga: &Saga, out: &mut Vec<Diagnostic>) {
    for s in &saga.steps {
        for c in &s.compensation {
            if c.timeout.is_none() {
                out.push(saga.source.diag_at(
                    "saga-timeout-missing",
                    &c.ptr,
                    format!(
                        "the compensation of step `{}` has no `timeout`: a lost `{}` leaves the rollback waiting forever",
                        s.id, c.confirm.name
                    ),
                ));
            }
        }
    }
    for n in &saga.nodes {
        if let Node::Branch(b) = n {
            // The saga-wide deadline bounds the wait for the choice.
            if b.timeout.is_none() && saga.deadline.is_none() {
                out.push(saga.source.diag_at(
                    "saga-timeout-missing",
                    &b.ptr,
                    format!(
                        "branch `{}` has no `timeout`: if `{}` never arrives the instance waits forever",
                        b.id, b.on.name
                    ),
                ));
            }
        }
    }
}

/// Whether every token of `ptr` is required along its path in the message's schema.
/// `None` when the message or the pointer is unknown.
pub(super) fn required_along(contract: &Contract, msg: &str, ptr: &str) -> Option<bool> {
    let tokens = pointer::parse(ptr)?;
    let (part, rest) = tokens.split_first()?;
    let (f, s) = contract.part(msg, part)?;
    Some(required_path(contract, f, s, rest, 0))
}

fn required_path(
    contract: &Contract,
    f: crate::source::FileId,
    s: &Value,
    path: &[String],
    depth: usize,
) -> bool {
    if depth > 32 {
        return false;
    }
    let Some((first, rest)) = path.split_first() else {
        return true;
    };
    let (f, _, s) = contract.ws.deref(f, s);
    let here = s
        .get("required")
        .and_then(Value::as_array)
        .is_some_and(|r| r.iter().any(|x| x.as_str() == Some(first.as_str())));
    let prop = s.get("properties").and_then(|p| p.get(first.as_str()));
    if here {
        if let Some(p) = prop {
            if required_path(contract, f, p, rest, depth + 1) {
                return true;
            }
        } else if rest.is_empty() {
            return true;
        }
    }
    // Required in one part of an `allOf`, or in every branch of a `oneOf`/`anyOf`.
    let all = s.get("allOf").and_then(Value::as_array);
    if all.is_some_and(|a| {
        a.iter()
            .any(|sub| required_path(contract, f, sub, path, depth + 1))
    }) {
        return true;
    }
    ["oneOf", "anyOf"].iter().any(|k| {
        s.get(*k).and_then(Value::as_array).is_some_and(|a| {
            !a.is_empty()
                && a.iter()
                    .all(|sub| required_path(contract, f, sub, path, depth + 1))
        })
    })
}

/// Branch, `when` and correlation pointers must exist in their messages' schemas; an
/// optional one is a warning (the instance cannot decide when it is absent).
fn pointers(saga: &Saga, contract: &Contract, out: &mut Vec<Diagnostic>) {
    // (message, pointer, where, what, whether the property may be absent by design:
    // an `exists` condition reads it)
    let mut uses: Vec<(&str, &str, &str, &str, bool)> = Vec::new();
    for st in &saga.start {
        if let Some(c) = &st.when {
            uses.push((
                &st.message.name,
                c.pointer(),
                &st.message.ptr,
                "the start condition",
                c.tests_presence(),
            ));
        }
    }
    for s in &saga.steps {
        if let Some(c) = &s.when {
            for n in &s.on {
                uses.push((
                    &n.name,
                    c.pointer(),
                    &s.ptr,
                    "the step's `when`",
                    c.tests_presence(),
                ));
            }
        }
        for k in &s.compensation {
            if let Some(c) = &k.only_if {
                for n in &s.on {
                    uses.push((
                        &n.name,
                        c.pointer(),
                        &k.ptr,
                        "the compensation's `if`",
                        c.tests_presence(),
                    ));
                }
            }
            if let Some(c) = &k.when {
                uses.push((
                    &k.confirm.name,
                    c.pointer(),
                    &k.ptr,
                    "the confirmation's `when`",
                    c.tests_presence(),
                ));
            }
        }
    }
    for n in &saga.nodes {
        if let Node::Branch(b) = n {
            uses.push((&b.on.name, &b.pointer, &b.ptr, "the branch", false));
        }
    }
    for (msg, p, at, what, may_be_absent) in uses {
        if contract.message(msg).is_none() {
            continue; // saga-message-unknown says so
        }
        if !contract.declares(msg, p) {
            let known = contract.declared_pointers(msg, 200);
            let names: Vec<&str> = known.iter().map(String::as_str).collect();
            let hint = crate::suggest::closest(p, &names)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            out.push(saga.source.diag_at(
                "saga-pointer-unknown",
                at,
                format!("{what} reads `{p}`, which the schema of `{msg}` does not declare{hint}"),
            ));
        } else if !may_be_absent && required_along(contract, msg, p) == Some(false) {
            out.push(saga.source.diag_at(
                "saga-pointer-optional",
                at,
                format!(
                    "{what} reads `{p}`, which is optional in `{msg}`: an event without it takes no case"
                ),
            ).with_help("make the property `required` in the message schema, or branch on one that always exists"));
        }
    }
    // The causation pointer: every reply must be able to carry it (it may be optional:
    // a reply without it is matched by its message type).
    if let Some(c) = &saga.causation {
        let mut missing: Vec<&str> = Vec::new();
        for st in &saga.steps {
            let fwd = st.send.is_some().then_some(st.on.iter().chain(&st.fail));
            let comp = st
                .compensation
                .iter()
                .flat_map(|k| std::iter::once(&k.confirm).chain(&k.fail));
            for n in fwd.into_iter().flatten().chain(comp) {
                if contract.message(&n.name).is_some()
                    && !contract.declares(&n.name, c)
                    && !missing.contains(&n.name.as_str())
                {
                    missing.push(&n.name);
                }
            }
        }
        if !missing.is_empty() {
            out.push(
                saga.source
                    .diag_at(
                        "saga-pointer-unknown",
                        "/causation",
                        format!(
                            "`causation` reads `{c}`, which the schema of {} does not declare: those replies cannot name the attempt they answer",
                            missing
                                .iter()
                                .map(|m| format!("`{m}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                    .with_help("declare the header (e.g. the CloudEvents extension `causationid`) in the replies' schemas"),
            );
        }
    }
    // The correlation key: optional in a message means that message can be lost to
    // every instance.
    let mut seen = BTreeSet::new();
    let mut optional = Vec::new();
    for (n, role) in saga.message_refs() {
        if role == super::format::Role::Emitted || !seen.insert(n.name.as_str()) {
            continue;
        }
        if contract.declares(&n.name, &saga.correlation)
            && required_along(contract, &n.name, &saga.correlation) == Some(false)
        {
            optional.push(n);
        }
    }
    // Optional in a few messages: one finding at each; in many, one at `correlation`
    // (the key is usually the wrong one then), saying whether any start message
    // requires it.
    if optional.len() <= 2 {
        for n in optional {
            out.push(saga.source.diag_at(
                "saga-pointer-optional",
                &n.ptr,
                format!(
                    "the correlation key `{}` is optional in `{}`: a message without it reaches no instance",
                    saga.correlation, n.name
                ),
            ).with_help("make the key `required` in the message schema"));
        }
    } else {
        let names: Vec<String> = optional.iter().map(|n| format!("`{}`", n.name)).collect();
        let shown = if names.len() > 6 {
            format!("{} and {} more", names[..6].join(", "), names.len() - 6)
        } else {
            names.join(", ")
        };
        let starts_optional = saga
            .start
            .iter()
            .all(|st| optional.iter().any(|n| n.name == st.message.name));
        let tail = if starts_optional {
            ": no start message requires it, so an instance may never start"
        } else {
            ": a message without it reaches no instance"
        };
        out.push(
            saga.source
                .diag_at(
                    "saga-pointer-optional",
                    "/correlation",
                    format!(
                        "the correlation key `{}` is optional in {} of the saga's messages ({shown}){tail}",
                        saga.correlation,
                        names.len()
                    ),
                )
                .with_help("correlate on a key every message requires (e.g. `/headers/correlationid`), or make this one `required`"),
        );
    }
}

/// A branch on an enumerated value must have a case for every value.
fn branches(saga: &Saga, contract: &Contract, out: &mut Vec<Diagnostic>) {
    for n in &saga.nodes {
        let Node::Branch(b) = n else { continue };
        let Some(values) = super::check::enum_at(contract, &b.on.name, &b.pointer) else {
            continue;
        };
        let cases: BTreeSet<&str> = b.cases.iter().map(|(k, _)| k.as_str()).collect();
        let missing: Vec<&str> = values
            .iter()
            .map(String::as_str)
            .filter(|v| !cases.contains(v))
            .collect();
        if !missing.is_empty() {
            out.push(
                saga.source
                    .diag_at(
                        "saga-branch-incomplete",
                        &pointer::push(&b.ptr, "cases"),
                        format!(
                            "branch `{}` has no case for {} of `{}` at `{}`: such an event fails the instance",
                            b.id,
                            missing
                                .iter()
                                .map(|m| format!("`{m}`"))
                                .collect::<Vec<_>>()
                                .join(", "),
                            b.on.name,
                            b.pointer
                        ),
                    )
                    .with_help("add a case for each value (an empty list of steps goes straight on)"),
            );
        }
    }
}

/// A command's step must not count a timeout as success, and a command the contract
/// marks non-idempotent (`x-hnp-idempotent: false`) must not be retried.
fn commands(saga: &Saga, contract: &Contract, out: &mut Vec<Diagnostic>) {
    for s in &saga.steps {
        let Some(cmd) = &s.send else { continue };
        if s.on_timeout == Some(OnTimeout::Complete) {
            out.push(saga.source.diag_at(
                "saga-timeout-complete-command",
                &pointer::push(&s.ptr, "onTimeout"),
                format!(
                    "step `{}` sends `{}` but completes on timeout: the command's outcome is unknown then, and the saga goes on as if it had succeeded",
                    s.id, cmd.name
                ),
            ).with_help("use `onTimeout: retry` (with an idempotent command) or `onTimeout: fail`; `complete` is for steps that only wait"));
        }
        let non_idempotent = s.idempotent.or_else(|| {
            contract
                .message(&cmd.name)
                .and_then(|(_, m)| m.get("x-hnp-idempotent"))
                .and_then(Value::as_bool)
        }) == Some(false);
        let retries = s.retry.max > 1 || s.on_timeout == Some(OnTimeout::Retry);
        if non_idempotent && retries {
            out.push(saga.source.diag_at(
                "saga-retry-not-idempotent",
                &s.ptr,
                format!(
                    "step `{}` retries `{}`, which {} non-idempotent: a retry after a lost reply applies it twice",
                    s.id,
                    cmd.name,
                    if s.idempotent == Some(false) {
                        "the step marks (`idempotent: false`)"
                    } else {
                        "the contract marks (`x-hnp-idempotent: false`)"
                    }
                ),
            ).with_help("fail instead of retrying (`onTimeout: fail`, `retry: {max: 1}`), or make the command idempotent (a deduplication key) and drop the mark"));
        }
        for c in &s.compensation {
            let non_idempotent = contract
                .message(&c.send.name)
                .and_then(|(_, m)| m.get("x-hnp-idempotent"))
                .and_then(Value::as_bool)
                == Some(false);
            if non_idempotent && c.retry.max > 1 {
                out.push(saga.source.diag_at(
                    "saga-retry-not-idempotent",
                    &c.ptr,
                    format!(
                        "the compensation of step `{}` retries `{}`, which the contract marks `x-hnp-idempotent: false`",
                        s.id, c.send.name
                    ),
                ));
            }
        }
    }
}

/// The steps that come after a pivot on every path (they only go forward: retried,
/// never compensated).
pub(crate) fn past_pivot(saga: &Saga) -> Vec<usize> {
    let mut past = Vec::new();
    pivots(
        saga,
        &saga.top,
        false,
        &mut None,
        &mut Vec::new(),
        &mut past,
    );
    past
}

/// After the pivot the saga only goes forward: a step that follows a pivot (on every
/// path) must not carry a compensation, which could never run in order; nor one that
/// follows a pivot on some path (a pivot inside a branch case): there its compensation
/// never runs and its failure cannot be undone. Returns whether every path through
/// `ids` passes a pivot; `some` names a path that passed one (for the message).
fn pivots(
    saga: &Saga,
    ids: &[NodeId],
    mut after: bool,
    some: &mut Option<String>,
    out: &mut Vec<Diagnostic>,
    past: &mut Vec<usize>,
) -> bool {
    for &id in ids {
        match saga.nodes.get(id) {
            Some(Node::Step(si)) => {
                after |= pivot_steps(saga, std::slice::from_ref(si), after, some, out, past)
            }
            Some(Node::Parallel { steps, .. }) => {
                after |= pivot_steps(saga, steps, after, some, out, past)
            }
            Some(Node::Branch(b)) => {
                // A branch passes a pivot when each of its cases does.
                let mut all = !b.cases.is_empty();
                let mut found: Option<String> = None;
                for (k, case) in &b.cases {
                    let mut inner = some.clone();
                    let a = pivots(saga, case, after, &mut inner, out, past);
                    all &= a;
                    if found.is_none() && !after {
                        found = if a && some.is_none() {
                            Some(format!("case `{k}` of branch `{}`", b.id))
                        } else if inner != *some {
                            inner
                        } else {
                            None
                        };
                    }
                }
                after |= all;
                if some.is_none() {
                    *some = found;
                }
            }
            None => {}
        }
    }
    after
}

/// The steps of one node (a step, or a parallel group), each checked: whether any of
/// them is the pivot.
fn pivot_steps(
    saga: &Saga,
    ids: &[usize],
    after: bool,
    some: &Option<String>,
    out: &mut Vec<Diagnostic>,
    past: &mut Vec<usize>,
) -> bool {
    let mut pivot = false;
    for &si in ids {
        let Some(s) = saga.steps.get(si) else {
            continue;
        };
        if after {
            past.push(si);
        }
        if after && !s.compensation.is_empty() {
            out.push(saga.source.diag_at(
                "saga-pivot-compensation",
                &s.compensation[0].ptr,
                format!(
                    "step `{}` comes after a pivot but has a compensation: past the pivot the saga only goes forward, so it can never run",
                    s.id
                ),
            ).with_help("move the step before the pivot, or drop its compensation and retry it until it succeeds"));
        } else if let (false, Some(path), false) = (after, some, s.compensation.is_empty()) {
            out.push(saga.source.diag_at(
                "saga-pivot-compensation",
                &s.compensation[0].ptr,
                format!(
                    "step `{}` has a compensation, but on the path through {path} it comes after the pivot: there the saga only goes forward, so its compensation never runs and its failure cannot be undone",
                    s.id
                ),
            ).with_help("move the step into the cases that need it (with its compensation where no pivot precedes it), or move the pivot after it"));
        }
        pivot |= s.pivot;
    }
    pivot
}

/// Whether a message name reads as a success (and not as a failure).
fn looks_successful(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    let success = [
        "completed",
        "succeeded",
        "success",
        "resolved",
        "applied",
        "done",
        "finished",
        "approved",
        "accepted",
    ];
    !looks_failed(name) && success.iter().any(|s| l.contains(s))
}

/// Whether a message name says something failed.
fn looks_failed(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    let failure = [
        "fail",
        "error",
        "abort",
        "reject",
        "cancel",
        "revert",
        "rollback",
        "rolledback",
        "compensat",
        "timeout",
        "timedout",
        "denied",
        "expired",
        "undone",
        "declin",
        "refus",
        "unsuccess",
        "halt",
        "stopped",
    ];
    failure.iter().any(|f| l.contains(f))
}

/// A saga that can fail must say so: `emits.onFailure` names a failure event (and
/// not the success event).
fn endings(saga: &Saga, out: &mut Vec<Diagnostic>) {
    let can_fail = saga.steps.iter().any(|s| {
        !s.fail.is_empty()
            || s.send.is_some()
            || matches!(s.on_timeout, Some(OnTimeout::Fail | OnTimeout::Retry))
    }) || saga
        .nodes
        .iter()
        .any(|n| matches!(n, Node::Branch(b) if b.timeout.is_some()));
    if can_fail && saga.emits_failure.is_empty() {
        let at = if saga.emits_complete.is_empty() {
            String::new()
        } else {
            "/emits".to_string()
        };
        out.push(
            saga.source
                .diag_at(
                    "saga-failure-event-missing",
                    &at,
                    format!(
                        "saga `{}` can fail, but `emits.onFailure` names no failure event: consumers never learn that a run failed",
                        saga.name
                    ),
                )
                .with_help("add `emits: {onFailure: <a failure event of the contract>}`"),
        );
    }
    let complete: BTreeSet<&str> = saga
        .emits_complete
        .iter()
        .map(|n| n.name.as_str())
        .collect();
    for n in &saga.emits_failure {
        if complete.contains(n.name.as_str()) || looks_successful(&n.name) {
            out.push(saga.source.diag_at(
                "saga-failure-event-missing",
                &n.ptr,
                format!(
                    "`{}` is emitted when the saga fails, but it reads as a success{}",
                    n.name,
                    if complete.contains(n.name.as_str()) {
                        " (it is also the `onComplete` event)"
                    } else {
                        ""
                    }
                ),
            ));
        } else if !looks_failed(&n.name) {
            out.push(
                saga.source
                    .diag_at(
                        "saga-failure-event-missing",
                        &n.ptr,
                        format!(
                            "`{}` is emitted when the saga fails, but nothing in its name says a run failed: consumers cannot tell a failed run from progress",
                            n.name
                        ),
                    )
                    .with_help("emit a failure event of the contract (`…Failed`, `…Aborted`, `…Cancelled`, `…Rejected`)"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::looks_successful;

    #[test]
    fn success_and_failure_names() {
        for s in ["SyncCompleted", "DriftResolved", "ResourcesApplied"] {
            assert!(looks_successful(s), "{s}");
        }
        for s in [
            "SyncFailed",
            "ApplyFailedAfterCompleted",
            "SyncAborted",
            "ReconciliationFailed",
            "Whatever",
        ] {
            assert!(!looks_successful(s), "{s}");
        }
        for s in [
            "SyncFailed",
            "OrderCancelled",
            "PaymentDeclined",
            "SyncAborted",
        ] {
            assert!(super::looks_failed(s), "{s}");
        }
        for s in ["SyncProgressed", "FabricStatusUpdated", "Whatever"] {
            assert!(!super::looks_failed(s), "{s}");
        }
    }
}
