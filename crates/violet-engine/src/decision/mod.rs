//! The decision engine: on every accepted scan, what BLUE would decide about an entry.

mod decide;
mod flat_run;
mod record;

pub use decide::{Decision, decide, decide_with};
pub use flat_run::FlatRun;
pub use record::{Allotment, DecisionRecord};
