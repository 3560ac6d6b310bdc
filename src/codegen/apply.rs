//! Regeneration safety: compare the rendered files with the output folder and its
//! manifest, decide per file (create, update, unchanged, delete, keep scaffold, or a
//! conflict with a hand edit), then write atomically and only inside the folder.
//!
//! Every check runs in [`plan`], before anything is written: paths that would leave the
//! folder, symbolic links anywhere below it (a file, a folder, the manifest folder),
//! something other than a regular file where a file goes (or other than a folder where
//! a folder goes), files that cannot be read, an unreadable manifest. [`apply`] then
//! only writes. Each file goes to a new temporary beside it (created exclusively under a
//! random name, never through an existing path) and is renamed over its target.
//!
//! A run killed part way leaves no half-written file, and the next run picks up where it
//! stopped: it removes the temporaries left behind, and the hashes listed in
//! `.hnp-events/pending.json` (see [`manifest`]) count as generated content.
//!
//! Concurrent runs into one folder are serialised by [`lock`].

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use super::manifest::{self, Manifest, Pending};
use super::render::OutFile;

/// How the names of our temporaries end (they also start with a `.`).
pub const TMP_SUFFIX: &str = ".hnp-tmp";

/// Test hook: `HNP_TEST_PAUSE_AFTER_WRITES=N` makes a run stop after N files are in
/// place, with the next file's temporary written but not renamed, print
/// [`PAUSE_MARK`] on standard error and sleep, so that a test can kill it there.
const PAUSE_ENV: &str = "HNP_TEST_PAUSE_AFTER_WRITES";
pub const PAUSE_MARK: &str = "hnp-events: test pause";

/// How a scaffold edited by hand but no longer generated is listed.
const ORPHAN: &str = "keep (edited scaffold of a removed projection or saga: delete it)";

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
    /// A scaffold no longer generated but edited by hand: left in place, listed.
    KeepOrphan,
}

impl Change {
    /// Why a file is a conflict (empty for the other changes).
    pub fn reason(&self) -> &str {
        match self {
            Change::Conflict(why) => why,
            _ => "",
        }
    }
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
            Change::KeepOrphan => f.write_str(ORPHAN),
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
    pending: Pending,
    lang: String,
    /// The rendered files, by path.
    files: BTreeMap<String, OutFile>,
    /// Folders (relative to the output folder) where temporaries of an interrupted run
    /// may be: those of every file the manifest or this run concerns.
    dirs: BTreeSet<PathBuf>,
}

impl Plan {
    /// Whether applying would change anything on disk.
    pub fn changes(&self) -> bool {
        self.steps.iter().any(|s| {
            !matches!(
                s.change,
                Change::Unchanged | Change::KeepScaffold | Change::KeepOrphan
            )
        })
    }

    pub fn conflicts(&self) -> Vec<&Step> {
        self.steps
            .iter()
            .filter(|s| matches!(s.change, Change::Conflict(_)))
            .collect()
    }

    /// Existing files that applying would overwrite or delete although their content is
    /// not what the manifest says hnp-events last wrote there (nor what an interrupted
    /// run was about to write): with `force`, the ones edited by hand (or not ours);
    /// without, none. A file byte-identical to our last write holds nothing that
    /// regenerating cannot restore, whatever git says about it.
    pub fn overwrites_changed(&self, force: bool) -> impl Iterator<Item = &str> {
        self.steps
            .iter()
            .filter(move |s| force && matches!(s.change, Change::Conflict(_)))
            .map(|s| s.path.as_str())
    }

    /// Every file the plan concerns, the manifest included, with its content once the
    /// plan is applied (`None`: it will not exist). Files left alone are read from `dir`.
    pub fn outcome(&self, dir: &Path, force: bool) -> Vec<(String, Option<Cow<'_, str>>)> {
        let mut out: Vec<(String, Option<Cow<'_, str>>)> = self
            .steps
            .iter()
            .map(|st| {
                let file = self.files.get(&st.path);
                let keep = || read(&dir.join(&st.path)).map(Cow::Owned);
                let content = match (&st.change, file) {
                    (Change::Delete, _) => None,
                    (Change::KeepScaffold | Change::KeepOrphan, _) => keep(),
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
            .values()
            .filter(|f| !f.scaffold)
            .map(|f| (f.path.clone(), manifest::hash(&f.text)))
            .collect();
        let mut m = self.manifest.clone();
        m.generator = "hnp-events".into();
        m.languages.insert(self.lang.clone(), tracked);
        // Scaffolds: the hash of what this run creates, or what was recorded when an
        // earlier run created it (a scaffold found on disk without a record stays
        // unrecorded: it may be the user's).
        let old = self.manifest.scaffolds.get(&self.lang);
        let scaffolds: BTreeMap<String, String> = self
            .steps
            .iter()
            .filter_map(|st| {
                let f = self.files.get(&st.path).filter(|f| f.scaffold)?;
                let h = match st.change {
                    Change::Create => manifest::hash(&f.text),
                    Change::KeepScaffold => old?.get(&st.path)?.clone(),
                    _ => return None,
                };
                Some((st.path.clone(), h))
            })
            .collect();
        if scaffolds.is_empty() {
            m.scaffolds.remove(&self.lang);
        } else {
            m.scaffolds.insert(self.lang.clone(), scaffolds);
        }
        m
    }

    /// One line per file that would change (`all`: every file). With `force`, a file
    /// edited by hand is labelled with what happens to it (overwritten or deleted).
    pub fn summary(&self, all: bool, force: bool) -> String {
        let mut s = String::new();
        for st in &self.steps {
            if all || !matches!(st.change, Change::Unchanged | Change::KeepScaffold) {
                let label = match &st.change {
                    Change::Conflict(_) if force && self.files.contains_key(&st.path) => {
                        "overwrite (edited)"
                    }
                    Change::Conflict(_) if force => "delete (edited)",
                    Change::Conflict(_) => "conflict",
                    Change::Create => "create",
                    Change::Update => "update",
                    Change::Unchanged => "unchanged",
                    Change::Delete => "delete",
                    Change::KeepScaffold => "keep (scaffold)",
                    Change::KeepOrphan => ORPHAN,
                };
                s.push_str(&format!("{label:18} {}\n", st.path));
            }
        }
        s
    }

    /// The files this plan lists in its [`summary`](Plan::summary) (`all`: every file).
    pub fn listed(&self, all: bool) -> std::collections::BTreeSet<&str> {
        self.steps
            .iter()
            .filter(|st| all || !matches!(st.change, Change::Unchanged | Change::KeepScaffold))
            .map(|st| st.path.as_str())
            .collect()
    }

    /// Whether `path` is a scaffold that exists already: the user's file, left alone.
    pub fn is_kept_scaffold(&self, path: &str) -> bool {
        self.steps
            .iter()
            .any(|s| s.path == path && s.change == Change::KeepScaffold)
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
    if out.as_os_str().is_empty() {
        return Err(format!("refusing output path `{path}`"));
    }
    Ok(out)
}

/// Whether a file name is one of our temporaries (of this version or an earlier one).
fn is_temp_name(name: &str) -> bool {
    name.len() > TMP_SUFFIX.len() + 1 && name.starts_with('.') && name.ends_with(TMP_SUFFIX)
}

/// [`safe_rel`], and not a name reserved for the manifest or for temporaries.
fn generated_rel(path: &str) -> Result<PathBuf, String> {
    let rel = safe_rel(path)?;
    if rel.starts_with(manifest::DIR) {
        return Err(format!(
            "refusing output path `{path}` (reserved for the manifest)"
        ));
    }
    if rel
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(is_temp_name)
    {
        return Err(format!(
            "refusing output path `{path}` (reserved for temporary files)"
        ));
    }
    Ok(rel)
}

/// No component of `rel` under `dir` may be a symbolic link.
fn no_symlinks(dir: &Path, rel: &Path) -> Result<(), String> {
    let mut cur = dir.to_path_buf();
    for c in rel.components() {
        cur.push(c);
        match std::fs::symlink_metadata(&cur) {
            Ok(m) if m.file_type().is_symlink() => return Err(symlink_error(&cur)),
            Ok(_) => {}
            Err(_) => return Ok(()),
        }
    }
    Ok(())
}

fn symlink_error(p: &Path) -> String {
    format!(
        "{}: is a symbolic link; refusing to write through it (remove it, or choose another --out)",
        p.display()
    )
}

/// What is at `rel` under `dir`: nothing (`None`) or a regular file's content. Refuses a
/// symbolic link at any level, a component that is not a folder, a target that is not a
/// regular file, and a file that cannot be read.
fn inspect(dir: &Path, rel: &Path) -> Result<Option<Vec<u8>>, String> {
    let mut cur = dir.to_path_buf();
    let mut parts = rel.components().peekable();
    while let Some(c) = parts.next() {
        cur.push(c);
        let last = parts.peek().is_none();
        let ft = match std::fs::symlink_metadata(&cur) {
            Ok(m) => m.file_type(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("{}: {e}", cur.display())),
        };
        if ft.is_symlink() {
            return Err(symlink_error(&cur));
        }
        if !last && !ft.is_dir() {
            return Err(format!(
                "{}: a folder is needed here, but it is {}; refusing to replace it",
                cur.display(),
                crate::fsio::kind_of(&ft)
            ));
        }
        if last && !ft.is_file() {
            return Err(format!(
                "{}: is {}; refusing to replace it",
                cur.display(),
                crate::fsio::kind_of(&ft)
            ));
        }
    }
    crate::fsio::read_regular(&cur)
        .map(Some)
        .map_err(|e| format!("{}: {e}", cur.display()))
}

fn read(path: &Path) -> Option<String> {
    crate::fsio::read_regular_string(path).ok()
}

/// Decide what to do with every file. Every reason to refuse is found here, before
/// anything is written.
pub fn plan(dir: &Path, lang: &str, files: Vec<OutFile>) -> Result<Plan, String> {
    match std::fs::metadata(dir) {
        Ok(m) if !m.is_dir() => {
            return Err(format!("{}: exists and is not a folder", dir.display()));
        }
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(format!("{}: {e}", dir.display()));
        }
        _ => {}
    }
    for rel in [manifest::PATH, manifest::PENDING] {
        inspect(dir, Path::new(rel))?;
    }
    let manifest = Manifest::load(dir)?;
    let pending = Pending::load(dir)?;
    let old = manifest.languages.get(lang).cloned().unwrap_or_default();
    let maybe = pending.languages.get(lang).cloned().unwrap_or_default();
    // Content this language generated: what the manifest records, or what an interrupted
    // run was about to write.
    let ours = |path: &str, h: &str| {
        old.get(path).is_some_and(|o| o == h) || maybe.get(path).is_some_and(|s| s.contains(h))
    };

    let mut by_path: BTreeMap<String, OutFile> = BTreeMap::new();
    let mut rels = BTreeSet::new();
    let mut dirs = BTreeSet::from([PathBuf::new(), PathBuf::from(manifest::DIR)]);
    for f in files {
        let rel = generated_rel(&f.path)?;
        if !rels.insert(rel.clone()) {
            return Err(format!(
                "internal error: two templates write `{}`",
                rel.display()
            ));
        }
        by_path.insert(f.path.clone(), f);
    }
    for rel in &rels {
        for a in rel.ancestors().skip(1) {
            if rels.contains(a) {
                return Err(format!(
                    "internal error: `{}` is both a generated file and a folder",
                    a.display()
                ));
            }
        }
        if let Some(parent) = rel.parent() {
            dirs.insert(parent.to_path_buf());
        }
    }
    for paths in manifest.languages.values() {
        for p in paths.keys() {
            if let Some(parent) = safe_rel(p).ok().as_deref().and_then(Path::parent) {
                dirs.insert(parent.to_path_buf());
            }
        }
    }

    let mut steps = Vec::new();
    for f in by_path.values() {
        let rel = generated_rel(&f.path)?;
        let disk = inspect(dir, &rel)?;
        let change = match (disk, f.scaffold) {
            (None, _) => Change::Create,
            (Some(_), true) => Change::KeepScaffold,
            (Some(cur), false) if cur == f.text.as_bytes() => Change::Unchanged,
            (Some(cur), false) if ours(&f.path, &manifest::hash_bytes(&cur)) => Change::Update,
            (Some(_), false) if old.contains_key(&f.path) => {
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
    // Files no longer generated: the manifest's, and those an interrupted run may have
    // created (left alone unless their content is the one it wrote).
    let gone: BTreeSet<&String> = old
        .keys()
        .chain(maybe.keys())
        .filter(|p| !by_path.contains_key(*p))
        .collect();
    for path in gone {
        let rel = generated_rel(path)?;
        if let Some(parent) = rel.parent() {
            dirs.insert(parent.to_path_buf());
        }
        let Some(cur) = inspect(dir, &rel)? else {
            continue;
        };
        let change = if ours(path, &manifest::hash_bytes(&cur)) {
            Change::Delete
        } else if old.contains_key(path) {
            Change::Conflict("no longer generated, but edited by hand: not deleted".into())
        } else {
            continue;
        };
        steps.push(Step {
            path: path.clone(),
            change,
        });
    }
    // Scaffolds no longer generated (their projection or saga is gone): deleted when
    // they hold what was first written there, kept and listed when edited.
    if let Some(sc) = manifest.scaffolds.get(lang) {
        for (path, h) in sc.iter().filter(|(p, _)| !by_path.contains_key(*p)) {
            let rel = generated_rel(path)?;
            let Some(cur) = inspect(dir, &rel)? else {
                continue;
            };
            let change = if manifest::hash_bytes(&cur) == *h {
                Change::Delete
            } else {
                Change::KeepOrphan
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
        pending,
        lang: lang.to_string(),
        files: by_path,
        dirs,
    })
}

/// A temporary's name prefix: `.NAME.` (NAME shortened, so that the whole name stays
/// within file-name limits).
fn temp_prefix(target: &Path) -> String {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut end = name.len().min(64);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    format!(".{}.", &name[..end])
}

/// Create a new temporary in `parent`: a random name, created exclusively (never an
/// existing path, never through a symbolic link), with the usual permissions of a new
/// file (0666 less the umask) rather than the 0600 of a private temporary.
pub(crate) fn new_temp(
    parent: &Path,
    prefix: &str,
    suffix: &str,
) -> std::io::Result<tempfile::NamedTempFile> {
    let mut b = tempfile::Builder::new();
    b.prefix(prefix).suffix(suffix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o666));
    }
    b.tempfile_in(parent)
}

/// Write a file atomically: a new temporary beside it, then a rename over it. On
/// failure the temporary is removed.
fn write_file(target: &Path, text: &[u8], pause: bool) -> Result<(), String> {
    let err = |e: std::io::Error| format!("writing {}: {e}", target.display());
    let parent = target.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    let mut tmp = new_temp(parent, &temp_prefix(target), TMP_SUFFIX).map_err(err)?;
    tmp.write_all(text).map_err(err)?;
    if pause {
        test_pause();
    }
    tmp.persist(target).map_err(|e| err(e.error))?;
    Ok(())
}

fn test_pause() {
    let _ = writeln!(std::io::stderr(), "{PAUSE_MARK}");
    loop {
        std::thread::sleep(std::time::Duration::from_secs(3600));
    }
}

/// Remove the temporaries an interrupted run left in `dirs` (never through a symbolic
/// link). Only names of our pattern (`.NAME.XXXX.hnp-tmp`) are touched.
fn remove_stale(dir: &Path, dirs: &BTreeSet<PathBuf>) {
    for rel in dirs {
        if no_symlinks(dir, rel).is_err() {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(dir.join(rel)) else {
            continue;
        };
        for e in entries.flatten() {
            let stale = e.file_name().to_str().is_some_and(is_temp_name)
                && e.file_type().is_ok_and(|t| !t.is_dir());
            if stale {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// Apply a plan. With `force`, conflicts are overwritten (or deleted). Nothing is
/// refused here that [`plan`] did not already find.
pub fn apply(
    dir: &Path,
    plan: Plan,
    force: bool,
    progress: &mut dyn super::Progress,
) -> Result<(), String> {
    if let Some(st) = plan.conflicts().first().filter(|_| !force) {
        return Err(format!("{}: {}", st.path, st.change));
    }
    let pause_at: Option<usize> = std::env::var(PAUSE_ENV).ok().and_then(|v| v.parse().ok());
    progress.stage("writing", plan.steps.len() as u64);
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    remove_stale(dir, &plan.dirs);

    // What this run writes, in order; the hashes of generated files are listed as
    // pending before the first one is written.
    let writes: Vec<(&Step, &OutFile)> = plan
        .steps
        .iter()
        .filter_map(|st| {
            let f = plan.files.get(&st.path)?;
            match st.change {
                Change::Create | Change::Update => Some((st, f)),
                Change::Conflict(_) => Some((st, f)),
                _ => None,
            }
        })
        .collect();
    let mut pending = plan.pending.clone();
    let mine = pending.languages.entry(plan.lang.clone()).or_default();
    let mut grew = false;
    for (_, f) in writes.iter().filter(|(_, f)| !f.scaffold) {
        grew |= mine
            .entry(f.path.clone())
            .or_default()
            .insert(manifest::hash(&f.text));
    }
    if grew {
        write_file(
            &dir.join(manifest::PENDING),
            pending.to_text().as_bytes(),
            false,
        )?;
    }

    let mut written = 0usize;
    for st in &plan.steps {
        let target = dir.join(safe_rel(&st.path)?);
        progress.file(&st.path);
        match (&st.change, plan.files.get(&st.path)) {
            (Change::Create | Change::Update | Change::Conflict(_), Some(f)) => {
                write_file(&target, f.text.as_bytes(), pause_at == Some(written))?;
                written += 1;
            }
            (Change::Delete | Change::Conflict(_), None) => std::fs::remove_file(&target)
                .or_else(|e| match e.kind() {
                    std::io::ErrorKind::NotFound => Ok(()),
                    _ => Err(e),
                })
                .map_err(|e| format!("{}: {e}", target.display()))?,
            _ => {}
        }
    }

    let text = plan.next_manifest().to_text();
    let mpath = dir.join(manifest::PATH);
    if read(&mpath).as_deref() != Some(text.as_str()) {
        write_file(&mpath, text.as_bytes(), false)?;
    }
    // This language's writes are all recorded: it has nothing pending any more.
    pending.languages.remove(&plan.lang);
    let ppath = dir.join(manifest::PENDING);
    if pending.is_empty() {
        match std::fs::remove_file(&ppath) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(format!("{}: {e}", ppath.display()));
            }
            _ => {}
        }
    } else if pending != plan.pending {
        write_file(&ppath, pending.to_text().as_bytes(), false)?;
    }
    Ok(())
}

/// An advisory lock on an output folder, held until dropped (or the process ends).
#[derive(Debug)]
pub struct DirLock {
    _file: std::fs::File,
}

/// The file a lock is taken on: the folder itself (on Unix, where a folder can be
/// opened and locked).
#[cfg(unix)]
fn lock_file(dir: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(dir)
}

#[cfg(not(unix))]
fn lock_file(dir: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(dir.join(".hnp-events.lock"))
}

/// Lock the output folder: `exclusive` for a run that writes (the folder is created
/// first; it is the one thing done before the plan), shared for one that only reads
/// (`None` when the folder does not exist: there is nothing to read). When another run
/// holds the lock, `waiting` is called once, then this blocks until the lock is free.
pub fn lock(
    dir: &Path,
    exclusive: bool,
    waiting: &mut dyn FnMut(),
) -> Result<Option<DirLock>, String> {
    let err = |e: std::io::Error| format!("{}: cannot lock the output folder: {e}", dir.display());
    if exclusive {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    } else if !dir.is_dir() {
        return Ok(None);
    }
    let file = lock_file(dir).map_err(err)?;
    let tried = if exclusive {
        fs4::FileExt::try_lock(&file)
    } else {
        fs4::FileExt::try_lock_shared(&file)
    };
    match tried {
        Ok(()) => {}
        Err(fs4::TryLockError::WouldBlock) => {
            waiting();
            if exclusive {
                fs4::FileExt::lock(&file).map_err(err)?;
            } else {
                fs4::FileExt::lock_shared(&file).map_err(err)?;
            }
        }
        Err(fs4::TryLockError::Error(e)) => return Err(err(e)),
    }
    Ok(Some(DirLock { _file: file }))
}
