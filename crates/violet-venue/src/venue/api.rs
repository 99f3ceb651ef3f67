//! The `Venue` trait: what an exchange adapter implements. Its futures are `Send`, so one
//! execution task on a multi-threaded runtime can own a venue and await it.

use std::future::Future;

use violet_clock::UnixNanos;
use violet_domain::types::SymbolName;

use crate::order::{ClientOrderId, Quantity, Side};
use crate::venue::error::VenueError;

/// An order as sent to a venue (MARKET; reduce-only for closing legs).
#[derive(Debug, Clone, PartialEq)]
pub struct OrderRequest {
    /// Idempotency key: the venue keeps one order per id.
    pub client_order_id: ClientOrderId,
    /// The asset.
    pub symbol: SymbolName,
    /// Buy or sell.
    pub side: Side,
    /// Base quantity (after L3 rounding for venues with contract specs).
    pub quantity: Quantity,
    /// Close-only.
    pub reduce_only: bool,
    /// The exchange leverage an entry wants (L3's integer leverage; `None`: leave the
    /// venue's setting alone).
    pub leverage: Option<u32>,
    /// The order's TTL deadline: an adapter never sends it (or sends it again) at or after
    /// this instant.
    pub deadline: UnixNanos,
    /// The margin an entry needs at the venue (quote: its notional over its exchange
    /// leverage): an adapter that can see the account's available margin refuses the entry
    /// before sending it when there is less. `None`: no check (closing legs, venues without
    /// contract specs).
    pub margin: Option<f64>,
}

/// The venue's view of an order.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderReport {
    /// The venue's id.
    pub venue_order_id: String,
    /// The client id.
    pub client_order_id: ClientOrderId,
    /// Quantity filled so far.
    pub filled_quantity: f64,
    /// Average fill price (0 when nothing filled).
    pub average_price: f64,
    /// Whether the venue still works it.
    pub open: bool,
}

/// A position the venue holds.
#[derive(Debug, Clone, PartialEq)]
pub struct VenuePosition {
    /// The asset.
    pub symbol: String,
    /// Signed quantity (negative: short).
    pub quantity: f64,
    /// Average entry price.
    pub entry_price: f64,
}

/// An exchange (or a stand-in). Every method may fail with a [`VenueError`], split into
/// recoverable and unrecoverable. Methods take `&self` and their futures are `Send`: the
/// execution task that owns the venue keeps several requests in flight at once (one slow
/// answer never holds up another order or a deadline) on tokio's multi-threaded runtime.
pub trait Venue: Send + Sync {
    /// Place an order.
    ///
    /// # Errors
    /// [`VenueError`].
    fn place_order(&self, order: &OrderRequest) -> impl Future<Output = Result<OrderReport, VenueError>> + Send;
    /// Cancel an order by client id.
    ///
    /// # Errors
    /// [`VenueError`].
    fn cancel_order(
        &self,
        symbol: &SymbolName,
        id: &ClientOrderId,
    ) -> impl Future<Output = Result<OrderReport, VenueError>> + Send;
    /// Query an order by client id.
    ///
    /// # Errors
    /// [`VenueError`].
    fn query_order(
        &self,
        symbol: &SymbolName,
        id: &ClientOrderId,
    ) -> impl Future<Output = Result<OrderReport, VenueError>> + Send;
    /// Open positions.
    ///
    /// # Errors
    /// [`VenueError`].
    fn positions(&self) -> impl Future<Output = Result<Vec<VenuePosition>, VenueError>> + Send;
    /// Account balance (quote currency).
    ///
    /// # Errors
    /// [`VenueError`].
    fn balance(&self) -> impl Future<Output = Result<f64, VenueError>> + Send;
}
