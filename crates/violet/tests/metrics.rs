//! Observability of `violet run`, end to end: the service reads a stdin stream against a
//! real ClickHouse on loopback while this test scrapes `GET /metrics` and parses it with the
//! official Prometheus Python client's OpenMetrics parser (`prometheus_client`, a strict
//! parser: a malformed exposition fails the test). The counters must equal what BLUE's
//! own trader counted of the same stream (scans, ticks, rejections, entries, exits by
//! reason) and what the journal holds in ClickHouse (rejections by rule, orders, records by
//! table); the latency histograms have an observation per scan; `/readyz` answers 200 while
//! running, and 503 with the reason once ClickHouse refuses the journal. The log is JSON
//! lines, each with the run's id and structured fields.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use violet_clickhouse::ClickHouse;

mod common;
use common::metrics::{free_port, get, parse, value, wait_for};
use common::{fresh_dir, local_server, root, wait_exit_within};

fn count_by(ch: &ClickHouse, q: &str) -> BTreeMap<String, f64> {
    let text = ch.query(q).unwrap_or_else(|e| panic!("{q}: {e}"));
    text.lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(k, n)| (k.to_string(), n.trim().parse().expect("count")))
        .collect()
}

fn config(dir: &Path, url: &str, listen: &str) -> std::path::PathBuf {
    let p = dir.join("violet.toml");
    let text = format!(
        "[service]\nname = \"metrics\"\ndata_dir = {:?}\nstatus_interval_s = 1\nlog_format = \"json\"\n\n\
         [clickhouse]\nurl = {url:?}\n\n[feed]\nkind = \"stdin\"\nbatch = 40\n\n[journal]\nflush_ms = 50\n\n\
         [monitor]\nenabled = false\n\n[metrics]\nlisten = {listen:?}\n",
        dir.join("data").display().to_string()
    );
    std::fs::write(&p, text).expect("config");
    p
}

/// BLUE's trader's counts and trade events for `stream` (recorded beside the fixture).
fn blue(stream: &str) -> (Value, Vec<Value>) {
    let dir = root().join("fixtures/streams");
    let counts =
        serde_json::from_str(&std::fs::read_to_string(dir.join(format!("{stream}.blue-counts.json"))).expect("c"))
            .expect("counts");
    let trades = std::fs::read_to_string(dir.join(format!("{stream}.blue-trades.jsonl")))
        .expect("trades")
        .lines()
        .map(|l| serde_json::from_str(l).expect("trade"))
        .collect();
    (counts, trades)
}

#[test]
fn metrics_equal_the_streams_counts_readyz_is_200_and_logs_are_json_with_the_run_id() {
    let server = local_server("metrics");
    let ch = server.client();
    let work = fresh_dir("metrics");
    let addr = format!("127.0.0.1:{}", free_port());
    let cfg = config(&work, server.url(), &addr);
    let log = work.join("run.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_violet"))
        .args(["run", "--config"])
        .arg(&cfg)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).expect("log"))
        .spawn()
        .expect("start violet run");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(&std::fs::read(root().join("fixtures/streams/small-a.jsonl")).expect("fixture")).expect("feed");

    // What BLUE's trader counted of the same stream.
    let (counts, trades) = blue("small-a");
    let n = |k: &str| counts[k].as_f64().unwrap_or_else(|| panic!("{k}"));
    let entries = trades.iter().filter(|t| t["event"] == "ENTRY").count() as f64;
    let mut exits: BTreeMap<String, f64> = BTreeMap::new();
    for t in trades.iter().filter(|t| t["event"] == "EXIT") {
        *exits.entry(t["reason"].as_str().expect("reason").to_string()).or_default() += 1.0;
    }
    assert!(entries > 0.0 && !exits.is_empty(), "the fixture trades");

    // Every line is in (the stream stays open: the service keeps running).
    let mut samples = Vec::new();
    wait_for("every scan and rejection counted", Duration::from_secs(60), || {
        let (status, body) = get(&addr, "/metrics").ok_or("no answer")?;
        if status != 200 {
            return Err(format!("status {status}"));
        }
        samples = parse(&body);
        let got = (value(&samples, "violet_scans_total", &[]), value(&samples, "violet_rejected_lines_total", &[]));
        if got == (n("scans"), n("rejected")) { Ok(()) } else { Err(format!("{got:?}")) }
    });
    // The journal in ClickHouse has it all too (the sampled counters follow within a second).
    wait_for("the journal shipped and sampled", Duration::from_secs(30), || {
        let shipped = count_by(&ch, "SELECT 'decisions', count() FROM dolphin_violet.decisions FINAL");
        let (_, body) = get(&addr, "/metrics").ok_or("no answer")?;
        samples = parse(&body);
        let journaled = value(&samples, "violet_journal_records_total", &[("table", "decisions")]);
        let (written, acknowledged) = (
            value(&samples, "violet_journal_records_total", &[]),
            value(&samples, "violet_journal_shipped_total", &[]),
        );
        if shipped.get("decisions") == Some(&n("scans")) && journaled == n("scans") && acknowledged == written {
            Ok(())
        } else {
            Err(format!("shipped {shipped:?}, counted {journaled}, acknowledged {acknowledged} of {written}"))
        }
    });

    // Against BLUE's own counts.
    assert_eq!(value(&samples, "violet_ticks_total", &[]), n("ticks"));
    assert_eq!(value(&samples, "violet_entries_total", &[]), entries);
    for (reason, k) in &exits {
        assert_eq!(value(&samples, "violet_exits_total", &[("reason", reason)]), *k, "exits by {reason}");
    }
    assert_eq!(value(&samples, "violet_exits_total", &[]), exits.values().sum::<f64>(), "no other reason");
    // Against the journal: rejections by rule, orders by how they ended.
    let by_rule = count_by(
        &ch,
        "SELECT visitParamExtractString(body, 'code') AS code, count() FROM dolphin_violet.rejections FINAL GROUP BY code ORDER BY code",
    );
    assert!(by_rule.len() >= 2, "the fixture breaks several rules: {by_rule:?}");
    for (rule, k) in &by_rule {
        assert_eq!(value(&samples, "violet_rejected_lines_total", &[("rule", rule)]), *k, "rule {rule}");
    }
    let orders = count_by(&ch, "SELECT state, count() FROM dolphin_violet.orders FINAL GROUP BY state");
    assert_eq!(orders.keys().collect::<Vec<_>>(), ["REJECTED"], "observe-only: every intent refused");
    assert_eq!(
        value(&samples, "violet_orders_total", &[("venue", "observe-only"), ("result", "observe_only")]),
        orders["REJECTED"]
    );
    assert_eq!(value(&samples, "violet_orders_total", &[]), orders["REJECTED"], "no other end");
    assert_eq!(value(&samples, "violet_fills_total", &[]), 0.0, "nothing reaches a venue unarmed");
    // Latencies: one observation per scan; gauges and state.
    for h in ["violet_scan_to_decision_seconds_count", "violet_event_lag_seconds_count"] {
        assert_eq!(value(&samples, h, &[]), n("scans"), "{h}");
    }
    assert!(value(&samples, "violet_scan_to_decision_seconds_sum", &[]) > 0.0);
    assert!(
        samples.iter().any(|s| s.name == "violet_scan_to_decision_seconds_bucket" && s.family_type == "histogram"),
        "a histogram with buckets"
    );
    assert_eq!(value(&samples, "violet_trading_state", &[("state", "ACTIVE")]), 1.0);
    assert_eq!(value(&samples, "violet_trading_state", &[]), 1.0, "one state at a time");
    assert_eq!(value(&samples, "violet_capital", &[]).to_bits(), n("capital").to_bits(), "BLUE's final capital");
    assert!(value(&samples, "violet_feed_lag_seconds", &[]) > 0.0, "the fixture's events are in the past");
    assert_eq!(value(&samples, "violet_ready", &[]), 1.0);
    assert_eq!(value(&samples, "violet_journal_ship_failures_total", &[]), 0.0, "ClickHouse took every batch");
    for s in &samples {
        assert!(!s.labels.keys().any(|k| k == "id" || k.ends_with("_id")), "no id as a label: {s:?}");
    }

    // Health.
    assert_eq!(get(&addr, "/healthz").map(|(s, _)| s), Some(200));
    assert_eq!(get(&addr, "/readyz"), Some((200, "ready\n".to_string())));
    assert_eq!(get(&addr, "/nope").map(|(s, _)| s), Some(404));

    // ClickHouse refuses the journal's next batch (its table is gone): not ready, saying why.
    ch.query("DROP TABLE dolphin_violet.rejections").expect("drop");
    writeln!(stdin, "not an event").expect("poison");
    wait_for("/readyz to say the journal is refused", Duration::from_secs(20), || match get(&addr, "/readyz") {
        Some((503, why)) if why.starts_with("not ready: journal: ClickHouse refused a batch") => Ok(()),
        other => Err(format!("{other:?}")),
    });
    assert_eq!(get(&addr, "/healthz").map(|(s, _)| s), Some(200), "alive all the same");

    // The end of the input stops it (records left in the spool: 5); the log is JSON lines
    // with the run's id.
    drop(stdin);
    assert_eq!(wait_exit_within(&mut child, &log, Duration::from_secs(35)), 5);
    let run_id = ch.query("SELECT id FROM dolphin_violet.runs FINAL").expect("runs").trim().to_string();
    assert!(run_id.starts_with("metrics-"), "{run_id}");
    let text = std::fs::read_to_string(&log).expect("log");
    let mut status_lines = 0;
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
        assert_eq!(v["run_id"], run_id.as_str(), "{line}");
        for (k, f) in v["fields"].as_object().expect("fields") {
            let nested = f.as_str().is_some_and(|t| serde_json::from_str::<Value>(t).is_ok_and(|j| j.is_object()));
            assert!(!nested, "{k}: JSON text inside a field, not a structured field: {line}");
        }
        if v["fields"]["message"] == "status" {
            status_lines += 1;
            assert!(v["fields"]["scans"].is_u64(), "a number, not text: {line}");
        }
    }
    assert!(status_lines >= 1, "a status line each second:\n{text}");
    std::fs::remove_dir_all(&work).ok();
}

#[test]
fn a_metrics_address_that_cannot_be_used_stops_the_start_naming_the_key() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let busy = taken.local_addr().expect("addr").to_string();
    let work = fresh_dir("metrics-listen");
    for (listen, says) in
        [("localhost:nine", "not an address like 127.0.0.1:9187"), (busy.as_str(), "cannot listen there")]
    {
        let out = Command::new(env!("CARGO_BIN_EXE_violet"))
            .arg("run")
            .env("VIOLET_METRICS_LISTEN", listen)
            .env("VIOLET_FEED_KIND", "stdin")
            .env("VIOLET_CLICKHOUSE_URL", "http://127.0.0.1:1")
            .env("VIOLET_SERVICE_DATA_DIR", work.join("data"))
            .stdin(Stdio::null())
            .output()
            .expect("violet run");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(&format!("metrics.listen = {listen:?}")) && err.contains(says), "{err}");
    }
    std::fs::remove_dir_all(&work).ok();
}
