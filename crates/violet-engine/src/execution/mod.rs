//! The execution layer inside the engine: slots and their bookkeeping as state machines,
//! the portfolio that holds them, and the seam to a venue — commands out through an
//! [`ExecutionPort`], [`OrderUpdate`]s in. No I/O here.
//!
//! - `blue_pnl.rs`: BLUE's booking of a closed position.
//! - `order.rs`: legs, sides, order states, update kinds, [`ClientOrderId`].
//! - `units.rs`: [`Quantity`], [`Notional`], [`Nanos`], [`OrderTtl`].
//! - `command.rs`: [`Command`] and the [`OrderTicket`] it places.
//! - `update.rs`: [`OrderUpdate`] and the [`Fill`] it may carry.
//! - `port.rs`: [`ExecutionPort`], [`NoVenue`].
//! - `slot.rs`: one slot, Flat → Entering → Open → Exiting → Flat.
//! - `portfolio.rs`: capital, slots, placed orders, strays.
//! - `trade_event.rs`: trade events in BLUE's schema.

mod blue_pnl;
mod command;
mod order;
mod port;
mod portfolio;
mod slot;
mod trade_event;
mod units;
mod update;

pub use blue_pnl::blue_exit_pnl;
pub use command::{Command, OrderTicket};
pub use order::{ClientOrderId, DecisionEvent, Leg, OrderState, Side, UpdateKind};
pub use port::{ExecutionPort, NoVenue};
pub(crate) use portfolio::OrderRef;
pub use portfolio::{Portfolio, Stray};
pub(crate) use slot::EntryPlan;
pub use slot::{BookingError, Slot, SlotState};
pub use trade_event::{CloseReason, EntryEvent, ExecInfo, ExitEvent, TradeEvent};
pub use units::{Nanos, Notional, OrderTtl, Quantity, is_dust};
pub use update::{Fill, FillBasis, OrderUpdate};

/// How the engine books its orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Booking {
    /// BLUE's fill is booked as each order is placed; the port's answers are journaled only.
    /// The observe-only service (its orders are refused by the guard, yet it shadows BLUE)
    /// and a replay without a venue.
    #[default]
    Shadow,
    /// What the port's answers say filled, as they arrive.
    Fills,
}
