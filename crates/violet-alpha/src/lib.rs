//! # violet-alpha
//!
//! BLUE's alpha kernels, transcribed operation for operation from `blue/selector.py`,
//! `blue/sizer.py` and `blue/exit_v7.py` (same evaluation order, Python's `min`/`max` and
//! `**`). Pure functions of their inputs and a [`BlueConfig`](violet_domain::config::BlueConfig);
//! parity with BLUE is proven by `cargo xtask gate kernels` and the golden vectors.

pub mod exit;
pub mod selector;
pub mod sizer;

pub use exit::{ExitCheck, Position, evaluate};
pub use selector::{Pick, STABLECOIN_SYMBOLS, is_stablecoin, select};
pub use sizer::{base_leverage, signal_strength};
