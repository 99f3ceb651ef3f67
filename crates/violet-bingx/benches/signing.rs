//! Signing and building one order request (the bound: <= 5 µs), and the intent
//! log's line written before every armed send (one `write`, no fsync).
//! `cargo bench -p violet-bingx --bench signing`

#![allow(missing_docs)] // criterion's macros

use criterion::{Criterion, criterion_group, criterion_main};
use violet_bingx::sign::{Params, Signer};
use violet_domain::secret::Secret;

fn bench(c: &mut Criterion) {
    let signer = Signer::new(&Secret::new(
        "mheO6dR8ovSsxZQCOYEFCtelpuxcWGTfHw7te326y6jOwq5WpvFQ9JNljoTwBXZGv5It07m9RXSPpDQEK2w".into(),
    ));
    c.bench_function("build_and_sign_order", |b| {
        b.iter(|| {
            let p = Params::new()
                .set("symbol", "BTC-USDT")
                .and_then(|p| p.set("side", "SELL"))
                .and_then(|p| p.set("positionSide", "SHORT"))
                .and_then(|p| p.set("type", "MARKET"))
                .and_then(|p| p.set("quantity", "0.0123"))
                .and_then(|p| p.set("clientOrderId", "v1a2b3c4d5e-lx9k2a1b-e0"))
                .and_then(|p| p.set("timestamp", "1696751141337"))
                .and_then(|p| p.set("recvWindow", "5000"))
                .map(|p| signer.signed_query(std::hint::black_box(&p)));
            std::hint::black_box(p)
        });
    });
    let path = std::env::temp_dir().join(format!("violet-bench-intents-{}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let log = violet_venue::restart::IntentLog::open(&path).expect("intent log");
    let id = violet_venue::order::ClientOrderId::new(
        "violet-main",
        violet_venue::order::DecisionEvent { scan_number: 123_456, ts_ns: 1_796_286_798_320_859_730 },
        violet_venue::order::Leg::Entry,
        0,
    );
    let symbol = violet_domain::types::SymbolName::try_new("BTCUSDT".to_string()).expect("symbol");
    c.bench_function("intent_log_record", |b| {
        b.iter(|| log.record(std::hint::black_box(&id), &symbol, violet_venue::order::Side::Sell).expect("write"));
    });
    drop(log);
    let _ = std::fs::remove_file(&path);
}

criterion_group!(benches, bench);
criterion_main!(benches);
