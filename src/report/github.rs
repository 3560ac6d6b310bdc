//! GitHub Actions workflow commands (`--format github`): one `::error`, `::warning` or
//! `::notice` line per diagnostic, which GitHub shows as annotations on the pull request.
//!
//! ```text
//! ::error file=api.yaml,line=7,col=3,endLine=7,endColumn=7,title=yaml-duplicate-key::key `name` is defined twice%0Aapi.yaml:4:3: first defined here%0Aremove one of the two keys
//! ```
//!
//! The message is the diagnostic's message, then one line per related location
//! (`file:line:col: message`), then the help text. Position properties that are unknown
//! are omitted. A run without diagnostics prints nothing, except a `::warning::` line when
//! remote `$ref`s were not fetched.

use std::fmt::Write as _;

use super::Report;
use super::human::remote_refs_note;
use crate::diag::{Diagnostic, Severity};

/// Render one workflow command per diagnostic.
pub fn render(report: &Report<'_>) -> String {
    let mut out = String::new();
    for diag in report.diagnostics {
        command(&mut out, diag);
    }
    if let Some(note) = remote_refs_note(report.summary.remote_refs) {
        let note = note.strip_prefix("note: ").unwrap_or(&note);
        let _ = writeln!(out, "::warning title=ref-remote::{}", data(note));
    }
    out
}

fn command(out: &mut String, diag: &Diagnostic) {
    let name = match diag.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "notice",
    };
    let loc = &diag.location;
    let mut props = vec![format!("file={}", property(&loc.file))];
    if let Some(span) = loc.span.filter(|s| s.line >= 1) {
        props.push(format!("line={}", span.line));
        if span.col >= 1 {
            props.push(format!("col={}", span.col));
        }
        if span.end_line >= span.line {
            props.push(format!("endLine={}", span.end_line));
            if span.end_col >= 1 {
                props.push(format!("endColumn={}", span.end_col));
            }
        }
    }
    props.push(format!("title={}", property(diag.rule)));

    let mut message = diag.message.clone();
    for related in &diag.related {
        let _ = write!(message, "\n{}: {}", related.location, related.message);
    }
    if let Some(help) = &diag.help {
        message.push('\n');
        message.push_str(help);
    }
    let _ = writeln!(out, "::{name} {}::{}", props.join(","), data(&message));
}

/// Escape a command's data (the message).
fn data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// Escape a command property value.
fn property(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' => out.push_str("%3A"),
            ',' => out.push_str("%2C"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(data("50% a:b,c\r\nd"), "50%25 a:b,c%0D%0Ad");
        assert_eq!(property("50% a:b,c\r\nd"), "50%25 a%3Ab%2Cc%0D%0Ad");
    }
}
