//! The execution layer: the single slot and BLUE's bookkeeping.

mod slot;
mod trade_event;

pub use slot::Slot;
pub use trade_event::{EntryEvent, ExitEvent, TradeEvent};
