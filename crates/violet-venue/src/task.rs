//! The execution task: one tokio task owns the venue, applies the risk caps, runs the TTL
//! driver on the wall clock and turns every venue answer into an [`OrderUpdate`] for the
//! engine. Requests to the venue run concurrently (a [`JoinSet`]): a slow answer never holds
//! up another order, and deadlines are handled on time whatever is in flight. The engine's
//! task talks to it through a [`ChannelPort`] (commands in) and a channel of updates
//! (answers out): nothing on the decision path waits for a venue.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tokio::task::JoinSet;
use violet_clock::{Clock as _, LiveClock, UnixNanos};
use violet_domain::types::SymbolName;
use violet_engine::execution::{Command as EngineCommand, ExecutionPort, OrderUpdate};
use violet_leverage::to_exchange;

use crate::contracts::Contracts;
use crate::driver::{Command, Driver, DriverStats, ExchangeSize, VenueEvent};
use crate::order::{ClientOrderId, OrderTicket, UpdateKind};
use crate::risk::RiskGate;
use crate::venue::{OrderReport, OrderRequest, Venue, VenueError};

/// The engine's port on a live path: commands go down a channel to the execution task;
/// answers come back on the updates channel, as events of the engine's task.
#[derive(Debug)]
pub struct ChannelPort {
    tx: Option<UnboundedSender<EngineCommand>>,
}

impl ChannelPort {
    /// A port sending into `tx`.
    #[must_use]
    pub fn new(tx: UnboundedSender<EngineCommand>) -> Self {
        Self { tx: Some(tx) }
    }
}

impl ExecutionPort for ChannelPort {
    fn submit(&mut self, command: EngineCommand, _: UnixNanos) {
        // The task has stopped only when the service is stopping: nothing to do then.
        if let Some(tx) = &self.tx {
            let _ = tx.send(command);
        }
    }

    fn poll(&mut self, _: UnixNanos) -> Option<OrderUpdate> {
        None // answers arrive as events of the engine's task
    }

    fn close(&mut self) {
        self.tx = None;
    }
}

/// What the venue has reported about an order the task still follows.
#[derive(Debug, Clone)]
struct Working {
    symbol: SymbolName,
    filled: f64,
    notional: f64,
}

/// Told of each order request as the task hands it to the venue (metrics). Must not block.
pub trait SendObserver: Send + Sync + std::fmt::Debug {
    /// An order decided `since_decision` ago (the ticket's `decided_at` to now) goes to the
    /// venue now.
    fn sending(&self, since_decision: Duration);
}

/// How the execution task works.
#[derive(Debug, Clone)]
pub struct TaskOptions {
    /// How often an acknowledged, not fully filled order is queried.
    pub poll_every: Duration,
    /// Contract specs for L3 (`None`: quantity = notional / price).
    pub contracts: Option<Contracts>,
    /// Told of each order request sent.
    pub on_send: Option<Arc<dyn SendObserver>>,
}

impl Default for TaskOptions {
    fn default() -> Self {
        Self { poll_every: Duration::from_millis(50), contracts: None, on_send: None }
    }
}

/// Which request an answer is to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Request {
    Place,
    Cancel,
    /// The engine asked.
    Query,
    /// The task follows a working order.
    Poll,
}

/// A venue request that came back.
#[derive(Debug)]
struct Answer {
    id: ClientOrderId,
    symbol: SymbolName,
    request: Request,
    result: Result<OrderReport, VenueError>,
}

/// The execution task over venue `V`.
#[derive(Debug)]
pub struct ExecutionTask<V> {
    venue: Arc<V>,
    risk: RiskGate,
    driver: Driver,
    clock: LiveClock,
    opts: TaskOptions,
    working: HashMap<ClientOrderId, Working>,
    in_flight: JoinSet<Answer>,
    /// Orders with a request in flight (one at a time per order).
    busy: HashSet<ClientOrderId>,
    /// Armed: every order request is written here before it leaves.
    intents: Option<crate::restart::IntentLog>,
}

/// The venue's report as the driver's events, given what was known before.
fn report_events(known: &Working, r: &OrderReport) -> Vec<VenueEvent> {
    let delta = r.filled_quantity - known.filled;
    let mut out = Vec::new();
    if delta > 0.0 {
        let price = (r.average_price * r.filled_quantity - known.notional) / delta;
        out.push(VenueEvent::Fill { quantity: delta, price });
    } else if r.open {
        out.push(VenueEvent::Ack);
    } else if !(r.filled_quantity > 0.0) {
        out.push(VenueEvent::Reject("the venue closed the order unfilled".into()));
    }
    out
}

fn error_event(e: VenueError) -> VenueEvent {
    match e {
        VenueError::Recoverable(r) => VenueEvent::Error(r),
        VenueError::Unrecoverable(u) => VenueEvent::Reject(u.to_string()),
    }
}

async fn sleep_or_never(wait: Option<Duration>) {
    match wait {
        Some(d) => tokio::time::sleep(d).await,
        None => std::future::pending().await,
    }
}

impl<V: Venue + 'static> ExecutionTask<V> {
    /// A task owning `venue`, checking every order with `risk`.
    pub fn new(venue: V, risk: RiskGate, opts: TaskOptions) -> Self {
        Self {
            venue: Arc::new(venue),
            risk,
            driver: Driver::new(),
            clock: LiveClock::new(),
            opts,
            working: HashMap::new(),
            in_flight: JoinSet::new(),
            busy: HashSet::new(),
            intents: None,
        }
    }

    /// Write every order request to `log` before sending it (an armed service: a restart
    /// then knows of every order that may be at the venue). A request whose line cannot be
    /// written is not sent (rejected).
    #[must_use]
    pub fn with_intents(mut self, log: crate::restart::IntentLog) -> Self {
        self.intents = Some(log);
        self
    }

    /// Run until the command channel has closed and every order has ended (its requests
    /// answered); every step goes to `updates` as it happens. Returns the driver's counters.
    pub async fn run(
        mut self,
        mut commands: UnboundedReceiver<EngineCommand>,
        updates: UnboundedSender<OrderUpdate>,
    ) -> DriverStats {
        let mut open = true;
        loop {
            if !open && self.in_flight.is_empty() && self.driver.open() == 0 {
                break;
            }
            let wait = self.next_wake();
            tokio::select! {
                biased;
                Some(done) = self.in_flight.join_next(), if !self.in_flight.is_empty() => {
                    if let Ok(answer) = done {
                        self.answer(answer);
                    }
                }
                cmd = commands.recv(), if open => match cmd {
                    Some(c) => self.command(c),
                    None => open = false,
                },
                () = sleep_or_never(wait) => {
                    let cmds = self.driver.on_time(self.clock.now());
                    self.execute(cmds);
                    self.poll_working();
                }
            }
            let steps: Vec<OrderUpdate> = self.driver.drain_events().collect();
            if !steps.into_iter().all(|u| updates.send(u).is_ok()) {
                break; // the engine is gone
            }
        }
        self.driver.stats()
    }

    /// How long until the next deadline or poll of a working order.
    fn next_wake(&self) -> Option<Duration> {
        let now = self.clock.now();
        let deadline = self.driver.next_deadline().map(|d| d.since(now).max(0));
        let poll =
            (!self.working.is_empty()).then(|| i64::try_from(self.opts.poll_every.as_nanos()).unwrap_or(i64::MAX));
        deadline.into_iter().chain(poll).min().map(|ns| Duration::from_nanos(u64::try_from(ns).unwrap_or(0)))
    }

    fn spawn(&mut self, id: ClientOrderId, symbol: SymbolName, request: Request, req: Option<OrderRequest>) {
        self.busy.insert(id.clone());
        let venue = Arc::clone(&self.venue);
        self.in_flight.spawn(async move {
            let result = match (request, &req) {
                (Request::Place, Some(r)) => venue.place_order(r).await,
                (Request::Cancel, _) => venue.cancel_order(&symbol, &id).await,
                _ => venue.query_order(&symbol, &id).await,
            };
            Answer { id, symbol, request, result }
        });
    }

    fn command(&mut self, c: EngineCommand) {
        let now = self.clock.now();
        match c {
            EngineCommand::Place(t) => self.place(t, now),
            EngineCommand::Cancel { id, .. } => {
                let cmds = self.driver.cancel(&id, now);
                self.execute(cmds);
            }
            EngineCommand::Query { id, symbol } => self.spawn(id, symbol, Request::Query, None),
        }
    }

    fn size(&self, t: &OrderTicket) -> Result<ExchangeSize, String> {
        if let Some(q) = t.quantity {
            return Ok(ExchangeSize::quantity(q.get()));
        }
        let Some(contracts) = &self.opts.contracts else {
            return Ok(ExchangeSize::quantity(t.notional.get() / t.price.into_inner()));
        };
        let symbol: &str = t.symbol.as_ref();
        let c = contracts.get(symbol).copied().ok_or_else(|| format!("no contract spec for {symbol}"))?;
        match to_exchange(t.leverage.max(f64::MIN_POSITIVE), t.notional.get(), t.price.into_inner(), &c) {
            Ok(x) => match x.reject {
                None => {
                    // Closing legs leave the venue's leverage alone and need no margin.
                    let leverage = if t.reduce_only() { None } else { u32::try_from(x.exchange_leverage).ok() };
                    let margin = leverage.filter(|l| *l > 0).map(|l| x.quantity * t.price.into_inner() / f64::from(l));
                    Ok(ExchangeSize { quantity: x.quantity, leverage, margin })
                }
                Some(r) => Err(format!("L3: {}", r.as_str())),
            },
            Err(e) => Err(format!("L3: {e}")),
        }
    }

    fn place(&mut self, t: OrderTicket, now: UnixNanos) {
        let refused = t.clone();
        let approved = match self.risk.check(t, now) {
            Ok(a) => a,
            Err(r) => return self.driver.refuse(refused, UpdateKind::RiskRefused, &r.to_string(), now),
        };
        match self.size(approved.inner()) {
            Ok(size) => {
                let cmds = self.driver.submit(approved, size, now);
                self.execute(cmds);
            }
            Err(why) => self.driver.refuse(approved.into_inner(), UpdateKind::Reject, &why, now),
        }
    }

    /// Carry out the driver's commands: sends and cancels become requests in flight.
    fn execute(&mut self, cmds: Vec<Command>) {
        for c in cmds {
            match c {
                Command::Send(req) => {
                    if let Some(log) = &self.intents
                        && let Err(e) = log.record(&req.client_order_id, &req.symbol, req.side)
                    {
                        tracing::error!(error = %e, id = %req.client_order_id, "intent log unwritable: order not sent");
                        let why = format!("not sent: {e}");
                        let cmds =
                            self.driver.on_venue(&req.client_order_id, VenueEvent::Reject(why), self.clock.now());
                        self.execute(cmds);
                        continue;
                    }
                    if let Some((deadline, decided)) =
                        self.driver.ticket(&req.client_order_id).map(|t| (t.deadline(), t.decided_at))
                    {
                        let now = self.clock.now();
                        self.driver.note_send(now, deadline);
                        if let Some(o) = &self.opts.on_send {
                            let ns = now.get().saturating_sub(decided.get());
                            o.sending(Duration::from_nanos(u64::try_from(ns).unwrap_or(0)));
                        }
                    }
                    let (id, symbol) = (req.client_order_id.clone(), req.symbol.clone());
                    self.spawn(id, symbol, Request::Place, Some(req));
                }
                Command::Cancel(id) => {
                    if let Some(symbol) = self.driver.ticket(&id).map(|t| t.symbol.clone()) {
                        self.spawn(id, symbol, Request::Cancel, None);
                    }
                }
                Command::Query(id) => {
                    // Followed as a working order: polled until the venue reports it ended.
                    if let Some(symbol) = self.driver.ticket(&id).map(|t| t.symbol.clone()) {
                        let (filled, avg) = self.driver.outcome(&id).map_or((0.0, 0.0), |o| (o.1, o.2));
                        self.working
                            .insert(id.clone(), Working { symbol: symbol.clone(), filled, notional: filled * avg });
                        if !self.busy.contains(&id) {
                            self.spawn(id, symbol, Request::Poll, None);
                        }
                    }
                }
            }
        }
    }

    fn answer(&mut self, a: Answer) {
        self.busy.remove(&a.id);
        if let Ok(r) = &a.result {
            self.driver.venue_id(&a.id, &r.venue_order_id);
        }
        let now = self.clock.now();
        match a.request {
            Request::Place => {
                let events = match &a.result {
                    Ok(r) => {
                        let known = Working { symbol: a.symbol.clone(), filled: 0.0, notional: 0.0 };
                        if r.open {
                            self.working.insert(
                                a.id.clone(),
                                Working {
                                    filled: r.filled_quantity,
                                    notional: r.average_price * r.filled_quantity,
                                    ..known.clone()
                                },
                            );
                        }
                        report_events(&known, r)
                    }
                    Err(e) => vec![error_event(e.clone())],
                };
                for ev in events {
                    let cmds = self.driver.on_venue(&a.id, ev, now);
                    self.execute(cmds);
                }
            }
            Request::Cancel => {
                if let Ok(r) = &a.result {
                    self.apply_report(&a.id, &a.symbol, r);
                }
                self.working.remove(&a.id);
            }
            Request::Query | Request::Poll => {
                if a.request == Request::Query {
                    let detail = match &a.result {
                        Ok(r) => format!("filled {} at {}, open {}", r.filled_quantity, r.average_price, r.open),
                        Err(e) => e.to_string(),
                    };
                    self.driver.queried(&a.id, now, detail);
                }
                if let Ok(r) = &a.result {
                    self.apply_report(&a.id, &a.symbol, r);
                }
            }
        }
    }

    /// A report from a cancel, query or poll: what filled since the last one.
    fn apply_report(&mut self, id: &ClientOrderId, symbol: &SymbolName, r: &OrderReport) {
        let known = self.working.get(id).cloned().unwrap_or_else(|| {
            let (filled, avg) = self.driver.outcome(id).map_or((0.0, 0.0), |o| (o.1, o.2));
            Working { symbol: symbol.clone(), filled, notional: filled * avg }
        });
        let now = self.clock.now();
        for ev in report_events(&known, r) {
            if !matches!(ev, VenueEvent::Ack) {
                let cmds = self.driver.on_venue(id, ev, now);
                self.execute(cmds);
            }
        }
        if r.open {
            self.working.insert(
                id.clone(),
                Working { filled: r.filled_quantity, notional: r.average_price * r.filled_quantity, ..known },
            );
        } else {
            self.working.remove(id);
        }
    }

    /// Query every working order that has no request in flight.
    fn poll_working(&mut self) {
        let due: Vec<(ClientOrderId, SymbolName)> = self
            .working
            .iter()
            .filter(|(id, _)| !self.busy.contains(*id))
            .map(|(id, w)| (id.clone(), w.symbol.clone()))
            .collect();
        for (id, symbol) in due {
            self.spawn(id, symbol, Request::Poll, None);
        }
    }
}
