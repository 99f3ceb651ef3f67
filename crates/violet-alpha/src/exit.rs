//! Exit engine v7 for an open SHORT (`blue/exit_v7.py`): TP, SL, MAX_HOLD, SIGNAL_REVERSAL.

use violet_domain::config::BlueConfig;
use violet_domain::types::{BarsHeld, ExitReason, Price, SymbolName};

/// An open SHORT position.
#[derive(Debug, Clone, PartialEq)]
pub struct Position {
    /// BLUE's trade id (1, 2, ...).
    pub trade_id: u64,
    /// The asset.
    pub symbol: SymbolName,
    /// Scan number of the entry.
    pub entry_scan: i64,
    /// Entry price.
    pub entry_price: Price,
    /// Last price seen (the exit price when a scan lacks the symbol).
    pub last_price: Price,
    /// Conviction leverage at entry (computed: may be non-finite).
    pub leverage: f64,
    /// Notional at entry (computed: may be non-finite).
    pub notional: f64,
    /// Scans held so far.
    pub bars_held: BarsHeld,
}

/// The outcome of one exit evaluation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExitCheck {
    /// Why it closes, or `None` to hold.
    pub reason: Option<ExitReason>,
    /// The price evaluated (the scan's, or the last seen).
    pub price: Price,
    /// `(entry - price) / entry`.
    pub pnl_pct: f64,
}

fn at_least(bars: BarsHeld, limit: i64) -> bool {
    i128::from(bars.into_inner()) >= i128::from(limit)
}

/// Advance the position by one scan and evaluate it; rules in order, first match wins.
/// A scan that lacks the position's symbol (`price == None`) is evaluated at the last seen
/// price.
pub fn evaluate(pos: &mut Position, price: Option<Price>, vel_div: f64, cfg: &BlueConfig) -> ExitCheck {
    pos.bars_held = pos.bars_held.incremented();
    let price = price.unwrap_or(pos.last_price);
    pos.last_price = price;
    let entry = pos.entry_price.into_inner();
    let pnl_pct = (entry - price.into_inner()) / entry;
    let reason = if pnl_pct >= cfg.tp_pct {
        Some(ExitReason::Tp)
    } else if pnl_pct <= -cfg.sl_pct {
        Some(ExitReason::Sl)
    } else if at_least(pos.bars_held, cfg.max_hold_bars) {
        Some(ExitReason::MaxHold)
    } else if at_least(pos.bars_held, cfg.min_hold_bars) && vel_div > cfg.vel_div_exit {
        Some(ExitReason::SignalReversal)
    } else {
        None
    };
    ExitCheck { reason, price, pnl_pct }
}
