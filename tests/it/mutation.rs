//! Mutation property test against the official JSON Schemas: take a valid corpus
//! document (expected valid and valid for the official schema, no external refs), apply
//! one random mutation — delete a key, change a value's type, add an unknown key — and
//! check that hnp-events (any error from loading + validation) and the official schema
//! (computed with `jsonschema` from `$HNP_CORPUS/schemas`, see `corpus.rs`) still agree
//! on valid/invalid.
//!
//! Mutations stay out of positions the official schemas do not describe field by field:
//! schemas (`schema`, `payload`, `headers`, `properties`, …), literal data (`example`,
//! `default`, `enum`, …), bindings and extensions. Disagreements that are the official
//! schema's own limits are filtered in [`official_blind_spot`], each with its reason.
//!
//! Run: `HNP_CORPUS=/work/shared/corpus cargo test --test it mutation -- --nocapture`
//! (`HNP_MUTATION_CASES=N` for more cases).

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;

use hnp_events::diag::{Diagnostic, Severity};
use hnp_events::source::{DocKind, LoadOptions, Workspace};
use proptest::test_runner::{Config, TestCaseError, TestRng, TestRunner};
use serde_json::Value;

use super::corpus::{Official, VERDICT_EXCEPTIONS, read_rows};

struct Doc {
    path: String,
    value: Value,
    kind: DocKind,
}

/// Keys whose values are schemas, literal data or free-form: not mutated.
const SKIP: &[&str] = &[
    "schema",
    "schemas",
    "payload",
    "headers",
    "properties",
    "definitions",
    "$defs",
    "items",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "additionalProperties",
    "example",
    "examples",
    "default",
    "enum",
    "const",
    "bindings",
    "variables",
    "security",
    "scopes",
    "flows",
];

#[derive(Debug, Clone, Copy)]
enum Mutation {
    Delete,
    Retype,
    AddUnknown,
}

/// Pointers (as token lists) of the objects a mutation may touch.
fn positions(v: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        Value::Object(m) => {
            if !m.contains_key("$ref") {
                out.push(path.clone());
            }
            for (k, child) in m {
                if SKIP.contains(&k.as_str()) || k.starts_with("x-") {
                    continue;
                }
                path.push(k.clone());
                positions(child, path, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                path.push(i.to_string());
                positions(child, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn node_mut<'a>(v: &'a mut Value, path: &[String]) -> Option<&'a mut Value> {
    path.iter().try_fold(v, |cur, t| match cur {
        Value::Object(m) => m.get_mut(t),
        Value::Array(a) => a.get_mut(t.parse::<usize>().ok()?),
        _ => None,
    })
}

/// Apply a mutation chosen by `seed`; the mutated document and what was done.
fn mutate(doc: &Value, m: Mutation, seed: u64) -> Option<(Value, String)> {
    let mut all = Vec::new();
    positions(doc, &mut Vec::new(), &mut all);
    if all.is_empty() {
        return None;
    }
    let path = &all[(seed % all.len() as u64) as usize];
    let pick = (seed / all.len() as u64) as usize;
    let mut out = doc.clone();
    let node = node_mut(&mut out, path)?.as_object_mut()?;
    let shown = format!("/{}", path.join("/"));
    // The root version key makes the document what it is: without it, it is a
    // fragment (which hnp-events accepts by design), not a mutated document.
    let root_keys: &[&str] = if path.is_empty() {
        &["asyncapi", "openapi", "swagger"]
    } else {
        &[]
    };
    let keys: Vec<String> = node
        .keys()
        .filter(|k| !k.starts_with("x-") && *k != "$ref" && !root_keys.contains(&k.as_str()))
        .cloned()
        .collect();
    let what = match m {
        Mutation::Delete => {
            let k = keys.get(pick % keys.len().max(1))?.clone();
            node.shift_remove(&k);
            format!("delete `{k}` at {shown}")
        }
        Mutation::Retype => {
            let k = keys.get(pick % keys.len().max(1))?.clone();
            let v = node.get_mut(&k)?;
            let new = match v {
                Value::String(_) => Value::from(42),
                Value::Null => Value::from(1),
                _ => Value::from("x"),
            };
            let what = format!("retype `{k}` at {shown} ({v} → {new})");
            *v = new;
            what
        }
        Mutation::AddUnknown => {
            node.insert("zzUnknownField".to_string(), Value::from("x"));
            format!("add `zzUnknownField` at {shown}")
        }
    };
    Some((out, what))
}

/// Known disagreements where the official schema cannot see the problem we report
/// (or enforces what is not a rule); `Some(reason)` skips the case.
fn official_blind_spot(ours: &[Diagnostic], official_invalid: bool) -> Option<&'static str> {
    let semantic = [
        "asyncapi-channel-parameter-undeclared",
        "asyncapi-channel-parameter-unused",
        "asyncapi-security-undefined",
        "asyncapi-server-undefined",
        "asyncapi-operation-message-not-in-channel",
        "asyncapi-duplicate-operation-id",
        "asyncapi-duplicate-message-id",
        "openapi-path-parameter-undefined",
        "openapi-path-parameter-required",
        "openapi-security-undefined",
        "openapi-duplicate-operation-id",
    ];
    if !official_invalid
        && !ours.is_empty()
        && ours
            .iter()
            .all(|d| d.rule.starts_with("ref-") || semantic.contains(&d.rule))
    {
        return Some(
            "the official schema neither resolves `$ref`s (deleting or retyping a referenced \
             item leaves a dangling reference) nor states the rules the specifications give \
             in prose (parameters used, names defined, ids unique)",
        );
    }
    // The official AsyncAPI schemas do not say that a Parameter Object is an object
    // (`{oneOf: [Reference, Parameter]}` where Parameter has no `type`), so a string
    // parameter passes them; the specification defines it as an object.
    let param_type = |d: &Diagnostic| {
        d.rule == "asyncapi-type"
            && d.message
                .ends_with("must be an object (Parameter Object), found a string")
    };
    // The official AsyncAPI 3 schemas leave some Security Scheme types open to any
    // property; the specification fixes their fields (plus `x-` extensions).
    let scheme_field = |d: &Diagnostic| {
        d.rule == "asyncapi-unknown-field" && d.message.contains("in the Security Scheme Object")
    };
    if !official_invalid
        && !ours.is_empty()
        && ours
            .iter()
            .all(|d| param_type(d) || scheme_field(d) || semantic.contains(&d.rule))
    {
        return Some("official schema too lax (parameter type, security scheme fields)");
    }
    None
}

#[test]
fn mutations_agree_with_official_schema() {
    let Some(dir) = std::env::var_os("HNP_CORPUS") else {
        println!("skipping: HNP_CORPUS not set");
        return;
    };
    let dir = PathBuf::from(dir);
    assert!(dir.is_dir(), "HNP_CORPUS={} is not a folder", dir.display());
    let docs: Vec<Doc> = read_rows(&dir)
        .into_iter()
        .filter(|r| r.expected == "valid" && r.schema_verdict == "valid")
        .filter(|r| r.external_refs.is_empty() || r.external_refs == "local=0 missing=0 remote=0")
        .filter(|r| !r.path.starts_with("openapi/large/"))
        .filter(|r| !VERDICT_EXCEPTIONS.iter().any(|(p, _)| *p == r.path))
        .filter_map(|r| {
            let ws = Workspace::load(&[dir.join(&r.path)], &LoadOptions::default()).ok()?;
            let f = ws.file(*ws.inputs.first()?);
            Some(Doc {
                path: r.path,
                value: f.value.clone()?,
                kind: f.kind.clone(),
            })
        })
        .collect();
    assert!(!docs.is_empty(), "no valid corpus documents found");
    let official = RefCell::new(Official {
        dir: dir.clone(),
        cache: HashMap::new(),
    });
    let tmp = tempfile::tempdir().expect("tempdir");
    let cases = std::env::var("HNP_MUTATION_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(256);
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    // Deterministic: the same cases on every run (raise HNP_MUTATION_CASES to explore).
    let rng = TestRng::deterministic_rng(config.rng_algorithm);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let explore = std::env::var_os("HNP_MUTATION_EXPLORE").is_some();
    let skipped = RefCell::new(0usize);
    let result = runner.run(
        &(0usize..docs.len(), 0u8..3, proptest::num::u64::ANY),
        |(di, mk, seed)| {
            let doc = &docs[di];
            let m = [Mutation::Delete, Mutation::Retype, Mutation::AddUnknown][mk as usize];
            let Some((mutated, what)) = mutate(&doc.value, m, seed) else {
                return Ok(());
            };
            let official_invalid = official
                .borrow_mut()
                .first_error(&doc.kind, &mutated)
                .is_some();
            let file = tmp.path().join("doc.json");
            std::fs::write(&file, serde_json::to_string(&mutated).expect("json")).expect("write");
            let opts = LoadOptions {
                root: Some(tmp.path().to_path_buf()),
                ..LoadOptions::default()
            };
            let ws = Workspace::load(&[file], &opts).expect("load");
            let mut diags = ws.diagnostics.clone();
            diags.extend(hnp_events::validate::validate(&ws));
            let ours: Vec<Diagnostic> = diags
                .into_iter()
                // The official schema does not check examples against their schemas.
                .filter(|d| d.severity == Severity::Error && d.rule != "schema-example-invalid")
                .collect();
            if ours.is_empty() != official_invalid {
                return Ok(());
            }
            if official_blind_spot(&ours, official_invalid).is_some() {
                *skipped.borrow_mut() += 1;
                return Ok(());
            }
            let shown: Vec<String> = ours
                .iter()
                .take(3)
                .map(|d| format!("{} {}", d.rule, d.message))
                .collect();
            let msg = format!(
                "{}: {what}: official says {}, we found {} error(s) {shown:?}",
                doc.path,
                if official_invalid { "invalid" } else { "valid" },
                ours.len()
            );
            if explore {
                println!("DISAGREE {msg}");
                return Ok(());
            }
            Err(TestCaseError::fail(msg))
        },
    );
    println!(
        "mutation cases: {cases}, skipped as official blind spots: {}",
        skipped.borrow()
    );
    if let Err(e) = result {
        panic!("{e}");
    }
}
