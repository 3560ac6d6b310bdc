//! `cargo bench --bench scaling`: inputs of growing size, each doubled three times
//! (n, 2n, 4n, 8n), generated here. Linear checks take about twice as long per doubling;
//! a quadratic one would take four times as long. The inputs of issue 11: a `$ref` cycle
//! and a `$ref` chain, a one-line JSON document with a diagnostic per array item (columns
//! on a long line), many tags (duplicate check), many paths (with and without gates);
//! issue 13: AsyncAPI 2.x request, error and event channels through classify and the gates.

use std::path::PathBuf;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use hnp_events::diag::Location;
use hnp_events::gates::{self, Filter, Input, Settings};
use hnp_events::source::{LoadOptions, Workspace};
use serde_json::{Value, json};

fn openapi(extra: Value) -> Value {
    let mut d = json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}});
    if let (Some(d), Value::Object(e)) = (d.as_object_mut(), extra) {
        d.extend(e);
    }
    d
}

/// `components/schemas` S0 → S1 → … → S(n-1), closed into a cycle or ending in a schema.
fn refs(n: usize, cycle: bool) -> String {
    let mut s = serde_json::Map::new();
    for i in 0..n {
        let v = if i + 1 == n && !cycle {
            json!({"type": "object"})
        } else {
            json!({"$ref": format!("#/components/schemas/S{}", (i + 1) % n)})
        };
        s.insert(format!("S{i}"), v);
    }
    pretty(openapi(json!({"components": {"schemas": s}})))
}

/// One line; each `allOf` item has a bad `type` (a diagnostic far along the line).
fn one_line(n: usize) -> String {
    let items: Vec<Value> = (0..n).map(|_| json!({"type": "strin"})).collect();
    serde_json::to_string(&openapi(
        json!({"components": {"schemas": {"A": {"allOf": items}}}}),
    ))
    .unwrap_or_default()
}

fn tags(n: usize) -> String {
    let t: Vec<Value> = (0..n).map(|i| json!({"name": format!("tag{i}")})).collect();
    pretty(openapi(json!({"tags": t})))
}

fn paths(n: usize) -> String {
    let mut p = serde_json::Map::new();
    for i in 0..n {
        p.insert(
            format!("/p{i}/{{id}}"),
            json!({"get": {
                "operationId": format!("getP{i}"),
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "ok"}}
            }}),
        );
    }
    pretty(openapi(json!({"paths": p})))
}

/// A letters-only tag for `i` (names split into words drop digits): `a`, `b`, …, `ba`.
fn letters(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'a' + (i % 26) as u8);
        i /= 26;
        if i == 0 {
            break;
        }
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// An AsyncAPI 2.x document with `n` request channels (`svc.x.request`, received,
/// operation `requestX`), each with an error channel and an event channel: the shapes
/// classify and the gates once answered by scanning every operation per operation.
fn asyncapi_2x(n: usize) -> String {
    let mut ch = serde_json::Map::new();
    for i in 0..n {
        let t = letters(i);
        let cap = format!("{}{}", t[..1].to_uppercase(), &t[1..]);
        ch.insert(
            format!("svc.{t}.request"),
            json!({"publish": {"operationId": format!("request{cap}"), "message": {
                "name": format!("Do{cap}"),
                "payload": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}
            }}}),
        );
        ch.insert(format!("svc.{t}.error"), json!({}));
        ch.insert(
            format!("svc.{t}.events"),
            json!({"subscribe": {"operationId": format!("on{cap}"), "message": {
                "name": format!("{cap}Done"),
                "payload": {"type": "object"}
            }}}),
        );
    }
    pretty(json!({"asyncapi": "2.6.0", "info": {"title": "t", "version": "1"}, "channels": ch}))
}

fn pretty(v: Value) -> String {
    serde_json::to_string_pretty(&v).unwrap_or_default()
}

/// Load + validate (+ classify and the gates with default settings).
fn run(file: &PathBuf, opts: &LoadOptions, with_gates: bool) -> usize {
    let Ok(ws) = Workspace::load(std::slice::from_ref(file), opts) else {
        return 0;
    };
    let (diags, model) = hnp_events::validate::validate_with_model(&ws);
    let mut n = ws.diagnostics.len() + diags.len();
    if with_gates {
        let settings = Settings::default();
        let verbs = settings.verbs();
        let (rows, classify_diags) = hnp_events::classify::classify_with(&ws, &model, &verbs);
        let input = Input {
            ws: &ws,
            model: &model,
            rows: &rows,
            classify_diags: &classify_diags,
            sagas: &[],
            all_sagas: true,
            verbs: &verbs,
            served: None,
        };
        let filter = Filter {
            enabled: &|_| true,
            suppressed: &|_, _| false,
            anchor: &|_| Location::file("."),
        };
        n += gates::run(&input, &settings, &filter).1.len();
    }
    n
}

fn bench(c: &mut Criterion) {
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    let opts = LoadOptions {
        root: Some(dir.path().to_path_buf()),
        ..LoadOptions::default()
    };
    type Gen = fn(usize) -> String;
    let cases: [(&str, Gen, usize, bool); 7] = [
        ("ref cycle", |n| refs(n, true), 1000, false),
        ("ref chain", |n| refs(n, false), 1000, false),
        ("one-line json diagnostics", one_line, 20_000, false),
        ("tags", tags, 10_000, false),
        ("paths", paths, 4000, false),
        ("paths with gates", paths, 4000, true),
        ("asyncapi 2.x channels with gates", asyncapi_2x, 1000, true),
    ];
    let mut group = c.benchmark_group("scaling");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    for (name, gen_doc, base, with_gates) in cases {
        for n in [base, base * 2, base * 4, base * 8] {
            let file = dir
                .path()
                .join(format!("{}-{n}.json", name.replace(' ', "-")));
            if std::fs::write(&file, gen_doc(n)).is_err() {
                continue;
            }
            group.bench_with_input(BenchmarkId::new(name, n), &file, |b, f| {
                b.iter(|| run(f, &opts, with_gates))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
