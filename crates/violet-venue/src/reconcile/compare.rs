//! The comparison.

use std::collections::{BTreeMap, BTreeSet};

use super::report::{OrderRow, OrderWhere, Reconciliation, SymbolRow, Verdict};
use super::view::{JournalView, Resolution, VenueView};

/// `q` in whole steps of `step` (quantities on an exchange are whole steps; the rounding
/// only removes the float error of a sum).
pub(crate) fn steps(q: f64, step: f64) -> i64 {
    // A position beyond i64 steps does not exist; saturate rather than wrap.
    let n = (q / step).round();
    if n >= i64::MAX as f64 {
        i64::MAX
    } else if n <= i64::MIN as f64 {
        i64::MIN
    } else {
        n as i64
    }
}

/// Compare the journal's view with the venue's. `step_of(symbol)` is the symbol's
/// quantity step (from its contract spec); a symbol without one can only match exactly.
pub fn reconcile(journal: &JournalView, venue: &VenueView, step_of: impl Fn(&str) -> Option<f64>) -> Reconciliation {
    let mut orders = Vec::new();
    // Fills of VIOLET's own orders the venue reports and the journal has not booked.
    let mut unjournaled: BTreeMap<&str, f64> = BTreeMap::new();
    let in_flight: BTreeSet<&str> = journal.in_flight.iter().map(|o| o.client_order_id.as_str()).collect();
    for o in &journal.in_flight {
        let (found, verdict) = match venue.resolutions.get(&o.client_order_id) {
            Some(Resolution::Found { executed, .. }) => {
                *unjournaled.entry(o.symbol.as_str()).or_default() += executed - o.journaled;
                (OrderWhere::Both, Verdict::Match)
            }
            // The venue never had it: nothing may have been booked for it.
            Some(Resolution::NotFound) if o.journaled == 0.0 => (OrderWhere::JournalOnly, Verdict::Match),
            Some(Resolution::NotFound) => (OrderWhere::JournalOnly, Verdict::Mismatch),
            Some(Resolution::Unknown(_)) | None => (OrderWhere::Unknown, Verdict::Mismatch),
        };
        orders.push(OrderRow { client_order_id: o.client_order_id.clone(), symbol: o.symbol.clone(), found, verdict });
    }
    for o in &venue.open_orders {
        if !in_flight.contains(o.client_order_id.as_str()) {
            orders.push(OrderRow {
                client_order_id: o.client_order_id.clone(),
                symbol: o.symbol.clone(),
                found: OrderWhere::VenueOnly,
                verdict: Verdict::Mismatch,
            });
        }
    }

    let held = |m: &BTreeMap<String, f64>, s: &str| m.get(s).copied().unwrap_or(0.0);
    let symbols: BTreeSet<&str> = journal
        .positions
        .iter()
        .chain(venue.positions.iter())
        .filter(|(_, q)| **q != 0.0)
        .map(|(s, _)| s.as_str())
        .chain(unjournaled.iter().filter(|(_, q)| **q != 0.0).map(|(s, _)| *s))
        .collect();
    let mut rows = Vec::new();
    for symbol in symbols {
        let (v, j) = (held(&venue.positions, symbol), held(&journal.positions, symbol));
        let u = unjournaled.get(symbol).copied().unwrap_or(0.0);
        let step = step_of(symbol);
        let (verdict, why) = match step {
            Some(step) if step > 0.0 => {
                let (sv, sj, su) = (steps(v, step), steps(j, step), steps(u, step));
                if sv == sj {
                    (Verdict::Match, format!("equal: {sv} steps of {step}"))
                } else if su != 0 && sv == sj + su {
                    (Verdict::Explained, format!("the venue's fills of VIOLET's orders in flight make up {su} steps"))
                } else {
                    (
                        Verdict::Mismatch,
                        format!("venue {sv} steps, journal {sj} (+{su} in flight): differ by {}", sv - sj - su),
                    )
                }
            }
            _ if v.to_bits() == j.to_bits() => {
                (Verdict::Match, "equal (no contract spec: compared exactly)".to_string())
            }
            _ => (Verdict::Mismatch, format!("no contract spec for {symbol}: venue {v} and journal {j} differ")),
        };
        rows.push(SymbolRow { symbol: symbol.to_string(), venue: v, journal: j, unjournaled: u, step, verdict, why });
    }
    let verdict =
        rows.iter().map(|r| r.verdict).chain(orders.iter().map(|o| o.verdict)).max().unwrap_or(Verdict::Match);
    Reconciliation { verdict, symbols: rows, orders }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::Side;
    use crate::reconcile::{InFlight, OpenOrder};

    fn step(_: &str) -> Option<f64> {
        Some(0.001)
    }

    fn journal(positions: &[(&str, f64)]) -> JournalView {
        JournalView {
            positions: positions.iter().map(|(s, q)| ((*s).to_string(), *q)).collect(),
            in_flight: Vec::new(),
        }
    }

    fn venue(positions: &[(&str, f64)]) -> VenueView {
        VenueView { positions: positions.iter().map(|(s, q)| ((*s).to_string(), *q)).collect(), ..VenueView::default() }
    }

    #[test]
    fn nothing_anywhere_matches() {
        let r = reconcile(&JournalView::default(), &VenueView::default(), step);
        assert_eq!((r.verdict, r.symbols.len(), r.mismatches()), (Verdict::Match, 0, 0));
        assert!(r.passed());
    }

    #[test]
    fn equal_positions_match_in_steps_despite_the_float_error_of_a_sum() {
        // 0.1 + 0.2 != 0.3 as floats; as steps of 0.001 they are 300 = 300.
        let r = reconcile(&journal(&[("BTCUSDT", -(0.1 + 0.2))]), &venue(&[("BTCUSDT", -0.3)]), step);
        assert_eq!(r.verdict, Verdict::Match, "{}", r.render());
        assert!(r.journal_holds());
        let flat = reconcile(&journal(&[("BTCUSDT", 0.1 + 0.2 - 0.3)]), &VenueView::default(), step);
        assert!(!flat.journal_holds(), "float dust of a closed position is no position: {}", flat.render());
    }

    #[test]
    fn a_position_from_outside_is_a_mismatch_naming_both_quantities() {
        let r = reconcile(&JournalView::default(), &venue(&[("ETHUSDT", -0.5)]), step);
        assert_eq!(r.verdict, Verdict::Mismatch);
        assert!(!r.passed());
        let row = &r.symbols[0];
        assert_eq!((row.symbol.as_str(), row.venue, row.journal), ("ETHUSDT", -0.5, 0.0));
        assert!(row.why.contains("venue -500 steps, journal 0"), "{}", row.why);
        assert!(r.render().contains("ETHUSDT") && r.render().contains("MISMATCH"), "{}", r.render());
    }

    #[test]
    fn one_step_of_difference_is_a_mismatch() {
        let r = reconcile(&journal(&[("BTCUSDT", -0.013)]), &venue(&[("BTCUSDT", -0.012)]), step);
        assert_eq!(r.verdict, Verdict::Mismatch);
    }

    #[test]
    fn a_fill_of_our_own_order_in_flight_explains_the_difference_exactly() {
        let mut j = journal(&[("BTCUSDT", -0.010)]);
        j.in_flight.push(InFlight {
            client_order_id: "v1-a".into(),
            symbol: "BTCUSDT".into(),
            side: Side::Sell,
            journaled: -0.001,
        });
        let mut v = venue(&[("BTCUSDT", -0.013)]);
        v.resolutions.insert(
            "v1-a".into(),
            Resolution::Found { executed: -0.004, average_price: 2.0, venue_order_id: "9".into(), open: false },
        );
        let r = reconcile(&j, &v, step);
        assert_eq!(r.verdict, Verdict::Explained, "{}", r.render());
        assert!(r.passed());
        // Booked, the answer leaves nothing in flight and the journal equals the venue.
        let booked = j.resolved(&v);
        assert!(booked.in_flight.is_empty());
        assert_eq!(reconcile(&booked, &v, step).verdict, Verdict::Match, "{}", reconcile(&booked, &v, step).render());
        // One step more at the venue than the order explains: a mismatch.
        v.positions.insert("BTCUSDT".into(), -0.014);
        assert_eq!(reconcile(&j, &v, step).verdict, Verdict::Mismatch);
    }

    #[test]
    fn an_order_the_venue_cannot_answer_for_is_never_guessed() {
        let mut j = JournalView::default();
        j.in_flight.push(InFlight {
            client_order_id: "v1-b".into(),
            symbol: "BTCUSDT".into(),
            side: Side::Sell,
            journaled: 0.0,
        });
        let mut v = VenueView::default();
        let r = reconcile(&j, &v, step);
        assert_eq!((r.verdict, r.orders[0].found), (Verdict::Mismatch, OrderWhere::Unknown), "not asked: unknown");
        v.resolutions.insert("v1-b".into(), Resolution::Unknown("timeout".into()));
        assert_eq!(reconcile(&j, &v, step).verdict, Verdict::Mismatch);
        v.resolutions.insert("v1-b".into(), Resolution::NotFound);
        assert_eq!(reconcile(&j, &v, step).verdict, Verdict::Match, "never executed: nothing to explain");
    }

    #[test]
    fn an_open_order_the_journal_does_not_know_is_a_mismatch() {
        let mut v = VenueView::default();
        v.open_orders.push(OpenOrder { client_order_id: "manual-1".into(), symbol: "BTCUSDT".into() });
        let r = reconcile(&JournalView::default(), &v, step);
        assert_eq!((r.verdict, r.orders[0].found), (Verdict::Mismatch, OrderWhere::VenueOnly));
    }

    #[test]
    fn without_a_contract_spec_only_an_exact_equality_matches() {
        let none = |_: &str| None;
        assert_eq!(reconcile(&journal(&[("XUSDT", 1.5)]), &venue(&[("XUSDT", 1.5)]), none).verdict, Verdict::Match);
        let r = reconcile(&journal(&[("XUSDT", 1.5)]), &venue(&[("XUSDT", 1.5000001)]), none);
        assert_eq!(r.verdict, Verdict::Mismatch);
        assert!(r.symbols[0].why.contains("no contract spec for XUSDT"), "{}", r.symbols[0].why);
    }
}
