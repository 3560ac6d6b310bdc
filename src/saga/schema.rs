//! The JSON Schema (2020-12) of the saga file format, for editors and for a future
//! `hnp-events schema saga`.

use serde_json::{Value, json};

/// The JSON Schema of `*.saga.yaml` files.
pub fn json_schema() -> Value {
    let names = json!({
        "oneOf": [
            {"$ref": "#/$defs/messageName"},
            {"type": "array", "items": {"$ref": "#/$defs/messageName"}}
        ]
    });
    let nodes = nodes_schema();
    let mut schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://githedgehog.com/schemas/hnp-events/saga.json",
        "title": "hnp-events saga",
        "description": "A saga orchestrated over an AsyncAPI contract: ordered steps, each sending a command and waiting for the events that complete or fail it, with timeouts, retries and compensations.",
        "type": "object",
        "required": ["saga", "version", "contract", "correlation", "start", "steps"],
        "additionalProperties": false,
        "properties": {
            "saga": {"type": "string", "minLength": 1, "description": "The saga's name."},
            "version": {"type": ["string", "number"]},
            "description": {"type": "string"},
            "contract": {"type": "string", "minLength": 1, "description": "Path of the AsyncAPI document, relative to the saga file."},
            "correlation": {"$ref": "#/$defs/pointer", "description": "JSON pointer into every message (`/headers/...` or `/payload/...`) whose value identifies the saga instance."},
            "idempotencyKey": {"$ref": "#/$defs/pointer", "description": "JSON pointer of the idempotency key (default `/headers/id`, the CloudEvents id)."},
            "causation": {"$ref": "#/$defs/pointer", "description": "JSON pointer where a reply names the command that caused it (e.g. `/headers/causationid`, a CloudEvents extension). The orchestrator names each command `KEY/STEP/ATTEMPT` (a compensation `KEY/STEP/compensation/N/ATTEMPT`); a reply is matched to that attempt, and a reply of an older attempt or of another instance is a finding, never a completion."},
            "start": {
                "description": "The message that starts an instance, or a list of them (any one starts it), each a name or `{message, when}`.",
                "oneOf": [
                    {"$ref": "#/$defs/start"},
                    {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/start"}}
                ]
            },
            "ignore": names.clone(),
            "abortOn": {"description": "Events that make a running instance give up and compensate, whatever step it is in.", "oneOf": [{"$ref": "#/$defs/messageName"}, {"type": "array", "items": {"$ref": "#/$defs/messageName"}}]},
            "deadline": {"$ref": "#/$defs/duration", "description": "Saga-wide deadline from the start: an instance still running then gives up and compensates."},
            "steps": {"$ref": "#/$defs/nodes"},
            "emits": {
                "type": "object",
                "additionalProperties": false,
                "properties": {"onComplete": names.clone(), "onFailure": names.clone()}
            }
        },
        "$defs": {
            "start": {
                "oneOf": [
                    {"$ref": "#/$defs/messageName"},
                    {
                        "type": "object",
                        "required": ["message"],
                        "additionalProperties": false,
                        "properties": {
                            "message": {"$ref": "#/$defs/messageName"},
                            "capture": {"$ref": "#/$defs/capture"},
                            "when": {"$ref": "#/$defs/condition"}
                        }
                    }
                ]
            },
            "capture": {
                "description": "Values read from the event (name: JSON pointer into its headers or payload), for the `with` of later commands and compensations.",
                "type": "object",
                "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
                "additionalProperties": {"$ref": "#/$defs/eventPointer"}
            },
            "with": {
                "description": "Captured values the command carries (name: JSON pointer into the command's headers or payload). Each name must be captured before the command is sent, on every path.",
                "type": "object",
                "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
                "additionalProperties": {"$ref": "#/$defs/eventPointer"}
            },
            "eventPointer": {"type": "string", "pattern": "^/(headers|payload)(/([^~/]|~[01])*)+$"},
            "condition": {
                "description": "A condition on an event's field: the value at `pointer` equals a value, is one of a list (`in`), exists or not (`exists`), is a string a regular expression finds a match in (`matches`, unanchored), or the negation of a condition (`not`).",
                "oneOf": [
                    {
                        "type": "object",
                        "required": ["not"],
                        "additionalProperties": false,
                        "properties": {"not": {"$ref": "#/$defs/condition"}}
                    },
                    {
                        "type": "object",
                        "required": ["pointer"],
                        "additionalProperties": false,
                        "minProperties": 2,
                        "maxProperties": 2,
                        "properties": {
                            "pointer": {"$ref": "#/$defs/pointer"},
                            "equals": {},
                            "in": {"type": "array", "minItems": 1},
                            "exists": {"type": "boolean"},
                            "matches": {"type": "string", "format": "regex"}
                        }
                    }
                ]
            },
            "messageName": {"type": "string", "minLength": 1, "description": "A message name of the contract (a key of components.messages)."},
            "pointer": {"type": "string", "pattern": "^(/([^~/]|~[01])*)+$"},
            "duration": {"type": "string", "pattern": "^([0-9]+(ms|s|m|h|d))+$"},
            "retry": {
                "type": "object",
                "required": ["max"],
                "additionalProperties": false,
                "properties": {
                    "max": {"type": "integer", "minimum": 1, "maximum": 1000, "description": "Attempts in all, the first included."},
                    "backoff": {"allOf": [{"$ref": "#/$defs/duration"}], "description": "Wait after the first failed attempt (default 0)."},
                    "factor": {"type": "integer", "minimum": 1, "maximum": 10, "description": "Each later wait is the previous one times `factor` (default 2; 1 for a constant backoff)."}
                }
            },
            "compensation": {
                "type": "object",
                "required": ["send", "confirm"],
                "additionalProperties": false,
                "properties": {
                    "send": {"$ref": "#/$defs/messageName"},
                    "confirm": {"$ref": "#/$defs/messageName"},
                    "when": {
                        "description": "The condition a `confirm` event must meet: tells the compensation's confirmation from a forward reply of the same message.",
                        "$ref": "#/$defs/condition"
                    },
                    "fail": names.clone(),
                    "timeout": {"$ref": "#/$defs/duration"},
                    "retry": {"$ref": "#/$defs/retry"},
                    "with": {"$ref": "#/$defs/with"},
                    "if": {
                        "description": "Run this compensation only when the event that completed its step meets the condition (a step completed without an event, in doubt or by its timer, is compensated regardless).",
                        "$ref": "#/$defs/condition"
                    }
                }
            },
            "step": {
                "type": "object",
                "required": ["id"],
                "additionalProperties": false,
                "properties": {
                    "id": {"type": "string", "minLength": 1},
                    "description": {"type": "string"},
                    "send": {"$ref": "#/$defs/messageName"},
                    "on": names.clone(),
                    "fail": names.clone(),
                    "ignore": names,
                    "timeout": {"$ref": "#/$defs/duration"},
                    "onTimeout": {"enum": ["retry", "fail", "compensate", "complete"]},
                    "retry": {"$ref": "#/$defs/retry"},
                    "compensation": {
                        "oneOf": [
                            {"$ref": "#/$defs/compensation"},
                            {"type": "array", "items": {"$ref": "#/$defs/compensation"}}
                        ]
                    },
                    "pivot": {"type": "boolean"},
                    "readOnly": {"type": "boolean"},
                    "idempotent": {"type": "boolean", "description": "false: the command takes effect again when repeated, so the step must not retry it (default: the contract's x-hnp-idempotent)."},
                    "p95": {"$ref": "#/$defs/duration"},
                    "capture": {"$ref": "#/$defs/capture"},
                    "with": {"$ref": "#/$defs/with"},
                    "inFlight": {"enum": ["wait", "abandon"], "description": "When the saga gives up while this step's command is in flight: wait for its outcome (default) or abandon it, compensating at once (the compensation must be safe whether or not the command took effect)."},
                    "when": {"$ref": "#/$defs/condition"},
                    "saga": {"type": "string", "minLength": 1, "description": "Run a child saga (its file, relative to this one): the step sends one of the child's start messages (`send`, or the child's only one) under the key KEY/STEP/ATTEMPT, completes on the child's emits.onComplete and fails on its emits.onFailure (`on` and `fail` are not written)."}
                },
                "not": {"required": ["saga", "on"]}
            }
        }
    });
    if let Some(defs) = schema.get_mut("$defs").and_then(Value::as_object_mut) {
        defs.insert("nodes".into(), nodes);
    }
    schema
}

fn nodes_schema() -> Value {
    json!({
        "type": "array",
        "minItems": 1,
        "items": {
            "oneOf": [
                {"$ref": "#/$defs/step"},
                {
                    "type": "object",
                    "required": ["parallel"],
                    "additionalProperties": false,
                    "properties": {"parallel": {"type": "array", "minItems": 2, "items": {"$ref": "#/$defs/step"}}}
                },
                {
                    "type": "object",
                    "required": ["branch"],
                    "additionalProperties": false,
                    "properties": {
                        "branch": {
                            "type": "object",
                            "required": ["id", "on", "pointer", "cases"],
                            "additionalProperties": false,
                            "properties": {
                                "id": {"type": "string", "minLength": 1},
                                "on": {"$ref": "#/$defs/messageName"},
                                "pointer": {"$ref": "#/$defs/pointer"},
                                "timeout": {"$ref": "#/$defs/duration"},
                                "cases": {
                                    "type": "object",
                                    "minProperties": 1,
                                    "additionalProperties": {"$ref": "#/$defs/nodes"}
                                }
                            }
                        }
                    }
                }
            ]
        }
    })
}
