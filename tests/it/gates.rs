//! Architecture gates: for every gate a failing and a passing fixture
//! (fixtures/gates/), configuration (thresholds, off, ignore, inline `x-hnp-ignore`),
//! the report formats that show metrics, and a crash-free run over the real-document
//! corpus that prints the distribution of metric values.

use std::path::{Path, PathBuf};

use hnp_events::source::{LoadOptions, Workspace};
use serde_json::Value;

use crate::util::{code, repo, run, run_in, stdout, summarize};

/// `validate` restricted to one gate; the metric line(s) and the findings.
fn gate_run(rule: &str, paths: &[&str]) -> (String, Value, i32) {
    let mut args = vec![
        "validate",
        "--no-config",
        "--format",
        "json",
        "--rule",
        rule,
        "--rule",
        "gate-threshold",
    ];
    args.extend_from_slice(paths);
    let out = run(&args);
    let text = stdout(&out);
    let v: Value = serde_json::from_str(&text).expect("json report");
    let mut s = String::new();
    for m in v["metrics"].as_array().expect("metrics") {
        s.push_str(&format!(
            "metric {} {}/{} threshold {} {}\n",
            m["name"].as_str().unwrap_or("?"),
            m["numerator"],
            m["denominator"],
            m["threshold"],
            m["status"].as_str().unwrap_or("?")
        ));
    }
    s.push_str(&summarize(&text));
    (s, v, code(&out))
}

const GATES: &[(&str, &str)] = &[
    ("gate-event-flow-coverage", "event-flow-coverage"),
    ("gate-cqrs-compliance", "cqrs-compliance"),
    ("gate-schema-consistency", "schema-consistency"),
    ("gate-error-handling-coverage", "error-handling-coverage"),
    ("gate-delivery-declared", "delivery-declared"),
    ("gate-ordering-declared", "ordering-declared"),
    ("gate-idempotency-declared", "idempotency-declared"),
];

#[test]
fn every_gate_fails_and_passes() {
    for (rule, stem) in GATES {
        let fail = format!("fixtures/gates/{stem}.fail.yaml");
        let pass = format!("fixtures/gates/{stem}.pass.yaml");
        let (s, v, c) = gate_run(rule, &[&fail]);
        assert_eq!(c, 1, "{fail} must fail:\n{s}");
        assert_eq!(v["metrics"][0]["status"], "fail", "{s}");
        insta::assert_snapshot!(format!("fail_{stem}"), s);
        let (s, v, c) = gate_run(rule, &[&pass]);
        assert_eq!(c, 0, "{pass} must pass:\n{s}");
        assert_eq!(v["metrics"][0]["status"], "pass", "{s}");
        assert_eq!(v["diagnostics"].as_array().map(Vec::len), Some(0), "{s}");
        insta::assert_snapshot!(format!("pass_{stem}"), s);
    }
}

#[test]
fn saga_completeness_fails_and_passes() {
    let contract = "fixtures/hnp/asyncapi.yaml";
    let (s, v, c) = gate_run(
        "gate-saga-completeness",
        &[contract, "fixtures/gates/saga-completeness.fail.saga.yaml"],
    );
    assert_eq!(c, 1, "{s}");
    assert_eq!(v["metrics"][0]["status"], "fail", "{s}");
    insta::assert_snapshot!("fail_saga-completeness", s);
    // With the saga that coordinates the contract's NetBox → Git export (a chain of
    // commands, counted by the same metric).
    let (s, v, c) = gate_run(
        "gate-saga-completeness",
        &[
            contract,
            "fixtures/gates/saga-completeness.pass.saga.yaml",
            "fixtures/hnp/sagas/netbox-git-export.saga.yaml",
        ],
    );
    assert_eq!(c, 0, "{s}");
    assert_eq!(v["metrics"][0]["status"], "pass", "{s}");
    insta::assert_snapshot!("pass_saga-completeness", s);
    // Without saga files the export chain is the one item, and it misses.
    let (s, v, c) = gate_run("gate-saga-completeness", &[contract]);
    assert_eq!(c, 1, "{s}");
    assert_eq!(v["metrics"][0]["status"], "fail", "{s}");
    assert_eq!(v["metrics"][0]["denominator"], 1, "{s}");
    assert!(
        s.contains("operation `startGitExportOnNetBoxChange` starts a chain of 3 commands"),
        "{s}"
    );
    // Without chains or saga files (the 2.6 ingress alone) the metric is n/a.
    let (s, v, c) = gate_run(
        "gate-saga-completeness",
        &["fixtures/hnp/asyncapi-2.6.yaml"],
    );
    assert_eq!(c, 0, "{s}");
    assert_eq!(v["metrics"][0]["status"], "n/a", "{s}");
}

#[test]
fn saga_check_findings_join_validate() {
    let out = run(&[
        "validate",
        "--no-config",
        "--no-gates",
        "--format",
        "json",
        "fixtures/hnp/asyncapi.yaml",
        "fixtures/gates/saga-completeness.fail.saga.yaml",
    ]);
    let s = summarize(&stdout(&out));
    assert!(s.contains("saga-completeness.fail.saga.yaml"), "{s}");
    assert!(s.contains("saga-timeout-missing"), "{s}");
}

#[test]
fn gate_fixtures_are_structurally_valid() {
    // The schema_consistency fixture's bad example is also (rightly) a structural
    // `schema-example-invalid` warning; everything else must be clean.
    let mut args = vec![
        "validate",
        "--no-config",
        "--no-gates",
        "--fail-on",
        "info",
        "--skip-rule",
        "schema-example-invalid",
    ];
    let files: Vec<String> = GATES
        .iter()
        .flat_map(|(_, s)| {
            [
                format!("fixtures/gates/{s}.fail.yaml"),
                format!("fixtures/gates/{s}.pass.yaml"),
            ]
        })
        .collect();
    args.extend(files.iter().map(String::as_str));
    let out = run(&args);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
}

#[test]
fn no_gates_measures_nothing() {
    let out = run(&[
        "validate",
        "--no-config",
        "--no-gates",
        "--format",
        "json",
        "fixtures/gates/ordering-declared.fail.yaml",
    ]);
    let v: Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(v["metrics"], serde_json::json!([]));
    assert_eq!(code(&out), 0);
}

#[test]
fn skip_rule_and_unknown_rule() {
    let out = run(&[
        "validate",
        "--no-config",
        "--format",
        "json",
        "--skip-rule",
        "gate-ordering-declared",
        "fixtures/gates/ordering-declared.fail.yaml",
    ]);
    let v: Value = serde_json::from_str(&stdout(&out)).expect("json");
    let names: Vec<&str> = v["metrics"]
        .as_array()
        .expect("metrics")
        .iter()
        .filter_map(|m| m["name"].as_str())
        .collect();
    assert!(!names.contains(&"ordering_declared"), "{names:?}");
    assert!(names.contains(&"delivery_declared"), "{names:?}");
    let out = run(&["validate", "--rule", "gate-ordering-declard", "x.yaml"]);
    assert_eq!(code(&out), 2);
    assert!(crate::util::stderr(&out).contains("did you mean"));
}

/// A temporary workspace with one document and a config.
fn workspace(config: &str, doc: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("hnp-events.yaml"), config).expect("write");
    std::fs::create_dir_all(dir.path().join("legacy")).expect("mkdir");
    std::fs::write(dir.path().join("legacy/api.yaml"), doc).expect("write");
    dir
}

fn doc(name: &str) -> String {
    std::fs::read_to_string(repo().join("fixtures/gates").join(name)).expect("fixture")
}

fn metric(v: &Value, name: &str) -> Value {
    v["metrics"]
        .as_array()
        .and_then(|ms| ms.iter().find(|m| m["name"] == name))
        .cloned()
        .unwrap_or(Value::Null)
}

#[test]
fn config_thresholds_and_off() {
    let dir = workspace(
        "documents: [legacy/api.yaml]\ngates:\n  event_flow_coverage: {threshold: 0}\n  delivery_declared: off\n",
        &doc("event-flow-coverage.fail.yaml"),
    );
    let out = run_in(dir.path(), &["validate", "--format", "json"]);
    let v: Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(metric(&v, "event_flow_coverage")["status"], "pass");
    assert_eq!(metric(&v, "event_flow_coverage")["threshold"], 0.0);
    assert_eq!(metric(&v, "delivery_declared"), Value::Null);
    // The miss is still a located warning.
    assert!(summarize(&stdout(&out)).contains("warning gate-event-flow-coverage"));

    let dir = workspace(
        "documents: [legacy/api.yaml]\ngates:\n  event_flow_coverage: {treshold: 2}\n  ordering: off\n",
        &doc("event-flow-coverage.fail.yaml"),
    );
    let out = run_in(dir.path(), &["validate", "--format", "json"]);
    let s = summarize(&stdout(&out));
    assert!(
        s.contains(
            "hnp-events.yaml:3:25 error config-invalid: unknown or invalid gate setting `treshold`"
        ),
        "{s}"
    );
    assert!(
        s.contains("hnp-events.yaml:4:3 error config-invalid: unknown gate `ordering`"),
        "{s}"
    );
}

#[test]
fn config_ignore_by_path_and_pointer() {
    let dir = workspace(
        "documents: [legacy/api.yaml]\nignore:\n  - {path: 'legacy/**', pointer: /components/messages/DriftDetected, rules: [gate-event-flow-coverage]}\n",
        &doc("event-flow-coverage.fail.yaml"),
    );
    let out = run_in(dir.path(), &["validate", "--format", "json"]);
    let v: Value = serde_json::from_str(&stdout(&out)).expect("json");
    let m = metric(&v, "event_flow_coverage");
    assert_eq!(m["status"], "pass", "{m}");
    assert_eq!(m["waived"], 1, "{m}");
    assert!(!summarize(&stdout(&out)).contains("gate-event-flow-coverage"));
}

#[test]
fn config_ignore_globs_are_relative_to_the_config_folder() {
    // Run from the parent folder: the finding's file is `proj/legacy/api.yaml`, the
    // glob `legacy/**` is written relative to proj/hnp-events.yaml.
    let parent = tempfile::tempdir().expect("tempdir");
    let proj = parent.path().join("proj");
    std::fs::create_dir_all(proj.join("legacy")).expect("mkdir");
    std::fs::write(
        proj.join("hnp-events.yaml"),
        "documents: [legacy/api.yaml]\nignore:\n  - {path: 'legacy/**', rules: [gate-event-flow-coverage]}\n",
    )
    .expect("write");
    std::fs::write(
        proj.join("legacy/api.yaml"),
        doc("event-flow-coverage.fail.yaml"),
    )
    .expect("write");
    let out = run_in(
        parent.path(),
        &[
            "validate",
            "--config",
            "proj/hnp-events.yaml",
            "--format",
            "json",
        ],
    );
    let v: Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(metric(&v, "event_flow_coverage")["status"], "pass", "{v}");
    assert!(!summarize(&stdout(&out)).contains("gate-event-flow-coverage"));
    // A glob that names another folder suppresses nothing.
    std::fs::write(
        proj.join("hnp-events.yaml"),
        "documents: [legacy/api.yaml]\nignore:\n  - {path: 'other/**', rules: [gate-event-flow-coverage]}\n",
    )
    .expect("write");
    let out = run_in(
        parent.path(),
        &[
            "validate",
            "--config",
            "proj/hnp-events.yaml",
            "--format",
            "json",
        ],
    );
    assert!(summarize(&stdout(&out)).contains("gate-event-flow-coverage"));
}

#[test]
fn inline_ignore_suppresses_under_the_object() {
    let text = doc("ordering-declared.fail.yaml").replace(
        "  lifecycle:                       # no ordering key\n",
        "  lifecycle:\n    x-hnp-ignore: [gate-ordering-declared]\n",
    );
    let dir = workspace("documents: [legacy/api.yaml]\n", &text);
    let out = run_in(dir.path(), &["validate", "--format", "json"]);
    let v: Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(metric(&v, "ordering_declared")["status"], "pass");
    assert!(!summarize(&stdout(&out)).contains("gate-ordering-declared"));
}

/// The output without its timing (`in 12ms`, `(12 ms)`), which varies.
fn untimed(text: &str) -> String {
    crate::util::without_timing(text)
        .lines()
        .map(|l| match l.find(" (").filter(|_| l.ends_with(" ms)")) {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn human_and_markdown_show_metrics() {
    for (format, name) in [("human", "human_metrics"), ("markdown", "markdown_metrics")] {
        let out = run(&[
            "validate",
            "--no-config",
            "--format",
            format,
            "fixtures/gates/idempotency-declared.fail.yaml",
        ]);
        let text = untimed(&stdout(&out));
        if format == "markdown" {
            // Markdown shows a backslash inside a code span literally: none there.
            for (i, span) in text.split('`').enumerate() {
                assert!(i % 2 == 0 || !span.contains('\\'), "`{span}` in\n{text}");
            }
        }
        insta::assert_snapshot!(name, text);
    }
}

#[test]
fn explain_gate_rules_show_examples() {
    for rule in hnp_events::diag::RULES
        .iter()
        .filter(|r| r.id.starts_with("gate-"))
    {
        assert!(
            rule.example_fail.is_some() && rule.example_pass.is_some(),
            "{}",
            rule.id
        );
    }
    let out = run(&["explain", "gate-ordering-declared"]);
    let text = stdout(&out);
    assert!(
        text.contains("Fails:") && text.contains("Passes:"),
        "{text}"
    );
    assert!(text.contains("x-hnp-ordering-key"), "{text}");
}

#[test]
fn config_schema_accepts_the_repo_config() {
    let out = run(&["schema", "config"]);
    assert_eq!(code(&out), 0);
    let schema: Value = serde_json::from_str(&stdout(&out)).expect("schema json");
    let path = repo().join("hnp-events.yaml");
    let bytes = std::fs::read(&path).expect("config");
    let mut diags = Vec::new();
    let file = hnp_events::source::parse_file(&path, bytes, "hnp-events.yaml".into(), &mut diags);
    let config = file.value.expect("parsed config");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&config)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    // And rejects an unknown gate.
    let bad = serde_json::json!({"gates": {"ordering": "off"}});
    assert!(!validator.is_valid(&bad));
    let out = run(&["schema", "saga"]);
    assert_eq!(code(&out), 0);
    assert!(serde_json::from_str::<Value>(&stdout(&out)).is_ok());
}

/// Over every real document of the corpus (`$HNP_CORPUS/VERDICTS.tsv`), gates never
/// crash; prints the distribution of each metric's values.
#[test]
fn corpus_gates_distribution() {
    let Some(dir) = std::env::var_os("HNP_CORPUS") else {
        println!("skipping: HNP_CORPUS not set");
        return;
    };
    let dir = PathBuf::from(dir);
    let tsv = std::fs::read_to_string(dir.join("VERDICTS.tsv")).expect("VERDICTS.tsv");
    let paths: Vec<PathBuf> = tsv
        .lines()
        .skip(1)
        .filter_map(|l| l.split('\t').next())
        .filter(|p| !p.is_empty())
        .map(|p| dir.join(p))
        .filter(|p| p.is_file())
        .collect();
    assert!(!paths.is_empty());
    let mut values: std::collections::BTreeMap<&'static str, Vec<Option<f64>>> = Default::default();
    for p in &paths {
        let metrics = gates_of(p, &dir);
        for m in metrics {
            values.entry(m.name).or_default().push(m.ratio());
        }
    }
    println!("gate metrics over {} corpus documents:", paths.len());
    println!(
        "{:<24} {:>5} {:>5} {:>6} {:>6} {:>6} {:>6} {:>6}",
        "metric", "n/a", "0%", "<50%", "<90%", "<100%", "100%", "mean"
    );
    for (name, vs) in &values {
        let measured: Vec<f64> = vs.iter().flatten().copied().collect();
        let na = vs.len() - measured.len();
        let count = |f: &dyn Fn(f64) -> bool| measured.iter().filter(|&&r| f(r)).count();
        let mean = if measured.is_empty() {
            "n/a".to_string()
        } else {
            format!(
                "{:.1}%",
                100.0 * measured.iter().sum::<f64>() / measured.len() as f64
            )
        };
        println!(
            "{:<24} {:>5} {:>5} {:>6} {:>6} {:>6} {:>6} {:>6}",
            name,
            na,
            count(&|r| r == 0.0),
            count(&|r| r > 0.0 && r < 0.5),
            count(&|r| (0.5..0.9).contains(&r)),
            count(&|r| (0.9..1.0).contains(&r)),
            count(&|r| r >= 1.0),
            mean
        );
    }
    assert_eq!(values.len(), 8, "every gate measured");
}

fn gates_of(path: &Path, root: &Path) -> Vec<hnp_events::gates::Metric> {
    let opts = LoadOptions {
        root: Some(root.to_path_buf()),
        ..LoadOptions::default()
    };
    let Ok(ws) = Workspace::load(&[path.to_path_buf()], &opts) else {
        return Vec::new();
    };
    let (model, _) = hnp_events::model::build(&ws);
    let (rows, cdiags) = hnp_events::classify::classify(&ws, &model);
    let input = hnp_events::gates::Input {
        ws: &ws,
        model: &model,
        rows: &rows,
        classify_diags: &cdiags,
        sagas: &[],
        all_sagas: true,
        verbs: hnp_events::gates::verbs::Verbs::builtin(),
        served: None,
    };
    let enabled = |_: &str| true;
    let suppressed = |_: &str, _: &hnp_events::diag::Location| false;
    let anchor = |_: &str| hnp_events::diag::Location::file(path.to_string_lossy().as_ref());
    let filter = hnp_events::gates::Filter {
        enabled: &enabled,
        suppressed: &suppressed,
        anchor: &anchor,
    };
    let (metrics, _diags) = hnp_events::gates::run(&input, &Default::default(), &filter);
    metrics
}

#[test]
fn saga_metric_agrees_with_saga_completeness() {
    for name in [
        "saga-completeness.fail.saga.yaml",
        "saga-completeness.pass.saga.yaml",
    ] {
        let path = repo().join("fixtures/gates").join(name);
        let saga = hnp_events::saga::load(&path, name.into()).expect("saga loads");
        let (num, den) = hnp_events::saga::completeness(std::slice::from_ref(&saga));
        let (_, v, _) = gate_run(
            "gate-saga-completeness",
            &[
                "fixtures/hnp/asyncapi.yaml",
                &format!("fixtures/gates/{name}"),
            ],
        );
        // Besides the saga's steps, the metric counts the HNP contract's chain of
        // commands that no saga of this run coordinates (the NetBox → Git export).
        assert_eq!(v["metrics"][0]["numerator"], num, "{name}");
        assert_eq!(v["metrics"][0]["denominator"], den + 1, "{name}");
    }
}

/// A document with structural errors gets no gates: no threshold errors before (or
/// after) the errors to fix first, no table of metrics over a broken model; a note says
/// why. Threshold errors of a sound document come after the per-item warnings.
#[test]
fn gates_wait_for_structural_errors() {
    let mut shown = String::new();
    for (format, file) in [
        ("human", "fixtures/invalid/structural/asyncapi-enum.yaml"),
        ("markdown", "fixtures/invalid/structural/asyncapi-enum.yaml"),
        ("human", "fixtures/invalid/loading/empty.yaml"),
    ] {
        let out = run(&["validate", "--no-config", "--format", format, file]);
        assert_eq!(code(&out), 1);
        let text = untimed(&stdout(&out));
        assert!(!text.contains("gate-threshold"), "{text}");
        assert!(!text.contains("n/a"), "{text}");
        shown.push_str(&format!("$ validate --format {format} {file}\n{text}\n\n"));
    }
    insta::assert_snapshot!("gates_wait_for_structural_errors", shown);
    let out = run(&[
        "validate",
        "--no-config",
        "--format",
        "json",
        "fixtures/invalid/structural/asyncapi-enum.yaml",
    ]);
    let v: Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(v["metrics"], serde_json::json!([]));
    assert!(
        v["summary"]["gates_skipped"]
            .as_str()
            .is_some_and(|s| s.contains("1 structural error")),
        "{v}"
    );

    let out = run(&[
        "validate",
        "--no-config",
        "--format",
        "json",
        "fixtures/gates/idempotency-declared.fail.yaml",
    ]);
    let rules: Vec<String> =
        serde_json::from_str::<Value>(&stdout(&out)).expect("json")["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .map(|d| d["rule"].as_str().unwrap_or("?").to_string())
            .collect();
    let first_threshold = rules.iter().position(|r| r == "gate-threshold");
    assert!(first_threshold.is_some(), "{rules:?}");
    assert!(
        rules[first_threshold.unwrap_or(0)..]
            .iter()
            .all(|r| r == "gate-threshold"),
        "threshold errors must come last: {rules:?}"
    );
}

/// An empty but valid document: one note instead of eight `n/a` rows.
#[test]
fn nothing_to_measure_is_one_note() {
    let dir = workspace(
        "documents: [legacy/api.yaml]\n",
        "asyncapi: 3.0.0\ninfo: {title: t, version: 1.0.0}\n",
    );
    let mut shown = String::new();
    for format in ["human", "markdown"] {
        let out = run_in(dir.path(), &["validate", "--format", format]);
        assert_eq!(code(&out), 0);
        shown.push_str(&format!(
            "$ validate --format {format}\n{}\n\n",
            untimed(&stdout(&out))
        ));
    }
    assert!(!shown.contains("n/a"), "{shown}");
    insta::assert_snapshot!("nothing_to_measure", shown);
}

/// `gates: off` in the config is accepted and turns every gate off, as `--no-gates`.
#[test]
fn config_gates_off() {
    for setting in ["off", "false"] {
        let dir = workspace(
            &format!("documents: [legacy/api.yaml]\ngates: {setting}\n"),
            &doc("event-flow-coverage.fail.yaml"),
        );
        let out = run_in(dir.path(), &["validate", "--format", "json"]);
        let v: Value = serde_json::from_str(&stdout(&out)).expect("json");
        assert_eq!(v["metrics"], serde_json::json!([]), "{v}");
        let s = summarize(&stdout(&out));
        assert!(!s.contains("config-invalid"), "{s}");
        assert!(!s.contains("gate-"), "{s}");
        assert_eq!(code(&out), 0, "{s}");
    }
    // The config's JSON Schema accepts it too.
    let schema = hnp_events::config_schema::json_schema();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    assert!(validator.is_valid(&serde_json::json!({"gates": "off"})));
    assert!(!validator.is_valid(&serde_json::json!({"gates": "sometimes"})));
}

/// `explain gate-threshold` says where thresholds come from, without jargon.
#[test]
fn explain_gate_threshold() {
    let out = run(&["explain", "gate-threshold"]);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    assert!(!text.contains("checklist"), "{text}");
    insta::assert_snapshot!("explain_gate_threshold", text);
}

/// `gates: {schema_consistency: {verbs: ...}}` extends the verb lists: an event named
/// with a past form the built-in list lacks (`FloorSwept`) passes once it is configured.
#[test]
fn config_verbs_extend_naming() {
    let doc_text = doc("schema-consistency.pass.yaml").replace("SyncCompleted", "FloorSwept");
    let run_with = |config: &str| {
        let dir = workspace(config, &doc_text);
        let out = run_in(
            dir.path(),
            &[
                "validate",
                "--format",
                "json",
                "--rule",
                "gate-schema-consistency",
                "--rule",
                "config-invalid",
            ],
        );
        (summarize(&stdout(&out)), code(&out))
    };
    let (s, _) = run_with("documents: [legacy/api.yaml]\n");
    assert!(
        s.contains("event name `FloorSwept` is not in the past tense"),
        "{s}"
    );
    let (s, c) = run_with(
        "documents: [legacy/api.yaml]\ngates:\n  schema_consistency:\n    verbs: {imperative: [sweep], past: [swept]}\n",
    );
    assert_eq!(s, "", "{s}");
    assert_eq!(c, 0);
    // A wrong shape is a located config error.
    let (s, _) = run_with(
        "documents: [legacy/api.yaml]\ngates:\n  schema_consistency:\n    verbs: {imperatives: [sweep]}\n",
    );
    assert!(
        s.contains("hnp-events.yaml:4:13 error config-invalid: unknown verb list `imperatives`"),
        "{s}"
    );
    // The config's JSON Schema knows the setting.
    let schema = hnp_events::config_schema::json_schema();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let ok = serde_json::json!({"gates": {"schema_consistency": {"verbs": {"imperative": ["sweep"], "past": ["swept"]}}}});
    assert!(validator.is_valid(&ok));
    let bad =
        serde_json::json!({"gates": {"schema_consistency": {"verbs": {"imperatives": ["sweep"]}}}});
    assert!(!validator.is_valid(&bad));
}

/// `validate` given one saga file and no documents (outside red team FA1b): the file is
/// a selection, not the project's sagas, so a command chain it does not coordinate is
/// not counted against it (a note says so); named with the documents, it is.
#[test]
fn a_saga_file_validated_alone_is_not_charged_with_other_chains() {
    let dir = tempfile::tempdir().expect("tempdir");
    let contract = repo().join("fixtures/hnp/asyncapi.yaml");
    let text = std::fs::read_to_string(repo().join("fixtures/hnp/sagas/drift-reconcile.saga.yaml"))
        .expect("saga")
        .replace(
            "contract: ../asyncapi.yaml",
            &format!("contract: {}", contract.display()),
        );
    std::fs::write(dir.path().join("drift.saga.yaml"), text).expect("write");
    let chain = "`startGitExportOnNetBoxChange` starts a chain";
    let out = run_in(
        dir.path(),
        &["validate", "drift.saga.yaml", "--format", "json"],
    );
    let v: Value = serde_json::from_str(&stdout(&out)).expect("json");
    let diags = v["diagnostics"].as_array().expect("diagnostics");
    assert!(
        !diags
            .iter()
            .any(|d| d["message"].as_str().unwrap_or("").contains(chain)),
        "{diags:#?}"
    );
    assert!(
        diags.iter().any(|d| d["rule"] == "gate-not-measured"
            && d["message"]
                .as_str()
                .unwrap_or("")
                .contains("1 chain of commands")),
        "{diags:#?}"
    );
    assert_eq!(code(&out), 0, "{diags:#?}");
    let out = run_in(
        dir.path(),
        &[
            "validate",
            &contract.display().to_string(),
            "drift.saga.yaml",
            "--format",
            "json",
        ],
    );
    let v: Value = serde_json::from_str(&stdout(&out)).expect("json");
    let diags = v["diagnostics"].as_array().expect("diagnostics");
    assert!(
        diags
            .iter()
            .any(|d| d["message"].as_str().unwrap_or("").contains(chain)),
        "{diags:#?}"
    );
}
