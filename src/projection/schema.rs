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
                "description": "Upcasters for old stored events: inline, or the path of an `*.upcast.yaml` file (relative to this file) whose upcasters join these.",
                "items": {"oneOf": [
                    {"$ref": "#/$defs/upcaster"},
                    {"type": "string", "pattern": "\\.upcast\\.(yaml|yml|json)$", "description": "Path of an `*.upcast.yaml` file."}
                ]}
            }
        },
        "$defs": DEFS.clone(),
    })
}

static DEFS: std::sync::LazyLock<Value> = std::sync::LazyLock::new(|| {
    json!({
            "upcaster": {
                "type": "object",
                "required": ["from", "to", "transform"],
                "additionalProperties": false,
                "properties": {
                    "from": {"$ref": "#/$defs/version", "description": "The old event as stored: a message name, or `{message, type}` for the events of that message whose CloudEvents `type` header is `type`."},
                    "to": {"$ref": "#/$defs/version", "description": "The event it becomes (with `type`, the CloudEvents `type` header is set to it)."},
                    "transform": {"type": "string", "minLength": 1, "description": "jq on `{headers, payload}` giving the new `{headers, payload}`."}
                }
            },
            "version": {"oneOf": [
                {"$ref": "#/$defs/messageName"},
                {
                    "type": "object",
                    "required": ["message", "type"],
                    "additionalProperties": false,
                    "properties": {
                        "message": {"$ref": "#/$defs/messageName"},
                        "type": {"type": "string", "minLength": 1, "description": "A CloudEvents `type`, e.g. `com.example.thing_happened.v1`."}
                    }
                }
            ]},
            "messageName": {"type": "string", "minLength": 1, "description": "A message name of the contract (a key of components.messages)."},
            "pointer": {"type": "string", "pattern": "^(/([^~/]|~[01])*)+$"}
    })
});

/// The JSON Schema of upcaster files (`*.upcast.yaml`), printed by
/// `hnp-events schema upcast`.
pub fn upcast_json_schema() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://githedgehog.com/schemas/hnp-events/upcast.json",
        "title": "hnp-events upcasters",
        "description": "Upcasters that turn old stored events of an AsyncAPI contract into the messages it defines now, checked on the contract's examples and on stored streams.",
        "type": "object",
        "required": ["upcast", "version", "contract", "upcasters"],
        "additionalProperties": false,
        "properties": {
            "upcast": {"type": "string", "minLength": 1, "description": "The name of this set of upcasters."},
            "version": {"type": ["string", "number"]},
            "description": {"type": "string"},
            "contract": {"type": "string", "minLength": 1, "description": "Path of the AsyncAPI document, relative to this file."},
            "upcasters": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/upcaster"}},
            "streams": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "description": "Stored streams (JSON Lines or a JSON array, relative to this file): every old event in them must upcast to a valid event."
            }
        },
        "$defs": DEFS.clone(),
    })
}
