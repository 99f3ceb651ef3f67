//! Against a real ClickHouse server (Debian's clickhouse-server), started by the test on
//! loopback with a fresh data folder. Never skipped: without the server installed the test
//! fails and says how to get it (`cargo xtask ci` installs it).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use violet_journal::clickhouse::ClickHouse;

mod common;
use common::{fresh_dir, long_stream, violet};

const SERVER: &str = "/usr/sbin/clickhouse-server";

struct Server {
    child: Child,
    dir: PathBuf,
    url: String,
}

impl Server {
    /// Kill the server (SIGKILL) and start it again on the same data.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn restart(&mut self) {
        self.child = spawn(&self.dir);
        wait_up(self);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn query(url: &str, q: &str) -> String {
    ClickHouse::new(url).expect("url").query(q).unwrap_or_else(|e| panic!("{q}: {e}"))
}

fn start(name: &str) -> Server {
    assert!(
        Path::new(SERVER).exists(),
        "{SERVER} is missing: install Debian's clickhouse-server (apt-get install clickhouse-server; `cargo xtask ci` does it)"
    );
    let port = 19_000 + (std::process::id() % 500) as u16 * 2 + u16::from(name == "b");
    let dir = std::env::temp_dir().join(format!("violet-ch-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("data dir");
    let d = dir.display();
    let config = format!(
        r#"<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>{d}/server.log</log><errorlog>{d}/server.err.log</errorlog></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>{port}</http_port>
  <path>{d}/data/</path><tmp_path>{d}/data/tmp/</tmp_path>
  <user_files_path>{d}/data/user_files/</user_files_path>
  <format_schema_path>{d}/data/format_schemas/</format_schema_path>
  <mark_cache_size>268435456</mark_cache_size>
  <timezone>UTC</timezone>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks>
    <profile>default</profile><quota>default</quota></default></users>
  <profiles><default><allow_experimental_low_cardinality_type>1</allow_experimental_low_cardinality_type></default></profiles>
  <quotas><default></default></quotas>
</yandex>
"#
    );
    std::fs::write(dir.join("config.xml"), config).expect("config");
    let child = spawn(&dir);
    let url = format!("http://127.0.0.1:{port}");
    let server = Server { child, dir, url };
    wait_up(&server);
    server
}

fn spawn(dir: &Path) -> Child {
    Command::new(SERVER)
        .arg(format!("--config-file={}", dir.join("config.xml").display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start clickhouse-server")
}

fn wait_up(server: &Server) {
    let t = Instant::now();
    let ch = ClickHouse::new(&server.url).expect("url");
    while !ch.query("SELECT 1").is_ok_and(|r| r.trim() == "1") {
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "clickhouse-server did not answer on {} within 30 s",
            server.url
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn ddl_applies_twice_and_creates_every_table() {
    let s = start("a");
    for _ in 0..2 {
        let out = violet(&["ddl", "apply", "--clickhouse-url", &s.url]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let mut violet_tables: Vec<String> =
        query(&s.url, "SHOW TABLES FROM dolphin_violet").lines().map(str::to_string).collect();
    violet_tables.sort();
    assert_eq!(violet_tables, ["decisions", "divergences", "rejections", "runs", "trade_events"]);
    let mut dolphin: Vec<String> = query(&s.url, "SHOW TABLES FROM dolphin").lines().map(str::to_string).collect();
    dolphin.sort();
    assert_eq!(dolphin, ["eigen_scans", "factor_snapshots", "trade_events"]);
    // Idempotent ids: the same row twice collapses under FINAL.
    let ins = "INSERT INTO dolphin_violet.decisions FORMAT JSONEachRow\n{\"id\":\"replay:scan:1\",\"version\":1,\"run_id\":\"r\",\"scan_number\":1,\"ts_ns\":0,\"action\":\"NO_ENTRY\",\"reason\":\"NO_SIGNAL\",\"body\":\"{}\"}\n";
    query(&s.url, ins);
    query(&s.url, ins);
    assert_eq!(query(&s.url, "SELECT count() FROM dolphin_violet.decisions FINAL").trim(), "1");
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
    let out = violet(&["ddl", "apply", "--clickhouse-url", &s.url]);
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
    ]);
    assert!(out.status.success());
    let (scans, rejected) = summary_counts(&summary);
    let trades = std::fs::read_to_string(work.join("trades.jsonl")).expect("trades").lines().count().to_string();

    // Through stdin, killing the server three quarters in and restarting it a second later.
    let mut child = Command::new(env!("CARGO_BIN_EXE_violet"))
        .args(["replay", "--events", "-", "--journal-flush-ms", "5", "--clickhouse-url", &s.url, "--data-dir"])
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
    s.restart();
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
    assert_eq!(count(&s.url, "decisions"), scans, "one decision row per accepted scan");
    assert_eq!(count(&s.url, "trade_events"), trades, "one row per trade event");
    assert_eq!(count(&s.url, "rejections"), rejected, "one row per rejected line");
    std::fs::remove_dir_all(&work).ok();
}
