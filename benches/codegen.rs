//! `cargo bench --bench codegen`: code generation in memory (model, generation input,
//! template context, rendering; no disk writes) for the HNP fixtures in Rust and Python,
//! with the documents loaded once outside the measurement, and the same on the NetBox
//! spec when `HNP_CORPUS` is set. Whole-process figures (load and writes included) are
//! measured separately (see README "Performance").

use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use hnp_events::codegen::{self, Lang, Options};
use hnp_events::source::{LoadOptions, Workspace};

fn options(lang: Lang) -> Options {
    Options {
        lang,
        name: "hnp-contract".into(),
        templates: None,
    }
}

/// Generate and return the total size, so the work cannot be optimised away.
fn generate(ws: &Workspace, opts: &Options) -> usize {
    codegen::generate(ws, opts)
        .map(|files| files.iter().map(|f| f.text.len()).sum())
        .unwrap_or(0)
}

fn bench(c: &mut Criterion) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let hnp: Vec<PathBuf> = ["asyncapi.yaml", "asyncapi-2.6.yaml", "openapi.yaml"]
        .iter()
        .map(|f| root.join("fixtures/hnp").join(f))
        .collect();
    let Ok(ws) = Workspace::load(&hnp, &LoadOptions::default()) else {
        eprintln!("note: the HNP fixtures do not load; skipping");
        return;
    };
    for lang in [Lang::Rust, Lang::Python] {
        let opts = options(lang);
        assert!(generate(&ws, &opts) > 0, "HNP {} generation", lang.as_str());
        c.bench_function(&format!("codegen hnp {}", lang.as_str()), |b| {
            b.iter(|| generate(&ws, &opts))
        });
    }

    let Some(corpus) = std::env::var_os("HNP_CORPUS").map(PathBuf::from) else {
        eprintln!("note: HNP_CORPUS not set; skipping the NetBox benchmarks");
        return;
    };
    let netbox = corpus.join("openapi/large/netbox-community__go-netbox__api__openapi.yaml");
    let opts = LoadOptions {
        root: Some(corpus.clone()),
        ..LoadOptions::default()
    };
    let Ok(ws) = Workspace::load(&[netbox], &opts) else {
        eprintln!("note: the NetBox spec is not in HNP_CORPUS; skipping");
        return;
    };
    let mut group = c.benchmark_group("codegen netbox");
    group.sample_size(10);
    for lang in [Lang::Rust, Lang::Python] {
        let opts = options(lang);
        group.bench_function(lang.as_str(), |b| b.iter(|| generate(&ws, &opts)));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
