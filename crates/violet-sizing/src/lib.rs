//! # violet-sizing
//!
//! BLUE's conviction (`blue/orchestrator.py`): the factor folds turn factor readings into
//! multipliers, and [`compose`] multiplies them onto the base cubic, returning a
//! [`SizingBreakdown`] with every term so each size is attributable factor by factor.

pub mod breakdown;
pub mod compose;
pub mod folds;

pub use breakdown::SizingBreakdown;
pub use compose::compose;
pub use folds::{dc_lev_mult, esof_mult, market_ob_mult};
