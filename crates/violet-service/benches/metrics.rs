//! What metrics cost `violet run`: the meter's work per scan on the reactor (count the
//! decision, observe two latencies), a venue request counted, and one scrape of the whole
//! registry (`GET /metrics`).
#![allow(missing_docs)] // criterion's macros

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use violet_domain::types::{Action, DecisionReason};
use violet_engine::Sink as _;
use violet_engine::decision::{Decision, DecisionRecord};
use violet_service::metrics::{Meter, Metrics};
use violet_venue::venue::audit::{HttpMethod, RequestOutcome, RequestRecord};

fn request() -> RequestRecord {
    RequestRecord {
        sent_at: violet_clock::UnixNanos::new(1),
        method: HttpMethod::Post,
        path: "/openApi/swap/v2/trade/order",
        class: "order",
        params: String::new(),
        client_order_id: None,
        venue_order_id: None,
        http_status: Some(200),
        code: Some(0),
        outcome: RequestOutcome::Ok,
        message: String::new(),
        queued: Duration::ZERO,
        latency: Duration::from_millis(12),
    }
}

fn bench(c: &mut Criterion) {
    let metrics = Metrics::new();
    let mut meter = Meter::new(metrics.clone(), "bench");
    let record = DecisionRecord {
        allotment: None,
        scan_number: 1,
        ts_ns: 1,
        decision: Decision {
            action: Action::NoEntry,
            reason: DecisionReason::PostureHibernate,
            pick: None,
            sizing: None,
        },
        slot_trade_at_start: None,
        exited_trade: None,
        entered_trade: None,
        capital: 25_000.0,
    };
    c.bench_function("meter_per_scan", |b| {
        b.iter(|| {
            meter.decision(std::hint::black_box(&record)).expect("count");
            meter.scan_decided(Duration::from_micros(7), Some(Duration::from_millis(40)));
        });
    });
    let r = request();
    c.bench_function("meter_venue_request", |b| b.iter(|| meter.venue_request(std::hint::black_box(&r))));
    c.bench_function("metrics_encode", |b| b.iter(|| std::hint::black_box(metrics.encode())));
}

criterion_group!(benches, bench);
criterion_main!(benches);
