//! Reconciliation: does the venue hold what the journal says VIOLET traded? Sans I/O — the
//! caller gathers the two views ([`JournalView`] from the journal's fills and open order
//! steps, [`VenueView`] from the venue's positions, open orders and its answers about the
//! journal's orders in flight) and [`reconcile`] compares them, symbol by symbol in
//! contract steps, and open orders both ways. Any difference that the venue's answers
//! about VIOLET's own orders cannot explain is a [`Verdict::Mismatch`]: an armed start
//! refuses to trade on it. Nothing is adopted and no fill is invented.

mod compare;
mod ledger;
mod report;
mod view;

pub use compare::reconcile;
pub(crate) use compare::steps;
pub use ledger::LiveLedger;
pub use report::{OrderRow, OrderWhere, Reconciliation, SymbolRow, Verdict};
pub use view::{InFlight, JournalView, OpenOrder, Resolution, VenueView};
