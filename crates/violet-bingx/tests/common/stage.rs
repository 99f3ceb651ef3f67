//! The whole order path on loopback: the engine on a fixture stream, its commands through a
//! `ChannelPort` to the execution task, the task's BingX adapter to the simulator, and every
//! answer back to the engine; the adapter's request records come back on a channel.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use violet_bingx::audit::{ChannelJournal, RequestRecord};
use violet_bingx::{BingxVenue, PositionMode};
use violet_bingx_sim::{SimConfig, SimContract, Simulator};
use violet_clock::{Cadence, CadencePlan, LiveClock, UnixNanos};
use violet_domain::config::BlueConfig;
use violet_domain::event::EventStream;
use violet_engine::execution::{Booking, ClientOrderId, Command, ExecutionPort, OrderUpdate};
use violet_engine::{Engine, Sink};
use violet_venue::driver::DriverStats;
use violet_venue::risk::{RiskGate, RiskLimits};
use violet_venue::task::{ChannelPort, ExecutionTask, TaskOptions};

use super::{KEY, SECRET, config, keys};

/// What takes the engine's records and the adapter's request records.
pub trait Audit: Sink {
    /// One request record.
    fn request(&mut self, r: &RequestRecord);
}

/// The engine's port, keeping the ids of the orders it places (to know which decision
/// sent which).
#[derive(Debug)]
struct CountingPort {
    inner: ChannelPort,
    places: Arc<Mutex<Vec<ClientOrderId>>>,
}

impl ExecutionPort for CountingPort {
    fn submit(&mut self, command: Command, now: UnixNanos) {
        if let Command::Place(t) = &command {
            self.places.lock().expect("lock").push(t.id.clone());
        }
        self.inner.submit(command, now);
    }

    fn poll(&mut self, now: UnixNanos) -> Option<OrderUpdate> {
        self.inner.poll(now)
    }

    fn close(&mut self) {
        self.inner.close();
    }
}

/// `copies` of fixture stream `name` (`small-a`), scan numbers shifted so they keep
/// increasing from copy to copy.
pub fn stream(name: &str, copies: i64) -> Vec<String> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../fixtures/streams/{name}.jsonl"));
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let mut out = Vec::new();
    for c in 0..copies {
        for line in text.lines() {
            let key = "\"scan_number\":";
            let shifted = line.find(key).and_then(|at| {
                let start = at + key.len();
                let end = start + line[start..].find(|ch: char| !ch.is_ascii_digit())?;
                let n: i64 = line[start..end].parse().ok()?;
                Some(format!("{}{}{}", &line[..start], n + c * 100_000, &line[end..]))
            });
            out.push(shifted.unwrap_or_else(|| line.to_string()));
        }
    }
    out
}

/// A scan line's prices, by BingX symbol (`BTC-USDT`).
pub fn prices(line: &str) -> Vec<(String, f64)> {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else { return Vec::new() };
    let mut out = Vec::new();
    for a in v.get("assets").and_then(serde_json::Value::as_array).into_iter().flatten() {
        if let (Some(s), Some(p)) =
            (a.get("symbol").and_then(|s| s.as_str()), a.get("price").and_then(serde_json::Value::as_f64))
            && let Some(base) = s.strip_suffix("USDT")
            && p.is_finite()
            && p > 0.0
        {
            out.push((format!("{base}-USDT"), p));
        }
    }
    out
}

/// An order the engine placed.
#[derive(Debug, Clone)]
pub struct Placed {
    /// Its client order id.
    pub id: String,
    /// When the engine was handed the event it placed the order on.
    pub decided_from: Instant,
    /// Whether that event was a tick (an exit of the stop-loss guard) rather than a scan.
    pub on_tick: bool,
}

/// The engine, the execution task and the simulator, wired.
pub struct Stage {
    /// The exchange.
    pub sim: Simulator,
    /// The engine.
    pub engine: Engine<LiveClock>,
    /// Orders the engine has placed so far.
    places: Arc<Mutex<Vec<ClientOrderId>>>,
    updates: mpsc::UnboundedReceiver<OrderUpdate>,
    requests: mpsc::Receiver<RequestRecord>,
    journal: Arc<ChannelJournal>,
    task: JoinHandle<DriverStats>,
}

impl Stage {
    /// A simulator (hedge mode, a balance no entry exhausts) listing every symbol of
    /// `lines` at its first price; the adapter connected to it; the execution task; the
    /// engine (BLUE's default configuration) with TTLs of `ttl`.
    pub async fn start(lines: &[String], ttl: Duration, namespace: &str) -> Self {
        Self::start_with(lines, ttl, namespace, Cadence::Scan).await
    }

    /// As [`Stage::start`], exits checked at cadence `exit` (`tick`: the stop-loss guard).
    pub async fn start_with(lines: &[String], ttl: Duration, namespace: &str, exit: Cadence) -> Self {
        let mut first = BTreeMap::new();
        for l in lines.iter().filter(|l| l.contains("\"type\":\"scan\"")) {
            for (s, p) in prices(l) {
                first.entry(s).or_insert(p);
            }
        }
        let contract = SimContract {
            quantity_precision: 3,
            min_qty: 0.001,
            min_notional: 2.0,
            max_leverage: 50,
            taker_fee: 0.0005,
        };
        let cfg = SimConfig {
            api_key: KEY.into(),
            secret: SECRET.into(),
            dual_side: true,
            balance: 1e12,
            contracts: first.keys().map(|s| (s.clone(), contract.clone())).collect(),
            prices: first,
        };
        let sim = Simulator::start(cfg, "127.0.0.1:0".parse().expect("addr")).await.expect("simulator");
        let (journal, requests) = ChannelJournal::new(65_536);
        let journal = Arc::new(journal);
        let mut venue_cfg = config(&sim, PositionMode::Hedge);
        venue_cfg.request_timeout = Duration::from_secs(5);
        let venue = BingxVenue::connect(venue_cfg, &keys(SECRET), journal.clone()).await.expect("connect");
        let opts = TaskOptions {
            poll_every: Duration::from_millis(20),
            contracts: Some(venue.contracts()),
            ..TaskOptions::default()
        };
        let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
        let (upd_tx, updates) = mpsc::unbounded_channel();
        // As the armed service: every request written to an intent log before it is sent.
        let intents = std::env::temp_dir().join(format!("violet-stage-intents-{}-{namespace}", std::process::id()));
        let _ = std::fs::remove_file(&intents);
        let log = violet_venue::restart::IntentLog::open(&intents).expect("intent log");
        let task = tokio::spawn(
            ExecutionTask::new(venue, RiskGate::new(RiskLimits::unlimited()), opts)
                .with_intents(log)
                .run(cmd_rx, upd_tx),
        );
        let ttl_ns = i64::try_from(ttl.as_nanos()).expect("ttl");
        let plan = CadencePlan::new(Cadence::Scan, exit, Cadence::Scan)
            .and_then(|p| p.with_ttl(ttl_ns, ttl_ns))
            .expect("plan");
        let places = Arc::new(Mutex::new(Vec::new()));
        let port = CountingPort { inner: ChannelPort::new(cmd_tx), places: places.clone() };
        let engine = Engine::new(BlueConfig::default(), plan, LiveClock::new())
            .with_port(Box::new(port), Booking::Fills)
            .with_namespace(namespace);
        Self { sim, engine, places, updates, requests, journal, task }
    }

    /// How many orders the engine has placed so far.
    pub fn places(&self) -> usize {
        self.places.lock().expect("lock").len()
    }

    /// Request records the journal's channel could not take.
    pub fn requests_lost(&self) -> u64 {
        self.journal.logged_instead()
    }

    /// Feed one line: a scan first moves the simulator's prices. Returns when the engine
    /// has decided; every order it placed is noted with `t0`.
    fn feed(&mut self, stream: &mut EventStream, line: &str, out: &mut impl Audit, placed: &mut Vec<Placed>) {
        if line.contains("\"type\":\"scan\"") {
            for (s, p) in prices(line) {
                self.sim.set_price(&s, p);
            }
        }
        let before = self.places();
        let t0 = Instant::now();
        if let Ok(Some(ev)) = stream.next_line(line.as_bytes()) {
            self.engine.on_event(&ev, out).expect("event");
        }
        let on_tick = line.contains("\"type\":\"tick\"");
        let ids = self.places.lock().expect("lock");
        placed.extend(ids[before..].iter().map(|id| Placed { id: id.as_str().to_string(), decided_from: t0, on_tick }));
    }

    /// Play `lines` in real time, a scan every `gap`; answers and request records are
    /// applied as they come between scans. Returns the orders placed, in order.
    pub async fn play(&mut self, lines: &[String], gap: Duration, out: &mut impl Audit) -> Vec<Placed> {
        let mut events = EventStream::new();
        let mut placed = Vec::new();
        let mut due = tokio::time::Instant::now();
        for line in lines {
            if line.contains("\"type\":\"scan\"") {
                due += gap;
                self.pump(due, out).await;
            }
            self.feed(&mut events, line, out, &mut placed);
        }
        placed
    }

    /// Apply answers and request records as they come, until `until`.
    async fn pump(&mut self, until: tokio::time::Instant, out: &mut impl Audit) {
        loop {
            tokio::select! {
                Some(u) = self.updates.recv() => self.engine.on_order(&u, out).expect("order"),
                Some(r) = self.requests.recv() => out.request(&r),
                () = tokio::time::sleep_until(until) => break,
            }
        }
    }

    /// Let every order end (at most `within`), stop the execution task, and take its last
    /// answers and every request record. Returns the task's counters.
    pub async fn finish(
        mut self,
        within: Duration,
        out: &mut impl Audit,
    ) -> (Simulator, Engine<LiveClock>, DriverStats) {
        let quiet = tokio::time::Instant::now() + within;
        while self.engine.portfolio().live_orders() > 0 || self.engine.portfolio().strays().count() > 0 {
            tokio::select! {
                Some(u) = self.updates.recv() => self.engine.on_order(&u, out).expect("order"),
                Some(r) = self.requests.recv() => out.request(&r),
                () = tokio::time::sleep(Duration::from_millis(10)) => self.engine.on_timers(out).expect("timers"),
                () = tokio::time::sleep_until(quiet) => panic!("orders still live after {within:?}: {}", self.engine.portfolio().live_orders()),
            }
        }
        self.engine.close_port();
        while let Some(u) = self.updates.recv().await {
            self.engine.on_order(&u, out).expect("order");
        }
        let stats = self.task.await.expect("task");
        // The task and its adapter are gone: every record it made is in the channel.
        while let Ok(r) = self.requests.try_recv() {
            out.request(&r);
        }
        (self.sim, self.engine, stats)
    }
}
