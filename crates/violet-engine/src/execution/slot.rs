//! The single slot: at most one open SHORT, BLUE's bookkeeping.

use violet_alpha::{ExitCheck, Position, evaluate};
use violet_domain::config::BlueConfig;
use violet_domain::types::{BarsHeld, Price};

use super::fill::{Execution, LegOrder};
use super::trade_event::{EntryEvent, ExitEvent, TradeEvent};
use crate::decision::Decision;

/// The slot and the capital it trades.
#[derive(Debug, Clone)]
pub struct Slot {
    capital: f64,
    position: Option<Position>,
    next_trade_id: u64,
}

impl Slot {
    /// A free slot with BLUE's initial capital.
    #[must_use]
    pub fn new(cfg: &BlueConfig) -> Self {
        Self { capital: cfg.initial_capital, position: None, next_trade_id: 1 }
    }

    /// Current capital (computed by BLUE's rule: may be non-finite on extreme inputs).
    #[must_use]
    pub fn capital(&self) -> f64 {
        self.capital
    }

    /// The open position, if any.
    #[must_use]
    pub fn position(&self) -> Option<&Position> {
        self.position.as_ref()
    }

    fn close(
        &mut self,
        check: ExitCheck,
        scan_number: i64,
        ts_ns: i64,
        cfg: &BlueConfig,
        exec: &mut dyn Execution,
    ) -> Option<TradeEvent> {
        let reason = check.reason?;
        let open = self.position.as_ref()?;
        let fill = exec.execute(&LegOrder {
            trade_id: open.trade_id,
            exit: true,
            symbol: open.symbol.as_ref(),
            notional: open.notional,
            price: check.price.into_inner(),
            leverage: open.leverage,
            decided_ns: ts_ns,
        });
        if fill.exec.is_none() {
            // BLUE's fill: BLUE's arithmetic, operation for operation.
            let pos = self.position.take()?;
            let pnl = pos.notional * check.pnl_pct - 2.0 * cfg.fee_rate * pos.notional;
            self.capital += pnl;
            return Some(TradeEvent::Exit(ExitEvent {
                trade_id: pos.trade_id,
                scan_number,
                ts_ns,
                symbol: pos.symbol,
                price: check.price.into_inner(),
                reason,
                bars_held: pos.bars_held.into_inner(),
                pnl_pct: check.pnl_pct,
                pnl,
                capital_after: self.capital,
                exec: None,
            }));
        }
        // A venue's fill: book what filled, at its price; what did not stays open.
        if !(fill.notional > 0.0) {
            return None;
        }
        let pos = self.position.as_mut()?;
        let filled = fill.notional.min(pos.notional);
        let entry = pos.entry_price.into_inner();
        let pnl_pct = (entry - fill.price) / entry;
        let pnl = filled * pnl_pct - 2.0 * cfg.fee_rate * filled;
        self.capital += pnl;
        let (trade_id, symbol, bars_held) = (pos.trade_id, pos.symbol.clone(), pos.bars_held.into_inner());
        if filled >= pos.notional {
            self.position = None;
        } else {
            pos.notional -= filled;
        }
        Some(TradeEvent::Exit(ExitEvent {
            trade_id,
            scan_number,
            ts_ns,
            symbol,
            price: fill.price,
            reason,
            bars_held,
            pnl_pct,
            pnl,
            capital_after: self.capital,
            exec: fill.exec,
        }))
    }

    /// Exit v7 on a scan: advance the open position one scan, close it if a rule fires.
    pub fn exit_on_scan(
        &mut self,
        price: Option<Price>,
        vel_div: f64,
        scan_number: i64,
        ts_ns: i64,
        cfg: &BlueConfig,
        exec: &mut dyn Execution,
    ) -> Option<TradeEvent> {
        let pos = self.position.as_mut()?;
        let check = evaluate(pos, price, vel_div, cfg);
        self.close(check, scan_number, ts_ns, cfg, exec)
    }

    /// A price check between scans (VIOLET-only cadences): TP and SL at `price`, bars_held
    /// unchanged (it counts scans). Closes the position when either fires.
    pub fn price_check(
        &mut self,
        price: Price,
        scan_number: i64,
        ts_ns: i64,
        cfg: &BlueConfig,
        exec: &mut dyn Execution,
    ) -> Option<TradeEvent> {
        let pos = self.position.as_mut()?;
        let entry = pos.entry_price.into_inner();
        let pnl_pct = (entry - price.into_inner()) / entry;
        let reason = if pnl_pct >= cfg.tp_pct {
            violet_domain::types::ExitReason::Tp
        } else if pnl_pct <= -cfg.sl_pct {
            violet_domain::types::ExitReason::Sl
        } else {
            return None;
        };
        pos.last_price = price;
        self.close(ExitCheck { reason: Some(reason), price, pnl_pct }, scan_number, ts_ns, cfg, exec)
    }

    /// Take an ENTER decision into the (free) slot through `exec`; `None` when the decision
    /// does not enter or nothing filled.
    pub fn enter(
        &mut self,
        d: &Decision<'_>,
        scan_number: i64,
        ts_ns: i64,
        exec: &mut dyn Execution,
    ) -> Option<TradeEvent> {
        let (pick, sizing) = (d.pick?, d.sizing?);
        if self.position.is_some() {
            return None;
        }
        let trade_id = self.next_trade_id;
        self.next_trade_id += 1;
        let symbol = violet_domain::types::SymbolName::try_new(pick.symbol.to_string()).ok()?;
        let fill = exec.execute(&LegOrder {
            trade_id,
            exit: false,
            symbol: symbol.as_ref(),
            notional: sizing.notional,
            price: pick.price.into_inner(),
            leverage: sizing.leverage,
            decided_ns: ts_ns,
        });
        let (notional, entry_price) = if fill.exec.is_none() {
            (sizing.notional, pick.price)
        } else if fill.notional > 0.0 {
            (fill.notional, Price::try_new(fill.price).ok()?)
        } else {
            return None; // nothing filled: the slot stays free
        };
        self.position = Some(Position {
            trade_id,
            symbol: symbol.clone(),
            entry_scan: scan_number,
            entry_price,
            last_price: entry_price,
            leverage: sizing.leverage,
            notional,
            bars_held: BarsHeld::new(0),
        });
        Some(TradeEvent::Entry(EntryEvent {
            trade_id,
            scan_number,
            ts_ns,
            symbol,
            capital: self.capital,
            price: entry_price.into_inner(),
            score: pick.score,
            sizing,
            exec: fill.exec,
        }))
    }
}
