//! A sink writing trade events and decisions as JSON lines.

use std::io::{self, Write};

use crate::decision::DecisionRecord;
use crate::engine::Sink;
use crate::execution::TradeEvent;

/// Writes trade events (BLUE's schema) and decisions as JSON lines; either may be absent.
pub struct WriterSink<'w> {
    trades: Option<Box<dyn Write + 'w>>,
    decisions: Option<Box<dyn Write + 'w>>,
    buf: String,
}

impl std::fmt::Debug for WriterSink<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriterSink")
            .field("trades", &self.trades.is_some())
            .field("decisions", &self.decisions.is_some())
            .finish()
    }
}

impl<'w> WriterSink<'w> {
    /// A sink writing to the given outputs.
    pub fn new(trades: Option<Box<dyn Write + 'w>>, decisions: Option<Box<dyn Write + 'w>>) -> Self {
        Self { trades, decisions, buf: String::with_capacity(1024) }
    }

    /// Flush both outputs.
    ///
    /// # Errors
    /// An output's I/O error.
    pub fn flush(&mut self) -> io::Result<()> {
        if let Some(t) = self.trades.as_mut() {
            t.flush()?;
        }
        if let Some(d) = self.decisions.as_mut() {
            d.flush()?;
        }
        Ok(())
    }
}

impl Sink for WriterSink<'_> {
    fn decision(&mut self, record: &DecisionRecord<'_>) -> io::Result<()> {
        let Some(w) = self.decisions.as_mut() else {
            return Ok(());
        };
        self.buf.clear();
        record.write_json(&mut self.buf);
        self.buf.push('\n');
        w.write_all(self.buf.as_bytes())
    }

    fn trade(&mut self, event: &TradeEvent) -> io::Result<()> {
        let Some(w) = self.trades.as_mut() else {
            return Ok(());
        };
        self.buf.clear();
        event.write_json(&mut self.buf);
        self.buf.push('\n');
        w.write_all(self.buf.as_bytes())
    }
}
