//! The replay loop: lines decoded on every core, decisions made in order on one.

use std::io::{self, Read};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, sync_channel};

use violet_clock::{CadencePlan, TestClock, UnixNanos};
use violet_domain::config::BlueConfig;
use violet_domain::event::{Event, EventStream, Rejection, decode_line};
use violet_domain::json::{ParseOptions, Parser};

use super::chunks::Chunks;
use super::summary::ReplaySummary;
use crate::engine::{Engine, Sink};
use crate::execution::{Booking, ExecutionPort, NoVenue};

/// What to replay with.
#[derive(Debug, Clone, Default)]
pub struct ReplayOptions {
    /// BLUE's constants.
    pub cfg: BlueConfig,
    /// The cadence plan (default: all scan, BLUE parity).
    pub plan: CadencePlan,
    /// Decoding threads (0: one per core). Decisions are always sequential.
    pub threads: usize,
    /// The namespace of client order ids (the run id).
    pub namespace: String,
    /// Slots sharing the capital (0 or 1: one, BLUE).
    pub n_slots: usize,
}

/// Bytes decoded per round: big enough to amortise the threads, small enough to stay in cache-ish memory.
const CHUNK: usize = 4 << 20;

type Decoded<'c> = Result<Option<Event<'c>>, Rejection>;

/// Replay `input` (JSON lines, split at LF) through the engine on a `TestClock` that
/// advances to each event's timestamp (never backwards). Lines are independent, so they
/// are decoded on every core while the engine applies the previous chunk's events strictly
/// in order on this thread. Rejections go to `on_reject`; `on_progress` is told the bytes
/// read so far after each chunk.
///
/// # Errors
/// An I/O error from the input or a sink.
pub fn replay<R: Read + Send, S: Sink>(
    input: R,
    opts: &ReplayOptions,
    sink: &mut S,
    on_reject: impl FnMut(&Rejection) -> io::Result<()>,
    on_progress: impl FnMut(u64),
) -> io::Result<ReplaySummary> {
    replay_with(input, opts, Box::new(NoVenue), Booking::Shadow, sink, on_reject, on_progress)
}

/// As [`replay`], every order sent through `port` (a simulated venue on the same
/// `TestClock`) and booked as `booking` says. Before each event, the venue's answers due by
/// its timestamp are applied in time order; at the end of the input, everything still
/// pending (answers, deadlines) is applied.
///
/// # Errors
/// An I/O error from the input or a sink.
pub fn replay_with<R: Read + Send, S: Sink>(
    input: R,
    opts: &ReplayOptions,
    port: Box<dyn ExecutionPort + Send>,
    booking: Booking,
    sink: &mut S,
    mut on_reject: impl FnMut(&Rejection) -> io::Result<()>,
    mut on_progress: impl FnMut(u64),
) -> io::Result<ReplaySummary> {
    let threads = match opts.threads {
        0 => std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        n => n,
    }
    .clamp(1, 16);
    let mut engine = Engine::new(opts.cfg.clone(), opts.plan, TestClock::new(i64::MIN))
        .with_slots(opts.n_slots.max(1))
        .with_port(port, booking)
        .with_namespace(if opts.namespace.is_empty() { "replay" } else { &opts.namespace });
    let mut stream = EventStream::new();
    let mut parsers: Vec<Parser> = (0..threads).map(|_| Parser::new(ParseOptions::default())).collect();
    if threads == 1 {
        // One thread in all: read inline.
        let mut chunks = Chunks::new(input, CHUNK);
        let fetch = |mut buf: Vec<u8>| -> io::Result<Option<Vec<u8>>> {
            Ok(if chunks.next_into(&mut buf)? { Some(buf) } else { None })
        };
        run_chunks(fetch, &mut parsers, &mut engine, &mut stream, sink, &mut on_reject, &mut on_progress)?;
        settle(&mut engine, sink)?;
        return Ok(ReplaySummary::of(stream.counts(), &engine));
    }
    // A reader thread fills chunk buffers ahead of use; used buffers come back to it.
    let (full_tx, full_rx) = sync_channel::<io::Result<Vec<u8>>>(1);
    let (empty_tx, empty_rx) = channel::<Vec<u8>>();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let mut chunks = Chunks::new(input, CHUNK);
            loop {
                let mut buf = empty_rx.try_recv().unwrap_or_else(|_| Vec::with_capacity(CHUNK + (1 << 16)));
                match chunks.next_into(&mut buf) {
                    Ok(true) => {
                        if full_tx.send(Ok(buf)).is_err() {
                            return;
                        }
                    }
                    Ok(false) => return,
                    Err(e) => {
                        let _ = full_tx.send(Err(e));
                        return;
                    }
                }
            }
        });
        let fetch = |used: Vec<u8>| -> io::Result<Option<Vec<u8>>> {
            let _ = empty_tx.send(used);
            match full_rx.recv() {
                Ok(Ok(b)) => Ok(Some(b)),
                Ok(Err(e)) => Err(e),
                Err(_) => Ok(None),
            }
        };
        let r = run_chunks(fetch, &mut parsers, &mut engine, &mut stream, sink, &mut on_reject, &mut on_progress);
        // Unblock the reader if we stopped early.
        drop(full_rx);
        r
    })?;
    settle(&mut engine, sink)?;
    Ok(ReplaySummary::of(stream.counts(), &engine))
}

/// Apply the venue's answers due by `t`, each at its own time.
fn catch_up<S: Sink>(engine: &mut Engine<TestClock>, t: UnixNanos, sink: &mut S) -> io::Result<()> {
    while let Some(due) = engine.next_due().filter(|&d| d <= t) {
        engine.clock().advance_to(due);
        engine.on_timers(sink)?;
    }
    Ok(())
}

/// The input has ended: apply everything still pending on the venue, in time order.
fn settle<S: Sink>(engine: &mut Engine<TestClock>, sink: &mut S) -> io::Result<()> {
    catch_up(engine, UnixNanos::MAX, sink)
}

/// Decode and apply chunks until `fetch` has no more.
fn run_chunks<S: Sink>(
    mut fetch: impl FnMut(Vec<u8>) -> io::Result<Option<Vec<u8>>>,
    parsers: &mut [Parser],
    engine: &mut Engine<TestClock>,
    stream: &mut EventStream,
    sink: &mut S,
    on_reject: &mut impl FnMut(&Rejection) -> io::Result<()>,
    on_progress: &mut impl FnMut(u64),
) -> io::Result<()> {
    let mut bytes = 0u64;
    let mut line_base = 0u64;
    let mut apply =
        |decoded: Vec<Decoded<'_>>, base: u64, engine: &mut Engine<TestClock>, sink: &mut S| -> io::Result<()> {
            for (k, d) in decoded.into_iter().enumerate() {
                stream.set_line(base + k as u64 + 1);
                match stream.accept(d) {
                    Err(r) => {
                        sink.rejection(&r)?;
                        on_reject(&r)?;
                    }
                    Ok(None) => {}
                    Ok(Some(ev)) => {
                        let ts = match &ev {
                            Event::Scan(s) => s.ts_ns.into_inner(),
                            Event::Tick(t) => t.ts_ns.into_inner(),
                            Event::Factors(f) => f.ts_ns.into_inner(),
                        };
                        catch_up(engine, UnixNanos::new(ts), sink)?;
                        engine.clock().advance_to(ts);
                        engine.on_event(&ev, sink)?;
                    }
                }
            }
            Ok(())
        };
    // Two buffers in turn: while the engine applies chunk A's events (borrowing A), the
    // other threads decode chunk B; then the roles swap. The engine's thread joins the
    // decoding as soon as it is done.
    let Some(mut buf_a) = fetch(Vec::new())? else { return Ok(()) };
    let mut buf_b: Vec<u8> = Vec::new();
    bytes += buf_a.len() as u64;
    let mut lines_a = split_lines(&buf_a);
    let mut dec_a = decode_overlapped(&lines_a, line_base, parsers, || Ok(()))?;
    let mut base_a = line_base;
    line_base += lines_a.len() as u64;
    on_progress(bytes);
    loop {
        let Some(next) = fetch(std::mem::take(&mut buf_b))? else {
            return apply(dec_a, base_a, engine, sink);
        };
        buf_b = next;
        bytes += buf_b.len() as u64;
        let lines_b = split_lines(&buf_b);
        let base_b = line_base;
        let mut pending = Some(dec_a);
        let dec_b = decode_overlapped(&lines_b, base_b, parsers, || {
            pending.take().map_or(Ok(()), |d| apply(d, base_a, engine, sink))
        })?;
        line_base += lines_b.len() as u64;
        on_progress(bytes);
        drop(lines_a);
        let Some(next) = fetch(std::mem::take(&mut buf_a))? else {
            return apply(dec_b, base_b, engine, sink);
        };
        buf_a = next;
        bytes += buf_a.len() as u64;
        lines_a = split_lines(&buf_a);
        base_a = line_base;
        let mut pending = Some(dec_b);
        dec_a = decode_overlapped(&lines_a, base_a, parsers, || {
            pending.take().map_or(Ok(()), |d| apply(d, base_b, engine, sink))
        })?;
        line_base += lines_a.len() as u64;
        on_progress(bytes);
        drop(lines_b);
    }
}

/// The lines of `chunk`, split at LF (a final LF ends the last line; the lines keep no LF).
#[must_use]
pub fn split_lines(chunk: &[u8]) -> Vec<&[u8]> {
    let body = chunk.strip_suffix(b"\n").unwrap_or(chunk);
    let mut lines = Vec::with_capacity(body.len() / 2048 + 16);
    let mut start = 0;
    for lf in memchr::memchr_iter(b'\n', body) {
        lines.push(&body[start..lf]);
        start = lf + 1;
    }
    lines.push(&body[start..]);
    lines
}

/// Decode `lines` (numbered from `base + 1`) on one thread per parser, in order: what a
/// replay does to each chunk, for callers that decode a whole stream at once.
///
/// # Panics
/// When `parsers` is empty.
#[must_use]
pub fn decode_lines<'c>(
    lines: &[&'c [u8]],
    base: u64,
    parsers: &mut [Parser],
) -> Vec<Result<Option<Event<'c>>, Rejection>> {
    decode_overlapped(lines, base, parsers, || Ok(())).unwrap_or_else(|e| unreachable!("nothing to run first: {e}"))
}

/// Lines per unit of decoding work handed out to threads.
const PIECE: usize = 32;

/// Decode `lines` (numbered from `base + 1`) on every parser's thread, in pieces taken from
/// a shared counter; this thread first runs `first` (the engine on the previous chunk),
/// then joins the decoding. Returns the decoded lines in order.
fn decode_overlapped<'c>(
    lines: &[&'c [u8]],
    base: u64,
    parsers: &mut [Parser],
    first: impl FnOnce() -> io::Result<()>,
) -> io::Result<Vec<Decoded<'c>>> {
    let pieces = lines.len().div_ceil(PIECE);
    let next = AtomicUsize::new(0);
    let work = |parser: &mut Parser| -> Vec<(usize, Vec<Decoded<'c>>)> {
        let mut out = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= pieces {
                return out;
            }
            let lo = i * PIECE;
            let part = &lines[lo..(lo + PIECE).min(lines.len())];
            let first_line = base + lo as u64 + 1;
            out.push((
                i,
                part.iter().enumerate().map(|(k, l)| decode_line(parser, first_line + k as u64, l)).collect(),
            ));
        }
    };
    let (mine, helpers) = parsers.split_first_mut().unwrap_or_else(|| unreachable!("at least one parser"));
    // The engine applies the previous chunk while the helpers decode this one, then this
    // thread joins the decoding.
    let (result, mut done) = std::thread::scope(|s| {
        let handles: Vec<_> = helpers.iter_mut().map(|p| s.spawn(|| work(p))).collect();
        let result = first();
        let mut done = work(mine);
        for h in handles {
            done.extend(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        }
        (result, done)
    });
    result?;
    done.sort_unstable_by_key(|(i, _)| *i);
    let mut out = Vec::with_capacity(lines.len());
    for (_, v) in done {
        out.extend(v);
    }
    Ok(out)
}
