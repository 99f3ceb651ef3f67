//! `quote/contracts` rows as the L3 contract specs.

use serde_json::Value;
use violet_leverage::{Contract, MaxLeverage, QuantityPrecision};

use super::value::{WireError, decimal, flag, int, object, text};
use crate::symbol::Symbol;

/// One perpetual contract as BingX publishes it.
#[derive(Debug, Clone, PartialEq)]
pub struct ContractSpec {
    /// The symbol.
    pub symbol: Symbol,
    /// L3's view: quantity step 10^-quantityPrecision, minimum quantity and notional, and
    /// the SHORT side's leverage cap (VIOLET trades SHORT).
    pub contract: Contract,
    /// Whether it can be traded through the API now (`status` 1 and `apiStateOpen`).
    pub tradable: bool,
    /// The taker fee rate, when published.
    pub taker_fee_rate: Option<f64>,
}

impl ContractSpec {
    /// One row.
    ///
    /// # Errors
    /// [`WireError`] naming the field (a precision out of 0..=22, a leverage out of 1..=125).
    pub fn parse(row: &Value) -> Result<Self, WireError> {
        let o = object(row, "contract")?;
        let name = text(o, &["symbol"]).ok_or_else(|| WireError::new("symbol", "missing"))?;
        let symbol = Symbol::from_venue(&name).map_err(|e| WireError::new("symbol", e.to_string()))?;
        let qp = int(o, &["quantityPrecision"])?;
        let quantity_precision = QuantityPrecision::try_new(qp)
            .map_err(|_| WireError::new("quantityPrecision", format!("{qp} not in 0..=22")))?;
        let max = int(o, &["maxShortLeverage", "maxLongLeverage"]).unwrap_or(1);
        let max_leverage = MaxLeverage::try_new(max)
            .map_err(|_| WireError::new("maxShortLeverage", format!("{max} not in 1..=125")))?;
        let min_qty = decimal(o, &["tradeMinQuantity"])?.unwrap_or(0.0);
        let min_notional = decimal(o, &["tradeMinUSDT"])?.unwrap_or(0.0);
        if min_qty < 0.0 || min_notional < 0.0 {
            return Err(WireError::new("tradeMinQuantity", "negative minimum"));
        }
        let online = int(o, &["status"]).is_ok_and(|s| s == 1);
        let api_open = flag(o, &["apiStateOpen"])?.unwrap_or(true);
        Ok(Self {
            symbol,
            contract: Contract { quantity_precision, min_qty, min_notional, max_leverage },
            tradable: online && api_open,
            taker_fee_rate: decimal(o, &["takerFeeRate"])?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_becomes_the_l3_spec() {
        let row: Value = serde_json::from_str(
            r#"{"symbol":"BTC-USDT","quantityPrecision":"4","pricePrecision":1,"tradeMinQuantity":"0.0001","tradeMinUSDT":"2","maxLongLeverage":150,"maxShortLeverage":125,"takerFeeRate":0.0005,"status":1,"apiStateOpen":"true","apiStateClose":"true"}"#,
        )
        .expect("json");
        let c = ContractSpec::parse(&row).expect("spec");
        assert_eq!(c.symbol.violet(), "BTCUSDT");
        assert_eq!(c.contract.quantity_precision.into_inner(), 4);
        assert_eq!(c.contract.max_leverage.into_inner(), 125);
        assert_eq!((c.contract.min_qty, c.contract.min_notional, c.tradable), (0.0001, 2.0, true));
        let closed: Value =
            serde_json::from_str(r#"{"symbol":"X-USDT","quantityPrecision":0,"maxShortLeverage":5,"status":0}"#)
                .expect("json");
        assert!(!ContractSpec::parse(&closed).expect("spec").tradable);
        let bad: Value = serde_json::from_str(r#"{"symbol":"X-USDT","quantityPrecision":30}"#).expect("json");
        assert_eq!(ContractSpec::parse(&bad).expect_err("bad").field, "quantityPrecision");
    }
}
