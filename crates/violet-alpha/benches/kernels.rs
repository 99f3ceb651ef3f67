//! Criterion benches of the alpha kernels: select over 50 and 500 assets, exit v7.
//!
//! `cargo bench -p violet-alpha --bench kernels`

#![allow(missing_docs)]

use std::borrow::Cow;

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use violet_alpha::{Position, evaluate, select};
use violet_domain::config::BlueConfig;
use violet_domain::event::Asset;
use violet_domain::types::{BarsHeld, Price, Return, Symbol, SymbolName, Volatility};

fn assets(n: usize) -> Vec<Asset<'static>> {
    (0..n)
        .map(|i| {
            let x = (i as f64 * 0.618_033_988_7).fract();
            Asset {
                symbol: Symbol::try_new(Cow::Owned(format!("SYM{i:03}USDT"))).expect("symbol"),
                price: Price::try_new(1.0 + 1000.0 * x).expect("price").into(),
                ret: Return::try_new(-0.05 + 0.1 * x).expect("ret").into(),
                vol: Volatility::try_new(0.001 + 0.05 * (1.0 - x)).expect("vol").into(),
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let cfg = BlueConfig::default();
    for n in [50usize, 500] {
        let a = assets(n);
        c.bench_function(&format!("select/{n} assets"), |b| b.iter(|| black_box(select(black_box(&a), &cfg))));
    }
    let pos = Position {
        trade_id: 1,
        symbol: SymbolName::try_new("BTCUSDT".to_string()).expect("symbol"),
        entry_scan: 1,
        entry_price: Price::try_new(64000.0).expect("price"),
        last_price: Price::try_new(64000.0).expect("price"),
        leverage: 2.0,
        notional: 10000.0,
        bars_held: BarsHeld::new(10),
    };
    let price = Some(Price::try_new(63990.0).expect("price"));
    c.bench_function("exit/evaluate", |b| {
        b.iter_batched_ref(
            || pos.clone(),
            |p| black_box(evaluate(p, black_box(price), black_box(0.001), &cfg)),
            criterion::BatchSize::SmallInput,
        );
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
