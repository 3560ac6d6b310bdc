//! Markdown output (`--format markdown`), meant for a pull-request comment: a heading
//! with the verdict, the metrics table of the architecture gates, then the findings as
//! a list (`file:line:col` **severity** `rule`: message).

use super::{RenderOptions, Report};
use crate::gates::Status;

/// Escape text for a Markdown table cell or list item.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' | '*' | '_' | '<' | '>' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
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
    if !report.summary.metrics.is_empty() {
        s.push_str("| metric | value | n/d | threshold | status |\n|---|---:|---:|---:|---|\n");
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
                esc(&m.threshold_text())
            ));
        }
        s.push('\n');
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
