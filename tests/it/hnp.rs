//! The HNP reference architecture (fixtures/hnp) is clean: `validate` with the repo's
//! hnp-events.yaml loads every document through its multi-file refs and finds nothing.

use crate::util::{code, run, stdout, summarize};

#[test]
fn hnp_fixtures_validate_clean() {
    let out = run(&["validate", "--format", "json", "--fail-on", "info"]);
    let text = stdout(&out);
    assert_eq!(
        summarize(&text),
        "",
        "the HNP fixtures must have no findings"
    );
    assert_eq!(code(&out), 0);
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    // asyncapi.yaml, asyncapi-2.6.yaml, openapi.yaml, the two common/ fragments and the
    // four sagas and three projections listed in hnp-events.yaml.
    assert_eq!(v["summary"]["files"], 12, "{}", v["summary"]);
    // Every gate measures something and passes.
    let metrics = v["metrics"].as_array().expect("metrics");
    assert_eq!(metrics.len(), 9);
    for m in metrics {
        assert_eq!(m["status"], "pass", "{m}");
    }
}
