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

/// One node of the source map: the span of a JSON value, the span of its key when it
/// is an object entry, and where its children are in [`SourceMap`]'s arena. Children
/// appear in the same order as in the `Value` (insertion order for objects).
#[derive(Debug, Clone, Copy, Default)]
pub struct PosNode {
    pub start: Mark,
    pub end: Mark,
    /// For an object entry, the span of its key (line 0 when not a key).
    pub key_start: Mark,
    pub key_end: Mark,
    /// Index of the first child in the arena, and the number of children.
    first: u32,
    len: u32,
}

impl PosNode {
    fn leaf(start: Mark, end: Mark) -> Self {
        PosNode {
            start,
            end,
            ..PosNode::default()
        }
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
        let (first, len) = (node.first as usize, node.len as usize);
        self.nodes.get(first..first + len).unwrap_or_default()
    }
}

/// What unit the columns of a file's marks count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColUnit {
    Bytes,
    Chars,
}

/// Converts marks into byte offsets and character columns.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: LineStarts,
    unit: ColUnit,
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
        let newlines = || {
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1)
        };
        let lines = 1 + text.bytes().filter(|&b| b == b'\n').count();
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
        LineIndex {
            line_starts: LineStarts::new(text),
            unit,
        }
    }

    /// Byte offset of a mark, clamped into the text.
    pub fn offset(&self, text: &str, m: Mark) -> usize {
        let line = (m.line.max(1) as usize - 1).min(self.line_starts.len() - 1);
        let start = self.line_starts.get(line).unwrap_or(0);
        let line_end = self.line_starts.get(line + 1).unwrap_or(text.len());
        let line_text = text.get(start..line_end).unwrap_or("");
        let off = match self.unit {
            ColUnit::Bytes => (m.col as usize).min(line_text.len()),
            ColUnit::Chars => line_text
                .char_indices()
                .nth(m.col as usize)
                .map(|(i, _)| i)
                .unwrap_or(line_text.len()),
        };
        let mut o = start + off;
        while o > 0 && !text.is_char_boundary(o) {
            o -= 1;
        }
        o
    }

    /// 1-based line and 1-based character column of a byte offset.
    pub fn line_col(&self, text: &str, offset: usize) -> (u32, u32) {
        let offset = offset.min(text.len());
        let line = self.line_starts.line_of(offset);
        let start = self.line_starts.get(line).unwrap_or(0);
        let col = text.get(start..offset).map_or(0, |s| s.chars().count());
        (line as u32 + 1, col as u32 + 1)
    }

    /// A diagnostic span from two marks.
    pub fn span(&self, text: &str, start: Mark, end: Mark) -> Span {
        let s = self.offset(text, start);
        let e = self.offset(text, end).max(s);
        self.span_of_offsets(text, s, e)
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
}

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
                Value::Object(map) => map
                    .iter()
                    .enumerate()
                    .find(|(_, (k, _))| *k == tok)
                    .and_then(|(i, (_, v))| Some((v, self.pos.children(pos).get(i)?))),
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
        let has_key = found_all && pos.key_start.line > 0;
        let span = if want_key && has_key {
            self.index.span(&self.text, pos.key_start, pos.key_end)
        } else if value.is_object() || value.is_array() {
            // A multi-line block is shown by its key (or its first character), not
            // underlined from top to bottom.
            if has_key {
                self.index.span(&self.text, pos.key_start, pos.key_end)
            } else {
                let next = Mark {
                    line: pos.start.line,
                    col: pos.start.col + 1,
                };
                self.index.span(&self.text, pos.start, next)
            }
        } else {
            self.index.span(&self.text, pos.start, pos.end)
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
    let (value, pos, unit, kind) = match parsed {
        Some(p) => {
            let kind = detect::detect(&p.value).0;
            (Some(p.value), p.pos, p.unit, kind)
        }
        None => (
            None,
            SourceMap::default(),
            ColUnit::Bytes,
            DocKind::Unparsed,
        ),
    };
    SourceFile {
        path: path.to_path_buf(),
        display,
        index: LineIndex::new(&text, unit),
        text,
        value,
        pos,
        kind,
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
