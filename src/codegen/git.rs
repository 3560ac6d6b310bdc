//! Git awareness of the output folder: when it lies inside a git work tree, files with
//! uncommitted changes are not overwritten (without `--force`), and the generated files
//! that differ from `HEAD` are reported. Outside a work tree (or when the repository
//! cannot be opened) nothing here applies and codegen behaves as without git.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

use git2::{ErrorCode, ObjectType, Oid, Repository, Status, StatusOptions};

/// The output folder as seen from its git work tree.
pub struct GitDir {
    repo: Repository,
    /// The output folder relative to the work tree, `/`-separated, empty at the top. As
    /// bytes: a folder name need not be UTF-8.
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

/// A path component as git stores it: its bytes (on Unix, any; elsewhere, UTF-8).
fn component_bytes(n: &std::ffi::OsStr) -> Result<Vec<u8>, String> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Ok(n.as_bytes().to_vec())
    }
    #[cfg(not(unix))]
    {
        n.to_str()
            .map(|s| s.as_bytes().to_vec())
            .ok_or_else(|| format!("{}: not a name git can store", n.to_string_lossy()))
    }
}

/// A work-tree path (bytes from git) as a path.
fn bytes_path(b: &[u8]) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        PathBuf::from(std::ffi::OsStr::from_bytes(b))
    }
    #[cfg(not(unix))]
    {
        PathBuf::from(String::from_utf8_lossy(b).into_owned())
    }
}

impl GitDir {
    /// The work tree holding `dir`: `Ok(None)` when there is none. When there is one
    /// whose state cannot be told, an error (the check is never silently off), except
    /// for a repository git itself refuses to open (e.g. owned by another user): then a
    /// warning is printed and there is no check.
    pub fn open(dir: &Path) -> Result<Option<GitDir>, String> {
        let Some((base, missing)) = existing_ancestor(dir) else {
            return Ok(None);
        };
        let repo = match Repository::discover(&base) {
            Ok(r) => r,
            Err(e) if e.code() == ErrorCode::NotFound => return Ok(None),
            Err(e) => {
                let _ = std::io::Write::write_all(
                    &mut std::io::stderr(),
                    format!(
                        "warning: {}: the git repository cannot be opened ({}); files with uncommitted changes are not detected\n",
                        dir.display(),
                        e.message()
                    )
                    .as_bytes(),
                );
                return Ok(None);
            }
        };
        if repo.is_bare() {
            return Ok(None);
        }
        let Some(workdir) = repo.workdir().and_then(|w| w.canonicalize().ok()) else {
            return Ok(None);
        };
        let Ok(rel) = base.strip_prefix(&workdir) else {
            return Ok(None);
        };
        let mut parts: Vec<Vec<u8>> = Vec::new();
        for c in rel.components() {
            match c {
                Component::Normal(n) => parts.push(component_bytes(n)?),
                _ => return Ok(None),
            }
        }
        // Never look inside the repository's own metadata.
        if parts.first().is_some_and(|p| p == b".git") {
            return Ok(None);
        }
        for m in &missing {
            parts.push(component_bytes(m)?);
        }
        Ok(Some(GitDir {
            repo,
            prefix: parts.join(&b'/'),
        }))
    }

    /// The work-tree path of a path relative to the output folder.
    fn full(&self, rel: &str) -> PathBuf {
        if self.prefix.is_empty() {
            PathBuf::from(rel)
        } else {
            let mut b = self.prefix.clone();
            b.push(b'/');
            b.extend_from_slice(rel.as_bytes());
            bytes_path(&b)
        }
    }

    /// The state of every non-ignored path with uncommitted changes under the output
    /// folder, keyed by the path relative to the output folder.
    fn changed(&self) -> Result<BTreeMap<String, Status>, String> {
        let mut opts = StatusOptions::new();
        opts.include_untracked(true)
            .recurse_untracked_dirs(true)
            .include_ignored(false)
            .exclude_submodules(true);
        let mut strip = self.prefix.clone();
        if !strip.is_empty() {
            strip.push(b'/');
            // A literal path, not a pattern: folder names may hold `*`, `?` or `[`.
            opts.pathspec(strip.clone()).disable_pathspec_match(true);
        }
        let statuses = self.repo.statuses(Some(&mut opts)).map_err(|e| {
            format!(
                "git status of the output folder failed ({}); uncommitted changes cannot be checked (--allow-dirty skips the check)",
                e.message()
            )
        })?;
        Ok(statuses
            .iter()
            .filter_map(|e| {
                let rel = e.path_bytes().strip_prefix(strip.as_slice())?;
                let rel = std::str::from_utf8(rel).ok()?;
                Some((rel.to_string(), e.status()))
            })
            .collect())
    }

    /// Which of `paths` (relative to the output folder, files that exist and would be
    /// overwritten or deleted) hold uncommitted changes. An error when git cannot tell.
    pub fn dirty<'a>(
        &self,
        paths: impl IntoIterator<Item = &'a str>,
    ) -> Result<Vec<(String, Dirty)>, String> {
        let paths: Vec<&str> = paths.into_iter().collect();
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        let changed = self.changed()?;
        Ok(paths
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
            .collect())
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
