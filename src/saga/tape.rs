//! A flat parse of one JSON Lines event into a reused buffer: every value is one
//! entry of a vector, strings stay in the line (no allocation per value). The engine
//! reads its fields from it, and payload/header validation runs on it directly
//! (jsonschema's custom-representation interface), so no `serde_json::Value` is
//! built for an event that is valid.
//!
//! It is filled by the conservative scanner ([`super::scan::scan_tape`]): whatever
//! it accepts (no escapes, no exponents or long numbers, and — when validating — no
//! duplicate keys) reads exactly as serde reads it; anything else goes the serde way.

use std::borrow::Cow;

use jsonschema::JsonType;
use jsonschema::json::{Array, Json, Node, NodeIdentity, Object, cmp};
use serde_json::{Map, Number, Value};

/// What one entry is.
#[derive(Debug, Clone, Copy)]
pub(super) enum Kind {
    Null,
    Bool(bool),
    /// Index into [`Tape::nums`].
    Num(u32),
    /// Byte range of a string without escapes in the line (in [`Tape::text`] when
    /// the tape was read from bytes not known to be UTF-8).
    Str(u32, u32),
    /// Byte range of an unescaped string in [`Tape::text`].
    EStr(u32, u32),
    /// Element count; the elements follow.
    Arr(u32),
    /// Member count; (key, value) pairs follow.
    Obj(u32),
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Ent {
    pub(super) kind: Kind,
    /// Index just past this value (and everything inside it).
    pub(super) next: u32,
}

/// The reused buffer of one parsed line.
#[derive(Debug, Default)]
pub struct Tape {
    pub(super) ents: Vec<Ent>,
    pub(super) nums: Vec<Number>,
    /// The strings of a tape read from bytes not known to be UTF-8 (checked and
    /// copied here; otherwise they are ranges of the line).
    pub text: String,
}

impl Tape {
    pub(super) fn clear(&mut self) {
        self.ents.clear();
        self.nums.clear();
        self.text.clear();
    }

    /// The value at entry `i` of a tape filled from `text`.
    pub fn node<'a>(&'a self, text: &'a str, i: u32) -> TNode<'a> {
        TNode {
            text,
            tape: self,
            i,
        }
    }
}

/// One value of a tape (cheap to copy).
#[derive(Clone, Copy)]
pub struct TNode<'a> {
    text: &'a str,
    tape: &'a Tape,
    i: u32,
}

impl<'a> TNode<'a> {
    fn ent(&self) -> Ent {
        self.tape.ents[self.i as usize]
    }

    fn at(&self, i: u32) -> TNode<'a> {
        TNode { i, ..*self }
    }

    fn str_at(&self, s: u32, e: u32) -> &'a str {
        self.text.get(s as usize..e as usize).unwrap_or("")
    }

    /// Whether this is `null`.
    pub fn is_null_value(&self) -> bool {
        matches!(self.ent().kind, Kind::Null)
    }

    /// Whether this is an object.
    pub fn is_object(&self) -> bool {
        matches!(self.ent().kind, Kind::Obj(_))
    }

    /// The string, when this is one.
    pub fn str(&self) -> Option<&'a str> {
        match self.ent().kind {
            Kind::Str(s, e) => Some(self.str_at(s, e)),
            Kind::EStr(s, e) => Some(self.tape.text.get(s as usize..e as usize).unwrap_or("")),
            _ => None,
        }
    }

    /// The member `key` of an object, the last one when the key repeats (as serde
    /// keeps the last).
    pub fn member(&self, key: &str) -> Option<TNode<'a>> {
        let ents = &self.tape.ents;
        let Kind::Obj(n) = ents.get(self.i as usize)?.kind else {
            return None;
        };
        let (text, key) = (self.text.as_bytes(), key.as_bytes());
        let mut j = self.i as usize + 1;
        let mut found = None;
        for _ in 0..n {
            if let Some(Ent {
                kind: Kind::Str(s, e),
                ..
            }) = ents.get(j)
            {
                if text.get(*s as usize..*e as usize) == Some(key) {
                    found = Some(j + 1);
                }
            }
            j = ents.get(j + 1)?.next as usize;
        }
        Some(self.at(u32::try_from(found?).ok()?))
    }

    /// Element `idx` of an array.
    pub fn element(&self, idx: usize) -> Option<TNode<'a>> {
        let Kind::Arr(n) = self.ent().kind else {
            return None;
        };
        if idx >= n as usize {
            return None;
        }
        let mut j = self.i + 1;
        for _ in 0..idx {
            j = self.tape.ents[j as usize].next;
        }
        Some(self.at(j))
    }

    /// Follow JSON pointer tokens the way `serde_json::Value::pointer` does.
    pub fn pointer(&self, tokens: &[String]) -> Option<TNode<'a>> {
        let mut cur = *self;
        for t in tokens {
            cur = match cur.ent().kind {
                Kind::Obj(_) => cur.member(t)?,
                Kind::Arr(_) => {
                    if t.starts_with('+') || (t.starts_with('0') && t.len() != 1) {
                        return None;
                    }
                    cur.element(t.parse().ok()?)?
                }
                _ => return None,
            };
        }
        Some(cur)
    }

    /// The value as a `serde_json::Value` (built: for cold paths and scalars).
    pub fn value(&self) -> Value {
        match self.ent().kind {
            Kind::Null => Value::Null,
            Kind::Bool(b) => Value::Bool(b),
            Kind::Num(n) => Value::Number(self.tape.nums[n as usize].clone()),
            Kind::Str(..) | Kind::EStr(..) => Value::String(self.str().unwrap_or("").to_string()),
            Kind::Arr(_) => Value::Array(Elements::of(self).map(|n| n.value()).collect()),
            Kind::Obj(_) => {
                let mut m = Map::new();
                for (k, v) in Members::of(self) {
                    m.insert(k.to_string(), v.value());
                }
                Value::Object(m)
            }
        }
    }
}

/// Iterates the (key, value) members of an object.
pub struct Members<'a> {
    node: TNode<'a>,
    j: u32,
    left: u32,
}

impl<'a> Members<'a> {
    fn of(n: &TNode<'a>) -> Members<'a> {
        let left = match n.ent().kind {
            Kind::Obj(c) => c,
            _ => 0,
        };
        Members {
            node: *n,
            j: n.i + 1,
            left,
        }
    }
}

impl<'a> Iterator for Members<'a> {
    type Item = (&'a str, TNode<'a>);
    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let k = self.node.at(self.j).str().unwrap_or("");
        let v = self.node.at(self.j + 1);
        self.j = v.ent().next;
        Some((k, v))
    }
}

/// Iterates the elements of an array.
pub struct Elements<'a> {
    node: TNode<'a>,
    j: u32,
    left: u32,
}

impl<'a> Elements<'a> {
    fn of(n: &TNode<'a>) -> Elements<'a> {
        let left = match n.ent().kind {
            Kind::Arr(c) => c,
            _ => 0,
        };
        Elements {
            node: *n,
            j: n.i + 1,
            left,
        }
    }
}

impl<'a> Iterator for Elements<'a> {
    type Item = TNode<'a>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let v = self.node.at(self.j);
        self.j = v.ent().next;
        Some(v)
    }
}

/// The tape as a JSON representation jsonschema validates directly.
pub struct TapeJson;

/// An object node (for jsonschema).
#[derive(Clone, Copy)]
pub struct TObj<'a>(TNode<'a>);

/// An array node (for jsonschema).
#[derive(Clone, Copy)]
pub struct TArr<'a>(TNode<'a>);

impl Json for TapeJson {
    type Node<'a> = TNode<'a>;
    type PreparedKey = String;
    type StringBuffer = (Tape, String);

    // A lookup scans the members, so one pass over them is never worse.
    const KEYS_PER_LOOKUP: usize = 1 << 16;
    const ACYCLIC: bool = true;

    fn prepare_key(key: &str) -> String {
        key.to_owned()
    }

    fn with_string_node<T>(
        buffer: &mut (Tape, String),
        string: &str,
        f: impl FnOnce(TNode<'_>) -> T,
    ) -> T {
        let (tape, text) = buffer;
        tape.clear();
        text.clear();
        text.push_str(string);
        tape.ents.push(Ent {
            kind: Kind::Str(0, text.len() as u32),
            next: 1,
        });
        f(tape.node(text, 0))
    }
}

impl<'a> Node<'a, TapeJson> for TNode<'a> {
    type Object = TObj<'a>;
    type Array = TArr<'a>;
    type Number = &'a Number;

    fn as_object(&self) -> Option<TObj<'a>> {
        matches!(self.ent().kind, Kind::Obj(_)).then_some(TObj(*self))
    }

    fn as_array(&self) -> Option<TArr<'a>> {
        matches!(self.ent().kind, Kind::Arr(_)).then_some(TArr(*self))
    }

    fn as_string(&self) -> Option<Cow<'a, str>> {
        self.str().map(Cow::Borrowed)
    }

    fn as_number(&self) -> Option<&'a Number> {
        match self.ent().kind {
            Kind::Num(n) => self.tape.nums.get(n as usize),
            _ => None,
        }
    }

    fn as_boolean(&self) -> Option<bool> {
        match self.ent().kind {
            Kind::Bool(b) => Some(b),
            _ => None,
        }
    }

    fn is_null(&self) -> bool {
        matches!(self.ent().kind, Kind::Null)
    }

    fn json_type(&self) -> JsonType {
        match self.ent().kind {
            Kind::Null => JsonType::Null,
            Kind::Bool(_) => JsonType::Boolean,
            Kind::Num(_) => JsonType::Number,
            Kind::Str(..) | Kind::EStr(..) => JsonType::String,
            Kind::Arr(_) => JsonType::Array,
            Kind::Obj(_) => JsonType::Object,
        }
    }

    fn string_length(&self) -> Option<u64> {
        self.str().map(|s| {
            if s.is_ascii() {
                s.len() as u64
            } else {
                s.chars().count() as u64
            }
        })
    }

    fn equals_value(&self, expected: &Value) -> bool {
        match (self.ent().kind, expected) {
            (Kind::Null, Value::Null) => true,
            (Kind::Bool(b), Value::Bool(e)) => b == *e,
            (Kind::Str(..) | Kind::EStr(..), Value::String(e)) => self.str() == Some(e.as_str()),
            (Kind::Num(n), Value::Number(e)) => cmp::equal_numbers(&&self.tape.nums[n as usize], e),
            (Kind::Arr(_), Value::Array(_)) | (Kind::Obj(_), Value::Object(_)) => {
                cmp::equal(&self.value(), expected)
            }
            _ => false,
        }
    }

    fn to_value(&self) -> Cow<'a, Value> {
        Cow::Owned(self.value())
    }

    fn identity(&self) -> Option<NodeIdentity> {
        Some(NodeIdentity::tagged(
            std::ptr::from_ref::<Tape>(self.tape) as usize,
            self.i,
        ))
    }
}

impl<'a> Object<'a, TapeJson> for TObj<'a> {
    type Node = TNode<'a>;
    type MemberName = &'a str;
    type MembersIter = Members<'a>;

    fn len(&self) -> usize {
        match self.0.ent().kind {
            Kind::Obj(n) => n as usize,
            _ => 0,
        }
    }

    fn get(&self, key: &String) -> Option<TNode<'a>> {
        // Objects on a validated tape have no repeated keys: the first match is the one.
        Members::of(&self.0)
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v)
    }

    fn members(&self) -> Members<'a> {
        Members::of(&self.0)
    }
}

impl<'a> Array<'a, TapeJson> for TArr<'a> {
    type Node = TNode<'a>;
    type ElementsIter = Elements<'a>;

    fn len(&self) -> usize {
        match self.0.ent().kind {
            Kind::Arr(n) => n as usize,
            _ => 0,
        }
    }

    fn elements(&self) -> Elements<'a> {
        Elements::of(&self.0)
    }
}
