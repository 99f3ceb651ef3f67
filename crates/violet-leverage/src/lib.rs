//! # violet-leverage (L3)
//!
//! BLUE's `blue/leverage.py`: conviction leverage + notional + price + a contract spec →
//! exchange leverage, quantity, order notional, margin and a reject reason.

pub mod contract;
pub mod to_exchange;

pub use contract::{Contract, MaxLeverage, QuantityPrecision};
pub use to_exchange::{ExchangeOrder, L3Reject, QuantityOverflow, to_exchange};
