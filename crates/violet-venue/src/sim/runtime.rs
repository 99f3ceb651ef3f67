//! Simulated time for simulated venues: the driver, a behaviour source, and a queue of the
//! venue's answers, all on one `TestClock` (it refuses to go backwards). Deadlines are handled exactly when due (before
//! an answer arriving at the same instant: an answer at the deadline is late).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use violet_clock::{Clock as _, TestClock};

use super::behaviour::{BehaviourSource, Outcome};
use crate::driver::{Command, Driver, VenueEvent};
use crate::order::{ClientOrderId, OrderIntent, Side};
use crate::risk::RiskApproved;
use crate::venue::Recoverable;

/// A driver against a simulated venue on virtual time.
#[derive(Debug)]
pub struct SimRuntime<S> {
    driver: Driver,
    source: S,
    queue: BinaryHeap<Reverse<(i64, u64)>>,
    payload: HashMap<u64, (ClientOrderId, VenueEvent)>,
    seq: u64,
    clock: TestClock,
    closes: u64,
    /// A fault for gate self-tests: deadlines handled this late (ns).
    deadline_delay_ns: i64,
}

impl<S: BehaviourSource> SimRuntime<S> {
    /// A runtime at time `start_ns`.
    pub fn new(source: S, start_ns: i64) -> Self {
        Self {
            driver: Driver::new(),
            source,
            queue: BinaryHeap::new(),
            payload: HashMap::new(),
            seq: 0,
            clock: TestClock::new(start_ns),
            closes: 0,
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
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// A deliberate fault (gate self-tests only): handle every deadline `ns` late.
    #[must_use]
    pub fn with_deadline_delay(mut self, ns: i64) -> Self {
        self.deadline_delay_ns = ns;
        self
    }

    /// Late fills closed (reconciliation).
    pub fn closes(&self) -> u64 {
        self.closes
    }

    /// Whether nothing is pending (no answer queued, no deadline open).
    pub fn is_idle(&self) -> bool {
        self.queue.is_empty() && self.driver.next_deadline().is_none()
    }

    /// Submit `approved` for `quantity` at `t_ns`: virtual time advances to `t_ns`; when the
    /// runtime is idle it may also restart there (replay resolves each intent on its own
    /// timeline from its decision time).
    pub fn submit(&mut self, approved: RiskApproved<OrderIntent>, quantity: f64, t_ns: i64) {
        if self.is_idle() && t_ns < self.clock.now() {
            self.clock = TestClock::new(t_ns); // a fresh timeline: nothing is pending
        }
        self.advance_to(t_ns);
        let cmds = self.driver.submit(approved, quantity, self.clock.now());
        self.execute(cmds);
    }

    /// Process every answer and deadline up to `t_ns`, in time order.
    pub fn advance_to(&mut self, t_ns: i64) {
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
    fn next_answer(&self) -> Option<i64> {
        self.queue.peek().map(|Reverse((t, _))| *t)
    }

    /// When the next deadline is handled (late by the injected fault, if any).
    fn next_deadline(&self) -> Option<i64> {
        self.driver.next_deadline().map(|t| t.saturating_add(self.deadline_delay_ns))
    }

    fn deadline(&mut self, t: i64) {
        self.clock.advance_to(t);
        let cmds = self.driver.on_time(self.clock.now());
        self.execute(cmds);
    }

    fn answer(&mut self, t: i64) {
        let Some(Reverse((_, seq))) = self.queue.pop() else { return };
        self.clock.advance_to(t);
        if let Some((id, ev)) = self.payload.remove(&seq) {
            let cmds = self.driver.on_venue(&id, ev, self.clock.now());
            self.execute(cmds);
        }
    }

    fn schedule(&mut self, at: i64, id: ClientOrderId, ev: VenueEvent) {
        self.seq += 1;
        self.queue.push(Reverse((at, self.seq)));
        self.payload.insert(self.seq, (id, ev));
    }

    fn execute(&mut self, cmds: Vec<Command>) {
        for c in cmds {
            match c {
                Command::Send(req) => {
                    let Some(intent) = self.driver.intent(&req.client_order_id) else { continue };
                    let (deadline, price) = (intent.deadline_ns(), intent.price);
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
                            self.schedule(at, id, VenueEvent::Fill { quantity: req.quantity, price: fill_price })
                        }
                        Outcome::Partial => self.schedule(
                            at,
                            id,
                            VenueEvent::Fill { quantity: req.quantity * b.fraction, price: fill_price },
                        ),
                        Outcome::Ack => self.schedule(at, id, VenueEvent::Ack),
                        Outcome::Reject => self.schedule(at, id, VenueEvent::Reject("scripted reject".into())),
                        Outcome::Timeout => {}
                        Outcome::Disconnect => self.schedule(at, id, VenueEvent::Error(Recoverable::Disconnected)),
                    }
                }
                Command::Cancel(_) => {}
                Command::Close { .. } => self.closes += 1,
            }
        }
    }
}
