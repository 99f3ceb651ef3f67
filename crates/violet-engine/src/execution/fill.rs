//! The seam between the slot's bookkeeping and a venue: the slot asks an [`Execution`] to
//! carry out each leg and books what actually filled. The default, [`InstantFill`], fills
//! the exact notional at the decision price: BLUE's bookkeeping, bit for bit.

use std::fmt;

/// One leg the slot wants executed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LegOrder<'a> {
    /// The trade.
    pub trade_id: u64,
    /// Exit (true) or entry.
    pub exit: bool,
    /// The asset.
    pub symbol: &'a str,
    /// Quote notional.
    pub notional: f64,
    /// The decision's price.
    pub price: f64,
    /// The conviction's leverage.
    pub leverage: f64,
    /// The decision's time (unix ns, the event's timestamp).
    pub decided_ns: i64,
}

/// What a venue did with a leg (present only when it was not BLUE's instant fill).
#[derive(Debug, Clone, PartialEq)]
pub struct ExecInfo {
    /// The client order id.
    pub client_order_id: String,
    /// The terminal state (FILLED, REJECTED, EXPIRED, CANCELLED).
    pub state: &'static str,
    /// Base quantity filled.
    pub filled_quantity: f64,
    /// Average fill price (0 if nothing filled).
    pub fill_price: f64,
}

/// What filled.
#[derive(Debug, Clone, PartialEq)]
pub struct LegFill {
    /// Quote notional filled (0: nothing).
    pub notional: f64,
    /// The price to book at.
    pub price: f64,
    /// The venue's detail; `None` for BLUE's instant fill (trade events stay BLUE's).
    pub exec: Option<ExecInfo>,
}

/// One step of an order's path, for the `orders` and `fills` journal tables.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderUpdate {
    /// The client order id.
    pub client_order_id: String,
    /// The trade.
    pub trade_id: u64,
    /// `ENTRY` or `EXIT`.
    pub leg: &'static str,
    /// When (ns).
    pub at_ns: i64,
    /// The state after this step.
    pub state: &'static str,
    /// What happened (SENT, ACK, FILL, REJECT, EXPIRE, CANCEL, LATE_FILL_CLOSED...).
    pub what: &'static str,
    /// Base quantity filled so far.
    pub filled: f64,
    /// This step's fill (quantity, price), if it is one.
    pub fill: Option<(f64, f64)>,
    /// Reason or detail.
    pub detail: String,
    /// The order's step number (1, 2, ...): later steps supersede earlier ones.
    pub step: u32,
}

/// Carries out legs.
pub trait Execution: fmt::Debug {
    /// Execute `order` and return what filled.
    fn execute(&mut self, order: &LegOrder<'_>) -> LegFill;
    /// Order path steps since the last call.
    fn take_updates(&mut self) -> Vec<OrderUpdate> {
        Vec::new()
    }
}

/// BLUE's fill: the exact notional at the decision price, no venue involved.
#[derive(Debug, Clone, Copy, Default)]
pub struct InstantFill;

impl Execution for InstantFill {
    fn execute(&mut self, order: &LegOrder<'_>) -> LegFill {
        LegFill { notional: order.notional, price: order.price, exec: None }
    }
}
