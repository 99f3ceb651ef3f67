//! `cargo xtask`: VIOLET's developer tasks. `cargo xtask ci` is what CI runs.

mod ci;
mod util;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// VIOLET's developer tasks.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// Everything CI checks: fmt, clippy -D warnings, all tests, cargo-deny, the gates.
    /// Installs what it needs beyond cargo (cargo-deny) when missing.
    Ci(ci::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.task {
        Task::Ci(args) => ci::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("xtask: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
