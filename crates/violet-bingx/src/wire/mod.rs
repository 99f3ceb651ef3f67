//! BingX's JSON, read defensively: envelopes, orders, contracts, positions, balance.

pub mod account;
pub mod contract;
pub mod envelope;
pub mod order;
pub mod value;

pub use account::{PositionSide, WirePosition};
pub use contract::ContractSpec;
pub use order::{OrderStatus, WireOrder};
pub use value::WireError;
