//! Criterion bench of `compose` (target: <= 50 ns per call).
//!
//! `cargo bench -p violet-sizing --bench compose`

#![allow(missing_docs)]

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use violet_domain::config::BlueConfig;
use violet_domain::event::Factors;
use violet_domain::types::{AcbBeta, AcbBoost, DcStatus, EsofScore, McScale, ObConsensus, Posture, TsNs};
use violet_sizing::compose;

fn bench(c: &mut Criterion) {
    let cfg = BlueConfig::default();
    let f = Factors {
        ts_ns: TsNs::new(0),
        acb_boost: AcbBoost::try_new(1.1).expect("in range"),
        acb_beta: AcbBeta::try_new(0.5).expect("in range"),
        mc_scale: McScale::try_new(0.9).expect("in range"),
        esof_score: EsofScore::try_new(0.3).expect("in range"),
        ob_consensus: ObConsensus::try_new(-0.2).expect("in range"),
        dc_status: DcStatus::Confirm,
        posture: Posture::Apex,
    };
    // Vary vel_div so the branch predictor and pow see realistic inputs.
    let vds: Vec<f64> = (0..64).map(|i| -0.02 - 0.0005 * f64::from(i)).collect();
    c.bench_function("compose", |b| {
        let mut k = 0usize;
        b.iter(|| {
            k = (k + 1) & 63;
            black_box(compose(black_box(vds[k]), &f, 1.25, black_box(25000.0), &cfg))
        });
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
