//! The instant venue: the exact notional at the decision price, no latency, no L3 rounding
//! (the BLUE-parity venue).

use super::behaviour::{Behaviour, BehaviourSource};

/// Fills everything at once, exactly.
#[derive(Debug, Clone, Copy, Default)]
pub struct InstantVenue;

impl BehaviourSource for InstantVenue {
    fn next_behaviour(&mut self) -> Behaviour {
        Behaviour::INSTANT
    }

    fn uses_l3(&self) -> bool {
        false
    }
}
