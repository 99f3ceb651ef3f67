//! Order to the wire: from `place_order` being called to the request's arrival at the
//! simulator on loopback (signing, the rate limiter, the HTTP client and the kernel's
//! loopback), over a run of MARKET orders spaced under BingX's 10/s order limit so the
//! limiter never queues. Prints p50 / p99 / max. Bound (the issue's): p99 <= 1 ms.
//!
//! `cargo bench -p violet-bingx --bench wire` (about 40 s: 200 orders, 200 ms apart).

#![allow(missing_docs)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use violet_bingx::PositionMode;
use violet_venue::order::Side;
use violet_venue::venue::Venue as _;

fn main() {
    let orders: usize = std::env::var("WIRE_ORDERS").ok().and_then(|n| n.parse().ok()).unwrap_or(200);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    rt.block_on(async {
        let sim = common::simulator(true, 1e12).await;
        let mut cfg = common::config(&sim, PositionMode::Hedge);
        cfg.request_timeout = Duration::from_secs(5);
        let (venue, _) = common::connect_with(cfg, common::SECRET).await;
        let mut hist = hdrhistogram::Histogram::<u64>::new(3).expect("histogram");
        for n in 0..orders {
            let o = common::order(i64::try_from(n).unwrap_or(0), Side::Sell, 0.001, false, Duration::from_secs(5));
            let start = Instant::now();
            venue.place_order(&o).await.expect("order");
            let arrived = *sim.shared().place_arrivals.lock().expect("lock").last().expect("arrival");
            hist.record(u64::try_from(arrived.duration_since(start).as_micros()).unwrap_or(u64::MAX)).expect("record");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        println!(
            "order to the wire over {} orders: p50 {} us, p99 {} us, max {} us",
            hist.len(),
            hist.value_at_quantile(0.5),
            hist.value_at_quantile(0.99),
            hist.max()
        );
        sim.stop();
    });
}
