//! `cargo bench --bench handoff`: the handoff package on the HNP fixtures — `graph
//! --format svg` (load, classify, build, lay out, draw) and `docs` (load with the gates,
//! build the context, render every page). Whole-process figures are in the README
//! ("The handoff package").

use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use hnp_events::graph::arch::{self, Inputs};

fn inputs(root: &std::path::Path) -> Inputs {
    Inputs {
        documents: ["asyncapi.yaml", "asyncapi-2.6.yaml", "openapi.yaml"]
            .iter()
            .map(|f| root.join("fixtures/hnp").join(f))
            .collect(),
        sagas: ["crd-apply", "drift-reconcile", "gitops-sync"]
            .iter()
            .map(|s| root.join(format!("fixtures/hnp/sagas/{s}.saga.yaml")))
            .collect(),
        projections: Vec::new(),
    }
}

fn bench(c: &mut Criterion) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let inp = inputs(&root);
    c.bench_function("graph svg hnp", |b| {
        b.iter(|| {
            let a = arch::load(&inp, Default::default(), None, false).expect("load");
            let g = hnp_events::graph::flow::build(&a);
            hnp_events::graph::render::flow_svg(&g, "event flow").len()
        })
    });
    c.bench_function("docs hnp", |b| {
        b.iter(|| {
            let a = arch::load(&inp, Default::default(), None, true).expect("load");
            hnp_events::docs::render(&a, hnp_events::docs::DocsFormat::Html, None)
                .expect("render")
                .len()
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
