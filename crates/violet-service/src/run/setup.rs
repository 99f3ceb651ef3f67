//! Set-up: the configuration checked, ClickHouse reached, the journal opened, the engine,
//! the execution task and the feed started. What `run` then drives is a [`Service`].

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use violet_clock::{Cadence, CadencePlan, Clock as _, LiveClock, UnixNanos};
use violet_domain::config::BlueConfig;
use violet_engine::Engine;
use violet_engine::execution::{Booking, ExecutionPort, OrderUpdate};
use violet_feed::{BlueTrades, ClickHouseFeed, Feed, StdinFeed};
use violet_journal::clickhouse::{ClickHouse, ClickHouseJournal, SchemaError};
use violet_journal::{AnyJournal, FlushPolicy, Journal as _, JournalSink, RunStatus};
use violet_venue::arming::{ExecutionMode, execution_mode};
use violet_venue::dark::DarkExecution;
use violet_venue::restart::{IntentLog, Recall, RecallPort, TakeOverGate};
use violet_venue::task::{ChannelPort, ExecutionTask, TaskOptions};
use violet_venue::venue::ObserveOnlyVenue;

use super::armed;
use super::drift::Drift;
use super::feed::{self, FeedMsg};
use super::reactor::{ClockOffset, PendingTakeOver, Reactor, RunInfo};
use super::{RunStart, ServiceError, StopReport, chain};
use crate::config::Loaded;
use crate::metrics::{Health, Meter, Metrics};
use crate::monitor::Monitor;
use crate::reconcile::bingx_config;
use crate::signals::Stop;

/// A service set up and ready to run.
pub struct Service {
    reactor: Reactor,
    feed: mpsc::Receiver<FeedMsg>,
    updates: mpsc::UnboundedReceiver<OrderUpdate>,
    execution: tokio::task::JoinHandle<u64>,
}

/// The execution side, armed or observe-only, as the engine and the reactor take it.
struct Execution {
    /// The execution task (its count of refused intents when it ends).
    task: tokio::task::JoinHandle<u64>,
    /// Whose fills the engine books.
    booking: Booking,
    /// Where the engine's commands go.
    port: Box<dyn ExecutionPort + Send>,
    /// Armed: the venue's request records.
    requests: Option<mpsc::Receiver<violet_venue::venue::audit::RequestRecord>>,
    /// Armed: the periodic reconciliation.
    drift: Option<Drift>,
    /// Armed: the restart's take-over check.
    takeover: Option<PendingTakeOver>,
    /// Armed: the venue clock's offset.
    clock_offset: ClockOffset,
    /// The orders' venue label in the metrics.
    venue: &'static str,
}

fn blue_config(path: &std::path::Path) -> Result<BlueConfig, ServiceError> {
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
    let ms =
        |key: &str, v: u64| -> Result<i64, ServiceError> {
            i64::try_from(v).ok().and_then(|v| v.checked_mul(1_000_000)).filter(|ns| *ns > 0).ok_or_else(|| {
                ServiceError::Config(format!("engine.{key} = {v}: must be between 1 and 9223372036854 ms"))
            })
        };
    let (entry_ttl, exit_ttl) = (ms("entry_ttl_ms", e.entry_ttl_ms)?, ms("exit_ttl_ms", e.exit_ttl_ms)?);
    CadencePlan::new(
        Cadence::Scan,
        cadence("exit_cadence", &e.exit_cadence)?,
        cadence("flush_cadence", &e.flush_cadence)?,
    )
    .and_then(|p| p.with_ttl(entry_ttl, exit_ttl))
    .map_err(|err| ServiceError::Config(format!("[engine] cadences: {err}")))
}

/// The ClickHouse client of `[clickhouse]` (with the password, when set).
///
/// # Errors
/// [`ServiceError::Config`] for a URL that does not parse.
pub(crate) fn clickhouse_client(loaded: &Loaded) -> Result<ClickHouse, ServiceError> {
    let cfg = &loaded.config;
    let mut ch = ClickHouse::new(&cfg.clickhouse.url)
        .map_err(|e| ServiceError::Config(format!("clickhouse.url: {e}")))?
        .with_timeout(Duration::from_secs(cfg.clickhouse.timeout_s));
    if let Some(pw) = &loaded.password {
        ch = ch.with_credentials(&cfg.clickhouse.user, pw);
    }
    Ok(ch)
}

/// Apply VIOLET's DDL and check the journal tables' columns, retrying with backoff while
/// the server is unreachable. A table left by another version with other columns stops the
/// start (a configuration error: the operator must rename or drop it).
pub(crate) async fn connect(ch: &ClickHouse, stop: &Stop) -> Result<(), ServiceError> {
    let mut backoff = Duration::from_millis(200);
    loop {
        let c = ch.clone();
        let asked = tokio::task::spawn_blocking(move || violet_journal::clickhouse::prepare(&c));
        // A server that accepts and never answers holds the request until its timeout: a
        // stop does not wait for it.
        let answer = tokio::select! {
            a = asked => a,
            () = stop.wait() => return Err(ServiceError::NeverConnected(ch.url().to_string())),
        };
        match answer {
            Ok(Ok(n)) => {
                tracing::info!(statements = n, url = ch.url(), "DDL of dolphin_violet applied, journal tables checked");
                return Ok(());
            }
            Ok(Err(e @ SchemaError::Mismatch { .. })) => return Err(ServiceError::Config(e.to_string())),
            Ok(Err(e)) => {
                tracing::warn!(url = ch.url(), error = %chain(&e), retry_in_ms = backoff.as_millis() as u64, "ClickHouse not ready");
            }
            Err(e) => return Err(ServiceError::Config(format!("connecting to ClickHouse: {e}"))),
        }
        tokio::select! {
            () = tokio::time::sleep(backoff) => {}
            () = stop.wait() => {}
        }
        if stop.requested() {
            return Err(ServiceError::NeverConnected(ch.url().to_string()));
        }
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}

impl Service {
    /// Check the settings, reach ClickHouse, open the journal (its start row written),
    /// start the execution task and the feed.
    ///
    /// # Errors
    /// [`ServiceError`].
    pub async fn start(loaded: &Loaded, stop: &Arc<Stop>, start: &RunStart) -> Result<Self, ServiceError> {
        let cfg = &loaded.config;
        let name = cfg.service.name.as_str();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
            return Err(ServiceError::Config(format!("service.name = {name:?}: use letters, digits, '-', '_' or '.'")));
        }
        let mode = execution_mode(loaded.keys.as_ref(), cfg.execution.armed)
            .map_err(|e| ServiceError::Config(e.to_string()))?;
        let n_slots = cfg.engine.n_slots;
        if !(1..=64).contains(&n_slots) {
            return Err(ServiceError::Config(format!("engine.n_slots = {n_slots}: must be between 1 and 64")));
        }
        if let ExecutionMode::Armed(_) = mode {
            if n_slots > 1 {
                return Err(ServiceError::Config(format!(
                    "engine.n_slots = {n_slots}: an armed service trades one slot (V4); several slots run observe-only"
                )));
            }
            armed::check_live(loaded)?;
        }
        match &mode {
            ExecutionMode::ObserveOnly(why) => tracing::warn!(
                reason = why.0,
                "DARK: observe-only service: no order can leave this process; every order intent is refused by the observe-only guard and journaled."
            ),
            ExecutionMode::Armed(_) => tracing::warn!(
                venue = cfg.execution.venue.as_str(),
                host = %bingx_config(&cfg.execution).host.base_url(),
                position_mode = ?cfg.execution.position_mode,
                "ARMED: orders go to the venue once the journal reconciles with it"
            ),
        }
        tracing::info!(name, url = %cfg.clickhouse.url, feed = %cfg.feed.kind, data_dir = %cfg.service.data_dir.display(),
            overridden = %loaded.overridden.join(","), "violet run starting");
        for var in &loaded.unknown_env {
            tracing::warn!(var = %var, "environment variable matches no configuration key: ignored");
        }
        let blue = blue_config(&cfg.engine.blue_config)?;
        let plan = plan(loaded)?;
        let clock = LiveClock::new();
        let started_ns = start.started_ns;
        // Armed, only decisions on events from the start on are sent: what a restart
        // re-decides while catching up on history is never sent again.
        let trade_from = matches!(mode, ExecutionMode::Armed(_)).then(|| UnixNanos::new(started_ns));
        let (risk, switch) = crate::risk::gate(&cfg.risk, trade_from).map_err(ServiceError::Config)?;
        let daily_loss = crate::risk::DailyLoss::new(cfg.risk.max_daily_loss);
        let state_file = crate::risk::StateFile::new(cfg.risk.state_file.clone(), switch.clone());
        let ch = clickhouse_client(loaded)?;
        let feed: Box<dyn Feed + Send> = match cfg.feed.kind.as_str() {
            "clickhouse" => Box::new(
                ClickHouseFeed::new(ch.clone(), cfg.feed.batch, cfg.feed.since_ts_ns)
                    .with_settle(Duration::from_millis(cfg.feed.settle_ms)),
            ),
            "stdin" => Box::new(StdinFeed::stdin(cfg.feed.batch)),
            other => {
                return Err(ServiceError::Config(format!("feed.kind = {other:?}: expected clickhouse or stdin")));
            }
        };
        // Metrics and health answer from here on (readiness: "starting" until the reactor runs).
        let metrics = Metrics::new();
        let health = Arc::new(Health::default());
        if !cfg.metrics.listen.is_empty() {
            let listener = crate::metrics::bind(&cfg.metrics.listen).await.map_err(ServiceError::Config)?;
            let addr = listener.local_addr().map_or_else(|_| cfg.metrics.listen.clone(), |a| a.to_string());
            crate::metrics::spawn(listener, metrics.clone(), Arc::clone(&health));
            tracing::info!(listen = %addr, "serving /metrics, /healthz and /readyz");
        }
        connect(&ch, stop).await?;
        let armed = match &mode {
            ExecutionMode::Armed(_) => Some(armed::prepare(loaded, &ch).await?),
            ExecutionMode::ObserveOnly(_) => None,
        };
        let run_id = start.run_id.clone();
        let config_hash = violet_engine::config_hash(&blue, &plan, usize::from(n_slots));
        let policy = FlushPolicy {
            max_bytes: cfg.journal.flush_bytes,
            max_interval: Duration::from_millis(cfg.journal.flush_ms),
        };
        let spool = cfg.service.data_dir.join("spool");
        let journal = ClickHouseJournal::open_append(&spool, name, policy, ch.clone())?;
        let mut sink = JournalSink::new(AnyJournal::ClickHouse(journal), name, &run_id);
        let info = RunInfo { name: name.to_string(), run_id: run_id.clone(), config_hash, started_ns };
        let detail = armed.as_ref().map_or_else(
            || "violet run (DARK, observe-only)".to_string(),
            |a| format!("violet run (ARMED on {})", a.label),
        );
        sink.run_row(&info.row(RunStatus::Running, 0, &detail))?;
        if let Some(a) = &armed {
            sink.reconciliation(&a.reconciliation, &a.label, a.at_ns)?;
            if let Some(why) = a.refusal() {
                tracing::error!("{why}");
                let now = LiveClock::new().now().get();
                sink.run_row(&info.row(RunStatus::Failed, now, &why))?;
                sink.into_inner().close(Duration::from_secs(cfg.journal.ship_timeout_s))?;
                return Err(ServiceError::Unreconciled(why));
            }
        }
        sink.journal_mut().flush()?;
        tracing::info!(run_id = %run_id, spool = %spool.display(), "running");

        if cfg.monitor.enabled && n_slots > 1 {
            tracing::warn!(
                n_slots,
                "divergence monitor off: BLUE holds one position at a time, so it is compared with one slot only"
            );
        }
        let monitor = (cfg.monitor.enabled && n_slots == 1).then(|| {
            Monitor::new(
                BlueTrades::new(ch.clone(), cfg.feed.batch, cfg.feed.since_ts_ns),
                Duration::from_millis(cfg.monitor.interval_ms),
                Duration::from_millis(cfg.monitor.settle_ms),
                cfg.service.data_dir.join("report"),
            )
            .with_metrics(metrics.clone())
        });
        // The execution task: the venue's (armed) or the observe-only guard's. Client order
        // ids come from the service's name and each decision's event, not the per-start run
        // id: a restart that re-decides the same events reuses their ids, so it can never
        // place a second order.
        let (commands_tx, commands_rx) = mpsc::unbounded_channel();
        let (updates_tx, updates) = mpsc::unbounded_channel();
        let port = ChannelPort::new(commands_tx);
        let execution = match (armed, &mode) {
            (Some(a), _) => {
                let opts = TaskOptions {
                    contracts: Some(a.venue.contracts()),
                    on_send: Some(Arc::new(metrics.clone())),
                    ..TaskOptions::default()
                };
                let seen = a.venue.clone();
                #[allow(clippy::cast_precision_loss)] // milliseconds: exact far beyond any offset
                let clock_offset: ClockOffset =
                    Some(Box::new(move || seen.client().clock().last().offset_ms as f64 / 1000.0));
                let _maintenance = a.venue.spawn_maintenance();
                let every = cfg.execution.reconcile_interval_s;
                // The replay must end holding what the journal holds (the venue's answers
                // booked) before the gate opens to new orders.
                let gate = TakeOverGate::new();
                let takeover = PendingTakeOver {
                    expected: a.journal.positions.clone(),
                    step_of: Box::new(crate::reconcile::step_of(&a.venue)),
                    gate: gate.clone(),
                    trade_from: started_ns,
                };
                let drift = (every > 0).then(|| {
                    Drift::new(a.venue.clone(), a.label.clone(), a.journal, Duration::from_secs(every), switch.clone())
                        .with_metrics(metrics.clone())
                });
                let intents = IntentLog::open(&crate::reconcile::intents_path(loaded))
                    .map_err(|e| ServiceError::Config(e.to_string()))?;
                let task = ExecutionTask::new(a.venue, risk, opts).with_intents(intents);
                let recall = a.recall.unwrap_or_else(|_| Recall::default());
                Execution {
                    task: tokio::spawn(async move { task.run(commands_rx, updates_tx).await.rejected }),
                    booking: Booking::Fills,
                    port: Box::new(RecallPort::new(port, recall, UnixNanos::new(started_ns), gate)),
                    requests: Some(a.requests),
                    drift,
                    takeover: Some(takeover),
                    clock_offset,
                    // The simulator (or any other base URL) is not the venue's own host.
                    venue: if cfg.execution.base_url.is_empty() { cfg.execution.venue.as_str() } else { "custom-url" },
                }
            }
            (None, ExecutionMode::ObserveOnly(proof)) => {
                let dark = DarkExecution::new::<ObserveOnlyVenue>(proof, None, risk);
                Execution {
                    task: tokio::spawn(dark.run(commands_rx, updates_tx)),
                    booking: Booking::Shadow,
                    port: Box::new(port),
                    requests: None,
                    drift: None,
                    takeover: None,
                    clock_offset: None,
                    venue: "observe-only",
                }
            }
            (None, ExecutionMode::Armed(_)) => unreachable!("an armed start has its venue or has returned"),
        };
        let Execution { task, booking, port, requests, drift, takeover, clock_offset, venue } = execution;
        let engine = Engine::new(blue, plan, clock)
            .with_slots(usize::from(n_slots))
            .with_port(port, booking)
            .with_namespace(name);
        let feed =
            feed::spawn(feed, Duration::from_millis(cfg.feed.poll_interval_ms), Arc::clone(stop), Arc::clone(&health));
        let reactor = Reactor::new(engine, sink, monitor, state_file, info, cfg)
            .with_observability(Meter::new(metrics, venue), health, clock_offset)
            .with_requests(requests)
            .with_daily_loss(daily_loss, switch.clone())
            .with_drift(drift)
            .with_switch(switch.clone(), takeover.is_some())
            .with_takeover(takeover);
        Ok(Self { reactor, feed, updates, execution: task })
    }

    /// Run until stopped or the input ends; then flush, ship and write the stop row.
    ///
    /// # Errors
    /// [`ServiceError`].
    pub async fn run(self, stop: Arc<Stop>) -> Result<StopReport, ServiceError> {
        let Self { mut reactor, feed, updates, execution } = self;
        let reason = reactor.run(feed, updates, &stop, execution).await?;
        reactor.finish(reason).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Loaded, ServiceConfig};

    fn loaded(entry_ttl_ms: u64, exit_ttl_ms: u64) -> Loaded {
        let mut config = ServiceConfig::default();
        config.engine.entry_ttl_ms = entry_ttl_ms;
        config.engine.exit_ttl_ms = exit_ttl_ms;
        Loaded {
            config,
            password: None,
            keys: None,
            overridden: Vec::new(),
            unknown_env: Vec::new(),
            confirm_live: false,
        }
    }

    #[test]
    fn the_configured_order_ttls_reach_the_engines_plan() {
        let p = plan(&loaded(3000, 250)).expect("plan");
        assert_eq!((p.entry_ttl_ns, p.exit_ttl_ns), (3_000_000_000, 250_000_000));
        let e = plan(&loaded(0, 100)).expect_err("a zero TTL");
        assert!(e.to_string().contains("engine.entry_ttl_ms = 0"), "{e}");
    }
}
