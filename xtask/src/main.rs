//! `cargo xtask`: VIOLET's developer tasks. `cargo xtask ci` is what CI runs.

mod bench_journal;
mod bench_replay;
mod bench_ship;
mod ci;
mod faulty_oracle;
mod faulty_trader;
mod gate;
mod gen_stream;
mod null_http;
mod util;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// VIOLET's developer tasks.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// Everything CI checks: fmt, clippy -D warnings, all tests, cargo-deny, the gates.
    /// Installs what it needs beyond cargo (cargo-deny) when missing.
    Ci(ci::Args),
    /// VIOLET's oracle with a one-ULP fault in every K-th answer (for proving the gate fails).
    #[command(hide = true)]
    FaultyOracle(faulty_oracle::Args),
    /// Benchmarks of whole commands.
    Bench {
        #[command(subcommand)]
        bench: Bench,
    },
    /// Write a seeded event stream (every poison kind, ties, stablecoins, flat and
    /// out-of-range vel_div, missing symbols, every posture and dc status).
    GenStream(gen_stream::Args),
    /// A stand-in for BLUE's trader with a one-ULP fault in every K-th trade event.
    #[command(hide = true)]
    FaultyTrader(faulty_trader::Args),
    /// Run a gate: VIOLET against BLUE.
    Gate {
        #[command(subcommand)]
        gate: Gate,
    },
}

#[derive(Debug, Subcommand)]
enum Bench {
    /// `violet replay` vs BLUE's trader on the default stream shape: median wall-clock ratio.
    Replay(bench_replay::Args),
    /// The ClickHouse journal's shipping rate: ~200,000 decision records from a spool to a
    /// local server (started for it), in records/s and decision rows/s.
    Ship(bench_ship::Args),
    /// What journaling costs a replay: no journal vs the file journal vs the ClickHouse
    /// journal shipping to a null server (VIOLET's own cost) vs the ClickHouse journal (a
    /// local server started for it): paired whole-process runs; median wall, CPU, ratios.
    Journal(bench_journal::Args),
}

#[derive(Debug, Subcommand)]
enum Gate {
    /// The Monte-Carlo gate: every kernel against an oracle speaking BLUE's protocol, bit
    /// for bit. Exit 0: no mismatch; 1: mismatches; 2: oracle or usage failure.
    /// Report: target/gates/kernels.md.
    Kernels(gate::kernels::Args),
    /// The upstream gate: seeded streams through BLUE's trader and `violet replay`, every
    /// trade event and the final counts and capital identical, bit for bit.
    /// Exit 0: identical; 1: divergence; 2: usage or trader failure. Report: target/gates/replay.md.
    Replay(gate::replay::Args),
    /// The latency gate: scan arrival -> decision (50 and 500 assets) and deadline
    /// lateness, HDR histograms under load. Fails only beyond 10x a target.
    /// Report: target/gates/latency.md.
    Latency(gate::latency::Args),
    /// The TTL gate: 1,000,000 intents on the TestClock (0 sends after a deadline, every
    /// expiry on time, one terminal state each) and 10,000 on the LiveClock (expiry
    /// lateness, p99 target 1 ms, fails beyond 10x). Report: target/gates/ttl.md.
    Ttl(gate::ttl::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.task {
        Task::Ci(args) => ci::run(&args),
        Task::Gate { gate: Gate::Kernels(args) } => gate::kernels::run(&args),
        Task::Gate { gate: Gate::Replay(args) } => gate::replay::run(&args),
        Task::Gate { gate: Gate::Ttl(args) } => gate::ttl::run(&args),
        Task::Gate { gate: Gate::Latency(args) } => gate::latency::run(&args),
        Task::FaultyOracle(args) => faulty_oracle::run(&args),
        Task::FaultyTrader(args) => faulty_trader::run(&args),
        Task::GenStream(args) => gen_stream::run(&args),
        Task::Bench { bench: Bench::Replay(args) } => bench_replay::run(&args),
        Task::Bench { bench: Bench::Ship(args) } => bench_ship::run(&args),
        Task::Bench { bench: Bench::Journal(args) } => bench_journal::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("xtask: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
