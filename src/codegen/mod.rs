//! `hnp-events codegen`: Rust and Python handler skeletons from the contract.
//!
//! Pipeline: workspace + IR → [`api`] (named types, messages, handler groups; language
//! neutral) → [`rust`] / [`python`] (template context) → [`render`] (minijinja, embedded
//! templates, overrides) → [`apply`] (manifest-checked, atomic, confined writes).

pub mod api;
pub mod apply;
pub mod fidelity;
pub mod git;
pub mod manifest;
pub mod names;
pub mod patterns;
pub mod projection;
pub mod pyfmt;
pub mod pyimports;
pub mod python;
pub mod render;
pub mod rsfmt;
pub mod rust;
pub mod saga;
pub mod types;

use std::path::{Path, PathBuf};

use crate::source::Workspace;

/// Target language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    Rust,
    Python,
}

impl Lang {
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Rust => "rust",
            Lang::Python => "python",
        }
    }
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    pub lang: Lang,
    /// Crate name (Rust, `-` allowed) or package name (Python).
    pub name: String,
    pub templates: Option<PathBuf>,
}

/// Progress of the long stages, for a progress bar; the defaults do nothing.
pub trait Progress {
    /// A stage starts that handles `len` files.
    fn stage(&mut self, _name: &'static str, _len: u64) {}
    /// One file of the current stage is being handled.
    fn file(&mut self, _path: &str) {}
}

/// No progress reporting.
pub struct NoProgress;

impl Progress for NoProgress {}

/// Render every file for a workspace (no disk writes).
pub fn generate(ws: &Workspace, opts: &Options) -> Result<Vec<render::OutFile>, String> {
    generate_with_sagas(ws, &[], opts)
}

/// Render every file for a workspace and saga files (one saga module each).
pub fn generate_with_sagas(
    ws: &Workspace,
    sagas: &[crate::saga::Saga],
    opts: &Options,
) -> Result<Vec<render::OutFile>, String> {
    render(context(&model_api(ws), sagas, opts), opts, &mut NoProgress)
}

/// The language-neutral generation input of a workspace. It owns its data, so the
/// workspace can be dropped before the (large) template context is made.
pub fn model_api(ws: &Workspace) -> api::Api {
    let (model, _) = crate::model::build(ws);
    api::build(ws, &model)
}

/// The template context of every template of a language, with one saga module context
/// per saga file.
pub fn context(api: &api::Api, sagas: &[crate::saga::Saga], opts: &Options) -> serde_json::Value {
    context_with(api, sagas, &[], opts)
}

/// [`context`] with one projection module context per prepared projection file (their
/// row types added to `api` by [`projection::add_rows`]).
pub fn context_with(
    api: &api::Api,
    sagas: &[crate::saga::Saga],
    projections: &[projection::Prepared],
    opts: &Options,
) -> serde_json::Value {
    let mut ctx = match opts.lang {
        Lang::Rust => rust::context(api, &crate_name(&opts.name)),
        Lang::Python => python::context(api, &names::snake(&opts.name)),
    };
    if let Some(o) = ctx.as_object_mut() {
        o.insert(
            "sagas".into(),
            serde_json::Value::Array(saga::contexts(sagas, opts.lang)),
        );
        o.insert(
            "projections".into(),
            serde_json::Value::Array(projection::contexts(api, projections, opts.lang)),
        );
    }
    ctx
}

/// Render every file from a context made by [`context`].
pub fn render(
    ctx: serde_json::Value,
    opts: &Options,
    progress: &mut dyn Progress,
) -> Result<Vec<render::OutFile>, String> {
    render::render(opts.lang, ctx, opts.templates.as_deref(), progress)
}

/// The crate or package name when none is given: the first document's `info.title`
/// (its first five words: `Shop Order Events` → `shop-order-events`), else `contract`.
pub fn default_name(ws: &Workspace) -> String {
    let title = ws
        .inputs
        .iter()
        .filter_map(|&id| ws.file(id).value.as_ref())
        .find_map(|v| v.pointer("/info/title").and_then(serde_json::Value::as_str))
        .unwrap_or("");
    let words: Vec<String> = names::snake(title)
        .split('_')
        .filter(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_alphanumeric()))
        .take(5)
        .map(str::to_string)
        .collect();
    let name = words.join("-");
    if name.is_empty() || name == "unnamed" || name.starts_with(|c: char| !c.is_ascii_alphabetic())
    {
        "contract".to_string()
    } else {
        name
    }
}

/// A valid Cargo package name.
fn crate_name(s: &str) -> String {
    names::snake(s).replace('_', "-")
}

/// Plan the writes of generated files into `dir`.
pub fn plan(dir: &Path, lang: Lang, files: Vec<render::OutFile>) -> Result<apply::Plan, String> {
    apply::plan(dir, lang.as_str(), files)
}
