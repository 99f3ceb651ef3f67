//! A stream decoded once.

use std::sync::atomic::{AtomicUsize, Ordering};

use violet_domain::event::{Event, EventStream, StreamCounts, decode_line};
use violet_domain::json::{ParseOptions, Parser};

/// Lines per unit of decoding work handed out to threads.
const PIECE: usize = 256;

/// The accepted events of a stream, in order, borrowing its bytes, and its counts (scans,
/// ticks, factors, rejected lines). Decoding and sequencing are those of `violet replay`
/// (`decode_line`, then `EventStream::accept` in line order): the same lines are accepted
/// and rejected.
#[derive(Debug)]
pub struct DecodedStream<'a> {
    events: Vec<Event<'a>>,
    counts: StreamCounts,
}

/// The lines of `bytes`, as `violet replay` splits them (none for no bytes).
fn lines(bytes: &[u8]) -> Vec<&[u8]> {
    if bytes.is_empty() { Vec::new() } else { violet_engine::replay::split_lines(bytes) }
}

impl<'a> DecodedStream<'a> {
    /// Decode `bytes` (JSON lines) on `threads` threads (0: one per core).
    #[must_use]
    pub fn decode(bytes: &'a [u8], threads: usize) -> Self {
        let threads = match threads {
            0 => std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
            n => n,
        }
        .clamp(1, 64);
        let lines = lines(bytes);
        let pieces = lines.len().div_ceil(PIECE);
        let next = AtomicUsize::new(0);
        let work = || {
            let mut parser = Parser::new(ParseOptions::default());
            let mut out = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= pieces {
                    return out;
                }
                let lo = i * PIECE;
                let part = &lines[lo..(lo + PIECE).min(lines.len())];
                let decoded: Vec<_> =
                    part.iter().enumerate().map(|(k, l)| decode_line(&mut parser, (lo + k) as u64 + 1, l)).collect();
                out.push((i, decoded));
            }
        };
        let mut parts: Vec<_> = std::thread::scope(|s| {
            let handles: Vec<_> = (1..threads).map(|_| s.spawn(work)).collect();
            let mut all = work();
            for h in handles {
                all.extend(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
            }
            all
        });
        parts.sort_unstable_by_key(|(i, _)| *i);
        let mut stream = EventStream::new();
        let mut events = Vec::with_capacity(lines.len());
        for (k, d) in parts.into_iter().flat_map(|(_, d)| d).enumerate() {
            stream.set_line(k as u64 + 1);
            if let Ok(Some(ev)) = stream.accept(d) {
                events.push(ev);
            }
        }
        Self { events, counts: stream.counts() }
    }

    /// The accepted events, in order.
    #[must_use]
    pub fn events(&self) -> &[Event<'a>] {
        &self.events
    }

    /// Scans, ticks, factor snapshots and rejected lines.
    #[must_use]
    pub fn counts(&self) -> StreamCounts {
        self.counts
    }
}
