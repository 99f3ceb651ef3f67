//! `violet run` (the DARK service) against a real ClickHouse server started on loopback:
//! rows inserted into the stand-in `dolphin` tables while it runs come out as journaled
//! decisions identical to `violet replay` of the same events; BLUE's trade rows are
//! compared and divergences journaled; SIGTERM loses nothing accepted; a restart resumes;
//! a second signal exits at once and the journal survives it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use violet_clickhouse::{ClickHouse, RowWriter};

mod common;
use common::{decision_lines, fresh_dir, journaled_decisions, local_server as start, root, same_decisions, violet};

fn query(ch: &ClickHouse, q: &str) -> String {
    ch.query(q).unwrap_or_else(|e| panic!("{q}: {e}"))
}

fn count(ch: &ClickHouse, table: &str) -> u64 {
    query(ch, &format!("SELECT count() FROM dolphin_violet.{table} FINAL")).trim().parse().expect("count")
}

/// Wait (at most 60 s) until `f` holds.
fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
    let t = Instant::now();
    while !f() {
        assert!(t.elapsed() < Duration::from_secs(60), "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn sigterm(child: &Child) {
    let ok = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(ok.success());
}

/// A row of the stand-in tables, with the event-stream line it stands for.
enum Row {
    Scan { n: i64, ts: i64, vel_div: f64, assets: String },
    Factors { ts: i64, f: [f64; 5], dc: String, posture: String },
}

impl Row {
    /// Merge order: timestamp, factor snapshots before scans, scans by number.
    fn key(&self) -> (i64, u8, i64) {
        match self {
            Row::Factors { ts, .. } => (*ts, 0, 0),
            Row::Scan { n, ts, .. } => (*ts, 1, *n),
        }
    }
}

/// The scans and factor snapshots of a fixture stream that decode on their own (ticks and
/// unparseable poison dropped: the tables have no place for them), plus two poison rows
/// the tables can hold (a NaN vel_div, an unknown dc_status), in merge order.
fn rows(path: &Path) -> Vec<(String, Row)> {
    let text = std::fs::read_to_string(path).expect("fixture");
    let mut parser = violet_domain::json::Parser::new(violet_domain::json::ParseOptions::default());
    let mut out = Vec::new();
    for line in text.lines() {
        let Ok(Some(ev)) = violet_domain::event::decode_line(&mut parser, 1, line.as_bytes()) else { continue };
        let v: serde_json::Value = serde_json::from_str(line).expect("valid line is JSON");
        let int = |k: &str| v[k].as_i64().unwrap_or_else(|| panic!("{k} in {line}"));
        let float = |k: &str| v[k].as_f64().unwrap_or_else(|| panic!("{k} in {line}"));
        let row = match ev {
            violet_domain::event::Event::Scan(_) => {
                let Some(at) = line.find("\"assets\":").filter(|_| line.ends_with("]}")) else { continue };
                Row::Scan {
                    n: int("scan_number"),
                    ts: int("ts_ns"),
                    vel_div: float("vel_div"),
                    assets: line[at + 9..line.len() - 1].to_string(),
                }
            }
            violet_domain::event::Event::Factors(_) => Row::Factors {
                ts: int("ts_ns"),
                f: ["acb_boost", "acb_beta", "mc_scale", "esof_score", "ob_consensus"].map(float),
                dc: v["dc_status"].as_str().expect("dc").to_string(),
                posture: v["posture"].as_str().expect("posture").to_string(),
            },
            violet_domain::event::Event::Tick(_) => continue,
        };
        out.push((line.to_string(), row));
    }
    out.sort_by_key(|(_, r)| r.key());
    // Poison the tables can hold, between two events a third of the way in.
    let (_, at) = &out[out.len() / 3];
    let (n, ts) = match at {
        Row::Scan { n, ts, .. } => (*n, *ts),
        Row::Factors { ts, .. } => (0, *ts),
    };
    out.push((
        format!(r#"{{"type":"scan","scan_number":{n},"ts_ns":{},"vel_div":NaN,"assets":[]}}"#, ts + 1),
        Row::Scan { n, ts: ts + 1, vel_div: f64::NAN, assets: "[]".into() },
    ));
    out.push((
        format!(
            r#"{{"type":"factors","ts_ns":{},"acb_boost":1.0,"acb_beta":0.0,"mc_scale":1.0,"esof_score":0.0,"ob_consensus":0.0,"dc_status":"BOGUS","posture":"APEX"}}"#,
            ts + 2
        ),
        Row::Factors { ts: ts + 2, f: [1.0, 0.0, 1.0, 0.0, 0.0], dc: "BOGUS".into(), posture: "APEX".into() },
    ));
    out.sort_by_key(|(_, r)| r.key());
    out
}

/// Insert rows into `dolphin.eigen_scans` and `dolphin.factor_snapshots` (RowBinary: exact floats).
fn insert(ch: &ClickHouse, rows: &[(String, Row)]) {
    let mut scans = RowWriter::insert("dolphin.eigen_scans (scan_number, ts_ns, vel_div, assets)");
    let mut facts = RowWriter::insert(
        "dolphin.factor_snapshots (ts_ns, acb_boost, acb_beta, mc_scale, esof_score, ob_consensus, dc_status, posture)",
    );
    for (_, r) in rows {
        match r {
            Row::Scan { n, ts, vel_div, assets } => {
                scans.i64(*n).i64(*ts).f64(*vel_div).str(assets);
            }
            Row::Factors { ts, f, dc, posture } => {
                facts.i64(*ts);
                for x in f {
                    facts.f64(*x);
                }
                facts.str(dc).str(posture);
            }
        }
    }
    // Scans first, their factor snapshots a moment later (the harder order): the feed's
    // settle window (feed.settle_ms) still puts each snapshot before its scans.
    for w in [scans, facts] {
        ch.insert_rows(&w).unwrap_or_else(|e| panic!("insert: {e}"));
    }
}

/// Insert BLUE's trade events (JSON lines) into `dolphin.trade_events`.
fn insert_blue(ch: &ClickHouse, lines: &[String]) {
    let mut w = RowWriter::insert("dolphin.trade_events (trade_id, event, scan_number, ts_ns, body)");
    for l in lines {
        let v: serde_json::Value = serde_json::from_str(l).expect("trade");
        w.u64(v["trade_id"].as_u64().expect("trade_id"))
            .str(v["event"].as_str().expect("event"))
            .i64(v["scan_number"].as_i64().expect("scan"))
            .i64(v["ts_ns"].as_i64().expect("ts"))
            .str(l);
    }
    ch.insert_rows(&w).unwrap_or_else(|e| panic!("insert BLUE: {e}"));
}

fn config(dir: &Path, url: &str, feed: &str) -> PathBuf {
    let p = dir.join("violet.toml");
    let text = format!(
        "[service]\nname = \"svc\"\ndata_dir = {:?}\nstatus_interval_s = 1\n\n[clickhouse]\nurl = {url:?}\n\n\
         [feed]\nkind = {feed:?}\nbatch = 40\npoll_interval_ms = 20\n\n[journal]\nflush_ms = 50\nship_timeout_s = 20\n\n\
         [monitor]\nsettle_ms = 200\ninterval_ms = 50\n",
        dir.join("data").display().to_string()
    );
    std::fs::write(&p, text).expect("config");
    p
}

fn spawn(cfg: &Path, log: &Path, stdin: Stdio) -> Child {
    Command::new(env!("CARGO_BIN_EXE_violet"))
        .args(["run", "--config"])
        .arg(cfg)
        .stdin(stdin)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).expect("log"))
        .spawn()
        .expect("start violet run")
}

/// Wait for exit (at most 35 s: the supervisor's 30 s plus slack).
fn wait_exit(child: &mut Child, log: &Path) -> i32 {
    common::wait_exit_within(child, log, Duration::from_secs(35))
}

fn column(ch: &ClickHouse, q: &str) -> Vec<String> {
    query(ch, q).lines().map(str::to_string).collect()
}

/// ClickHouse's TabSeparated escaping undone (bodies are JSON: only `\\`, `\t`, `\n` occur).
fn unescape(s: &str) -> String {
    s.replace("\\\\", "\u{0}").replace("\\t", "\t").replace("\\n", "\n").replace('\u{0}', "\\")
}

/// A count from the `detail` (JSON) of a run row's body.
fn detail_field(body: &str, k: &str) -> u64 {
    let v: serde_json::Value = serde_json::from_str(&unescape(body)).unwrap_or_else(|e| panic!("{body}: {e}"));
    let detail: serde_json::Value = serde_json::from_str(v["detail"].as_str().expect("detail")).expect("detail JSON");
    detail[k].as_u64().unwrap_or_else(|| panic!("{k} in {body}"))
}

#[test]
fn the_service_journals_what_replay_decides_stops_on_sigterm_and_resumes() {
    let server = start("run");
    let ch = server.client();
    let out = violet(&["ddl", "apply", "--clickhouse-url", server.url()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let work = fresh_dir("run-service");
    let all = rows(&root().join("fixtures/streams/small-a.jsonl"));
    let half = all.len() * 3 / 5;
    let half_scan =
        all[..half].iter().filter_map(|(_, r)| if let Row::Scan { n, .. } = r { Some(*n) } else { None }).max();

    // The reference: replay of the same events, in the same order.
    let events = work.join("events.jsonl");
    std::fs::write(&events, all.iter().map(|(l, _)| format!("{l}\n")).collect::<String>()).expect("events");
    let (dec_out, trades_out, summary) =
        (work.join("decisions.jsonl"), work.join("trades.jsonl"), work.join("summary.json"));
    let out = violet(&[
        "replay",
        "--quiet",
        "--events",
        events.to_str().expect("p"),
        "--decisions-out",
        dec_out.to_str().expect("p"),
        "--trades-out",
        trades_out.to_str().expect("p"),
        "--summary-json",
        summary.to_str().expect("p"),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let want_decisions = decision_lines(&std::fs::read_to_string(&dec_out).expect("d"));
    let want_trades: Vec<String> =
        std::fs::read_to_string(&trades_out).expect("t").lines().map(str::to_string).collect();
    let sum: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&summary).expect("s")).expect("json");
    let want_rejected = sum["rejected"].as_u64().expect("rejected");
    assert!(want_rejected >= 2, "the two poison rows are rejected by replay too");
    assert!(want_trades.len() >= 4, "the fixture trades");

    // BLUE's trade rows: the replay's (identical to BLUE's for this fixture, by the replay
    // gate), one ENTRY corrupted by one ULP in `capital` and one EXIT missing.
    let entry = want_trades.iter().position(|l| l.contains("\"ENTRY\"")).expect("an entry");
    let exit = want_trades.iter().rposition(|l| l.contains("\"EXIT\"")).expect("an exit");
    let mut blue = want_trades.clone();
    let mut v: serde_json::Value = serde_json::from_str(&blue[entry]).expect("json");
    let c = v["capital"].as_f64().expect("capital");
    v["capital"] = serde_json::json!(f64::from_bits(c.to_bits() + 1));
    blue[entry] = serde_json::to_string(&v).expect("json");
    blue.remove(exit);
    let blue_scan = |l: &String| serde_json::from_str::<serde_json::Value>(l).expect("json")["scan_number"].as_i64();
    let (blue_a, blue_b): (Vec<String>, Vec<String>) = blue.into_iter().partition(|l| blue_scan(l) <= half_scan);

    // First start: the first 60% of rows arrive while it runs; SIGTERM as soon as it decides.
    let cfg = config(&work, server.url(), "clickhouse");
    let log1 = work.join("run1.log");
    let mut child = spawn(&cfg, &log1, Stdio::null());
    wait_for("the service's start row", || count(&ch, "runs") == 1);
    insert(&ch, &all[..half]);
    insert_blue(&ch, &blue_a);
    wait_for("first decisions", || count(&ch, "decisions") > 0);
    sigterm(&child);
    assert_eq!(
        wait_exit(&mut child, &log1),
        0,
        "graceful stop exits 0; log:\n{}",
        std::fs::read_to_string(&log1).unwrap_or_default()
    );
    let stop = column(&ch, "SELECT body FROM dolphin_violet.runs FINAL WHERE status = 'STOPPED'");
    assert_eq!(stop.len(), 1, "the stop replaced the start row");
    let scans_before = detail_field(&stop[0], "scans");
    assert_eq!(count(&ch, "decisions"), scans_before, "every scan accepted before SIGTERM is journaled and shipped");
    let ids = column(&ch, "SELECT scan_number FROM dolphin_violet.decisions FINAL ORDER BY scan_number");
    let want_prefix: Vec<String> = want_decisions
        .iter()
        .take(usize::try_from(scans_before).expect("n"))
        .map(|d| d.get("scan_number").expect("scan_number").to_string())
        .collect();
    assert_eq!(ids, want_prefix, "the decisions journaled are the first ones, none missing");

    // Second start: the rest arrives; the service rebuilds its state and goes on.
    let log2 = work.join("run2.log");
    let mut child = spawn(&cfg, &log2, Stdio::null());
    insert(&ch, &all[half..]);
    insert_blue(&ch, &blue_b);
    let total = want_decisions.len() as u64;
    wait_for("every decision", || count(&ch, "decisions") == total);
    wait_for("two divergences", || count(&ch, "divergences") >= 2);
    std::thread::sleep(Duration::from_millis(500)); // a later, wrong divergence would show now
    sigterm(&child);
    assert_eq!(wait_exit(&mut child, &log2), 0, "log:\n{}", std::fs::read_to_string(&log2).unwrap_or_default());

    // Same results as replay, no duplicate under FINAL.
    let bodies = |table: &str, order: &str| -> Vec<String> {
        column(&ch, &format!("SELECT body FROM dolphin_violet.{table} FINAL ORDER BY {order}"))
            .iter()
            .map(|b| unescape(b))
            .collect()
    };
    if let Err(e) = same_decisions(&journaled_decisions(&ch), &want_decisions) {
        panic!("decisions differ from replay's: {e}");
    }
    let mut got_trades = bodies("trade_events", "scan_number, event = 'ENTRY'");
    let mut want_sorted = want_trades.clone();
    got_trades.sort();
    want_sorted.sort();
    assert_eq!(got_trades, want_sorted, "trade events identical to replay's");
    assert_eq!(count(&ch, "rejections"), want_rejected, "every rejected row journaled once");
    for t in ["decisions", "trade_events", "rejections", "divergences", "runs"] {
        let uniq: u64 = query(&ch, &format!("SELECT uniqExact(id) FROM dolphin_violet.{t}")).trim().parse().expect("n");
        assert_eq!(count(&ch, t), uniq, "{t}: FINAL holds each id once");
    }
    let div = column(&ch, "SELECT class, event FROM dolphin_violet.divergences FINAL ORDER BY class");
    assert_eq!(div, ["extra\tEXIT", "field_mismatch\tENTRY"], "the missing EXIT and the corrupted ENTRY, nothing else");
    let runs = column(&ch, "SELECT status, run_id FROM dolphin_violet.runs FINAL");
    assert_eq!(runs.len(), 2, "{runs:?}");
    assert!(runs.iter().all(|r| r.starts_with("STOPPED\tsvc-")), "{runs:?}");
    assert_ne!(runs[0], runs[1], "a run id per start");
    // Unarmed: every order intent went to the observe-only guard and was refused.
    let orders = column(&ch, "SELECT state, count() FROM dolphin_violet.orders FINAL GROUP BY state");
    assert_eq!(orders, [format!("REJECTED\t{}", want_trades.len())], "one refused intent per trade leg");
    assert_eq!(count(&ch, "fills"), 0, "nothing filled: nothing was sent");
    let log = std::fs::read_to_string(&log2).expect("log");
    assert!(log.contains("DARK") && log.contains("no order can leave"), "the start-up log says no venue: {log}");
    assert!(log.contains("stopped") && log.contains("reason=\"signal\""), "the stop is logged: {log}");
    assert!(
        std::fs::read_to_string(work.join("data/report/report.md")).is_ok_and(|r| r.contains("field")),
        "report written"
    );
    std::fs::remove_dir_all(&work).ok();
}

#[test]
fn stdin_feed_and_a_second_signal_mid_shipping_lose_nothing() {
    let mut server = start("run-stdin");
    let ch = server.client();
    let work = fresh_dir("run-stdin");
    let cfg = config(&work, server.url(), "stdin");
    // The operator halted trading through the state file: every intent is refused by the
    // risk gate (before the observe-only guard), with its reason.
    let state = work.join("trading_state");
    std::fs::write(&state, "HALTED\n").expect("state");
    let mut text = std::fs::read_to_string(&cfg).expect("cfg");
    text.push_str(&format!("\n[risk]\nstate_file = {:?}\n", state.display().to_string()));
    std::fs::write(&cfg, text).expect("cfg");
    let fixture = std::fs::read(root().join("fixtures/streams/small-a.jsonl")).expect("fixture");
    let counts: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("fixtures/streams/small-a.blue-counts.json")).expect("c"),
    )
    .expect("json");
    let scans = counts["scans"].as_u64().expect("scans");

    // Everything arrives and ships; then the server dies, the first SIGTERM waits to ship
    // the stop row, the second exits at once.
    let log1 = work.join("run1.log");
    let mut child = spawn(&cfg, &log1, Stdio::piped());
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(&fixture).expect("feed");
    wait_for("every decision", || {
        ch.query("SELECT count() FROM dolphin_violet.decisions FINAL").is_ok_and(|c| c.trim() == scans.to_string())
    });
    server.kill();
    sigterm(&child);
    std::thread::sleep(Duration::from_millis(700));
    assert!(child.try_wait().expect("wait").is_none(), "the first SIGTERM waits for the journal to ship");
    let t = Instant::now();
    sigterm(&child);
    assert_eq!(wait_exit(&mut child, &log1), 143, "the second signal exits at once");
    assert!(t.elapsed() < Duration::from_secs(2), "at once: {:?}", t.elapsed());
    drop(stdin);

    // Restart both: the spool ships what was left (the first run's stop row), the second
    // run reads an empty stdin, stops at its end, exits 0.
    server.restart().expect("restart");
    let log2 = work.join("run2.log");
    let mut child = spawn(&cfg, &log2, Stdio::null());
    assert_eq!(wait_exit(&mut child, &log2), 0, "log:\n{}", std::fs::read_to_string(&log2).unwrap_or_default());
    assert_eq!(count(&ch, "decisions"), scans);
    assert_eq!(
        count(&ch, "rejections"),
        counts["rejected"].as_u64().expect("rejected"),
        "non-JSON poison from stdin rejected as in replay"
    );
    let runs = column(&ch, "SELECT status, body FROM dolphin_violet.runs FINAL ORDER BY started_ns");
    assert_eq!(runs.len(), 2, "{runs:?}");
    assert!(
        runs[0].starts_with("STOPPED\t") && runs[0].contains("signal"),
        "the first run's stop row survived: {runs:?}"
    );
    assert!(runs[1].starts_with("STOPPED\t") && runs[1].contains("input ended"), "{runs:?}");
    let orders = column(&ch, "SELECT state, count() FROM dolphin_violet.orders FINAL GROUP BY state");
    let refused = query(&ch, "SELECT count() FROM dolphin_violet.orders FINAL WHERE body LIKE '%RISK_REFUSED%HALTED%'");
    assert_eq!(orders.len(), 1, "{orders:?}");
    assert!(orders[0].starts_with("REJECTED\t"), "{orders:?}");
    assert_eq!(orders[0].split('\t').nth(1), Some(refused.trim()), "every intent refused by the HALTED state");
    std::fs::remove_dir_all(&work).ok();
}

#[test]
fn several_slots_and_the_stop_loss_guard_run_as_in_replay_and_an_armed_start_refuses_slots() {
    let server = start("run-slots");
    let ch = server.client();
    let work = fresh_dir("run-slots");
    let cfg = config(&work, server.url(), "stdin");
    let mut text = std::fs::read_to_string(&cfg).expect("cfg");
    text = text.replace("[feed]", "[engine]\nn_slots = 3\nexit_cadence = \"tick\"\n\n[feed]");
    std::fs::write(&cfg, text).expect("cfg");
    // small-a with ticks between its scans: the guard has something to act on.
    let fixture = std::fs::read_to_string(root().join("fixtures/streams/small-a.jsonl")).expect("fixture");
    let events = work.join("dense.jsonl");
    std::fs::write(&events, violet_testkit::with_dense_ticks(&fixture, 2, 11)).expect("stream");
    let log = work.join("run.log");
    let mut child = spawn(&cfg, &log, Stdio::piped());
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(&std::fs::read(&events).expect("stream")).expect("feed");
    drop(stdin);
    assert_eq!(wait_exit(&mut child, &log), 0, "{}", std::fs::read_to_string(&log).unwrap_or_default());
    let logged = std::fs::read_to_string(&log).expect("log");
    assert!(logged.contains("divergence monitor off"), "{logged}");
    // The same stream replayed with three slots and the guard: the service decided the same
    // trades.
    let trades = work.join("trades.jsonl");
    let out = violet(&[
        "replay",
        "-q",
        "--n-slots",
        "3",
        "--exit-cadence",
        "tick",
        "--events",
        events.to_str().expect("path"),
        "--trades-out",
        trades.to_str().expect("path"),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut want: Vec<String> = std::fs::read_to_string(&trades).expect("trades").lines().map(str::to_string).collect();
    want.sort();
    let mut got = column(&ch, "SELECT body FROM dolphin_violet.trade_events FINAL");
    got.sort();
    let extra: Vec<&String> = got.iter().filter(|g| !want.contains(g)).collect();
    let missing: Vec<&String> = want.iter().filter(|w| !got.contains(w)).collect();
    assert!(
        extra.is_empty() && missing.is_empty(),
        "the service's trade events are replay's: extra {extra:#?}\nmissing {missing:#?}"
    );
    let scan_ts: std::collections::HashSet<i64> = fixture
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["type"] == "scan")
        .filter_map(|v| v["ts_ns"].as_i64())
        .collect();
    let on_ticks = got
        .iter()
        .filter_map(|t| serde_json::from_str::<serde_json::Value>(t).ok())
        .filter(|v| v["event"] == "EXIT" && v["ts_ns"].as_i64().is_some_and(|ts| !scan_ts.contains(&ts)))
        .count();
    assert!(on_ticks > 0, "the guard exited between scans, at a tick");
    let slots = column(
        &ch,
        "SELECT DISTINCT visitParamExtractInt(body, 'slot') AS s FROM dolphin_violet.trade_events FINAL ORDER BY s",
    );
    assert_eq!(slots, ["0", "1", "2"]);
    let n = query(&ch, "SELECT count() FROM dolphin_violet.decisions FINAL WHERE n_slots = 3");
    assert_eq!(n.trim().parse::<u64>().expect("count"), count(&ch, "decisions"), "every decision's allotment");

    // Armed with several slots: refused before anything is reached, naming the key (the
    // venue a dead loopback port, should it ever be asked).
    let mut text = std::fs::read_to_string(&cfg).expect("cfg");
    text.push_str("\n[execution]\nbase_url = \"http://127.0.0.1:1\"\n");
    std::fs::write(&cfg, text).expect("cfg");
    let out = Command::new(env!("CARGO_BIN_EXE_violet"))
        .args(["run", "--arm", "--config"])
        .arg(&cfg)
        .env("VIOLET_EXCHANGE_API_KEY", "k")
        .env("VIOLET_EXCHANGE_API_SECRET", "s")
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("engine.n_slots = 3") && err.contains("one slot"), "{err}");
    std::fs::remove_dir_all(&work).ok();
}

/// `violet run --print-config` with `env` set: its stdout (it must succeed).
fn print_config(env: &[(&str, &str)]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_violet"))
        .args(["run", "--print-config"])
        .envs(env.iter().copied())
        .output()
        .expect("run violet run --print-config");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    text
}

#[test]
fn a_bad_configuration_is_refused_naming_the_key() {
    let work = fresh_dir("run-badcfg");
    let p = work.join("bad.toml");
    std::fs::write(&p, "[feed]\nbatchh = 3\n").expect("write");
    let out = violet(&["run", "--config", p.to_str().expect("p")]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("batchh") && err.contains("bad.toml"), "{err}");
    let text = print_config(&[("VIOLET_FEED_BATCH", "7"), ("VIOLET_CLICKHOUSE_PASSWORD", "do-not-print-me")]);
    assert!(text.contains("batch = 7") && text.contains("password: set (not shown)"), "{text}");
    assert!(!text.contains("do-not-print-me"));
    std::fs::remove_dir_all(&work).ok();
}

#[test]
fn mainnet_needs_its_confirmation_keys_are_needed_and_never_show() {
    // Mainnet named, no VIOLET_CONFIRM_LIVE: refused before anything is reached.
    let run = |args: &[&str], keys: bool| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_violet"));
        c.arg("run")
            .args(args)
            .env("VIOLET_CLICKHOUSE_URL", "http://127.0.0.1:1")
            .env("VIOLET_EXECUTION_VENUE", "bingx-live");
        if keys {
            c.env("VIOLET_EXCHANGE_API_KEY", "key-must-not-show")
                .env("VIOLET_EXCHANGE_API_SECRET", "secret-must-not-show");
        }
        c.output().expect("run")
    };
    let out = run(&["--arm"], true);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("trades real money") && err.contains("VIOLET_CONFIRM_LIVE=yes"), "{err}");
    assert!(!err.contains("must-not-show"), "{err}");
    assert!(print_config(&[("VIOLET_EXECUTION_ARMED", "true")]).contains("armed = true"));
    let out = run(&["--arm"], false);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("no exchange keys"), "{err}");
    let text = print_config(&[
        ("VIOLET_EXCHANGE_API_KEY", "key-must-not-show"),
        ("VIOLET_EXCHANGE_API_SECRET", "secret-must-not-show"),
    ]);
    assert!(text.contains("exchange keys: present (not shown)") && !text.contains("must-not-show"), "{text}");
}

/// A journal table left by an earlier version (here `orders` without `venue_order_id`)
/// stops the start with exit 2, naming the table and both column lists: the service never
/// ships rows into a table whose columns are not the ones it writes.
#[test]
fn a_journal_table_of_another_version_stops_the_start_naming_it() {
    let server = start("run-old-table");
    let ch = server.client();
    query(&ch, "CREATE DATABASE IF NOT EXISTS dolphin_violet");
    query(
        &ch,
        "CREATE TABLE dolphin_violet.orders (id String, version UInt64, run_id String, client_order_id String, \
         trade_id Int64, leg String, state String, step Int64, at_ns Int64, body String) \
         ENGINE = ReplacingMergeTree(version) ORDER BY id",
    );
    let work = fresh_dir("run-old-table");
    let cfg = config(&work, server.url(), "stdin");
    let log = work.join("run.log");
    let mut child = spawn(&cfg, &log, Stdio::null());
    let code = wait_exit(&mut child, &log);
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("dolphin_violet.orders has columns (id String,"), "{text}");
    assert!(text.contains("client_order_id String, venue_order_id Nullable(String), trade_id Int64"), "{text}");
    assert!(text.contains("rename or drop it"), "{text}");
    assert_eq!(count(&ch, "runs"), 0, "no run started");
    std::fs::remove_dir_all(&work).ok();
}

/// `[risk] max_daily_loss`: once the day's realized loss reaches it, the trading state is
/// REDUCING: every later entry is refused by the risk gate, exits go on. On small-a BLUE's
/// running pnl first reaches -20 at trade 8's exit (-24.67); trades 9 to 20 open after it.
#[test]
fn the_daily_loss_limit_moves_the_state_to_reducing() {
    let server = start("run-daily-loss");
    let ch = server.client();
    let work = fresh_dir("run-daily-loss");
    let cfg = config(&work, server.url(), "stdin");
    let mut text = std::fs::read_to_string(&cfg).expect("cfg");
    text.push_str("\n[risk]\nmax_daily_loss = 20.0\n");
    std::fs::write(&cfg, text).expect("cfg");
    let fixture = std::fs::read(root().join("fixtures/streams/small-a.jsonl")).expect("fixture");
    let log = work.join("run.log");
    let mut child = spawn(&cfg, &log, Stdio::piped());
    child.stdin.take().expect("stdin").write_all(&fixture).expect("feed");
    assert_eq!(wait_exit(&mut child, &log), 0, "{}", std::fs::read_to_string(&log).unwrap_or_default());
    let count = |filter: &str| {
        query(&ch, &format!("SELECT count() FROM dolphin_violet.orders FINAL WHERE {filter}"))
            .trim()
            .parse::<u64>()
            .expect("count")
    };
    let reducing = "body LIKE '%RISK_REFUSED%REDUCING%ENTRY%'";
    assert_eq!(count(&format!("leg = 'ENTRY' AND trade_id >= 9 AND {reducing}")), 12, "the entries of trades 9 to 20");
    assert_eq!(count("leg = 'EXIT' AND body LIKE '%OBSERVE_ONLY%'"), 20, "exits go on (to the observe-only guard)");
    // The gate judges an order when the execution task takes it: an entry decided just
    // before the trip and taken after it is refused too (conservative), never the reverse.
    assert_eq!(
        count(&format!("leg = 'ENTRY' AND trade_id <= 8 AND (body LIKE '%OBSERVE_ONLY%' OR {reducing})")),
        8,
        "the entries of trades 1 to 8: to the guard, or refused if taken after the trip"
    );
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(text.contains("max_daily_loss") && text.contains("REDUCING"), "said loudly: {text}");
    std::fs::remove_dir_all(&work).ok();
}
