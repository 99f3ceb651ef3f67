//! A sink that keeps the engine's trade events (as BLUE's JSON lines) for the monitor.

use std::io;

use violet_engine::Sink;
use violet_engine::decision::DecisionRecord;
use violet_engine::execution::{OrderUpdate, TradeEvent, UpdateKind};

/// Trade events since the last drain.
#[derive(Debug, Default)]
pub struct TradeCapture {
    lines: Vec<String>,
    /// Order intents refused by the observe-only guard.
    pub refused: u64,
}

impl TradeCapture {
    /// Take the captured lines.
    pub fn drain(&mut self) -> std::vec::Drain<'_, String> {
        self.lines.drain(..)
    }
}

impl Sink for TradeCapture {
    fn decision(&mut self, _: &DecisionRecord<'_>) -> io::Result<()> {
        Ok(())
    }

    fn order(&mut self, u: &OrderUpdate) -> io::Result<()> {
        self.refused += u64::from(u.kind == UpdateKind::ObserveOnly);
        Ok(())
    }

    fn trade(&mut self, event: &TradeEvent) -> io::Result<()> {
        let mut s = String::with_capacity(512);
        event.write_json(&mut s);
        self.lines.push(s);
        Ok(())
    }
}
