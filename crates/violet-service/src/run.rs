//! The DARK service: feed → engine → journal on the LiveClock, the divergence monitor
//! beside it, a graceful stop on request.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use violet_clock::{Cadence, CadencePlan, Clock as _, LiveClock};
use violet_domain::config::BlueConfig;
use violet_domain::event::{Event, EventStream};
use violet_engine::Engine;
use violet_feed::{BlueTrades, ClickHouseFeed, Feed, StdinFeed};
use violet_journal::clickhouse::{ClickHouse, ClickHouseJournal, DDL_DOLPHIN_VIOLET, ShipError, apply};
use violet_journal::{AnyJournal, FlushPolicy, Journal as _, JournalError, JournalSink, RunRow, RunStatus};
use violet_venue::arming::{ExecutionMode, execution_mode};
use violet_venue::dark::DarkExecution;
use violet_venue::venue::ObserveOnlyVenue;

use crate::capture::TradeCapture;
use crate::config::Loaded;
use crate::monitor::Monitor;

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

/// Sleep up to `d`, returning early when `stop` is set.
fn nap(d: Duration, stop: &AtomicBool) {
    let t = Instant::now();
    while !stop.load(Ordering::Relaxed) && t.elapsed() < d {
        std::thread::sleep((d - t.elapsed()).min(Duration::from_millis(20)));
    }
}

fn blue_config(path: &Path) -> Result<BlueConfig, ServiceError> {
    if path.as_os_str().is_empty() {
        return Ok(BlueConfig::default());
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| ServiceError::Config(format!("engine.blue_config {}: {e}", path.display())))?;
    BlueConfig::from_toml(&text)
        .map_err(|e| ServiceError::Config(format!("engine.blue_config {}: {e}", path.display())))
}

fn plan(loaded: &Loaded) -> Result<CadencePlan, ServiceError> {
    let e = &loaded.config.engine;
    let cadence = |key: &str, v: &str| -> Result<Cadence, ServiceError> {
        v.parse().map_err(|err| ServiceError::Config(format!("engine.{key} = {v:?}: {err}")))
    };
    CadencePlan::new(
        Cadence::Scan,
        cadence("exit_cadence", &e.exit_cadence)?,
        cadence("flush_cadence", &e.flush_cadence)?,
    )
    .map_err(|err| ServiceError::Config(format!("[engine] cadences: {err}")))
}

/// Apply VIOLET's DDL, retrying with backoff while the server is unreachable.
fn connect(ch: &ClickHouse, stop: &AtomicBool) -> Result<(), ServiceError> {
    let mut backoff = Duration::from_millis(200);
    loop {
        match apply(ch, DDL_DOLPHIN_VIOLET) {
            Ok(n) => {
                tracing::info!(statements = n, url = ch.url(), "DDL of dolphin_violet applied");
                return Ok(());
            }
            Err(e) => {
                tracing::warn!(url = ch.url(), error = %chain(&e), retry_in_ms = backoff.as_millis() as u64, "ClickHouse not ready");
            }
        }
        nap(backoff, stop);
        if stop.load(Ordering::Relaxed) {
            return Err(ServiceError::NeverConnected(ch.url().to_string()));
        }
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}

/// Run the service until `stop` is set (a signal) or the input ends (stdin feed).
///
/// # Errors
/// [`ServiceError`]: bad settings, an unusable spool, a journal write failing, or records
/// left unshipped at the stop (they stay in the spool and ship at the next start).
pub fn run(loaded: &Loaded, stop: &AtomicBool) -> Result<StopReport, ServiceError> {
    let cfg = &loaded.config;
    let name = cfg.service.name.as_str();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
        return Err(ServiceError::Config(format!("service.name = {name:?}: use letters, digits, '-', '_' or '.'")));
    }
    let mode =
        execution_mode(loaded.keys.as_ref(), cfg.execution.armed).map_err(|e| ServiceError::Config(e.to_string()))?;
    let ExecutionMode::ObserveOnly(why) = &mode;
    tracing::warn!(
        reason = why,
        "DARK: observe-only service. No live venue exists and no order can leave this process: every order intent is refused by the observe-only guard and journaled."
    );
    tracing::info!(name, url = %cfg.clickhouse.url, feed = %cfg.feed.kind, data_dir = %cfg.service.data_dir.display(),
        overridden = ?loaded.overridden, "violet run starting");
    for var in &loaded.unknown_env {
        tracing::warn!(var = %var, "environment variable matches no configuration key: ignored");
    }
    let blue = blue_config(&cfg.engine.blue_config)?;
    let plan = plan(loaded)?;
    let (risk, switch) = crate::risk::gate(&cfg.risk).map_err(ServiceError::Config)?;
    let mut state_file = crate::risk::StateFile::new(cfg.risk.state_file.clone(), switch);
    let mut ch =
        ClickHouse::new(&cfg.clickhouse.url).map_err(|e| ServiceError::Config(format!("clickhouse.url: {e}")))?;
    if let Some(pw) = &loaded.password {
        ch = ch.with_credentials(&cfg.clickhouse.user, pw);
    }
    let mut feed: Box<dyn Feed> = match cfg.feed.kind.as_str() {
        "clickhouse" => Box::new(
            ClickHouseFeed::new(ch.clone(), cfg.feed.batch, cfg.feed.since_ts_ns)
                .with_settle(Duration::from_millis(cfg.feed.settle_ms)),
        ),
        "stdin" => Box::new(StdinFeed::stdin(cfg.feed.batch)),
        other => return Err(ServiceError::Config(format!("feed.kind = {other:?}: expected clickhouse or stdin"))),
    };
    connect(&ch, stop)?;
    let clock = LiveClock::new();
    let started_ns = clock.now();
    let run_id = format!("{name}-{started_ns}");
    let config_hash = violet_engine::config_hash(&blue, &plan);
    let policy =
        FlushPolicy { max_bytes: cfg.journal.flush_bytes, max_interval: Duration::from_millis(cfg.journal.flush_ms) };
    let flush_every = policy.max_interval;
    let spool = cfg.service.data_dir.join("spool");
    let journal = ClickHouseJournal::open_append(&spool, name, policy, ch.clone())?;
    let mut sink = JournalSink::new(AnyJournal::ClickHouse(journal), name, &run_id);
    let row = |status, stopped_ns, detail| RunRow {
        violet_version: env!("CARGO_PKG_VERSION"),
        config_hash: &config_hash,
        source: name,
        started_ns,
        stopped_ns,
        status,
        detail,
    };
    sink.run_row(&row(RunStatus::Running, 0, "violet run (DARK, observe-only)"))?;
    sink.journal_mut().flush()?;
    tracing::info!(run_id = %run_id, spool = %spool.display(), "running");

    let mut monitor = cfg.monitor.enabled.then(|| {
        Monitor::new(
            BlueTrades::new(ch.clone(), cfg.feed.batch, cfg.feed.since_ts_ns),
            Duration::from_millis(cfg.monitor.settle_ms),
            cfg.service.data_dir.join("report"),
        )
    });
    let ttl = (plan.entry_ttl_ns, plan.exit_ttl_ns);
    // Client order ids from the service name, not the per-start run id: a restart that
    // re-decides the same legs reuses their ids, so it can never place a second order.
    let dark: DarkExecution<ObserveOnlyVenue> = DarkExecution::with_risk(&mode, None, name, risk, ttl);
    let mut engine = Engine::new(blue, plan, clock).with_execution(Box::new(dark));
    let mut stream = EventStream::new();
    let mut capture = TradeCapture::default();
    let mut lines = Vec::new();
    let (mut n_lines, mut trades, mut divergences) = (0u64, 0u64, 0usize);
    let poll = Duration::from_millis(cfg.feed.poll_interval_ms);
    let monitor_every = Duration::from_millis(cfg.monitor.interval_ms);
    let status_every = Duration::from_secs(cfg.service.status_interval_s.max(1));
    let (mut last_flush, mut last_check, mut last_status) = (Instant::now(), Instant::now(), Instant::now());
    let mut backoff = poll;
    let reason = 'run: loop {
        if stop.load(Ordering::Relaxed) {
            break 'run "signal";
        }
        if let Some(f) = state_file.as_mut() {
            f.poll();
        }
        lines.clear();
        let more = match feed.poll(&mut lines) {
            Ok(more) => {
                backoff = poll;
                more
            }
            Err(e) => {
                let level_error = !e.is_transient();
                if level_error {
                    tracing::error!(error = %chain(&e), "feed query refused; retrying");
                } else {
                    tracing::warn!(error = %chain(&e), "feed unreachable; retrying");
                }
                nap(backoff, stop);
                backoff = (backoff * 2).min(Duration::from_secs(5));
                continue;
            }
        };
        for raw in &lines {
            if stop.load(Ordering::Relaxed) {
                break; // finish the event in hand, not the batch: the rest is re-read on restart
            }
            n_lines += 1;
            match stream.next_line(raw) {
                Err(r) => {
                    tracing::info!(line = r.line, rejection = %r.to_json(), "rejected");
                    violet_engine::Sink::rejection(&mut sink, &r)?;
                }
                Ok(None) => {}
                Ok(Some(ev)) => {
                    engine.on_event(&ev, &mut (&mut sink, &mut capture))?;
                    if let (Event::Scan(s), Some(m)) = (&ev, monitor.as_mut()) {
                        m.decided(s.scan_number.into_inner());
                    }
                }
            }
            for t in capture.drain() {
                trades += 1;
                if let Some(m) = monitor.as_mut() {
                    m.ours(&t);
                }
            }
        }
        engine.on_timers(&mut (&mut sink, &mut capture))?;
        let caught_up = lines.len() < cfg.feed.batch;
        if (caught_up && !lines.is_empty()) || last_flush.elapsed() >= flush_every {
            sink.journal_mut().flush()?;
            last_flush = Instant::now();
        }
        if let Some(m) = monitor.as_mut().filter(|_| last_check.elapsed() >= monitor_every) {
            last_check = Instant::now();
            match m.check(&mut sink) {
                Ok(c) => divergences = c.divergences,
                Err(e) => {
                    tracing::warn!(error = %chain(&e), "divergence monitor: BLUE's trade events unreadable; retrying")
                }
            }
        }
        if last_status.elapsed() >= status_every {
            last_status = Instant::now();
            let c = stream.counts();
            let ship = match sink.journal_mut() {
                AnyJournal::ClickHouse(j) => j.progress(),
                AnyJournal::File(_) => violet_journal::clickhouse::ShipStats::default(),
            };
            tracing::info!(
                lines = n_lines,
                scans = c.scans,
                factors = c.factors,
                rejected = c.rejected,
                trades,
                orders_refused = capture.refused,
                divergences,
                shipped = ship.shipped,
                ship_retries = ship.retries,
                "status"
            );
        }
        if !more {
            break 'run "input ended";
        }
        if lines.is_empty() {
            nap(poll, stop);
        }
    };
    tracing::info!(reason, "stopping: flushing and shipping the journal");
    if let Some(m) = monitor.as_mut() {
        match m.check(&mut sink) {
            Ok(c) => divergences = c.divergences,
            Err(e) => tracing::warn!(error = %chain(&e), "divergence monitor: final check failed"),
        }
    }
    let c = stream.counts();
    let detail = format!(
        "{{\"reason\":\"{reason}\",\"lines\":{n_lines},\"scans\":{},\"rejected\":{},\"trades\":{trades},\"orders_refused\":{},\"divergences\":{divergences}}}",
        c.scans, c.rejected, capture.refused
    );
    sink.run_row(&row(RunStatus::Stopped, LiveClock::new().now(), &detail))?;
    let ship = sink.into_inner().close(Duration::from_secs(cfg.journal.ship_timeout_s))?;
    let report = StopReport {
        run_id,
        reason: reason.to_string(),
        lines: n_lines,
        scans: c.scans,
        rejected: c.rejected,
        trades,
        divergences,
        shipped: ship.map_or(0, |s| s.shipped),
    };
    tracing::info!(run_id = %report.run_id, reason, lines = report.lines, scans = report.scans,
        rejected = report.rejected, trades, divergences, shipped = report.shipped, "stopped");
    Ok(report)
}
