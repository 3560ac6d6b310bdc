//! The `hnp-events` binary: all behaviour lives in the library.

fn main() -> std::process::ExitCode {
    hnp_events::cli::main()
}
