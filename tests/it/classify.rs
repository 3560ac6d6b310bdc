//! `hnp-events classify` on the HNP reference architecture and on the corpus.

use crate::util::{code, run, stdout};

#[test]
fn classify_hnp_table() {
    let out = run(&["classify"]);
    assert_eq!(code(&out), 0);
    insta::assert_snapshot!(stdout(&out));
}

#[test]
fn classify_hnp_json_links_commands_to_events_and_consumers() {
    let out = run(&[
        "classify",
        "--format",
        "json",
        "fixtures/hnp/openapi.yaml",
        "fixtures/hnp/asyncapi.yaml",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    let ops = v["operations"].as_array().expect("operations");
    let sync = ops
        .iter()
        .find(|o| o["id"] == "syncFabric")
        .expect("syncFabric is classified");
    assert_eq!(sync["kind"], "command");
    let emits: Vec<&str> = sync["emits"]
        .as_array()
        .expect("emits")
        .iter()
        .filter_map(|e| e.as_str())
        .collect();
    assert!(emits.contains(&"SyncStarted"), "{emits:?}");
    let consumers = sync["consumers"].as_array().expect("consumers");
    assert!(!consumers.is_empty(), "SyncStarted has consumers");
    // No GET is a command.
    for o in ops {
        if o["what"].as_str().is_some_and(|w| w.starts_with("GET ")) {
            assert_eq!(o["kind"], "query", "{o}");
        }
    }
}

#[test]
fn classify_corpus_distribution() {
    let Some(corpus) = crate::corpus_load::corpus() else {
        return;
    };
    let out = run(&[
        "classify",
        "--format",
        "json",
        "--root",
        corpus.to_str().expect("utf-8"),
        corpus.join("asyncapi").to_str().expect("utf-8"),
        corpus.join("openapi").to_str().expect("utf-8"),
    ]);
    // The corpus holds documents the official verdicts call invalid: their structural
    // errors make the exit code 1; the rest is still classified.
    assert!(matches!(code(&out), 0 | 1), "{}", code(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    let mut counts = std::collections::BTreeMap::new();
    for o in v["operations"].as_array().expect("operations") {
        *counts
            .entry(o["kind"].as_str().unwrap_or("?").to_string())
            .or_insert(0) += 1;
        if o["what"].as_str().is_some_and(|w| w.starts_with("GET ")) {
            assert_eq!(o["kind"], "query", "{o}");
        }
    }
    println!("classify over the corpus: {counts:?}");
    assert!(counts.values().sum::<usize>() > 1000);
}
