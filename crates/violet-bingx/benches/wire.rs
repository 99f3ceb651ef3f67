//! Decision to the wire: from the engine being handed the scan that makes it place an order
//! to that order's request arriving at the simulator on loopback. On the path: the
//! engine's decision and sizing, the `ChannelPort`, the execution task (risk gate, L3, TTL
//! driver), the BingX adapter (signing, the rate limiter, the HTTP client) and the kernel's
//! loopback. The engine runs on copies of `fixtures/streams/small-a.jsonl`, a scan every
//! 5 ms. Bound (the issue's): p99 <= 1 ms.
//!
//! Reported apart: exits (sent straight); entries, which first ask the account's available
//! margin (one round trip); and entries that also ask or set the venue's leverage (BingX
//! takes leverage per symbol and side, its limit 2/s): those wait for one or two more round
//! trips in parallel and, with scans 5 ms apart instead of seconds, for the 2/s limit.
//!
//! Then the stop-loss guard (V6): the same stream with ticks between its scans
//! (`violet_testkit::with_dense_ticks`, 2 per gap for every asset), exits checked on every
//! tick; reported apart: exits placed on a tick, from the engine being handed the tick.
//!
//! `cargo bench -p violet-bingx --bench wire` (about 70 s: 6 copies, twice).
//! `WIRE_COPIES=n` changes the number of copies.

#![allow(missing_docs)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::{HashMap, HashSet};
use std::io;
use std::time::{Duration, Instant};

use common::stage::{Audit, Stage, stream};
use hdrhistogram::Histogram;
use violet_bingx::audit::{HttpMethod, RequestRecord};
use violet_engine::Sink;
use violet_engine::decision::DecisionRecord;
use violet_engine::execution::TradeEvent;

/// Keeps the request records, nothing else.
#[derive(Default)]
struct Requests(Vec<RequestRecord>);

impl Sink for Requests {
    fn decision(&mut self, _: &DecisionRecord<'_>) -> io::Result<()> {
        Ok(())
    }
    fn trade(&mut self, _: &TradeEvent) -> io::Result<()> {
        Ok(())
    }
}

impl Audit for Requests {
    fn request(&mut self, r: &RequestRecord) {
        self.0.push(r.clone());
    }
}

fn symbol_of(params: &str) -> &str {
    params.split('&').find_map(|kv| kv.strip_prefix("symbol=")).unwrap_or("")
}

/// The client order ids whose place request came after a leverage request for its symbol
/// (records are in the order the requests ended; a leverage request ends before its
/// order is sent).
fn after_leverage(records: &[RequestRecord]) -> HashSet<String> {
    let mut pending: HashSet<&str> = HashSet::new();
    let mut out = HashSet::new();
    for r in records {
        if r.path.ends_with("/trade/leverage") {
            pending.insert(symbol_of(&r.params));
        } else if r.path.ends_with("/trade/order")
            && r.method == HttpMethod::Post
            && pending.remove(symbol_of(&r.params))
        {
            out.insert(r.client_order_id.clone().unwrap_or_default());
        }
    }
    out
}

fn line(what: &str, h: &Histogram<u64>) {
    println!(
        "{what}: {} orders, p50 {} us, p99 {} us, max {} us",
        h.len(),
        h.value_at_quantile(0.5),
        h.value_at_quantile(0.99),
        h.max()
    );
}

fn main() {
    let copies: i64 = std::env::var("WIRE_COPIES").ok().and_then(|n| n.parse().ok()).unwrap_or(6);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    rt.block_on(async {
        let lines = stream("small-a", copies);
        let mut stage = Stage::start(&lines, Duration::from_secs(5), "wire-bench").await;
        let mut out = Requests::default();
        let placed = stage.play(&lines, Duration::from_millis(5), &mut out).await;
        let started: HashMap<String, Instant> = placed.into_iter().map(|p| (p.id, p.decided_from)).collect();
        let (sim, _, _) = stage.finish(Duration::from_secs(10), &mut out).await;
        let arrivals = sim.shared().place_arrivals.lock().expect("lock").clone();
        assert_eq!(arrivals.len(), started.len(), "one place request per order (no fault injected)");
        let slow = after_leverage(&out.0);
        let mut exits = Histogram::<u64>::new(3).expect("histogram");
        let mut entries = Histogram::<u64>::new(3).expect("histogram");
        let mut leveraged = Histogram::<u64>::new(3).expect("histogram");
        for a in &arrivals {
            let t0 = started.get(&a.client_order_id).unwrap_or_else(|| panic!("{} was not placed", a.client_order_id));
            let us = u64::try_from(a.at.duration_since(*t0).as_micros()).unwrap_or(u64::MAX);
            // The leg is the letter after the id's last '-': e (entry), x (exit), c (late close).
            let entry = a.client_order_id.rsplit('-').next().is_some_and(|leg| leg.starts_with('e'));
            let h = match (entry, slow.contains(&a.client_order_id)) {
                (true, true) => &mut leveraged,
                (true, false) => &mut entries,
                (false, _) => &mut exits,
            };
            h.record(us).expect("record");
        }
        line("decision to the wire, exits (sent straight)", &exits);
        line("decision to the wire, entries (after the margin check)", &entries);
        line("decision to the wire, entries that also read or set leverage", &leveraged);

        // The stop-loss guard: ticks between scans, exits checked on each.
        let dense: Vec<String> =
            violet_testkit::with_dense_ticks(&lines.join("\n"), 2, 7).lines().map(str::to_string).collect();
        let mut stage =
            Stage::start_with(&dense, Duration::from_secs(5), "wire-guard", violet_clock::Cadence::Tick).await;
        let mut out = Requests::default();
        let placed = stage.play(&dense, Duration::from_millis(5), &mut out).await;
        let on_tick: HashMap<String, Instant> =
            placed.into_iter().filter(|p| p.on_tick).map(|p| (p.id, p.decided_from)).collect();
        let (sim, _, _) = stage.finish(Duration::from_secs(10), &mut out).await;
        let mut guard = Histogram::<u64>::new(3).expect("histogram");
        for a in sim.shared().place_arrivals.lock().expect("lock").iter() {
            if let Some(t0) = on_tick.get(&a.client_order_id) {
                guard.record(u64::try_from(a.at.duration_since(*t0).as_micros()).unwrap_or(u64::MAX)).expect("record");
            }
        }
        assert!(!guard.is_empty(), "the guard closed something on a tick");
        line("tick to the wire, the stop-loss guard's exits", &guard);
    });
}
