//! VIOLET's service (`violet run`): a feed (`violet-feed`) through the engine on the
//! LiveClock into the ClickHouse journal (`violet-journal`), with the divergence monitor
//! comparing VIOLET's trade events to BLUE's as they appear. DARK (observe-only) unless
//! armed; armed, orders go to BingX after a start-up reconciliation.
//!
//! - `replay/`: `violet replay` as a library (the launcher only parses its flags).
//! - `config/`: the TOML schema and its environment overrides; the password as a `Secret`.
//! - `run/`: set-up (`armed.rs`: the armed start's reconciliation), the feed task, the
//!   reactor (the engine's task), the stop.
//! - `monitor.rs`: the live divergence monitor.
//! - `reconcile.rs`: the journal against the venue (`violet reconcile`): ship the spool, read
//!   the journal's view back, ask the venue, compare, journal the result.
//! - `capture.rs`: the sink keeping VIOLET's trade events for the monitor.
//! - `risk.rs`: `[risk]` caps and the trading-state file an operator flips.
//! - `signals.rs`: SIGTERM/SIGINT as a task (first: graceful; second: at once).

mod capture;
pub mod config;
pub mod logs;
pub mod metrics;
mod monitor;
pub mod reconcile;
pub mod replay;
mod risk;
mod run;
pub mod signals;

pub use monitor::{Check, Monitor, MonitorError};
pub use run::{RunStart, ServiceError, StopReport, chain as error_chain, run};
pub use signals::Stop;
