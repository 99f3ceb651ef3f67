//! # violet-engine
//!
//! Events in → V-TYPES → decision engine → execution layer → trade events out.
//!
//! - [`decision`]: slot-independent. On every accepted scan it decides (BLUE's reasons,
//!   first match wins) and, when it would enter, carries the full
//!   [`SizingBreakdown`](violet_sizing::SizingBreakdown).
//! - [`execution`]: the single slot with BLUE's bookkeeping (enter only when the slot was
//!   free at the start of the scan; exit v7; capital after fees), emitting
//!   [`TradeEvent`](execution::TradeEvent)s in BLUE's trade-event schema.
//! - [`Engine`]: the two together on one reactor [`Clock`](violet_clock::Clock) with a
//!   [`CadencePlan`](violet_clock::CadencePlan).
//! - [`replay`]: a stream through the engine on the `TestClock`, deterministically.

pub mod decision;
mod engine;
pub mod execution;
pub mod replay;

pub use engine::{Engine, EngineCounts, QUERY_GRACE_NS, REMEMBER_NS, Sink, config_hash};
