//! The documents of one revision and every file their `$ref`s reach, read through a
//! [`Tree`] (a folder on disk or a git tree), with the `$ref`s resolved inside it.
//!
//! Like `crate::source::Workspace`, but over any tree of files: a git revision has no
//! files on disk. Remote references are not fetched; references that leave the tree
//! (or do not resolve) stay unresolved, and the schema engine reports what it cannot
//! compare.

use std::collections::{HashMap, VecDeque};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use super::schema::Resolver;
use crate::diag::{Diagnostic, SourceSet};
use crate::source::{SourceFile, parse_file, pointer};

/// Where the files of a revision come from.
pub trait Tree {
    /// The bytes of a file (a path relative to the tree's root, `/`-separated, no
    /// `..`); `Ok(None)` when there is no such file.
    fn read(&self, path: &Path) -> Result<Option<Vec<u8>>, String>;
    /// How a file is shown to the user.
    fn display(&self, path: &Path) -> String;
}

/// A folder on disk (absolute); files are shown relative to the working directory
/// when they are under it.
pub struct DiskTree {
    pub root: PathBuf,
    pub cwd: PathBuf,
}

impl DiskTree {
    pub fn new(root: PathBuf) -> Self {
        let cwd = std::env::current_dir()
            .ok()
            .and_then(|d| d.canonicalize().ok())
            .unwrap_or_default();
        DiskTree { root, cwd }
    }
}

impl Tree for DiskTree {
    fn read(&self, path: &Path) -> Result<Option<Vec<u8>>, String> {
        let full = self.root.join(path);
        if !full.exists() {
            return Ok(None);
        }
        crate::fsio::read_regular(&full)
            .map(Some)
            .map_err(|e| format!("{}: {e}", self.display(path)))
    }

    fn display(&self, path: &Path) -> String {
        let full = self.root.join(path);
        full.strip_prefix(&self.cwd)
            .unwrap_or(&full)
            .to_string_lossy()
            .into_owned()
    }
}

/// One revision's files.
#[derive(Debug, Default)]
pub struct Revision {
    /// What the revision is called (`HEAD~1`, `the working tree`, a file name).
    pub label: String,
    pub files: Vec<SourceFile>,
    /// Tree-relative paths, parallel to `files`.
    pub paths: Vec<PathBuf>,
    /// The documents asked for, in order.
    pub inputs: Vec<u32>,
    /// Problems reading or parsing (the revision's files may be broken).
    pub diagnostics: Vec<Diagnostic>,
    by_path: HashMap<PathBuf, u32>,
    /// `$ref` string per file → target file and pointer tokens.
    refs: HashMap<u32, HashMap<String, (u32, Vec<String>)>>,
}

impl Revision {
    /// Load `inputs` (tree-relative) and everything their `$ref`s reach. A missing
    /// input is an error (the caller names the revision).
    pub fn load(tree: &dyn Tree, label: &str, inputs: &[PathBuf]) -> Result<Revision, String> {
        let mut rev = Revision {
            label: label.to_string(),
            ..Revision::default()
        };
        let mut queue = VecDeque::new();
        for input in inputs {
            let p = normalize(input)
                .ok_or_else(|| format!("{}: leaves the repository", input.display()))?;
            match rev.add(tree, &p)? {
                Some(id) => {
                    rev.inputs.push(id);
                    queue.push_back(id);
                }
                None => {
                    if let Some(&id) = rev.by_path.get(&p) {
                        if !rev.inputs.contains(&id) {
                            rev.inputs.push(id);
                        }
                        continue;
                    }
                    return Err(format!("{}: no such file in {label}", tree.display(&p)));
                }
            }
        }
        while let Some(id) = queue.pop_front() {
            let found = match rev.files[id as usize].value.as_ref() {
                Some(v) => crate::source::workspace::collect_refs(v),
                None => Vec::new(),
            };
            for (_, raw) in found {
                if rev.refs.get(&id).is_some_and(|m| m.contains_key(&raw)) {
                    continue;
                }
                let (path_part, frag) = raw.split_once('#').unwrap_or((raw.as_str(), ""));
                let Some(tokens) = pointer::percent_decode(frag).and_then(|f| {
                    if f.is_empty() {
                        Some(Vec::new())
                    } else {
                        pointer::parse(&f)
                    }
                }) else {
                    continue;
                };
                let target = if path_part.is_empty() {
                    Some(id)
                } else if path_part.contains(':') {
                    None
                } else {
                    let base = rev.paths[id as usize]
                        .parent()
                        .map(Path::to_path_buf)
                        .unwrap_or_default();
                    let rel = pointer::percent_decode(path_part).unwrap_or_default();
                    match normalize(&base.join(rel)) {
                        None => None,
                        Some(p) => match rev.by_path.get(&p) {
                            Some(&t) => Some(t),
                            None => {
                                let added = rev.add(tree, &p)?;
                                if let Some(t) = added {
                                    queue.push_back(t);
                                }
                                added
                            }
                        },
                    }
                };
                if let Some(t) = target {
                    rev.refs.entry(id).or_default().insert(raw, (t, tokens));
                }
            }
        }
        Ok(rev)
    }

    fn add(&mut self, tree: &dyn Tree, path: &Path) -> Result<Option<u32>, String> {
        if self.by_path.contains_key(path) {
            return Ok(None);
        }
        let Some(bytes) = tree.read(path)? else {
            return Ok(None);
        };
        let max = crate::fsio::max_file_size();
        if bytes.len() as u64 > max {
            return Err(format!(
                "{}: larger than the {} limit (--max-file-size)",
                tree.display(path),
                crate::fsio::human_size(max)
            ));
        }
        let display: Arc<str> = Arc::from(tree.display(path));
        let file = parse_file(path, bytes, display, &mut self.diagnostics);
        let id = self.files.len() as u32;
        self.files.push(file);
        self.paths.push(path.to_path_buf());
        self.by_path.insert(path.to_path_buf(), id);
        Ok(Some(id))
    }

    pub fn file(&self, id: u32) -> &SourceFile {
        &self.files[id as usize]
    }

    /// The value at a pointer of a file.
    pub fn get(&self, file: u32, ptr: &str) -> Option<&Value> {
        let root = self.files.get(file as usize)?.value.as_ref()?;
        pointer::resolve(root, &pointer::parse(ptr)?).ok()
    }

    /// Follow `$ref`s from a value found in `file` at `ptr`: where it lives and the
    /// value.
    pub fn deref<'a>(&'a self, file: u32, ptr: &str, v: &'a Value) -> (u32, String, &'a Value) {
        let mut cur = (file, ptr.to_string(), v);
        for _ in 0..64 {
            let Some(raw) = cur.2.get("$ref").and_then(Value::as_str) else {
                return cur;
            };
            match self.resolve(cur.0, raw) {
                Some(t) => cur = t,
                None => return cur,
            }
        }
        cur
    }

    /// The texts of all files, for renderers.
    pub fn sources(&self) -> SourceSet {
        let mut s = SourceSet::default();
        for f in &self.files {
            s.insert(f.display.clone(), f.text.clone());
        }
        s
    }
}

impl Resolver for Revision {
    fn resolve(&self, file: u32, raw: &str) -> Option<(u32, String, &Value)> {
        let (t, tokens) = self.refs.get(&file)?.get(raw)?;
        let root = self.files.get(*t as usize)?.value.as_ref()?;
        let v = pointer::resolve(root, tokens).ok()?;
        Some((
            *t,
            pointer::join_tokens(tokens.iter().map(String::as_str)),
            v,
        ))
    }
}

/// A relative path with `.` and `..` removed; `None` when it leaves the root.
pub fn normalize(p: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::Normal(n) => out.push(n),
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}
