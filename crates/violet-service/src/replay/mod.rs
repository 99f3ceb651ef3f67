//! `violet replay` as a library: an event stream through the engine on the `TestClock`,
//! through a simulated venue, into plain files and a journal, compared with BLUE's trade
//! events when given. The launcher only turns its flags into a [`ReplayJob`].
//!
//! - `io.rs`: opening inputs and outputs (`-`, the bundled stream).
//! - `paths.rs`: the files it names, checked distinct before anything is opened.
//! - `run_id.rs`: a replay's run id (what determines its records).

mod cadence;
mod io;
mod paths;
mod run_id;

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Duration;

use violet_clock::{CadencePlan, Clock as _, LiveClock};
use violet_divergence::{Report, compare, parse_trades};
use violet_domain::config::BlueConfig;
use violet_engine::execution::Booking;
use violet_engine::replay::{ReplayOptions, ReplaySummary, WriterSink, replay_with};
use violet_journal::clickhouse::{ClickHouse, ClickHouseJournal, ShipStats};
use violet_journal::{AnyJournal, FileJournal, FlushPolicy, JournalSink, RunRow, RunStatus};
use violet_venue::contracts::Contracts;
use violet_venue::sim::{VenueSpec, simulated};

pub use io::{BUNDLED_STREAM, OutputError, TrackedInput, create_output, open_events};
pub use run_id::run_id;

use crate::capture::TradeCapture;
pub use cadence::compare_cadences;

/// What to replay, and where its outputs go.
#[derive(Debug, Clone)]
pub struct ReplayJob {
    /// The events (`-`: stdin; `None`: the bundled stream).
    pub events: Option<PathBuf>,
    /// Trade events out (`-`: stdout).
    pub trades_out: Option<PathBuf>,
    /// Decisions out.
    pub decisions_out: Option<PathBuf>,
    /// The summary as one JSON object.
    pub summary_json: Option<PathBuf>,
    /// Rejected lines out.
    pub rejections_out: Option<PathBuf>,
    /// BLUE's constants.
    pub cfg: BlueConfig,
    /// The cadence plan and order TTLs.
    pub plan: CadencePlan,
    /// The simulated venue.
    pub venue: VenueSpec,
    /// Contract specs for L3 (`None`: the bundled ones).
    pub contracts: Option<PathBuf>,
    /// BLUE's trade events for the same stream: compare, report, exit 3 on a divergence.
    pub blue_trades: Option<PathBuf>,
    /// Where the divergence report goes.
    pub report_dir: PathBuf,
    /// Decoding threads (0: one per core).
    pub threads: usize,
    /// The file journal's directory (or the ClickHouse journal's spool).
    pub data_dir: Option<PathBuf>,
    /// Journal into ClickHouse.
    pub clickhouse_url: Option<String>,
    /// How long the end waits for the spool to ship.
    pub ship_timeout: Duration,
    /// The journal's flush bound.
    pub journal_flush: Duration,
    /// Slots sharing the capital (1: BLUE; more: V5, VIOLET-only).
    pub n_slots: usize,
}

/// A replay that could not be done.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// Bad usage or an unusable input, output or setting (exit 2).
    #[error("{0}")]
    Usage(String),
    /// The event stream could not be read (exit 2).
    #[error("cannot read the event stream: {0}")]
    Unreadable(std::io::Error),
    /// VIOLET's own failure (exit 1).
    #[error("internal error: {0}")]
    Internal(String),
    /// The reader of an output on a pipe went away (`| head`): the end of output (exit 0).
    #[error("the output's reader went away")]
    OutputClosed,
}

impl ReplayError {
    /// The process exit status: 2 for usage and unreadable input, 1 internal, 0 when the
    /// output's reader went away.
    #[must_use]
    pub fn exit_code(&self) -> u8 {
        match self {
            ReplayError::Usage(_) | ReplayError::Unreadable(_) => 2,
            ReplayError::Internal(_) => 1,
            ReplayError::OutputClosed => 0,
        }
    }
}

/// What a replay did.
#[derive(Debug)]
pub struct ReplayOutcome {
    /// The summary (with the divergence count when compared).
    pub summary: ReplaySummary,
    /// The divergence report, when BLUE's trades were given.
    pub report: Option<Report>,
    /// The ClickHouse journal's shipping, when used.
    pub shipped: Option<ShipStats>,
    /// The spool still holding records when shipping ended (the ship timeout ran out, or
    /// the server refused them), and why: every record durable there; a later run with the
    /// same spool ships them.
    pub unshipped: Option<(PathBuf, String)>,
}

fn usage(e: impl std::fmt::Display) -> ReplayError {
    ReplayError::Usage(e.to_string())
}

/// A usage error from an error with causes: `a: b: c` (the OS's reason included).
fn usage_chain(e: &dyn std::error::Error) -> ReplayError {
    ReplayError::Usage(crate::run::chain(e))
}

/// Run `job`; `on_progress` hears the bytes read after each chunk.
///
/// # Errors
/// [`ReplayError`].
pub fn run(job: &ReplayJob, mut on_progress: impl FnMut(u64)) -> Result<ReplayOutcome, ReplayError> {
    paths::check_distinct(&paths::named(job)).map_err(ReplayError::Usage)?;
    let input = TrackedInput::new(open_events(job.events.as_deref()).map_err(ReplayError::Usage)?);
    let failed = input.failed_flag();
    // BLUE's trades are read first: an unreadable file is bad usage, found before the work.
    let blue = match &job.blue_trades {
        None => None,
        Some(_) if job.n_slots > 1 => {
            return Err(usage(format!(
                "--blue-trades compares with BLUE, which holds one position at a time: it runs with --n-slots 1 \
                 only (given {})",
                job.n_slots
            )));
        }
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| usage(format!("cannot read BLUE's trades {}: {e}", p.display())))?;
            Some(parse_trades(&text).map_err(|e| usage(format!("in BLUE's trades {}: {e}", p.display())))?)
        }
    };
    let open = |p: &Option<PathBuf>| p.as_deref().map(create_output).transpose().map_err(ReplayError::Usage);
    let trades = open(&job.trades_out)?;
    let decisions = open(&job.decisions_out)?;
    let mut rejections = open(&job.rejections_out)?;
    let run = run_id(job);
    let opts = ReplayOptions {
        cfg: job.cfg.clone(),
        plan: job.plan,
        threads: job.threads,
        namespace: run.clone(),
        n_slots: job.n_slots,
    };
    let policy = FlushPolicy { max_interval: job.journal_flush, ..FlushPolicy::default() };
    // The run id is also the records' source: ids (`<run>:scan:N`...) never collide across runs.
    let config_hash = violet_engine::config_hash(&opts.cfg, &opts.plan, opts.n_slots);
    let started_ns = LiveClock::new().now().get();
    // A stream from stdin has a run of its own: a directory holding another run's journal
    // is refused, saying why (it is never taken for a resume).
    let from_stdin = job.events.as_deref().is_some_and(|p| p.as_os_str() == "-");
    let journal_err = |e: violet_journal::JournalError| match e {
        violet_journal::JournalError::OtherRun { .. } if from_stdin => ReplayError::Usage(format!(
            "{e}; a stream read from stdin cannot be resumed (each is a run of its own): use an empty --data-dir"
        )),
        e => usage_chain(&e),
    };
    let mut journal = match (&job.clickhouse_url, &job.data_dir) {
        (Some(url), dir) => {
            let spool = dir.clone().unwrap_or_else(|| PathBuf::from("violet-spool"));
            let ch = ClickHouse::new(url).map_err(usage)?;
            Some(AnyJournal::ClickHouse(ClickHouseJournal::open(&spool, &run, policy, ch).map_err(journal_err)?))
        }
        (None, Some(dir)) => Some(AnyJournal::File(FileJournal::open(dir, &run, policy).map_err(journal_err)?)),
        (None, None) => None,
    }
    .map(|j| JournalSink::new(j, &run, &run));
    let contracts = match &job.contracts {
        None => Contracts::bundled(),
        Some(p) => Contracts::from_file(p).map_err(usage)?,
    };
    let port = simulated(&job.venue, contracts).map_err(|e| usage_chain(&e))?;
    let run_row = |status, stopped_ns, detail| RunRow {
        violet_version: env!("CARGO_PKG_VERSION"),
        config_hash: &config_hash,
        source: &run,
        started_ns,
        stopped_ns,
        status,
        detail,
    };
    // The journal's directory failing (a full disk, permissions) is the environment's: its
    // errors name the segment (exit 2), never "internal".
    let journal_io = |e: std::io::Error| ReplayError::Usage(format!("journal write: {e}"));
    if let Some(j) = journal.as_mut() {
        j.run_row(&run_row(RunStatus::Running, 0, "replay")).map_err(journal_io)?;
    }
    let mut ours = blue.as_ref().map(|_| TradeCapture::default());
    let result = {
        let mut sink = (WriterSink::new(trades, decisions), (journal.as_mut(), ours.as_mut()));
        let r = replay_with(
            input,
            &opts,
            port,
            Booking::Fills,
            &mut sink,
            |r| match rejections.as_mut() {
                Some(w) => writeln!(w, "{}", r.to_json()),
                None => Ok(()),
            },
            &mut on_progress,
        );
        r.and_then(|s| {
            sink.0.flush()?;
            Ok(s)
        })
    };
    let mut summary = match result {
        Ok(s) => s,
        Err(e) if failed.load(Ordering::Relaxed) => return Err(ReplayError::Unreadable(e)),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Err(ReplayError::OutputClosed),
        // An output that cannot be written (a full disk): the environment, named (exit 2).
        Err(e) if OutputError::inside(&e).is_some() => return Err(ReplayError::Usage(e.to_string())),
        Err(e) => return Err(ReplayError::Internal(e.to_string())),
    };
    if let Some(w) = rejections.as_mut() {
        w.flush().map_err(|e| usage(format!("writing rejections: {e}")))?;
    }
    let mut report = None;
    if let (Some(blue), Some(ours)) = (blue, ours.as_mut()) {
        let text: String = ours.drain().map(|l| l + "\n").collect();
        let r = compare(
            blue,
            parse_trades(&text).map_err(|e| ReplayError::Internal(format!("VIOLET's own trade events: {e}")))?,
        );
        r.write_dir(&job.report_dir)
            .map_err(|e| usage(format!("cannot write the report into {}: {e}", job.report_dir.display())))?;
        if let Some(j) = journal.as_mut() {
            for d in &r.divergences {
                j.divergence(&r, d).map_err(journal_io)?;
            }
        }
        summary.divergences = Some(r.divergences.len());
        report = Some(r);
    }
    let (mut shipped, mut unshipped) = (None, None);
    if let Some(mut j) = journal {
        j.run_row(&run_row(RunStatus::Stopped, LiveClock::new().now().get(), "replay complete")).map_err(journal_io)?;
        match j.into_inner().close(job.ship_timeout) {
            Ok(s) => shipped = s,
            // Nothing is lost: the summary is still written, and the caller says where the
            // records wait.
            Err(e) if e.leaves_records() => {
                let spool = job.data_dir.clone().unwrap_or_else(|| PathBuf::from("violet-spool"));
                unshipped = Some((spool, crate::run::chain(&e)));
            }
            Err(e) => return Err(usage(e)),
        }
    }
    if let Some(p) = &job.summary_json {
        let mut w = create_output(p).map_err(ReplayError::Usage)?;
        writeln!(w, "{}", summary.to_json())
            .and_then(|()| w.flush())
            .map_err(|e| usage(format!("writing the summary {}: {e}", p.display())))?;
    }
    Ok(ReplayOutcome { summary, report, shipped, unshipped })
}
