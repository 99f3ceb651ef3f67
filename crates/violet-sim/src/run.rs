//! One simulation: the engine on a decoded stream.

use violet_clock::{CadencePlan, TestClock};
use violet_domain::config::BlueConfig;
use violet_engine::Engine;
use violet_engine::replay::ReplaySummary;

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

/// Run the engine over `stream` with `config` and BLUE's fill (the instant venue): each
/// event on a `TestClock` advanced to its timestamp, as `violet replay` does.
#[must_use]
pub fn simulate(config: &SimConfig, stream: &DecodedStream<'_>) -> SimResult {
    let n_slots = config.n_slots.max(1);
    let mut engine = Engine::new(config.cfg.clone(), config.plan, TestClock::new(i64::MIN))
        .with_slots(n_slots)
        .with_namespace("sim");
    let mut stats = TradeStats::new(config.cfg.initial_capital, config.cfg.fee_rate);
    for ev in stream.events() {
        engine.clock().advance_to(ev.ts_ns());
        // The stats sink does no I/O: it cannot fail.
        let _ = engine.on_event(ev, &mut stats);
    }
    SimResult { summary: ReplaySummary::of(stream.counts(), &engine), stats }
}
