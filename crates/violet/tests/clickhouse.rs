//! Against a real ClickHouse server (Debian's clickhouse-server), started by the test on
//! loopback with a fresh data folder. Never skipped: without the server installed the test
//! fails and says how to get it (`cargo xtask ci` installs it).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use violet_journal::clickhouse::ClickHouse;

mod common;
use common::{
    decision_lines, fresh_dir, journaled_decisions, local_server as start, long_stream, same_decisions, violet,
};
use violet_domain::json::JsonValue;

fn query(url: &str, q: &str) -> String {
    ClickHouse::new(url).expect("url").query(q).unwrap_or_else(|e| panic!("{q}: {e}"))
}

#[test]
fn ddl_applies_twice_and_creates_every_table() {
    let s = start("a");
    for _ in 0..2 {
        let out = violet(&["ddl", "apply", "--clickhouse-url", s.url()]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let mut violet_tables: Vec<String> =
        query(s.url(), "SHOW TABLES FROM dolphin_violet").lines().map(str::to_string).collect();
    violet_tables.sort();
    assert_eq!(
        violet_tables,
        [
            "decisions",
            "divergences",
            "fills",
            "migrations",
            "orders",
            "reconciliations",
            "rejections",
            "runs",
            "sweeps",
            "trade_events",
            "venue_requests"
        ]
    );
    let mut dolphin: Vec<String> = query(s.url(), "SHOW TABLES FROM dolphin").lines().map(str::to_string).collect();
    dolphin.sort();
    assert_eq!(dolphin, ["eigen_scans", "factor_snapshots", "trade_events"]);
    // `ddl apply` succeeded, so every journal table has the columns shipped (it checks).
    // Idempotent ids: the same row twice collapses under FINAL.
    let ins = "INSERT INTO dolphin_violet.decisions FORMAT JSONEachRow\n{\"id\":\"replay:scan:1\",\"version\":1,\"run_id\":\"r\",\"scan_number\":1,\"ts_ns\":0,\"action\":\"NO_ENTRY\",\"reason\":\"NO_SIGNAL\",\"slot\":\"FREE\",\"capital\":25000.0}\n";
    query(s.url(), ins);
    query(s.url(), ins);
    assert_eq!(query(s.url(), "SELECT count() FROM dolphin_violet.decisions FINAL").trim(), "1");

    // A table left by another version (here: decisions as a JSON body) is named, not reused.
    query(s.url(), "DROP TABLE dolphin_violet.decisions");
    query(
        s.url(),
        "CREATE TABLE dolphin_violet.decisions (id String, version UInt64, run_id String, scan_number Int64, \
         ts_ns Int64, action String, reason String, body String) ENGINE = ReplacingMergeTree(version) ORDER BY id",
    );
    let out = violet(&["ddl", "apply", "--clickhouse-url", s.url()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("dolphin_violet.decisions has columns (id String,") && err.contains("reason String, body String)"),
        "{err}"
    );
    assert!(err.contains("slot String, slot_trade_id Nullable(Int64)") && err.contains("rename or drop it"), "{err}");
}

#[test]
fn an_unreachable_server_is_a_clear_error() {
    let out = violet(&["ddl", "apply", "--clickhouse-url", "http://127.0.0.1:1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unreachable"));
    let out = violet(&["ddl", "apply", "--clickhouse-url", "ftp://x"]);
    assert_eq!(out.status.code(), Some(2));
}

fn count(url: &str, table: &str) -> String {
    query(url, &format!("SELECT count() FROM dolphin_violet.{table} FINAL")).trim().to_string()
}

fn summary_counts(path: &Path) -> (String, String) {
    let text = std::fs::read_to_string(path).expect("summary");
    let field = |k: &str| {
        text.split(&format!("\"{k}\":")).nth(1).and_then(|r| r.split([',', '}']).next()).unwrap_or_default().to_string()
    };
    (field("scans"), field("rejected"))
}

#[test]
fn replay_journals_into_clickhouse_and_survives_a_server_kill() {
    let mut s = start("b");
    let out = violet(&["ddl", "apply", "--clickhouse-url", s.url()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stream = long_stream(12);
    let work = fresh_dir("clickhouse-replay");
    let events = work.join("events.jsonl");
    std::fs::write(&events, &stream).expect("events");

    // The reference: the same stream replayed with no journal.
    let summary = work.join("summary.json");
    let out = violet(&[
        "replay",
        "--quiet",
        "--events",
        events.to_str().expect("path"),
        "--summary-json",
        summary.to_str().expect("path"),
        "--trades-out",
        work.join("trades.jsonl").to_str().expect("path"),
        "--decisions-out",
        work.join("decisions.jsonl").to_str().expect("path"),
    ]);
    assert!(out.status.success());
    let (scans, rejected) = summary_counts(&summary);
    let trades = std::fs::read_to_string(work.join("trades.jsonl")).expect("trades").lines().count().to_string();

    // Through stdin, killing the server three quarters in and restarting it a second later.
    let mut child = Command::new(env!("CARGO_BIN_EXE_violet"))
        .args(["replay", "--events", "-", "--journal-flush-ms", "5", "--clickhouse-url", s.url(), "--data-dir"])
        .arg(work.join("spool"))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start violet");
    let mut stdin = child.stdin.take().expect("stdin");
    let cut = stream.len() * 3 / 4;
    stdin.write_all(&stream[..cut]).expect("feed");
    std::thread::sleep(Duration::from_millis(300));
    s.kill();
    stdin.write_all(&stream[cut..]).expect("feed the rest");
    drop(stdin);
    std::thread::sleep(Duration::from_millis(1000));
    s.restart().expect("restart the server");
    let out = child.wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let retries: u64 = err
        .split(" retries)")
        .next()
        .and_then(|h| h.rsplit('(').next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no shipping line in: {err}"));
    assert!(retries > 0, "the shipper never met the dead server: {err}");
    assert_eq!(count(s.url(), "decisions"), scans, "one decision row per accepted scan");
    let want = decision_lines(&std::fs::read_to_string(work.join("decisions.jsonl")).expect("decisions"));
    assert!(want.iter().any(|d| !matches!(d.get("sizing"), Some(JsonValue::Null))), "the stream sizes entries");
    if let Err(e) = same_decisions(&journaled_decisions(&s.client()), &want) {
        panic!("journaled decisions differ from replay's: {e}");
    }
    assert_eq!(count(s.url(), "trade_events"), trades, "one row per trade event");
    assert_eq!(count(s.url(), "rejections"), rejected, "one row per rejected line");
    assert_eq!(count(s.url(), "orders"), trades, "one order per trade leg (the instant venue)");
    assert_eq!(count(s.url(), "fills"), trades, "one fill per leg");
    let open = query(s.url(), "SELECT count() FROM dolphin_violet.orders FINAL WHERE state != 'FILLED'");
    assert_eq!(open.trim(), "0", "under FINAL every order shows its terminal state");
    let runs = query(s.url(), "SELECT status, stopped_ns > started_ns FROM dolphin_violet.runs FINAL");
    assert_eq!(runs.trim(), "STOPPED\t1", "the run's stop replaced its start");
    std::fs::remove_dir_all(&work).ok();
}

#[test]
fn a_password_protected_server_takes_the_password_from_the_environment_only() {
    let pw = violet_clickhouse::Secret::new("s3cret-pw".into());
    let s = violet_testkit::LocalServer::start_with_password("pw", Some(&pw)).unwrap_or_else(|e| panic!("{e}"));
    let out = violet(&["ddl", "apply", "--clickhouse-url", s.url()]);
    assert_eq!(out.status.code(), Some(2), "no password: refused");
    let out = Command::new(env!("CARGO_BIN_EXE_violet"))
        .args(["ddl", "apply", "--clickhouse-url", s.url()])
        .env("VIOLET_CLICKHOUSE_PASSWORD", pw.expose())
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains(pw.expose()), "the password is never printed: {err}");
    assert_eq!(
        s.client().query("SELECT count() FROM system.tables WHERE database = 'dolphin_violet'").expect("q").trim(),
        "11"
    );
}

#[test]
fn several_slots_journal_each_decisions_allotment_and_each_trades_slot() {
    let s = start("slots");
    assert!(violet(&["ddl", "apply", "--clickhouse-url", s.url()]).status.success());
    let work = fresh_dir("clickhouse-slots");
    let events = common::root().join("fixtures/streams/small-a.jsonl");
    let decisions = work.join("decisions.jsonl");
    let out = violet(&[
        "replay",
        "--quiet",
        "--n-slots",
        "3",
        "--events",
        events.to_str().expect("path"),
        "--decisions-out",
        decisions.to_str().expect("path"),
        "--clickhouse-url",
        s.url(),
        "--data-dir",
        work.join("spool").to_str().expect("path"),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let ch = ClickHouse::new(s.url()).expect("url");
    let want = decision_lines(&std::fs::read_to_string(&decisions).expect("decisions"));
    assert!(want.iter().all(|d| d.to_string().contains("\"n_slots\":3")), "every decision has its allotment");
    same_decisions(&journaled_decisions(&ch), &want).unwrap_or_else(|e| panic!("{e}"));
    let slots = query(
        s.url(),
        "SELECT DISTINCT visitParamExtractInt(body, 'slot') FROM dolphin_violet.trade_events FINAL ORDER BY 1",
    );
    assert_eq!(slots.lines().collect::<Vec<_>>(), ["0", "1", "2"], "each trade event names its slot");
    std::fs::remove_dir_all(&work).ok();
}

#[test]
fn migrations_upgrade_an_old_table_finish_a_half_done_step_and_run_once() {
    let s = start("migrations");
    let ch = ClickHouse::new(s.url()).expect("url");
    // The tables as the version before the migrations left them, one row in decisions.
    violet_journal::clickhouse::apply(&ch, violet_journal::clickhouse::DDL_DOLPHIN_VIOLET).expect("old DDL");
    query(
        s.url(),
        "INSERT INTO dolphin_violet.decisions (id, version, run_id, scan_number, ts_ns, action, reason, slot, capital) \
         VALUES ('old:scan:1', 1, 'old', 1, 0, 'NO_ENTRY', 'NO_SIGNAL', 'FREE', 25000.0)",
    );
    // A migration that stopped half-way: its first column added, the version not recorded.
    query(s.url(), "ALTER TABLE dolphin_violet.decisions ADD COLUMN n_slots Nullable(Int64)");
    for _ in 0..2 {
        let out = violet(&["ddl", "apply", "--clickhouse-url", s.url()]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let cols =
        query(s.url(), "SELECT name FROM system.columns WHERE database = 'dolphin_violet' AND table = 'decisions'");
    let added: Vec<&str> = cols.lines().skip_while(|c| *c != "notional").skip(1).collect();
    assert_eq!(added, ["n_slots", "free_slots", "free_capital", "allotted_capital", "entry_slot"]);
    assert_eq!(
        query(s.url(), "SELECT version, name FROM dolphin_violet.migrations").trim(),
        format!("1\t{}", violet_journal::clickhouse::MIGRATIONS[0].name),
        "recorded once, though applied twice"
    );
    assert_eq!(
        query(s.url(), "SELECT capital, n_slots, entry_slot FROM dolphin_violet.decisions").trim(),
        "25000\t\\N\t\\N",
        "the old row is kept, its new columns NULL"
    );
}

#[test]
fn an_https_url_goes_through_tls_and_the_certificate_is_checked() {
    let s = violet_testkit::LocalServer::start_tls("tls").unwrap_or_else(|e| panic!("{e}"));
    let url = s.https_url().expect("https");
    let cert = s.certificate().expect("certificate");
    let apply = |cert_file: Option<&Path>| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_violet"));
        c.args(["ddl", "apply", "--clickhouse-url", url]).env_remove("SSL_CERT_DIR");
        match cert_file {
            Some(f) => c.env("SSL_CERT_FILE", f),
            None => c.env_remove("SSL_CERT_FILE"),
        };
        c.output().expect("run")
    };
    // Against the system's roots its self-signed certificate is not trusted: refused, and
    // said why.
    let out = apply(None);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "an untrusted certificate is refused: {err}");
    assert!(err.contains("certificate"), "{err}");
    // Trusted (SSL_CERT_FILE names it): the DDL goes over TLS.
    let out = apply(Some(cert));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(query(s.url(), "SELECT count() FROM system.tables WHERE database = 'dolphin_violet'").trim(), "11");
}

#[test]
fn a_spool_shipped_to_its_end_takes_the_next_replay_of_another_stream() {
    let s = start("spool-reuse");
    assert!(violet(&["ddl", "apply", "--clickhouse-url", s.url()]).status.success());
    let work = fresh_dir("clickhouse-spool-reuse");
    let spool = work.join("spool");
    let replay = |stream: &str| {
        let events = common::root().join("fixtures/streams").join(stream);
        violet(&[
            "replay",
            "--quiet",
            "--events",
            events.to_str().expect("utf-8"),
            "--clickhouse-url",
            s.url(),
            "--data-dir",
            spool.to_str().expect("utf-8"),
        ])
    };
    for stream in ["small-a.jsonl", "small-b.jsonl"] {
        let out = replay(stream);
        assert_eq!(out.status.code(), Some(0), "{stream}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let runs = query(s.url(), "SELECT count() FROM dolphin_violet.runs FINAL WHERE status = 'STOPPED'");
    assert_eq!(runs.trim(), "2", "both streams journaled through one spool");
    let scans = |stream: &str| -> u64 {
        let p = common::root().join("fixtures/streams").join(stream.replace(".jsonl", ".blue-counts.json"));
        let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(p).expect("counts")).expect("json");
        v["scans"].as_u64().expect("scans")
    };
    assert_eq!(count(s.url(), "decisions"), (scans("small-a.jsonl") + scans("small-b.jsonl")).to_string());
    std::fs::remove_dir_all(&work).ok();
}
