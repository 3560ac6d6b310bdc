//! The one integration-test binary (faster builds than one binary per file).

mod classify;
mod cli;
mod codegen;
mod codegen_git;
mod codegen_writes;
mod corpus;
mod corpus_load;
mod diff;
mod gates;
mod hnp;
mod hostile;
mod loader;
mod model;
mod msrv;
mod mutation;
mod proptest_loader;
mod report;
mod saga;
mod scaling;
mod structural;
mod util;
