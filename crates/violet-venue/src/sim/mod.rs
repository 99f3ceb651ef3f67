//! Simulated venues (for replay and tests; never real, so arming does not apply): the
//! instant venue (BLUE parity), scripted venues (a script file or a seed), and the virtual
//! time they run on.

mod behaviour;
mod instant;
mod live;
mod port;
mod runtime;
mod scripted;
mod spec;

pub use behaviour::{Behaviour, BehaviourSource, Outcome};
pub use instant::InstantVenue;
pub use live::{LiveBooks, LiveSimVenue, PriceBook};
pub use port::SimPort;
pub use runtime::SimRuntime;
pub use scripted::{ScriptError, ScriptedVenue, SeededVenue};
pub use spec::VenueSpec;

/// A simulated venue's port for replay, from its spec (risk unlimited: BLUE has no caps).
///
/// # Errors
/// An unreadable script.
pub fn simulated(
    spec: &VenueSpec,
    contracts: crate::contracts::Contracts,
) -> Result<Box<dyn violet_engine::execution::ExecutionPort + Send>, ScriptError> {
    use crate::risk::RiskLimits;
    let limits = RiskLimits::unlimited();
    Ok(match spec {
        VenueSpec::Instant => Box::new(SimPort::new(InstantVenue, contracts, limits)),
        VenueSpec::Scripted(p) => Box::new(SimPort::new(ScriptedVenue::from_file(p)?, contracts, limits)),
        VenueSpec::Seeded(n) => Box::new(SimPort::new(SeededVenue::new(*n), contracts, limits)),
    })
}
