//! Properties of the execution layer over random streams and random venue behaviour:
//! no order is sent at or after its deadline; unarmed, the venue sees zero orders; every
//! intent reaches exactly one terminal state; nothing is unaccounted at the end.

use std::collections::HashMap;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use proptest::prelude::*;
use violet_engine::Sink;
use violet_engine::decision::DecisionRecord;
use violet_engine::execution::{OrderUpdate, TradeEvent};
use violet_engine::replay::{ReplayOptions, replay, replay_with};
use violet_venue::arming::{ExecutionMode, execution_mode};
use violet_venue::contracts::Contracts;
use violet_venue::dark::DarkExecution;
use violet_venue::execution::SimExecution;
use violet_venue::order::{ClientOrderId, Leg, OrderIntent, OrderState, Side};
use violet_venue::risk::{RiskGate, RiskLimits};
use violet_venue::sim::{SeededVenue, SimRuntime};
use violet_venue::venue::{OrderReport, OrderRequest, Venue, VenueError, VenuePosition};

/// Collects trade events and order updates.
#[derive(Default)]
struct Collect {
    trades: Vec<String>,
    orders: Vec<OrderUpdate>,
}

impl Sink for Collect {
    fn decision(&mut self, _: &DecisionRecord<'_>) -> io::Result<()> {
        Ok(())
    }
    fn trade(&mut self, t: &TradeEvent) -> io::Result<()> {
        let mut s = String::new();
        t.write_json(&mut s);
        self.trades.push(s);
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
    async fn place_order(&mut self, _: &OrderRequest) -> Result<OrderReport, VenueError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Err(violet_venue::venue::Unrecoverable::Auth.into())
    }
    async fn cancel_order(&mut self, _: &str, _: &ClientOrderId) -> Result<OrderReport, VenueError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Err(violet_venue::venue::Unrecoverable::Auth.into())
    }
    async fn query_order(&mut self, _: &str, _: &ClientOrderId) -> Result<OrderReport, VenueError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Err(violet_venue::venue::Unrecoverable::Auth.into())
    }
    async fn positions(&mut self) -> Result<Vec<VenuePosition>, VenueError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(Vec::new())
    }
    async fn balance(&mut self) -> Result<f64, VenueError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(0.0)
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

/// Every id's states: once terminal, never another state; the last one terminal.
fn one_terminal_state_each(orders: &[OrderUpdate]) -> Result<usize, String> {
    let mut by_id: HashMap<&str, Vec<&str>> = HashMap::new();
    for u in orders {
        by_id.entry(&u.client_order_id).or_default().push(u.state);
    }
    let terminal = |s: &str| ["FILLED", "REJECTED", "EXPIRED", "CANCELLED"].contains(&s);
    for (id, states) in &by_id {
        let first = states.iter().position(|s| terminal(s)).ok_or(format!("{id} never ends: {states:?}"))?;
        if states[first..].iter().any(|s| *s != states[first]) {
            return Err(format!("{id} left its terminal state: {states:?}"));
        }
    }
    Ok(by_id.len())
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
            let intent = OrderIntent {
                id: ClientOrderId::new("prop", i as u64, leg, 0), trade_id: i as u64, leg, attempt: 0,
                symbol: "BTCUSDT".into(), side: Side::Sell, notional: 100.0, price: 10.0, leverage: 1.0,
                decided_ns: t, ttl_ns: ttl_ms * 1_000_000,
            };
            deadlines.insert(intent.id.clone(), intent.deadline_ns());
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
        let mut late_fills = 0;
        for e in &events {
            if e.what == "SENT" || e.what == "RESENT" {
                prop_assert!(e.at_ns < deadlines[&e.id], "sent at {} for deadline {}", e.at_ns, deadlines[&e.id]);
            }
            if e.what == "EXPIRE" || e.what == "CANCEL" {
                prop_assert!(e.at_ns == deadlines[&e.id] || e.detail.contains("before sending"), "{e:?}");
            }
            late_fills += usize::from(e.what == "LATE_FILL_CLOSED");
        }
        prop_assert_eq!(rt.closes(), late_fills as u64, "every late fill closed");
        for id in deadlines.keys() {
            let (state, _, _) = rt.driver().outcome(id).expect("tracked");
            prop_assert!(state.is_terminal(), "{id}: {state:?}");
        }
    }

    /// Unarmed: random streams through the DARK execution; the venue sees nothing, every leg
    /// is refused by the guard, and the trade events are exactly the instant replay's.
    #[test]
    fn unarmed_the_venue_sees_zero_orders(which in any::<bool>(), start in 0usize..2000, len in 1usize..1500) {
        let input = stream(which, start, len);
        let calls = Arc::new(AtomicU64::new(0));
        let mode = execution_mode(None, false).expect("unarmed");
        prop_assert!(matches!(mode, ExecutionMode::ObserveOnly(_)));
        let exec = DarkExecution::new(&mode, Some(Recording(Arc::clone(&calls))), "run-x");
        let mut dark = Collect::default();
        replay_with(input.as_bytes(), &ReplayOptions::default(), Box::new(exec), &mut dark, |_| Ok(()), |_| {}).expect("replay");
        let mut plain = Collect::default();
        replay(input.as_bytes(), &ReplayOptions::default(), &mut plain, |_| Ok(()), |_| {}).expect("replay");
        prop_assert_eq!(calls.load(Ordering::SeqCst), 0, "the venue was called");
        prop_assert_eq!(&dark.trades, &plain.trades, "shadow bookkeeping is BLUE's");
        prop_assert_eq!(dark.orders.len(), dark.trades.len(), "one refused intent per leg");
        prop_assert!(dark.orders.iter().all(|u| u.state == "REJECTED" && u.detail.contains("observe-only")));
    }

    /// Scripted random venues behind the engine: every intent ends once, fills are booked.
    #[test]
    fn scripted_replays_account_for_every_intent(seed in any::<u64>(), which in any::<bool>(), start in 0usize..1000, len in 200usize..2000) {
        let input = stream(which, start, len);
        let exec = SimExecution::new(SeededVenue::new(seed), "run-s", (100_000_000, 60_000_000), Contracts::bundled(), RiskLimits::unlimited());
        let mut out = Collect::default();
        replay_with(input.as_bytes(), &ReplayOptions::default(), Box::new(exec), &mut out, |_| Ok(()), |_| {}).expect("replay");
        one_terminal_state_each(&out.orders).map_err(TestCaseError::fail)?;
        for t in &out.trades {
            prop_assert!(t.contains("\"order_state\":\"FILLED\"") || t.contains("\"order_state\":\"CANCELLED\""), "a booked trade had a fill: {t}");
        }
        let sent: Vec<_> = out.orders.iter().filter(|u| u.what == "SENT").collect();
        prop_assert!(sent.iter().all(|u| u.state == OrderState::Sent.as_str()));
    }
}
