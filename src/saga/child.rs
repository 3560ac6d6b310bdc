//! Child sagas as steps (`saga: PATH` on a step).
//!
//! A child saga is its own instance, started by one of its start messages, with its
//! own steps, timers and compensations; the parent sees only what crosses the
//! boundary: the start message it sends (the step's command) and the child's outcome
//! events (`emits.onComplete` complete the step, `emits.onFailure` fail it). That is
//! how a process manager runs a sub-process it does not own (Temporal's child
//! workflows, a routing slip's activity): the child's internals are its business, and
//! undoing a completed child is the parent's compensation of that step.
//!
//! `link` (at load) reads each child file, once per path, refusing cycles, and fills
//! the step's `send`, `on` and `fail` from it, so the engine, exploration and codegen
//! treat the step as any command step. `check` (static) reports what cannot work:
//! a child without outcome events, a start message the child does not start on, a
//! read-only mark on a child that changes state, and a parent timeout shorter than the
//! child's deadline. `sim::load` (for `validate` and `simulate`) adds every child to
//! the sagas it loads, so a child is checked, and run over the same stream, with its
//! parent.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use super::format::{Named, OnTimeout, Saga};
use crate::diag::{Diagnostic, Severity};

/// How deep child sagas may nest (a parent, its child, the child's child, …).
pub const MAX_DEPTH: usize = 8;

/// Read every child saga the steps name and fill the steps from them. `stack` holds
/// the canonical paths of the sagas being loaded (the parent first): a child already
/// on it is a cycle. Problems are `saga-child-invalid` / `saga-child-cycle`
/// diagnostics located at the step's `saga:`.
pub fn link(saga: &mut Saga, display: &str, stack: &mut Vec<PathBuf>, diags: &mut Vec<Diagnostic>) {
    let base = saga
        .source
        .path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut loaded: Vec<(PathBuf, Arc<Saga>)> = Vec::new();
    for si in 0..saga.steps.len() {
        let Some(child) = saga.steps[si].child.clone() else {
            continue;
        };
        let path = base.join(&child.path);
        let canonical = match std::fs::canonicalize(&path) {
            Ok(p) => p,
            Err(e) => {
                diags.push(saga.source.diag_at(
                    "saga-child-invalid",
                    &child.ptr,
                    format!("cannot read the child saga `{}`: {e}", child.path),
                ));
                continue;
            }
        };
        if let Some(at) = stack.iter().position(|p| *p == canonical) {
            let cycle: Vec<String> = stack[at..]
                .iter()
                .chain(std::iter::once(&canonical))
                .map(|p| {
                    p.file_name()
                        .map(|f| f.to_string_lossy().into_owned())
                        .unwrap_or_default()
                })
                .collect();
            diags.push(
                saga.source
                    .diag_at(
                        "saga-child-cycle",
                        &child.ptr,
                        format!(
                            "the child saga `{}` runs this saga again: {}",
                            child.path,
                            cycle.join(" → ")
                        ),
                    )
                    .with_help("a saga cannot contain itself; break the cycle"),
            );
            continue;
        }
        if stack.len() >= MAX_DEPTH {
            diags.push(saga.source.diag_at(
                "saga-child-invalid",
                &child.ptr,
                format!(
                    "child sagas nest deeper than {MAX_DEPTH} levels at `{}`",
                    child.path
                ),
            ));
            continue;
        }
        let c = if let Some((_, c)) = loaded.iter().find(|(p, _)| *p == canonical) {
            Arc::clone(c)
        } else {
            let shown = join_display(display, &child.path);
            stack.push(canonical.clone());
            let r = super::load_nested(&path, Arc::from(shown.as_str()), stack);
            stack.pop();
            match r {
                Ok(c) => {
                    let c = Arc::new(c);
                    loaded.push((canonical, Arc::clone(&c)));
                    c
                }
                Err(inner) => {
                    let first = inner
                        .iter()
                        .find(|d| d.severity == Severity::Error)
                        .or(inner.first());
                    let mut d = saga.source.diag_at(
                        "saga-child-invalid",
                        &child.ptr,
                        format!("the child saga `{}` cannot be loaded", child.path),
                    );
                    if let Some(f) = first {
                        d = d.with_related(f.location.clone(), f.message.clone());
                    }
                    diags.push(d);
                    diags.extend(inner);
                    continue;
                }
            }
        };
        fill(saga, si, &c);
    }
}

/// Fill step `si` from its loaded child.
fn fill(saga: &mut Saga, si: usize, c: &Arc<Saga>) {
    let st = &mut saga.steps[si];
    let Some(child) = st.child.as_mut() else {
        return;
    };
    let at = child.ptr.clone();
    let named = |n: &Named| Named {
        name: n.name.clone(),
        ptr: at.clone(),
    };
    if st.send.is_none() {
        let starts: BTreeSet<&str> = c.start.iter().map(|s| s.message.name.as_str()).collect();
        if starts.len() == 1 {
            st.send = c.start.first().map(|s| named(&s.message));
        }
    }
    st.on = c.emits_complete.iter().map(named).collect();
    st.fail = c.emits_failure.iter().map(named).collect();
    if !child.read_only_given {
        st.read_only = state_free(c);
    }
    child.saga = Some(Arc::clone(c));
}

/// Whether a step's child saga (or a child of it) sends one of `commands` on its
/// forward path.
pub fn sends_any(step: &super::format::Step, commands: &BTreeSet<String>) -> bool {
    fn go(c: &Saga, commands: &BTreeSet<String>, depth: usize) -> bool {
        depth <= MAX_DEPTH
            && c.steps.iter().any(|s| {
                s.send.as_ref().is_some_and(|n| commands.contains(&n.name))
                    || s.child
                        .as_ref()
                        .and_then(|ch| ch.saga.as_ref())
                        .is_some_and(|cc| go(cc, commands, depth + 1))
            })
    }
    step.child
        .as_ref()
        .and_then(|ch| ch.saga.as_ref())
        .is_some_and(|c| go(c, commands, 0))
}

/// Whether a saga changes nothing: every step read-only.
fn state_free(c: &Saga) -> bool {
    c.steps.iter().all(|s| s.read_only)
}

/// Whether a saga can end failed: a step that fails (a failure event, a timeout that
/// fails or retries until exhausted), a branch, an abort event or a deadline.
fn can_fail(c: &Saga) -> bool {
    !c.abort_on.is_empty()
        || c.deadline.is_some()
        || c.nodes
            .iter()
            .any(|n| matches!(n, super::format::Node::Branch(b) if b.timeout.is_some()))
        || c.steps.iter().any(|s| {
            !s.fail.is_empty()
                || matches!(s.on_timeout, Some(OnTimeout::Fail | OnTimeout::Retry))
                || (s.timeout.is_some() && s.on_timeout.is_none())
        })
}

/// The display path of a child: the parent's folder joined with the path as written,
/// `a/../` folded.
fn join_display(parent: &str, child: &str) -> String {
    let base = Path::new(parent).parent().unwrap_or(Path::new(""));
    let mut out: Vec<Component<'_>> = Vec::new();
    let joined = base.join(child);
    for c in joined.components() {
        match c {
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c),
        }
    }
    let p: PathBuf = out.iter().collect();
    p.to_string_lossy().into_owned()
}

/// Static checks of the steps that run a child saga.
pub fn check(saga: &Saga) -> Vec<Diagnostic> {
    let src = &saga.source;
    let mut out = Vec::new();
    for st in &saga.steps {
        let Some(child) = &st.child else { continue };
        let Some(c) = &child.saga else { continue };
        let name = &c.name;
        if c.emits_complete.is_empty() {
            out.push(
                src.diag_at(
                    "saga-child-outcome",
                    &child.ptr,
                    format!("the child saga `{name}` emits no `onComplete` event: step `{}` can never see it complete", st.id),
                )
                .with_related(c.source.locate(""), "the child saga")
                .with_help("declare `emits: {onComplete: [...]}` in the child: its outcome is what the parent waits for"),
            );
        }
        if c.emits_failure.is_empty() && can_fail(c) {
            out.push(
                src.diag_at(
                    "saga-child-outcome",
                    &child.ptr,
                    format!("the child saga `{name}` can fail but emits no `onFailure` event: step `{}` would wait for its timeout instead of compensating at once", st.id),
                )
                .with_related(c.source.locate(""), "the child saga")
                .with_help("declare `emits: {onFailure: [...]}` in the child (a failure event)"),
            );
        }
        if c.correlation != saga.correlation {
            out.push(
                src.diag_at(
                    "saga-child-correlation",
                    &child.ptr,
                    format!(
                        "the child saga `{name}` reads its key at `{}`, this saga at `{}`: the child runs under the id of the command that starts it, and its outcome comes back under that key, so both must read it at the same pointer",
                        c.correlation, saga.correlation
                    ),
                )
                .with_related(c.source.locate("/correlation"), "the child's correlation"),
            );
        }
        let starts: BTreeSet<&str> = c.start.iter().map(|s| s.message.name.as_str()).collect();
        match &st.send {
            Some(s) if child.send_given && !starts.contains(s.name.as_str()) => {
                out.push(
                    src.diag_at(
                        "saga-child-start",
                        &s.ptr,
                        format!(
                            "`{}` does not start the child saga `{name}` (it starts on {})",
                            s.name,
                            list(&starts)
                        ),
                    )
                    .with_help("`send` on a child-saga step names the start message the parent sends"),
                );
            }
            None => out.push(
                src.diag_at(
                    "saga-child-start",
                    &child.ptr,
                    format!(
                        "the child saga `{name}` starts on {}: write `send` to say which the step sends",
                        list(&starts)
                    ),
                ),
            ),
            _ => {}
        }
        if child.read_only_given && st.read_only && !state_free(c) {
            let changing: Vec<&str> = c
                .steps
                .iter()
                .filter(|s| !s.read_only)
                .map(|s| s.id.as_str())
                .collect();
            out.push(
                src.diag_at(
                    "saga-child-readonly",
                    &format!("{}/readOnly", st.ptr),
                    format!(
                        "step `{}` is marked `readOnly`, but its child saga `{name}` changes state (steps {})",
                        st.id,
                        changing.join(", ")
                    ),
                )
                .with_help("a completed child's effects stay when the parent gives up: drop `readOnly` and give the step a compensation that undoes the child"),
            );
        }
        if let (Some(t), Some(d)) = (st.timeout, c.deadline) {
            if t < d {
                out.push(
                    src.diag_at(
                        "saga-child-timeout",
                        &format!("{}/timeout", st.ptr),
                        format!(
                            "step `{}` gives up after {} but its child saga `{name}` may run until its deadline, {}: the parent compensates while the child still works",
                            st.id,
                            super::duration::show_ms(t),
                            super::duration::show_ms(d)
                        ),
                    )
                    .with_help("give the step a timeout at least the child's deadline (and time for its compensations)"),
                );
            }
        }
    }
    out
}

fn list(names: &BTreeSet<&str>) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
