//! The execution deadline driver (sans I/O: it is told the time and the venue's answers,
//! and says what to send). An order is sent only while `now < deadline`; one without an
//! acknowledgement at its deadline is cancelled and ends EXPIRED; one acknowledged but not
//! fully filled ends CANCELLED (the rest cancelled). A late answer is recorded: a late ack
//! is cancelled, a late fill goes to the engine as `LATE_FILL`, which books it and closes
//! it. Every order reaches exactly one terminal state, and its path is a list of
//! [`OrderUpdate`]s, the engine's own type.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use violet_clock::UnixNanos;
use violet_engine::execution::{Fill, FillBasis, OrderUpdate};

use crate::order::{ClientOrderId, Notional, OrderState, OrderTicket, Quantity, UpdateKind};
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
    /// Ask the venue about an order whose request may or may not have executed (keep
    /// asking until it answers): never resent blind.
    Query(ClientOrderId),
}

/// What an order is sent as on the exchange: base quantity (after L3) and, for venues that
/// take it, the exchange's integer leverage.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExchangeSize {
    /// Base quantity.
    pub quantity: f64,
    /// Exchange leverage (`None`: the venue's setting stands).
    pub leverage: Option<u32>,
    /// The margin it needs at the venue (quote; `None`: no check).
    pub margin: Option<f64>,
}

impl ExchangeSize {
    /// A quantity without a leverage.
    #[must_use]
    pub const fn quantity(quantity: f64) -> Self {
        Self { quantity, leverage: None, margin: None }
    }
}

/// Counters for gates and status lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DriverStats {
    /// Orders submitted.
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
    /// Late answers reconciled (late acks cancelled, late fills handed to the engine).
    pub reconciled: u64,
    /// Largest lateness of deadline handling seen (ns).
    pub max_expiry_lateness_ns: i64,
}

#[derive(Debug, Clone)]
struct Tracked {
    ticket: OrderTicket,
    quantity: f64,
    leverage: Option<u32>,
    margin: Option<f64>,
    state: OrderState,
    filled: f64,
    notional_filled: f64,
    steps: u32,
    /// The venue's id, once it has reported one.
    venue_order_id: Option<String>,
}

/// The driver.
#[derive(Debug, Default)]
pub struct Driver {
    orders: HashMap<ClientOrderId, Tracked>,
    deadlines: BinaryHeap<Reverse<(UnixNanos, ClientOrderId)>>,
    events: Vec<OrderUpdate>,
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

    /// Orders not yet in a terminal state.
    #[must_use]
    pub fn open(&self) -> usize {
        self.open
    }

    /// The earliest pending deadline.
    #[must_use]
    pub fn next_deadline(&self) -> Option<UnixNanos> {
        self.deadlines.peek().map(|Reverse((t, _))| *t)
    }

    /// An order's state, filled quantity and average fill price.
    #[must_use]
    pub fn outcome(&self, id: &ClientOrderId) -> Option<(OrderState, f64, f64)> {
        self.orders.get(id).map(|t| {
            let avg = if t.filled > 0.0 { t.notional_filled / t.filled } else { 0.0 };
            (t.state, t.filled, avg)
        })
    }

    /// The ticket behind an id.
    #[must_use]
    pub fn ticket(&self, id: &ClientOrderId) -> Option<&OrderTicket> {
        self.orders.get(id).map(|t| &t.ticket)
    }

    /// The quantity sent for an id.
    #[must_use]
    pub fn quantity(&self, id: &ClientOrderId) -> Option<f64> {
        self.orders.get(id).map(|t| t.quantity)
    }

    /// The venue's id for an order, as its report gives it: kept for the order's later
    /// steps (the first non-empty id stands).
    pub fn venue_id(&mut self, id: &ClientOrderId, venue_order_id: &str) {
        if let Some(t) = self.orders.get_mut(id)
            && t.venue_order_id.is_none()
            && !venue_order_id.is_empty()
        {
            t.venue_order_id = Some(venue_order_id.to_string());
        }
    }

    /// The venue's id for an order, once reported.
    #[must_use]
    pub fn venue_order_id(&self, id: &ClientOrderId) -> Option<&str> {
        self.orders.get(id).and_then(|t| t.venue_order_id.as_deref())
    }

    /// Take the recorded path steps.
    pub fn drain_events(&mut self) -> std::vec::Drain<'_, OrderUpdate> {
        self.events.drain(..)
    }

    fn record(
        &mut self,
        id: &ClientOrderId,
        at: UnixNanos,
        kind: UpdateKind,
        fill: Option<(f64, f64)>,
        detail: String,
    ) {
        if let Some(t) = self.orders.get_mut(id) {
            t.steps += 1;
            let fill = fill.and_then(|(q, p)| {
                Some(Fill {
                    quantity: Quantity::new(q)?,
                    price: p,
                    notional: Notional::computed(q * p),
                    basis: FillBasis::Venue,
                })
            });
            self.events.push(OrderUpdate {
                venue_order_id: t.venue_order_id.clone(),
                filled: Quantity::computed(t.filled),
                fill,
                detail,
                ..OrderUpdate::of(&t.ticket, at, t.state, kind, t.steps)
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
            client_order_id: t.ticket.id.clone(),
            symbol: t.ticket.symbol.clone(),
            side: t.ticket.side(),
            quantity: Quantity::computed(t.quantity),
            reduce_only: t.ticket.reduce_only(),
            leverage: t.leverage,
            deadline: t.ticket.deadline(),
            margin: t.margin,
        }
    }

    fn track(&mut self, ticket: OrderTicket, size: ExchangeSize) -> Option<ClientOrderId> {
        let id = ticket.id.clone();
        if self.orders.contains_key(&id) {
            return None;
        }
        self.stats.submitted += 1;
        self.open += 1;
        self.orders.insert(
            id.clone(),
            Tracked {
                ticket,
                quantity: size.quantity,
                leverage: size.leverage,
                margin: size.margin,
                state: OrderState::Pending,
                filled: 0.0,
                notional_filled: 0.0,
                steps: 0,
                venue_order_id: None,
            },
        );
        Some(id)
    }

    /// Take an approved order of `size` at `now`: send it if its deadline has not come,
    /// else it ends EXPIRED unsent. Submitting an id already known does nothing (no second
    /// live order for one id).
    pub fn submit(&mut self, approved: RiskApproved<OrderTicket>, size: ExchangeSize, now: UnixNanos) -> Vec<Command> {
        let ticket = approved.into_inner();
        let deadline = ticket.deadline();
        let Some(id) = self.track(ticket, size) else { return Vec::new() };
        if now >= deadline {
            self.set(&id, OrderState::Expired);
            self.record(&id, now, UpdateKind::Expire, None, "deadline passed before sending".into());
            return Vec::new();
        }
        self.set(&id, OrderState::Sent);
        self.stats.sends += 1;
        self.deadlines.push(Reverse((deadline, id.clone())));
        self.record(&id, now, UpdateKind::Sent, None, String::new());
        self.orders.get(&id).map(|t| vec![Command::Send(Self::request(t))]).unwrap_or_default()
    }

    /// End an order without sending it (a risk refusal, the observe-only guard, an L3
    /// reject): it ends REJECTED with `kind` and `reason`.
    pub fn refuse(&mut self, ticket: OrderTicket, kind: UpdateKind, reason: &str, now: UnixNanos) {
        let Some(id) = self.track(ticket, ExchangeSize::quantity(0.0)) else { return };
        self.set(&id, OrderState::Rejected);
        self.record(&id, now, kind, None, reason.to_string());
    }

    /// The engine asked to cancel `id`: a live order ends CANCELLED (acknowledged) or
    /// EXPIRED (not yet), and the venue is told.
    pub fn cancel(&mut self, id: &ClientOrderId, now: UnixNanos) -> Vec<Command> {
        let Some(state) = self.orders.get(id).map(|t| t.state) else { return Vec::new() };
        if state.is_terminal() {
            return Vec::new();
        }
        let (next, kind) = if state == OrderState::Acked {
            (OrderState::Cancelled, UpdateKind::Cancel)
        } else {
            (OrderState::Expired, UpdateKind::Expire)
        };
        self.set(id, next);
        self.record(id, now, kind, None, "cancelled by the engine".into());
        vec![Command::Cancel(id.clone())]
    }

    /// Record what the venue said when asked about `id` (a `QUERIED` step; the order's
    /// state is unchanged: fills come as fill events).
    pub fn queried(&mut self, id: &ClientOrderId, now: UnixNanos, detail: String) {
        self.record(id, now, UpdateKind::Queried, None, detail);
    }

    /// The venue answered about `id` at `now`.
    pub fn on_venue(&mut self, id: &ClientOrderId, event: VenueEvent, now: UnixNanos) -> Vec<Command> {
        let Some(t) = self.orders.get(id) else { return Vec::new() };
        let (state, deadline, quantity) = (t.state, t.ticket.deadline(), t.quantity);
        if state.is_terminal() {
            return self.late(id, event, now);
        }
        match event {
            VenueEvent::Ack => {
                self.set(id, OrderState::Acked);
                self.record(id, now, UpdateKind::Ack, None, String::new());
                Vec::new()
            }
            VenueEvent::Fill { quantity: q, price } => {
                if Quantity::new(q).is_none() {
                    self.record(id, now, UpdateKind::InvalidFill, None, format!("the venue reported a fill of {q}"));
                    return Vec::new();
                }
                if let Some(t) = self.orders.get_mut(id) {
                    t.filled += q;
                    t.notional_filled += q * price;
                }
                let full = self.orders.get(id).is_some_and(|t| t.filled >= quantity);
                self.set(id, if full { OrderState::Filled } else { OrderState::Acked });
                self.record(id, now, UpdateKind::Fill, Some((q, price)), String::new());
                Vec::new()
            }
            VenueEvent::Reject(why) => {
                self.set(id, OrderState::Rejected);
                self.record(id, now, UpdateKind::Reject, None, why);
                Vec::new()
            }
            VenueEvent::Error(Recoverable::OutcomeUnknown(why)) => {
                // The request may have executed: ask, never resend blind.
                self.record(id, now, UpdateKind::Queried, None, format!("outcome unknown ({why}): querying"));
                vec![Command::Query(id.clone())]
            }
            VenueEvent::Error(e) => {
                // The venue says the request did not execute (a timeout of a simulated venue
                // that keeps one order per id, a rate limit): resend with the same client id
                // while the deadline allows.
                if state == OrderState::Sent && now < deadline {
                    self.stats.sends += 1;
                    self.record(id, now, UpdateKind::Resent, None, e.to_string());
                    self.orders.get(id).map(|t| vec![Command::Send(Self::request(t))]).unwrap_or_default()
                } else {
                    Vec::new()
                }
            }
        }
    }

    fn late(&mut self, id: &ClientOrderId, event: VenueEvent, now: UnixNanos) -> Vec<Command> {
        let state = self.orders.get(id).map(|t| t.state);
        match event {
            VenueEvent::Ack if matches!(state, Some(OrderState::Expired)) => {
                self.stats.reconciled += 1;
                self.record(id, now, UpdateKind::LateAckCancelled, None, String::new());
                vec![Command::Cancel(id.clone())]
            }
            VenueEvent::Fill { quantity, price }
                if matches!(state, Some(OrderState::Expired | OrderState::Cancelled)) =>
            {
                if Quantity::new(quantity).is_none() {
                    self.record(
                        id,
                        now,
                        UpdateKind::InvalidFill,
                        None,
                        format!("the venue reported a fill of {quantity}"),
                    );
                    return Vec::new();
                }
                self.stats.reconciled += 1;
                if let Some(t) = self.orders.get_mut(id) {
                    t.filled += quantity;
                    t.notional_filled += quantity * price;
                }
                self.record(id, now, UpdateKind::LateFill, Some((quantity, price)), String::new());
                Vec::new()
            }
            VenueEvent::Reject(why) => {
                // Recorded for the audit; the order had already ended, nothing changes.
                self.record(id, now, UpdateKind::Reject, None, format!("after the order ended: {why}"));
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// Handle every deadline at or before `now`: unacknowledged orders end EXPIRED,
    /// acknowledged but unfilled ones CANCELLED; both get a cancel.
    pub fn on_time(&mut self, now: UnixNanos) -> Vec<Command> {
        let mut out = Vec::new();
        while let Some(Reverse((deadline, id))) = self.deadlines.peek().cloned() {
            if deadline > now {
                break;
            }
            self.deadlines.pop();
            let Some(state) = self.orders.get(&id).map(|t| t.state) else { continue };
            if state.is_terminal() {
                continue;
            }
            self.stats.max_expiry_lateness_ns = self.stats.max_expiry_lateness_ns.max(now.since(deadline));
            let (next, kind) = if state == OrderState::Acked {
                (OrderState::Cancelled, UpdateKind::Cancel)
            } else {
                (OrderState::Expired, UpdateKind::Expire)
            };
            self.set(&id, next);
            self.record(&id, now, kind, None, String::new());
            out.push(Command::Cancel(id));
        }
        out
    }

    /// Forget terminal orders whose deadline is before `before_ns` (long runs; keep
    /// longer than the slowest venue answer, or a late fill cannot be reconciled), keeping
    /// the counters.
    pub fn forget_terminal(&mut self, before: UnixNanos) {
        self.orders.retain(|_, t| !(t.state.is_terminal() && t.ticket.deadline() < before));
    }

    /// Record a send the caller made at `now` for `deadline_ns` (for the late-send
    /// counter; the driver itself never issues one).
    pub fn note_send(&mut self, now: UnixNanos, deadline: UnixNanos) {
        if now >= deadline {
            self.stats.sends_late += 1;
        }
    }
}
