//! Tailing BLUE's scan and factor tables.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use violet_clickhouse::ClickHouse;

use crate::feed::{Feed, FeedError};
use crate::line::{FactorRow, ScanRow};
use crate::merge::{MergeKey, merge};

/// Tails `dolphin.eigen_scans` and `dolphin.factor_snapshots`, rows with `ts_ns` above the
/// last seen, at most `batch` rows of each table per poll. Rows wait `settle` after they are
/// first read before they are applied, in merged order: a row of one table inserted shortly
/// after a later row of the other still takes its place (rows arriving later than that are
/// applied on arrival, out of order).
#[derive(Debug, Clone)]
pub struct ClickHouseFeed {
    ch: ClickHouse,
    batch: usize,
    scans_after: i64,
    factors_after: i64,
    settle: Duration,
    pending: BTreeMap<(MergeKey, u64), (String, Instant)>,
    seq: u64,
}

impl ClickHouseFeed {
    /// A feed from `ch` starting at rows with `ts_ns >= since_ts_ns`.
    #[must_use]
    pub fn new(ch: ClickHouse, batch: usize, since_ts_ns: i64) -> Self {
        let after = since_ts_ns.saturating_sub(1);
        Self {
            ch,
            batch: batch.max(2),
            scans_after: after,
            factors_after: after,
            settle: Duration::ZERO,
            pending: BTreeMap::new(),
            seq: 0,
        }
    }

    /// Hold each row `settle` after it is first read before applying it.
    #[must_use]
    pub fn with_settle(mut self, settle: Duration) -> Self {
        self.settle = settle;
        self
    }

    fn scans(&self) -> Result<Vec<ScanRow>, FeedError> {
        let q = self
            .ch
            .select("SELECT ?fields FROM dolphin.eigen_scans WHERE ts_ns > ? ORDER BY ts_ns, scan_number LIMIT ?")
            .bind(self.scans_after)
            .bind(self.batch as u64);
        Ok(q.rows::<ScanRow>()?)
    }

    fn factors(&self) -> Result<Vec<FactorRow>, FeedError> {
        let q = self
            .ch
            .select("SELECT ?fields FROM dolphin.factor_snapshots WHERE ts_ns > ? ORDER BY ts_ns LIMIT ?")
            .bind(self.factors_after)
            .bind(self.batch as u64);
        Ok(q.rows::<FactorRow>()?)
    }
}

impl Feed for ClickHouseFeed {
    fn poll(&mut self, out: &mut Vec<Vec<u8>>) -> Result<bool, FeedError> {
        // Factors first: a snapshot inserted just before its scan is then never missed by
        // a poll that sees the scan.
        let factors = self.factors()?;
        let scans = self.scans()?;
        let m = merge(scans, factors, self.batch, self.scans_after, self.factors_after);
        self.scans_after = m.scans_after;
        self.factors_after = m.factors_after;
        let now = Instant::now();
        for (k, line) in m.keys.into_iter().zip(m.lines) {
            self.seq += 1;
            self.pending.insert((k, self.seq), (line, now));
        }
        while let Some(entry) = self.pending.first_entry() {
            if entry.get().1.elapsed() < self.settle {
                break;
            }
            let (_, (line, _)) = entry.remove_entry();
            out.push(line.into_bytes());
        }
        Ok(true)
    }
}
