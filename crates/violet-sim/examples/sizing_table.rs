//! The sizing breakdown of every entry in a stream, as a table: which of BLUE's factors
//! made each position the size it was.
//!
//! `cargo run --release -p violet-sim --example sizing_table [STREAM]` (default: the
//! fixture stream `small-a`).

use std::io;

use violet_engine::Sink;
use violet_engine::decision::DecisionRecord;
use violet_engine::execution::TradeEvent;
use violet_sim::{DecodedStream, SimConfig, simulate_with};

/// Prints a row per ENTRY.
struct Table;

impl Sink for Table {
    fn decision(&mut self, _: &DecisionRecord<'_>) -> io::Result<()> {
        Ok(())
    }

    fn trade(&mut self, t: &TradeEvent) -> io::Result<()> {
        if let TradeEvent::Entry(e) = t {
            let s = &e.sizing;
            println!(
                "{:>6} {:>6} {:<10} {:>9.4} {:>7.4} {:>6.3} {:>6.3} {:>6.3} {:>6.3} {:>7.4} {:>6.3} {:>10.2}",
                e.trade_id,
                e.scan_number,
                e.symbol.as_ref() as &str,
                s.strength,
                s.base_leverage,
                s.dc_lev_mult,
                s.regime_size_mult,
                s.market_ob_mult,
                s.esof_mult,
                s.leverage,
                s.fraction,
                s.notional
            );
        }
        Ok(())
    }
}

fn main() -> io::Result<()> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/streams/small-a.jsonl").to_string());
    let bytes = std::fs::read(&path)?;
    let stream = DecodedStream::decode(&bytes, 0);
    println!(
        "{:>6} {:>6} {:<10} {:>9} {:>7} {:>6} {:>6} {:>6} {:>6} {:>7} {:>6} {:>10}",
        "trade", "scan", "symbol", "strength", "base", "dc", "regime", "ob", "esof", "lev", "frac", "notional"
    );
    let summary = simulate_with(&SimConfig::default(), &stream, &mut Table)?;
    eprintln!("{} entries on {} scans; final capital {}", summary.entries, summary.scans, summary.capital);
    Ok(())
}
