//! The engine on the wall clock, driven through the execution task against a simulated
//! exchange that answers after 50–500 ms: fills, partial fills, rejects, a fill after the
//! TTL, an ack after the TTL, a dropped connection. Scans arrive every 20 ms, so the reactor
//! decides while orders are in flight. At the end: every fill booked, the portfolio's
//! position equals the fills and the exchange's, no order placed twice, nothing left open.

use std::collections::{HashMap, HashSet};
use std::io;
use std::path::Path;
use std::time::Duration;

use violet_clock::{CadencePlan, LiveClock};
use violet_domain::config::BlueConfig;
use violet_domain::event::{Event, EventStream};
use violet_engine::decision::DecisionRecord;
use violet_engine::execution::{Booking, Leg, OrderUpdate, TradeEvent, UpdateKind};
use violet_engine::{Engine, Sink};
use violet_venue::contracts::Contracts;
use violet_venue::risk::{RiskGate, RiskLimits};
use violet_venue::sim::{LiveSimVenue, PriceBook, ScriptedVenue};
use violet_venue::task::{ChannelPort, ExecutionTask, TaskOptions};

const SCRIPT: &str = r#"
{"latency_ms": 50, "outcome": "fill", "slippage_bps": 2}
{"latency_ms": 120, "outcome": "partial", "fraction": 0.4}
{"latency_ms": 300, "outcome": "fill"}
{"latency_ms": 80, "outcome": "reject"}
{"latency_ms": 400, "outcome": "ack"}
{"latency_ms": 60, "outcome": "disconnect"}
{"latency_ms": 200, "outcome": "fill", "slippage_bps": 1}
{"latency_ms": 500, "outcome": "partial", "fraction": 0.5}
"#;

#[derive(Default)]
struct Out {
    decisions: u64,
    busy: u64,
    trades: Vec<TradeEvent>,
    orders: Vec<OrderUpdate>,
}

impl Sink for Out {
    fn decision(&mut self, r: &DecisionRecord<'_>) -> io::Result<()> {
        self.decisions += 1;
        self.busy += u64::from(r.slot_trade_at_start.is_some());
        Ok(())
    }
    fn trade(&mut self, t: &TradeEvent) -> io::Result<()> {
        self.trades.push(t.clone());
        Ok(())
    }
    fn order(&mut self, u: &OrderUpdate) -> io::Result<()> {
        self.orders.push(u.clone());
        Ok(())
    }
}

/// The fixture's first `scans` scans (with what lies between), scans `gap` apart from now.
fn lines(scans: usize) -> Vec<String> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/streams/small-a.jsonl");
    let text = std::fs::read_to_string(p).expect("fixture");
    let mut out = Vec::new();
    let mut n = 0;
    for l in text.lines() {
        n += usize::from(l.contains("\"type\":\"scan\""));
        if n > scans {
            break;
        }
        out.push(l.to_string());
    }
    out
}

fn prices_of(line: &str, book: &PriceBook) {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else { return };
    for a in v.get("assets").and_then(serde_json::Value::as_array).into_iter().flatten() {
        if let (Some(s), Some(p)) =
            (a.get("symbol").and_then(|s| s.as_str()), a.get("price").and_then(serde_json::Value::as_f64))
        {
            book.set(s, p);
        }
    }
}

/// Every time from decision to send the task reports.
#[derive(Debug, Default)]
struct Sends(std::sync::Mutex<Vec<Duration>>);

impl violet_venue::task::SendObserver for Sends {
    fn sending(&self, since_decision: Duration) {
        self.0.lock().expect("sends").push(since_decision);
    }
}

#[test]
fn the_engine_books_every_fill_of_a_slow_partial_venue_on_the_live_clock() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_time().build().expect("runtime");
    rt.block_on(async {
        let book = PriceBook::default();
        let source = ScriptedVenue::parse(SCRIPT, Path::new("script")).expect("script");
        let venue = LiveSimVenue::new(source, book.clone(), Duration::from_millis(300));
        let books = venue.books();
        let (cmd_tx, cmd_rx) = tokio::sync::mpsc::unbounded_channel();
        let (upd_tx, mut upd_rx) = tokio::sync::mpsc::unbounded_channel();
        let sends = std::sync::Arc::new(Sends::default());
        let opts = TaskOptions {
            poll_every: Duration::from_millis(20),
            contracts: Some(Contracts::bundled()),
            on_send: Some(sends.clone()),
        };
        let task = tokio::spawn(ExecutionTask::new(venue, RiskGate::new(RiskLimits::unlimited()), opts).run(cmd_rx, upd_tx));
        let plan = CadencePlan::default().with_ttl(150_000_000, 150_000_000).expect("ttl");
        let mut engine = Engine::new(BlueConfig::default(), plan, LiveClock::new())
            .with_port(Box::new(ChannelPort::new(cmd_tx)), Booking::Fills)
            .with_namespace("live-test");
        let mut out = Out::default();
        let mut stream = EventStream::new();
        let gap = Duration::from_millis(20);
        let mut due = tokio::time::Instant::now();
        let mut scans = 0u64;
        for line in lines(150) {
            if line.contains("\"type\":\"scan\"") {
                // Answers that come before the next scan are applied as they come.
                due += gap;
                loop {
                    tokio::select! {
                        Some(u) = upd_rx.recv() => engine.on_order(&u, &mut out).expect("order"),
                        () = tokio::time::sleep_until(due) => break,
                    }
                }
                prices_of(&line, &book);
            }
            if let Ok(Some(ev)) = stream.next_line(line.as_bytes()) {
                scans += u64::from(matches!(ev, Event::Scan(_)));
                engine.on_event(&ev, &mut out).expect("event");
            }
        }
        // Let every order end: answers and late answers, closes of late fills.
        let quiet = tokio::time::Instant::now() + Duration::from_secs(5);
        while engine.portfolio().live_orders() > 0 || engine.portfolio().strays().count() > 0 {
            tokio::select! {
                Some(u) = upd_rx.recv() => engine.on_order(&u, &mut out).expect("order"),
                () = tokio::time::sleep(Duration::from_millis(10)) => engine.on_timers(&mut out).expect("timers"),
                () = tokio::time::sleep_until(quiet) => panic!("orders still live after 5 s: {}", engine.portfolio().live_orders()),
            }
        }
        // A late answer may still be on its way: give it the longest latency, then stop.
        let settle = tokio::time::Instant::now() + Duration::from_millis(700);
        while let Ok(Some(u)) = tokio::time::timeout_at(settle, upd_rx.recv()).await {
            engine.on_order(&u, &mut out).expect("order");
        }
        engine.close_port();
        while let Some(u) = upd_rx.recv().await {
            engine.on_order(&u, &mut out).expect("order");
        }
        let stats = task.await.expect("task");

        assert_eq!(out.decisions, scans, "every scan decided");
        let sent = out.orders.iter().filter(|u| matches!(u.kind, UpdateKind::Sent | UpdateKind::Resent)).count();
        let seen = sends.0.lock().expect("sends").clone();
        assert_eq!(seen.len(), sent, "the observer hears of every request sent, resends included");
        assert!(seen.iter().all(|d| *d < Duration::from_secs(2)), "decision to send, not since the epoch: {seen:?}");
        assert!(out.busy > 0, "scans were decided while orders were in flight");
        assert!(engine.halted().is_none(), "{:?}", engine.halted());
        assert!(out.orders.iter().all(|u| u.kind != UpdateKind::InvalidFill), "every fill booked");
        // The script's faults all happened.
        let kinds: HashSet<UpdateKind> = out.orders.iter().map(|u| u.kind).collect();
        for k in [UpdateKind::Fill, UpdateKind::Reject, UpdateKind::Resent, UpdateKind::Expire] {
            assert!(kinds.contains(&k), "no {k:?} in {kinds:?}: {:#?}", out.orders.iter().map(|u| format!("{} {:?} {:?} {:?} {}", u.client_order_id, u.leg, u.state, u.kind, u.detail)).collect::<Vec<_>>());
        }
        assert!(stats.reconciled > 0, "late answers reconciled: {stats:?}");
        // Position = fills booked = the exchange's, per symbol.
        let mut symbol_of = HashMap::new();
        for t in &out.trades {
            let (id, s) = match t {
                TradeEvent::Entry(e) => (e.trade_id, e.symbol.as_ref().to_string()),
                TradeEvent::Exit(e) => (e.trade_id, e.symbol.as_ref().to_string()),
            };
            symbol_of.insert(id, s);
        }
        let mut net: HashMap<String, f64> = HashMap::new();
        for u in &out.orders {
            if let (Some(f), Some(s)) = (u.fill, symbol_of.get(&u.trade_id)) {
                *net.entry(s.clone()).or_default() += if u.leg == Leg::Entry { f.quantity.get() } else { -f.quantity.get() };
            }
        }
        assert!(!net.is_empty(), "something filled");
        let exchange = books.lock().expect("lock");
        for (s, q) in &net {
            let ours = engine.portfolio().quantity_of(s);
            assert!((ours - q).abs() <= 1e-9 * q.abs().max(1.0), "{s}: portfolio {ours}, fills {q}");
            assert!((exchange.position(s) - q).abs() <= 1e-9 * q.abs().max(1.0), "{s}: exchange {}, fills {q}", exchange.position(s));
        }
        // Never an order twice: the exchange made one order per client id at most.
        let ids: HashSet<_> = out.orders.iter().filter(|u| u.kind == UpdateKind::Sent).map(|u| u.client_order_id.clone()).collect();
        assert!(exchange.placed() <= ids.len() as u64, "{} orders for {} ids", exchange.placed(), ids.len());
        // Every order sent ended.
        for id in &ids {
            let last = out.orders.iter().rev().find(|u| &u.client_order_id == id && !matches!(u.kind, UpdateKind::LateFill | UpdateKind::LateAckCancelled | UpdateKind::Queried));
            assert!(last.is_some_and(|u| u.state.is_terminal()), "{id} did not end: {last:?}");
        }
        // Trade events carry the capital as booked, to the bit.
        if let Some(TradeEvent::Exit(last)) = out.trades.iter().rev().find(|t| matches!(t, TradeEvent::Exit(_))) {
            assert_eq!(last.capital_after.to_bits(), engine.capital().to_bits(), "the last EXIT's capital is the engine's");
        }
        let pnl: f64 = out.trades.iter().filter_map(|t| if let TradeEvent::Exit(e) = t { Some(e.pnl) } else { None }).sum();
        let capital = engine.capital();
        assert!((BlueConfig::default().initial_capital + pnl - capital).abs() <= 1e-9 * capital.abs(), "capital {capital}, pnl {pnl}");
    });
}
