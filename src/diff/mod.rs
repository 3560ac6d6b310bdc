//! `hnp-events diff`: what changed between two revisions of a contract, and who it
//! breaks.
//!
//! - [`schema`]: the JSON Schema compatibility engine (old/new schema → issues per
//!   direction), independent of documents;
//! - [`load`]: the documents of one revision (a folder on disk or a git tree) with their
//!   `$ref`s resolved inside that revision;
//! - [`contract`]: identity of channels, operations, messages and HTTP operations
//!   across revisions, the direction of every schema occurrence, the contract-level
//!   rules and the versioning policy → diagnostics located in the new revision;
//! - [`git`]: reading a revision's files straight from git's object database;
//! - [`render`]: the markdown changelog.
//!
//! Nothing here prints or decides exit codes (`crate::cli::diff` does).

pub mod contract;
pub mod git;
pub mod load;
pub mod render;
pub mod saga;
pub mod schema;
pub mod settings;

use std::collections::BTreeMap;

use crate::config::RuleLevel;
use crate::diag::{Diagnostic, Severity};

/// Which side a change breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Breaks {
    /// Readers still on the old contract (consumers of what the application sends,
    /// clients reading responses).
    OldReaders,
    /// Writers still on the old contract (producers of what the application
    /// receives, clients sending requests).
    OldWriters,
}

impl Breaks {
    pub fn describe(self) -> &'static str {
        match self {
            Breaks::OldReaders => "breaks readers still on the old version",
            Breaks::OldWriters => "breaks writers still on the old version",
        }
    }
}

/// Who writes and who reads a schema occurrence, seen from the application the
/// document describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Flow {
    /// The application writes it; others read (AsyncAPI `send`, 2.x `subscribe`,
    /// HTTP responses).
    Written,
    /// Others write it; the application reads (AsyncAPI `receive`, 2.x `publish`, HTTP
    /// requests and parameters).
    Read,
    /// Both, or unknown (a message no operation uses): both directions must hold.
    Both,
}

impl Flow {
    pub fn merge(self, other: Flow) -> Flow {
        if self == other { self } else { Flow::Both }
    }

    /// Whether changes that break old writers matter (the new side reads what old
    /// writers send).
    pub fn checks_old_writers(self) -> bool {
        matches!(self, Flow::Read | Flow::Both)
    }

    /// Whether changes that break old readers matter.
    pub fn checks_old_readers(self) -> bool {
        matches!(self, Flow::Written | Flow::Both)
    }
}

/// A registry compatibility mode (Confluent Schema Registry's names), declared with
/// `x-hnp-compatibility` on a message, its channel or the document, or given with
/// `diff --compatibility`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mode {
    pub compat: Compat,
    /// Check HEAD against every release (`--tags`), not only against BASE.
    pub transitive: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compat {
    /// Readers on the new schema read data written with the old one: L(old) ⊆ L(new).
    Backward,
    /// Readers on the old schema read data written with the new one: L(new) ⊆ L(old).
    Forward,
    /// Both.
    Full,
    /// No schema compatibility required.
    None,
}

impl Mode {
    /// The accepted spellings, for messages and help.
    pub const NAMES: &'static [&'static str] = &[
        "backward",
        "backward-transitive",
        "forward",
        "forward-transitive",
        "full",
        "full-transitive",
        "none",
    ];

    /// `backward`, `FORWARD_TRANSITIVE`, `full-transitive`, `none` (case and `_`/`-`
    /// insensitive, as registries spell them).
    pub fn parse(s: &str) -> Option<Mode> {
        let norm = s.trim().to_ascii_lowercase().replace('_', "-");
        let (base, transitive) = match norm.strip_suffix("-transitive") {
            Some(b) => (b, true),
            None => (norm.as_str(), false),
        };
        let compat = match base {
            "backward" => Compat::Backward,
            "forward" => Compat::Forward,
            "full" => Compat::Full,
            "none" if !transitive => Compat::None,
            _ => return None,
        };
        Some(Mode { compat, transitive })
    }

    /// The directions this mode requires (`None`: no schema check at all).
    pub fn flow(self) -> Option<Flow> {
        match self.compat {
            Compat::Backward => Some(Flow::Read),
            Compat::Forward => Some(Flow::Written),
            Compat::Full => Some(Flow::Both),
            Compat::None => None,
        }
    }

    pub fn name(self) -> String {
        let base = match self.compat {
            Compat::Backward => "backward",
            Compat::Forward => "forward",
            Compat::Full => "full",
            Compat::None => "none",
        };
        if self.transitive {
            format!("{base}-transitive")
        } else {
            base.to_string()
        }
    }
}

impl std::str::FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Mode, String> {
        Mode::parse(s).ok_or_else(|| format!("one of: {}", Mode::NAMES.join(", ")))
    }
}

/// How one comparison runs.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The mode of items declaring none (default: the one their direction implies).
    pub default_mode: Option<Mode>,
    /// The config's mode for the document being compared (`diff.documents`).
    pub document_mode: Option<Mode>,
    /// The config's modes by channel key or address (`diff.channels`).
    pub channel_modes: BTreeMap<String, Mode>,
    /// The config's modes by message name (`diff.messages`).
    pub message_modes: BTreeMap<String, Mode>,
    /// Rule levels of the run (top-level `rules:`, then `diff.rules`): the versioning
    /// policy counts a change as breaking when it is still an error after them.
    pub levels: BTreeMap<String, RuleLevel>,
    /// Set when comparing HEAD with an older release for the `-transitive` modes: only
    /// schema compatibility of items with a transitive mode is reported, labelled with
    /// the release.
    pub release: Option<String>,
    /// The upcasters the new revision declares (issue 18): a breaking change to a
    /// stored event that a verified upcaster covers is reported as covered (info).
    pub upcasters: Option<std::rc::Rc<crate::projection::upcast::Upcasters>>,
}

impl Options {
    /// A finding's severity after the configured levels (`None`: turned off).
    pub fn severity(&self, d: &Diagnostic) -> Option<Severity> {
        severity(&self.levels, d)
    }

    /// Whether any mode of the config is `-transitive`.
    pub fn config_wants_releases(&self) -> bool {
        self.document_mode
            .iter()
            .chain(self.channel_modes.values())
            .chain(self.message_modes.values())
            .any(|m| m.transitive)
    }
}

/// A finding's severity after `levels` (`None`: turned off).
pub fn severity(levels: &BTreeMap<String, RuleLevel>, d: &Diagnostic) -> Option<Severity> {
    match levels.get(d.rule) {
        Some(RuleLevel::Off) => None,
        Some(RuleLevel::On(s)) => Some(*s),
        None => Some(d.severity),
    }
}

/// The versioning policy's reading of a version: the numbers of its first two
/// dot-separated parts (`v2.1.0` → 2, 1; a leading `v` is allowed; a pre-release or
/// build suffix of the minor part is ignored).
fn version_parts(v: &str) -> Option<(u64, u64)> {
    let v = v.trim();
    let v = v.strip_prefix(['v', 'V']).unwrap_or(v);
    let mut parts = v.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = match parts.next() {
        Some(p) => {
            let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
            if digits.is_empty() {
                0
            } else {
                digits.parse().ok()?
            }
        }
        None => 0,
    };
    Some((major, minor))
}

/// Whether `new` is a breaking-change release of `old` under semantic versioning: a
/// higher major; while the major is 0 (initial development, where semver lets
/// anything change) a higher minor counts as one, as Cargo and npm read `0.y`. A
/// version the policy cannot read counts as bumped when it changed at all.
pub fn major_bumped(old: &str, new: &str) -> bool {
    match (version_parts(old), version_parts(new)) {
        (Some((0, a)), Some((0, b))) => b > a,
        (Some((a, _)), Some((b, _))) => b > a,
        _ => old.trim() != new.trim(),
    }
}

/// The smallest version `major_bumped` accepts after `old`, for help texts.
pub fn next_major(old: &str) -> String {
    match version_parts(old) {
        Some((0, m)) => format!("0.{}.0", m + 1),
        Some((a, _)) => format!("{}.0.0", a + 1),
        None => "a new major version".to_string(),
    }
}

#[cfg(test)]
mod version_tests {
    use super::*;

    #[test]
    fn major_bumps() {
        assert!(major_bumped("1.4.2", "2.0.0"));
        assert!(major_bumped("v1.4.2", "v2.0.0-rc.1"));
        assert!(!major_bumped("1.4.2", "1.5.0"));
        assert!(!major_bumped("2.0.0", "1.9.0"));
        assert!(!major_bumped("1.0.0", "1.0.0"));
        // 0.y: the minor is the breaking part.
        assert!(major_bumped("0.3.1", "0.4.0"));
        assert!(!major_bumped("0.3.1", "0.3.2"));
        assert!(major_bumped("0.3.1", "1.0.0"));
        assert!(!major_bumped("0.4.0", "0.3.9"));
        // Unreadable: any change.
        assert!(major_bumped("2024-01", "2024-02"));
        assert!(!major_bumped("draft", "draft"));
        assert_eq!(next_major("1.4.2"), "2.0.0");
        assert_eq!(next_major("0.3.1"), "0.4.0");
        assert_eq!(next_major("v7"), "8.0.0");
    }
}

#[cfg(test)]
mod mode_tests {
    use super::*;

    #[test]
    fn modes_parse_in_registry_and_kebab_spellings() {
        assert_eq!(
            Mode::parse("BACKWARD_TRANSITIVE"),
            Some(Mode {
                compat: Compat::Backward,
                transitive: true
            })
        );
        assert_eq!(Mode::parse("full").map(Mode::flow), Some(Some(Flow::Both)));
        assert_eq!(
            Mode::parse("forward").and_then(Mode::flow),
            Some(Flow::Written)
        );
        assert_eq!(Mode::parse("none").map(Mode::flow), Some(None));
        assert_eq!(Mode::parse("none-transitive"), None);
        assert_eq!(Mode::parse("sideways"), None);
        for n in Mode::NAMES {
            assert_eq!(Mode::parse(n).map(Mode::name).as_deref(), Some(*n));
        }
    }
}
