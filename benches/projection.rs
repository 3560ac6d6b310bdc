//! `cargo bench --bench projection`: folding a generated HNP sync stream through the
//! `fabric-sync-status` projection (read from a file as `simulate` reads it, with
//! `replay_stream`: events folded from their tape, reducers on the native path; every
//! event validated against the contract, every row against `state`, idempotency and
//! snapshot checks on), 10 000 events per iteration.
//!
//! The same stream for measuring the whole process with `/usr/bin/time`:
//! `python3 fixtures/hnp/projections/streams/generate.py --bench OUT.jsonl [N]`, then
//! `hnp-events simulate fixtures/hnp/projections/fabric-sync-status.projection.yaml
//! --events OUT.jsonl --quiet`.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hnp_events::projection::replay::{Folder, replay_stream};

const EVENTS: usize = 10_000;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `events` sync lifecycle events over 1 000 fabrics (started, progressed, completed),
/// built from the happy stream's events as generate.py builds them.
fn generate(path: &Path, events: usize) -> std::io::Result<()> {
    let template = std::fs::read_to_string(
        root().join("fixtures/hnp/projections/streams/sync-status-happy.jsonl"),
    )?;
    let by_message = |m: &str| -> serde_json::Value {
        template
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .find(|v| v["message"] == m)
            .unwrap_or_default()
    };
    let kinds = ["SyncStarted", "SyncProgressed", "SyncCompleted"].map(by_message);
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    for k in 0..events {
        let fab = (k / 3) % 1000 + 1;
        let mut e = kinds[k % 3].clone();
        e["headers"]["id"] = format!("ev-{k:09}").into();
        e["payload"]["fabricId"] = fab.into();
        e["payload"]["syncId"] = format!("{:08x}-0000-4000-8000-{fab:012x}", k / 3000).into();
        serde_json::to_writer(&mut f, &e)?;
        f.write_all(b"\n")?;
    }
    f.flush()
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let stream = dir.path().join("sync.jsonl");
    generate(&stream, EVENTS).expect("stream");
    let path = root().join("fixtures/hnp/projections/fabric-sync-status.projection.yaml");
    let checked = hnp_events::projection::load_and_check(&path, Arc::from("p")).expect("loads");
    let compiled = checked.compiled.as_ref().expect("compiles");
    let contract = hnp_events::saga::contract::Contract::new(&checked.ws).expect("contract");
    let shown: Arc<str> = Arc::from("sync.jsonl");
    let mut g = c.benchmark_group("projection");
    g.throughput(Throughput::Elements(EVENTS as u64));
    g.measurement_time(Duration::from_secs(10));
    g.sample_size(10);
    g.bench_function("fold_sync_status_10k_all_checks", |b| {
        b.iter(|| {
            let mut folder = Folder::new(&checked.projection, compiled, &contract, true);
            replay_stream(&mut folder, &stream, &shown, None).expect("reads");
            let out = folder.finish();
            assert_eq!(out.folded, EVENTS);
            assert!(out.violations.is_empty());
            out.rows.len()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
