//! `cargo xtask bench journal`: what journaling costs a replay. Whole `violet replay`
//! processes on the default `gen-stream` shape, in rounds of six: no journal, the file
//! journal (`--data-dir`); no journal, the ClickHouse journal shipping to a null server (an
//! endpoint that reads and discards: VIOLET's own cost); no journal, the ClickHouse journal
//! (`--clickhouse-url`, through its spool). Each journal run is paired with the no-journal
//! run right before it; the report gives medians of wall time, of VIOLET's CPU time and (for
//! a local server) of the server's CPU time during the run, and the median of the per-pair
//! ratios against the target (ClickHouse journal at most 1.15x no journal). Data
//! directories are removed before each journal run, outside the timing. A benchmark: it
//! reports, it fails only on a failed run or on decision rows missing in ClickHouse.

use std::fs;
use std::path::Path;
use std::process::{Command, ExitCode};

use anyhow::{Context as _, bail};
use violet_journal::clickhouse::{ClickHouse, apply_ddl};
use violet_testkit::LocalServer;

use crate::null_http;
use crate::util::{ServerArgs, Timed, bench_stream, dist_violet, median, process_cpu, root, time, time_cpu};

/// The budget for the ClickHouse journal, as a ratio to no journal.
const TARGET: f64 = 1.15;

/// Arguments of `cargo xtask bench journal`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Timed rounds (each: six runs, a no-journal run before each journal run).
    #[arg(long, default_value_t = 10)]
    pub runs: usize,
    /// Scans in the stream (default shape: 20,000 x 50 assets, 1 tick per scan, 1% poison).
    #[arg(long, default_value_t = 20_000)]
    pub scans: u64,
    /// `violet replay --threads` for every run (0: one decoding thread per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// The ClickHouse server.
    #[command(flatten)]
    pub server: ServerArgs,
}

/// One kind of run: wall and CPU times, its ratios to the paired no-journal runs, and the
/// server's CPU time during it.
#[derive(Default)]
struct Series {
    wall: Vec<f64>,
    cpu: Vec<f64>,
    ratio: Vec<f64>,
    server: Vec<f64>,
}

impl Series {
    fn push(&mut self, t: Timed, plain: Timed, server: Option<f64>) {
        self.wall.push(t.wall);
        self.cpu.push(t.cpu);
        self.ratio.push(t.wall / plain.wall);
        self.server.extend(server);
    }

    /// `wall  ratio  violet CPU  server CPU` (medians), as the report's columns.
    fn row(&mut self, ratio: bool) -> String {
        let ratio = if ratio { format!("{:.2}x", median(&mut self.ratio)) } else { String::new() };
        let server = if self.server.is_empty() { String::new() } else { format!("{:.2} s", median(&mut self.server)) };
        format!("{:.3} s  {ratio:>6}  {:>9.2} s  {server:>10}", median(&mut self.wall), median(&mut self.cpu))
    }
}

/// Run the benchmark.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let binary = dist_violet()?;
    let events = bench_stream(args.scans)?;
    let dir = root().join("target/bench/journal");
    fs::create_dir_all(&dir)?;
    let (server, url) = args.server.start("bench-journal")?;
    let server_pid = server.as_ref().map(LocalServer::pid);
    let ch = ClickHouse::new(&url)?;
    apply_ddl(&ch)?;
    let (file_dir, spool) = (dir.join("file"), dir.join("spool"));
    let threads = args.threads.to_string();
    let replay = |journal: &[&std::ffi::OsStr]| {
        let mut c = Command::new(&binary);
        c.args(["replay", "-q", "--threads", &threads, "--events"]).arg(&events).args(journal);
        c
    };
    let null_url = null_http::start()?;
    let plain = || replay(&[]);
    let file = || replay(&["--data-dir".as_ref(), file_dir.as_os_str()]);
    let clickhouse =
        |url: &str| replay(&["--clickhouse-url".as_ref(), url.as_ref(), "--data-dir".as_ref(), spool.as_os_str()]);
    let fresh = |d: &Path| -> anyhow::Result<()> {
        match fs::remove_dir_all(d) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(e).with_context(|| format!("removing {}", d.display()))
            }
            _ => Ok(()),
        }
    };
    // The local server's CPU time so far (none for a server given by URL).
    let server_cpu = || server_pid.map(process_cpu).transpose();

    // Warm-up: one untimed run of each (caches, the server's first inserts); the plain one
    // also writes the summary the row check below compares with.
    let summary = dir.join("summary.json");
    time(plain().arg("--summary-json").arg(&summary))?;
    fresh(&file_dir)?;
    time(&mut file())?;
    fresh(&spool)?;
    time(&mut clickhouse(&null_url))?;
    fresh(&spool)?;
    time(&mut clickhouse(&url))?;

    let (mut none, mut f, mut n, mut c) = (Series::default(), Series::default(), Series::default(), Series::default());
    for k in 0..args.runs.max(1) {
        fresh(&file_dir)?;
        let p1 = time_cpu(&mut plain())?;
        let tf = time_cpu(&mut file())?;
        fresh(&spool)?;
        let p2 = time_cpu(&mut plain())?;
        let tn = time_cpu(&mut clickhouse(&null_url))?;
        fresh(&spool)?;
        let p3 = time_cpu(&mut plain())?;
        let before = server_cpu()?;
        let tc = time_cpu(&mut clickhouse(&url))?;
        let server = server_cpu()?.zip(before).map(|(a, b)| a - b);
        eprintln!(
            "bench journal: round {}: file {:.2}x, clickhouse (null server) {:.2}x, clickhouse {:.2}x",
            k + 1,
            tf.wall / p1.wall,
            tn.wall / p2.wall,
            tc.wall / p3.wall
        );
        for p in [p1, p2, p3] {
            none.push(p, p, None);
        }
        f.push(tf, p1, None);
        n.push(tn, p2, None);
        c.push(tc, p3, server);
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

    let rounds = f.wall.len();
    let ratio_c = median(&mut c.ratio.clone());
    println!("bench journal: {} scans x 50 assets, --threads {}, {rounds} rounds, medians:", args.scans, args.threads);
    println!("                                wall   ratio  violet CPU  server CPU");
    println!("  no journal                 {}", none.row(false));
    println!("  file journal               {}", f.row(true));
    println!("  clickhouse, null server    {}", n.row(true));
    println!("  clickhouse journal         {}", c.row(true));
    println!(
        "  target: clickhouse journal <= {TARGET:.2}x no journal: {}; {decisions} decision rows under FINAL",
        if ratio_c <= TARGET { "met" } else { "NOT met" }
    );
    Ok(ExitCode::SUCCESS)
}
