//! One simulation: the engine on a decoded stream.

use violet_clock::{CadencePlan, TestClock};
use violet_domain::config::BlueConfig;
use violet_engine::replay::ReplaySummary;
use violet_engine::{Engine, Sink};

use crate::stats::TradeStats;
use crate::stream::DecodedStream;

/// What a simulation runs with.
#[derive(Debug, Clone, Default)]
pub struct SimConfig {
    /// BLUE's constants.
    pub cfg: BlueConfig,
    /// The cadence plan (default: BLUE's, all scan).
    pub plan: CadencePlan,
    /// Slots sharing the capital (0 or 1: one, BLUE).
    pub n_slots: usize,
}

/// What a simulation did.
#[derive(Debug, Clone, PartialEq)]
pub struct SimResult {
    /// `violet replay`'s summary of the same stream and configuration.
    pub summary: ReplaySummary,
    /// The trades' metrics.
    pub stats: TradeStats,
}

/// Run BLUE's engine over `stream` with `config` and BLUE's fill (the instant venue), as
/// `violet replay` does: its summary is replay's, to the bit.
///
/// Under BLUE's cadence with one slot the run walks the stream's [`Columns`](crate::Columns)
/// (the engine's rules on what each scan offers them, without the engine's tickets and
/// events); any other plan or several slots run the engine itself, event by event on a
/// `TestClock` ([`simulate_engine`]).
#[must_use]
pub fn simulate(config: &SimConfig, stream: &DecodedStream<'_>) -> SimResult {
    if crate::fast::eligible(config) {
        crate::fast::run(config, stream.columns(), stream.events(), stream.counts())
    } else {
        simulate_engine(config, stream)
    }
}

/// [`simulate`] on the engine itself, whatever the configuration: each event on a
/// `TestClock` advanced to its timestamp, as `violet replay` does.
#[must_use]
pub fn simulate_engine(config: &SimConfig, stream: &DecodedStream<'_>) -> SimResult {
    let mut stats = TradeStats::new(config.cfg.initial_capital, config.cfg.fee_rate);
    // The stats sink does no I/O: it cannot fail.
    let summary = simulate_with(config, stream, &mut stats).unwrap_or_else(|e| unreachable!("TradeStats: {e}"));
    SimResult { summary, stats }
}

/// As [`simulate`], every decision and trade event handed to `sink` (a research tool's own
/// tables: the sizing of each entry, the exit reasons, ...).
///
/// # Errors
/// The sink's error; the run stops at it.
pub fn simulate_with(
    config: &SimConfig,
    stream: &DecodedStream<'_>,
    sink: &mut impl Sink,
) -> std::io::Result<ReplaySummary> {
    let mut engine = Engine::new(config.cfg.clone(), config.plan, TestClock::new(i64::MIN))
        .with_slots(config.n_slots.max(1))
        .with_namespace("sim");
    for ev in stream.events() {
        engine.clock().advance_to(ev.ts_ns());
        engine.on_event(ev, sink)?;
    }
    Ok(ReplaySummary::of(stream.counts(), &engine))
}
