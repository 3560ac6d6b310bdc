//! The one integration-test binary (faster builds than one binary per file).

mod cli;
mod corpus_load;
mod hnp;
mod loader;
mod proptest_loader;
mod report;
mod util;
