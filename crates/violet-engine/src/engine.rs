//! The engine: decision engine + execution layer on one reactor clock.

use std::io;

use violet_clock::{Cadence, CadencePlan, Clock, DeadlineScheduler};
use violet_domain::config::BlueConfig;
use violet_domain::event::{Event, Factors, Rejection, Scan, Tick};
use violet_domain::types::{Action, Price};

use crate::decision::{DecisionRecord, FlatRun, decide};
use crate::execution::{Execution, InstantFill, OrderUpdate, Slot, TradeEvent};

/// The hash of what the engine runs with (BLUE's constants and the cadence plan), as 16 hex
/// digits: the `config_hash` of a run's row, the same for a replay and a service.
#[must_use]
pub fn config_hash(cfg: &BlueConfig, plan: &CadencePlan) -> String {
    format!("{:016x}", violet_domain::hash::fnv1a(format!("{cfg:?}|{plan}").as_bytes()))
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
    /// One step of an order's path (venue executions only). Default: ignored.
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
    /// Positions closed.
    pub exits: u64,
    /// Exit checks between scans (VIOLET-only cadences).
    pub price_checks: u64,
}

/// Timed actions on the scheduler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Timed {
    ExitCheck,
}

/// The engine. Feed it validated events in stream order; it decides on every scan and
/// does BLUE's single-slot bookkeeping.
#[derive(Debug)]
pub struct Engine<C: Clock> {
    cfg: BlueConfig,
    plan: CadencePlan,
    clock: C,
    factors: Factors,
    flat: FlatRun,
    slot: Slot,
    counts: EngineCounts,
    scheduler: DeadlineScheduler<Timed>,
    timers_started: bool,
    /// Last tick price of the open position's symbol (for between-scan checks).
    tick_price: Option<Price>,
    last_scan: (i64, i64),
    /// Carries out each leg (default: BLUE's instant fill).
    exec: Box<dyn Execution + Send>,
}

impl<C: Clock> Engine<C> {
    /// An engine with BLUE's neutral factors and initial capital.
    pub fn new(cfg: BlueConfig, plan: CadencePlan, clock: C) -> Self {
        Self {
            slot: Slot::new(&cfg),
            cfg,
            plan,
            clock,
            factors: Factors::neutral(),
            flat: FlatRun::default(),
            counts: EngineCounts::default(),
            scheduler: DeadlineScheduler::new(),
            timers_started: false,
            tick_price: None,
            last_scan: (0, 0),
            exec: Box::new(InstantFill),
        }
    }

    /// Execute legs through `exec` instead of BLUE's instant fill (simulated venues; the
    /// slot books what actually filled).
    #[must_use]
    pub fn with_execution(mut self, exec: Box<dyn Execution + Send>) -> Self {
        self.exec = exec;
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
        self.slot.capital()
    }

    /// The slot.
    pub fn slot(&self) -> &Slot {
        &self.slot
    }

    fn emit(&mut self, t: Option<TradeEvent>, sink: &mut impl Sink) -> io::Result<Option<u64>> {
        for u in self.exec.take_updates() {
            sink.order(&u)?;
        }
        let Some(t) = t else { return Ok(None) };
        match &t {
            TradeEvent::Entry(_) => self.counts.entries += 1,
            TradeEvent::Exit(_) => {
                self.counts.exits += 1;
                self.tick_price = None;
            }
        }
        sink.trade(&t)?;
        Ok(Some(t.trade_id()))
    }

    /// Run the timed actions due by now (between-scan exit checks on a duration cadence).
    ///
    /// # Errors
    /// The sink's I/O error.
    pub fn on_timers(&mut self, sink: &mut impl Sink) -> io::Result<()> {
        if let Cadence::Every(period) = self.plan.exit
            && !self.timers_started
        {
            self.timers_started = true;
            self.scheduler.schedule_every(self.clock.now().saturating_add(period), period, Timed::ExitCheck);
        }
        let now = self.clock.now();
        while let Some(f) = self.scheduler.pop_due(now) {
            match f.payload {
                Timed::ExitCheck => {
                    if let Some(p) = self.tick_price {
                        self.counts.price_checks += 1;
                        let (sn, ts) = self.last_scan;
                        let t = self.slot.price_check(p, sn, ts, &self.cfg, self.exec.as_mut());
                        self.emit(t, sink)?;
                    }
                }
            }
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
        let ours = self.slot.position().is_some_and(|p| p.symbol.as_ref() as &str == t.symbol.as_str());
        if !ours {
            return Ok(());
        }
        self.tick_price = Some(t.price);
        if self.plan.exit == Cadence::Tick {
            self.counts.price_checks += 1;
            let (sn, _) = self.last_scan;
            let e = self.slot.price_check(t.price, sn, t.ts_ns.into_inner(), &self.cfg, self.exec.as_mut());
            self.emit(e, sink)?;
        }
        Ok(())
    }

    fn on_scan(&mut self, scan: &Scan<'_>, sink: &mut impl Sink) -> io::Result<()> {
        let (sn, ts) = (scan.scan_number.into_inner(), scan.ts_ns.into_inner());
        let vel_div = scan.vel_div.into_inner();
        self.last_scan = (sn, ts);
        let flat = self.flat.update(vel_div);
        let at_start = self.slot.position().map(|p| p.trade_id);
        let mut exited = None;
        if let Some(pos) = self.slot.position() {
            let price = scan.price_of(pos.symbol.as_ref());
            let e = self.slot.exit_on_scan(price, vel_div, sn, ts, &self.cfg, self.exec.as_mut());
            exited = self.emit(e, sink)?;
        }
        let decision = decide(scan, &self.factors, flat, self.slot.capital(), &self.cfg);
        let capital = self.slot.capital();
        let mut entered = None;
        if at_start.is_none() && decision.action == Action::Enter {
            let e = self.slot.enter(&decision, sn, ts, self.exec.as_mut());
            entered = self.emit(e, sink)?;
        }
        self.counts.decisions += 1;
        sink.decision(&DecisionRecord {
            scan_number: sn,
            ts_ns: ts,
            decision,
            slot_trade_at_start: at_start,
            exited_trade: exited,
            entered_trade: entered,
            capital,
        })
    }
}
