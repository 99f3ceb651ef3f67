//! Observability of `violet run`: the Prometheus registry (`registry.rs`), the meter that
//! counts what the engine emits into it (`meter.rs`), readiness (`health.rs`), and the HTTP
//! endpoint serving `/metrics`, `/healthz` and `/readyz` (`server.rs`).

mod health;
mod meter;
mod registry;
mod server;

pub use health::Health;
pub use meter::Meter;
pub use registry::{Metrics, NAMES, Status};
pub use server::{bind, spawn};
