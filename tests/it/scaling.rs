//! Large inputs that were super-linear (issue 11: `$ref` cycles and chains, columns on
//! long lines, duplicate checks, many paths) and CR-only line ends. Each test checks
//! correctness on an input large enough that a quadratic pass would take prohibitively
//! long; speed itself is measured by `cargo bench --bench scaling`.

use std::path::PathBuf;

use hnp_events::diag::Diagnostic;
use hnp_events::source::{LoadOptions, Workspace};
use serde_json::{Value, json};

use crate::util::{run_in, stdout};

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, text).expect("write");
    p
}

fn openapi(extra: Value) -> Value {
    let mut d = json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}});
    if let (Some(d), Value::Object(e)) = (d.as_object_mut(), extra) {
        d.extend(e);
    }
    d
}

/// Load and validate one document; every diagnostic (load and validate).
fn check(text: &str, name: &str) -> Vec<Diagnostic> {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = write(&dir, name, text);
    let opts = LoadOptions {
        root: Some(dir.path().to_path_buf()),
        ..LoadOptions::default()
    };
    let ws = Workspace::load(&[p], &opts).expect("loads");
    let mut all = ws.diagnostics.clone();
    all.extend(hnp_events::validate::validate(&ws));
    all
}

fn of<'a>(diags: &'a [Diagnostic], rule: &str) -> Vec<&'a Diagnostic> {
    diags.iter().filter(|d| d.rule == rule).collect()
}

fn schemas_ref_ring(n: usize, closed: bool) -> String {
    let mut s = serde_json::Map::new();
    for i in 0..n {
        let v = if i + 1 == n && !closed {
            json!({"type": "object"})
        } else {
            json!({"$ref": format!("#/components/schemas/S{}", (i + 1) % n)})
        };
        s.insert(format!("S{i}"), v);
    }
    serde_json::to_string_pretty(&openapi(json!({"components": {"schemas": s}}))).expect("json")
}

#[test]
fn a_long_ref_cycle_is_reported_once_at_its_first_ref() {
    let n = 20_000;
    let text = schemas_ref_ring(n, true);
    let diags = check(&text, "cycle.json");
    let cycles = of(&diags, "ref-cycle");
    assert_eq!(cycles.len(), 1, "{cycles:#?}");
    let d = cycles[0];
    assert_eq!(
        d.location.pointer.as_deref(),
        Some("/components/schemas/S0/$ref")
    );
    let line = text
        .lines()
        .position(|l| l.contains("$ref"))
        .map(|l| l as u32 + 1);
    assert_eq!(d.location.line(), line);
    // Every member once, from S0 round to S0.
    assert_eq!(d.message.matches(" → ").count(), n);
    assert!(d.message.contains("cycle.json#/components/schemas/S0` → `"));
    assert!(d.message.ends_with("cycle.json#/components/schemas/S0`"));
    assert!(d.message.contains(&format!("schemas/S{}` → ", n - 1)));
}

#[test]
fn a_long_ref_chain_is_no_cycle() {
    let diags = check(&schemas_ref_ring(20_000, false), "chain.json");
    assert!(of(&diags, "ref-cycle").is_empty());
    assert!(of(&diags, "ref-unresolved").is_empty());
}

/// Every diagnostic on a 1-line non-ASCII JSON document is at its character column.
#[test]
fn columns_on_a_long_non_ascii_line_are_exact() {
    let n = 30_000;
    let items: Vec<Value> = (0..n)
        .map(|i| json!({"description": "é".repeat(i % 7), "type": "strin"}))
        .collect();
    let text = serde_json::to_string(&openapi(
        json!({"components": {"schemas": {"A": {"description": "日本語", "allOf": items}}}}),
    ))
    .expect("json");
    let diags = check(&text, "one-line.json");
    let bad = of(&diags, "openapi-enum");
    assert_eq!(bad.len(), n);
    // Columns counted incrementally (the diagnostics are in document order).
    let (mut at, mut chars) = (0, 0);
    for d in bad {
        let span = d.location.span.expect("located");
        chars += text[at..span.start].chars().count();
        at = span.start;
        assert_eq!((span.line, span.col), (1, chars as u32 + 1));
        assert_eq!(&text[span.start..span.end], "\"strin\"");
    }
}

/// Lines end at LF, CRLF or a lone CR, in the locations and in the rendered excerpt.
#[test]
fn cr_only_line_ends_are_line_ends() {
    let yaml = "openapi: 3.0.3\ninfo:\n  title: t\n  version: '1'\npaths: {}\ncomponents:\n  schemas:\n    A: {type: strin}\n";
    let json = "{\n\"openapi\": \"3.0.3\",\n\"info\": {\"title\": \"t\", \"version\": \"1\"},\n\"paths\": {},\n\"components\": {\"schemas\": {\n\"A\": {\"type\": \"strin\"}}}}\n";
    for (text, name, at) in [(yaml, "d.yaml", (8, 15)), (json, "d.json", (6, 15))] {
        for eol in ["\n", "\r\n", "\r"] {
            let t = text.replace('\n', eol);
            let diags = check(&t, name);
            let d = of(&diags, "openapi-enum");
            assert_eq!(d.len(), 1, "{eol:?} {diags:#?}");
            let span = d[0].location.span.expect("located");
            assert_eq!((span.line, span.col), at, "{name} {eol:?}");
            let dir = tempfile::tempdir().expect("tempdir");
            write(&dir, name, &t);
            let out = run_in(dir.path(), &["validate", "--no-config", "--no-gates", name]);
            let shown = stdout(&out);
            assert!(
                shown.contains(&format!("--> {name}:{}:{}", at.0, at.1)),
                "{eol:?}\n{shown}"
            );
        }
    }
}

#[test]
fn many_tags_with_one_repeat() {
    let n = 100_000;
    let mut tags: Vec<Value> = (0..n).map(|i| json!({"name": format!("tag{i}")})).collect();
    tags.push(json!({"name": "tag77777"}));
    let text = serde_json::to_string_pretty(&openapi(json!({"tags": tags}))).expect("json");
    let diags = check(&text, "tags.json");
    let dup = of(&diags, "openapi-tag-duplicate");
    assert_eq!(dup.len(), 1);
    assert_eq!(
        dup[0].location.pointer.as_deref(),
        Some(format!("/tags/{n}").as_str())
    );
}

/// Every repeated `enum` value is reported, however long the list (only the first 512
/// were compared before).
#[test]
fn every_repeated_enum_value_is_found() {
    let mut values: Vec<Value> = (0..50_000).map(|i| json!(format!("v{i}"))).collect();
    values.extend([json!("v3"), json!(7), json!({"a": 1, "b": 2}), json!(7)]);
    values.push(json!({"b": 2, "a": 1}));
    values.push(json!("v49999"));
    let text = serde_json::to_string_pretty(&openapi(
        json!({"components": {"schemas": {"E": {"enum": values}}}}),
    ))
    .expect("json");
    let diags = check(&text, "enum.json");
    let dup: Vec<_> = of(&diags, "schema-enum-duplicate")
        .iter()
        .map(|d| d.location.pointer.clone().unwrap_or_default())
        .collect();
    let at = |i: usize| format!("/components/schemas/E/enum/{i}");
    assert_eq!(dup, vec![at(50_000), at(50_003), at(50_004), at(50_005)]);
}

/// Many paths, each with an error located in its own entry (locating in a large object
/// is a lookup, not a scan), and one path parameter that is not required.
#[test]
fn many_paths_are_each_located() {
    let n = 20_000;
    let mut paths = serde_json::Map::new();
    for i in 0..n {
        let required = i != n - 1;
        paths.insert(
            format!("/p{i}/{{id}}"),
            json!({"get": {
                "operationId": format!("get{i}"),
                "parameters": [{"name": "id", "in": "path", "required": required, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "ok", "x": 1}}
            }}),
        );
    }
    let text = serde_json::to_string_pretty(&openapi(json!({"paths": paths}))).expect("json");
    let diags = check(&text, "paths.json");
    let req = of(&diags, "openapi-path-parameter-required");
    assert_eq!(req.len(), 1);
    let unknown: Vec<_> = diags
        .iter()
        .filter(|d| {
            d.location
                .pointer
                .as_deref()
                .is_some_and(|p| p.ends_with("/responses/200/x"))
        })
        .collect();
    assert_eq!(unknown.len(), n);
    let (mut at, mut line) = (0, 1);
    for d in unknown {
        let span = d.location.span.expect("located");
        line += text[at..span.start].matches('\n').count() as u32;
        at = span.start;
        assert_eq!(span.line, line);
        assert!(text[span.start..].starts_with("\"x\""), "{d:?}");
    }
}
