//! A simulated venue as the engine's [`ExecutionPort`] on virtual time: each `Place` passes
//! the risk gate, goes through L3 when the venue uses contract specs, and is driven by the
//! TTL driver against the simulated exchange; the driver's steps come back as order updates
//! when the engine's clock reaches them (the instant venue's: at once).

use std::collections::VecDeque;

use violet_clock::UnixNanos;
use violet_engine::execution::{Command, ExecutionPort, FillBasis, OrderUpdate};
use violet_leverage::to_exchange;

use super::behaviour::BehaviourSource;
use super::runtime::SimRuntime;
use crate::contracts::Contracts;
use crate::order::{OrderState, OrderTicket, UpdateKind};
use crate::risk::{RiskGate, RiskLimits};

/// A simulated venue behind the engine.
#[derive(Debug)]
pub struct SimPort<S> {
    runtime: SimRuntime<S>,
    risk: RiskGate,
    contracts: Contracts,
    ready: VecDeque<OrderUpdate>,
}

impl<S: BehaviourSource> SimPort<S> {
    /// Orders to `source`, checked by `limits`, rounded by `contracts` (L3 venues).
    pub fn new(source: S, contracts: Contracts, limits: RiskLimits) -> Self {
        Self {
            runtime: SimRuntime::new(source, i64::MIN),
            risk: RiskGate::new(limits),
            contracts,
            ready: VecDeque::new(),
        }
    }

    /// The runtime (its driver's counters, the exchange's positions).
    pub fn runtime(&self) -> &SimRuntime<S> {
        &self.runtime
    }

    /// Move the driver's new steps to the ready queue; an L3-free venue's full fills are
    /// BLUE's fill (the order's exact notional at its price: trade events stay BLUE's).
    fn collect(&mut self) {
        let blue = !self.runtime.source().uses_l3();
        let events: Vec<OrderUpdate> = self.runtime.driver_mut().drain_events().collect();
        for mut u in events {
            if blue
                && let Some(f) = u.fill.as_mut()
                && let Some(t) = self.runtime.driver().ticket(&u.client_order_id)
                && u.state == OrderState::Filled
                && f.price == t.price.into_inner()
            {
                f.basis = FillBasis::Blue;
                f.notional = t.notional;
            }
            self.ready.push_back(u);
        }
    }

    fn quantity(&self, t: &OrderTicket) -> Result<f64, String> {
        if let Some(q) = t.quantity {
            return Ok(q.get());
        }
        if !self.runtime.source().uses_l3() {
            return Ok(t.notional.get() / t.price.into_inner());
        }
        let symbol: &str = t.symbol.as_ref();
        let Some(c) = self.contracts.get(symbol).copied() else {
            return Err(format!("no contract spec for {symbol}"));
        };
        match to_exchange(t.leverage.max(f64::MIN_POSITIVE), t.notional.get(), t.price.into_inner(), &c) {
            Ok(x) => match x.reject {
                None => Ok(x.quantity),
                Some(r) => Err(format!("L3: {}", r.as_str())),
            },
            Err(e) => Err(format!("L3: {e}")),
        }
    }

    fn place(&mut self, t: OrderTicket, now: UnixNanos) {
        let refused = t.clone();
        let approved = match self.risk.check(t, now) {
            Ok(a) => a,
            Err(refusal) => {
                self.runtime.driver_mut().refuse(refused, UpdateKind::RiskRefused, &refusal.to_string(), now);
                return;
            }
        };
        match self.quantity(approved.inner()) {
            Ok(q) => self.runtime.submit(approved, q, now),
            Err(why) => self.runtime.driver_mut().refuse(approved.into_inner(), UpdateKind::Reject, &why, now),
        }
    }
}

impl<S: BehaviourSource + std::fmt::Debug> ExecutionPort for SimPort<S> {
    fn submit(&mut self, command: Command, now_ns: UnixNanos) {
        self.runtime.advance_to(now_ns);
        self.collect();
        match command {
            Command::Place(t) => self.place(t, now_ns),
            Command::Cancel { id, .. } => self.runtime.cancel(&id, now_ns),
            Command::Query { id, .. } => {
                let detail = match self.runtime.driver().outcome(&id) {
                    Some((state, filled, avg)) => format!("{} filled {filled} at {avg}", state.as_str()),
                    None => "unknown to the venue".to_string(),
                };
                self.runtime.driver_mut().queried(&id, now_ns, detail);
            }
        }
        self.collect();
    }

    fn poll(&mut self, now_ns: UnixNanos) -> Option<OrderUpdate> {
        // Most events find nothing due: no work then.
        if self.ready.is_empty() && self.runtime.next_time().is_some_and(|t| t <= now_ns) {
            self.runtime.advance_to(now_ns);
            self.collect();
        }
        self.ready.pop_front()
    }

    fn next_due(&self) -> Option<UnixNanos> {
        if self.ready.is_empty() { self.runtime.next_time() } else { Some(self.runtime.now()) }
    }
}
