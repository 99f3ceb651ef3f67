//! The simulated exchange's books: contracts, prices, orders, positions (hedge or one-way),
//! leverage and balance. MARKET orders fill at the price it was given.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};

use crate::auth::Refusal;

/// A contract the exchange lists.
#[derive(Debug, Clone, PartialEq)]
pub struct SimContract {
    /// Quantity decimals.
    pub quantity_precision: u32,
    /// Minimum quantity.
    pub min_qty: f64,
    /// Minimum notional.
    pub min_notional: f64,
    /// Leverage cap.
    pub max_leverage: i64,
    /// Taker fee rate.
    pub taker_fee: f64,
}

impl Default for SimContract {
    fn default() -> Self {
        Self { quantity_precision: 3, min_qty: 0.0, min_notional: 0.0, max_leverage: 50, taker_fee: 0.0005 }
    }
}

/// An order on the exchange.
#[derive(Debug, Clone, PartialEq)]
pub struct SimOrder {
    /// The exchange's id (above 2^53, as BingX's).
    pub order_id: i64,
    /// Lowercased, as BingX keeps it.
    pub client_order_id: String,
    /// `BTC-USDT`.
    pub symbol: String,
    /// BUY or SELL.
    pub side: String,
    /// LONG, SHORT or BOTH.
    pub position_side: String,
    /// Asked.
    pub orig_qty: f64,
    /// Filled.
    pub executed_qty: f64,
    /// Average fill price.
    pub avg_price: f64,
    /// NEW, PARTIALLY_FILLED, FILLED, CANCELLED.
    pub status: &'static str,
}

impl SimOrder {
    /// As BingX writes an order (decimals as strings, the id a bare int64).
    #[must_use]
    pub fn to_json(&self) -> Value {
        json!({
            "orderId": self.order_id,
            "symbol": self.symbol,
            "side": self.side,
            "positionSide": self.position_side,
            "type": "MARKET",
            "origQty": fmt(self.orig_qty),
            "executedQty": fmt(self.executed_qty),
            "avgPrice": fmt(self.avg_price),
            "cumQuote": fmt((self.executed_qty * self.avg_price).floor()),
            "status": self.status,
            "clientOrderId": self.client_order_id,
            "stopGuaranteed": "false",
            "leverage": "",
            "commission": "",
        })
    }
}

fn fmt(x: f64) -> String {
    x.to_string()
}

/// A position: quantity (hedge: >= 0 per side; one-way: signed) and average price.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SimPosition {
    /// Quantity.
    pub quantity: f64,
    /// Average entry price.
    pub avg_price: f64,
}

/// A decimal's text with the digits after the `precision`-th decimal dropped, parsed
/// (`"1.23456"`, 3 → 1.234); `None` when it is not a plain decimal.
fn cut_decimals(text: &str, precision: u32) -> Option<f64> {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    let ok = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !ok(int) || !ok(frac) {
        return None;
    }
    let keep = frac.len().min(usize::try_from(precision).unwrap_or(usize::MAX));
    format!("{int}.{}0", &frac[..keep]).parse().ok()
}

fn refuse(code: i64, message: impl Into<String>) -> Refusal {
    Refusal { code, message: message.into() }
}

/// The books.
#[derive(Debug)]
pub struct Exchange {
    /// Hedge (true) or one-way.
    pub dual_side: bool,
    /// Wallet balance (USDT).
    pub balance: f64,
    /// Listed contracts by `BTC-USDT`.
    pub contracts: BTreeMap<String, SimContract>,
    /// Prices by `BTC-USDT`.
    pub prices: HashMap<String, f64>,
    /// Every order, oldest first.
    pub orders: Vec<SimOrder>,
    /// Positions by (symbol, LONG/SHORT/BOTH).
    pub positions: BTreeMap<(String, String), SimPosition>,
    /// Leverage by (symbol, side).
    pub leverage: HashMap<(String, String), i64>,
    /// Set-leverage requests served.
    pub leverage_sets: u64,
    next_id: i64,
}

impl Exchange {
    /// An empty exchange.
    #[must_use]
    pub fn new(dual_side: bool, balance: f64, contracts: BTreeMap<String, SimContract>) -> Self {
        Self {
            dual_side,
            balance,
            contracts,
            prices: HashMap::new(),
            orders: Vec::new(),
            positions: BTreeMap::new(),
            leverage: HashMap::new(),
            leverage_sets: 0,
            next_id: 1_900_000_000_000_000_001,
        }
    }

    /// Orders placed under `client_order_id` (any case).
    #[must_use]
    pub fn orders_for(&self, client_order_id: &str) -> usize {
        self.orders.iter().filter(|o| o.client_order_id.eq_ignore_ascii_case(client_order_id)).count()
    }

    /// The latest order with this client id or order id.
    fn find(&self, symbol: &str, client_order_id: Option<&str>, order_id: Option<i64>) -> Option<usize> {
        self.orders.iter().rposition(|o| {
            o.symbol == symbol
                && (client_order_id.is_some_and(|c| o.client_order_id.eq_ignore_ascii_case(c))
                    || order_id.is_some_and(|i| o.order_id == i))
        })
    }

    fn leverage_of(&self, symbol: &str, side: &str) -> i64 {
        self.leverage.get(&(symbol.to_string(), side.to_string())).copied().unwrap_or(5)
    }

    /// What a new position can still use: the balance less the margin positions hold.
    #[must_use]
    pub fn available_margin(&self) -> f64 {
        self.balance - self.used_margin()
    }

    fn used_margin(&self) -> f64 {
        self.positions
            .iter()
            .map(|((s, side), p)| p.quantity.abs() * p.avg_price / self.leverage_of(s, side) as f64)
            .sum()
    }

    /// A position that appears from outside (another program, a manual trade).
    pub fn external_position(&mut self, symbol: &str, side: &str, quantity: f64, price: f64) {
        let key = (symbol.to_string(), side.to_string());
        let p = self.positions.entry(key).or_default();
        p.quantity += quantity;
        p.avg_price = price;
    }

    /// Place a MARKET order; `fraction` of it fills (1 unless a partial-fill fault).
    ///
    /// # Errors
    /// BingX's codes: unknown symbol or no price (109400), below minimum (101400/110425),
    /// insufficient funds (101204), nothing to close (109400).
    pub fn place(&mut self, p: &HashMap<String, String>, fraction: f64) -> Result<SimOrder, Refusal> {
        let get = |k: &str| p.get(k).map(String::as_str);
        let symbol = get("symbol").ok_or_else(|| refuse(109_400, "symbol is required"))?.to_string();
        let contract =
            self.contracts.get(&symbol).cloned().ok_or_else(|| refuse(109_400, format!("{symbol} does not exist")))?;
        if get("type") != Some("MARKET") {
            return Err(refuse(109_400, "only MARKET orders are simulated"));
        }
        let side = get("side")
            .filter(|s| matches!(*s, "BUY" | "SELL"))
            .ok_or_else(|| refuse(109_400, "side must be BUY or SELL"))?;
        let position_side = get("positionSide").unwrap_or("LONG");
        // Excess precision is silently cut, on the decimal text (as BingX does).
        let quantity = get("quantity")
            .and_then(|q| cut_decimals(q, contract.quantity_precision))
            .filter(|q: &f64| q.is_finite() && *q >= 0.0)
            .ok_or_else(|| refuse(109_400, "quantity must be a positive decimal"))?;
        let scale = 10f64.powi(i32::try_from(contract.quantity_precision).unwrap_or(0));
        let price = *self.prices.get(&symbol).ok_or_else(|| refuse(109_500, format!("no price for {symbol}")))?;
        if quantity < contract.min_qty || quantity <= 0.0 {
            return Err(refuse(101_400, format!("quantity {quantity} below the minimum {}", contract.min_qty)));
        }
        if quantity * price < contract.min_notional {
            return Err(refuse(110_425, format!("notional below the minimum {}", contract.min_notional)));
        }
        let reduce_only = get("reduceOnly") == Some("true");
        let (key, opening) = if self.dual_side {
            let opening = match (side, position_side) {
                ("SELL", "SHORT") | ("BUY", "LONG") => true,
                ("BUY", "SHORT") | ("SELL", "LONG") => false,
                _ => return Err(refuse(109_400, format!("positionSide {position_side} is not allowed in hedge mode"))),
            };
            ((symbol.clone(), position_side.to_string()), opening)
        } else {
            if position_side != "BOTH" {
                return Err(refuse(109_400, "one-way mode takes positionSide BOTH"));
            }
            let net = self.positions.get(&(symbol.clone(), "BOTH".into())).map_or(0.0, |p| p.quantity);
            let opening = !(reduce_only || (side == "BUY" && net < 0.0) || (side == "SELL" && net > 0.0));
            ((symbol.clone(), "BOTH".to_string()), opening)
        };
        let held = self.positions.get(&key).map_or(0.0, |p| p.quantity.abs());
        // Whole steps: the order's count of steps (an exact integer: the quantity has at most
        // `quantity_precision` decimals), the fraction of it, rounded down.
        let steps = (quantity * scale).round();
        let fill = ((steps * fraction).floor() / scale).min(if opening { f64::INFINITY } else { held });
        if !opening && held <= 0.0 {
            return Err(refuse(109_400, format!("no {position_side} position in {symbol} to close")));
        }
        if opening {
            let margin = fill * price / self.leverage_of(&symbol, &key.1) as f64;
            if margin > self.available_margin() {
                return Err(refuse(101_204, "Insufficient margin"));
            }
        }
        // Book the fill (a partial fill below one step books nothing: no empty position).
        if fill > 0.0 {
            self.book(&key, side, opening, fill, price, scale);
        }
        self.balance -= fill * price * contract.taker_fee;
        let order = SimOrder {
            order_id: self.next_id,
            client_order_id: get("clientOrderId").unwrap_or("").to_ascii_lowercase(),
            symbol,
            side: side.to_string(),
            position_side: position_side.to_string(),
            orig_qty: quantity,
            executed_qty: fill,
            avg_price: if fill > 0.0 { price } else { 0.0 },
            status: if fill >= quantity {
                "FILLED"
            } else if fill > 0.0 {
                "PARTIALLY_FILLED"
            } else {
                "NEW"
            },
        };
        self.next_id += 1;
        self.orders.push(order.clone());
        Ok(order)
    }

    /// Book a fill of `fill` at `price` on position `key`; a closed position is removed.
    fn book(&mut self, key: &(String, String), side: &str, opening: bool, fill: f64, price: f64, scale: f64) {
        let sign = if side == "SELL" { -1.0 } else { 1.0 };
        let pos = self.positions.entry(key.clone()).or_default();
        if opening {
            let total = pos.quantity.abs() + fill;
            if pos.quantity == 0.0 || pos.avg_price == price {
                pos.avg_price = price;
            } else if total > 0.0 {
                pos.avg_price = (pos.avg_price * pos.quantity.abs() + price * fill) / total;
            }
            pos.quantity += if self.dual_side { fill } else { sign * fill };
            // Quantities are whole steps on an exchange.
            pos.quantity = (pos.quantity * scale).round() / scale;
        } else {
            let pnl_per = if key.1 == "LONG" || (key.1 == "BOTH" && pos.quantity > 0.0) {
                price - pos.avg_price
            } else {
                pos.avg_price - price
            };
            self.balance += pnl_per * fill;
            pos.quantity += if self.dual_side { -fill } else { sign * fill };
            pos.quantity = (pos.quantity * scale).round() / scale;
            if pos.quantity == 0.0 {
                self.positions.remove(key);
            }
        }
    }

    /// An order by `clientOrderId` or `orderId`.
    ///
    /// # Errors
    /// 109421 when there is none.
    pub fn query(&self, p: &HashMap<String, String>) -> Result<SimOrder, Refusal> {
        let symbol = p.get("symbol").map_or("", String::as_str);
        let i = self
            .find(symbol, p.get("clientOrderId").map(String::as_str), p.get("orderId").and_then(|i| i.parse().ok()))
            .ok_or_else(|| refuse(109_421, "order not exist"))?;
        Ok(self.orders[i].clone())
    }

    /// Cancel a working order.
    ///
    /// # Errors
    /// 109421 when there is none; 109422 when it has already ended.
    pub fn cancel(&mut self, p: &HashMap<String, String>) -> Result<SimOrder, Refusal> {
        let symbol = p.get("symbol").map_or("", String::as_str);
        let i = self
            .find(symbol, p.get("clientOrderId").map(String::as_str), p.get("orderId").and_then(|i| i.parse().ok()))
            .ok_or_else(|| refuse(109_421, "order not exist"))?;
        let o = &mut self.orders[i];
        if !matches!(o.status, "NEW" | "PARTIALLY_FILLED") {
            return Err(refuse(109_422, format!("order is {} and cannot be cancelled", o.status)));
        }
        o.status = "CANCELLED";
        Ok(o.clone())
    }

    /// Orders still working.
    #[must_use]
    pub fn open_orders(&self) -> Vec<&SimOrder> {
        self.orders.iter().filter(|o| matches!(o.status, "NEW" | "PARTIALLY_FILLED")).collect()
    }

    /// Positions as BingX lists them.
    #[must_use]
    pub fn positions_json(&self) -> Value {
        Value::Array(
            self.positions
                .iter()
                .map(|((symbol, side), p)| {
                    json!({
                        "positionId": "1",
                        "symbol": symbol,
                        "positionSide": if side == "BOTH" { if p.quantity < 0.0 { "SHORT" } else { "LONG" } } else { side.as_str() },
                        "positionAmt": fmt(if self.dual_side { p.quantity } else { p.quantity.abs() }),
                        "avgPrice": fmt(p.avg_price),
                        "leverage": self.leverage_of(symbol, side),
                        "unrealizedProfit": "0",
                        "liquidationPrice": 0,
                        "onlyOnePosition": !self.dual_side,
                    })
                })
                .collect(),
        )
    }

    /// Set leverage.
    ///
    /// # Errors
    /// 109400 for a side or leverage out of range.
    pub fn set_leverage(&mut self, p: &HashMap<String, String>) -> Result<Value, Refusal> {
        let symbol = p.get("symbol").cloned().unwrap_or_default();
        let c = self.contracts.get(&symbol).ok_or_else(|| refuse(109_400, format!("{symbol} does not exist")))?;
        let side = p.get("side").cloned().unwrap_or_default();
        let ok_side = if self.dual_side { matches!(side.as_str(), "LONG" | "SHORT") } else { side == "BOTH" };
        if !ok_side {
            return Err(refuse(109_400, format!("side {side} is not allowed in this position mode")));
        }
        let l: i64 = p
            .get("leverage")
            .and_then(|l| l.parse().ok())
            .filter(|l| (1..=c.max_leverage).contains(l))
            .ok_or_else(|| refuse(109_400, "leverage out of range"))?;
        self.leverage.insert((symbol.clone(), side.clone()), l);
        self.leverage_sets += 1;
        Ok(json!({"leverage": l, "symbol": symbol}))
    }

    /// Leverage of a symbol.
    #[must_use]
    pub fn leverage_json(&self, symbol: &str) -> Value {
        let (l, s) = if self.dual_side {
            (self.leverage_of(symbol, "LONG"), self.leverage_of(symbol, "SHORT"))
        } else {
            (self.leverage_of(symbol, "BOTH"), self.leverage_of(symbol, "BOTH"))
        };
        let max = self.contracts.get(symbol).map_or(1, |c| c.max_leverage);
        json!({"longLeverage": l, "shortLeverage": s, "maxLongLeverage": max, "maxShortLeverage": max})
    }

    /// Contracts as BingX lists them.
    #[must_use]
    pub fn contracts_json(&self) -> Value {
        Value::Array(
            self.contracts
                .iter()
                .map(|(s, c)| {
                    json!({
                        "symbol": s,
                        "quantityPrecision": c.quantity_precision,
                        "pricePrecision": 2,
                        "tradeMinQuantity": fmt(c.min_qty),
                        "tradeMinUSDT": fmt(c.min_notional),
                        "maxLongLeverage": c.max_leverage,
                        "maxShortLeverage": c.max_leverage,
                        "takerFeeRate": c.taker_fee,
                        "makerFeeRate": 0.0002,
                        "status": 1,
                        "apiStateOpen": "true",
                        "apiStateClose": "true",
                    })
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange() -> Exchange {
        let contracts = [("BTC-USDT".to_string(), SimContract::default())].into_iter().collect();
        let mut x = Exchange::new(true, 10_000.0, contracts);
        x.prices.insert("BTC-USDT".into(), 43_000.0);
        x
    }

    fn market(side: &str, position_side: &str, quantity: &str) -> HashMap<String, String> {
        [
            ("symbol", "BTC-USDT"),
            ("type", "MARKET"),
            ("side", side),
            ("positionSide", position_side),
            ("quantity", quantity),
            ("clientOrderId", "c1"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    #[test]
    fn excess_decimals_are_cut_on_the_text_not_through_a_float() {
        assert_eq!(cut_decimals("32822.984", 3), Some(32822.984), "exact: kept");
        assert_eq!(cut_decimals("32822.98471", 3), Some(32822.984));
        assert_eq!(cut_decimals("7", 3), Some(7.0));
        assert_eq!(cut_decimals("0.0009", 3), Some(0.0));
        for bad in ["", "-1", "1e3", "1.2.3", ".5", "nan"] {
            assert_eq!(cut_decimals(bad, 3), None, "{bad}");
        }
        let mut x = exchange();
        x.prices.insert("BTC-USDT".into(), 0.05);
        let o = x.place(&market("SELL", "SHORT", "32822.984"), 1.0).expect("placed");
        assert_eq!((o.executed_qty, o.status), (32822.984, "FILLED"));
    }

    #[test]
    fn a_partial_fill_below_one_step_books_no_position() {
        let mut x = exchange();
        let o = x.place(&market("SELL", "SHORT", "0.001"), 0.5).expect("placed");
        assert_eq!((o.executed_qty, o.status), (0.0, "NEW"));
        assert!(x.positions.is_empty(), "{:?}", x.positions);
        assert_eq!(x.balance.to_bits(), 10_000.0f64.to_bits(), "no fee on nothing filled");
    }

    #[test]
    fn a_partial_fill_books_whole_steps_and_a_full_close_removes_the_position() {
        let mut x = exchange();
        let o = x.place(&market("BUY", "LONG", "0.004"), 0.5).expect("placed");
        assert_eq!((o.executed_qty, o.status), (0.002, "PARTIALLY_FILLED"));
        assert_eq!(x.positions[&("BTC-USDT".to_string(), "LONG".to_string())].quantity, 0.002);
        x.place(&market("SELL", "LONG", "0.002"), 1.0).expect("closed");
        assert!(x.positions.is_empty(), "{:?}", x.positions);
    }
}
