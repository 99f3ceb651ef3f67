//! `violet run`: the service on tokio. Set-up (`setup.rs`) reads the configuration, connects,
//! opens the journal and builds the engine; then four kinds of task run:
//!
//! - the feed (`feed.rs`): polls BLUE's tables (or stdin) on a blocking thread and hands
//!   batches of lines to the reactor;
//! - the reactor (`reactor.rs`): the one task that owns the engine, the event stream, the
//!   journal sink and the divergence monitor — every event, timer and order update passes
//!   through it in order, and nothing on it waits for a venue;
//! - the execution task (`violet_venue::dark` today; `violet_venue::task` once armed): owns
//!   the venue and the risk gate, answers with order updates;
//! - signals (`crate::signals`): the first SIGTERM/SIGINT stops gracefully.
//!
//! The journal's writer and shipper threads belong to `violet-journal`.

mod armed;
mod drift;
mod feed;
mod reactor;
mod setup;

pub(crate) use setup::{clickhouse_client, connect};

use std::sync::Arc;
use std::time::Duration;

use violet_journal::JournalError;
use violet_journal::clickhouse::ShipError;

use crate::config::Loaded;
use crate::signals::Stop;

/// The service could not run (or could not stop cleanly).
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A setting is unusable.
    #[error("{0}")]
    Config(String),
    /// The spool directory is unusable.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// Writing the journal failed.
    #[error("journal write")]
    Io(#[from] std::io::Error),
    /// The journal could not ship everything before the stop timeout.
    #[error(transparent)]
    Ship(#[from] ShipError),
    /// Stopped (signal) before the server could be reached at start.
    #[error("stopped before ClickHouse at {0} answered")]
    NeverConnected(String),
    /// Armed, the journal and the venue differ in a way nothing explains (or the journal
    /// holds positions a restart cannot take over): no order was sent.
    #[error("{0}")]
    Unreconciled(String),
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StopReport {
    /// The run id (`<name>-<start ns>`).
    pub run_id: String,
    /// Why it stopped.
    pub reason: String,
    /// Input lines read.
    pub lines: u64,
    /// Accepted scans (each journaled as a decision).
    pub scans: u64,
    /// Rejected lines (each journaled).
    pub rejected: u64,
    /// Trade events.
    pub trades: u64,
    /// Divergences found.
    pub divergences: usize,
    /// Records shipped by this run.
    pub shipped: u64,
}

/// An error with its causes, `a: b: c`, for logs.
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

/// When a run starts and its id (`<name>-<start ns>`): made before anything else, so every
/// log line can carry the id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunStart {
    /// The start (unix ns): the run's id, and armed, where live events begin.
    pub started_ns: i64,
    /// `<service.name>-<started_ns>`.
    pub run_id: String,
}

impl RunStart {
    /// A run of service `name` starting now.
    #[must_use]
    pub fn now(name: &str) -> Self {
        use violet_clock::Clock as _;
        let started_ns = violet_clock::LiveClock::new().now().get();
        Self { started_ns, run_id: format!("{name}-{started_ns}") }
    }
}

/// Run the service until a signal (SIGTERM/SIGINT, or `stop` requested) or the end of the
/// input (stdin feed), on a tokio runtime of its own.
///
/// # Errors
/// [`ServiceError`]: bad settings, an unusable spool, a journal write failing, or records
/// left unshipped at the stop (they stay in the spool and ship at the next start).
pub fn run(loaded: &Loaded, stop: Arc<Stop>, start: &RunStart) -> Result<StopReport, ServiceError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("violet-run")
        .enable_time()
        .enable_io()
        .build()?;
    let result = rt.block_on(async {
        crate::signals::spawn(Arc::clone(&stop))?;
        let service = setup::Service::start(loaded, &stop, start).await?;
        service.run(stop).await
    });
    // A feed thread blocked on a read must not hold the process: nothing it holds is lost.
    rt.shutdown_timeout(Duration::from_secs(1));
    result
}
