//! Human output: one rustc-style block per diagnostic, with source excerpts drawn by
//! `annotate-snippets`, then a one-line summary.
//!
//! ```text
//! error[yaml-duplicate-key]: key `name` is defined twice
//!  --> api.yaml:7:3
//!   |
//! 4 |   name: first
//!   |   ---- first defined here
//! ...
//! 7 |   name: second
//!   |   ^^^^
//!   |
//!   = help: remove one of the two keys
//!
//! 2 files checked: 1 error
//! ```
//!
//! Excerpts are cut from the texts in [`SourceSet`](crate::diag::SourceSet) by the spans'
//! byte offsets. Offsets are clamped to the text and moved to character boundaries, so a
//! stale or wrong span degrades to a shorter excerpt or to a bare `--> file:line:col`
//! line, never to a panic.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::time::Duration;

use annotate_snippets::renderer::{DEFAULT_ERROR_STYLE, DEFAULT_NOTE_STYLE, DEFAULT_WARNING_STYLE};
use annotate_snippets::renderer::{Effects, Style};
use annotate_snippets::{
    Annotation, AnnotationKind, Element, Group, Level, Origin, Renderer, Snippet,
    normalize_untrusted_str,
};

use super::{RenderOptions, Report, Summary};
use crate::diag::{Counts, Diagnostic, Location, Severity, Span};

/// Annotations of one file that lie within this many lines of each other share one
/// excerpt; farther ones get an excerpt of their own (`::: file:line:col`).
const MAX_EXCERPT_GAP: usize = 40;

/// Excerpts are at most this many bytes of text, which bounds the cost of drawing one
/// (annotate-snippets works on whole lines): a span over more text is cut back to its
/// first line, and a span on a longer line (minified JSON) is shown without an excerpt.
const MAX_EXCERPT_BYTES: usize = 16 * 1024;

/// Render diagnostics for people. Colour (ANSI) only when `opts.color`.
pub fn render(report: &Report<'_>, opts: RenderOptions) -> String {
    let renderer = if opts.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let texts = Texts::new(report);
    let mut out = String::new();
    for diag in report.diagnostics {
        let group = diagnostic_group(diag, &texts);
        out.push_str(&renderer.render(&[group]));
        out.push_str("\n\n");
    }
    if opts.quiet {
        return out;
    }
    if !report.summary.metrics.is_empty() {
        out.push_str(&crate::gates::metric::table(&report.summary.metrics));
        out.push('\n');
    }
    if let Some(why) = &report.summary.gates_skipped {
        out.push_str(&format!("note: {why}\n\n"));
    }
    out.push_str(&summary_line(report.summary, report.counts(), opts));
    out.push('\n');
    if let Some(note) = remote_refs_note(report.summary.remote_refs) {
        if opts.color {
            out.push_str(&paint(DEFAULT_NOTE_STYLE, "note"));
            out.push_str(note.strip_prefix("note").unwrap_or(&note));
        } else {
            out.push_str(&note);
        }
        out.push('\n');
    }
    out
}

/// `note: N remote $refs were not fetched; …`, or `None` when there were none.
pub(crate) fn remote_refs_note(remote_refs: usize) -> Option<String> {
    match remote_refs {
        0 => None,
        1 => Some(
            "note: 1 remote $ref was not fetched; the content behind it was not validated"
                .to_owned(),
        ),
        n => Some(format!(
            "note: {n} remote $refs were not fetched; the content behind them was not validated"
        )),
    }
}

/// `3 files checked: 2 errors, 1 warning in 12ms` / `1 file checked: no problems found`.
fn summary_line(summary: &Summary, counts: Counts, opts: RenderOptions) -> String {
    let files = plural(summary.files, "file", "files");
    let mut parts = Vec::new();
    let mut push = |n: usize, one: &str, many: &str, style: Option<Style>| {
        if n > 0 {
            let text = plural(n, one, many);
            parts.push(match style {
                Some(style) if opts.color => paint(style, &text),
                _ => text,
            });
        }
    };
    push(counts.errors, "error", "errors", Some(DEFAULT_ERROR_STYLE));
    push(
        counts.warnings,
        "warning",
        "warnings",
        Some(DEFAULT_WARNING_STYLE),
    );
    push(counts.infos, "info", "infos", None);
    push(counts.hints, "hint", "hints", None);
    let findings = if parts.is_empty() {
        "no problems found".to_owned()
    } else {
        parts.join(", ")
    };
    let lead = format!("{files} checked:");
    let mut line = if opts.color {
        paint(Style::new().effects(Effects::BOLD), &lead)
    } else {
        lead
    };
    line.push(' ');
    line.push_str(&findings);
    if opts.timing {
        line.push_str(" in ");
        line.push_str(&format_duration(summary.elapsed));
    }
    line
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn format_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms}ms")
    } else {
        format!("{:.2}s", d.as_secs_f64())
    }
}

fn paint(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
        Severity::Hint => Level::HELP.with_name("hint"),
    }
}

/// The annotate-snippets group of one diagnostic.
fn diagnostic_group<'a>(diag: &'a Diagnostic, texts: &'a Texts<'_>) -> Group<'a> {
    let title = level(diag.severity)
        .primary_title(diag.message.as_str())
        .id(diag.rule);
    let mut elements: Vec<Element<'a>> = Vec::new();
    let mut notes: Vec<Element<'a>> = Vec::new();

    match texts.resolve(&diag.location) {
        Some(primary) => {
            let mut excerpts = vec![Excerpt::new(primary, AnnotationKind::Primary, None)];
            for related in &diag.related {
                let label = Some(related.message.as_str()).filter(|m| !m.is_empty());
                match texts.resolve(&related.location) {
                    Some(mark) => match excerpts.iter_mut().find(|e| e.accepts(&mark)) {
                        Some(excerpt) => excerpt.add(mark, AnnotationKind::Context, label),
                        None => excerpts.push(Excerpt::new(mark, AnnotationKind::Context, label)),
                    },
                    None => notes.push(related_note(&related.location, &related.message)),
                }
            }
            elements.extend(excerpts.into_iter().map(|e| Element::from(e.snippet())));
        }
        None => {
            // Without an excerpt of the primary location, related excerpts would be drawn
            // as if they were the primary one; list them as notes instead.
            elements.push(origin(&diag.location).into());
            for related in &diag.related {
                notes.push(related_note(&related.location, &related.message));
            }
        }
    }
    elements.extend(notes);
    if let Some(help) = &diag.help {
        elements.push(Level::HELP.message(normalize_untrusted_str(help)).into());
    }
    Group::with_title(title).elements(elements)
}

/// `--> file:line:col` without an excerpt.
fn origin(location: &Location) -> Origin<'_> {
    let origin = Origin::path(&*location.file);
    match location.span {
        Some(span) => origin
            .line(span.line as usize)
            .char_column(span.col as usize),
        None => origin,
    }
}

/// `= note: file:line:col: message` for a related location without an excerpt.
fn related_note<'a>(location: &Location, message: &str) -> Element<'a> {
    let text = if message.is_empty() {
        location.to_string()
    } else {
        format!("{location}: {message}")
    };
    Level::NOTE.message(normalize_untrusted_str(&text)).into()
}

/// A span resolved against its file's text: a valid byte range plus its 0-based lines.
struct Mark<'a> {
    file: &'a str,
    text: &'a str,
    index: &'a LineIndex,
    range: Range<usize>,
    first_line: usize,
    last_line: usize,
}

/// Several annotations of one file drawn over one cut of its text.
struct Excerpt<'a> {
    file: &'a str,
    text: &'a str,
    index: &'a LineIndex,
    first_line: usize,
    last_line: usize,
    marks: Vec<(Range<usize>, AnnotationKind, Option<&'a str>)>,
}

impl<'a> Excerpt<'a> {
    fn new(mark: Mark<'a>, kind: AnnotationKind, label: Option<&'a str>) -> Self {
        Excerpt {
            file: mark.file,
            text: mark.text,
            index: mark.index,
            first_line: mark.first_line,
            last_line: mark.last_line,
            marks: vec![(mark.range, kind, label)],
        }
    }

    /// Whether `mark` is in the same file and close enough to share this excerpt.
    fn accepts(&self, mark: &Mark<'_>) -> bool {
        self.file == mark.file
            && mark.first_line <= self.last_line + MAX_EXCERPT_GAP
            && self.first_line <= mark.last_line + MAX_EXCERPT_GAP
            && self.cut_len(
                self.first_line.min(mark.first_line),
                self.last_line.max(mark.last_line),
            ) <= MAX_EXCERPT_BYTES
    }

    fn cut_len(&self, first_line: usize, last_line: usize) -> usize {
        self.index.cut(first_line, last_line, self.text.len()).len()
    }

    fn add(&mut self, mark: Mark<'a>, kind: AnnotationKind, label: Option<&'a str>) {
        self.first_line = self.first_line.min(mark.first_line);
        self.last_line = self.last_line.max(mark.last_line);
        self.marks.push((mark.range, kind, label));
    }

    /// The snippet: only the lines the annotations touch (folding hides the rest), so
    /// that the cost does not grow with the size of the file.
    fn snippet(self) -> Snippet<'a, Annotation<'a>> {
        let cut = self
            .index
            .cut(self.first_line, self.last_line, self.text.len());
        let base = cut.start;
        let annotations = self.marks.into_iter().map(|(range, kind, label)| {
            let start = range.start.saturating_sub(base);
            let end = range.end.saturating_sub(base);
            kind.span(start..end).label(label)
        });
        Snippet::source(self.text.get(cut).unwrap_or_default())
            .line_start(self.first_line + 1)
            .path(self.file)
            .annotations(annotations)
    }
}

/// Byte offsets of line starts of a text (lines end at `\n`).
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    /// 0-based line of a byte offset.
    fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1)
    }

    fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(0)
    }

    /// Offset just past the line's `\n` (or the end of the text).
    fn line_end(&self, line: usize, len: usize) -> usize {
        self.starts.get(line + 1).copied().unwrap_or(len)
    }

    /// The bytes of lines `first..=last`, with the last line's `\n`.
    fn cut(&self, first: usize, last: usize, len: usize) -> Range<usize> {
        self.line_start(first)..self.line_end(last, len)
    }
}

/// The texts diagnostics point into, each with its line index, built once per render.
struct Texts<'a> {
    files: HashMap<&'a str, (Cow<'a, str>, LineIndex)>,
}

/// The text as drawn: a lone CR ends a line (as the locations count lines) but
/// annotate-snippets breaks lines at LF only, so lone CRs become LFs (the same length:
/// offsets stay valid).
fn shown_text(text: &str) -> Cow<'_, str> {
    let b = text.as_bytes();
    let lone = |i: usize| b[i] == b'\r' && b.get(i + 1) != Some(&b'\n');
    if !(0..b.len()).any(lone) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('\r') {
        out.push_str(&rest[..i]);
        out.push(if rest.as_bytes().get(i + 1) == Some(&b'\n') {
            '\r'
        } else {
            '\n'
        });
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

impl<'a> Texts<'a> {
    fn new(report: &Report<'a>) -> Self {
        let mut files = HashMap::new();
        let locations = report.diagnostics.iter().flat_map(|d| {
            std::iter::once(&d.location).chain(d.related.iter().map(|r| &r.location))
        });
        for location in locations {
            if location.span.is_none() {
                continue;
            }
            let file: &'a str = &location.file;
            if !files.contains_key(file) {
                if let Some(text) = report.sources.get(file) {
                    let text = shown_text(text);
                    let index = LineIndex::new(&text);
                    files.insert(file, (text, index));
                }
            }
        }
        Texts { files }
    }

    /// The location as a drawable mark, if its text is known and its span fits in it.
    fn resolve(&self, location: &Location) -> Option<Mark<'_>> {
        let span = location.span?;
        let (file, (text, index)) = self.files.get_key_value(&*location.file)?;
        let text: &str = text;
        let mut range = clamp(text, &span)?;
        let first_line = index.line_of(range.start);
        let mut last_line = if range.end > range.start {
            index.line_of(range.end - 1)
        } else {
            first_line
        };
        if index.cut(first_line, last_line, text.len()).len() > MAX_EXCERPT_BYTES {
            // Keep the start of the span: cut it back to the end of its first line.
            let first = index.cut(first_line, first_line, text.len());
            if first.len() > MAX_EXCERPT_BYTES {
                return None;
            }
            let line = text.get(first.clone()).unwrap_or_default();
            let content = line.trim_end_matches(['\n', '\r']).len();
            range.end = range.end.min(first.start + content).max(range.start);
            last_line = first_line;
        }
        Some(Mark {
            file,
            text,
            index,
            range,
            first_line,
            last_line,
        })
    }
}

/// The byte range of `span` in `text`, moved to character boundaries, or `None` when the
/// span starts beyond the text (it belongs to another version of the file).
fn clamp(text: &str, span: &Span) -> Option<Range<usize>> {
    if span.start > text.len() {
        return None;
    }
    let mut start = span.start;
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = span.end.clamp(start, text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    Some(start..end)
}
