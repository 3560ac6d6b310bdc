//! Missing sagas: an operation that starts a chain of two or more commands (through
//! `x-hnp-emits`, replies and the operations that consume them) is a multi-step
//! workflow; unless a saga file coordinates it, a failure halfway leaves the first
//! steps' effects behind with nothing to undo them. Each such operation is one
//! `saga_completeness` item.
//!
//! Linear in the operations and their links: the commands each operation leads to are
//! gathered once per strongly connected component, in reverse topological order, and
//! kept to the first [`KEEP`] of each (a bounded merge per link).

use std::collections::{HashMap, HashSet};

use super::flow::is_command;
use super::util::{Item, message_name};
use crate::classify::{Naming, Row, naming_with};
use crate::gates::verbs::Verbs;
use crate::model::{Action, Model, Src, Verb};
use crate::saga::Saga;

/// How many commands of a chain are kept (and named): enough to judge coverage and say
/// what the chain is, bounded so the merge along every link stays constant work.
const KEEP: usize = 16;

/// One reached command: its name and the operation that leads to it.
#[derive(Clone)]
struct Reached {
    command: String,
    via: usize,
}

fn push(set: &mut Vec<Reached>, r: Reached) {
    if set.len() < KEEP && !set.iter().any(|x| x.command == r.command) {
        set.push(r);
    }
}

/// Every operation that starts a chain of two or more commands, as a
/// `saga_completeness` item: it passes when some saga file sends (as a step or a
/// compensation) at least two of the chain's commands.
pub fn missing_sagas(model: &Model, rows: &[Row], sagas: &[Saga], verbs: &Verbs) -> Vec<Item> {
    // Which messages are commands: the messages of operations that classify calls a
    // command (or a request, or the handler of one), and imperative names.
    let mut command_names: HashSet<String> = HashSet::new();
    for row in rows.iter().filter(|r| is_command(r)) {
        let Some(doc) = model.documents.get(row.doc) else {
            continue;
        };
        let Some(op) = doc.operations.get(row.op) else {
            continue;
        };
        if matches!(op.verb, Verb::Http { .. }) {
            continue;
        }
        for m in op.messages.iter().filter_map(|&i| doc.messages.get(i)) {
            command_names.insert(message_name(m));
        }
    }
    let is_cmd =
        |name: &str| command_names.contains(name) || naming_with(name, verbs) == Naming::Imperative;
    // Receivers by where a message lives, for the replies' consumers.
    let mut index: HashMap<(usize, usize), usize> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        index.insert((r.doc, r.op), i);
    }
    let mut receivers: HashMap<&Src, Vec<usize>> = HashMap::new();
    for (di, doc) in model.documents.iter().enumerate() {
        for (oi, op) in doc.operations.iter().enumerate() {
            if op.action != Some(Action::Receive) {
                continue;
            }
            let Some(&ri) = index.get(&(di, oi)) else {
                continue;
            };
            for m in op.messages.iter().filter_map(|&i| doc.messages.get(i)) {
                receivers.entry(&m.src).or_default().push(ri);
            }
        }
    }
    let mut by_id: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        by_id.entry(r.id.as_str()).or_default().push(i);
    }
    // Per operation: the commands it leads to itself, and the operations that consume
    // what it leads to (its messages and `x-hnp-emits`, and its `reply`'s messages).
    let mut own: Vec<Vec<String>> = Vec::with_capacity(rows.len());
    // Whether the operation's own commands are a declared sequence (`x-hnp-emits`), not
    // the alternatives of what it sends (a `oneOf` of requests is one command at a time).
    let mut declared: Vec<bool> = Vec::with_capacity(rows.len());
    let mut adj: Vec<Vec<usize>> = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let mut cmds: Vec<String> = Vec::new();
        let mut next: Vec<usize> = r
            .consumers
            .iter()
            .flat_map(|c| by_id.get(c.as_str()).cloned().unwrap_or_default())
            .collect();
        for e in &r.emits {
            if is_cmd(e) && !cmds.contains(e) {
                cmds.push(e.clone());
            }
        }
        let op = model
            .documents
            .get(r.doc)
            .and_then(|d| d.operations.get(r.op).map(|o| (d, o)));
        declared.push(op.is_some_and(|(_, o)| o.extensions.iter().any(|e| e.key == "x-hnp-emits")));
        if let Some((doc, op)) = op {
            if let Some(reply) = &op.reply {
                for m in reply.messages.iter().filter_map(|&j| doc.messages.get(j)) {
                    let name = message_name(m);
                    if is_cmd(&name) && !cmds.contains(&name) {
                        cmds.push(name);
                    }
                    next.extend(receivers.get(&m.src).into_iter().flatten().copied());
                }
            }
        }
        next.retain(|&j| j != i);
        next.sort_unstable();
        next.dedup();
        own.push(cmds);
        adj.push(next);
    }
    // Tarjan's components come sinks first: what a component reaches is known when it
    // is reached.
    let sccs = super::flow::strongly_connected(&adj);
    let mut comp = vec![0usize; rows.len()];
    for (c, scc) in sccs.iter().enumerate() {
        for &v in scc {
            comp[v] = c;
        }
    }
    let mut reach: Vec<Vec<Reached>> = vec![Vec::new(); sccs.len()];
    for (c, scc) in sccs.iter().enumerate() {
        let mut set = Vec::new();
        let mut members: Vec<usize> = scc.clone();
        members.sort_unstable();
        for &v in &members {
            for cmd in &own[v] {
                push(
                    &mut set,
                    Reached {
                        command: cmd.clone(),
                        via: v,
                    },
                );
            }
        }
        for &v in &members {
            for &w in &adj[v] {
                if comp[w] != c {
                    for r in &reach[comp[w]] {
                        push(&mut set, r.clone());
                    }
                }
            }
        }
        reach[c] = set;
    }
    // Starts: operations that lead to a command themselves and reach two or more; one
    // downstream of another start is part of that start's chain (one finding per
    // workflow). Components in topological order (the reverse of Tarjan's).
    // The chain is a sequence: two commands listed in `x-hnp-emits`, or a command
    // reached through another operation (the alternatives one operation sends are not).
    // An operation that only sends commands another operation lists in its `x-hnp-emits`
    // sends them on that operation's behalf: the chain is that operation's.
    let listed: HashSet<&str> = (0..rows.len())
        .filter(|&v| declared[v])
        .flat_map(|v| own[v].iter().map(String::as_str))
        .collect();
    let candidate = |v: usize| {
        let chain = &reach[comp[v]];
        let on_behalf = !declared[v] && own[v].iter().all(|c| listed.contains(c.as_str()));
        !own[v].is_empty()
            && !on_behalf
            && chain.len() >= 2
            && ((declared[v] && own[v].len() >= 2) || chain.iter().any(|r| r.via != v))
    };
    let mut downstream = vec![false; sccs.len()];
    for c in (0..sccs.len()).rev() {
        let has_start = sccs[c].iter().any(|&v| candidate(v));
        let mark = downstream[c] || has_start;
        if !mark {
            continue;
        }
        for &v in &sccs[c] {
            for &w in &adj[v] {
                if comp[w] != c {
                    downstream[comp[w]] = true;
                }
            }
        }
    }
    let sent: Vec<HashSet<&str>> = sagas
        .iter()
        .map(|s| {
            s.steps
                .iter()
                .flat_map(|st| {
                    st.send
                        .iter()
                        .chain(st.compensation.iter().map(|c| &c.send))
                        .map(|n| n.name.as_str())
                })
                .collect()
        })
        .collect();
    let mut items = Vec::new();
    for scc in &sccs {
        let c = comp[scc[0]];
        if downstream[c] {
            continue;
        }
        let Some(start) = scc.iter().copied().filter(|&v| candidate(v)).min() else {
            continue;
        };
        let row = &rows[start];
        let Some(op) = model
            .documents
            .get(row.doc)
            .and_then(|d| d.operations.get(row.op))
        else {
            continue;
        };
        let chain = &reach[c];
        let covered = sent.iter().any(|s| {
            chain
                .iter()
                .filter(|r| s.contains(r.command.as_str()))
                .count()
                >= 2
        });
        let miss = (!covered).then(|| {
            let mut parts: Vec<String> = Vec::new();
            for r in chain {
                if r.via == start {
                    parts.push(r.command.clone());
                } else {
                    parts.push(format!("{} (via `{}`)", r.command, rows[r.via].id));
                }
            }
            format!(
                "operation `{}` starts a chain of {}{} commands ({}) that no saga file coordinates",
                row.id,
                if chain.len() >= KEEP { "at least " } else { "" },
                chain.len(),
                parts.join(" → ")
            )
        });
        items.push(Item::check(
            op.src.clone(),
            miss,
            "a workflow of several commands needs a saga: write a `*.saga.yaml` whose steps send them (with compensations, timeouts and failure events) and list it under `sagas:` in hnp-events.yaml",
        ));
    }
    items
}
