//! `cargo xtask gate replay`: the upstream gate. Fresh seeded streams through BLUE's trader
//! and `violet replay`: every trade event identical (parsed, floats by bits), and scans,
//! ticks, rejected and final capital identical bit for bit.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::{Command, ExitCode};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::{Context as _, bail};
use violet_divergence::parse_trades;
use violet_domain::json::{JsonValue, ParseOptions, parse_owned};

use crate::gen_stream::{Shape, generate_file};
use crate::util::{cargo, root};

/// Arguments of `cargo xtask gate replay`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// BLUE's trader command, split as a shell splits words, called as `CMD EVENTS -o TRADES`.
    /// Default: ../shared/blue/trader relative to the workspace root.
    #[arg(long, value_name = "CMD")]
    pub trader: Option<String>,
    /// Streams to generate and replay.
    #[arg(long, default_value_t = 10)]
    pub streams: u64,
    /// Scans per stream.
    #[arg(long, default_value_t = 5_000)]
    pub scans: u64,
    /// Assets per scan.
    #[arg(long, default_value_t = 50)]
    pub assets: usize,
    /// Seed of the first stream (stream i uses seed + i).
    #[arg(long, default_value_t = 4_242)]
    pub seed: u64,
    /// Streams replayed side by side.
    #[arg(long, default_value_t = 2)]
    pub jobs: usize,
}

fn parse(line: &str) -> Option<JsonValue> {
    parse_owned(line.trim_end(), ParseOptions { allow_constants: true }).ok()
}

/// Compare one stream's outputs; the divergences found, described.
fn compare(blue_trades: &str, violet_trades: &str, blue_counts: &JsonValue, violet_summary: &JsonValue) -> Vec<String> {
    // Trade events through the divergence monitor: matched by (scan, kind), every field
    // compared, floats by bits.
    let mut out = match (parse_trades(blue_trades), parse_trades(violet_trades)) {
        (Ok(b), Ok(v)) => {
            let r = violet_divergence::compare(b, v);
            r.divergences.iter().map(|d| r.describe(d)).collect()
        }
        (Err(e), _) => vec![format!("BLUE's trade events unreadable: {e}")],
        (_, Err(e)) => vec![format!("VIOLET's trade events unreadable: {e}")],
    };
    for k in ["scans", "ticks", "rejected", "capital"] {
        match (blue_counts.get(k), violet_summary.get(k)) {
            (Some(x), Some(y)) if x.same(y) => {}
            (x, y) => out.push(format!(
                "{k}: BLUE {}, VIOLET {}",
                x.map_or("absent".into(), ToString::to_string),
                y.map_or("absent".into(), ToString::to_string)
            )),
        }
    }
    out
}

struct StreamResult {
    index: u64,
    trades: usize,
    divergences: Vec<String>,
}

fn run_stream(args: &Args, words: &[String], violet: &Path, dir: &Path, i: u64) -> anyhow::Result<StreamResult> {
    let seed = args.seed + i;
    let events = dir.join(format!("stream-{seed}.jsonl"));
    let shape = Shape { seed, scans: args.scans, assets: args.assets, ticks_per_scan: 1, poison_rate: 0.01 };
    generate_file(shape, &events)?;
    let blue_trades = dir.join(format!("stream-{seed}.blue-trades.jsonl"));
    let out = Command::new(&words[0])
        .args(&words[1..])
        .arg(&events)
        .arg("-o")
        .arg(&blue_trades)
        .output()
        .with_context(|| format!("cannot start BLUE's trader {words:?}"))?;
    if !out.status.success() {
        bail!(
            "BLUE's trader failed on {} ({}): {}",
            events.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stderr.lines().last().unwrap_or_default();
    let blue_counts = parse(last).with_context(|| format!("BLUE's trader printed no JSON counts: {last:?}"))?;
    let violet_trades = dir.join(format!("stream-{seed}.violet-trades.jsonl"));
    let summary = dir.join(format!("stream-{seed}.violet-summary.json"));
    let out = Command::new(violet)
        .args(["replay", "--quiet", "--venue", "instant", "--events"])
        .arg(&events)
        .arg("--trades-out")
        .arg(&violet_trades)
        .arg("--summary-json")
        .arg(&summary)
        .output()
        .context("cannot start violet")?;
    if !out.status.success() {
        bail!(
            "violet replay failed on {} ({}): {}",
            events.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let read = |p: &Path| fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()));
    let (bt, vt) = (read(&blue_trades)?, read(&violet_trades)?);
    let vs = parse(&read(&summary)?).context("violet's summary is not JSON")?;
    let divergences = compare(&bt, &vt, &blue_counts, &vs);
    if divergences.is_empty() {
        // Keep the folder small: only diverging streams stay for inspection.
        for p in [&events, &blue_trades, &violet_trades, &summary] {
            let _ = fs::remove_file(p);
        }
    }
    Ok(StreamResult { index: i, trades: bt.lines().count(), divergences })
}

/// Run the gate. Exit 0: identical; 1: divergence; 2: usage or trader failure.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let t0 = Instant::now();
    let words = match &args.trader {
        Some(cmd) => shlex::split(cmd).filter(|w| !w.is_empty()),
        None => {
            let p = root().join("../shared/blue/trader");
            p.exists().then(|| vec![p.to_string_lossy().into_owned()])
        }
    };
    let Some(words) = words else {
        eprintln!("gate replay: no usable --trader given and ../shared/blue/trader does not exist");
        return Ok(ExitCode::from(2));
    };
    let mut build = cargo();
    build.args(["build", "--release", "--quiet", "-p", "violet", "--bin", "violet"]);
    if !build.status().context("cannot run cargo build")?.success() {
        eprintln!("gate replay: building violet failed");
        return Ok(ExitCode::from(2));
    }
    let violet = root().join("target/release/violet");
    // One folder per run (runs may overlap); diverging streams stay in it for inspection.
    let dir = root().join(format!("target/gates/replay/run-{}", std::process::id()));
    fs::create_dir_all(&dir)?;
    eprintln!(
        "gate replay: {} streams × {} scans × {} assets through {}",
        args.streams,
        args.scans,
        args.assets,
        words.join(" ")
    );
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<anyhow::Result<StreamResult>>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..args.jobs.max(1) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed) as u64;
                    if i >= args.streams {
                        break;
                    }
                    let r = run_stream(args, &words, &violet, &dir, i);
                    if let Ok(ok) = &r {
                        eprintln!(
                            "gate replay: stream {} (seed {}): {} trade events, {} divergences",
                            i + 1,
                            args.seed + i,
                            ok.trades,
                            ok.divergences.len()
                        );
                    }
                    results.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(r);
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut failures = Vec::new();
    let mut ok: Vec<StreamResult> = Vec::new();
    for r in results.drain(..) {
        match r {
            Ok(s) => ok.push(s),
            Err(e) => failures.push(format!("{e:#}")),
        }
    }
    ok.sort_by_key(|s| s.index);
    let divergences: usize = ok.iter().map(|s| s.divergences.len()).sum();
    let trades: usize = ok.iter().map(|s| s.trades).sum();
    let mut report = format!(
        "# gate replay\n\n- trader: `{}`\n- {} streams × {} scans × {} assets, seeds {}..{}\n- {} trade events compared, took {:.1} s\n\n",
        words.join(" "),
        args.streams,
        args.scans,
        args.assets,
        args.seed,
        args.seed + args.streams.saturating_sub(1),
        trades,
        t0.elapsed().as_secs_f64()
    );
    for s in &ok {
        for d in s.divergences.iter().take(5) {
            let _ = writeln!(report, "## stream seed {}\n```\n{d}\n```\n", args.seed + s.index);
        }
    }
    for f in &failures {
        let _ = writeln!(report, "**failure:** {f}\n");
    }
    let _ = fs::remove_dir(&dir); // only succeeds when nothing diverged
    fs::write(root().join("target/gates/replay.md"), &report).ok();
    eprint!("{report}");
    if !failures.is_empty() {
        println!("gate replay: failed to run ({} failures); {divergences} divergences so far", failures.len());
        return Ok(ExitCode::from(2));
    }
    println!("gate replay: {divergences} divergences in {} streams ({trades} trade events)", ok.len());
    Ok(if divergences == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
