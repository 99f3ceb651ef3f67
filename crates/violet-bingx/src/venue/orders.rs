//! Orders: place (with the unknown-outcome rule), query, cancel — and the `Venue` impl.

use std::time::Duration;

use violet_domain::types::SymbolName;
use violet_venue::order::{ClientOrderId, Side};
use violet_venue::venue::{OrderReport, OrderRequest, Recoverable, Unrecoverable, Venue, VenueError, VenuePosition};

use super::BingxVenue;
use super::account::bad_params;
use crate::client::endpoint::{CANCEL_ORDER, PLACE_ORDER, QUERY_ORDER};
use crate::client::time::local_ms;
use crate::config::PositionMode;
use crate::error::{ApiErrorKind, CallError};
use crate::quantity::format_down;
use crate::sign::Params;
use crate::symbol::Symbol;
use crate::wire::envelope::malformed;
use crate::wire::{PositionSide, WireError, WireOrder};

/// Place requests at most per order (first send, resends after a definite "not sent").
const MAX_SENDS: u32 = 3;
/// Margin past the first send's `recvWindow` before a resend.
const WINDOW_MARGIN_MS: i64 = 50;

/// What the follow-up queries of an order with an unknown outcome found.
#[derive(Debug)]
enum Settled {
    /// BingX has it.
    Found(WireOrder),
    /// BingX says it has no such order.
    Absent,
    /// No definite answer in the queries allowed.
    Unsettled(String),
}

fn report(order: &WireOrder, id: &ClientOrderId) -> OrderReport {
    OrderReport {
        venue_order_id: order.order_id.to_string(),
        client_order_id: id.clone(),
        filled_quantity: order.executed_qty,
        average_price: order.avg_price,
        open: order.status.is_none_or(|s| s.is_open()),
    }
}

fn symbol_of(s: &SymbolName) -> Result<Symbol, VenueError> {
    Symbol::from_violet(s.as_ref()).map_err(|e| Unrecoverable::BadRequest(e.to_string()).into())
}

impl BingxVenue {
    /// `positionSide` and whether `reduceOnly` is sent, per the position mode: hedge mode
    /// opens and closes by side + positionSide (reduceOnly is ignored there); one-way mode
    /// sends BOTH and closes reduce-only.
    fn sides(&self, side: Side, reduce_only: bool) -> (PositionSide, bool) {
        match self.inner.config.position_mode {
            PositionMode::OneWay => (PositionSide::Both, reduce_only),
            PositionMode::Hedge => match (side, reduce_only) {
                (Side::Sell, false) | (Side::Buy, true) => (PositionSide::Short, false),
                (Side::Buy, false) | (Side::Sell, true) => (PositionSide::Long, false),
            },
        }
    }

    /// The query string of a place request (without timestamp and signature).
    ///
    /// # Errors
    /// [`VenueError`]: an unknown or closed symbol, a quantity that rounds to nothing or
    /// below the contract's minimum (that order only).
    pub fn order_params(&self, req: &OrderRequest) -> Result<(Symbol, PositionSide, Params), VenueError> {
        let symbol = symbol_of(&req.symbol)?;
        let spec =
            self.spec(&symbol).ok_or_else(|| Unrecoverable::BadRequest(format!("{symbol}: no such BingX contract")))?;
        if !spec.tradable {
            return Err(Unrecoverable::Rejected(format!("{symbol}: not open for API trading now")).into());
        }
        let precision = u32::try_from(spec.contract.quantity_precision.into_inner()).unwrap_or(0);
        let quantity = format_down(req.quantity.get(), precision)
            .map_err(|e| VenueError::from(Unrecoverable::Rejected(format!("{symbol}: {e}"))))?;
        let sent: f64 = quantity.parse().unwrap_or(0.0);
        if sent < spec.contract.min_qty {
            return Err(Unrecoverable::Rejected(format!(
                "{symbol}: quantity {quantity} below the minimum {}",
                spec.contract.min_qty
            ))
            .into());
        }
        let (position_side, reduce_only) = self.sides(req.side, req.reduce_only);
        let mut p = Params::new()
            .set("symbol", symbol.venue())
            .and_then(|p| p.set("side", req.side.as_str()))
            .and_then(|p| p.set("positionSide", position_side.as_str()))
            .and_then(|p| p.set("type", "MARKET"))
            .and_then(|p| p.set("quantity", quantity))
            .and_then(|p| p.set("clientOrderId", req.client_order_id.as_str()))
            .map_err(bad_params)?;
        if reduce_only {
            p = p.set("reduceOnly", "true").map_err(bad_params)?;
        }
        Ok((symbol, position_side, p))
    }

    /// The order as BingX reports it, by client id.
    ///
    /// # Errors
    /// [`CallError`] (`OrderNotFound` when BingX has none); an answer about another
    /// order is malformed.
    pub async fn query_wire(&self, symbol: &Symbol, id: &ClientOrderId) -> Result<WireOrder, CallError> {
        let p = Params::new()
            .set("symbol", symbol.venue())
            .and_then(|p| p.set("clientOrderId", id.as_str()))
            .map_err(|e| CallError::NotSent(e.to_string()))?;
        let data = self.client().call(QUERY_ORDER, p, Some(id.as_str())).await?;
        let order = WireOrder::parse(&data).map_err(malformed)?;
        if !order.client_order_id.is_empty() && !order.client_order_id.eq_ignore_ascii_case(id.as_str()) {
            return Err(malformed(WireError::new(
                "clientOrderId",
                format!("asked for {id}, BingX answered about {}", order.client_order_id),
            )));
        }
        Ok(order)
    }

    /// Query until BingX says whether it has the order (bounded).
    async fn settle(&self, symbol: &Symbol, id: &ClientOrderId) -> Settled {
        let mut wait = self.inner.config.settle_backoff;
        let mut last = String::from("no query made");
        for _ in 0..self.inner.config.settle_queries {
            match self.query_wire(symbol, id).await {
                Ok(order) => return Settled::Found(order),
                Err(e) if e.kind() == Some(ApiErrorKind::OrderNotFound) => return Settled::Absent,
                Err(e) => last = e.to_string(),
            }
            tokio::time::sleep(wait).await;
            wait = wait.saturating_mul(2);
        }
        Settled::Unsettled(last)
    }

    /// After an accepted place: the fill as BingX reports it now (a query; the place reply
    /// never says). When the query fails the order is reported open and unfilled, and the
    /// execution task's polls learn the rest.
    async fn accepted(&self, symbol: &Symbol, id: &ClientOrderId, reply: Option<WireOrder>) -> OrderReport {
        match self.query_wire(symbol, id).await {
            Ok(order) => report(&order, id),
            Err(e) => {
                tracing::warn!(client_order_id = id.as_str(), error = %e, "order accepted, its fill not read yet");
                OrderReport {
                    venue_order_id: reply.map(|o| o.order_id.to_string()).unwrap_or_default(),
                    client_order_id: id.clone(),
                    filled_quantity: 0.0,
                    average_price: 0.0,
                    open: true,
                }
            }
        }
    }

    async fn place(&self, req: &OrderRequest) -> Result<OrderReport, VenueError> {
        let (symbol, position_side, params) = self.order_params(req)?;
        if !req.reduce_only {
            // The entry's leverage and the account's margin, asked together.
            let leverage = async {
                match req.leverage {
                    Some(l) => self.ensure_leverage(&symbol, position_side, l).await,
                    None => Ok(()),
                }
            };
            let margin = async {
                match req.margin {
                    Some(needed) => self.check_margin(needed).await,
                    None => Ok(()),
                }
            };
            tokio::try_join!(leverage, margin)?;
        }
        let id = &req.client_order_id;
        let deadline_ms = req.deadline.get() / 1_000_000;
        let mut sends = 0;
        let mut resynced = false;
        loop {
            if local_ms() >= deadline_ms {
                return Err(Recoverable::Transient(format!(
                    "{id}: deadline passed before it could be sent{}",
                    if sends > 0 { " again (BingX has no such order)" } else { "" }
                ))
                .into());
            }
            let ts = self.client().clock().now_ms();
            sends += 1;
            let error = match self.client().call_at(PLACE_ORDER, &params, ts, Some(id.as_str()), deadline_ms).await {
                Ok(data) => return Ok(self.accepted(&symbol, id, WireOrder::parse(&data).ok()).await),
                Err(e) => e,
            };
            if error.not_executed() {
                let again = match error.kind() {
                    Some(ApiErrorKind::TimestampInvalid) if !resynced => {
                        resynced = true;
                        self.client().sync_time().await.is_ok()
                    }
                    // The limiter holds the class back as BingX asked; the next send waits.
                    Some(ApiErrorKind::RateLimited) => true,
                    None => matches!(error, CallError::Throttled { .. } | CallError::NotSent(_)),
                    Some(_) => false,
                };
                if again && sends < MAX_SENDS {
                    continue;
                }
                return Err(error.into());
            }
            // Sent, outcome unknown: ask BingX, never resend blind.
            tracing::warn!(client_order_id = id.as_str(), error = %error, "order outcome unknown: querying");
            match self.settle(&symbol, id).await {
                Settled::Found(order) => return Ok(report(&order, id)),
                Settled::Unsettled(why) => {
                    return Err(Recoverable::OutcomeUnknown(format!("{error}; then {why}")).into());
                }
                Settled::Absent => {
                    // The first send may still arrive: only once its window has passed can it
                    // no longer execute, and only then (before the deadline) may the same id
                    // go again.
                    let safe_at = ts + self.client().recv_window_ms() + WINDOW_MARGIN_MS;
                    let wait = safe_at - self.client().clock().now_ms();
                    if local_ms() + wait.max(0) >= deadline_ms || sends >= MAX_SENDS {
                        return Err(Recoverable::Transient(format!(
                            "{id}: {error}; BingX has no such order and the deadline comes before the request's window closes: not resent"
                        ))
                        .into());
                    }
                    if wait > 0 {
                        tokio::time::sleep(Duration::from_millis(u64::try_from(wait).unwrap_or(0))).await;
                    }
                    match self.settle(&symbol, id).await {
                        Settled::Absent => {
                            tracing::warn!(
                                client_order_id = id.as_str(),
                                "BingX has no such order after its window: sending again"
                            );
                        }
                        Settled::Found(order) => return Ok(report(&order, id)),
                        Settled::Unsettled(why) => {
                            return Err(Recoverable::OutcomeUnknown(format!("{error}; then {why}")).into());
                        }
                    }
                }
            }
        }
    }
}

impl Venue for BingxVenue {
    async fn place_order(&self, order: &OrderRequest) -> Result<OrderReport, VenueError> {
        self.place(order).await
    }

    async fn cancel_order(&self, symbol: &SymbolName, id: &ClientOrderId) -> Result<OrderReport, VenueError> {
        let symbol = symbol_of(symbol)?;
        let p = Params::new()
            .set("symbol", symbol.venue())
            .and_then(|p| p.set("clientOrderId", id.as_str()))
            .map_err(bad_params)?;
        let data = self.client().call(CANCEL_ORDER, p, Some(id.as_str())).await?;
        let order = WireOrder::parse(&data).map_err(malformed)?;
        Ok(OrderReport { open: false, ..report(&order, id) })
    }

    async fn query_order(&self, symbol: &SymbolName, id: &ClientOrderId) -> Result<OrderReport, VenueError> {
        let symbol = symbol_of(symbol)?;
        Ok(report(&self.query_wire(&symbol, id).await?, id))
    }

    async fn positions(&self) -> Result<Vec<VenuePosition>, VenueError> {
        self.venue_positions().await
    }

    async fn balance(&self) -> Result<f64, VenueError> {
        self.venue_balance().await
    }
}
