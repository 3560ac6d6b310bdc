//! Regeneration safety: compare the rendered files with the output folder and its
//! manifest, decide per file (create, update, unchanged, delete, keep scaffold, or a
//! conflict with a hand edit), then write atomically and only inside the folder.

use std::borrow::Cow;
use std::fmt;
use std::path::{Component, Path, PathBuf};

use super::manifest::{self, Manifest};
use super::render::OutFile;

/// What happens to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Create,
    Update,
    Unchanged,
    Delete,
    /// A scaffold that exists: never touched again.
    KeepScaffold,
    /// Edited by hand (or not ours): refused without `--force`.
    Conflict(String),
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Create => f.write_str("create"),
            Change::Update => f.write_str("update"),
            Change::Unchanged => f.write_str("unchanged"),
            Change::Delete => f.write_str("delete"),
            Change::KeepScaffold => f.write_str("keep (scaffold)"),
            Change::Conflict(why) => write!(f, "conflict: {why}"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Step {
    pub path: String,
    pub change: Change,
}

#[derive(Debug, Default)]
pub struct Plan {
    pub steps: Vec<Step>,
    manifest: Manifest,
    lang: String,
    files: Vec<OutFile>,
}

impl Plan {
    /// Whether applying would change anything on disk.
    pub fn changes(&self) -> bool {
        self.steps
            .iter()
            .any(|s| !matches!(s.change, Change::Unchanged | Change::KeepScaffold))
    }

    pub fn conflicts(&self) -> Vec<&Step> {
        self.steps
            .iter()
            .filter(|s| matches!(s.change, Change::Conflict(_)))
            .collect()
    }

    /// Existing files that applying would overwrite or delete (with `force`, also the
    /// ones edited by hand).
    pub fn overwrites(&self, force: bool) -> impl Iterator<Item = &str> {
        self.steps
            .iter()
            .filter(move |s| match s.change {
                Change::Update | Change::Delete => true,
                Change::Conflict(_) => force,
                _ => false,
            })
            .map(|s| s.path.as_str())
    }

    /// Every file the plan concerns, the manifest included, with its content once the
    /// plan is applied (`None`: it will not exist). Files left alone are read from `dir`.
    pub fn outcome(&self, dir: &Path, force: bool) -> Vec<(String, Option<Cow<'_, str>>)> {
        let mut out: Vec<(String, Option<Cow<'_, str>>)> = self
            .steps
            .iter()
            .map(|st| {
                let file = self.files.iter().find(|f| f.path == st.path);
                let keep = || read(&dir.join(&st.path)).map(Cow::Owned);
                let content = match (&st.change, file) {
                    (Change::Delete, _) => None,
                    (Change::KeepScaffold, _) => keep(),
                    (Change::Conflict(_), _) if !force => keep(),
                    (_, Some(f)) => Some(Cow::Borrowed(f.text.as_str())),
                    (_, None) => None,
                };
                (st.path.clone(), content)
            })
            .collect();
        out.push((
            manifest::PATH.to_string(),
            Some(Cow::Owned(self.next_manifest().to_text())),
        ));
        out
    }

    /// The manifest once the plan is applied: every generated (not scaffold) file.
    fn next_manifest(&self) -> Manifest {
        let tracked = self
            .files
            .iter()
            .filter(|f| !f.scaffold)
            .map(|f| (f.path.clone(), manifest::hash(&f.text)))
            .collect();
        let mut m = self.manifest.clone();
        m.generator = "hnp-events".into();
        m.languages.insert(self.lang.clone(), tracked);
        m
    }

    /// One line per file that would change.
    pub fn summary(&self, all: bool) -> String {
        let mut s = String::new();
        for st in &self.steps {
            if all || !matches!(st.change, Change::Unchanged | Change::KeepScaffold) {
                s.push_str(&format!(
                    "{:16} {}\n",
                    st.change.to_string().split(':').next().unwrap_or(""),
                    st.path
                ));
            }
        }
        s
    }
}

/// Refuse paths that could leave the output folder.
pub fn safe_rel(path: &str) -> Result<PathBuf, String> {
    let p = Path::new(path);
    if path.is_empty() || p.is_absolute() {
        return Err(format!("refusing output path `{path}`"));
    }
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::Normal(n) => out.push(n),
            _ => {
                return Err(format!(
                    "refusing output path `{path}` (leaves the output folder)"
                ));
            }
        }
    }
    Ok(out)
}

/// No component of `rel` under `dir` may be a symbolic link.
fn no_symlinks(dir: &Path, rel: &Path) -> Result<(), String> {
    let mut cur = dir.to_path_buf();
    for c in rel.components() {
        cur.push(c);
        match std::fs::symlink_metadata(&cur) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(format!(
                    "{}: is a symbolic link; refusing to write through it",
                    cur.display()
                ));
            }
            Ok(_) => {}
            Err(_) => return Ok(()),
        }
    }
    Ok(())
}

/// An existing output file's text (`None`: there is none). Anything there that is not
/// a readable regular file stops the run before it writes.
fn read_existing(path: &Path) -> Result<Option<String>, String> {
    match crate::fsio::read_regular_string(path) {
        Ok(t) => Ok(Some(t)),
        Err(crate::fsio::ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}; refusing to replace it", path.display())),
    }
}

/// An existing output file's text. Only regular files are read: a FIFO planted where a
/// generated file goes must not hang the run (it then counts as not ours).
fn read(path: &Path) -> Option<String> {
    crate::fsio::read_regular_string(path).ok()
}

/// Decide what to do with every file.
pub fn plan(dir: &Path, lang: &str, files: Vec<OutFile>) -> Result<Plan, String> {
    // Every refusal comes before the first write: the bookkeeping files are checked
    // here, with the generated ones, not when they are written.
    let pending_rel = manifest::pending_path(lang);
    no_symlinks(dir, Path::new(manifest::PATH))?;
    no_symlinks(dir, Path::new(&pending_rel))?;
    let manifest = Manifest::load(dir)?;
    let old = manifest.languages.get(lang).cloned().unwrap_or_default();
    // A killed run's journal: the files it wrote are ours too (a resumed run, not a
    // hand edit). Both hashes are accepted for a path.
    let pending = Manifest::load_at(dir, &pending_rel)?;
    let pending = pending.languages.get(lang).cloned().unwrap_or_default();
    let ours = |path: &str, h: &str| {
        old.get(path).is_some_and(|o| o == h) || pending.get(path).is_some_and(|p| p == h)
    };
    let mut steps = Vec::new();
    for f in &files {
        let rel = safe_rel(&f.path)?;
        no_symlinks(dir, &rel)?;
        let disk = read_existing(&dir.join(&rel))?;
        let change = match (disk, f.scaffold) {
            (None, _) => Change::Create,
            (Some(_), true) => Change::KeepScaffold,
            (Some(cur), false) if cur == f.text => Change::Unchanged,
            (Some(cur), false) if ours(&f.path, &manifest::hash(&cur)) => Change::Update,
            (Some(_), false) if old.contains_key(&f.path) || pending.contains_key(&f.path) => {
                Change::Conflict("edited by hand since it was generated".into())
            }
            (Some(_), false) => {
                Change::Conflict("exists and was not generated by hnp-events".into())
            }
        };
        steps.push(Step {
            path: f.path.clone(),
            change,
        });
    }
    let known: std::collections::BTreeSet<&String> = old.keys().chain(pending.keys()).collect();
    for path in known {
        if files.iter().any(|f| &f.path == path) {
            continue;
        }
        let rel = safe_rel(path)?;
        no_symlinks(dir, &rel)?;
        if let Some(cur) = read(&dir.join(&rel)) {
            let change = if ours(path, &manifest::hash(&cur)) {
                Change::Delete
            } else {
                Change::Conflict("no longer generated, but edited by hand: not deleted".into())
            };
            steps.push(Step {
                path: path.clone(),
                change,
            });
        }
    }
    steps.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Plan {
        steps,
        manifest,
        lang: lang.to_string(),
        files,
    })
}

/// Write a file atomically: a fresh temporary beside it (`O_EXCL`, random name), then a
/// rename over it (see [`crate::fsio`]). A symbolic link at the path is replaced, never
/// followed.
fn write_atomic(path: &Path, text: &str) -> Result<(), String> {
    let parent = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    crate::fsio::replace_atomically(path, text.as_bytes())
        .map_err(|e| format!("writing {}: {e}", path.display()))
}

/// Apply a plan. With `force`, conflicts are overwritten (or deleted). The caller holds
/// the folder's lock ([`crate::fsio::DirLock`]): temporaries found here are a killed
/// run's and are removed first.
pub fn apply(
    dir: &Path,
    plan: Plan,
    force: bool,
    progress: &mut dyn super::Progress,
) -> Result<(), String> {
    progress.stage("writing", plan.steps.len() as u64);
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    crate::fsio::remove_stale_temporaries(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    // The journal first: if this run is killed, the next one knows what it wrote.
    let pending_rel = manifest::pending_path(&plan.lang);
    let next = plan.next_manifest();
    let mut journal = Manifest::default();
    if let Some(entries) = next.languages.get(&plan.lang) {
        journal.languages.insert(plan.lang.clone(), entries.clone());
    }
    if plan.changes() {
        write_atomic(&dir.join(&pending_rel), &journal.to_text())?;
    }
    // Test hook: stop for good after N files, so a test can kill a run mid-write.
    let pause_after: Option<usize> = std::env::var("HNP_TEST_CODEGEN_PAUSE_AFTER")
        .ok()
        .and_then(|v| v.parse().ok());
    for (i, st) in plan.steps.iter().enumerate() {
        if pause_after == Some(i) {
            std::thread::sleep(std::time::Duration::from_secs(3600));
        }
        let rel = safe_rel(&st.path)?;
        no_symlinks(dir, &rel)?;
        let target = dir.join(&rel);
        let file = plan.files.iter().find(|f| f.path == st.path);
        progress.file(&st.path);
        match (&st.change, file) {
            (Change::Create | Change::Update, Some(f)) => write_atomic(&target, &f.text)?,
            (Change::Conflict(_), Some(f)) if force => write_atomic(&target, &f.text)?,
            (Change::Delete, None) => {
                std::fs::remove_file(&target).map_err(|e| format!("{}: {e}", target.display()))?
            }
            (Change::Conflict(_), None) if force => {
                std::fs::remove_file(&target).map_err(|e| format!("{}: {e}", target.display()))?
            }
            (Change::Conflict(why), _) => return Err(format!("{}: {why}", st.path)),
            _ => {}
        }
    }
    write_atomic(&dir.join(manifest::PATH), &next.to_text())?;
    match std::fs::remove_file(dir.join(&pending_rel)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(format!("{}: {e}", dir.join(&pending_rel).display()))
        }
        _ => Ok(()),
    }
}
