//! Criterion bench of the event-line decoder: lines/s and MB/s on 50-asset scans (the
//! replay benchmark's shape) and on factor lines.
//!
//! `cargo bench -p violet-domain --bench parse`

#![allow(missing_docs)]

use criterion::{Criterion, Throughput, black_box, criterion_group, criterion_main};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use violet_domain::event::decode_line;
use violet_domain::json::{ObjectWriter, ParseOptions, Parser};

fn scan_line(rng: &mut ChaCha8Rng, n: i64, assets: usize) -> String {
    let mut list = String::from("[");
    for i in 0..assets {
        if i > 0 {
            list.push(',');
        }
        let mut w = ObjectWriter::new(&mut list);
        w.str("symbol", &format!("SYM{i:03}USDT"))
            .float("price", rng.gen_range(0.001..70000.0))
            .float("ret", rng.gen_range(-0.05..0.05))
            .float("vol", rng.gen_range(0.0..0.08));
        w.finish();
    }
    list.push(']');
    let mut s = String::new();
    let mut w = ObjectWriter::new(&mut s);
    w.str("type", "scan")
        .int("scan_number", n)
        .int("ts_ns", 1_760_000_000_000_000_000 + n)
        .float("vel_div", rng.gen_range(-0.06..0.02))
        .raw("assets", &list);
    w.finish();
    s
}

fn bench(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for assets in [50usize, 500] {
        let lines: Vec<String> = (0..64).map(|n| scan_line(&mut rng, n, assets)).collect();
        let bytes: usize = lines.iter().map(|l| l.len() + 1).sum();
        let mut g = c.benchmark_group(format!("decode_scan_{assets}_assets"));
        g.throughput(Throughput::Bytes(bytes as u64));
        let mut parser = Parser::new(ParseOptions::default());
        g.bench_function("64 lines", |b| {
            b.iter(|| {
                for l in &lines {
                    let ev = decode_line(&mut parser, 1, black_box(l.as_bytes()));
                    black_box(&ev);
                }
            });
        });
        g.finish();
    }
    let factors = r#"{"type":"factors","ts_ns":1760000000000000000,"acb_boost":1.1,"acb_beta":0.5,"mc_scale":0.9,"esof_score":0.3,"ob_consensus":-0.2,"dc_status":"CONFIRM","posture":"APEX"}"#;
    let mut g = c.benchmark_group("decode_factors");
    g.throughput(Throughput::Elements(1));
    let mut parser = Parser::new(ParseOptions::default());
    g.bench_function("1 line", |b| b.iter(|| black_box(decode_line(&mut parser, 1, black_box(factors.as_bytes())))));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
