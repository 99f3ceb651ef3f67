//! The engine's [`Execution`] over a simulated venue: each leg becomes an intent (decision
//! time + TTL), passes the risk gate, goes through L3 when the venue uses contract specs,
//! and is driven to its terminal state on virtual time; the slot books what filled.

use std::collections::HashMap;

use violet_engine::execution::{ExecInfo, Execution, LegFill, LegOrder, OrderUpdate};
use violet_leverage::to_exchange;

use crate::contracts::Contracts;
use crate::driver::OrderEvent;
use crate::order::{ClientOrderId, Leg, OrderIntent, OrderState, Side};
use crate::risk::{RiskGate, RiskLimits};
use crate::sim::{BehaviourSource, SimRuntime};

/// The leg of a slot's order.
pub(crate) fn leg_of(o: &LegOrder<'_>) -> Leg {
    if o.exit { Leg::Exit } else { Leg::Entry }
}

/// The intent for one of the slot's legs: client id from (`run_id`, trade, leg, `attempt`),
/// TTL `ttl_ns.0` for an entry, `ttl_ns.1` for an exit.
pub(crate) fn intent_for(run_id: &str, o: &LegOrder<'_>, attempt: u32, ttl_ns: (i64, i64)) -> OrderIntent {
    let leg = leg_of(o);
    let ttl_ns = if o.exit { ttl_ns.1 } else { ttl_ns.0 };
    OrderIntent {
        id: ClientOrderId::new(run_id, o.trade_id, leg, attempt),
        trade_id: o.trade_id,
        leg,
        attempt,
        symbol: o.symbol.to_string(),
        side: if o.exit { Side::Buy } else { Side::Sell },
        notional: o.notional,
        price: o.price,
        leverage: o.leverage,
        decided_ns: o.decided_ns,
        ttl_ns,
    }
}

/// A simulated venue behind the engine.
#[derive(Debug)]
pub struct SimExecution<S> {
    runtime: SimRuntime<S>,
    risk: RiskGate,
    contracts: Contracts,
    run_id: String,
    /// Entry and exit TTLs (ns).
    ttl_ns: (i64, i64),
    attempts: HashMap<(u64, Leg), u32>,
    /// Base quantity still open per trade (entries add, exits remove): an exit buys back
    /// what the entry sold, not a notional at the exit price.
    open_qty: HashMap<u64, f64>,
    updates: Vec<OrderUpdate>,
}

impl<S: BehaviourSource> SimExecution<S> {
    /// Execute through `source` for run `run_id`; entries' intents live `ttl_ns.0`, exits'
    /// `ttl_ns.1` (the cadence plan's order TTLs).
    pub fn new(source: S, run_id: &str, ttl_ns: (i64, i64), contracts: Contracts, limits: RiskLimits) -> Self {
        Self {
            runtime: SimRuntime::new(source, i64::MIN),
            risk: RiskGate::new(limits),
            contracts,
            run_id: run_id.to_string(),
            ttl_ns,
            attempts: HashMap::new(),
            open_qty: HashMap::new(),
            updates: Vec::new(),
        }
    }

    fn update(&mut self, e: &OrderEvent, trade_id: u64, leg: Leg) {
        self.updates.push(OrderUpdate {
            client_order_id: e.id.to_string(),
            trade_id,
            leg: leg.as_str(),
            at_ns: e.at_ns,
            state: e.state.as_str(),
            what: e.what,
            filled: e.filled,
            fill: e.fill,
            detail: e.detail.clone(),
            step: e.step,
        });
    }

    fn refused(
        &mut self,
        id: &ClientOrderId,
        trade_id: u64,
        leg: Leg,
        at_ns: i64,
        detail: String,
        price: f64,
    ) -> LegFill {
        let e = OrderEvent {
            id: id.clone(),
            at_ns,
            state: OrderState::Rejected,
            what: "RISK_REFUSED",
            filled: 0.0,
            fill: None,
            detail,
            step: 1,
        };
        self.update(&e, trade_id, leg);
        LegFill {
            notional: 0.0,
            price,
            exec: Some(ExecInfo {
                client_order_id: id.to_string(),
                state: "REJECTED",
                filled_quantity: 0.0,
                fill_price: 0.0,
            }),
        }
    }
}

impl<S: BehaviourSource + std::fmt::Debug> Execution for SimExecution<S> {
    fn execute(&mut self, o: &LegOrder<'_>) -> LegFill {
        let leg = leg_of(o);
        let attempt = self.attempts.entry((o.trade_id, leg)).or_insert(0);
        let intent = intent_for(&self.run_id, o, *attempt, self.ttl_ns);
        *attempt += 1;
        let id = intent.id.clone();
        let approved = match self.risk.check(intent, o.decided_ns) {
            Ok(a) => a,
            Err(refusal) => return self.refused(&id, o.trade_id, leg, o.decided_ns, refusal.to_string(), o.price),
        };
        let l3 = self.runtime.source().uses_l3();
        let open_qty = self.open_qty.get(&o.trade_id).copied();
        let quantity = if let (true, Some(q)) = (o.exit, open_qty) {
            Ok(q)
        } else if l3 {
            let Some(c) = self.contracts.get(o.symbol).copied() else {
                return self.refused(
                    &id,
                    o.trade_id,
                    leg,
                    o.decided_ns,
                    format!("no contract spec for {}", o.symbol),
                    o.price,
                );
            };
            match to_exchange(o.leverage.max(f64::MIN_POSITIVE), o.notional, o.price, &c) {
                Ok(x) => match x.reject {
                    None => Ok(x.quantity),
                    Some(r) => Err(format!("L3: {}", r.as_str())),
                },
                Err(e) => Err(format!("L3: {e}")),
            }
        } else {
            Ok(o.notional / o.price)
        };
        match quantity {
            Ok(q) => {
                self.runtime.submit(approved, q, o.decided_ns);
                self.runtime.drain();
            }
            Err(why) => self.runtime.driver_mut().refuse(approved, &why, o.decided_ns),
        }
        let events: Vec<OrderEvent> = self.runtime.driver_mut().drain_events().collect();
        for e in &events {
            self.update(e, o.trade_id, leg);
        }
        let (state, filled, avg) = self.runtime.driver().outcome(&id).unwrap_or((OrderState::Rejected, 0.0, 0.0));
        if o.exit {
            let left = open_qty.unwrap_or(filled) - filled;
            if left > 0.0 {
                self.open_qty.insert(o.trade_id, left);
            } else {
                self.open_qty.remove(&o.trade_id);
            }
        } else if filled > 0.0 {
            self.open_qty.insert(o.trade_id, filled);
        }
        if !l3 && state == OrderState::Filled {
            // The instant venue: exactly BLUE's fill (trade events stay BLUE's).
            return LegFill { notional: o.notional, price: o.price, exec: None };
        }
        // An entry's notional is what it cost; an exit's, the share of the position closed.
        let notional = match (o.exit, open_qty) {
            (true, Some(q)) if q > 0.0 => o.notional * (filled / q).min(1.0),
            _ => filled * avg,
        };
        LegFill {
            notional,
            price: if filled > 0.0 { avg } else { o.price },
            exec: Some(ExecInfo {
                client_order_id: id.to_string(),
                state: state.as_str(),
                filled_quantity: filled,
                fill_price: avg,
            }),
        }
    }

    fn take_updates(&mut self) -> Vec<OrderUpdate> {
        std::mem::take(&mut self.updates)
    }
}

/// A simulated venue's execution for replay, from its spec (risk unlimited: BLUE has no caps).
///
/// # Errors
/// An unreadable script.
pub fn simulated(
    spec: &crate::sim::VenueSpec,
    run_id: &str,
    ttl_ns: (i64, i64),
    contracts: Contracts,
) -> Result<Box<dyn Execution + Send>, crate::sim::ScriptError> {
    use crate::sim::{InstantVenue, ScriptedVenue, SeededVenue, VenueSpec};
    let limits = RiskLimits::unlimited();
    Ok(match spec {
        VenueSpec::Instant => Box::new(SimExecution::new(InstantVenue, run_id, ttl_ns, contracts, limits)),
        VenueSpec::Scripted(p) => {
            Box::new(SimExecution::new(ScriptedVenue::from_file(p)?, run_id, ttl_ns, contracts, limits))
        }
        VenueSpec::Seeded(n) => Box::new(SimExecution::new(SeededVenue::new(*n), run_id, ttl_ns, contracts, limits)),
    })
}
