//! A JSON (RFC 8259) parser that builds a `serde_json::Value` and its source map in one
//! pass. Written here because serde_json keeps no positions; columns are in bytes.

use std::sync::Arc;

use serde_json::{Map, Number, Value};

use super::tree::TreeBuilder;
use super::{ColUnit, LineIndex, MAX_DEPTH, Mark, Parsed, Pos, PosNode};
use crate::diag::{Diagnostic, Location};

struct P<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
    line: u32,
    line_start: usize,
    display: &'a Arc<str>,
    diags: &'a mut Vec<Diagnostic>,
    index: Option<LineIndex>,
    tree: TreeBuilder,
}

struct Fail;

pub(super) fn parse(text: &str, display: &Arc<str>, diags: &mut Vec<Diagnostic>) -> Option<Parsed> {
    let mut p = P {
        s: text.as_bytes(),
        text,
        i: 0,
        line: 1,
        line_start: 0,
        display,
        diags,
        index: None,
        tree: TreeBuilder::default(),
    };
    p.ws();
    let (value, pos) = p.value(0).ok()?;
    p.ws();
    if p.i < p.s.len() {
        p.error("json-syntax", "unexpected content after the JSON value");
        return None;
    }
    Some(Parsed {
        value,
        pos: p.tree.finish(pos),
        index: p.index,
        unit: ColUnit::Bytes,
    })
}

impl P<'_> {
    fn mark(&self) -> Mark {
        Mark {
            line: self.line,
            col: (self.i - self.line_start) as u32,
        }
    }

    /// The current position. Marks are only taken between tokens, and a newline is
    /// only ever consumed as whitespace (which starts a new line), so the column is
    /// inside its line except at the end of the text.
    fn pos(&self) -> Pos {
        Pos::new(self.i, self.i >= self.s.len())
    }

    /// A location between two recorded byte offsets.
    fn location_of(&mut self, start: usize, end: usize) -> Location {
        let text = self.text;
        let idx = self
            .index
            .get_or_insert_with(|| LineIndex::new(text, ColUnit::Bytes));
        Location {
            file: self.display.clone(),
            span: Some(idx.span_of_offsets(text, start, end.max(start))),
            pointer: None,
        }
    }

    fn location(&mut self, start: Mark, end: Mark) -> Location {
        let text = self.text;
        let idx = self
            .index
            .get_or_insert_with(|| LineIndex::new(text, ColUnit::Bytes));
        Location {
            file: self.display.clone(),
            span: Some(idx.span(text, start, end)),
            pointer: None,
        }
    }

    fn error(&mut self, rule: &'static str, msg: &str) -> Fail {
        let m = self.mark();
        let end = Mark {
            line: m.line,
            col: m.col + 1,
        };
        let found = match self.text.get(self.i..).and_then(|r| r.chars().next()) {
            None => "end of file".to_string(),
            Some(c) if c.is_control() => format!("U+{:04X}", c as u32),
            Some(c) => format!("`{c}`"),
        };
        let d = Diagnostic::new(
            rule,
            self.location(m, end),
            format!("{msg} (found {found})"),
        );
        self.diags.push(d);
        Fail
    }

    fn ws(&mut self) {
        while let Some(&b) = self.s.get(self.i) {
            match b {
                b' ' | b'\t' => self.i += 1,
                // CRLF is one line break (counted at its LF); a lone CR is one too, as
                // the line index counts them.
                b'\r' if self.s.get(self.i + 1) == Some(&b'\n') => self.i += 1,
                b'\n' | b'\r' => {
                    self.i += 1;
                    self.line += 1;
                    self.line_start = self.i;
                }
                _ => break,
            }
        }
    }

    fn value(&mut self, depth: usize) -> Result<(Value, PosNode), Fail> {
        if depth > MAX_DEPTH {
            return Err(self.error(
                "nesting-too-deep",
                &format!("nesting deeper than {MAX_DEPTH} levels"),
            ));
        }
        let start = self.pos();
        match self.s.get(self.i) {
            Some(b'{') => self.object(depth, start),
            Some(b'[') => self.array(depth, start),
            Some(b'"') => {
                let s = self.string()?;
                Ok((Value::String(s), PosNode::leaf(start, self.pos())))
            }
            Some(b't') => self.literal("true", Value::Bool(true), start),
            Some(b'f') => self.literal("false", Value::Bool(false), start),
            Some(b'n') => self.literal("null", Value::Null, start),
            Some(b'-' | b'0'..=b'9') => self.number(start),
            _ => Err(self.error("json-syntax", "expected a JSON value")),
        }
    }

    fn literal(&mut self, word: &str, v: Value, start: Pos) -> Result<(Value, PosNode), Fail> {
        if self.s[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok((v, PosNode::leaf(start, self.pos())))
        } else {
            Err(self.error("json-syntax", "expected a JSON value"))
        }
    }

    fn number(&mut self, start: Pos) -> Result<(Value, PosNode), Fail> {
        let b = self.i;
        if self.s.get(self.i) == Some(&b'-') {
            self.i += 1;
        }
        match self.s.get(self.i) {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error("json-syntax", "expected a digit")),
        }
        let mut float = false;
        if self.s.get(self.i) == Some(&b'.') {
            float = true;
            self.i += 1;
            if !matches!(self.s.get(self.i), Some(b'0'..=b'9')) {
                return Err(self.error("json-syntax", "expected a digit after `.`"));
            }
            self.digits();
        }
        if matches!(self.s.get(self.i), Some(b'e' | b'E')) {
            float = true;
            self.i += 1;
            if matches!(self.s.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !matches!(self.s.get(self.i), Some(b'0'..=b'9')) {
                return Err(self.error("json-syntax", "expected a digit in the exponent"));
            }
            self.digits();
        }
        let lit = &self.text[b..self.i];
        let n = if float {
            None
        } else if let Ok(u) = lit.parse::<u64>() {
            Some(Number::from(u))
        } else if let Ok(i) = lit.parse::<i64>() {
            Some(Number::from(i))
        } else {
            None
        };
        let n = match n {
            Some(n) => n,
            None => lit
                .parse::<f64>()
                .ok()
                .and_then(Number::from_f64)
                .ok_or_else(|| self.error("json-syntax", "number out of range"))?,
        };
        Ok((Value::Number(n), PosNode::leaf(start, self.pos())))
    }

    fn digits(&mut self) {
        while matches!(self.s.get(self.i), Some(b'0'..=b'9')) {
            self.i += 1;
        }
    }

    fn string(&mut self) -> Result<String, Fail> {
        // At the opening quote.
        self.i += 1;
        let mut out = String::new();
        let mut run = self.i;
        loop {
            match self.s.get(self.i) {
                None => return Err(self.error("json-syntax", "unterminated string")),
                Some(b'"') => {
                    out.push_str(&self.text[run..self.i]);
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    out.push_str(&self.text[run..self.i]);
                    self.i += 1;
                    let c = match self.s.get(self.i) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.i += 1;
                            let hi = self.hex4()?;
                            let c = if (0xD800..0xDC00).contains(&hi) {
                                if !self.s[self.i..].starts_with(b"\\u") {
                                    return Err(self.error(
                                        "json-syntax",
                                        "unpaired UTF-16 surrogate in \\u escape",
                                    ));
                                }
                                self.i += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.error(
                                        "json-syntax",
                                        "invalid low surrogate in \\u escape",
                                    ));
                                }
                                char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                            } else {
                                char::from_u32(hi)
                            };
                            let Some(c) = c else {
                                return Err(self.error(
                                    "json-syntax",
                                    "unpaired UTF-16 surrogate in \\u escape",
                                ));
                            };
                            out.push(c);
                            run = self.i;
                            continue;
                        }
                        _ => return Err(self.error("json-syntax", "invalid escape sequence")),
                    };
                    out.push(c);
                    self.i += 1;
                    run = self.i;
                }
                Some(&b) if b < 0x20 => {
                    return Err(self.error(
                        "json-syntax",
                        "control character in string (escape it, e.g. \\n)",
                    ));
                }
                Some(_) => self.i += 1,
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, Fail> {
        let h = self.text.get(self.i..self.i + 4).and_then(|h| {
            u32::from_str_radix(h, 16)
                .ok()
                .filter(|_| !h.starts_with('+'))
        });
        match h {
            Some(v) => {
                self.i += 4;
                Ok(v)
            }
            None => Err(self.error("json-syntax", "expected four hex digits after \\u")),
        }
    }

    fn object(&mut self, depth: usize, start: Pos) -> Result<(Value, PosNode), Fail> {
        self.i += 1;
        self.ws();
        if self.s.get(self.i) == Some(&b'}') {
            self.i += 1;
            return Ok((Value::Object(Map::new()), PosNode::leaf(start, self.pos())));
        }
        let mut level = self.tree.open();
        loop {
            self.ws();
            if self.s.get(self.i) != Some(&b'"') {
                return Err(self.error("json-syntax", "expected a string key"));
            }
            let key_start = self.pos();
            let key = self.string()?;
            let key_end = self.pos();
            self.ws();
            if self.s.get(self.i) != Some(&b':') {
                return Err(self.error("json-syntax", "expected `:` after the key"));
            }
            self.i += 1;
            self.ws();
            let (v, mut pos) = self.value(depth + 1)?;
            pos.set_key(key_start, key_end);
            if let Some(dup) = self.tree.push_entry(&mut level, key, v, pos) {
                let d = Diagnostic::new(
                    "yaml-duplicate-key",
                    self.location_of(key_start.at as usize, key_end.at as usize),
                    format!("duplicate key `{}` (the last value wins)", dup.key),
                )
                .with_related(
                    self.location_of(dup.first.0, dup.first.1),
                    "first defined here",
                );
                self.diags.push(d);
            }
            self.ws();
            match self.s.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    break;
                }
                _ => return Err(self.error("json-syntax", "expected `,` or `}` in object")),
            }
        }
        let node = PosNode::leaf(start, self.pos());
        Ok(self.tree.close_object(level, node, Vec::new()))
    }

    fn array(&mut self, depth: usize, start: Pos) -> Result<(Value, PosNode), Fail> {
        self.i += 1;
        self.ws();
        if self.s.get(self.i) == Some(&b']') {
            self.i += 1;
            return Ok((Value::Array(Vec::new()), PosNode::leaf(start, self.pos())));
        }
        let level = self.tree.open();
        loop {
            self.ws();
            let (v, pos) = self.value(depth + 1)?;
            self.tree.push_item(v, pos);
            self.ws();
            match self.s.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    break;
                }
                _ => return Err(self.error("json-syntax", "expected `,` or `]` in array")),
            }
        }
        let node = PosNode::leaf(start, self.pos());
        Ok(self.tree.close_array(level, node))
    }
}
