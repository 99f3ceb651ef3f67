//! What the execution side says about an order: one [`OrderUpdate`] per step of its path.
//! The engine books fills from them and the journal keeps them (`orders` and `fills`).

use violet_clock::UnixNanos;

use violet_domain::types::SymbolName;

use super::command::OrderTicket;
use super::order::{ClientOrderId, Leg, OrderState, Side, UpdateKind};
use super::units::{Notional, Quantity};

/// How a fill is to be booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FillBasis {
    /// BLUE's fill: the order's exact notional at the decision price (the instant venue,
    /// the observe-only shadow). Booked with BLUE's arithmetic; trade events stay BLUE's.
    Blue,
    /// A venue's fill: this quantity at this price.
    Venue,
}

/// One fill as the venue reported it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fill {
    /// Base quantity filled in this step.
    pub quantity: Quantity,
    /// The price, as reported (the engine refuses a non-finite or non-positive one).
    pub price: f64,
    /// Quote notional of this step (`quantity * price`; BLUE's notional for a BLUE fill).
    pub notional: Notional,
    /// How to book it.
    pub basis: FillBasis,
}

/// One step of an order's path.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderUpdate {
    /// The order.
    pub client_order_id: ClientOrderId,
    /// The venue's id for it, once a venue has reported it.
    pub venue_order_id: Option<String>,
    /// Its trade.
    pub trade_id: u64,
    /// Its leg.
    pub leg: Leg,
    /// Its asset.
    pub symbol: SymbolName,
    /// Buy or sell.
    pub side: Side,
    /// When.
    pub at: UnixNanos,
    /// The order's state after this step.
    pub state: OrderState,
    /// What happened.
    pub kind: UpdateKind,
    /// Base quantity filled so far.
    pub filled: Quantity,
    /// This step's fill, if it is one.
    pub fill: Option<Fill>,
    /// Reason or detail (a venue's message).
    pub detail: String,
    /// The order's step number (1, 2, ...): later steps supersede earlier ones.
    pub step: u32,
}

impl OrderUpdate {
    /// A step of `ticket`'s order (its ids, trade, leg, symbol and side from the ticket):
    /// nothing filled, no venue id, no detail — set those on the result.
    #[must_use]
    pub fn of(ticket: &OrderTicket, at: UnixNanos, state: OrderState, kind: UpdateKind, step: u32) -> Self {
        Self {
            client_order_id: ticket.id.clone(),
            venue_order_id: None,
            trade_id: ticket.trade_id,
            leg: ticket.leg,
            symbol: ticket.symbol.clone(),
            side: ticket.side(),
            at,
            state,
            kind,
            filled: Quantity::ZERO,
            fill: None,
            detail: String::new(),
            step,
        }
    }
}
