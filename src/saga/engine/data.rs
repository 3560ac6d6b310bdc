//! Data an instance carries (`capture` / `with`): values read from the start message
//! and from the events that complete steps, written into the commands it sends.

use std::collections::BTreeMap;

use serde_json::Value;

use super::super::format::Capture;
use super::super::view::{EventView, Field, Ptr};
use super::Engine;

impl Engine<'_> {
    /// Read `caps` from `ev` into the instance. A value the event lacks is simply not
    /// captured (the commands that carry it go without it, as the timeline and golden
    /// files show): a capture pointer must be required in its message
    /// (`saga-pointer-optional` otherwise), so an event without it is already
    /// `saga-event-invalid` against the contract.
    pub(super) fn capture<E: EventView + ?Sized>(&mut self, ii: usize, caps: &[Capture], ev: &E) {
        if caps.is_empty() {
            return;
        }
        let Some(inst) = self.inst(ii) else { return };
        for c in caps {
            match ev.field(&Ptr::new(&c.pointer)) {
                Some(Field::Str(s)) => {
                    inst.data
                        .insert(c.name.clone(), Value::String(s.to_string()));
                }
                Some(Field::Val(v)) => {
                    inst.data.insert(c.name.clone(), v.into_owned());
                }
                None => {}
            }
        }
    }

    /// Evaluate the `if` of a step's compensations on the event that completed it:
    /// those it does not meet are skipped when the saga compensates.
    pub(super) fn comp_conditions<E: EventView + ?Sized>(
        &mut self,
        ii: usize,
        step: usize,
        ev: &E,
    ) {
        let plan = std::sync::Arc::clone(&self.plan);
        let Some(inst) = self.inst(ii) else { return };
        let Some(sp) = plan.sagas[inst.saga].steps.get(step) else {
            return;
        };
        for (i, c) in sp.comp_if.iter().enumerate() {
            let Some(c) = c else { continue };
            inst.comp_skip.retain(|k| *k != (step, i));
            if !c.holds(ev) {
                inst.comp_skip.push((step, i));
            }
        }
    }

    /// The captured values a command carries (`with`), by name; names not captured
    /// are left out.
    pub(super) fn with_values(&self, ii: usize, with: &[Capture]) -> BTreeMap<String, Value> {
        let Some(inst) = self.insts.get(ii).and_then(Option::as_ref) else {
            return BTreeMap::new();
        };
        with.iter()
            .filter_map(|w| Some((w.name.clone(), inst.data.get(&w.name)?.clone())))
            .collect()
    }
}
