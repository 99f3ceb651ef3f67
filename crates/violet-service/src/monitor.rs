//! The live divergence monitor: VIOLET's trade events against BLUE's
//! (`dolphin.trade_events`), compared once both sides have settled.

use std::collections::{HashSet, VecDeque};
use std::io;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use violet_divergence::{Report, TradeRecord, compare, parse_trades};
use violet_feed::{BlueTrades, FeedError};
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
    blue: BlueTrades,
    blue_records: Vec<TradeRecord>,
    ours: Vec<TradeRecord>,
    decided: VecDeque<(i64, Instant)>,
    horizon: Option<i64>,
    settle: Duration,
    journaled: HashSet<(i64, String, &'static str)>,
    report_dir: PathBuf,
}

fn parse_one(line: &str, n: usize) -> Option<TradeRecord> {
    let mut v = parse_trades(line).ok()?;
    let mut r = v.pop()?;
    r.line = n;
    Some(r)
}

impl Monitor {
    /// A monitor reading BLUE's trades from `blue`; reports go to `report_dir`.
    #[must_use]
    pub fn new(blue: BlueTrades, settle: Duration, report_dir: PathBuf) -> Self {
        Self {
            blue,
            blue_records: Vec::new(),
            ours: Vec::new(),
            decided: VecDeque::new(),
            horizon: None,
            settle,
            journaled: HashSet::new(),
            report_dir,
        }
    }

    /// VIOLET decided scan `n` now.
    pub fn decided(&mut self, n: i64) {
        self.decided.push_back((n, Instant::now()));
    }

    /// One of VIOLET's trade events (its JSON line).
    pub fn ours(&mut self, line: &str) {
        let n = self.ours.len() + 1;
        if let Some(r) = parse_one(line, n) {
            self.ours.push(r);
        }
    }

    /// Read BLUE's new trade events, compare both sides up to the horizon, journal the
    /// divergences not journaled before (ids `<source>:divergence:<scan>:<event>`), and
    /// rewrite the report when anything changed.
    ///
    /// # Errors
    /// BLUE's table cannot be read, or the journal fails.
    pub fn check<J: Journal>(&mut self, journal: &mut JournalSink<J>) -> Result<Check, MonitorError> {
        let mut lines = Vec::new();
        self.blue.poll(&mut lines)?;
        for l in &lines {
            match parse_one(l, self.blue_records.len() + 1) {
                Some(r) => self.blue_records.push(r),
                None => {
                    tracing::warn!(line = %l.chars().take(200).collect::<String>(), "BLUE trade event unreadable, skipped");
                }
            }
        }
        while self.decided.front().is_some_and(|(_, t)| t.elapsed() >= self.settle) {
            self.horizon = self.decided.pop_front().map(|(n, _)| n);
        }
        let Some(h) = self.horizon else { return Ok(Check::default()) };
        let upto = |v: &[TradeRecord]| {
            let mut v: Vec<TradeRecord> = v.iter().filter(|r| r.scan_number <= h).cloned().collect();
            v.sort_by_key(TradeRecord::key);
            v
        };
        let report = compare(upto(&self.blue_records), upto(&self.ours));
        let compared = report.blue.len() + report.violet.len();
        let mut new = 0;
        for d in &report.divergences {
            if self.journaled.insert((d.scan_number, d.event.clone(), d.class.as_str())) {
                journal.divergence(&report, d)?;
                tracing::warn!(scan = d.scan_number, event = %d.event, class = d.class.as_str(), "divergence: {}", report.describe(d));
                new += 1;
            }
        }
        if new > 0 {
            self.write_report(&report);
        }
        Ok(Check { compared, divergences: report.divergences.len(), new })
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
    /// BLUE's trade events cannot be read.
    #[error(transparent)]
    Feed(#[from] FeedError),
    /// The journal failed.
    #[error("journal")]
    Journal(#[from] io::Error),
}
