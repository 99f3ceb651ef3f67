//! How trades end under two configurations: the distribution of exit reasons (TP, SL,
//! max hold, signal reversal) for BLUE's constants and for a tighter stop-loss, on one
//! stream decoded once.
//!
//! `cargo run --release -p violet-sim --example exit_reasons [STREAM]` (default: the
//! fixture stream `small-b`).

use std::collections::BTreeMap;
use std::io;

use violet_domain::config::BlueConfig;
use violet_engine::Sink;
use violet_engine::decision::DecisionRecord;
use violet_engine::execution::TradeEvent;
use violet_sim::{DecodedStream, SimConfig, simulate_with};

/// Counts exits by reason, with their pnl.
#[derive(Default)]
struct Reasons(BTreeMap<&'static str, (u64, f64)>);

impl Sink for Reasons {
    fn decision(&mut self, _: &DecisionRecord<'_>) -> io::Result<()> {
        Ok(())
    }

    fn trade(&mut self, t: &TradeEvent) -> io::Result<()> {
        if let TradeEvent::Exit(x) = t {
            let e = self.0.entry(x.reason.as_str()).or_default();
            e.0 += 1;
            e.1 += x.pnl;
        }
        Ok(())
    }
}

fn main() -> io::Result<()> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/streams/small-b.jsonl").to_string());
    let bytes = std::fs::read(&path)?;
    let stream = DecodedStream::decode(&bytes, 0);
    let blue = SimConfig::default();
    let tight = SimConfig { cfg: BlueConfig { sl_pct: 0.008, ..BlueConfig::default() }, ..SimConfig::default() };
    for (name, config) in [("BLUE's constants", &blue), ("sl_pct = 0.008", &tight)] {
        let mut reasons = Reasons::default();
        let summary = simulate_with(config, &stream, &mut reasons)?;
        println!("{name}: {} exits, final capital {:.2}", summary.exits, summary.capital);
        for (reason, (n, pnl)) in &reasons.0 {
            println!("  {reason:<16} {n:>4}  pnl {pnl:>10.2}");
        }
    }
    Ok(())
}
