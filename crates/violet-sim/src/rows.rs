//! What identifies a sweep's rows wherever they are written (`dolphin_violet.sweeps`): the
//! stream's fingerprint and each configuration's row id, so that rows written twice
//! collapse.

use violet_clock::CadencePlan;
use violet_domain::json::ObjectWriter;

use crate::grid::Point;

/// Bytes of each end of a stream that go into its fingerprint.
const EDGE: usize = 1 << 20;

/// `<length>:<16 hex>`: the length of `bytes` and FNV-1a of their first and last MiB. The
/// same file on any machine gives the same text (no path, no time in it).
#[must_use]
pub fn stream_fingerprint(bytes: &[u8]) -> String {
    let head = &bytes[..bytes.len().min(EDGE)];
    let tail = &bytes[bytes.len().saturating_sub(EDGE)..];
    let h = violet_domain::hash::fnv1a(&[head, tail].concat());
    format!("{}:{h:016x}", bytes.len())
}

/// A configuration's row id: its constants' id with the cadence plan and the slots (the
/// same run, the same id; another cadence, another row).
#[must_use]
pub fn row_id(p: &Point, plan: &CadencePlan, n_slots: usize) -> String {
    format!("{:016x}", violet_domain::hash::fnv1a(format!("{}|{plan}|{}", p.id, n_slots.max(1)).as_bytes()))
}

/// The grid's values of `p` as a JSON object (`{"tp_pct":0.0099,...}`; the values as the
/// grid wrote them).
#[must_use]
pub fn grid_values_json(p: &Point) -> String {
    let mut s = String::new();
    let mut w = ObjectWriter::new(&mut s);
    for (k, v) in &p.values {
        w.raw(k, v);
    }
    w.finish();
    s
}
