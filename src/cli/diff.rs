//! `hnp-events diff`: compare two revisions (git revisions or two files) of the
//! contract, render the findings, decide the exit code.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::{ColorChoice, ToolError, exit, use_color, write_atomic, write_stdout};
use crate::config::{CONFIG_FILE, Config, FailOn};
use crate::diag::{self, Diagnostic, Location, SourceSet};
use crate::diff::contract::{self, Finding};
use crate::diff::git::{self, GitTree};
use crate::diff::load::{DiskTree, Revision, Tree, normalize};
use crate::diff::saga::Sagas;
use crate::diff::settings::ModeEntry;
use crate::diff::{Mode, Options};
use crate::report::{self, Format, RenderOptions, Report, Summary};
use crate::source::SourceFile;

pub const AFTER_HELP: &str = "\
Examples:
  hnp-events diff v1.3.0                         # the configured documents: tag v1.3.0 → working tree
  hnp-events diff main HEAD                      # two commits
  hnp-events diff --base-from-upstream           # merge-base with the upstream branch → working tree
  hnp-events diff v1 v2 api/asyncapi.yaml        # one document at both revisions
  hnp-events diff old.yaml new.yaml              # two files
  hnp-events diff main --format markdown > changelog.md
  hnp-events diff v2.0.0 --tags 'v*'             # -transitive modes: also against every release tag
  hnp-events diff main --compatibility full      # the mode of items that declare none

Revisions are read from git's object database (no checkout). Each finding says which
side it breaks: what the application sends must stay readable by readers still on the
old version; what it receives from writers still on the old version must stay valid.
`x-hnp-compatibility: backward|forward|full|none[-transitive]` on a message, its
channel or the document replaces that default, as do the `diff:` section of
hnp-events.yaml (`documents`, `channels`, `messages`: name → mode; `compatibility`
and `tags`: defaults of the flags; `rules`: levels for diff only). Sagas listed in
hnp-events.yaml at both revisions are compared too: a step whose message broke is
reported at the saga.
Findings point into the new revision, with the old location as related information.
Exit codes: 0 no finding at or above --fail-on, 1 findings, 2 the tool could not run.";

#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct DiffArgs {
    /// BASE [HEAD] [PATH...] (git revisions; HEAD defaults to the working tree), or
    /// OLD.yaml NEW.yaml
    #[arg(value_name = "REV_OR_FILE")]
    pub args: Vec<String>,
    /// Use the merge-base of HEAD with its upstream branch as BASE
    #[arg(long)]
    pub base_from_upstream: bool,
    /// Compatibility mode of items declaring no `x-hnp-compatibility` (default: by
    /// direction: forward for what the application writes, backward for what it reads)
    #[arg(long, value_name = "MODE", value_parser = parse_mode)]
    pub compatibility: Option<Mode>,
    /// Release tags (a glob, e.g. 'v*') that `-transitive` modes check HEAD against,
    /// besides BASE
    #[arg(long, value_name = "PATTERN")]
    pub tags: Option<String>,
    /// Output format (markdown: a changelog for a pull-request comment)
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report to FILE (atomically) instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Lowest severity that makes the run fail (exit code 1) [default: error, or the config's]
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Print only diagnostics (no summary line)
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// When to use colour in human output (NO_COLOR is honoured)
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Two files: $refs may reach any file under DIR [default: the config's `root:`
    /// or folder, else the git work tree holding the file, else its folder]; git
    /// revisions always resolve inside their tree
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

/// The documents of both sides, paired.
struct Sides {
    old: Revision,
    new: Revision,
    /// (old document, new document) by position in each side's inputs; `None` when a
    /// side lacks it.
    pairs: Vec<(Option<u32>, Option<u32>)>,
    base_label: String,
    head_label: String,
    old_sagas: Sagas,
    new_sagas: Sagas,
    /// Releases for the `-transitive` modes: tag, documents, (release document, new
    /// document) pairs.
    releases: Vec<Release>,
    /// The folder the new side's tree-relative paths are under (for `diff.documents`).
    new_root: PathBuf,
    /// When HEAD is a git revision: the working directory's path inside the work
    /// tree (files of HEAD are shown as `HEAD:path`, relative to the tree's root).
    head_revision_prefix: Option<PathBuf>,
    /// The upcasters HEAD declares (crate::projection::evolve).
    upcasters: Option<std::rc::Rc<crate::projection::upcast::Upcasters>>,
}

/// A release tag, its documents, and (release document, new document) pairs.
type Release = (String, Revision, Vec<(u32, u32)>);

fn parse_mode(s: &str) -> Result<Mode, String> {
    s.parse()
}

/// The config in the working directory, with its problems and its text (to locate
/// `diff:` entries that match nothing). An unreadable one counts as none.
struct LocalConfig {
    config: Config,
    diags: Vec<Diagnostic>,
    file: Option<SourceFile>,
}

fn local_config() -> LocalConfig {
    let none = || LocalConfig {
        config: Config::default(),
        diags: Vec::new(),
        file: None,
    };
    if !Path::new(CONFIG_FILE).is_file() {
        return none();
    }
    match Config::load(Path::new(CONFIG_FILE)) {
        Ok((config, diags, file)) => LocalConfig {
            config,
            diags,
            file,
        },
        Err(_) => none(),
    }
}

/// What `hnp-events diff` reports for these arguments, in its order, before rendering:
/// the changelog `docs --base` shows too (the config's own problems are left to the
/// command that reads it).
pub fn changelog(args: &DiffArgs) -> Result<Vec<Finding>, ToolError> {
    let mut local = local_config();
    local.diags.clear();
    let sides = load_sides(args, &local.config)?;
    Ok(findings(args, &local, &sides))
}

pub fn run(args: &DiffArgs) -> Result<u8, ToolError> {
    let started = Instant::now();
    let local = local_config();
    let config = &local.config;
    let sides = load_sides(args, config)?;
    let kept = findings(args, &local, &sides);
    let mut diags: Vec<Diagnostic> = kept.iter().map(|f| f.diag.clone()).collect();
    if matches!(args.format, Format::Sarif | Format::Github | Format::Junit) {
        working_tree_paths(&mut diags, &sides);
    }
    let text = if args.format == Format::Markdown {
        crate::diff::render::markdown(&kept, &sides.base_label, &sides.head_label)
    } else {
        let mut sources = SourceSet::default();
        sources.extend(sides.old.sources());
        sources.extend(sides.new.sources());
        sources.extend(sides.old_sagas.sources());
        sources.extend(sides.new_sagas.sources());
        for (_, rev, _) in &sides.releases {
            sources.extend(rev.sources());
        }
        if let Some(f) = &local.file {
            sources.insert(f.display.clone(), f.text.clone());
        }
        let summary = Summary {
            files: sides.old.files.len() + sides.new.files.len(),
            elapsed: started.elapsed(),
            ..Summary::default()
        };
        let report = Report {
            diagnostics: &diags,
            sources: &sources,
            summary: &summary,
        };
        let to_file = args.output.is_some();
        let opts = RenderOptions {
            color: !to_file && args.format == Format::Human && use_color(args.color),
            timing: false,
            quiet: args.quiet,
        };
        report::render(args.format, &report, opts)
    };
    match &args.output {
        Some(path) => write_atomic(path, &text)?,
        None => write_stdout(&text)?,
    }
    let fail_on = args.fail_on.or(config.fail_on).unwrap_or(FailOn::Error);
    let failed = fail_on
        .threshold()
        .is_some_and(|t| diags.iter().any(|d| d.severity >= t));
    let _ = diag::Severity::Error;
    Ok(if failed { exit::FINDINGS } else { exit::OK })
}

/// Every finding between the two sides: documents, sagas and, for `-transitive` modes,
/// releases; the config's problems; severities from the config (`rules:`, then
/// `diff.rules`); sorted and de-duplicated.
fn findings(args: &DiffArgs, local: &LocalConfig, sides: &Sides) -> Vec<Finding> {
    let config = &local.config;
    let mut findings: Vec<Finding> = Vec::new();
    for d in sides.old.diagnostics.iter().chain(&sides.new.diagnostics) {
        findings.push(Finding {
            diag: d.clone(),
            group: "documents".into(),
            shared: None,
        });
    }
    for d in &local.diags {
        findings.push(Finding {
            diag: d.clone(),
            group: "configuration".into(),
            shared: None,
        });
    }
    let settings = &config.diff;
    let mut levels = config.rules.clone();
    levels.extend(settings.rules.iter().map(|(k, v)| (k.clone(), *v)));
    let opts = Options {
        default_mode: args.compatibility.or(settings.compatibility),
        document_mode: None,
        channel_modes: settings
            .channels
            .iter()
            .map(|e| (e.name.clone(), e.mode))
            .collect(),
        message_modes: settings
            .messages
            .iter()
            .map(|e| (e.name.clone(), e.mode))
            .collect(),
        levels: levels.clone(),
        release: None,
        upcasters: sides.upcasters.clone(),
    };
    // `diff.documents`, by the new document's path (both made absolute).
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|d| d.canonicalize().ok())
        .unwrap_or_default();
    let config_dir = cwd.join(&config.dir);
    let doc_entries: Vec<(PathBuf, &ModeEntry)> = settings
        .documents
        .iter()
        .map(|(_, e)| (crate::source::normalise_path(&config_dir.join(&e.name)), e))
        .collect();
    let used_docs = vec![std::cell::Cell::new(false); doc_entries.len()];
    let doc_opts = |n: u32| -> Options {
        let path = sides
            .new
            .paths
            .get(n as usize)
            .map(|p| crate::source::normalise_path(&sides.new_root.join(p)));
        let hit = doc_entries
            .iter()
            .position(|(p, _)| Some(p) == path.as_ref());
        if let Some(i) = hit {
            used_docs[i].set(true);
        }
        Options {
            document_mode: hit.map(|i| doc_entries[i].1.mode),
            ..opts.clone()
        }
    };
    let mut channel_names = std::collections::BTreeSet::new();
    let mut message_names = std::collections::BTreeSet::new();
    let mut broken = std::collections::BTreeMap::new();
    let mut wants_releases = false;
    for (o, n) in &sides.pairs {
        match (o, n) {
            // A side that does not parse is reported (above) and not compared: every
            // item would look removed or added.
            (Some(o), Some(n)) if !parsed(&sides.old, *o) || !parsed(&sides.new, *n) => {}
            (Some(o), Some(n)) => {
                let opts = doc_opts(*n);
                let out = contract::diff_documents(&sides.old, *o, &sides.new, *n, &opts);
                findings.extend(out.findings);
                channel_names.extend(out.channel_names);
                message_names.extend(out.message_names);
                wants_releases |= out.wants_releases;
                for (k, v) in out.broken {
                    broken.entry(k).or_insert(v);
                }
            }
            (Some(o), None) => {
                let f = sides.old.file(*o);
                findings.push(Finding {
                    diag: Diagnostic::new(
                        "diff-document-removed",
                        f.file_location(),
                        format!("`{}` is not at {}", f.display, sides.head_label),
                    ),
                    group: "documents".into(),
                    shared: None,
                });
            }
            (None, Some(n)) => {
                let f = sides.new.file(*n);
                findings.push(Finding {
                    diag: Diagnostic::new(
                        "diff-added",
                        Location::file(f.display.clone()),
                        format!("document `{}` added", f.display),
                    ),
                    group: "documents".into(),
                    shared: None,
                });
            }
            (None, None) => {}
        }
    }
    findings.extend(crate::diff::saga::diff(
        &sides.old_sagas,
        &sides.new_sagas,
        &broken,
        &sides.base_label,
        &levels,
    ));
    if let Some(file) = &local.file {
        let unmatched = [
            (
                "document",
                settings
                    .documents
                    .iter()
                    .zip(&used_docs)
                    .filter(|(_, used)| !used.get())
                    .map(|((_, e), _)| e)
                    .collect::<Vec<_>>(),
                sides
                    .new
                    .inputs
                    .iter()
                    .filter_map(|i| sides.new.paths.get(*i as usize))
                    .filter_map(|p| {
                        let abs = crate::source::normalise_path(&sides.new_root.join(p));
                        abs.strip_prefix(&config_dir)
                            .ok()
                            .map(|r| r.to_string_lossy().into_owned())
                    })
                    .collect::<Vec<_>>(),
            ),
            (
                "channel",
                settings
                    .channels
                    .iter()
                    .filter(|e| !channel_names.contains(&e.name))
                    .collect(),
                channel_names.iter().cloned().collect(),
            ),
            (
                "message",
                settings
                    .messages
                    .iter()
                    .filter(|e| !message_names.contains(&e.name))
                    .collect(),
                message_names.iter().cloned().collect(),
            ),
        ];
        for (what, entries, known) in unmatched {
            let known: Vec<&str> = known.iter().map(String::as_str).collect();
            for e in entries {
                let mut d = Diagnostic::new(
                    "diff-compatibility-unmatched",
                    file.locate_key(&e.at),
                    format!(
                        "`diff` sets `{}` for {what} `{}`, which no compared document at {} has",
                        e.mode.name(),
                        e.name,
                        sides.head_label
                    ),
                );
                if let Some(s) = crate::suggest::closest(&e.name, &known) {
                    d = d.with_help(format!("did you mean `{s}`?"));
                }
                findings.push(Finding {
                    diag: d,
                    group: "configuration".into(),
                    shared: None,
                });
            }
        }
    }
    if wants_releases {
        // Messages reported so far, by rule and location (a lookup per release finding
        // instead of a scan of every finding).
        let mut seen: HashMap<(String, String), Vec<String>> = HashMap::new();
        for g in &findings {
            seen.entry((g.diag.rule.to_string(), format!("{:?}", g.diag.location)))
                .or_default()
                .push(g.diag.message.clone());
        }
        for (tag, rev, pairs) in &sides.releases {
            for (o, n) in pairs {
                if !parsed(rev, *o) || !parsed(&sides.new, *n) {
                    continue;
                }
                let opts = Options {
                    release: Some(tag.clone()),
                    ..doc_opts(*n)
                };
                let out = contract::diff_documents(rev, *o, &sides.new, *n, &opts);
                // A change already reported against BASE is not repeated per release.
                for f in out.findings {
                    let messages = seen
                        .entry((f.diag.rule.to_string(), format!("{:?}", f.diag.location)))
                        .or_default();
                    let dup = messages
                        .iter()
                        .any(|m| f.diag.message.ends_with(m.as_str()));
                    if !dup {
                        messages.push(f.diag.message.clone());
                        findings.push(f);
                    }
                }
            }
        }
    }
    // One change in a file several documents share is told once.
    let findings = contract::group_shared(findings);
    // Severities from the config's `rules:` and `diff.rules` (off removes the
    // finding).
    let mut kept: Vec<Finding> = Vec::new();
    for mut f in findings {
        if let Some(s) = crate::diff::severity(&levels, &f.diag) {
            f.diag.severity = s;
            kept.push(f);
        }
    }
    kept.sort_by(|a, b| a.diag.sort_key().cmp(&b.diag.sort_key()));
    kept.dedup_by(|a, b| a.diag == b.diag);
    kept
}

/// Whether a document of a revision parsed (has a value to compare).
fn parsed(rev: &Revision, doc: u32) -> bool {
    rev.files
        .get(doc as usize)
        .is_some_and(|f| f.value.is_some())
}

fn usage(m: impl Into<String>) -> ToolError {
    ToolError::Usage(m.into())
}

fn load_sides(args: &DiffArgs, config: &Config) -> Result<Sides, ToolError> {
    let a = &args.args;
    // `--tags`, else the config's `diff.tags` (which two files ignore).
    let tags = args.tags.clone().or_else(|| config.diff.tags.clone());
    // Two files.
    if !args.base_from_upstream && a.len() == 2 && Path::new(&a[0]).is_file() {
        if !Path::new(&a[1]).is_file() {
            return Err(usage(format!(
                "{}: not a file (comparing {} with it)",
                a[1], a[0]
            )));
        }
        let side = |p: &str| -> Result<(Revision, PathBuf), ToolError> {
            let abs = Path::new(p)
                .canonicalize()
                .map_err(|e| usage(format!("{p}: {e}")))?;
            let own = abs.parent().map(Path::to_path_buf).unwrap_or_default();
            let own = crate::source::normalise_path(&own);
            // As `validate`: `--root`, else the config's root or folder, else the git
            // work tree, else the file's folder; a root not holding the file is ignored.
            let asked = args.root.clone().or_else(|| {
                config
                    .path
                    .as_ref()
                    .map(|_| config.root.clone().unwrap_or_else(|| config.dir.clone()))
            });
            let asked = asked
                .and_then(|r| r.canonicalize().ok())
                .map(|r| crate::source::normalise_path(&r))
                .filter(|r| abs.starts_with(r));
            let root = asked.unwrap_or_else(|| git_root(&own).unwrap_or(own));
            let rel = abs.strip_prefix(&root).unwrap_or(&abs).to_path_buf();
            let tree = DiskTree::new(root.clone());
            Ok((Revision::load(&tree, p, &[rel]).map_err(usage)?, root))
        };
        let (old, _) = side(&a[0])?;
        let (new, new_root) = side(&a[1])?;
        if args.tags.is_some() {
            return Err(usage(
                "--tags needs git revisions, not two files (releases are read at tags)",
            ));
        }
        return Ok(Sides {
            old,
            new,
            pairs: vec![(Some(0), Some(0))],
            base_label: a[0].clone(),
            head_label: a[1].clone(),
            old_sagas: Sagas::default(),
            new_sagas: Sagas::default(),
            releases: Vec::new(),
            new_root,
            head_revision_prefix: None,
            upcasters: None,
        });
    }
    let (repo, prefix) = git::open().map_err(usage)?;
    let mut rest: &[String] = a;
    let base = if args.base_from_upstream {
        git::upstream_base(&repo).map_err(usage)?
    } else {
        let Some((b, r)) = rest.split_first() else {
            return Err(usage(
                "name the base revision (`hnp-events diff main`), use --base-from-upstream, or pass OLD.yaml NEW.yaml",
            ));
        };
        rest = r;
        b.clone()
    };
    let head = match rest.first() {
        Some(h) if git::is_revision(&repo, h) && !Path::new(h).exists() => {
            rest = &rest[1..];
            Some(h.clone())
        }
        _ => None,
    };
    let base_tree = GitTree {
        repo: &repo,
        tree: git::tree_of(&repo, &base).map_err(usage)?,
        label: base.clone(),
    };
    let workdir = repo
        .workdir()
        .map(|w| w.canonicalize().unwrap_or_else(|_| w.to_path_buf()));
    let workdir_root = workdir.clone();
    let head_git;
    let head_disk;
    let head_tree: &dyn Tree = match &head {
        Some(h) => {
            head_git = GitTree {
                repo: &repo,
                tree: git::tree_of(&repo, h).map_err(usage)?,
                label: h.clone(),
            };
            &head_git
        }
        None => {
            let Some(w) = workdir else {
                return Err(usage(
                    "a bare repository has no working tree: name the HEAD revision",
                ));
            };
            head_disk = DiskTree::new(w);
            &head_disk
        }
    };
    let head_label = head
        .clone()
        .unwrap_or_else(|| "the working tree".to_string());
    // The documents: named, else listed by each side's hnp-events.yaml.
    let (old_docs, new_docs) = if rest.is_empty() {
        (
            git::configured_documents(&base_tree, &prefix).map_err(usage)?,
            git::configured_documents(head_tree, &prefix).map_err(usage)?,
        )
    } else {
        // Relative paths are from the working directory; absolute ones (as `docs --base`
        // passes its documents) from the repository's working tree.
        let root = repo.workdir().and_then(|w| w.canonicalize().ok());
        let docs: Vec<PathBuf> = rest
            .iter()
            .map(|p| {
                let path = Path::new(p);
                let rel = if path.is_absolute() {
                    let abs = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
                    root.as_ref()
                        .and_then(|r| abs.strip_prefix(r).ok())
                        .and_then(normalize)
                } else {
                    normalize(&prefix.join(p))
                };
                rel.ok_or_else(|| usage(format!("{p}: outside the repository")))
            })
            .collect::<Result<_, _>>()?;
        (docs.clone(), docs)
    };
    // A document missing on one side is a finding, not a failure.
    let present = |t: &dyn Tree, d: &Vec<PathBuf>| -> Result<Vec<PathBuf>, ToolError> {
        let mut out = Vec::new();
        for p in d {
            if t.read(p).map_err(usage)?.is_some() {
                out.push(p.clone());
            }
        }
        Ok(out)
    };
    let old_present = present(&base_tree, &old_docs)?;
    let new_present = present(head_tree, &new_docs)?;
    if !rest.is_empty() && old_present.is_empty() && new_present.is_empty() {
        return Err(usage(format!(
            "none of the named documents exists at {base} or at {head_label}"
        )));
    }
    let old = Revision::load(&base_tree, &base, &old_present).map_err(usage)?;
    let new = Revision::load(head_tree, &head_label, &new_present).map_err(usage)?;
    let mut all: Vec<&PathBuf> = old_docs.iter().collect();
    all.extend(new_docs.iter().filter(|d| !old_docs.contains(d)));
    let pos = |v: &Vec<PathBuf>, r: &Revision, d: &PathBuf| {
        v.iter()
            .position(|x| x == d)
            .and_then(|i| r.inputs.get(i).copied())
    };
    let pairs = all
        .into_iter()
        .map(|d| (pos(&old_present, &old, d), pos(&new_present, &new, d)))
        .collect();
    let old_sagas = Sagas::load(&base_tree, &prefix).map_err(usage)?;
    let new_sagas = Sagas::load(head_tree, &prefix).map_err(usage)?;
    let upcasters = crate::projection::evolve::declared(head_tree, &prefix);
    // Releases: every tag matching the pattern whose tree is not BASE's.
    let mut releases = Vec::new();
    if let Some(pattern) = &tags {
        let names = repo
            .tag_names(Some(pattern))
            .map_err(|e| usage(format!("tags `{pattern}`: {}", e.message())))?;
        let mut tags: Vec<String> = (0..names.len())
            .filter_map(|i| names.get(i).ok().flatten())
            .map(str::to_string)
            .collect();
        tags.sort_by(|a, b| version_order(a, b));
        for tag in tags {
            let tree = git::tree_of(&repo, &tag).map_err(usage)?;
            if tree == base_tree.tree {
                continue;
            }
            let t = GitTree {
                repo: &repo,
                tree,
                label: tag.clone(),
            };
            let docs = if rest.is_empty() {
                match git::configured_documents(&t, &prefix) {
                    Ok(d) => d,
                    Err(_) => continue,
                }
            } else {
                new_docs.clone()
            };
            let docs = present(&t, &docs)?;
            let rev = Revision::load(&t, &tag, &docs).map_err(usage)?;
            let pairs: Vec<(u32, u32)> = docs
                .iter()
                .enumerate()
                .filter_map(|(i, d)| Some((*rev.inputs.get(i)?, pos(&new_present, &new, d)?)))
                .collect();
            releases.push((tag, rev, pairs));
        }
    }
    Ok(Sides {
        old,
        new,
        pairs,
        base_label: base,
        head_label,
        old_sagas,
        new_sagas,
        releases,
        new_root: workdir_root.unwrap_or_default(),
        head_revision_prefix: head.as_ref().map(|_| prefix.clone()),
        upcasters,
    })
}

/// Code-scanning formats locate findings in the checked-out files: a finding in a
/// HEAD revision's `HEAD:sub/api.yaml` is shown as `api.yaml` (relative to the working
/// directory `sub`), which is the same file when HEAD is checked out, as in CI. Related
/// locations in the base revision keep their `BASE:` prefix (the message names it).
fn working_tree_paths(diags: &mut [Diagnostic], sides: &Sides) {
    let Some(prefix) = &sides.head_revision_prefix else {
        return;
    };
    let label = format!("{}:", sides.head_label);
    let up = prefix.components().count();
    for d in diags {
        let Some(path) = d.location.file.strip_prefix(label.as_str()) else {
            continue;
        };
        let path = Path::new(path);
        let rel = match path.strip_prefix(prefix) {
            Ok(r) => r.to_path_buf(),
            Err(_) => {
                let mut r: PathBuf = std::iter::repeat_n("..", up).collect();
                r.push(path);
                r
            }
        };
        d.location.file = rel.to_string_lossy().as_ref().into();
    }
}

/// Tags in version order (`v2` before `v10`), numbers compared as numbers.
fn version_order(a: &str, b: &str) -> std::cmp::Ordering {
    let key = |s: &str| -> Vec<(u64, String)> {
        s.split(|c: char| !c.is_ascii_alphanumeric())
            .map(|p| {
                (
                    p.trim_start_matches('v').parse().unwrap_or(u64::MAX),
                    p.to_string(),
                )
            })
            .collect()
    };
    key(a).cmp(&key(b))
}

/// The work tree of the git repository holding a folder, if any.
fn git_root(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}
