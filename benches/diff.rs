//! `cargo bench --bench diff`: `hnp-events diff` in-process (both revisions loaded from
//! memory, then compared), on generated contracts doubled three times (n, 2n, 4n, 8n):
//! time should about double per doubling (the comparison is O(n log n)). Each new
//! revision changes every tenth item (a required property added, an enum value added,
//! a path parameter renamed, a message removed), so the findings grow with n too.
//! With `HNP_CORPUS`, also the NetBox spec against a copy with 50 scripted changes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use hnp_events::diff::Options;
use hnp_events::diff::contract::diff_documents;
use hnp_events::diff::load::{Revision, Tree};
use serde_json::json;

struct Mem(HashMap<PathBuf, Vec<u8>>);

impl Tree for Mem {
    fn read(&self, path: &Path) -> Result<Option<Vec<u8>>, String> {
        Ok(self.0.get(path).cloned())
    }
    fn display(&self, path: &Path) -> String {
        path.display().to_string()
    }
}

/// OpenAPI with `n` paths, each with a request body and a response schema; schema
/// `S(i)` refers to `S(i+1)`, so all of them form one `$ref` cycle.
fn openapi(n: usize, changed: bool) -> String {
    let mut paths = serde_json::Map::new();
    let mut schemas = serde_json::Map::new();
    for i in 0..n {
        let hit = changed && i % 10 == 0;
        let param = if hit && i % 20 == 0 { "itemId" } else { "id" };
        let mut required = vec![json!("id")];
        if hit {
            required.push(json!("extra"));
        }
        let states = if hit {
            json!(["a", "b", "c"])
        } else {
            json!(["a", "b"])
        };
        schemas.insert(
            format!("S{i}"),
            json!({"type": "object", "required": required, "properties": {
                "id": {"type": "integer"}, "extra": {"type": "string"},
                "state": {"type": "string", "enum": states},
                "owner": {"$ref": format!("#/components/schemas/S{}", (i + 1) % n)}}}),
        );
        let r = json!({"$ref": format!("#/components/schemas/S{i}")});
        paths.insert(
            format!("/p{i}/{{{param}}}"),
            json!({"put": {
                "parameters": [{"name": param, "in": "path", "required": true, "schema": {"type": "string"}}],
                "requestBody": {"content": {"application/json": {"schema": r}}},
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": r}}}}}}),
        );
    }
    let doc = json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1.0.0"},
        "paths": paths, "components": {"schemas": schemas}});
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// AsyncAPI 3 with `n` channels, one message and one operation each.
fn asyncapi(n: usize, changed: bool) -> String {
    let mut channels = serde_json::Map::new();
    let mut ops = serde_json::Map::new();
    for i in 0..n {
        if changed && i % 10 == 5 {
            continue;
        }
        let hit = changed && i % 10 == 0;
        let mut required = vec![json!("id")];
        if hit {
            required.push(json!("extra"));
        }
        channels.insert(
            format!("c{i}"),
            json!({"address": format!("c.{i}"), "messages": {format!("M{i}"): {
                "payload": {"type": "object", "required": required, "properties": {
                    "id": {"type": "string"}, "extra": {"type": "integer"}}}}}}),
        );
        ops.insert(
            format!("o{i}"),
            json!({"action": if i % 2 == 0 { "send" } else { "receive" },
                "channel": {"$ref": format!("#/channels/c{i}")}}),
        );
    }
    let doc = json!({"asyncapi": "3.0.0", "info": {"title": "t", "version": "1.0.0"},
        "channels": channels, "operations": ops});
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

fn revision(label: &str, name: &str, text: String) -> Revision {
    let mut m = HashMap::new();
    m.insert(PathBuf::from(name), text.into_bytes());
    Revision::load(&Mem(m), label, &[PathBuf::from(name)]).unwrap_or_default()
}

/// Load both sides and compare them (what the command does, minus rendering).
fn run(old: &str, new: &str, name: &str) -> usize {
    let o = revision("old", name, old.to_string());
    let n = revision("new", name, new.to_string());
    diff_documents(&o, 0, &n, 0, &Options::default())
        .findings
        .len()
}

fn scaling(c: &mut Criterion) {
    let mut g = c.benchmark_group("diff-scaling");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(4));
    for (kind, base) in [("openapi", 500usize), ("asyncapi", 1000)] {
        for k in [1, 2, 4, 8] {
            let n = base * k;
            let (old, new, name) = match kind {
                "openapi" => (openapi(n, false), openapi(n, true), "api.json"),
                _ => (asyncapi(n, false), asyncapi(n, true), "api.json"),
            };
            assert!(run(&old, &new, name) > 0, "{kind} {n}: no findings");
            g.bench_with_input(BenchmarkId::new(kind, n), &n, |b, _| {
                b.iter(|| run(&old, &new, name))
            });
        }
    }
    g.finish();
}

/// NetBox against a copy with 50 scripted changes (with `HNP_CORPUS`).
fn netbox(c: &mut Criterion) {
    let Some(corpus) = std::env::var_os("HNP_CORPUS") else {
        eprintln!("HNP_CORPUS unset: skipping the NetBox diff");
        return;
    };
    let path =
        Path::new(&corpus).join("openapi/large/netbox-community__go-netbox__api__openapi.yaml");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("{}: missing, skipping", path.display());
        return;
    };
    let new = netbox_changed(&text, 50);
    let mut g = c.benchmark_group("diff-netbox");
    g.sample_size(10);
    g.bench_function("50-changes", |b| {
        b.iter(|| run(&text, &new, "openapi.yaml"))
    });
    g.finish();
}

/// `changes` textual edits spread over the document: enum values added, `required`
/// entries dropped, `maxLength`s tightened, `format`s changed.
pub fn netbox_changed(text: &str, changes: usize) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut done = 0;
    let step = lines.len() / (changes * 2).max(1);
    let mut i = 0;
    while done < changes && i < lines.len() {
        let l = &lines[i];
        let t = l.trim_start();
        let edited = if t.starts_with("maxLength: ") {
            Some(l.replacen("maxLength: ", "maxLength: 1", 1))
        } else if t.starts_with("format: date-time") {
            Some(l.replacen("date-time", "date", 1))
        } else if t == "type: integer" {
            Some(l.replacen("integer", "string", 1))
        } else {
            None
        };
        match edited {
            Some(e) => {
                lines[i] = e;
                done += 1;
                i += step.max(1);
            }
            None => i += 1,
        }
    }
    lines.join("\n")
}

criterion_group!(benches, scaling, netbox);
criterion_main!(benches);
