//! Tailing BLUE's trade events (`dolphin.trade_events`) for the divergence monitor.

use std::collections::HashSet;

use violet_clickhouse::ClickHouse;

use crate::feed::FeedError;

/// A row of `dolphin.trade_events` (a typed RowBinary row).
#[derive(Debug, violet_clickhouse::Row, serde::Deserialize)]
#[clickhouse(crate = "violet_clickhouse::clickhouse")]
struct TradeRow {
    trade_id: u64,
    event: String,
    ts_ns: i64,
    body: String,
}

/// BLUE's trade events as they appear, each (trade id, event) once, in `ts_ns` order.
#[derive(Debug, Clone)]
pub struct BlueTrades {
    ch: ClickHouse,
    batch: usize,
    from_ts: i64,
    seen: HashSet<(u64, String)>,
}

impl BlueTrades {
    /// Tail from rows with `ts_ns >= since_ts_ns`.
    #[must_use]
    pub fn new(ch: ClickHouse, batch: usize, since_ts_ns: i64) -> Self {
        Self { ch, batch: batch.max(2), from_ts: since_ts_ns, seen: HashSet::new() }
    }

    /// Append the bodies (BLUE's JSON lines) of trade events not seen before.
    ///
    /// # Errors
    /// [`FeedError`] when the server fails or answers something else.
    pub fn poll(&mut self, out: &mut Vec<String>) -> Result<usize, FeedError> {
        let mut added = 0;
        loop {
            // `>=`: rows sharing the last timestamp read are read again and skipped as seen,
            // so one inserted later with that timestamp is not missed.
            let q = self
                .ch
                .select(
                    "SELECT ?fields FROM dolphin.trade_events WHERE ts_ns >= ? ORDER BY ts_ns, trade_id, event LIMIT ?",
                )
                .bind(self.from_ts)
                .bind(self.batch as u64);
            let rows = q.rows::<TradeRow>()?;
            let (n, last_ts) = (rows.len(), rows.last().map_or(self.from_ts, |row| row.ts_ns));
            let mut fresh = 0;
            for TradeRow { trade_id, event, body, .. } in rows {
                if self.seen.insert((trade_id, event)) {
                    out.push(body);
                    fresh += 1;
                }
            }
            added += fresh;
            if n < self.batch {
                self.from_ts = last_ts;
                return Ok(added);
            }
            // A full batch: go on after it (past its timestamp if it held nothing new).
            self.from_ts = if fresh == 0 { last_ts.saturating_add(1) } else { last_ts };
        }
    }
}
