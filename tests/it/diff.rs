//! `hnp-events diff`: the schema compatibility engine's soundness against the
//! `jsonschema` crate, and the command on files and git revisions.

use std::cell::Cell;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRng, TestRunner};
use serde_json::{Map, Value, json};

use hnp_events::diff::schema::{Dialect, Loc, LocalResolver, Side, compare};

// ---- generators ----

fn small_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-3i64..6).prop_map(|n| json!(n)),
        prop_oneof![Just(0.5), Just(2.5), Just(-1.5), Just(3.0)].prop_map(|f| json!(f)),
        prop_oneof![
            Just(""),
            Just("a"),
            Just("b"),
            Just("ab"),
            Just("ba"),
            Just("abc"),
            Just("2020-01-01"),
        ]
        .prop_map(|s| json!(s)),
    ]
}

fn instance() -> impl Strategy<Value = Value> {
    small_value().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![Just("a"), Just("b"), Just("c")].prop_map(str::to_string),
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

const TYPES: &[&str] = &[
    "null", "boolean", "object", "array", "string", "number", "integer",
];

/// One keyword (or a keyword group) of a schema; `sub` generates subschemas.
fn fragment(sub: BoxedStrategy<Value>) -> impl Strategy<Value = Vec<(String, Value)>> {
    let kv =
        |k: &'static str, v: BoxedStrategy<Value>| v.prop_map(move |v| vec![(k.to_string(), v)]);
    let num = || prop_oneof![(-2i64..5).prop_map(|n| json!(n)), Just(json!(1.5))].boxed();
    let count = || (0u64..4).prop_map(|n| json!(n)).boxed();
    let names = || prop_oneof![Just("a"), Just("b"), Just("c")];
    prop_oneof![
        kv(
            "type",
            prop::sample::select(TYPES).prop_map(|t| json!(t)).boxed()
        ),
        kv(
            "type",
            prop::sample::subsequence(TYPES, 1..4)
                .prop_map(|t| json!(t))
                .boxed()
        ),
        kv(
            "enum",
            prop::collection::vec(small_value(), 1..4)
                .prop_map(Value::Array)
                .boxed()
        ),
        kv("const", small_value().boxed()),
        kv("minimum", num()),
        kv("maximum", num()),
        kv("exclusiveMinimum", num()),
        kv("exclusiveMaximum", num()),
        kv(
            "multipleOf",
            prop_oneof![
                Just(json!(1)),
                Just(json!(2)),
                Just(json!(4)),
                Just(json!(0.5))
            ]
            .boxed()
        ),
        kv("minLength", count()),
        kv("maxLength", count()),
        kv(
            "pattern",
            prop_oneof![Just(json!("^a")), Just(json!("b$")), Just(json!("^[ab]*$"))].boxed()
        ),
        kv(
            "format",
            prop_oneof![Just(json!("date")), Just(json!("email"))].boxed()
        ),
        kv("minItems", count()),
        kv("maxItems", count()),
        kv("uniqueItems", any::<bool>().prop_map(Value::Bool).boxed()),
        kv("items", sub.clone()),
        kv(
            "prefixItems",
            prop::collection::vec(sub.clone(), 1..3)
                .prop_map(Value::Array)
                .boxed()
        ),
        kv("contains", sub.clone()),
        kv("minProperties", count()),
        kv("maxProperties", count()),
        kv(
            "properties",
            prop::collection::btree_map(names().prop_map(str::to_string), sub.clone(), 1..3)
                .prop_map(|m| Value::Object(m.into_iter().collect()))
                .boxed()
        ),
        kv(
            "required",
            prop::sample::subsequence(vec!["a", "b", "c"], 1..3)
                .prop_map(|r| json!(r))
                .boxed()
        ),
        kv(
            "additionalProperties",
            prop_oneof![Just(json!(false)), Just(json!(true)), sub.clone()].boxed()
        ),
        kv(
            "patternProperties",
            sub.clone().prop_map(|s| json!({"^a": s})).boxed()
        ),
        kv(
            "propertyNames",
            prop_oneof![
                Just(json!({"maxLength": 1})),
                Just(json!({"enum": ["a", "b"]}))
            ]
            .boxed()
        ),
        kv(
            "anyOf",
            prop::collection::vec(sub.clone(), 1..4)
                .prop_map(Value::Array)
                .boxed()
        ),
        kv(
            "oneOf",
            prop::collection::vec(sub.clone(), 1..4)
                .prop_map(Value::Array)
                .boxed()
        ),
        kv(
            "allOf",
            prop::collection::vec(sub.clone(), 1..3)
                .prop_map(Value::Array)
                .boxed()
        ),
        kv("not", sub.clone()),
        Just(vec![("$ref".to_string(), json!("#/$defs/d"))]),
    ]
}

fn merge(frags: &[Vec<(String, Value)>]) -> Value {
    let mut m = Map::new();
    for f in frags {
        for (k, v) in f {
            m.insert(k.clone(), v.clone());
        }
    }
    Value::Object(m)
}

fn schema() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        3 => Just(json!({})),
        1 => Just(json!(true)),
        1 => Just(json!(false)),
        4 => prop::sample::select(TYPES).prop_map(|t| json!({"type": t})),
        2 => prop::collection::vec(small_value(), 1..4).prop_map(|e| json!({"enum": e})),
        1 => Just(json!({"$ref": "#/$defs/d"})),
    ];
    leaf.prop_recursive(3, 32, 4, |inner| {
        prop::collection::vec(fragment(inner.boxed()), 1..4).prop_map(|f| merge(&f))
    })
    .boxed()
}

/// An old schema as fragments, and a new one made from them by dropping, keeping and
/// adding fragments (so that the pair is related and often compatible one way).
fn schema_pair() -> impl Strategy<Value = (Value, Value)> {
    let sub = schema();
    (
        prop::collection::vec(fragment(sub.clone()), 1..5),
        prop::collection::vec(any::<u8>(), 5),
        prop::collection::vec(fragment(sub.clone()), 0..3),
        sub.clone(),
        sub,
    )
        .prop_map(|(old, keep, extra, d_old, d_new)| {
            let mut new: Vec<_> = old
                .iter()
                .zip(keep.iter().cycle())
                .filter(|(_, k)| **k % 4 != 0)
                .map(|(f, _)| f.clone())
                .collect();
            new.extend(extra);
            let mut o = merge(&old);
            let mut n = merge(&new);
            // `$defs/d` is the old one or a related one on each side.
            let d_new = if keep[0] % 2 == 0 {
                d_old.clone()
            } else {
                d_new
            };
            o["$defs"] = json!({"d": d_old});
            n["$defs"] = json!({"d": d_new});
            (o, n)
        })
}

fn collect_values(v: &Value, out: &mut Vec<Value>) {
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                match k.as_str() {
                    "enum" => {
                        if let Value::Array(a) = c {
                            out.extend(a.iter().cloned());
                        }
                    }
                    "const" => out.push(c.clone()),
                    _ => collect_values(c, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|c| collect_values(c, out)),
        _ => {}
    }
}

/// Soundness: when the engine proves `old ⊆ new` (readers) or `new ⊆ old` (writers),
/// no generated instance contradicts it under the `jsonschema` crate (draft 2020-12).
#[test]
fn compatibility_verdicts_are_sound() {
    let cases = std::env::var("HNP_DIFF_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(3000);
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let rng = TestRng::deterministic_rng(config.rng_algorithm);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let proven = Cell::new((0usize, 0usize));
    let checked = Cell::new(0usize);
    let compiled = Cell::new(0usize);
    let result = runner.run(
        &(schema_pair(), prop::collection::vec(instance(), 24)),
        |((old, new), mut instances)| {
            let build = |s: &Value| {
                jsonschema::options()
                    .with_draft(jsonschema::Draft::Draft202012)
                    .build(s)
                    .ok()
            };
            let (Some(vo), Some(vn)) = (build(&old), build(&new)) else {
                return Ok(());
            };
            compiled.set(compiled.get() + 1);
            collect_values(&old, &mut instances);
            collect_values(&new, &mut instances);
            let ro = LocalResolver { root: &old };
            let rn = LocalResolver { root: &new };
            let root = Loc::new(0, "");
            let side = |r| Side {
                resolver: r,
                dialect: Dialect::Draft2020,
            };
            let t = std::time::Instant::now();
            let c = compare(side(&ro), (&root, &old), side(&rn), (&root, &new));
            if t.elapsed() > std::time::Duration::from_secs(10) {
                return Err(TestCaseError::fail(format!(
                    "the comparison took {:?}\nold: {old}\nnew: {new}",
                    t.elapsed()
                )));
            }
            let (mut pr, mut pw) = proven.get();
            pr += usize::from(c.readers_compatible());
            pw += usize::from(c.writers_compatible());
            proven.set((pr, pw));
            for i in &instances {
                let (in_old, in_new) = (vo.is_valid(i), vn.is_valid(i));
                checked.set(checked.get() + 1);
                if c.readers_compatible() && in_old && !in_new {
                    return Err(TestCaseError::fail(format!(
                        "proven readers-compatible, but {i} is valid under the old schema and not the new\nold: {old}\nnew: {new}"
                    )));
                }
                if c.writers_compatible() && in_new && !in_old {
                    return Err(TestCaseError::fail(format!(
                        "proven writers-compatible, but {i} is valid under the new schema and not the old\nold: {old}\nnew: {new}"
                    )));
                }
            }
            Ok(())
        },
    );
    let (pr, pw) = proven.get();
    println!(
        "diff soundness: {cases} cases, {} compiled pairs, {} instance checks; proven compatible: readers {pr}, writers {pw}",
        compiled.get(),
        checked.get()
    );
    if let Err(e) = result {
        panic!("{e}");
    }
    // Not vacuous: the engine proves a fair share of pairs compatible.
    let compiled = compiled.get().max(1);
    assert!(
        pr * 20 >= compiled,
        "readers proven in only {pr} of {compiled} pairs"
    );
    assert!(
        pw * 20 >= compiled,
        "writers proven in only {pw} of {compiled} pairs"
    );
}

// ---- the command ----

use std::path::Path;

use crate::codegen_git::commit_all;
use crate::util::{code, repo, run_in, stderr, stdout, summarize};

fn rules_of(json: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(json).expect("valid JSON report");
    let mut r: Vec<String> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["rule"].as_str().unwrap_or("?").to_string())
        .collect();
    r.sort();
    r.dedup();
    r
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).expect("copy");
        }
    }
}

/// The HNP contract and the patches of `fixtures/hnp-evolution`, each applied as a
/// commit: per step the rules it must (and must not) trigger, and the changelog from
/// the first to the last commit.
#[test]
fn hnp_evolution_replayed_as_commits() {
    let work = tempfile::tempdir().expect("tempdir");
    let dir = work.path();
    copy_dir(&repo().join("fixtures/hnp"), &dir.join("fixtures/hnp"));
    std::fs::write(
        dir.join("hnp-events.yaml"),
        "documents:\n  - fixtures/hnp/asyncapi.yaml\n  - fixtures/hnp/asyncapi-2.6.yaml\n  - fixtures/hnp/openapi.yaml\n",
    )
    .expect("config");
    let git = git2::Repository::init(dir).expect("git init");
    commit_all(&git, "v1");
    let head = git.head().expect("head").peel_to_commit().expect("commit");
    git.tag_lightweight("v1", head.as_object(), false)
        .expect("tag v1");
    let mut patches: Vec<_> = std::fs::read_dir(repo().join("fixtures/hnp-evolution"))
        .expect("fixtures/hnp-evolution")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "patch"))
        .collect();
    patches.sort();
    // (patch, rules that must appear, exit code)
    let expected: &[(&str, &[&str], i32)] = &[
        (
            "01-resource-created-uid-optional",
            &[
                "diff-cloudevents-version-not-bumped",
                "diff-schema-breaking",
                "diff-version-not-bumped",
            ],
            1,
        ),
        (
            "02-apply-resources-timeout-required",
            &[
                "diff-cloudevents-version-not-bumped",
                "diff-schema-breaking",
                "diff-version-not-bumped",
            ],
            1,
        ),
        (
            "03-sync-status-pending",
            &[
                "diff-cloudevents-version-not-bumped",
                "diff-schema-breaking",
                "diff-version-not-bumped",
            ],
            1,
        ),
        (
            "04-resource-created-keyed-by-fabric",
            &["diff-ordering-key-changed", "diff-version-not-bumped"],
            1,
        ),
        ("05-sync-path-parameter-renamed", &["diff-renamed"], 0),
        ("06-user-action-user-agent", &[], 0),
        (
            "07-watch-errored-v2",
            &["diff-cloudevents-type-bumped", "diff-schema-breaking"],
            1,
        ),
    ];
    assert_eq!(patches.len(), expected.len(), "{patches:?}");
    for (patch, (name, rules, exit)) in patches.iter().zip(expected) {
        assert!(patch.ends_with(format!("{name}.patch")), "{patch:?}");
        let text = std::fs::read(patch).expect("patch");
        let diff = git2::Diff::from_buffer(&text).expect("a git patch");
        git.apply(&diff, git2::ApplyLocation::WorkDir, None)
            .unwrap_or_else(|e| panic!("{name} applies: {e}"));
        commit_all(&git, name);
        let out = run_in(dir, &["diff", "HEAD~1", "HEAD", "--format", "json"]);
        let json = stdout(&out);
        assert_eq!(
            code(&out),
            *exit,
            "{name}: {}\n{}",
            summarize(&json),
            stderr(&out)
        );
        assert_eq!(
            rules_of(&json),
            rules.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            "{name}: {}",
            summarize(&json)
        );
    }
    let head = git.head().expect("head").peel_to_commit().expect("commit");
    git.tag_lightweight("v2", head.as_object(), false)
        .expect("tag v2");
    let out = run_in(dir, &["diff", "v1", "v2", "--format", "markdown"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    insta::assert_snapshot!("hnp_evolution_changelog", stdout(&out));
    // The working tree is HEAD by default; an unchanged one has nothing to report.
    let out = run_in(dir, &["diff", "v2"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    // Every finding is located in the new revision with the old one related.
    let out = run_in(dir, &["diff", "v1", "v2", "--format", "json"]);
    let v: Value = serde_json::from_str(&stdout(&out)).expect("json");
    for d in v["diagnostics"].as_array().expect("diagnostics") {
        let file = d["file"].as_str().unwrap_or("");
        assert!(file.starts_with("v2:"), "{d}");
        assert!(d.get("line").is_some(), "{d}");
        for r in d
            .get("related")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            assert!(r["file"].as_str().unwrap_or("").starts_with("v1:"), "{d}");
        }
    }
}

const OLD_API: &str = r#"openapi: 3.0.3
info: {title: t, version: 1.2.0}
paths:
  /items/{id}:
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
        - {name: q, in: query, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [id]
                properties:
                  id: {type: integer}
                  state: {type: string, enum: [a, b]}
            application/xml:
              schema: {type: string}
        '404': {description: missing}
  /items:
    post:
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {name: {type: string, maxLength: 10}}}
      responses:
        '201': {description: created}
  /old:
    get:
      responses:
        '200': {description: ok}
"#;

const NEW_API: &str = r#"openapi: 3.0.3
info: {title: t, version: 1.3.0}
paths:
  /items/{itemId}:
    get:
      parameters:
        - {name: itemId, in: path, required: true, schema: {type: integer}}
        - {name: q, in: query, required: true, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [id]
                properties:
                  id: {type: integer}
                  state: {type: string, enum: [a, b, c], nullable: true}
  /items:
    post:
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {name: {type: string, maxLength: 5}}}
      responses:
        '201': {description: created}
"#;

/// Two OpenAPI files: each oasdiff-style rule, the side it breaks, the version policy,
/// exit codes.
#[test]
fn two_openapi_files() {
    let work = tempfile::tempdir().expect("tempdir");
    let dir = work.path();
    std::fs::write(dir.join("old.yaml"), OLD_API).expect("old");
    std::fs::write(dir.join("new.yaml"), NEW_API).expect("new");
    let out = run_in(dir, &["diff", "old.yaml", "new.yaml", "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    insta::assert_snapshot!("two_openapi_files", summarize(&stdout(&out)));
    let out = run_in(dir, &["diff", "old.yaml", "new.yaml", "--fail-on", "never"]);
    assert_eq!(code(&out), 0);
    // Nothing changed: nothing reported, exit 0.
    let out = run_in(dir, &["diff", "old.yaml", "old.yaml", "--format", "json"]);
    assert_eq!(code(&out), 0);
    assert_eq!(rules_of(&stdout(&out)), Vec::<String>::new());
    // Not a repository, not two files: a usage error.
    let out = run_in(dir, &["diff", "v1"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("not inside a git repository"),
        "{}",
        stderr(&out)
    );
}

const OLD_AA2: &str = r#"asyncapi: 2.6.0
info: {title: t, version: 1.0.0}
channels:
  orders:
    subscribe:
      message:
        messageId: OrderPlaced
        payload:
          type: object
          required: [id]
          properties:
            id: {type: string}
            kind: {type: string, enum: [a, b]}
    publish:
      message:
        messageId: PlaceOrder
        payload:
          type: object
          properties:
            id: {type: string}
            kind: {type: string, enum: [a, b]}
  gone:
    subscribe:
      message: {messageId: Gone, payload: {type: string}}
"#;

/// AsyncAPI 2: the same enum change breaks only what the application sends
/// (`subscribe`), not what it receives (`publish`); a removed channel breaks.
#[test]
fn direction_decides_what_breaks() {
    let work = tempfile::tempdir().expect("tempdir");
    let dir = work.path();
    let new = OLD_AA2.replace("enum: [a, b]", "enum: [a, b, c]").replace(
        "  gone:\n    subscribe:\n      message: {messageId: Gone, payload: {type: string}}\n",
        "",
    );
    std::fs::write(dir.join("old.yaml"), OLD_AA2).expect("old");
    std::fs::write(dir.join("new.yaml"), new).expect("new");
    let out = run_in(dir, &["diff", "old.yaml", "new.yaml", "--format", "json"]);
    insta::assert_snapshot!("direction_decides_what_breaks", summarize(&stdout(&out)));
}
