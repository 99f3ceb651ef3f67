//! Orders: the engine's tickets, ids, legs and states (owned by `violet-engine`'s execution
//! layer, re-exported here for adapters), and the default time to live.

pub use violet_engine::execution::{
    ClientOrderId, DecisionEvent, Leg, Nanos, Notional, OrderState, OrderTicket, Quantity, Side, UpdateKind,
};

/// The default TTL: 100 ms.
pub const DEFAULT_TTL_NS: i64 = 100_000_000;
