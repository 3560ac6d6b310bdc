//! Saga modules: the template context of one module per saga file (state enum, tables
//! for the runtime's transition function, compensation hooks) and the scenarios of its
//! generated tests. The scenarios are derived from the saga definition and run through
//! the simulator's engine at generation time, so the generated tests assert what
//! `hnp-events simulate` does with the same events.

use serde_json::{Map, Value, json};

use super::Lang;
use super::names::{Namer, pascal, py_escape, rust_escape, screaming, snake};
use crate::saga::engine::{self, Final, What};
use crate::saga::format::{Node, NodeId, OnTimeout, Saga, StepId};
use crate::saga::stream::Event;

/// One input of a scenario: an event (with the body fields the saga reads) or a timer.
#[derive(Debug, Clone)]
struct Input {
    /// `None`: the timer of what the instance waits for fires.
    message: Option<String>,
    /// Fields the saga reads (`when`, branch pointers), as a `{headers, payload}` body.
    body: Option<Value>,
    /// After an event: how long until the next input may come (a retry's backoff).
    wait: u64,
    /// For a timer: how long after the activation it fires.
    timer: u64,
    /// For the timer of one step of a parallel group: that step.
    step: Option<StepId>,
    /// For a timer: the saga-wide deadline (`timer` then is how long after the start).
    deadline: bool,
    /// A reply naming (by causation) an attempt other than the one in flight: neither
    /// the engine nor the runtime takes it (`Stale`, the instance unchanged).
    stale: bool,
    /// A reply naming (by causation) another instance's command: `Foreign`, the
    /// instance unchanged.
    foreign: bool,
}

impl Input {
    fn event(message: &str, body: Option<Value>) -> Input {
        Input {
            message: Some(message.to_string()),
            body,
            wait: 0,
            timer: 0,
            step: None,
            deadline: false,
            stale: false,
            foreign: false,
        }
    }

    fn timeout(ms: u64) -> Input {
        Input {
            message: None,
            body: None,
            wait: 0,
            timer: ms,
            step: None,
            deadline: false,
            stale: false,
            foreign: false,
        }
    }
}

/// A scenario of a generated test, with what the engine made of it.
#[derive(Debug, Clone)]
struct Scenario {
    name: String,
    doc: String,
    inputs: Vec<Input>,
    /// completed | compensated | failed
    state: &'static str,
    /// `send X` / `compensate X` / `emit X`, in order.
    log: Vec<String>,
}

/// Set the value at a `/headers/..` or `/payload/..` pointer in a body.
fn set_at(body: &mut Value, ptr: &str, v: Value) {
    let Some(tokens) = crate::source::pointer::parse(ptr) else {
        return;
    };
    let mut cur = body;
    for (i, t) in tokens.iter().enumerate() {
        if !cur.is_object() {
            *cur = Value::Object(Map::new());
        }
        let Some(m) = cur.as_object_mut() else { return };
        if i + 1 == tokens.len() {
            m.insert(t.clone(), v);
            return;
        }
        cur = m
            .entry(t.clone())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

fn body_with(ptr: &str, v: &Value) -> Value {
    let mut b = Value::Object(Map::new());
    set_at(&mut b, ptr, v.clone());
    b
}

/// A body that meets a `when` (`None`: one without the field does, or none is found).
fn cond_body(c: &crate::saga::cond::Cond) -> Option<Value> {
    match c.example()? {
        crate::saga::cond::Example::Set(p, v) => Some(body_with(&p, &v)),
        crate::saga::cond::Example::Absent(_) => None,
    }
}

/// A condition in a doc comment: `` `/payload/x` = `"True"` `` for `equals`.
fn cond_doc(c: &crate::saga::cond::Cond) -> String {
    match c {
        crate::saga::cond::Cond::Equals { pointer, value } => format!("`{pointer}` = `{value}`"),
        c => format!("`{}`", c.describe()),
    }
}

/// Remove the value at a pointer from a body, if there.
fn remove_at(body: &mut Value, ptr: &str) {
    let Some((parent, last)) = ptr.rsplit_once('/') else {
        return;
    };
    let last = last.replace("~1", "/").replace("~0", "~");
    if let Some(Value::Object(m)) = body.pointer_mut(parent) {
        m.remove(&last);
    }
}

/// Add what a condition needs to hold to a body (unless the body has the field).
fn meet(body: &mut Option<Value>, c: &crate::saga::cond::Cond) {
    if let Some(crate::saga::cond::Example::Set(p, v)) = c.example() {
        let b = body.get_or_insert_with(|| json!({}));
        if b.pointer(&p).is_none() {
            set_at(b, &p, v);
        }
    }
}

/// The value an event carries at a capture pointer in the generated tests: the capture's
/// name and where it was read (`fabricId@start`), so that a value captured again is told
/// from the earlier one.
fn captured_value(name: &str, from: &str) -> Value {
    Value::String(format!("{name}@{from}"))
}

/// Add the values a capture reads to a body (unless the body has the field).
fn with_captures(
    mut body: Option<Value>,
    caps: &[crate::saga::format::Capture],
    from: &str,
) -> Option<Value> {
    for c in caps {
        let b = body.get_or_insert_with(|| json!({}));
        if b.pointer(&c.pointer).is_none() {
            set_at(b, &c.pointer, captured_value(&c.name, from));
        }
    }
    body
}

/// The body of the event that completes a step: it meets the step's `when` and its
/// compensations' `if`, and carries what the step captures.
fn completion_body(saga: &Saga, s: StepId) -> Option<Value> {
    let st = &saga.steps[s];
    let mut body = st.when.as_ref().and_then(cond_body);
    for c in st.compensation.iter().filter_map(|c| c.only_if.as_ref()) {
        meet(&mut body, c);
    }
    with_captures(body, &st.capture, &st.id)
}

/// The input that completes a step on the happy path.
fn completion(saga: &Saga, s: StepId) -> Vec<Input> {
    let st = &saga.steps[s];
    match st.on.first() {
        Some(on) => vec![Input::event(&on.name, completion_body(saga, s))],
        None => vec![Input::timeout(st.timeout.unwrap_or(0))],
    }
}

/// A unit of a path: the inputs that get one step (or branch) done.
#[derive(Debug, Clone)]
struct Unit {
    step: Option<StepId>,
    inputs: Vec<Input>,
    /// In a parallel group, other steps of the group are still in flight: their timers
    /// would fire too, so this step's timer cannot be used on its own.
    siblings_running: bool,
}

/// Walk the nodes, choosing case `choice(branch index)` at each branch.
fn walk(
    saga: &Saga,
    nodes: &[NodeId],
    choice: &mut dyn FnMut(usize) -> usize,
    out: &mut Vec<Unit>,
) {
    for &n in nodes {
        match &saga.nodes[n] {
            Node::Step(s) => out.push(Unit {
                step: Some(*s),
                inputs: completion(saga, *s),
                siblings_running: false,
            }),
            Node::Parallel { steps, .. } => {
                // Steps completed by an event first; those completed by their timer
                // last, in the order their timers fire.
                let mut order: Vec<StepId> = steps.clone();
                order.sort_by_key(|&s| {
                    let st = &saga.steps[s];
                    if st.on.is_empty() {
                        1 + st.timeout.unwrap_or(0)
                    } else {
                        0
                    }
                });
                for (i, &s) in order.iter().enumerate() {
                    let mut inputs = completion(saga, s);
                    for x in &mut inputs {
                        if x.message.is_none() {
                            x.step = Some(s);
                        }
                    }
                    out.push(Unit {
                        step: Some(s),
                        inputs,
                        siblings_running: i + 1 < order.len(),
                    });
                }
            }
            Node::Branch(b) => {
                let k = choice(n).min(b.cases.len().saturating_sub(1));
                let Some((value, case)) = b.cases.get(k) else {
                    continue;
                };
                out.push(Unit {
                    step: None,
                    siblings_running: false,
                    inputs: vec![Input::event(
                        &b.on.name,
                        Some(body_with(&b.pointer, &Value::String(value.clone()))),
                    )],
                });
                walk(saga, case, choice, out);
            }
        }
    }
}

/// The first start message (with a body that meets its `when`).
fn start_input(saga: &Saga) -> Input {
    let st = &saga.start[0];
    let body = with_captures(st.when.as_ref().and_then(cond_body), &st.capture, "start");
    Input::event(&st.message.name, body)
}

/// The engine's events for a list of inputs (timers become gaps in time).
fn to_events(saga: &Saga, inputs: &[Input]) -> Vec<Event> {
    let mut out = Vec::new();
    let mut t: i64 = 1_000;
    for (i, x) in inputs.iter().enumerate() {
        let Some(message) = &x.message else {
            t = t.saturating_add(crate::saga::duration::signed(x.timer));
            continue;
        };
        t += 1;
        let mut body = x.body.clone().unwrap_or_else(|| json!({}));
        set_at(&mut body, &saga.correlation, json!("instance-1"));
        set_at(&mut body, &saga.idempotency, json!(format!("event-{i}")));
        out.push(Event {
            line: 0,
            offset: 0,
            time: t,
            message: message.clone(),
            headers: body.get("headers").cloned().unwrap_or_else(|| json!({})),
            payload: body.get("payload").cloned().unwrap_or(Value::Null),
        });
        t = t.saturating_add(crate::saga::duration::signed(x.wait));
    }
    out
}

/// What the engine made of a scenario's inputs.
struct Sim {
    state: Final,
    /// `send X` / `compensate X` / `emit X`, in order.
    log: Vec<String>,
    /// The compensations' confirmations, in order.
    confirms: Vec<String>,
    /// Violations other than `saga-not-finished`.
    violations: usize,
    /// The commands of the compensations skipped by their `if`.
    skipped: Vec<String>,
    /// The `saga-reply-stale` violations.
    stale: usize,
    /// The `saga-reply-foreign` violations.
    foreign: usize,
}

/// Run the inputs through the engine.
fn simulate(saga: &Saga, inputs: &[Input], auto_confirm: bool) -> Option<Sim> {
    run_engine(saga, inputs, auto_confirm, true)
}

/// Run the inputs through the engine; `drain`: the timers left fire at the end.
fn run_engine(saga: &Saga, inputs: &[Input], auto_confirm: bool, drain: bool) -> Option<Sim> {
    let events = to_events(saga, inputs);
    let opts = engine::Options {
        keep_timelines: true,
        auto_confirm,
        drain,
        ..Default::default()
    };
    let out = engine::run(std::slice::from_ref(saga), &events, opts);
    let inst = out.instances.first()?;
    let mut log = Vec::new();
    let mut confirms = Vec::new();
    let mut skipped = Vec::new();
    // The values a command carries, as the generated tests print them.
    let carried = |with: &std::collections::BTreeMap<String, Value>| {
        if with.is_empty() {
            String::new()
        } else {
            format!(" {}", serde_json::to_string(with).unwrap_or_default())
        }
    };
    for e in &inst.timeline {
        match &e.what {
            What::Sent { command, with, .. } => {
                log.push(format!("send {command}{}", carried(with)))
            }
            What::Compensating { command, with, .. } => {
                log.push(format!("compensate {command}{}", carried(with)))
            }
            What::Compensated { event, .. } => confirms.push(event.clone()),
            What::Emitted { message } => log.push(format!("emit {message}")),
            What::CompensationSkipped { command, .. } => skipped.push(command.clone()),
            _ => {}
        }
    }
    let violations = out
        .violations
        .iter()
        .filter(|v| v.rule != "saga-not-finished")
        .count();
    let stale = out
        .violations
        .iter()
        .filter(|v| v.rule == "saga-reply-stale")
        .count();
    let foreign = out
        .violations
        .iter()
        .filter(|v| v.rule == "saga-reply-foreign")
        .count();
    Some(Sim {
        state: inst.state.clone(),
        log,
        confirms,
        violations,
        skipped,
        stale,
        foreign,
    })
}

/// The inputs followed by the confirmations of the compensations they lead to (found by
/// a run in which participants confirm), and what the engine makes of them all.
fn confirmed(saga: &Saga, mut inputs: Vec<Input>) -> Option<(Vec<Input>, Sim)> {
    let first = simulate(saga, &inputs, true)?;
    // A confirmation with a `when` carries the value it is told apart by.
    inputs.extend(first.confirms.iter().map(|c| {
        let when = saga
            .steps
            .iter()
            .flat_map(|st| &st.compensation)
            .find(|k| k.confirm.name == *c && k.when.is_some())
            .and_then(|k| k.when.as_ref());
        Input::event(c, when.and_then(cond_body))
    }));
    let sim = simulate(saga, &inputs, false)?;
    (sim.violations == 0).then_some((inputs, sim))
}

fn final_name(f: &Final) -> Option<&'static str> {
    match f {
        Final::Completed => Some("completed"),
        Final::Compensated => Some("compensated"),
        Final::Failed { .. } => Some("failed"),
        Final::Waiting { .. } => None,
    }
}

/// Every combination of branch cases (at most 64), as a case index per node.
fn choices(saga: &Saga) -> Vec<Vec<usize>> {
    let branches: Vec<(NodeId, usize)> = saga
        .all_nodes()
        .into_iter()
        .filter_map(|n| match &saga.nodes[n] {
            Node::Branch(b) => Some((n, b.cases.len().max(1))),
            _ => None,
        })
        .collect();
    let mut out = vec![vec![0usize; saga.nodes.len()]];
    for (n, k) in branches {
        let mut next = Vec::new();
        for c in &out {
            for i in 0..k {
                if next.len() >= 64 {
                    break;
                }
                let mut c = c.clone();
                c[n] = i;
                next.push(c);
            }
        }
        out = next;
    }
    out
}

fn path(saga: &Saga, choice: &[usize]) -> Vec<Unit> {
    let mut units = Vec::new();
    walk(
        saga,
        &saga.top,
        &mut |n| choice.get(n).copied().unwrap_or(0),
        &mut units,
    );
    units
}

/// The inputs that make a step fail for good (every attempt), if it can fail.
fn failing(saga: &Saga, s: StepId, siblings_running: bool) -> Option<Vec<Input>> {
    let st = &saga.steps[s];
    let max = st.retry.max.max(1);
    if let Some(f) = st.fail.first() {
        return Some(
            (1..=max)
                .map(|n| Input {
                    wait: if n < max { st.retry.delay(n) + 1 } else { 0 },
                    ..Input::event(&f.name, None)
                })
                .collect(),
        );
    }
    if siblings_running {
        return None;
    }
    let timeout = st.timeout?;
    match st.on_timeout.unwrap_or(OnTimeout::Fail) {
        OnTimeout::Fail => Some(vec![Input::timeout(timeout)]),
        OnTimeout::Retry => Some(
            (1..=max)
                .map(|n| Input::timeout(timeout + if n > 1 { st.retry.delay(n - 1) } else { 0 }))
                .collect(),
        ),
        OnTimeout::Complete => None,
    }
}

fn scenarios(saga: &Saga) -> Vec<Scenario> {
    let mut out = Vec::new();
    let happy = path(saga, &vec![0; saga.nodes.len()]);
    let mut inputs = vec![start_input(saga)];
    inputs.extend(happy.iter().flat_map(|u| u.inputs.clone()));
    if let Some(Sim {
        state: f,
        log,
        violations: 0,
        ..
    }) = simulate(saga, &inputs, false)
    {
        if f == Final::Completed {
            out.push(Scenario {
                name: "happy_path".into(),
                doc: "Every step completes in order: the saga completes.".into(),
                inputs,
                state: "completed",
                log,
            });
        }
    }
    // The other cases of the branches.
    for (k, choice) in choices(saga).into_iter().enumerate().skip(1).take(7) {
        let units = path(saga, &choice);
        let mut inputs = vec![start_input(saga)];
        inputs.extend(units.iter().flat_map(|u| u.inputs.clone()));
        let cases: Vec<String> = saga
            .all_nodes()
            .into_iter()
            .filter_map(|n| match &saga.nodes[n] {
                Node::Branch(b) => b
                    .cases
                    .get(choice.get(n).copied().unwrap_or(0))
                    .map(|(v, _)| format!("`{}` = `{v}`", b.id)),
                _ => None,
            })
            .collect();
        if let Some(Sim {
            state: Final::Completed,
            log,
            violations: 0,
            ..
        }) = simulate(saga, &inputs, false)
        {
            out.push(Scenario {
                name: format!("happy_path_{}", k + 1),
                doc: format!("Every step completes, with {}.", cases.join(", ")),
                inputs,
                state: "completed",
                log,
            });
        }
    }
    // A step that fails once and is retried.
    for (k, u) in happy.iter().enumerate() {
        let Some(s) = u.step else { continue };
        let st = &saga.steps[s];
        let (Some(f), true) = (st.fail.first(), st.retry.max > 1) else {
            continue;
        };
        let mut inputs = vec![start_input(saga)];
        inputs.extend(happy[..k].iter().flat_map(|u| u.inputs.clone()));
        inputs.push(Input {
            wait: st.retry.delay(1) + 1,
            ..Input::event(&f.name, None)
        });
        inputs.extend(happy[k..].iter().flat_map(|u| u.inputs.clone()));
        if let Some(Sim {
            state: Final::Completed,
            log,
            violations: 0,
            ..
        }) = simulate(saga, &inputs, false)
        {
            out.push(Scenario {
                name: "a_failed_attempt_is_retried".into(),
                doc: format!(
                    "`{}` fails once (`{}`): its command is sent again and the saga completes.",
                    st.id, f.name
                ),
                inputs,
                state: "completed",
                log,
            });
        }
        break;
    }
    // A failure after a step with a compensation: the compensations run.
    'search: for choice in choices(saga) {
        let units = path(saga, &choice);
        for (k, u) in units.iter().enumerate() {
            let Some(s) = u.step else { continue };
            let before: Vec<StepId> = units[..k].iter().filter_map(|u| u.step).collect();
            if before.iter().any(|&b| saga.steps[b].pivot)
                || !before
                    .iter()
                    .any(|&b| !saga.steps[b].compensation.is_empty())
            {
                continue;
            }
            let Some(fail) = failing(saga, s, u.siblings_running) else {
                continue;
            };
            let mut inputs = vec![start_input(saga)];
            inputs.extend(units[..k].iter().flat_map(|u| u.inputs.clone()));
            inputs.extend(fail.clone());
            let Some((inputs, sim)) = confirmed(saga, inputs) else {
                continue;
            };
            let Some(state) = final_name(&sim.state).filter(|s| *s != "completed") else {
                continue;
            };
            let log = sim.log;
            out.push(Scenario {
                name: "failure_is_compensated".into(),
                doc: format!(
                    "`{}` fails for good after {} completed: the completed steps are compensated in reverse order.",
                    saga.steps[s].id,
                    before
                        .iter()
                        .map(|&b| format!("`{}`", saga.steps[b].id))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                inputs,
                state,
                log,
            });
            break 'search;
        }
    }
    if let Some(sc) = skipped_compensation(saga) {
        out.push(sc);
    }
    if let Some(sc) = in_flight_awaited(saga) {
        out.push(sc);
    }
    if let Some(sc) = aborted(saga) {
        out.push(sc);
    }
    if let Some(sc) = deadline_passed(saga) {
        out.push(sc);
    }
    if let Some(sc) = stale_reply(saga, &happy) {
        out.push(sc);
    }
    if let Some(sc) = late_success(saga) {
        out.push(sc);
    }
    out
}

/// The inputs followed by the confirmation of each compensation as it is sent (one at a
/// time, as participants answer), and what the engine makes of them all.
fn confirmed_in_turn(saga: &Saga, mut inputs: Vec<Input>) -> Option<(Vec<Input>, Sim)> {
    for _ in 0..32 {
        let sim = run_engine(saga, &inputs, false, false)?;
        if !matches!(sim.state, Final::Waiting { .. }) {
            return (sim.violations == 0).then_some((inputs, sim));
        }
        // The compensation in flight: the last one sent.
        let line = sim
            .log
            .iter()
            .rev()
            .find_map(|l| l.strip_prefix("compensate "))?;
        let command = line.split(' ').next()?;
        let k = saga
            .steps
            .iter()
            .flat_map(|st| &st.compensation)
            .find(|k| k.send.name == command)?;
        inputs.push(Input::event(
            &k.confirm.name,
            k.when.as_ref().and_then(cond_body),
        ));
    }
    None
}

/// A step given up in doubt (every attempt timed out) whose success arrives while its
/// compensation is running: the effect is undone too, its compensation runs again.
fn late_success(saga: &Saga) -> Option<Scenario> {
    for choice in choices(saga) {
        let units = path(saga, &choice);
        for (k, u) in units.iter().enumerate() {
            let Some(s) = u.step else { continue };
            if !saga
                .nodes
                .iter()
                .any(|n| matches!(n, Node::Step(x) if *x == s))
            {
                continue;
            }
            if units[..k]
                .iter()
                .filter_map(|u| u.step)
                .any(|b| saga.steps[b].pivot)
            {
                continue;
            }
            let st = &saga.steps[s];
            let Some(timeout) = st.timeout else { continue };
            if st.send.is_none() || st.read_only || st.compensation.is_empty() || st.on.is_empty() {
                continue;
            }
            let max = st.retry.max.max(1);
            let timeouts: Vec<Input> = match st.on_timeout.unwrap_or(OnTimeout::Fail) {
                OnTimeout::Fail => vec![Input::timeout(timeout)],
                OnTimeout::Retry => (1..=max)
                    .map(|n| {
                        Input::timeout(timeout + if n > 1 { st.retry.delay(n - 1) } else { 0 })
                    })
                    .collect(),
                OnTimeout::Complete => continue,
            };
            let mut inputs = vec![start_input(saga)];
            inputs.extend(units[..k].iter().flat_map(|u| u.inputs.clone()));
            inputs.extend(timeouts);
            inputs.extend(completion(saga, s));
            let Some((inputs, sim)) = confirmed_in_turn(saga, inputs) else {
                continue;
            };
            let Some(state) = final_name(&sim.state).filter(|s| *s != "completed") else {
                continue;
            };
            let compensations = st
                .compensation
                .iter()
                .map(|c| c.send.name.as_str())
                .collect::<Vec<_>>();
            // Its compensation is sent twice: before and after the late success.
            let sent = sim
                .log
                .iter()
                .filter(|l| {
                    l.strip_prefix("compensate ")
                        .and_then(|l| l.split(' ').next())
                        .is_some_and(|c| compensations.contains(&c))
                })
                .count();
            if sent < 2 * compensations.len() {
                continue;
            }
            return Some(Scenario {
                name: "a_late_success_is_compensated_again".into(),
                doc: format!(
                    "Every attempt of `{}` times out (its outcome is unknown: compensated in doubt); its success arrives while the compensation runs: the effect is undone too, {} runs again.",
                    st.id,
                    compensations
                        .iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                inputs,
                state,
                log: sim.log,
            });
        }
    }
    None
}

/// The points on each path where the saga may give up with something to undo: a step on
/// its own (not in a parallel group or a branch's case list) with a compensable step
/// completed before it and no pivot passed. Each is the path, the step's index on it and
/// the step.
fn give_up_points(saga: &Saga) -> Vec<(Vec<Unit>, usize, StepId)> {
    let mut out = Vec::new();
    for choice in choices(saga) {
        let units = path(saga, &choice);
        let points: Vec<(usize, StepId)> = units
            .iter()
            .enumerate()
            .filter_map(|(k, u)| Some((k, u.step?)))
            .filter(|&(k, s)| {
                let lone = saga
                    .nodes
                    .iter()
                    .any(|n| matches!(n, Node::Step(x) if *x == s));
                let before: Vec<StepId> = units[..k].iter().filter_map(|u| u.step).collect();
                lone && !before.iter().any(|&b| saga.steps[b].pivot)
                    && before
                        .iter()
                        .any(|&b| !saga.steps[b].compensation.is_empty())
            })
            .collect();
        for (k, s) in points {
            out.push((units.clone(), k, s));
        }
    }
    out
}

/// An `abortOn` event after a compensable step completed: the saga gives up; the step in
/// flight then (one on its own), when its command may change something, is waited for
/// (it completes) and compensated with the others. A step that is waited for is
/// preferred.
fn aborted(saga: &Saga) -> Option<Scenario> {
    let abort = saga.abort_on.first()?;
    let points = give_up_points(saga);
    for want_awaited in [true, false] {
        for (units, k, s) in &points {
            let (k, s) = (*k, *s);
            let st = &saga.steps[s];
            let awaited = st.send.is_some() && !st.read_only && st.timeout.is_some() && !st.abandon;
            if awaited != want_awaited || (awaited && st.on.is_empty()) {
                continue;
            }
            let mut inputs = vec![start_input(saga)];
            inputs.extend(units[..k].iter().flat_map(|u| u.inputs.clone()));
            inputs.push(Input::event(&abort.name, None));
            if awaited {
                inputs.extend(completion(saga, s));
            }
            let Some((inputs, sim)) = confirmed(saga, inputs) else {
                continue;
            };
            let Some(state) = final_name(&sim.state).filter(|s| *s != "completed") else {
                continue;
            };
            let how = if awaited {
                "the saga waits for its outcome (a success), then compensates it with the completed steps"
            } else {
                "the saga gives up and compensates the completed steps"
            };
            return Some(Scenario {
                name: "an_abort_gives_up".into(),
                doc: format!(
                    "`{}` (`abortOn`) arrives while `{}` is in flight: {how}, last first.",
                    abort.name, st.id
                ),
                inputs,
                state,
                log: sim.log,
            });
        }
    }
    None
}

/// With `causation`: a step on the happy path fails once and is retried; a success
/// naming the first attempt arrives while the second is in flight: it is stale (not a
/// completion), and so is one naming another instance's (foreign); the success naming
/// the second completes the step, and the saga.
fn stale_reply(saga: &Saga, happy: &[Unit]) -> Option<Scenario> {
    let causation = saga.causation.as_deref()?;
    let key = json!("instance-1");
    let named = |s: StepId, key: &str, attempt: u32| {
        let mut x = completion(saga, s).into_iter().next()?;
        x.message.as_ref()?;
        let mut body = x.body.take().unwrap_or_else(|| json!({}));
        set_at(
            &mut body,
            causation,
            json!(engine::command_id(key, &saga.steps[s].id, attempt)),
        );
        x.body = Some(body);
        Some(x)
    };
    for (k, u) in happy.iter().enumerate() {
        let Some(s) = u.step else { continue };
        let st = &saga.steps[s];
        let (Some(f), true, true) = (st.fail.first(), st.retry.max > 1, st.send.is_some()) else {
            continue;
        };
        let (Some(old), Some(other), Some(new)) = (
            named(s, "instance-1", 1),
            named(s, "instance-2", 2),
            named(s, "instance-1", 2),
        ) else {
            continue;
        };
        let mut start = start_input(saga);
        let mut body = start.body.take().unwrap_or_else(|| json!({}));
        set_at(&mut body, &saga.correlation, key.clone());
        start.body = Some(body);
        let mut inputs = vec![start];
        inputs.extend(happy[..k].iter().flat_map(|u| u.inputs.clone()));
        inputs.push(Input {
            wait: st.retry.delay(1) + 1,
            ..Input::event(&f.name, None)
        });
        let reply = new.message.clone().unwrap_or_default();
        inputs.push(Input { stale: true, ..old });
        inputs.push(Input {
            foreign: true,
            ..other
        });
        inputs.push(new);
        inputs.extend(happy[k + 1..].iter().flat_map(|u| u.inputs.clone()));
        let Some(sim) = simulate(saga, &inputs, false) else {
            continue;
        };
        if sim.state != Final::Completed
            || sim.violations != 2
            || sim.stale != 1
            || sim.foreign != 1
        {
            continue;
        }
        return Some(Scenario {
            name: "a_stale_reply_is_not_a_completion".into(),
            doc: format!(
                "`{}` fails once (`{}`) and is retried; a `{}` naming the first attempt (by `causation`) arrives while the second is in flight: it is stale, not a completion, and one naming another instance's command is foreign; the one naming the second completes the step.",
                st.id, f.name, reply
            ),
            inputs,
            state: "completed",
            log: sim.log,
        });
    }
    None
}

/// The saga-wide `deadline` passes after a compensable step completed, while a step
/// waits whose own timer would fire later (none, or longer than the deadline): the saga
/// gives up as on `abortOn` and compensates the completed steps, last first.
fn deadline_passed(saga: &Saga) -> Option<Scenario> {
    let deadline = saga.deadline?;
    for (units, k, s) in give_up_points(saga) {
        let st = &saga.steps[s];
        if st.timeout.is_some_and(|t| t <= deadline) {
            continue;
        }
        let mut inputs = vec![start_input(saga)];
        inputs.extend(units[..k].iter().flat_map(|u| u.inputs.clone()));
        inputs.push(Input {
            deadline: true,
            ..Input::timeout(deadline)
        });
        let Some((inputs, sim)) = confirmed(saga, inputs) else {
            continue;
        };
        let Some(state) = final_name(&sim.state).filter(|s| *s != "completed") else {
            continue;
        };
        return Some(Scenario {
            name: "the_deadline_gives_up".into(),
            doc: format!(
                "The saga's deadline passes while `{}` waits: the saga gives up and compensates the completed steps, last first.",
                st.id
            ),
            inputs,
            state,
            log: sim.log,
        });
    }
    None
}

/// A failure after a step whose compensation has an `if` that the event completing the
/// step does not meet: that compensation is skipped, the others run.
fn skipped_compensation(saga: &Saga) -> Option<Scenario> {
    use crate::saga::cond::{Cond, Example};
    for choice in choices(saga) {
        let units = path(saga, &choice);
        for (k, u) in units.iter().enumerate() {
            let Some(s) = u.step else { continue };
            if units[..k]
                .iter()
                .filter_map(|u| u.step)
                .any(|b| saga.steps[b].pivot)
            {
                continue;
            }
            // The last step completed before, by an event, with a conditional compensation.
            let Some((j, b)) = (0..k).rev().find_map(|j| {
                let b = units[j].step?;
                let st = &saga.steps[b];
                (!st.on.is_empty() && st.compensation.iter().any(|c| c.only_if.is_some()))
                    .then_some((j, b))
            }) else {
                continue;
            };
            let Some(fail) = failing(saga, s, u.siblings_running) else {
                continue;
            };
            let st = &saga.steps[b];
            let Some(on) = st.on.first() else { continue };
            let mut body = completion_body(saga, b);
            for c in st.compensation.iter().filter_map(|c| c.only_if.as_ref()) {
                // A value that fails the condition (a negation's: one that meets its operand).
                let fails = match c {
                    Cond::Not(inner) => inner.example(),
                    c => Cond::Not(Box::new(c.clone())).example(),
                };
                match fails {
                    Some(Example::Set(p, v)) => {
                        set_at(body.get_or_insert_with(|| json!({})), &p, v)
                    }
                    Some(Example::Absent(p)) => {
                        if let Some(b) = body.as_mut() {
                            remove_at(b, &p);
                        }
                    }
                    None => {}
                }
            }
            let mut inputs = vec![start_input(saga)];
            for (i, u) in units[..k].iter().enumerate() {
                if i == j {
                    inputs.push(Input::event(&on.name, body.clone()));
                } else {
                    inputs.extend(u.inputs.clone());
                }
            }
            inputs.extend(fail);
            let Some((inputs, sim)) = confirmed(saga, inputs) else {
                continue;
            };
            let Some(state) = final_name(&sim.state).filter(|s| *s != "completed") else {
                continue;
            };
            if sim.skipped.is_empty() {
                continue;
            }
            return Some(Scenario {
                name: "a_conditional_compensation_is_skipped".into(),
                doc: format!(
                    "`{}` fails for good after `{}` completed with an event that does not meet the `if` of its compensation: {} is skipped, the other compensations run.",
                    saga.steps[s].id,
                    st.id,
                    sim.skipped
                        .iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                inputs,
                state,
                log: sim.log,
            });
        }
    }
    None
}

/// A step of a parallel group fails for good while its siblings' commands are in flight:
/// the saga waits for their outcome (they complete), then compensates them with the
/// steps completed before.
fn in_flight_awaited(saga: &Saga) -> Option<Scenario> {
    for choice in choices(saga) {
        let units = path(saga, &choice);
        for u in &units {
            let Some(x) = u.step else { continue };
            let Some(group) = saga.nodes.iter().find_map(|n| match n {
                Node::Parallel { steps, .. } if steps.contains(&x) => Some(steps),
                _ => None,
            }) else {
                continue;
            };
            let Some(g0) = units
                .iter()
                .position(|u| u.step.is_some_and(|s| group.contains(&s)))
            else {
                continue;
            };
            if units[..g0]
                .iter()
                .filter_map(|u| u.step)
                .any(|b| saga.steps[b].pivot)
            {
                continue;
            }
            let xs = &saga.steps[x];
            let Some(f) = xs.fail.first() else { continue };
            let waited: Vec<StepId> = group
                .iter()
                .copied()
                .filter(|&y| {
                    let st = &saga.steps[y];
                    y != x
                        && st.send.is_some()
                        && !st.read_only
                        && st.timeout.is_some()
                        && !st.abandon
                })
                .collect();
            if waited.is_empty() || waited.iter().any(|&y| saga.steps[y].on.is_empty()) {
                continue;
            }
            let max = xs.retry.max.max(1);
            let fails: Vec<Input> = (1..=max)
                .map(|n| Input {
                    wait: if n < max { xs.retry.delay(n) + 1 } else { 0 },
                    ..Input::event(&f.name, None)
                })
                .collect();
            // The siblings' timers must not fire while the step is retried.
            let elapsed: u64 = fails.iter().map(|i| i.wait).sum();
            if waited
                .iter()
                .any(|&y| saga.steps[y].timeout.is_some_and(|t| elapsed >= t))
            {
                continue;
            }
            let mut inputs = vec![start_input(saga)];
            inputs.extend(units[..g0].iter().flat_map(|u| u.inputs.clone()));
            inputs.extend(fails);
            inputs.extend(waited.iter().flat_map(|&y| completion(saga, y)));
            let Some((inputs, sim)) = confirmed(saga, inputs) else {
                continue;
            };
            let Some(state) = final_name(&sim.state).filter(|s| *s != "completed") else {
                continue;
            };
            let ids = |v: &[StepId]| {
                v.iter()
                    .map(|&y| format!("`{}`", saga.steps[y].id))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            return Some(Scenario {
                name: "an_in_flight_step_is_awaited".into(),
                doc: format!(
                    "`{}` fails for good (`{}`) while {} is in flight: the saga waits for its outcome, which is a success, then compensates it with the steps completed before, last first.",
                    xs.id,
                    f.name,
                    ids(&waited)
                ),
                inputs,
                state,
                log: sim.log,
            });
        }
    }
    None
}

/// Events delivered right after the start, while the first node waits: what the
/// simulator does with each (`Ignored`: globally or step-ignored, progress of a `when`,
/// a repeated start; `Unexpected`: a message the saga does not know).
fn probes(saga: &Saga) -> Vec<(String, &'static str)> {
    let mut cands: Vec<String> = saga.ignore.iter().map(|n| n.name.clone()).collect();
    cands.extend(saga.start.iter().map(|st| st.message.name.clone()));
    if let Some(&first) = saga.top.first() {
        let steps: Vec<StepId> = match &saga.nodes[first] {
            Node::Step(s) => vec![*s],
            Node::Parallel { steps, .. } => steps.clone(),
            Node::Branch(_) => Vec::new(),
        };
        for s in steps {
            let st = &saga.steps[s];
            cands.extend(st.ignore.iter().map(|n| n.name.clone()));
            if st.when.is_some() {
                cands.extend(st.on.iter().map(|n| n.name.clone()));
            }
        }
    }
    cands.push("hnp-events-unknown-message".into());
    let mut out: Vec<(String, &'static str)> = Vec::new();
    for m in cands {
        if out.iter().any(|(o, _)| *o == m) {
            continue;
        }
        let inputs = [start_input(saga), Input::event(&m, None)];
        let events = to_events(saga, &inputs);
        let opts = engine::Options {
            keep_timelines: true,
            ..Default::default()
        };
        let run = engine::run(std::slice::from_ref(saga), &events, opts);
        let Some(inst) = run.instances.first() else {
            continue;
        };
        let outcome = match inst.timeline.last().map(|e| &e.what) {
            Some(What::Ignored { event }) if *event == m => "Ignored",
            Some(What::Unexpected { event }) if *event == m => "Unexpected",
            _ => continue,
        };
        out.push((m, outcome));
    }
    out
}

/// Language-specific spellings.
struct Sp {
    lang: Lang,
}

impl Sp {
    fn s(&self, v: &str) -> String {
        match self.lang {
            Lang::Rust => super::rust::rust_str(v),
            Lang::Python => super::python::py_str(v),
        }
    }

    fn opt(&self, v: Option<&str>) -> String {
        match (self.lang, v) {
            (Lang::Rust, Some(v)) => format!("Some({})", self.s(v)),
            (Lang::Python, Some(v)) => self.s(v),
            (Lang::Rust, None) => "None".into(),
            (Lang::Python, None) => "None".into(),
        }
    }

    fn list<'a>(&self, vs: impl IntoIterator<Item = &'a str>) -> String {
        let items: Vec<String> = vs.into_iter().map(|v| self.s(v)).collect();
        match self.lang {
            Lang::Rust => format!("&[{}]", items.join(", ")),
            Lang::Python => {
                if items.len() == 1 {
                    format!("({},)", items[0])
                } else {
                    format!("({})", items.join(", "))
                }
            }
        }
    }

    fn nums(&self, vs: &[usize]) -> String {
        let items: Vec<String> = vs.iter().map(usize::to_string).collect();
        match self.lang {
            Lang::Rust => format!("&[{}]", items.join(", ")),
            Lang::Python if items.len() == 1 => format!("({},)", items[0]),
            Lang::Python => format!("({})", items.join(", ")),
        }
    }

    /// `capture` / `with` pairs: `&[(name, pointer), ...]` / `((name, pointer), ...)`.
    fn fields(&self, caps: &[crate::saga::format::Capture]) -> String {
        let items: Vec<String> = caps
            .iter()
            .map(|c| format!("({}, {})", self.s(&c.name), self.s(&c.pointer)))
            .collect();
        match self.lang {
            Lang::Rust => format!("&[{}]", items.join(", ")),
            Lang::Python if items.len() == 1 => format!("({},)", items[0]),
            Lang::Python => format!("({})", items.join(", ")),
        }
    }

    /// The `with` field's name (`with_` in Python, where `with` is a keyword).
    fn with_field(&self) -> &'static str {
        match self.lang {
            Lang::Rust => "with",
            Lang::Python => "with_",
        }
    }

    fn bool(&self, b: bool) -> &'static str {
        match (self.lang, b) {
            (Lang::Rust, true) => "true",
            (Lang::Rust, false) => "false",
            (Lang::Python, true) => "True",
            (Lang::Python, false) => "False",
        }
    }

    fn num_opt(&self, v: Option<u64>) -> String {
        match (self.lang, v) {
            (Lang::Rust, Some(v)) => format!("Some({v})"),
            (_, Some(v)) => v.to_string(),
            (_, None) => "None".into(),
        }
    }

    fn idx_opt(&self, v: Option<usize>) -> String {
        self.num_opt(v.map(|v| v as u64))
    }

    /// `when`: (pointer, the value as JSON text).
    /// The start table: `&[(message, when), ...]` / `((message, when), ...)`.
    fn starts(&self, saga: &Saga) -> String {
        let items: Vec<String> = saga
            .start
            .iter()
            .map(|st| format!("({}, {})", self.s(&st.message.name), self.when(&st.when)))
            .collect();
        match self.lang {
            Lang::Rust => format!("&[{}]", items.join(", ")),
            Lang::Python if items.len() == 1 => format!("({},)", items[0]),
            Lang::Python => format!("({})", items.join(", ")),
        }
    }

    /// The pointer an instance waiting to start reads: the first start `when`'s.
    fn start_reads(&self, saga: &Saga) -> String {
        match saga.start.iter().find_map(|st| st.when.as_ref()) {
            Some(c) => match self.lang {
                Lang::Rust => format!("Some({})", self.s(c.pointer())),
                Lang::Python => self.s(c.pointer()),
            },
            None => "None".into(),
        }
    }

    /// A `when`: the condition as JSON text (the runtime evaluates it).
    fn when(&self, w: &Option<crate::saga::cond::Cond>) -> String {
        match w {
            Some(c) => {
                let j = serde_json::to_string(&c.to_json()).unwrap_or_else(|_| "null".into());
                match self.lang {
                    Lang::Rust => format!("Some({})", self.s(&j)),
                    Lang::Python => self.s(&j),
                }
            }
            None => "None".into(),
        }
    }

    /// A struct value: `Name { k: v }` (Rust) or `rt.Name(k=v)` (Python).
    fn ctor(&self, name: &str, fields: &[(&str, String)]) -> String {
        match self.lang {
            Lang::Rust => {
                let fs: Vec<String> = fields.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                format!("{name} {{ {} }}", fs.join(", "))
            }
            Lang::Python => {
                let fs: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("rt.{name}({})", fs.join(", "))
            }
        }
    }

    fn ident(&self, s: &str) -> String {
        match self.lang {
            Lang::Rust => rust_escape(s.to_string()),
            Lang::Python => py_escape(s.to_string()),
        }
    }

    /// A variant name (Rust: PascalCase; Python: SCREAMING_CASE).
    fn variant(&self, s: &str) -> String {
        match self.lang {
            Lang::Rust => pascal(s),
            Lang::Python => {
                let v = screaming(s);
                if v.starts_with('_') {
                    format!("V{v}")
                } else {
                    v
                }
            }
        }
    }
}

/// Text from the saga file (or a contract) made safe for a one-line doc comment (Rust `///`) or a
/// docstring (Python): no line breaks or control characters, no closing quotes.
pub(super) fn doc_text(lang: Lang, s: &str) -> String {
    let one: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    match lang {
        Lang::Rust => one,
        Lang::Python => one
            .replace('\\', "\\\\")
            .replace("\"\"\"", "'''")
            .trim_end_matches('"')
            .to_string(),
    }
}

fn on_timeout(st: &crate::saga::format::Step) -> &'static str {
    match st.on_timeout.unwrap_or(OnTimeout::Fail) {
        OnTimeout::Retry => "RETRY",
        OnTimeout::Fail => "FAIL",
        OnTimeout::Complete => "COMPLETE",
    }
}

fn names(ns: &[crate::saga::format::Named]) -> Vec<&str> {
    ns.iter().map(|n| n.name.as_str()).collect()
}

/// The node after `n` once it is done (its next sibling, or the parent branch's next).
fn next_nodes(saga: &Saga) -> Vec<Option<NodeId>> {
    let mut next = vec![None; saga.nodes.len()];
    fn go(s: &Saga, list: &[NodeId], after: Option<NodeId>, next: &mut Vec<Option<NodeId>>) {
        for (i, &n) in list.iter().enumerate() {
            let nx = list.get(i + 1).copied().or(after);
            if let Some(slot) = next.get_mut(n) {
                *slot = nx;
            }
            if let Some(Node::Branch(b)) = s.nodes.get(n) {
                for (_, c) in &b.cases {
                    go(s, c, nx, next);
                }
            }
        }
    }
    go(saga, &saga.top, None, &mut next);
    next
}

/// The context of one saga module for a language.
pub fn context(saga: &Saga, module: &str, lang: Lang) -> Value {
    let sp = Sp { lang };
    let rust = lang == Lang::Rust;
    // Steps.
    let mut vn = Namer::with_reserved(&["Self"]);
    let step_variants: Vec<String> = saga
        .steps
        .iter()
        .map(|s| vn.take(&sp.variant(&s.id)))
        .collect();
    // Compensations, numbered in step order.
    let mut comps = Vec::new();
    let mut comp_of_step: Vec<Vec<usize>> = vec![Vec::new(); saga.steps.len()];
    let mut cn = Namer::with_reserved(&["Self"]);
    let mut mn = Namer::with_reserved(&["run_hooks"]);
    for (si, st) in saga.steps.iter().enumerate() {
        for c in &st.compensation {
            let idx = comps.len();
            comp_of_step[si].push(idx);
            let base = format!("{} {}", st.id, c.send.name);
            comps.push(json!({
                "index": idx,
                "variant": cn.take(&sp.variant(&base)),
                "method": sp.ident(&mn.take_snake(&snake(&base))),
                "step": si,
                "step_id": doc_text(lang, &st.id),
                "step_variant": step_variants[si],
                "send": doc_text(lang, &c.send.name),
                "send_lit": sp.s(&c.send.name),
                "hook_lit": sp.s(&format!("{}: {}", st.id, c.send.name)),
                "confirm": doc_text(lang, &c.confirm.name),
                "with_doc": doc_text(lang, &c.with.iter().map(|w| format!("`{}`", w.name)).collect::<Vec<_>>().join(", ")),
                "spec": sp.ctor("CompensationSpec", &[
                    ("step", si.to_string()),
                    ("send", sp.s(&c.send.name)),
                    ("confirm", sp.s(&c.confirm.name)),
                    ("confirm_when", sp.when(&c.when)),
                    ("fail", sp.list(names(&c.fail))),
                    ("timeout_ms", sp.num_opt(c.timeout)),
                    ("retry", retry(&sp, c.retry)),
                    (sp.with_field(), sp.fields(&c.with)),
                    ("only_if", sp.when(&c.only_if)),
                ]),
                "fail": names(&c.fail),
                "lit": sp.s(&format!("{}: {}", saga.name, c.send.name)),
            }));
        }
    }
    let steps: Vec<Value> = saga
        .steps
        .iter()
        .enumerate()
        .map(|(i, st)| {
            let spec = sp.ctor(
                "StepSpec",
                &[
                    ("id", sp.s(&st.id)),
                    ("send", sp.opt(st.send.as_ref().map(|n| n.name.as_str()))),
                    ("on", sp.list(names(&st.on))),
                    ("fail", sp.list(names(&st.fail))),
                    ("ignore", sp.list(names(&st.ignore))),
                    ("when", sp.when(&st.when)),
                    ("timeout_ms", sp.num_opt(st.timeout)),
                    (
                        "on_timeout",
                        if rust {
                            format!("OnTimeout::{}", pascal(on_timeout(st)))
                        } else {
                            format!("rt.OnTimeout.{}", on_timeout(st))
                        },
                    ),
                    ("retry", retry(&sp, st.retry)),
                    ("pivot", sp.bool(st.pivot).to_string()),
                    ("read_only", sp.bool(st.read_only).to_string()),
                    ("compensations", sp.nums(&comp_of_step[i])),
                    ("abandon", sp.bool(st.abandon).to_string()),
                    ("capture", sp.fields(&st.capture)),
                    (sp.with_field(), sp.fields(&st.with)),
                ],
            );
            json!({
                "variant": step_variants[i],
                "id": doc_text(lang, &st.id),
                "id_lit": sp.s(&st.id),
                "spec": spec,
            })
        })
        .collect();
    // Nodes and the states that wait on them.
    let mut sn = Namer::with_reserved(&[
        "Self",
        &sp.variant("not started"),
        &sp.variant("compensating"),
        &sp.variant("completed"),
        &sp.variant("compensated"),
        &sp.variant("failed"),
    ]);
    let next = next_nodes(saga);
    let nodes: Vec<Value> = saga
        .nodes
        .iter()
        .enumerate()
        .map(|(n, node)| {
            let (name, doc, spec) = match node {
                Node::Step(s) => {
                    let st = &saga.steps[*s];
                    let doc = match &st.send {
                        Some(c) => format!("`{}`: `{}` sent, waiting for {}.", st.id, c.name, waiting_for(st)),
                        None => format!("`{}`: waiting for {}.", st.id, waiting_for(st)),
                    };
                    let spec = if rust { format!("NodeSpec::Step({s})") } else { format!("rt.StepNode({s})") };
                    (st.id.clone(), doc, spec)
                }
                Node::Parallel { steps, .. } => {
                    let ids: Vec<&str> = steps.iter().map(|&s| saga.steps[s].id.as_str()).collect();
                    let doc = format!("In parallel: {}.", ids.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", "));
                    let spec = if rust {
                        format!("NodeSpec::Parallel({})", sp.nums(steps))
                    } else {
                        format!("rt.ParallelNode({})", sp.nums(steps))
                    };
                    (ids.join(" and "), doc, spec)
                }
                Node::Branch(b) => {
                    let doc = format!(
                        "Branch `{}`: waiting for `{}`, whose `{}` chooses the case ({}).",
                        b.id,
                        b.on.name,
                        b.pointer,
                        b.cases.iter().map(|(k, _)| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                    );
                    let cases: Vec<String> = b
                        .cases
                        .iter()
                        .map(|(k, c)| {
                            let target = c.first().copied().or(next[n]);
                            format!("({}, {})", sp.s(k), sp.idx_opt(target))
                        })
                        .collect();
                    let cases = if rust {
                        format!("&[{}]", cases.join(", "))
                    } else if cases.len() == 1 {
                        format!("({},)", cases[0])
                    } else {
                        format!("({})", cases.join(", "))
                    };
                    let spec = if rust {
                        format!(
                            "NodeSpec::Branch(BranchSpec {{ id: {}, on: {}, pointer: {}, timeout_ms: {}, cases: {cases} }})",
                            sp.s(&b.id),
                            sp.s(&b.on.name),
                            sp.s(&b.pointer),
                            sp.num_opt(b.timeout)
                        )
                    } else {
                        format!(
                            "rt.BranchNode(id={}, on={}, pointer={}, timeout_ms={}, cases={cases})",
                            sp.s(&b.id),
                            sp.s(&b.on.name),
                            sp.s(&b.pointer),
                            sp.num_opt(b.timeout)
                        )
                    };
                    (b.id.clone(), doc, spec)
                }
            };
            let reads = match node {
                Node::Step(s) => saga.steps[*s].when.as_ref().map(|c| c.pointer().to_string()),
                Node::Branch(b) => Some(b.pointer.clone()),
                Node::Parallel { steps, .. } => steps.iter().find_map(|&s| saga.steps[s].when.as_ref().map(|c| c.pointer().to_string())),
            };
            json!({
                "index": n,
                "state": sn.take(&sp.variant(&name)),
                "doc": doc_text(lang, &doc),
                "spec": spec,
                "next": sp.idx_opt(next[n]),
                "reads": sp.opt(reads.as_deref()),
            })
        })
        .collect();
    let next_list = match lang {
        Lang::Rust => format!(
            "&[{}]",
            next.iter()
                .map(|n| sp.idx_opt(*n))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Lang::Python => {
            let v: Vec<String> = next.iter().map(|n| sp.idx_opt(*n)).collect();
            if v.len() == 1 {
                format!("({},)", v[0])
            } else {
                format!("({})", v.join(", "))
            }
        }
    };
    let start_doc = format!(
        "Waiting for {}.",
        saga.start
            .iter()
            .map(|st| match &st.when {
                Some(c) => format!("`{}` with {}", st.message.name, cond_doc(c)),
                None => format!("`{}`", st.message.name),
            })
            .collect::<Vec<_>>()
            .join(" or ")
    );
    let start = start_input(saga);
    let start_body = start
        .body
        .as_ref()
        .map(|b| serde_json::to_string(b).unwrap_or_default());
    let probes: Vec<Value> = probes(saga)
        .into_iter()
        .map(|(m, o)| {
            json!({
                "message": sp.s(&m),
                "outcome": match lang { Lang::Rust => o.to_string(), Lang::Python => screaming(o) },
            })
        })
        .collect();
    let tests: Vec<Value> = scenarios(saga)
        .into_iter()
        .map(|s| {
            let inputs: Vec<Value> = s
                .inputs
                .iter()
                .map(|x| {
                    let body = x
                        .body
                        .as_ref()
                        .map(|b| serde_json::to_string(b).unwrap_or_default());
                    json!({
                        "message": sp.s(x.message.as_deref().unwrap_or("")),
                        "body": match (lang, &body) {
                            (Lang::Rust, Some(b)) => format!("Some({})", super::rust::raw_str(b)),
                            (Lang::Python, Some(b)) => sp.s(b),
                            _ => "None".into(),
                        },
                        "timer": x.message.is_none(),
                        "deadline": x.deadline,
                        "expect": match (lang, x.stale, x.foreign) {
                            (Lang::Rust, true, _) => Some("Outcome::Stale"),
                            (Lang::Python, true, _) => Some("rt.Outcome.STALE"),
                            (Lang::Rust, _, true) => Some("Outcome::Foreign"),
                            (Lang::Python, _, true) => Some("rt.Outcome.FOREIGN"),
                            _ => None,
                        },
                        "step": x.step.map(|st| match lang {
                            Lang::Rust => format!("Step::{}", step_variants[st]),
                            Lang::Python => sp.s(&saga.steps[st].id),
                        }),
                    })
                })
                .collect();
            let compensated: Vec<String> = s
                .log
                .iter()
                .filter_map(|l| l.strip_prefix("compensate "))
                .map(|c| sp.s(c))
                .collect();
            json!({
                "name": s.name,
                "doc": doc_text(lang, &s.doc),
                "inputs": inputs,
                "state": sp.variant(s.state),
                "log": s.log.iter().map(|l| sp.s(l)).collect::<Vec<_>>(),
                "compensated": compensated,
            })
        })
        .collect();
    let description = saga
        .source
        .value
        .as_ref()
        .and_then(|v| v.get("description"))
        .and_then(Value::as_str)
        .map(|d| {
            d.trim()
                .replace("\"\"\"", "'''")
                .lines()
                .map(|l| doc_text(lang, l.trim_end()))
                .collect::<Vec<_>>()
        });
    let start_capture = {
        let items: Vec<String> = saga.start.iter().map(|st| sp.fields(&st.capture)).collect();
        match lang {
            Lang::Rust => format!("&[{}]", items.join(", ")),
            Lang::Python if items.len() == 1 => format!("({},)", items[0]),
            Lang::Python => format!("({})", items.join(", ")),
        }
    };
    let has_branch = saga.nodes.iter().any(|n| matches!(n, Node::Branch(_)));
    let mut imports = vec!["self"];
    if has_branch {
        imports.push("BranchSpec");
    }
    if saga.steps.iter().any(|s| !s.compensation.is_empty()) {
        imports.push("CompensationSpec");
    }
    imports.extend(["NodeSpec", "OnTimeout", "Retry", "SagaSpec", "StepSpec"]);
    json!({
        "name": saga.name,
        "name_lit": sp.s(&saga.name),
        "module": module,
        "version": saga.version,
        "contract": saga.contract,
        "correlation": saga.correlation,
        "description": description,
        "start_doc": doc_text(lang, &start_doc),
        "name_doc": doc_text(lang, &saga.name),
        "contract_doc": doc_text(lang, &saga.contract),
        "correlation_doc": doc_text(lang, &saga.correlation),
        "version_doc": doc_text(lang, &saga.version),
        // The first start message (the generated tests start an instance with it).
        "start": sp.s(&saga.start[0].message.name),
        "starts": sp.starts(saga),
        "start_capture": start_capture,
        "start_reads": sp.start_reads(saga),
        "ignore": sp.list(names(&saga.ignore)),
        "abort_on": sp.list(names(&saga.abort_on)),
        "deadline_ms": sp.num_opt(saga.deadline),
        "correlation_lit": sp.s(&saga.correlation),
        "causation": sp.opt(saga.causation.as_deref()),
        "first": sp.idx_opt(saga.top.first().copied()),
        "next": next_list,
        "emits_complete": sp.list(names(&saga.emits_complete)),
        "emits_failure": sp.list(names(&saga.emits_failure)),
        "steps": steps,
        "compensations": comps,
        "states": saga
            .all_nodes()
            .into_iter()
            .filter_map(|n| nodes.get(n).cloned())
            .collect::<Vec<_>>(),
        "nodes": nodes,
        "tests": tests,
        "rust_imports": imports.join(", "),
        "probes": probes,
        "start_body": match (lang, &start_body) {
            (Lang::Rust, Some(b)) => format!("Some({})", super::rust::raw_str(b)),
            (Lang::Python, Some(b)) => sp.s(b),
            _ => "None".into(),
        },
        "hooks_name": format!("{}Hooks", pascal(module)),
    })
}

fn retry(sp: &Sp, r: crate::saga::format::Retry) -> String {
    match sp.lang {
        Lang::Rust => format!(
            "Retry {{ max: {}, backoff_ms: {}, factor: {} }}",
            r.max, r.backoff, r.factor
        ),
        Lang::Python => format!("rt.Retry({}, {}, {})", r.max, r.backoff, r.factor),
    }
}

fn waiting_for(st: &crate::saga::format::Step) -> String {
    let on: Vec<String> = st.on.iter().map(|n| format!("`{}`", n.name)).collect();
    let mut s = if on.is_empty() {
        "its timer".to_string()
    } else {
        on.join(" or ")
    };
    if let Some(c) = &st.when {
        s.push_str(&format!(" with {}", cond_doc(c)));
    }
    if !st.fail.is_empty() {
        let f: Vec<String> = st.fail.iter().map(|n| format!("`{}`", n.name)).collect();
        s.push_str(&format!("; fails on {}", f.join(" or ")));
    }
    s
}

/// Names a saga module must not take: the runtime and package files beside it, and
/// every name the generated saga tests import at their top level (`rt`, `json`, ...).
const RESERVED_MODULES: &[&str] = &[
    "runtime",
    "_runtime",
    "mod",
    "sagas",
    "sagas_impl",
    "rt",
    "json",
    "annotations",
    "_json",
    "Any",
];

/// The contexts of every saga (module names unique and not clashing with the runtime or
/// the tests' imports; hooks class names unique).
pub fn contexts(sagas: &[Saga], lang: Lang) -> Vec<Value> {
    let mut mods = Namer::with_reserved(RESERVED_MODULES);
    let mut hooks = Namer::with_reserved(&["HookNotImplemented"]);
    sagas
        .iter()
        .map(|s| {
            let m = mods.take_snake(&snake(&s.name));
            // A module name that is a keyword gets a suffix (it is also a file name).
            let m = match lang {
                Lang::Rust if rust_escape(m.clone()) != m => mods.take_snake(&format!("{m}_saga")),
                Lang::Python if py_escape(m.clone()) != m => mods.take_snake(&format!("{m}_saga")),
                _ => m,
            };
            let mut c = context(s, &m, lang);
            // `matches` conditions (`when`, a start's, a compensation's `when` or `if`) need
            // a regular-expression crate (Rust).
            let conds = s
                .start
                .iter()
                .filter_map(|st| st.when.as_ref())
                .chain(s.steps.iter().filter_map(|st| st.when.as_ref()))
                .chain(
                    s.steps
                        .iter()
                        .flat_map(|st| &st.compensation)
                        .flat_map(|k| k.when.iter().chain(&k.only_if)),
                );
            c["uses_matches"] = json!(conds.into_iter().any(|c| c.uses_matches()));
            c["hooks_name"] = json!(hooks.take(&format!("{}Hooks", pascal(&m))));
            c
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(name: &str) -> Saga {
        let p = std::path::PathBuf::from(format!("fixtures/hnp/sagas/{name}.saga.yaml"));
        match crate::saga::load(&p, std::sync::Arc::from(name)) {
            Ok(s) => s,
            Err(d) => panic!("{name}: {d:?}"),
        }
    }

    #[test]
    fn bodies_hold_the_fields_at_their_pointers() {
        let mut b = json!({"headers": {"id": 1}});
        set_at(&mut b, "/payload/a~1b/c", json!("x"));
        set_at(&mut b, "/headers/correlationid", json!("k"));
        assert_eq!(
            b,
            json!({"headers": {"id": 1, "correlationid": "k"}, "payload": {"a/b": {"c": "x"}}})
        );
    }

    #[test]
    fn after_a_branch_case_comes_the_node_after_the_branch() {
        let s = load("drift-reconcile");
        // raise-alert, apply-git-version, await-automatic-resolution,
        // await-manual-resolution, commit-cluster-version, resolution, resolve-alert
        assert_eq!(
            next_nodes(&s),
            [Some(5), Some(6), Some(6), Some(6), Some(6), Some(6), None]
        );
    }

    #[test]
    fn scenarios_follow_the_saga_and_the_simulator() {
        let s = load("drift-reconcile");
        let sc = scenarios(&s);
        let names: Vec<&str> = sc.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "happy_path",
                "happy_path_2",
                "happy_path_3",
                "happy_path_4",
                "a_failed_attempt_is_retried",
                "failure_is_compensated",
                "a_stale_reply_is_not_a_completion",
                "a_late_success_is_compensated_again"
            ]
        );
        // The stale reply names the first attempt (by `causation`) while the second is
        // in flight; the next one names the second.
        let stale = &sc[6];
        let named: Vec<(bool, Option<&Value>)> = stale
            .inputs
            .iter()
            .map(|x| {
                let c = x
                    .body
                    .as_ref()
                    .and_then(|b| b.pointer("/headers/causationid"));
                (x.stale, c)
            })
            .filter(|(_, c)| c.is_some())
            .collect();
        assert_eq!(
            named,
            [
                (true, Some(&json!("instance-1/raise-alert/1"))),
                (false, Some(&json!("instance-2/raise-alert/2"))),
                (false, Some(&json!("instance-1/raise-alert/2")))
            ]
        );
        let fail = &sc[5];
        let msgs: Vec<&str> = fail
            .inputs
            .iter()
            .map(|i| i.message.as_deref().unwrap_or("(timer)"))
            .collect();
        // favor_git passes a pivot: the compensable path is favor_cluster.
        assert_eq!(
            msgs,
            [
                "DriftDetected",
                "DriftAlertRaised",
                "DriftResolutionChosen",
                "ChangesCommitted",
                "DriftAlertResolutionFailed",
                "DriftAlertResolutionFailed",
                "DriftAlertResolutionFailed",
                "DriftAlertResolutionFailed",
                "DriftAlertResolutionFailed",
                "CommitReverted"
            ]
        );
        assert_eq!(fail.state, "compensated");
        assert_eq!(
            fail.log
                .iter()
                .rev()
                .take(2)
                .map(String::as_str)
                .collect::<Vec<_>>(),
            ["emit ReconciliationFailed", "compensate RevertCommit"]
        );
        let p = probes(&s);
        assert!(p.contains(&("DriftResolved".into(), "Ignored")), "{p:?}");
        assert!(
            p.contains(&("hnp-events-unknown-message".into(), "Unexpected")),
            "{p:?}"
        );
    }
}
