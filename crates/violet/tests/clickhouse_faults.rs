//! `violet run` when ClickHouse misbehaves (a proxy in front of a real server started on
//! loopback): a server that accepts and never answers, and one that closes every
//! connection. The engine's task never waits for it; a SIGTERM stops the service within the
//! supervisor's 30 s with every record kept in the spool; a start against either is stopped
//! at once; once the server answers again, everything ships and nothing is missing.

mod common;

use std::io::Write as _;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::proxy::{Mode, Proxy};
use common::{fresh_dir, local_server, root, wait_exit_within};

fn config(dir: &Path, url: &str) -> std::path::PathBuf {
    let p = dir.join("violet.toml");
    let text = format!(
        "[service]\nname = \"faulty\"\ndata_dir = {:?}\nstatus_interval_s = 1\n\n\
         [clickhouse]\nurl = {url:?}\ntimeout_s = 20\n\n[feed]\nkind = \"stdin\"\nbatch = 40\n\n\
         [journal]\nflush_ms = 50\nship_timeout_s = 5\n\n[monitor]\nsettle_ms = 100\ninterval_ms = 50\n",
        dir.join("data").display().to_string()
    );
    std::fs::write(&p, text).expect("config");
    p
}

fn spawn(cfg: &Path, log: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_violet"))
        .args(["run", "--config"])
        .arg(cfg)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).expect("log"))
        .spawn()
        .expect("violet run")
}

fn sigterm(child: &Child) {
    let ok = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(ok.success());
}

fn count(ch: &violet_clickhouse::ClickHouse, table: &str) -> u64 {
    let q = format!("SELECT count() FROM dolphin_violet.{table} FINAL");
    ch.query(&q).unwrap_or_else(|e| panic!("{q}: {e}")).trim().parse().expect("count")
}

fn log_of(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_default()
}

#[test]
fn a_hanging_or_refusing_clickhouse_never_holds_the_stop_and_loses_nothing() {
    let server = local_server("ch-faults");
    let ch = server.client();
    let proxy = Proxy::start(server.url().trim_start_matches("http://"));
    let work = fresh_dir("ch-faults");
    let cfg = config(&work, proxy.url());
    let spool = work.join("data/spool");
    let stream = std::fs::read_to_string(root().join("fixtures/streams/small-a.jsonl")).expect("fixture");
    let lines: Vec<&str> = stream.lines().collect();
    let half = lines.len() / 2;

    // Half the stream in and shipped, then the server hangs: the rest goes into the spool.
    let log1 = work.join("run1.log");
    let mut child = spawn(&cfg, &log1);
    let mut stdin = child.stdin.take().expect("stdin");
    for l in &lines[..half] {
        writeln!(stdin, "{l}").expect("feed");
    }
    let t = Instant::now();
    while count(&ch, "decisions") < 100 {
        assert!(t.elapsed() < Duration::from_secs(30), "nothing shipped:\n{}", log_of(&log1));
        std::thread::sleep(Duration::from_millis(50));
    }
    proxy.set(Mode::Hang);
    for l in &lines[half..] {
        writeln!(stdin, "{l}").expect("feed");
    }
    std::thread::sleep(Duration::from_millis(1500));
    let t = Instant::now();
    sigterm(&child);
    let code = wait_exit_within(&mut child, &log1, Duration::from_secs(30));
    let took = t.elapsed();
    let text = log_of(&log1);
    assert_eq!(code, 5, "records left in the spool:\n{text}");
    assert!(took < Duration::from_secs(15), "the stop waited {took:?} (ship timeout 5 s):\n{text}");
    drop(stdin);
    let spooled = violet_journal::FileJournal::read_all(&spool).expect("spool");
    assert!(!spooled.is_empty(), "the unshipped records wait in the spool");

    // Starts against a hanging, then a refusing server: stopped at once, the spool untouched.
    for (mode, name) in [(Mode::Hang, "hang"), (Mode::Refuse, "refuse")] {
        proxy.set(mode);
        let log = work.join(format!("start-{name}.log"));
        let child = spawn(&cfg, &log);
        std::thread::sleep(Duration::from_millis(1500));
        let t = Instant::now();
        sigterm(&child);
        let out = child.wait_with_output().expect("wait");
        let text = log_of(&log);
        assert_eq!(out.status.code(), Some(2), "{name}:\n{text}");
        assert!(t.elapsed() < Duration::from_secs(5), "{name}: the stop waited {:?}:\n{text}", t.elapsed());
        assert!(text.contains("stopped before ClickHouse at"), "{name}:\n{text}");
        assert_eq!(violet_journal::FileJournal::read_all(&spool).expect("spool"), spooled, "{name}: spool kept");
    }

    // The server answers again: the spool ships, and every scan and rejection is there once.
    proxy.set(Mode::Pass);
    let log = work.join("run2.log");
    let mut child = spawn(&cfg, &log);
    drop(child.stdin.take());
    assert_eq!(wait_exit_within(&mut child, &log, Duration::from_secs(35)), 0, "{}", log_of(&log));
    let counts: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("fixtures/streams/small-a.blue-counts.json")).expect("counts"),
    )
    .expect("json");
    assert_eq!(count(&ch, "decisions"), counts["scans"].as_u64().expect("scans"));
    assert_eq!(count(&ch, "rejections"), counts["rejected"].as_u64().expect("rejected"));
    std::fs::remove_dir_all(&work).ok();
}
