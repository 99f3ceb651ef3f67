//! The monitor's memory: both sides' trade events, compared up to a horizon, then retired
//! (their counts kept) so a month-long run holds steady memory. Sans I/O.

use violet_divergence::{Report, TradeRecord, compare};

/// What retired events added up to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Events compared (both sides).
    pub compared: usize,
    /// Divergences among them.
    pub divergences: usize,
}

/// Both sides' events not yet retired.
#[derive(Debug)]
pub struct Window {
    blue: Vec<TradeRecord>,
    ours: Vec<TradeRecord>,
    /// Events (both sides, up to the horizon) kept after a retirement: the report's context.
    keep: usize,
    retired: Totals,
}

fn upto(v: &[TradeRecord], h: i64) -> Vec<TradeRecord> {
    let mut v: Vec<TradeRecord> = v.iter().filter(|r| r.scan_number <= h).cloned().collect();
    v.sort_by_key(TradeRecord::key);
    v
}

impl Window {
    /// A window keeping `keep` compared events after each retirement.
    #[must_use]
    pub fn new(keep: usize) -> Self {
        Self { blue: Vec::new(), ours: Vec::new(), keep, retired: Totals::default() }
    }

    /// One of BLUE's events.
    pub fn blue(&mut self, r: TradeRecord) {
        self.blue.push(r);
    }

    /// One of VIOLET's events.
    pub fn ours(&mut self, r: TradeRecord) {
        self.ours.push(r);
    }

    /// Events held now (both sides).
    #[must_use]
    pub fn held(&self) -> usize {
        self.blue.len() + self.ours.len()
    }

    /// What retired events added up to.
    #[must_use]
    pub fn retired(&self) -> Totals {
        self.retired
    }

    /// The comparison of the events held, up to scan `h`.
    #[must_use]
    pub fn compare(&self, h: i64) -> Report {
        compare(upto(&self.blue, h), upto(&self.ours, h))
    }

    /// Retire the events of whole scans at or before `h`, oldest first, keeping the latest
    /// `keep` of them; their comparison's counts go to [`Window::retired`]. Returns the last
    /// scan retired (`None`: nothing was).
    pub fn retire(&mut self, h: i64) -> Option<i64> {
        let mut scans: Vec<i64> =
            self.blue.iter().chain(&self.ours).map(|r| r.scan_number).filter(|s| *s <= h).collect();
        if scans.len() <= self.keep {
            return None;
        }
        scans.sort_unstable();
        // Whole scans only: a pair (same scan, same event) always goes together.
        let cut = scans[scans.len() - self.keep - 1];
        let (gone_blue, keep_blue): (Vec<_>, Vec<_>) = self.blue.drain(..).partition(|r| r.scan_number <= cut);
        let (gone_ours, keep_ours): (Vec<_>, Vec<_>) = self.ours.drain(..).partition(|r| r.scan_number <= cut);
        self.blue = keep_blue;
        self.ours = keep_ours;
        let gone = compare(upto(&gone_blue, cut), upto(&gone_ours, cut));
        self.retired.compared += gone.blue.len() + gone.violet.len();
        self.retired.divergences += gone.divergences.len();
        Some(cut)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use violet_divergence::parse_trades;

    fn event(scan: i64, kind: &str, price: f64) -> TradeRecord {
        let line = format!(r#"{{"event":"{kind}","trade_id":{scan},"scan_number":{scan},"price":{price}}}"#);
        parse_trades(&line).expect("event").pop().expect("one")
    }

    #[test]
    fn a_long_run_holds_steady_memory_and_its_counts_stay_whole() {
        let mut w = Window::new(100);
        let mut most = 0;
        let mut last = Report { blue: Vec::new(), violet: Vec::new(), matched: 0, divergences: Vec::new() };
        // 60,000 scans, a trade event on each side every scan; VIOLET's price differs on
        // every 1,000th. Checked every 50 scans with a horizon 20 scans behind.
        for scan in 1..=60_000i64 {
            w.blue(event(scan, "ENTRY", 1.0));
            w.ours(event(scan, "ENTRY", if scan % 1000 == 0 { 1.5 } else { 1.0 }));
            if scan % 50 == 0 {
                let h = scan - 20;
                last = w.compare(h);
                w.retire(h);
                most = most.max(w.held());
            }
        }
        assert!(most <= 100 + 2 * 70, "memory bounded by the kept window and the unsettled scans: {most}");
        let h = 60_000 - 20;
        let now = w.compare(h);
        let total = w.retired().divergences + now.divergences.len();
        assert_eq!(total, (h / 1000) as usize, "every divergence counted once, retired or held");
        assert_eq!(w.retired().compared + now.blue.len() + now.violet.len(), 2 * h as usize);
        assert!(!last.blue.is_empty());
    }
}
