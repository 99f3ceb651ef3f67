//! The factor folds: direction confirmation, order-book consensus, EsoF.

use violet_domain::config::BlueConfig;
use violet_domain::types::DcStatus;

/// Direction-confirmation boost; `None` means the entry is vetoed (CONTRADICT).
#[inline]
#[must_use]
pub fn dc_lev_mult(dc: DcStatus, cfg: &BlueConfig) -> Option<f64> {
    match dc {
        DcStatus::Confirm => Some(cfg.dc_boost),
        DcStatus::Neutral => Some(1.0),
        DcStatus::Contradict => None,
    }
}

/// `1 + ob_gain * ob_consensus`.
#[inline]
#[must_use]
pub fn market_ob_mult(ob_consensus: f64, cfg: &BlueConfig) -> f64 {
    1.0 + cfg.ob_gain * ob_consensus
}

/// `esof_defensive_mult` below the floor, else `1 + esof_gain * esof_score`.
#[inline]
#[must_use]
pub fn esof_mult(esof_score: f64, cfg: &BlueConfig) -> f64 {
    if esof_score < cfg.esof_floor { cfg.esof_defensive_mult } else { 1.0 + cfg.esof_gain * esof_score }
}
