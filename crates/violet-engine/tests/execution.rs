//! The engine as a state machine against a venue the test plays by hand: commands come out
//! of the port, the test answers with order updates when it chooses. Partial fills, late
//! fills after expiry, an invalid fill price, scans decided while an order is in flight,
//! and client order ids that are a function of the decision's event.

use std::collections::VecDeque;
use std::io;
use std::sync::{Arc, Mutex};

use violet_clock::{CadencePlan, Clock as _, TestClock, UnixNanos};
use violet_domain::config::BlueConfig;
use violet_domain::event::{Event, EventStream};
use violet_engine::decision::DecisionRecord;
use violet_engine::execution::{
    Booking, Command, ExecutionPort, Fill, FillBasis, Leg, Notional, OrderState, OrderTicket, OrderUpdate, Quantity,
    SlotState, TradeEvent, UpdateKind,
};
use violet_engine::{Engine, Sink};

/// Commands out, kept for the test; nothing comes back unless the test says so.
#[derive(Debug, Clone, Default)]
struct Hand(Arc<Mutex<VecDeque<Command>>>);

impl ExecutionPort for Hand {
    fn submit(&mut self, c: Command, _: UnixNanos) {
        self.0.lock().expect("lock").push_back(c);
    }
    fn poll(&mut self, _: UnixNanos) -> Option<OrderUpdate> {
        None
    }
}

impl Hand {
    fn take(&self) -> Vec<Command> {
        self.0.lock().expect("lock").drain(..).collect()
    }
}

#[derive(Default)]
struct Out {
    decisions: Vec<(i64, Option<u64>)>,
    trades: Vec<TradeEvent>,
    orders: Vec<OrderUpdate>,
}

impl Sink for Out {
    fn decision(&mut self, r: &DecisionRecord<'_>) -> io::Result<()> {
        self.decisions.push((r.scan_number, r.slot_trade_at_start));
        Ok(())
    }
    fn trade(&mut self, t: &TradeEvent) -> io::Result<()> {
        self.trades.push(t.clone());
        Ok(())
    }
    fn order(&mut self, u: &OrderUpdate) -> io::Result<()> {
        self.orders.push(u.clone());
        Ok(())
    }
}

fn fixture() -> Vec<String> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/streams/small-a.jsonl");
    std::fs::read_to_string(p).expect("fixture").lines().map(str::to_string).collect()
}

struct Rig {
    engine: Engine<TestClock>,
    hand: Hand,
    stream: EventStream,
    lines: Vec<String>,
    next: usize,
    out: Out,
}

impl Rig {
    fn new(namespace: &str) -> Self {
        let hand = Hand::default();
        let engine = Engine::new(BlueConfig::default(), CadencePlan::default(), TestClock::new(0))
            .with_port(Box::new(hand.clone()), Booking::Fills)
            .with_namespace(namespace);
        Self { engine, hand, stream: EventStream::new(), lines: fixture(), next: 0, out: Out::default() }
    }

    /// Feed lines until the engine places an order (or the stream ends).
    fn until_command(&mut self) -> Option<Command> {
        while self.next < self.lines.len() {
            let line = self.lines[self.next].clone();
            self.next += 1;
            self.feed(&line);
            if let Some(c) = self.hand.take().into_iter().next() {
                return Some(c);
            }
        }
        None
    }

    fn feed(&mut self, line: &str) {
        let Ok(Some(ev)) = self.stream.next_line(line.as_bytes()) else { return };
        let ts = match &ev {
            Event::Scan(s) => s.ts_ns.into_inner(),
            Event::Tick(t) => t.ts_ns.into_inner(),
            Event::Factors(f) => f.ts_ns.into_inner(),
        };
        self.engine.clock().advance_to(ts);
        self.engine.on_event(&ev, &mut self.out).expect("event");
    }

    /// Feed `n` more scans (and whatever lies between them).
    fn scans(&mut self, n: usize) -> Vec<Command> {
        let mut seen = 0;
        let mut cmds = Vec::new();
        while seen < n && self.next < self.lines.len() {
            let line = self.lines[self.next].clone();
            self.next += 1;
            seen += usize::from(line.contains("\"type\":\"scan\""));
            self.feed(&line);
            cmds.extend(self.hand.take());
        }
        cmds
    }

    fn answer(&mut self, t: &OrderTicket, state: OrderState, kind: UpdateKind, fill: Option<(f64, f64)>, step: u32) {
        let filled = fill.map_or(0.0, |f| f.0);
        let u = OrderUpdate {
            client_order_id: t.id.clone(),
            venue_order_id: None,
            trade_id: t.trade_id,
            leg: t.leg,
            symbol: t.symbol.clone(),
            side: t.side(),
            at: self.engine.clock().now(),
            state,
            kind,
            filled: Quantity::computed(filled),
            fill: fill.map(|(q, p)| Fill {
                quantity: Quantity::new(q).expect("quantity"),
                price: p,
                notional: Notional::computed(q * p),
                basis: FillBasis::Venue,
            }),
            detail: String::new(),
            step,
        };
        self.engine.on_order(&u, &mut self.out).expect("order");
    }
}

fn place(c: Option<Command>) -> OrderTicket {
    match c {
        Some(Command::Place(t)) => t,
        other => panic!("expected a Place, got {other:?}"),
    }
}

fn entry(t: &TradeEvent) -> &violet_engine::execution::EntryEvent {
    match t {
        TradeEvent::Entry(e) => e,
        TradeEvent::Exit(_) => panic!("expected an ENTRY, got {t:?}"),
    }
}

#[test]
fn partial_fills_are_booked_as_they_arrive_and_scans_are_decided_meanwhile() {
    let mut rig = Rig::new("t");
    let t = place(rig.until_command());
    assert_eq!(t.leg, Leg::Entry);
    assert_eq!(rig.engine.slot().state(), SlotState::Entering);
    // The venue is slow: three scans are decided while the order is in flight, no second entry.
    let decided = rig.out.decisions.len();
    let more = rig.scans(3);
    assert!(more.iter().all(|c| !matches!(c, Command::Place(_))), "no order while the entry is live: {more:?}");
    // Scans come 5 s apart: the order is long past its deadline with no answer, so the
    // engine asks the venue about it (once) rather than guess.
    assert!(
        matches!(more.as_slice(), [Command::Query { id, .. }] if *id == t.id),
        "one query for the silent order: {more:?}"
    );
    assert_eq!(rig.out.decisions.len(), decided + 3, "the reactor kept deciding");
    assert!(rig.out.decisions[decided..].iter().all(|(_, busy)| *busy == Some(t.trade_id)));
    // Two partial fills, then the rest cancelled at the deadline.
    rig.answer(&t, OrderState::Acked, UpdateKind::Fill, Some((3.0, 10.0)), 2);
    assert_eq!(rig.engine.portfolio().quantity_of(t.symbol.as_ref()), 3.0, "booked as it arrived");
    rig.answer(&t, OrderState::Acked, UpdateKind::Fill, Some((1.0, 14.0)), 3);
    assert_eq!(rig.engine.portfolio().quantity_of(t.symbol.as_ref()), 4.0);
    assert!(rig.out.trades.is_empty(), "the ENTRY is written when the order ends");
    rig.answer(&t, OrderState::Cancelled, UpdateKind::Cancel, None, 4);
    assert_eq!(rig.engine.slot().state(), SlotState::Open);
    let e = entry(&rig.out.trades[0]);
    assert_eq!(e.price.to_bits(), (44.0f64 / 4.0).to_bits(), "average of 3 @ 10 and 1 @ 14");
    let x = e.exec.as_ref().expect("a venue's entry says which order");
    assert_eq!((x.state, x.filled_quantity), (OrderState::Cancelled, 4.0));
    assert_eq!(rig.engine.slot().position().map(|p| p.notional.to_bits()), Some(44.0f64.to_bits()));
    assert_eq!(rig.engine.capital(), BlueConfig::default().initial_capital, "an entry costs nothing until it exits");
}

#[test]
fn a_fill_after_expiry_is_booked_and_closed_at_once() {
    let mut rig = Rig::new("t");
    let t = place(rig.until_command());
    rig.answer(&t, OrderState::Expired, UpdateKind::Expire, None, 2);
    assert_eq!(rig.engine.slot().state(), SlotState::Flat, "nothing filled: the slot is free again");
    assert!(rig.out.trades.is_empty());
    // The fill arrives after the expiry: booked (a stray with its ENTRY), closed at once.
    rig.answer(&t, OrderState::Expired, UpdateKind::LateFill, Some((2.0, 50.0)), 3);
    let e = entry(&rig.out.trades[0]);
    assert_eq!((e.trade_id, e.price), (t.trade_id, 50.0));
    assert_eq!(rig.engine.portfolio().quantity_of(t.symbol.as_ref()), 2.0);
    let close = place(rig.hand.take().into_iter().next());
    assert_eq!(
        (close.leg, close.trade_id, close.quantity),
        (Leg::LateClose, t.trade_id, Some(Quantity::computed(2.0)))
    );
    assert!(close.reduce_only());
    // The close fills at 40: a SHORT from 50 gains 20%, less fees on both sides.
    rig.answer(&close, OrderState::Filled, UpdateKind::Fill, Some((2.0, 40.0)), 2);
    let TradeEvent::Exit(x) = &rig.out.trades[1] else { panic!("an EXIT: {:?}", rig.out.trades) };
    let fee = BlueConfig::default().fee_rate;
    let want = 100.0 * ((50.0 - 40.0) / 50.0) - 2.0 * fee * 100.0;
    assert_eq!(x.reason.as_str(), "LATE_FILL");
    assert_eq!(x.pnl.to_bits(), want.to_bits());
    assert_eq!(rig.engine.capital().to_bits(), (BlueConfig::default().initial_capital + want).to_bits());
    assert_eq!(rig.engine.portfolio().quantity_of(t.symbol.as_ref()), 0.0);
    assert_eq!(rig.engine.portfolio().strays().count(), 0);
}

#[test]
fn an_invalid_fill_price_is_journaled_and_halts_entries() {
    let mut rig = Rig::new("t");
    let t = place(rig.until_command());
    rig.answer(&t, OrderState::Filled, UpdateKind::Fill, Some((1.0, f64::NAN)), 2);
    let bad = rig.out.orders.iter().find(|u| u.kind == UpdateKind::InvalidFill).expect("journaled");
    assert!(bad.detail.contains("NaN") && bad.detail.contains("entries halted"), "{}", bad.detail);
    assert!(rig.engine.halted().is_some());
    let cancel = rig.hand.take();
    assert!(
        matches!(cancel.as_slice(), [Command::Cancel { id, .. }] if *id == t.id),
        "the live entry is cancelled: {cancel:?}"
    );
    // The order ends with nothing booked; later ENTER decisions place nothing.
    rig.answer(&t, OrderState::Cancelled, UpdateKind::Cancel, None, 3);
    let later = rig.scans(400);
    assert!(later.iter().all(|c| !matches!(c, Command::Place(p) if p.leg == Leg::Entry)), "{later:?}");
    assert!(rig.out.trades.is_empty(), "nothing guessed: {:?}", rig.out.trades);
}

#[test]
fn client_order_ids_follow_the_decision_not_the_trade_counter() {
    // The first entry of the whole stream, and the same decision reached by a run that
    // started later (its trade counter restarts at 1): the same id.
    let mut full = Rig::new("svc");
    let first = place(full.until_command());
    let mut cmds = Vec::new();
    while cmds.is_empty() {
        full.answer(&first, OrderState::Expired, UpdateKind::Expire, None, 2);
        cmds = full.scans(1);
    }
    let second = place(cmds.into_iter().next());
    assert_eq!(second.trade_id, first.trade_id + 1);
    let mut late = Rig::new("svc");
    late.next = full
        .lines
        .iter()
        .position(|l| l.contains(&format!("\"scan_number\":{}", first.event.scan_number)))
        .expect("line")
        + 1;
    let again = place(late.until_command());
    assert_eq!(again.trade_id, 1, "a fresh run counts trades from 1");
    assert_eq!(again.event, second.event, "the same decision");
    assert_eq!(again.id, second.id, "so the same client order id: a restart cannot place it twice");
    assert_ne!(first.id, second.id);
    assert!(
        Rig::new("other").until_command().is_some_and(|c| !matches!(c, Command::Place(p) if p.id == first.id)),
        "namespaced"
    );
}

#[test]
fn flatten_closes_the_open_position_reduce_only_then_reports_nothing_held() {
    let mut rig = Rig::new("t");
    assert!(rig.engine.flatten(&mut rig.out).expect("flatten"), "nothing held: already flat");
    assert!(rig.hand.take().is_empty(), "flat: no order");
    let t = place(rig.until_command());
    rig.answer(&t, OrderState::Filled, UpdateKind::Fill, Some((4.0, 10.0)), 2);
    assert_eq!(rig.engine.slot().state(), SlotState::Open);
    rig.engine.clock().advance_to(rig.engine.clock().now().get() + 1_000);
    assert!(!rig.engine.flatten(&mut rig.out).expect("flatten"), "an exit is working");
    let x = place(rig.hand.take().into_iter().next());
    assert_eq!((x.leg, x.quantity.map(|q| q.get())), (Leg::Exit, Some(4.0)), "the whole position, reduce-only");
    assert!(x.leg.reduce_only());
    assert_eq!(x.event.ts_ns, rig.engine.clock().now().get(), "an operator's act: on the wall clock's instant");
    assert!(!rig.engine.flatten(&mut rig.out).expect("flatten"));
    assert!(rig.hand.take().is_empty(), "one exit at a time");
    rig.answer(&x, OrderState::Filled, UpdateKind::Fill, Some((4.0, 9.0)), 2);
    let Some(TradeEvent::Exit(e)) = rig.out.trades.last() else { panic!("an EXIT: {:?}", rig.out.trades) };
    assert_eq!((e.reason.as_str(), e.price), ("FLATTEN", 9.0));
    assert!(rig.engine.flatten(&mut rig.out).expect("flatten"), "flat now");
}
