//! Event streams for `simulate`: JSON Lines (one event per line, read incrementally so
//! memory stays flat) or a YAML/JSON list. Each event is
//! `{time, message, headers, payload}`; `time` is an RFC 3339 timestamp or a
//! millisecond offset. Malformed events are located `saga-stream-invalid` diagnostics.

use std::fmt;
use std::io::BufRead;
use std::path::Path;
use std::sync::Arc;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

use crate::diag::{Diagnostic, Location, Span};
use crate::source::{self, SourceFile, pointer};

/// One event of a stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// 1-based line in the stream file (0 for synthetic events).
    pub line: u32,
    /// Byte offset of the event's line in a JSON Lines file (for locations).
    pub offset: usize,
    /// Virtual time in milliseconds.
    pub time: i64,
    pub message: String,
    pub headers: Value,
    /// `Null` when not read (payload not needed and not validated).
    pub payload: Value,
}

impl Event {
    /// Set the value at a `/headers/...` or `/payload/...` pointer (creating objects
    /// on the way; other pointers are ignored).
    pub fn set(&mut self, ptr: &str, v: Value) {
        let Some(tokens) = crate::source::pointer::parse(ptr) else {
            return;
        };
        let mut it = tokens.iter();
        let mut cur = match it.next().map(String::as_str) {
            Some("headers") => &mut self.headers,
            Some("payload") => &mut self.payload,
            _ => return,
        };
        let rest: Vec<&String> = it.collect();
        for (i, t) in rest.iter().enumerate() {
            if !cur.is_object() {
                *cur = Value::Object(serde_json::Map::new());
            }
            let Some(m) = cur.as_object_mut() else { return };
            if i + 1 == rest.len() {
                m.insert((*t).clone(), v);
                return;
            }
            cur = m
                .entry((*t).clone())
                .or_insert(Value::Object(serde_json::Map::new()));
        }
    }

    /// The value at a `/headers/...` or `/payload/...` pointer.
    pub fn get(&self, ptr: &str) -> Option<&Value> {
        let rest = ptr.strip_prefix('/')?;
        let (part, tail) = rest.split_once('/').map_or((rest, ""), |(a, b)| (a, b));
        let base = match part {
            "headers" => &self.headers,
            "payload" => &self.payload,
            _ => return None,
        };
        if tail.is_empty() {
            return Some(base);
        }
        if !tail.contains('~') && !tail.contains('/') {
            return match base {
                Value::Object(m) => m.get(tail),
                _ => base.pointer(&format!("/{tail}")),
            };
        }
        base.pointer(&format!("/{tail}"))
    }

    /// The value at a pointer as a string key (strings as-is, other scalars as JSON).
    pub fn key(&self, ptr: &str) -> Option<String> {
        self.key_ref(ptr).map(std::borrow::Cow::into_owned)
    }

    /// [`Event::key`] without copying strings.
    pub fn key_ref(&self, ptr: &str) -> Option<std::borrow::Cow<'_, str>> {
        match self.get(ptr)? {
            Value::String(s) => Some(std::borrow::Cow::Borrowed(s)),
            Value::Null | Value::Object(_) | Value::Array(_) => None,
            v => Some(std::borrow::Cow::Owned(v.to_string())),
        }
    }
}

/// The JSON pointers a run reads from events, as a tree of tokens: only these are
/// materialised when events are not validated (everything else is skipped).
#[derive(Debug, Clone, Default)]
pub struct Wanted {
    pub leaf: bool,
    pub children: Vec<(String, Wanted)>,
}

impl Wanted {
    /// Add a pointer (`/headers/id`).
    pub fn add(&mut self, ptr: &str) {
        let Some(tokens) = pointer::parse(ptr) else {
            return;
        };
        let mut node = self;
        for t in tokens {
            let i = match node.children.iter().position(|(k, _)| *k == t) {
                Some(i) => i,
                None => {
                    node.children.push((t, Wanted::default()));
                    node.children.len() - 1
                }
            };
            node = &mut node.children[i].1;
        }
        node.leaf = true;
    }

    #[inline]
    pub(super) fn child(&self, key: &str) -> Option<&Wanted> {
        self.child_bytes(key.as_bytes())
    }

    /// [`Wanted::child`] by the key's bytes.
    #[inline]
    pub(super) fn child_bytes(&self, key: &[u8]) -> Option<&Wanted> {
        self.children
            .iter()
            .find(|(k, _)| k.as_bytes() == key)
            .map(|(_, w)| w)
    }
}

/// What to read of each event: everything (for validation) or only the wanted
/// pointers.
#[derive(Debug, Clone, Copy)]
pub struct ReadOptions<'a> {
    pub full: bool,
    pub wanted: &'a Wanted,
}

/// One raw line of a JSON Lines stream.
pub struct RawLine {
    pub line: u32,
    pub offset: usize,
    pub bytes: Vec<u8>,
}

impl RawLine {}

/// Parse one raw line (see [`StreamFile::read_lines`]).
#[allow(clippy::result_large_err)]
pub fn parse_raw(
    raw: &RawLine,
    display: &Arc<str>,
    opts: ReadOptions<'_>,
) -> Result<Event, Diagnostic> {
    match std::str::from_utf8(&raw.bytes) {
        Ok(text) => {
            let lead = text.len() - text.trim_start().len();
            parse_line(text.trim(), raw.line, raw.offset + lead, display, opts)
        }
        Err(e) => Err(Diagnostic::new(
            "saga-stream-invalid",
            line_location(display, raw.line, raw.offset, e.valid_up_to() + 1),
            "the line is not valid UTF-8",
        )),
    }
}

/// A stream file being read.
pub struct StreamFile {
    pub display: Arc<str>,
    inner: Inner,
}

enum Inner {
    Lines {
        reader: Box<dyn BufRead + Send>,
        line: u32,
        offset: usize,
        buf: String,
    },
    List {
        file: Box<SourceFile>,
        next: usize,
    },
}

impl StreamFile {
    /// Open a stream. `Err` is a located diagnostic (unreadable or unparsable file).
    pub fn open(path: &Path, display: Arc<str>) -> Result<StreamFile, Vec<Diagnostic>> {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if matches!(ext, "yaml" | "yml") {
            let bytes =
                crate::fsio::read_regular(path).map_err(|e| vec![unreadable_msg(&display, &e)])?;
            let mut diags = Vec::new();
            let file = source::parse_file(path, bytes, display.clone(), &mut diags);
            if file.value.is_none()
                || diags
                    .iter()
                    .any(|d| d.severity == crate::diag::Severity::Error)
            {
                return Err(diags);
            }
            if !file.value.as_ref().is_some_and(Value::is_array) {
                return Err(vec![file.diag_at(
                    "saga-stream-invalid",
                    "",
                    "a YAML stream must be a list of events",
                )]);
            }
            return Ok(StreamFile {
                display,
                inner: Inner::List {
                    file: Box::new(file),
                    next: 0,
                },
            });
        }
        let f = crate::fsio::open_regular(path).map_err(|e| vec![unreadable_msg(&display, &e)])?;
        Ok(StreamFile::from_reader(
            Box::new(std::io::BufReader::with_capacity(1 << 20, f)),
            display,
        ))
    }

    /// A JSON Lines stream from any reader.
    /// A UTF-8 byte order mark at its start is skipped (as `validate` skips it).
    pub fn from_reader(mut reader: Box<dyn BufRead + Send>, display: Arc<str>) -> StreamFile {
        let mut offset = 0;
        // A read error here comes back at the first line read.
        if reader
            .fill_buf()
            .is_ok_and(|b| b.starts_with(b"\xEF\xBB\xBF"))
        {
            reader.consume(3);
            offset = 3;
        }
        StreamFile {
            display,
            inner: Inner::Lines {
                reader,
                line: 0,
                offset,
                buf: String::new(),
            },
        }
    }

    /// Whether this is a JSON Lines stream (read with [`StreamFile::read_lines`]).
    pub fn is_lines(&self) -> bool {
        matches!(self.inner, Inner::Lines { .. })
    }

    /// Up to `max` non-empty raw lines of a JSON Lines stream (fewer at the end).
    #[allow(clippy::result_large_err)]
    pub fn read_lines(&mut self, max: usize) -> Result<Vec<RawLine>, Diagnostic> {
        let display = self.display.clone();
        let Inner::Lines {
            reader,
            line,
            offset,
            ..
        } = &mut self.inner
        else {
            return Ok(Vec::new());
        };
        let mut out = Vec::with_capacity(max);
        // One line is held whole: it may not be longer than a file may be large.
        let limit = crate::fsio::max_file_size();
        while out.len() < max {
            let mut bytes = Vec::with_capacity(1024);
            let n = std::io::Read::take(&mut **reader, limit.saturating_add(1))
                .read_until(b'\n', &mut bytes)
                .map_err(|e| unreadable(&display, e))?;
            if n == 0 {
                break;
            }
            if n as u64 > limit {
                return Err(Diagnostic::new(
                    "saga-stream-invalid",
                    Location::file(display.clone()),
                    format!(
                        "line {} is longer than {} (--max-file-size)",
                        *line + 1,
                        crate::fsio::human_size(limit)
                    ),
                ));
            }
            *line += 1;
            let start = *offset;
            *offset += n;
            let blank = bytes.iter().all(u8::is_ascii_whitespace);
            let comment = bytes.trim_ascii_start().starts_with(b"//");
            if blank || comment {
                continue;
            }
            out.push(RawLine {
                line: *line,
                offset: start,
                bytes,
            });
        }
        Ok(out)
    }

    /// Read the next non-empty raw line of a JSON Lines stream into `raw` (its
    /// buffer is reused); `false` at the end.
    #[allow(clippy::result_large_err)]
    pub fn next_raw(&mut self, raw: &mut RawLine) -> Result<bool, Diagnostic> {
        let display = self.display.clone();
        let Inner::Lines {
            reader,
            line,
            offset,
            ..
        } = &mut self.inner
        else {
            return Ok(false);
        };
        loop {
            raw.bytes.clear();
            let n = reader
                .read_until(b'\n', &mut raw.bytes)
                .map_err(|e| unreadable(&display, e))?;
            if n == 0 {
                return Ok(false);
            }
            *line += 1;
            let start = *offset;
            *offset += n;
            let blank = raw.bytes.iter().all(u8::is_ascii_whitespace);
            let comment = raw.bytes.trim_ascii_start().starts_with(b"//");
            if blank || comment {
                continue;
            }
            raw.line = *line;
            raw.offset = start;
            return Ok(true);
        }
    }

    /// The next non-empty line of a JSON Lines stream, handed to `fast` (bytes with
    /// their newline, line number, byte offset) straight from the read buffer when
    /// it lies whole in it. `Some(true)`: `fast` took it; `Some(false)`: it did not,
    /// and the line is in `raw`; `None` at the end.
    #[allow(clippy::result_large_err)]
    pub fn next_line(
        &mut self,
        raw: &mut RawLine,
        fast: impl FnMut(&[u8], u32, usize) -> bool,
    ) -> Result<Option<bool>, Diagnostic> {
        self.next_line_with(raw, true, fast)
    }

    /// [`StreamFile::next_line`], handing blank and `//` lines to `fast` too when
    /// `skip` is `false` (for readers that skip them as [`StreamFile::next_event`]
    /// does, after its UTF-8 check).
    #[allow(clippy::result_large_err)]
    pub fn next_line_with(
        &mut self,
        raw: &mut RawLine,
        skip: bool,
        mut fast: impl FnMut(&[u8], u32, usize) -> bool,
    ) -> Result<Option<bool>, Diagnostic> {
        let Inner::Lines {
            reader,
            line,
            offset,
            ..
        } = &mut self.inner
        else {
            return Ok(None);
        };
        let display = &self.display;
        let skipped = |b: &[u8]| {
            skip && (b.iter().all(u8::is_ascii_whitespace)
                || b.trim_ascii_start().starts_with(b"//"))
        };
        loop {
            let buf = match reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(unreadable(display, e)),
            };
            if buf.is_empty() {
                return Ok(None);
            }
            let Some(n) = find_byte(buf, b'\n') else {
                // The line runs past the buffer: read it whole.
                raw.bytes.clear();
                let n = reader
                    .read_until(b'\n', &mut raw.bytes)
                    .map_err(|e| unreadable(display, e))?;
                *line += 1;
                let start = *offset;
                *offset += n;
                if skipped(&raw.bytes) {
                    continue;
                }
                raw.line = *line;
                raw.offset = start;
                return Ok(Some(fast(&raw.bytes, *line, start)));
            };
            let len = n + 1;
            *line += 1;
            let start = *offset;
            *offset += len;
            let bytes = &buf[..len];
            if skipped(bytes) {
                reader.consume(len);
                continue;
            }
            raw.line = *line;
            raw.offset = start;
            let took = fast(bytes, *line, start);
            if !took {
                raw.bytes.clear();
                raw.bytes.extend_from_slice(bytes);
            }
            reader.consume(len);
            return Ok(Some(took));
        }
    }

    /// The next event, `None` at the end. Errors are located.
    // Errors end the read, so their size does not matter.
    #[allow(clippy::result_large_err)]
    pub fn next_event(&mut self, opts: ReadOptions<'_>) -> Option<Result<Event, Diagnostic>> {
        let display = self.display.clone();
        match &mut self.inner {
            Inner::Lines {
                reader,
                line,
                offset,
                buf,
            } => loop {
                buf.clear();
                match reader.read_line(buf) {
                    Ok(0) => return None,
                    Ok(_) => {}
                    Err(e) => return Some(Err(unreadable(&display, e))),
                }
                *line += 1;
                let start = *offset;
                *offset += buf.len();
                let lead = buf.len() - buf.trim_start().len();
                let text = buf.trim();
                if text.is_empty() || text.starts_with("//") {
                    continue;
                }
                return Some(parse_line(text, *line, start + lead, &display, opts));
            },
            Inner::List { file, next } => {
                let items = file.value.as_ref()?.as_array()?;
                let i = *next;
                let item = items.get(i)?;
                *next += 1;
                let ptr = format!("/{i}");
                let span = file.locate(&ptr).span;
                let line = span.map_or(0, |s| s.line);
                let r = event_of_value(item, line).map(|mut ev| {
                    // The start of the event's line, as for JSON Lines.
                    ev.offset = span.map_or(0, |s| s.start.saturating_sub(s.col as usize - 1));
                    ev
                });
                Some(r.map_err(|(sub, msg)| {
                    file.diag_at("saga-stream-invalid", &format!("{ptr}{sub}"), msg)
                }))
            }
        }
    }

    /// Location of a pointer inside an event (YAML streams locate the value; JSON
    /// Lines point at the event's line).
    pub fn locate(&self, ev: &Event, index: usize, ptr: &str) -> Location {
        match &self.inner {
            Inner::List { file, .. } => file.locate(&format!("/{index}{ptr}")),
            Inner::Lines { .. } => line_location(&self.display, ev.line, ev.offset, 1),
        }
    }
}

/// An I/O error reading the stream, located at the file.
fn unreadable_msg(display: &Arc<str>, e: &crate::fsio::ReadError) -> Diagnostic {
    Diagnostic::new(
        "saga-stream-invalid",
        Location::file(display.clone()),
        format!("cannot read the stream: {e}"),
    )
}

fn unreadable(display: &Arc<str>, e: std::io::Error) -> Diagnostic {
    Diagnostic::new(
        "saga-stream-invalid",
        Location::file(display.clone()),
        format!("cannot read the stream: {e}"),
    )
}

/// The first `c` in `s`, sixteen bytes at a time.
fn find_byte(s: &[u8], c: u8) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let flags = |w: &[u8]| {
        let mut b = [0u8; 8];
        b.copy_from_slice(w);
        let x = u64::from_le_bytes(b) ^ (LO * u64::from(c));
        x.wrapping_sub(LO) & !x & HI
    };
    let mut chunks = s.chunks_exact(16);
    let mut i = 0;
    for ch in &mut chunks {
        let (a, b) = ch.split_at(8);
        let (fa, fb) = (flags(a), flags(b));
        if fa | fb != 0 {
            let at = if fa != 0 {
                fa.trailing_zeros() / 8
            } else {
                8 + fb.trailing_zeros() / 8
            };
            return Some(i + at as usize);
        }
        i += 16;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == c)
        .map(|n| i + n)
}

/// `file:line:col` in a JSON Lines file (`offset`: the byte offset of the line's
/// first character; the span covers one character).
pub fn line_location(display: &Arc<str>, line: u32, offset: usize, col: usize) -> Location {
    let col = col.max(1);
    let start = offset + col - 1;
    Location {
        file: display.clone(),
        span: Some(Span {
            line,
            col: col as u32,
            end_line: line,
            end_col: col as u32 + 1,
            start,
            end: start + 1,
        }),
        pointer: None,
    }
}

#[allow(clippy::result_large_err)]
pub(crate) fn parse_line(
    text: &str,
    line: u32,
    offset: usize,
    display: &Arc<str>,
    opts: ReadOptions<'_>,
) -> Result<Event, Diagnostic> {
    if !opts.full {
        if let Some(s) = super::scan::scan_event(text, opts.wanted) {
            return Ok(Event {
                line,
                offset,
                time: s.time,
                message: s.message,
                headers: s.headers,
                payload: s.payload,
            });
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let raw = RawSeed {
        full: opts.full,
        wanted: opts.wanted,
    }
    .deserialize(&mut de)
    .and_then(|r| de.end().map(|()| r));
    let loc = |col: usize| line_location(display, line, offset, col.min(text.len()));
    let raw = raw.map_err(|e| {
        let msg = e.to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        Diagnostic::new(
            "saga-stream-invalid",
            loc(e.column()),
            format!("malformed event: {msg}"),
        )
    })?;
    let Some(message) = raw.message else {
        return Err(Diagnostic::new(
            "saga-stream-invalid",
            loc(1),
            "event has no `message`",
        ));
    };
    let time = match raw.time {
        Some(t) => t.map_err(|m| Diagnostic::new("saga-stream-invalid", loc(1), m))?,
        None => {
            return Err(Diagnostic::new(
                "saga-stream-invalid",
                loc(1),
                "event has no `time`",
            ));
        }
    };
    Ok(Event {
        line,
        offset,
        time,
        message,
        headers: raw.headers.unwrap_or(Value::Null),
        payload: raw.payload.unwrap_or(Value::Null),
    })
}

/// An event from a parsed value; errors carry (pointer inside the event, message).
pub fn event_of_value(v: &Value, line: u32) -> Result<Event, (String, String)> {
    let Some(m) = v.as_object() else {
        return Err((
            String::new(),
            format!(
                "an event must be a mapping, found {}",
                super::format::kind(v)
            ),
        ));
    };
    let message = match m.get("message") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(_) => return Err(("/message".into(), "`message` must be a message name".into())),
        None => return Err((String::new(), "event has no `message`".into())),
    };
    let time = match m.get("time") {
        Some(t) => time_of(t).map_err(|e| ("/time".to_string(), e))?,
        None => return Err((String::new(), "event has no `time`".into())),
    };
    for k in m.keys() {
        if !matches!(k.as_str(), "time" | "message" | "headers" | "payload") {
            return Err((
                pointer::push("", k),
                format!("unknown field `{k}` (expected time, message, headers, payload)"),
            ));
        }
    }
    Ok(Event {
        line,
        offset: 0,
        time,
        message,
        headers: m.get("headers").cloned().unwrap_or(Value::Null),
        payload: m.get("payload").cloned().unwrap_or(Value::Null),
    })
}

fn time_of(v: &Value) -> Result<i64, String> {
    match v {
        Value::Number(n) => match n.as_i64() {
            Some(t) if (0..=MAX_TIME_MS).contains(&t) => Ok(t),
            Some(t) if t > MAX_TIME_MS => Err(format!(
                "`time` {t} ms is after 9999-12-31T23:59:59.999Z; use milliseconds since 1970 or an RFC 3339 timestamp"
            )),
            _ => Err(
                "`time` must be a non-negative integer (milliseconds since 1970) or an RFC 3339 timestamp"
                    .to_string(),
            ),
        },
        Value::String(s) => {
            rfc3339(s).map_err(|why| format!("`{s}` is not an RFC 3339 timestamp: {why}"))
        }
        _ => Err("`time` must be milliseconds or an RFC 3339 timestamp".into()),
    }
}

/// The latest time a stream may carry: 9999-12-31T23:59:59.999Z, in milliseconds
/// since 1970. Every deadline (time + a duration of at most [`super::duration::MAX_MS`])
/// stays far from `i64` overflow.
pub const MAX_TIME_MS: i64 = 253_402_300_799_999;

/// Milliseconds since 1970 of an RFC 3339 timestamp (`2026-01-01T00:00:00.250Z`,
/// offsets allowed); `None` when it is not one.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    rfc3339(s).ok()
}

/// Days in a month of the proleptic Gregorian calendar.
fn days_in_month(y: i64, mo: i64) -> i64 {
    match mo {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// [`parse_rfc3339`] with the reason a string is not a timestamp.
pub fn rfc3339(s: &str) -> Result<i64, &'static str> {
    const SHAPE: &str = "expected YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM)";
    let b = s.as_bytes();
    if b.len() < 20 {
        return Err(SHAPE);
    }
    let num = |r: std::ops::Range<usize>| -> Result<i64, &'static str> {
        let t = s.get(r).ok_or(SHAPE)?;
        if !t.bytes().all(|c| c.is_ascii_digit()) {
            return Err(SHAPE);
        }
        t.parse().map_err(|_| SHAPE)
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return Err(SHAPE);
    }
    if !(1..=12).contains(&mo) {
        return Err("the month is not 01-12");
    }
    if d < 1 || d > days_in_month(y, mo) {
        return Err("that day does not exist in that month");
    }
    if h > 23 || mi > 59 || se > 60 {
        return Err("the time of day is out of range");
    }
    let mut i = 19;
    let mut ms = 0i64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return Err(SHAPE);
        }
        let frac = &s[start..i.min(start + 3)];
        ms = frac.parse::<i64>().map_err(|_| SHAPE)? * 10i64.pow(3 - frac.len() as u32);
    }
    let offset_min = match b.get(i).ok_or(SHAPE)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        c @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let (oh, om) = (num(i + 1..i + 3)?, num(i + 4..i + 6)?);
            if oh > 23 || om > 59 {
                return Err("the offset is out of range (at most +23:59)");
            }
            let v = oh * 60 + om;
            if *c == b'+' { v } else { -v }
        }
        _ => return Err(SHAPE),
    };
    // Days from civil (proleptic Gregorian).
    let yy = if mo <= 2 { y - 1 } else { y };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let t = ((days * 86_400 + h * 3600 + mi * 60 + se - offset_min * 60) * 1000) + ms;
    if !(0..=MAX_TIME_MS).contains(&t) {
        return Err("it is before 1970 or after 9999 in UTC");
    }
    Ok(t)
}

struct Raw {
    time: Option<Result<i64, String>>,
    message: Option<String>,
    headers: Option<Value>,
    payload: Option<Value>,
}

struct RawSeed<'w> {
    full: bool,
    wanted: &'w Wanted,
}

impl<'de> DeserializeSeed<'de> for RawSeed<'_> {
    type Value = Raw;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RawSeed<'_> {
    type Value = Raw;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an event object {time, message, headers, payload}")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        let mut raw = Raw {
            time: None,
            message: None,
            headers: None,
            payload: None,
        };
        while let Some(k) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match k.as_ref() {
                "time" => {
                    let v: Value = map.next_value()?;
                    raw.time = Some(time_of(&v));
                }
                "message" => raw.message = Some(map.next_value()?),
                part @ ("headers" | "payload") => {
                    let v = if self.full {
                        Some(map.next_value()?)
                    } else if let Some(w) = self.wanted.child(part) {
                        Some(map.next_value_seed(Sparse(w))?)
                    } else {
                        map.next_value::<IgnoredAny>()?;
                        None
                    };
                    if part == "headers" {
                        raw.headers = v;
                    } else {
                        raw.payload = v;
                    }
                }
                other => {
                    return Err(de::Error::custom(format!(
                        "unknown field `{other}` (expected time, message, headers, payload)"
                    )));
                }
            }
        }
        Ok(raw)
    }
}

/// Materialise only the wanted parts of a value; the rest is skipped (`Null`).
struct Sparse<'w>(&'w Wanted);

impl<'de> DeserializeSeed<'de> for Sparse<'_> {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        if self.0.leaf {
            return serde::Deserialize::deserialize(d);
        }
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Sparse<'_> {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(k) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match self.0.child(&k) {
                Some(w) => {
                    let v = map.next_value_seed(Sparse(w))?;
                    out.insert(k.into_owned(), v);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Value::Object(out))
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        loop {
            let i = out.len().to_string();
            let next = match self.0.child(&i) {
                Some(w) => seq.next_element_seed(Sparse(w))?,
                None => seq.next_element::<IgnoredAny>()?.map(|_| Value::Null),
            };
            match next {
                Some(v) => out.push(v),
                None => return Ok(Value::Array(out)),
            }
        }
    }
    fn visit_bool<E>(self, _: bool) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_str<E>(self, _: &str) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_reading_keeps_only_wanted_pointers() {
        let mut w = Wanted::default();
        w.add("/headers/id");
        w.add("/payload/a/b");
        w.add("/payload/list/1");
        let text = r#"{"time": 5, "message": "M", "headers": {"id": "x", "other": [1, {"y": 2}]}, "payload": {"a": {"b": {"deep": true}, "c": 1}, "list": [0, "one"], "z": null}}"#;
        let d: Arc<str> = Arc::from("s");
        let e = parse_line(
            text,
            1,
            0,
            &d,
            ReadOptions {
                full: false,
                wanted: &w,
            },
        )
        .expect("parses");
        assert_eq!(e.headers, serde_json::json!({"id": "x"}));
        assert_eq!(
            e.payload,
            serde_json::json!({"a": {"b": {"deep": true}}, "list": [null, "one"]})
        );
        let full = parse_line(
            text,
            1,
            0,
            &d,
            ReadOptions {
                full: true,
                wanted: &w,
            },
        )
        .expect("parses");
        assert_eq!(full.payload["z"], Value::Null);
        assert_eq!(full.headers["other"][1]["y"], 2);
    }

    #[test]
    fn finds_bytes() {
        let mut buf = vec![b'a'; 40];
        assert_eq!(find_byte(&buf, b'\n'), None);
        for at in 0..buf.len() {
            buf[at] = b'\n';
            assert_eq!(find_byte(&buf, b'\n'), Some(at));
            buf[at + 1..].fill(b'\n');
            assert_eq!(find_byte(&buf, b'\n'), Some(at));
            buf.fill(0x8a);
            assert_eq!(find_byte(&buf, b'\n'), None);
            buf.fill(b'a');
        }
    }

    #[test]
    fn rfc3339_parses() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("1970-01-01T00:00:01.5Z"), Some(1500));
        assert_eq!(
            parse_rfc3339("2026-01-01T00:00:00Z"),
            Some(1_767_225_600_000)
        );
        assert_eq!(parse_rfc3339("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_rfc3339("1970-13-01T00:00:00Z"), None);
        assert_eq!(parse_rfc3339("nope"), None);
    }

    /// Dates that do not exist, offsets out of range and times outside 1970..=9999
    /// are refused with the reason (issue 11 item 19).
    #[test]
    fn rfc3339_refuses_impossible_times() {
        assert_eq!(
            rfc3339("2026-02-30T00:00:00Z"),
            Err("that day does not exist in that month")
        );
        assert_eq!(
            rfc3339("2026-04-31T00:00:00Z"),
            Err("that day does not exist in that month")
        );
        assert!(rfc3339("2024-02-29T00:00:00Z").is_ok());
        assert!(rfc3339("2000-02-29T00:00:00Z").is_ok());
        assert!(rfc3339("1900-02-29T00:00:00Z").is_err());
        assert_eq!(
            rfc3339("2026-01-01T00:00:00+00:99"),
            Err("the offset is out of range (at most +23:59)")
        );
        assert_eq!(
            rfc3339("2026-01-01T00:00:00+24:00"),
            Err("the offset is out of range (at most +23:59)")
        );
        assert!(rfc3339("1969-12-31T23:59:59Z").is_err());
        assert_eq!(rfc3339("9999-12-31T23:59:59.999Z"), Ok(MAX_TIME_MS));
        let e = time_of(&serde_json::json!(9_200_000_000_000_000_000u64)).unwrap_err();
        assert!(e.contains("milliseconds"), "{e}");
        let e = time_of(&serde_json::json!(MAX_TIME_MS + 1)).unwrap_err();
        assert!(e.contains("after 9999"), "{e}");
        assert_eq!(time_of(&serde_json::json!(MAX_TIME_MS)), Ok(MAX_TIME_MS));
    }
}
