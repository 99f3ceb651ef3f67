//! Simulated time for simulated venues: the driver, a behaviour source, and a queue of the
//! venue's answers, all on one `TestClock` (it refuses to go backwards). Deadlines are
//! handled exactly when due (before an answer arriving at the same instant: an answer at the
//! deadline is late). The simulated exchange keeps a net position per symbol and caps
//! reduce-only fills at it, as an exchange does.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use violet_clock::{Clock as _, TestClock, UnixNanos};

use super::behaviour::{BehaviourSource, Outcome};
use crate::driver::{Command, Driver, ExchangeSize, VenueEvent};
use violet_engine::execution::is_dust;

use crate::order::{ClientOrderId, OrderTicket, Side};
use crate::risk::RiskApproved;
use crate::venue::Recoverable;

/// A driver against a simulated venue on virtual time.
#[derive(Debug)]
pub struct SimRuntime<S> {
    driver: Driver,
    source: S,
    queue: BinaryHeap<Reverse<(UnixNanos, u64)>>,
    payload: HashMap<u64, (ClientOrderId, VenueEvent)>,
    seq: u64,
    clock: TestClock,
    /// The exchange's net SHORT per symbol (base).
    positions: HashMap<String, f64>,
    /// A fault for gate self-tests: deadlines handled this late (ns).
    deadline_delay_ns: i64,
}

impl<S: BehaviourSource> SimRuntime<S> {
    /// A runtime at time `start`.
    pub fn new(source: S, start: impl Into<UnixNanos>) -> Self {
        Self {
            driver: Driver::new(),
            source,
            queue: BinaryHeap::new(),
            payload: HashMap::new(),
            seq: 0,
            clock: TestClock::new(start),
            positions: HashMap::new(),
            deadline_delay_ns: 0,
        }
    }

    /// The driver.
    pub fn driver(&self) -> &Driver {
        &self.driver
    }

    /// The driver, mutably (to drain its events).
    pub fn driver_mut(&mut self) -> &mut Driver {
        &mut self.driver
    }

    /// The behaviour source.
    pub fn source(&self) -> &S {
        &self.source
    }

    /// Virtual now.
    pub fn now(&self) -> UnixNanos {
        self.clock.now()
    }

    /// A deliberate fault (gate self-tests only): handle every deadline `ns` late.
    #[must_use]
    pub fn with_deadline_delay(mut self, ns: i64) -> Self {
        self.deadline_delay_ns = ns;
        self
    }

    /// The simulated exchange's net SHORT in `symbol` (base): every fill it gave, entries
    /// adding, reduce-only orders taking off.
    pub fn position(&self, symbol: &str) -> f64 {
        self.positions.get(symbol).copied().unwrap_or(0.0)
    }

    /// Whether nothing is pending (no answer queued, no deadline open).
    pub fn is_idle(&self) -> bool {
        self.queue.is_empty() && self.driver.next_deadline().is_none()
    }

    /// Submit `approved` for `quantity` at `t` (virtual time advances to `t` first).
    pub fn submit(&mut self, approved: RiskApproved<OrderTicket>, quantity: f64, t: impl Into<UnixNanos>) {
        self.advance_to(t);
        let cmds = self.driver.submit(approved, ExchangeSize::quantity(quantity), self.clock.now());
        self.execute(cmds);
    }

    /// The engine cancels `id` at `t`.
    pub fn cancel(&mut self, id: &ClientOrderId, t: UnixNanos) {
        self.advance_to(t);
        let cmds = self.driver.cancel(id, self.clock.now());
        self.execute(cmds);
    }

    /// When the next answer or deadline is handled.
    pub fn next_time(&self) -> Option<UnixNanos> {
        self.next_answer().into_iter().chain(self.next_deadline()).min()
    }

    /// Process every answer and deadline up to `t`, in time order.
    pub fn advance_to(&mut self, t: impl Into<UnixNanos>) {
        let t_ns = t.into();
        loop {
            let q = self.next_answer().filter(|&t| t <= t_ns);
            let d = self.next_deadline().filter(|&t| t <= t_ns);
            match (q, d) {
                (None, None) => break,
                (Some(tq), Some(td)) if td <= tq => self.deadline(td),
                (None, Some(td)) => self.deadline(td),
                (Some(tq), _) => self.answer(tq),
            }
        }
        self.clock.advance_to(t_ns);
    }

    /// Process everything still pending (all deadlines and answers, and what they cause).
    pub fn drain(&mut self) {
        while let Some(t) = self.next_answer().into_iter().chain(self.next_deadline()).min() {
            self.advance_to(t);
        }
    }

    /// When the next queued answer arrives.
    fn next_answer(&self) -> Option<UnixNanos> {
        self.queue.peek().map(|Reverse((t, _))| *t)
    }

    /// When the next deadline is handled (late by the injected fault, if any).
    fn next_deadline(&self) -> Option<UnixNanos> {
        self.driver.next_deadline().map(|t| t.saturating_add(self.deadline_delay_ns))
    }

    fn deadline(&mut self, t: UnixNanos) {
        self.clock.advance_to(t);
        let cmds = self.driver.on_time(self.clock.now());
        self.execute(cmds);
    }

    fn answer(&mut self, t: UnixNanos) {
        let Some(Reverse((_, seq))) = self.queue.pop() else { return };
        self.clock.advance_to(t);
        if let Some((id, ev)) = self.payload.remove(&seq) {
            let ev = self.exchange_fill(&id, ev);
            let cmds = self.driver.on_venue(&id, ev, self.clock.now());
            self.execute(cmds);
        }
    }

    /// The exchange books a fill: entries add to the symbol's SHORT, reduce-only orders take
    /// off at most what is there (nothing there: the order is rejected, as an exchange does).
    fn exchange_fill(&mut self, id: &ClientOrderId, ev: VenueEvent) -> VenueEvent {
        let VenueEvent::Fill { quantity, price } = ev else { return ev };
        let Some(t) = self.driver.ticket(id) else { return VenueEvent::Fill { quantity, price } };
        let (symbol, reduce) = (t.symbol.as_ref().to_string(), t.reduce_only());
        let held = self.positions.entry(symbol).or_insert(0.0);
        if !reduce {
            *held += quantity;
            return VenueEvent::Fill { quantity, price };
        }
        let q = quantity.min(*held);
        if !(q > 0.0) {
            return VenueEvent::Reject("reduce-only: no position to reduce".into());
        }
        *held -= q;
        if is_dust(*held, q) {
            *held = 0.0; // an exchange's quantities are whole steps: float dust is no position
        }
        VenueEvent::Fill { quantity: q, price }
    }

    fn schedule(&mut self, at: UnixNanos, id: ClientOrderId, ev: VenueEvent) {
        self.seq += 1;
        self.queue.push(Reverse((at, self.seq)));
        self.payload.insert(self.seq, (id, ev));
    }

    fn execute(&mut self, cmds: Vec<Command>) {
        for c in cmds {
            match c {
                Command::Send(req) => {
                    let Some(ticket) = self.driver.ticket(&req.client_order_id) else { continue };
                    let (deadline, price) = (ticket.deadline(), ticket.price.into_inner());
                    let now = self.clock.now();
                    self.driver.note_send(now, deadline);
                    let b = self.source.next_behaviour();
                    let slip = b.slippage_bps / 1e4;
                    let fill_price = match req.side {
                        Side::Sell => price * (1.0 - slip),
                        Side::Buy => price * (1.0 + slip),
                    };
                    let at = now.saturating_add(b.latency_ns);
                    let id = req.client_order_id;
                    match b.outcome {
                        Outcome::Fill => {
                            self.schedule(at, id, VenueEvent::Fill { quantity: req.quantity.get(), price: fill_price })
                        }
                        Outcome::Partial => self.schedule(
                            at,
                            id,
                            VenueEvent::Fill { quantity: req.quantity.get() * b.fraction, price: fill_price },
                        ),
                        Outcome::Ack => self.schedule(at, id, VenueEvent::Ack),
                        Outcome::Reject => self.schedule(at, id, VenueEvent::Reject("scripted reject".into())),
                        Outcome::Timeout => {}
                        Outcome::Disconnect => self.schedule(at, id, VenueEvent::Error(Recoverable::Disconnected)),
                    }
                }
                // The scripted venue's answers are certain: nothing to cancel or ask.
                Command::Cancel(_) | Command::Query(_) => {}
            }
        }
    }
}
