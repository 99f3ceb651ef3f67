//! A sweep's rows as CSV: one row per configuration.

use std::fmt::Write as _;

use violet_domain::json::f64_to_string;

use crate::grid::Point;
use crate::run::SimResult;

/// The header: `id,index`, the grid's keys, then the figures.
#[must_use]
pub fn csv_header(keys: &[String]) -> String {
    let mut s = String::from("id,index");
    for k in keys {
        s.push(',');
        s.push_str(k);
    }
    s.push_str(",final_capital,trades,win_rate,max_drawdown,risk_adjusted,fees,pnl,entries,scans,rejected\n");
    s
}

/// One configuration's row (floats as Python writes them: shortest round trip, so a row
/// read back is the run's value to the bit).
#[must_use]
pub fn csv_row(p: &Point, r: &SimResult) -> String {
    let mut s = format!("{},{}", p.id, p.index);
    for (_, v) in &p.values {
        let _ = write!(s, ",{v}");
    }
    let st = &r.stats;
    let _ = writeln!(
        s,
        ",{},{},{},{},{},{},{},{},{},{}",
        f64_to_string(r.summary.capital),
        st.trades,
        f64_to_string(st.win_rate()),
        f64_to_string(st.max_drawdown),
        f64_to_string(st.risk_adjusted()),
        f64_to_string(st.fees),
        f64_to_string(st.pnl),
        r.summary.entries,
        r.summary.scans,
        r.summary.rejected,
    );
    s
}
