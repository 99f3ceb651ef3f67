//! Positions, balance, leverage and position mode.

use serde_json::Value;

use super::value::{Object, WireError, decimal, flag, int, object, required_decimal, text};
use crate::symbol::Symbol;

/// Which side of a position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PositionSide {
    /// LONG.
    Long,
    /// SHORT.
    Short,
    /// BOTH (one-way mode).
    Both,
}

impl PositionSide {
    /// BingX's spelling.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Long => "LONG",
            Self::Short => "SHORT",
            Self::Both => "BOTH",
        }
    }

    /// From BingX's spelling.
    ///
    /// # Errors
    /// [`WireError`] for anything else.
    pub fn parse(s: &str) -> Result<Self, WireError> {
        match s.to_ascii_uppercase().as_str() {
            "LONG" => Ok(Self::Long),
            "SHORT" => Ok(Self::Short),
            "BOTH" => Ok(Self::Both),
            other => Err(WireError::new("positionSide", format!("unknown position side {other:?}"))),
        }
    }
}

/// A position row.
#[derive(Debug, Clone, PartialEq)]
pub struct WirePosition {
    /// The symbol.
    pub symbol: Symbol,
    /// The side as reported.
    pub side: PositionSide,
    /// Signed quantity: negative is short (a SHORT row's amount, or a negative amount).
    pub quantity: f64,
    /// Average entry price.
    pub avg_price: f64,
}

impl WirePosition {
    /// One row.
    ///
    /// # Errors
    /// [`WireError`] naming the field.
    pub fn parse(row: &Value) -> Result<Self, WireError> {
        let o = object(row, "position")?;
        let name = text(o, &["symbol"]).ok_or_else(|| WireError::new("symbol", "missing"))?;
        let symbol = Symbol::from_venue(&name).map_err(|e| WireError::new("symbol", e.to_string()))?;
        let side = PositionSide::parse(&text(o, &["positionSide"]).unwrap_or_else(|| "BOTH".into()))?;
        let amount = required_decimal(o, &["positionAmt"])?;
        // Hedge mode reports a SHORT's amount as a positive number with side SHORT; one-way
        // mode signs the amount.
        let quantity = match side {
            PositionSide::Short => -amount.abs(),
            PositionSide::Long | PositionSide::Both => amount,
        };
        Ok(Self { symbol, side, quantity, avg_price: decimal(o, &["avgPrice", "entryPrice"])?.unwrap_or(0.0) })
    }
}

/// The balance object: `data.balance` (or `data` itself, or the first row of a list), its
/// asset USDT or VST.
fn balance_object(data: &Value) -> Result<&Object, WireError> {
    let v = match data {
        Value::Array(rows) => rows.first().ok_or_else(|| WireError::new("balance", "empty list"))?,
        other => other,
    };
    let o = object(v, "data")?;
    let o = match o.get("balance") {
        Some(inner @ Value::Object(_)) => object(inner, "balance")?,
        _ => o,
    };
    let asset = text(o, &["asset"]).unwrap_or_default();
    if !matches!(asset.as_str(), "USDT" | "VST" | "") {
        return Err(WireError::new("asset", format!("expected USDT or VST, found {asset:?}")));
    }
    Ok(o)
}

/// The balance (`data.balance.balance`).
///
/// # Errors
/// [`WireError`] naming the field; an asset other than USDT or VST.
pub fn balance(data: &Value) -> Result<f64, WireError> {
    required_decimal(balance_object(data)?, &["balance"])
}

/// The available margin (`data.balance.availableMargin`): what a new position can still use.
///
/// # Errors
/// [`WireError`] naming the field; an asset other than USDT or VST.
pub fn available_margin(data: &Value) -> Result<f64, WireError> {
    required_decimal(balance_object(data)?, &["availableMargin"])
}

/// `positionSide/dual`'s `dualSidePosition`: true is hedge mode.
///
/// # Errors
/// [`WireError`].
pub fn dual_side(data: &Value) -> Result<bool, WireError> {
    flag(object(data, "data")?, &["dualSidePosition"])?.ok_or_else(|| WireError::new("dualSidePosition", "missing"))
}

/// `trade/leverage`'s long and short leverage.
///
/// # Errors
/// [`WireError`].
pub fn leverage(data: &Value, side: PositionSide) -> Result<i64, WireError> {
    let o = object(data, "data")?;
    match side {
        PositionSide::Short => int(o, &["shortLeverage", "leverage"]),
        PositionSide::Long | PositionSide::Both => int(o, &["longLeverage", "leverage"]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(s: &str) -> Value {
        serde_json::from_str(s).expect("json")
    }

    #[test]
    fn hedge_shorts_are_negative_and_one_way_amounts_keep_their_sign() {
        let p = WirePosition::parse(&json(
            r#"{"symbol":"BTC-USDT","positionSide":"SHORT","positionAmt":"0.5","avgPrice":"40000"}"#,
        ))
        .expect("short");
        assert_eq!((p.symbol.violet(), p.quantity, p.avg_price), ("BTCUSDT", -0.5, 40000.0));
        let p = WirePosition::parse(&json(
            r#"{"symbol":"ETH-USDT","positionSide":"BOTH","positionAmt":-2,"avgPrice":3000}"#,
        ))
        .expect("both");
        assert_eq!(p.quantity, -2.0);
    }

    #[test]
    fn balance_in_usdt_or_vst() {
        assert_eq!(balance(&json(r#"{"balance":{"asset":"VST","balance":"100000.5"}}"#)), Ok(100_000.5));
        assert_eq!(balance(&json(r#"[{"asset":"USDT","balance":12}]"#)), Ok(12.0));
        assert!(balance(&json(r#"{"balance":{"asset":"BTC","balance":"1"}}"#)).is_err());
        assert_eq!(dual_side(&json(r#"{"dualSidePosition":"true"}"#)), Ok(true));
        assert_eq!(leverage(&json(r#"{"longLeverage":5,"shortLeverage":"7"}"#), PositionSide::Short), Ok(7));
    }
}
