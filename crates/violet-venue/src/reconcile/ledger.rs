//! The journal's view kept live from the order updates the engine journals: what
//! `journal_view` would read back once everything is shipped, without waiting for it.

use std::collections::BTreeMap;

use violet_engine::execution::OrderUpdate;

use super::view::{InFlight, JournalView};

/// Net positions from every fill, and the orders not ended, as the updates come.
#[derive(Debug, Clone, Default)]
pub struct LiveLedger {
    positions: BTreeMap<String, f64>,
    open: BTreeMap<String, InFlight>,
}

impl LiveLedger {
    /// Starting from `start` (the journal read back at the start).
    #[must_use]
    pub fn new(start: JournalView) -> Self {
        let open = start.in_flight.into_iter().map(|o| (o.client_order_id.clone(), o)).collect();
        Self { positions: start.positions, open }
    }

    /// One step of an order's path.
    pub fn on_update(&mut self, u: &OrderUpdate) {
        let symbol = u.symbol.as_ref() as &str;
        if let Some(f) = u.fill {
            *self.positions.entry(symbol.to_string()).or_insert(0.0) += u.side.signed(f.quantity.get());
        }
        let id = u.client_order_id.as_str();
        if u.state.is_terminal() {
            self.open.remove(id);
        } else {
            self.open.insert(
                id.to_string(),
                InFlight {
                    client_order_id: id.to_string(),
                    symbol: symbol.to_string(),
                    side: u.side,
                    journaled: u.side.signed(u.filled.get()),
                },
            );
        }
    }

    /// The view now.
    #[must_use]
    pub fn view(&self) -> JournalView {
        JournalView { positions: self.positions.clone(), in_flight: self.open.values().cloned().collect() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use violet_clock::UnixNanos;
    use violet_domain::types::SymbolName;
    use violet_engine::execution::{
        ClientOrderId, DecisionEvent, Fill, FillBasis, Leg, Notional, OrderState, Quantity, Side, UpdateKind,
    };

    fn update(leg: Leg, side: Side, state: OrderState, fill: Option<f64>, filled: f64) -> OrderUpdate {
        let event = DecisionEvent { scan_number: 1, ts_ns: 1 };
        OrderUpdate {
            client_order_id: ClientOrderId::new("svc", event, leg, 0),
            venue_order_id: None,
            trade_id: 1,
            leg,
            symbol: SymbolName::try_new("BTCUSDT".to_string()).expect("symbol"),
            side,
            at: UnixNanos::new(1),
            state,
            kind: UpdateKind::Fill,
            filled: Quantity::computed(filled),
            fill: fill.map(|q| Fill {
                quantity: Quantity::computed(q),
                price: 10.0,
                notional: Notional::computed(q * 10.0),
                basis: FillBasis::Venue,
            }),
            detail: String::new(),
            step: 1,
        }
    }

    #[test]
    fn fills_move_the_position_and_only_orders_not_ended_are_in_flight() {
        let mut l = LiveLedger::default();
        l.on_update(&update(Leg::Entry, Side::Sell, OrderState::Sent, None, 0.0));
        assert_eq!(l.view().in_flight.len(), 1);
        l.on_update(&update(Leg::Entry, Side::Sell, OrderState::Acked, Some(0.4), 0.4));
        let v = l.view();
        assert_eq!((v.positions["BTCUSDT"], v.in_flight[0].journaled), (-0.4, -0.4));
        l.on_update(&update(Leg::Entry, Side::Sell, OrderState::Filled, Some(0.6), 1.0));
        let v = l.view();
        assert_eq!((v.positions["BTCUSDT"], v.in_flight.len()), (-1.0, 0));
        l.on_update(&update(Leg::Exit, Side::Buy, OrderState::Filled, Some(1.0), 1.0));
        assert_eq!(l.view().positions["BTCUSDT"], 0.0, "closed");
    }
}
