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
            let c = compare(side(&ro), (&root, &old), side(&rn), (&root, &new));
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
