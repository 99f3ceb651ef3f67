//! The engine: decision engine + execution layer on one reactor clock.

use std::io;

use violet_alpha::ExitCheck;
use violet_clock::{Cadence, CadencePlan, Clock, DeadlineScheduler, UnixNanos};
use violet_domain::config::BlueConfig;
use violet_domain::event::{Event, Factors, Rejection, Scan, Tick};
use violet_domain::types::{Action, Price};

use crate::decision::{Allotment, Decision, DecisionRecord, FlatRun, decide};
use crate::execution::{
    Booking, BookingError, ClientOrderId, CloseReason, Command, DecisionEvent, EntryPlan, ExecutionPort, Fill,
    FillBasis, Leg, Nanos, NoVenue, Notional, OrderRef, OrderTicket, OrderTtl, OrderUpdate, Portfolio, Quantity, Slot,
    TradeEvent, UpdateKind,
};

/// The hash of what the engine runs with (BLUE's constants, the cadence plan and, when more
/// than one, the slots), as 16 hex digits: the `config_hash` of a run's row, the same for a
/// replay and a service.
#[must_use]
pub fn config_hash(cfg: &BlueConfig, plan: &CadencePlan, n_slots: usize) -> String {
    let slots = if n_slots > 1 { format!("|slots={n_slots}") } else { String::new() };
    format!("{:016x}", violet_domain::hash::fnv1a(format!("{cfg:?}|{plan}{slots}").as_bytes()))
}

/// Where the engine's outputs go.
pub trait Sink {
    /// One decision per accepted scan.
    ///
    /// # Errors
    /// The sink's I/O error; the engine stops on it.
    fn decision(&mut self, record: &DecisionRecord<'_>) -> io::Result<()>;
    /// A trade event (EXIT before ENTRY within a scan, as BLUE).
    ///
    /// # Errors
    /// The sink's I/O error; the engine stops on it.
    fn trade(&mut self, event: &TradeEvent) -> io::Result<()>;
    /// One step of an order's path. Default: ignored.
    ///
    /// # Errors
    /// The sink's I/O error.
    fn order(&mut self, update: &OrderUpdate) -> io::Result<()> {
        let _ = update;
        Ok(())
    }
    /// A rejected line (journaled, not applied). Default: ignored.
    ///
    /// # Errors
    /// The sink's I/O error.
    fn rejection(&mut self, rejection: &Rejection) -> io::Result<()> {
        let _ = rejection;
        Ok(())
    }
}

/// Two sinks, both fed.
impl<A: Sink, B: Sink> Sink for (A, B) {
    fn decision(&mut self, record: &DecisionRecord<'_>) -> io::Result<()> {
        self.0.decision(record)?;
        self.1.decision(record)
    }
    fn trade(&mut self, event: &TradeEvent) -> io::Result<()> {
        self.0.trade(event)?;
        self.1.trade(event)
    }
    fn rejection(&mut self, rejection: &Rejection) -> io::Result<()> {
        self.0.rejection(rejection)?;
        self.1.rejection(rejection)
    }
    fn order(&mut self, update: &OrderUpdate) -> io::Result<()> {
        self.0.order(update)?;
        self.1.order(update)
    }
}

/// A borrowed sink.
impl<S: Sink + ?Sized> Sink for &mut S {
    fn decision(&mut self, record: &DecisionRecord<'_>) -> io::Result<()> {
        (**self).decision(record)
    }
    fn trade(&mut self, event: &TradeEvent) -> io::Result<()> {
        (**self).trade(event)
    }
    fn rejection(&mut self, rejection: &Rejection) -> io::Result<()> {
        (**self).rejection(rejection)
    }
    fn order(&mut self, update: &OrderUpdate) -> io::Result<()> {
        (**self).order(update)
    }
}

/// An optional sink: `None` takes nothing.
impl<S: Sink> Sink for Option<S> {
    fn decision(&mut self, record: &DecisionRecord<'_>) -> io::Result<()> {
        self.as_mut().map_or(Ok(()), |s| s.decision(record))
    }
    fn trade(&mut self, event: &TradeEvent) -> io::Result<()> {
        self.as_mut().map_or(Ok(()), |s| s.trade(event))
    }
    fn rejection(&mut self, rejection: &Rejection) -> io::Result<()> {
        self.as_mut().map_or(Ok(()), |s| s.rejection(rejection))
    }
    fn order(&mut self, update: &OrderUpdate) -> io::Result<()> {
        self.as_mut().map_or(Ok(()), |s| s.order(update))
    }
}

/// What the engine has done.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EngineCounts {
    /// Decisions made (one per accepted scan).
    pub decisions: u64,
    /// Positions opened.
    pub entries: u64,
    /// Positions closed (EXIT trade events, partial closes included).
    pub exits: u64,
    /// Exit checks between scans (VIOLET-only cadences).
    pub price_checks: u64,
    /// Orders placed (commands sent through the port).
    pub orders: u64,
    /// Order updates applied.
    pub updates: u64,
}

/// Timed actions on the scheduler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Timed {
    ExitCheck,
}

/// How long past its deadline an order may stay without a terminal answer before the
/// engine asks the venue about it (10 s).
pub const QUERY_GRACE_NS: i64 = 10_000_000_000;
/// Exit order ids per slot: slot k's start at attempt `EXIT_IDS_PER_SLOT * k` (64 slots fit
/// in a `u16` attempt).
const EXIT_IDS_PER_SLOT: u16 = 1000;
/// How long ended orders are remembered, for answers that come late (10 minutes).
pub const REMEMBER_NS: i64 = 600_000_000_000;

/// The engine: a deterministic state machine. Market events (scan, factors, tick), the
/// passing of time and order updates go in; decisions, trade events and order steps go to a
/// [`Sink`], commands (place, cancel, query) to an [`ExecutionPort`]. It never waits and
/// never calls a venue.
#[derive(Debug)]
pub struct Engine<C: Clock> {
    cfg: BlueConfig,
    plan: CadencePlan,
    clock: C,
    factors: Factors,
    flat: FlatRun,
    portfolio: Portfolio,
    counts: EngineCounts,
    scheduler: DeadlineScheduler<Timed>,
    timers_started: bool,
    /// Per slot, the last tick price of its position's symbol (for between-scan checks).
    tick_prices: Vec<Option<Price>>,
    last_scan: DecisionEvent,
    port: Box<dyn ExecutionPort + Send>,
    /// Whether the port can answer at all (a port that drops every command never does).
    port_answers: bool,
    booking: Booking,
    namespace: String,
    /// Why entries are halted (an unbookable fill), if they are.
    halted: Option<String>,
    /// Trades closed and opened during the scan being applied.
    scan_exited: Option<u64>,
    scan_entered: Option<u64>,
    last_housekeeping: UnixNanos,
}

impl<C: Clock> Engine<C> {
    /// An engine with BLUE's neutral factors and initial capital, booking BLUE's fill for
    /// every order (no venue).
    pub fn new(cfg: BlueConfig, plan: CadencePlan, clock: C) -> Self {
        Self {
            portfolio: Portfolio::new(&cfg, 1),
            cfg,
            plan,
            clock,
            factors: Factors::neutral(),
            flat: FlatRun::default(),
            counts: EngineCounts::default(),
            scheduler: DeadlineScheduler::new(),
            timers_started: false,
            tick_prices: vec![None],
            last_scan: DecisionEvent { scan_number: 0, ts_ns: 0 },
            port: Box::new(NoVenue),
            port_answers: false,
            booking: Booking::Shadow,
            namespace: "violet".to_string(),
            halted: None,
            scan_exited: None,
            scan_entered: None,
            last_housekeeping: UnixNanos::MIN,
        }
    }

    /// Send commands through `port` and book as `booking` says.
    #[must_use]
    pub fn with_port(mut self, port: Box<dyn ExecutionPort + Send>, booking: Booking) -> Self {
        self.port_answers = port.accepts_commands();
        self.port = port;
        self.booking = booking;
        self
    }

    /// `n` slots sharing the capital (at least one; one is BLUE). With several, each scan
    /// still decides once; the pick enters the first free slot unless its asset is held,
    /// sized on the capital allotted to that slot (`docs/decisions.md`).
    #[must_use]
    pub fn with_slots(mut self, n: usize) -> Self {
        self.portfolio = Portfolio::new(&self.cfg, n);
        self.tick_prices = vec![None; n.max(1)];
        self
    }

    /// Client order ids in `namespace` (a service's name; a replay's run id).
    #[must_use]
    pub fn with_namespace(mut self, namespace: &str) -> Self {
        self.namespace = namespace.to_string();
        self
    }

    /// The clock.
    pub fn clock(&self) -> &C {
        &self.clock
    }

    /// The cadence plan.
    pub fn plan(&self) -> CadencePlan {
        self.plan
    }

    /// Counts so far.
    pub fn counts(&self) -> EngineCounts {
        self.counts
    }

    /// Current capital.
    pub fn capital(&self) -> f64 {
        self.portfolio.capital()
    }

    /// The first slot.
    pub fn slot(&self) -> &Slot {
        &self.portfolio.slots()[0]
    }

    /// Capital, slots and strays.
    pub fn portfolio(&self) -> &Portfolio {
        &self.portfolio
    }

    /// The port (to read what a recording port kept).
    pub fn port(&self) -> &(dyn ExecutionPort + Send) {
        self.port.as_ref()
    }

    /// Why entries are halted, if they are.
    pub fn halted(&self) -> Option<&str> {
        self.halted.as_deref()
    }

    /// No more commands: close the port (a live port's execution task then ends).
    pub fn close_port(&mut self) {
        self.port.close();
    }

    /// When the port's next answer falls due on virtual time.
    pub fn next_due(&self) -> Option<UnixNanos> {
        self.port.next_due()
    }

    fn ttl(&self) -> OrderTtl {
        OrderTtl { entry: Nanos::new(self.plan.entry_ttl_ns), exit: Nanos::new(self.plan.exit_ttl_ns) }
    }

    fn emit(&mut self, t: TradeEvent, sink: &mut impl Sink) -> io::Result<()> {
        match &t {
            TradeEvent::Entry(e) => {
                self.counts.entries += 1;
                self.scan_entered = Some(e.trade_id);
            }
            TradeEvent::Exit(e) => {
                self.counts.exits += 1;
                self.scan_exited = Some(e.trade_id);
                for (price, slot) in self.tick_prices.iter_mut().zip(self.portfolio.slots()) {
                    if slot.position().is_none() {
                        *price = None;
                    }
                }
            }
        }
        sink.trade(&t)
    }

    /// Journal and book one order update (an answer from the execution side).
    ///
    /// # Errors
    /// The sink's I/O error.
    pub fn on_order(&mut self, u: &OrderUpdate, sink: &mut impl Sink) -> io::Result<()> {
        sink.order(u)?;
        self.counts.updates += 1;
        if self.booking == Booking::Shadow {
            return Ok(()); // BLUE's fill was booked when the order was placed
        }
        self.book(u, sink)
    }

    fn book(&mut self, u: &OrderUpdate, sink: &mut impl Sink) -> io::Result<()> {
        let at = DecisionEvent { scan_number: self.last_scan.scan_number, ts_ns: u.at.get() };
        let applied = self.portfolio.apply(u, at, &self.cfg);
        if let Some(e) = applied.error {
            return self.halt(u, &e, sink);
        }
        for t in applied.trades {
            self.emit(t, sink)?;
        }
        if let Some(trade_id) = applied.close_stray {
            self.close_stray(trade_id, sink)?;
        }
        Ok(())
    }

    /// A fill the engine cannot book: journal it as an error, halt entries, cancel a live
    /// entry. Nothing is guessed.
    fn halt(&mut self, u: &OrderUpdate, e: &BookingError, sink: &mut impl Sink) -> io::Result<()> {
        let reason = format!("{e}: entries halted");
        sink.order(&OrderUpdate {
            kind: UpdateKind::InvalidFill,
            detail: reason.clone(),
            step: u.step.saturating_add(1),
            ..u.clone()
        })?;
        if self.halted.is_none() {
            self.halted = Some(reason);
        }
        let now = self.clock.now();
        for slot in self.portfolio.slots() {
            if slot.state() == crate::execution::SlotState::Entering
                && let (Some(id), Some(symbol)) = (slot.live_order(), slot.symbol())
            {
                self.port.submit(Command::Cancel { id: id.clone(), symbol: symbol.clone() }, now);
            }
        }
        Ok(())
    }

    /// Place `ticket` for slot `slot`; with shadow booking, book BLUE's fill at once.
    fn place(
        &mut self,
        slot: usize,
        ticket: OrderTicket,
        plan: Option<Box<EntryPlan>>,
        blue_quantity: f64,
        sink: &mut impl Sink,
    ) -> io::Result<()> {
        let now = self.clock.now();
        self.counts.orders += 1;
        if self.booking == Booking::Shadow {
            // BLUE's fill, booked now; the order goes out for the record only (its answers
            // are journaled, never booked), so it is not tracked.
            let (price, notional) = (ticket.price, ticket.notional);
            self.port.submit(Command::Place(ticket), now);
            self.book_blue(slot, price, notional, blue_quantity, sink)?;
            return self.pump(sink);
        }
        self.portfolio.track(
            ticket.id.clone(),
            OrderRef {
                slot,
                trade_id: ticket.trade_id,
                leg: ticket.leg,
                symbol: ticket.symbol.clone(),
                event: ticket.event,
                deadline: ticket.deadline(),
                ended: false,
                queried: false,
                plan,
            },
        );
        self.port.submit(Command::Place(ticket), now);
        self.pump(sink)
    }

    /// Book BLUE's fill of slot `slot`'s live order: `notional` at `price`.
    fn book_blue(
        &mut self,
        slot: usize,
        price: Price,
        notional: Notional,
        quantity: f64,
        sink: &mut impl Sink,
    ) -> io::Result<()> {
        let fill = Fill {
            quantity: Quantity::computed(quantity),
            price: price.into_inner(),
            notional,
            basis: FillBasis::Blue,
        };
        match self.portfolio.book_blue(slot, &fill, &self.cfg) {
            Some(t) => self.emit(t, sink),
            None => Ok(()),
        }
    }

    /// Whether orders need nothing but BLUE's fill booked: shadow booking into a port that
    /// drops every command (a replay without a venue). No ticket is built then.
    fn unsent(&self) -> bool {
        self.booking == Booking::Shadow && !self.port_answers
    }

    /// Apply every answer the port has due by now.
    fn pump(&mut self, sink: &mut impl Sink) -> io::Result<()> {
        self.pump_at(self.clock.now(), sink)
    }

    fn pump_at(&mut self, now: UnixNanos, sink: &mut impl Sink) -> io::Result<()> {
        if !self.port_answers {
            return Ok(());
        }
        while let Some(u) = self.port.poll(now) {
            self.on_order(&u, sink)?;
        }
        Ok(())
    }

    /// A fresh id for (`event`, `leg`): attempt 0, or the next one not yet used.
    fn order_id(&self, event: DecisionEvent, leg: Leg, first: u16) -> (ClientOrderId, u16) {
        let mut attempt = first;
        loop {
            let id = ClientOrderId::new(&self.namespace, event, leg, attempt);
            if !self.portfolio.knows(&id) || attempt == u16::MAX {
                return (id, attempt);
            }
            attempt += 1;
        }
    }

    fn place_exit(
        &mut self,
        slot: usize,
        check: ExitCheck,
        event: DecisionEvent,
        sink: &mut impl Sink,
    ) -> io::Result<()> {
        let Some(reason) = check.reason else { return Ok(()) };
        self.place_close(slot, CloseReason::Rule(reason), check, event, sink)
    }

    /// The operator's FLATTEN: close every open position (reduce-only) at its last seen
    /// price, on the wall clock's instant (an operator's act, not a decision on the feed).
    /// A position whose order is live is left to it; strays close themselves. Returns
    /// whether nothing is held or working any more.
    ///
    /// # Errors
    /// The sink's I/O error.
    pub fn flatten(&mut self, sink: &mut impl Sink) -> io::Result<bool> {
        for slot in 0..self.portfolio.slots().len() {
            if let Some(check) = self.portfolio.slots()[slot].flatten_check() {
                let event = DecisionEvent { scan_number: self.last_scan.scan_number, ts_ns: self.clock.now().get() };
                self.place_close(slot, CloseReason::Flatten, check, event, sink)?;
            }
        }
        Ok(self.holds_nothing())
    }

    /// Whether no slot holds or works anything, no stray is left and no order is live.
    pub fn holds_nothing(&self) -> bool {
        let p = &self.portfolio;
        p.slots().iter().all(|s| s.state() == crate::execution::SlotState::Flat)
            && p.strays().next().is_none()
            && p.live_orders() == 0
    }

    fn place_close(
        &mut self,
        slot: usize,
        reason: CloseReason,
        check: ExitCheck,
        event: DecisionEvent,
        sink: &mut impl Sink,
    ) -> io::Result<()> {
        let s = &self.portfolio.slots()[slot];
        let Some(pos) = s.position() else { return Ok(()) };
        let quantity = s.quantity();
        if self.unsent() {
            let notional = Notional::computed(pos.notional);
            self.portfolio.slot_mut(slot).begin_close(ClientOrderId::unsent(), reason, check, event);
            return self.book_blue(slot, check.price, notional, quantity, sink);
        }
        // Slots exiting on one scan share its event: slot k's exit ids start at attempt
        // 1000·k, distinct per slot and the same on every run (slot 0, BLUE's single slot,
        // keeps attempt 0). With shadow booking no order is tracked, so `order_id` alone
        // could not tell them apart.
        let first = u16::try_from(slot).unwrap_or(u16::MAX).saturating_mul(EXIT_IDS_PER_SLOT);
        let (id, _) = self.order_id(event, Leg::Exit, first);
        let ticket = OrderTicket {
            id: id.clone(),
            trade_id: pos.trade_id,
            leg: Leg::Exit,
            event,
            symbol: pos.symbol.clone(),
            notional: Notional::computed(pos.notional),
            price: check.price,
            leverage: pos.leverage,
            quantity: Some(Quantity::computed(quantity)),
            decided_at: self.clock.now(),
            ttl: self.ttl().exit,
        };
        self.portfolio.slot_mut(slot).begin_close(id, reason, check, event);
        self.place(slot, ticket, None, quantity, sink)
    }

    /// Enter `d`'s pick in slot `slot`, sized on `capital` (the slot's allotment).
    fn place_entry(
        &mut self,
        slot: usize,
        capital: f64,
        d: &Decision<'_>,
        event: DecisionEvent,
        sink: &mut impl Sink,
    ) -> io::Result<()> {
        let (Some(pick), Some(sizing)) = (d.pick, d.sizing) else { return Ok(()) };
        let Ok(symbol) = violet_domain::types::SymbolName::try_new(pick.symbol.to_string()) else { return Ok(()) };
        let trade_id = self.portfolio.take_trade_id();
        let quantity = sizing.notional / pick.price.into_inner();
        if self.unsent() {
            let plan = EntryPlan { trade_id, event, symbol, capital, score: pick.score, sizing, price: pick.price };
            self.portfolio.slot_mut(slot).begin_entry(plan, ClientOrderId::unsent());
            return self.book_blue(slot, pick.price, Notional::computed(sizing.notional), quantity, sink);
        }
        let (id, _) = self.order_id(event, Leg::Entry, 0);
        let ticket = OrderTicket {
            id: id.clone(),
            trade_id,
            leg: Leg::Entry,
            event,
            symbol: symbol.clone(),
            notional: Notional::computed(sizing.notional),
            price: pick.price,
            leverage: sizing.leverage,
            quantity: None,
            decided_at: self.clock.now(),
            ttl: self.ttl().entry,
        };
        let plan = EntryPlan { trade_id, event, symbol, capital, score: pick.score, sizing, price: pick.price };
        // Shadow booking never has a late fill: no plan kept for one.
        let kept = (self.booking == Booking::Fills).then(|| Box::new(plan.clone()));
        self.portfolio.slot_mut(slot).begin_entry(plan, id);
        self.place(slot, ticket, kept, quantity, sink)
    }

    /// Close trade `trade_id`'s stray (a late entry fill) at once, unless a close is live.
    fn close_stray(&mut self, trade_id: u64, sink: &mut impl Sink) -> io::Result<()> {
        let now = self.clock.now();
        let Some(s) = self.portfolio.stray_mut(trade_id) else { return Ok(()) };
        if s.closing.is_some() || !(s.quantity > 0.0) {
            return Ok(());
        }
        let (event, first) = (s.event, s.attempts);
        let (symbol, quantity, notional) = (s.symbol.clone(), s.quantity, s.notional);
        let Ok(price) = Price::try_new(notional / quantity) else { return Ok(()) };
        let (id, attempt) = self.order_id(event, Leg::LateClose, first);
        if let Some(s) = self.portfolio.stray_mut(trade_id) {
            s.closing = Some(id.clone());
            s.attempts = attempt.saturating_add(1);
        }
        let ticket = OrderTicket {
            id,
            trade_id,
            leg: Leg::LateClose,
            event,
            symbol,
            notional: Notional::computed(notional),
            price,
            leverage: 1.0,
            quantity: Some(Quantity::computed(quantity)),
            decided_at: now,
            ttl: self.ttl().exit,
        };
        self.place(0, ticket, None, quantity, sink)
    }

    /// Run what is due by now: answers the port has in, between-scan exit checks on a
    /// duration cadence, queries for orders long past their deadline, and forgetting of
    /// orders ended long ago.
    ///
    /// # Errors
    /// The sink's I/O error.
    pub fn on_timers(&mut self, sink: &mut impl Sink) -> io::Result<()> {
        let now = self.clock.now();
        self.pump_at(now, sink)?;
        if let Cadence::Every(period) = self.plan.exit
            && !self.timers_started
        {
            self.timers_started = true;
            self.scheduler.schedule_every(now.saturating_add(period), period, Timed::ExitCheck);
        }
        // Every occurrence due by now sees the same price and the same slot (nothing happens
        // between them): one check stands for them all, so the cost grows with events, not
        // with time (`--exit-cadence 1ns` over a long gap). Counted as the occurrences it
        // stands for, up to the one that exits.
        while let Some((f, skipped)) = self.scheduler.pop_due_coalesced(now) {
            match f.payload {
                Timed::ExitCheck => {
                    for slot in 0..self.tick_prices.len() {
                        if let Some(p) = self.tick_prices[slot]
                            && self.portfolio.slots()[slot].state() == crate::execution::SlotState::Open
                        {
                            self.counts.price_checks += 1;
                            let event = self.last_scan;
                            match self.portfolio.slot_mut(slot).price_check(p, &self.cfg) {
                                Some(check) => self.place_exit(slot, check, event, sink)?,
                                None => self.counts.price_checks += skipped,
                            }
                        }
                    }
                }
            }
        }
        // Shadow booking tracks no order: nothing to query or forget.
        if self.booking == Booking::Fills && now.since(self.last_housekeeping) >= 1_000_000_000 {
            self.last_housekeeping = now;
            for (id, symbol) in self.portfolio.overdue(now.saturating_add(-QUERY_GRACE_NS)) {
                self.port.submit(Command::Query { id, symbol }, now);
            }
            self.portfolio.forget_ended(now.saturating_add(-REMEMBER_NS));
        }
        Ok(())
    }

    /// Apply one validated event.
    ///
    /// # Errors
    /// The sink's I/O error.
    pub fn on_event(&mut self, ev: &Event<'_>, sink: &mut impl Sink) -> io::Result<()> {
        self.on_timers(sink)?;
        match ev {
            Event::Factors(f) => {
                self.factors = *f;
                Ok(())
            }
            Event::Tick(t) => self.on_tick(t, sink),
            Event::Scan(s) => self.on_scan(s, sink),
        }
    }

    fn on_tick(&mut self, t: &Tick<'_>, sink: &mut impl Sink) -> io::Result<()> {
        if self.plan.exit == Cadence::Scan {
            return Ok(()); // BLUE is scan-quantized: a valid tick changes nothing.
        }
        for slot in 0..self.tick_prices.len() {
            let s = &self.portfolio.slots()[slot];
            if s.position().is_none_or(|p| p.symbol.as_ref() as &str != t.symbol.as_str()) {
                continue;
            }
            self.tick_prices[slot] = Some(t.price);
            if self.plan.exit == Cadence::Tick && s.state() == crate::execution::SlotState::Open {
                self.counts.price_checks += 1;
                let event = DecisionEvent { scan_number: self.last_scan.scan_number, ts_ns: t.ts_ns.into_inner() };
                if let Some(check) = self.portfolio.slot_mut(slot).price_check(t.price, &self.cfg) {
                    self.place_exit(slot, check, event, sink)?;
                }
            }
        }
        Ok(())
    }

    fn on_scan(&mut self, scan: &Scan<'_>, sink: &mut impl Sink) -> io::Result<()> {
        let (sn, ts) = (scan.scan_number.into_inner(), scan.ts_ns.into_inner());
        let vel_div = scan.vel_div.into_inner();
        let event = DecisionEvent { scan_number: sn, ts_ns: ts };
        self.last_scan = event;
        self.scan_exited = None;
        self.scan_entered = None;
        let flat = self.flat.update(vel_div);
        let n_slots = self.portfolio.slots().len();
        // BLUE: an entry needs a slot free at the start of the scan (one freed by this
        // scan's exit is free from the next scan on).
        let free_at_start = self.portfolio.free_slot();
        let at_start = match free_at_start {
            Some(_) => None,
            None => self.portfolio.slots()[0].trade_id(),
        };
        for slot in 0..n_slots {
            let price = self.portfolio.slots()[slot].position().map(|pos| scan.price_of(pos.symbol.as_ref()));
            if let Some(price) = price
                && let Some(check) = self.portfolio.slot_mut(slot).exit_on_scan(price, vel_div, &self.cfg)
                && check.reason.is_some()
            {
                self.place_exit(slot, check, event, sink)?;
            }
        }
        let capital = self.portfolio.capital();
        // Shares are counted after this scan's exits: a slot freed now gives its capital
        // back and counts among the slots it is shared by, though it takes no entry before
        // the next scan.
        let allotment = Allotment::new(capital, self.portfolio.committed(), self.portfolio.free_slots(), n_slots);
        let decision = decide(scan, &self.factors, flat, allotment.allotted, &self.cfg);
        let mut entry_slot = None;
        if let Some(slot) = free_at_start
            && decision.action == Action::Enter
            && self.halted.is_none()
            && !decision.pick.is_some_and(|p| self.portfolio.holds(p.symbol))
            && (n_slots == 1 || allotment.allotted > 0.0)
        {
            entry_slot = Some(slot);
            self.place_entry(slot, allotment.allotted, &decision, event, sink)?;
        }
        self.counts.decisions += 1;
        sink.decision(&DecisionRecord {
            scan_number: sn,
            ts_ns: ts,
            decision,
            slot_trade_at_start: at_start,
            exited_trade: self.scan_exited,
            entered_trade: self.scan_entered,
            capital,
            allotment: (n_slots > 1).then_some(Allotment { entry_slot, ..allotment }),
        })
    }
}
