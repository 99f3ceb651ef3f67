//! # violet-clock
//!
//! One reactor clock for everything: [`Clock`] gives "now" in unix nanoseconds. The
//! deterministic [`TestClock`] drives replay and tests and never goes backwards; the
//! [`LiveClock`] drives the service. The same engine code runs on both.
//!
//! [`DeadlineScheduler`] fires deadlines in order (equal deadlines in the order they were
//! scheduled), cancels them, and repeats them without drift. [`Cadence`] and
//! [`CadencePlan`] say when each action runs: on every scan (BLUE parity), on every tick, or
//! every fixed duration.

mod cadence;
mod clock;
mod scheduler;

pub use cadence::{Cadence, CadenceError, CadencePlan, DEFAULT_ORDER_TTL_NS};
pub use clock::{Clock, LiveClock, TestClock, UnixNanos};
pub use scheduler::{DeadlineId, DeadlineScheduler, Fired};
