//! `violet sweep`: BLUE's constants over a grid, every combination on one decoded stream.

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use violet_clickhouse::{ClickHouse, RowWriter};
use violet_clock::{Cadence, CadencePlan};
use violet_sim::{
    DecodedStream, Grid, Point, SimConfig, SimResult, csv_header, csv_row, grid_values_json, parquet_table, row_id,
    shard, stream_fingerprint, sweep, sweep_html,
};

use crate::config::load_blue_config;

/// Arguments of `violet sweep`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Event stream (JSON lines), decoded once.
    #[arg(long, value_name = "FILE")]
    events: PathBuf,
    /// The grid (TOML): each key one of BLUE's constants (as in BLUE's config.py) with a
    /// list of values (`tp_pct = [0.008, 0.0099]`), a range (`max_hold_bars = { from = 60,
    /// to = 180, step = 30 }`) or one value. Every combination runs.
    #[arg(long, value_name = "GRID.toml")]
    grid: PathBuf,
    /// Where the rows go, a row per configuration, its id a hash of its constants: CSV, or
    /// Parquet when the name ends in `.parquet`. Written whole at the end (a rerun
    /// replaces it).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Run only the I-th of N contiguous slices of the grid (0-based), e.g. `3/16`, for a job
    /// array. Without it, the index comes from JOB_COMPLETION_INDEX (a Kubernetes indexed
    /// Job) or SLURM_ARRAY_TASK_ID when set, with N from --shards.
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
    /// Also write an HTML report here: a heat map of final capital over two of the grid's
    /// constants (--heatmap; default: the grid's first two keys) and the best rows.
    #[arg(long, value_name = "FILE.html")]
    html: Option<PathBuf>,
    /// The heat map's two constants, `X,Y` (grid keys).
    #[arg(long, value_name = "X,Y", value_delimiter = ',', requires = "html")]
    heatmap: Option<Vec<String>>,
    /// Also write the rows into ClickHouse, `dolphin_violet.sweeps` (the DDL is applied
    /// first): keyed by the stream's fingerprint and each configuration's id, so a shard that
    /// reruns does not duplicate its rows (they collapse under FINAL).
    #[arg(long, value_name = "URL", env = "VIOLET_CLICKHOUSE_URL")]
    clickhouse_url: Option<String>,
    /// The ClickHouse user (with VIOLET_CLICKHOUSE_PASSWORD, never a flag).
    #[arg(long, value_name = "USER", env = "VIOLET_CLICKHOUSE_USER", default_value = "default")]
    user: String,
    /// The number of slices when the index comes from the scheduler's environment.
    #[arg(long, value_name = "N")]
    shards: Option<usize>,
    /// The constants not on the grid (TOML as `violet replay --config`); default: BLUE's.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Exit-check cadence of every run: `scan` (BLUE) or `tick` (the stop-loss guard).
    #[arg(long, value_name = "CADENCE", default_value = "scan")]
    exit_cadence: Cadence,
    /// Slots sharing the capital in every run (1: BLUE).
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=64))]
    n_slots: u16,
    /// Threads running configurations (0: one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    threads: usize,
    /// No progress and no summary on stderr.
    #[arg(long, short)]
    quiet: bool,
}

/// The slice to run: `--shard I/N`, or the scheduler's index with `--shards N`.
fn slice(args: &Args) -> anyhow::Result<Option<(usize, usize)>> {
    if let Some(s) = &args.shard {
        let (i, n) = s.split_once('/').context("--shard is I/N, e.g. 3/16")?;
        let (i, n): (usize, usize) = (i.trim().parse().context("--shard I")?, n.trim().parse().context("--shard N")?);
        if n == 0 || i >= n {
            bail!("--shard {s}: I must be below N (0-based), N at least 1");
        }
        return Ok(Some((i, n)));
    }
    let from_env =
        ["JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID"].iter().find_map(|k| std::env::var(k).ok().map(|v| (*k, v)));
    let Some((var, v)) = from_env else { return Ok(None) };
    let i: usize = v.trim().parse().with_context(|| format!("{var}={v:?} is not an index"))?;
    let n = args
        .shards
        .or_else(|| std::env::var("SLURM_ARRAY_TASK_COUNT").ok().and_then(|c| c.trim().parse().ok()))
        .with_context(|| format!("{var} is set: give the number of slices with --shards N"))?;
    if n == 0 || i >= n {
        bail!("{var}={i} with --shards {n}: the index must be below the number of slices");
    }
    Ok(Some((i, n)))
}

/// Run it. Exit 0 on success, 2 on bad usage or an unreadable input.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let base = load_blue_config(args.config.as_deref())?;
    let text = std::fs::read_to_string(&args.grid).with_context(|| format!("cannot read {}", args.grid.display()))?;
    let grid = Grid::parse(&text).with_context(|| format!("in grid {}", args.grid.display()))?;
    let range = match slice(args)? {
        Some((i, n)) => shard(grid.len(), i, n),
        None => 0..grid.len(),
    };
    let keys: Vec<String> = grid.axes.iter().map(|(k, _)| k.clone()).collect();
    let heat = match (&args.html, &args.heatmap) {
        (None, _) => None,
        (Some(_), Some(xy)) => match xy.as_slice() {
            [x, y] if keys.contains(x) && keys.contains(y) && x != y => Some((x.clone(), y.clone())),
            _ => bail!("--heatmap takes two different keys of the grid ({}), e.g. {}", keys.join(", "), keys.join(",")),
        },
        (Some(_), None) => match keys.as_slice() {
            [x, y, ..] => Some((x.clone(), y.clone())),
            _ => bail!("--html draws a heat map over two constants: the grid has {} key(s)", keys.len()),
        },
    };
    let bytes = violet_sim::read_file(&args.events, args.threads)
        .with_context(|| format!("cannot read {}", args.events.display()))?;
    let t = std::time::Instant::now();
    let stream = DecodedStream::decode(&bytes, args.threads);
    let plan = CadencePlan::new(Cadence::Scan, args.exit_cadence, Cadence::Scan)?;
    let points: Vec<_> = range.clone().map(|i| grid.point(i, &base)).collect();
    let configs: Vec<SimConfig> =
        points.iter().map(|p| SimConfig { cfg: p.cfg.clone(), plan, n_slots: usize::from(args.n_slots) }).collect();
    let total = configs.len();
    let progress = !args.quiet && std::io::stderr().is_terminal();
    let results = sweep(&configs, &stream, args.threads, |done| {
        if progress && (done == total || done % 16 == 0) {
            eprint!("\rviolet sweep: {done}/{total} configurations");
        }
    });
    if progress {
        eprintln!();
    }
    let parquet = args.out.extension().is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
    let table = if parquet {
        parquet_table(&keys, &points, &results).context("writing the Parquet table")?
    } else {
        let mut csv = csv_header(&keys);
        for (p, r) in points.iter().zip(&results) {
            csv.push_str(&csv_row(p, r));
        }
        csv.into_bytes()
    };
    // Whole or nothing: a shard that reruns replaces its file.
    let tmp = args.out.with_extension(if parquet { "parquet.partial" } else { "csv.partial" });
    std::fs::write(&tmp, table).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, &args.out).with_context(|| format!("cannot write {}", args.out.display()))?;
    if let Some(url) = &args.clickhouse_url {
        let mut ch = ClickHouse::new(url)?;
        if let Ok(pw) = std::env::var("VIOLET_CLICKHOUSE_PASSWORD") {
            ch = ch.with_credentials(&args.user, &violet_clickhouse::Secret::new(pw));
        }
        let n = to_clickhouse(&ch, &stream_fingerprint(&bytes), &points, &results, &plan, usize::from(args.n_slots))?;
        if !args.quiet {
            eprintln!("violet sweep: {n} rows into dolphin_violet.sweeps at {}", ch.url());
        }
    }
    if let (Some(path), Some((x, y))) = (&args.html, &heat) {
        let title = args.events.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let html = sweep_html(&points, &results, x, y, &title).map_err(anyhow::Error::msg)?;
        std::fs::write(path, html).with_context(|| format!("cannot write {}", path.display()))?;
    }
    if !args.quiet {
        let best = points.iter().zip(&results).max_by(|a, b| a.1.summary.capital.total_cmp(&b.1.summary.capital));
        eprintln!(
            "violet sweep: {total} configurations (grid rows {}..{} of {}) on {} scans in {:.2} s; best final capital {} ({}); rows in {}",
            range.start,
            range.end,
            grid.len(),
            stream.counts().scans,
            t.elapsed().as_secs_f64(),
            best.map_or("n/a".into(), |(_, r)| violet_domain::json::f64_to_string(r.summary.capital)),
            best.map_or(String::new(), |(p, _)| p
                .values
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" ")),
            args.out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The columns of `dolphin_violet.sweeps` (ddl/dolphin_violet.sql), in order.
const SWEEP_COLUMNS: &str = "dolphin_violet.sweeps (stream, id, version, grid_values, final_capital, trades, \
                             win_rate, max_drawdown, risk_adjusted, fees, pnl, entries, scans)";

/// Apply the DDL and insert the rows (RowBinary, floats bit for bit) in batches; how many.
fn to_clickhouse(
    ch: &ClickHouse,
    stream: &str,
    points: &[Point],
    results: &[SimResult],
    plan: &CadencePlan,
    n_slots: usize,
) -> anyhow::Result<usize> {
    violet_journal::clickhouse::apply(ch, violet_journal::clickhouse::DDL_DOLPHIN_VIOLET)
        .with_context(|| format!("applying the DDL at {}", ch.url()))?;
    for (ps, rs) in points.chunks(10_000).zip(results.chunks(10_000)) {
        let mut w = RowWriter::insert(SWEEP_COLUMNS);
        for (p, r) in ps.iter().zip(rs) {
            let st = &r.stats;
            w.str(stream)
                .str(&row_id(p, plan, n_slots))
                .u64(1)
                .str(&grid_values_json(p))
                .f64(r.summary.capital)
                .u64(st.trades)
                .f64(st.win_rate())
                .f64(st.max_drawdown)
                .f64(st.risk_adjusted())
                .f64(st.fees)
                .f64(st.pnl)
                .u64(r.summary.entries)
                .u64(r.summary.scans);
        }
        ch.insert_rows(&w).with_context(|| format!("inserting sweep rows at {}", ch.url()))?;
    }
    Ok(points.len())
}
