//! The one integration-test binary (faster builds than one binary per file).

mod cli;
mod loader;
mod util;
