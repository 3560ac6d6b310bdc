//! What the engine reads of an event, whichever way it was parsed: an owned
//! [`Event`] (YAML streams, exploration, lines the fast path leaves to serde) or a
//! [`TapeEvent`] borrowed from the line buffer (the JSON Lines fast path).

use std::borrow::Cow;

use serde_json::Value;

use super::scan::Top;
use super::stream::Event;
use super::tape::{TNode, Tape};

/// A JSON pointer into an event (`/headers/...`, `/payload/...`), split once.
#[derive(Debug, Clone)]
pub struct Ptr {
    pub text: String,
    part: Part,
    /// Unescaped tokens after the part.
    tokens: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Headers,
    Payload,
    /// Not a pointer into an event: reads nothing.
    Neither,
}

impl Ptr {
    pub fn new(text: &str) -> Ptr {
        let mut part = Part::Neither;
        let mut tokens = Vec::new();
        if let Some(rest) = text.strip_prefix('/') {
            let (p, tail) = rest
                .split_once('/')
                .map_or((rest, None), |(a, b)| (a, Some(b)));
            part = match p {
                "headers" => Part::Headers,
                "payload" => Part::Payload,
                _ => Part::Neither,
            };
            if let Some(tail) = tail.filter(|t| !t.is_empty()) {
                tokens = tail
                    .split('/')
                    .map(|t| t.replace("~1", "/").replace("~0", "~"))
                    .collect();
            }
        }
        Ptr {
            text: text.to_string(),
            part,
            tokens,
        }
    }
}

/// A value read from an event.
#[derive(Debug)]
pub enum Field<'a> {
    Str(&'a str),
    Val(Cow<'a, Value>),
}

impl<'a> Field<'a> {
    /// As a string key: strings as-is, other scalars as JSON, nothing for
    /// null/objects/arrays.
    pub fn key(self) -> Option<Cow<'a, str>> {
        match self {
            Field::Str(s) => Some(Cow::Borrowed(s)),
            Field::Val(Cow::Borrowed(Value::String(s))) => Some(Cow::Borrowed(s)),
            Field::Val(Cow::Owned(Value::String(s))) => Some(Cow::Owned(s)),
            Field::Val(v) => match v.as_ref() {
                Value::Null | Value::Object(_) | Value::Array(_) => None,
                v => Some(Cow::Owned(v.to_string())),
            },
        }
    }

    /// Whether the value equals `v`.
    pub fn equals(&self, v: &Value) -> bool {
        match self {
            Field::Str(s) => v.as_str() == Some(*s),
            Field::Val(x) => x.as_ref() == v,
        }
    }

    /// Strings as-is, anything else as JSON.
    pub fn text(&self) -> String {
        match self {
            Field::Str(s) => s.to_string(),
            Field::Val(v) => v.as_str().map_or_else(|| v.to_string(), str::to_string),
        }
    }
}

/// An event as the engine reads it.
pub trait EventView {
    /// 1-based stream line (0 for synthetic events).
    fn line(&self) -> u32;
    /// Virtual time (ms).
    fn time(&self) -> i64;
    fn message(&self) -> &str;
    /// The value at a pointer.
    fn field(&self, p: &Ptr) -> Option<Field<'_>>;

    /// The value at a pointer as a string key.
    fn key(&self, p: &Ptr) -> Option<Cow<'_, str>> {
        self.field(p)?.key()
    }

    /// Whether the value at the pointer equals `v`.
    fn matches(&self, p: &Ptr, v: &Value) -> bool {
        self.field(p).is_some_and(|f| f.equals(v))
    }
}

impl EventView for Event {
    fn line(&self) -> u32 {
        self.line
    }
    fn time(&self) -> i64 {
        self.time
    }
    fn message(&self) -> &str {
        &self.message
    }
    fn field(&self, p: &Ptr) -> Option<Field<'_>> {
        let base = match p.part {
            Part::Headers => &self.headers,
            Part::Payload => &self.payload,
            Part::Neither => return None,
        };
        let mut cur = base;
        for t in &p.tokens {
            cur = match cur {
                Value::Object(m) => m.get(t.as_str())?,
                Value::Array(a) => {
                    if t.starts_with('+') || (t.starts_with('0') && t.len() != 1) {
                        return None;
                    }
                    a.get(t.parse::<usize>().ok()?)?
                }
                _ => return None,
            };
        }
        Some(match cur {
            Value::String(s) => Field::Str(s),
            v => Field::Val(Cow::Borrowed(v)),
        })
    }
}

/// An event read by the fast path: its values stay on the tape and in the line.
/// Read with [`Mode::Sparse`](super::scan::Mode), it answers only the wanted
/// pointers.
pub struct TapeEvent<'a> {
    pub line: u32,
    /// Byte offset of the (trimmed) line in the stream.
    pub offset: usize,
    pub text: &'a str,
    pub tape: &'a Tape,
    pub top: Top,
}

impl<'a> TapeEvent<'a> {
    /// The `headers` or `payload` value (`None` when absent).
    pub fn part(&self, payload: bool) -> Option<TNode<'a>> {
        let i = if payload {
            self.top.payload
        } else {
            self.top.headers
        }?;
        Some(self.tape.node(self.text, i))
    }
}

impl EventView for TapeEvent<'_> {
    fn line(&self) -> u32 {
        self.line
    }
    fn time(&self) -> i64 {
        self.top.time
    }
    fn message(&self) -> &str {
        self.text
            .get(self.top.message.0..self.top.message.1)
            .unwrap_or("")
    }
    fn field(&self, p: &Ptr) -> Option<Field<'_>> {
        let base = match p.part {
            Part::Headers => self.part(false),
            Part::Payload => self.part(true),
            Part::Neither => return None,
        };
        let Some(base) = base else {
            // An absent part reads as null (as an owned event holds it).
            return p
                .tokens
                .is_empty()
                .then_some(Field::Val(Cow::Owned(Value::Null)));
        };
        let node = base.pointer(&p.tokens)?;
        Some(match node.str() {
            Some(s) => Field::Str(s),
            None => Field::Val(Cow::Owned(node.value())),
        })
    }
}

/// Either kind of event.
#[derive(Clone, Copy)]
pub enum EventRef<'a> {
    Owned(&'a Event),
    Tape(&'a TapeEvent<'a>),
}

impl EventRef<'_> {
    /// Byte offset of the event's line in the stream.
    pub fn offset(&self) -> usize {
        match self {
            EventRef::Owned(e) => e.offset,
            EventRef::Tape(e) => e.offset,
        }
    }
}

impl EventView for EventRef<'_> {
    fn line(&self) -> u32 {
        match self {
            EventRef::Owned(e) => e.line,
            EventRef::Tape(e) => e.line,
        }
    }
    fn time(&self) -> i64 {
        match self {
            EventRef::Owned(e) => e.time,
            EventRef::Tape(e) => e.top.time,
        }
    }
    fn message(&self) -> &str {
        match self {
            EventRef::Owned(e) => &e.message,
            EventRef::Tape(e) => e.message(),
        }
    }
    fn field(&self, p: &Ptr) -> Option<Field<'_>> {
        match self {
            EventRef::Owned(e) => e.field(p),
            EventRef::Tape(e) => e.field(p),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::scan::{Mode, scan_tape};
    use super::*;

    #[test]
    fn tape_events_read_as_owned_events_do() {
        let lines = [
            r#"{"time":5,"message":"M","headers":{"id":"a","n":3,"id":"b","o":{"x":[1,"two",{"y":null}]}},"payload":{"a~b":{"c/d":true},"list":[0,1.5,-2]}}"#,
            r#"{"time":5,"message":"M","payload":[1,2]}"#,
            r#"{"time":5,"message":"M","headers":"text","payload":null}"#,
            r#"{"time":5,"message":"M","headers":{"id":"a\"b\\c\n","o":{"x":["\t",1]}},"payload":{"list":[0,"\/"]}}"#,
        ];
        let ptrs = [
            "/headers",
            "/payload",
            "/headers/id",
            "/headers/n",
            "/headers/o",
            "/headers/o/x/0",
            "/headers/o/x/1",
            "/headers/o/x/01",
            "/headers/o/x/+1",
            "/headers/o/x/2/y",
            "/headers/o/x/3",
            "/payload/a~0b/c~1d",
            "/payload/list/1",
            "/payload/list/2",
            "/payload/0",
            "/payload/missing",
            "/other",
            "nope",
            "/headers/",
        ];
        let mut wanted = super::super::stream::Wanted::default();
        for p in ptrs {
            wanted.add(p);
        }
        for (n, text) in lines.into_iter().enumerate() {
            let owned = super::super::stream::parse_raw(
                &super::super::stream::RawLine {
                    line: 1,
                    offset: 0,
                    bytes: text.as_bytes().to_vec(),
                },
                &std::sync::Arc::from("s"),
                super::super::stream::ReadOptions {
                    full: true,
                    wanted: &wanted,
                },
            )
            .expect("parses");
            let mut modes = vec![Mode::Sparse(&wanted)];
            if n > 0 {
                modes.push(Mode::Full);
            }
            for mode in modes {
                let mut tape = Tape::default();
                let top = scan_tape(text.as_bytes(), &mut tape, mode).expect("fast path");
                let t = TapeEvent {
                    line: 1,
                    offset: 0,
                    text: match mode {
                        Mode::Full => text,
                        Mode::Sparse(_) => &tape.text,
                    },
                    tape: &tape,
                    top,
                };
                assert_eq!(t.message(), owned.message);
                assert_eq!(t.time(), owned.time);
                for p in ptrs {
                    let p = Ptr::new(p);
                    let a = owned
                        .field(&p)
                        .map(|f| (f.text(), f.key().map(|k| k.into_owned())));
                    let b = t
                        .field(&p)
                        .map(|f| (f.text(), f.key().map(|k| k.into_owned())));
                    assert_eq!(a, b, "{text} {} {mode:?}", p.text);
                    let old = owned
                        .get(&p.text)
                        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string));
                    assert_eq!(a.map(|x| x.0), old, "{text} {}", p.text);
                }
            }
        }
        // Validation reads whole objects: repeated keys go the serde way.
        let mut tape = Tape::default();
        assert!(scan_tape(lines[0].as_bytes(), &mut tape, Mode::Full).is_none());
        // Without a UTF-8 check first, the scanner checks every non-ASCII character.
        let w = &wanted;
        for (bytes, ok) in [
            (&b"{\"time\":1,\"message\":\"M\",\"headers\":{\"id\":\"\xc3\xa9t\xc3\xa9\"}}"[..], true),
            (b"{\"time\":1,\"message\":\"M\",\"headers\":{\"x\":\"\xe2\x82\xac\xf0\x9f\x98\x80\"}}", true),
            (b"{\"time\":1,\"message\":\"M\",\"headers\":{\"x\":\"\xc3\"}}", false),
            (b"{\"time\":1,\"message\":\"M\",\"headers\":{\"x\":\"\xff\"}}", false),
            (b"{\"time\":1,\"message\":\"M\",\"headers\":{\"x\":\"\xed\xa0\x80\"}}", false),
            (b"{\"time\":1,\"message\":\"M\xe9\"}", false),
        ] {
            let got = scan_tape(bytes, &mut tape, Mode::Sparse(w));
            assert_eq!(got.is_some(), ok, "{}", String::from_utf8_lossy(bytes));
            assert_eq!(got.is_some(), std::str::from_utf8(bytes).is_ok());
        }
        let bytes = "{\"time\":1,\"message\":\"Mé\",\"headers\":{\"id\":\"été\"}}".as_bytes();
        let top = scan_tape(bytes, &mut tape, Mode::Sparse(w)).expect("fast path");
        let t = TapeEvent {
            line: 1,
            offset: 0,
            text: &tape.text,
            tape: &tape,
            top,
        };
        assert_eq!(t.message(), "Mé");
        assert_eq!(t.key(&Ptr::new("/headers/id")).as_deref(), Some("été"));
    }
}

/// A `when` condition as the engine evaluates it: pointers split once, patterns
/// compiled once.
#[derive(Debug, Clone)]
pub struct CondPlan {
    ptr: Ptr,
    op: Op,
}

#[derive(Debug, Clone)]
enum Op {
    Equals(Value),
    In(Vec<Value>),
    Exists(bool),
    /// `None`: the pattern did not compile (the saga file reports it): never holds.
    Matches(Option<regex::Regex>),
    Not(Box<CondPlan>),
}

impl CondPlan {
    pub fn new(c: &super::cond::Cond) -> CondPlan {
        use super::cond::Cond;
        let ptr = Ptr::new(c.pointer());
        let op = match c {
            Cond::Equals { value, .. } => Op::Equals(value.clone()),
            Cond::In { values, .. } => Op::In(values.clone()),
            Cond::Exists { exists, .. } => Op::Exists(*exists),
            Cond::Matches { pattern, .. } => Op::Matches(regex::Regex::new(pattern).ok()),
            Cond::Not(inner) => Op::Not(Box::new(CondPlan::new(inner))),
        };
        CondPlan { ptr, op }
    }

    /// Whether the event meets the condition.
    pub fn holds<E: EventView + ?Sized>(&self, ev: &E) -> bool {
        match &self.op {
            Op::Equals(v) => ev.matches(&self.ptr, v),
            Op::In(vs) => ev
                .field(&self.ptr)
                .is_some_and(|f| vs.iter().any(|v| f.equals(v))),
            Op::Exists(b) => ev.field(&self.ptr).is_some() == *b,
            Op::Matches(re) => re.as_ref().is_some_and(|re| match ev.field(&self.ptr) {
                Some(Field::Str(s)) => re.is_match(s),
                Some(Field::Val(v)) => v.as_str().is_some_and(|s| re.is_match(s)),
                None => false,
            }),
            Op::Not(c) => !c.holds(ev),
        }
    }

    /// The pointer the condition reads.
    pub fn ptr(&self) -> &Ptr {
        &self.ptr
    }
}
