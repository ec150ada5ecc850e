//! The `heist` binary: the command line over heist-core and heist-tui.
use std::process::ExitCode;

mod alloc;
mod cli;

fn main() -> ExitCode {
    alloc::tune();
    cli::main()
}
