//! Every document in the shared corpus loads without a panic, and multi-file examples
//! resolve their relative `$ref`s.
//!
//! Reads `$HNP_CORPUS`: skipped with a note when unset, a failure when set but missing.

use std::path::{Path, PathBuf};

use hnp_events::source::{LoadOptions, Workspace};

/// The corpus folder, or `None` (with a printed note) when `HNP_CORPUS` is unset.
pub fn corpus() -> Option<PathBuf> {
    match std::env::var_os("HNP_CORPUS") {
        None => {
            println!("skipping: HNP_CORPUS not set");
            None
        }
        Some(p) => {
            let p = PathBuf::from(p);
            assert!(
                p.join("VERDICTS.tsv").is_file(),
                "HNP_CORPUS={} is set but holds no VERDICTS.tsv",
                p.display()
            );
            Some(p)
        }
    }
}

fn api_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            api_files(&p, out);
        } else if matches!(
            p.extension().and_then(|x| x.to_str()),
            Some("yaml" | "yml" | "json")
        ) {
            out.push(p);
        }
    }
}

#[test]
fn every_corpus_document_loads_without_panic() {
    let Some(corpus) = corpus() else { return };
    let mut files = Vec::new();
    for sub in ["asyncapi", "openapi", "crds"] {
        api_files(&corpus.join(sub), &mut files);
    }
    files.sort();
    assert!(files.len() > 100, "only {} corpus files found", files.len());
    let opts = LoadOptions {
        root: Some(corpus.clone()),
        ..LoadOptions::default()
    };
    let mut loaded = 0;
    for f in &files {
        let ws = Workspace::load(std::slice::from_ref(f), &opts)
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert!(!ws.files.is_empty(), "{}", f.display());
        loaded += ws.files.len();
    }
    println!(
        "{} corpus files loaded ({} files incl. $ref targets)",
        files.len(),
        loaded
    );
}

#[test]
fn multi_file_examples_resolve() {
    let Some(corpus) = corpus() else { return };
    let mut roots = Vec::new();
    api_files(&corpus.join("asyncapi"), &mut roots);
    let multi: Vec<PathBuf> = roots
        .into_iter()
        .filter(|p| p.to_string_lossy().contains("social-media") && p.ends_with("asyncapi.yaml"))
        .collect();
    assert!(
        !multi.is_empty(),
        "the social-media example is in the corpus"
    );
    let opts = LoadOptions {
        root: Some(corpus.clone()),
        ..LoadOptions::default()
    };
    for doc in &multi {
        let ws = Workspace::load(std::slice::from_ref(doc), &opts).expect("loads");
        let refs: Vec<_> = ws
            .diagnostics
            .iter()
            .filter(|d| d.rule.starts_with("ref-"))
            .collect();
        assert!(refs.is_empty(), "{}: {refs:#?}", doc.display());
        assert!(
            ws.files.len() > 1,
            "{} pulls in its common files",
            doc.display()
        );
    }
}
