//! Properties of the execution layer over random streams and random venue behaviour:
//! no order is sent at or after its deadline; unarmed, the venue sees zero orders; every
//! order reaches exactly one terminal state; the portfolio's position is always the sum of
//! the fills booked; no two live orders share a client order id.

use std::collections::{HashMap, HashSet};
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use proptest::prelude::*;
use violet_clock::UnixNanos;
use violet_domain::types::{Price, SymbolName};
use violet_engine::Sink;
use violet_engine::decision::DecisionRecord;
use violet_engine::execution::{Booking, Command, ExecutionPort, Leg as EngineLeg, OrderUpdate, TradeEvent};
use violet_engine::replay::{ReplayOptions, replay, replay_with};
use violet_venue::arming::{ExecutionMode, execution_mode};
use violet_venue::contracts::Contracts;
use violet_venue::dark::DarkExecution;
use violet_venue::order::{ClientOrderId, DecisionEvent, Leg, Nanos, Notional, OrderState, OrderTicket, UpdateKind};
use violet_venue::risk::{RiskGate, RiskLimits};
use violet_venue::sim::{SeededVenue, SimPort, SimRuntime};
use violet_venue::venue::{OrderReport, OrderRequest, Venue, VenueError, VenuePosition};

/// Collects trade events and order updates.
#[derive(Default)]
struct Collect {
    trades: Vec<String>,
    events: Vec<TradeEvent>,
    orders: Vec<OrderUpdate>,
    decisions: u64,
}

impl Sink for Collect {
    fn decision(&mut self, _: &DecisionRecord<'_>) -> io::Result<()> {
        self.decisions += 1;
        Ok(())
    }
    fn trade(&mut self, t: &TradeEvent) -> io::Result<()> {
        let mut s = String::new();
        t.write_json(&mut s);
        self.trades.push(s);
        self.events.push(t.clone());
        Ok(())
    }
    fn order(&mut self, u: &OrderUpdate) -> io::Result<()> {
        self.orders.push(u.clone());
        Ok(())
    }
}

/// A venue that counts every call (it must see none while unarmed).
#[derive(Debug, Clone, Default)]
struct Recording(Arc<AtomicU64>);

impl Venue for Recording {
    async fn place_order(&self, _: &OrderRequest) -> Result<OrderReport, VenueError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Err(violet_venue::venue::Unrecoverable::Auth.into())
    }
    async fn cancel_order(&self, _: &SymbolName, _: &ClientOrderId) -> Result<OrderReport, VenueError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Err(violet_venue::venue::Unrecoverable::Auth.into())
    }
    async fn query_order(&self, _: &SymbolName, _: &ClientOrderId) -> Result<OrderReport, VenueError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Err(violet_venue::venue::Unrecoverable::Auth.into())
    }
    async fn positions(&self) -> Result<Vec<VenuePosition>, VenueError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(Vec::new())
    }
    async fn balance(&self) -> Result<f64, VenueError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(0.0)
    }
}

/// Keeps the commands (the DARK engine's orders, handed to the execution task afterwards).
#[derive(Debug, Default)]
struct Commands(std::sync::Arc<std::sync::Mutex<Vec<Command>>>);

impl ExecutionPort for Commands {
    fn submit(&mut self, c: Command, _: UnixNanos) {
        self.0.lock().expect("lock").push(c);
    }
    fn poll(&mut self, _: UnixNanos) -> Option<OrderUpdate> {
        None
    }
}

fn fixture(name: &str) -> Vec<String> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/streams").join(name);
    std::fs::read_to_string(p).expect("fixture").lines().map(str::to_string).collect()
}

/// A random slice of a fixture stream (poison and all), as one input.
fn stream(which: bool, start: usize, len: usize) -> String {
    let lines = fixture(if which { "small-a.jsonl" } else { "small-b.jsonl" });
    let start = start % lines.len();
    let end = (start + len).min(lines.len());
    lines[start..end].iter().map(|l| format!("{l}\n")).collect()
}

/// A fixture slice with its timestamps compressed: scans `gap_ms` apart (the lines between
/// a nanosecond apart), so venue answers of 50–500 ms arrive while later scans are decided.
fn dense(which: bool, start: usize, len: usize, gap_ms: i64) -> String {
    let (mut k, mut j) = (0i64, 0i64);
    stream(which, start, len)
        .lines()
        .map(|l| {
            let Ok(mut v) = serde_json::from_str::<serde_json::Value>(l) else { return format!("{l}\n") };
            if v.get("ts_ns").is_some_and(serde_json::Value::is_i64) {
                if v.get("type").and_then(serde_json::Value::as_str) == Some("scan") {
                    (k, j) = (k + 1, 0);
                } else {
                    j += 1;
                }
                v["ts_ns"] = serde_json::json!(1_700_000_000_000_000_000i64 + k * gap_ms * 1_000_000 + j);
            }
            format!("{v}\n")
        })
        .collect()
}

/// Every id's states: once terminal, never another state; the last one terminal.
fn one_terminal_state_each(orders: &[OrderUpdate]) -> Result<usize, String> {
    let mut by_id: HashMap<&ClientOrderId, Vec<OrderState>> = HashMap::new();
    for u in orders.iter().filter(|u| {
        !matches!(
            u.kind,
            UpdateKind::LateFill | UpdateKind::LateAckCancelled | UpdateKind::Queried | UpdateKind::InvalidFill
        )
    }) {
        by_id.entry(&u.client_order_id).or_default().push(u.state);
    }
    for (id, states) in &by_id {
        let first = states.iter().position(|s| s.is_terminal()).ok_or(format!("{id} never ends: {states:?}"))?;
        if states[first..].iter().any(|s| *s != states[first]) {
            return Err(format!("{id} left its terminal state: {states:?}"));
        }
    }
    Ok(by_id.len())
}

/// The net SHORT the fills in `orders` add up to, per symbol (entries add, closes take off).
fn net_fills(orders: &[OrderUpdate], symbol_of: &HashMap<u64, String>) -> HashMap<String, f64> {
    let mut net: HashMap<String, f64> = HashMap::new();
    for u in orders {
        let Some(f) = u.fill else { continue };
        let Some(sym) = symbol_of.get(&u.trade_id) else { continue };
        let q = f.quantity.get();
        *net.entry(sym.clone()).or_default() += if u.leg == EngineLeg::Entry { q } else { -q };
    }
    net
}

fn close(a: f64, b: f64) -> bool {
    // Sums of the same fills in another order: equal up to rounding, not bit for bit.
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

fn ticket(i: usize, leg: Leg, t: i64, ttl_ms: i64) -> OrderTicket {
    let event = DecisionEvent { scan_number: i as i64, ts_ns: t };
    OrderTicket {
        id: ClientOrderId::new("prop", event, leg, 0),
        trade_id: i as u64,
        leg,
        event,
        symbol: SymbolName::try_new("BTCUSDT".to_string()).expect("symbol"),
        notional: Notional::computed(100.0),
        price: Price::try_new(10.0).expect("price"),
        leverage: 1.0,
        quantity: None,
        decided_at: UnixNanos::new(t),
        ttl: Nanos::new(ttl_ms * 1_000_000),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// The driver on virtual time against seeded venue behaviour around the TTL.
    #[test]
    fn no_late_send_one_terminal_state_nothing_open(
        seed in any::<u64>(), n in 1usize..400, ttl_ms in 1i64..200, mean_ms in 0f64..250.0, gaps in proptest::collection::vec(0i64..50_000_000, 400),
    ) {
        let mut rt = SimRuntime::new(SeededVenue::with_latency(seed, mean_ms, mean_ms.min(80.0)), 0);
        let mut risk = RiskGate::new(RiskLimits::unlimited());
        let mut t = 0i64;
        let mut deadlines = HashMap::new();
        for i in 0..n {
            t += gaps[i];
            let leg = if i % 2 == 0 { Leg::Entry } else { Leg::Exit };
            let intent = ticket(i, leg, t, ttl_ms);
            deadlines.insert(intent.id.clone(), intent.deadline());
            rt.submit(risk.check(intent, t).expect("unlimited"), 10.0, t + gaps[(i + 7) % 400] % (2 * ttl_ms * 1_000_000));
        }
        rt.drain();
        let s = rt.driver().stats();
        prop_assert_eq!(s.sends_late, 0);
        prop_assert_eq!(s.submitted, n as u64);
        prop_assert_eq!(s.filled + s.rejected + s.expired + s.cancelled, n as u64, "{:?}", s);
        prop_assert_eq!(rt.driver().open(), 0);
        prop_assert_eq!(s.max_expiry_lateness_ns, 0, "deadlines handled exactly on time");
        let events: Vec<_> = rt.driver_mut().drain_events().collect();
        let mut late = 0;
        for e in &events {
            let id = &e.client_order_id;
            if matches!(e.kind, UpdateKind::Sent | UpdateKind::Resent) {
                prop_assert!(e.at < deadlines[id], "sent at {} for deadline {}", e.at, deadlines[id]);
            }
            if matches!(e.kind, UpdateKind::Expire | UpdateKind::Cancel) {
                prop_assert!(e.at == deadlines[id] || e.detail.contains("before sending"), "{e:?}");
            }
            if e.kind == UpdateKind::LateFill {
                prop_assert!(e.fill.is_some(), "a late fill carries its quantity for the engine: {e:?}");
            }
            late += usize::from(matches!(e.kind, UpdateKind::LateFill | UpdateKind::LateAckCancelled));
        }
        prop_assert_eq!(s.reconciled, late as u64, "every late answer handed on");
        for id in deadlines.keys() {
            let (state, _, _) = rt.driver().outcome(id).expect("tracked");
            prop_assert!(state.is_terminal(), "{id}: {state:?}");
        }
    }

    /// Unarmed: random streams through the DARK engine and execution task; the venue sees
    /// nothing, every leg is refused by the guard, and the trade events are exactly the
    /// plain replay's.
    #[test]
    fn unarmed_the_venue_sees_zero_orders(which in any::<bool>(), start in 0usize..2000, len in 1usize..1500) {
        let input = stream(which, start, len);
        let calls = Arc::new(AtomicU64::new(0));
        let ExecutionMode::ObserveOnly(mode) = execution_mode(None, false).expect("unarmed") else {
            return Err(TestCaseError::fail("unarmed must be observe-only"));
        };
        let commands = Commands::default();
        let sent = Arc::clone(&commands.0);
        let mut dark = Collect::default();
        replay_with(input.as_bytes(), &ReplayOptions::default(), Box::new(commands), Booking::Shadow, &mut dark, |_| Ok(()), |_| {}).expect("replay");
        let exec = DarkExecution::new(&mode, Some(Recording(Arc::clone(&calls))), RiskGate::new(RiskLimits::unlimited()));
        let (ctx, crx) = tokio::sync::mpsc::unbounded_channel();
        let (utx, mut urx) = tokio::sync::mpsc::unbounded_channel();
        for c in sent.lock().expect("lock").drain(..) {
            ctx.send(c).expect("send");
        }
        drop(ctx);
        let rt = tokio::runtime::Builder::new_current_thread().enable_time().build().expect("runtime");
        let refused = rt.block_on(exec.run(crx, utx));
        let mut updates = Vec::new();
        while let Ok(u) = urx.try_recv() {
            updates.push(u);
        }
        let mut plain = Collect::default();
        replay(input.as_bytes(), &ReplayOptions::default(), &mut plain, |_| Ok(()), |_| {}).expect("replay");
        prop_assert_eq!(calls.load(Ordering::SeqCst), 0, "the venue was called");
        prop_assert_eq!(&dark.trades, &plain.trades, "shadow bookkeeping is BLUE's");
        prop_assert_eq!(updates.len(), dark.trades.len(), "one refused order per leg");
        prop_assert_eq!(refused, updates.len() as u64);
        prop_assert!(updates.iter().all(|u| u.state == OrderState::Rejected && u.kind == UpdateKind::ObserveOnly && u.detail.contains("observe-only")));
    }

    /// Scripted random venues behind the engine: every order ends once, a booked leg had a
    /// fill, ids fit the exchange.
    #[test]
    fn scripted_replays_account_for_every_order(seed in any::<u64>(), which in any::<bool>(), start in 0usize..1000, len in 200usize..2000) {
        let input = stream(which, start, len);
        let port = SimPort::new(SeededVenue::new(seed), Contracts::bundled(), RiskLimits::unlimited());
        let mut out = Collect::default();
        let opts = ReplayOptions { namespace: "run-s".into(), ..ReplayOptions::default() };
        replay_with(input.as_bytes(), &opts, Box::new(port), Booking::Fills, &mut out, |_| Ok(()), |_| {}).expect("replay");
        one_terminal_state_each(&out.orders).map_err(TestCaseError::fail)?;
        for t in &out.trades {
            prop_assert!(t.contains("\"client_order_id\""), "a venue's leg says which order: {t}");
        }
        for u in &out.orders {
            let id = u.client_order_id.as_str();
            prop_assert!(id.len() <= 40 && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{id}");
        }
    }

    /// Random answer schedules (latency 50–500 ms, partial fills, rejects, acks, timeouts,
    /// disconnects) against events 20 ms apart, the engine driven event by event: after
    /// every step the portfolio's position is the sum of the fills booked and the simulated
    /// exchange's position; no two live orders share a client order id; no fill goes
    /// unbooked; every scan is decided while orders are in flight.
    #[test]
    fn the_position_is_the_sum_of_the_fills_booked(seed in any::<u64>(), which in any::<bool>(), start in 0usize..1500, len in 100usize..800, ttl_ms in 60i64..400) {
        let input = dense(which, start, len, 20);
        let sim = Arc::new(std::sync::Mutex::new(SimPort::new(SeededVenue::with_latency(seed, 275.0, 225.0), Contracts::bundled(), RiskLimits::unlimited())));
        let symbols = Arc::new(std::sync::Mutex::new(HashMap::new()));
        let port = Shared { sim: Arc::clone(&sim), symbols: Arc::clone(&symbols) };
        let plan = violet_clock::CadencePlan::default().with_ttl(ttl_ms * 1_000_000, ttl_ms * 1_000_000).expect("ttl");
        let cfg = violet_domain::config::BlueConfig::default();
        let mut engine = violet_engine::Engine::new(cfg.clone(), plan, violet_clock::TestClock::new(0))
            .with_port(Box::new(port), Booking::Fills)
            .with_namespace("prop-fills");
        let mut out = Collect::default();
        let mut check = Checked::default();
        let mut stream = violet_domain::event::EventStream::new();
        let (mut scans, mut busy_scans, mut last_scan_ns) = (0u64, 0u64, i64::MIN);
        let step = |engine: &mut violet_engine::Engine<violet_clock::TestClock>, out: &Collect, check: &Checked| -> Result<(), TestCaseError> {
            prop_assert!(check.failure.is_none(), "{}", check.failure.clone().unwrap_or_default());
            let symbol_of = symbols.lock().expect("lock").clone();
            let net = net_fills(&out.orders, &symbol_of);
            for (sym, q) in &net {
                let ours = engine.portfolio().quantity_of(sym);
                let venue = sim.lock().expect("lock").runtime().position(sym);
                prop_assert!(close(ours, *q), "{sym}: portfolio {ours}, fills booked {q}: {:?}", out.orders.iter().filter(|u| symbol_of.get(&u.trade_id) == Some(sym)).map(|u| format!("{} t{} {:?} {:?} {:?} {:?}\n", u.client_order_id, u.trade_id, u.leg, u.state, u.kind, u.fill.map(|f| f.quantity))).collect::<String>());
                prop_assert!(close(venue, *q), "{sym}: exchange {venue}, fills {q}");
            }
            Ok(())
        };
        for line in input.lines() {
            let Ok(Some(ev)) = stream.next_line(line.as_bytes()) else { continue };
            let ts = match &ev {
                violet_domain::event::Event::Scan(s) => s.ts_ns.into_inner(),
                violet_domain::event::Event::Tick(t) => t.ts_ns.into_inner(),
                violet_domain::event::Event::Factors(f) => f.ts_ns.into_inner(),
            };
            while let Some(due) = engine.next_due().filter(|&d| d <= UnixNanos::new(ts)) {
                engine.clock().advance_to(due);
                engine.on_timers(&mut Both(&mut out, &mut check)).expect("timers");
                step(&mut engine, &out, &check)?;
            }
            engine.clock().advance_to(ts);
            if let violet_domain::event::Event::Scan(_) = ev {
                scans += 1;
                last_scan_ns = ts;
                busy_scans += u64::from(engine.portfolio().live_orders() > 0);
            }
            engine.on_event(&ev, &mut Both(&mut out, &mut check)).expect("event");
            step(&mut engine, &out, &check)?;
        }
        while let Some(due) = engine.next_due() {
            engine.clock().advance_to(due);
            engine.on_timers(&mut Both(&mut out, &mut check)).expect("timers");
            step(&mut engine, &out, &check)?;
        }
        prop_assert_eq!(out.decisions, scans, "every scan decided");
        prop_assert_eq!(engine.portfolio().live_orders(), 0, "nothing left in flight");
        prop_assert!(out.orders.iter().all(|u| u.kind != UpdateKind::InvalidFill), "every fill booked: {:?}", out.orders.iter().find(|u| u.kind == UpdateKind::InvalidFill));
        prop_assert!(engine.halted().is_none());
        if let Some(TradeEvent::Exit(last)) = out.events.iter().rev().find(|t| matches!(t, TradeEvent::Exit(_))) {
            prop_assert_eq!(last.capital_after.to_bits(), engine.capital().to_bits(), "the last EXIT carries the capital booked");
        }
        let pnl: f64 = out.events.iter().filter_map(|t| if let TradeEvent::Exit(e) = t { Some(e.pnl) } else { None }).sum();
        prop_assert!(close(cfg.initial_capital + pnl, engine.capital()), "capital {} vs initial + pnl {}", engine.capital(), cfg.initial_capital + pnl);
        // Answers take at least 50 ms and scans come every 20 ms: an order sent before the
        // last scan was in flight while a later scan was decided.
        let placed = out.orders.iter().filter(|u| u.kind == UpdateKind::Sent && u.at.get() < last_scan_ns).count();
        prop_assert!(placed == 0 || busy_scans > 0, "{placed} orders sent, yet no scan was decided while one was in flight");
    }
}

/// The simulated venue, shared with the test (its exchange's positions), and the symbol of
/// every trade the engine placed an order for.
#[derive(Debug)]
struct Shared {
    sim: Arc<std::sync::Mutex<SimPort<SeededVenue>>>,
    symbols: Arc<std::sync::Mutex<HashMap<u64, String>>>,
}

impl ExecutionPort for Shared {
    fn submit(&mut self, c: Command, now: UnixNanos) {
        if let Command::Place(t) = &c {
            self.symbols.lock().expect("lock").insert(t.trade_id, t.symbol.as_ref().to_string());
        }
        self.sim.lock().expect("lock").submit(c, now);
    }
    fn poll(&mut self, now: UnixNanos) -> Option<OrderUpdate> {
        self.sim.lock().expect("lock").poll(now)
    }
    fn next_due(&self) -> Option<UnixNanos> {
        self.sim.lock().expect("lock").next_due()
    }
}

/// Checks, as the updates arrive: no two live orders share an id, and after each step the
/// fills booked so far add up to what the trade events say is held.
#[derive(Default)]
struct Checked {
    live: HashSet<ClientOrderId>,
    failure: Option<String>,
}

struct Both<'a>(&'a mut Collect, &'a mut Checked);

impl Sink for Both<'_> {
    fn decision(&mut self, d: &DecisionRecord<'_>) -> io::Result<()> {
        self.0.decision(d)
    }
    fn trade(&mut self, t: &TradeEvent) -> io::Result<()> {
        self.0.trade(t)
    }
    fn order(&mut self, u: &OrderUpdate) -> io::Result<()> {
        let c = &mut *self.1;
        if c.failure.is_none() {
            if u.kind == UpdateKind::Sent && !c.live.insert(u.client_order_id.clone()) {
                c.failure = Some(format!("two live orders share {}", u.client_order_id));
            }
            if u.state.is_terminal() {
                c.live.remove(&u.client_order_id);
            }
        }
        self.0.order(u)
    }
}

/// A send whose outcome is unknown is queried, never resent; any other recoverable error
/// (the venue says it did not execute) is resent with the same id while the deadline allows.
#[test]
fn an_unknown_outcome_is_queried_and_a_definite_failure_resent() {
    use violet_venue::driver::{Command as DriverCommand, Driver, ExchangeSize, VenueEvent};
    use violet_venue::venue::Recoverable;
    let mut risk = RiskGate::new(RiskLimits::unlimited());
    let mut d = Driver::new();
    let t = ticket(1, Leg::Entry, 0, 100);
    let id = t.id.clone();
    let sent = d.submit(
        risk.check(t, 0).expect("ok"),
        ExchangeSize { quantity: 1.0, leverage: Some(3), margin: Some(5.0) },
        UnixNanos::new(0),
    );
    assert!(
        matches!(&sent[..], [DriverCommand::Send(r)] if r.leverage == Some(3) && r.margin == Some(5.0) && r.deadline == UnixNanos::new(100_000_000))
    );
    let cmds = d.on_venue(&id, VenueEvent::Error(Recoverable::OutcomeUnknown("timeout".into())), UnixNanos::new(1));
    assert_eq!(cmds, vec![DriverCommand::Query(id.clone())]);
    assert_eq!(d.stats().sends, 1, "no resend");
    let cmds = d.on_venue(&id, VenueEvent::Error(Recoverable::RateLimited), UnixNanos::new(2));
    assert!(matches!(&cmds[..], [DriverCommand::Send(r)] if r.client_order_id == id));
    assert_eq!(d.stats().sends, 2);
}

/// The venue's order id, once reported, rides on every later step of the order (the
/// journal's `orders.venue_order_id`); a later, different or empty id does not replace it.
#[test]
fn the_venue_order_id_rides_on_every_step_after_the_venue_reports_it() {
    use violet_venue::driver::{Driver, ExchangeSize, VenueEvent};
    let mut risk = RiskGate::new(RiskLimits::unlimited());
    let mut d = Driver::new();
    let t = ticket(1, Leg::Entry, 0, 100);
    let id = t.id.clone();
    d.submit(risk.check(t, 0).expect("ok"), ExchangeSize::quantity(2.0), UnixNanos::new(0));
    d.venue_id(&id, "");
    d.on_venue(&id, VenueEvent::Ack, UnixNanos::new(1));
    d.venue_id(&id, "1976543210987654321");
    d.venue_id(&id, "5");
    d.on_venue(&id, VenueEvent::Fill { quantity: 2.0, price: 10.0 }, UnixNanos::new(2));
    let ids: Vec<Option<String>> = d.drain_events().map(|u| u.venue_order_id).collect();
    assert_eq!(ids, [None, None, Some("1976543210987654321".to_string())], "SENT, ACK, FILL");
    assert_eq!(d.venue_order_id(&id), Some("1976543210987654321"));
}
