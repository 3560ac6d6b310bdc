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
use crate::diff::{Mode, Options};
use crate::report::{self, Format, RenderOptions, Report, Summary};

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
channel or the document replaces that default. Sagas listed in hnp-events.yaml at
both revisions are compared too: a step whose message broke is reported at the saga.
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
    /// The upcasters HEAD declares (crate::projection::evolve).
    upcasters: Option<std::sync::Arc<crate::projection::upcast::Upcasters>>,
}

/// A release tag, its documents, and (release document, new document) pairs.
type Release = (String, Revision, Vec<(u32, u32)>);

fn parse_mode(s: &str) -> Result<Mode, String> {
    s.parse()
}

/// The config in the working directory (a broken one counts as none, as before).
fn local_config() -> Config {
    if Path::new(CONFIG_FILE).is_file() {
        Config::load(Path::new(CONFIG_FILE))
            .ok()
            .map(|(c, _, _)| c)
            .unwrap_or_default()
    } else {
        Config::default()
    }
}

/// What `hnp-events diff` reports for these arguments, in its order, before rendering:
/// the changelog `docs --base` shows too.
pub fn changelog(args: &DiffArgs) -> Result<Vec<Finding>, ToolError> {
    let sides = load_sides(args)?;
    Ok(findings(args, &local_config(), &sides))
}

pub fn run(args: &DiffArgs) -> Result<u8, ToolError> {
    let started = Instant::now();
    let config = local_config();
    let sides = load_sides(args)?;
    let kept = findings(args, &config, &sides);
    let diags: Vec<Diagnostic> = kept.iter().map(|f| f.diag.clone()).collect();
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
/// releases; severities from the config; sorted and de-duplicated.
fn findings(args: &DiffArgs, config: &Config, sides: &Sides) -> Vec<Finding> {
    let mut findings: Vec<Finding> = Vec::new();
    for d in sides.old.diagnostics.iter().chain(&sides.new.diagnostics) {
        findings.push(Finding {
            diag: d.clone(),
            group: "documents".into(),
        });
    }
    let opts = Options {
        default_mode: args.compatibility,
        release: None,
        upcasters: sides.upcasters.clone(),
    };
    let mut broken = std::collections::BTreeMap::new();
    let mut wants_releases = false;
    for (o, n) in &sides.pairs {
        match (o, n) {
            (Some(o), Some(n)) => {
                let out = contract::diff_documents(&sides.old, *o, &sides.new, *n, &opts);
                findings.extend(out.findings);
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
    ));
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
            let opts = Options {
                release: Some(tag.clone()),
                ..opts.clone()
            };
            for (o, n) in pairs {
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
    // Severities from the config's `rules:` (off removes the finding).
    let mut kept: Vec<Finding> = Vec::new();
    for f in findings {
        let mut one = vec![f.diag];
        config.apply_rule_levels(&mut one);
        if let Some(diag) = one.pop() {
            kept.push(Finding {
                diag,
                group: f.group,
            });
        }
    }
    kept.sort_by(|a, b| a.diag.sort_key().cmp(&b.diag.sort_key()));
    kept.dedup_by(|a, b| a.diag == b.diag);
    kept
}

fn usage(m: impl Into<String>) -> ToolError {
    ToolError::Usage(m.into())
}

fn load_sides(args: &DiffArgs) -> Result<Sides, ToolError> {
    let a = &args.args;
    // Two files.
    if !args.base_from_upstream && a.len() == 2 && Path::new(&a[0]).is_file() {
        if !Path::new(&a[1]).is_file() {
            return Err(usage(format!(
                "{}: not a file (comparing {} with it)",
                a[1], a[0]
            )));
        }
        let side = |p: &str| -> Result<Revision, ToolError> {
            let abs = Path::new(p)
                .canonicalize()
                .map_err(|e| usage(format!("{p}: {e}")))?;
            let root = abs.parent().map(Path::to_path_buf).unwrap_or_default();
            let root = crate::source::normalise_path(&root);
            let root = git_root(&root).unwrap_or(root);
            let rel = abs.strip_prefix(&root).unwrap_or(&abs).to_path_buf();
            let tree = DiskTree::new(root);
            Revision::load(&tree, p, &[rel]).map_err(usage)
        };
        let old = side(&a[0])?;
        let new = side(&a[1])?;
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
    if let Some(pattern) = &args.tags {
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
        upcasters,
    })
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
