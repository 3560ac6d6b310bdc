//! `hnp-events init`: write a commented `hnp-events.yaml` listing the API documents and
//! saga files found under the current folder, and with `--example` a small working
//! contract, saga and event stream. Never asks anything (it runs the same in a terminal,
//! a script or CI) and never overwrites a file: every file is created new, and an
//! existing one stops the run before anything is written.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::{ToolError, exit, write_stdout};
use crate::config::CONFIG_FILE;

pub const AFTER_HELP: &str = "\
Examples:
  hnp-events init              # hnp-events.yaml listing the documents and sagas found here
  hnp-events init --example    # plus a small contract, saga and stream that pass validate and simulate

Never asks anything and never overwrites: when a file it would write exists, it names the
file, writes nothing and exits 2. Folders named .*, node_modules and target are not searched.";

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Also write an example AsyncAPI contract (contracts/), saga (sagas/) and event
    /// stream (streams/) that pass `validate` and `simulate`
    #[arg(long)]
    pub example: bool,
}

/// The example files: where they go and what they hold.
pub const EXAMPLE: [(&str, &str); 3] = [
    (
        "contracts/orders.asyncapi.yaml",
        include_str!("init_example/orders.asyncapi.yaml"),
    ),
    (
        "sagas/place-order.saga.yaml",
        include_str!("init_example/place-order.saga.yaml"),
    ),
    (
        "streams/place-order.jsonl",
        include_str!("init_example/place-order.jsonl"),
    ),
];

/// The search stops after this many folder entries (a run from `/` or `$HOME` must end).
const MAX_ENTRIES: usize = 200_000;
/// Folders nested deeper are not searched.
const MAX_DEPTH: usize = 32;
/// How much of a file is read to tell whether it is an API document.
const SNIFF_BYTES: u64 = 64 * 1024;

/// What the search found, as `/`-separated paths relative to the folder, sorted.
#[derive(Debug, Default)]
pub struct Found {
    pub documents: Vec<String>,
    pub sagas: Vec<String>,
    /// Files whose names are not UTF-8 (cannot be written into the YAML faithfully).
    pub skipped_names: usize,
    /// The search hit `MAX_ENTRIES`.
    pub truncated: bool,
}

pub fn run(args: &InitArgs) -> Result<u8, ToolError> {
    let here = Path::new(".");
    let mut found = find(here);
    if args.example {
        let (contract, saga) = (EXAMPLE[0].0.to_string(), EXAMPLE[1].0.to_string());
        if !found.documents.contains(&contract) {
            found.documents.push(contract);
        }
        if !found.sagas.contains(&saga) {
            found.sagas.push(saga);
        }
        found.documents.sort();
        found.sagas.sort();
    }
    let mut files: Vec<(&str, String)> = Vec::new();
    if args.example {
        files.extend(EXAMPLE.iter().map(|(p, t)| (*p, (*t).to_string())));
    }
    files.push((CONFIG_FILE, config_text(&found)));
    // Refuse before writing anything.
    for (path, _) in &files {
        if Path::new(path).symlink_metadata().is_ok() {
            return Err(ToolError::Usage(format!(
                "{path} already exists; init never overwrites (move it away, or edit it)"
            )));
        }
    }
    write_all(&files)?;
    let mut out = String::new();
    for (path, _) in &files {
        out.push_str(&format!("wrote {path}\n"));
    }
    out.push_str(&format!(
        "\n{CONFIG_FILE} lists {} and {}.\n",
        count(found.documents.len(), "API document", "API documents"),
        count(found.sagas.len(), "saga file", "saga files"),
    ));
    if found.skipped_names > 0 {
        out.push_str(&format!(
            "note: {} with a name that is not UTF-8 not listed\n",
            count(found.skipped_names, "file", "files")
        ));
    }
    if found.truncated {
        out.push_str(&format!(
            "note: the search stopped after {MAX_ENTRIES} entries; add what it missed to {CONFIG_FILE}\n"
        ));
    }
    out.push_str("\nNext:\n  hnp-events validate\n");
    if args.example {
        out.push_str(&format!(
            "  hnp-events simulate {} --events {}\n",
            EXAMPLE[1].0, EXAMPLE[2].0
        ));
    }
    write_stdout(&out)?;
    Ok(exit::OK)
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Write every file, or none: on a failure the files and folders created so far are
/// removed again.
fn write_all(files: &[(&str, String)]) -> Result<(), ToolError> {
    let mut new_dirs: Vec<PathBuf> = Vec::new();
    let mut written: Vec<&Path> = Vec::new();
    let mut result = Ok(());
    for (path, text) in files {
        let path = Path::new(path);
        // The folders this file needs that do not exist yet, outermost first.
        let mut missing: Vec<PathBuf> = path
            .ancestors()
            .skip(1)
            .filter(|d| !d.as_os_str().is_empty() && !d.exists())
            .map(Path::to_path_buf)
            .collect();
        missing.reverse();
        new_dirs.extend(missing);
        match create_new(path, text) {
            Ok(()) => written.push(path),
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    if result.is_err() {
        for p in written {
            let _ = std::fs::remove_file(p);
        }
        for d in new_dirs.iter().rev() {
            let _ = std::fs::remove_dir(d); // only removes it when empty
        }
    }
    result
}

/// Create `path` (and its folders) with `text`; fails if it exists. A failed write
/// removes the partial file.
fn create_new(path: &Path, text: &str) -> Result<(), ToolError> {
    let io = |source| ToolError::Io {
        context: format!("writing {}", path.display()),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(io)?;
    if let Err(e) = f.write_all(text.as_bytes()).and_then(|()| f.sync_all()) {
        drop(f);
        let _ = std::fs::remove_file(path);
        return Err(io(e));
    }
    Ok(())
}

/// Search `root` for API documents and saga files.
pub fn find(root: &Path) -> Found {
    let mut found = Found::default();
    let mut entries = 0usize;
    let mut stack: Vec<(PathBuf, usize)> = vec![(root.to_path_buf(), 0)];
    while let Some((dir, depth)) = stack.pop() {
        let Ok(read) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in read.flatten() {
            entries += 1;
            if entries > MAX_ENTRIES {
                found.truncated = true;
                stack.clear();
                break;
            }
            let name = e.file_name();
            let Ok(ft) = e.file_type() else { continue };
            let path = e.path();
            if ft.is_dir() {
                let n = name.to_string_lossy();
                if depth < MAX_DEPTH
                    && !n.starts_with('.')
                    && !matches!(n.as_ref(), "node_modules" | "target")
                {
                    stack.push((path, depth + 1));
                }
                continue;
            }
            if !ft.is_file() {
                continue; // symbolic links are not followed
            }
            let saga = super::validate::is_saga_path(&path);
            let api = !saga
                && matches!(
                    path.extension().and_then(|x| x.to_str()),
                    Some("yaml" | "yml" | "json")
                )
                && name != CONFIG_FILE
                && is_api_document(&path);
            if !saga && !api {
                continue;
            }
            let Some(rel) = relative(root, &path) else {
                found.skipped_names += 1;
                continue;
            };
            if saga {
                found.sagas.push(rel);
            } else {
                found.documents.push(rel);
            }
        }
    }
    found.documents.sort();
    found.sagas.sort();
    found
}

/// `a/b.yaml` for `./a/b.yaml`; `None` when a component is not UTF-8.
fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
}

/// Whether the file starts like an AsyncAPI, OpenAPI or Swagger document: a top-level
/// `asyncapi:`/`openapi:`/`swagger:` line (YAML) or such a key (JSON) in its first
/// 64 KiB. Only that much is read, so the search stays fast on big trees.
fn is_api_document(path: &Path) -> bool {
    let Ok(f) = crate::fsio::open_regular(path) else {
        return false;
    };
    let mut head = Vec::new();
    if f.take(SNIFF_BYTES).read_to_end(&mut head).is_err() {
        return false;
    }
    let text = String::from_utf8_lossy(&head);
    const KEYS: [&str; 3] = ["asyncapi", "openapi", "swagger"];
    let yaml = text.lines().any(|l| {
        KEYS.iter().any(|k| {
            let l = l.trim_start_matches('\u{feff}');
            l.strip_prefix(k).is_some_and(|rest| {
                let rest = rest.trim_start_matches(['"', '\'']);
                rest.starts_with(':')
            }) || l
                .strip_prefix(['"', '\''])
                .and_then(|r| r.strip_prefix(k))
                .is_some_and(|r| r.trim_start_matches(['"', '\'']).starts_with(':'))
        })
    });
    let json = top_level_json_keys(&text).any(|k| KEYS.contains(&k));
    yaml || json
}

/// The keys of the top-level JSON object in (the start of) a JSON text, without
/// parsing it: strings are skipped with their escapes, and a string at depth 1 followed
/// by `:` is a key. Linear in the text; a truncated text yields the keys seen so far.
fn top_level_json_keys(text: &str) -> impl Iterator<Item = &str> {
    let b = text.as_bytes();
    let mut keys = Vec::new();
    let (mut i, mut depth) = (0usize, 0usize);
    while i < b.len() {
        match b[i] {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                let end = i.min(b.len());
                if depth == 1 {
                    let rest = text.get(end + 1..).unwrap_or("");
                    if rest.trim_start().starts_with(':') {
                        if let Some(k) = text.get(start..end) {
                            keys.push(k);
                        }
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    keys.into_iter()
}

/// A path as a YAML scalar: plain when that is unambiguous, else double-quoted.
fn yaml_path(p: &str) -> String {
    let plain = !p.is_empty()
        && p.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '/' | '-' | '+'))
        && !p.starts_with(['-', '.']);
    if plain {
        p.to_string()
    } else {
        serde_json::to_string(p).unwrap_or_else(|_| format!("{p:?}"))
    }
}

/// The commented configuration.
pub fn config_text(found: &Found) -> String {
    let list = |items: &[String], none: &str| -> String {
        if items.is_empty() {
            format!(" []   # {none}\n")
        } else {
            let mut s = String::from("\n");
            for i in items {
                s.push_str(&format!("  - {}\n", yaml_path(i)));
            }
            s
        }
    };
    format!(
        "\
# hnp-events configuration, written by `hnp-events init`.
# `hnp-events validate` with no PATH checks the documents and sagas listed here.
# Paths are relative to this file. `hnp-events schema config` prints this file's JSON
# Schema for editors; the README section \"Configuration\" explains every setting.

# API documents (AsyncAPI, OpenAPI, Swagger) found under this folder. Files they $ref
# are loaded with them and need not be listed.
documents:{documents}
# Saga files (*.saga.yaml), checked against their contracts; they feed the
# saga_completeness gate.
sagas:{sagas}
# The lowest severity that fails the run (exit code 1): error, warning, info or never.
fail-on: error

# Architecture gates: metrics with thresholds, measured after the structural rules.
# `gates: off` turns them all off (for documents that are not event architectures).
# gates:
#   event_flow_coverage: {{threshold: 0.9}}
#   ordering_declared: off
#   schema_consistency:
#     envelope: [id, source, specversion, type]
#     verbs: {{imperative: [frobnicate], past: [frobnicated]}}   # added to the built-in lists

# Rule levels: off, hint, info, warning or error (`hnp-events rules` lists the rules).
# rules:
#   ref-remote: off

# Findings to suppress: a glob over paths, optionally a JSON pointer and the rules.
# ignore:
#   - {{path: 'vendor/**'}}
#   - {{path: api.yaml, pointer: /components/messages/Legacy, rules: [gate-schema-consistency]}}
",
        documents = list(
            &found.documents,
            "none found: add your AsyncAPI/OpenAPI files"
        ),
        sagas = list(&found.sagas, "none found"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_documents_are_told_by_their_top_level_keys() {
        fn keys(t: &str) -> Vec<&str> {
            top_level_json_keys(t).collect()
        }
        assert_eq!(
            keys(r#"{"openapi": "3.0.0", "info": {"title": "x"}}"#),
            ["openapi", "info"]
        );
        // A dependency named openapi is not a top-level key.
        assert_eq!(
            keys(r#"{"name": "app", "dependencies": {"openapi": "^1"}}"#),
            ["name", "dependencies"]
        );
        assert_eq!(keys(r#"{"a\"b": 1, "c": "}"}"#), ["a\\\"b", "c"]);
        assert!(keys("[1, 2]").is_empty());
        assert_eq!(
            keys(r#"{"asyncapi": "3.0.0", "x": "unterminated"#),
            ["asyncapi", "x"]
        );
    }

    #[test]
    fn paths_are_quoted_when_needed() {
        assert_eq!(yaml_path("api/asyncapi.yaml"), "api/asyncapi.yaml");
        assert_eq!(yaml_path("my api/a: b.yaml"), "\"my api/a: b.yaml\"");
        assert_eq!(yaml_path("-x.yaml"), "\"-x.yaml\"");
        assert_eq!(yaml_path("#x.yaml"), "\"#x.yaml\"");
    }
}
