//! What a simulated venue does with one order.

use serde::Deserialize;

/// The venue's answer to one order.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Accepted and fully filled.
    Fill,
    /// Accepted, this fraction (0..1) filled, the rest left working.
    Partial,
    /// Accepted, nothing filled.
    Ack,
    /// Refused.
    Reject,
    /// Never answers.
    Timeout,
    /// The connection drops (a recoverable error; the driver resends).
    Disconnect,
}

/// One order's behaviour: after `latency_ns` the venue answers with `outcome`; fills are at
/// the intent's price moved by `slippage_bps` against the order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Behaviour {
    /// Time to the answer (ns).
    pub latency_ns: i64,
    /// The answer.
    pub outcome: Outcome,
    /// For `partial`: the fraction filled.
    pub fraction: f64,
    /// Adverse slippage of the fill price (basis points).
    pub slippage_bps: f64,
}

impl Behaviour {
    /// The instant venue's behaviour: no latency, exact fill.
    pub const INSTANT: Behaviour =
        Behaviour { latency_ns: 0, outcome: Outcome::Fill, fraction: 1.0, slippage_bps: 0.0 };
}

/// Where behaviours come from, order after order.
pub trait BehaviourSource {
    /// The behaviour of the next order (or resend).
    fn next_behaviour(&mut self) -> Behaviour;
    /// Whether orders go through L3 (contract rounding) and fills may differ from BLUE.
    fn uses_l3(&self) -> bool;
}
