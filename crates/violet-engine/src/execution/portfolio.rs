//! Capital and positions: the slots (one today; the types allow N), the orders the engine
//! has placed, and quantities that filled after their entry order ended (strays, closed at
//! once). Every fill is booked exactly once, into the slot or stray its order belongs to.

use std::collections::{BTreeMap, HashMap};

use violet_clock::UnixNanos;
use violet_domain::config::BlueConfig;
use violet_domain::types::SymbolName;

use super::order::{ClientOrderId, DecisionEvent, Leg, OrderState};
use super::slot::{BookingError, EntryPlan, Slot, SlotState};
use super::trade_event::{CloseReason, EntryEvent, ExecInfo, ExitEvent, TradeEvent};
use super::units::is_dust;
use super::update::{Fill, OrderUpdate};

/// An order the engine placed.
#[derive(Debug, Clone)]
pub(crate) struct OrderRef {
    pub slot: usize,
    pub trade_id: u64,
    pub leg: Leg,
    pub symbol: SymbolName,
    pub event: DecisionEvent,
    pub deadline: UnixNanos,
    pub ended: bool,
    /// An entry's plan (for the ENTRY event of a quantity that fills after it ended).
    pub plan: Option<Box<EntryPlan>>,
    pub queried: bool,
}

/// A quantity that filled after its entry order had ended: held outside the slots, closed
/// at once with a `LATE_CLOSE` order.
#[derive(Debug, Clone, PartialEq)]
pub struct Stray {
    /// The trade whose entry filled late.
    pub trade_id: u64,
    /// The asset.
    pub symbol: SymbolName,
    /// Base quantity held.
    pub quantity: f64,
    /// Its quote notional (what it cost).
    pub notional: f64,
    /// The entry's decision event (the late close's ids derive from it).
    pub event: DecisionEvent,
    /// The live close order, if any.
    pub closing: Option<ClientOrderId>,
    /// Close orders placed so far.
    pub attempts: u16,
}

/// What booking one update did.
#[derive(Debug, Default)]
pub(crate) struct Applied {
    /// Trade events to write, in order.
    pub trades: Vec<TradeEvent>,
    /// A stray (by trade id) that needs a close order.
    pub close_stray: Option<u64>,
    /// A fill that could not be booked.
    pub error: Option<BookingError>,
}

/// Capital, slots, orders and strays.
#[derive(Debug, Clone)]
pub struct Portfolio {
    capital: f64,
    slots: Vec<Slot>,
    next_trade_id: u64,
    orders: HashMap<ClientOrderId, OrderRef>,
    strays: BTreeMap<u64, Stray>,
}

/// `q` of fill `f`, at its price.
fn part(f: &Fill, q: f64) -> Fill {
    Fill {
        quantity: super::units::Quantity::computed(q),
        notional: super::units::Notional::computed(q * f.price),
        ..*f
    }
}

/// Whether a fill of `q` is more than `room` beyond rounding dust.
fn beyond(q: f64, room: f64) -> bool {
    q > room && !is_dust(q - room, q)
}

impl Portfolio {
    /// BLUE's initial capital and `n_slots` free slots (at least one).
    #[must_use]
    pub fn new(cfg: &BlueConfig, n_slots: usize) -> Self {
        Self {
            capital: cfg.initial_capital,
            slots: vec![Slot::default(); n_slots.max(1)],
            next_trade_id: 1,
            orders: HashMap::new(),
            strays: BTreeMap::new(),
        }
    }

    /// Capital (BLUE's rule: may be non-finite on extreme inputs).
    #[must_use]
    pub fn capital(&self) -> f64 {
        self.capital
    }

    /// The slots.
    #[must_use]
    pub fn slots(&self) -> &[Slot] {
        &self.slots
    }

    pub(crate) fn slot_mut(&mut self, i: usize) -> &mut Slot {
        &mut self.slots[i]
    }

    /// Strays not yet closed.
    pub fn strays(&self) -> impl Iterator<Item = &Stray> {
        self.strays.values()
    }

    /// The net base quantity held in `symbol` (a SHORT counts positive): every slot's
    /// position, what a live entry has filled so far, and strays.
    #[must_use]
    pub fn quantity_of(&self, symbol: &str) -> f64 {
        let slots: f64 = self
            .slots
            .iter()
            .filter(|s| s.symbol().is_some_and(|x| x.as_ref() as &str == symbol))
            .map(Slot::exposure)
            .sum();
        slots + self.strays.values().filter(|s| s.symbol.as_ref() as &str == symbol).map(|s| s.quantity).sum::<f64>()
    }

    /// The net base quantity held per symbol, signed as the venue counts it (a SHORT
    /// negative): every slot's exposure and every stray. What a restart's replay must hold
    /// before it may trade on (see `violet_venue::restart`).
    #[must_use]
    pub fn net_positions(&self) -> BTreeMap<String, f64> {
        let mut out: BTreeMap<String, f64> = BTreeMap::new();
        let short = |q: f64| Leg::Entry.side().signed(q);
        for s in &self.slots {
            if let Some(symbol) = s.symbol() {
                *out.entry((symbol.as_ref() as &str).to_string()).or_insert(0.0) += short(s.exposure());
            }
        }
        for s in self.strays.values() {
            *out.entry((s.symbol.as_ref() as &str).to_string()).or_insert(0.0) += short(s.quantity);
        }
        out
    }

    /// Orders placed and not yet ended.
    #[must_use]
    pub fn live_orders(&self) -> usize {
        self.orders.values().filter(|o| !o.ended).count()
    }

    pub(crate) fn take_trade_id(&mut self) -> u64 {
        let id = self.next_trade_id;
        self.next_trade_id += 1;
        id
    }

    pub(crate) fn knows(&self, id: &ClientOrderId) -> bool {
        self.orders.contains_key(id)
    }

    pub(crate) fn track(&mut self, id: ClientOrderId, r: OrderRef) {
        self.orders.insert(id, r);
    }

    pub(crate) fn stray_mut(&mut self, trade_id: u64) -> Option<&mut Stray> {
        self.strays.get_mut(&trade_id)
    }

    /// Orders not ended with a deadline before `before`, not yet queried (each returned once).
    pub(crate) fn overdue(&mut self, before: UnixNanos) -> Vec<(ClientOrderId, SymbolName)> {
        let mut out = Vec::new();
        for (id, r) in &mut self.orders {
            if !r.ended && !r.queried && r.deadline < before {
                r.queried = true;
                out.push((id.clone(), r.symbol.clone()));
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// Forget ended orders whose deadline is before `before` (long runs stay bounded; a
    /// fill for a forgotten order is refused as unknown, so keep this well past the
    /// slowest answer).
    pub(crate) fn forget_ended(&mut self, before: UnixNanos) {
        self.orders.retain(|_, r| !(r.ended && r.deadline < before));
    }

    /// BLUE's fill of slot `slot`'s live order, booked at once (shadow booking: the order is
    /// not tracked); the trade event it completes.
    pub(crate) fn book_blue(&mut self, slot: usize, fill: &Fill, cfg: &BlueConfig) -> Option<TradeEvent> {
        let s = &mut self.slots[slot];
        s.fill(fill, &mut self.capital, cfg).ok()?;
        let mut t = s.ended(OrderState::Filled, self.capital).ok().flatten();
        if let Some(t) = t.as_mut() {
            self.tag(slot, t);
        }
        t
    }

    /// With several slots, mark `t` as slot `slot`'s (with one, BLUE's schema has no slot).
    fn tag(&self, slot: usize, t: &mut TradeEvent) {
        if self.slots.len() > 1 {
            t.set_slot(u16::try_from(slot).unwrap_or(u16::MAX));
        }
    }

    /// The first free (flat) slot.
    #[must_use]
    pub fn free_slot(&self) -> Option<usize> {
        self.slots.iter().position(|s| s.state() == SlotState::Flat)
    }

    /// How many slots are free (flat).
    #[must_use]
    pub fn free_slots(&self) -> usize {
        self.slots.iter().filter(|s| s.state() == SlotState::Flat).count()
    }

    /// Capital committed to busy slots: the sum of what each was allotted at its entry.
    #[must_use]
    pub fn committed(&self) -> f64 {
        self.slots.iter().map(Slot::allotted).fold(0.0, |a, b| a + b)
    }

    /// Whether a slot holds (or is entering) `symbol`. (Strays, closing at once, are not
    /// counted: with one slot an entry never waited for them, and still does not.)
    #[must_use]
    pub fn holds(&self, symbol: &str) -> bool {
        self.slots.iter().any(|s| s.symbol().is_some_and(|x| x.as_ref() as &str == symbol))
    }

    /// Book one update; `at` is the event it is booked on (for late fills' trade events).
    pub(crate) fn apply(&mut self, u: &OrderUpdate, at: DecisionEvent, cfg: &BlueConfig) -> Applied {
        let mut out = Applied::default();
        let Some(r) = self.orders.get(&u.client_order_id) else {
            if u.fill.is_some() {
                out.error = Some(BookingError::Unknown(u.client_order_id.to_string()));
            }
            return out;
        };
        let (slot, leg, trade_id) = (r.slot, r.leg, r.trade_id);
        let live = !r.ended && self.slots[slot].live_order() == Some(&u.client_order_id);
        if let Some(f) = &u.fill {
            let booked = match (leg, live) {
                (Leg::Exit, true)
                    if self.slots[slot].exit_room().is_some_and(|room| beyond(f.quantity.get(), room)) =>
                {
                    let r = r.clone();
                    self.exit_beyond_its_trade(slot, &r, f, u, at, cfg)
                }
                (Leg::Entry | Leg::Exit, true) => self.slots[slot].fill(f, &mut self.capital, cfg).map(|()| Vec::new()),
                // Late fills are rare: the order's whole record is copied for them.
                (Leg::Entry, false) => {
                    let r = r.clone();
                    self.add_stray(&r, f, u).map(|entry| {
                        out.close_stray = Some(trade_id);
                        entry.into_iter().collect()
                    })
                }
                (Leg::Exit | Leg::LateClose, false) | (Leg::LateClose, true) => {
                    let r = r.clone();
                    let (trades, error) = self.closing_fill(&r, f, u, at, cfg);
                    out.trades = trades;
                    error.map_or(Ok(Vec::new()), Err)
                }
            };
            match booked {
                Ok(t) => out.trades.extend(t),
                Err(e) => {
                    out.error = Some(e);
                    return out;
                }
            }
        }
        if u.state.is_terminal()
            && let Some(o) = self.orders.get_mut(&u.client_order_id)
            && !o.ended
        {
            o.ended = true;
            match leg {
                Leg::Entry | Leg::Exit if live => match self.slots[slot].ended(u.state, self.capital) {
                    Ok(t) => out.trades.extend(t),
                    Err(e) => out.error = Some(e),
                },
                Leg::LateClose => {
                    if let Some(s) = self.strays.get_mut(&trade_id)
                        && s.closing.as_ref() == Some(&u.client_order_id)
                    {
                        s.closing = None;
                        if s.quantity > 0.0 {
                            out.close_stray = Some(trade_id);
                        } else {
                            self.strays.remove(&trade_id);
                        }
                    }
                }
                _ => {}
            }
        }
        if self.slots.len() > 1 {
            for t in &mut out.trades {
                self.tag(slot, t);
            }
        }
        out
    }

    /// A late entry fill: held as a stray (closed at once by the engine); its ENTRY event.
    fn add_stray(&mut self, r: &OrderRef, f: &Fill, u: &OrderUpdate) -> Result<Option<TradeEvent>, BookingError> {
        if !(f.price.is_finite() && f.price > 0.0) {
            return Err(BookingError::Price(f.price));
        }
        let s = self.strays.entry(r.trade_id).or_insert_with(|| Stray {
            trade_id: r.trade_id,
            symbol: r.symbol.clone(),
            quantity: 0.0,
            notional: 0.0,
            event: r.event,
            closing: None,
            attempts: 0,
        });
        s.quantity += f.quantity.get();
        s.notional += f.notional.get();
        Ok(r.plan.as_ref().map(|p| {
            TradeEvent::Entry(EntryEvent {
                trade_id: p.trade_id,
                scan_number: p.event.scan_number,
                ts_ns: u.at.get(),
                symbol: p.symbol.clone(),
                capital: self.capital,
                price: f.price,
                score: p.score,
                sizing: p.sizing,
                exec: Some(ExecInfo {
                    client_order_id: u.client_order_id.clone(),
                    state: u.state,
                    filled_quantity: f.quantity.get(),
                    fill_price: f.price,
                }),
                slot: None,
            })
        }))
    }

    /// A fill of the live exit beyond what it may still close: a late fill of an earlier
    /// exit order closed (part of) its trade meanwhile, and the venue, which nets the
    /// symbol, took the rest off the symbol's other position — VIOLET's strays there. What
    /// the exit may still close is booked to its slot, the rest closes the symbol's strays;
    /// more than both hold is an error.
    fn exit_beyond_its_trade(
        &mut self,
        slot: usize,
        r: &OrderRef,
        f: &Fill,
        u: &OrderUpdate,
        at: DecisionEvent,
        cfg: &BlueConfig,
    ) -> Result<Vec<TradeEvent>, BookingError> {
        if !(f.price.is_finite() && f.price > 0.0) {
            return Err(BookingError::Price(f.price));
        }
        let fill = f.quantity.get();
        let room = self.slots[slot].exit_room().unwrap_or(0.0).max(0.0);
        if room > 0.0 {
            self.slots[slot].fill(&part(f, room), &mut self.capital, cfg)?;
        }
        let mut out = Vec::new();
        let left = self.off_strays(r.symbol.as_ref(), None, fill - room, fill, f.price, u, at, cfg, &mut out);
        if left > 0.0 && !is_dust(left, fill) {
            return Err(BookingError::Exceeds { fill, held: fill - left });
        }
        Ok(out)
    }

    /// Close up to `left` of the strays of `symbol` at `price`, trade `first`'s first, then
    /// by trade id (rounding dust of `fill` taken as all of one); their EXIT events into
    /// `out`. Returns what is left.
    #[allow(clippy::too_many_arguments)] // one fill's facts, taken apart
    fn off_strays(
        &mut self,
        symbol: &str,
        first: Option<u64>,
        mut left: f64,
        fill: f64,
        price: f64,
        u: &OrderUpdate,
        at: DecisionEvent,
        cfg: &BlueConfig,
        out: &mut Vec<TradeEvent>,
    ) -> f64 {
        let take = |held: f64, left: f64| if is_dust(held - left, fill) { held } else { held.min(left) };
        let mut strays: Vec<u64> =
            self.strays.values().filter(|s| s.symbol.as_ref() as &str == symbol).map(|s| s.trade_id).collect();
        strays.sort_unstable_by_key(|&t| (Some(t) != first, t));
        for trade_id in strays {
            if !(left > 0.0) || is_dust(left, fill) {
                break;
            }
            let q = take(self.strays.get(&trade_id).map_or(0.0, |s| s.quantity), left);
            if q > 0.0 {
                out.push(self.stray_close(trade_id, q, price, u, at, cfg));
                left -= q;
            }
        }
        left
    }

    /// A closing fill that is not the live exit's: a late close of a stray or a late exit
    /// fill. The exchange reduces the symbol's position, not a trade's: what the order's own
    /// target no longer holds is taken off the symbol's other strays, then its slot
    /// position. More than the symbol holds cannot be booked: what could be is, and the
    /// rest is an error.
    fn closing_fill(
        &mut self,
        r: &OrderRef,
        f: &Fill,
        u: &OrderUpdate,
        at: DecisionEvent,
        cfg: &BlueConfig,
    ) -> (Vec<TradeEvent>, Option<BookingError>) {
        if !(f.price.is_finite() && f.price > 0.0) {
            return (Vec::new(), Some(BookingError::Price(f.price)));
        }
        let symbol: &str = r.symbol.as_ref();
        let fill = f.quantity.get();
        let mut left = fill;
        let mut out = Vec::new();
        // What each target holds, with rounding dust taken as all of it.
        let take = |held: f64, left: f64| if is_dust(held - left, fill) { held } else { held.min(left) };
        // A late close: its own stray first, then the symbol's other strays; then (a late
        // exit fill too) the symbol's slots.
        if r.leg != Leg::Exit {
            let own = (r.leg == Leg::LateClose).then_some(r.trade_id);
            left = self.off_strays(symbol, own, left, fill, f.price, u, at, cfg, &mut out);
        }
        for i in 0..self.slots.len() {
            if !(left > 0.0) || is_dust(left, fill) {
                break;
            }
            let slot = &mut self.slots[i];
            let Some(trade_id) = slot.position().filter(|p| p.symbol.as_ref() as &str == symbol).map(|p| p.trade_id)
            else {
                continue;
            };
            let q = take(slot.exposure(), left);
            if !(q > 0.0) {
                continue;
            }
            match slot.late_exit_fill(trade_id, &u.client_order_id, &part(f, q), at, &mut self.capital, cfg) {
                Ok(t) => out.push(t),
                Err(e) => return (out, Some(e)),
            }
            left -= q;
        }
        if r.leg == Leg::Exit && left > 0.0 {
            // A late exit fill beyond its own slot: the symbol's strays.
            left = self.off_strays(symbol, None, left, fill, f.price, u, at, cfg, &mut out);
        }
        let error = (left > 0.0 && !is_dust(left, fill)).then_some(BookingError::Exceeds { fill, held: fill - left });
        (out, error)
    }

    /// Close `q` of trade `trade_id`'s stray at `price`: pnl booked, an EXIT (`LATE_FILL`).
    fn stray_close(
        &mut self,
        trade_id: u64,
        q: f64,
        price: f64,
        u: &OrderUpdate,
        at: DecisionEvent,
        cfg: &BlueConfig,
    ) -> TradeEvent {
        let s = self.strays.get_mut(&trade_id).unwrap_or_else(|| unreachable!("a stray the caller found"));
        let share = s.notional * (q / s.quantity);
        let entry = s.notional / s.quantity;
        let pnl_pct = (entry - price) / entry;
        let pnl = share * pnl_pct - 2.0 * cfg.fee_rate * share;
        self.capital += pnl;
        s.quantity -= q;
        s.notional -= share;
        if is_dust(s.quantity, q) {
            s.quantity = 0.0;
            s.notional = 0.0;
        }
        let event = ExitEvent {
            trade_id,
            scan_number: at.scan_number,
            ts_ns: at.ts_ns,
            symbol: s.symbol.clone(),
            price,
            reason: CloseReason::LateFill,
            bars_held: 0,
            pnl_pct,
            pnl,
            capital_after: self.capital,
            exec: Some(ExecInfo {
                client_order_id: u.client_order_id.clone(),
                state: if u.state.is_terminal() { u.state } else { OrderState::Acked },
                filled_quantity: q,
                fill_price: price,
            }),
            slot: None,
        };
        if !(s.quantity > 0.0) && s.closing.is_none() {
            self.strays.remove(&trade_id);
        }
        TradeEvent::Exit(event)
    }
}
