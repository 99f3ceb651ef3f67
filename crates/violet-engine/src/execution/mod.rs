//! The execution layer: the single slot and BLUE's bookkeeping, and the seam to a venue.

mod fill;
mod slot;
mod trade_event;

pub use fill::{ExecInfo, Execution, InstantFill, LegFill, LegOrder, OrderUpdate};
pub use slot::Slot;
pub use trade_event::{EntryEvent, ExitEvent, TradeEvent};
