//! BLUE's run on the columns: the engine's scan loop with nothing but what a BLUE-cadence,
//! one-slot run with the instant venue does (no tickets, no clock, no events written).
//!
//! Every rule is the engine's own function: the decision (`decide_with`), the sizing it
//! composes, the exit (`violet_alpha::evaluate`), the booking (`blue_exit_pnl`), the
//! allotment. What is left here is the order the engine applies them in, which
//! `tests/equalities.rs` holds to the engine's, to the bit, on generated streams under
//! random constants.

use violet_alpha::{Position, evaluate};
use violet_domain::event::{Event, StreamCounts};
use violet_domain::types::{Action, BarsHeld};
use violet_engine::decision::{Allotment, decide_with};
use violet_engine::execution::blue_exit_pnl;
use violet_engine::replay::ReplaySummary;

use crate::columns::{Columns, SymbolId};
use crate::run::{SimConfig, SimResult};
use crate::stats::TradeStats;

/// Whether `config` runs on the columns: BLUE's cadence plan and one slot.
pub(crate) fn eligible(config: &SimConfig) -> bool {
    config.plan.is_blue_parity() && config.n_slots <= 1
}

/// The open position and the id of its symbol.
struct Held {
    pos: Position,
    symbol: SymbolId,
}

/// Run `config` (which must be [`eligible`]) on `cols`.
pub(crate) fn run(config: &SimConfig, cols: &Columns, events: &[Event<'_>], counts: StreamCounts) -> SimResult {
    let cfg = &config.cfg;
    let mut stats = TradeStats::new(cfg.initial_capital, cfg.fee_rate);
    let mut capital = cfg.initial_capital;
    let mut held: Option<Held> = None;
    let (mut entries, mut exits, mut next_trade_id) = (0u64, 0u64, 1u64);
    for k in 0..cols.scans() {
        let vel_div = cols.vel_div(k);
        let free_at_start = held.is_none();
        if let Some(h) = &mut held {
            let check = evaluate(&mut h.pos, cols.price_of(k, h.symbol), vel_div, cfg);
            if check.reason.is_some() {
                let pnl = blue_exit_pnl(h.pos.notional, check.pnl_pct, cfg);
                capital += pnl;
                exits += 1;
                stats.record_exit(h.pos.trade_id, pnl, capital);
                held = None;
            }
        }
        if !free_at_start {
            continue; // the engine decides, but a held slot at the start of a scan takes no entry
        }
        let allotted = Allotment::new(capital, 0.0, 1, 1).allotted;
        let d = decide_with(vel_div, cols.factors(k), cols.flat_run(k), allotted, cfg, || cols.pick(k, cfg, events));
        if d.action != Action::Enter {
            continue;
        }
        let (Some(pick), Some(sizing), Some(symbol)) = (d.pick, d.sizing, cols.best(k, events).map(|b| b.symbol))
        else {
            continue;
        };
        let trade_id = next_trade_id;
        next_trade_id += 1;
        entries += 1;
        stats.record_entry(trade_id, sizing.notional);
        held = Some(Held {
            pos: Position {
                trade_id,
                symbol: cols.symbol(symbol).clone(),
                entry_scan: cols.scan_number(k),
                entry_price: pick.price,
                last_price: pick.price,
                leverage: sizing.leverage,
                notional: sizing.notional,
                bars_held: BarsHeld::new(0),
            },
            symbol,
        });
    }
    let open_trade = held.as_ref().map(|h| h.pos.trade_id);
    let summary = ReplaySummary {
        scans: counts.scans,
        ticks: counts.ticks,
        rejected: counts.rejected,
        capital,
        entries,
        exits,
        decisions: cols.scans() as u64,
        cadence: config.plan.to_string(),
        blue_parity: true,
        n_slots: 1,
        open_trade,
        open_trades: open_trade.into_iter().collect(),
        divergences: None,
    };
    SimResult { summary, stats }
}
