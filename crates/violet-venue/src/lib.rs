//! VIOLET's execution layer.
//!
//! - `order/`: intents (with decision time and TTL), client order ids, states.
//! - `venue/`: the async `Venue` trait exchange adapters implement, errors split into
//!   recoverable and unrecoverable, and the `ObserveOnlyVenue` guard.
//! - `risk.rs`: pre-trade caps; `RiskApproved<OrderTicket>` is the only thing the driver takes.
//! - `driver.rs`: the TTL deadline driver (sans I/O).
//! - `sim/`: simulated venues (instant, scripted, seeded) on virtual time, and `SimPort`,
//!   the engine's port onto one.
//! - `task.rs`: the execution task (tokio) owning a venue, and `ChannelPort`, the engine's
//!   port onto it.
//! - `arming.rs`: DARK until keys; `dark.rs`: the observe-only execution `violet run` uses.
//! - `contracts.rs`: contract specs for L3 rounding.
//! - `restart/`: an armed restart — the intent log, past orders recalled (never sent
//!   again), and the take-over check before trading.

pub mod arming;
pub mod contracts;
pub mod dark;
pub mod driver;
pub mod order;
pub mod reconcile;
pub mod restart;
pub mod risk;
pub mod sim;
pub mod task;
pub mod venue;
