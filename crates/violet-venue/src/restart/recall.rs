//! Recalling past orders. A restart replays history through the engine, which decides the
//! same events again and so makes the same client order ids. [`RecallPort`] stands between
//! the engine and the execution task: an id the journal (or the venue) already knows is
//! answered at once with that order's steps as they happened — the engine books the same
//! fills at the same prices, the journal receives the same rows again (same ids: `FINAL`
//! keeps one) — and nothing is sent. A decision on an event before the start whose id no
//! one knows was never sent: it is refused, not sent late. Only decisions on events from
//! the start on reach the venue, and only once the take-over check has passed.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use violet_clock::UnixNanos;
use violet_engine::execution::{Command, ExecutionPort, Fill, FillBasis, Notional, OrderTicket, OrderUpdate, Quantity};

use crate::order::{OrderState, UpdateKind};
use crate::reconcile::Resolution;

/// A fill the journal holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RecordedFill {
    /// The order step it was journaled at.
    pub step: u32,
    /// Base quantity.
    pub quantity: f64,
    /// Price.
    pub price: f64,
    /// When.
    pub at_ns: i64,
    /// The order's state after this step (a late fill's is its terminal state).
    pub state: OrderState,
    /// What the step was (`FILL`, or `LATE_FILL` after the order had ended).
    pub kind: UpdateKind,
}

/// An order as the journal holds it: its latest step, and its fills.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedOrder {
    /// Its client order id.
    pub client_order_id: String,
    /// The venue's id, once known.
    pub venue_order_id: Option<String>,
    /// The state of its latest step.
    pub state: OrderState,
    /// What its latest step was.
    pub kind: UpdateKind,
    /// The latest step's number.
    pub step: u32,
    /// When.
    pub at_ns: i64,
    /// The latest step's detail.
    pub detail: String,
    /// Its fills, in step order.
    pub fills: Vec<RecordedFill>,
}

/// Why the past cannot be recalled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecallError {
    /// The venue still works an order a dead run sent (it must be cancelled first).
    #[error("order {0}: the venue still works it")]
    StillOpen(String),
    /// Neither the journal nor the venue can say how an order ended.
    #[error("order {0}: the journal holds it in flight and the venue could not say how it ended ({1})")]
    Unknown(String, String),
}

/// One step to answer with.
#[derive(Debug, Clone, PartialEq)]
struct Step {
    step: u32,
    at_ns: i64,
    state: OrderState,
    kind: UpdateKind,
    /// Quantity and price.
    fill: Option<(f64, f64)>,
    detail: String,
}

/// How one past order went.
#[derive(Debug, Clone, PartialEq)]
struct Past {
    venue_order_id: Option<String>,
    steps: Vec<Step>,
}

/// The steps of a journaled order's fills, each as it was journaled (its state and kind).
fn fill_steps(o: &RecordedOrder) -> Vec<Step> {
    let mut fills = o.fills.clone();
    fills.sort_by_key(|f| f.step);
    fills
        .iter()
        .map(|f| Step {
            step: f.step,
            at_ns: f.at_ns,
            state: f.state,
            kind: f.kind,
            fill: Some((f.quantity, f.price)),
            detail: String::new(),
        })
        .collect()
}

/// The steps of an order the journal holds as ended. Under `FINAL` the journal keeps an
/// order's latest step only: when fills came after it ended (`LATE_FILL`), the step that
/// ended it is put back before the first of them, so the engine books them as it did —
/// late, into a stray it closes — not into the slot.
fn ended_steps(o: &RecordedOrder) -> Vec<Step> {
    let mut steps = fill_steps(o);
    if let Some(at) = steps.iter().position(|s| s.kind == UpdateKind::LateFill) {
        let late = &steps[at];
        let kind = match late.state {
            OrderState::Cancelled => UpdateKind::Cancel,
            OrderState::Expired => UpdateKind::Expire,
            _ => UpdateKind::Reject,
        };
        let end = Step {
            step: late.step.saturating_sub(1),
            at_ns: late.at_ns,
            state: late.state,
            kind,
            fill: None,
            detail: "recalled: the order had ended before its late fill".into(),
        };
        steps.insert(at, end);
    } else if !o.fills.iter().any(|f| f.step == o.step) {
        steps.push(Step {
            step: o.step,
            at_ns: o.at_ns,
            state: o.state,
            kind: o.kind,
            fill: None,
            detail: o.detail.clone(),
        });
    }
    steps
}

/// Every past order a restart may meet again, by client order id.
#[derive(Debug, Clone, Default)]
pub struct Recall {
    past: HashMap<String, Past>,
}

impl Recall {
    /// The journal's orders (`orders`), completed by the venue's answers about those it
    /// holds in flight and about the intent log's orders it never journaled
    /// (`resolutions`, by client order id); `at_ns` stamps the steps the answers add.
    ///
    /// # Errors
    /// [`RecallError`]: an order in flight the venue still works or could not answer for.
    pub fn new(
        orders: Vec<RecordedOrder>,
        resolutions: &BTreeMap<String, Resolution>,
        at_ns: i64,
    ) -> Result<Self, RecallError> {
        let mut past = HashMap::new();
        let mut seen = HashSet::new();
        for o in orders {
            seen.insert(o.client_order_id.clone());
            if o.state.is_terminal() {
                let steps = ended_steps(&o);
                past.insert(o.client_order_id.clone(), Past { venue_order_id: o.venue_order_id.clone(), steps });
            } else {
                let p = resolve(&o, resolutions.get(&o.client_order_id), at_ns)?;
                past.insert(o.client_order_id.clone(), p);
            }
        }
        // Orders only the intent log knew of (the process died before journaling them).
        for (id, r) in resolutions {
            if !seen.contains(id) {
                let empty = RecordedOrder {
                    client_order_id: id.clone(),
                    venue_order_id: None,
                    state: OrderState::Pending,
                    kind: UpdateKind::Sent,
                    step: 0,
                    at_ns,
                    detail: String::new(),
                    fills: Vec::new(),
                };
                past.insert(id.clone(), resolve(&empty, Some(r), at_ns)?);
            }
        }
        Ok(Self { past })
    }

    /// Past orders known.
    #[must_use]
    pub fn len(&self) -> usize {
        self.past.len()
    }

    /// Whether none is known.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.past.is_empty()
    }

    /// Whether the order `id` exists (journaled, or at the venue).
    #[must_use]
    pub fn knows(&self, id: &str) -> bool {
        self.past.contains_key(id)
    }

    /// The steps of `ticket`'s order as they happened (its ids, leg and symbol from the
    /// ticket), or `None` when no order of that id exists.
    #[must_use]
    pub fn answer(&self, ticket: &OrderTicket) -> Option<Vec<OrderUpdate>> {
        let p = self.past.get(ticket.id.as_str())?;
        let mut filled = 0.0;
        Some(
            p.steps
                .iter()
                .map(|s| {
                    let fill = s.fill.map(|(q, price)| {
                        filled += q;
                        Fill {
                            quantity: Quantity::computed(q),
                            price,
                            notional: Notional::computed(q * price),
                            basis: FillBasis::Venue,
                        }
                    });
                    OrderUpdate {
                        venue_order_id: p.venue_order_id.clone(),
                        filled: Quantity::computed(filled),
                        fill,
                        detail: s.detail.clone(),
                        ..OrderUpdate::of(ticket, UnixNanos::new(s.at_ns), s.state, s.kind, s.step)
                    }
                })
                .collect(),
        )
    }
}

/// An order the journal holds in flight (or not at all), ended by the venue's answer.
fn resolve(o: &RecordedOrder, answer: Option<&Resolution>, at_ns: i64) -> Result<Past, RecallError> {
    let id = o.client_order_id.clone();
    let mut steps = fill_steps(o);
    let journaled: f64 = o.fills.iter().map(|f| f.quantity).sum();
    let notional: f64 = o.fills.iter().map(|f| f.quantity * f.price).sum();
    let last = o.step.max(steps.iter().map(|s| s.step).max().unwrap_or(0));
    let mut venue_order_id = o.venue_order_id.clone();
    match answer {
        Some(Resolution::Found { open: true, .. }) => return Err(RecallError::StillOpen(id)),
        Some(Resolution::Unknown(why)) => return Err(RecallError::Unknown(id, why.clone())),
        None => return Err(RecallError::Unknown(id, "not asked".into())),
        Some(Resolution::NotFound) => steps.push(Step {
            step: last + 1,
            at_ns,
            state: OrderState::Rejected,
            kind: UpdateKind::Reject,
            fill: None,
            detail: "found by the restart: the venue never had it".into(),
        }),
        Some(Resolution::Found { executed, average_price, venue_order_id: v, open: false }) => {
            venue_order_id = Some(v.clone());
            let executed = executed.abs();
            let more = executed - journaled;
            let mut next = last + 1;
            if more > 0.0 && !violet_engine::execution::is_dust(more, executed) {
                let price = (average_price * executed - notional) / more;
                steps.push(Step {
                    step: next,
                    at_ns,
                    state: OrderState::Acked,
                    kind: UpdateKind::Fill,
                    fill: Some((more, price)),
                    detail: "found by the restart: filled at the venue, not journaled".into(),
                });
                next += 1;
            }
            let (state, detail) = if executed > 0.0 {
                (OrderState::Filled, format!("found by the restart: the venue executed {executed}"))
            } else {
                (OrderState::Expired, "found by the restart: the venue closed it unfilled".to_string())
            };
            steps.push(Step { step: next, at_ns, state, kind: UpdateKind::Queried, fill: None, detail });
        }
    }
    Ok(Past { venue_order_id, steps })
}

/// Opened once the take-over check has passed: until then no order is sent.
#[derive(Debug, Clone, Default)]
pub struct TakeOverGate(Arc<AtomicBool>);

impl TakeOverGate {
    /// A closed gate.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Open it (the take-over passed).
    pub fn open(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether it is open.
    #[must_use]
    pub fn is_open(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// The engine's port on an armed restart: past orders are recalled, stale decisions
/// refused, new ones passed to `inner` once `gate` is open.
#[derive(Debug)]
pub struct RecallPort<P> {
    inner: P,
    recall: Recall,
    trade_from: UnixNanos,
    gate: TakeOverGate,
    answers: VecDeque<OrderUpdate>,
    recalled: HashSet<String>,
}

impl<P: ExecutionPort> RecallPort<P> {
    /// Over `inner`: decisions on events before `trade_from` are never sent.
    #[must_use]
    pub fn new(inner: P, recall: Recall, trade_from: UnixNanos, gate: TakeOverGate) -> Self {
        Self { inner, recall, trade_from, gate, answers: VecDeque::new(), recalled: HashSet::new() }
    }

    fn refuse(&mut self, t: &OrderTicket, now: UnixNanos, detail: &str) {
        self.answers.push_back(OrderUpdate {
            detail: detail.to_string(),
            ..OrderUpdate::of(t, now, OrderState::Rejected, UpdateKind::RiskRefused, 1)
        });
    }
}

impl<P: ExecutionPort> ExecutionPort for RecallPort<P> {
    fn submit(&mut self, command: Command, now: UnixNanos) {
        match command {
            Command::Place(t) => {
                if let Some(steps) = self.recall.answer(&t) {
                    self.recalled.insert(t.id.as_str().to_string());
                    self.answers.extend(steps);
                } else if t.event.ts_ns < self.trade_from.get() {
                    self.refuse(&t, now, "decided on an event before this start and never sent: not sent now");
                } else if !self.gate.is_open() {
                    self.refuse(&t, now, "the restart's take-over check has not passed yet: not sent");
                } else {
                    self.inner.submit(Command::Place(t), now);
                }
            }
            Command::Cancel { ref id, .. } | Command::Query { ref id, .. } if self.recalled.contains(id.as_str()) => {
                // A past order has ended: there is nothing to cancel or ask.
            }
            other => self.inner.submit(other, now),
        }
    }

    fn poll(&mut self, now: UnixNanos) -> Option<OrderUpdate> {
        self.answers.pop_front().or_else(|| self.inner.poll(now))
    }

    fn next_due(&self) -> Option<UnixNanos> {
        self.inner.next_due()
    }

    fn close(&mut self) {
        self.inner.close();
    }

    fn accepts_commands(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use violet_domain::types::{Price, SymbolName};
    use violet_engine::execution::{ClientOrderId, DecisionEvent, Leg, Nanos};

    /// Keeps what reaches it.
    #[derive(Debug, Default)]
    struct Recording(Vec<Command>);

    impl ExecutionPort for Recording {
        fn submit(&mut self, command: Command, _: UnixNanos) {
            self.0.push(command);
        }
        fn poll(&mut self, _: UnixNanos) -> Option<OrderUpdate> {
            None
        }
    }

    fn ticket(ts: i64, leg: Leg) -> OrderTicket {
        let event = DecisionEvent { scan_number: ts, ts_ns: ts };
        OrderTicket {
            id: ClientOrderId::new("svc", event, leg, 0),
            trade_id: 7,
            leg,
            event,
            symbol: SymbolName::try_new("BTCUSDT".to_string()).expect("symbol"),
            notional: Notional::computed(100.0),
            price: Price::try_new(10.0).expect("price"),
            leverage: 1.0,
            quantity: None,
            decided_at: UnixNanos::new(ts),
            ttl: Nanos::new(100_000_000),
        }
    }

    fn recorded(t: &OrderTicket, state: OrderState, step: u32, fills: &[(u32, f64, f64)]) -> RecordedOrder {
        let last = step;
        RecordedOrder {
            client_order_id: t.id.as_str().to_string(),
            venue_order_id: Some("111".into()),
            state,
            kind: if state == OrderState::Filled { UpdateKind::Fill } else { UpdateKind::Ack },
            step,
            at_ns: 50,
            detail: String::new(),
            fills: fills
                .iter()
                .map(|&(step, quantity, price)| RecordedFill {
                    step,
                    quantity,
                    price,
                    at_ns: 40,
                    state: if step == last { state } else { OrderState::Acked },
                    kind: UpdateKind::Fill,
                })
                .collect(),
        }
    }

    /// Step, state, kind, fill (quantity, price) and filled so far.
    type Summary = (u32, OrderState, UpdateKind, Option<(f64, f64)>, f64);

    fn summary(u: &[OrderUpdate]) -> Vec<Summary> {
        u.iter()
            .map(|u| (u.step, u.state, u.kind, u.fill.map(|f| (f.quantity.get(), f.price)), u.filled.get()))
            .collect()
    }

    #[test]
    fn a_journaled_order_is_answered_with_its_steps_as_they_happened() {
        let t = ticket(1, Leg::Entry);
        let recall = Recall::new(
            vec![recorded(&t, OrderState::Filled, 4, &[(3, 4.0, 10.0), (4, 6.0, 10.5)])],
            &BTreeMap::new(),
            99,
        )
        .expect("recall");
        let u = recall.answer(&t).expect("known");
        assert_eq!(
            summary(&u),
            vec![
                (3, OrderState::Acked, UpdateKind::Fill, Some((4.0, 10.0)), 4.0),
                (4, OrderState::Filled, UpdateKind::Fill, Some((6.0, 10.5)), 10.0),
            ]
        );
        assert!(u.iter().all(|u| u.venue_order_id.as_deref() == Some("111") && u.trade_id == 7));
        assert_eq!(u[1].fill.map(|f| f.notional.get().to_bits()), Some(63.0f64.to_bits()));
        // A refusal the journal holds is answered as a refusal.
        let r = ticket(2, Leg::Exit);
        let mut refused = recorded(&r, OrderState::Rejected, 1, &[]);
        refused.kind = UpdateKind::RiskRefused;
        let recall = Recall::new(vec![refused], &BTreeMap::new(), 99).expect("recall");
        assert_eq!(
            summary(&recall.answer(&r).expect("known")),
            vec![(1, OrderState::Rejected, UpdateKind::RiskRefused, None, 0.0)]
        );
        assert!(recall.answer(&t).is_none(), "an id nobody knows");
    }

    #[test]
    fn a_late_fill_is_answered_after_the_step_that_ended_its_order() {
        // Journaled: SENT (1), EXPIRED (2), then a fill after it had ended (3, LATE_FILL);
        // under FINAL the journal keeps step 3 only.
        let t = ticket(1, Leg::Entry);
        let mut o = recorded(&t, OrderState::Expired, 3, &[(3, 5.0, 10.0)]);
        o.kind = UpdateKind::LateFill;
        o.fills[0].kind = UpdateKind::LateFill;
        let recall = Recall::new(vec![o], &BTreeMap::new(), 99).expect("recall");
        assert_eq!(
            summary(&recall.answer(&t).expect("known")),
            vec![
                (2, OrderState::Expired, UpdateKind::Expire, None, 0.0),
                (3, OrderState::Expired, UpdateKind::LateFill, Some((5.0, 10.0)), 5.0),
            ],
            "ended first, so the engine books the fill as late (a stray it closes), not into the slot"
        );
    }

    #[test]
    fn an_order_in_flight_ends_as_the_venue_says_and_only_what_is_missing_is_added() {
        let a = ticket(1, Leg::Entry);
        let b = ticket(2, Leg::Entry);
        let c = ticket(3, Leg::Exit);
        let mut answers = BTreeMap::new();
        // 4 of 10 journaled at 10.0; the venue executed 10 at an average of 10.6.
        answers.insert(
            a.id.as_str().to_string(),
            Resolution::Found { executed: -10.0, average_price: 10.6, venue_order_id: "222".into(), open: false },
        );
        // Only the intent log knew b: the venue never had it.
        answers.insert(b.id.as_str().to_string(), Resolution::NotFound);
        let recall =
            Recall::new(vec![recorded(&a, OrderState::Acked, 3, &[(3, 4.0, 10.0)])], &answers, 99).expect("recall");
        let u = recall.answer(&a).expect("a");
        assert_eq!(u.len(), 3);
        assert_eq!(u[1].fill.map(|f| (f.quantity.get(), f.price)), Some((6.0, (10.6 * 10.0 - 40.0) / 6.0)));
        assert_eq!((u[1].step, u[2].step, u[2].state, u[2].filled.get()), (4, 5, OrderState::Filled, 10.0));
        assert_eq!(u[2].venue_order_id.as_deref(), Some("222"));
        assert_eq!(
            summary(&recall.answer(&b).expect("b")),
            vec![(1, OrderState::Rejected, UpdateKind::Reject, None, 0.0)]
        );
        assert!(!recall.knows(c.id.as_str()));
        // Still worked at the venue, or unanswerable: no recall at all.
        answers.insert(
            c.id.as_str().to_string(),
            Resolution::Found { executed: 0.0, average_price: 0.0, venue_order_id: "3".into(), open: true },
        );
        assert_eq!(Recall::new(Vec::new(), &answers, 99).err(), Some(RecallError::StillOpen(c.id.as_str().into())));
        answers.insert(c.id.as_str().to_string(), Resolution::Unknown("timeout".into()));
        assert!(matches!(Recall::new(Vec::new(), &answers, 99), Err(RecallError::Unknown(..))));
    }

    #[test]
    fn the_port_recalls_the_past_refuses_stale_decisions_and_sends_new_ones_only_after_the_take_over() {
        let past = ticket(10, Leg::Entry);
        let recall = Recall::new(vec![recorded(&past, OrderState::Filled, 2, &[(2, 10.0, 10.0)])], &BTreeMap::new(), 0)
            .expect("recall");
        let gate = TakeOverGate::new();
        let mut port = RecallPort::new(Recording::default(), recall, UnixNanos::new(100), gate.clone());
        let now = UnixNanos::new(500);
        port.submit(Command::Place(past.clone()), now);
        port.submit(Command::Cancel { id: past.id.clone(), symbol: past.symbol.clone() }, now);
        let u = port.poll(now).expect("recalled");
        assert_eq!((u.state, u.fill.map(|f| f.quantity.get())), (OrderState::Filled, Some(10.0)));
        let stale = ticket(20, Leg::Exit);
        port.submit(Command::Place(stale), now);
        let u = port.poll(now).expect("refused");
        assert_eq!((u.state, u.kind), (OrderState::Rejected, UpdateKind::RiskRefused));
        assert!(u.detail.contains("never sent"), "{}", u.detail);
        let early = ticket(200, Leg::Exit);
        port.submit(Command::Place(early), now);
        assert!(port.poll(now).expect("refused").detail.contains("take-over"));
        assert!(port.inner.0.is_empty(), "nothing reached the venue: {:?}", port.inner.0);
        gate.open();
        let live = ticket(300, Leg::Exit);
        port.submit(Command::Place(live.clone()), now);
        // A past id decided again after the start is still never sent twice.
        port.submit(Command::Place(past.clone()), now);
        assert!(port.poll(now).is_some_and(|u| u.client_order_id == past.id));
        assert_eq!(port.inner.0.len(), 1);
        assert!(matches!(&port.inner.0[0], Command::Place(t) if t.id == live.id));
    }
}
