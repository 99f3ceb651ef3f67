//! Criterion bench of the L3 mapping.
//!
//! `cargo bench -p violet-leverage --bench to_exchange`

#![allow(missing_docs)]

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use violet_leverage::{Contract, MaxLeverage, QuantityPrecision, to_exchange};

fn bench(c: &mut Criterion) {
    let contract = Contract {
        quantity_precision: QuantityPrecision::try_new(4).expect("in range"),
        min_qty: 0.0001,
        min_notional: 5.0,
        max_leverage: MaxLeverage::try_new(125).expect("in range"),
    };
    c.bench_function("to_exchange", |b| {
        b.iter(|| black_box(to_exchange(black_box(2.7), black_box(9480.68), black_box(64000.5), &contract)));
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
