//! The reactor: the one task that owns the engine. Feed lines, order updates and the
//! passing of time arrive in one `select!` and are applied in order; the engine answers
//! with records (to the journal sink) and commands (to the execution task). Nothing on this
//! task waits for a venue or for ClickHouse (the monitor reads BLUE's side on a thread of
//! its own; the journal ships from its own).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use violet_clock::{Clock as _, LiveClock};
use violet_domain::event::{Event, EventStream};
use violet_engine::Engine;
use violet_engine::execution::OrderUpdate;
use violet_journal::{AnyJournal, Journal as _, JournalSink, RunRow, RunStatus};
use violet_venue::risk::{TradingState, TradingSwitch};
use violet_venue::venue::audit::RequestRecord;

use super::drift::Drift;
use super::feed::FeedMsg;
use super::{ServiceError, StopReport, chain};
use crate::capture::TradeCapture;
use crate::config::ServiceConfig;
use crate::metrics::{Health, Meter, Metrics};
use crate::monitor::Monitor;
use crate::risk::{DailyLoss, StateFile};
use crate::signals::Stop;

/// What identifies this run in its rows.
#[derive(Debug, Clone)]
pub struct RunInfo {
    /// The service's name (the records' source).
    pub name: String,
    /// `<name>-<start ns>`.
    pub run_id: String,
    /// The engine's configuration hash.
    pub config_hash: String,
    /// When it started.
    pub started_ns: i64,
}

impl RunInfo {
    /// The run's row.
    pub fn row<'a>(&'a self, status: RunStatus, stopped_ns: i64, detail: &'a str) -> RunRow<'a> {
        RunRow {
            violet_version: env!("CARGO_PKG_VERSION"),
            config_hash: &self.config_hash,
            source: &self.name,
            started_ns: self.started_ns,
            stopped_ns,
            status,
            detail,
        }
    }
}

/// Each symbol's contract quantity step (`None`: no spec).
pub(crate) type StepOf = Box<dyn Fn(&str) -> Option<f64> + Send>;

/// An armed start's take-over, not yet checked: the replay of history must end holding
/// `expected` before the first event from `trade_from` on is decided (or when the feed has
/// caught up, or ended), or nothing is ever sent and the run stops refused.
pub(crate) struct PendingTakeOver {
    /// The positions the journal holds, the venue's answers booked (signed, by symbol).
    pub expected: std::collections::BTreeMap<String, f64>,
    /// Each symbol's contract step.
    pub step_of: StepOf,
    /// Opened when the check passes.
    pub gate: violet_venue::restart::TakeOverGate,
    /// The start (unix ns): events from here on are live.
    pub trade_from: i64,
}

/// How often the reactor runs its timers (between-scan exit checks, order housekeeping).
const TIMER_TICK: Duration = Duration::from_millis(10);
/// How often FLATTEN asks the engine again while something is held.
const FLATTEN_RETRY: Duration = Duration::from_secs(1);
/// How long the stop waits for the execution task's last answers.
const EXECUTION_DRAIN: Duration = Duration::from_secs(5);
/// How often the sampled gauges (capital, positions, state, journal backlog, clock offset)
/// and readiness are brought up to date.
const SAMPLE_EVERY: Duration = Duration::from_secs(1);

/// The venue clock's offset from the local clock (s), when armed.
pub(crate) type ClockOffset = Option<Box<dyn Fn() -> f64 + Send>>;

/// The engine and everything that hears from it.
pub struct Reactor {
    engine: Engine<LiveClock>,
    stream: EventStream,
    sink: JournalSink<AnyJournal>,
    capture: TradeCapture,
    monitor: Option<Monitor>,
    state_file: Option<StateFile>,
    info: RunInfo,
    n_lines: u64,
    trades: u64,
    divergences: usize,
    batch: usize,
    flush_every: Duration,
    monitor_every: Duration,
    status_every: Duration,
    ship_timeout: Duration,
    last_flush: Instant,
    last_check: Instant,
    last_status: Instant,
    /// The armed venue's request records (none unarmed).
    requests: Option<mpsc::Receiver<RequestRecord>>,
    /// `[risk] max_daily_loss` and the switch it flips to REDUCING.
    daily_loss: Option<(DailyLoss, TradingSwitch)>,
    /// Armed: the periodic reconciliation with the venue.
    drift: Option<Drift>,
    /// Armed: the take-over check, until it has run.
    takeover: Option<PendingTakeOver>,
    /// Why the take-over refused to trade, if it did.
    refused: Option<String>,
    /// The trading state, and whether orders reach a venue (FLATTEN closes positions then).
    switch: Option<(TradingSwitch, bool)>,
    /// When FLATTEN last asked the engine.
    last_flatten: Option<Instant>,
    /// Counts what the engine emits into the metrics registry.
    meter: Meter,
    /// What `/readyz` answers.
    health: Arc<Health>,
    /// Armed: the venue clock's offset.
    clock_offset: ClockOffset,
    /// Not ready beyond this journal lag.
    ready_journal_lag: Duration,
    last_sample: Option<Instant>,
}

impl Reactor {
    /// A reactor over `engine`, journaling into `sink`.
    pub fn new(
        engine: Engine<LiveClock>,
        sink: JournalSink<AnyJournal>,
        monitor: Option<Monitor>,
        state_file: Option<StateFile>,
        info: RunInfo,
        cfg: &ServiceConfig,
    ) -> Self {
        Self {
            engine,
            stream: EventStream::new(),
            sink,
            capture: TradeCapture::default(),
            monitor,
            state_file,
            info,
            n_lines: 0,
            trades: 0,
            divergences: 0,
            batch: cfg.feed.batch,
            flush_every: Duration::from_millis(cfg.journal.flush_ms),
            monitor_every: Duration::from_millis(cfg.monitor.interval_ms),
            status_every: Duration::from_secs(cfg.service.status_interval_s.max(1)),
            ship_timeout: Duration::from_secs(cfg.journal.ship_timeout_s),
            last_flush: Instant::now(),
            last_check: Instant::now(),
            last_status: Instant::now(),
            requests: None,
            daily_loss: None,
            drift: None,
            takeover: None,
            refused: None,
            switch: None,
            last_flatten: None,
            meter: Meter::new(Metrics::new(), "observe-only"),
            health: Arc::new(Health::default()),
            clock_offset: None,
            ready_journal_lag: Duration::from_secs(cfg.metrics.ready_journal_lag_s),
            last_sample: None,
        }
    }

    /// Count into `meter`'s registry, report readiness to `health`, and (armed) read the
    /// venue clock's offset with `clock_offset`.
    #[must_use]
    pub(crate) fn with_observability(mut self, meter: Meter, health: Arc<Health>, clock_offset: ClockOffset) -> Self {
        self.meter = meter;
        self.health = health;
        self.clock_offset = clock_offset;
        self
    }

    /// Follow the trading state `switch` for FLATTEN: `armed`, close every position, then
    /// hold HALTED; unarmed (nothing at a venue), HALTED at once.
    #[must_use]
    pub fn with_switch(mut self, switch: TradingSwitch, armed: bool) -> Self {
        self.switch = Some((switch, armed));
        self
    }

    /// FLATTEN: once nothing is held or working, HALTED; until then ask the engine to close
    /// what it holds (at most once a second: a refused exit is retried, not hammered).
    fn flatten(&mut self) -> Result<(), ServiceError> {
        let Some((switch, armed)) = self.switch.clone() else { return Ok(()) };
        if switch.get() != TradingState::Flatten {
            self.last_flatten = None;
            return Ok(());
        }
        if !armed {
            switch.set(TradingState::Halted);
            tracing::warn!("FLATTEN while unarmed: nothing is held at a venue; trading state now HALTED");
            return Ok(());
        }
        // Not before the restart's take-over: the engine's positions are not yet the account's.
        if self.takeover.is_some() || self.refused.is_some() {
            return Ok(());
        }
        if self.engine.holds_nothing() {
            switch.set(TradingState::Halted);
            tracing::warn!(
                "FLATTEN done: nothing held or working; trading state now HALTED until an operator flips it"
            );
            return Ok(());
        }
        if self.last_flatten.is_some_and(|t| t.elapsed() < FLATTEN_RETRY) {
            return Ok(());
        }
        self.last_flatten = Some(Instant::now());
        let held: Vec<String> =
            self.engine.portfolio().net_positions().iter().map(|(s, q)| format!("{s} {q}")).collect();
        tracing::warn!(held = %held.join(", "), "FLATTEN: closing every position (reduce-only)");
        self.engine.flatten(&mut (&mut self.sink, (&mut self.capture, &mut self.meter)))?;
        self.drain_trades();
        Ok(())
    }

    /// Check the take-over before trading (an armed start).
    #[must_use]
    pub(crate) fn with_takeover(mut self, takeover: Option<PendingTakeOver>) -> Self {
        self.takeover = takeover;
        self
    }

    /// Run the take-over check if it is pending: the engine's positions after the replay
    /// against the journal's. Passed: the gate opens. Failed: the run stops, refused.
    ///
    /// `definitive`: a failed check refuses the run (the first live event, the input's end);
    /// otherwise (the feed caught up: a heuristic, more history may come) a failed check
    /// waits for the definitive one.
    fn take_over(&mut self, when: &str, definitive: bool) {
        let Some(t) = self.takeover.take() else { return };
        let held = self.engine.portfolio().net_positions();
        let check = violet_venue::restart::take_over(&held, &t.expected, &t.step_of);
        if !check.passed() && !definitive {
            tracing::debug!(when, "take-over not yet: the replay does not hold the journal's positions so far");
            self.takeover = Some(t);
            return;
        }
        if check.passed() {
            t.gate.open();
            tracing::info!(
                positions = check.rows.len(),
                when,
                "take-over: the replay holds what the journal holds; trading from here"
            );
        } else {
            let why = format!(
                "take-over refused ({when}): the engine's replay of history does not hold what the journal and the \
                 venue hold, so it would never exit them (no order sent). Start with the feed's since_ts_ns at or \
                 before the first entry still open, or close the position by hand and arm under a new service.name\n{}",
                check.render()
            );
            tracing::error!("{why}");
            self.refused = Some(why);
        }
    }
    /// Reconcile with the venue periodically (armed).
    #[must_use]
    pub(crate) fn with_drift(mut self, drift: Option<Drift>) -> Self {
        self.drift = drift;
        self
    }

    /// Move the trading state to REDUCING through `switch` when the day's realized loss
    /// reaches `limit`'s.
    #[must_use]
    pub fn with_daily_loss(mut self, limit: Option<DailyLoss>, switch: TradingSwitch) -> Self {
        self.daily_loss = limit.map(|l| (l, switch));
        self
    }

    /// Journal the venue's request records from `requests` as they come.
    #[must_use]
    pub fn with_requests(mut self, requests: Option<mpsc::Receiver<RequestRecord>>) -> Self {
        self.requests = requests;
        self
    }

    /// The next request record, or never (unarmed, or the venue gone).
    async fn next_request(requests: &mut Option<mpsc::Receiver<RequestRecord>>) -> RequestRecord {
        match requests {
            Some(rx) => match rx.recv().await {
                Some(r) => r,
                None => {
                    *requests = None;
                    std::future::pending().await
                }
            },
            None => std::future::pending().await,
        }
    }

    /// Journal and count one venue request.
    fn request(&mut self, r: &RequestRecord) -> Result<(), ServiceError> {
        self.meter.venue_request(r);
        self.sink.venue_request(r)?;
        Ok(())
    }

    /// Journal every request record waiting.
    fn drain_requests(&mut self) -> Result<(), ServiceError> {
        while let Some(r) = self.requests.as_mut().and_then(|rx| rx.try_recv().ok()) {
            self.request(&r)?;
        }
        Ok(())
    }

    /// Run until a stop or the end of the input; returns why it stopped. The execution
    /// task's last answers are journaled before it returns.
    ///
    /// # Errors
    /// A journal write failing.
    pub async fn run(
        &mut self,
        mut feed: mpsc::Receiver<FeedMsg>,
        mut updates: mpsc::UnboundedReceiver<OrderUpdate>,
        stop: &Arc<Stop>,
        execution: tokio::task::JoinHandle<u64>,
    ) -> Result<&'static str, ServiceError> {
        // The operator's trading state holds from the first event on.
        if let Some(f) = self.state_file.as_mut() {
            f.poll();
        }
        let mut tick = tokio::time::interval(TIMER_TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let reason = loop {
            tokio::select! {
                biased;
                () = stop.wait() => break "signal",
                Some(u) = updates.recv() => self.order(&u)?,
                r = Self::next_request(&mut self.requests) => self.request(&r)?,
                _ = tick.tick() => self.housekeeping()?,
                msg = feed.recv() => match msg {
                    Some(FeedMsg::Lines(lines, read_at)) => {
                        let caught_up = lines.len() < self.batch;
                        self.lines(&lines, read_at, stop)?;
                        if caught_up {
                            self.take_over("the feed caught up", false);
                            self.sink.journal_mut().flush()?;
                            self.last_flush = Instant::now();
                        }
                    }
                    Some(FeedMsg::Ended) | None => {
                        self.take_over("the input ended", true);
                        break "input ended";
                    }
                },
            }
            if self.refused.is_some() {
                break "take-over refused";
            }
        };
        self.health.set(&[format!("stopping ({reason})")]);
        self.meter.metrics().inner().ready.set(0);
        // No more commands: the execution task answers what it has, then ends.
        self.engine.close_port();
        let deadline = tokio::time::Instant::now() + EXECUTION_DRAIN;
        while let Ok(Some(u)) = tokio::time::timeout_at(deadline, updates.recv()).await {
            self.order(&u)?;
        }
        match tokio::time::timeout_at(deadline, execution).await {
            Ok(Ok(refused)) => tracing::debug!(refused, "execution task ended"),
            _ => tracing::warn!("execution task did not end in time"),
        }
        self.drain_requests()?;
        Ok(reason)
    }

    fn order(&mut self, u: &OrderUpdate) -> Result<(), ServiceError> {
        if let Some(d) = self.drift.as_mut() {
            d.on_update(u);
        }
        self.engine.on_order(u, &mut (&mut self.sink, (&mut self.capture, &mut self.meter)))?;
        self.drain_trades();
        Ok(())
    }

    fn drain_trades(&mut self) {
        for e in self.capture.drain_exits() {
            if let Some((limit, switch)) = self.daily_loss.as_mut()
                && let Some(realized) = limit.on_exit(e.ts_ns, e.pnl)
            {
                switch.set(TradingState::Reducing);
                tracing::error!(
                    realized,
                    trade_id = e.trade_id,
                    "the day's realized loss reached risk.max_daily_loss: trading state now REDUCING (exits only) \
                     until an operator flips it (risk.state_file)"
                );
            }
        }
        for t in self.capture.drain() {
            self.trades += 1;
            if let Some(m) = self.monitor.as_mut() {
                m.ours(&t);
            }
        }
    }

    /// Apply a batch of lines the feed had at `read_at`; on a stop, finish the event in
    /// hand, not the batch (the rest is re-read on restart).
    fn lines(&mut self, lines: &[Vec<u8>], read_at: Instant, stop: &Stop) -> Result<(), ServiceError> {
        let mut last_ts = None;
        for raw in lines {
            if stop.requested() {
                break;
            }
            self.n_lines += 1;
            match self.stream.next_line(raw) {
                Err(r) => {
                    tracing::info!(line = r.line, field = %r.field, code = r.rule.code(), rule = %r.rule, "rejected");
                    violet_engine::Sink::rejection(&mut (&mut self.sink, &mut self.meter), &r)?;
                }
                Ok(None) => {}
                Ok(Some(ev)) => {
                    if self.takeover.as_ref().is_some_and(|t| ev.ts_ns() >= t.trade_from) {
                        self.take_over("the first event after the start", true);
                        if self.refused.is_some() {
                            break; // the event is not decided: nothing may be sent
                        }
                    }
                    self.engine.on_event(&ev, &mut (&mut self.sink, (&mut self.capture, &mut self.meter)))?;
                    last_ts = Some(ev.ts_ns());
                    match &ev {
                        Event::Scan(s) => {
                            self.meter.scan_decided(read_at.elapsed(), wall_since(ev.ts_ns()));
                            if let Some(m) = self.monitor.as_mut() {
                                m.decided(s.scan_number.into_inner());
                            }
                        }
                        Event::Tick(_) => self.meter.tick(),
                        Event::Factors(_) => {}
                    }
                }
            }
            self.drain_trades();
        }
        if let Some(ts) = last_ts {
            self.meter.metrics().inner().feed_lag.set(signed_secs_since(ts));
        }
        Ok(())
    }

    /// Bring the sampled gauges and readiness up to date.
    fn sample(&mut self) {
        let sink = &self.sink;
        self.meter.journaled(|k| sink.written(k));
        let metrics = self.meter.metrics().clone();
        let m = metrics.inner();
        let p = self.engine.portfolio();
        m.capital.set(p.capital());
        m.open_positions
            .set(i64::try_from(p.net_positions().values().filter(|q| **q != 0.0).count()).unwrap_or(i64::MAX));
        if let Some((switch, _)) = &self.switch {
            metrics.trading_state(switch.get());
        }
        if let Some(offset) = &self.clock_offset {
            m.clock_offset.set(offset());
        }
        let mut reasons = Vec::new();
        if let Some(why) = self.health.feed_error() {
            reasons.push(format!("feed: {why}"));
        }
        if let AnyJournal::ClickHouse(j) = self.sink.journal() {
            self.meter.shipping(j.progress());
            let b = j.backlog();
            m.spool_bytes.set(i64::try_from(b.bytes).unwrap_or(i64::MAX));
            let lag = b.oldest.unwrap_or_default();
            m.journal_lag.set(lag.as_secs_f64());
            if let Some(why) = j.refused() {
                reasons.push(format!("journal: ClickHouse refused a batch, shipping stopped ({why})"));
            } else if lag > self.ready_journal_lag {
                reasons.push(format!(
                    "journal: the oldest record not yet in ClickHouse waits {} s (metrics.ready_journal_lag_s = {})",
                    lag.as_secs(),
                    self.ready_journal_lag.as_secs()
                ));
            }
        }
        if self.takeover.is_some() {
            reasons.push("take-over: the replay of history has not yet reached what the journal holds".into());
        }
        if self.refused.is_some() {
            reasons.push("take-over refused: nothing is sent".into());
        }
        if self.drift.as_ref().is_some_and(Drift::apart) {
            reasons.push("reconciliation: the journal and the venue differ (see the log)".into());
        }
        m.ready.set(i64::from(reasons.is_empty()));
        self.health.set(&reasons);
    }

    fn housekeeping(&mut self) -> Result<(), ServiceError> {
        if let Some(f) = self.state_file.as_mut() {
            f.poll();
        }
        self.engine.on_timers(&mut (&mut self.sink, (&mut self.capture, &mut self.meter)))?;
        self.drain_trades();
        self.flatten()?;
        if let Some(d) = self.drift.as_mut() {
            d.poll(&mut self.sink)?;
        }
        if self.last_flush.elapsed() >= self.flush_every {
            self.sink.journal_mut().flush()?;
            self.last_flush = Instant::now();
        }
        if self.monitor.is_some() && self.last_check.elapsed() >= self.monitor_every {
            self.last_check = Instant::now();
            self.check_monitor("divergence monitor: the journal failed");
        }
        if self.last_sample.is_none_or(|t| t.elapsed() >= SAMPLE_EVERY) {
            self.last_sample = Some(Instant::now());
            self.sample();
        }
        if self.last_status.elapsed() >= self.status_every {
            self.last_status = Instant::now();
            let c = self.stream.counts();
            let m = self.meter.metrics().status();
            let (ship, refused) = match self.sink.journal_mut() {
                AnyJournal::ClickHouse(j) => (j.progress(), j.refused()),
                AnyJournal::File(_) => (violet_journal::clickhouse::ShipStats::default(), None),
            };
            let inner = self.meter.metrics().inner();
            tracing::info!(
                lines = self.n_lines,
                scans = m.scans,
                ticks = m.ticks,
                factors = c.factors,
                rejected = m.rejected,
                entries = m.entries,
                trades = self.trades,
                fills = m.fills,
                orders_refused = m.orders_refused,
                divergences = self.divergences,
                monitor_events = self.monitor.as_ref().map_or(0, Monitor::held),
                shipped = ship.shipped,
                ship_retries = ship.retries,
                ship_failures = ship.failures,
                ship_refused = refused.as_deref().unwrap_or("no"),
                spool_bytes = inner.spool_bytes.get(),
                journal_lag_s = inner.journal_lag.get(),
                ready = inner.ready.get() == 1,
                "status"
            );
        }
        Ok(())
    }

    /// One check of the divergence monitor (BLUE's side is read by its own thread: nothing
    /// here waits for ClickHouse).
    fn check_monitor(&mut self, on_error: &str) {
        let (Some(m), sink) = (self.monitor.as_mut(), &mut self.sink) else { return };
        match m.check(sink) {
            Ok(c) => self.divergences = c.divergences,
            Err(e) => tracing::warn!(error = %chain(&e), "{on_error}"),
        }
    }

    /// The stop: a last monitor check, the stop row, the journal flushed and shipped.
    ///
    /// # Errors
    /// A journal write failing, or records left unshipped at the ship timeout.
    pub async fn finish(mut self, reason: &'static str) -> Result<StopReport, ServiceError> {
        tracing::info!(reason, "stopping: flushing and shipping the journal");
        self.check_monitor("divergence monitor: final check failed");
        let c = self.stream.counts();
        let detail = format!(
            "{{\"reason\":\"{reason}\",\"lines\":{},\"scans\":{},\"rejected\":{},\"trades\":{},\"orders_refused\":{},\"divergences\":{}}}",
            self.n_lines,
            c.scans,
            c.rejected,
            self.trades,
            self.meter.metrics().status().orders_refused,
            self.divergences
        );
        let now = LiveClock::new().now().get();
        match &self.refused {
            Some(why) => self.sink.run_row(&self.info.row(RunStatus::Failed, now, why))?,
            None => self.sink.run_row(&self.info.row(RunStatus::Stopped, now, &detail))?,
        }
        let timeout = self.ship_timeout;
        let journal = self.sink.into_inner();
        let ship = tokio::task::spawn_blocking(move || journal.close(timeout))
            .await
            .map_err(|e| ServiceError::Config(format!("journal close: {e}")))??;
        if let Some(why) = self.refused {
            return Err(ServiceError::Unreconciled(why));
        }
        let report = StopReport {
            run_id: self.info.run_id,
            reason: reason.to_string(),
            lines: self.n_lines,
            scans: c.scans,
            rejected: c.rejected,
            trades: self.trades,
            divergences: self.divergences,
            shipped: ship.map_or(0, |s| s.shipped),
        };
        tracing::info!(run_id = %report.run_id, reason, lines = report.lines, scans = report.scans,
            rejected = report.rejected, trades = report.trades, divergences = report.divergences,
            shipped = report.shipped, "stopped");
        Ok(report)
    }
}

/// How long ago (wall clock) unix time `ts_ns` was; `None` when it lies ahead.
fn wall_since(ts_ns: i64) -> Option<Duration> {
    let now = LiveClock::new().now().get();
    u64::try_from(now.saturating_sub(ts_ns)).ok().map(Duration::from_nanos)
}

/// Seconds from unix time `ts_ns` to now (wall clock), negative when it lies ahead.
#[allow(clippy::cast_precision_loss)] // nanoseconds to seconds for a gauge
fn signed_secs_since(ts_ns: i64) -> f64 {
    LiveClock::new().now().get().saturating_sub(ts_ns) as f64 / 1e9
}
