//! A stream decoded once.

use std::sync::OnceLock;

use violet_domain::event::{Event, EventStream, StreamCounts};
use violet_domain::json::{ParseOptions, Parser};
use violet_engine::replay::decode_lines;

use crate::columns::Columns;

/// The accepted events of a stream, in order, borrowing its bytes, and its counts (scans,
/// ticks, factors, rejected lines). Decoding and sequencing are `violet replay`'s own
/// (`violet_engine::replay::decode_lines`, then `EventStream::accept` in line order): the
/// same lines are accepted and rejected.
#[derive(Debug)]
pub struct DecodedStream<'a> {
    events: Vec<Event<'a>>,
    counts: StreamCounts,
    columns: OnceLock<Columns>,
    /// The threads it was decoded on: its columns are built on as many.
    threads: usize,
}

/// The lines of `bytes`, as `violet replay` splits them (none for no bytes).
fn lines(bytes: &[u8]) -> Vec<&[u8]> {
    if bytes.is_empty() { Vec::new() } else { violet_engine::replay::split_lines(bytes) }
}

impl<'a> DecodedStream<'a> {
    /// Decode `bytes` (JSON lines) on `threads` threads (0: one per core).
    #[must_use]
    pub fn decode(bytes: &'a [u8], threads: usize) -> Self {
        let threads = crate::threads::resolve(threads);
        let lines = lines(bytes);
        let mut parsers: Vec<Parser> = (0..threads).map(|_| Parser::new(ParseOptions::default())).collect();
        let decoded = decode_lines(&lines, 0, &mut parsers);
        let mut stream = EventStream::new();
        let mut events = Vec::with_capacity(lines.len());
        for (k, d) in decoded.into_iter().enumerate() {
            stream.set_line(k as u64 + 1);
            if let Ok(Some(ev)) = stream.accept(d) {
                events.push(ev);
            }
        }
        Self { events, counts: stream.counts(), columns: OnceLock::new(), threads }
    }

    /// The accepted events, in order.
    #[must_use]
    pub fn events(&self) -> &[Event<'a>] {
        &self.events
    }

    /// The scans in columns (what a run under BLUE's cadence reads), built on first use:
    /// once, whichever thread asks first, on as many threads as the stream was decoded on.
    #[must_use]
    pub fn columns(&self) -> &Columns {
        self.columns.get_or_init(|| Columns::of(&self.events, self.threads))
    }

    /// Scans, ticks, factor snapshots and rejected lines.
    #[must_use]
    pub fn counts(&self) -> StreamCounts {
        self.counts
    }
}
