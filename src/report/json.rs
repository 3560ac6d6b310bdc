//! JSON output (`--format json`): one pretty-printed JSON document per run.
//!
//! The shape is stable: fields are only ever added, and a breaking change would bump
//! `version`. Optional fields are omitted when they have no value (never `null`).
//!
//! ```json
//! {
//!   "version": 1,
//!   "tool": { "name": "hnp-events", "version": "0.1.0" },
//!   "summary": {
//!     "files": 3,
//!     "errors": 1,
//!     "warnings": 1,
//!     "infos": 0,
//!     "hints": 0,
//!     "remote_refs": 0,
//!     "elapsed_ms": 12
//!   },
//!   "metrics": [
//!     {
//!       "name": "event_flow_coverage",
//!       "rule": "gate-event-flow-coverage",
//!       "numerator": 9,
//!       "denominator": 10,
//!       "value": 0.9,
//!       "threshold": 0.9,
//!       "status": "pass"
//!     }
//!   ],
//!   "diagnostics": [
//!     {
//!       "rule": "yaml-duplicate-key",
//!       "severity": "error",
//!       "message": "key `name` is defined twice",
//!       "file": "api.yaml",
//!       "line": 7,
//!       "column": 3,
//!       "end_line": 7,
//!       "end_column": 7,
//!       "pointer": "/info/name",
//!       "related": [
//!         {
//!           "file": "api.yaml",
//!           "line": 4,
//!           "column": 3,
//!           "end_line": 4,
//!           "end_column": 7,
//!           "pointer": "/info/name",
//!           "message": "first defined here"
//!         }
//!       ],
//!       "help": "remove one of the two keys"
//!     }
//!   ]
//! }
//! ```
//!
//! | Field | Type | Meaning |
//! |---|---|---|
//! | `version` | integer | Version of this output shape; currently `1`. |
//! | `tool.name`, `tool.version` | string | `hnp-events` and its version. |
//! | `summary.files` | integer | Files loaded (documents, fragments and `$ref` targets). |
//! | `summary.errors` / `warnings` / `infos` / `hints` | integer | Diagnostics per severity. |
//! | `summary.remote_refs` | integer | Remote `$ref`s that were not fetched, so not validated. |
//! | `summary.elapsed_ms` | integer, optional | Wall-clock time of the run; only with timing enabled. |
//! | `summary.gates_skipped` | string, optional | Why the gates did not run (the documents have structural errors); `metrics` is then empty. |
//! | `metrics` | array | Architecture gates (empty with `--no-gates`), in a fixed order. |
//! | `metrics[].name`, `rule` | string | The metric (`event_flow_coverage`, …) and the rule of its per-item findings. |
//! | `metrics[].numerator`, `denominator` | integer | Items that pass (suppressed misses included) / items counted. |
//! | `metrics[].value` | number, optional | numerator/denominator (4 decimals); absent when the denominator is 0. |
//! | `metrics[].threshold` | number | The lowest passing ratio, 0–1. |
//! | `metrics[].status` | string | `pass`, `fail` or `n/a` (nothing to count). |
//! | `metrics[].waived` | integer, optional | Misses suppressed by `ignore`/`x-hnp-ignore`; absent when 0. |
//! | `diagnostics` | array | Findings, sorted by file, line, column, rule and message. |
//! | `rule` | string | Rule id (see `hnp-events rules`). |
//! | `severity` | string | `error`, `warning`, `info` or `hint`. |
//! | `message` | string | What is wrong. |
//! | `file` | string | The file, as given on the command line or reached by `$ref`. |
//! | `line`, `column` | integer, optional | 1-based start; columns count Unicode scalar values. Absent when the finding is about the whole file. |
//! | `end_line`, `end_column` | integer, optional | 1-based end of the region (the column just past its last character). Present exactly when `line` is. |
//! | `pointer` | string, optional | JSON pointer (RFC 6901) of the node in the document. |
//! | `related` | array, optional | Other locations that explain the finding; each has `file`, optional `line`, `column`, `end_line`, `end_column` and `pointer` as above, and `message`. Absent when empty. |
//! | `help` | string, optional | How to fix it. |

use serde_json::{Map, Value, json};

use super::{RenderOptions, Report};
use crate::diag::{Diagnostic, Location};

/// Version of the JSON output shape.
pub const FORMAT_VERSION: u64 = 1;

/// Render the report as the JSON document described in the module documentation.
pub fn render(report: &Report<'_>, opts: RenderOptions) -> String {
    let mut out = serde_json::to_string_pretty(&to_value(report, opts))
        .expect("serializing a serde_json::Value cannot fail");
    out.push('\n');
    out
}

/// The report as a JSON value (the document [`render`] prints).
pub fn to_value(report: &Report<'_>, opts: RenderOptions) -> Value {
    let counts = report.counts();
    let mut summary = Map::new();
    summary.insert("files".into(), report.summary.files.into());
    summary.insert("errors".into(), counts.errors.into());
    summary.insert("warnings".into(), counts.warnings.into());
    summary.insert("infos".into(), counts.infos.into());
    summary.insert("hints".into(), counts.hints.into());
    summary.insert("remote_refs".into(), report.summary.remote_refs.into());
    if let Some(why) = &report.summary.gates_skipped {
        summary.insert("gates_skipped".into(), why.clone().into());
    }
    if opts.timing {
        let ms = u64::try_from(report.summary.elapsed.as_millis()).unwrap_or(u64::MAX);
        summary.insert("elapsed_ms".into(), ms.into());
    }
    json!({
        "version": FORMAT_VERSION,
        "tool": {
            "name": "hnp-events",
            "version": env!("CARGO_PKG_VERSION"),
        },
        "summary": summary,
        "metrics": report.summary.metrics.iter().map(metric).collect::<Vec<_>>(),
        "diagnostics": report.diagnostics.iter().map(diagnostic).collect::<Vec<_>>(),
    })
}

fn metric(m: &crate::gates::Metric) -> Value {
    let mut obj = Map::new();
    obj.insert("name".into(), m.name.into());
    obj.insert("rule".into(), m.rule.into());
    obj.insert("numerator".into(), m.numerator.into());
    obj.insert("denominator".into(), m.denominator.into());
    if let Some(r) = m.ratio() {
        obj.insert("value".into(), json!((r * 10000.0).round() / 10000.0));
    }
    obj.insert("threshold".into(), json!(m.threshold));
    obj.insert("status".into(), m.status.as_str().into());
    if m.waived > 0 {
        obj.insert("waived".into(), m.waived.into());
    }
    Value::Object(obj)
}

fn diagnostic(diag: &Diagnostic) -> Value {
    let mut obj = Map::new();
    obj.insert("rule".into(), diag.rule.into());
    obj.insert("severity".into(), diag.severity.as_str().into());
    obj.insert("message".into(), diag.message.as_str().into());
    location(&mut obj, &diag.location);
    if !diag.related.is_empty() {
        let related = diag
            .related
            .iter()
            .map(|r| {
                let mut obj = Map::new();
                location(&mut obj, &r.location);
                obj.insert("message".into(), r.message.as_str().into());
                Value::Object(obj)
            })
            .collect();
        obj.insert("related".into(), Value::Array(related));
    }
    if let Some(help) = &diag.help {
        obj.insert("help".into(), help.as_str().into());
    }
    Value::Object(obj)
}

/// `file`, then the position fields and `pointer` when present.
fn location(obj: &mut Map<String, Value>, loc: &Location) {
    obj.insert("file".into(), (*loc.file).into());
    if let Some(span) = loc.span {
        obj.insert("line".into(), span.line.into());
        obj.insert("column".into(), span.col.into());
        obj.insert("end_line".into(), span.end_line.into());
        obj.insert("end_column".into(), span.end_col.into());
    }
    if let Some(pointer) = &loc.pointer {
        obj.insert("pointer".into(), pointer.as_str().into());
    }
}
