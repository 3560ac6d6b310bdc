//! hnp-events: validate, classify, simulate and generate code for event-driven
//! architectures described by AsyncAPI and OpenAPI.
//!
//! Flow of data (nothing downstream reaches back upstream):
//! `source` (bytes → positioned tree → resolved workspace) → `validate` (diagnostics)
//! → `model` (IR) → `classify` → `gates` (metrics + diagnostics) → `suppress` → `report`
//! (renderers). `cli` wires them together for the binary.

// The saga file schema is one large `json!` literal.
#![recursion_limit = "256"]

pub mod bundle;
pub mod classify;
pub mod cli;
pub mod codegen;
pub mod config;
pub mod config_schema;
pub mod diag;
pub mod diff;
pub mod docs;
pub mod fsio;
pub mod gates;
pub mod graph;
pub mod metrics;
pub mod model;
pub mod projection;
pub mod report;
pub mod saga;
pub mod source;
pub mod suggest;
pub mod suppress;
pub mod validate;
