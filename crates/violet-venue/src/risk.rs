//! Pre-trade risk checks. Every intent passes here before any venue call; an approved
//! intent is a different type ([`RiskApproved`]) from a refused one ([`RiskRefusal`]), so
//! nothing unapproved can reach the driver.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use violet_clock::UnixNanos;

use crate::order::{Leg, OrderTicket};

/// The operator's trading state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TradingState {
    /// Entries and exits.
    #[default]
    Active,
    /// Exits only.
    Reducing,
    /// Nothing.
    Halted,
    /// Close every open position (exits only, no entries); the service then holds HALTED.
    Flatten,
}

impl TradingState {
    /// `ACTIVE`, `REDUCING`, `HALTED`, `FLATTEN`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            TradingState::Active => "ACTIVE",
            TradingState::Reducing => "REDUCING",
            TradingState::Halted => "HALTED",
            TradingState::Flatten => "FLATTEN",
        }
    }
}

impl std::fmt::Display for TradingState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The trading state, shared: the operator (or the service reading its state file) flips
/// it while the gate holds it.
#[derive(Debug, Clone, Default)]
pub struct TradingSwitch(Arc<AtomicU8>);

impl TradingSwitch {
    /// A switch at `state`.
    #[must_use]
    pub fn new(state: TradingState) -> Self {
        let s = Self::default();
        s.set(state);
        s
    }

    /// Flip it.
    pub fn set(&self, state: TradingState) {
        self.0.store(state as u8, Ordering::SeqCst);
    }

    /// The current state.
    #[must_use]
    pub fn get(&self) -> TradingState {
        match self.0.load(Ordering::SeqCst) {
            0 => TradingState::Active,
            1 => TradingState::Reducing,
            3 => TradingState::Flatten,
            _ => TradingState::Halted,
        }
    }
}

impl std::str::FromStr for TradingState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_uppercase().as_str() {
            "ACTIVE" => Ok(Self::Active),
            "REDUCING" => Ok(Self::Reducing),
            "HALTED" => Ok(Self::Halted),
            "FLATTEN" => Ok(Self::Flatten),
            _ => Err(format!("{s:?}: expected ACTIVE, REDUCING, FLATTEN or HALTED")),
        }
    }
}

/// The caps.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskLimits {
    /// Largest notional per order (quote).
    pub max_notional: f64,
    /// Largest leverage per order.
    pub max_leverage: f64,
    /// Symbols that may trade (`None`: any).
    pub allow: Option<Vec<String>>,
    /// Orders per rolling second, at most.
    pub max_orders_per_s: u32,
    /// The trading state.
    pub state: TradingState,
    /// Only decisions on events at or after this instant trade (an armed service's start:
    /// what it re-decides while catching up on history is never sent again). `None`: any.
    pub trade_from: Option<UnixNanos>,
}

impl RiskLimits {
    /// Caps that refuse nothing (simulated venues in replay: BLUE has no caps).
    #[must_use]
    pub fn unlimited() -> Self {
        Self {
            max_notional: f64::INFINITY,
            max_leverage: f64::INFINITY,
            allow: None,
            max_orders_per_s: u32::MAX,
            state: TradingState::Active,
            trade_from: None,
        }
    }
}

/// Why an intent was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RiskRefusal {
    /// Notional above the cap (or not a finite positive number).
    #[error("notional {notional} above max_notional {max}")]
    Notional {
        /// Asked.
        notional: f64,
        /// Cap.
        max: f64,
    },
    /// Leverage above the cap.
    #[error("leverage {leverage} above max_leverage {max}")]
    Leverage {
        /// Asked.
        leverage: f64,
        /// Cap.
        max: f64,
    },
    /// Symbol not allowed.
    #[error("symbol {0} not in the allow-list")]
    Symbol(String),
    /// Too many orders in the last second.
    #[error("more than {0} orders in one second")]
    Rate(u32),
    /// The trading state forbids it.
    #[error("trading state {0} forbids this {1}")]
    State(TradingState, &'static str),
    /// Decided on an event from before this run started.
    #[error("decided on an event at {event_ns} ns, before this run started trading at {from_ns} ns: not sent")]
    BeforeStart {
        /// The event's timestamp.
        event_ns: i64,
        /// When trading started.
        from_ns: i64,
    },
}

/// An intent risk approved; only [`RiskGate::check`] makes one.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskApproved<T>(T);

impl<T> RiskApproved<T> {
    /// The approved value.
    #[must_use]
    pub fn inner(&self) -> &T {
        &self.0
    }

    /// Take it out.
    #[must_use]
    pub fn into_inner(self) -> T {
        self.0
    }
}

/// The checks, with the rate window.
#[derive(Debug, Clone)]
pub struct RiskGate {
    limits: RiskLimits,
    recent: VecDeque<UnixNanos>,
    unlimited: bool,
    switch: Option<TradingSwitch>,
}

impl RiskGate {
    /// A gate enforcing `limits`.
    #[must_use]
    pub fn new(limits: RiskLimits) -> Self {
        let unlimited = limits == RiskLimits::unlimited();
        Self { limits, recent: VecDeque::new(), unlimited, switch: None }
    }

    /// A gate whose trading state is `switch` (flipped from outside), not `limits.state`.
    #[must_use]
    pub fn with_switch(limits: RiskLimits, switch: TradingSwitch) -> Self {
        Self { limits, recent: VecDeque::new(), unlimited: false, switch: Some(switch) }
    }

    /// Flip the trading state.
    pub fn set_state(&mut self, state: TradingState) {
        self.limits.state = state;
        self.unlimited = self.limits == RiskLimits::unlimited();
    }

    /// Check `intent` at `now`.
    ///
    /// # Errors
    /// The first [`RiskRefusal`]: state, symbol, notional, leverage, rate.
    pub fn check(
        &mut self,
        intent: OrderTicket,
        now: impl Into<UnixNanos>,
    ) -> Result<RiskApproved<OrderTicket>, RiskRefusal> {
        let now = now.into();
        if self.unlimited {
            return Ok(RiskApproved(intent));
        }
        let l = &self.limits;
        let state = self.switch.as_ref().map_or(l.state, TradingSwitch::get);
        match (state, intent.leg) {
            (TradingState::Halted, leg) => return Err(RiskRefusal::State(state, leg.as_str())),
            (TradingState::Reducing | TradingState::Flatten, Leg::Entry) => {
                return Err(RiskRefusal::State(state, "ENTRY"));
            }
            _ => {}
        }
        if let Some(from) = l.trade_from
            && intent.event.ts_ns < from.get()
        {
            return Err(RiskRefusal::BeforeStart { event_ns: intent.event.ts_ns, from_ns: from.get() });
        }
        let symbol: &str = intent.symbol.as_ref();
        if l.allow.as_ref().is_some_and(|a| !a.iter().any(|s| s == symbol)) {
            return Err(RiskRefusal::Symbol(symbol.to_string()));
        }
        let notional = intent.notional.get();
        if !(notional > 0.0 && notional <= l.max_notional) {
            return Err(RiskRefusal::Notional { notional, max: l.max_notional });
        }
        if !(intent.leverage <= l.max_leverage) {
            return Err(RiskRefusal::Leverage { leverage: intent.leverage, max: l.max_leverage });
        }
        while self.recent.front().is_some_and(|&t| t <= now.saturating_add(-1_000_000_000)) {
            self.recent.pop_front();
        }
        if self.recent.len() >= l.max_orders_per_s as usize {
            return Err(RiskRefusal::Rate(l.max_orders_per_s));
        }
        self.recent.push_back(now);
        Ok(RiskApproved(intent))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::{ClientOrderId, DecisionEvent, Nanos, Notional};
    use violet_domain::types::{Price, SymbolName};

    fn intent(leg: Leg, symbol: &str, notional: f64, leverage: f64) -> OrderTicket {
        let event = DecisionEvent { scan_number: 1, ts_ns: 0 };
        OrderTicket {
            id: ClientOrderId::new("r", event, leg, 0),
            trade_id: 1,
            leg,
            event,
            symbol: SymbolName::try_new(symbol.to_string()).expect("symbol"),
            notional: Notional::computed(notional),
            price: Price::try_new(1.0).expect("price"),
            leverage,
            quantity: None,
            decided_at: UnixNanos::new(0),
            ttl: Nanos::new(1),
        }
    }

    fn gate() -> RiskGate {
        RiskGate::new(RiskLimits {
            max_notional: 1000.0,
            max_leverage: 3.0,
            allow: Some(vec!["BTCUSDT".into()]),
            max_orders_per_s: 2,
            state: TradingState::Active,
            trade_from: None,
        })
    }

    #[test]
    fn a_decision_on_an_event_before_the_start_is_not_sent() {
        let mut g = RiskGate::new(RiskLimits { trade_from: Some(UnixNanos::new(1)), ..RiskLimits::unlimited() });
        // `intent` decides on an event at 0 ns: before the start at 1 ns.
        assert!(matches!(
            g.check(intent(Leg::Exit, "BTCUSDT", 10.0, 1.0), 5),
            Err(RiskRefusal::BeforeStart { event_ns: 0, from_ns: 1 })
        ));
        let mut g = RiskGate::new(RiskLimits { trade_from: Some(UnixNanos::new(0)), ..RiskLimits::unlimited() });
        assert!(g.check(intent(Leg::Entry, "BTCUSDT", 10.0, 1.0), 5).is_ok(), "at the start: traded");
    }

    #[test]
    fn each_cap_refuses_with_its_reason() {
        let mut g = gate();
        assert!(
            matches!(g.check(intent(Leg::Entry, "ETHUSDT", 10.0, 1.0), 0), Err(RiskRefusal::Symbol(s)) if s == "ETHUSDT")
        );
        assert!(matches!(g.check(intent(Leg::Entry, "BTCUSDT", 1000.5, 1.0), 0), Err(RiskRefusal::Notional { .. })));
        assert!(matches!(g.check(intent(Leg::Entry, "BTCUSDT", f64::NAN, 1.0), 0), Err(RiskRefusal::Notional { .. })));
        assert!(matches!(g.check(intent(Leg::Entry, "BTCUSDT", 10.0, 3.5), 0), Err(RiskRefusal::Leverage { .. })));
        assert!(g.check(intent(Leg::Entry, "BTCUSDT", 10.0, 3.0), 0).is_ok());
        assert!(g.check(intent(Leg::Entry, "BTCUSDT", 10.0, 3.0), 500_000_000).is_ok());
        assert!(matches!(g.check(intent(Leg::Entry, "BTCUSDT", 10.0, 1.0), 900_000_000), Err(RiskRefusal::Rate(2))));
        assert!(g.check(intent(Leg::Entry, "BTCUSDT", 10.0, 1.0), 1_000_000_001).is_ok(), "the window rolls");
        g.set_state(TradingState::Reducing);
        assert!(matches!(
            g.check(intent(Leg::Entry, "BTCUSDT", 10.0, 1.0), 5_000_000_000),
            Err(RiskRefusal::State(..))
        ));
        assert!(g.check(intent(Leg::Exit, "BTCUSDT", 10.0, 1.0), 5_000_000_000).is_ok(), "exits while reducing");
        g.set_state(TradingState::Halted);
        assert!(matches!(g.check(intent(Leg::Exit, "BTCUSDT", 10.0, 1.0), 9_000_000_000), Err(RiskRefusal::State(..))));
    }

    #[test]
    fn a_switch_flipped_outside_the_gate_takes_effect_at_once() {
        let switch = TradingSwitch::new(TradingState::Active);
        let mut g = RiskGate::with_switch(RiskLimits::unlimited(), switch.clone());
        assert!(g.check(intent(Leg::Entry, "ANY", 10.0, 1.0), 0).is_ok(), "no allow-list: any symbol");
        switch.set(TradingState::Halted);
        assert!(matches!(
            g.check(intent(Leg::Entry, "ANY", 10.0, 1.0), 1),
            Err(RiskRefusal::State(TradingState::Halted, _))
        ));
        switch.set(TradingState::Reducing);
        assert!(g.check(intent(Leg::Exit, "ANY", 10.0, 1.0), 2).is_ok());
        assert!(g.check(intent(Leg::Entry, "ANY", 10.0, 1.0), 3).is_err());
        // FLATTEN: exits only, read back as itself.
        switch.set("flatten".parse().expect("FLATTEN"));
        assert_eq!((switch.get(), switch.get().to_string()), (TradingState::Flatten, "FLATTEN".to_string()));
        assert!(g.check(intent(Leg::Exit, "ANY", 10.0, 1.0), 4).is_ok());
        assert!(matches!(
            g.check(intent(Leg::Entry, "ANY", 10.0, 1.0), 5),
            Err(RiskRefusal::State(TradingState::Flatten, "ENTRY"))
        ));
    }
}
