//! `cargo bench`: load + validate throughput on the HNP fixtures and, when
//! `HNP_CORPUS` is set, on the large real specs (Kubernetes swagger.json, NetBox
//! openapi.yaml), plus loading alone (read, parse, source map, `$ref`s) for those.
//! Whole-process figures (time and peak memory) are measured separately (see README
//! "Performance").

use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use hnp_events::source::{LoadOptions, Workspace};

fn run(files: &[PathBuf], opts: &LoadOptions) -> usize {
    match Workspace::load(files, opts) {
        Ok(ws) => ws.diagnostics.len() + hnp_events::validate::validate(&ws).len(),
        Err(_) => 0,
    }
}

fn bench(c: &mut Criterion) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let hnp: Vec<PathBuf> = ["asyncapi.yaml", "asyncapi-2.6.yaml", "openapi.yaml"]
        .iter()
        .map(|f| root.join("fixtures/hnp").join(f))
        .filter(|p| p.exists())
        .collect();
    let opts = LoadOptions::default();
    c.bench_function("validate hnp fixtures", |b| b.iter(|| run(&hnp, &opts)));

    let Some(corpus) = std::env::var_os("HNP_CORPUS").map(PathBuf::from) else {
        eprintln!("note: HNP_CORPUS not set; skipping the large-spec benchmarks");
        return;
    };
    let large = corpus.join("openapi/large");
    let mut group = c.benchmark_group("large specs");
    group.sample_size(10);
    for name in [
        "kubernetes-client__python__kubernetes__swagger.json.unprocessed.json",
        "netbox-community__go-netbox__api__openapi.yaml",
    ] {
        let f = vec![large.join(name)];
        if !f[0].exists() {
            continue;
        }
        let opts = LoadOptions {
            root: Some(corpus.clone()),
            ..LoadOptions::default()
        };
        group.bench_function(name, |b| b.iter(|| run(&f, &opts)));
        group.bench_function(format!("load {name}"), |b| {
            b.iter(|| Workspace::load(&f, &opts).map_or(0, |ws| ws.files.len()))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
