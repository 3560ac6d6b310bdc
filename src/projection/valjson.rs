//! jq values as a JSON representation jsonschema validates directly, so a row is
//! checked against `state` without being converted to `serde_json` first.
//!
//! A node reads as [`super::jq::to_json`] converts it (numbers as it prints them,
//! NaN and infinities as `null`, byte strings as text). Only rows whose object keys
//! are all text (valid UTF-8) are validated this way ([`plain`]): `to_json` turns
//! other keys into text in ways that may merge two keys, so those rows are
//! converted and validated as JSON.

use std::borrow::Cow;

use jaq_json::{Num, Val};
use jsonschema::JsonType;
use jsonschema::json::{Array, Json, Node, NodeIdentity, Object};
use serde_json::{Number, Value};

use super::jq::to_json;

/// The representation (for `jsonschema::options_for::<ValJson>()`).
pub struct ValJson;

/// One value of a row.
#[derive(Clone, Copy)]
pub struct VNode<'a>(pub &'a Val);

/// An object (for jsonschema).
#[derive(Clone, Copy)]
pub struct VObj<'a>(&'a jaq_json::Map);

/// An array (for jsonschema).
#[derive(Clone, Copy)]
pub struct VArr<'a>(&'a [Val]);

/// Whether every object key in `v` is text (valid UTF-8).
pub fn plain(v: &Val) -> bool {
    match v {
        Val::Arr(a) => a.iter().all(plain),
        Val::Obj(o) => o.iter().all(|(k, v)| key_str(k).is_some() && plain(v)),
        _ => true,
    }
}

fn key_str(k: &Val) -> Option<&str> {
    match k {
        Val::TStr(b) | Val::BStr(b) => std::str::from_utf8(b).ok(),
        _ => None,
    }
}

/// A number as `to_json` writes it (`None`: it writes `null`).
fn number(n: &Num) -> Option<Number> {
    match to_json(&Val::Num(n.clone())) {
        Value::Number(x) => Some(x),
        _ => None,
    }
}

impl Json for ValJson {
    type Node<'a> = VNode<'a>;
    type PreparedKey = String;
    type StringBuffer = Val;

    // A lookup scans the members (rows are small, and jq values are not `Sync`, so
    // a prepared key cannot be one).
    const KEYS_PER_LOOKUP: usize = 1 << 16;
    const ACYCLIC: bool = true;

    fn prepare_key(key: &str) -> String {
        key.to_owned()
    }

    fn with_string_node<T>(buffer: &mut Val, string: &str, f: impl FnOnce(VNode<'_>) -> T) -> T {
        *buffer = Val::from(string.to_string());
        f(VNode(buffer))
    }
}

impl<'a> Node<'a, ValJson> for VNode<'a> {
    type Object = VObj<'a>;
    type Array = VArr<'a>;
    type Number = Number;

    fn as_object(&self) -> Option<VObj<'a>> {
        match self.0 {
            Val::Obj(o) => Some(VObj(o)),
            _ => None,
        }
    }

    fn as_array(&self) -> Option<VArr<'a>> {
        match self.0 {
            Val::Arr(a) => Some(VArr(a)),
            _ => None,
        }
    }

    fn as_string(&self) -> Option<Cow<'a, str>> {
        match self.0 {
            Val::TStr(b) | Val::BStr(b) => Some(String::from_utf8_lossy(b)),
            _ => None,
        }
    }

    fn as_number(&self) -> Option<Number> {
        match self.0 {
            Val::Num(n) => number(n),
            _ => None,
        }
    }

    fn as_boolean(&self) -> Option<bool> {
        match self.0 {
            Val::Bool(b) => Some(*b),
            _ => None,
        }
    }

    fn is_null(&self) -> bool {
        match self.0 {
            Val::Null => true,
            Val::Num(n) => number(n).is_none(),
            _ => false,
        }
    }

    fn json_type(&self) -> JsonType {
        match self.0 {
            Val::Null => JsonType::Null,
            Val::Bool(_) => JsonType::Boolean,
            Val::Num(n) => {
                if number(n).is_some() {
                    JsonType::Number
                } else {
                    JsonType::Null
                }
            }
            Val::TStr(_) | Val::BStr(_) => JsonType::String,
            Val::Arr(_) => JsonType::Array,
            Val::Obj(_) => JsonType::Object,
        }
    }

    fn to_value(&self) -> Cow<'a, Value> {
        Cow::Owned(to_json(self.0))
    }

    fn identity(&self) -> Option<NodeIdentity> {
        Some(NodeIdentity::tagged(
            std::ptr::from_ref::<Val>(self.0) as usize,
            0,
        ))
    }
}

impl<'a> Object<'a, ValJson> for VObj<'a> {
    type Node = VNode<'a>;
    type MemberName = Cow<'a, str>;
    type MembersIter = Box<dyn Iterator<Item = (Cow<'a, str>, VNode<'a>)> + 'a>;

    fn len(&self) -> usize {
        self.0.len()
    }

    fn get(&self, key: &String) -> Option<VNode<'a>> {
        // Keys are unique jq values: at most one has these bytes.
        self.0
            .iter()
            .find(|(k, _)| matches!(k, Val::TStr(b) | Val::BStr(b) if b[..] == *key.as_bytes()))
            .map(|(_, v)| VNode(v))
    }

    fn members(&self) -> Self::MembersIter {
        Box::new(self.0.iter().map(|(k, v)| {
            let name = match k {
                Val::TStr(b) | Val::BStr(b) => String::from_utf8_lossy(b),
                other => Cow::Owned(other.to_string()),
            };
            (name, VNode(v))
        }))
    }
}

impl<'a> Array<'a, ValJson> for VArr<'a> {
    type Node = VNode<'a>;
    type ElementsIter = std::iter::Map<std::slice::Iter<'a, Val>, fn(&'a Val) -> VNode<'a>>;

    fn len(&self) -> usize {
        self.0.len()
    }

    fn elements(&self) -> Self::ElementsIter {
        self.0.iter().map(VNode as fn(&'a Val) -> VNode<'a>)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::projection::compiled::{drops, drops_val, serialise};
    use crate::projection::jq::to_val;
    use serde_json::json;

    fn schemas() -> Vec<Value> {
        vec![
            json!({"type": "object", "additionalProperties": false, "required": ["status", "syncs"],
                "properties": {"status": {"enum": ["unknown", "syncing"]}, "syncs": {"type": "integer", "minimum": 0},
                    "percent": {"type": "integer", "maximum": 100}, "id": {"type": "string", "minLength": 2, "pattern": "^[a-z]+$"},
                    "f": {"type": "number", "exclusiveMaximum": 1e15}, "n": {"type": "null"}, "b": {"type": "boolean"},
                    "o": {"type": "object", "additionalProperties": false, "properties": {"x": {"type": "integer"}}},
                    "a": {"type": "array", "items": {"type": "object", "additionalProperties": false, "properties": {"x": {}}}, "maxItems": 2},
                    "c": {"const": {"k": [1, 2.0]}}}}),
            json!({"type": "object", "properties": {"o": {"type": "object"}}, "propertyNames": {"maxLength": 3}}),
            json!({"type": ["object", "null"], "minProperties": 1}),
        ]
    }

    fn rows() -> Vec<Val> {
        let mut out: Vec<Val> = [
            json!({"status": "unknown", "syncs": 0}),
            json!({"status": "unknown", "syncs": -1}),
            json!({"status": "other", "syncs": 0}),
            json!({"status": "syncing", "syncs": 1, "percent": 100, "id": "ab"}),
            json!({"status": "syncing", "syncs": 1, "percent": 101, "id": "a"}),
            json!({"status": "syncing", "syncs": 1, "id": "AB"}),
            json!({"status": "syncing", "syncs": 1.0, "f": 0.5, "n": null, "b": true}),
            json!({"status": "syncing", "syncs": 1.5}),
            json!({"status": "syncing", "syncs": 1, "o": {"x": 1}, "a": [{"x": 1}]}),
            json!({"status": "syncing", "syncs": 1, "o": {"x": 1, "y": 2}, "a": [{"x": 1}, {"y": 1}]}),
            json!({"status": "syncing", "syncs": 1, "a": [{}, {}, {}]}),
            json!({"status": "syncing", "syncs": 1, "c": {"k": [1, 2]}}),
            json!({"status": "syncing", "syncs": 1, "c": {"k": [1, 3]}}),
            json!({"status": "syncing", "syncs": 1, "extra": 1}),
            json!({"abcd": 1}),
            json!({}),
            json!(null),
            json!([1]),
            json!("s"),
        ]
        .iter()
        .map(to_val)
        .collect();
        // Numbers jq makes that JSON does not hold as such.
        let num = |n: Num| Val::Num(n);
        let obj = |k: &str, v: Val| -> Val {
            let mut m = jaq_json::Map::default();
            m.insert(
                Val::from("status".to_string()),
                Val::from("unknown".to_string()),
            );
            m.insert(Val::from(k.to_string()), v);
            Val::Obj(m.into())
        };
        for v in [
            num(Num::Float(2.0)),
            num(Num::Float(f64::NAN)),
            num(Num::Float(f64::INFINITY)),
            num(Num::Float(1e16)),
            num(Num::Float(-0.5)),
            num(Num::Int(3)),
            Val::byte_str(b"ab".to_vec()),
        ] {
            for k in ["syncs", "percent", "f", "n", "id"] {
                out.push(obj(k, v.clone()));
            }
        }
        out
    }

    #[test]
    fn rows_validate_as_their_json_validates() {
        for s in schemas() {
            let by_json = jsonschema::options().build(&s).expect("schema");
            let by_val = jsonschema::options_for::<ValJson>()
                .build(&s)
                .expect("schema");
            for row in rows() {
                assert!(plain(&row));
                let j = to_json(&row);
                assert_eq!(
                    by_val.is_valid(VNode(&row)),
                    by_json.is_valid(&j),
                    "{row:?} as {j} under {s}"
                );
            }
        }
    }

    #[test]
    fn drops_sees_what_serialise_drops() {
        for s in schemas() {
            for row in rows() {
                let j = to_json(&row);
                let d = drops(&j, &s);
                assert_eq!(d, serialise(&j, &s) != j, "{j} under {s}");
                assert_eq!(drops_val(&row, &s), d, "{j} under {s}");
            }
        }
    }

    #[test]
    fn only_text_keys_are_plain() {
        let mut m = jaq_json::Map::default();
        m.insert(Val::from(1isize), Val::Null);
        assert!(!plain(&Val::Obj(m.into())));
        assert!(plain(&to_val(&json!({"a": [{"b": 1}]}))));
    }
}
