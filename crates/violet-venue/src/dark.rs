//! The execution task `violet run` uses until it is armed: every order passes the risk gate
//! and is offered to the observe-only guard, which refuses it; the refusal is one update
//! (REJECTED, `OBSERVE_ONLY` or `RISK_REFUSED`). The engine books BLUE's fill itself
//! ([`Booking::Shadow`](violet_engine::execution::Booking)), so the DARK service shadows
//! BLUE exactly. The venue it was given is dropped, never called.

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use violet_clock::UnixNanos;
use violet_engine::execution::{Command, OrderState, OrderTicket, OrderUpdate, Quantity, UpdateKind};

use crate::arming::ObserveOnly;
use crate::risk::RiskGate;
use crate::venue::{ObserveOnlyVenue, OrderRequest, Venue};

/// Observe-only execution: the guard, the risk gate, and nothing that can reach a venue.
#[derive(Debug)]
pub struct DarkExecution {
    guard: ObserveOnlyVenue,
    risk: RiskGate,
}

impl DarkExecution {
    /// Observe-only execution. `_proof` is the proof that execution is not armed; `venue`
    /// is dropped, never called.
    pub fn new<V>(_proof: &ObserveOnly, venue: Option<V>, risk: RiskGate) -> Self {
        drop(venue);
        Self { guard: ObserveOnlyVenue::new(), risk }
    }

    /// Orders refused by the guard so far.
    #[must_use]
    pub fn refused(&self) -> u64 {
        self.guard.refused()
    }

    /// One order: the update that ends it.
    pub async fn refuse(&mut self, t: OrderTicket, now: UnixNanos) -> OrderUpdate {
        let refused = t.clone();
        let (kind, detail) = match self.risk.check(t, now) {
            Err(refusal) => (UpdateKind::RiskRefused, refusal.to_string()),
            Ok(approved) => {
                let t = approved.into_inner();
                let req = OrderRequest {
                    client_order_id: t.id.clone(),
                    symbol: t.symbol.clone(),
                    side: t.side(),
                    quantity: Quantity::computed(t.notional.get() / t.price.into_inner()),
                    reduce_only: t.reduce_only(),
                    leverage: None,
                    deadline: t.deadline(),
                    margin: None,
                };
                match self.guard.place_order(&req).await {
                    Err(e) => (UpdateKind::ObserveOnly, e.to_string()),
                    Ok(_) => unreachable!("the observe-only guard accepted an order"),
                }
            }
        };
        OrderUpdate { detail, ..OrderUpdate::of(&refused, refused.decided_at, OrderState::Rejected, kind, 1) }
    }

    /// Run until the command channel closes, one update per order.
    pub async fn run(mut self, mut commands: UnboundedReceiver<Command>, updates: UnboundedSender<OrderUpdate>) -> u64 {
        let clock = violet_clock::LiveClock::new();
        while let Some(c) = commands.recv().await {
            if let Command::Place(t) = c {
                let now = violet_clock::Clock::now(&clock).max(t.decided_at);
                let u = self.refuse(t, now).await;
                if updates.send(u).is_err() {
                    break;
                }
            }
        }
        self.refused()
    }
}
