//! An armed restart: what a dead run sent is never sent again, and the engine's replay of
//! history ends holding exactly what the journal and the venue hold before it may trade.
//!
//! - `intents.rs`: the intent log — one line per order request, written (not buffered)
//!   before the request leaves, so a `kill -9` at any moment leaves a trace of every order
//!   that may be at the venue, even one the journal's spool had not yet written.
//! - `recall.rs`: the orders the journal and the venue already know, and [`RecallPort`],
//!   the engine's port during a restart: a decision whose order exists is answered with
//!   that order's recorded steps (never sent again); one on an event before the start that
//!   was never sent is refused; only new decisions reach the venue.
//! - `takeover.rs`: the check between the replay and trading: the engine's positions must
//!   equal the journal's (with the venue's answers booked), symbol by symbol in contract
//!   steps, or the service refuses to trade.

mod intents;
mod recall;
mod takeover;

pub use intents::{Intent, IntentLog};
pub use recall::{Recall, RecallError, RecallPort, RecordedFill, RecordedOrder, TakeOverGate};
pub use takeover::{TakeOver, TakeOverRow, take_over};
