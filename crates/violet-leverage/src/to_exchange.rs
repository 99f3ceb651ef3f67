//! `to_exchange`: the L3 mapping, transcribed from `blue/leverage.py`.

use violet_domain::pymath::py_floor;

use crate::contract::Contract;

/// Why L3 refuses an order (BLUE's reject strings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum L3Reject {
    /// Quantity below the contract minimum.
    BelowMinQty,
    /// Order notional below the contract minimum.
    BelowMinNotional,
    /// Conviction leverage above the exchange cap.
    AboveMaxLeverage,
}

impl L3Reject {
    /// BLUE's string.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::BelowMinQty => "BELOW_MIN_QTY",
            Self::BelowMinNotional => "BELOW_MIN_NOTIONAL",
            Self::AboveMaxLeverage => "ABOVE_MAX_LEVERAGE",
        }
    }
}

/// The exchange order L3 maps a conviction to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExchangeOrder {
    /// `min(max(1, ceil(leverage)), max_leverage)`: an integer.
    pub exchange_leverage: i64,
    /// `floor(notional / price * 10**qp) / 10**qp`.
    pub quantity: f64,
    /// `quantity * price`.
    pub order_notional: f64,
    /// `order_notional / exchange_leverage`.
    pub margin: f64,
    /// The first failed check, if any.
    pub reject: Option<L3Reject>,
}

/// `notional / price * 10**qp` is infinite: Python's `math.floor` raises `OverflowError`
/// there, and BLUE's oracle refuses the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot convert float infinity to integer (notional / price * 10**quantity_precision overflows)")]
pub struct QuantityOverflow;

const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22,
];

/// Map `leverage > 0`, `notional >= 0`, `price > 0` (all finite) onto `contract`.
///
/// # Errors
/// [`QuantityOverflow`] when the unrounded quantity overflows to infinity.
pub fn to_exchange(
    leverage: f64,
    notional: f64,
    price: f64,
    contract: &Contract,
) -> Result<ExchangeOrder, QuantityOverflow> {
    let qp = contract.quantity_precision.into_inner();
    let max_lev = contract.max_leverage.into_inner();
    // 10**qp is exact in f64 for qp <= 22 (the refinement's bound).
    let scale = POW10[usize::try_from(qp).unwrap_or(0)];
    // min(max(1, ceil(leverage)), max_leverage), on exact integers.
    let c = leverage.ceil();
    let lifted = if c > 1.0 { c } else { 1.0 };
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)] // exact small integers
    let exchange_leverage = if (max_lev as f64) < lifted { max_lev } else { lifted as i64 };
    let x = notional / price * scale;
    if !x.is_finite() {
        return Err(QuantityOverflow);
    }
    // floor() is an exact integer and 10**qp too: int / int is the correctly rounded f64 quotient.
    let quantity = py_floor(x) / scale;
    let order_notional = quantity * price;
    #[allow(clippy::cast_precision_loss)] // 1..=125
    let margin = order_notional / exchange_leverage as f64;
    #[allow(clippy::cast_precision_loss)]
    let reject = if quantity < contract.min_qty {
        Some(L3Reject::BelowMinQty)
    } else if order_notional < contract.min_notional {
        Some(L3Reject::BelowMinNotional)
    } else if leverage > max_lev as f64 {
        Some(L3Reject::AboveMaxLeverage)
    } else {
        None
    };
    Ok(ExchangeOrder { exchange_leverage, quantity, order_notional, margin, reject })
}
