//! The JSON Schema of hnp-events.yaml (`hnp-events schema config`), for editors. The
//! loader in `crate::config` is the authority; this schema describes the same keys.

use serde_json::{Value, json};

use crate::gates::GATES;

/// The configuration's JSON Schema (draft 2020-12).
pub fn json_schema() -> Value {
    let rule_ids: Vec<&str> = crate::diag::RULES.iter().map(|r| r.id).collect();
    // Every spelling `diff` accepts for a mode: kebab and registry (`FULL_TRANSITIVE`).
    let mut modes: Vec<String> = Vec::new();
    for n in crate::diff::Mode::NAMES {
        modes.push(n.to_string());
        modes.push(n.to_ascii_uppercase().replace('-', "_"));
    }
    let gate = |envelope: bool| {
        let mut props = json!({
            "threshold": {"type": "number", "minimum": 0, "maximum": 1,
                "description": "The lowest passing ratio (0.9 = 90%)."},
            "off": {"type": "boolean"}
        });
        if envelope {
            props["envelope"] = json!({"type": "array", "items": {"type": "string"},
                "description": "Envelope attributes each message carries in its headers or payload (default: CloudEvents id, source, specversion, type)."});
            props["verbs"] = json!({"type": "object", "additionalProperties": false,
            "description": "Verbs added to the built-in lists that decide how message names read: commands start with an imperative, events end with a past form.",
            "properties": {
                "imperative": {"type": "array", "items": {"type": "string", "minLength": 1},
                    "description": "Command verbs, e.g. [place, reserve, back up]."},
                "past": {"type": "array", "items": {"type": "string", "minLength": 1},
                    "description": "Past forms naming events, e.g. [placed, reserved, backed up]."}
            }});
        }
        json!({
            "oneOf": [
                {"enum": ["off", "on", true, false]},
                {"type": "object", "additionalProperties": false, "properties": props}
            ]
        })
    };
    let mut gates = serde_json::Map::new();
    for g in GATES {
        gates.insert(g.name.to_string(), gate(g.name == "schema_consistency"));
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "hnp-events.yaml",
        "description": "Configuration of hnp-events: documents and sagas to validate, thresholds, rule levels and ignores.",
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "documents": {"type": "array", "items": {"type": "string"},
                "description": "API documents validated when `validate` gets no PATH (relative to this file)."},
            "projections": {"type": "array", "items": {"type": "string"},
                "description": "Projection files (*.projection.yaml) and upcast files (*.upcast.yaml) statically checked with the documents (diff reads the upcasters from them)."},
            "sagas": {"type": "array", "items": {"type": "string"},
                "description": "Saga files (*.saga.yaml) checked with the documents; they feed saga_completeness."},
            "fail-on": {"enum": ["error", "warning", "info", "never"]},
            "root": {"type": "string", "description": "Workspace root for $refs."},
            "objectives": {
                "description": "What `simulate` measures streams against (the HNP checklist's performance metrics).",
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "latency-p95": {"type": "string", "description": "Default p95 latency of an event consumer (met when below), e.g. 100ms."},
                    "delivery": {"type": "number", "minimum": 0, "maximum": 1, "description": "Commands answered within their timeout (met when above), e.g. 0.999."},
                    "ordering": {"type": "number", "minimum": 0, "maximum": 1, "description": "Events in order per ordering key (met when at least), e.g. 1.0."}
                }
            },
            "rules": {
                "type": "object",
                "propertyNames": {"enum": rule_ids},
                "additionalProperties": {"enum": ["off", "hint", "info", "warning", "error"]}
            },
            "gates": {
                "description": "`off` turns every gate off (as `validate --no-gates`); a map sets each metric.",
                "oneOf": [
                    {"enum": ["off", "on", true, false]},
                    {"type": "object", "additionalProperties": false, "properties": gates}
                ]
            },
            "diff": {
                "description": "Settings of `hnp-events diff`.",
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "compatibility": {"enum": modes.clone(),
                        "description": "The mode of items declaring none (as --compatibility, which wins)."},
                    "tags": {"type": "string", "minLength": 1,
                        "description": "Release tags (a glob, e.g. 'v*') that -transitive modes check HEAD against (as --tags, which wins)."},
                    "documents": {"type": "object", "additionalProperties": {"enum": modes.clone()},
                        "description": "Compatibility mode per document path (relative to this file)."},
                    "channels": {"type": "object", "additionalProperties": {"enum": modes.clone()},
                        "description": "Compatibility mode per channel key, 2.x channel name or address."},
                    "messages": {"type": "object", "additionalProperties": {"enum": modes.clone()},
                        "description": "Compatibility mode per message key or components name."},
                    "rules": {
                        "type": "object",
                        "propertyNames": {"enum": rule_ids},
                        "additionalProperties": {"enum": ["off", "hint", "info", "warning", "error"]},
                        "description": "Rule levels for `diff` only, over the top-level `rules`."
                    }
                }
            },
            "ignore": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["path"],
                    "properties": {
                        "path": {"type": "string", "description": "A glob over file paths, relative to the folder of this config file."},
                        "pointer": {"type": "string", "pattern": "^(/.*)?$",
                            "description": "Suppress findings at or under this JSON pointer."},
                        "rules": {"type": "array", "items": {"enum": rule_ids},
                            "description": "The rules to suppress (all when absent)."}
                    }
                }
            }
        }
    })
}
