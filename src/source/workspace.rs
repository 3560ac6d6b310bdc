//! A workspace: the input documents, every file their `$ref`s reach, and the
//! resolution of every `$ref`.
//!
//! Refs are resolved offline and confined to a workspace root: remote URLs are reported
//! (`ref-remote`), never fetched; files outside the root are refused (`ref-outside-root`)
//! unless explicitly allowed.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use super::detect::{self, DocKind};
use super::{SourceFile, pointer};
use crate::diag::{Diagnostic, Location, SourceSet};

/// Index of a file in [`Workspace::files`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// How to load.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// The workspace root for every input; when `None`, each input's root is the git
    /// work tree that holds it, else its own folder.
    pub root: Option<PathBuf>,
    /// The configuration's folder: the root of inputs inside it (inputs elsewhere get
    /// their default root).
    pub config_root: Option<PathBuf>,
    /// Let `$ref`s reach files outside the root.
    pub allow_ref_outside: bool,
}

/// A tool failure (not a finding): exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: {message}")]
    Input { path: PathBuf, message: String },
}

/// Where a `$ref` leads.
#[derive(Debug, Clone)]
struct Target {
    file: FileId,
    tokens: Vec<String>,
}

/// One `$ref` occurrence.
#[derive(Debug, Clone)]
struct RefSite {
    file: FileId,
    /// Pointer of the object that holds `$ref`.
    object: String,
    raw: String,
}

/// All loaded files and resolved references.
#[derive(Debug, Default)]
pub struct Workspace {
    pub files: Vec<SourceFile>,
    /// The documents the user asked for (explicit files and API documents found in
    /// walked folders), in input order.
    pub inputs: Vec<FileId>,
    pub diagnostics: Vec<Diagnostic>,
    /// Remote `$ref` occurrences (not fetched).
    pub remote_refs: usize,
    by_path: HashMap<PathBuf, FileId>,
    roots: Vec<PathBuf>,
    /// Where each `$ref` string leads, per file holding it (looked up by `&str`, so
    /// following a reference on a hot path allocates nothing).
    resolved: HashMap<FileId, HashMap<String, Target>>,
    cwd: PathBuf,
}

/// How an input file reached the workspace.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Origin {
    Explicit,
    Walked,
    Ref,
}

impl Workspace {
    /// Load inputs (files or folders) and everything their `$ref`s reach.
    pub fn load(inputs: &[PathBuf], opts: &LoadOptions) -> Result<Workspace, LoadError> {
        let cwd = std::env::current_dir()
            .ok()
            .and_then(|d| d.canonicalize().ok())
            .unwrap_or_default();
        let mut ws = Workspace {
            cwd,
            ..Workspace::default()
        };
        let mut queue: VecDeque<FileId> = VecDeque::new();
        let mut plan: Vec<(PathBuf, PathBuf, Origin)> = Vec::new();
        for input in inputs {
            let meta = std::fs::metadata(input).map_err(|e| LoadError::Input {
                path: input.clone(),
                message: io_message(&e),
            })?;
            let canon = input.canonicalize().map_err(|e| LoadError::Input {
                path: input.clone(),
                message: io_message(&e),
            })?;
            let root = match &opts.root {
                Some(r) => r.canonicalize().map_err(|e| LoadError::Input {
                    path: r.clone(),
                    message: format!("workspace root: {}", io_message(&e)),
                })?,
                None => match opts
                    .config_root
                    .as_ref()
                    .and_then(|r| r.canonicalize().ok())
                {
                    Some(r) if canon.starts_with(&r) => r,
                    _ => default_root(&canon, meta.is_dir()),
                },
            };
            if meta.is_dir() {
                let mut files = Vec::new();
                let mut walker = Walk {
                    root: &root,
                    allow_outside: opts.allow_ref_outside,
                    out: &mut files,
                    problems: Vec::new(),
                };
                walker.walk(&canon, 0);
                for (path, message) in std::mem::take(&mut walker.problems) {
                    let display = ws.display_of(&path);
                    ws.diagnostics.push(Diagnostic::new(
                        if message.starts_with("cannot") {
                            "file-unreadable"
                        } else {
                            "ref-outside-root"
                        },
                        Location::file(display),
                        message,
                    ));
                }
                files.sort();
                for f in files {
                    plan.push((f, root.clone(), Origin::Walked));
                }
            } else {
                plan.push((canon, root, Origin::Explicit));
            }
        }
        // Read and parse the inputs (in parallel when there are many), then add them
        // in input order so that file ids and diagnostics stay deterministic.
        let mut unique: Vec<&Path> = Vec::new();
        let mut seen: HashSet<&Path> = HashSet::new();
        for (p, _, _) in &plan {
            if seen.insert(p.as_path()) {
                unique.push(p.as_path());
            }
        }
        let displays: Vec<Arc<str>> = unique.iter().map(|p| ws.display_of(p)).collect();
        let parsed = read_many(&unique, &displays);
        let mut parsed: HashMap<PathBuf, (SourceFile, Vec<Diagnostic>)> =
            unique.iter().map(|p| p.to_path_buf()).zip(parsed).collect();
        for (path, root, origin) in plan {
            let pre = parsed.remove(&path);
            if let Some(id) = ws.add_file_with(&path, root, origin, pre) {
                queue.push_back(id);
            }
        }
        // Breadth-first over `$ref`s.
        let mut sites = Vec::new();
        while let Some(id) = queue.pop_front() {
            let found = match ws.files[id.0 as usize].value.as_ref() {
                Some(v) => collect_refs(v),
                None => Vec::new(),
            };
            for (object, raw) in found {
                let site = RefSite {
                    file: id,
                    object,
                    raw,
                };
                if let Some(new) = ws.follow_file(&site, opts) {
                    queue.push_back(new);
                }
                sites.push(site);
            }
        }
        ws.check_pointers(&sites);
        Ok(ws)
    }

    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// The texts of all files, for renderers.
    pub fn sources(&self) -> SourceSet {
        let mut s = SourceSet::default();
        for f in &self.files {
            s.insert(f.display.clone(), f.text.clone());
        }
        s
    }

    /// If `value` (found in `file`) is a `$ref` object, follow the chain to the value it
    /// stands for. Returns the file and pointer of the target (`None` pointer when
    /// `value` is not a reference) and the value. Unresolvable refs return the ref
    /// object itself (its diagnostic was reported at load time).
    pub fn deref<'a>(
        &'a self,
        file: FileId,
        value: &'a Value,
    ) -> (FileId, Option<String>, &'a Value) {
        let mut cur = (file, None, value);
        for _ in 0..64 {
            let Some(raw) = ref_of(cur.2) else {
                return cur;
            };
            let Some(t) = self.target(cur.0, raw) else {
                return cur;
            };
            let Some(root) = self.file(t.file).value.as_ref() else {
                return cur;
            };
            let Ok(v) = pointer::resolve(root, &t.tokens) else {
                return cur;
            };
            cur = (
                t.file,
                Some(pointer::join_tokens(t.tokens.iter().map(String::as_str))),
                v,
            );
        }
        cur
    }

    fn target(&self, file: FileId, raw: &str) -> Option<&Target> {
        self.resolved.get(&file)?.get(raw)
    }

    fn record(&mut self, site: &RefSite, t: Target) {
        self.resolved
            .entry(site.file)
            .or_default()
            .insert(site.raw.clone(), t);
    }

    /// Where a `$ref` string found in `file` leads (file and pointer), if it resolved.
    pub fn ref_target(&self, file: FileId, raw: &str) -> Option<(FileId, String)> {
        self.target(file, raw).map(|t| {
            (
                t.file,
                pointer::join_tokens(t.tokens.iter().map(String::as_str)),
            )
        })
    }

    fn display_of(&self, path: &Path) -> Arc<str> {
        let shown = path.strip_prefix(&self.cwd).unwrap_or(path);
        Arc::from(shown.to_string_lossy().as_ref())
    }

    fn display_dir(&self, dir: &Path) -> String {
        match dir.strip_prefix(&self.cwd) {
            Ok(p) if p.as_os_str().is_empty() => ".".to_string(),
            Ok(p) => p.to_string_lossy().into_owned(),
            Err(_) => dir.to_string_lossy().into_owned(),
        }
    }

    /// Read, check and parse a file; `None` when it is not part of the workspace
    /// (a walked file that is not an API document) or already loaded.
    fn add_file(&mut self, path: &Path, root: PathBuf, origin: Origin) -> Option<FileId> {
        self.add_file_with(path, root, origin, None)
    }

    /// [`Workspace::add_file`] with the file possibly read and parsed already.
    fn add_file_with(
        &mut self,
        path: &Path,
        root: PathBuf,
        origin: Origin,
        pre: Option<(SourceFile, Vec<Diagnostic>)>,
    ) -> Option<FileId> {
        if let Some(&id) = self.by_path.get(path) {
            if origin != Origin::Ref && !self.inputs.contains(&id) {
                self.inputs.push(id);
            }
            return None;
        }
        let (file, mut diags) = match pre {
            Some(p) => p,
            None => read_file(path, self.display_of(path)),
        };
        let (kind, problem) = match &file.value {
            Some(v) => detect::detect(v),
            None => (DocKind::Unparsed, None),
        };
        if origin == Origin::Walked {
            let claims_api = ["asyncapi", "openapi", "swagger"]
                .iter()
                .any(|k| file.text.contains(k));
            let keep = match kind {
                DocKind::Unparsed => claims_api || file.text.is_empty(),
                DocKind::Other => problem.is_some(),
                _ => true,
            };
            if !keep {
                return None;
            }
        }
        if let Some(p) = problem {
            let loc = file.locate(&pointer::push("", p.key));
            diags.push(Diagnostic::new(
                "document-version-unsupported",
                loc,
                p.message,
            ));
        } else if let Some((msg, help)) = (origin == Origin::Explicit && !kind.is_document())
            .then(|| file.value.as_ref().and_then(detect::missing_version))
            .flatten()
        {
            // Named as an API document, shaped like one, but its version key is missing:
            // validating it as a fragment would pass it unchecked.
            diags.push(
                Diagnostic::new("document-version-missing", file.locate(""), msg).with_help(help),
            );
        } else if origin == Origin::Explicit && kind == DocKind::Other {
            diags.push(
                Diagnostic::new(
                    "document-kind-unknown",
                    file.locate(""),
                    "not an AsyncAPI, OpenAPI or Swagger document: no `asyncapi`, `openapi` or `swagger` field, and no `components` to make it a fragment",
                )
                .with_help("pass the API document itself; files it refers to are loaded through its `$ref`s"),
            );
        }
        let id = FileId(self.files.len() as u32);
        self.files.push(file);
        self.roots.push(root);
        self.by_path.insert(path.to_path_buf(), id);
        self.diagnostics.extend(diags);
        if origin != Origin::Ref {
            self.inputs.push(id);
        }
        Some(id)
    }

    /// Resolve the file part of a `$ref`, loading the target file when needed.
    /// Records the target and returns a newly loaded file to scan.
    fn follow_file(&mut self, site: &RefSite, opts: &LoadOptions) -> Option<FileId> {
        if self.target(site.file, &site.raw).is_some() {
            return None;
        }
        let here = &self.files[site.file.0 as usize];
        let at = pointer::push(&site.object, "$ref");
        let loc = here.locate(&at);
        let raw = site.raw.as_str();
        let (path_part, fragment) = match raw.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (raw, None),
        };
        let tokens = match fragment.map(pointer::percent_decode) {
            None => Vec::new(),
            Some(None) => {
                self.diagnostics.push(Diagnostic::new(
                    "ref-invalid",
                    loc,
                    format!("`{raw}`: malformed percent-encoding in the fragment"),
                ));
                return None;
            }
            Some(Some(f)) => match pointer::parse(&f) {
                Some(t) => t,
                None => {
                    // `#https://…`: a URI written after the `#` by mistake.
                    let help = if path_part.is_empty() && uri_scheme(&f).is_some() {
                        format!(
                            "the part after `#` is a URI: to refer to it, drop the `#` (`{f}`, a remote reference, which is reported and not fetched) or vendor the file and refer to it by a relative path"
                        )
                    } else {
                        "a JSON pointer starts with `/`, e.g. `#/components/schemas/Pet`; escape `~` as `~0` and `/` as `~1`".to_string()
                    };
                    self.diagnostics.push(
                        Diagnostic::new(
                            "ref-invalid",
                            loc,
                            format!("`{raw}`: the fragment `#{f}` is not a JSON pointer"),
                        )
                        .with_help(help),
                    );
                    return None;
                }
            },
        };
        if path_part.is_empty() {
            self.record(
                site,
                Target {
                    file: site.file,
                    tokens,
                },
            );
            return None;
        }
        // A network-path reference (RFC 3986 §4.2) names a host, like `http://host/x`
        // without its scheme: remote, never a file. `///x` has an empty host and is the
        // absolute path `/x`.
        if let Some(host) = path_part
            .strip_prefix("//")
            .filter(|r| !r.is_empty() && !r.starts_with('/'))
        {
            let host = host.split(['/', '?']).next().unwrap_or(host);
            self.remote_refs += 1;
            self.diagnostics.push(
                Diagnostic::new(
                    "ref-remote",
                    loc,
                    format!("remote reference `{raw}` (a network-path reference to the host `{host}`) is not fetched; the content behind it is not validated"),
                )
                .with_help("hnp-events never uses the network: vendor the referenced file into the repository and refer to it by a relative path (a file path starts with `./`, `../` or a name, not `//`)"),
            );
            return None;
        }
        if let Some(scheme) = uri_scheme(path_part) {
            if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") {
                self.remote_refs += 1;
                self.diagnostics.push(
                    Diagnostic::new(
                        "ref-remote",
                        loc,
                        format!("remote reference `{raw}` is not fetched; the content behind it is not validated"),
                    )
                    .with_help("hnp-events never uses the network: vendor the referenced file into the repository and refer to it by a relative path"),
                );
            } else {
                self.diagnostics.push(Diagnostic::new(
                    "ref-invalid",
                    loc,
                    format!(
                        "`{raw}`: unsupported URI scheme `{scheme}:`; use a relative file path"
                    ),
                ));
            }
            return None;
        }
        let Some(rel) = pointer::percent_decode(path_part.split('?').next().unwrap_or("")) else {
            self.diagnostics.push(Diagnostic::new(
                "ref-invalid",
                loc,
                format!("`{raw}`: malformed percent-encoding in the path"),
            ));
            return None;
        };
        let base = here.path.parent().unwrap_or(Path::new("/"));
        let joined = normalize(&base.join(&rel));
        let root = self.roots[site.file.0 as usize].clone();
        let outside = |p: &Path| !opts.allow_ref_outside && !p.starts_with(&root);
        if outside(&joined) {
            self.diagnostics.push(
                Diagnostic::new(
                    "ref-outside-root",
                    loc,
                    format!(
                        "`{raw}` leads outside the workspace root `{}`; refused",
                        self.display_dir(&root)
                    ),
                )
                .with_help("set the root with `--root DIR`, or pass `--allow-ref-outside` if this is intended"),
            );
            return None;
        }
        let canon = match joined.canonicalize() {
            // Anything but a folder is read, where a FIFO or a device is refused by name.
            Ok(c) if !c.is_dir() => c,
            Ok(_) | Err(_) => {
                let mut d = Diagnostic::new(
                    "ref-unresolved",
                    loc,
                    format!("`{raw}`: file `{}` not found", self.display_of(&joined)),
                );
                if let Some(near) = near_file(&joined) {
                    d = d.with_help(format!("did you mean `{near}`?"));
                }
                self.diagnostics.push(d);
                return None;
            }
        };
        if outside(&canon) {
            self.diagnostics.push(
                Diagnostic::new(
                    "ref-outside-root",
                    loc,
                    format!(
                        "`{raw}` resolves (through a symbolic link) to `{}`, outside the workspace root `{}`; refused",
                        self.display_of(&canon),
                        self.display_dir(&root)
                    ),
                )
                .with_help("set the root with `--root DIR`, or pass `--allow-ref-outside` if this is intended"),
            );
            return None;
        }
        let (file, new) = match self.by_path.get(&canon) {
            Some(&id) => (id, None),
            None => match self.add_file(&canon, root, Origin::Ref) {
                Some(id) => (id, Some(id)),
                None => return None,
            },
        };
        self.record(site, Target { file, tokens });
        new
    }

    /// Check that every fragment points at something, and find pure `$ref` cycles.
    fn check_pointers(&mut self, sites: &[RefSite]) {
        let mut diags = Vec::new();
        let by_object: HashMap<(FileId, &str), usize> = sites
            .iter()
            .enumerate()
            .map(|(i, s)| ((s.file, s.object.as_str()), i))
            .collect();
        // Each site leads to at most one other site (the `$ref` object its target is):
        // the pure ref chains form a functional graph, whose cycles are found in one
        // pass over the sites.
        let next: Vec<Option<usize>> = sites
            .iter()
            .map(|s| {
                let t = self.target(s.file, &s.raw)?;
                let root = self.file(t.file).value.as_ref()?;
                pointer::resolve(root, &t.tokens).ok()?;
                let ptr = pointer::join_tokens(t.tokens.iter().map(String::as_str));
                by_object.get(&(t.file, ptr.as_str())).copied()
            })
            .collect();
        let mut cycles = pure_cycles(&next);
        for (i, site) in sites.iter().enumerate() {
            let Some(t) = self.target(site.file, &site.raw) else {
                continue;
            };
            let target = self.file(t.file);
            let Some(root) = target.value.as_ref() else {
                continue;
            };
            let here = self.file(site.file);
            let at = pointer::push(&site.object, "$ref");
            if let Err(depth) = pointer::resolve(root, &t.tokens) {
                let parent = pointer::join_tokens(t.tokens[..depth].iter().map(String::as_str));
                let missing = &t.tokens[depth];
                let where_ = if t.file == site.file {
                    String::new()
                } else {
                    format!(" in `{}`", target.display)
                };
                let parent_shown = if parent.is_empty() {
                    "the document root".to_string()
                } else {
                    format!("`{parent}`")
                };
                let mut d = Diagnostic::new(
                    "ref-unresolved",
                    here.locate(&at),
                    format!(
                        "`{}` does not resolve{where_}: {parent_shown} has no `{missing}`",
                        site.raw
                    ),
                )
                .with_related(
                    target.locate(&parent),
                    format!("`{missing}` is missing here"),
                );
                let siblings = pointer::resolve(root, &t.tokens[..depth])
                    .ok()
                    .and_then(|v| v.as_object())
                    .map(|m| m.keys().map(String::as_str).collect::<Vec<_>>())
                    .unwrap_or_default();
                if let Some(near) = near_name(missing, &siblings) {
                    d = d.with_help(format!("did you mean `{near}`?"));
                }
                diags.push(d);
                continue;
            }
            if let Some(chain) = cycles.remove(&i) {
                let mut chain: Vec<String> = chain
                    .iter()
                    .map(|&s| {
                        format!(
                            "`{}`",
                            self.file(sites[s].file).display_pointer(&sites[s].object)
                        )
                    })
                    .collect();
                chain.push(chain[0].clone());
                diags.push(Diagnostic::new(
                    "ref-cycle",
                    here.locate(&at),
                    format!(
                        "`$ref` cycle that never reaches any content: {}",
                        chain.join(" → ")
                    ),
                ));
            }
        }
        self.diagnostics.extend(diags);
    }
}

/// The cycles of a functional graph (`next[i]` is the one successor of node `i`), in
/// linear time: each keyed by its smallest node and listed from it, in edge order.
fn pure_cycles(next: &[Option<usize>]) -> HashMap<usize, Vec<usize>> {
    const NEW: u8 = 0;
    const ON_PATH: u8 = 1;
    const DONE: u8 = 2;
    let mut state = vec![NEW; next.len()];
    let mut cycles = HashMap::new();
    let mut path: Vec<usize> = Vec::new();
    for start in 0..next.len() {
        let mut cur = Some(start);
        while let Some(n) = cur {
            match state[n] {
                NEW => {
                    state[n] = ON_PATH;
                    path.push(n);
                    cur = next[n];
                }
                ON_PATH => {
                    // The walk came back to a node of this walk: the path from it on
                    // is a cycle.
                    let from = path.iter().rposition(|&p| p == n).unwrap_or(0);
                    let cycle = &path[from..];
                    let min = cycle
                        .iter()
                        .enumerate()
                        .min_by_key(|&(_, &p)| p)
                        .map_or(0, |(k, _)| k);
                    let mut listed = cycle[min..].to_vec();
                    listed.extend_from_slice(&cycle[..min]);
                    cycles.insert(listed[0], listed);
                    break;
                }
                _ => break,
            }
        }
        for &p in &path {
            state[p] = DONE;
        }
        path.clear();
    }
    cycles
}

/// `Some(scheme)` for `scheme:` URIs (but not Windows drive letters).
fn uri_scheme(s: &str) -> Option<&str> {
    let (scheme, _) = s.split_once(':')?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && scheme.len() > 1
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(scheme)
}

/// The `$ref` string of a reference object.
pub fn ref_of(v: &Value) -> Option<&str> {
    v.as_object()?.get("$ref")?.as_str()
}

/// Keys under which object keys are names, not keywords.
const NAME_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "definitions",
    "$defs",
    "schemas",
    "dependentSchemas",
];

/// Keys whose values are literal data, never containing references.
const LITERAL_KEYS: &[&str] = &["example", "default", "enum", "const"];

/// Every `$ref` string in a tree: (pointer of the object holding it, the string).
/// Literal data (`example`, `default`, `enum`, `const`) is skipped, but not a
/// property or definition that happens to have one of those names.
pub(crate) fn collect_refs(root: &Value) -> Vec<(String, String)> {
    fn ptr(path: &[Cow<'_, str>]) -> String {
        pointer::join_tokens(path.iter().map(|c| c.as_ref()))
    }
    fn go<'a>(
        v: &'a Value,
        path: &mut Vec<Cow<'a, str>>,
        names: bool,
        out: &mut Vec<(String, String)>,
    ) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push((ptr(path), r.clone()));
                }
                for (k, child) in m {
                    if !names {
                        // `default` is literal data in a schema, but a Response Object
                        // (often a `$ref`) under `responses`.
                        let response = k == "default"
                            && path.last().is_some_and(|p| p.as_ref() == "responses");
                        if LITERAL_KEYS.contains(&k.as_str()) && !response {
                            continue;
                        }
                        // Message/schema `examples` lists hold literal data; OpenAPI
                        // `examples` maps hold Example Objects (or refs to them) whose
                        // `value` is literal.
                        if k == "examples" {
                            if let Value::Object(ex) = child {
                                path.push(Cow::Borrowed(k));
                                for (name, e) in ex {
                                    if let Some(r) = ref_of(e) {
                                        path.push(Cow::Borrowed(name));
                                        out.push((ptr(path), r.to_string()));
                                        path.pop();
                                    }
                                }
                                path.pop();
                            }
                            continue;
                        }
                    }
                    path.push(Cow::Borrowed(k));
                    go(child, path, !names && NAME_MAPS.contains(&k.as_str()), out);
                    path.pop();
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    if child.is_object() || child.is_array() {
                        path.push(Cow::Owned(i.to_string()));
                        go(child, path, false, out);
                        path.pop();
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    go(root, &mut Vec::new(), false, &mut out);
    out
}

/// Lexical normalisation of `.` and `..` (the file may not exist yet).
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The default workspace root of an input: the git work tree holding it, else its
/// own folder.
fn default_root(canon: &Path, is_dir: bool) -> PathBuf {
    let own = if is_dir {
        canon.to_path_buf()
    } else {
        canon.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let mut dir = Some(own.as_path());
    while let Some(d) = dir {
        if d.join(".git").exists() {
            return d.to_path_buf();
        }
        dir = d.parent();
    }
    own
}

/// At most this many names are compared for a "did you mean" (each unresolved `$ref`
/// stays O(1) however large the object or folder it misses in).
const SUGGEST_MAX_NAMES: usize = 1000;

/// A name among `names` close to `missing` (a typo), for an unresolved `$ref`.
fn near_name<'a>(missing: &str, names: &[&'a str]) -> Option<&'a str> {
    let len = missing.chars().count();
    if len > 128 || names.len() > SUGGEST_MAX_NAMES {
        return None;
    }
    let close: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| n.chars().count().abs_diff(len) <= 3)
        .collect();
    crate::suggest::closest(missing, &close)
}

/// A file beside `missing` with a close name (`orders.yml` for `order.yml`).
fn near_file(missing: &Path) -> Option<String> {
    let dir = missing.parent()?;
    let name = missing.file_name()?.to_str()?;
    let names: Vec<String> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .take(SUGGEST_MAX_NAMES)
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    near_name(name, &refs).map(str::to_string)
}

/// Collects YAML/JSON files under a folder (skipping hidden folders and build output).
/// Every folder or entry that cannot be read is a problem named by its path, and the
/// walk goes on; a symbolic link whose target is outside the root is not loaded.
struct Walk<'a> {
    root: &'a Path,
    allow_outside: bool,
    out: &'a mut Vec<PathBuf>,
    /// (path, message): unreadable entries (`cannot …`) and links leaving the root.
    problems: Vec<(PathBuf, String)>,
}

impl Walk<'_> {
    fn walk(&mut self, dir: &Path, depth: usize) {
        if depth > 32 {
            return;
        }
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) => {
                let msg = format!("cannot read the folder: {}", io_message(&e));
                self.problems.push((dir.to_path_buf(), msg));
                return;
            }
        };
        for e in entries {
            let e = match e {
                Ok(e) => e,
                Err(err) => {
                    let msg = format!("cannot read the folder: {}", io_message(&err));
                    self.problems.push((dir.to_path_buf(), msg));
                    continue;
                }
            };
            let p = e.path();
            let name = e.file_name();
            let name = name.to_string_lossy();
            let Ok(ft) = e.file_type() else {
                self.problems
                    .push((p, "cannot read the entry's type".to_string()));
                continue;
            };
            if ft.is_dir() {
                if name.starts_with('.') || matches!(name.as_ref(), "node_modules" | "target") {
                    continue;
                }
                self.walk(&p, depth + 1);
            } else if matches!(
                p.extension().and_then(|x| x.to_str()),
                Some("yaml" | "yml" | "json")
            ) {
                match p.canonicalize() {
                    Ok(c) if !self.allow_outside && !c.starts_with(self.root) => {
                        let msg = format!(
                            "is a symbolic link to `{}`, outside the workspace root `{}`; not loaded (set the root with `--root DIR`, or pass `--allow-ref-outside`)",
                            c.display(),
                            self.root.display()
                        );
                        self.problems.push((p, msg));
                    }
                    Ok(c) => self.out.push(c),
                    Err(err) => {
                        let msg = format!("cannot read the file: {}", io_message(&err));
                        self.problems.push((p, msg));
                    }
                }
            }
        }
    }
}

fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

/// Read, check and parse one file.
fn read_file(path: &Path, display: Arc<str>) -> (SourceFile, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let file = match crate::fsio::read_regular(path) {
        Ok(bytes) => super::parse_file(path, bytes, display, &mut diags),
        Err(e) => {
            diags.push(Diagnostic::new(
                "file-unreadable",
                Location::file(display.clone()),
                format!("cannot read the file: {e}"),
            ));
            super::parse_file(path, Vec::new(), display, &mut Vec::new())
        }
    };
    (file, diags)
}

/// Below this many files, reading in parallel is not worth starting threads.
const PARALLEL_MIN_FILES: usize = 8;

/// [`read_file`] for many files (in parallel when there are enough of them); results
/// in the order of `paths`.
fn read_many(paths: &[&Path], displays: &[Arc<str>]) -> Vec<(SourceFile, Vec<Diagnostic>)> {
    let items: Vec<(&Path, &Arc<str>)> = paths.iter().copied().zip(displays).collect();
    super::par_map(&items, PARALLEL_MIN_FILES, |(p, d)| {
        read_file(p, (*d).clone())
    })
}
