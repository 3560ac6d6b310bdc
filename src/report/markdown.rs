//! Markdown output (`--format markdown`), meant for a pull-request comment: a heading
//! with the verdict, the metrics table of the architecture gates, then the findings as
//! a list (`file:line:col` **severity** `rule`: message).

use super::{RenderOptions, Report};
use crate::gates::Status;

/// Escape text for a Markdown list item (`table: false`) or table cell (`table: true`).
/// Code spans (`` `x_y` ``) are copied as they are: Markdown shows a backslash inside
/// them literally, so `delivery\_declared` would be wrong there. Only a `|` in a table
/// cell is escaped inside a code span too, as GitHub's tables require. A backtick
/// run without a closing run of the same length is literal text and escaped.
fn esc_text(s: &str, table: bool) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '`' {
            let run = chars[i..].iter().take_while(|&&x| x == '`').count();
            if let Some(end) = closing_run(&chars, i + run, run) {
                // `end` is where the closing run starts.
                out.extend(&chars[i..i + run]);
                for &x in &chars[i + run..end] {
                    match x {
                        '|' if table => out.push_str("\\|"),
                        '\n' => out.push(' '),
                        _ => out.push(x),
                    }
                }
                out.extend(&chars[end..end + run]);
                i = end + run;
                continue;
            }
            for _ in 0..run {
                out.push_str("\\`");
            }
            i += run;
            continue;
        }
        match c {
            '\\' | '|' | '*' | '_' | '<' | '>' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push(' '),
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// The start of the first run of exactly `len` backticks at or after `from`.
fn closing_run(chars: &[char], from: usize, len: usize) -> Option<usize> {
    let mut j = from;
    while j < chars.len() {
        if chars[j] == '`' {
            let run = chars[j..].iter().take_while(|&&x| x == '`').count();
            if run == len {
                return Some(j);
            }
            j += run;
        } else {
            j += 1;
        }
    }
    None
}

fn esc(s: &str) -> String {
    esc_text(s, false)
}

fn esc_cell(s: &str) -> String {
    esc_text(s, true)
}

/// Render the report as Markdown.
pub fn render(report: &Report<'_>, opts: RenderOptions) -> String {
    let counts = report.counts();
    let failed_metrics = report
        .summary
        .metrics
        .iter()
        .filter(|m| m.status == Status::Fail)
        .count();
    let mut s = String::from("## hnp-events\n\n");
    let verdict = if counts.errors > 0 {
        "❌ failed"
    } else if counts.warnings > 0 {
        "⚠️ passed with warnings"
    } else {
        "✅ passed"
    };
    let n = |k: usize, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
    s.push_str(&format!(
        "{verdict}: {} checked, {}, {}, {}",
        n(report.summary.files, "file", "files"),
        n(counts.errors, "error", "errors"),
        n(counts.warnings, "warning", "warnings"),
        n(counts.infos, "info", "infos")
    ));
    if failed_metrics > 0 {
        s.push_str(&format!(
            ", {} below threshold",
            n(failed_metrics, "metric", "metrics")
        ));
    }
    if opts.timing {
        s.push_str(&format!(" ({} ms)", report.summary.elapsed.as_millis()));
    }
    s.push_str("\n\n");
    let metrics = &report.summary.metrics;
    if let Some(why) = &report.summary.gates_skipped {
        s.push_str(&format!("Note: {}\n\n", esc(why)));
    }
    if crate::gates::metric::nothing_measured(metrics) {
        let note = crate::gates::metric::NOTHING_MEASURED;
        let note = note.strip_prefix("note: ").unwrap_or(note);
        s.push_str(&format!("Note: {}\n\n", esc(note)));
    } else if !metrics.is_empty() {
        s.push_str(
            "| metric | value | passed/counted | threshold | status |\n|---|---:|---:|---:|---|\n",
        );
        for m in &report.summary.metrics {
            let status = match m.status {
                Status::Pass => "✅ pass",
                Status::Fail => "❌ fail",
                Status::NotApplicable => "➖ n/a",
            };
            s.push_str(&format!(
                "| `{}` | {} | {}/{} | {} | {status} |\n",
                m.name,
                m.value_text(),
                m.numerator,
                m.denominator,
                esc_cell(&m.threshold_text())
            ));
        }
        s.push_str(&format!("\n{}", esc(crate::gates::metric::LEGEND_PASSED)));
        if metrics.iter().any(|m| m.status == Status::NotApplicable) {
            s.push_str(&format!(" · {}", esc(crate::gates::metric::LEGEND_NA)));
        }
        s.push_str("\n\n");
    }
    if report.diagnostics.is_empty() {
        s.push_str("No findings.\n");
        return s;
    }
    s.push_str("### Findings\n\n");
    for d in report.diagnostics {
        s.push_str(&format!(
            "- `{}` **{}** `{}`: {}",
            d.location,
            d.severity,
            d.rule,
            esc(&d.message)
        ));
        if let Some(h) = &d.help {
            s.push_str(&format!(" — _{}_", esc(h)));
        }
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_keep_their_text() {
        assert_eq!(
            esc("`delivery_declared` is 50% a_b"),
            "`delivery_declared` is 50% a\\_b"
        );
        assert_eq!(esc("`command|query`"), "`command|query`");
        assert_eq!(esc_cell("`command|query` | x"), "`command\\|query` \\| x");
        assert_eq!(esc("``a`b`` c_d"), "``a`b`` c\\_d");
        // An unclosed backtick is literal text.
        assert_eq!(esc("a ` b_c"), "a \\` b\\_c");
        assert_eq!(esc("`x` and `y_z"), "`x` and \\`y\\_z");
    }
}
