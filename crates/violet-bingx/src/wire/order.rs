//! Order objects (place, query, cancel, open orders), in both shapes BingX has used: the
//! 2023–24 `data.order{...}` and the 2026 flat `data` carrying both `orderId`/`orderID` and
//! `clientOrderId`/`clientOrderID`.

use serde_json::Value;

use super::value::{Object, WireError, decimal, int, object, text};

/// An order's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderStatus {
    /// Accepted, not yet working (the 2026 place reply).
    Pending,
    /// Working, nothing filled.
    New,
    /// Part filled, still working.
    PartiallyFilled,
    /// Done: all filled.
    Filled,
    /// Done: cancelled (`CANCELED` or `CANCELLED`), maybe part filled.
    Cancelled,
    /// Done: expired or rejected by the venue.
    Expired,
}

impl OrderStatus {
    /// From BingX's spelling.
    ///
    /// # Errors
    /// [`WireError`] for a status not known here (never guessed).
    pub fn parse(s: &str) -> Result<Self, WireError> {
        Ok(match s.to_ascii_uppercase().as_str() {
            "PENDING" => Self::Pending,
            "NEW" => Self::New,
            "PARTIALLY_FILLED" => Self::PartiallyFilled,
            "FILLED" => Self::Filled,
            "CANCELED" | "CANCELLED" => Self::Cancelled,
            "EXPIRED" | "REJECTED" | "FAILED" => Self::Expired,
            other => return Err(WireError::new("status", format!("unknown order status {other:?}"))),
        })
    }

    /// Whether the venue still works the order.
    #[must_use]
    pub const fn is_open(self) -> bool {
        matches!(self, Self::Pending | Self::New | Self::PartiallyFilled)
    }

    /// BingX's spelling.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::New => "NEW",
            Self::PartiallyFilled => "PARTIALLY_FILLED",
            Self::Filled => "FILLED",
            Self::Cancelled => "CANCELLED",
            Self::Expired => "EXPIRED",
        }
    }
}

/// An order as BingX reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct WireOrder {
    /// The venue's id (int64).
    pub order_id: i64,
    /// `BTC-USDT`.
    pub symbol: String,
    /// The client id, lowercased by the server (empty when none).
    pub client_order_id: String,
    /// Status (`None` when the reply carries none, as the 2023–24 place reply).
    pub status: Option<OrderStatus>,
    /// Filled base quantity.
    pub executed_qty: f64,
    /// Average fill price (0 when nothing filled).
    pub avg_price: f64,
    /// Quantity asked.
    pub orig_qty: Option<f64>,
}

impl WireOrder {
    /// From an order object, or a `data` holding one under `order`.
    ///
    /// # Errors
    /// [`WireError`] naming the field.
    pub fn parse(data: &Value) -> Result<Self, WireError> {
        let o = object(data, "data")?;
        let o: &Object = match o.get("order") {
            Some(inner @ Value::Object(_)) => object(inner, "order")?,
            _ => o,
        };
        let status = match text(o, &["status"]) {
            Some(s) if !s.is_empty() => Some(OrderStatus::parse(&s)?),
            _ => None,
        };
        let executed_qty = decimal(o, &["executedQty"])?.unwrap_or(0.0);
        if executed_qty < 0.0 {
            return Err(WireError::new("executedQty", format!("{executed_qty} is negative")));
        }
        Ok(Self {
            order_id: int(o, &["orderId", "orderID"])?,
            symbol: text(o, &["symbol"]).unwrap_or_default(),
            client_order_id: text(o, &["clientOrderId", "clientOrderID"]).unwrap_or_default(),
            status,
            executed_qty,
            avg_price: decimal(o, &["avgPrice"])?.unwrap_or(0.0),
            orig_qty: decimal(o, &["origQty", "quantity"])?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_2024_nested_and_2026_flat_place_replies_both_read() {
        let old: Value = serde_json::from_str(
            r#"{"order":{"orderId":1735950529123455232,"symbol":"BTC-USDT","side":"SELL","positionSide":"SHORT","type":"MARKET","clientOrderID":"v00ab"}}"#,
        )
        .expect("json");
        let o = WireOrder::parse(&old).expect("old");
        assert_eq!((o.order_id, o.client_order_id.as_str(), o.status), (1_735_950_529_123_455_232, "v00ab", None));
        let new: Value = serde_json::from_str(
            r#"{"orderId":"1950000000000000001","orderID":"1950000000000000001","clientOrderID":"v1","clientOrderId":"v1","status":"PENDING","executedQty":"0.00","symbol":"BTC-USDT"}"#,
        )
        .expect("json");
        let o = WireOrder::parse(&new).expect("new");
        assert_eq!(
            (o.order_id, o.status, o.executed_qty),
            (1_950_000_000_000_000_001, Some(OrderStatus::Pending), 0.0)
        );
    }

    #[test]
    fn a_query_reply_gives_the_fill_and_unknown_statuses_are_refused() {
        let q: Value = serde_json::from_str(
            r#"{"order":{"orderId":7,"symbol":"BTC-USDT","status":"FILLED","executedQty":"0.0123","avgPrice":"43000.5","cumQuote":"528","commission":"","stopGuaranteed":"false","leverage":"5X"}}"#,
        )
        .expect("json");
        let o = WireOrder::parse(&q).expect("query");
        assert_eq!((o.status, o.executed_qty, o.avg_price), (Some(OrderStatus::Filled), 0.0123, 43000.5));
        assert_eq!(OrderStatus::parse("CANCELED"), Ok(OrderStatus::Cancelled));
        assert!(OrderStatus::parse("WORKING").is_err());
    }
}
