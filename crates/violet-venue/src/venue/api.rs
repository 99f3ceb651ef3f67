//! The `Venue` trait: what an exchange adapter implements.

use crate::order::{ClientOrderId, Side};
use crate::venue::error::VenueError;

/// An order as sent to a venue (market, reduce-only for exits).
#[derive(Debug, Clone, PartialEq)]
pub struct OrderRequest {
    /// Idempotency key: the venue keeps one live order per id.
    pub client_order_id: ClientOrderId,
    /// The asset.
    pub symbol: String,
    /// Buy or sell.
    pub side: Side,
    /// Base quantity (after L3 rounding for venues with contract specs).
    pub quantity: f64,
    /// Close-only.
    pub reduce_only: bool,
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

/// An exchange (or a stand-in). Async: real adapters talk HTTP. Every method may fail with a
/// [`VenueError`] split into recoverable and unrecoverable.
#[allow(async_fn_in_trait)] // implemented in this workspace only; callers are generic
pub trait Venue {
    /// Place an order.
    ///
    /// # Errors
    /// [`VenueError`].
    async fn place_order(&mut self, order: &OrderRequest) -> Result<OrderReport, VenueError>;
    /// Cancel an order by client id.
    ///
    /// # Errors
    /// [`VenueError`].
    async fn cancel_order(&mut self, symbol: &str, id: &ClientOrderId) -> Result<OrderReport, VenueError>;
    /// Query an order by client id.
    ///
    /// # Errors
    /// [`VenueError`].
    async fn query_order(&mut self, symbol: &str, id: &ClientOrderId) -> Result<OrderReport, VenueError>;
    /// Open positions.
    ///
    /// # Errors
    /// [`VenueError`].
    async fn positions(&mut self) -> Result<Vec<VenuePosition>, VenueError>;
    /// Account balance (quote currency).
    ///
    /// # Errors
    /// [`VenueError`].
    async fn balance(&mut self) -> Result<f64, VenueError>;
}

/// Drive a future that is ready at once (the observe-only guard and simulated venues never
/// wait) to its output on this thread.
///
/// # Panics
/// When the future is not ready at its first poll (a real, waiting venue: use a runtime).
pub fn ready<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match f.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => v,
        std::task::Poll::Pending => panic!("ready(): the venue future waits; drive it with an async runtime"),
    }
}
