//! Architecture gates run by `validate` after the structural rules: nine metrics (the ninth,
//! `projection_coverage`, only with projection files), each
//! a numerator over a denominator against a threshold, with one located warning per
//! item that misses and an error (`gate-threshold`) when a metric is below its
//! threshold. A metric with nothing to count is "n/a" and neither passes nor fails.
//!
//! Reads the IR (`crate::model`), the CQRS rows (`crate::classify`) and saga files;
//! returns metrics and diagnostics (never prints).

pub mod chains;
pub mod delivery;
pub mod flow;
pub mod messages;
pub mod metric;
pub mod pointers;
pub mod projection;
pub mod protocols;
pub mod roles;
pub mod settings;
pub mod util;
pub mod verbs;

use crate::classify::Row;
use crate::diag::{Diagnostic, Location};
use crate::model::Model;
use crate::saga::Saga;
use crate::source::Workspace;

pub use metric::{Metric, Status};
pub use settings::{GateSetting, Settings};

/// A gate: metric name, the rule of its per-item diagnostics, default threshold.
#[derive(Debug, Clone, Copy)]
pub struct Gate {
    pub name: &'static str,
    pub rule: &'static str,
    pub threshold: f64,
    /// The threshold is exceeded, not met (the HNP checklist's "> 90%").
    pub strict: bool,
}

/// Every gate, in report order.
pub const GATES: &[Gate] = &[
    Gate {
        name: "event_flow_coverage",
        rule: "gate-event-flow-coverage",
        threshold: 0.9,
        strict: true,
    },
    Gate {
        name: "cqrs_compliance",
        rule: "gate-cqrs-compliance",
        threshold: 1.0,
        strict: false,
    },
    Gate {
        name: "schema_consistency",
        rule: "gate-schema-consistency",
        threshold: 1.0,
        strict: false,
    },
    Gate {
        name: "saga_completeness",
        rule: "gate-saga-completeness",
        threshold: 0.85,
        strict: true,
    },
    Gate {
        name: "error_handling_coverage",
        rule: "gate-error-handling-coverage",
        threshold: 0.9,
        strict: true,
    },
    Gate {
        name: "delivery_declared",
        rule: "gate-delivery-declared",
        threshold: 1.0,
        strict: false,
    },
    Gate {
        name: "ordering_declared",
        rule: "gate-ordering-declared",
        threshold: 1.0,
        strict: false,
    },
    Gate {
        name: "idempotency_declared",
        rule: "gate-idempotency-declared",
        threshold: 1.0,
        strict: false,
    },
    Gate {
        name: "projection_coverage",
        rule: "gate-projection-coverage",
        threshold: 0.9,
        strict: false,
    },
];

/// The rule of a metric falling below its threshold.
pub const THRESHOLD_RULE: &str = "gate-threshold";

/// What the gates read.
pub struct Input<'a> {
    pub ws: &'a Workspace,
    pub model: &'a Model,
    pub rows: &'a [Row],
    /// `classify`'s own findings (`cqrs-ambiguous`), which count against cqrs_compliance.
    pub classify_diags: &'a [Diagnostic],
    pub sagas: &'a [Saga],
    /// Whether `sagas` are the project's sagas, all of them: only then does a chain of
    /// commands that none coordinates count against saga_completeness (`false` when
    /// `validate` is given some saga files and no documents: a selection).
    pub all_sagas: bool,
    /// The verb lists that decide how message names read (built-in plus configured).
    pub verbs: &'a verbs::Verbs,
    /// The operations the run's projection files serve; `None` when it has none
    /// (`projection_coverage` is then not measured).
    pub served: Option<&'a std::collections::BTreeSet<String>>,
}

/// How a run is filtered: which rules run, which findings are suppressed, and where a
/// metric's threshold error points (the config's `gates` entry, else the first input).
pub struct Filter<'a> {
    pub enabled: &'a dyn Fn(&str) -> bool,
    pub suppressed: &'a dyn Fn(&str, &Location) -> bool,
    pub anchor: &'a dyn Fn(&str) -> Location,
}

/// One counted item, located.
struct Outcome {
    /// Where the counted item lives (`None` for saga steps).
    key: Option<crate::model::Src>,
    location: Location,
    miss: Option<String>,
    help: Option<&'static str>,
}

fn located(ws: &Workspace, items: Vec<util::Item>) -> Vec<Outcome> {
    items
        .into_iter()
        .map(|i| Outcome {
            location: ws.file(i.src.file).locate_key(&i.src.pointer),
            key: Some(i.src),
            miss: i.miss,
            help: i.help,
        })
        .collect()
}

/// Saga steps, with what each incomplete one lacks (the same test as
/// `saga::check::step_complete`, which `saga::completeness` counts).
fn saga_items(sagas: &[Saga]) -> Vec<Outcome> {
    let mut out = Vec::new();
    for saga in sagas {
        // Past the pivot a step only goes forward: it needs no compensation.
        let past = crate::saga::soundness::past_pivot(saga);
        for (k, s) in saga.steps.iter().enumerate() {
            let mut missing = Vec::new();
            if s.compensation.is_empty()
                && !s.pivot
                && !past.contains(&k)
                && !s.read_only
                && s.send.is_some()
            {
                missing.push("compensation (or `pivot`/`readOnly`)");
            }
            if s.timeout.is_none() || s.on_timeout.is_none() {
                missing.push("a timeout with `onTimeout`");
            }
            if s.send.is_some() && s.fail.is_empty() {
                missing.push("failure events (`fail`)");
            }
            out.push(Outcome {
                key: None,
                location: saga.source.locate_key(&s.ptr),
                miss: (!missing.is_empty()).then(|| {
                    format!("saga `{}` step `{}` lacks {}", saga.name, s.id, missing.join(", "))
                }),
                help: Some("every step that changes state needs a compensation (or is the pivot), a timeout with a handler, and its failure events"),
            });
        }
    }
    out
}

/// Run every enabled gate.
pub fn run(
    input: &Input<'_>,
    settings: &Settings,
    filter: &Filter<'_>,
) -> (Vec<Metric>, Vec<Diagnostic>) {
    let mut metrics = Vec::new();
    let mut diags = Vec::new();
    let mut notes: Vec<(&str, String)> = Vec::new();
    let opaque = util::opaque(input.ws, input.model);
    for gate in GATES {
        let setting = settings.get(gate.name);
        if setting.off || !(filter.enabled)(gate.rule) {
            continue;
        }
        let (ws, model, rows) = (input.ws, input.model, input.rows);
        let items = match gate.name {
            "event_flow_coverage" => {
                let (mut items, n) = flow::event_flow(ws, model, rows);
                items.extend(flow::cycles(model, rows, input.sagas));
                notes.extend(n.into_iter().map(|n| (gate.name, n)));
                located(ws, items)
            }
            "cqrs_compliance" => located(
                ws,
                flow::cqrs(ws, model, rows, input.classify_diags, input.verbs),
            ),
            "schema_consistency" => located(
                ws,
                messages::schema_consistency(ws, model, rows, &settings.envelope(), input.verbs),
            ),
            "saga_completeness" => {
                let mut items = saga_items(input.sagas);
                let chains = chains::missing_sagas(model, rows, input.sagas, input.verbs);
                if input.all_sagas {
                    items.extend(located(ws, chains));
                } else {
                    // A selection of saga files says nothing about the chains it does
                    // not coordinate: they are not counted, and the note says so.
                    let n = chains.iter().filter(|c| c.miss.is_some()).count();
                    if n > 0 && (filter.enabled)(NOT_MEASURED_RULE) {
                        diags.push(
                            Diagnostic::new(
                                NOT_MEASURED_RULE,
                                (filter.anchor)(gate.name),
                                format!(
                                    "saga_completeness counts the steps of the named saga files only: {n} chain{} of commands that none of them coordinates (missing sagas) {} not counted",
                                    if n == 1 { "" } else { "s" },
                                    if n == 1 { "is" } else { "are" },
                                ),
                            )
                            .with_help("missing sagas are measured over the project's sagas: run `validate` on the documents with every saga file, or with no paths and `documents:` and `sagas:` in hnp-events.yaml"),
                        );
                    }
                }
                items
            }
            "error_handling_coverage" => located(ws, flow::error_handling(ws, model, rows)),
            "delivery_declared" => located(ws, delivery::delivery(ws, model)),
            "ordering_declared" => located(ws, delivery::ordering(ws, model, rows)),
            "idempotency_declared" => located(ws, messages::idempotency(ws, model, rows)),
            "projection_coverage" => match input.served {
                Some(served) => located(ws, projection::coverage(ws, model, rows, served)),
                None => continue,
            },
            _ => Vec::new(),
        };
        // Content behind a `$ref` that did not resolve is unknown, not missing: a miss
        // about such a subject (a message, a channel, or an operation on a channel that
        // did not resolve) is no finding and is left out of the count (the ref itself is
        // reported once, by `ref-unresolved`/`ref-remote`). A pass drawn from what is
        // visible still counts.
        let items: Vec<Outcome> = items
            .into_iter()
            .filter(|i| i.miss.is_none() || !opaque.contains(&i.key))
            .collect();
        let mut metric = Metric {
            name: gate.name,
            rule: gate.rule,
            numerator: 0,
            denominator: items.len(),
            threshold: setting.threshold.unwrap_or(gate.threshold),
            strict: gate.strict,
            status: Status::NotApplicable,
            waived: 0,
        };
        for item in items {
            match item.miss {
                None => metric.numerator += 1,
                Some(_) if (filter.suppressed)(gate.rule, &item.location) => {
                    metric.numerator += 1;
                    metric.waived += 1;
                }
                Some(msg) => {
                    let mut d = Diagnostic::new(gate.rule, item.location, msg);
                    if let Some(h) = item.help {
                        d = d.with_help(h);
                    }
                    diags.push(d);
                }
            }
        }
        metric.status = match metric.ratio() {
            None => Status::NotApplicable,
            Some(r) if metric.meets(r) => Status::Pass,
            Some(_) => Status::Fail,
        };
        if metric.status == Status::Fail && (filter.enabled)(THRESHOLD_RULE) {
            diags.push(
                Diagnostic::new(
                    THRESHOLD_RULE,
                    (filter.anchor)(gate.name),
                    format!(
                        "{} is {} ({}/{}), {} its threshold of {}",
                        gate.name,
                        metric.value_text(),
                        metric.numerator,
                        metric.denominator,
                        if metric.ratio().is_some_and(|r| (r - metric.threshold).abs() < 1e-9) {
                            "not above"
                        } else {
                            "below"
                        },
                        metric::percent(metric.threshold)
                    ),
                )
                .with_help(format!(
                    "fix the `{}` warnings, or set `gates: {{{}: {{threshold: …}}}}` in hnp-events.yaml",
                    gate.rule, gate.name
                )),
            );
        }
        metrics.push(metric);
    }
    notes.extend(unmeasured(input.model));
    for d in pointers::check(input.ws, input.model) {
        if (filter.enabled)(d.rule) && !(filter.suppressed)(d.rule, &d.location) {
            diags.push(d);
        }
    }
    if (filter.enabled)(NOT_MEASURED_RULE) {
        for (gate, text) in notes {
            diags.push(
                Diagnostic::new(NOT_MEASURED_RULE, (filter.anchor)(gate), text).with_help(
                    "a gate that counts nothing passes vacuously; document the missing side (or mark it `x-hnp-external`) to have it measured",
                ),
            );
        }
    }
    (metrics, diags)
}

/// The rule of the notes that say what a gate could not measure.
pub const NOT_MEASURED_RULE: &str = "gate-not-measured";

/// Errors that leave the model the gates measure sound, so the gates still run: a
/// `$ref` that did not resolve (the gates leave what is behind it out of every count,
/// one finding per root cause), an example its schema rejects, and names, formats or
/// security references that change no operation, channel or message.
pub const NON_BLOCKING_ERRORS: &[&str] = &[
    "schema-example-invalid",
    "ref-unresolved",
    "ref-remote",
    "ref-invalid",
    "ref-outside-root",
    "asyncapi-component-name",
    "value-format",
    "openapi-security-undefined",
];

/// Whether an error of this rule stops the gates (see [`NON_BLOCKING_ERRORS`]).
pub fn blocks_gates(rule: &str) -> bool {
    !NON_BLOCKING_ERRORS.contains(&rule)
}

/// Documents whose channels no operation uses: their messages are in no count.
fn unmeasured(model: &Model) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for doc in &model.documents {
        if doc.operations.is_empty() && !doc.channels.is_empty() {
            let title = doc
                .title
                .clone()
                .unwrap_or_else(|| "a document".to_string());
            out.push((
                "event_flow_coverage",
                format!(
                    "`{title}` has {} channel{} and {} message{} but no operations: the gates measure operations, so its messages are in no count",
                    doc.channels.len(),
                    if doc.channels.len() == 1 { "" } else { "s" },
                    doc.messages.len(),
                    if doc.messages.len() == 1 { "" } else { "s" },
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gates_have_registered_rules() {
        for g in GATES {
            assert!(crate::diag::rule_meta(g.rule).is_some(), "{}", g.rule);
            assert!((0.0..=1.0).contains(&g.threshold));
        }
        assert!(crate::diag::rule_meta(THRESHOLD_RULE).is_some());
    }
}
