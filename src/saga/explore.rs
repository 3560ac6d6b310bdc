//! `simulate --explore`: perturb a recorded stream systematically and re-run the
//! saga on each perturbation — duplicate, drop or swap events, deliver replies just
//! before/after their deadline, fail a step once, exhaust its retries (by failure
//! replies, or by silence on every attempt), answer a retried step only once the
//! instance has ended, fail a compensation once — then minimise each counterexample
//! (delta debugging) and give it a replay token.
//!
//! Participants are modelled: compensation replies in the stream become the
//! participant's answers (attempt by attempt, from a plain run of the recording) and
//! every other compensation command is confirmed 1 ms after it is sent, unless the
//! scenario makes that participant fail once or twice, lose, delay or repeat its
//! answer; so failure scenarios need no hand-written compensation replies.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::duration::signed;
use super::engine::{self, InstanceReport, Options, Outcome, Violation, What};
use super::format::{OnTimeout, Saga};
use super::stream::Event;

/// One perturbation. Event numbers (`uid`) are positions in the normalised stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Op {
    Dup(usize),
    Drop(usize),
    Swap(usize),
    /// Deliver this event after the next event of its own instance (each keeps its
    /// time slot): only where causality allows it (see [`reorderable`]).
    Reorder(usize),
    At(usize, i64),
    Fail(usize),
    Exhaust(usize),
    /// Exhaust the step this reply answers by silence: no attempt is ever answered,
    /// every attempt times out and the step's outcome stays unknown.
    Silent(usize),
    /// Start event of the instance, saga, step, compensation index, and how the
    /// compensation's participant misbehaves.
    CompFail(usize, usize, usize, usize, Play),
    /// Answer the first attempt of the step this reply answers `d` ms late (after the
    /// retry is sent), then the retry.
    Late(usize, i64),
    /// Silence the step this reply answers (as [`Op::Silent`]), then deliver the
    /// reply `d` ms after its recorded time, answering the last attempt: the moment
    /// the saga gives up on the step and sends its compensation (a late effect).
    GaveUp(usize, i64),
    /// Silence the retried step this reply answers until the instance has ended
    /// (every attempt times out, the saga gives up on the step in doubt and ends),
    /// then deliver the success of attempt `n` 1 ms after that end, on the virtual
    /// clock (a late effect that reopens the ended instance). The end is that of the
    /// same scenario run without the late success (see [`perturb`]).
    AfterEnd(usize, u32),
    /// Give a branch's event the value of the branch's case `k` (every case is tried).
    Case(usize, usize),
}

impl Op {
    /// The event the perturbation acts on.
    fn uid(&self) -> usize {
        match *self {
            Op::Dup(u)
            | Op::Drop(u)
            | Op::Swap(u)
            | Op::Reorder(u)
            | Op::At(u, _)
            | Op::Fail(u)
            | Op::Exhaust(u)
            | Op::Silent(u)
            | Op::Late(u, _)
            | Op::GaveUp(u, _)
            | Op::AfterEnd(u, _)
            | Op::Case(u, _)
            | Op::CompFail(u, ..) => u,
        }
    }

    /// The events the perturbation needs: a swap needs the next event too.
    fn touches(&self) -> impl Iterator<Item = usize> {
        let u = self.uid();
        let next = match self {
            Op::Swap(_) => u.checked_add(1),
            _ => None,
        };
        std::iter::once(u).chain(next)
    }

    /// The same perturbation on renumbered events.
    fn renumber(&self, f: impl Fn(usize) -> usize) -> Op {
        match *self {
            Op::Dup(u) => Op::Dup(f(u)),
            Op::Drop(u) => Op::Drop(f(u)),
            Op::Swap(u) => Op::Swap(f(u)),
            Op::Reorder(u) => Op::Reorder(f(u)),
            Op::At(u, t) => Op::At(f(u), t),
            Op::Fail(u) => Op::Fail(f(u)),
            Op::Exhaust(u) => Op::Exhaust(f(u)),
            Op::Silent(u) => Op::Silent(f(u)),
            Op::CompFail(u, s, st, i, p) => Op::CompFail(f(u), s, st, i, p),
            Op::Late(u, d) => Op::Late(f(u), d),
            Op::GaveUp(u, d) => Op::GaveUp(f(u), d),
            Op::AfterEnd(u, n) => Op::AfterEnd(f(u), n),
            Op::Case(u, k) => Op::Case(f(u), k),
        }
    }

    fn token(&self) -> String {
        match self {
            Op::Dup(u) => format!("d{u}"),
            Op::Drop(u) => format!("x{u}"),
            Op::Swap(u) => format!("s{u}"),
            Op::Reorder(u) => format!("o{u}"),
            Op::At(u, t) => format!("t{u}@{t}"),
            Op::Fail(u) => format!("f{u}"),
            Op::Exhaust(u) => format!("e{u}"),
            Op::Silent(u) => format!("n{u}"),
            Op::CompFail(u, s, st, i, p) => format!("c{u}.{s}.{st}.{i}{}", p.suffix()),
            Op::Late(u, d) => format!("l{u}@{d}"),
            Op::GaveUp(u, d) => format!("g{u}@{d}"),
            Op::AfterEnd(u, n) => format!("a{u}.{n}"),
            Op::Case(u, k) => format!("b{u}.{k}"),
        }
    }

    fn parse(s: &str) -> Option<Op> {
        let (k, rest) = s.split_at(s.char_indices().nth(1).map_or(s.len(), |(i, _)| i));
        let n = |x: &str| x.parse::<usize>().ok();
        Some(match k {
            "d" => Op::Dup(n(rest)?),
            "x" => Op::Drop(n(rest)?),
            "s" => Op::Swap(n(rest)?),
            "o" => Op::Reorder(n(rest)?),
            "f" => Op::Fail(n(rest)?),
            "e" => Op::Exhaust(n(rest)?),
            "n" => Op::Silent(n(rest)?),
            "t" => {
                let (u, t) = rest.split_once('@')?;
                Op::At(n(u)?, t.parse().ok()?)
            }
            "l" => {
                let (u, t) = rest.split_once('@')?;
                Op::Late(n(u)?, t.parse().ok()?)
            }
            "g" => {
                let (u, t) = rest.split_once('@')?;
                Op::GaveUp(n(u)?, t.parse().ok()?)
            }
            "b" => {
                let (u, k) = rest.split_once('.')?;
                Op::Case(n(u)?, n(k)?)
            }
            "a" => {
                let (u, k) = rest.split_once('.')?;
                Op::AfterEnd(n(u)?, k.parse::<u32>().ok().filter(|&k| k >= 1)?)
            }
            "c" => {
                let mut parts: Vec<&str> = rest.split('.').collect();
                let play = match parts.last().copied() {
                    Some(w) if w.parse::<usize>().is_err() => {
                        parts.pop();
                        *Play::ALL.iter().find(|p| p.suffix() == format!(".{w}"))?
                    }
                    _ => Play::Fail,
                };
                let p: Vec<usize> = parts.into_iter().map(n).collect::<Option<_>>()?;
                let [u, s, st, i] = p.as_slice() else {
                    return None;
                };
                Op::CompFail(*u, *s, *st, *i, play)
            }
            _ => return None,
        })
    }

    /// Whether the perturbation names events, sagas, steps and compensations that
    /// exist (a replay token may come from other files).
    fn check(&self, sagas: &[Saga], events: usize) -> Result<(), String> {
        let u = self.uid();
        let last = match self {
            Op::Swap(_) => u.checked_add(1),
            _ => Some(u),
        };
        if last.is_none_or(|l| l >= events) {
            return Err(format!(
                "`{}` names event {}, but the stream has {events} events (after compensation replies are set aside)",
                self.token(),
                last.unwrap_or(u),
            ));
        }
        if let Op::CompFail(_, s, st, i, _) = *self {
            let Some(saga) = sagas.get(s) else {
                return Err(format!(
                    "`{}` names saga #{s}, but {} saga files are loaded",
                    self.token(),
                    sagas.len()
                ));
            };
            let Some(step) = saga.steps.get(st) else {
                return Err(format!(
                    "`{}` names step #{st} of `{}`, which has {} steps",
                    self.token(),
                    saga.name,
                    saga.steps.len()
                ));
            };
            if i >= step.compensation.len() {
                return Err(format!(
                    "`{}` names compensation #{i} of step `{}`, which has {}",
                    self.token(),
                    step.id,
                    step.compensation.len()
                ));
            }
        }
        if let Op::Case(_, k) = *self {
            let n = sagas
                .iter()
                .flat_map(|s| &s.nodes)
                .filter_map(|n| match n {
                    super::format::Node::Branch(b) => Some(b.cases.len()),
                    _ => None,
                })
                .max()
                .unwrap_or(0);
            if k >= n {
                return Err(format!(
                    "`{}` names case #{k}, but no branch has that many cases",
                    self.token()
                ));
            }
        }
        if let Op::At(_, t) | Op::Late(_, t) | Op::GaveUp(_, t) = *self {
            if t.unsigned_abs() > super::duration::MAX_MS {
                return Err(format!(
                    "`{}` shifts an event by more than 100 years",
                    self.token()
                ));
            }
        }
        Ok(())
    }

    /// What the perturbation does, for people.
    pub fn describe(&self, sagas: &[Saga], events: &[Event]) -> String {
        // Events are named by the stream file's line (the timelines show the same).
        let m = |u: &usize| {
            events.get(*u).map_or("?".to_string(), |e| {
                if e.line > 0 {
                    format!("{} (line {})", e.message, e.line)
                } else {
                    format!("{} (event {u})", e.message)
                }
            })
        };
        match self {
            Op::Dup(u) => format!("deliver {} twice", m(u)),
            Op::Drop(u) => format!("lose {}", m(u)),
            Op::Swap(u) => format!("swap {} with the next event", m(u)),
            Op::Reorder(u) => {
                let next = events.get(*u).and_then(|e| {
                    (u + 1..events.len()).find(|&v| same_instance(sagas, e, &events[v]))
                });
                format!(
                    "deliver {} after the next event of its instance, {} (causality allows it: that one answers nothing sent because of the first)",
                    m(u),
                    next.map_or("?".to_string(), |v| m(&v))
                )
            }
            Op::At(u, t) if *t >= 0 => format!(
                "deliver {} {} later",
                m(u),
                super::duration::show_ms(*t as u64)
            ),
            Op::At(u, t) => format!(
                "deliver {} {} earlier",
                m(u),
                super::duration::show_ms(t.unsigned_abs())
            ),
            Op::Fail(u) => format!("fail the step once before {}", m(u)),
            Op::Exhaust(u) => format!(
                "exhaust the step answered by {}: every attempt fails (or is never answered)",
                m(u)
            ),
            Op::Silent(u) => format!(
                "never answer the step answered by {}: every attempt times out, so its outcome stays unknown",
                m(u)
            ),
            Op::CompFail(u, s, st, i, p) => {
                let step = sagas
                    .get(*s)
                    .and_then(|x| x.steps.get(*st))
                    .map_or("?", |x| x.id.as_str());
                format!(
                    "{} for the instance started by {}",
                    p.describe(*i, step),
                    m(u)
                )
            }
            Op::Case(u, k) => format!("take case #{k} of the branch on {}", m(u)),
            Op::GaveUp(u, d) => format!(
                "never answer the step answered by {} until the saga gives up on it (every attempt times out), then deliver that success {} later than recorded, as the saga sends its compensation",
                m(u),
                super::duration::show_ms(d.unsigned_abs())
            ),
            Op::Late(u, d) => format!(
                "answer the first attempt of the step answered by {} {} late, after its retry was sent, then answer the retry",
                m(u),
                super::duration::show_ms(d.unsigned_abs())
            ),
            Op::AfterEnd(u, n) => format!(
                "never answer the step answered by {} until the instance has ended (every attempt times out, so the saga gives up on it in doubt), then deliver the success of attempt {n} after that end (it took effect late)",
                m(u)
            ),
        }
    }
}

/// How the participant model misbehaves on a compensation (the attempts after those
/// it spoils are confirmed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Play {
    /// The first attempt fails.
    Fail,
    /// The first two attempts fail.
    FailTwice,
    /// The first attempt is never answered (it times out).
    Lose,
    /// The first attempt is confirmed after its timeout, once the retry was answered.
    Late,
    /// The first attempt is confirmed twice (a redelivery).
    Twice,
}

impl Play {
    const ALL: [Play; 5] = [
        Play::Fail,
        Play::FailTwice,
        Play::Lose,
        Play::Late,
        Play::Twice,
    ];

    fn answers(self) -> Vec<engine::Answer> {
        use engine::Answer as A;
        match self {
            Play::Fail => vec![A::Fail],
            Play::FailTwice => vec![A::Fail, A::Fail],
            Play::Lose => vec![A::Lose],
            Play::Late => vec![A::Late],
            Play::Twice => vec![A::Twice],
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            Play::Fail => "",
            Play::FailTwice => ".fail2",
            Play::Lose => ".lose",
            Play::Late => ".late",
            Play::Twice => ".twice",
        }
    }

    /// What the participant does to compensation `i` (numbered from 1 in the step
    /// here) of `step`.
    fn describe(self, i: usize, step: &str) -> String {
        let c = format!("compensation {} of `{step}`", i + 1);
        match self {
            Play::Fail => format!("fail {c} once"),
            Play::FailTwice => format!("fail {c} twice"),
            Play::Lose => format!("never answer the first attempt of {c} (it times out)"),
            Play::Late => format!(
                "confirm the first attempt of {c} late, after its timeout and after its retry was confirmed"
            ),
            Play::Twice => format!("confirm {c} twice (a redelivered confirmation)"),
        }
    }
}

/// How to explore.
#[derive(Clone)]
pub struct ExploreOptions<'a> {
    pub depth: u8,
    /// (k, n): run the scenarios whose number is k-1 modulo n.
    pub shard: (u32, u32),
    /// Stop after this many scenarios.
    pub max_scenarios: Option<u64>,
    /// Stop when this much wall-clock time has passed.
    pub time_budget: Option<std::time::Duration>,
    /// Stop when this turns true (Ctrl-C).
    pub interrupt: Option<&'a std::sync::atomic::AtomicBool>,
    /// Called now and then with (scenarios run, scenarios planned in this shard).
    pub progress: Option<&'a dyn Fn(u64, u64)>,
}

impl Default for ExploreOptions<'_> {
    fn default() -> Self {
        ExploreOptions {
            depth: 1,
            shard: (1, 1),
            max_scenarios: None,
            time_budget: None,
            interrupt: None,
            progress: None,
        }
    }
}

/// Why an exploration stopped before running every scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stopped {
    MaxScenarios,
    TimeBudget,
    Interrupted,
}

impl Stopped {
    pub fn describe(self) -> &'static str {
        match self {
            Stopped::MaxScenarios => "--max-scenarios reached",
            Stopped::TimeBudget => "--time-budget reached",
            Stopped::Interrupted => "interrupted",
        }
    }
}

/// A minimised counterexample.
#[derive(Debug, Clone, Serialize)]
pub struct Counterexample {
    pub rule: &'static str,
    pub saga: Option<String>,
    pub perturbation: Vec<String>,
    pub events: usize,
    pub token: String,
    pub violations: Vec<Violation>,
    pub instance: Option<InstanceReport>,
}

/// The result of an exploration.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub scenarios: u64,
    /// Scenarios this shard would run without a limit.
    pub planned: u64,
    /// Set when a limit or Ctrl-C ended the exploration early: what was found so far
    /// is reported.
    pub stopped: Option<Stopped>,
    pub by_rule: BTreeMap<&'static str, u64>,
    pub base_violations: Vec<Violation>,
    pub counterexamples: Vec<Counterexample>,
}

/// FNV-1a of the texts a token depends on.
pub fn fingerprint<'a>(texts: impl IntoIterator<Item = &'a str>) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for t in texts {
        for b in t.bytes().chain(std::iter::once(0)) {
            h ^= u32::from(b);
            h = h.wrapping_mul(0x0100_0193);
        }
    }
    h
}

/// Drop compensation replies (participants are modelled) and keep the rest.
pub fn normalise(sagas: &[Saga], events: &[Event]) -> Vec<Event> {
    let mut comp = BTreeSet::new();
    let mut fwd = BTreeSet::new();
    for s in sagas {
        for st in &s.steps {
            fwd.extend(st.on.iter().chain(&st.fail).map(|n| n.name.as_str()));
            for c in &st.compensation {
                comp.insert(c.confirm.name.as_str());
                comp.extend(c.fail.iter().map(|n| n.name.as_str()));
            }
        }
    }
    events
        .iter()
        .filter(|e| !comp.contains(e.message.as_str()) || fwd.contains(e.message.as_str()))
        .cloned()
        .collect()
}

/// What the recording says about the compensations' participants, from a plain run
/// (as `simulate` does it) of the whole stream: how each recorded compensation was
/// answered, attempt by attempt (confirmed, failed, or timed out). The participant
/// model answers those compensations the same way in every scenario, so a recorded
/// compensation reply is never dropped. Also the plain run's violations (a stream
/// that `simulate` fails fails exploration too) and the instances it leaves waiting
/// (saga, key): the recording ends before they do.
pub fn recorded(sagas: &[Saga], events: &[Event]) -> Recorded {
    use engine::Answer;
    let plain = engine::run(
        sagas,
        events,
        Options {
            keep_timelines: true,
            ..Options::default()
        },
    );
    let mut scripts: Vec<engine::CompScript> = Vec::new();
    for inst in &plain.instances {
        let Some(saga) = sagas.iter().find(|s| s.name == inst.saga) else {
            continue;
        };
        let mut current: Option<(usize, usize)> = None;
        for e in &inst.timeline {
            let (answer, attempt) = match &e.what {
                What::Compensating { step, command, .. } => {
                    current = saga
                        .steps
                        .iter()
                        .position(|s| s.id == *step)
                        .and_then(|st| {
                            let i = saga.steps[st]
                                .compensation
                                .iter()
                                .position(|c| c.send.name == *command)?;
                            Some((st, i))
                        });
                    continue;
                }
                What::Compensated { .. } if e.line > 0 => (Answer::Confirm, None),
                What::CompensationFailed { event, attempt, .. } => (
                    if event.is_some() && e.line > 0 {
                        Answer::Fail
                    } else if event.is_none() {
                        Answer::Lose
                    } else {
                        continue;
                    },
                    Some(*attempt),
                ),
                _ => continue,
            };
            let Some((st, i)) = current else { continue };
            let pos = match scripts
                .iter()
                .position(|c| c.key == inst.key && c.step == st && c.idx == i)
            {
                Some(p) => p,
                None => {
                    scripts.push(engine::CompScript {
                        key: inst.key.clone(),
                        step: st,
                        idx: i,
                        answers: Vec::new(),
                        every_round: false,
                    });
                    scripts.len() - 1
                }
            };
            let a = &mut scripts[pos].answers;
            let n = attempt.map_or(a.len() + 1, |n| n as usize);
            if a.len() < n {
                a.resize(n - 1, Answer::Confirm);
                a.push(answer);
            }
        }
    }
    // Timeouts alone (no recorded reply at all) say only that the recording ends.
    scripts.retain(|c| c.answers.iter().any(|a| *a != Answer::Lose));
    let cut = plain
        .instances
        .iter()
        .filter(|i| matches!(i.state, engine::Final::Waiting { .. }))
        .map(|i| (i.saga.clone(), i.key.clone()))
        .collect();
    (scripts, plain.violations, cut)
}

/// What [`recorded`] reads from a plain run of the recording.
pub type Recorded = (
    Vec<engine::CompScript>,
    Vec<Violation>,
    BTreeSet<(String, String)>,
);

fn options(sagas: &[Saga], events: &[Event], ops: &[Op], rec: &[engine::CompScript]) -> Options {
    let mut o = Options {
        keep_timelines: true,
        auto_confirm: true,
        drain: true,
        causal: true,
        comp_scripts: rec.to_vec(),
        ..Options::default()
    };
    for op in ops {
        if let Op::CompFail(u, s, st, i, p) = *op {
            if let (Some(ev), Some(saga)) = (events.get(u), sagas.get(s)) {
                if let Some(key) = ev.key(&saga.correlation) {
                    o.comp_scripts
                        .retain(|c| !(c.key == key && c.step == st && c.idx == i));
                    // The participant misbehaves the same way each time the
                    // compensation is sent (again, for a late effect, too).
                    o.comp_scripts.push(engine::CompScript {
                        key,
                        step: st,
                        idx: i,
                        answers: p.answers(),
                        every_round: true,
                    });
                }
            }
        }
    }
    o
}

/// Run the engine on perturbed events, with the participant model's ground truth:
/// the command each reply it produced truly answers.
fn run(
    sagas: &[Saga],
    evs: &[Event],
    base: &[Event],
    ops: &[Op],
    rec: &[engine::CompScript],
) -> Outcome {
    let mut o = options(sagas, base, ops, rec);
    o.true_cause = Some(format!("/headers/{TRUE_CAUSE}"));
    engine::run(sagas, evs, o)
}

/// The private header where the participant model records the command a reply it
/// produced truly answers (read by the engine only when exploring).
const TRUE_CAUSE: &str = "x-hnp-explore-cause";

/// The command step whose reply `e` is, with the attempt it answers (its causation
/// when the saga declares one and the event names it, else the first attempt):
/// (`KEY/STEP`, attempt, saga).
fn reply_cause<'s>(sagas: &'s [Saga], e: &Event) -> Option<(String, u32, &'s Saga)> {
    for s in sagas {
        let Some(st) = s.steps.iter().find(|st| {
            st.send.is_some() && st.on.iter().chain(&st.fail).any(|n| n.name == e.message)
        }) else {
            continue;
        };
        let key = e.key(&s.correlation)?;
        let base = format!("{key}/{}", st.id);
        let named = e
            .headers
            .get(TRUE_CAUSE)
            .and_then(|v| v.as_str())
            .map(str::to_string)
            .or_else(|| s.causation.as_deref().and_then(|p| e.key(p)));
        let n = named
            .as_deref()
            .and_then(|c| c.strip_prefix(base.as_str()))
            .and_then(|r| r.strip_prefix('/'))
            .and_then(|n| n.parse().ok())
            .unwrap_or(1);
        return Some((base, n, s));
    }
    None
}

/// Make `e` answer attempt `n` of the command `base` (`KEY/STEP`): its causation (when
/// the saga reads one from the headers) and the model's ground truth.
fn set_cause(e: &mut Event, saga: &Saga, base: &str, n: u32) {
    let c = serde_json::Value::String(format!("{base}/{n}"));
    if let Some(h) = e.headers.as_object_mut() {
        h.insert(TRUE_CAUSE.into(), c.clone());
        if let Some(name) = saga
            .causation
            .as_deref()
            .and_then(|p| p.strip_prefix("/headers/"))
            .filter(|n| !n.contains('/'))
        {
            h.insert(name.replace("~1", "/").replace("~0", "~"), c);
        }
    }
}

/// Re-point a reply at attempt `n` of the command it answers.
fn recause(sagas: &[Saga], e: &mut Event, n: impl FnOnce(u32) -> u32) {
    if let Some((base, k, s)) = reply_cause(sagas, e) {
        set_cause(e, s, &base, n(k));
    }
}

/// The step an event completes, if any.
fn completes<'s>(sagas: &'s [Saga], msg: &str) -> Option<&'s super::format::Step> {
    sagas
        .iter()
        .flat_map(|s| &s.steps)
        .find(|st| st.on.iter().any(|n| n.name == msg))
}

/// Delay the events of `like`'s instance from position `from` on, except the replies
/// of the parallel siblings of the step `like` answers: their commands were sent
/// before, independently, and their participants answer on their own time.
fn shift(sagas: &[Saga], evs: &mut [(usize, Event)], from: usize, like: &Event, delta: i64) {
    let siblings = sibling_steps(sagas, &like.message);
    for e in evs.iter_mut().skip(from) {
        if same_instance(sagas, &e.1, like)
            && !answered_step(sagas, &e.1.message).is_some_and(|s| siblings.contains(&s))
        {
            e.1.time = e.1.time.saturating_add(delta);
        }
    }
}

/// The id of the command step an event answers (success or failure reply).
fn answered_step<'s>(sagas: &'s [Saga], msg: &str) -> Option<&'s str> {
    sagas
        .iter()
        .flat_map(|s| &s.steps)
        .find(|st| st.send.is_some() && st.on.iter().chain(&st.fail).any(|n| n.name == msg))
        .map(|st| st.id.as_str())
}

/// The other steps of the parallel group holding the step an event answers.
fn sibling_steps<'s>(sagas: &'s [Saga], msg: &str) -> Vec<&'s str> {
    let Some(own) = answered_step(sagas, msg) else {
        return Vec::new();
    };
    for s in sagas {
        for n in &s.nodes {
            if let super::format::Node::Parallel { steps, .. } = n {
                let ids: Vec<&str> = steps
                    .iter()
                    .filter_map(|&i| s.steps.get(i).map(|st| st.id.as_str()))
                    .collect();
                if ids.contains(&own) {
                    return ids.into_iter().filter(|i| *i != own).collect();
                }
            }
        }
    }
    Vec::new()
}

fn is_branch_event(sagas: &[Saga], msg: &str) -> bool {
    sagas.iter().any(|s| {
        s.nodes
            .iter()
            .any(|n| matches!(n, super::format::Node::Branch(b) if b.on.name == msg))
    })
}

/// The first branch that an event of this message decides.
fn branch_of<'s>(sagas: &'s [Saga], msg: &str) -> Option<&'s super::format::Branch> {
    sagas.iter().flat_map(|s| &s.nodes).find_map(|n| match n {
        super::format::Node::Branch(b) if b.on.name == msg => Some(b),
        _ => None,
    })
}

fn synthetic(base: &Event, message: &str, tag: &str, time: i64) -> Event {
    let mut e = base.clone();
    e.message = message.to_string();
    e.line = 0;
    e.time = time;
    if let Some(serde_json::Value::Object(h)) = Some(&mut e.headers) {
        let id = h
            .get("id")
            .and_then(|v| v.as_str())
            .unwrap_or("synthetic")
            .to_string();
        h.insert(
            "id".into(),
            serde_json::Value::String(format!("{id}~{tag}")),
        );
    }
    e
}

fn same_instance(sagas: &[Saga], a: &Event, b: &Event) -> bool {
    sagas.iter().any(|s| {
        let ka = a.key(&s.correlation);
        ka.is_some() && ka == b.key(&s.correlation)
    })
}

/// Apply perturbations to the normalised stream. Returns events tagged with their
/// origin (`usize::MAX` for synthetic ones).
pub fn apply(sagas: &[Saga], base: &[Event], ops: &[Op]) -> Vec<Event> {
    let mut evs: Vec<(usize, Event)> = base.iter().cloned().enumerate().collect();
    let pos = |evs: &[(usize, Event)], u: usize| evs.iter().position(|(x, _)| *x == u);
    for (k, op) in ops.iter().enumerate() {
        match *op {
            Op::Dup(u) => {
                if let Some(p) = pos(&evs, u) {
                    let c = evs[p].1.clone();
                    evs.insert(p + 1, (usize::MAX, c));
                }
            }
            Op::Drop(u) => {
                // A lost reply: the step times out and the participant answers the
                // retried command (when the step retries on timeout); otherwise the
                // instance gives up and its later events never happen.
                if let Some(p) = pos(&evs, u) {
                    let orig = evs.remove(p).1;
                    let redelivery = evs[..p].iter().any(|(_, e)| {
                        e.message == orig.message
                            && e.headers.get("id").is_some()
                            && e.headers.get("id") == orig.headers.get("id")
                    });
                    let step = sagas
                        .iter()
                        .flat_map(|s| &s.steps)
                        .find(|st| st.on.iter().any(|n| n.name == orig.message));
                    // A lost failure reply: the attempt times out instead, and the
                    // retry (or the giving up) comes that much later; the recorded
                    // replies of later attempts move with it, so none arrives before
                    // its command is sent.
                    let failed = sagas.iter().flat_map(|s| &s.steps).find(|st| {
                        st.send.is_some() && st.fail.iter().any(|n| n.name == orig.message)
                    });
                    match step {
                        _ if redelivery => {}
                        None if failed.is_some() => {
                            let delta = failed
                                .and_then(|st| st.timeout)
                                .map_or(0, signed)
                                .saturating_add(1);
                            shift(sagas, &mut evs, p, &orig, delta);
                        }
                        Some(st)
                            if st.send.is_some()
                                && st.on_timeout == Some(OnTimeout::Retry)
                                && st.retry.max > 1 =>
                        {
                            let delta = signed(st.timeout.unwrap_or(0))
                                .saturating_add(signed(st.retry.delay(1)))
                                .saturating_add(1);
                            shift(sagas, &mut evs, p, &orig, delta);
                            let mut again = synthetic(
                                &orig,
                                &orig.message,
                                &format!("r{k}"),
                                orig.time + delta,
                            );
                            recause(sagas, &mut again, |n| n + 1);
                            evs.insert(p, (usize::MAX, again));
                        }
                        Some(st) if st.on_timeout == Some(OnTimeout::Complete) => {
                            // The wait ends at its deadline instead.
                            let delta = signed(st.timeout.unwrap_or(0)).saturating_add(1);
                            shift(sagas, &mut evs, p, &orig, delta);
                        }
                        Some(_) => evs
                            .retain(|(_, e)| e.time < orig.time || !same_instance(sagas, e, &orig)),
                        None if is_branch_event(sagas, &orig.message) => {
                            evs.retain(|(_, e)| {
                                e.time < orig.time || !same_instance(sagas, e, &orig)
                            });
                        }
                        None => {}
                    }
                }
            }
            Op::Reorder(u) => {
                // Only with the recorded partner (checked causal), when no other
                // perturbation put an event of the instance between them.
                let partner = base
                    .get(u)
                    .and_then(|e| (u + 1..base.len()).find(|&v| same_instance(sagas, e, &base[v])));
                if let (Some(p), Some(v)) = (pos(&evs, u), partner) {
                    let q = (p + 1..evs.len())
                        .find(|&q| same_instance(sagas, &evs[p].1, &evs[q].1))
                        .filter(|&q| evs[q].0 == v);
                    if let Some(q) = q {
                        let (ta, tb) = (evs[p].1.time, evs[q].1.time);
                        evs.swap(p, q);
                        evs[p].1.time = ta;
                        evs[q].1.time = tb;
                    }
                }
            }
            Op::Swap(u) => {
                if let Some(p) = pos(&evs, u) {
                    if p + 1 < evs.len() && !same_instance(sagas, &evs[p].1, &evs[p + 1].1) {
                        let (ta, tb) = (evs[p].1.time, evs[p + 1].1.time);
                        evs.swap(p, p + 1);
                        evs[p].1.time = ta;
                        evs[p + 1].1.time = tb;
                    }
                }
            }
            Op::At(u, t) => {
                if let Some(p) = pos(&evs, u) {
                    // `t` is relative: perturbations compose.
                    let delta = t;
                    if delta > 0 {
                        let orig = evs[p].1.clone();
                        shift(sagas, &mut evs, p + 1, &orig, delta);
                    }
                    evs[p].1.time = evs[p].1.time.saturating_add(delta);
                }
            }
            Op::Fail(u) => {
                if let Some(p) = pos(&evs, u) {
                    if let Some(st) = completes(sagas, &evs[p].1.message) {
                        let Some(fail) = st.fail.first() else {
                            continue;
                        };
                        let delta = signed(st.retry.delay(1)).saturating_add(1);
                        let mut f =
                            synthetic(&evs[p].1, &fail.name, &format!("f{k}"), evs[p].1.time);
                        let cause = reply_cause(sagas, &evs[p].1);
                        if let Some((b, n, s)) = &cause {
                            set_cause(&mut f, s, b, *n);
                        }
                        let orig = evs[p].1.clone();
                        shift(sagas, &mut evs, p, &orig, delta);
                        // The recorded reply now answers the retry.
                        if let Some((b, n, s)) = &cause {
                            set_cause(&mut evs[p].1, s, b, n + 1);
                        }
                        evs.insert(p, (usize::MAX, f));
                    }
                }
            }
            Op::Exhaust(u) | Op::Silent(u) | Op::GaveUp(u, _) | Op::AfterEnd(u, _) => {
                if let Some(p) = pos(&evs, u) {
                    if let Some(st) = completes(sagas, &evs[p].1.message) {
                        let orig = evs.remove(p).1;
                        // Later events of the same instance never happen.
                        let mut i = p;
                        while i < evs.len() {
                            if same_instance(sagas, &evs[i].1, &orig) {
                                evs.remove(i);
                            } else {
                                i += 1;
                            }
                        }
                        if let Op::GaveUp(_, d) = *op {
                            // The success of the last attempt, once the saga gave up.
                            let mut late = synthetic(
                                &orig,
                                &orig.message,
                                &format!("g{k}"),
                                orig.time.saturating_add(d),
                            );
                            if let Some((b, _, s)) = reply_cause(sagas, &orig) {
                                set_cause(&mut late, s, &b, st.retry.max.max(1));
                            }
                            evs.push((usize::MAX, late));
                        }
                        if let Op::AfterEnd(_, n) = *op {
                            // The success of attempt `n`, timed by [`perturb`] once
                            // the end of the instance is known.
                            let mut late =
                                synthetic(&orig, &orig.message, &format!("a{k}"), orig.time);
                            if let Some((b, _, s)) = reply_cause(sagas, &orig) {
                                set_cause(&mut late, s, &b, n);
                            }
                            if let Some(h) = late.headers.as_object_mut() {
                                h.insert(AFTER_END.into(), serde_json::Value::Bool(true));
                            }
                            evs.push((usize::MAX, late));
                        }
                        // Without failure events the step is never answered: its
                        // timeout decides.
                        if let Some(fail) = st.fail.first().filter(|_| matches!(op, Op::Exhaust(_)))
                        {
                            let mut t = orig.time;
                            let cause = reply_cause(sagas, &orig);
                            for n in 1..=st.retry.max {
                                let mut f = synthetic(&orig, &fail.name, &format!("e{k}.{n}"), t);
                                if let Some((b, _, s)) = &cause {
                                    set_cause(&mut f, s, b, n);
                                }
                                evs.insert(p + (n as usize - 1), (usize::MAX, f));
                                t = t
                                    .saturating_add(signed(st.retry.delay(n)))
                                    .saturating_add(1);
                            }
                        }
                    }
                }
            }
            Op::Late(u, d) => {
                // The participant answers the first attempt late, after the retry was
                // sent (with a failure when the step declares one), then answers the
                // retry with the recorded reply.
                if let Some(p) = pos(&evs, u) {
                    let orig = evs[p].1.clone();
                    if let (Some(st), Some((b, n, s))) =
                        (completes(sagas, &orig.message), reply_cause(sagas, &orig))
                    {
                        let name = st.fail.first().map_or(&orig.message, |f| &f.name);
                        let mut late =
                            synthetic(&orig, name, &format!("l{k}"), orig.time.saturating_add(d));
                        set_cause(&mut late, s, &b, n);
                        shift(sagas, &mut evs, p, &orig, d.saturating_add(1));
                        set_cause(&mut evs[p].1, s, &b, n + 1);
                        evs.insert(p, (usize::MAX, late));
                    }
                }
            }
            Op::Case(u, k) => {
                if let Some(p) = pos(&evs, u) {
                    let e = &mut evs[p].1;
                    if let Some((ptr, value)) = branch_of(sagas, &e.message)
                        .and_then(|b| Some((b.pointer.clone(), b.cases.get(k)?.0.clone())))
                    {
                        e.set(&ptr, serde_json::Value::String(value));
                    }
                }
            }
            Op::CompFail(..) => {}
        }
        evs.sort_by_key(|(_, e)| e.time);
    }
    evs.into_iter().map(|(_, e)| e).collect()
}

/// The private header marking a success [`apply`] made for [`Op::AfterEnd`], to be
/// delivered after the end of its instance (removed by [`perturb`]).
const AFTER_END: &str = "x-hnp-explore-after-end";

/// Apply perturbations (as [`apply`]) and time the successes delivered after the end
/// of their instance ([`Op::AfterEnd`]): 1 ms after the instance ends in a run of the
/// same perturbed stream without them (an instance that never ends: after the last
/// thing it did), in the order they were made. A success whose instance did not run
/// (another perturbation kept it from starting) is left out.
pub fn perturb(
    sagas: &[Saga],
    base: &[Event],
    ops: &[Op],
    rec: &[engine::CompScript],
) -> Vec<Event> {
    let mut evs = apply(sagas, base, ops);
    let marked = |e: &Event| e.headers.get(AFTER_END).is_some();
    if !evs.iter().any(marked) {
        return evs;
    }
    let without: Vec<Event> = evs.iter().filter(|e| !marked(e)).cloned().collect();
    let pre = run(sagas, &without, base, ops, rec);
    let mut after: BTreeMap<(String, String), i64> = BTreeMap::new();
    evs.retain_mut(|e| {
        if !marked(e) {
            return true;
        }
        if let Some(h) = e.headers.as_object_mut() {
            h.remove(AFTER_END);
        }
        let Some((st, s)) = sagas.iter().find_map(|s| {
            let st = s
                .steps
                .iter()
                .find(|st| st.on.iter().any(|n| n.name == e.message))?;
            Some((st, s))
        }) else {
            return false;
        };
        let Some(key) = e.key(&s.correlation) else {
            return false;
        };
        let sent = |i: &&InstanceReport| {
            i.saga == s.name
                && i.key == key
                && i.timeline
                    .iter()
                    .any(|x| matches!(&x.what, What::Sent { step, .. } if *step == st.id))
        };
        let Some(inst) = pre.instances.iter().rev().find(sent) else {
            return false;
        };
        let end = inst
            .timeline
            .iter()
            .rev()
            .find(|x| matches!(x.what, What::Finished { .. }))
            .or(inst.timeline.last())
            .map_or(e.time, |x| x.t);
        // Several after one end keep their order, a millisecond apart.
        let t = after
            .entry((s.name.clone(), key))
            .and_modify(|t| *t = t.saturating_add(1))
            .or_insert(end.saturating_add(1));
        e.time = *t;
        true
    });
    evs.sort_by_key(|e| e.time);
    evs
}

/// Whether `e` replies to the last attempt a pivot step makes (or to a pivot that
/// does not retry on timeout).
fn answers_last_pivot_attempt(sagas: &[Saga], e: &Event) -> bool {
    let Some(st) = sagas.iter().flat_map(|s| &s.steps).find(|st| {
        st.pivot && st.send.is_some() && st.on.iter().chain(&st.fail).any(|n| n.name == e.message)
    }) else {
        return false;
    };
    if st.on_timeout != Some(OnTimeout::Retry) {
        return true;
    }
    let attempt = reply_cause(sagas, e).map_or(1, |(_, n, _)| n);
    attempt >= st.retry.max
}

/// Depth-1 perturbations of a stream, from its base run.
fn candidates(sagas: &[Saga], base: &[Event], outcome: &Outcome) -> Vec<Op> {
    let mut ops = Vec::new();
    let post_pivot = post_pivot_events(sagas, base, outcome);
    let ignored = ignored_events(base, outcome);
    let starts: BTreeSet<&str> = sagas
        .iter()
        .flat_map(|s| s.start.iter().map(|st| st.message.name.as_str()))
        .collect();
    let reorder = reorderable(sagas, base, outcome);
    let mut ids_seen = BTreeSet::new();
    for (u, e) in base.iter().enumerate() {
        ops.push(Op::Dup(u));
        // A redelivered copy is not a reply of its own: the participant's outcome is
        // perturbed on the first copy.
        let id = e.headers.get("id").and_then(|v| v.as_str());
        let redelivery = id.is_some_and(|id| !ids_seen.insert((e.message.as_str(), id)));
        // Losing an event the base run ignored changes nothing (and the loss model,
        // which reads the saga, not the run, would take an ignored `DriftResolved`
        // for the wait that another case awaits and cut the instance short).
        // Nor the reply to a pivot's last attempt: that is the pivot exhausted by
        // silence, whose doubt cannot be compensated (see the README).
        if !starts.contains(e.message.as_str())
            && !ignored.contains(&u)
            && !answers_last_pivot_attempt(sagas, e)
        {
            ops.push(Op::Drop(u));
        }
        if let Some(n) = base.get(u + 1) {
            if !same_instance(sagas, e, n) {
                ops.push(Op::Swap(u));
            }
        }
        if reorder.contains(&u) {
            ops.push(Op::Reorder(u));
        }
        // Every case of a branch, not only the one recorded.
        if let Some(b) = branch_of(sagas, &e.message).filter(|_| !redelivery) {
            let now = e
                .get(&b.pointer)
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string));
            let saga = sagas.iter().find(|s| {
                s.nodes
                    .iter()
                    .any(|n| matches!(n, super::format::Node::Branch(x) if std::ptr::eq(x, b)))
            });
            // The participants of a case's commands are not modelled yet (the stream
            // holds no replies to them): only cases that send no command are tried.
            let sends = |nodes: &[usize]| {
                saga.is_some_and(|s| {
                    nodes.iter().any(|&n| match &s.nodes[n] {
                        super::format::Node::Step(st) => s.steps[*st].send.is_some(),
                        super::format::Node::Parallel { .. } | super::format::Node::Branch(_) => {
                            true
                        }
                    })
                })
            };
            for (k, (value, nodes)) in b.cases.iter().enumerate() {
                if now.as_deref() != Some(value.as_str()) && !sends(nodes) {
                    ops.push(Op::Case(u, k));
                }
            }
        }
        // Only for an event some step took: one the run ignored completes nothing there.
        if let Some(st) =
            completes(sagas, &e.message).filter(|_| !redelivery && !ignored.contains(&u))
        {
            if st.retry.max > 1 && !st.fail.is_empty() {
                ops.push(Op::Fail(u));
            }
            // Steps after the pivot are retried until they succeed: failing them once
            // is the test, exhausting them would only restate the pivot's meaning.
            if st.retry.max == 1 || !post_pivot.contains(&u) {
                ops.push(Op::Exhaust(u));
                // With failure replies, exhausting by failure says the step did not
                // happen; silence on every attempt leaves it in doubt (compensated).
                // Not on a pivot: a pivot in doubt cannot be compensated by definition,
                // and the format has no `until-success` yet to say it is retried on.
                if !st.fail.is_empty() && st.send.is_some() && st.timeout.is_some() && !st.pivot {
                    ops.push(Op::Silent(u));
                }
            }
            // A state-changing step the saga gives up on when it times out (retried
            // or not), silenced until the instance has ended, then answered after
            // all: the success of its first and of its last attempt (either may have
            // taken effect) arrives after the end.
            if st.send.is_some()
                && st.timeout.is_some()
                && st.on_timeout != Some(OnTimeout::Complete)
                && !st.pivot
                && !st.read_only
                && !post_pivot.contains(&u)
            {
                ops.push(Op::AfterEnd(u, 1));
                if st.retry.max > 1 {
                    ops.push(Op::AfterEnd(u, st.retry.max));
                }
            }
        }
    }
    // Deadlines: deliver each reply just before and just after its step's deadline.
    let by_line = stream_positions(base);
    for inst in &outcome.instances {
        let Some(si) = sagas.iter().position(|s| s.name == inst.saga) else {
            continue;
        };
        let saga = &sagas[si];
        let mut sent_at: BTreeMap<&str, i64> = BTreeMap::new();
        let mut completed: Vec<&str> = Vec::new();
        let mut start_uid = None;
        for e in &inst.timeline {
            match &e.what {
                What::Started { .. } => start_uid = by_line.get(&e.line).copied(),
                What::Sent { step, .. } | What::Waiting { step } => {
                    sent_at.insert(step, e.t);
                }
                What::Completed {
                    step,
                    event: Some(_),
                    ..
                } => {
                    completed.push(step);
                    let st = saga.steps.iter().find(|s| s.id == *step);
                    if let (Some(st), Some(&u), Some(&t0)) =
                        (st, by_line.get(&e.line), sent_at.get(step.as_str()))
                    {
                        if let Some(to) = st.timeout {
                            let d = t0.saturating_add(signed(to)).saturating_sub(base[u].time);
                            ops.push(Op::At(u, d.saturating_sub(1)));
                            ops.push(Op::At(u, d.saturating_add(1)));
                            if st.send.is_some()
                                && st.on_timeout == Some(OnTimeout::Retry)
                                && st.retry.max > 1
                            {
                                // Half-way through the retry's wait: other
                                // perturbations that move events a little keep it there.
                                let resent = d
                                    .saturating_add(signed(st.retry.delay(1)))
                                    .saturating_add(signed(to / 2));
                                ops.push(Op::Late(u, resent.saturating_add(1)));
                            }
                            if ops.contains(&Op::Silent(u)) {
                                // Every attempt times out: the saga gives up then.
                                let mut g = t0;
                                for n in 1..=st.retry.max.max(1) {
                                    g = g.saturating_add(signed(to));
                                    if n < st.retry.max {
                                        g = g.saturating_add(signed(st.retry.delay(n)));
                                    }
                                }
                                ops.push(Op::GaveUp(u, g.saturating_sub(base[u].time)));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        // Fail each compensation once: exhaust the last completed step's successor
        // (or the last step) so that every completed step is compensated.
        let Some(su) = start_uid else { continue };
        // The last completion by a stream event is the one exhausted to trigger
        // compensation; the steps completed before it are compensated.
        let last = inst.timeline.iter().rposition(|e| {
            matches!(&e.what, What::Completed { event: Some(_), .. })
                && by_line.contains_key(&e.line)
        });
        if let Some(last) = last {
            let before: Vec<&str> = inst.timeline[..last]
                .iter()
                .filter_map(|e| match &e.what {
                    What::Completed { step, .. } => Some(step.as_str()),
                    _ => None,
                })
                .collect();
            // The last step itself is compensated when every attempt of it times
            // out (its outcome unknown): paired with silence on it.
            let silenced = match &inst.timeline[last].what {
                What::Completed { step, .. } => {
                    saga.steps.iter().find(|s| s.id == *step).filter(|s| {
                        !s.fail.is_empty() && s.send.is_some() && s.timeout.is_some() && !s.pivot
                    })
                }
                _ => None,
            };
            let before: Vec<&str> = before
                .into_iter()
                .chain(silenced.map(|s| s.id.as_str()))
                .collect();
            for step in before.iter().rev() {
                if let Some(sti) = saga.steps.iter().position(|s| s.id == *step) {
                    for (ci, c) in saga.steps[sti].compensation.iter().enumerate() {
                        for p in Play::ALL {
                            // Losing an attempt is failing it when no failure reply
                            // is declared; a late answer needs a timeout and a retry.
                            let same = match p {
                                Play::Lose => c.fail.is_empty(),
                                Play::Late => c.timeout.is_none() || c.retry.max < 2,
                                _ => false,
                            };
                            if !same {
                                ops.push(Op::CompFail(su, si, sti, ci, p));
                            }
                        }
                    }
                }
            }
        }
    }
    ops.sort();
    ops.dedup();
    ops
}

/// Each stream event's position in the base run, by its line in the stream file
/// (events the explorer made have line 0 and are left out).
fn stream_positions(base: &[Event]) -> BTreeMap<u32, usize> {
    base.iter()
        .enumerate()
        .filter(|(_, e)| e.line > 0)
        .map(|(u, e)| (e.line, u))
        .collect()
}

/// Events that may be delivered after the next event of their own instance without
/// breaking causality (base run): that next event is not a reply to (or the awaited
/// event of) a step whose command was sent, or wait began, only once this event was
/// processed; never a redelivered copy of it.
fn reorderable(sagas: &[Saga], base: &[Event], outcome: &Outcome) -> BTreeSet<usize> {
    let by_line = stream_positions(base);
    let mut out = BTreeSet::new();
    for inst in &outcome.instances {
        // Timeline position where each stream event was processed, and where the
        // step each one answers was (last) sent or began waiting.
        let mut at: BTreeMap<usize, usize> = BTreeMap::new();
        let mut began: BTreeMap<&str, usize> = BTreeMap::new();
        let mut needs: BTreeMap<usize, usize> = BTreeMap::new();
        for (i, e) in inst.timeline.iter().enumerate() {
            match &e.what {
                What::Sent { step, .. } | What::Waiting { step } => {
                    began.insert(step, i);
                }
                _ => {}
            }
            let Some(&u) = by_line.get(&e.line).filter(|_| e.line > 0) else {
                continue;
            };
            at.entry(u).or_insert(i);
            match &e.what {
                What::Completed { step, .. } | What::StepFailed { step, .. } => {
                    if let Some(&b) = began.get(step.as_str()) {
                        needs.insert(u, b);
                    }
                }
                What::Started { .. } | What::BranchTaken { .. } => {
                    needs.insert(u, usize::MAX);
                }
                _ => {}
            }
        }
        let mine: Vec<usize> = at.keys().copied().collect();
        for w in mine.windows(2) {
            let (u, v) = (w[0], w[1]);
            if base[u].message == base[v].message
                && base[u].headers.get("id").is_some()
                && base[u].headers.get("id") == base[v].headers.get("id")
            {
                continue;
            }
            // `v` first is causal when what `v` answers began before `u` arrived.
            let ok = match (needs.get(&u), needs.get(&v), at.get(&u)) {
                (Some(&usize::MAX), _, _) => false,
                (_, Some(&b), Some(&iu)) => b < iu,
                (_, None, _) => true,
                _ => false,
            };
            if ok && same_instance(sagas, &base[u], &base[v]) {
                out.insert(u);
            }
        }
    }
    out
}

/// Stream events that complete a step after a pivot step completed (base run).
/// Positions of the events the base run ignored in every instance that saw them (an
/// ignored event, not a duplicate: a redelivery is perturbed on its first copy).
fn ignored_events(base: &[Event], outcome: &Outcome) -> BTreeSet<usize> {
    let by_line = stream_positions(base);
    let mut ignored = BTreeSet::new();
    let mut used = BTreeSet::new();
    for inst in &outcome.instances {
        for e in &inst.timeline {
            let Some(&u) = by_line.get(&e.line) else {
                continue;
            };
            if matches!(e.what, What::Ignored { .. }) {
                ignored.insert(u);
            } else {
                used.insert(u);
            }
        }
    }
    ignored.difference(&used).copied().collect()
}

fn post_pivot_events(sagas: &[Saga], base: &[Event], outcome: &Outcome) -> BTreeSet<usize> {
    let by_line = stream_positions(base);
    let mut out = BTreeSet::new();
    for inst in &outcome.instances {
        let Some(saga) = sagas.iter().find(|s| s.name == inst.saga) else {
            continue;
        };
        let mut passed = false;
        for e in &inst.timeline {
            if let What::Completed { step, .. } = &e.what {
                if passed {
                    out.extend(by_line.get(&e.line).copied());
                }
                if saga.steps.iter().any(|s| s.id == *step && s.pivot) {
                    passed = true;
                }
            }
        }
    }
    out
}

/// Instance groups: events linked by a correlation key they share under any saga
/// (events without one are groups of their own). Instances only see the events of
/// their own key, so a perturbation of one group cannot change what the instances of
/// another group do: each scenario runs on the groups it touches, not on the whole
/// stream, and exploration grows linearly with the stream.
pub struct Groups {
    /// Group of each event.
    of: Vec<usize>,
    /// Events of each group, in stream order.
    members: Vec<Vec<usize>>,
}

impl Groups {
    pub fn new(sagas: &[Saga], base: &[Event]) -> Groups {
        fn find(p: &mut [usize], mut x: usize) -> usize {
            while p[x] != x {
                p[x] = p[p[x]];
                x = p[x];
            }
            x
        }
        let mut parent: Vec<usize> = (0..base.len()).collect();
        let mut first: std::collections::HashMap<(usize, String), usize> =
            std::collections::HashMap::new();
        for (u, e) in base.iter().enumerate() {
            for (si, s) in sagas.iter().enumerate() {
                let Some(k) = e.key(&s.correlation) else {
                    continue;
                };
                let f = *first.entry((si, k)).or_insert(u);
                let (a, b) = (find(&mut parent, f), find(&mut parent, u));
                if a != b {
                    parent[a.max(b)] = a.min(b);
                }
            }
        }
        let mut id = vec![usize::MAX; base.len()];
        let mut of = Vec::with_capacity(base.len());
        let mut members: Vec<Vec<usize>> = Vec::new();
        for u in 0..base.len() {
            let r = find(&mut parent, u);
            if id[r] == usize::MAX {
                id[r] = members.len();
                members.push(Vec::new());
            }
            of.push(id[r]);
            members[id[r]].push(u);
        }
        Groups { of, members }
    }

    /// The events of the groups a scenario touches (stream order), and the scenario
    /// renumbered to positions in that sub-stream.
    pub fn project(&self, base: &[Event], ops: &[Op]) -> (Vec<usize>, Vec<Event>, Vec<Op>) {
        let mut gs: Vec<usize> = ops
            .iter()
            .flat_map(|o| o.touches())
            .filter_map(|u| self.of.get(u).copied())
            .collect();
        gs.sort_unstable();
        gs.dedup();
        let mut idx: Vec<usize> = gs
            .iter()
            .flat_map(|&g| self.members[g].iter().copied())
            .collect();
        idx.sort_unstable();
        let sub = idx.iter().map(|&u| base[u].clone()).collect();
        let at = |u: usize| idx.binary_search(&u).unwrap_or(usize::MAX);
        let ops = ops.iter().map(|o| o.renumber(at)).collect();
        (idx, sub, ops)
    }
}

/// Scenarios, in a fixed order (scenario numbers are what shards split): each op
/// alone (a compensation failure goes with the exhaustion that triggers
/// compensation); at depth 2, every pair of ops on one instance group too (faults in
/// different groups cannot interact).
struct Scenarios {
    ops: Vec<Op>,
    /// The last `Exhaust` op of each op's instance, for compensation failures.
    exhaust_for: Vec<Option<Op>>,
    /// Op indexes per group, for pairs.
    by_group: Vec<Vec<usize>>,
    depth: u8,
}

impl Scenarios {
    fn new(sagas: &[Saga], base: &[Event], outcome: &Outcome, groups: &Groups, depth: u8) -> Self {
        let ops = candidates(sagas, base, outcome);
        let mut by_group: Vec<Vec<usize>> = vec![Vec::new(); groups.members.len()];
        for (i, o) in ops.iter().enumerate() {
            if let Some(&g) = groups.of.get(o.uid()) {
                by_group[g].push(i);
            }
        }
        let exhaust_for = ops
            .iter()
            .map(|o| {
                let Op::CompFail(u, s, st, ..) = *o else {
                    return None;
                };
                let key = base.get(u)?;
                let g = *groups.of.get(u)?;
                let step = sagas.get(s)?.steps.get(st)?;
                let last = by_group[g].iter().rev().map(|&i| ops[i]).find(
                    |o| matches!(o, Op::Exhaust(x) if same_instance(sagas, &base[*x], key)),
                )?;
                // When the compensated step is that last step, every attempt of it
                // times out instead (its outcome unknown, so it is compensated).
                let Op::Exhaust(x) = last else {
                    return Some(last);
                };
                let own = completes(sagas, &base[x].message).is_some_and(|c| std::ptr::eq(c, step));
                Some(if own && ops.contains(&Op::Silent(x)) {
                    Op::Silent(x)
                } else {
                    last
                })
            })
            .collect();
        Scenarios {
            ops,
            exhaust_for,
            by_group,
            depth,
        }
    }

    fn single(&self, i: usize) -> Vec<Op> {
        match self.exhaust_for[i] {
            Some(e) => vec![e, self.ops[i]],
            None => vec![self.ops[i]],
        }
    }

    /// Hand every scenario to `f` with its number; `f` returns false to stop.
    fn each(&self, mut f: impl FnMut(u64, Vec<Op>) -> bool) {
        let mut n = 0u64;
        for i in 0..self.ops.len() {
            if !f(n, self.single(i)) {
                return;
            }
            n += 1;
        }
        if self.depth < 2 {
            return;
        }
        for members in &self.by_group {
            for (x, &i) in members.iter().enumerate() {
                for &j in &members[x + 1..] {
                    let (a, b) = (self.ops[i], self.ops[j]);
                    // Two perturbations of one event are not a pair of faults.
                    // A late success at the moment of giving up is timed on the
                    // recorded stream: it is not paired with faults that move time.
                    if a.uid() == b.uid()
                        || matches!(a, Op::CompFail(..)) && matches!(b, Op::CompFail(..))
                        || matches!(a, Op::GaveUp(..))
                        || matches!(b, Op::GaveUp(..))
                        // Deadlines are timed on the recorded order of the instance.
                        || matches!((a, b), (Op::Reorder(_), Op::At(..) | Op::Late(..)))
                        || matches!((a, b), (Op::At(..) | Op::Late(..), Op::Reorder(_)))
                        // A lost reply shifts the instance's later events by a retry,
                        // a delivery at a deadline shifts them past it; a delivery at a
                        // deadline and a late answer (after the retry, the retry then
                        // answered in time) are both timed on the recorded stream.
                        || matches!((a, b), (Op::Drop(_), Op::At(..)) | (Op::At(..), Op::Drop(_)))
                        || matches!((a, b), (Op::Late(..), Op::At(..)) | (Op::At(..), Op::Late(..)))
                    {
                        continue;
                    }
                    // A success after the end goes first: the silence that a
                    // compensation's misbehaviour comes with (on the same step) would
                    // take its reply away before it.
                    let (i, j) = if matches!(b, Op::AfterEnd(..)) && !matches!(a, Op::AfterEnd(..))
                    {
                        (j, i)
                    } else {
                        (i, j)
                    };
                    let mut s = self.single(i);
                    s.extend(self.single(j));
                    s.dedup();
                    if !f(n, s) {
                        return;
                    }
                    n += 1;
                }
            }
        }
    }

    /// How many scenarios [`Scenarios::each`] hands over.
    fn count(&self) -> u64 {
        let mut n = 0u64;
        self.each(|_, _| {
            n += 1;
            true
        });
        n
    }
}

/// Violations a scenario adds to the base run. Latency objectives are statistics of
/// the recorded stream, not invariants, so perturbations do not count against them.
fn new_violations<'a>(
    base: &BTreeSet<(&'static str, Option<String>)>,
    o: &'a Outcome,
) -> Vec<&'a Violation> {
    o.violations
        .iter()
        .filter(|v| {
            v.rule != "saga-latency-objective"
                && v.rule != "saga-reply-stale"
                && !base.contains(&(v.rule, v.instance.clone()))
        })
        .collect()
}

/// Explore a stream (already read, not normalised).
pub fn explore(sagas: &[Saga], events: &[Event], fp: u32, opts: ExploreOptions<'_>) -> Report {
    let started = std::time::Instant::now();
    let (rec, plain, cut) = recorded(sagas, events);
    let base = normalise(sagas, events);
    let mut base_out = run(sagas, &base, &base, &[], &rec);
    // The end of the recorded stream means one thing: an instance it leaves waiting
    // is not judged there (`simulate` says `waiting`). Exploration plays every run
    // out (timers fire past the last event, nothing more arrives) so that a lost
    // last reply is explored; what that adds to the plain run of such an instance is
    // the recording's end, not the saga's fault: not reported, and not new in a
    // scenario either (it stays in the base).
    let mut base_set: BTreeSet<(&'static str, Option<String>)> = base_out
        .violations
        .iter()
        .map(|v| (v.rule, v.instance.clone()))
        .collect();
    base_out
        .violations
        .retain(|v| match (&v.saga, &v.instance) {
            (Some(s), Some(k)) => !cut.contains(&(s.clone(), k.clone())),
            _ => true,
        });
    // What plain `simulate` reports on the recording counts as the base too.
    for v in plain {
        base_set.insert((v.rule, v.instance.clone()));
        if !base_out
            .violations
            .iter()
            .any(|b| b.rule == v.rule && b.instance == v.instance)
        {
            base_out.violations.push(v);
        }
    }
    let groups = Groups::new(sagas, &base);
    let plan = Scenarios::new(sagas, &base, &base_out, &groups, opts.depth);
    let (k, n) = (
        u64::from(opts.shard.0.max(1) - 1),
        u64::from(opts.shard.1.max(1)),
    );
    let total = plan.count();
    let planned = total / n + u64::from(total % n > k);
    let mut by_rule: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut found: BTreeMap<(&'static str, Option<String>), Vec<Op>> = BTreeMap::new();
    let mut scenarios_run = 0u64;
    let mut stopped = None;
    plan.each(|i, sc| {
        if i % n != k {
            return true;
        }
        if opts.max_scenarios.is_some_and(|m| scenarios_run >= m) {
            stopped = Some(Stopped::MaxScenarios);
            return false;
        }
        if opts
            .interrupt
            .is_some_and(|f| f.load(std::sync::atomic::Ordering::Relaxed))
        {
            stopped = Some(Stopped::Interrupted);
            return false;
        }
        if scenarios_run.is_multiple_of(64) {
            if opts.time_budget.is_some_and(|b| started.elapsed() >= b) {
                stopped = Some(Stopped::TimeBudget);
                return false;
            }
            if let Some(p) = opts.progress {
                p(scenarios_run, planned);
            }
        }
        scenarios_run += 1;
        let (_, sub, local) = groups.project(&base, &sc);
        let evs = perturb(sagas, &sub, &local, &rec);
        let out = run(sagas, &evs, &sub, &local, &rec);
        let mut rules_here = BTreeSet::new();
        for v in new_violations(&base_set, &out) {
            if rules_here.insert(v.rule) {
                *by_rule.entry(v.rule).or_default() += 1;
            }
            found
                .entry((v.rule, v.saga.clone()))
                .or_insert_with(|| sc.clone());
        }
        true
    });
    if let Some(p) = opts.progress {
        p(scenarios_run, planned);
    }
    let mut counterexamples = Vec::new();
    for ((rule, saga), ops) in found {
        counterexamples.push(minimise(
            sagas, &base, &groups, fp, &base_set, rule, saga, &ops, &rec,
        ));
    }
    Report {
        scenarios: scenarios_run,
        planned,
        stopped,
        by_rule,
        base_violations: base_out.violations,
        counterexamples,
    }
}

/// Minimise a counterexample while keeping its violation (same rule, instance and
/// message): first drop perturbations that are not needed, then (delta debugging)
/// the events of other instances. The violating instance's own events are kept, so
/// the counterexample stays a consequence of the perturbation, not of lost events.
#[allow(clippy::too_many_arguments)]
fn minimise(
    sagas: &[Saga],
    whole: &[Event],
    groups: &Groups,
    fp: u32,
    base_set: &BTreeSet<(&'static str, Option<String>)>,
    rule: &'static str,
    saga: Option<String>,
    global_ops: &[Op],
    rec: &[engine::CompScript],
) -> Counterexample {
    // Only the groups the scenario touches matter (see [`Groups`]).
    let (idx, base, ops) = groups.project(whole, global_ops);
    let base = &base[..];
    let ops = &ops[..];
    let full = run(sagas, &perturb(sagas, base, ops, rec), base, ops, rec);
    let target: Option<Violation> = new_violations(base_set, &full)
        .into_iter()
        .find(|v| v.rule == rule && v.saga == saga)
        .cloned();
    let still = |ops: &[Op], keep: Option<&[usize]>| -> bool {
        let evs = perturb(sagas, base, ops, rec);
        let sub: Vec<Event> = match keep {
            Some(k) => k.iter().filter_map(|&i| evs.get(i).cloned()).collect(),
            None => evs,
        };
        let out = run(sagas, &sub, base, ops, rec);
        new_violations(base_set, &out)
            .iter()
            .any(|v| target.as_ref().is_some_and(|t| same(v, t)))
    };
    let mut ops = ops.to_vec();
    let mut i = 0;
    while ops.len() > 1 && i < ops.len() {
        let mut fewer = ops.clone();
        fewer.remove(i);
        if still(&fewer, None) {
            ops = fewer;
        } else {
            i += 1;
        }
    }
    let evs = perturb(sagas, base, &ops, rec);
    let key = target.as_ref().and_then(|v| v.instance.clone());
    let own: Vec<usize> = (0..evs.len())
        .filter(|&i| sagas.iter().any(|s| evs[i].key(&s.correlation) == key))
        .collect();
    let others: Vec<usize> = (0..evs.len()).filter(|i| !own.contains(i)).collect();
    let with = |sub: &[usize]| -> Vec<usize> {
        let mut k: Vec<usize> = own.iter().chain(sub).copied().collect();
        k.sort_unstable();
        k
    };
    let kept_others = if others.is_empty() || !still(&ops, Some(&with(&[]))) {
        ddmin(others, &|sub: &[usize]| still(&ops, Some(&with(sub))))
    } else {
        Vec::new()
    };
    let keep = with(&kept_others);
    // The token names events of the whole stream; its kept events are positions in
    // the perturbed sub-stream of the touched groups.
    let token = format!(
        "{fp:08x}:{}:{}",
        ops.iter()
            .map(|o| o
                .renumber(|u| idx.get(u).copied().unwrap_or(usize::MAX))
                .token())
            .collect::<Vec<_>>()
            .join("+"),
        ranges(&keep)
    );
    let sub: Vec<Event> = keep.iter().filter_map(|&i| evs.get(i).cloned()).collect();
    let out = run(sagas, &sub, base, &ops, rec);
    // A violation found at no event of the stream (a synthetic reply), or at the end
    // of the instance, concerns the event the first perturbation acts on: its line.
    let anchor = ops
        .first()
        .and_then(|o| idx.get(o.uid()))
        .and_then(|&u| whole.get(u))
        .map_or(0, |e| e.line);
    let violations: Vec<Violation> = new_violations(base_set, &out)
        .into_iter()
        .filter(|v| target.as_ref().is_some_and(|t| same(v, t)))
        .cloned()
        .map(|mut v| {
            if anchor > 0 && (v.line == 0 || v.rule == "saga-not-finished") {
                v.line = anchor;
            }
            v
        })
        .collect();
    let instance = out
        .instances
        .into_iter()
        .find(|i| Some(&i.key) == key.as_ref());
    Counterexample {
        rule,
        saga,
        perturbation: ops
            .iter()
            .map(|o| {
                o.renumber(|u| idx.get(u).copied().unwrap_or(usize::MAX))
                    .describe(sagas, whole)
            })
            .collect(),
        events: keep.len(),
        token,
        violations,
        instance,
    }
}

/// The same violation, wherever it is located: the line of a finding about how an
/// instance ended is its last event's, which a perturbation may move.
fn same(a: &Violation, b: &Violation) -> bool {
    a.rule == b.rule && a.saga == b.saga && a.instance == b.instance && a.message == b.message
}

/// Delta debugging (ddmin): a 1-minimal subsequence of `items` that still fails.
fn ddmin(mut items: Vec<usize>, fails: &dyn Fn(&[usize]) -> bool) -> Vec<usize> {
    if !fails(&items) {
        return items;
    }
    let mut n = 2usize;
    while items.len() >= 2 {
        let chunk = items.len().div_ceil(n);
        let mut reduced = false;
        for start in (0..items.len()).step_by(chunk) {
            let complement: Vec<usize> = items[..start]
                .iter()
                .chain(items.get(start + chunk..).unwrap_or(&[]))
                .copied()
                .collect();
            if !complement.is_empty() && fails(&complement) {
                items = complement;
                n = (n - 1).max(2);
                reduced = true;
                break;
            }
        }
        if !reduced {
            if n >= items.len() {
                break;
            }
            n = (n * 2).min(items.len());
        }
    }
    items
}

fn ranges(keep: &[usize]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < keep.len() {
        let mut j = i;
        while j + 1 < keep.len() && keep[j + 1] == keep[j] + 1 {
            j += 1;
        }
        out.push(if i == j {
            keep[i].to_string()
        } else {
            format!("{}-{}", keep[i], keep[j])
        });
        i = j + 1;
    }
    out.join(",")
}

fn parse_ranges(s: &str) -> Option<Vec<usize>> {
    let mut out = Vec::new();
    for part in s.split(',').filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b): (usize, usize) = (a.parse().ok()?, b.parse().ok()?);
                if b < a || b - a > 1_000_000 {
                    return None;
                }
                out.extend(a..=b);
            }
            None => out.push(part.parse().ok()?),
        }
    }
    Some(out)
}

/// Re-run the scenario of a replay token exactly.
pub fn replay(sagas: &[Saga], events: &[Event], fp: u32, token: &str) -> Result<Outcome, String> {
    let bad = || format!("`{token}` is not a replay token (printed by `simulate --explore`)");
    let mut parts = token.splitn(3, ':');
    let (Some(h), Some(ops), Some(keep)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    let h = u32::from_str_radix(h, 16).map_err(|_| bad())?;
    if h != fp {
        return Err(format!(
            "the token `{token}` was made for other saga files or another stream (fingerprint {h:08x}, these are {fp:08x})"
        ));
    }
    let ops: Vec<Op> = ops
        .split('+')
        .filter(|s| !s.is_empty())
        .map(Op::parse)
        .collect::<Option<_>>()
        .ok_or_else(bad)?;
    let keep = parse_ranges(keep).ok_or_else(bad)?;
    let (rec, _, _) = recorded(sagas, events);
    let base = normalise(sagas, events);
    for op in &ops {
        op.check(sagas, base.len())
            .map_err(|why| format!("the token `{token}` does not fit these files: {why}"))?;
    }
    // The groups the perturbations touch (without any: the whole stream).
    let (base, ops) = if ops.is_empty() {
        (base, ops)
    } else {
        let (_, sub, local) = Groups::new(sagas, &base).project(&base, &ops);
        (sub, local)
    };
    let evs = perturb(sagas, &base, &ops, &rec);
    if let Some(&i) = keep.iter().find(|&&i| i >= evs.len()) {
        return Err(format!(
            "the token `{token}` does not fit these files: it keeps event {i}, but the perturbed stream has {} events",
            evs.len()
        ));
    }
    if keep.windows(2).any(|w| w[0] >= w[1]) {
        return Err(format!(
            "the token `{token}` does not fit these files: the events it keeps are not in increasing order"
        ));
    }
    let sub: Vec<Event> = keep.iter().map(|&i| evs[i].clone()).collect();
    Ok(run(sagas, &sub, &base, &ops, &rec))
}
