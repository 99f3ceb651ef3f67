//! `cargo xtask bench replay`: `violet replay` against BLUE's trader on the default
//! `gen-stream` shape, whole processes, alternating (each timed run right after an untimed
//! run of the same command), median of the per-pair wall-clock ratios. A benchmark:
//! it reports, it does not fail on speed (only on a run failure or different output).

use std::fs;
use std::path::Path;
use std::process::{Command, ExitCode};

use anyhow::Context as _;
use violet_divergence::parse_trades;

use crate::util::{bench_stream, dist_violet, median, root, time};

/// Arguments of `cargo xtask bench replay`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Timed runs of each command (after one warm-up each).
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
    /// Scans in the stream (default shape: 20,000 × 50 assets, 1 tick per scan, 1% poison).
    #[arg(long, default_value_t = 20_000)]
    pub scans: u64,
    /// BLUE's trader.
    #[arg(long, value_name = "CMD")]
    pub trader: Option<String>,
    /// Untimed runs of a command right before each of its timed runs (both commands get
    /// the same), so neither is timed on caches the other just evicted.
    #[arg(long, default_value_t = 1)]
    pub warmups: usize,
}

fn same_trades(a: &Path, b: &Path) -> anyhow::Result<bool> {
    let (x, y) = (parse_trades(&fs::read_to_string(a)?)?, parse_trades(&fs::read_to_string(b)?)?);
    Ok(violet_divergence::compare(x, y).divergences.is_empty())
}

/// Run the benchmark.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let words = match &args.trader {
        Some(c) => shlex::split(c).filter(|w| !w.is_empty()).context("cannot split --trader")?,
        None => vec![root().join("../shared/blue/trader").to_string_lossy().into_owned()],
    };
    let binary = dist_violet()?;
    let events = bench_stream(args.scans)?;
    let dir = root().join("target/bench");
    let (vt, bt) = (dir.join("violet-trades.jsonl"), dir.join("blue-trades.jsonl"));
    let violet = || {
        let mut c = Command::new(&binary);
        c.args(["replay", "-q", "--events"])
            .arg(&events)
            .arg("--trades-out")
            .arg(&vt)
            .arg("--summary-json")
            .arg(dir.join("violet-summary.json"));
        c
    };
    let blue = || {
        let mut c = Command::new(&words[0]);
        c.args(&words[1..]).arg(&events).arg("-o").arg(&bt);
        c
    };
    time(&mut violet())?;
    time(&mut blue())?;
    if !same_trades(&vt, &bt)? {
        eprintln!("bench replay: VIOLET's trades differ from BLUE's on {}", events.display());
        return Ok(ExitCode::from(2));
    }
    let (mut v, mut b, mut ratio) = (Vec::new(), Vec::new(), Vec::new());
    for k in 0..args.runs.max(1) {
        for _ in 0..args.warmups {
            time(&mut violet())?;
        }
        let tv = time(&mut violet())?;
        for _ in 0..args.warmups {
            time(&mut blue())?;
        }
        let tb = time(&mut blue())?;
        eprintln!("bench replay: run {}: violet {tv:.3} s, BLUE {tb:.3} s, {:.1}x", k + 1, tb / tv);
        v.push(tv);
        b.push(tb);
        ratio.push(tb / tv);
    }
    let size = fs::metadata(&events)?.len() as f64 / (1 << 20) as f64;
    println!(
        "bench replay: {} scans x 50 assets ({size:.0} MiB): violet {:.3} s, BLUE {:.3} s (medians of {}), BLUE/violet {:.1}x",
        args.scans,
        median(&mut v),
        median(&mut b),
        v.len(),
        median(&mut ratio)
    );
    Ok(ExitCode::SUCCESS)
}
