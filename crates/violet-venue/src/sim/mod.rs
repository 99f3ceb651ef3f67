//! Simulated venues (for replay and tests; never real, so arming does not apply): the
//! instant venue (BLUE parity), scripted venues (a script file or a seed), and the virtual
//! time they run on.

mod behaviour;
mod instant;
mod runtime;
mod scripted;
mod spec;

pub use behaviour::{Behaviour, BehaviourSource, Outcome};
pub use instant::InstantVenue;
pub use runtime::SimRuntime;
pub use scripted::{ScriptError, ScriptedVenue, SeededVenue};
pub use spec::VenueSpec;
