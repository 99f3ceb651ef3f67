//! `violet replay`: an event stream through the engine, deterministically.

use std::io::{self, BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use violet_clock::{Cadence, CadencePlan};
use violet_engine::replay::{ReplayOptions, WriterSink, replay};

use crate::config::load_blue_config;
use crate::io::{TrackedInput, create_output, open_events};

/// Arguments of `violet replay`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Event stream (JSON lines); `-` for stdin. Default: the bundled fixture stream.
    #[arg(long, value_name = "FILE|-")]
    events: Option<PathBuf>,
    /// Write trade events (BLUE's trade-event schema, JSON lines) here; `-` for stdout.
    /// Not written when absent.
    #[arg(long, value_name = "FILE|-")]
    trades_out: Option<PathBuf>,
    /// Write one decision per accepted scan (JSON lines; schema in docs/decisions.md).
    #[arg(long, value_name = "FILE")]
    decisions_out: Option<PathBuf>,
    /// Write the summary as one JSON object here.
    #[arg(long, value_name = "FILE")]
    summary_json: Option<PathBuf>,
    /// Write each rejected line as a JSON line {"line","field","code","rule"} here
    /// (default: not written; the count is in the summary).
    #[arg(long, value_name = "FILE")]
    rejections_out: Option<PathBuf>,
    /// BLUE constants as a TOML table (keys as in BLUE's config.py); default: BLUE's.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Exit-check cadence: `scan` (BLUE parity, default), `tick`, or a duration such as
    /// `100ms` (VIOLET-only modes: TP/SL also checked between scans at tick prices).
    #[arg(long, value_name = "CADENCE", default_value = "scan")]
    exit_cadence: Cadence,
    /// Journal-flush cadence (recorded in the summary; the journal arrives later).
    #[arg(long, value_name = "CADENCE", default_value = "scan")]
    flush_cadence: Cadence,
    /// No progress and no human summary on stderr.
    #[arg(long, short)]
    quiet: bool,
}

/// Run it. Exit 0 on success, 2 on unreadable input or bad usage, 1 on an internal error.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let cfg = load_blue_config(args.config.as_deref())?;
    let plan = CadencePlan::new(Cadence::Scan, args.exit_cadence, args.flush_cadence)?;
    let input = TrackedInput::new(open_events(args.events.as_deref())?);
    let failed = input.failed_flag();
    let trades = args.trades_out.as_deref().map(create_output).transpose()?;
    let decisions = args
        .decisions_out
        .as_deref()
        .map(create_output)
        .transpose()?;
    let mut rejections = args
        .rejections_out
        .as_deref()
        .map(create_output)
        .transpose()?;
    let initial = cfg.initial_capital;
    let opts = ReplayOptions { cfg, plan };
    let show_progress = !args.quiet && io::stderr().is_terminal();
    let result = {
        let mut sink = WriterSink::new(trades, decisions);
        let r = replay(
            Box::new(input) as Box<dyn BufRead>,
            &opts,
            &mut sink,
            |r| match rejections.as_mut() {
                Some(w) => writeln!(w, "{}", r.to_json()),
                None => Ok(()),
            },
            |bytes| {
                if show_progress {
                    eprint!("\rviolet replay: {} MiB read", bytes >> 20);
                }
            },
        );
        r.and_then(|s| sink.flush().map(|()| s))
    };
    if show_progress {
        eprint!("\r");
    }
    let summary = match result {
        Ok(s) => s,
        Err(e) if failed.get() => {
            eprintln!("violet replay: cannot read the event stream: {e}");
            return Ok(ExitCode::from(2));
        }
        Err(e) => {
            eprintln!("violet replay: internal error: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    if let Some(w) = rejections.as_mut() {
        w.flush()?;
    }
    if let Some(p) = &args.summary_json {
        let mut w = create_output(p)?;
        writeln!(w, "{}", summary.to_json())?;
        w.flush()?;
    }
    if !args.quiet {
        eprintln!("violet replay: {}", summary.human(initial));
    }
    Ok(ExitCode::SUCCESS)
}
