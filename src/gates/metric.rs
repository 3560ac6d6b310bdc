//! The result of one gate: a metric with numerator, denominator, threshold and status.
//! Renderers (`crate::report`) show these; `crate::gates` computes them.

use serde::Serialize;

/// Whether a metric meets its threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    /// The denominator is 0: nothing to measure (never passes or fails).
    #[serde(rename = "n/a")]
    NotApplicable,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::NotApplicable => "n/a",
        }
    }
}

/// One measured gate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metric {
    /// `event_flow_coverage`, …
    pub name: &'static str,
    /// The rule of the per-item diagnostics (`gate-event-flow-coverage`, …).
    pub rule: &'static str,
    pub numerator: usize,
    pub denominator: usize,
    /// The lowest passing ratio, 0.0–1.0 (exceeded, not met, when `strict`).
    pub threshold: f64,
    /// The ratio must exceed the threshold (`> 90%`), as the HNP checklist writes it;
    /// a threshold of 100% is met (`= 100%`).
    #[serde(skip)]
    pub strict: bool,
    pub status: Status,
    /// Items that missed but are suppressed (`ignore`, `x-hnp-ignore`); counted as passing.
    #[serde(skip_serializing_if = "is_zero")]
    pub waived: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Metric {
    /// numerator / denominator, or `None` when the denominator is 0.
    pub fn ratio(&self) -> Option<f64> {
        (self.denominator > 0).then(|| self.numerator as f64 / self.denominator as f64)
    }

    /// `93.5%` or `n/a`.
    pub fn value_text(&self) -> String {
        match self.ratio() {
            Some(r) => percent(r),
            None => "n/a".to_string(),
        }
    }

    /// Whether a ratio passes: above the threshold when strict (a small tolerance so
    /// that 9/10 counts as exactly 0.9 despite float rounding), else at or above it.
    pub fn meets(&self, r: f64) -> bool {
        if self.threshold >= 1.0 {
            r + 1e-9 >= 1.0
        } else if self.strict {
            r > self.threshold + 1e-9
        } else {
            r + 1e-9 >= self.threshold
        }
    }

    /// `> 90%`, `>= 80%`, `= 100%`.
    pub fn threshold_text(&self) -> String {
        if self.threshold >= 1.0 {
            format!("= {}", percent(self.threshold))
        } else if self.strict {
            format!("> {}", percent(self.threshold))
        } else {
            format!(">= {}", percent(self.threshold))
        }
    }
}

/// A ratio as a percentage with at most one decimal (`90%`, `93.5%`); never rounds up
/// to 100% when below it.
pub fn percent(r: f64) -> String {
    let tenths = (r * 1000.0).floor() / 10.0;
    if tenths.fract() == 0.0 {
        format!("{tenths:.0}%")
    } else {
        format!("{tenths:.1}%")
    }
}

/// What the table's columns and `n/a` mean, printed under it.
pub const LEGEND_PASSED: &str = "PASSED/COUNTED: the items (operations, messages, channels, saga steps) that meet the gate, of those it counts";
/// Printed under the table when a metric has nothing to count.
pub const LEGEND_NA: &str = "n/a: nothing to count, so the gate neither passes nor fails";
/// Printed instead of the table when no metric has anything to count.
pub const NOTHING_MEASURED: &str = "note: the architecture gates found nothing to measure (no operations, messages, channels or saga steps); `--no-gates` or `gates: off` in hnp-events.yaml turns them off";

/// Whether every metric has nothing to count (an empty document): a table of `n/a`
/// rows says nothing, so renderers print one note instead.
pub fn nothing_measured(metrics: &[Metric]) -> bool {
    !metrics.is_empty() && metrics.iter().all(|m| m.status == Status::NotApplicable)
}

/// Render metrics as an aligned text table (the human report), with a legend.
pub fn table(metrics: &[Metric]) -> String {
    if nothing_measured(metrics) {
        return format!("{NOTHING_MEASURED}\n");
    }
    let rows: Vec<[String; 5]> = metrics
        .iter()
        .map(|m| {
            [
                m.name.to_string(),
                m.value_text(),
                format!("{}/{}", m.numerator, m.denominator),
                m.threshold_text(),
                m.status.as_str().to_string(),
            ]
        })
        .collect();
    let headers = ["METRIC", "VALUE", "PASSED/COUNTED", "THRESHOLD", "STATUS"];
    let mut widths = headers.map(str::len);
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let mut s = String::new();
    let mut line = |cells: [&str; 5]| {
        let mut l = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                l.push_str(c);
            } else {
                l.push_str(&format!("{c:<w$}  ", w = widths[i]));
            }
        }
        s.push_str(l.trim_end());
        s.push('\n');
    };
    line(headers);
    for r in &rows {
        line([&r[0], &r[1], &r[2], &r[3], &r[4]]);
    }
    s.push_str(&format!("\n{LEGEND_PASSED}\n"));
    if metrics.iter().any(|m| m.status == Status::NotApplicable) {
        s.push_str(&format!("{LEGEND_NA}\n"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_never_rounds_up() {
        assert_eq!(percent(1.0), "100%");
        assert_eq!(percent(0.9), "90%");
        assert_eq!(percent(0.9999), "99.9%");
        assert_eq!(percent(0.0), "0%");
    }
}
