//! Structural and semantic checks of loaded documents. Reads the workspace (and the IR),
//! returns diagnostics; never prints.
//!
//! - `spec.rs`: the vocabulary of the structural tables (kinds, field types, versions);
//! - `asyncapi_tables.rs`, `openapi_tables.rs`: the tables, one per specification family;
//! - `walk.rs`: the single-pass table-driven walker (`$ref`s followed through a queue);
//! - `bindings.rs`: AsyncAPI 3 protocol binding objects (`bindingVersion`, fields);
//! - `schema.rs`: Schema Objects per dialect and payloads by `schemaFormat`;
//! - `examples.rs`: examples against their schemas (compiled with `jsonschema`);
//! - `values.rs`: value constraints of the official schemas the tables' types do not say
//!   (formats, patterns, distinct items, field combinations);
//! - `semantic.rs`: rules the specifications state in prose, checked on the IR.

mod asyncapi_tables;
mod bindings;
mod examples;
mod openapi_tables;
mod schema;
mod semantic;
pub mod spec;
mod values;
mod valueset;
mod walk;

use crate::diag::Diagnostic;
use crate::source::{DocKind, Workspace};

pub use walk::Family;

/// Run every structural and semantic check over the workspace's input documents.
pub fn validate(ws: &Workspace) -> Vec<Diagnostic> {
    validate_with_model(ws).0
}

/// [`validate`], also returning the IR it built, so that later passes (classify, gates)
/// need not build it again.
pub fn validate_with_model(ws: &Workspace) -> (Vec<Diagnostic>, crate::model::Model) {
    // One walker per input document, in parallel when there are many.
    let walked = crate::source::par_map(&ws.inputs, 8, |&id| {
        let file = ws.file(id);
        let root = file.value.as_ref()?;
        let (family, ver, label) = match &file.kind {
            DocKind::AsyncApi(v) => (Family::AsyncApi, v.major * 10 + v.minor, v.to_string()),
            DocKind::OpenApi(v) => (Family::OpenApi, v.major * 10 + v.minor, v.to_string()),
            DocKind::Swagger => (Family::Swagger, 20, "2.0".to_string()),
            _ => return None,
        };
        let mut w = walk::Walker::new(ws, id, family, ver.min(255) as u8, label);
        w.run(root);
        let mut diags = w.diags;
        name_the_referencing_document(ws, id, &file.kind, &mut diags);
        Some((diags, w.examples))
    });
    let mut diags = Vec::new();
    let mut jobs = Vec::new();
    for (mut d, mut j) in walked.into_iter().flatten() {
        diags.append(&mut d);
        jobs.append(&mut j);
    }
    let (model, mut model_diags) = crate::model::build(ws);
    diags.append(&mut model_diags);
    diags.extend(semantic::check(ws, &model));
    diags.extend(examples::check(ws, jobs, &model));
    merge_same_findings(&mut diags);
    (diags, model)
}

/// A file reached through `$ref`s is checked under the rules of the document that
/// references it (its specification, version and Schema Object dialect): a finding there
/// names that document and its version field, so that a file shared by an OpenAPI 3.0 and
/// an AsyncAPI or OpenAPI 3.1 document says whose rules it breaks.
fn name_the_referencing_document(
    ws: &Workspace,
    input: crate::source::FileId,
    kind: &DocKind,
    diags: &mut [Diagnostic],
) {
    let file = ws.file(input);
    let key = match kind {
        DocKind::AsyncApi(_) => "asyncapi",
        DocKind::OpenApi(_) => "openapi",
        _ => "swagger",
    };
    let loc = file.locate(&crate::source::pointer::push("", key));
    for d in diags.iter_mut() {
        if d.location.file != file.display {
            d.related.push(crate::diag::Related {
                location: loc.clone(),
                message: format!(
                    "checked under the rules of {} because `{}` references it",
                    kind.label(),
                    file.display
                ),
            });
        }
    }
}

/// Sort and deduplicate; the same finding reached from several documents is reported
/// once, naming each referencing document.
fn merge_same_findings(diags: &mut Vec<Diagnostic>) {
    crate::diag::sort_and_dedup(diags);
    diags.dedup_by(|later, kept| {
        let same = later.rule == kept.rule
            && later.severity == kept.severity
            && later.message == kept.message
            && later.location == kept.location
            && later.help == kept.help;
        if same {
            for r in later.related.drain(..) {
                if !kept.related.contains(&r) {
                    kept.related.push(r);
                }
            }
        }
        same
    });
}
