//! Criterion bench of the JSON writer, on the shapes the journal writes most: a decision
//! with no pick (most scans: two ints, strings, nulls, one float) and an entry's sizing
//! breakdown (fifteen floats), plus `write_f64` alone on floats of every magnitude.
//!
//! `cargo bench -p violet-domain --bench write`

#![allow(missing_docs)]

use criterion::{Criterion, Throughput, black_box, criterion_group, criterion_main};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use violet_domain::json::{ObjectWriter, write_f64};

fn no_pick(out: &mut String, n: i64) {
    let mut w = ObjectWriter::new(out);
    w.int("scan_number", n)
        .int("ts_ns", 1_760_000_000_000_000_000 + n)
        .str("action", "NO_ENTRY")
        .str("reason", "NO_SIGNAL")
        .str("slot", "FREE")
        .raw("slot_trade_id", "null")
        .raw("exited_trade_id", "null")
        .raw("entered_trade_id", "null")
        .float("capital", 25_000.0)
        .raw("symbol", "null")
        .raw("price", "null")
        .raw("score", "null")
        .raw("sizing", "null");
    w.finish();
}

fn sizing(out: &mut String, x: &[f64; 15]) {
    let mut w = ObjectWriter::new(out);
    for (k, v) in ["price", "score", "strength", "base_leverage", "dc_lev_mult"].iter().zip(&x[..5]) {
        w.float(k, *v);
    }
    for (k, v) in
        ["regime_size_mult", "market_ob_mult", "esof_mult", "raw_leverage", "clamped_max"].iter().zip(&x[5..10])
    {
        w.float(k, *v);
    }
    for (k, v) in ["leverage", "fraction", "notional", "capital", "pnl"].iter().zip(&x[10..]) {
        w.float(k, *v);
    }
    w.finish();
}

fn bench(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let floats: Vec<f64> = (0..1024).map(|i| rng.gen_range(0.0..1.0) * 10f64.powi(i % 24 - 8)).collect();
    let rows: Vec<[f64; 15]> = (0..64).map(|_| std::array::from_fn(|_| rng.gen_range(0.0..10.0))).collect();
    let mut out = String::with_capacity(1 << 16);

    let mut g = c.benchmark_group("json_write");
    out.clear();
    no_pick(&mut out, 1001);
    g.throughput(Throughput::Bytes(out.len() as u64));
    g.bench_function("decision_no_pick", |b| {
        b.iter(|| {
            out.clear();
            no_pick(&mut out, black_box(1001));
            black_box(out.len())
        });
    });
    out.clear();
    sizing(&mut out, &rows[0]);
    g.throughput(Throughput::Elements(15));
    g.bench_function("sizing_15_floats", |b| {
        let mut k = 0;
        b.iter(|| {
            out.clear();
            k = (k + 1) % rows.len();
            sizing(&mut out, black_box(&rows[k]));
            black_box(out.len())
        });
    });
    g.throughput(Throughput::Elements(floats.len() as u64));
    g.bench_function("write_f64_1024", |b| {
        b.iter(|| {
            out.clear();
            for &x in &floats {
                write_f64(&mut out, black_box(x));
                out.push(',');
            }
            black_box(out.len())
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
