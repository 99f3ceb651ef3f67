//! `compose`: the authoritative sizing composition. Evaluation order is part of the contract.

use violet_alpha::sizer::{base_leverage_from_cube, signal_strength};
use violet_domain::config::BlueConfig;
use violet_domain::event::Factors;
use violet_domain::pymath::{py_cube, py_max, py_min};
use violet_domain::types::Posture;

use crate::breakdown::SizingBreakdown;
use crate::folds::{esof_mult, market_ob_mult};

/// Full sizing breakdown for one entry (BLUE's `orchestrator.compose`).
///
/// `dc_mult` is the direction-confirmation multiplier ([`dc_lev_mult`](crate::dc_lev_mult)
/// of the factors' status; the caller handles the CONTRADICT veto). BLUE computes `s ** 3`
/// twice; it is computed once here (same bits).
#[must_use]
pub fn compose(vel_div: f64, factors: &Factors, dc_mult: f64, capital: f64, cfg: &BlueConfig) -> SizingBreakdown {
    let s = signal_strength(vel_div, cfg);
    let s3 = py_cube(s);
    let base = base_leverage_from_cube(s3, cfg);
    let ob = market_ob_mult(factors.ob_consensus.into_inner(), cfg);
    let es = esof_mult(factors.esof_score.into_inner(), cfg);
    let regime =
        factors.acb_boost.into_inner() * (1.0 + factors.acb_beta.into_inner() * s3) * factors.mc_scale.into_inner();
    let raw = base * dc_mult * regime * ob * es;
    let mut clamped_max = py_min(cfg.base_max_leverage * regime * ob * es, cfg.abs_max_leverage);
    if factors.posture == Posture::Stalker {
        clamped_max = py_min(clamped_max, cfg.stalker_max_leverage);
    }
    let leverage = py_max(cfg.min_leverage, py_min(raw, clamped_max));
    let fraction = if factors.posture == Posture::Turtle {
        cfg.base_fraction * cfg.turtle_fraction_mult
    } else {
        cfg.base_fraction
    };
    let notional = capital * fraction * leverage;
    SizingBreakdown {
        strength: s,
        base_leverage: base,
        dc_lev_mult: dc_mult,
        regime_size_mult: regime,
        market_ob_mult: ob,
        esof_mult: es,
        raw_leverage: raw,
        clamped_max,
        leverage,
        fraction,
        notional,
    }
}
