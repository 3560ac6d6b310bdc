//! `cargo bench --bench handoff`: the handoff package as the CLI runs it, in process —
//! `graph --format svg` for the HNP config's documents, sagas and projections (load,
//! classify, build, lay out, draw), `docs fixtures/hnp` (load with the gates, build the
//! context, render and write every page) and, with `HNP_CORPUS`, `docs` for the NetBox
//! spec (4 MB OpenAPI, 1124 operations). Whole-process figures (`/usr/bin/time -v` on
//! the release binary) are in the README ("The handoff package").

use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use hnp_events::config::Config;
use hnp_events::graph::arch::{self, Inputs};

// The binary's allocator, so that the figures are the CLI's.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `docs PATH --out DIR`: load with the gates, render, write every page.
fn docs(inputs: &Inputs, out: &Path) -> usize {
    let a = arch::load(inputs, Config::default(), None, true).expect("load");
    let pages =
        hnp_events::docs::render(&a, hnp_events::docs::DocsFormat::Html, None).expect("render");
    for (rel, text) in &pages {
        let path = out.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("mkdir");
        }
        std::fs::write(&path, text).expect("write");
    }
    pages.len()
}

fn bench(c: &mut Criterion) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let (config, _, _) = Config::load(&root.join("hnp-events.yaml")).expect("hnp-events.yaml");
    let flow = Inputs::from_paths(&[], &config);
    c.bench_function("graph svg hnp", |b| {
        b.iter(|| {
            let a = arch::load(&flow, config.clone(), None, false).expect("load");
            let g = hnp_events::graph::flow::build(&a);
            hnp_events::graph::render::flow_svg(&g, "event flow").len()
        })
    });
    let out = tempfile::tempdir().expect("tempdir");
    let hnp = Inputs::from_paths(&[root.join("fixtures/hnp")], &Config::default());
    c.bench_function("docs hnp", |b| b.iter(|| docs(&hnp, out.path())));
    let Some(corpus) = std::env::var_os("HNP_CORPUS").map(PathBuf::from) else {
        eprintln!("note: HNP_CORPUS not set; skipping the NetBox docs benchmark");
        return;
    };
    let netbox = corpus.join("openapi/large/netbox-community__go-netbox__api__openapi.yaml");
    if !netbox.is_file() {
        eprintln!("note: the NetBox spec is not in HNP_CORPUS; skipping");
        return;
    }
    let nb = Inputs::from_paths(&[netbox], &Config::default());
    let out = tempfile::tempdir().expect("tempdir");
    let mut g = c.benchmark_group("netbox");
    g.sample_size(10);
    g.bench_function("docs netbox", |b| b.iter(|| docs(&nb, out.path())));
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
