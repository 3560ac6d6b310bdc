//! The one integration-test binary (faster builds than one binary per file).

mod cli;
mod hnp;
mod corpus_load;
mod loader;
mod proptest_loader;
mod report;
mod util;
