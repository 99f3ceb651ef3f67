//! The execution deadline driver (sans I/O: it is told the time and the venue's answers,
//! and says what to send). An intent is sent only while `now < deadline`; an intent without
//! an acknowledgement at its deadline is cancelled and ends EXPIRED; one acknowledged but not
//! fully filled ends CANCELLED (the rest cancelled); a late answer after that is reconciled
//! (a late ack: cancel; a late fill: close what filled) and recorded. Every intent reaches
//! exactly one terminal state.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use crate::order::{ClientOrderId, Leg, OrderIntent, OrderState};
use crate::risk::RiskApproved;
use crate::venue::{OrderRequest, Recoverable};

/// What the venue said about an order.
#[derive(Debug, Clone, PartialEq)]
pub enum VenueEvent {
    /// Accepted, not filled.
    Ack,
    /// (Part of) the order filled (implies accepted).
    Fill {
        /// Base quantity.
        quantity: f64,
        /// Price.
        price: f64,
    },
    /// Refused.
    Reject(String),
    /// The request failed in a way a resend may fix.
    Error(Recoverable),
}

/// What the driver wants done.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Send (or resend, same client id) an order.
    Send(OrderRequest),
    /// Cancel an order.
    Cancel(ClientOrderId),
    /// Close a quantity that filled after its intent ended (reconciliation).
    Close {
        /// The order that filled late.
        id: ClientOrderId,
        /// How much to close.
        quantity: f64,
    },
}

/// One step of an intent's path (for the `orders` and `fills` tables).
#[derive(Debug, Clone, PartialEq)]
pub struct OrderEvent {
    /// The order.
    pub id: ClientOrderId,
    /// When (ns).
    pub at_ns: i64,
    /// The state after it.
    pub state: OrderState,
    /// What happened: SENT, RESENT, ACK, FILL, REJECT, EXPIRE, CANCEL, LATE_ACK_CANCELLED,
    /// LATE_FILL_CLOSED.
    pub what: &'static str,
    /// Filled so far (base).
    pub filled: f64,
    /// For FILL and LATE_FILL_CLOSED: this fill's quantity and price.
    pub fill: Option<(f64, f64)>,
    /// A venue's reason (REJECT).
    pub detail: String,
    /// This order's step number (1, 2, ...): later steps supersede earlier ones.
    pub step: u32,
}

/// Counters for gates and status lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DriverStats {
    /// Intents submitted.
    pub submitted: u64,
    /// Sends (first sends and resends).
    pub sends: u64,
    /// Sends at or after their deadline (must stay 0).
    pub sends_late: u64,
    /// Terminal: filled.
    pub filled: u64,
    /// Terminal: rejected.
    pub rejected: u64,
    /// Terminal: expired.
    pub expired: u64,
    /// Terminal: cancelled.
    pub cancelled: u64,
    /// Late answers reconciled.
    pub reconciled: u64,
    /// Largest lateness of deadline handling seen (ns).
    pub max_expiry_lateness_ns: i64,
}

#[derive(Debug, Clone)]
struct Tracked {
    intent: OrderIntent,
    quantity: f64,
    state: OrderState,
    filled: f64,
    notional_filled: f64,
    steps: u32,
}

/// The driver.
#[derive(Debug, Default)]
pub struct Driver {
    orders: HashMap<ClientOrderId, Tracked>,
    deadlines: BinaryHeap<Reverse<(i64, ClientOrderId)>>,
    events: Vec<OrderEvent>,
    stats: DriverStats,
    open: usize,
}

impl Driver {
    /// An empty driver.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The counters.
    #[must_use]
    pub fn stats(&self) -> DriverStats {
        self.stats
    }

    /// Intents not yet in a terminal state.
    #[must_use]
    pub fn open(&self) -> usize {
        self.open
    }

    /// The earliest pending deadline.
    #[must_use]
    pub fn next_deadline(&self) -> Option<i64> {
        self.deadlines.peek().map(|Reverse((t, _))| *t)
    }

    /// An intent's state, filled quantity and average fill price.
    #[must_use]
    pub fn outcome(&self, id: &ClientOrderId) -> Option<(OrderState, f64, f64)> {
        self.orders.get(id).map(|t| {
            let avg = if t.filled > 0.0 { t.notional_filled / t.filled } else { 0.0 };
            (t.state, t.filled, avg)
        })
    }

    /// The intent behind an id.
    #[must_use]
    pub fn intent(&self, id: &ClientOrderId) -> Option<&OrderIntent> {
        self.orders.get(id).map(|t| &t.intent)
    }

    /// Take the recorded path steps.
    pub fn drain_events(&mut self) -> std::vec::Drain<'_, OrderEvent> {
        self.events.drain(..)
    }

    fn record(&mut self, id: &ClientOrderId, at_ns: i64, what: &'static str, fill: Option<(f64, f64)>, detail: String) {
        if let Some(t) = self.orders.get_mut(id) {
            t.steps += 1;
            let step = t.steps;
            self.events.push(OrderEvent {
                id: id.clone(),
                at_ns,
                state: t.state,
                what,
                filled: t.filled,
                fill,
                detail,
                step,
            });
        }
    }

    /// Move to `state`; a terminal state is never left (returns false then).
    fn set(&mut self, id: &ClientOrderId, state: OrderState) -> bool {
        let Some(t) = self.orders.get_mut(id) else { return false };
        if t.state.is_terminal() {
            return false;
        }
        t.state = state;
        if state.is_terminal() {
            self.open -= 1;
            match state {
                OrderState::Filled => self.stats.filled += 1,
                OrderState::Rejected => self.stats.rejected += 1,
                OrderState::Expired => self.stats.expired += 1,
                OrderState::Cancelled => self.stats.cancelled += 1,
                _ => {}
            }
        }
        true
    }

    fn request(t: &Tracked) -> OrderRequest {
        OrderRequest {
            client_order_id: t.intent.id.clone(),
            symbol: t.intent.symbol.clone(),
            side: t.intent.side,
            quantity: t.quantity,
            reduce_only: t.intent.leg == Leg::Exit,
        }
    }

    /// Take an approved intent for `quantity` (base) at `now_ns`: send it if its deadline
    /// has not come, else it ends EXPIRED unsent. Submitting an id already known does nothing
    /// (no second live order for one intent).
    pub fn submit(&mut self, approved: RiskApproved<OrderIntent>, quantity: f64, now_ns: i64) -> Vec<Command> {
        let intent = approved.into_inner();
        let id = intent.id.clone();
        if self.orders.contains_key(&id) {
            return Vec::new();
        }
        let deadline = intent.deadline_ns();
        self.stats.submitted += 1;
        self.open += 1;
        self.orders.insert(
            id.clone(),
            Tracked { intent, quantity, state: OrderState::Pending, filled: 0.0, notional_filled: 0.0, steps: 0 },
        );
        if now_ns >= deadline {
            self.set(&id, OrderState::Expired);
            self.record(&id, now_ns, "EXPIRE", None, "deadline passed before sending".into());
            return Vec::new();
        }
        self.set(&id, OrderState::Sent);
        self.stats.sends += 1;
        self.deadlines.push(Reverse((deadline, id.clone())));
        self.record(&id, now_ns, "SENT", None, String::new());
        self.orders.get(&id).map(|t| vec![Command::Send(Self::request(t))]).unwrap_or_default()
    }

    /// Refuse an approved intent without sending it (the observe-only guard, an L3 reject):
    /// it ends REJECTED with `reason`.
    pub fn refuse(&mut self, approved: RiskApproved<OrderIntent>, reason: &str, now_ns: i64) {
        let intent = approved.into_inner();
        let id = intent.id.clone();
        if self.orders.contains_key(&id) {
            return;
        }
        self.stats.submitted += 1;
        self.open += 1;
        self.orders.insert(
            id.clone(),
            Tracked { intent, quantity: 0.0, state: OrderState::Pending, filled: 0.0, notional_filled: 0.0, steps: 0 },
        );
        self.set(&id, OrderState::Rejected);
        self.record(&id, now_ns, "REJECT", None, reason.to_string());
    }

    /// The venue answered about `id` at `now_ns`.
    pub fn on_venue(&mut self, id: &ClientOrderId, event: VenueEvent, now_ns: i64) -> Vec<Command> {
        let Some(t) = self.orders.get(id) else { return Vec::new() };
        let (state, deadline, quantity) = (t.state, t.intent.deadline_ns(), t.quantity);
        if state.is_terminal() {
            return self.late(id, event, now_ns);
        }
        match event {
            VenueEvent::Ack => {
                self.set(id, OrderState::Acked);
                self.record(id, now_ns, "ACK", None, String::new());
                Vec::new()
            }
            VenueEvent::Fill { quantity: q, price } => {
                if let Some(t) = self.orders.get_mut(id) {
                    t.filled += q;
                    t.notional_filled += q * price;
                }
                let full = self.orders.get(id).is_some_and(|t| t.filled >= quantity);
                self.set(id, if full { OrderState::Filled } else { OrderState::Acked });
                self.record(id, now_ns, "FILL", Some((q, price)), String::new());
                Vec::new()
            }
            VenueEvent::Reject(why) => {
                self.set(id, OrderState::Rejected);
                self.record(id, now_ns, "REJECT", None, why);
                Vec::new()
            }
            VenueEvent::Error(e) => {
                // Resend with the same client id while the deadline allows: the venue keeps
                // one live order per id, so this can never double the order.
                if state == OrderState::Sent && now_ns < deadline {
                    self.stats.sends += 1;
                    self.record(id, now_ns, "RESENT", None, e.to_string());
                    self.orders.get(id).map(|t| vec![Command::Send(Self::request(t))]).unwrap_or_default()
                } else {
                    Vec::new()
                }
            }
        }
    }

    fn late(&mut self, id: &ClientOrderId, event: VenueEvent, now_ns: i64) -> Vec<Command> {
        let state = self.orders.get(id).map(|t| t.state);
        match event {
            VenueEvent::Ack if matches!(state, Some(OrderState::Expired)) => {
                self.stats.reconciled += 1;
                self.record(id, now_ns, "LATE_ACK_CANCELLED", None, String::new());
                vec![Command::Cancel(id.clone())]
            }
            VenueEvent::Fill { quantity, price }
                if matches!(state, Some(OrderState::Expired | OrderState::Cancelled)) =>
            {
                self.stats.reconciled += 1;
                self.record(id, now_ns, "LATE_FILL_CLOSED", Some((quantity, price)), String::new());
                vec![Command::Close { id: id.clone(), quantity }]
            }
            _ => Vec::new(),
        }
    }

    /// Handle every deadline at or before `now_ns`: unacknowledged intents end EXPIRED,
    /// acknowledged but unfilled ones CANCELLED; both get a cancel.
    pub fn on_time(&mut self, now_ns: i64) -> Vec<Command> {
        let mut out = Vec::new();
        while let Some(Reverse((deadline, id))) = self.deadlines.peek().cloned() {
            if deadline > now_ns {
                break;
            }
            self.deadlines.pop();
            let Some(state) = self.orders.get(&id).map(|t| t.state) else { continue };
            if state.is_terminal() {
                continue;
            }
            self.stats.max_expiry_lateness_ns = self.stats.max_expiry_lateness_ns.max(now_ns - deadline);
            let (next, what) = if state == OrderState::Acked {
                (OrderState::Cancelled, "CANCEL")
            } else {
                (OrderState::Expired, "EXPIRE")
            };
            self.set(&id, next);
            self.record(&id, now_ns, what, None, String::new());
            out.push(Command::Cancel(id));
        }
        out
    }

    /// Forget terminal intents whose deadline is before `before_ns` (long runs; keep
    /// longer than the slowest venue answer, or a late fill cannot be reconciled), keeping
    /// the counters.
    pub fn forget_terminal(&mut self, before_ns: i64) {
        self.orders.retain(|_, t| !(t.state.is_terminal() && t.intent.deadline_ns() < before_ns));
    }

    /// Record a send the caller made at `now_ns` for `deadline_ns` (for the late-send
    /// counter; the driver itself never issues one).
    pub fn note_send(&mut self, now_ns: i64, deadline_ns: i64) {
        if now_ns >= deadline_ns {
            self.stats.sends_late += 1;
        }
    }
}
