//! What `simulate` and `--explore` say about a run is located and true (outside red
//! team, round 3): exploration's findings name the stream line they concern, the
//! timeline says which timer a waiting instance waits for, a completion awaited while
//! giving up has its real latency, an abort is no attempt of a step, and exploration's
//! plain run judges the end of the recording as `simulate` does.

use std::path::Path;

use serde_json::Value;

use crate::util::{code, repo, run, stdout};

/// The HNP saga `name` rewritten by `edit`, saved in `dir` next to an absolute
/// contract path.
fn hnp_saga(dir: &Path, name: &str, edit: impl Fn(String) -> String) -> String {
    let text = std::fs::read_to_string(repo().join(format!("fixtures/hnp/sagas/{name}.saga.yaml")))
        .expect("saga");
    let contract = repo().join("fixtures/hnp/asyncapi.yaml");
    let text = edit(text).replace(
        "contract: ../asyncapi.yaml",
        &format!("contract: {}", contract.display()),
    );
    let p = dir.join(format!("{name}.saga.yaml"));
    std::fs::write(&p, text).expect("write");
    p.display().to_string()
}

fn stream(name: &str) -> String {
    repo()
        .join(format!("fixtures/hnp/streams/{name}.jsonl"))
        .display()
        .to_string()
}

/// Without `causation:`, exploration finds replies taken for another attempt; those
/// counterexamples (found at a synthetic reply or at the instance's end) carry the
/// stream line of the event they perturb, never 0.
#[test]
fn exploration_findings_carry_the_stream_line_they_concern() {
    let dir = tempfile::tempdir().expect("tempdir");
    let saga = hnp_saga(dir.path(), "gitops-sync", |t| {
        t.replace("causation: /headers/causationid\n", "")
    });
    let events = stream("gitops-sync-happy");
    let o = run(&[
        "simulate",
        &saga,
        "--events",
        &events,
        "--explore",
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).expect("json");
    let ces = v["explore"]["counterexamples"].as_array().expect("list");
    let rules: Vec<&str> = ces.iter().filter_map(|c| c["rule"].as_str()).collect();
    assert!(rules.contains(&"saga-reply-misattributed"), "{rules:?}");
    for c in ces {
        for viol in c["violations"].as_array().expect("violations") {
            let line = viol["line"].as_u64().unwrap_or(0);
            assert!(line > 0, "{c:#}");
            // The line is one the perturbation names.
            let text = c["perturbation"].to_string();
            assert!(text.contains(&format!("line {line}")), "{c:#}");
        }
    }
}
