//! # violet-divergence
//!
//! The divergence monitor: VIOLET's trade events against BLUE's (a file today; ClickHouse's
//! `trade_events` later). Events are matched by `(scan_number, event kind)` in order (EXIT
//! before ENTRY within a scan, as both engines write them); `trade_id` is compared as a
//! field. Each event is **matched**, **missing** (BLUE has it, VIOLET not), **extra**
//! (VIOLET has it, BLUE not) or a **field mismatch** (with the ULP distance of each float).
//! [`Report`] renders `divergences.jsonl`, `report.md` and `report.html` (the two capital
//! curves with the divergences marked, an inline SVG viewable offline).
//!
//! [`CadenceComparison`] sets two VIOLET modes side by side on one stream (V6: exits on
//! scans against the stop-loss guard on ticks): exits taken earlier and by how much, pnl per
//! trade, drawdown, final capital (`cadence.md`, `cadence.html`).

mod cadence;
mod chart;
mod compare;
mod record;
mod render;
mod ulps;

pub use cadence::{CadenceComparison, ExitSide, ModeRun, ModeStats, PairedTrade};
pub use compare::{Class, Divergence, FieldDiff, Report, compare};
pub use record::{ParseError, TradeRecord, parse_trades};
pub use render::one_line;
pub use ulps::ulp_distance;
