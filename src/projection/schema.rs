//! The JSON Schema (2020-12) of projection files (`*.projection.yaml`), printed by
//! `hnp-events schema projection` and used to check every projection file.

use serde_json::{Value, json};

/// The JSON Schema of `*.projection.yaml` files.
pub fn json_schema() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://githedgehog.com/schemas/hnp-events/projection.json",
        "title": "hnp-events projection",
        "description": "A read model folded from the events of an AsyncAPI contract: one row per key, a jq reducer per handled message, snapshots and upcasters.",
        "type": "object",
        "required": ["projection", "version", "contract", "key", "state", "initial", "on"],
        "additionalProperties": false,
        "properties": {
            "projection": {"type": "string", "minLength": 1, "description": "The projection's name."},
            "version": {"type": ["string", "number"]},
            "description": {"type": "string"},
            "contract": {"type": "string", "minLength": 1, "description": "Path of the AsyncAPI document, relative to this file."},
            "key": {"$ref": "#/$defs/pointer", "description": "JSON pointer into every handled event (`/headers/...` or `/payload/...`): one row per value."},
            "idempotencyKey": {"$ref": "#/$defs/pointer", "description": "JSON pointer of the idempotency key; default: the message's `x-hnp-idempotency-key`, else `/headers/id`."},
            "state": {"type": "object", "description": "JSON Schema of a row (inline; `$ref`s relative to this file may point into the contract's files)."},
            "initial": {"description": "The row before its first event."},
            "on": {
                "type": "object",
                "minProperties": 1,
                "description": "Reducers: message name → jq expression; `.` is the row, `$event` is `{message, time, headers, payload}`; the output is the new row.",
                "additionalProperties": {"type": "string", "minLength": 1}
            },
            "ignore": {"type": "array", "items": {"$ref": "#/$defs/messageName"}, "description": "Messages on the same channels that deliberately change no row."},
            "snapshot": {
                "type": "object",
                "required": ["every"],
                "additionalProperties": false,
                "properties": {
                    "every": {"type": "integer", "minimum": 1, "description": "Take a snapshot after every N events."},
                    "persist": {"type": "string", "minLength": 1, "description": "jq run on a row when it is stored (default: `.`)."},
                    "restore": {"type": "string", "minLength": 1, "description": "jq run on a stored row when it is loaded (default: `.`)."}
                }
            },
            "serves": {"type": "array", "items": {"type": "string", "minLength": 1}, "description": "operationIds of the query operations this read model answers."},
            "upcasters": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["from", "to", "transform"],
                    "additionalProperties": false,
                    "properties": {
                        "from": {"$ref": "#/$defs/messageName", "description": "The old message (as stored)."},
                        "to": {"$ref": "#/$defs/messageName", "description": "The message it becomes."},
                        "transform": {"type": "string", "minLength": 1, "description": "jq on `{headers, payload}` giving the new `{headers, payload}`."}
                    }
                }
            }
        },
        "$defs": {
            "messageName": {"type": "string", "minLength": 1, "description": "A message name of the contract (a key of components.messages)."},
            "pointer": {"type": "string", "pattern": "^(/([^~/]|~[01])*)+$"}
        }
    })
}
