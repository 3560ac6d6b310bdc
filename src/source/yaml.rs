//! YAML 1.2 → `serde_json::Value` + source map, built from saphyr's event parser
//! (`saphyr-parser`, the parser under the `saphyr` crate; every event carries a span).
//!
//! Building from events rather than from saphyr's node tree lets us bound alias
//! expansion and nesting while building, report duplicate keys with both locations,
//! and apply merge keys (`<<`) — all without a second tree in memory.

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::Arc;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span as YSpan, Tag};
use serde_json::{Number, Value};

use super::tree::{Level, TreeBuilder};
use super::{ColUnit, Cursor, LineIndex, MAX_DEPTH, Mark, Parsed, Pos, PosNode};
use crate::diag::{Diagnostic, Location};

/// Nodes that aliases may copy in one file beyond its own size: defeats alias bombs
/// ("billion laughs") in bounded memory while leaving room for real reuse.
const ALIAS_BUDGET: usize = 250_000;

/// Bytes (of text in keys and strings) that aliases and anchors may copy in one file
/// beyond its own size: one large scalar aliased many times is bounded too.
const ALIAS_BYTES_BUDGET: usize = 64 << 20;

/// The text a value holds (keys and strings, plus a little per node), for the budget.
fn text_bytes(v: &Value) -> usize {
    match v {
        Value::String(s) => s.len() + 8,
        Value::Array(a) => a.iter().map(text_bytes).sum::<usize>() + 8,
        Value::Object(m) => {
            m.iter()
                .map(|(k, v)| k.len() + text_bytes(v))
                .sum::<usize>()
                + 8
        }
        _ => 8,
    }
}

/// Column shifts of a leniently re-indented text: line → spaces inserted at its start.
type Shifts = HashMap<u32, u32>;

/// How many times a text is re-parsed with a leniency applied before its syntax error
/// is reported as it is (each re-parse is linear in the text).
const MAX_LENIENT_FIXES: usize = 32;

/// A saphyr mark in the original text: columns of re-indented lines lose their shift.
fn mark(m: &saphyr_parser::Marker, shifts: &Shifts) -> Mark {
    let line = m.line() as u32;
    let shift = shifts.get(&line).copied().unwrap_or(0);
    Mark {
        line,
        col: (m.col() as u32).saturating_sub(shift),
    }
}

enum Frame {
    Seq {
        level: Level,
        start: Pos,
        anchor: usize,
        count: usize,
    },
    Map {
        level: Level,
        start: Pos,
        anchor: usize,
        count: usize,
        /// The key waiting for its value: text, span, and whether it is a merge key.
        key: Option<(String, Pos, Pos, bool)>,
        merges: Vec<(Value, PosNode)>,
    },
}

struct Builder<'a> {
    text: &'a str,
    display: &'a Arc<str>,
    /// Converts the parser's marks (line, character column) into byte offsets.
    index: LineIndex,
    cursor: Cell<Cursor>,
    stack: Vec<Frame>,
    tree: TreeBuilder,
    /// Anchor id → its value, positions, node count and text bytes.
    anchors: HashMap<usize, (Value, PosNode, usize, usize)>,
    root: Option<(Value, PosNode)>,
    direct_nodes: usize,
    /// Nodes and bytes copied by anchors (each anchored value is kept as a copy) and
    /// by aliases (each use is a copy), against the budgets.
    aliased_nodes: usize,
    aliased_bytes: usize,
    diags: &'a mut Vec<Diagnostic>,
    shifts: &'a Shifts,
    /// For each open collection, whether it is a flow collection (`[`, `{`).
    flow: Vec<bool>,
}

struct Fail;

/// Parse a YAML text. Where libyaml (PyYAML), js-yaml and the AsyncAPI and Stoplight
/// tools accept what YAML 1.2 forbids and real documents rely on it, the text is parsed
/// as they read it, with a `yaml-lenient` warning per place naming the rule bent:
/// - a line inside a flow collection (often its closing `]`/`}`) indented no more than
///   the block that holds the collection (YAML 1.2.2 §6.3, `s-flow-line-prefix(n)`,
///   and §7.4): parsed as if indented enough. The parser is re-run on the text with
///   that line re-indented (at most [`MAX_LENIENT_FIXES`] times); marks on the line are
///   shifted back, so every location is in the original text.
pub(super) fn parse(text: &str, display: &Arc<str>, diags: &mut Vec<Diagnostic>) -> Option<Parsed> {
    // Lines are counted by `\n` when re-indenting: a file with lone CR line breaks is
    // parsed strictly.
    let lone_cr = text
        .as_bytes()
        .windows(2)
        .any(|w| w[0] == b'\r' && w[1] != b'\n')
        || text.ends_with('\r');
    let mut shifts = Shifts::new();
    let mut patched: Option<String> = None;
    let mut last_fixed = 0u32;
    for round in 0..=MAX_LENIENT_FIXES {
        let lenient = !lone_cr && round < MAX_LENIENT_FIXES;
        let src = patched.as_deref().unwrap_or(text);
        let mut local = Vec::new();
        match parse_attempt(text, src, &shifts, lenient, display, &mut local) {
            Attempt::Done(parsed) => {
                if let Some(p) = &parsed {
                    lenient_warnings(text, &shifts, p, display, diags);
                }
                diags.extend(local);
                return parsed;
            }
            Attempt::Reindent { line } => {
                // Indent the line like the line before it (the flow collection's
                // previous line), or one more than last time when that was not enough.
                let cur = src
                    .split('\n')
                    .nth(line.saturating_sub(1) as usize)
                    .unwrap_or_default();
                let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
                let prev = src
                    .split('\n')
                    .take(line.saturating_sub(1) as usize)
                    .filter(|l| {
                        let t = l.trim();
                        !t.is_empty() && !t.starts_with('#')
                    })
                    .last()
                    .map_or(0, indent);
                let add = if last_fixed == line {
                    1
                } else {
                    prev.saturating_sub(indent(cur)).max(1)
                } as u32;
                last_fixed = line;
                *shifts.entry(line).or_default() += add;
                patched = Some(reindent(text, &shifts));
            }
        }
    }
    None
}

/// The text with `shifts[line]` spaces inserted at the start of each shifted line.
fn reindent(text: &str, shifts: &Shifts) -> String {
    let extra: usize = shifts.values().map(|&k| k as usize).sum();
    let mut out = String::with_capacity(text.len() + extra);
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if let Some(&k) = shifts.get(&(i as u32 + 1)) {
            out.extend(std::iter::repeat_n(' ', k as usize));
        }
        out.push_str(line);
    }
    out
}

/// One `yaml-lenient` warning per re-indented line, at its first character.
fn lenient_warnings(
    text: &str,
    shifts: &Shifts,
    parsed: &Parsed,
    display: &Arc<str>,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(index) = parsed.index.as_ref() else {
        return;
    };
    let mut lines: Vec<u32> = shifts.keys().copied().collect();
    lines.sort_unstable();
    for line in lines {
        let Some(l) = text.split('\n').nth(line as usize - 1) else {
            continue;
        };
        let col = (l.len() - l.trim_start_matches(' ').len()) as u32;
        let first = l.trim_start_matches(' ').chars().next().unwrap_or(' ');
        let what = match first {
            ']' => "the closing `]` of a flow sequence".to_string(),
            '}' => "the closing `}` of a flow mapping".to_string(),
            _ => "this line of a flow collection".to_string(),
        };
        let start = Mark { line, col };
        let end = Mark { line, col: col + 1 };
        diags.push(
            Diagnostic::new(
                "yaml-lenient",
                Location {
                    file: display.clone(),
                    span: Some(index.span(text, start, end)),
                    pointer: None,
                },
                format!(
                    "{what} is indented no more than the block that holds the collection; YAML 1.2 requires more (§6.3, s-flow-line-prefix(n)), but PyYAML, js-yaml and the AsyncAPI tools accept it, and so do we"
                ),
            )
            .with_help("indent the line more than the key that holds the flow collection"),
        );
    }
}

enum Attempt {
    /// Parsed, or failed with its diagnostics reported.
    Done(Option<Parsed>),
    /// A line inside a flow collection is not indented enough: re-indent it and retry.
    Reindent { line: u32 },
}

/// Parse `src` (the text, possibly re-indented by `shifts`); positions are recorded in
/// `text`.
fn parse_attempt(
    text: &str,
    src: &str,
    shifts: &Shifts,
    lenient: bool,
    display: &Arc<str>,
    diags: &mut Vec<Diagnostic>,
) -> Attempt {
    let mut b = Builder {
        text,
        display,
        index: LineIndex::new(text, ColUnit::Chars),
        cursor: Cell::new(Cursor::default()),
        stack: Vec::new(),
        tree: TreeBuilder::default(),
        anchors: HashMap::new(),
        root: None,
        direct_nodes: 0,
        aliased_nodes: 0,
        aliased_bytes: 0,
        diags,
        shifts,
        flow: Vec::new(),
    };
    let mut parser = Parser::new_from_str(src);
    let mut documents = 0;
    while let Some(ev) = parser.next_event() {
        let (ev, span) = match ev {
            Ok(e) => e,
            Err(e) => {
                if lenient
                    && b.flow.iter().any(|&f| f)
                    && e.info().starts_with("invalid indentation")
                {
                    return Attempt::Reindent {
                        line: e.marker().line() as u32,
                    };
                }
                b.scan_error(&e);
                return Attempt::Done(None);
            }
        };
        let res = match ev {
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    let loc = b.loc(mark(&span.start, shifts), mark(&span.end, shifts));
                    b.diags.push(Diagnostic::new(
                        "yaml-syntax",
                        loc,
                        "the file holds more than one YAML document; an API description must be a single document",
                    ));
                    return Attempt::Done(None);
                }
                Ok(())
            }
            Event::Scalar(v, style, anchor, tag) => {
                b.scalar(&v, style, anchor, tag.as_deref(), span)
            }
            Event::SequenceStart(anchor, _) => b.open(span, |level, start| Frame::Seq {
                level,
                start,
                anchor,
                count: 1,
            }),
            Event::MappingStart(anchor, _) => b.open(span, |level, start| Frame::Map {
                level,
                start,
                anchor,
                count: 1,
                key: None,
                merges: Vec::new(),
            }),
            Event::SequenceEnd | Event::MappingEnd => b.close(span),
            Event::Alias(id) => b.alias(id, span),
            Event::Nothing | Event::StreamStart | Event::DocumentEnd => Ok(()),
        };
        if res.is_err() {
            return Attempt::Done(None);
        }
    }
    let Some((value, pos)) = b.root.take() else {
        return Attempt::Done(None);
    };
    Attempt::Done(Some(Parsed {
        value,
        pos: b.tree.finish(pos),
        index: Some(b.index),
        unit: ColUnit::Chars,
    }))
}

impl Builder<'_> {
    fn loc(&mut self, start: Mark, end: Mark) -> Location {
        Location {
            file: self.display.clone(),
            span: Some(self.index.span(self.text, start, end)),
            pointer: None,
        }
    }

    /// A location between two recorded positions.
    fn loc_of(&self, start: usize, end: usize) -> Location {
        Location {
            file: self.display.clone(),
            span: Some(self.index.span_of_offsets(self.text, start, end.max(start))),
            pointer: None,
        }
    }

    fn pos(&self, m: &saphyr_parser::Marker) -> Pos {
        let mut cur = self.cursor.get();
        let p = self
            .index
            .pos_from(self.text, mark(m, self.shifts), &mut cur);
        self.cursor.set(cur);
        p
    }

    fn fail(&mut self, rule: &'static str, span: YSpan, msg: String) -> Fail {
        let loc = self.loc(mark(&span.start, self.shifts), mark(&span.end, self.shifts));
        self.diags.push(Diagnostic::new(rule, loc, msg));
        Fail
    }

    fn scan_error(&mut self, e: &ScanError) {
        let m = mark(e.marker(), self.shifts);
        let end = Mark {
            line: m.line,
            col: m.col + 1,
        };
        let loc = self.loc(m, end);
        let info = e.info();
        let tab_col = self
            .text
            .lines()
            .nth(m.line.saturating_sub(1) as usize)
            .and_then(|l| {
                l.chars()
                    .take_while(|c| c.is_whitespace())
                    .position(|c| c == '\t')
            });
        let loc = match tab_col {
            Some(c) => {
                let at = Mark {
                    line: m.line,
                    col: c as u32,
                };
                self.loc(
                    at,
                    Mark {
                        line: m.line,
                        col: c as u32 + 1,
                    },
                )
            }
            None => loc,
        };
        let d = if info.contains("recursion limit") {
            Diagnostic::new(
                "nesting-too-deep",
                loc,
                format!("nesting too deep for the YAML parser ({info})"),
            )
        } else if info
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| w == "tab" || w == "tabs")
            || tab_col.is_some()
        {
            Diagnostic::new(
                "yaml-tab-indent",
                loc,
                format!("tab character used for indentation ({info})"),
            )
            .with_help("indent with spaces; YAML does not allow tabs in indentation")
        } else {
            Diagnostic::new("yaml-syntax", loc, info.to_string())
        };
        self.diags.push(d);
    }

    fn open(&mut self, span: YSpan, frame: impl FnOnce(Level, Pos) -> Frame) -> Result<(), Fail> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(self.fail(
                "nesting-too-deep",
                span,
                format!("nesting deeper than {MAX_DEPTH} levels"),
            ));
        }
        if let Some(Frame::Map { key: None, .. }) = self.stack.last() {
            return Err(self.fail(
                "yaml-syntax",
                span,
                "a mapping or sequence used as a mapping key; API documents need string keys"
                    .to_string(),
            ));
        }
        let level = self.tree.open();
        let start = self.pos(&span.start);
        let flow = matches!(
            self.text.as_bytes().get(start.at as usize),
            Some(b'[' | b'{')
        );
        self.flow.push(flow);
        self.stack.push(frame(level, start));
        Ok(())
    }

    fn close(&mut self, span: YSpan) -> Result<(), Fail> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        self.flow.pop();
        let span_end = self.pos(&span.end);
        let end_of = |tree: &TreeBuilder, level: &Level| {
            tree.last_pos(level)
                .map_or(span_end, |p| Pos::new(p.end() as usize, false))
        };
        match frame {
            Frame::Seq {
                level,
                start,
                anchor,
                count,
            } => {
                let node = PosNode::leaf(start, end_of(&self.tree, &level));
                let (value, node) = self.tree.close_array(level, node);
                self.complete(value, node, anchor, count, span)
            }
            Frame::Map {
                level,
                start,
                anchor,
                count,
                merges,
                ..
            } => {
                let node = PosNode::leaf(start, end_of(&self.tree, &level));
                // Merge keys: explicit keys win, then earlier merge sources.
                let (value, node) = self.tree.close_object(level, node, merges);
                self.complete(value, node, anchor, count, span)
            }
        }
    }

    fn scalar(
        &mut self,
        v: &str,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        span: YSpan,
    ) -> Result<(), Fail> {
        let (start, end) = (self.pos(&span.start), self.pos(&span.end));
        // A block scalar whose last line ends the file without a line break has no
        // final line break to keep (YAML 1.2.2 §8.1.1.2, `b-chomped-last`); saphyr adds
        // one, PyYAML and js-yaml do not.
        let v = match v.strip_suffix('\n') {
            Some(short)
                if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded)
                    && !self.text.ends_with(['\n', '\r'])
                    && end.at as usize >= self.text.trim_end_matches([' ', '\t']).len() =>
            {
                short
            }
            _ => v,
        };
        if let Some(Frame::Map {
            key: key @ None, ..
        }) = self.stack.last_mut()
        {
            let merge = v == "<<" && style == ScalarStyle::Plain && tag.is_none();
            *key = Some((v.to_string(), start, end, merge));
            if anchor != 0 {
                let bytes = v.len() + 8;
                self.charge(1, bytes, span)?;
                self.anchors.insert(
                    anchor,
                    (
                        Value::String(v.to_string()),
                        PosNode::leaf(start, end),
                        1,
                        bytes,
                    ),
                );
            }
            return Ok(());
        }
        let value = scalar_value(v, style, tag);
        self.complete(value, PosNode::leaf(start, end), anchor, 1, span)
    }

    fn alias(&mut self, id: usize, span: YSpan) -> Result<(), Fail> {
        let Some(&(_, _, count, bytes)) = self.anchors.get(&id) else {
            return Err(self.fail(
                "yaml-syntax",
                span,
                "alias to an unknown anchor".to_string(),
            ));
        };
        self.charge(count, bytes, span)?;
        let Some((value, pos, _, _)) = self.anchors.get(&id) else {
            return Ok(());
        };
        let (value, pos) = (value.clone(), *pos);
        let (start, end) = (self.pos(&span.start), self.pos(&span.end));
        if let Some(Frame::Map {
            key: key @ None, ..
        }) = self.stack.last_mut()
        {
            let k = match &value {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                Value::Null => "null".to_string(),
                _ => {
                    return Err(self.fail(
                        "yaml-syntax",
                        span,
                        "an alias to a mapping or sequence used as a mapping key".to_string(),
                    ));
                }
            };
            *key = Some((k, start, end, false));
            return Ok(());
        }
        // Positions of aliased content point at the anchored original (the alias node
        // shares its children); the node itself at the alias.
        let mut pos = pos;
        pos.set_span(start, end);
        self.attach(value, pos, count, span)
    }

    fn complete(
        &mut self,
        value: Value,
        pos: PosNode,
        anchor: usize,
        count: usize,
        span: YSpan,
    ) -> Result<(), Fail> {
        self.direct_nodes += 1;
        if anchor != 0 {
            // The anchored value is kept as a copy for its aliases: that copy is charged
            // like an expansion, so nested anchors cannot multiply memory unseen.
            let bytes = text_bytes(&value);
            self.charge(count, bytes, span)?;
            self.anchors
                .insert(anchor, (value.clone(), pos, count, bytes));
        }
        self.attach(value, pos, count, span)
    }

    /// Charge a copy of `nodes` nodes holding `bytes` bytes of text against the budgets:
    /// at most the file's own size or the fixed allowance, whichever is larger.
    fn charge(&mut self, nodes: usize, bytes: usize, span: YSpan) -> Result<(), Fail> {
        self.aliased_nodes = self.aliased_nodes.saturating_add(nodes);
        self.aliased_bytes = self.aliased_bytes.saturating_add(bytes);
        let node_limit = ALIAS_BUDGET.max(self.direct_nodes);
        let byte_limit = ALIAS_BYTES_BUDGET.max(self.text.len());
        if self.aliased_nodes > node_limit {
            return Err(self.fail(
                "yaml-alias-limit",
                span,
                format!(
                    "anchors and aliases copy more than {node_limit} nodes; refusing to expand further (possible alias bomb)"
                ),
            ));
        }
        if self.aliased_bytes > byte_limit {
            return Err(self.fail(
                "yaml-alias-limit",
                span,
                format!(
                    "anchors and aliases copy more than {} of text; refusing to expand further (possible alias bomb)",
                    crate::fsio::human_size(byte_limit as u64)
                ),
            ));
        }
        Ok(())
    }

    fn attach(
        &mut self,
        value: Value,
        mut pos: PosNode,
        count: usize,
        span: YSpan,
    ) -> Result<(), Fail> {
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some((value, pos));
            return Ok(());
        };
        match frame {
            Frame::Seq { count: c, .. } => {
                self.tree.push_item(value, pos);
                *c += count;
                Ok(())
            }
            Frame::Map {
                level,
                key,
                merges,
                count: c,
                ..
            } => {
                let Some((k, ks, ke, merge)) = key.take() else {
                    return Ok(());
                };
                *c += count;
                if merge {
                    match value {
                        Value::Object(_) => merges.push((value, pos)),
                        Value::Array(items) if items.iter().all(Value::is_object) => {
                            let children = self.tree.children(&pos);
                            merges.extend(items.into_iter().zip(children.iter().copied()));
                        }
                        _ => {
                            return Err(self.fail(
                                "yaml-syntax",
                                span,
                                "a merge key `<<` takes a mapping or a sequence of mappings"
                                    .to_string(),
                            ));
                        }
                    }
                    return Ok(());
                }
                pos.set_key(ks, ke);
                if let Some(dup) = self.tree.push_entry(level, k, value, pos) {
                    let d = Diagnostic::new(
                        "yaml-duplicate-key",
                        self.loc_of(ks.at as usize, ke.at as usize),
                        format!("duplicate key `{}` (the last value wins)", dup.key),
                    )
                    .with_related(self.loc_of(dup.first.0, dup.first.1), "first defined here");
                    self.diags.push(d);
                }
                Ok(())
            }
        }
    }
}

/// YAML 1.2 core schema resolution of a scalar.
fn scalar_value(v: &str, style: ScalarStyle, tag: Option<&Tag>) -> Value {
    if let Some(tag) = tag {
        if tag.handle == "tag:yaml.org,2002:" || tag.handle == "!!" {
            return match tag.suffix.as_str() {
                "str" => Value::String(v.to_string()),
                "null" => Value::Null,
                "bool" | "int" | "float" => {
                    plain_value(v).unwrap_or_else(|| Value::String(v.to_string()))
                }
                _ => Value::String(v.to_string()),
            };
        }
        // Local tags (`!Ref`, `!include`) carry no meaning for API documents.
    }
    if style != ScalarStyle::Plain {
        return Value::String(v.to_string());
    }
    plain_value(v).unwrap_or_else(|| Value::String(v.to_string()))
}

fn plain_value(v: &str) -> Option<Value> {
    match v {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Value::Null),
        "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
        _ => {}
    }
    let b = v.as_bytes();
    let first = *b.first()?;
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return None;
    }
    if let Some(o) = v.strip_prefix("0o") {
        return u64::from_str_radix(o, 8)
            .ok()
            .map(|n| Value::Number(n.into()));
    }
    if let Some(x) = v.strip_prefix("0x") {
        return u64::from_str_radix(x, 16)
            .ok()
            .map(|n| Value::Number(n.into()));
    }
    let digits = v.strip_prefix(['-', '+']).unwrap_or(v);
    if !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit()) {
        if let Ok(n) = v.parse::<i64>() {
            return Some(Value::Number(n.into()));
        }
        if let Some(n) = digits.parse::<u64>().ok().filter(|_| !v.starts_with('-')) {
            return Some(Value::Number(n.into()));
        }
        return v
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number);
    }
    if is_core_float(digits) {
        return v
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number);
    }
    // `.inf` / `.nan` have no JSON representation; keep them as strings.
    None
}

/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
fn is_core_float(s: &str) -> bool {
    let (mant, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mant_ok = match mant.split_once('.') {
        Some((a, b)) => {
            !(a.is_empty() && b.is_empty())
                && a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit())
        }
        None => !mant.is_empty() && mant.bytes().all(|c| c.is_ascii_digit()),
    };
    let exp_ok = exp.is_none_or(|e| {
        let d = e.strip_prefix(['-', '+']).unwrap_or(e);
        !d.is_empty() && d.bytes().all(|c| c.is_ascii_digit())
    });
    mant_ok && exp_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn load(src: &str) -> (Option<Value>, Vec<Diagnostic>) {
        let mut d = Vec::new();
        let name: Arc<str> = Arc::from("t.yaml");
        let v = parse(src, &name, &mut d).map(|p| p.value);
        (v, d)
    }

    #[test]
    fn core_schema() {
        let (v, d) = load(
            "a: 1\nb: 1.5\nc: 3.0.0\nd: true\ne: ~\nf: '1'\ng: 0x1F\nh: yes\ni: -2\nj: 1e3\nk: .inf\n",
        );
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(
            v.unwrap(),
            json!({"a":1,"b":1.5,"c":"3.0.0","d":true,"e":null,"f":"1","g":31,"h":"yes","i":-2,"j":1000.0,"k":".inf"})
        );
    }

    #[test]
    fn anchors_and_merge_keys() {
        let (v, d) = load("base: &b {x: 1, y: 2}\nderived:\n  <<: *b\n  y: 3\nlist: [*b]\n");
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(
            v.unwrap(),
            json!({"base":{"x":1,"y":2},"derived":{"y":3,"x":1},"list":[{"x":1,"y":2}]})
        );
    }

    #[test]
    fn duplicate_keys_have_both_locations() {
        let (_, d) = load("a: 1\nb: 2\na: 3\n");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].rule, "yaml-duplicate-key");
        assert_eq!(d[0].location.line(), Some(3));
        assert_eq!(d[0].related[0].location.line(), Some(1));
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut s = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let mut prev = 'a';
        for c in 'b'..='k' {
            s.push_str(&format!(
                "{c}: &{c} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
            prev = c;
        }
        let (v, d) = load(&s);
        assert!(v.is_none());
        assert_eq!(d[0].rule, "yaml-alias-limit");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let s = "[".repeat(100_000);
        let (v, d) = load(&s);
        assert!(v.is_none());
        assert_eq!(d[0].rule, "nesting-too-deep");
    }
}
