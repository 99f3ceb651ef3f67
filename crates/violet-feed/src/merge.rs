//! Two tables' new rows merged into one event order: by `ts_ns`, factor snapshots before
//! scans on ties, never past a timestamp a full batch may not have finished.

use crate::line::{FactorRow, ScanRow};

/// Where an event goes in the merged order: (ts, factors 0 / scans 1, scan number).
pub type MergeKey = (i64, u8, i64);

/// The rows to apply now, in order, and how far each table has been read.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Merged {
    /// Event-stream lines in event order.
    pub lines: Vec<String>,
    /// Each line's merge key.
    pub keys: Vec<MergeKey>,
    /// The new scans cursor: rows with `ts_ns` above it are still to read.
    pub scans_after: i64,
    /// The new factors cursor.
    pub factors_after: i64,
}

/// How far a batch read with `LIMIT batch` is complete: `None` when it was not full
/// (everything up to now), else the rows at its last timestamp are dropped (they may
/// continue in the next batch) and everything up to the timestamp before is complete. A
/// full batch of a single timestamp is taken whole.
fn complete_until<T>(rows: &mut Vec<T>, batch: usize, ts: impl Fn(&T) -> i64) -> Option<i64> {
    if rows.len() < batch {
        return None;
    }
    let last = ts(rows.last()?);
    if rows.first().map(&ts) == Some(last) {
        return Some(last);
    }
    rows.retain(|r| ts(r) < last);
    Some(last - 1)
}

/// Merge the rows read after the cursors (`scans`, `factors`, each in `ts_ns` order, each
/// read with `LIMIT batch`).
#[must_use]
pub fn merge(
    mut scans: Vec<ScanRow>,
    mut factors: Vec<FactorRow>,
    batch: usize,
    scans_after: i64,
    factors_after: i64,
) -> Merged {
    let hs = complete_until(&mut scans, batch, |r| r.ts_ns);
    let hf = complete_until(&mut factors, batch, |r| r.ts_ns);
    let horizon = match (hs, hf) {
        (Some(a), Some(b)) => a.min(b),
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => i64::MAX,
    };
    scans.retain(|r| r.ts_ns <= horizon);
    factors.retain(|r| r.ts_ns <= horizon);
    let out = Merged {
        lines: Vec::with_capacity(scans.len() + factors.len()),
        keys: Vec::with_capacity(scans.len() + factors.len()),
        scans_after: scans.last().map_or(scans_after, |r| r.ts_ns),
        factors_after: factors.last().map_or(factors_after, |r| r.ts_ns),
    };
    let (mut s, mut f) = (scans.into_iter().peekable(), factors.into_iter().peekable());
    let mut out = out;
    loop {
        let take_factor = match (s.peek(), f.peek()) {
            (None, None) => break,
            (Some(_), None) => false,
            (None, Some(_)) => true,
            (Some(a), Some(b)) => b.ts_ns <= a.ts_ns,
        };
        let keyed = if take_factor {
            f.next().map(|r| ((r.ts_ns, 0, 0), r.to_line()))
        } else {
            s.next().map(|r| ((r.ts_ns, 1, r.scan_number), r.to_line()))
        };
        if let Some((k, line)) = keyed {
            out.keys.push(k);
            out.lines.push(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn scan(n: i64, ts: i64) -> ScanRow {
        ScanRow { scan_number: n, ts_ns: ts, vel_div: 0.0, assets: "[]".into() }
    }

    fn factors(ts: i64) -> FactorRow {
        FactorRow {
            ts_ns: ts,
            acb_boost: 1.0,
            acb_beta: 0.0,
            mc_scale: 1.0,
            esof_score: 0.0,
            ob_consensus: 0.0,
            dc_status: "NEUTRAL".into(),
            posture: "APEX".into(),
        }
    }

    /// (ts, is_scan) of each merged line.
    fn keys(m: &Merged) -> Vec<(i64, bool)> {
        m.lines
            .iter()
            .map(|l| {
                let at = l.find("\"ts_ns\":").expect("ts") + 8;
                let end = at + l[at..].find(|c: char| c != '-' && !c.is_ascii_digit()).expect("end");
                (l[at..end].parse().expect("int"), l.contains("\"type\":\"scan\""))
            })
            .collect()
    }

    #[test]
    fn factors_come_before_scans_on_ties() {
        let m = merge(vec![scan(1, 10), scan(2, 20)], vec![factors(10), factors(15)], 100, 0, 0);
        assert_eq!(keys(&m), [(10, false), (10, true), (15, false), (20, true)]);
        assert_eq!((m.scans_after, m.factors_after), (20, 15));
    }

    #[test]
    fn a_full_batch_holds_back_its_last_timestamp_and_the_other_table_waits() {
        // Scans batch full (limit 3): ts 30 may continue; factors at 30 and 40 must wait.
        let m =
            merge(vec![scan(1, 10), scan(2, 20), scan(3, 30)], vec![factors(25), factors(30), factors(40)], 3, 0, 0);
        assert_eq!(keys(&m), [(10, true), (20, true), (25, false)]);
        assert_eq!((m.scans_after, m.factors_after), (20, 25));
    }

    #[test]
    fn nothing_new_keeps_the_cursors() {
        let m = merge(vec![], vec![], 10, 7, 9);
        assert!(m.lines.is_empty());
        assert_eq!((m.scans_after, m.factors_after), (7, 9));
    }

    proptest! {
        /// Reading two tables batch by batch yields every row once, in (ts, factors first)
        /// order, whatever the batch size.
        #[test]
        fn batched_reads_yield_every_row_once_in_order(
            mut s_ts in proptest::collection::vec(0i64..50, 0..40),
            mut f_ts in proptest::collection::vec(0i64..50, 0..40),
            batch in 2usize..8,
        ) {
            s_ts.sort_unstable();
            f_ts.sort_unstable();
            let scans: Vec<ScanRow> = s_ts.iter().enumerate().map(|(i, &t)| scan(i as i64, t)).collect();
            let facts: Vec<FactorRow> = f_ts.iter().map(|&t| factors(t)).collect();
            let (mut sa, mut fa) = (i64::MIN, i64::MIN);
            let mut all = Vec::new();
            for _ in 0..200 {
                let s: Vec<ScanRow> = scans.iter().filter(|r| r.ts_ns > sa).take(batch).cloned().collect();
                let f: Vec<FactorRow> = facts.iter().filter(|r| r.ts_ns > fa).take(batch).cloned().collect();
                let m = merge(s, f, batch, sa, fa);
                all.extend(keys(&m));
                (sa, fa) = (m.scans_after, m.factors_after);
            }
            let ties_fit = |v: &[i64]| v.chunk_by(|a, b| a == b).all(|c| c.len() < batch);
            prop_assume!(ties_fit(&s_ts) && ties_fit(&f_ts));
            let mut want: Vec<(i64, bool)> = s_ts.iter().map(|&t| (t, true)).chain(f_ts.iter().map(|&t| (t, false))).collect();
            want.sort_unstable();
            prop_assert_eq!(all, want);
        }
    }
}
