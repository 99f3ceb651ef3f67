//! VIOLET's BingX USDT-M perpetual adapter (REST v2), behind the `Venue` trait.
//!
//! - `sign.rs`: the sorted parameter string and its HMAC-SHA256 signature.
//! - `client/`: one HTTPS client (reqwest + rustls): endpoints, client-side rate limits per
//!   class, the server clock, the stop after a key error.
//! - `wire/`: BingX's JSON read defensively (numbers as strings and back, two shapes of
//!   the place reply, int64 order ids).
//! - `error.rs`: every code, old and new numbering, typed, recoverable or not.
//! - `venue/`: [`BingxVenue`] — account set-up (time, contracts, position mode, leverage)
//!   and orders, with the unknown-outcome rule.
//! - `audit.rs`: every request and its outcome, with latency, for the journal.
//! - `check.rs`: the read-only account look `violet venue check` prints.
//!
//! Nothing here talks to BingX unless given its URL and keys; tests run against
//! `violet-bingx-sim` on loopback.

pub mod audit;
pub mod check;
pub mod client;
pub mod config;
pub mod error;
pub mod quantity;
pub mod sign;
pub mod symbol;
pub mod venue;
pub mod wire;

pub use config::{BingxConfig, Host, PositionMode};
pub use venue::{BingxVenue, ConnectError};
