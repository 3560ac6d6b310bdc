//! hnp-events: validate, classify, simulate and generate code for event-driven
//! architectures described by AsyncAPI and OpenAPI.
//!
//! Flow of data (nothing downstream reaches back upstream):
//! `source` (bytes → positioned tree → resolved workspace) → `validate` (diagnostics)
//! → `report` (renderers). `cli` wires them together for the binary.

pub mod classify;
pub mod cli;
pub mod codegen;
pub mod config;
pub mod diag;
pub mod model;
pub mod report;
pub mod saga;
pub mod source;
pub mod suggest;
pub mod validate;
