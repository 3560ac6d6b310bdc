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

/// `n` object schemas `S0 → S1 → … → S(n-1) → S0` (each refers to the next through
/// `owner`, so every schema reaches every other); `changed` adds a required property
/// to every tenth one.
fn cyclic_schemas(n: usize, changed: bool) -> Value {
    let mut defs = Map::new();
    for i in 0..n {
        let mut required = vec![json!("id")];
        if changed && i % 10 == 0 {
            required.push(json!("extra"));
        }
        defs.insert(
            format!("S{i}"),
            json!({"type": "object", "required": required, "properties": {
                "id": {"type": "integer"}, "extra": {"type": "string"},
                "owner": {"$ref": format!("#/$defs/S{}", (i + 1) % n)}}}),
        );
    }
    json!({"$defs": defs})
}

/// Compare every `S(i)` of two revisions with one shared cache (as `diff` does for
/// the occurrences of one document pair): the verdicts and how many schema pairs
/// were compared keyword by keyword.
fn compare_all_cyclic(n: usize, changed: bool) -> (usize, usize) {
    use hnp_events::diff::schema::{Proven, subset_with};
    let old = cyclic_schemas(n, false);
    let new = cyclic_schemas(n, changed);
    let (ro, rn) = (LocalResolver { root: &old }, LocalResolver { root: &new });
    let side = |r| Side {
        resolver: r,
        dialect: Dialect::Draft2020,
    };
    let mut proven = Proven::default();
    let mut failed = 0;
    for i in 0..n {
        let ptr = format!("/$defs/S{i}");
        let loc = Loc::new(0, ptr.clone());
        let (Some(o), Some(nv)) = (old.pointer(&ptr), new.pointer(&ptr)) else {
            panic!("S{i} missing");
        };
        let issues = subset_with(
            side(&ro),
            (&loc, o),
            side(&rn),
            (&loc, nv),
            true,
            &mut proven,
        );
        failed += usize::from(!issues.is_empty());
    }
    (failed, proven.pairs_compared())
}

#[test]
fn cyclic_schemas_are_compared_once_per_pair() {
    // Unchanged: every pair is proven on the assumption that the pair it started
    // from holds, and kept once that one is proven (not walked again per schema).
    let (f1, p1) = compare_all_cyclic(60, false);
    let (f2, p2) = compare_all_cyclic(120, false);
    assert_eq!((f1, f2), (0, 0), "an unchanged cycle must be compatible");
    // Changed: every schema reaches a changed one, so every comparison fails, and the
    // failed pairs are cached.
    let (g1, q1) = compare_all_cyclic(60, true);
    let (g2, q2) = compare_all_cyclic(120, true);
    assert_eq!(
        (g1, g2),
        (60, 120),
        "every schema reaches a new required property"
    );
    for (n, p) in [(60, p1), (120, p2), (60, q1), (120, q2)] {
        // Four pairs per schema (itself and its three properties), compared once.
        assert!(
            p <= 4 * n,
            "{p} pairs compared for n = {n}: more than once per pair"
        );
    }
    assert!(
        p2 <= 2 * p1 + 8 && q2 <= 2 * q1 + 8,
        "growth: {p1} -> {p2}, {q1} -> {q2}"
    );
}

use crate::codegen_git::commit_all;
use crate::util::{code, copy_dir, repo, run_in, stderr, stdout, summarize};

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

pub(crate) const OLD_API: &str = r#"openapi: 3.0.3
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

pub(crate) const NEW_API: &str = r#"openapi: 3.0.3
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

pub(crate) const OLD_AA2: &str = r#"asyncapi: 2.6.0
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

fn diags_of(json: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(json).expect("valid JSON report");
    v["diagnostics"].as_array().cloned().unwrap_or_default()
}

/// `x-hnp-compatibility` replaces what the direction implies: `backward` on the
/// channel no longer asks old readers to accept a new enum value of what the
/// application sends; `forward` on the document asks it of what it receives; `none`
/// checks no schema; `--compatibility` sets the mode of items declaring none; an
/// unknown mode is located.
#[test]
fn compatibility_modes_replace_the_direction_default() {
    let work = tempfile::tempdir().expect("tempdir");
    let dir = work.path();
    let new = OLD_AA2.replace("enum: [a, b]", "enum: [a, b, c]");
    std::fs::write(dir.join("old.yaml"), OLD_AA2).expect("old");
    let run = |text: &str, extra: &[&str]| -> Vec<Value> {
        std::fs::write(dir.join("new.yaml"), text).expect("new");
        let mut args = vec!["diff", "old.yaml", "new.yaml", "--format", "json"];
        args.extend(extra);
        let out = run_in(dir, &args);
        diags_of(&stdout(&out))
    };
    let breaking = |ds: &[Value]| -> Vec<String> {
        ds.iter()
            .filter(|d| d["rule"] == "diff-schema-breaking")
            .map(|d| d["message"].as_str().unwrap_or("").to_string())
            .collect()
    };
    // Direction: only the sent OrderPlaced breaks.
    let by_direction = breaking(&run(&new, &[]));
    assert_eq!(by_direction.len(), 1, "{by_direction:?}");
    assert!(by_direction[0].contains("OrderPlaced"), "{by_direction:?}");
    // backward on the channel: nothing (old data still valid under the new schema).
    let backward = new.replace(
        "  orders:\n    subscribe:",
        "  orders:\n    x-hnp-compatibility: BACKWARD\n    subscribe:",
    );
    assert_eq!(breaking(&run(&backward, &[])), Vec::<String>::new());
    // forward on the document: both messages must stay readable by old readers.
    let forward = new.replace("info:", "x-hnp-compatibility: forward\ninfo:");
    let f = breaking(&run(&forward, &[]));
    assert_eq!(f.len(), 2, "{f:?}");
    assert!(f.iter().any(|m| m.contains("PlaceOrder")), "{f:?}");
    // The message's own mode wins over the document's.
    let own = forward.replace(
        "        messageId: PlaceOrder\n",
        "        messageId: PlaceOrder\n        x-hnp-compatibility: none\n",
    );
    let o = breaking(&run(&own, &[]));
    assert_eq!(o.len(), 1, "{o:?}");
    assert!(o[0].contains("OrderPlaced"), "{o:?}");
    // The command-line default applies to items declaring none.
    assert_eq!(breaking(&run(&new, &["--compatibility", "full"])).len(), 2);
    assert_eq!(breaking(&run(&new, &["--compatibility", "none"])).len(), 0);
    let out = run_in(
        dir,
        &[
            "diff",
            "old.yaml",
            "new.yaml",
            "--compatibility",
            "sideways",
        ],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    // An unknown mode: an error at the value.
    let bad = new.replace("info:", "x-hnp-compatibility: backwards\ninfo:");
    let ds = run(&bad, &[]);
    let d = ds
        .iter()
        .find(|d| d["rule"] == "diff-compatibility-invalid")
        .unwrap_or_else(|| panic!("{ds:?}"));
    assert_eq!(d["line"], 2, "{d}");
    assert!(
        d["message"].as_str().unwrap_or("").contains("backwards"),
        "{d}"
    );
}

/// `-transitive` modes compare HEAD with every release tag too: an enum value of a
/// received message dropped in v2 (released anyway, with a major bump) is no change
/// from v2 to HEAD, but writers still on v1 break; only the transitive mode says so.
#[test]
fn transitive_modes_check_every_release_tag() {
    let work = tempfile::tempdir().expect("tempdir");
    let dir = work.path();
    std::fs::write(dir.join("hnp-events.yaml"), "documents:\n  - api.yaml\n").expect("config");
    let git = git2::Repository::init(dir).expect("git init");
    let tag = |name: &str| {
        let head = git.head().expect("head").peel_to_commit().expect("commit");
        git.tag_lightweight(name, head.as_object(), false)
            .expect("tag");
    };
    // The application receives PlaceOrder: backward (old writers) matters.
    let v1 = OLD_AA2.to_string();
    std::fs::write(dir.join("api.yaml"), &v1).expect("v1");
    commit_all(&git, "v1");
    tag("v1.0.0");
    let v2 = v1.replace(
        "            kind: {type: string, enum: [a, b]}\n  gone:",
        "            kind: {type: string, enum: [a]}\n  gone:",
    );
    assert_ne!(v1, v2);
    std::fs::write(dir.join("api.yaml"), &v2).expect("v2");
    commit_all(&git, "v2");
    tag("v2.0.0");
    let v3 = v2.replace("version: 1.0.0", "version: 2.1.0");
    std::fs::write(dir.join("api.yaml"), &v3).expect("v3");
    commit_all(&git, "v3");
    let breaking = |args: &[&str]| -> Vec<Value> {
        let out = run_in(dir, args);
        assert!(code(&out) < 2, "{}", stderr(&out));
        diags_of(&stdout(&out))
            .into_iter()
            .filter(|d| d["rule"] == "diff-schema-breaking")
            .collect()
    };
    let plain = ["diff", "v2.0.0", "HEAD", "--format", "json", "--tags", "v*"];
    assert_eq!(breaking(&plain), Vec::<Value>::new());
    let mut transitive = plain.to_vec();
    transitive.extend(["--compatibility", "backward-transitive"]);
    let found = breaking(&transitive);
    assert_eq!(found.len(), 1, "{found:?}");
    let m = found[0]["message"].as_str().unwrap_or("");
    assert!(m.starts_with("since release `v1.0.0`"), "{m}");
    assert!(m.contains("PlaceOrder"), "{m}");
    assert!(
        found[0]["related"][0]["file"]
            .as_str()
            .unwrap_or("")
            .starts_with("v1.0.0:"),
        "{found:?}"
    );
    // Declared in the document, the same; without --tags only BASE is compared.
    let declared = v3.replace("info:", "x-hnp-compatibility: backward-transitive\ninfo:");
    std::fs::write(dir.join("api.yaml"), &declared).expect("declared");
    let found = breaking(&["diff", "v2.0.0", "--format", "json", "--tags", "v*"]);
    assert_eq!(found.len(), 1, "{found:?}");
    let found = breaking(&["diff", "v2.0.0", "--format", "json"]);
    assert_eq!(found, Vec::<Value>::new());
}

/// Sagas listed in `hnp-events.yaml` are compared at both revisions: a new required
/// field on the command `ApplyResources` is reported at each saga step that sends it,
/// and a saga whose version stays on the same major is `diff-version-not-bumped`.
#[test]
fn saga_steps_on_broken_messages_are_reported_at_the_saga() {
    let work = tempfile::tempdir().expect("tempdir");
    let dir = work.path();
    copy_dir(&repo().join("fixtures/hnp"), &dir.join("fixtures/hnp"));
    std::fs::write(
        dir.join("hnp-events.yaml"),
        "documents:\n  - fixtures/hnp/asyncapi.yaml\nsagas:\n  - fixtures/hnp/sagas/crd-apply.saga.yaml\n  - fixtures/hnp/sagas/gitops-sync.saga.yaml\n",
    )
    .expect("config");
    let git = git2::Repository::init(dir).expect("git init");
    commit_all(&git, "v1");
    // The change of `02-apply-resources-timeout-required.patch`, made by hand (the
    // patch applies on top of the earlier ones).
    let api = dir.join("fixtures/hnp/asyncapi.yaml");
    let text = std::fs::read_to_string(&api).expect("contract");
    let from = "required: [sagaId, sagaType, fabricId, step, issuedAt, resources, dryRun]";
    assert_eq!(text.matches(from).count(), 1);
    let text = text.replace(
        from,
        "required: [sagaId, sagaType, fabricId, step, issuedAt, resources, dryRun, timeoutSeconds]",
    );
    std::fs::write(&api, text).expect("changed contract");
    let out = run_in(dir, &["diff", "HEAD", "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let ds = diags_of(&stdout(&out));
    let steps: Vec<&Value> = ds
        .iter()
        .filter(|d| d["rule"] == "diff-saga-step-broken")
        .collect();
    assert!(!steps.is_empty(), "{}", summarize(&stdout(&out)));
    for d in &steps {
        assert!(
            d["file"]
                .as_str()
                .unwrap_or("")
                .ends_with("crd-apply.saga.yaml"),
            "{d}"
        );
        assert!(
            d["message"]
                .as_str()
                .unwrap_or("")
                .contains("ApplyResources"),
            "{d}"
        );
        assert!(
            d["related"][0]["file"]
                .as_str()
                .unwrap_or("")
                .ends_with("asyncapi.yaml"),
            "{d}"
        );
        // The step's `send:` line in the saga file.
        let line = d["line"].as_u64().expect("line") as usize;
        let saga = std::fs::read_to_string(dir.join("fixtures/hnp/sagas/crd-apply.saga.yaml"))
            .expect("saga");
        assert!(
            saga.lines()
                .nth(line - 1)
                .unwrap_or("")
                .contains("ApplyResources"),
            "{d}"
        );
    }
    assert!(
        ds.iter().any(|d| d["rule"] == "diff-version-not-bumped"
            && d["file"]
                .as_str()
                .unwrap_or("")
                .ends_with("crd-apply.saga.yaml")),
        "{}",
        summarize(&stdout(&out))
    );
    // gitops-sync does not send ApplyResources: nothing at it.
    assert!(
        !ds.iter().any(|d| d["file"]
            .as_str()
            .unwrap_or("")
            .ends_with("gitops-sync.saga.yaml")),
        "{}",
        summarize(&stdout(&out))
    );
    // A major bump of the saga's version answers the versioning policy.
    let p = dir.join("fixtures/hnp/sagas/crd-apply.saga.yaml");
    let saga = std::fs::read_to_string(&p).expect("saga");
    std::fs::write(&p, saga.replacen("version: 1.", "version: 2.", 1)).expect("bump");
    let out = run_in(dir, &["diff", "HEAD", "--format", "json"]);
    let ds = diags_of(&stdout(&out));
    assert!(
        !ds.iter().any(|d| d["rule"] == "diff-version-not-bumped"
            && d["file"].as_str().unwrap_or("").ends_with(".saga.yaml")),
        "{}",
        summarize(&stdout(&out))
    );
    // The saga removed from the configuration at HEAD: a warning.
    std::fs::write(
        dir.join("hnp-events.yaml"),
        "documents:\n  - fixtures/hnp/asyncapi.yaml\nsagas:\n  - fixtures/hnp/sagas/gitops-sync.saga.yaml\n",
    )
    .expect("config");
    let out = run_in(dir, &["diff", "HEAD", "--format", "json"]);
    assert!(rules_of(&stdout(&out)).contains(&"diff-saga-removed".to_string()));
}

/// Two files whose `$ref`s leave their folder: resolved under `--root` or the
/// config's `root:` (as `validate` does), else reported as not comparable.
#[test]
fn two_files_resolve_refs_under_the_root() {
    let work = tempfile::tempdir().expect("tempdir");
    let top = work.path();
    std::fs::create_dir_all(top.join("common")).expect("mkdir");
    std::fs::create_dir_all(top.join("api")).expect("mkdir");
    let doc = |ty: &str| {
        format!(
            "asyncapi: 3.0.0\ninfo: {{title: t, version: 1.0.0}}\nchannels:\n  c:\n    address: c\n    messages:\n      M: {{payload: {{$ref: '../common/{ty}.yaml#/Item'}}}}\noperations:\n  o: {{action: send, channel: {{$ref: '#/channels/c'}}}}\n"
        )
    };
    std::fs::write(
        top.join("common/int.yaml"),
        "Item: {type: object, properties: {n: {type: integer}}}\n",
    )
    .expect("int");
    std::fs::write(
        top.join("common/num.yaml"),
        "Item: {type: object, properties: {n: {type: number}}}\n",
    )
    .expect("num");
    let api = top.join("api");
    std::fs::write(api.join("old.yaml"), doc("int")).expect("old");
    std::fs::write(api.join("new.yaml"), doc("num")).expect("new");
    let rules = |extra: &[&str]| {
        let mut a = vec!["diff", "old.yaml", "new.yaml", "--format", "json"];
        a.extend_from_slice(extra);
        let out = run_in(&api, &a);
        assert!(code(&out) < 2, "{}", stderr(&out));
        rules_of(&stdout(&out))
    };
    // The folder is the root: the references are not followed.
    assert!(rules(&[]).contains(&"diff-schema-undecided".to_string()));
    // Widened integer -> number in a message the application sends: breaking.
    let with_root = rules(&["--root", ".."]);
    assert!(
        with_root.contains(&"diff-schema-breaking".to_string()),
        "{with_root:?}"
    );
    assert!(!with_root.contains(&"diff-schema-undecided".to_string()));
    std::fs::write(api.join("hnp-events.yaml"), "root: ..\n").expect("config");
    assert_eq!(rules(&[]), with_root);
}
