//! The two views a reconciliation compares.

use std::collections::BTreeMap;

use crate::order::Side;

/// An order the journal holds as not ended (its last step PENDING, SENT or ACKED).
#[derive(Debug, Clone, PartialEq)]
pub struct InFlight {
    /// The client order id.
    pub client_order_id: String,
    /// Its symbol (`BTCUSDT`).
    pub symbol: String,
    /// Buy or sell.
    pub side: Side,
    /// Base quantity the journal has booked for it so far, signed (BUY positive).
    pub journaled: f64,
}

/// What the journal says: the net position per symbol (the sum of its fills, BUY positive,
/// SELL negative) and the orders it holds as in flight.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JournalView {
    /// Net base quantity per symbol (`BTCUSDT`).
    pub positions: BTreeMap<String, f64>,
    /// Orders not ended in the journal.
    pub in_flight: Vec<InFlight>,
}

/// An order open at the venue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenOrder {
    /// Its client order id (empty when it has none: not VIOLET's).
    pub client_order_id: String,
    /// Its symbol (`BTCUSDT`).
    pub symbol: String,
}

/// What the venue answered about one of the journal's orders in flight.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolution {
    /// The venue has no such order: it never executed.
    NotFound,
    /// The venue has it: executed base quantity, signed (BUY positive); still open or not.
    Found {
        /// Executed so far, signed.
        executed: f64,
        /// The average price of what executed (0 when nothing did).
        average_price: f64,
        /// The venue's id for it.
        venue_order_id: String,
        /// Whether the venue still works it.
        open: bool,
    },
    /// The venue could not say (an error): the order's outcome is unknown.
    Unknown(String),
}

impl JournalView {
    /// The view once the venue's answers about its orders in flight are booked: what each
    /// executed beyond what the journal holds is added to its symbol, and the orders the
    /// venue no longer works (or never had) leave the in-flight list. What a restart's
    /// replay books (it recalls those answers), and where its live ledger starts.
    #[must_use]
    pub fn resolved(&self, venue: &VenueView) -> Self {
        let mut out = self.clone();
        out.in_flight.retain(|o| match venue.resolutions.get(&o.client_order_id) {
            Some(Resolution::Found { executed, open, .. }) => {
                let more = executed - o.journaled;
                if more != 0.0 {
                    *out.positions.entry(o.symbol.clone()).or_insert(0.0) += more;
                }
                *open
            }
            Some(Resolution::NotFound) => false,
            Some(Resolution::Unknown(_)) | None => true,
        });
        out
    }
}

/// What the venue says: its net position per symbol, its open orders, and its answer
/// about each order the journal holds as in flight.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VenueView {
    /// Net base quantity per symbol (`BTCUSDT`; a short negative).
    pub positions: BTreeMap<String, f64>,
    /// Open orders.
    pub open_orders: Vec<OpenOrder>,
    /// The answer about each in-flight order, by client order id.
    pub resolutions: BTreeMap<String, Resolution>,
}
