//! The live divergence monitor: VIOLET's trade events against BLUE's
//! (`dolphin.trade_events`), compared once both sides have settled.
//!
//! - `window.rs`: the events held, compared up to the horizon and then retired (their
//!   counts kept), so memory stays flat over a long run.
//! - `blue.rs`: BLUE's side read by a thread of its own: checking never waits for ClickHouse.

mod blue;
mod window;

use std::collections::{HashSet, VecDeque};
use std::io;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use violet_divergence::{Report, TradeRecord, parse_trades};

use window::Window;

/// Compared events kept after each retirement (the report's context), both sides.
const KEEP: usize = 2_000;
use blue::BlueLines;
use violet_feed::BlueTrades;
use violet_journal::{Journal, JournalSink};

/// What one check found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Check {
    /// Trade events compared (both sides, up to the horizon).
    pub compared: usize,
    /// Divergences in all (up to the horizon).
    pub divergences: usize,
    /// Divergences journaled by this check (not seen before in this process).
    pub new: usize,
}

/// Compares trade events up to the last scan VIOLET decided at least `settle` ago.
#[derive(Debug)]
pub struct Monitor {
    blue: BlueLines,
    window: Window,
    /// Events read so far, per side (their line numbers in the report).
    blue_seen: usize,
    ours_seen: usize,
    decided: VecDeque<(i64, Instant)>,
    horizon: Option<i64>,
    settle: Duration,
    journaled: HashSet<(i64, String, &'static str)>,
    report_dir: PathBuf,
    /// Where new divergences are counted, by class.
    metrics: Option<crate::metrics::Metrics>,
}

fn parse_one(line: &str, n: usize) -> Option<TradeRecord> {
    let mut v = parse_trades(line).ok()?;
    let mut r = v.pop()?;
    r.line = n;
    Some(r)
}

impl Monitor {
    /// A monitor reading BLUE's trades from `blue` (polled every `every` on a thread of its
    /// own); reports go to `report_dir`.
    #[must_use]
    pub fn new(blue: BlueTrades, every: Duration, settle: Duration, report_dir: PathBuf) -> Self {
        Self {
            blue: BlueLines::spawn(blue, every),
            window: Window::new(KEEP),
            blue_seen: 0,
            ours_seen: 0,
            decided: VecDeque::new(),
            horizon: None,
            settle,
            journaled: HashSet::new(),
            report_dir,
            metrics: None,
        }
    }

    /// Count the divergences it journals into `metrics`.
    #[must_use]
    pub fn with_metrics(mut self, metrics: crate::metrics::Metrics) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// Trade events held in memory now (both sides): bounded by the kept window and the
    /// events not yet settled.
    #[must_use]
    pub fn held(&self) -> usize {
        self.window.held()
    }

    /// VIOLET decided scan `n` now.
    pub fn decided(&mut self, n: i64) {
        self.decided.push_back((n, Instant::now()));
    }

    /// One of VIOLET's trade events (its JSON line).
    pub fn ours(&mut self, line: &str) {
        self.ours_seen += 1;
        if let Some(r) = parse_one(line, self.ours_seen) {
            self.window.ours(r);
        }
    }

    /// Take BLUE's trade events read since, compare both sides up to the horizon, journal the
    /// divergences not journaled before (ids `<source>:divergence:<scan>:<event>`), and
    /// rewrite the report when anything changed.
    ///
    /// # Errors
    /// The journal fails.
    pub fn check<J: Journal>(&mut self, journal: &mut JournalSink<J>) -> Result<Check, MonitorError> {
        let mut lines = Vec::new();
        self.blue.take(&mut lines);
        for l in &lines {
            self.blue_seen += 1;
            match parse_one(l, self.blue_seen) {
                Some(r) => self.window.blue(r),
                None => {
                    tracing::warn!(line = %l.chars().take(200).collect::<String>(), "BLUE trade event unreadable, skipped");
                }
            }
        }
        while self.decided.front().is_some_and(|(_, t)| t.elapsed() >= self.settle) {
            self.horizon = self.decided.pop_front().map(|(n, _)| n);
        }
        let Some(h) = self.horizon else { return Ok(Check::default()) };
        let report = self.window.compare(h);
        let retired = self.window.retired();
        let compared = retired.compared + report.blue.len() + report.violet.len();
        let mut new = 0;
        for d in &report.divergences {
            if self.journaled.insert((d.scan_number, d.event.clone(), d.class.as_str())) {
                journal.divergence(&report, d)?;
                if let Some(m) = &self.metrics {
                    m.divergence(d.class.as_str());
                }
                tracing::warn!(scan = d.scan_number, event = %d.event, class = d.class.as_str(), "divergence: {}", report.describe(d));
                new += 1;
            }
        }
        if new > 0 {
            self.write_report(&report);
        }
        let divergences = retired.divergences + report.divergences.len();
        // What is compared leaves memory (its counts stay); the latest KEEP events stay for
        // the report's context, and journaled divergences of retired scans are forgotten.
        if let Some(cut) = self.window.retire(h) {
            self.journaled.retain(|(scan, _, _)| *scan > cut);
        }
        Ok(Check { compared, divergences, new })
    }

    fn write_report(&self, report: &Report) {
        if let Err(e) = report.write_dir(&self.report_dir) {
            tracing::error!(dir = %self.report_dir.display(), error = %e, "cannot write the divergence report");
        }
    }
}

/// The monitor failed.
#[derive(Debug, thiserror::Error)]
pub enum MonitorError {
    /// The journal failed.
    #[error("journal")]
    Journal(#[from] io::Error),
}
