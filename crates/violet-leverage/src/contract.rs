//! A contract spec as the exchange publishes it, refined.

use nutype::nutype;
use serde::{Deserialize, Serialize};

/// Decimal places of the order quantity: 0..=22 (so `10**qp` is exact in f64).
#[nutype(
    validate(greater_or_equal = 0, less_or_equal = 22),
    derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Into, Display)
)]
pub struct QuantityPrecision(i64);

/// The exchange's leverage cap: 1..=125.
#[nutype(
    validate(greater_or_equal = 1, less_or_equal = 125),
    derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Into, Display)
)]
pub struct MaxLeverage(i64);

/// A contract spec (BLUE's `parse_contract` output): `min_qty` and `min_notional` finite
/// and >= 0 (validated by the reader, as BLUE's `_float` does).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Contract {
    /// Quantity decimals.
    pub quantity_precision: QuantityPrecision,
    /// Minimum quantity (coin).
    pub min_qty: f64,
    /// Minimum notional (quote).
    pub min_notional: f64,
    /// Leverage cap.
    pub max_leverage: MaxLeverage,
}
