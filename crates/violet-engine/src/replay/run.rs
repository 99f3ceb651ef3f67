//! The replay loop.

use std::io::{self, BufRead};

use violet_clock::{CadencePlan, TestClock};
use violet_domain::config::BlueConfig;
use violet_domain::event::{Event, EventStream, Rejection};

use super::summary::ReplaySummary;
use crate::engine::{Engine, Sink};

/// What to replay with.
#[derive(Debug, Clone, Default)]
pub struct ReplayOptions {
    /// BLUE's constants.
    pub cfg: BlueConfig,
    /// The cadence plan (default: all scan, BLUE parity).
    pub plan: CadencePlan,
}

/// Replay `input` (JSON lines, split at LF) through the engine on a `TestClock` that
/// advances to each event's timestamp (never backwards). Rejections go to `on_reject`;
/// `on_progress` is told the bytes read so far every 64 MiB-ish of input.
///
/// # Errors
/// An I/O error from the input or a sink.
pub fn replay<R: BufRead, S: Sink>(
    mut input: R,
    opts: &ReplayOptions,
    sink: &mut S,
    mut on_reject: impl FnMut(&Rejection) -> io::Result<()>,
    mut on_progress: impl FnMut(u64),
) -> io::Result<ReplaySummary> {
    let mut engine = Engine::new(opts.cfg.clone(), opts.plan, TestClock::new(i64::MIN));
    let mut stream = EventStream::new();
    let mut buf = Vec::with_capacity(1 << 16);
    let mut bytes = 0u64;
    let mut next_progress = 1u64 << 24;
    loop {
        buf.clear();
        let n = input.read_until(b'\n', &mut buf)?;
        if n == 0 {
            break;
        }
        bytes += n as u64;
        if bytes >= next_progress {
            next_progress = bytes + (1 << 24);
            on_progress(bytes);
        }
        match stream.next_line(&buf) {
            Err(r) => on_reject(&r)?,
            Ok(None) => {}
            Ok(Some(ev)) => {
                let ts = match &ev {
                    Event::Scan(s) => s.ts_ns.into_inner(),
                    Event::Tick(t) => t.ts_ns.into_inner(),
                    Event::Factors(f) => f.ts_ns.into_inner(),
                };
                engine.clock().advance_to(ts);
                engine.on_event(&ev, sink)?;
            }
        }
    }
    let c = stream.counts();
    let e = engine.counts();
    Ok(ReplaySummary {
        scans: c.scans,
        ticks: c.ticks,
        rejected: c.rejected,
        capital: engine.capital(),
        entries: e.entries,
        exits: e.exits,
        decisions: e.decisions,
        cadence: opts.plan.to_string(),
        blue_parity: opts.plan.is_blue_parity(),
        open_trade: engine.slot().position().map(|p| p.trade_id),
    })
}
