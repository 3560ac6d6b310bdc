//! Bytes → a positioned JSON tree → a workspace of loaded files with `$ref`s resolved.
//!
//! Owns file reading, text checks, YAML/JSON parsing with a source map, document kind
//! detection and `$ref` resolution. Everything downstream works on `serde_json::Value`
//! and asks this module for locations. It must not know about validation rules.

pub mod detect;
mod json;
pub mod pointer;
mod text;
mod tree;
pub mod workspace;
mod yaml;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use crate::diag::{Diagnostic, Location, Span};
pub use detect::DocKind;
pub use workspace::{FileId, LoadOptions, Workspace};

/// Deepest nesting of mappings/sequences accepted (deeper is a located error, never a
/// stack overflow in a later stage).
pub const MAX_DEPTH: usize = 256;

/// A position as the parser saw it: 1-based line, 0-based column. The column unit is
/// per file (bytes for JSON, characters for YAML) and converted by [`LineIndex`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mark {
    pub line: u32,
    pub col: u32,
}

/// A byte offset in a file's text as recorded by a parser, and whether the parser's
/// column was past the end of its line (the offset is then the line's end).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Pos {
    pub at: u32,
    pub clamped: bool,
}

impl Pos {
    /// A position at a byte offset (offsets past 4 GiB saturate).
    pub fn new(offset: usize, clamped: bool) -> Self {
        Pos {
            at: to_u32(offset),
            clamped,
        }
    }
}

fn to_u32(offset: usize) -> u32 {
    u32::try_from(offset).unwrap_or(u32::MAX - 1)
}

/// One node of the source map: the span of a JSON value (byte offsets), the span of its
/// key when it is an object entry, and where its children are in [`SourceMap`]'s
/// arena. Children appear in the same order as in the `Value` (insertion order for
/// objects). 24 bytes: a 4 MB document has ~170 000 nodes, all kept for the run.
#[derive(Debug, Clone, Copy)]
pub struct PosNode {
    start: u32,
    end: u32,
    /// For an object entry, the span of its key ([`NO_KEY`] when not a key).
    key_start: u32,
    key_end: u32,
    /// Index of the first child in the arena.
    first: u32,
    /// The number of children, and [`START_CLAMPED`].
    len: u32,
}

const NO_KEY: u32 = u32::MAX;
/// In [`PosNode::len`]: the start position was clamped to the end of its line.
const START_CLAMPED: u32 = 1 << 31;

impl Default for PosNode {
    fn default() -> Self {
        PosNode {
            start: 0,
            end: 0,
            key_start: NO_KEY,
            key_end: NO_KEY,
            first: 0,
            len: 0,
        }
    }
}

impl PosNode {
    pub(crate) fn leaf(start: Pos, end: Pos) -> Self {
        PosNode {
            start: start.at,
            end: end.at,
            len: if start.clamped { START_CLAMPED } else { 0 },
            ..PosNode::default()
        }
    }

    pub(crate) fn start(&self) -> Pos {
        Pos {
            at: self.start,
            clamped: self.len & START_CLAMPED != 0,
        }
    }

    pub(crate) fn end(&self) -> u32 {
        self.end
    }

    /// Move the node to `start`..`end` (its children stay).
    pub(crate) fn set_span(&mut self, start: Pos, end: Pos) {
        self.start = start.at;
        self.end = end.at;
        self.len = (self.len & !START_CLAMPED) | if start.clamped { START_CLAMPED } else { 0 };
    }

    pub(crate) fn set_key(&mut self, start: Pos, end: Pos) {
        self.key_start = start.at;
        self.key_end = end.at;
    }

    /// The key's span, for an object entry.
    pub(crate) fn key(&self) -> Option<(usize, usize)> {
        (self.key_start != NO_KEY).then_some((self.key_start as usize, self.key_end as usize))
    }

    pub(crate) fn children_range(&self) -> (usize, usize) {
        (self.first as usize, (self.len & !START_CLAMPED) as usize)
    }

    pub(crate) fn set_children(&mut self, first: usize, len: usize) {
        self.first = to_u32(first);
        self.len = (self.len & START_CLAMPED) | (to_u32(len) & !START_CLAMPED);
    }
}

/// The source map: one [`PosNode`] per JSON value, mirroring the `Value` tree. The
/// children of every node are stored contiguously in one flat arena (an aliased YAML
/// node shares its children with the anchored original).
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    root: PosNode,
    nodes: Vec<PosNode>,
}

impl SourceMap {
    /// The node of the whole document.
    pub fn root(&self) -> &PosNode {
        &self.root
    }

    /// The nodes of a node's children, in order.
    pub fn children(&self, node: &PosNode) -> &[PosNode] {
        let (first, len) = node.children_range();
        self.nodes.get(first..first + len).unwrap_or_default()
    }
}

/// What unit the columns of a file's marks count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColUnit {
    Bytes,
    Chars,
}

/// The offsets just past each line break of a text: LF, CRLF and a lone CR each end a
/// line (as YAML and the JSON parser count them).
pub(crate) fn line_breaks(b: &[u8]) -> impl Iterator<Item = usize> + '_ {
    b.iter().enumerate().filter_map(|(i, &c)| match c {
        b'\n' => Some(i + 1),
        b'\r' if b.get(i + 1) != Some(&b'\n') => Some(i + 1),
        _ => None,
    })
}

/// Bytes between two checkpoints of [`CharCounts`].
const CHAR_CHECKPOINT: usize = 1024;

/// The number of characters before every [`CHAR_CHECKPOINT`]-th byte of a non-ASCII
/// text, so that a character column on a long line costs at most one checkpoint's
/// worth of counting, not the line's length.
#[derive(Debug, Clone, Default)]
struct CharCounts(Vec<usize>);

impl CharCounts {
    fn new(text: &str) -> Self {
        let mut v = Vec::with_capacity(text.len() / CHAR_CHECKPOINT + 1);
        let mut n = 0;
        for chunk in text.as_bytes().chunks(CHAR_CHECKPOINT) {
            v.push(n);
            n += chars_in(chunk);
        }
        CharCounts(v)
    }

    /// Characters in `text[..offset]`.
    fn before(&self, text: &str, offset: usize) -> usize {
        let k = offset / CHAR_CHECKPOINT;
        let base = self.0.get(k).copied().unwrap_or(0);
        let from = (k * CHAR_CHECKPOINT).min(offset);
        let tail = text.as_bytes().get(from..offset).unwrap_or_default();
        base + chars_in(tail)
    }
}

/// Characters starting in a run of UTF-8 bytes (the bytes that are not continuations).
fn chars_in(b: &[u8]) -> usize {
    b.iter().filter(|&&c| (c as i8) >= -0x40).count()
}

/// Converts marks into byte offsets and character columns.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: LineStarts,
    unit: ColUnit,
    /// The text is ASCII (characters are bytes).
    ascii: bool,
    /// Character counts at checkpoints (empty for ASCII texts).
    chars: CharCounts,
}

/// The last mark converted by [`LineIndex::pos_from`]: its line (0-based), character
/// column and byte offset.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Cursor {
    line: usize,
    col: usize,
    byte: usize,
}

/// Byte offsets of line starts, 4 bytes each when the text allows (it is kept for the
/// whole run, one entry per line).
#[derive(Debug, Clone)]
enum LineStarts {
    Small(Vec<u32>),
    Large(Vec<usize>),
}

impl LineStarts {
    fn new(text: &str) -> Self {
        let newlines = || line_breaks(text.as_bytes());
        let lines = 1 + newlines().count();
        if u32::try_from(text.len()).is_ok() {
            let mut v = Vec::with_capacity(lines);
            v.push(0);
            v.extend(newlines().map(|i| i as u32));
            LineStarts::Small(v)
        } else {
            let mut v = Vec::with_capacity(lines);
            v.push(0);
            v.extend(newlines());
            LineStarts::Large(v)
        }
    }

    fn len(&self) -> usize {
        match self {
            LineStarts::Small(v) => v.len(),
            LineStarts::Large(v) => v.len(),
        }
    }

    fn get(&self, line: usize) -> Option<usize> {
        match self {
            LineStarts::Small(v) => v.get(line).map(|&o| o as usize),
            LineStarts::Large(v) => v.get(line).copied(),
        }
    }

    /// The line (0-based) holding a byte offset (at most the text's length).
    fn line_of(&self, offset: usize) -> usize {
        let found = match self {
            LineStarts::Small(v) => v.binary_search(&(offset as u32)),
            LineStarts::Large(v) => v.binary_search(&offset),
        };
        match found {
            Ok(l) => l,
            Err(l) => l - 1,
        }
    }
}

impl LineIndex {
    pub fn new(text: &str, unit: ColUnit) -> Self {
        let ascii = text.is_ascii();
        LineIndex {
            line_starts: LineStarts::new(text),
            unit,
            ascii,
            chars: if ascii {
                CharCounts::default()
            } else {
                CharCounts::new(text)
            },
        }
    }

    /// Byte offset of a mark, clamped into the text.
    pub fn offset(&self, text: &str, m: Mark) -> usize {
        self.offset_clamped(text, m).0
    }

    /// A mark as a [`Pos`].
    pub(crate) fn pos(&self, text: &str, m: Mark) -> Pos {
        let (o, clamped) = self.offset_clamped(text, m);
        Pos {
            at: to_u32(o),
            clamped,
        }
    }

    /// [`LineIndex::pos`] for marks that mostly move forward (a parser's): a character
    /// column is found by walking from the previous mark on the same line, not from the
    /// line's start, so that a long non-ASCII line costs linear time, not quadratic.
    pub(crate) fn pos_from(&self, text: &str, m: Mark, cur: &mut Cursor) -> Pos {
        if self.unit == ColUnit::Bytes || self.ascii {
            return self.pos(text, m);
        }
        let line = (m.line.max(1) as usize - 1).min(self.line_starts.len() - 1);
        let start = self.line_starts.get(line).unwrap_or(0);
        let line_end = self.line_starts.get(line + 1).unwrap_or(text.len());
        let col = m.col as usize;
        if cur.line != line || cur.byte < start || cur.byte > line_end || col < cur.col / 2 {
            *cur = Cursor {
                line,
                col: 0,
                byte: start,
            };
        }
        if col < cur.col {
            for c in text.get(start..cur.byte).unwrap_or("").chars().rev() {
                if cur.col == col {
                    break;
                }
                cur.byte -= c.len_utf8();
                cur.col -= 1;
            }
        }
        if col > cur.col {
            for c in text.get(cur.byte..line_end).unwrap_or("").chars() {
                if cur.col == col {
                    break;
                }
                cur.byte += c.len_utf8();
                cur.col += 1;
            }
        }
        // Past the last character (the newline included) the column is clamped to the
        // line's end, as in `offset`.
        Pos::new(cur.byte, cur.byte >= line_end)
    }

    /// [`LineIndex::offset`], and whether the column was past the end of the line.
    fn offset_clamped(&self, text: &str, m: Mark) -> (usize, bool) {
        let line = (m.line.max(1) as usize - 1).min(self.line_starts.len() - 1);
        let start = self.line_starts.get(line).unwrap_or(0);
        let line_end = self.line_starts.get(line + 1).unwrap_or(text.len());
        let line_text = text.get(start..line_end).unwrap_or("");
        let col = m.col as usize;
        let off = match self.unit {
            ColUnit::Chars if !self.ascii => line_text.char_indices().nth(col).map(|(i, _)| i),
            ColUnit::Bytes | ColUnit::Chars => (col < line_text.len()).then_some(col),
        };
        let clamped = off.is_none();
        let mut o = start + off.unwrap_or(line_text.len());
        while o > 0 && !text.is_char_boundary(o) {
            o -= 1;
        }
        (o, clamped)
    }

    /// The offset of the column after a position (the end of the one-character span
    /// that shows a multi-line block): what [`LineIndex::offset`] gives for the mark one
    /// column to the right.
    fn next_offset(&self, text: &str, p: Pos) -> usize {
        let s = (p.at as usize).min(text.len());
        if p.clamped {
            return s;
        }
        match self.unit {
            ColUnit::Bytes => {
                let mut o = (s + 1).min(text.len());
                while o > 0 && !text.is_char_boundary(o) {
                    o -= 1;
                }
                o
            }
            ColUnit::Chars => {
                s + text
                    .get(s..)
                    .and_then(|r| r.chars().next())
                    .map_or(0, char::len_utf8)
            }
        }
    }

    /// 1-based line and 1-based character column of a byte offset.
    pub fn line_col(&self, text: &str, offset: usize) -> (u32, u32) {
        let offset = offset.min(text.len());
        let line = self.line_starts.line_of(offset);
        let start = self.line_starts.get(line).unwrap_or(0);
        let col = if self.ascii {
            offset - start.min(offset)
        } else {
            self.chars.before(text, offset) - self.chars.before(text, start.min(offset))
        };
        (line as u32 + 1, col as u32 + 1)
    }

    /// A diagnostic span from two marks.
    pub fn span(&self, text: &str, start: Mark, end: Mark) -> Span {
        let s = self.offset(text, start);
        let e = self.offset(text, end).max(s);
        self.span_of_offsets(text, s, e)
    }

    /// A diagnostic span from two recorded offsets (the end no earlier than the start,
    /// as for marks).
    pub(crate) fn span_of_pos(&self, text: &str, start: u32, end: u32) -> Span {
        let (s, e) = (start as usize, end as usize);
        self.span_of_offsets(text, s, e.max(s))
    }

    /// A diagnostic span from byte offsets.
    pub fn span_of_offsets(&self, text: &str, start: usize, end: usize) -> Span {
        let (line, col) = self.line_col(text, start);
        let (end_line, end_col) = self.line_col(text, end);
        Span {
            line,
            col,
            end_line,
            end_col,
            start,
            end,
        }
    }
}

/// A file after reading and parsing (it may have failed to parse: `value` is `None`).
#[derive(Debug)]
pub struct SourceFile {
    /// Canonical absolute path (the identity of the file).
    pub path: PathBuf,
    /// The path as shown to the user.
    pub display: Arc<str>,
    pub text: Arc<str>,
    pub index: LineIndex,
    pub value: Option<Value>,
    pub pos: SourceMap,
    pub kind: DocKind,
    /// The position of each key of the large objects located so far, so that locating
    /// many entries of one object stays linear (see [`SourceFile::entry_index`]).
    key_index: KeyIndex,
}

/// Objects with more entries than this get a key → position table when located in.
const KEY_INDEX_MIN: usize = 32;

/// Per large object (by its address: a file's value is never replaced), where each key
/// is among its entries.
#[derive(Debug, Default)]
struct KeyIndex(std::sync::Mutex<HashMap<usize, Arc<HashMap<String, usize>>>>);

impl SourceFile {
    /// Location of the whole file (no span).
    pub fn file_location(&self) -> Location {
        Location::file(self.display.clone())
    }

    /// Location of the value at `pointer` (RFC 6901 string). Falls back to the deepest
    /// existing ancestor when the pointer does not exist.
    pub fn locate(&self, pointer: &str) -> Location {
        self.locate_impl(pointer, false)
    }

    /// Location of the key of the entry at `pointer` (the value for array items and
    /// the root).
    pub fn locate_key(&self, pointer: &str) -> Location {
        self.locate_impl(pointer, true)
    }

    fn locate_impl(&self, ptr: &str, want_key: bool) -> Location {
        let Some(mut value) = self.value.as_ref() else {
            return self.file_location();
        };
        let mut pos = self.pos.root();
        let tokens = pointer::parse(ptr).unwrap_or_default();
        let mut found_all = true;
        for tok in &tokens {
            let next = match value {
                Value::Object(map) => self
                    .entry_index(map, tok)
                    .and_then(|(i, v)| Some((v, self.pos.children(pos).get(i)?))),
                Value::Array(items) => tok
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| Some((items.get(i)?, self.pos.children(pos).get(i)?))),
                _ => None,
            };
            match next {
                Some((v, p)) => {
                    value = v;
                    pos = p;
                }
                None => {
                    found_all = false;
                    break;
                }
            }
        }
        let key = pos.key().filter(|_| found_all);
        let text = &self.text;
        let span = match key {
            Some((ks, ke)) if want_key => self.index.span_of_offsets(text, ks, ke.max(ks)),
            // A multi-line block is shown by its key (or its first character), not
            // underlined from top to bottom.
            Some((ks, ke)) if value.is_object() || value.is_array() => {
                self.index.span_of_offsets(text, ks, ke.max(ks))
            }
            None if value.is_object() || value.is_array() => {
                let start = pos.start();
                let next = self.index.next_offset(text, start);
                self.index.span_of_pos(text, start.at, to_u32(next))
            }
            _ => self.index.span_of_pos(text, pos.start, pos.end),
        };
        Location {
            file: self.display.clone(),
            span: Some(span),
            pointer: Some(if found_all {
                ptr.to_string()
            } else {
                pointer::join_tokens(
                    tokens
                        .iter()
                        .take(depth_found(self, &tokens))
                        .map(String::as_str),
                )
            }),
        }
    }

    /// The position of `key` among the entries of `map` (one of this file's objects),
    /// and its value: a scan for small objects, a table built once for large ones.
    fn entry_index<'a>(
        &self,
        map: &'a serde_json::Map<String, Value>,
        key: &str,
    ) -> Option<(usize, &'a Value)> {
        if map.len() <= KEY_INDEX_MIN {
            return map
                .iter()
                .enumerate()
                .find(|(_, (k, _))| *k == key)
                .map(|(i, (_, v))| (i, v));
        }
        let value = map.get(key)?;
        let addr = std::ptr::from_ref(map) as usize;
        let table = {
            let mut cache = self
                .key_index
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            cache
                .entry(addr)
                .or_insert_with(|| {
                    Arc::new(
                        map.keys()
                            .enumerate()
                            .map(|(i, k)| (k.clone(), i))
                            .collect(),
                    )
                })
                .clone()
        };
        table.get(key).map(|&i| (i, value))
    }

    /// `file#pointer` as shown in messages.
    pub fn display_pointer(&self, pointer: &str) -> String {
        format!("{}#{pointer}", self.display)
    }

    /// Location of a byte range.
    pub fn locate_offsets(&self, start: usize, end: usize) -> Location {
        Location {
            file: self.display.clone(),
            span: Some(self.index.span_of_offsets(&self.text, start, end)),
            pointer: None,
        }
    }

    /// A diagnostic at a pointer.
    pub fn diag_at(&self, rule: &'static str, pointer: &str, msg: impl Into<String>) -> Diagnostic {
        Diagnostic::new(rule, self.locate(pointer), msg)
    }
}

/// How many leading tokens of a pointer exist in the file.
fn depth_found(file: &SourceFile, tokens: &[String]) -> usize {
    let Some(mut v) = file.value.as_ref() else {
        return 0;
    };
    for (i, t) in tokens.iter().enumerate() {
        match pointer::step(v, t) {
            Some(n) => v = n,
            None => return i,
        }
    }
    tokens.len()
}

/// The result of parsing one text.
pub(crate) struct Parsed {
    pub value: Value,
    pub pos: SourceMap,
    /// The line index the parser built (the YAML parser needs one to record
    /// positions); `None` to build it afterwards.
    pub index: Option<LineIndex>,
    pub unit: ColUnit,
}

/// Parse a text as JSON or YAML, decided by content. Errors are located diagnostics
/// (possibly several, e.g. duplicate keys); `Ok` may still carry non-fatal diagnostics.
pub(crate) fn parse_text(
    text: &str,
    display: &Arc<str>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Parsed> {
    let trimmed = text.trim_start_matches([' ', '\t', '\r', '\n']);
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        let mut jdiags = Vec::new();
        match json::parse(text, display, &mut jdiags) {
            Some(p) => {
                diags.extend(jdiags);
                return Some(p);
            }
            None => {
                // Flow-style YAML also starts with `{`/`[`: in a `.yaml` file try YAML
                // before giving up, but report the JSON error if YAML fails too.
                let yaml_named = display.ends_with(".yaml") || display.ends_with(".yml");
                if !yaml_named {
                    diags.extend(jdiags);
                    return None;
                }
                let mut ydiags = Vec::new();
                if let Some(p) = yaml::parse(text, display, &mut ydiags) {
                    if ydiags.iter().all(|d| d.rule != "yaml-syntax") {
                        diags.extend(ydiags);
                        return Some(p);
                    }
                }
                diags.extend(jdiags);
                return None;
            }
        }
    }
    yaml::parse(text, display, diags)
}

/// Check, parse and detect one file's bytes. Always returns a file (with `value: None`
/// and kind `Unparsed` when it could not be parsed); problems go to `diags`.
pub fn parse_file(
    path: &Path,
    bytes: Vec<u8>,
    display: Arc<str>,
    diags: &mut Vec<Diagnostic>,
) -> SourceFile {
    // The text is moved into its shared `Arc` before parsing, so that no second copy
    // of a large file is alive while its tree is built.
    let (text, parsed): (Arc<str>, _) = match text::check_text(bytes, &display) {
        Err(d) => {
            diags.push(d);
            (Arc::from(""), None)
        }
        Ok(text) => {
            let text: Arc<str> = Arc::from(text);
            let parsed = parse_text(&text, &display, diags);
            (text, parsed)
        }
    };
    let (value, pos, index, kind) = match parsed {
        Some(p) => {
            let kind = detect::detect(&p.value).0;
            let index = p.index.unwrap_or_else(|| LineIndex::new(&text, p.unit));
            (Some(p.value), p.pos, index, kind)
        }
        None => (
            None,
            SourceMap::default(),
            LineIndex::new(&text, ColUnit::Bytes),
            DocKind::Unparsed,
        ),
    };
    SourceFile {
        path: path.to_path_buf(),
        display,
        index,
        text,
        value,
        pos,
        kind,
        key_index: KeyIndex::default(),
    }
}

/// [`parse_file`] for callers that need only parsed files (e.g. the config).
pub fn load_text_file(
    path: &Path,
    bytes: Vec<u8>,
    display: Arc<str>,
    diags: &mut Vec<Diagnostic>,
) -> Option<SourceFile> {
    let f = parse_file(path, bytes, display, diags);
    f.value.is_some().then_some(f)
}

/// `items.iter().map(f)` on every available core when there are at least `min` items
/// (a shared work queue: big and small items balance out); results in input order.
pub fn par_map<T: Sync, R: Send>(items: &[T], min: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(1)
        .min(items.len());
    if threads < 2 || items.len() < min.max(2) {
        return items.iter().map(f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        out.push((i, f(item)));
                    }
                    out
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// `path` made absolute (against the working directory) with `.` and `..` removed
/// lexically (symlinks are not followed), so that paths can be compared by prefix.
pub fn normalise_path(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The source map records a byte offset (and a clamp flag) per mark; the span of a
    /// block's first character computed from them must equal the one computed from the
    /// marks, for every mark on every line, inside and past the line's end.
    #[test]
    fn recorded_positions_give_the_same_spans_as_marks() {
        let texts = [
            "a: 1\nbb: [x, y]\n\n  c: {d: e}\n",
            "é: ü\n  - ñ: 日本\n語\n",
            "{\"k\": [1, 2]}",
            "x\r\nyz\r\n",
        ];
        for text in texts {
            for unit in [ColUnit::Bytes, ColUnit::Chars] {
                let index = LineIndex::new(text, unit);
                for line in 0..=text.lines().count() as u32 + 1 {
                    for col in 0..12 {
                        let m = Mark { line, col };
                        // JSON marks (the byte unit) are always at character
                        // boundaries.
                        let line_start = index
                            .line_starts
                            .get((line.max(1) as usize - 1).min(index.line_starts.len() - 1))
                            .unwrap_or(0);
                        let raw = (line_start + col as usize).min(text.len());
                        if unit == ColUnit::Bytes && !text.is_char_boundary(raw) {
                            continue;
                        }
                        let p = index.pos(text, m);
                        let offset = index.offset(text, m);
                        assert_eq!(p.at as usize, offset, "{text:?} {unit:?} {m:?}");
                        let next = Mark { line, col: col + 1 };
                        assert_eq!(
                            index.span_of_pos(text, p.at, to_u32(index.next_offset(text, p))),
                            index.span(text, m, next),
                            "{text:?} {unit:?} {m:?}"
                        );
                    }
                }
            }
        }
    }

    /// Converting marks by walking from the previous one gives the same positions as
    /// converting each from its line's start, whatever the order of the marks.
    #[test]
    fn walking_cursor_matches_per_mark_conversion() {
        let text = "é: ü\n  - ñ: 日本 x\n語\n{a: [é, ü, ñ], b: 日本語}\n";
        let index = LineIndex::new(text, ColUnit::Chars);
        let mut marks = Vec::new();
        for line in 0..7 {
            for col in 0..24 {
                marks.push(Mark { line, col });
            }
        }
        // Forward, backward, and jumping about (a fixed pseudo-random order).
        let mut scrambled = marks.clone();
        let mut x: u64 = 12345;
        for i in (1..scrambled.len()).rev() {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            scrambled.swap(i, (x >> 33) as usize % (i + 1));
        }
        let backward: Vec<Mark> = marks.iter().rev().copied().collect();
        for order in [marks, backward, scrambled] {
            let mut cur = Cursor::default();
            for m in order {
                assert_eq!(
                    index.pos_from(text, m, &mut cur),
                    index.pos(text, m),
                    "{m:?}"
                );
            }
        }
    }
}
