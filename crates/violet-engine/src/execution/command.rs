//! What the engine asks of the execution side. The engine never calls a venue: it emits
//! these through its [`ExecutionPort`](super::ExecutionPort), and what the venue did comes
//! back as [`OrderUpdate`](super::OrderUpdate)s.

use violet_clock::UnixNanos;
use violet_domain::types::{Price, SymbolName};

use super::order::{ClientOrderId, DecisionEvent, Leg, Side};
use super::units::{Nanos, Notional, Quantity};

/// One order the engine wants placed: a MARKET order for one leg of one trade, to be sent
/// only before `decided_at + ttl`.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderTicket {
    /// The idempotency key (a pure function of the decision's event, leg and attempt).
    pub id: ClientOrderId,
    /// BLUE's trade id.
    pub trade_id: u64,
    /// Which leg.
    pub leg: Leg,
    /// The decision's event.
    pub event: DecisionEvent,
    /// The asset.
    pub symbol: SymbolName,
    /// Quote notional wanted (an exit: the position's).
    pub notional: Notional,
    /// The decision's price.
    pub price: Price,
    /// The conviction's leverage (computed: may be non-finite; risk checks it).
    pub leverage: f64,
    /// For closing legs: the base quantity to buy back (what the position holds). `None`
    /// for an entry: the execution side turns the notional into a quantity (L3).
    pub quantity: Option<Quantity>,
    /// When the engine decided.
    pub decided_at: UnixNanos,
    /// How long the order may wait to be sent and acknowledged.
    pub ttl: Nanos,
}

impl OrderTicket {
    /// Buy or sell.
    #[must_use]
    pub fn side(&self) -> Side {
        self.leg.side()
    }

    /// Close-only.
    #[must_use]
    pub fn reduce_only(&self) -> bool {
        self.leg.reduce_only()
    }

    /// The deadline: `decided_at + ttl` (saturating).
    #[must_use]
    pub fn deadline(&self) -> UnixNanos {
        self.decided_at.saturating_add(self.ttl.get())
    }
}

/// A command to the execution side.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Place an order (after the risk caps, by its deadline).
    Place(OrderTicket),
    /// Cancel whatever is still open of an order.
    Cancel {
        /// The order.
        id: ClientOrderId,
        /// Its asset.
        symbol: SymbolName,
    },
    /// Ask the venue where an order is (its answer comes back as an update): the engine
    /// queries an order that has not ended well past its deadline instead of guessing.
    Query {
        /// The order.
        id: ClientOrderId,
        /// Its asset.
        symbol: SymbolName,
    },
}
