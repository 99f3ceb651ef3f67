//! The Grafana dashboards in deploy/grafana: the Prometheus one asks only for series
//! `/metrics` exports (`violet_service::metrics::NAMES`), and every query of the ClickHouse
//! one runs on a real server with the DDL applied; over a replay of small-a journaled to
//! it and BLUE's own trade events of the same stream, its capital curves of VIOLET and
//! BLUE are the same curve.

use std::collections::BTreeSet;

use serde_json::Value;
use violet_service::metrics::NAMES;

mod common;
use common::{fresh_dir, local_server, root, violet};

fn dashboard(name: &str) -> Value {
    let p = root().join("deploy/grafana/dashboards").join(name);
    serde_json::from_str(&std::fs::read_to_string(&p).expect("dashboard")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Every panel (rows' panels included).
fn panels(d: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    for p in d["panels"].as_array().expect("panels") {
        out.push(p);
        out.extend(p["panels"].as_array().into_iter().flatten());
    }
    out
}

/// `violet_...` identifiers in a PromQL expression.
fn series(expr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = expr;
    while let Some(at) = rest.find("violet_") {
        let tail = &rest[at..];
        let end = tail.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(tail.len());
        out.push(tail[..end].to_string());
        rest = &tail[end..];
    }
    out
}

#[test]
fn the_service_dashboard_asks_only_for_exported_series() {
    let d = dashboard("violet-service.json");
    let names: BTreeSet<&str> = NAMES.into_iter().collect();
    let mut ids = BTreeSet::new();
    let mut used = BTreeSet::new();
    for p in panels(&d) {
        assert!(ids.insert(p["id"].as_u64().expect("id")), "panel ids are unique: {}", p["title"]);
        for t in p["targets"].as_array().into_iter().flatten() {
            assert_eq!(t["datasource"]["uid"], "violet-prometheus", "{}", p["title"]);
            let expr = t["expr"].as_str().expect("expr");
            for s in series(expr) {
                let base = ["_bucket", "_sum", "_count"].iter().find_map(|x| s.strip_suffix(x)).unwrap_or(&s);
                assert!(
                    names.contains(s.as_str()) || names.contains(base),
                    "{:?} asks for {s}, which /metrics does not export: {expr}",
                    p["title"]
                );
                used.insert(if names.contains(s.as_str()) { s.clone() } else { base.to_string() });
            }
        }
    }
    let unused: Vec<&&str> = names.iter().filter(|n| !used.contains(**n)).collect();
    assert!(unused.is_empty(), "every exported series has a panel: {unused:?}");
}

#[test]
fn the_journal_dashboards_queries_run_and_draw_blues_capital_curve_under_violets() {
    let server = local_server("dashboards");
    let ch = server.client();
    assert_eq!(violet(&["ddl", "apply", "--clickhouse-url", server.url()]).status.code(), Some(0));
    let work = fresh_dir("dashboards");
    let stream = root().join("fixtures/streams/small-a.jsonl");
    let out = violet(&[
        "replay",
        "--quiet",
        "--events",
        stream.to_str().expect("utf-8"),
        "--clickhouse-url",
        server.url(),
        "--data-dir",
        work.join("spool").to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let source = ch.query("SELECT source FROM dolphin_violet.runs FINAL").expect("runs").trim().to_string();
    // BLUE's trade events of the same stream, as BLUE's own trader wrote them.
    let blue = std::fs::read_to_string(root().join("fixtures/streams/small-a.blue-trades.jsonl")).expect("blue");
    let mut rows = String::new();
    for l in blue.lines() {
        let v: Value = serde_json::from_str(l).expect("trade");
        let row = serde_json::json!({
            "trade_id": v["trade_id"], "event": v["event"], "scan_number": v["scan_number"], "ts_ns": v["ts_ns"], "body": l,
        });
        rows.push_str(&row.to_string());
        rows.push('\n');
    }
    ch.query(&format!("INSERT INTO dolphin.trade_events FORMAT JSONEachRow\n{rows}")).expect("insert BLUE");
    let exits = blue.lines().filter(|l| l.contains("\"event\": \"EXIT\"")).count();

    let d = dashboard("violet-journal.json");
    let mut answers = Vec::new();
    for p in panels(&d) {
        for t in p["targets"].as_array().into_iter().flatten() {
            assert_eq!(t["datasource"]["uid"], "violet-clickhouse", "{}", p["title"]);
            let sql = t["query"].as_str().expect("query");
            let sql = sql.replace("${source}", &source).replace("$from", "0").replace("$to", "4102444800");
            assert!(!sql.contains('$'), "a macro this test does not know: {sql}");
            let text = ch.query(&sql).unwrap_or_else(|e| panic!("{}: {e}\n{sql}", p["title"]));
            answers.push((p["title"].as_str().expect("title").to_string(), text));
        }
    }
    let curve: Vec<&(String, String)> = answers.iter().filter(|(t, _)| t.starts_with("Capital")).collect();
    assert_eq!(curve.len(), 2, "VIOLET's and BLUE's");
    assert_eq!(curve[0].1.lines().count(), exits, "a point per exit:\n{}", curve[0].1);
    assert_eq!(curve[0].1, curve[1].1, "the same curve");
    let orders = answers.iter().find(|(t, _)| t == "Orders by state").expect("orders panel");
    assert!(!orders.1.trim().is_empty(), "the replay's orders are shown");
    std::fs::remove_dir_all(&work).ok();
}
