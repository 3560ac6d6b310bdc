//! Reading a revision's files straight from git's object database (no checkout, no
//! temporary files), and finding which documents a revision lists.

use std::path::{Path, PathBuf};

use git2::{ObjectType, Oid, Repository};

use super::load::{Tree, normalize};

/// The files of one commit's tree.
pub struct GitTree<'r> {
    pub repo: &'r Repository,
    pub tree: Oid,
    /// The revision as the user named it (`v1`, `HEAD~2`), shown before each path.
    pub label: String,
}

impl Tree for GitTree<'_> {
    fn read(&self, path: &Path) -> Result<Option<Vec<u8>>, String> {
        let tree = self
            .repo
            .find_tree(self.tree)
            .map_err(|e| format!("{}: {}", self.label, e.message()))?;
        let entry = match tree.get_path(path) {
            Ok(e) => e,
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
            Err(e) => {
                return Err(format!(
                    "{}:{}: {}",
                    self.label,
                    path.display(),
                    e.message()
                ));
            }
        };
        if entry.kind() != Some(ObjectType::Blob) {
            return Ok(None);
        }
        // The size is checked before the content is read.
        let odb = self.repo.odb().map_err(|e| e.message().to_string())?;
        let (size, _) = odb
            .read_header(entry.id())
            .map_err(|e| format!("{}:{}: {}", self.label, path.display(), e.message()))?;
        let max = crate::fsio::max_file_size();
        if size as u64 > max {
            return Err(format!(
                "{}:{}: larger than the {} limit (--max-file-size)",
                self.label,
                path.display(),
                crate::fsio::human_size(max)
            ));
        }
        let blob = self
            .repo
            .find_blob(entry.id())
            .map_err(|e| format!("{}:{}: {}", self.label, path.display(), e.message()))?;
        Ok(Some(blob.content().to_vec()))
    }

    fn display(&self, path: &Path) -> String {
        format!("{}:{}", self.label, path.display())
    }
}

/// The repository holding the working directory, and the working directory's path
/// inside its work tree (`""` at the top).
pub fn open() -> Result<(Repository, PathBuf), String> {
    let cwd = std::env::current_dir().map_err(|e| format!("working directory: {e}"))?;
    let repo = Repository::discover(&cwd).map_err(|e| {
        format!(
            "not inside a git repository ({}); to compare two files, pass OLD.yaml NEW.yaml",
            e.message()
        )
    })?;
    let prefix = match repo.workdir() {
        Some(w) => {
            let w = w.canonicalize().unwrap_or_else(|_| w.to_path_buf());
            let c = cwd.canonicalize().unwrap_or(cwd);
            c.strip_prefix(&w)
                .map(Path::to_path_buf)
                .unwrap_or_default()
        }
        None => PathBuf::new(),
    };
    Ok((repo, prefix))
}

/// The tree of a revision (`v1`, `main~2`, a commit id).
pub fn tree_of(repo: &Repository, rev: &str) -> Result<Oid, String> {
    let obj = repo
        .revparse_single(rev)
        .map_err(|e| format!("unknown revision `{rev}`: {}", e.message()))?;
    let tree = obj
        .peel_to_tree()
        .map_err(|e| format!("`{rev}` is not a commit: {}", e.message()))?;
    Ok(tree.id())
}

/// Whether a string names a revision of the repository.
pub fn is_revision(repo: &Repository, rev: &str) -> bool {
    repo.revparse_single(rev)
        .and_then(|o| o.peel_to_tree())
        .is_ok()
}

/// The merge-base of HEAD with its branch's upstream (`--base-from-upstream`).
pub fn upstream_base(repo: &Repository) -> Result<String, String> {
    let head = repo.head().map_err(|e| format!("HEAD: {}", e.message()))?;
    let name = head
        .shorthand()
        .map_err(|_| "HEAD is not on a branch; name the base revision".to_string())?
        .to_string();
    let branch = repo
        .find_branch(&name, git2::BranchType::Local)
        .map_err(|_| format!("HEAD is not on a local branch (`{name}`); name the base revision"))?;
    let up = branch
        .upstream()
        .map_err(|_| format!("branch `{name}` has no upstream; name the base revision"))?;
    let (Some(a), Some(b)) = (head.target(), up.get().target()) else {
        return Err("cannot resolve HEAD or its upstream".into());
    };
    let base = repo
        .merge_base(a, b)
        .map_err(|e| format!("no merge-base of HEAD and its upstream: {}", e.message()))?;
    // Shown before every path of the base side: the short, unambiguous id.
    let short = match repo.find_object(base, None).and_then(|o| o.short_id()) {
        Ok(buf) => buf.as_str().ok().map(str::to_string),
        Err(_) => None,
    };
    Ok(short.unwrap_or_else(|| base.to_string()))
}

/// The documents `hnp-events.yaml` lists at a revision (paths relative to the tree's
/// root), read from `prefix/hnp-events.yaml`.
pub fn configured_documents(tree: &dyn Tree, prefix: &Path) -> Result<Vec<PathBuf>, String> {
    let cfg = prefix.join(crate::config::CONFIG_FILE);
    let Some(bytes) = tree.read(&cfg)? else {
        return Err(format!(
            "{}: not found; name the documents to compare after the revisions",
            tree.display(&cfg)
        ));
    };
    let mut diags = Vec::new();
    let f = crate::source::parse_file(
        &cfg,
        bytes,
        std::sync::Arc::from(tree.display(&cfg)),
        &mut diags,
    );
    let docs: Vec<PathBuf> = f
        .value
        .as_ref()
        .and_then(|v| v.get("documents"))
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(serde_json::Value::as_str)
        .filter_map(|d| normalize(&prefix.join(d)))
        .collect();
    if docs.is_empty() {
        return Err(format!("{}: lists no `documents`", tree.display(&cfg)));
    }
    Ok(docs)
}
