//! The execution task: one tokio task owns the venue, applies the risk caps, runs the TTL
//! driver on the wall clock and turns every venue answer into an [`OrderUpdate`] for the
//! engine. The engine's task talks to it through a [`ChannelPort`] (commands in) and a
//! channel of updates (answers out): nothing on the decision path waits for a venue.

use std::collections::HashMap;
use std::time::Duration;

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use violet_clock::{Clock as _, LiveClock, UnixNanos};
use violet_domain::types::SymbolName;
use violet_engine::execution::{Command as EngineCommand, ExecutionPort, OrderUpdate};
use violet_leverage::to_exchange;

use crate::contracts::Contracts;
use crate::driver::{Command, Driver, DriverStats, VenueEvent};
use crate::order::{ClientOrderId, OrderTicket, UpdateKind};
use crate::risk::RiskGate;
use crate::venue::{OrderReport, OrderRequest, Unrecoverable, Venue, VenueError};

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

    fn close(&mut self) {
        self.tx = None;
    }

    fn poll(&mut self, _: UnixNanos) -> Option<OrderUpdate> {
        None // answers arrive as events of the engine's task
    }
}

/// What the venue has reported about an order the task still follows.
#[derive(Debug, Clone)]
struct Working {
    symbol: SymbolName,
    filled: f64,
    notional: f64,
}

/// How the execution task works.
#[derive(Debug, Clone)]
pub struct TaskOptions {
    /// How often an acknowledged, not fully filled order is queried.
    pub poll_every: Duration,
    /// Contract specs for L3 (`None`: quantity = notional / price).
    pub contracts: Option<Contracts>,
}

impl Default for TaskOptions {
    fn default() -> Self {
        Self { poll_every: Duration::from_millis(50), contracts: None }
    }
}

/// The execution task over venue `V`.
#[derive(Debug)]
pub struct ExecutionTask<V> {
    venue: V,
    risk: RiskGate,
    driver: Driver,
    clock: LiveClock,
    opts: TaskOptions,
    working: HashMap<ClientOrderId, Working>,
    /// Cancels the driver asked for while the venue was busy with another request.
    queued: Vec<Command>,
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

impl<V: Venue> ExecutionTask<V> {
    /// A task owning `venue`, checking every order with `risk`.
    pub fn new(venue: V, risk: RiskGate, opts: TaskOptions) -> Self {
        Self {
            venue,
            risk,
            driver: Driver::new(),
            clock: LiveClock::new(),
            opts,
            working: HashMap::new(),
            queued: Vec::new(),
        }
    }

    /// Run until the command channel closes; every step goes to `updates` as it happens.
    /// Returns the driver's counters.
    pub async fn run(
        mut self,
        mut commands: UnboundedReceiver<EngineCommand>,
        updates: UnboundedSender<OrderUpdate>,
    ) -> DriverStats {
        loop {
            let wait = self.next_wake();
            tokio::select! {
                biased;
                cmd = commands.recv() => match cmd {
                    Some(c) => self.command(c, &updates).await,
                    None => break,
                },
                () = sleep_or_never(wait) => {
                    self.on_time(&updates).await;
                    self.poll_working(&updates).await;
                }
            }
            if !self.publish(&updates) {
                break;
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

    /// Send the driver's new steps; false when the engine is gone.
    fn publish(&mut self, updates: &UnboundedSender<OrderUpdate>) -> bool {
        let steps: Vec<OrderUpdate> = self.driver.drain_events().collect();
        steps.into_iter().all(|u| updates.send(u).is_ok())
    }

    /// Await a venue call; deadlines that come meanwhile are handled on time (their
    /// cancels wait until the venue is free).
    async fn call<T>(
        driver: &mut Driver,
        clock: &LiveClock,
        queued: &mut Vec<Command>,
        updates: &UnboundedSender<OrderUpdate>,
        call: impl std::future::Future<Output = T>,
    ) -> T {
        tokio::pin!(call);
        loop {
            let now = clock.now();
            let wait = driver.next_deadline().map(|d| Duration::from_nanos(u64::try_from(d.since(now)).unwrap_or(0)));
            tokio::select! {
                biased;
                out = &mut call => return out,
                () = sleep_or_never(wait) => {
                    queued.extend(driver.on_time(clock.now()));
                    let steps: Vec<OrderUpdate> = driver.drain_events().collect();
                    for u in steps {
                        let _ = updates.send(u);
                    }
                }
            }
        }
    }

    async fn command(&mut self, c: EngineCommand, updates: &UnboundedSender<OrderUpdate>) {
        let now = self.clock.now();
        match c {
            EngineCommand::Place(t) => self.place(t, now, updates).await,
            EngineCommand::Cancel { id, .. } => {
                let cmds = self.driver.cancel(&id, now);
                self.execute(cmds, updates).await;
            }
            EngineCommand::Query { id, symbol } => {
                let answer = Self::call(
                    &mut self.driver,
                    &self.clock,
                    &mut self.queued,
                    updates,
                    self.venue.query_order(&symbol, &id),
                )
                .await;
                let detail = match &answer {
                    Ok(r) => format!("filled {} at {}, open {}", r.filled_quantity, r.average_price, r.open),
                    Err(e) => e.to_string(),
                };
                self.driver.queried(&id, self.clock.now(), detail);
                if let Ok(r) = answer {
                    self.apply_report(&id, &symbol, &r);
                }
            }
        }
    }

    fn quantity(&self, t: &OrderTicket) -> Result<f64, String> {
        if let Some(q) = t.quantity {
            return Ok(q.get());
        }
        let Some(contracts) = &self.opts.contracts else { return Ok(t.notional.get() / t.price.into_inner()) };
        let symbol: &str = t.symbol.as_ref();
        let c = contracts.get(symbol).copied().ok_or_else(|| format!("no contract spec for {symbol}"))?;
        match to_exchange(t.leverage.max(f64::MIN_POSITIVE), t.notional.get(), t.price.into_inner(), &c) {
            Ok(x) => x.reject.map_or(Ok(x.quantity), |r| Err(format!("L3: {}", r.as_str()))),
            Err(e) => Err(format!("L3: {e}")),
        }
    }

    async fn place(&mut self, t: OrderTicket, now: UnixNanos, updates: &UnboundedSender<OrderUpdate>) {
        let refused = t.clone();
        let approved = match self.risk.check(t, now) {
            Ok(a) => a,
            Err(r) => return self.driver.refuse(refused, UpdateKind::RiskRefused, &r.to_string(), now),
        };
        match self.quantity(approved.inner()) {
            Ok(q) => {
                let cmds = self.driver.submit(approved, q, now);
                self.execute(cmds, updates).await;
            }
            Err(why) => self.driver.refuse(approved.into_inner(), UpdateKind::Reject, &why, now),
        }
    }

    async fn execute(&mut self, mut cmds: Vec<Command>, updates: &UnboundedSender<OrderUpdate>) {
        cmds.append(&mut self.queued);
        while let Some(c) = cmds.pop() {
            let more = match c {
                Command::Send(req) => self.send(req, updates).await,
                Command::Cancel(id) => self.cancel(id, updates).await,
            };
            cmds.extend(more);
            cmds.append(&mut self.queued);
        }
    }

    async fn send(&mut self, req: OrderRequest, updates: &UnboundedSender<OrderUpdate>) -> Vec<Command> {
        let id = req.client_order_id.clone();
        if let Some(t) = self.driver.ticket(&id) {
            self.driver.note_send(self.clock.now(), t.deadline());
        }
        let known = Working { symbol: req.symbol.clone(), filled: 0.0, notional: 0.0 };
        let answer =
            Self::call(&mut self.driver, &self.clock, &mut self.queued, updates, self.venue.place_order(&req)).await;
        let now = self.clock.now();
        let events = match answer {
            Ok(r) => {
                let ev = report_events(&known, &r);
                if r.open {
                    self.working.insert(
                        id.clone(),
                        Working { filled: r.filled_quantity, notional: r.average_price * r.filled_quantity, ..known },
                    );
                }
                ev
            }
            Err(VenueError::Unrecoverable(Unrecoverable::ObserveOnly)) => {
                vec![VenueEvent::Reject(Unrecoverable::ObserveOnly.to_string())]
            }
            Err(e) => vec![error_event(e)],
        };
        let mut out = Vec::new();
        for ev in events {
            out.extend(self.driver.on_venue(&id, ev, now));
        }
        out
    }

    async fn cancel(&mut self, id: ClientOrderId, updates: &UnboundedSender<OrderUpdate>) -> Vec<Command> {
        let Some(symbol) = self.driver.ticket(&id).map(|t| t.symbol.clone()) else { return Vec::new() };
        let answer =
            Self::call(&mut self.driver, &self.clock, &mut self.queued, updates, self.venue.cancel_order(&symbol, &id))
                .await;
        if let Ok(r) = answer {
            self.apply_report(&id, &symbol, &r);
        }
        self.working.remove(&id);
        Vec::new()
    }

    fn apply_report(&mut self, id: &ClientOrderId, symbol: &SymbolName, r: &OrderReport) {
        let known = self.working.get(id).cloned().unwrap_or(Working {
            symbol: symbol.clone(),
            filled: self.driver.outcome(id).map_or(0.0, |o| o.1),
            notional: self.driver.outcome(id).map_or(0.0, |o| o.1 * o.2),
        });
        let now = self.clock.now();
        for ev in report_events(&known, r) {
            if !matches!(ev, VenueEvent::Ack) {
                let _ = self.driver.on_venue(id, ev, now);
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

    async fn on_time(&mut self, updates: &UnboundedSender<OrderUpdate>) {
        let cmds = self.driver.on_time(self.clock.now());
        self.execute(cmds, updates).await;
    }

    async fn poll_working(&mut self, updates: &UnboundedSender<OrderUpdate>) {
        let ids: Vec<(ClientOrderId, SymbolName)> =
            self.working.iter().map(|(id, w)| (id.clone(), w.symbol.clone())).collect();
        for (id, symbol) in ids {
            let answer = Self::call(
                &mut self.driver,
                &self.clock,
                &mut self.queued,
                updates,
                self.venue.query_order(&symbol, &id),
            )
            .await;
            if let Ok(r) = answer {
                self.apply_report(&id, &symbol, &r);
            }
        }
        let queued = std::mem::take(&mut self.queued);
        self.execute(queued, updates).await;
    }
}

async fn sleep_or_never(wait: Option<Duration>) {
    match wait {
        Some(d) => tokio::time::sleep(d).await,
        None => std::future::pending().await,
    }
}
