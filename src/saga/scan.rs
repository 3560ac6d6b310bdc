//! A hand-written scanner for the JSON Lines fast path (events not validated): it
//! checks the syntax of a whole line, skips everything the sagas do not read and
//! materialises only `time`, `message` and the wanted pointers of `headers` and
//! `payload`, without going through serde for each line.
//!
//! It is deliberately conservative: whenever a line has anything unusual (escapes
//! in keys or in `message`, `\u` escapes, exponents or long numbers, duplicate
//! top-level fields, deep nesting, any syntax error) it gives up with `None` and the
//! caller parses the line with serde, which produces the reference result and the
//! located error messages. So what it accepts, it reads exactly as serde would.

use serde_json::{Number, Value};

use super::stream::{Wanted, parse_rfc3339};
use super::tape::{Ent, Kind, Tape};

/// What the fast path read of one event.
pub struct Scanned {
    pub time: i64,
    pub message: String,
    pub headers: Value,
    pub payload: Value,
}

/// Deeper values are left to serde (its recursion limit is 128).
const MAX_DEPTH: u32 = 100;

/// Objects with more members than this are left to serde when duplicate keys matter.
const MAX_CHECKED_KEYS: u32 = 256;

/// The first `"`, `\\` or control character of `s` (and with `HIGH`, the first
/// byte of a non-ASCII character), eight bytes at a time.
#[cfg(test)]
fn find_special<const HIGH: bool>(s: &[u8]) -> Option<usize> {
    find_special_from::<HIGH>(s, 0)
}

/// [`find_special`] from index `i` on (an index of `s`).
#[inline(always)]
fn find_special_from<const HIGH: bool>(s: &[u8], mut i: usize) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    while let Some(c) = s.get(i..i + 8) {
        let mut b = [0u8; 8];
        b.copy_from_slice(c);
        let w = u64::from_le_bytes(b);
        let q = w ^ (LO * u64::from(b'"'));
        let e = w ^ (LO * u64::from(b'\\'));
        let high = if HIGH { w } else { 0 };
        // Per byte: zero after the xor (quote, backslash) or below 0x20. The lowest
        // flagged byte is exact (borrows only flag bytes above a real hit).
        let t = ((q.wrapping_sub(LO) & !q)
            | (e.wrapping_sub(LO) & !e)
            | (w.wrapping_sub(LO * 0x20) & !w)
            | high)
            & HI;
        if t != 0 {
            return Some(i + (t.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    s.get(i..)?
        .iter()
        .position(|&c| c == b'"' || c == b'\\' || c < 0x20 || (HIGH && c >= 0x80))
        .map(|n| i + n)
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
    depth: u32,
    /// The bytes are known to be UTF-8 (they come from a `&str`). Otherwise every
    /// non-ASCII character is checked where it is met (only strings may hold one),
    /// so whatever is accepted is UTF-8, and strings put on a tape are copied into
    /// its text buffer.
    checked: bool,
}

/// Scan a trimmed event line into owned values: [`scan_tape`] in [`Mode::Sparse`],
/// its wanted parts converted; `None`: fall back to serde.
pub fn scan_event(text: &str, wanted: &Wanted) -> Option<Scanned> {
    let mut tape = Tape::default();
    let top = scan_tape(text.as_bytes(), &mut tape, Mode::Sparse(wanted))?;
    // Read in Sparse mode, every string of the tape is in its text buffer.
    let part = |i: Option<u32>| i.map_or(Value::Null, |i| tape.node(&tape.text, i).value());
    Some(Scanned {
        time: top.time,
        message: tape.text.get(top.message.0..top.message.1)?.to_owned(),
        headers: part(top.headers),
        payload: part(top.payload),
    })
}

/// Where the parts of an event are, on the tape [`scan_tape`] filled.
#[derive(Debug, Clone, Copy)]
pub struct Top {
    pub time: i64,
    /// Byte range of the message name in the line.
    pub message: (usize, usize),
    pub headers: Option<u32>,
    pub payload: Option<u32>,
}

/// How much of an event goes onto the tape.
#[derive(Debug, Clone, Copy)]
pub enum Mode<'w> {
    /// Everything, for validation; repeated keys anywhere make the line go the
    /// serde way (validation sees objects as serde builds them).
    Full,
    /// Only the wanted pointers (what the engine reads); the rest is skipped.
    Sparse(&'w Wanted),
}

/// Parse a trimmed event line onto `tape` (cleared first). `None`: fall back to
/// serde. With [`Mode::Full`], `line` must be UTF-8 (the bytes of a `&str`), and
/// the tape's strings are ranges of it; with [`Mode::Sparse`] it need not be (what
/// is accepted is), and the strings on the tape are copied into its text buffer.
pub fn scan_tape(line: &[u8], tape: &mut Tape, mode: Mode<'_>) -> Option<Top> {
    tape.clear();
    let mut s = Scanner {
        b: line,
        i: 0,
        depth: 0,
        checked: matches!(mode, Mode::Full),
    };
    s.ws();
    s.eat(b'{')?;
    let mut time = None;
    let mut message = None;
    let (mut headers, mut payload) = (None, None);
    let mut seen = [false; 4];
    s.ws();
    if s.peek()? == b'}' {
        s.i += 1;
    } else {
        loop {
            s.ws();
            let key = s.plain_string()?;
            s.ws();
            s.eat(b':')?;
            s.ws();
            let slot = match key {
                b"time" => 0,
                b"message" => 1,
                b"headers" => 2,
                b"payload" => 3,
                _ => return None,
            };
            if std::mem::replace(&mut seen[slot], true) {
                return None;
            }
            match slot {
                0 => time = Some(s.time()?),
                1 => {
                    let start = s.i + 1;
                    let m = s.plain_string()?;
                    message = match s.tape_str(tape, start, start + m.len())? {
                        Kind::Str(a, b) => Some((a as usize, b as usize)),
                        _ => None,
                    };
                }
                _ => {
                    let v = match mode {
                        Mode::Full => Some(s.value(tape, true)?),
                        Mode::Sparse(w) => {
                            let part = if slot == 2 { "headers" } else { "payload" };
                            match w.child(part) {
                                Some(w) => Some(s.sparse_tape(tape, w)?),
                                None => {
                                    s.skip()?;
                                    None
                                }
                            }
                        }
                    };
                    if slot == 2 {
                        headers = v;
                    } else {
                        payload = v;
                    }
                }
            }
            s.ws();
            match s.next()? {
                b',' => continue,
                b'}' => break,
                _ => return None,
            }
        }
    }
    s.ws();
    if s.i != s.b.len() {
        return None;
    }
    Some(Top {
        time: time?,
        message: message?,
        headers,
        payload,
    })
}

impl<'a> Scanner<'a> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    #[inline]
    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }

    #[inline]
    fn eat(&mut self, c: u8) -> Option<()> {
        (self.next()? == c).then_some(())
    }

    #[inline]
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    /// The next special byte of a string at or after `i` (see [`find_special`]).
    #[inline(always)]
    fn find(&self, i: usize) -> Option<usize> {
        if self.checked {
            find_special_from::<false>(self.b, i)
        } else {
            find_special_from::<true>(self.b, i)
        }
    }

    /// Check the non-ASCII character at the cursor and step over it.
    fn utf8_char(&mut self) -> Option<()> {
        let len = match self.peek()? {
            0xC2..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF4 => 4,
            _ => return None,
        };
        std::str::from_utf8(self.b.get(self.i..self.i + len)?).ok()?;
        self.i += len;
        Some(())
    }

    /// A string without escapes: its bytes (between the quotes).
    fn plain_string(&mut self) -> Option<&'a [u8]> {
        self.eat(b'"')?;
        let start = self.i;
        loop {
            self.i = self.find(self.i)?;
            match self.b.get(self.i).copied()? {
                b'"' => {
                    self.i += 1;
                    return self.b.get(start..self.i - 1);
                }
                c if c >= 0x80 => self.utf8_char()?,
                _ => return None,
            }
        }
    }

    /// Skip a string, checking its syntax; `true` when it had escapes.
    fn skip_string(&mut self) -> Option<bool> {
        self.eat(b'"')?;
        let mut escaped = false;
        loop {
            self.i = self.find(self.i)?;
            match self.b.get(self.i).copied()? {
                b'"' => {
                    self.i += 1;
                    return Some(escaped);
                }
                b'\\' => {
                    escaped = true;
                    match self.b.get(self.i + 1)? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.i += 2,
                        _ => return None,
                    }
                }
                c if c >= 0x80 => self.utf8_char()?,
                _ => return None,
            }
        }
    }

    /// A string of the line (`start..end`, no escapes) as a tape entry: a range of
    /// the line when it is known to be UTF-8, else copied into the tape's text.
    fn tape_str(&self, t: &mut Tape, start: usize, end: usize) -> Option<Kind> {
        if self.checked {
            return Some(Kind::Str(
                u32::try_from(start).ok()?,
                u32::try_from(end).ok()?,
            ));
        }
        let s = std::str::from_utf8(self.b.get(start..end)?).ok()?;
        let a = u32::try_from(t.text.len()).ok()?;
        t.text.push_str(s);
        Some(Kind::Str(a, u32::try_from(t.text.len()).ok()?))
    }

    /// Skip a number (only the plain forms serde reads without range questions).
    fn skip_number(&mut self) -> Option<()> {
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let start = self.i;
        match self.next()? {
            b'0' => {}
            b'1'..=b'9' => {
                while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    self.i += 1;
                }
            }
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            let f = self.i;
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.i += 1;
            }
            if self.i == f {
                return None;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) || self.i - start > 15 {
            return None;
        }
        Some(())
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            Some(())
        } else {
            None
        }
    }

    /// Skip any value, checking its syntax.
    fn skip(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.skip_string().map(|_| ()),
            b'{' => {
                self.enter()?;
                self.ws();
                if self.peek()? == b'}' {
                    self.i += 1;
                } else {
                    loop {
                        self.ws();
                        self.skip_string()?;
                        self.ws();
                        self.eat(b':')?;
                        self.ws();
                        self.skip()?;
                        self.ws();
                        match self.next()? {
                            b',' => continue,
                            b'}' => break,
                            _ => return None,
                        }
                    }
                }
                self.depth -= 1;
                Some(())
            }
            b'[' => {
                self.enter()?;
                self.ws();
                if self.peek()? == b']' {
                    self.i += 1;
                } else {
                    loop {
                        self.ws();
                        self.skip()?;
                        self.ws();
                        match self.next()? {
                            b',' => continue,
                            b']' => break,
                            _ => return None,
                        }
                    }
                }
                self.depth -= 1;
                Some(())
            }
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.skip_number(),
            _ => None,
        }
    }

    fn enter(&mut self) -> Option<()> {
        self.i += 1;
        self.depth += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }

    /// The event's `time`: a plain non-negative integer or an RFC 3339 string.
    fn time(&mut self) -> Option<i64> {
        if self.peek()? == b'"' {
            let s = self.plain_string()?;
            return parse_rfc3339(std::str::from_utf8(s).ok()?);
        }
        let start = self.i;
        self.skip_number()?;
        let digits = &self.b[start..self.i];
        if digits.is_empty() || digits.len() > 15 || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        // At most 15 digits: no overflow. Later than year 9999: the serde path
        // reports it.
        let t = digits
            .iter()
            .fold(0i64, |v, &d| v * 10 + i64::from(d - b'0'));
        (t <= super::stream::MAX_TIME_MS).then_some(t)
    }

    /// Whether the object at `obj` (with `n` members so far) has the key `key`.
    fn has_key(&self, t: &Tape, obj: u32, n: u32, key: &[u8]) -> bool {
        let mut j = obj as usize + 1;
        for _ in 0..n {
            if let Kind::Str(s, e) = t.ents[j].kind {
                if self.b.get(s as usize..e as usize) == Some(key) {
                    return true;
                }
            }
            j = t.ents[j + 1].next as usize;
        }
        false
    }

    /// Any value, onto the tape; its entry index.
    fn value(&mut self, t: &mut Tape, strict: bool) -> Option<u32> {
        let i = u32::try_from(t.ents.len()).ok()?;
        let kind = match self.peek()? {
            b'"' => {
                let start = self.i;
                if self.skip_string()? {
                    // Unescaped by serde (the reference), into the tape's text.
                    let quoted = std::str::from_utf8(self.b.get(start..self.i)?).ok()?;
                    let v: String = serde_json::from_str(quoted).ok()?;
                    let a = u32::try_from(t.text.len()).ok()?;
                    t.text.push_str(&v);
                    let e = u32::try_from(t.text.len()).ok()?;
                    if self.checked {
                        Kind::EStr(a, e)
                    } else {
                        Kind::Str(a, e)
                    }
                } else {
                    self.tape_str(t, start + 1, self.i - 1)?
                }
            }
            c @ (b'{' | b'[') => {
                let obj = c == b'{';
                self.enter()?;
                t.ents.push(Ent {
                    kind: Kind::Null,
                    next: 0,
                });
                let mut n = 0u32;
                let close = if obj { b'}' } else { b']' };
                self.ws();
                if self.peek()? == close {
                    self.i += 1;
                } else {
                    loop {
                        self.ws();
                        if obj {
                            let start = self.i + 1;
                            let key = self.plain_string()?;
                            // Duplicate keys are checked pairwise: a very wide
                            // object is left to serde rather than costing O(n²).
                            if strict && (n >= MAX_CHECKED_KEYS || self.has_key(t, i, n, key)) {
                                return None;
                            }
                            let at = u32::try_from(t.ents.len()).ok()?;
                            let kind = self.tape_str(t, start, start + key.len())?;
                            t.ents.push(Ent { kind, next: at + 1 });
                            self.ws();
                            self.eat(b':')?;
                            self.ws();
                        }
                        self.value(t, strict)?;
                        n += 1;
                        self.ws();
                        match self.next()? {
                            b',' => continue,
                            x if x == close => break,
                            _ => return None,
                        }
                    }
                }
                self.depth -= 1;
                let next = u32::try_from(t.ents.len()).ok()?;
                t.ents[i as usize] = Ent {
                    kind: if obj { Kind::Obj(n) } else { Kind::Arr(n) },
                    next,
                };
                return Some(i);
            }
            b't' => {
                self.literal(b"true")?;
                Kind::Bool(true)
            }
            b'f' => {
                self.literal(b"false")?;
                Kind::Bool(false)
            }
            b'n' => {
                self.literal(b"null")?;
                Kind::Null
            }
            b'-' | b'0'..=b'9' => {
                let start = self.i;
                self.skip_number()?;
                let tok = &self.b[start..self.i];
                let num = if tok.iter().all(u8::is_ascii_digit) {
                    // At most 15 digits (skip_number): always a u64.
                    let mut v = 0u64;
                    for &d in tok {
                        v = v * 10 + u64::from(d - b'0');
                    }
                    Number::from(v)
                } else {
                    serde_json::from_str::<Number>(std::str::from_utf8(tok).ok()?).ok()?
                };
                t.nums.push(num);
                Kind::Num(u32::try_from(t.nums.len() - 1).ok()?)
            }
            _ => return None,
        };
        t.ents.push(Ent { kind, next: i + 1 });
        Some(i)
    }

    /// A value reduced to the wanted pointers, onto the tape (objects keep only
    /// wanted members, arrays hold `null` for unwanted elements, what is not wanted
    /// under a wanted pointer is `null`); its entry index. Lookups of wanted pointers
    /// read it as they read the whole value.
    fn sparse_tape(&mut self, t: &mut Tape, w: &Wanted) -> Option<u32> {
        if w.leaf {
            return self.value(t, false);
        }
        let i = u32::try_from(t.ents.len()).ok()?;
        let c = self.peek()?;
        if c != b'{' && c != b'[' {
            self.skip()?;
            t.ents.push(Ent {
                kind: Kind::Null,
                next: i + 1,
            });
            return Some(i);
        }
        let obj = c == b'{';
        self.enter()?;
        t.ents.push(Ent {
            kind: Kind::Null,
            next: 0,
        });
        let mut n = 0u32;
        let mut idx = 0usize;
        let close = if obj { b'}' } else { b']' };
        self.ws();
        if self.peek()? == close {
            self.i += 1;
        } else {
            loop {
                self.ws();
                if obj {
                    let start = self.i + 1;
                    let key = self.plain_string()?;
                    self.ws();
                    self.eat(b':')?;
                    self.ws();
                    match w.child_bytes(key) {
                        Some(c) => {
                            let at = u32::try_from(t.ents.len()).ok()?;
                            let kind = self.tape_str(t, start, start + key.len())?;
                            t.ents.push(Ent { kind, next: at + 1 });
                            self.sparse_tape(t, c)?;
                            n += 1;
                        }
                        None => self.skip()?,
                    }
                } else {
                    match w.child(&idx.to_string()) {
                        Some(c) => {
                            self.sparse_tape(t, c)?;
                        }
                        None => {
                            self.skip()?;
                            let at = u32::try_from(t.ents.len()).ok()?;
                            t.ents.push(Ent {
                                kind: Kind::Null,
                                next: at + 1,
                            });
                        }
                    }
                    idx += 1;
                    n += 1;
                }
                self.ws();
                match self.next()? {
                    b',' => continue,
                    x if x == close => break,
                    _ => return None,
                }
            }
        }
        self.depth -= 1;
        let next = u32::try_from(t.ents.len()).ok()?;
        t.ents[i as usize] = Ent {
            kind: if obj { Kind::Obj(n) } else { Kind::Arr(n) },
            next,
        };
        Some(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wanted() -> Wanted {
        let mut w = Wanted::default();
        w.add("/headers/id");
        w.add("/headers/n");
        w.add("/payload/a/b");
        w.add("/payload/list/1");
        w
    }

    #[test]
    fn very_wide_objects_are_left_to_serde_when_keys_are_checked() {
        let wide = |n: usize| {
            let members: Vec<String> = (0..n).map(|i| format!("\"k{i}\": {i}")).collect();
            format!(
                r#"{{"time": 1, "message": "M", "payload": {{{}}}}}"#,
                members.join(", ")
            )
        };
        let mut tape = Tape::default();
        assert!(scan_tape(wide(10).as_bytes(), &mut tape, Mode::Full).is_some());
        let line = wide(MAX_CHECKED_KEYS as usize + 1);
        assert!(scan_tape(line.as_bytes(), &mut tape, Mode::Full).is_none());
    }

    #[test]
    fn reads_what_serde_reads() {
        let w = wanted();
        let text = r#"{"time": 5, "message": "M", "headers": {"id": "x", "n": -1.5, "other": [1, {"y": "a\"b\n"}, true, false, null]}, "payload": {"a": {"b": {"deep": [true]}, "c": 1}, "list": [0, "one", 2], "z": null}}"#;
        let s = scan_event(text, &w).expect("fast path");
        assert_eq!(s.time, 5);
        assert_eq!(s.message, "M");
        assert_eq!(s.headers, serde_json::json!({"id": "x", "n": -1.5}));
        assert_eq!(
            s.payload,
            serde_json::json!({"a": {"b": {"deep": [true]}}, "list": [null, "one", null]})
        );
        let t = r#"{"message":"M","time":"2026-01-01T00:00:00.250Z"}"#;
        let s = scan_event(t, &w).expect("fast path");
        assert_eq!(s.time, 1_767_225_600_250);
        assert_eq!(s.headers, Value::Null);
    }

    #[test]
    fn finds_specials() {
        let naive = |s: &[u8]| s.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20);
        let naive_high = |s: &[u8]| {
            s.iter()
                .position(|&c| c == b'"' || c == b'\\' || !(0x20..0x80).contains(&c))
        };
        let mut buf = b"abcdefghijklmnopqrstuvwxyz\xc3\xa9\x7f~ABCDEFGH".to_vec();
        assert_eq!(find_special::<false>(&buf), None);
        assert_eq!(find_special_from::<false>(b"ab\"cd", 3), None);
        assert_eq!(find_special_from::<false>(b"ab\"cd\\", 3), Some(5));
        assert_eq!(find_special::<true>(&buf), naive_high(&buf));
        for at in 0..buf.len() {
            for c in [b'"', b'\\', 0x00, 0x1f, b'\n'] {
                buf[at] = c;
                assert_eq!(find_special::<false>(&buf), naive(&buf), "{at} {c}");
                assert_eq!(find_special::<true>(&buf), naive_high(&buf), "{at} {c}");
                buf[at + 1..].fill(0x01);
                assert_eq!(find_special::<false>(&buf), Some(at));
                buf = b"abcdefghijklmnopqrstuvwxyz\xc3\xa9\x7f~ABCDEFGH".to_vec();
            }
        }
    }

    #[test]
    fn gives_up_on_anything_unusual() {
        let w = wanted();
        for text in [
            r#"{"time": 5, "message": "M", "extra": 1}"#,
            r#"{"time": 5, "message": "M", "time": 6}"#,
            r#"{"time": 5, "message": "M\u0041"}"#,
            r#"{"time": 5, "message": "M"} x"#,
            r#"{"time": 5, "message": "M", "payload": {"q": 1e400}}"#,
            r#"{"time": 5, "message": "M", "payload": {"q": [1,]}}"#,
            r#"{"time": 5, "message": "M", "payload": {"q": "\x"}}"#,
            r#"{"time": -5, "message": "M"}"#,
            r#"{"time": 5.0, "message": "M"}"#,
            r#"{"time": "yesterday", "message": "M"}"#,
            r#"{"time": 5}"#,
            r#"{"message": 5, "time": 5}"#,
            r#"{"time": 5, "message": "M", "headers": {"id": "a", "id": "b"}, "payload": tru}"#,
        ] {
            assert!(scan_event(text, &w).is_none(), "{text}");
        }
    }
}
