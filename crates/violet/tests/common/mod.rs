//! Helpers shared by the launcher's integration tests.
#![allow(dead_code)] // each test binary uses a different subset

pub mod metrics;
pub mod proxy;
pub mod venue;

use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

/// A local clickhouse-server for this test (fails, never skips, when it cannot start).
pub fn local_server(name: &str) -> violet_testkit::LocalServer {
    violet_testkit::LocalServer::start(name).unwrap_or_else(|e| panic!("{e}"))
}

pub use violet_testkit::{fresh_dir, root};

/// Run the `violet` binary.
pub fn violet(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_violet")).args(args).output().expect("run violet")
}

/// `copies` of fixtures/streams/small-b.jsonl with scan numbers shifted so they keep increasing.
pub fn long_stream(copies: u64) -> Vec<u8> {
    let text = std::fs::read_to_string(root().join("fixtures/streams/small-b.jsonl")).expect("fixture");
    let mut out = Vec::new();
    for c in 0..copies {
        for line in text.lines() {
            let shifted = line.find("\"scan_number\":").and_then(|at| {
                let start = at + "\"scan_number\":".len();
                let end = start + line[start..].find(|ch: char| !ch.is_ascii_digit())?;
                let n: i64 = line[start..end].parse().ok()?;
                Some(format!("{}{}{}", &line[..start], n + i64::try_from(c).ok()? * 100_000, &line[end..]))
            });
            out.extend_from_slice(shifted.as_deref().unwrap_or(line).as_bytes());
            out.push(b'\n');
        }
    }
    out
}

/// Every row of `dolphin_violet.decisions` under FINAL, by scan, as the JSON object a
/// `--decisions-out` line holds (docs/decisions.md), to compare with [`JsonValue::same`]:
/// read as RowBinary, so every float is the stored value bit for bit.
pub fn journaled_decisions(ch: &violet_clickhouse::ClickHouse) -> Vec<violet_domain::json::JsonValue> {
    use violet_domain::json::JsonValue;
    use violet_journal::{ColType, RecordKind};
    let cols = RecordKind::Decision.columns();
    let names: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
    let q = format!("SELECT {} FROM dolphin_violet.decisions FINAL ORDER BY scan_number", names.join(", "));
    let data = ch.select(&q).fetch("RowBinary").unwrap_or_else(|e| panic!("{q}: {e}"));
    // The sizing breakdown's terms, from `strength` to `notional`: in the JSON, one object.
    let sizing_from = names.iter().position(|&n| n == "strength").expect("sizing columns");
    let allotment_from = names.iter().position(|&n| n == "n_slots").expect("allotment columns");
    let mut r = violet_clickhouse::RowReader::new(&data);
    let mut out = Vec::new();
    while !r.is_done() {
        let mut members = Vec::new();
        for &(name, ty) in cols {
            let v = if ty.is_nullable() && r.is_null().expect("flag") {
                JsonValue::Null
            } else {
                match ty {
                    ColType::Int | ColType::NullInt => JsonValue::int(r.i64().expect("Int64")),
                    ColType::UInt => JsonValue::Int(r.u64().expect("UInt64").to_string()),
                    ColType::Float | ColType::NullFloat => JsonValue::Float(r.f64().expect("Float64")),
                    ColType::Str | ColType::NullStr => JsonValue::Str(r.str().expect("String").to_string()),
                }
            };
            members.push((name.to_string(), v));
        }
        // With several slots the allotment's members follow `capital` (null with one slot).
        let allotment = members.split_off(allotment_from);
        let terms = members.split_off(sizing_from);
        let sizing = if terms.iter().all(|(_, v)| matches!(v, JsonValue::Null)) {
            JsonValue::Null
        } else {
            JsonValue::Object(terms)
        };
        members.push(("sizing".to_string(), sizing));
        if !matches!(allotment[0].1, JsonValue::Null) {
            let at = members.iter().position(|(n, _)| n == "capital").expect("capital") + 1;
            members.splice(at..at, allotment);
        }
        out.push(JsonValue::Object(members));
    }
    out
}

/// Each line of `--decisions-out` text, parsed.
pub fn decision_lines(text: &str) -> Vec<violet_domain::json::JsonValue> {
    let opts = violet_domain::json::ParseOptions { allow_constants: true };
    text.lines().map(|l| violet_domain::json::parse_owned(l, opts).unwrap_or_else(|e| panic!("{l}: {e}"))).collect()
}

/// Whether the journaled decisions are exactly `want` (same count, every value the same,
/// floats by bits); on a difference, the first differing pair.
pub fn same_decisions(
    got: &[violet_domain::json::JsonValue],
    want: &[violet_domain::json::JsonValue],
) -> Result<(), String> {
    if got.len() != want.len() {
        return Err(format!("{} decisions journaled, {} wanted", got.len(), want.len()));
    }
    match got.iter().zip(want).find(|(g, w)| !g.same(w)) {
        Some((g, w)) => Err(format!("journaled {g}\nwanted    {w}")),
        None => Ok(()),
    }
}

/// Wait for `child` to exit, at most `limit` (then kill it and fail with its log).
pub fn wait_exit_within(child: &mut Child, log: &std::path::Path, limit: Duration) -> i32 {
    let t = Instant::now();
    loop {
        if let Some(st) = child.try_wait().expect("wait") {
            return st.code().unwrap_or(-1);
        }
        if t.elapsed() > limit {
            let _ = child.kill();
            panic!("violet did not stop within {limit:?}; log:\n{}", std::fs::read_to_string(log).unwrap_or_default());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
