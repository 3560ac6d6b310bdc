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

use serde_json::{Map, Value};

use super::stream::{Wanted, parse_rfc3339};

/// What the fast path read of one event.
pub struct Scanned {
    pub time: i64,
    pub message: String,
    pub headers: Value,
    pub payload: Value,
}

/// Deeper values are left to serde (its recursion limit is 128).
const MAX_DEPTH: u32 = 100;

/// The first `"`, `\\` or control character of `s`, eight bytes at a time.
#[inline]
fn find_special(s: &[u8]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let mut chunks = s.chunks_exact(8);
    let mut i = 0;
    for c in &mut chunks {
        let mut b = [0u8; 8];
        b.copy_from_slice(c);
        let w = u64::from_le_bytes(b);
        let q = w ^ (LO * u64::from(b'"'));
        let e = w ^ (LO * u64::from(b'\\'));
        // Per byte: zero after the xor (quote, backslash) or below 0x20. The lowest
        // flagged byte is exact (borrows only flag bytes above a real hit).
        let t = ((q.wrapping_sub(LO) & !q)
            | (e.wrapping_sub(LO) & !e)
            | (w.wrapping_sub(LO * 0x20) & !w))
            & HI;
        if t != 0 {
            return Some(i + (t.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
        .map(|n| i + n)
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
    depth: u32,
}

/// Scan a trimmed event line; `None`: fall back to serde.
pub fn scan_event(text: &str, wanted: &Wanted) -> Option<Scanned> {
    let mut s = Scanner {
        b: text.as_bytes(),
        i: 0,
        depth: 0,
    };
    s.ws();
    s.eat(b'{')?;
    let mut time = None;
    let mut message = None;
    let mut headers: Option<Value> = None;
    let mut payload: Option<Value> = None;
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
                    let m = s.plain_string()?;
                    message = Some(std::str::from_utf8(m).ok()?.to_owned());
                }
                _ => {
                    let part = if slot == 2 { "headers" } else { "payload" };
                    let v = match wanted.child(part) {
                        Some(w) => Some(s.sparse(w)?),
                        None => {
                            s.skip()?;
                            None
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
    Some(Scanned {
        time: time?,
        message: message?,
        headers: headers.unwrap_or(Value::Null),
        payload: payload.unwrap_or(Value::Null),
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

    /// A string without escapes: its bytes (between the quotes).
    fn plain_string(&mut self) -> Option<&'a [u8]> {
        self.eat(b'"')?;
        let start = self.i;
        let rest = &self.b[start..];
        let n = find_special(rest)?;
        if rest[n] != b'"' {
            return None;
        }
        self.i = start + n + 1;
        Some(&rest[..n])
    }

    /// Skip a string, checking its syntax; `true` when it had escapes.
    fn skip_string(&mut self) -> Option<bool> {
        self.eat(b'"')?;
        let mut escaped = false;
        loop {
            let rest = &self.b[self.i..];
            let n = find_special(rest)?;
            self.i += n;
            match rest[n] {
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
                _ => return None,
            }
        }
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
        std::str::from_utf8(digits).ok()?.parse().ok()
    }

    /// A value reduced to the wanted pointers (as the serde `Sparse` seed does).
    fn sparse(&mut self, w: &Wanted) -> Option<Value> {
        if w.leaf {
            let start = self.i;
            if self.peek()? == b'"' {
                let escaped = self.skip_string()?;
                if !escaped {
                    let s = std::str::from_utf8(&self.b[start + 1..self.i - 1]).ok()?;
                    return Some(Value::String(s.to_owned()));
                }
            } else {
                self.skip()?;
            }
            let text = std::str::from_utf8(&self.b[start..self.i]).ok()?;
            return serde_json::from_str(text).ok();
        }
        match self.peek()? {
            b'{' => {
                self.enter()?;
                let mut out = Map::new();
                self.ws();
                if self.peek()? == b'}' {
                    self.i += 1;
                } else {
                    loop {
                        self.ws();
                        let key = self.plain_string()?;
                        self.ws();
                        self.eat(b':')?;
                        self.ws();
                        let key = std::str::from_utf8(key).ok()?;
                        match w.child(key) {
                            Some(c) => {
                                let v = self.sparse(c)?;
                                out.insert(key.to_owned(), v);
                            }
                            None => self.skip()?,
                        }
                        self.ws();
                        match self.next()? {
                            b',' => continue,
                            b'}' => break,
                            _ => return None,
                        }
                    }
                }
                self.depth -= 1;
                Some(Value::Object(out))
            }
            b'[' => {
                self.enter()?;
                let mut out = Vec::new();
                self.ws();
                if self.peek()? == b']' {
                    self.i += 1;
                } else {
                    loop {
                        self.ws();
                        let v = match w.child(&out.len().to_string()) {
                            Some(c) => self.sparse(c)?,
                            None => {
                                self.skip()?;
                                Value::Null
                            }
                        };
                        out.push(v);
                        self.ws();
                        match self.next()? {
                            b',' => continue,
                            b']' => break,
                            _ => return None,
                        }
                    }
                }
                self.depth -= 1;
                Some(Value::Array(out))
            }
            _ => {
                self.skip()?;
                Some(Value::Null)
            }
        }
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
        let mut buf = b"abcdefghijklmnopqrstuvwxyz\xc3\xa9\x7f~ABCDEFGH".to_vec();
        assert_eq!(find_special(&buf), None);
        for at in 0..buf.len() {
            for c in [b'"', b'\\', 0x00, 0x1f, b'\n'] {
                buf[at] = c;
                assert_eq!(find_special(&buf), naive(&buf), "{at} {c}");
                buf[at + 1..].fill(0x01);
                assert_eq!(find_special(&buf), Some(at));
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
