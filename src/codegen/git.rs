//! Git awareness of the output folder: when it lies inside a git work tree, files with
//! uncommitted changes are not overwritten (without `--force`), and the generated files
//! that differ from `HEAD` are reported. Outside a work tree (or when the repository
//! cannot be opened) nothing here applies and codegen behaves as without git.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use git2::{ObjectType, Oid, Repository, Status, StatusOptions};

/// The output folder as seen from its git work tree.
pub struct GitDir {
    repo: Repository,
    /// The output folder relative to the work tree, `/`-separated, empty at the top. Bytes,
    /// not text: a folder name need not be UTF-8 (`gen\xff`), and the guard must hold there too.
    prefix: Vec<u8>,
}

/// Why a file counts as holding uncommitted work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dirty {
    /// Not in `HEAD` nor the index.
    Untracked,
    /// Changes added to the index but not committed.
    Staged,
    /// Changed in the work tree since the last commit.
    Modified,
}

impl Dirty {
    pub fn describe(self) -> &'static str {
        match self {
            Dirty::Untracked => "untracked, never committed",
            Dirty::Staged => "staged, not committed",
            Dirty::Modified => "modified since the last commit",
        }
    }
}

/// The deepest existing folder at or above `dir` (the output folder may not exist yet),
/// and the components below it that do not exist.
fn existing_ancestor(dir: &Path) -> Option<(PathBuf, Vec<OsString>)> {
    // `..` is resolved lexically first: `build/../gen` names `gen` even without `build`.
    let abs = crate::source::normalise_path(dir);
    let mut missing = Vec::new();
    let mut cur = abs.as_path();
    loop {
        if let Ok(c) = cur.canonicalize() {
            missing.reverse();
            return Some((c, missing));
        }
        match cur.file_name() {
            Some(n) => missing.push(n.to_os_string()),
            None => return None,
        }
        cur = cur.parent()?;
    }
}

impl GitDir {
    /// The work tree holding `dir`, or `None` when there is none (or it cannot be read).
    pub fn open(dir: &Path) -> Option<GitDir> {
        let (base, missing) = existing_ancestor(dir)?;
        let repo = Repository::discover(&base).ok()?;
        if repo.is_bare() {
            return None;
        }
        let workdir = repo.workdir()?.canonicalize().ok()?;
        let rel = base.strip_prefix(&workdir).ok()?;
        let mut parts: Vec<OsString> = Vec::new();
        for c in rel.components() {
            match c {
                Component::Normal(n) => parts.push(n.to_os_string()),
                _ => return None,
            }
        }
        // Never look inside the repository's own metadata.
        if parts.first().is_some_and(|p| p == ".git") {
            return None;
        }
        parts.extend(missing);
        let prefix = parts
            .iter()
            .map(|p| p.as_bytes())
            .collect::<Vec<_>>()
            .join(&b'/');
        Some(GitDir { repo, prefix })
    }

    /// The work-tree path of a path relative to the output folder.
    fn full(&self, rel: &str) -> PathBuf {
        let mut b = self.prefix.clone();
        if !b.is_empty() {
            b.push(b'/');
        }
        b.extend_from_slice(rel.as_bytes());
        PathBuf::from(OsStr::from_bytes(&b))
    }

    /// The state of every non-ignored path with uncommitted changes under the output
    /// folder, keyed by the path relative to the output folder.
    fn changed(&self) -> BTreeMap<String, Status> {
        let mut opts = StatusOptions::new();
        opts.include_untracked(true)
            .recurse_untracked_dirs(true)
            .include_ignored(false)
            .exclude_submodules(true);
        if !self.prefix.is_empty() {
            // A literal path, not a pattern: folder names may hold `*`, `?` or `[`.
            let mut spec = self.prefix.clone();
            spec.push(b'/');
            opts.pathspec(PathBuf::from(OsStr::from_bytes(&spec)))
                .disable_pathspec_match(true);
        }
        let Ok(statuses) = self.repo.statuses(Some(&mut opts)) else {
            return BTreeMap::new();
        };
        let mut strip = self.prefix.clone();
        if !strip.is_empty() {
            strip.push(b'/');
        }
        statuses
            .iter()
            .filter_map(|e| {
                let rel = e.path_bytes().strip_prefix(strip.as_slice())?;
                Some((String::from_utf8(rel.to_vec()).ok()?, e.status()))
            })
            .collect()
    }

    /// Which of `paths` (relative to the output folder, files that exist and would be
    /// overwritten or deleted) hold uncommitted changes.
    pub fn dirty<'a>(&self, paths: impl IntoIterator<Item = &'a str>) -> Vec<(String, Dirty)> {
        let paths: Vec<&str> = paths.into_iter().collect();
        if paths.is_empty() {
            return Vec::new();
        }
        let changed = self.changed();
        paths
            .into_iter()
            .filter_map(|p| {
                let s = *changed.get(p)?;
                let d = if s.intersects(Status::WT_NEW) && !s.intersects(index_bits()) {
                    Dirty::Untracked
                } else if s.intersects(Status::WT_MODIFIED | Status::WT_TYPECHANGE) {
                    Dirty::Modified
                } else if s.intersects(index_bits() | Status::CONFLICTED) {
                    Dirty::Staged
                } else {
                    return None;
                };
                Some((p.to_string(), d))
            })
            .collect()
    }

    /// Which files differ from `HEAD` once written: `files` pairs a path relative to the
    /// output folder with its content afterwards (`None`: the file will not exist).
    /// Files git ignores are left out. Without a commit yet, every file differs.
    pub fn differ_from_head<'a>(
        &self,
        files: impl IntoIterator<Item = (&'a str, Option<&'a [u8]>)>,
    ) -> Vec<String> {
        let tree = self.repo.head().ok().and_then(|h| h.peel_to_tree().ok());
        files
            .into_iter()
            .filter(|(p, _)| !self.repo.is_path_ignored(self.full(p)).unwrap_or(false))
            .filter(|(p, content)| {
                let in_head = tree
                    .as_ref()
                    .and_then(|t| t.get_path(&self.full(p)).ok())
                    .filter(|e| e.kind() == Some(ObjectType::Blob))
                    .map(|e| e.id());
                match (in_head, content) {
                    (None, None) => false,
                    (Some(id), Some(c)) => Oid::hash_object(ObjectType::Blob, c).ok() != Some(id),
                    _ => true,
                }
            })
            .map(|(p, _)| p.to_string())
            .collect()
    }
}

fn index_bits() -> Status {
    Status::INDEX_NEW
        | Status::INDEX_MODIFIED
        | Status::INDEX_DELETED
        | Status::INDEX_RENAMED
        | Status::INDEX_TYPECHANGE
}
