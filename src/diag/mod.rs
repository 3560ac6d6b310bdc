//! The one `Diagnostic` model every check produces and every renderer consumes.
//!
//! Checks return diagnostics; they never print. Renderers (`crate::report`) are pure
//! functions of `&[Diagnostic]` plus the source texts in a [`SourceSet`].

pub mod rules;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::Serialize;

pub use rules::{RULES, RuleMeta, rule_meta};

/// How serious a finding is. Ordered: `Hint < Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Hint,
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Hint => "hint",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A region of a source text. Lines and columns are 1-based; columns count Unicode
/// scalar values (what editors show). `start`/`end` are byte offsets into the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    pub line: u32,
    pub col: u32,
    pub end_line: u32,
    pub end_col: u32,
    #[serde(skip)]
    pub start: usize,
    #[serde(skip)]
    pub end: usize,
}

impl Span {
    /// A span covering from the start of `self` to the end of `other`.
    pub fn to(self, other: Span) -> Span {
        Span {
            end_line: other.end_line,
            end_col: other.end_col,
            end: other.end,
            ..self
        }
    }
}

/// Where a finding is: a file, optionally a span in it and the JSON pointer of the node.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    /// The file as the user should see it (relative to the working directory when possible).
    pub file: Arc<str>,
    #[serde(skip_serializing_if = "Option::is_none", flatten)]
    pub span: Option<Span>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
}

impl Location {
    pub fn file(file: impl Into<Arc<str>>) -> Self {
        Location {
            file: file.into(),
            span: None,
            pointer: None,
        }
    }

    pub fn line(&self) -> Option<u32> {
        self.span.map(|s| s.line)
    }

    pub fn col(&self) -> Option<u32> {
        self.span.map(|s| s.col)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.span {
            Some(s) => write!(f, "{}:{}:{}", self.file, s.line, s.col),
            None => f.write_str(&self.file),
        }
    }
}

/// A secondary location that helps explain a finding ("first defined here", "target file").
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Related {
    pub location: Location,
    pub message: String,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Diagnostic {
    /// Stable rule id, registered in [`rules::RULES`].
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    pub location: Location,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic with the rule's default severity.
    pub fn new(rule: &'static str, location: Location, message: impl Into<String>) -> Self {
        let severity = rule_meta(rule)
            .map(|m| m.severity)
            .unwrap_or(Severity::Error);
        Diagnostic {
            rule,
            severity,
            message: message.into(),
            location,
            related: Vec::new(),
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_related(mut self, location: Location, message: impl Into<String>) -> Self {
        self.related.push(Related {
            location,
            message: message.into(),
        });
        self
    }

    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Sort key: file, position, rule, message — deterministic output order.
    pub fn sort_key(&self) -> (&str, u32, u32, &str, &str) {
        (
            &self.location.file,
            self.location.line().unwrap_or(0),
            self.location.col().unwrap_or(0),
            self.rule,
            &self.message,
        )
    }
}

/// Sort diagnostics into their canonical, deterministic order and drop exact duplicates.
pub fn sort_and_dedup(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diags.dedup();
}

/// The texts of the files diagnostics point into, by display name, for renderers that
/// show source excerpts.
#[derive(Debug, Default, Clone)]
pub struct SourceSet {
    texts: BTreeMap<Arc<str>, Arc<str>>,
}

impl SourceSet {
    pub fn insert(&mut self, file: Arc<str>, text: Arc<str>) {
        self.texts.insert(file, text);
    }

    pub fn extend(&mut self, other: SourceSet) {
        self.texts.extend(other.texts);
    }

    pub fn get(&self, file: &str) -> Option<&str> {
        self.texts.get(file).map(|t| &**t)
    }
}

/// Counts by severity, for summaries and exit codes.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub hints: usize,
}

impl Counts {
    pub fn of(diags: &[Diagnostic]) -> Self {
        let mut c = Counts::default();
        for d in diags {
            match d.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Info => c.infos += 1,
                Severity::Hint => c.hints += 1,
            }
        }
        c
    }
}
