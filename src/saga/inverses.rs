//! Static checks of what undoes what: a compensation must undo its own step's command,
//! and a step marked `readOnly` must not send a command that something undoes.
//!
//! The evidence is declared, never guessed from names: the contract's
//! `x-hnp-compensates` (on a compensation command's message, or on an operation that
//! sends it: AsyncAPI 3 `operations` or a 2.x `publish` / `subscribe`) names the
//! commands it undoes (an entry naming no message is `saga-compensates-unknown`); a non-idempotent mark
//! (`x-hnp-idempotent: false`) says a command changes state; and the saga itself says
//! so when it compensates the same command on another step, or sends it as a
//! compensation. Without such declarations nothing is reported.

use std::collections::BTreeSet;

use serde_json::Value;

use super::contract::Contract;
use super::format::Saga;
use crate::diag::Diagnostic;
use crate::source::pointer;

/// The checks of this module, for one saga against its contract.
pub fn check(saga: &Saga, contract: &Contract, out: &mut Vec<Diagnostic>) {
    unknown(contract, out);
    mismatched(saga, contract, out);
    read_only(saga, contract, out);
}

/// An `x-hnp-compensates` entry that names no message of the contract (a typo, a
/// renamed command, a `$ref` to nothing): the declaration is ignored, so the checks it
/// feeds see no inverse there. Located at the entry, in the contract.
fn unknown(contract: &Contract, out: &mut Vec<Diagnostic>) {
    let known: Vec<&str> = contract.messages.keys().map(String::as_str).collect();
    for (file, at, what) in &contract.compensates_unknown {
        let hint = crate::suggest::closest(what, &known)
            .map(|s| format!("did you mean `{s}`? "))
            .unwrap_or_default();
        out.push(
            contract
                .ws
                .file(*file)
                .diag_at(
                    "saga-compensates-unknown",
                    at,
                    format!(
                        "`x-hnp-compensates` names `{what}`, which is no message of the contract: this inverse is ignored"
                    ),
                )
                .with_help(format!(
                    "{hint}name the command this one undoes by its message name (a key of `components/messages`) or by a `$ref` to it"
                )),
        );
    }
}

fn names(set: &BTreeSet<String>) -> String {
    set.iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// A compensation whose command the contract declares the inverse of other commands
/// than the one its step sends: compensations attached to the wrong step (two steps'
/// compensations swapped, a copy-paste from a neighbour).
fn mismatched(saga: &Saga, contract: &Contract, out: &mut Vec<Diagnostic>) {
    for s in &saga.steps {
        // An unknown command is `saga-message-unknown` already.
        let Some(cmd) = s
            .send
            .as_ref()
            .filter(|n| contract.messages.contains_key(&n.name))
        else {
            continue;
        };
        for c in &s.compensation {
            let Some(undoes) = contract.compensates.get(&c.send.name) else {
                continue;
            };
            // A child saga's step undoes what the child did: a command the child sends.
            if undoes.contains(&cmd.name) || super::child::sends_any(s, undoes) {
                continue;
            }
            let owners: Vec<String> = saga
                .steps
                .iter()
                .filter(|o| o.send.as_ref().is_some_and(|n| undoes.contains(&n.name)))
                .map(|o| format!("`{}`", o.id))
                .collect();
            let inverse: Vec<String> = contract
                .compensates
                .iter()
                .filter(|(_, u)| u.contains(&cmd.name))
                .map(|(k, _)| format!("`{k}`"))
                .collect();
            let mut help = Vec::new();
            if !owners.is_empty() {
                help.push(format!(
                    "attach it to the step that sends {} ({})",
                    names(undoes),
                    owners.join(", ")
                ));
            }
            if !inverse.is_empty() {
                help.push(format!(
                    "the contract's inverse of `{}` is {}",
                    cmd.name,
                    inverse.join(" or ")
                ));
            }
            if help.is_empty() {
                help.push(format!(
                    "compensate step `{}` with a command that undoes `{}`, or add `{}` to `{}`'s `x-hnp-compensates` in the contract if it does undo it",
                    s.id, cmd.name, cmd.name, c.send.name
                ));
            }
            out.push(
                saga.source
                    .diag_at(
                        "saga-compensation-mismatch",
                        &c.send.ptr,
                        format!(
                            "the compensation of step `{}` sends `{}`, which undoes {} (the contract's `x-hnp-compensates`), but the step sends `{}`: its effect would not be undone, and another step's would",
                            s.id,
                            c.send.name,
                            names(undoes),
                            cmd.name
                        ),
                    )
                    .with_help(help.join("; ")),
            );
        }
    }
}

/// A step marked `readOnly: true` (needs no compensation) whose command changes
/// state by the contract's or the saga's own account.
fn read_only(saga: &Saga, contract: &Contract, out: &mut Vec<Diagnostic>) {
    for s in saga.steps.iter().filter(|s| s.read_only) {
        let Some(cmd) = &s.send else { continue };
        let mut why: Vec<String> = Vec::new();
        let undone_by: Vec<String> = contract
            .compensates
            .iter()
            .filter(|(_, u)| u.contains(&cmd.name))
            .map(|(k, _)| format!("`{k}`"))
            .collect();
        if !undone_by.is_empty() {
            why.push(format!(
                "the contract declares {} its inverse (`x-hnp-compensates`)",
                undone_by.join(" and ")
            ));
        }
        if let Some(u) = contract.compensates.get(&cmd.name) {
            why.push(format!(
                "the contract declares it undoes {} (`x-hnp-compensates`)",
                names(u)
            ));
        }
        if contract
            .message(&cmd.name)
            .and_then(|(_, m)| m.get("x-hnp-idempotent"))
            .and_then(Value::as_bool)
            == Some(false)
        {
            why.push("the contract marks it `x-hnp-idempotent: false`".to_string());
        }
        for o in &saga.steps {
            if o.id != s.id
                && !o.compensation.is_empty()
                && o.send.as_ref().is_some_and(|n| n.name == cmd.name)
            {
                why.push(format!("step `{}` sends it with a compensation", o.id));
            }
            if o.compensation.iter().any(|c| c.send.name == cmd.name) {
                why.push(format!("it is the compensation of step `{}`", o.id));
            }
        }
        if why.is_empty() {
            continue;
        }
        out.push(
            saga.source
                .diag_at(
                    "saga-readonly-state-change",
                    &pointer::push(&s.ptr, "readOnly"),
                    format!(
                        "step `{}` is marked `readOnly: true`, but `{}` changes state: {}; when the saga gives up after this step, its effect is never undone",
                        s.id,
                        cmd.name,
                        why.join("; ")
                    ),
                )
                .with_help(if undone_by.is_empty() {
                    "drop `readOnly` and give the step a compensation (or `pivot: true` if it cannot be undone)".to_string()
                } else {
                    format!(
                        "drop `readOnly` and compensate the step with {}",
                        undone_by.join(" or ")
                    )
                }),
        );
    }
}
