//! What the engine prepares once from the sagas: message names as small ids (an
//! event's name is looked up once, without allocating, and compared as a number
//! afterwards) and the pointers it reads from events, split once.

use super::super::format::{Node, Role, Saga};
use super::super::hash::{FastMap, FastSet};
use super::super::view::{CondPlan, Ptr};

/// The id of a message no saga names.
pub(super) const NONE: u32 = u32::MAX;

/// Message names every saga names, by id.
#[derive(Debug, Default)]
pub(super) struct Names {
    ids: FastMap<String, u32>,
}

impl Names {
    fn intern(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.ids.get(name) {
            return i;
        }
        let i = self.ids.len() as u32;
        self.ids.insert(name.to_string(), i);
        i
    }

    /// The id of a name ([`NONE`] when no saga names it).
    pub(super) fn get(&self, name: &str) -> u32 {
        self.ids.get(name).copied().unwrap_or(NONE)
    }

    fn len(&self) -> usize {
        self.ids.len()
    }
}

/// One step's message ids.
#[derive(Debug)]
pub(super) struct StepPlan {
    pub(super) on: Vec<u32>,
    pub(super) fail: Vec<u32>,
    pub(super) ignore: Vec<u32>,
    pub(super) when: Option<CondPlan>,
    /// Per compensation: (confirm, fail, the confirm's `when` pointer).
    pub(super) comp: Vec<(u32, Vec<u32>, Option<CondPlan>)>,
    /// Per compensation: its `if` (evaluated on the event that completes the step).
    pub(super) comp_if: Vec<Option<CondPlan>>,
}

/// One saga's message ids and pointers.
#[derive(Debug)]
pub(super) struct SagaPlan {
    pub(super) correlation: Ptr,
    pub(super) idempotency: Ptr,
    /// Where a reply names its command (`causation:`).
    pub(super) causation: Option<Ptr>,
    /// Replies to commands: the `on`/`fail` of command steps and the `confirm`/`fail`
    /// of compensations (what `causation` matches to an attempt).
    pub(super) replies: FastSet<u32>,
    /// The start messages, each with its `when` pointer (the value is the saga's
    /// `start[i].when`, same index).
    pub(super) start: Vec<(u32, Option<CondPlan>)>,
    pub(super) ignore: Vec<u32>,
    pub(super) abort_on: Vec<u32>,
    pub(super) steps: Vec<StepPlan>,
    /// Per node: a branch's message and pointer.
    pub(super) branch: Vec<Option<(u32, Ptr)>>,
    /// Some step runs a child saga (events may come under a child's key).
    pub(super) children: bool,
}

/// What the engine knows of a message id.
#[derive(Debug, Clone, Copy)]
pub(super) struct MsgInfo {
    /// A message of the contract (or no contract given).
    pub(super) known: bool,
    /// The first saga that receives it.
    pub(super) vocab: Option<usize>,
    /// Some saga sends it.
    pub(super) command: bool,
}

#[derive(Debug)]
pub(super) struct Plan {
    /// Some saga runs a child saga.
    pub(super) any_children: bool,
    pub(super) names: Names,
    pub(super) sagas: Vec<SagaPlan>,
    pub(super) info: Vec<MsgInfo>,
}

impl Plan {
    pub(super) fn new(sagas: &[Saga], known: Option<&FastSet<String>>) -> Plan {
        let mut names = Names::default();
        let mut plans = Vec::new();
        let ids = |names: &mut Names, v: &[super::super::format::Named]| -> Vec<u32> {
            v.iter().map(|n| names.intern(&n.name)).collect()
        };
        for s in sagas {
            let steps = s
                .steps
                .iter()
                .map(|st| StepPlan {
                    on: ids(&mut names, &st.on),
                    fail: ids(&mut names, &st.fail),
                    ignore: ids(&mut names, &st.ignore),
                    when: st.when.as_ref().map(CondPlan::new),
                    comp: st
                        .compensation
                        .iter()
                        .map(|c| {
                            (
                                names.intern(&c.confirm.name),
                                ids(&mut names, &c.fail),
                                c.when.as_ref().map(CondPlan::new),
                            )
                        })
                        .collect(),
                    comp_if: st
                        .compensation
                        .iter()
                        .map(|c| c.only_if.as_ref().map(CondPlan::new))
                        .collect(),
                })
                .collect();
            let branch = s
                .nodes
                .iter()
                .map(|n| match n {
                    Node::Branch(b) => Some((names.intern(&b.on.name), Ptr::new(&b.pointer))),
                    _ => None,
                })
                .collect();
            let mut replies = FastSet::default();
            for st in &s.steps {
                if st.send.is_some() {
                    replies.extend(st.on.iter().chain(&st.fail).map(|n| names.intern(&n.name)));
                }
                for c in &st.compensation {
                    replies.insert(names.intern(&c.confirm.name));
                    replies.extend(c.fail.iter().map(|n| names.intern(&n.name)));
                }
            }
            plans.push(SagaPlan {
                correlation: Ptr::new(&s.correlation),
                idempotency: Ptr::new(&s.idempotency),
                causation: s.causation.as_deref().map(Ptr::new),
                replies,
                start: s
                    .start
                    .iter()
                    .map(|st| {
                        (
                            names.intern(&st.message.name),
                            st.when.as_ref().map(CondPlan::new),
                        )
                    })
                    .collect(),
                ignore: ids(&mut names, &s.ignore),
                abort_on: ids(&mut names, &s.abort_on),
                steps,
                branch,
                children: s.steps.iter().any(|st| st.child.is_some()),
            });
        }
        // Every name a saga refers to (sent commands and emitted events too).
        let mut roles = Vec::new();
        for (si, s) in sagas.iter().enumerate() {
            for (n, role) in s.message_refs() {
                roles.push((si, names.intern(&n.name), role));
            }
        }
        let mut info: Vec<MsgInfo> = (0..names.len())
            .map(|_| MsgInfo {
                known: true,
                vocab: None,
                command: false,
            })
            .collect();
        for (name, &i) in &names.ids {
            info[i as usize].known = known.is_none_or(|k| k.contains(name));
        }
        for (si, i, role) in roles {
            let m = &mut info[i as usize];
            match role {
                Role::Event => {
                    if m.vocab.is_none_or(|v| si < v) {
                        m.vocab = Some(si);
                    }
                }
                Role::Command | Role::Emitted => m.command = true,
            }
        }
        Plan {
            any_children: plans.iter().any(|p| p.children),
            names,
            sagas: plans,
            info,
        }
    }
}

impl SagaPlan {
    /// Whether `mid` is one of the saga's start messages (whatever its `when`).
    pub(super) fn is_start(&self, mid: u32) -> bool {
        self.start.iter().any(|(m, _)| *m == mid)
    }

    /// Whether the event starts an instance: its message is a start message whose
    /// `when` (if any) it meets.
    pub(super) fn starts<E: super::super::view::EventView + ?Sized>(
        &self,
        saga: &Saga,
        mid: u32,
        ev: &E,
    ) -> bool {
        let _ = saga;
        self.start
            .iter()
            .any(|(m, c)| *m == mid && c.as_ref().is_none_or(|c| c.holds(ev)))
    }
}
