//! The entry decision (BLUE's `Trader.decide`).

use violet_alpha::{Pick, select};
use violet_domain::config::BlueConfig;
use violet_domain::event::{Factors, Scan};
use violet_domain::types::{Action, DecisionReason, Posture};
use violet_sizing::{SizingBreakdown, compose, dc_lev_mult};

/// The entry decision for one scan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decision<'s> {
    /// ENTER or NO_ENTRY.
    pub action: Action,
    /// Why (first match wins, in BLUE's order).
    pub reason: DecisionReason,
    /// The selected asset, when entering.
    pub pick: Option<Pick<'s>>,
    /// The full sizing, when entering.
    pub sizing: Option<SizingBreakdown>,
}

impl Decision<'_> {
    fn no_entry(reason: DecisionReason) -> Self {
        Self { action: Action::NoEntry, reason, pick: None, sizing: None }
    }
}

/// Decide on `scan` with the current factors, flat run and capital. Slot-independent: the
/// execution layer decides whether a free slot takes it.
#[must_use]
pub fn decide<'s>(scan: &'s Scan<'_>, f: &Factors, flat_run: i64, capital: f64, cfg: &BlueConfig) -> Decision<'s> {
    decide_with(scan.vel_div.into_inner(), f, flat_run, capital, cfg, || select(&scan.assets, cfg))
}

/// [`decide`] with the selector's pick given by `pick` (called only when every earlier
/// rule passed, as BLUE calls its selector): a research tool that has already selected
/// each scan's asset decides through the same rules, in the same order.
#[inline]
#[must_use]
pub fn decide_with<'s>(
    vel_div: f64,
    f: &Factors,
    flat_run: i64,
    capital: f64,
    cfg: &BlueConfig,
    pick: impl FnOnce() -> Option<Pick<'s>>,
) -> Decision<'s> {
    if f.posture == Posture::Hibernate {
        return Decision::no_entry(DecisionReason::PostureHibernate);
    }
    if vel_div.abs() > cfg.vel_div_abs_limit {
        return Decision::no_entry(DecisionReason::VelDivOutOfRange);
    }
    if flat_run >= cfg.flat_scans_max {
        return Decision::no_entry(DecisionReason::VelDivFlat);
    }
    if !(vel_div < cfg.vel_div_threshold) {
        return Decision::no_entry(DecisionReason::NoSignal);
    }
    let Some(dc) = dc_lev_mult(f.dc_status, cfg) else {
        return Decision::no_entry(DecisionReason::DcContradict);
    };
    let Some(pick) = pick() else {
        return Decision::no_entry(DecisionReason::NoEligibleAsset);
    };
    let sizing = compose(vel_div, f, dc, capital, cfg);
    Decision { action: Action::Enter, reason: DecisionReason::Signal, pick: Some(pick), sizing: Some(sizing) }
}
