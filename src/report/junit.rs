//! JUnit XML output (`--format junit`) for CI test reports.
//!
//! One `<testsuite>` per file with diagnostics (named after the file) holding one
//! `<testcase>` per diagnostic: errors and warnings fail (`<failure type="rule-id">`),
//! infos and hints pass and carry their text in `<system-out>`. A run without
//! diagnostics yields one suite with one passing test case, `validate`, so that CI shows
//! a green test rather than none.

use std::fmt::Write as _;

use super::{RenderOptions, Report};
use crate::diag::{Diagnostic, Severity};

/// Render the report as a JUnit XML document.
pub fn render(report: &Report<'_>, opts: RenderOptions) -> String {
    let diags = report.diagnostics;
    let failures = diags.iter().filter(|d| is_failure(d)).count();
    let tests = diags.len().max(1);

    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = write!(
        out,
        "<testsuites name=\"hnp-events\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\""
    );
    if opts.timing {
        let _ = write!(out, " time=\"{:.3}\"", report.summary.elapsed.as_secs_f64());
    }
    out.push_str(">\n");

    if diags.is_empty() {
        out.push_str(
            "  <testsuite name=\"hnp-events\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\">\n",
        );
        out.push_str("    <testcase name=\"validate\" classname=\"hnp-events\"/>\n");
        out.push_str("  </testsuite>\n");
    }
    for suite in suites(diags) {
        let file = &*suite[0].location.file;
        let failures = suite.iter().filter(|d| is_failure(d)).count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">",
            attr(file),
            suite.len(),
        );
        for diag in suite {
            testcase(&mut out, diag);
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

fn is_failure(diag: &Diagnostic) -> bool {
    diag.severity >= Severity::Warning
}

/// Runs of consecutive diagnostics of one file, in order of first appearance (the
/// diagnostics are sorted by file, so each file forms one run).
fn suites(diags: &[Diagnostic]) -> Vec<Vec<&Diagnostic>> {
    let mut suites: Vec<Vec<&Diagnostic>> = Vec::new();
    for diag in diags {
        let same_file = |s: &&mut Vec<&Diagnostic>| s[0].location.file == diag.location.file;
        match suites.iter_mut().find(same_file) {
            Some(suite) => suite.push(diag),
            None => suites.push(vec![diag]),
        }
    }
    suites
}

fn testcase(out: &mut String, diag: &Diagnostic) {
    let file = &*diag.location.file;
    let name = format!("{} at {}", diag.rule, diag.location);
    let _ = writeln!(
        out,
        "    <testcase name=\"{}\" classname=\"{}\">",
        attr(&name),
        attr(file)
    );
    let body = text(&details(diag));
    if is_failure(diag) {
        let _ = writeln!(
            out,
            "      <failure type=\"{}\" message=\"{}\">{body}</failure>",
            attr(diag.rule),
            attr(&diag.message),
        );
    } else {
        let _ = writeln!(out, "      <system-out>{body}</system-out>");
    }
    out.push_str("    </testcase>\n");
}

/// `severity[rule] at file:line:col`, the message, related locations and help, one per line.
fn details(diag: &Diagnostic) -> String {
    let mut s = format!(
        "{}[{}] at {}\n{}",
        diag.severity, diag.rule, diag.location, diag.message
    );
    for related in &diag.related {
        let _ = write!(s, "\n{}: {}", related.location, related.message);
    }
    if let Some(help) = &diag.help {
        let _ = write!(s, "\nhelp: {help}");
    }
    s
}

/// Escape for an attribute value: also quotes, and line breaks and tabs as character
/// references so that attribute-value normalization keeps them.
fn attr(s: &str) -> String {
    escape(s, true)
}

/// Escape for element content.
fn text(s: &str) -> String {
    escape(s, false)
}

/// XML-escape `s`, dropping characters XML 1.0 does not allow at all (most C0 controls,
/// U+FFFE and U+FFFF).
fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\n' | '\t' => out.push(c),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
    out
}

/// XML 1.0 `Char` (surrogates cannot occur in a Rust `char`).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{FFFD}' | '\u{10000}'..)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(
            attr("a&b<c>d\"e'f\ng\th\r\u{1b}\u{0}\u{FFFE}ü"),
            "a&amp;b&lt;c&gt;d&quot;e&apos;f&#10;g&#9;h&#13;ü"
        );
        assert_eq!(text("x\ny\tz\u{7}"), "x\ny\tz");
    }
}
