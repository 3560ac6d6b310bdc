//! The `hnp-events` binary: all behaviour lives in the library.

// mimalloc instead of the system allocator: loading and code generation allocate many
// small nodes, and this cuts their CPU time by a fifth to a third (README "Performance").
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    hnp_events::cli::main()
}
