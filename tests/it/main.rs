//! The one integration-test binary (faster builds than one binary per file).

mod classify;
mod cli;
mod codegen;
mod codegen_fidelity;
mod codegen_git;
mod codegen_writes;
mod corpus;
mod corpus_load;
mod gates;
mod gates_precision;
mod hnp;
mod hostile;
mod loader;
mod model;
mod msrv;
mod mutation;
mod projection;
mod proptest_loader;
mod report;
mod saga;
mod saga_hostile;
mod saga_mutants;
mod scaling;
mod structural;
mod util;
mod yaml_oracle;
