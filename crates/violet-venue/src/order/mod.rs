//! Order intents, their ids and their states.

mod intent;
mod state;

pub use intent::{ClientOrderId, DEFAULT_TTL_NS, Leg, OrderIntent, Side};
pub use state::OrderState;
