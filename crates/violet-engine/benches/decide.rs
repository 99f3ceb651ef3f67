//! Criterion bench of the decision path per scan, decoding excluded: factors, exit v7, the
//! entry decision (selector + compose) and the slot's bookkeeping, over the 400 scans of
//! 50 assets in `fixtures/streams/small-b.jsonl` (target: <= 1 µs per scan).
//!
//! `cargo bench -p violet-engine --bench decide`

#![allow(missing_docs)]

use std::io;

use criterion::{BatchSize, Criterion, Throughput, black_box, criterion_group, criterion_main};
use violet_clock::{CadencePlan, TestClock};
use violet_domain::config::BlueConfig;
use violet_domain::event::{Event, EventStream};
use violet_engine::decision::DecisionRecord;
use violet_engine::execution::TradeEvent;
use violet_engine::{Engine, Sink};

struct Discard;

impl Sink for Discard {
    fn decision(&mut self, r: &DecisionRecord<'_>) -> io::Result<()> {
        black_box(r);
        Ok(())
    }
    fn trade(&mut self, t: &TradeEvent) -> io::Result<()> {
        black_box(t);
        Ok(())
    }
}

const STREAM: &str = include_str!("../../../fixtures/streams/small-b.jsonl");

fn bench(c: &mut Criterion) {
    let mut stream = EventStream::new();
    let events: Vec<Event<'_>> = STREAM.lines().filter_map(|l| stream.next_line(l.as_bytes()).ok().flatten()).collect();
    let scans = events.iter().filter(|e| matches!(e, Event::Scan(_))).count() as u64;
    let mut g = c.benchmark_group("decision path");
    g.throughput(Throughput::Elements(scans));
    g.bench_function("400 scans x 50 assets (per element = per scan)", |b| {
        b.iter_batched_ref(
            || Engine::new(BlueConfig::default(), CadencePlan::default(), TestClock::new(0)),
            |engine| {
                for ev in &events {
                    engine.on_event(ev, &mut Discard).unwrap_or_else(|e| panic!("{e}"));
                }
            },
            BatchSize::SmallInput,
        );
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
