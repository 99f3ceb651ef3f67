//! `violet replay`: an event stream through the engine, deterministically.

use std::cell::RefCell;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::rc::Rc;

use anyhow::Context as _;
use std::time::Duration;
use violet_divergence::{compare, one_line, parse_trades};
use violet_journal::clickhouse::{ClickHouse, ClickHouseJournal};
use violet_journal::{AnyJournal, FileJournal, FlushPolicy, JournalSink, RunRow, RunStatus};

use violet_clock::{Cadence, CadencePlan, Clock as _, LiveClock};
use violet_engine::replay::{ReplayOptions, WriterSink, replay_with};
use violet_venue::contracts::Contracts;
use violet_venue::execution::simulated;
use violet_venue::sim::VenueSpec;

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
    /// The simulated venue: `instant` (default: the exact notional at the decision price, no
    /// latency, no L3 — trade events stay BLUE's), `scripted:FILE` (per-order latency and
    /// outcome from a script; format in violet-venue's sim/scripted.rs) or `scripted-seed:N`
    /// (drawn from a seed). Scripted venues go through L3 (--contracts) and the TTL driver;
    /// bookkeeping follows the actual fills (a VIOLET-only mode: --blue-trades reports the
    /// differences).
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
    /// Where the divergence report goes: divergences.jsonl, report.md, report.html.
    #[arg(long, value_name = "DIR", default_value = "violet-report", requires = "blue_trades")]
    report_dir: PathBuf,
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
    /// No progress and no human summary on stderr.
    #[arg(long, short)]
    quiet: bool,
}

/// The replay's run id: a hash of what determines its records (configuration, cadence,
/// the events' identity). A journal directory belongs to one run id.
fn run_id(args: &Args, opts: &ReplayOptions) -> String {
    let events = match args.events.as_deref() {
        None => "bundled".to_string(),
        Some(p) if p.as_os_str() == "-" => "stdin".to_string(),
        Some(p) => {
            let meta = std::fs::metadata(p).ok();
            let mtime = meta.as_ref().and_then(|m| m.modified().ok()).map(|t| format!("{t:?}")).unwrap_or_default();
            format!(
                "{}|{}|{mtime}",
                p.canonicalize().unwrap_or_else(|_| p.to_path_buf()).display(),
                meta.map_or(0, |m| m.len())
            )
        }
    };
    let text = format!("{:?}|{}|{events}|{}", opts.cfg, opts.plan, args.venue);
    let h = violet_domain::hash::fnv1a(text.as_bytes());
    format!("replay-{h:016x}")
}

/// Copies trade-event bytes to an optional output and to a shared buffer.
struct Tee {
    a: Option<Box<dyn Write>>,
    b: SharedBuf,
}

impl Write for Tee {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some(a) = self.a.as_mut() {
            a.write_all(buf)?;
        }
        self.b.write_all(buf)?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.a.as_mut().map_or(Ok(()), |a| a.flush())
    }
}

/// A byte buffer shared with the command after the sink is gone.
struct SharedBuf(Rc<RefCell<Vec<u8>>>);

impl Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Run it. Exit 0 on success, 2 on unreadable input or bad usage, 1 on an internal error,
/// 3 when the divergence monitor (--blue-trades) finds a divergence.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let cfg = load_blue_config(args.config.as_deref())?;
    let ms = |v: u64| i64::try_from(v.saturating_mul(1_000_000)).unwrap_or(i64::MAX);
    let plan = CadencePlan::new(Cadence::Scan, args.exit_cadence, args.flush_cadence)?
        .with_ttl(ms(args.entry_ttl_ms), ms(args.exit_ttl_ms))?;
    let input = TrackedInput::new(open_events(args.events.as_deref())?);
    let failed = input.failed_flag();
    // BLUE's trades are read first: an unreadable file is bad usage, found before the work.
    let blue = match &args.blue_trades {
        None => None,
        Some(p) => {
            let text =
                std::fs::read_to_string(p).with_context(|| format!("cannot read BLUE's trades {}", p.display()))?;
            Some(parse_trades(&text).with_context(|| format!("in BLUE's trades {}", p.display()))?)
        }
    };
    let ours = Rc::new(RefCell::new(Vec::new()));
    let mut trades = args.trades_out.as_deref().map(create_output).transpose()?;
    if blue.is_some() {
        trades = Some(Box::new(Tee { a: trades, b: SharedBuf(Rc::clone(&ours)) }));
    }
    let decisions = args.decisions_out.as_deref().map(create_output).transpose()?;
    let mut rejections = args.rejections_out.as_deref().map(create_output).transpose()?;
    let initial = cfg.initial_capital;
    let opts = ReplayOptions { cfg, plan, threads: args.threads };
    let show_progress = !args.quiet && io::stderr().is_terminal();
    let policy = FlushPolicy { max_interval: Duration::from_millis(args.journal_flush_ms), ..FlushPolicy::default() };
    // The run id is also the records' source: ids (`<run>:scan:N`...) never collide across runs.
    let run = run_id(args, &opts);
    let config_hash = violet_engine::config_hash(&opts.cfg, &opts.plan);
    let started_ns = LiveClock::new().now();
    let mut journal = match (&args.clickhouse_url, &args.data_dir) {
        (Some(url), dir) => {
            let spool = dir.clone().unwrap_or_else(|| PathBuf::from("violet-spool"));
            let ch = ClickHouse::new(url)?;
            Some(AnyJournal::ClickHouse(ClickHouseJournal::open(&spool, &run, policy, ch)?))
        }
        (None, Some(dir)) => Some(AnyJournal::File(FileJournal::open(dir, &run, policy)?)),
        (None, None) => None,
    }
    .map(|j| JournalSink::new(j, &run, &run));
    let contracts = match &args.contracts {
        None => Contracts::bundled(),
        Some(p) => Contracts::from_file(p)?,
    };
    let exec = simulated(&args.venue, &run, (opts.plan.entry_ttl_ns, opts.plan.exit_ttl_ns), contracts)?;
    if args.venue != VenueSpec::Instant && !args.quiet {
        eprintln!(
            "violet replay: venue {} (VIOLET-only: L3, TTL {} ms entry / {} ms exit, bookkeeping follows the fills; not BLUE parity)",
            args.venue, args.entry_ttl_ms, args.exit_ttl_ms
        );
    }
    let run_row = |status, stopped_ns, detail| RunRow {
        violet_version: env!("CARGO_PKG_VERSION"),
        config_hash: &config_hash,
        source: &run,
        started_ns,
        stopped_ns,
        status,
        detail,
    };
    if let Some(j) = journal.as_mut() {
        j.run_row(&run_row(RunStatus::Running, 0, "replay"))?;
    }
    let result = {
        let mut sink = (WriterSink::new(trades, decisions), journal.as_mut());
        let r = replay_with(
            input,
            &opts,
            exec,
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
        r.and_then(|s| {
            sink.0.flush()?;
            Ok(s)
        })
    };
    if show_progress {
        eprint!("\r");
    }
    let summary = match result {
        Ok(s) => s,
        Err(e) if failed.load(std::sync::atomic::Ordering::Relaxed) => {
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
    let mut summary_json = summary.to_json();
    let mut code = ExitCode::SUCCESS;
    if let Some(blue) = blue {
        let text = String::from_utf8_lossy(&ours.borrow()).into_owned();
        let report = compare(blue, parse_trades(&text).context("VIOLET's own trade events")?);
        report
            .write_dir(&args.report_dir)
            .with_context(|| format!("cannot write the report into {}", args.report_dir.display()))?;
        if let Some(j) = journal.as_mut() {
            for d in &report.divergences {
                j.divergence(&report, d)?;
            }
        }
        let n = report.divergences.len();
        summary_json.insert_str(summary_json.len() - 1, &format!(",\"divergences\":{n}"));
        if !args.quiet {
            eprintln!(
                "violet replay: divergence monitor: {}; report in {}",
                one_line(&report),
                args.report_dir.display()
            );
        }
        if n > 0 {
            code = ExitCode::from(3);
        }
    }
    if let Some(mut j) = journal {
        j.run_row(&run_row(RunStatus::Stopped, LiveClock::new().now(), "replay complete"))?;
        if let Some(stats) = j.into_inner().close(Duration::from_secs(args.ship_timeout_s))?
            && !args.quiet
        {
            eprintln!(
                "violet replay: journal shipped {} records to ClickHouse ({} retries)",
                stats.shipped, stats.retries
            );
        }
    }
    if let Some(p) = &args.summary_json {
        let mut w = create_output(p)?;
        writeln!(w, "{summary_json}")?;
        w.flush()?;
    }
    if !args.quiet {
        eprintln!("violet replay: {}", summary.human(initial));
    }
    Ok(code)
}
