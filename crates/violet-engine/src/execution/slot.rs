//! One slot: at most one SHORT, BLUE's bookkeeping, as a state machine driven by order
//! updates. Flat → Entering (entry order live) → Open → Exiting (exit order live) → Open
//! (part closed) or Flat. Fills are booked as they arrive; the ENTRY trade event is written
//! when the entry order ends with something filled, the EXIT event when the exit order ends
//! with something filled (or for a fill arriving after it ended).

use violet_alpha::{ExitCheck, Position, evaluate};
use violet_domain::config::BlueConfig;
use violet_domain::types::{BarsHeld, Price, SymbolName};
use violet_sizing::SizingBreakdown;

use super::order::{ClientOrderId, DecisionEvent, OrderState};
use super::trade_event::{CloseReason, EntryEvent, ExecInfo, ExitEvent, TradeEvent};
use super::units::is_dust;
use super::update::{Fill, FillBasis};

/// Where a slot is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotState {
    /// No position, no order.
    Flat,
    /// An entry order is live.
    Entering,
    /// A position is held.
    Open,
    /// A position is held and an exit order is live.
    Exiting,
}

/// What an entry wants, kept while its order is live.
#[derive(Debug, Clone)]
pub(crate) struct EntryPlan {
    pub trade_id: u64,
    pub event: DecisionEvent,
    pub symbol: SymbolName,
    pub capital: f64,
    pub score: f64,
    pub sizing: SizingBreakdown,
    pub price: Price,
}

#[derive(Debug, Clone)]
struct Entering {
    plan: EntryPlan,
    order: ClientOrderId,
    qty: f64,
    cost: f64,
    blue: bool,
}

/// The position and the base quantity behind it.
#[derive(Debug, Clone)]
struct Holding {
    pos: Position,
    qty: f64,
    /// The capital allotted to the trade at its entry (committed until the slot is flat).
    allotted: f64,
}

#[derive(Debug, Clone)]
struct Exiting {
    order: ClientOrderId,
    reason: CloseReason,
    check: ExitCheck,
    event: DecisionEvent,
    base_qty: f64,
    base_notional: f64,
    filled: f64,
    cost: f64,
    closed_notional: f64,
    pnl: f64,
    /// BLUE's whole exit, booked at once.
    blue: Option<ExitEvent>,
}

#[derive(Debug, Clone)]
enum State {
    Flat,
    Entering(Entering),
    Open(Holding),
    Exiting(Holding, Exiting),
}

/// A fill the slot cannot book.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BookingError {
    /// A fill whose price is not a finite positive number.
    #[error("fill price {0} is not a finite positive number")]
    Price(f64),
    /// A closing fill for more than the position holds.
    #[error("a closing fill of {fill} exceeds the {held} held")]
    Exceeds {
        /// The fill's quantity.
        fill: f64,
        /// What the position held.
        held: f64,
    },
    /// A fill for an order the engine never placed (or has long forgotten).
    #[error("a fill for order {0}, which the engine does not know")]
    Unknown(String),
    /// A closing fill for a trade the slot no longer holds.
    #[error("a closing fill for trade {0}, which the slot does not hold")]
    NotHeld(u64),
}

/// A slot.
#[derive(Debug, Clone)]
pub struct Slot {
    state: State,
}

impl Default for Slot {
    fn default() -> Self {
        Self { state: State::Flat }
    }
}

fn exec_info(order: &ClientOrderId, state: OrderState, filled: f64, cost: f64) -> ExecInfo {
    ExecInfo {
        client_order_id: order.clone(),
        state,
        filled_quantity: filled,
        fill_price: if filled > 0.0 { cost / filled } else { 0.0 },
    }
}

impl Slot {
    /// Where it is.
    #[must_use]
    pub fn state(&self) -> SlotState {
        match self.state {
            State::Flat => SlotState::Flat,
            State::Entering(_) => SlotState::Entering,
            State::Open(_) => SlotState::Open,
            State::Exiting(..) => SlotState::Exiting,
        }
    }

    /// The position held (open or exiting).
    #[must_use]
    pub fn position(&self) -> Option<&Position> {
        match &self.state {
            State::Open(h) | State::Exiting(h, _) => Some(&h.pos),
            _ => None,
        }
    }

    /// The base quantity held (venue fills; BLUE fills: `notional / price`).
    #[must_use]
    pub fn quantity(&self) -> f64 {
        match &self.state {
            State::Open(h) | State::Exiting(h, _) => h.qty,
            _ => 0.0,
        }
    }

    /// The asset of the position or of the live entry.
    #[must_use]
    pub fn symbol(&self) -> Option<&SymbolName> {
        match &self.state {
            State::Flat => None,
            State::Entering(e) => Some(&e.plan.symbol),
            State::Open(h) | State::Exiting(h, _) => Some(&h.pos.symbol),
        }
    }

    /// Base quantity exposed: what the position holds net of what a live exit has closed, or
    /// what a live entry has filled so far.
    #[must_use]
    pub fn exposure(&self) -> f64 {
        match &self.state {
            State::Flat => 0.0,
            State::Entering(e) => e.qty,
            State::Open(h) => h.qty,
            State::Exiting(h, x) => h.qty - x.filled,
        }
    }

    /// What the live exit order may still close (`None` when no exit is live): its target
    /// net of what it filled and of what late fills of earlier exits took meanwhile.
    #[must_use]
    pub(crate) fn exit_room(&self) -> Option<f64> {
        match &self.state {
            State::Exiting(_, x) => Some(x.base_qty - x.filled),
            _ => None,
        }
    }

    /// The capital allotted to the slot's trade at its entry (what its sizing used), while
    /// the slot is busy; 0 when it is flat. With several slots, capital not committed to
    /// busy slots is what a free slot may be allotted (`docs/decisions.md`).
    #[must_use]
    pub fn allotted(&self) -> f64 {
        match &self.state {
            State::Flat => 0.0,
            State::Entering(e) => e.plan.capital,
            State::Open(h) | State::Exiting(h, _) => h.allotted,
        }
    }

    /// The trade the slot is busy with (entering, open or exiting).
    #[must_use]
    pub fn trade_id(&self) -> Option<u64> {
        match &self.state {
            State::Flat => None,
            State::Entering(e) => Some(e.plan.trade_id),
            State::Open(h) | State::Exiting(h, _) => Some(h.pos.trade_id),
        }
    }

    /// The live order, if any.
    #[must_use]
    pub fn live_order(&self) -> Option<&ClientOrderId> {
        match &self.state {
            State::Entering(e) => Some(&e.order),
            State::Exiting(_, x) => Some(&x.order),
            _ => None,
        }
    }

    /// Exit v7 on a scan for an open position (advances it one scan); `None` otherwise.
    pub(crate) fn exit_on_scan(&mut self, price: Option<Price>, vel_div: f64, cfg: &BlueConfig) -> Option<ExitCheck> {
        let State::Open(h) = &mut self.state else { return None };
        Some(evaluate(&mut h.pos, price, vel_div, cfg))
    }

    /// A price check between scans (VIOLET-only cadences): TP and SL at `price`, bars_held
    /// unchanged (it counts scans).
    pub(crate) fn price_check(&mut self, price: Price, cfg: &BlueConfig) -> Option<ExitCheck> {
        let State::Open(h) = &mut self.state else { return None };
        let entry = h.pos.entry_price.into_inner();
        let pnl_pct = (entry - price.into_inner()) / entry;
        let reason = if pnl_pct >= cfg.tp_pct {
            violet_domain::types::ExitReason::Tp
        } else if pnl_pct <= -cfg.sl_pct {
            violet_domain::types::ExitReason::Sl
        } else {
            return None;
        };
        h.pos.last_price = price;
        Some(ExitCheck { reason: Some(reason), price, pnl_pct })
    }

    /// Flat → Entering with `order` live.
    pub(crate) fn begin_entry(&mut self, plan: EntryPlan, order: ClientOrderId) {
        if matches!(self.state, State::Flat) {
            self.state = State::Entering(Entering { plan, order, qty: 0.0, cost: 0.0, blue: false });
        }
    }

    /// An operator's flatten of the open position at its last seen price: the check it
    /// closes on (`None` when the slot holds nothing open).
    pub(crate) fn flatten_check(&self) -> Option<ExitCheck> {
        let State::Open(h) = &self.state else { return None };
        let entry = h.pos.entry_price.into_inner();
        let price = h.pos.last_price;
        Some(ExitCheck { reason: None, price, pnl_pct: (entry - price.into_inner()) / entry })
    }

    /// Open → Exiting with `order` live, closing for `reason`.
    pub(crate) fn begin_close(
        &mut self,
        order: ClientOrderId,
        reason: CloseReason,
        check: ExitCheck,
        event: DecisionEvent,
    ) {
        if let State::Open(h) = std::mem::replace(&mut self.state, State::Flat) {
            let x = Exiting {
                order,
                reason,
                check,
                event,
                base_qty: h.qty,
                base_notional: h.pos.notional,
                filled: 0.0,
                cost: 0.0,
                closed_notional: 0.0,
                pnl: 0.0,
                blue: None,
            };
            self.state = State::Exiting(h, x);
        }
    }

    /// A fill of the slot's live order.
    ///
    /// # Errors
    /// [`BookingError`]: nothing is booked.
    pub(crate) fn fill(&mut self, fill: &Fill, capital: &mut f64, cfg: &BlueConfig) -> Result<(), BookingError> {
        if !(fill.price.is_finite() && fill.price > 0.0) && fill.basis == FillBasis::Venue {
            return Err(BookingError::Price(fill.price));
        }
        match &mut self.state {
            State::Entering(e) => {
                e.qty += fill.quantity.get();
                e.cost += fill.notional.get();
                e.blue |= fill.basis == FillBasis::Blue;
            }
            State::Exiting(h, x) => {
                if fill.basis == FillBasis::Blue {
                    // BLUE's arithmetic, operation for operation.
                    let pos = &h.pos;
                    let pnl = super::blue_exit_pnl(pos.notional, x.check.pnl_pct, cfg);
                    *capital += pnl;
                    x.filled = h.qty;
                    x.blue = Some(ExitEvent {
                        trade_id: pos.trade_id,
                        scan_number: x.event.scan_number,
                        ts_ns: x.event.ts_ns,
                        symbol: pos.symbol.clone(),
                        price: x.check.price.into_inner(),
                        reason: x.reason,
                        bars_held: pos.bars_held.into_inner(),
                        pnl_pct: x.check.pnl_pct,
                        pnl,
                        capital_after: *capital,
                        exec: None,
                        slot: None,
                    });
                    return Ok(());
                }
                let left = x.base_qty - x.filled;
                let q = fill.quantity.get();
                if q > left && !is_dust(q - left, q) {
                    return Err(BookingError::Exceeds { fill: q, held: left });
                }
                let q = q.min(left);
                let share = x.base_notional * (q / x.base_qty);
                let entry = h.pos.entry_price.into_inner();
                let pnl_pct = (entry - fill.price) / entry;
                let pnl = share * pnl_pct - 2.0 * cfg.fee_rate * share;
                *capital += pnl;
                x.filled += q;
                x.cost += q * fill.price;
                x.closed_notional += share;
                x.pnl += pnl;
            }
            _ => {}
        }
        Ok(())
    }

    /// The live order ended in `state`: the ENTRY or EXIT trade event when something filled.
    ///
    /// # Errors
    /// [`BookingError::Price`] when an entry's average price is not a price.
    pub(crate) fn ended(&mut self, state: OrderState, capital: f64) -> Result<Option<TradeEvent>, BookingError> {
        match std::mem::replace(&mut self.state, State::Flat) {
            State::Entering(e) => {
                if !(e.qty > 0.0 || e.blue) {
                    return Ok(None); // nothing filled: the slot stays free
                }
                let p = e.plan;
                let (notional, entry_price, exec) = if e.blue {
                    (p.sizing.notional, p.price, None)
                } else {
                    let avg = e.cost / e.qty;
                    let price = Price::try_new(avg).map_err(|_| BookingError::Price(avg))?;
                    (e.cost, price, Some(exec_info(&e.order, state, e.qty, e.cost)))
                };
                let qty = if e.blue { p.sizing.notional / p.price.into_inner() } else { e.qty };
                self.state = State::Open(Holding {
                    pos: Position {
                        trade_id: p.trade_id,
                        symbol: p.symbol.clone(),
                        entry_scan: p.event.scan_number,
                        entry_price,
                        last_price: entry_price,
                        leverage: p.sizing.leverage,
                        notional,
                        bars_held: BarsHeld::new(0),
                    },
                    qty,
                    allotted: p.capital,
                });
                Ok(Some(TradeEvent::Entry(EntryEvent {
                    trade_id: p.trade_id,
                    scan_number: p.event.scan_number,
                    ts_ns: p.event.ts_ns,
                    symbol: p.symbol,
                    capital: p.capital,
                    price: entry_price.into_inner(),
                    score: p.score,
                    sizing: p.sizing,
                    exec,
                    slot: None,
                })))
            }
            State::Exiting(mut h, x) => {
                if let Some(blue) = x.blue {
                    return Ok(Some(TradeEvent::Exit(blue))); // closed whole: Flat
                }
                if !(x.filled > 0.0) {
                    if h.qty > 0.0 {
                        self.state = State::Open(h); // nothing closed: still held
                    }
                    return Ok(None);
                }
                let avg = x.cost / x.filled;
                let entry = h.pos.entry_price.into_inner();
                let event = ExitEvent {
                    trade_id: h.pos.trade_id,
                    scan_number: x.event.scan_number,
                    ts_ns: x.event.ts_ns,
                    symbol: h.pos.symbol.clone(),
                    price: avg,
                    reason: x.reason,
                    bars_held: h.pos.bars_held.into_inner(),
                    pnl_pct: (entry - avg) / entry,
                    pnl: x.pnl,
                    capital_after: capital,
                    exec: Some(exec_info(&x.order, state, x.filled, x.cost)),
                    slot: None,
                };
                let closed_all =
                    state == OrderState::Filled || x.filled >= x.base_qty || is_dust(x.base_qty - x.filled, x.base_qty);
                if !closed_all {
                    h.qty = x.base_qty - x.filled;
                    h.pos.notional = x.base_notional - x.closed_notional;
                    self.state = State::Open(h);
                }
                Ok(Some(TradeEvent::Exit(event)))
            }
            other => {
                self.state = other;
                Ok(None)
            }
        }
    }

    /// A closing fill of trade `trade_id` that arrived after its exit order ended: booked
    /// against what the slot still holds (and, with a newer exit order live, taken off what
    /// that order can still close: the venue's reduce-only caps it the same way).
    ///
    /// # Errors
    /// [`BookingError`]: the slot does not hold the trade, holds less, or the price is bad.
    pub(crate) fn late_exit_fill(
        &mut self,
        trade_id: u64,
        order: &ClientOrderId,
        fill: &Fill,
        at: DecisionEvent,
        capital: &mut f64,
        cfg: &BlueConfig,
    ) -> Result<TradeEvent, BookingError> {
        if !(fill.price.is_finite() && fill.price > 0.0) {
            return Err(BookingError::Price(fill.price));
        }
        let (h, mut live) = match &mut self.state {
            State::Open(h) if h.pos.trade_id == trade_id => (h, None),
            State::Exiting(h, x) if h.pos.trade_id == trade_id => (h, Some(x)),
            _ => return Err(BookingError::NotHeld(trade_id)),
        };
        let (held, notional) = match &live {
            Some(x) => (h.qty - x.filled, h.pos.notional - x.closed_notional),
            None => (h.qty, h.pos.notional),
        };
        let q = fill.quantity.get();
        if q > held && !is_dust(q - held, q) {
            return Err(BookingError::Exceeds { fill: q, held });
        }
        let q = q.min(held);
        let share = notional * (q / held);
        let entry = h.pos.entry_price.into_inner();
        let pnl_pct = (entry - fill.price) / entry;
        let pnl = share * pnl_pct - 2.0 * cfg.fee_rate * share;
        *capital += pnl;
        let event = ExitEvent {
            trade_id,
            scan_number: at.scan_number,
            ts_ns: at.ts_ns,
            symbol: h.pos.symbol.clone(),
            price: fill.price,
            reason: CloseReason::LateFill,
            bars_held: h.pos.bars_held.into_inner(),
            pnl_pct,
            pnl,
            capital_after: *capital,
            exec: Some(exec_info(order, OrderState::Filled, q, q * fill.price)),
            slot: None,
        };
        h.qty -= q;
        h.pos.notional -= share;
        if let Some(x) = live.as_mut() {
            x.base_qty -= q;
            x.base_notional -= share;
        } else if !(h.qty > 0.0) || is_dust(h.qty, q) {
            self.state = State::Flat;
        }
        Ok(TradeEvent::Exit(event))
    }
}
