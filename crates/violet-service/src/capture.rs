//! A sink that keeps the engine's trade events (as BLUE's JSON lines) for the monitor.

use std::io;

use violet_engine::Sink;
use violet_engine::decision::DecisionRecord;
use violet_engine::execution::TradeEvent;

/// An exit's realized pnl, for the daily loss limit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Realized {
    /// The trade.
    pub trade_id: u64,
    /// The exit's event time.
    pub ts_ns: i64,
    /// Its pnl (quote).
    pub pnl: f64,
}

/// Trade events since the last drain.
#[derive(Debug, Default)]
pub struct TradeCapture {
    lines: Vec<String>,
    exits: Vec<Realized>,
}

impl TradeCapture {
    /// Take the captured lines.
    pub fn drain(&mut self) -> std::vec::Drain<'_, String> {
        self.lines.drain(..)
    }

    /// Take the exits' realized pnl.
    pub fn drain_exits(&mut self) -> std::vec::Drain<'_, Realized> {
        self.exits.drain(..)
    }
}

impl Sink for TradeCapture {
    fn decision(&mut self, _: &DecisionRecord<'_>) -> io::Result<()> {
        Ok(())
    }

    fn trade(&mut self, event: &TradeEvent) -> io::Result<()> {
        if let TradeEvent::Exit(e) = event {
            self.exits.push(Realized { trade_id: e.trade_id, ts_ns: e.ts_ns, pnl: e.pnl });
        }
        let mut s = String::with_capacity(512);
        event.write_json(&mut s);
        self.lines.push(s);
        Ok(())
    }
}
