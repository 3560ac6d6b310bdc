//! The `gates:` section of hnp-events.yaml: per-metric `off` or `{threshold, …}`, read
//! with located diagnostics like the rest of the configuration.

use std::collections::BTreeMap;

use serde_json::Value;

use super::GATES;
use crate::diag::Diagnostic;
use crate::source::{SourceFile, pointer};

/// One gate's configuration.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GateSetting {
    pub off: bool,
    /// 0.0–1.0; `None` = the default.
    pub threshold: Option<f64>,
    /// `schema_consistency`: the envelope attributes required in headers or payload.
    pub envelope: Option<Vec<String>>,
    /// `schema_consistency`: verbs added to the built-in lists (imperative, past).
    pub verbs: Option<(Vec<String>, Vec<String>)>,
}

/// All gate settings; metrics not named keep their defaults.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settings {
    pub gates: BTreeMap<String, GateSetting>,
    /// `gates: off`: no gate runs (as `validate --no-gates`).
    pub all_off: bool,
}

/// CloudEvents 1.0 required context attributes.
pub const CLOUDEVENTS: &[&str] = &["id", "source", "specversion", "type"];

impl Settings {
    pub fn get(&self, name: &str) -> GateSetting {
        self.gates.get(name).cloned().unwrap_or_default()
    }

    /// The envelope attributes of `schema_consistency`.
    pub fn envelope(&self) -> Vec<String> {
        self.get("schema_consistency")
            .envelope
            .unwrap_or_else(|| CLOUDEVENTS.iter().map(|s| s.to_string()).collect())
    }

    /// The verb lists: built-in, extended by `schema_consistency.verbs`.
    pub fn verbs(&self) -> std::borrow::Cow<'static, super::verbs::Verbs> {
        use super::verbs::Verbs;
        match self.get("schema_consistency").verbs {
            Some((imperative, past)) => {
                std::borrow::Cow::Owned(Verbs::extended(&imperative, &past))
            }
            None => std::borrow::Cow::Borrowed(Verbs::builtin()),
        }
    }

    /// Read `gates:` at pointer `at` of the config file.
    pub fn parse(file: &SourceFile, at: &str, v: &Value, diags: &mut Vec<Diagnostic>) -> Self {
        let mut out = Settings::default();
        let map = match v {
            Value::Object(map) => map,
            Value::String(s) if s == "off" => {
                out.all_off = true;
                return out;
            }
            Value::Bool(false) => {
                out.all_off = true;
                return out;
            }
            Value::String(s) if s == "on" => return out,
            Value::Bool(true) => return out,
            _ => {
                diags.push(file.diag_at(
                    "config-invalid",
                    at,
                    "`gates` is `off`, `on`, or maps metric names to `off` or `{threshold: 0.9}`",
                ));
                return out;
            }
        };
        let names: Vec<&str> = GATES.iter().map(|g| g.name).collect();
        for (name, setting) in map {
            let gat = pointer::push(at, name);
            if !names.contains(&name.as_str()) {
                let help = match crate::suggest::closest(name, &names) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("known metrics: {}", names.join(", ")),
                };
                diags.push(
                    Diagnostic::new(
                        "config-invalid",
                        file.locate_key(&gat),
                        format!("unknown gate `{name}`"),
                    )
                    .with_help(help),
                );
                continue;
            }
            let mut g = GateSetting::default();
            match setting {
                Value::String(s) if s == "off" => g.off = true,
                Value::String(s) if s == "on" => {}
                Value::Bool(b) => g.off = !b,
                Value::Object(fields) => {
                    for (k, fv) in fields {
                        let fat = pointer::push(&gat, k);
                        match (k.as_str(), fv) {
                            ("threshold", Value::Number(n)) => match n.as_f64() {
                                Some(t) if (0.0..=1.0).contains(&t) => g.threshold = Some(t),
                                _ => diags.push(file.diag_at(
                                    "config-invalid",
                                    &fat,
                                    "a threshold is a ratio from 0 to 1 (0.9 = 90%)",
                                )),
                            },
                            ("threshold", _) => diags.push(file.diag_at(
                                "config-invalid",
                                &fat,
                                "a threshold is a number from 0 to 1 (0.9 = 90%)",
                            )),
                            ("off", Value::Bool(b)) => g.off = *b,
                            ("envelope", Value::Array(items)) if name == "schema_consistency" => {
                                let attrs: Vec<String> =
                                    items.iter().filter_map(|x| x.as_str().map(str::to_string)).collect();
                                if attrs.len() == items.len() {
                                    g.envelope = Some(attrs);
                                } else {
                                    diags.push(file.diag_at(
                                        "config-invalid",
                                        &fat,
                                        "`envelope` lists attribute names (strings)",
                                    ));
                                }
                            }
                            ("verbs", v) if name == "schema_consistency" => {
                                g.verbs = parse_verbs(file, &fat, v, diags);
                            }
                            _ => diags.push(
                                Diagnostic::new(
                                    "config-invalid",
                                    file.locate_key(&fat),
                                    format!("unknown or invalid gate setting `{k}`"),
                                )
                                .with_help(if name == "schema_consistency" {
                                    "settings: threshold (0–1), off (true/false), envelope (list of attributes), verbs ({imperative: [...], past: [...]})"
                                } else {
                                    "settings: threshold (0–1), off (true/false)"
                                }),
                            ),
                        }
                    }
                }
                _ => {
                    diags.push(file.diag_at(
                        "config-invalid",
                        &gat,
                        "a gate is `off`, `on` or `{threshold: 0.9}`",
                    ));
                    continue;
                }
            }
            out.gates.insert(name.clone(), g);
        }
        out
    }
}

/// `verbs: {imperative: [place, reserve], past: [placed, reserved]}`: both lists optional.
fn parse_verbs(
    file: &SourceFile,
    at: &str,
    v: &Value,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Vec<String>, Vec<String>)> {
    const SHAPE: &str = "`verbs` is `{imperative: [place, ...], past: [placed, ...]}`";
    let Some(map) = v.as_object() else {
        diags.push(file.diag_at("config-invalid", at, SHAPE));
        return None;
    };
    let mut lists = (Vec::new(), Vec::new());
    for (k, list) in map {
        let kat = pointer::push(at, k);
        let target = match k.as_str() {
            "imperative" => &mut lists.0,
            "past" => &mut lists.1,
            _ => {
                diags.push(
                    Diagnostic::new(
                        "config-invalid",
                        file.locate_key(&kat),
                        format!("unknown verb list `{k}`"),
                    )
                    .with_help("the lists are `imperative` (commands) and `past` (events)"),
                );
                continue;
            }
        };
        match list.as_array() {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    match item.as_str().filter(|w| !w.trim().is_empty()) {
                        Some(w) => target.push(w.to_string()),
                        None => diags.push(file.diag_at(
                            "config-invalid",
                            &pointer::push(&kat, &i.to_string()),
                            "a verb is a non-empty string",
                        )),
                    }
                }
            }
            None => diags.push(file.diag_at("config-invalid", &kat, SHAPE)),
        }
    }
    Some(lists)
}
