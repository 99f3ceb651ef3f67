//! `violet`: the launcher. It parses the command line and wires VIOLET's crates together;
//! every piece of behaviour lives in a library crate.

mod commands;
mod config;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// VIOLET: BLUE's alpha, bit for bit, on a typed, observable, event-driven chassis.
#[derive(Debug, Parser)]
#[command(
    name = "violet",
    version,
    propagate_version = true,
    after_help = "Exit statuses (every subcommand):\n  \
      0    done (also when stdout's reader went away, e.g. `| head`)\n  \
      1    internal error (VIOLET's own failure: a bug to report)\n  \
      2    bad usage, bad configuration, or input/output that cannot be read or written (named)\n  \
      3    replay --blue-trades: VIOLET's trade events diverge from BLUE's\n  \
      4    run --arm / reconcile: the journal and the venue differ (no order sent)\n  \
      5    records left in the spool: the ship timeout ran out, or ClickHouse refused them (all durable; they ship next run)\n  \
      143  run: a second SIGTERM/SIGINT (immediate exit; the journal stays consistent)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate an event stream with BLUE's poison rules and count it.
    ///
    /// Prints `{"scans": N, "ticks": T, "rejected": M}` on stdout (the counts BLUE's trader
    /// prints); each rejection (line, field, rule) goes to --rejections-out or stderr.
    /// Exit 0 when the stream was read (poison included), 2 when it could not be read.
    Check(commands::check::Args),
    /// Serve VIOLET's kernels over BLUE's oracle protocol (JSON lines on stdin/stdout).
    ///
    /// One request per line, e.g. {"fn":"compose","vel_div":-0.035,"factors":{...},"capital":25000.0};
    /// one answer per non-blank line, {"ok":true,"out":...} or {"ok":false,"error":"..."},
    /// flushed as it is written. Functions: signal_strength, base_leverage, fold, compose,
    /// select, exit, to_exchange, config (see ../shared/blue/blue/oracle.py for arguments).
    Oracle(commands::oracle::Args),
    /// Replay an event stream through the engine, deterministically (TestClock).
    ///
    /// With no --events it replays the bundled fixture stream. Trades are written in BLUE's
    /// trade-event schema; a short human summary goes to stderr. With --blue-trades the
    /// divergence monitor compares them with BLUE's and writes a report. Exit 0 on success,
    /// 2 on unreadable input or bad usage, 1 on an internal error, 3 on a divergence.
    Replay(Box<commands::replay::Args>),
    /// Sweep BLUE's constants over a grid on one decoded stream: a CSV row per configuration.
    ///
    /// The stream is decoded once and every combination runs on it, on every core. A row per
    /// configuration: final capital, trades, win rate, max drawdown, a risk-adjusted return,
    /// fees. `--shard I/N` runs one slice of the grid, for a job array (docs/research.md).
    /// Exit 0 on success, 2 on bad usage or an unreadable input.
    Sweep(commands::sweep::Args),
    /// Print or apply the ClickHouse DDL (dolphin_violet and the dolphin stand-in).
    Ddl(commands::ddl::Args),
    /// Run the service: BLUE's live tables (or stdin) through the engine
    /// on the live clock, journaled to ClickHouse, compared with BLUE's trade events.
    ///
    /// Unarmed (the default) every order intent goes to the observe-only guard, which refuses
    /// and journals it: no order can leave the process. Armed (--arm with exchange keys) it
    /// trades on [execution] venue after a start-up reconciliation (exit 4 when it refuses).
    /// SIGTERM or SIGINT stops
    /// gracefully (the event in hand finished, the journal flushed and shipped, the stop
    /// recorded in dolphin_violet.runs; exit 0); a second signal exits at once (143)
    /// without corrupting the journal. Operations: docs/operations.md.
    Run(commands::run::Args),
    /// Talk to the exchange read-only: `violet venue check --host vst` connects with the
    /// exchange keys and prints the account (server time, position mode, balance, positions,
    /// open orders). It sends no order. Rehearse with violet-bingx-sim (docs/operations.md).
    Venue(commands::venue::Args),
    /// Compare the service's journal with its venue, without trading.
    ///
    /// Ships what the service's spool still holds, reads back from dolphin_violet the net
    /// position per symbol (the sum of the service's fills) and its orders in flight, asks the
    /// venue ([execution] venue / base_url) for its positions, open orders and each of those
    /// orders, and compares per symbol in contract steps and open orders both ways. Prints a
    /// row per symbol and the verdict, and records it in dolphin_violet.reconciliations. Exit 0
    /// when they agree (or the venue's answers about VIOLET's own orders explain the
    /// difference exactly), 4 on a mismatch, 2 when it cannot look. Run it with the service
    /// stopped.
    Reconcile(commands::reconcile::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => commands::check::run(&args),
        Command::Oracle(args) => commands::oracle::run(&args),
        Command::Replay(args) => commands::replay::run(&args),
        Command::Sweep(args) => commands::sweep::run(&args),
        Command::Ddl(args) => commands::ddl::run(&args),
        Command::Run(args) => commands::run::run(&args),
        Command::Venue(args) => commands::venue::run(&args),
        Command::Reconcile(args) => commands::reconcile::run(&args),
    };
    match result {
        Ok(code) => code,
        // The reader went away (`violet check ... | head -1`): the end of output, not an error.
        Err(e) if broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("violet: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Whether `e` is (caused by) writing into a pipe whose reader has gone.
fn broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
}
