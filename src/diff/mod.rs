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
pub mod schema;

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
