//! The execution `violet run` uses until it is armed: every leg becomes an intent, passes
//! the risk gate and is offered to the observe-only guard, which refuses it; the refusal is
//! recorded (REJECTED, "observe-only") and the engine books BLUE's fill, so the DARK service
//! shadows BLUE exactly. The venue it was given is never called.

use violet_engine::execution::{Execution, InstantFill, LegFill, LegOrder, OrderUpdate};

use crate::arming::ExecutionMode;
use crate::execution::intent_for;
use crate::order::DEFAULT_TTL_NS;
use crate::risk::{RiskGate, RiskLimits};
use crate::venue::{ObserveOnlyVenue, OrderRequest, Venue, ready};

/// Observe-only execution over a venue that is never reached.
#[derive(Debug)]
pub struct DarkExecution<V> {
    /// The venue type it would use when armed; no value is held, so nothing can reach one.
    _venue: std::marker::PhantomData<fn() -> V>,
    guard: ObserveOnlyVenue,
    risk: RiskGate,
    run_id: String,
    ttl_ns: (i64, i64),
    updates: Vec<OrderUpdate>,
}

impl<V: Venue> DarkExecution<V> {
    /// Observe-only execution with client ids from `run_id`. `mode` is the proof that
    /// execution is not armed (the only mode [`crate::arming::execution_mode`] can return
    /// today); `venue` is dropped, never called.
    pub fn new(mode: &ExecutionMode, venue: Option<V>, run_id: &str) -> Self {
        Self::with_risk(mode, venue, run_id, RiskGate::new(RiskLimits::unlimited()), (DEFAULT_TTL_NS, DEFAULT_TTL_NS))
    }

    /// As [`DarkExecution::new`], with the operator's risk gate (its refusals are recorded
    /// with their reason; what it approves the guard refuses) and the entry/exit TTLs.
    pub fn with_risk(mode: &ExecutionMode, venue: Option<V>, run_id: &str, risk: RiskGate, ttl_ns: (i64, i64)) -> Self {
        let ExecutionMode::ObserveOnly(_) = mode;
        drop(venue);
        Self {
            _venue: std::marker::PhantomData,
            guard: ObserveOnlyVenue::new(),
            risk,
            run_id: run_id.to_string(),
            ttl_ns,
            updates: Vec::new(),
        }
    }
}

impl<V: Venue + std::fmt::Debug> Execution for DarkExecution<V> {
    fn execute(&mut self, o: &LegOrder<'_>) -> LegFill {
        let intent = intent_for(&self.run_id, o, 0, self.ttl_ns);
        let (id, leg) = (intent.id.clone(), intent.leg);
        let (what, detail) = match self.risk.check(intent, o.decided_ns) {
            Err(refusal) => ("RISK_REFUSED", refusal.to_string()),
            Ok(approved) => {
                let i = approved.into_inner();
                let req = OrderRequest {
                    client_order_id: id.clone(),
                    symbol: i.symbol,
                    side: i.side,
                    quantity: i.notional / i.price,
                    reduce_only: o.exit,
                };
                match ready(self.guard.place_order(&req)) {
                    Err(e) => ("OBSERVE_ONLY", e.to_string()),
                    Ok(_) => unreachable!("the observe-only guard accepted an order"),
                }
            }
        };
        self.updates.push(OrderUpdate {
            client_order_id: id.to_string(),
            trade_id: o.trade_id,
            leg: leg.as_str(),
            at_ns: o.decided_ns,
            state: "REJECTED",
            what,
            filled: 0.0,
            fill: None,
            detail,
            step: 1,
        });
        // Shadow BLUE: book BLUE's fill.
        InstantFill.execute(o)
    }

    fn take_updates(&mut self) -> Vec<OrderUpdate> {
        std::mem::take(&mut self.updates)
    }
}
