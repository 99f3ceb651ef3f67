//! The take-over check: after replaying history (its past orders recalled, never sent),
//! the engine must hold exactly what the journal holds once the venue's answers about the
//! orders in flight are booked — symbol by symbol, in contract steps. Anything else means
//! the replay did not re-decide what the dead run traded (another `since_ts_ns`, other
//! input), and trading on it would leave a position no one exits: the service refuses.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::reconcile::{JournalView, VenueView, Verdict, reconcile, steps};

/// One symbol compared.
#[derive(Debug, Clone, PartialEq)]
pub struct TakeOverRow {
    /// The symbol (`BTCUSDT`).
    pub symbol: String,
    /// What the engine holds after the replay (signed base quantity; a SHORT negative).
    pub engine: f64,
    /// What the journal holds, the venue's answers booked.
    pub expected: f64,
    /// The contract's quantity step (`None`: compared exactly).
    pub step: Option<f64>,
    /// Equal (in steps).
    pub matches: bool,
}

/// The comparison.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TakeOver {
    /// Every symbol either side holds.
    pub rows: Vec<TakeOverRow>,
}

impl TakeOver {
    /// Whether every symbol matches.
    #[must_use]
    pub fn passed(&self) -> bool {
        self.rows.iter().all(|r| r.matches)
    }

    /// A line per symbol: `BTCUSDT engine -0.012 journal -0.013 (step 0.001): MISMATCH`.
    #[must_use]
    pub fn render(&self) -> String {
        let mut s = String::new();
        for r in &self.rows {
            let step = r.step.map_or_else(|| "no contract spec: exact".to_string(), |st| format!("step {st}"));
            let _ = writeln!(
                s,
                "{} engine {} journal {} ({step}): {}",
                r.symbol,
                r.engine,
                r.expected,
                if r.matches { "MATCH" } else { "MISMATCH" }
            );
        }
        if self.rows.is_empty() {
            s.push_str("no positions on either side: MATCH\n");
        }
        s
    }
}

/// Compare the engine's positions with the journal's (`expected`), in `step_of`'s steps:
/// the reconciliation's own per-symbol comparison, the engine standing where the venue
/// does. Symbols flat on both sides (float dust included) are left out.
#[must_use]
pub fn take_over(
    engine: &BTreeMap<String, f64>,
    expected: &BTreeMap<String, f64>,
    step_of: impl Fn(&str) -> Option<f64>,
) -> TakeOver {
    let journal = JournalView { positions: expected.clone(), in_flight: Vec::new() };
    let venue = VenueView { positions: engine.clone(), ..VenueView::default() };
    let rows = reconcile(&journal, &venue, step_of)
        .symbols
        .into_iter()
        .filter(|r| {
            !r.step.filter(|st| *st > 0.0).is_some_and(|st| steps(r.venue, st) == 0 && steps(r.journal, st) == 0)
        })
        .map(|r| TakeOverRow {
            matches: r.verdict == Verdict::Match,
            symbol: r.symbol,
            engine: r.venue,
            expected: r.journal,
            step: r.step,
        })
        .collect();
    TakeOver { rows }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(v: &[(&str, f64)]) -> BTreeMap<String, f64> {
        v.iter().map(|(s, q)| ((*s).to_string(), *q)).collect()
    }

    #[test]
    fn equal_holdings_in_steps_pass_and_any_step_of_difference_fails_naming_both() {
        let step = |_: &str| Some(0.001);
        assert!(take_over(&m(&[]), &m(&[]), step).passed());
        let t = take_over(&m(&[("BTCUSDT", -(0.1 + 0.2))]), &m(&[("BTCUSDT", -0.3)]), step);
        assert!(t.passed(), "{}", t.render());
        let t = take_over(&m(&[("BTCUSDT", 0.3 - 0.1 - 0.2)]), &m(&[]), step);
        assert!(t.passed() && t.rows.is_empty(), "dust is flat: {}", t.render());
        let t = take_over(&m(&[]), &m(&[("DOGEUSDT", -120.0)]), step);
        assert!(!t.passed());
        assert_eq!(t.render(), "DOGEUSDT engine 0 journal -120 (step 0.001): MISMATCH\n");
        let t = take_over(&m(&[("BTCUSDT", -0.012)]), &m(&[("BTCUSDT", -0.013)]), step);
        assert!(!t.passed(), "{}", t.render());
        let exact = take_over(&m(&[("X", 1.5)]), &m(&[("X", 1.5000001)]), |_| None);
        assert!(!exact.passed(), "without a spec only exact equality passes");
    }
}
