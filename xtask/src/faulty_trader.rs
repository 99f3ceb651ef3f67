//! `cargo xtask faulty-trader EVENTS -o TRADES --every K`: a stand-in for BLUE's trader
//! (same command line, same counts line on stderr) built from VIOLET's engine, with a
//! one-ULP fault in every K-th trade event: proves the replay gate fails on a faulty
//! reference.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use violet_domain::json::{JsonValue, ObjectWriter, ParseOptions, parse_owned};
use violet_engine::replay::{ReplayOptions, WriterSink, replay};

/// Arguments of `cargo xtask faulty-trader`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Event stream.
    events: PathBuf,
    /// Trade events out.
    #[arg(short = 'o', long = "out")]
    out: PathBuf,
    /// Move one float of every K-th trade event by one ULP (0: never).
    #[arg(long, default_value_t = 10)]
    every: usize,
}

/// Run it.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let input =
        BufReader::new(File::open(&args.events).with_context(|| format!("cannot open {}", args.events.display()))?);
    let mut trades: Vec<u8> = Vec::new();
    let summary = {
        let mut sink = WriterSink::new(Some(Box::new(&mut trades)), None);
        replay(input, &ReplayOptions::default(), &mut sink, |_| Ok(()), |_| {})?
    };
    let mut out = BufWriter::new(File::create(&args.out)?);
    for (i, line) in String::from_utf8_lossy(&trades).lines().enumerate() {
        let mut line = line.to_string();
        if args.every > 0
            && (i + 1).is_multiple_of(args.every)
            && let Ok(mut v) = parse_owned(&line, ParseOptions { allow_constants: true })
        {
            if let JsonValue::Object(m) = &mut v
                && let Some((_, JsonValue::Float(x))) =
                    m.iter_mut().rev().find(|(_, x)| matches!(x, JsonValue::Float(f) if f.is_finite()))
            {
                *x = x.next_up();
            }
            line = v.to_string();
        }
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    let mut s = String::new();
    let mut w = ObjectWriter::new(&mut s);
    w.int("scans", summary.scans)
        .int("ticks", summary.ticks)
        .int("rejected", summary.rejected)
        .float("capital", summary.capital);
    w.finish();
    eprintln!("{s}");
    Ok(ExitCode::SUCCESS)
}
