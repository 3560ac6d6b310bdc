//! Renderers: pure functions of diagnostics + sources (+ a run summary) to text.
//!
//! Owns every output format. Must not load files, run checks or decide exit codes.

pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;

use std::time::Duration;

use crate::diag::{Counts, Diagnostic, SourceSet};

/// Output formats of `validate` (and other commands that report diagnostics).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Source excerpts with carets, for people (colour only on a terminal).
    Human,
    /// A stable JSON document (see the JSON output section of the README).
    Json,
    /// SARIF 2.1.0 for code-scanning upload (GitHub, GitLab, Azure DevOps).
    Sarif,
    /// JUnit XML for CI test reports.
    Junit,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
    /// Markdown for a pull-request comment: the metrics table and the findings.
    Markdown,
}

/// Facts about the run that renderers show besides the diagnostics.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Number of files loaded (documents, fragments and `$ref` targets).
    pub files: usize,
    /// Wall-clock time of the run; renderers that must be deterministic ignore it
    /// when `RenderOptions::timing` is false.
    pub elapsed: Duration,
    /// Remote `$ref`s that were not fetched, so their content was not validated.
    pub remote_refs: usize,
    /// The architecture gates' metrics (empty with `--no-gates`).
    pub metrics: Vec<crate::gates::Metric>,
    /// Why the gates did not run although they were asked for (structural errors).
    pub gates_skipped: Option<String>,
}

/// How to render.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// ANSI colour (human format only).
    pub color: bool,
    /// Include elapsed time (off in snapshot tests).
    pub timing: bool,
    /// Diagnostics only: no summary line or notes (human format).
    pub quiet: bool,
}

/// Everything a renderer needs.
#[derive(Debug, Clone, Copy)]
pub struct Report<'a> {
    /// Sorted, deduplicated diagnostics.
    pub diagnostics: &'a [Diagnostic],
    pub sources: &'a SourceSet,
    pub summary: &'a Summary,
}

impl Report<'_> {
    pub fn counts(&self) -> Counts {
        Counts::of(self.diagnostics)
    }
}

/// Render a report in the given format. The result ends with a newline.
pub fn render(format: Format, report: &Report<'_>, opts: RenderOptions) -> String {
    match format {
        Format::Human => human::render(report, opts),
        Format::Json => json::render(report, opts),
        Format::Sarif => sarif::render(report),
        Format::Junit => junit::render(report, opts),
        Format::Github => github::render(report),
        Format::Markdown => markdown::render(report, opts),
    }
}
