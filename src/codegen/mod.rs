//! `hnp-events codegen`: Rust and Python handler skeletons from the contract.
//!
//! Pipeline: workspace + IR → [`api`] (named types, messages, handler groups; language
//! neutral) → [`rust`] / [`python`] (template context) → [`render`] (minijinja, embedded
//! templates, overrides) → [`apply`] (manifest-checked, atomic, confined writes).

pub mod api;
pub mod apply;
pub mod manifest;
pub mod names;
pub mod pyimports;
pub mod python;
pub mod render;
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
    let (model, _) = crate::model::build(ws);
    let api = api::build(ws, &model);
    let mut ctx = match opts.lang {
        Lang::Rust => rust::context(&api, &crate_name(&opts.name)),
        Lang::Python => python::context(&api, &names::snake(&opts.name)),
    };
    if let Some(o) = ctx.as_object_mut() {
        o.insert(
            "sagas".into(),
            serde_json::Value::Array(saga::contexts(sagas, opts.lang)),
        );
    }
    render::render(opts.lang, &ctx, opts.templates.as_deref())
}

/// A valid Cargo package name.
fn crate_name(s: &str) -> String {
    names::snake(s).replace('_', "-")
}

/// Plan the writes of generated files into `dir`.
pub fn plan(dir: &Path, lang: Lang, files: Vec<render::OutFile>) -> Result<apply::Plan, String> {
    apply::plan(dir, lang.as_str(), files)
}
