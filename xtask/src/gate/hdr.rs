//! HDR histograms in the gates' reports: one bound for every timed gate, one table row
//! shape, one verdict rule (a target is "met", "missed (within 10x)" or "FAILED (beyond 10x)").

use hdrhistogram::Histogram;

/// A histogram of nanoseconds (1 ns .. 600 s, 3 significant digits).
pub fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 600_000_000_000, 3).unwrap_or_else(|_| unreachable!("valid bounds"))
}

/// The table header matching [`row`].
pub const HEADER: &str =
    "| measure | n | p50 | p99 | p99.9 | max | p99 target | verdict |\n|---|---:|---:|---:|---:|---:|---:|---|";

/// The verdict for a p99 against its target (ns).
pub fn verdict(p99: u64, target: Option<u64>) -> &'static str {
    match target {
        None => "recorded (no target)",
        Some(t) if p99 <= t => "met",
        Some(t) if p99 <= 10 * t => "missed (within 10x)",
        Some(_) => "FAILED (beyond 10x)",
    }
}

/// Whether a p99 is beyond 10x its target (the gates fail only then).
pub fn beyond_10x(h: &Histogram<u64>, target: u64) -> bool {
    h.value_at_quantile(0.99) > 10 * target
}

/// A table row, times in µs.
pub fn row(name: &str, h: &Histogram<u64>, target: Option<u64>) -> String {
    let us = |v: u64| v as f64 / 1000.0;
    let p99 = h.value_at_quantile(0.99);
    let shown = target.map_or_else(|| "-".to_string(), |t| format!("{:.0}", us(t)));
    format!(
        "| {name} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {shown} | {} |",
        h.len(),
        us(h.value_at_quantile(0.5)),
        us(p99),
        us(h.value_at_quantile(0.999)),
        us(h.max()),
        verdict(p99, target),
    )
}
