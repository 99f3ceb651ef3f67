//! `violet replay` is trade-for-trade identical to BLUE on the committed fixture streams
//! (BLUE's trades and counts recorded beside them), and behaves as its users expect.

use std::path::{Path, PathBuf};

use violet_domain::json::{JsonValue, ParseOptions, parse_owned};

mod common;
use common::{root, violet};

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("violet-test-{}-replay", std::process::id()));
    std::fs::create_dir_all(&d).expect("tmp dir");
    d.join(name)
}

fn json(line: &str) -> JsonValue {
    parse_owned(line.trim(), ParseOptions { allow_constants: true }).unwrap_or_else(|e| panic!("{e}: {line}"))
}

fn replay_matches_blue(stream: &str) {
    let dir = root().join("fixtures/streams");
    let events = dir.join(format!("{stream}.jsonl"));
    let (trades, summary) = (tmp(&format!("{stream}.trades")), tmp(&format!("{stream}.summary")));
    let out = violet(&[
        "replay",
        "--events",
        events.to_str().expect("path"),
        "--trades-out",
        trades.to_str().expect("path"),
        "--summary-json",
        summary.to_str().expect("path"),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let read = |p: &Path| std::fs::read_to_string(p).expect("read");
    let blue = read(&dir.join(format!("{stream}.blue-trades.jsonl")));
    let ours = read(&trades);
    let (b, o): (Vec<&str>, Vec<&str>) = (blue.lines().collect(), ours.lines().collect());
    assert_eq!(b.len(), o.len(), "{stream}: number of trade events");
    for (i, (x, y)) in b.iter().zip(&o).enumerate() {
        assert!(json(x).same(&json(y)), "{stream}: trade event {}\nBLUE   {x}\nVIOLET {y}", i + 1);
    }
    let counts = json(&read(&dir.join(format!("{stream}.blue-counts.json"))));
    let s = json(&read(&summary));
    for k in ["scans", "ticks", "rejected", "capital"] {
        let (x, y) = (counts.get(k).expect("BLUE key"), s.get(k).expect("summary key"));
        assert!(x.same(y), "{stream}: {k}: BLUE {x}, VIOLET {y}");
    }
    let n = |k: &str| s.get(k).map(ToString::to_string).unwrap_or_default();
    assert_eq!(n("decisions"), n("scans"));
    let entries = b.iter().filter(|l| l.contains("\"ENTRY\"")).count();
    assert_eq!(n("entries"), entries.to_string());
    assert_eq!(n("cadence"), "\"entry=scan,exit=scan,flush=scan\"");
}

#[test]
fn poison_stream_matches_blue() {
    replay_matches_blue("poison");
}

#[test]
fn small_a_matches_blue() {
    replay_matches_blue("small-a");
}

#[test]
fn small_b_matches_blue() {
    replay_matches_blue("small-b");
}

#[test]
fn replay_with_no_arguments_uses_the_bundled_stream() {
    let out = violet(&["replay"]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("replayed 1000 scans, 1000 ticks, 18 rejected lines"), "{err}");
    assert!(err.contains("25004.737732195936"), "final capital is BLUE's: {err}");
    assert!(out.stdout.is_empty(), "no trades written without --trades-out");
}

#[test]
fn decisions_out_has_one_line_per_scan_with_the_breakdown() {
    let events = root().join("fixtures/streams/small-b.jsonl");
    let (dec, trades) = (tmp("b.decisions"), tmp("b.trades"));
    let out = violet(&[
        "replay",
        "--quiet",
        "--events",
        events.to_str().expect("path"),
        "--decisions-out",
        dec.to_str().expect("path"),
        "--trades-out",
        trades.to_str().expect("path"),
    ]);
    assert!(out.status.success());
    assert!(out.stderr.is_empty(), "--quiet");
    let text = std::fs::read_to_string(&dec).expect("decisions");
    let lines: Vec<JsonValue> = text.lines().map(json).collect();
    assert_eq!(lines.len(), 400);
    let mut entered = Vec::new();
    for d in &lines {
        let action = d.get("action").map(ToString::to_string).unwrap_or_default();
        let sizing = d.get("sizing").expect("sizing key");
        assert_eq!(action == "\"ENTER\"", !matches!(sizing, JsonValue::Null), "{d}");
        if let Some(JsonValue::Int(t)) = d.get("entered_trade_id") {
            assert_eq!(action, "\"ENTER\"");
            assert_eq!(d.get("slot").map(ToString::to_string).as_deref(), Some("\"FREE\""));
            entered.push(t.clone());
        }
    }
    // Every ENTRY trade event is a decision that entered, with the same breakdown.
    let trades = std::fs::read_to_string(&trades).expect("trades");
    let entries: Vec<JsonValue> = trades
        .lines()
        .map(json)
        .filter(|t| t.get("event").map(ToString::to_string).as_deref() == Some("\"ENTRY\""))
        .collect();
    assert_eq!(entries.len(), entered.len());
    for e in &entries {
        let id = e.get("trade_id").map(ToString::to_string).unwrap_or_default();
        let d = lines
            .iter()
            .find(|d| d.get("entered_trade_id").map(ToString::to_string) == Some(id.clone()))
            .expect("decision");
        let sizing = d.get("sizing").expect("sizing");
        for k in ["strength", "leverage", "notional", "regime_size_mult", "clamped_max"] {
            assert!(sizing.get(k).expect("term").same(e.get(k).expect("term")), "{k}");
        }
    }
}

#[test]
fn unreadable_input_and_bad_usage_exit_2() {
    assert_eq!(violet(&["replay", "--events", "/nonexistent/x.jsonl"]).status.code(), Some(2));
    assert_eq!(violet(&["replay", "--events", "/"]).status.code(), Some(2), "a directory cannot be read");
    assert_eq!(violet(&["replay", "--exit-cadence", "sometimes"]).status.code(), Some(2));
    assert_eq!(violet(&["replay", "--bogus"]).status.code(), Some(2));
}

#[test]
fn tick_cadence_is_a_violet_only_mode_and_says_so() {
    let summary = tmp("tick.summary");
    let out = violet(&["replay", "--exit-cadence", "tick", "--summary-json", summary.to_str().expect("path")]);
    assert!(out.status.success());
    let s = json(&std::fs::read_to_string(&summary).expect("summary"));
    assert_eq!(s.get("blue_parity").map(ToString::to_string).as_deref(), Some("false"));
    assert_eq!(s.get("cadence").map(ToString::to_string).as_deref(), Some("\"entry=scan,exit=tick,flush=scan\""));
    assert!(String::from_utf8_lossy(&out.stderr).contains("VIOLET-only cadence"));
}

#[test]
fn divergence_monitor_points_at_a_corrupted_blue_trade_file() {
    let dir = root().join("fixtures/streams");
    let events = dir.join("small-b.jsonl");
    let blue = std::fs::read_to_string(dir.join("small-b.blue-trades.jsonl")).expect("BLUE trades");
    let lines: Vec<&str> = blue.lines().collect();
    // Corrupt the 4th event's pnl by one ULP, and drop the 7th event entirely.
    let fourth = json(lines[3]);
    let scan4 = fourth.get("scan_number").map(ToString::to_string).expect("scan");
    let pnl = match fourth.get("pnl") {
        Some(JsonValue::Float(x)) => *x,
        other => panic!("4th event has no float pnl: {other:?}"),
    };
    let mut corrupted = String::new();
    for (i, l) in lines.iter().enumerate() {
        match i {
            3 => {
                let mut v = fourth.clone();
                if let JsonValue::Object(m) = &mut v {
                    for (k, x) in m.iter_mut() {
                        if k == "pnl" {
                            *x = JsonValue::Float(pnl.next_up());
                        }
                    }
                }
                corrupted.push_str(&v.to_string());
            }
            6 => continue,
            _ => corrupted.push_str(l),
        }
        corrupted.push('\n');
    }
    let seventh = json(lines[6]);
    let scan7 = seventh.get("scan_number").map(ToString::to_string).expect("scan");
    let bad = tmp("corrupted-blue.jsonl");
    std::fs::write(&bad, corrupted).expect("write");
    let report = tmp("report");
    let summary = tmp("div.summary");
    let journal = tmp("div.journal");
    let _ = std::fs::remove_dir_all(&journal);
    let out = violet(&[
        "replay",
        "--events",
        events.to_str().expect("path"),
        "--data-dir",
        journal.to_str().expect("path"),
        "--blue-trades",
        bad.to_str().expect("path"),
        "--report-dir",
        report.to_str().expect("path"),
        "--summary-json",
        summary.to_str().expect("path"),
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    let s = json(&std::fs::read_to_string(&summary).expect("summary"));
    assert_eq!(s.get("divergences").map(ToString::to_string).as_deref(), Some("2"));
    let md = std::fs::read_to_string(report.join("report.md")).expect("report.md");
    let first = md.split("## First divergence").nth(1).expect("first divergence section");
    assert!(
        first.contains(&format!("field_mismatch EXIT at scan {scan4}"))
            || first.contains(&format!("field_mismatch ENTRY at scan {scan4}")),
        "{first}"
    );
    assert!(first.contains("pnl: BLUE") && first.contains("(1 ULP)"), "{first}");
    let jsonl = std::fs::read_to_string(report.join("divergences.jsonl")).expect("divergences.jsonl");
    let divs: Vec<JsonValue> = jsonl.lines().map(json).collect();
    assert_eq!(divs.len(), 2);
    assert_eq!(divs[1].get("class").map(ToString::to_string).as_deref(), Some("\"extra\""));
    assert_eq!(divs[1].get("scan_number").map(ToString::to_string), Some(scan7));
    // The journal holds both divergences and the run's start and stop.
    let records: Vec<JsonValue> =
        violet_journal::FileJournal::read_all(&journal).expect("journal").iter().map(|l| json(l)).collect();
    let kind =
        |k: &str| records.iter().filter(|r| r.get("kind").is_some_and(|v| v.to_string() == format!("\"{k}\""))).count();
    assert_eq!(kind("divergence"), 2);
    assert_eq!(kind("run"), 2);
    let last = records.last().expect("records");
    assert!(last.to_string().contains("\"status\":\"STOPPED\""), "the stop is the last record: {last}");
    let html = std::fs::read_to_string(report.join("report.html")).expect("report.html");
    assert!(html.contains("<svg") && html.contains("<circle"), "the chart marks the divergences");

    // The same stream against BLUE's true file: no divergence, exit 0.
    let out = violet(&[
        "replay",
        "--quiet",
        "--events",
        events.to_str().expect("path"),
        "--blue-trades",
        dir.join("small-b.blue-trades.jsonl").to_str().expect("path"),
        "--report-dir",
        report.to_str().expect("path"),
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(std::fs::read_to_string(report.join("report.md")).expect("md").contains("No divergence"));
}

#[test]
fn the_instant_venue_keeps_blue_parity_and_journals_each_order() {
    let dir = root().join("fixtures/streams");
    let data = tmp("instant-journal");
    let _ = std::fs::remove_dir_all(&data);
    let out = violet(&[
        "replay",
        "--quiet",
        "--venue",
        "instant",
        "--events",
        dir.join("small-a.jsonl").to_str().expect("p"),
        "--blue-trades",
        dir.join("small-a.blue-trades.jsonl").to_str().expect("p"),
        "--report-dir",
        tmp("instant-report").to_str().expect("p"),
        "--data-dir",
        data.to_str().expect("p"),
    ]);
    assert_eq!(out.status.code(), Some(0), "no divergence: {}", String::from_utf8_lossy(&out.stderr));
    let journal = violet_journal::FileJournal::read_all(&data).expect("journal");
    let trades = journal.iter().filter(|l| l.contains("\"kind\":\"trade_event\"")).count();
    let filled: Vec<&String> =
        journal.iter().filter(|l| l.contains("\"kind\":\"order\"") && l.contains("\"state\":\"FILLED\"")).collect();
    assert_eq!(filled.len(), trades, "every leg is an order that ends FILLED");
    assert_eq!(journal.iter().filter(|l| l.contains("\"kind\":\"fill\"")).count(), trades, "one fill per leg");
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn a_scripted_venue_books_its_fills_and_the_monitor_reports_the_differences() {
    let dir = root().join("fixtures/streams");
    let script = tmp("venue-script.jsonl");
    std::fs::write(
        &script,
        "# the documented format\n{\"latency_ms\": 20, \"outcome\": \"fill\", \"slippage_bps\": 3}\n{\"latency_ms\": 150, \"outcome\": \"fill\"}\n{\"latency_ms\": 30, \"outcome\": \"partial\", \"fraction\": 0.5}\n{\"latency_ms\": 10, \"outcome\": \"reject\"}\n",
    )
    .expect("script");
    let trades = tmp("scripted.trades");
    let out = violet(&[
        "replay",
        "--venue",
        &format!("scripted:{}", script.display()),
        "--events",
        dir.join("small-a.jsonl").to_str().expect("p"),
        "--trades-out",
        trades.to_str().expect("p"),
        "--blue-trades",
        dir.join("small-a.blue-trades.jsonl").to_str().expect("p"),
        "--report-dir",
        tmp("scripted-report").to_str().expect("p"),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "differences from BLUE are reported, not hidden: {err}");
    assert!(err.contains("VIOLET-only") && err.contains("scripted:"), "{err}");
    let text = std::fs::read_to_string(&trades).expect("trades");
    assert!(!text.is_empty());
    for l in text.lines() {
        let v = json(l);
        let num = |k: &str| match v.get(k) {
            Some(JsonValue::Float(x)) => *x,
            Some(JsonValue::Int(x)) => x.parse().unwrap_or(0.0),
            _ => 0.0,
        };
        let (filled, price) = (num("filled_quantity"), num("fill_price"));
        assert!(filled > 0.0 && price > 0.0, "a booked leg filled (fully or partly): {l}");
        let id = v.get("client_order_id").map(ToString::to_string).unwrap_or_default();
        assert!(
            id.len() <= 42
                && id.trim_matches('"').bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{id}"
        );
    }
    let bad = violet(&["replay", "--venue", "scripted:/nonexistent/script"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("/nonexistent/script"));
}

#[test]
fn the_cadence_comparison_sets_scan_and_the_stop_loss_guard_side_by_side_on_a_generated_stream() {
    let dir = tmp("cadence");
    std::fs::create_dir_all(&dir).expect("dir");
    let events = dir.join("dense.jsonl");
    let fixture = std::fs::read_to_string(root().join("fixtures/streams/small-b.jsonl")).expect("fixture");
    std::fs::write(&events, violet_testkit::with_dense_ticks(&fixture, 4, 7)).expect("stream");
    // Kept under target/ for a person to open.
    let report = common::root().join("target/reports/cadence");
    let _ = std::fs::remove_dir_all(&report);
    let ev = events.to_str().expect("path");
    let out = common::violet(&[
        "replay",
        "--events",
        ev,
        "--compare-cadence",
        "scan,tick",
        "--report-dir",
        report.to_str().expect("p"),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let md = std::fs::read_to_string(report.join("cadence.md")).expect("cadence.md");
    let html = std::fs::read_to_string(report.join("cadence.html")).expect("cadence.html");
    assert!(html.contains("<svg") && html.contains("exit=tick") && !html.contains("<script"), "self-contained HTML");
    // The scan column is what `violet replay` says of the same stream, to the bit.
    let summary = dir.join("summary.json");
    assert!(
        common::violet(&["replay", "-q", "--events", ev, "--summary-json", summary.to_str().expect("p")])
            .status
            .success()
    );
    let capital = json(&std::fs::read_to_string(&summary).expect("summary")).get("capital").map(ToString::to_string);
    let row = md.lines().find(|l| l.starts_with("| final capital |")).expect("final capital row");
    assert!(row.starts_with(&format!("| final capital | {} |", capital.expect("capital"))), "{row}");
    // Ticks between scans: the guard closes some trades earlier, and says by how much.
    let earlier: usize = md
        .split(" closed earlier under exit=tick")
        .next()
        .and_then(|s| s.rsplit("; ").next())
        .and_then(|n| n.trim().parse().ok())
        .expect("the count of earlier exits");
    assert!(earlier > 0, "{md}");
    assert!(md.contains("Exits exit=tick took earlier: by "), "{md}");
    assert!(err.contains("closed earlier under exit=tick; report in"), "{err}");
    // Usage: two cadences, and no journal beside it.
    let out = common::violet(&["replay", "--events", ev, "--compare-cadence", "scan"]);
    assert_eq!(out.status.code(), Some(2));
    let out = common::violet(&["replay", "--events", ev, "--compare-cadence", "scan,tick", "--data-dir", "x"]);
    assert_eq!(out.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).ok();
}
