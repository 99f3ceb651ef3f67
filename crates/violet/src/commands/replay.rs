//! `violet replay`: an event stream through the engine, deterministically.

use std::io::{self, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use violet_clock::{Cadence, CadencePlan};
use violet_divergence::one_line;
use violet_service::replay::{ReplayJob, run as run_replay};
use violet_venue::sim::VenueSpec;

use crate::config::load_blue_config;

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
    /// The simulated venue: `instant` (default: the exact notional at the decision price, no
    /// latency, no L3 — trade events stay BLUE's), `scripted:FILE` (per-order latency and
    /// outcome from a script; format in violet-venue's sim/scripted.rs) or `scripted-seed:N`
    /// (drawn from a seed). Scripted venues go through L3 (--contracts) and the TTL driver;
    /// their answers arrive on the replay's clock after each order's latency, fills are
    /// booked as they arrive, a fill after its order expired is closed at once (reason
    /// LATE_FILL). A VIOLET-only mode: --blue-trades reports the differences.
    #[arg(long, value_name = "VENUE", default_value = "instant")]
    venue: VenueSpec,
    /// Contract specs for L3 (JSON as fixtures/contracts.json; default: that file, bundled).
    #[arg(long, value_name = "FILE")]
    contracts: Option<PathBuf>,
    /// TTL of an entry's order intent, in milliseconds: it is sent only before decision
    /// time + TTL, and expires if not acknowledged by then (part of the cadence plan).
    #[arg(long, value_name = "MS", default_value_t = 100)]
    entry_ttl_ms: u64,
    /// TTL of an exit's order intent, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 100)]
    exit_ttl_ms: u64,
    /// Journal-flush cadence (recorded in the summary; the journal itself flushes on the
    /// --journal-flush-ms time bound or 1 MiB).
    #[arg(long, value_name = "CADENCE", default_value = "scan")]
    flush_cadence: Cadence,
    /// Compare VIOLET's trade events with BLUE's (a trade-events file BLUE's trader wrote
    /// for the same stream); write the divergence report into --report-dir and exit 3 when
    /// anything diverges.
    #[arg(long, value_name = "FILE")]
    blue_trades: Option<PathBuf>,
    /// Where the reports go: the divergence report (divergences.jsonl, report.md,
    /// report.html) with --blue-trades; cadence.md and cadence.html with --compare-cadence.
    #[arg(long, value_name = "DIR", default_value = "violet-report")]
    report_dir: PathBuf,
    /// Replay the stream under two exit cadences, e.g. `scan,tick` (BLUE's scan-quantized
    /// exits against the stop-loss guard on every tick), and write a side-by-side report into
    /// --report-dir: exits taken earlier and by how much, pnl per trade, drawdown, final
    /// capital, the two capital curves. Nothing is journaled.
    #[arg(
        long,
        value_name = "A,B",
        value_delimiter = ',',
        conflicts_with_all = ["blue_trades", "data_dir", "clickhouse_url", "trades_out", "decisions_out", "exit_cadence"]
    )]
    compare_cadence: Option<Vec<Cadence>>,
    /// Threads decoding lines (0: one per core). Decisions are made in order on one thread
    /// whatever this is.
    #[arg(long, value_name = "N", default_value_t = 0)]
    threads: usize,
    /// Journal every decision, trade event and rejection into this directory (append-only
    /// segment files, crash-safe; a rerun of the same run resumes after the last durable
    /// record). Without it, replay journals nothing.
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Journal into ClickHouse (database dolphin_violet; apply the DDL first with `violet ddl
    /// apply`): records are spooled in --data-dir (default ./violet-spool), shipped in
    /// batches, acknowledged and trimmed; while the server is down the spool grows and
    /// shipping retries.
    #[arg(long, value_name = "URL", env = "VIOLET_CLICKHOUSE_URL")]
    clickhouse_url: Option<String>,
    /// How long to wait at the end for the spool to be shipped, in seconds (what remains
    /// stays spooled: a rerun ships it).
    #[arg(long, value_name = "S", default_value_t = 120)]
    ship_timeout_s: u64,
    /// Journal flush bound in milliseconds (records are also flushed every 1 MiB and at the end).
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    journal_flush_ms: u64,
    /// Slots sharing the capital (V5, VIOLET-only above 1): each scan still decides once;
    /// the pick enters the first free slot unless its asset is held, sized on that slot's
    /// allotment (free capital / free slots; docs/decisions.md). 1: BLUE, one position.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=64))]
    n_slots: u16,
    /// No progress and no human summary on stderr.
    #[arg(long, short)]
    quiet: bool,
}

/// Run it. Exit 0 on success, 2 on unreadable input or bad usage, 1 on an internal error,
/// 3 when the divergence monitor (--blue-trades) finds a divergence, 5 when records were
/// left in the spool at the ship timeout (the summary is still written).
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let cfg = load_blue_config(args.config.as_deref())?;
    let ms = |v: u64| i64::try_from(v.saturating_mul(1_000_000)).unwrap_or(i64::MAX);
    let plan = CadencePlan::new(Cadence::Scan, args.exit_cadence, args.flush_cadence)?
        .with_ttl(ms(args.entry_ttl_ms), ms(args.exit_ttl_ms))?;
    let initial = cfg.initial_capital;
    let job = ReplayJob {
        events: args.events.clone(),
        trades_out: args.trades_out.clone(),
        decisions_out: args.decisions_out.clone(),
        summary_json: args.summary_json.clone(),
        rejections_out: args.rejections_out.clone(),
        cfg,
        plan,
        venue: args.venue.clone(),
        contracts: args.contracts.clone(),
        blue_trades: args.blue_trades.clone(),
        report_dir: args.report_dir.clone(),
        threads: args.threads,
        data_dir: args.data_dir.clone(),
        clickhouse_url: args.clickhouse_url.clone(),
        ship_timeout: Duration::from_secs(args.ship_timeout_s),
        journal_flush: Duration::from_millis(args.journal_flush_ms),
        n_slots: usize::from(args.n_slots),
    };
    if args.venue != VenueSpec::Instant && !args.quiet {
        eprintln!(
            "violet replay: venue {} (VIOLET-only: L3, TTL {} ms entry / {} ms exit, answers on the TestClock, bookkeeping follows the fills; not BLUE parity)",
            args.venue, args.entry_ttl_ms, args.exit_ttl_ms
        );
    }
    if args.n_slots > 1 && !args.quiet {
        eprintln!(
            "violet replay: {} slots sharing the capital (VIOLET-only V5: trade events carry their slot; not BLUE parity)",
            args.n_slots
        );
    }
    if let Some(cadences) = &args.compare_cadence {
        let [a, b] = cadences.as_slice() else {
            eprintln!("violet replay: --compare-cadence takes two cadences, e.g. scan,tick (given {})", cadences.len());
            return Ok(ExitCode::from(2));
        };
        return compare(&job, [*a, *b], &args.report_dir, args.quiet);
    }
    let show_progress = !args.quiet && io::stderr().is_terminal();
    let result = run_replay(&job, |bytes| {
        if show_progress {
            eprint!("\rviolet replay: {} MiB read", bytes >> 20);
        }
    });
    if show_progress {
        eprint!("\r");
    }
    let outcome = match result {
        Ok(o) => o,
        Err(violet_service::replay::ReplayError::OutputClosed) => return Ok(ExitCode::SUCCESS),
        Err(e) => {
            eprintln!("violet replay: {e}");
            return Ok(ExitCode::from(e.exit_code()));
        }
    };
    if !args.quiet {
        if let Some(r) = &outcome.report {
            eprintln!("violet replay: divergence monitor: {}; report in {}", one_line(r), args.report_dir.display());
        }
        if let Some(s) = &outcome.shipped {
            eprintln!("violet replay: journal shipped {} records to ClickHouse ({} retries)", s.shipped, s.retries);
        }
        eprintln!("violet replay: {}", outcome.summary.human(initial));
    }
    if let Some((spool, why)) = &outcome.unshipped {
        eprintln!(
            "violet replay: ClickHouse did not take every record ({why}); they are durable in the spool {} and \
             ship at the next replay with the same --data-dir (exit {})",
            spool.display(),
            super::SHIP_PENDING
        );
        return Ok(ExitCode::from(super::SHIP_PENDING));
    }
    Ok(if outcome.summary.divergences.is_some_and(|n| n > 0) { ExitCode::from(3) } else { ExitCode::SUCCESS })
}

/// `--compare-cadence A,B`: both replays, the report, a line per mode.
fn compare(job: &ReplayJob, cadences: [Cadence; 2], dir: &std::path::Path, quiet: bool) -> anyhow::Result<ExitCode> {
    let (c, summaries) = match violet_service::replay::compare_cadences(job, cadences, dir) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("violet replay: {e}");
            return Ok(ExitCode::from(e.exit_code()));
        }
    };
    if !quiet {
        for (run, (stats, summary)) in c.runs.iter().zip(c.stats.iter().zip(&summaries)) {
            eprintln!(
                "violet replay: {}: {} scans, {} trades closed, final capital {}, max drawdown {:.2}%",
                run.name,
                summary.scans,
                stats.exits,
                violet_domain::json::f64_to_string(stats.final_capital),
                stats.max_drawdown * 100.0,
            );
        }
        eprintln!(
            "violet replay: {} of {} trades both took closed earlier under {}; report in {}",
            c.earlier().len(),
            c.paired.len(),
            c.runs[1].name,
            dir.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
