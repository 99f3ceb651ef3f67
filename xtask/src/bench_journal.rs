//! `cargo xtask bench journal`: what journaling costs a replay. Whole `violet replay`
//! processes on the default `gen-stream` shape, in rounds of four: no journal, the file
//! journal (`--data-dir`), no journal, the ClickHouse journal (`--clickhouse-url`, through
//! its spool). Each journal run is paired with the no-journal run right before it; the
//! report gives median wall times and the median of the per-pair ratios against the
//! issue's target (ClickHouse journal at most 1.15x no journal). Data directories are
//! removed before each journal run, outside the timing. A benchmark: it reports, it fails
//! only on a failed run or on decision rows missing in ClickHouse.

use std::fs;
use std::path::Path;
use std::process::{Command, ExitCode};

use anyhow::{Context as _, bail};
use violet_journal::clickhouse::{ClickHouse, LocalServer, apply_ddl};

use crate::util::{bench_stream, dist_violet, median, root, time};

/// The budget for the ClickHouse journal, as a ratio to no journal.
const TARGET: f64 = 1.15;

/// Arguments of `cargo xtask bench journal`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Timed rounds (each: no journal, file journal, no journal, ClickHouse journal).
    #[arg(long, default_value_t = 10)]
    pub runs: usize,
    /// Scans in the stream (default shape: 20,000 x 50 assets, 1 tick per scan, 1% poison).
    #[arg(long, default_value_t = 20_000)]
    pub scans: u64,
    /// `violet replay --threads` for every run (0: one decoding thread per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Journal into this server instead of a local one started for the benchmark (its
    /// dolphin_violet tables get the rows; the DDL is applied first).
    #[arg(long, value_name = "URL")]
    pub clickhouse_url: Option<String>,
}

/// Wall times of one kind of run, and its ratios to the paired no-journal runs.
#[derive(Default)]
struct Series {
    wall: Vec<f64>,
    ratio: Vec<f64>,
}

impl Series {
    fn push(&mut self, wall: f64, plain: f64) {
        self.wall.push(wall);
        self.ratio.push(wall / plain);
    }
}

/// Run the benchmark.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let binary = dist_violet()?;
    let events = bench_stream(args.scans)?;
    let dir = root().join("target/bench/journal");
    fs::create_dir_all(&dir)?;
    let (_server, url) = match &args.clickhouse_url {
        Some(u) => (None, u.clone()),
        None => {
            let s = LocalServer::start("bench-journal").context("starting a local clickhouse-server")?;
            let u = s.url().to_string();
            (Some(s), u)
        }
    };
    let ch = ClickHouse::new(&url)?;
    apply_ddl(&ch)?;
    let (file_dir, spool) = (dir.join("file"), dir.join("spool"));
    let threads = args.threads.to_string();
    let replay = |journal: &[&std::ffi::OsStr]| {
        let mut c = Command::new(&binary);
        c.args(["replay", "-q", "--threads", &threads, "--events"]).arg(&events).args(journal);
        c
    };
    let plain = || replay(&[]);
    let file = || replay(&["--data-dir".as_ref(), file_dir.as_os_str()]);
    let clickhouse = || replay(&["--clickhouse-url".as_ref(), url.as_ref(), "--data-dir".as_ref(), spool.as_os_str()]);
    let fresh = |d: &Path| -> anyhow::Result<()> {
        match fs::remove_dir_all(d) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(e).with_context(|| format!("removing {}", d.display()))
            }
            _ => Ok(()),
        }
    };

    // Warm-up: one untimed run of each (caches, the server's first inserts); the plain one
    // also writes the summary the row check below compares with.
    let summary = dir.join("summary.json");
    time(plain().arg("--summary-json").arg(&summary))?;
    fresh(&file_dir)?;
    time(&mut file())?;
    fresh(&spool)?;
    time(&mut clickhouse())?;

    let (mut none, mut f, mut c) = (Vec::new(), Series::default(), Series::default());
    for k in 0..args.runs.max(1) {
        fresh(&file_dir)?;
        let p1 = time(&mut plain())?;
        let tf = time(&mut file())?;
        fresh(&spool)?;
        let p2 = time(&mut plain())?;
        let tc = time(&mut clickhouse())?;
        eprintln!(
            "bench journal: round {}: none {p1:.3} s, file {tf:.3} s ({:.2}x), none {p2:.3} s, clickhouse {tc:.3} s ({:.2}x)",
            k + 1,
            tf / p1,
            tc / p2
        );
        none.extend([p1, p2]);
        f.push(tf, p1);
        c.push(tc, p2);
    }

    let run_id = fs::read_to_string(spool.join("run.json")).context("the spool's run.json")?;
    let run_id = run_id.trim();
    let q = format!("SELECT count() FROM dolphin_violet.decisions FINAL WHERE run_id = '{run_id}'");
    let rows: u64 = ch.query(&q)?.trim().parse().context("count of decisions")?;
    let text = fs::read_to_string(&summary)?;
    let summary: serde_json::Value = serde_json::from_str(&text).with_context(|| format!("{}", summary.display()))?;
    let decisions = summary["decisions"].as_u64().context("summary without `decisions`")?;
    if rows != decisions {
        bail!("ClickHouse holds {rows} decision rows (FINAL) for run {run_id}, the replay made {decisions}");
    }

    let n = f.wall.len();
    let ratio_c = median(&mut c.ratio);
    println!("bench journal: {} scans x 50 assets, --threads {}, {n} rounds, medians:", args.scans, args.threads);
    println!("  no journal          {:.3} s", median(&mut none));
    println!("  file journal        {:.3} s  {:.2}x", median(&mut f.wall), median(&mut f.ratio));
    println!(
        "  clickhouse journal  {:.3} s  {ratio_c:.2}x  (target <= {TARGET:.2}x: {}; {decisions} decision rows under FINAL)",
        median(&mut c.wall),
        if ratio_c <= TARGET { "met" } else { "NOT met" }
    );
    Ok(ExitCode::SUCCESS)
}
