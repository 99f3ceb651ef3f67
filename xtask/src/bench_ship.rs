//! `cargo xtask bench ship`: the ClickHouse journal's shipping rate. A spool of about
//! 200,000 decision records (the default stream replayed ten times under ten sources) is
//! shipped to a local server (started here, or `--clickhouse-url`) from a cold start: read,
//! converted to RowBinary batches, inserted, acknowledged, trimmed. A benchmark: it
//! reports, it fails only when rows are missing.

use std::fs;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use violet_clock::CadencePlan;
use violet_domain::config::BlueConfig;
use violet_engine::replay::{ReplayOptions, replay};
use violet_journal::clickhouse::{ClickHouse, ClickHouseJournal, Spool, apply_ddl};
use violet_journal::{FileJournal, FlushPolicy, Journal as _, JournalSink};

use crate::util::{ServerArgs, bench_stream, root};

/// Arguments of `cargo xtask bench ship`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Times the default stream (20,000 scans) is journaled into the spool.
    #[arg(long, default_value_t = 10)]
    pub copies: u32,
    /// The ClickHouse server.
    #[command(flatten)]
    pub server: ServerArgs,
}

/// Run the benchmark.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let events = bench_stream(20_000)?;
    let dir = root().join("target/bench");
    let (server, url) = args.server.start("bench-ship")?;
    let ch = ClickHouse::new(&url)?;
    apply_ddl(&ch)?;
    let spool = dir.join("ship-spool");
    let _ = fs::remove_dir_all(&spool);
    let run = "bench-ship";
    let policy = FlushPolicy { max_bytes: 8 << 20, max_interval: Duration::from_secs(3600) };
    let opts = ReplayOptions {
        cfg: BlueConfig::default(),
        plan: CadencePlan::default(),
        threads: 0,
        ..ReplayOptions::default()
    };
    let mut decisions = 0u64;
    {
        let mut sink = JournalSink::new(Spool::open(&spool, run, policy)?, run, run);
        for k in 0..args.copies {
            let mut copy = JournalSink::new(sink.into_inner(), &format!("bench-{k}"), run);
            let input = std::io::BufReader::new(fs::File::open(&events)?);
            decisions += replay(input, &opts, &mut copy, |_| Ok(()), |_| {})?.scans;
            sink = copy;
        }
        sink.journal_mut().flush()?;
    }
    let records = FileJournal::read_all(&spool)?.len();
    let bytes: u64 =
        fs::read_dir(&spool)?.filter_map(Result::ok).filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum();
    eprintln!(
        "bench ship: spool of {records} records ({decisions} decisions, {:.0} MB); shipping to {url}",
        bytes as f64 / 1e6
    );
    let t = Instant::now();
    let journal = ClickHouseJournal::open(&spool, run, policy, ch.clone())?;
    let stats = journal.finish(Duration::from_secs(600))?;
    let secs = t.elapsed().as_secs_f64();
    let count = |table: &str| -> anyhow::Result<u64> {
        let q = format!("SELECT count() FROM dolphin_violet.{table} FINAL WHERE run_id = '{run}'");
        ch.query(&q)?.trim().parse().with_context(|| format!("count of {table}"))
    };
    let rows = count("decisions")?;
    println!(
        "bench ship: {} records in {secs:.2} s = {:.0} records/s; {rows} decision rows = {:.0} decision rows/s ({} retries)",
        stats.shipped,
        stats.shipped as f64 / secs,
        rows as f64 / secs,
        stats.retries
    );
    drop(server);
    if rows != decisions {
        bail!("{decisions} decisions spooled but {rows} decision rows in ClickHouse");
    }
    Ok(ExitCode::SUCCESS)
}
