//! `cargo bench --bench saga`: saga replay throughput on a generated stream of one
//! million HNP events (gitops-sync instances, interleaved), streamed from a file,
//! without and with payload validation (and with validation on a stream whose
//! payloads never repeat); and `--explore` at depths 1 and 2 on each HNP saga.
//!
//! The same streams, for measuring the whole process with `/usr/bin/time`:
//! `python3 fixtures/hnp/streams/generate.py --bench OUT.jsonl [--unique]`.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hnp_events::diag::SourceSet;
use hnp_events::saga::engine::{Engine, Options};
use hnp_events::saga::{explore, sim};

const EVENTS: usize = 1_000_000;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Write `EVENTS` events: instances of the gitops-sync happy path, a new one every
/// 100 ms, each with its own correlation key and event ids. Payloads repeat from
/// instance to instance; with `unique`, each instance also has its own saga id,
/// commits and payload timestamps.
fn generate(path: &Path, unique: bool) -> std::io::Result<()> {
    generate_n(path, unique, EVENTS)
}

/// [`generate`] with `events` events (rounded down to whole instances).
fn generate_n(path: &Path, unique: bool, events: usize) -> std::io::Result<()> {
    let template =
        std::fs::read_to_string(root().join("fixtures/hnp/streams/gitops-sync-happy.jsonl"))?;
    let lines: Vec<serde_json::Value> = template
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let base = lines
        .first()
        .and_then(|v| v["time"].as_str())
        .and_then(hnp_events::saga::stream::parse_rfc3339)
        .unwrap_or(0);
    let offsets: Vec<i64> = lines
        .iter()
        .map(|v| {
            v["time"]
                .as_str()
                .and_then(hnp_events::saga::stream::parse_rfc3339)
                .unwrap_or(base)
                - base
        })
        .collect();
    let per = lines.len();
    let instances = events / per;
    let mut order: Vec<(i64, usize, usize)> = (0..instances)
        .flat_map(|k| (0..per).map(move |j| (k as i64 * 100, k, j)))
        .map(|(t, k, j)| (t + offsets[j], k, j))
        .collect();
    order.sort_unstable();
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for (t, k, j) in order {
        let mut v = lines[j].clone();
        v["time"] = serde_json::json!(t);
        let key = format!("saga-bench-{k:08}");
        // A reply names its command `KEY/STEP/ATTEMPT`: it follows the key.
        let old = v["headers"]["correlationid"]
            .as_str()
            .unwrap_or("")
            .to_string();
        if let Some(c) = v["headers"]["causationid"].as_str() {
            let c = c.replacen(&old, &key, 1);
            v["headers"]["causationid"] = serde_json::json!(c);
        }
        v["headers"]["correlationid"] = serde_json::json!(key);
        v["headers"]["id"] = serde_json::json!(format!("ev-{k:08}-{j}"));
        if v["headers"].get("time").is_some() {
            // The event's own time, as generate.py writes it (2026-01-01 plus `t` ms).
            let (d, r) = (t / 86_400_000, t % 86_400_000);
            v["headers"]["time"] = serde_json::json!(format!(
                "2026-01-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                1 + d,
                r / 3_600_000,
                r / 60_000 % 60,
                r / 1000 % 60,
                r % 1000
            ));
        }
        if let Some(p) = v["payload"].as_object_mut().filter(|_| unique) {
            for f in ["sagaId", "syncId"] {
                if let Some(x) = p.get_mut(f) {
                    *x = serde_json::json!(format!("{k:08x}-0000-4000-8000-{j:012x}"));
                }
            }
            for f in ["sourceCommit", "headCommit"] {
                if let Some(x) = p.get_mut(f) {
                    *x = serde_json::json!(format!("{k:040x}"));
                }
            }
            let (h, m, sec, ms) = (t / 3_600_000, t / 60_000 % 60, t / 1000 % 60, t % 1000);
            for f in ["completedAt", "failedAt", "timestamp", "issuedAt"] {
                if let Some(x) = p.get_mut(f) {
                    *x = serde_json::json!(format!("2026-01-01T{h:02}:{m:02}:{sec:02}.{ms:03}Z"));
                }
            }
        }
        serde_json::to_writer(&mut out, &v)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

fn replay(loaded: &sim::Loaded, stream: &Path, validate: bool) -> u64 {
    let mut engine = Engine::new(
        &loaded.sagas,
        Options {
            retention: Some(600_000),
            known_messages: Some(loaded.known_messages()),
            ..Options::default()
        },
    );
    let mut sources = SourceSet::default();
    let diags = sim::read_each(
        loaded,
        stream,
        Arc::from("bench.jsonl"),
        validate,
        &mut sources,
        |e| engine.feed(&e),
    );
    let out = engine.finish();
    assert!(
        diags.is_ok_and(|d| d.is_empty()),
        "the generated stream is valid"
    );
    assert!(out.violations.is_empty(), "{:?}", out.violations.first());
    out.events
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let stream = dir.path().join("million.jsonl");
    generate(&stream, false).expect("generate the stream");
    let unique = dir.path().join("million-unique.jsonl");
    generate(&unique, true).expect("generate the stream");
    let loaded = match sim::load(
        &[root().join("fixtures/hnp/sagas/gitops-sync.saga.yaml")],
        |p| Arc::from(p.to_string_lossy().as_ref()),
    ) {
        Ok(l) => l,
        Err(_) => panic!("the gitops-sync saga loads"),
    };
    let mut group = c.benchmark_group("saga replay");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .throughput(Throughput::Elements(EVENTS as u64));
    group.bench_function("1M events, no payload validation", |b| {
        b.iter(|| replay(&loaded, &stream, false))
    });
    group.bench_function("1M events, payload validation", |b| {
        b.iter(|| replay(&loaded, &stream, true))
    });
    group.bench_function("1M events, payload validation, unique payloads", |b| {
        b.iter(|| replay(&loaded, &unique, true))
    });
    group.finish();

    // Depth 1 and 2 on each HNP saga's happy stream (issue 12: <= 100 ms and <= 2 s).
    let mut group = c.benchmark_group("saga explore");
    group.sample_size(10);
    for name in ["gitops-sync", "crd-apply", "drift-reconcile"] {
        let saga = root().join(format!("fixtures/hnp/sagas/{name}.saga.yaml"));
        let events = root().join(format!("fixtures/hnp/streams/{name}-happy.jsonl"));
        let loaded = match sim::load(&[saga], |p| Arc::from(p.to_string_lossy().as_ref())) {
            Ok(l) => l,
            Err(_) => panic!("{name} loads"),
        };
        let mut sources = SourceSet::default();
        let (evs, _) = match sim::read_all(&loaded, &events, Arc::from("s"), true, &mut sources) {
            Ok(x) => x,
            Err(_) => panic!("{name} stream reads"),
        };
        for depth in [1u8, 2] {
            group.bench_function(format!("{name} depth {depth}"), |b| {
                b.iter(|| {
                    explore::explore(
                        &loaded.sagas,
                        &evs,
                        0,
                        explore::ExploreOptions {
                            depth,
                            shard: (1, 1),
                            ..Default::default()
                        },
                    )
                    .scenarios
                })
            });
        }
    }
    group.finish();

    // Issue 11 item 13: exploration grows linearly with the stream (each scenario
    // re-runs only the instances it perturbs). Each input doubles three times.
    let mut group = c.benchmark_group("scaling");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(5));
    for (depth, base) in [(1u8, 1250usize), (2, 625)] {
        for n in [base, base * 2, base * 4, base * 8] {
            let path = dir.path().join(format!("explore-{n}.jsonl"));
            if generate_n(&path, false, n).is_err() {
                continue;
            }
            let mut sources = SourceSet::default();
            let Ok((evs, _)) = sim::read_all(&loaded, &path, Arc::from("s"), true, &mut sources)
            else {
                continue;
            };
            group.bench_function(
                criterion::BenchmarkId::new(format!("explore depth {depth}"), n),
                |b| {
                    b.iter(|| {
                        explore::explore(
                            &loaded.sagas,
                            &evs,
                            0,
                            explore::ExploreOptions {
                                depth,
                                ..Default::default()
                            },
                        )
                        .scenarios
                    })
                },
            );
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
