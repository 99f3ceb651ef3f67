//! Trade events in BLUE's trade-event schema (what `blue/trader.py` writes).

use violet_domain::json::ObjectWriter;
use violet_domain::types::{ExitReason, SymbolName};
use violet_sizing::SizingBreakdown;

use super::order::{ClientOrderId, OrderState};

/// What a venue did with a leg (present only when it was not BLUE's fill).
#[derive(Debug, Clone, PartialEq)]
pub struct ExecInfo {
    /// The client order id.
    pub client_order_id: ClientOrderId,
    /// The order's state when the event was written (FILLED, CANCELLED, EXPIRED...).
    pub state: OrderState,
    /// Base quantity filled.
    pub filled_quantity: f64,
    /// Average fill price (0 if nothing filled).
    pub fill_price: f64,
}

/// Why a position (or part of one) was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    /// Exit v7 (BLUE's reasons).
    Rule(ExitReason),
    /// A fill that arrived after its order had ended, closed at once (VIOLET-only).
    LateFill,
    /// Closed because the operator asked for every position to be flattened (VIOLET-only).
    Flatten,
}

impl CloseReason {
    /// The trade event's `reason`: BLUE's spelling, or `LATE_FILL`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            CloseReason::Rule(r) => r.as_str(),
            CloseReason::LateFill => "LATE_FILL",
            CloseReason::Flatten => "FLATTEN",
        }
    }
}

/// A position opened.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryEvent {
    /// Trade id (1, 2, ...).
    pub trade_id: u64,
    /// The scan it entered on.
    pub scan_number: i64,
    /// That scan's timestamp.
    pub ts_ns: i64,
    /// The asset.
    pub symbol: SymbolName,
    /// Capital at entry.
    pub capital: f64,
    /// Entry price.
    pub price: f64,
    /// The selector's score.
    pub score: f64,
    /// The full sizing.
    pub sizing: SizingBreakdown,
    /// The venue's detail (not BLUE's schema: absent with BLUE's instant fill).
    pub exec: Option<ExecInfo>,
    /// The slot that holds the trade, with several slots (absent with one: BLUE's schema).
    pub slot: Option<u16>,
}

/// A position closed.
#[derive(Debug, Clone, PartialEq)]
pub struct ExitEvent {
    /// Trade id.
    pub trade_id: u64,
    /// The scan (or, in VIOLET-only cadences, the last scan) it exited on.
    pub scan_number: i64,
    /// The triggering event's timestamp.
    pub ts_ns: i64,
    /// The asset.
    pub symbol: SymbolName,
    /// Exit price.
    pub price: f64,
    /// Why.
    pub reason: CloseReason,
    /// Scans held.
    pub bars_held: u64,
    /// `(entry - exit) / entry`.
    pub pnl_pct: f64,
    /// `notional * pnl_pct - 2 * fee_rate * notional`.
    pub pnl: f64,
    /// Capital after the trade.
    pub capital_after: f64,
    /// The venue's detail (absent with BLUE's instant fill).
    pub exec: Option<ExecInfo>,
    /// The slot that held the trade, with several slots (absent with one: BLUE's schema).
    pub slot: Option<u16>,
}

/// VIOLET's extra fields (after BLUE's): the order id, its state, what filled.
fn write_exec(w: &mut ObjectWriter<'_>, exec: Option<&ExecInfo>) {
    if let Some(x) = exec {
        w.str("client_order_id", x.client_order_id.as_str())
            .str("order_state", x.state.as_str())
            .float("filled_quantity", x.filled_quantity)
            .float("fill_price", x.fill_price);
    }
}

/// VIOLET's slot field (after BLUE's and the venue's), with several slots only.
fn write_slot(w: &mut ObjectWriter<'_>, slot: Option<u16>) {
    if let Some(slot) = slot {
        w.int("slot", u32::from(slot));
    }
}

/// A trade event.
#[derive(Debug, Clone, PartialEq)]
pub enum TradeEvent {
    /// ENTRY.
    Entry(EntryEvent),
    /// EXIT.
    Exit(ExitEvent),
}

impl TradeEvent {
    /// The trade id.
    #[must_use]
    pub fn trade_id(&self) -> u64 {
        match self {
            TradeEvent::Entry(e) => e.trade_id,
            TradeEvent::Exit(e) => e.trade_id,
        }
    }

    /// The scan it happened on.
    #[must_use]
    pub fn scan_number(&self) -> i64 {
        match self {
            TradeEvent::Entry(e) => e.scan_number,
            TradeEvent::Exit(e) => e.scan_number,
        }
    }

    /// Mark the event as slot `slot`'s.
    pub(crate) fn set_slot(&mut self, slot: u16) {
        match self {
            TradeEvent::Entry(e) => e.slot = Some(slot),
            TradeEvent::Exit(e) => e.slot = Some(slot),
        }
    }

    /// The slot it belongs to (`None` with one slot).
    #[must_use]
    pub fn slot(&self) -> Option<u16> {
        match self {
            TradeEvent::Entry(e) => e.slot,
            TradeEvent::Exit(e) => e.slot,
        }
    }

    /// Append the JSON line (without LF), keys and order as BLUE writes them.
    pub fn write_json(&self, out: &mut String) {
        let mut w = ObjectWriter::new(out);
        match self {
            TradeEvent::Entry(e) => {
                w.str("event", "ENTRY")
                    .int("trade_id", e.trade_id)
                    .int("scan_number", e.scan_number)
                    .int("ts_ns", e.ts_ns)
                    .str("symbol", e.symbol.as_ref())
                    .str("side", "SHORT")
                    .float("capital", e.capital)
                    .float("price", e.price)
                    .float("score", e.score);
                e.sizing.write_members(&mut w);
                write_exec(&mut w, e.exec.as_ref());
                write_slot(&mut w, e.slot);
            }
            TradeEvent::Exit(e) => {
                w.str("event", "EXIT")
                    .int("trade_id", e.trade_id)
                    .int("scan_number", e.scan_number)
                    .int("ts_ns", e.ts_ns)
                    .str("symbol", e.symbol.as_ref())
                    .float("price", e.price)
                    .str("reason", e.reason.as_str())
                    .int("bars_held", e.bars_held)
                    .float("pnl_pct", e.pnl_pct)
                    .float("pnl", e.pnl)
                    .float("capital_after", e.capital_after);
                write_exec(&mut w, e.exec.as_ref());
                write_slot(&mut w, e.slot);
            }
        }
        w.finish();
    }
}
