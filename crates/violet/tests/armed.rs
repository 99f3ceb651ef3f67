//! `violet run --arm` against the BingX simulator on loopback and a real ClickHouse (both
//! started by the test; never skipped). The stdin feed through the armed service: the
//! orders the simulator executes are exactly the ones the engine placed (symbol, side,
//! quantity through L3), the journal names the exchange's order ids, and a reconciliation
//! afterwards matches. A restart with the journal holding a position is refused (exit 4),
//! as is a start whose journal cannot explain the venue's positions; neither sends an order.
//! Unarmed, with keys present, not one request reaches the simulator.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{fresh_dir, local_server, root};
use violet_bingx_sim::{SimConfig, SimContract, Simulator};
use violet_clickhouse::ClickHouse;

const KEY: &str = "armed-key";
const SECRET: &str = "armed-secret-0123456789";
/// The stream ends inside BLUE's second trade (entry at scan 1020, exit at 1049): the first
/// trade's entry and exit and the second's entry are placed.
const LAST_SCAN: i64 = 1030;

fn query(ch: &ClickHouse, q: &str) -> String {
    ch.query(q).unwrap_or_else(|e| panic!("{q}: {e}"))
}

fn config(dir: &Path, name: &str, clickhouse: &str, sim: &str, extra: &str) -> PathBuf {
    let p = dir.join(format!("{name}.toml"));
    let text = format!(
        "[service]\nname = {name:?}\ndata_dir = {:?}\n\n[clickhouse]\nurl = {clickhouse:?}\n\n\
         [feed]\nkind = \"stdin\"\nbatch = 1\npoll_interval_ms = 5\n\n[journal]\nflush_ms = 50\nship_timeout_s = 20\n\n\
         [monitor]\nenabled = false\n\n[engine]\nentry_ttl_ms = 3000\nexit_ttl_ms = 3000\n\n\
         [execution]\nbase_url = {sim:?}\nposition_mode = \"hedge\"\n{extra}",
        dir.join(name).display().to_string()
    );
    std::fs::write(&p, text).expect("config");
    p
}

fn spawn(cfg: &Path, arm: bool, log: &Path) -> Child {
    let mut c = Command::new(env!("CARGO_BIN_EXE_violet"));
    c.args(["run", "--config"]).arg(cfg);
    if arm {
        c.arg("--arm");
    }
    c.env("VIOLET_EXCHANGE_API_KEY", KEY)
        .env("VIOLET_EXCHANGE_API_SECRET", SECRET)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).expect("log"))
        .spawn()
        .expect("start violet run")
}

fn wait_exit(child: &mut Child, log: &Path) -> i32 {
    common::wait_exit_within(child, log, Duration::from_secs(60))
}

/// small-a up to scan [`LAST_SCAN`], every `ts_ns` moved to start a minute from now (only
/// decisions on events after an armed start are sent).
fn stream() -> Vec<String> {
    let text = std::fs::read_to_string(root().join("fixtures/streams/small-a.jsonl")).expect("fixture");
    let now =
        i64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_nanos())
            .expect("ns");
    let key = "\"ts_ns\":";
    let mut first = None;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.contains("\"type\":\"scan\"") && scan_number(line).is_some_and(|n| n > LAST_SCAN) {
            break;
        }
        let moved = line.find(key).and_then(|at| {
            let start = at + key.len();
            let end = start + line[start..].find(|c: char| !c.is_ascii_digit())?;
            let ts: i64 = line[start..end].parse().ok()?;
            let base = *first.get_or_insert(ts);
            Some(format!("{}{}{}", &line[..start], now + 60_000_000_000 + (ts - base), &line[end..]))
        });
        out.push(moved.unwrap_or_else(|| line.to_string()));
    }
    out
}

fn scan_number(line: &str) -> Option<i64> {
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    v.get("scan_number")?.as_i64()
}

/// A scan's prices by BingX symbol.
fn prices(line: &str) -> Vec<(String, f64)> {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else { return Vec::new() };
    let mut out = Vec::new();
    for a in v.get("assets").and_then(serde_json::Value::as_array).into_iter().flatten() {
        if let (Some(s), Some(p)) = (a.get("symbol").and_then(|s| s.as_str()), a.get("price").and_then(|p| p.as_f64()))
            && let Some(base) = s.strip_suffix("USDT")
            && p.is_finite()
            && p > 0.0
        {
            out.push((format!("{base}-USDT"), p));
        }
    }
    out
}

/// Feed `lines` a scan every `gap`, the simulator's prices moved to each scan's before it
/// is written (so an order decided on a scan fills at that scan's price, as BLUE's would);
/// `at(n)` before line `n`.
fn feed(child: &mut Child, sim: &Simulator, lines: &[String], gap: Duration, mut at: impl FnMut(usize)) {
    let mut stdin = child.stdin.take().expect("stdin");
    for (n, line) in lines.iter().enumerate() {
        at(n);
        if line.contains("\"type\":\"scan\"") {
            // The previous scan's orders fill at its prices first.
            std::thread::sleep(gap);
            for (s, p) in prices(line) {
                sim.set_price(&s, p);
            }
        }
        // A closed pipe means the service stopped early: its exit status tells why.
        if writeln!(stdin, "{line}").is_err() {
            break;
        }
    }
}

/// A simulator (hedge mode) listing every symbol of `lines` at its first price.
fn simulator(rt: &tokio::runtime::Runtime, lines: &[String]) -> Simulator {
    let mut first = BTreeMap::new();
    for l in lines.iter().filter(|l| l.contains("\"type\":\"scan\"")) {
        for (s, p) in prices(l) {
            first.entry(s).or_insert(p);
        }
    }
    let contract =
        SimContract { quantity_precision: 3, min_qty: 0.001, min_notional: 2.0, max_leverage: 50, taker_fee: 0.0005 };
    let sim_cfg = SimConfig {
        api_key: KEY.into(),
        secret: SECRET.into(),
        dual_side: true,
        balance: 1e9,
        contracts: first.keys().map(|s| (s.clone(), contract.clone())).collect(),
        prices: first,
    };
    rt.block_on(Simulator::start(sim_cfg, "127.0.0.1:0".parse().expect("addr"))).expect("simulator")
}

#[test]
fn an_armed_service_trades_what_it_decides_and_refuses_what_it_cannot_explain() {
    let server = local_server("armed");
    let ch = server.client();
    let lines = stream();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
    let sim = simulator(&rt, &lines);
    let work = fresh_dir("armed");

    // Unarmed, keys present: the simulator hears nothing at all.
    let cfg = config(&work, "dark", server.url(), &sim.url(), "");
    let log = work.join("dark.log");
    let mut child = spawn(&cfg, false, &log);
    feed(&mut child, &sim, &lines[..lines.len() / 3], Duration::from_millis(100), |_| {});
    assert_eq!(wait_exit(&mut child, &log), 0, "{}", std::fs::read_to_string(&log).unwrap_or_default());
    assert_eq!(sim.shared().requests.load(std::sync::atomic::Ordering::Relaxed), 0, "unarmed: not one request");

    // Armed: every order the engine placed executes once at the simulator, and the journal
    // says so with the exchange's ids.
    let cfg = config(&work, "svc", server.url(), &sim.url(), "");
    let log = work.join("armed.log");
    let mut child = spawn(&cfg, true, &log);
    feed(&mut child, &sim, &lines, Duration::from_millis(100), |_| {});
    let code = wait_exit(&mut child, &log);
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("ARMED"), "the first lines say armed, venue and host: {text}");
    let books = sim.shared().books();
    let mut at_exchange: BTreeMap<String, (i64, String, String, f64)> = BTreeMap::new();
    for o in &books.orders {
        let row = (o.order_id, o.symbol.replace('-', ""), o.side.clone(), o.executed_qty);
        assert!(at_exchange.insert(o.client_order_id.clone(), row).is_none(), "{} executed twice", o.client_order_id);
    }
    drop(books);
    let steps = query(
        &ch,
        "SELECT client_order_id, symbol, side, state, body FROM dolphin_violet.orders FINAL WHERE startsWith(id, 'svc:') \
         ORDER BY at_ns FORMAT TSV",
    );
    let trades =
        query(&ch, "SELECT body FROM dolphin_violet.trade_events FINAL WHERE startsWith(id, 'svc:') FORMAT TSV");
    assert_eq!(
        at_exchange.len(),
        3,
        "entry and exit of trade 1, entry of trade 2: {at_exchange:?}\n{steps}\n{trades}\n{text}"
    );
    let journal = query(
        &ch,
        "SELECT client_order_id, venue_order_id, symbol, side, state FROM dolphin_violet.orders FINAL \
         WHERE startsWith(id, 'svc:order:') AND isNotNull(venue_order_id) ORDER BY client_order_id FORMAT TSV",
    );
    let mut seen = BTreeSet::new();
    for line in journal.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let (order_id, symbol, side, executed) =
            at_exchange.get(f[0]).unwrap_or_else(|| panic!("{} not at the exchange: {journal}", f[0]));
        assert_eq!((f[1], f[2], f[3], f[4]), (order_id.to_string().as_str(), symbol.as_str(), side.as_str(), "FILLED"));
        assert!(*executed > 0.0);
        seen.insert(f[0].to_string());
    }
    assert_eq!(seen.len(), at_exchange.len(), "every executed order is in the journal: {journal}");
    let sides: Vec<String> = at_exchange.values().map(|(_, s, side, _)| format!("{s} {side}")).collect();
    assert_eq!(sides.iter().filter(|s| s.ends_with("SELL")).count(), 2, "two entries (shorts): {sides:?}");
    let requests = query(
        &ch,
        "SELECT count() FROM dolphin_violet.venue_requests FINAL WHERE method = 'POST' AND \
         path = '/openApi/swap/v2/trade/order' AND startsWith(run_id, 'svc-')",
    );
    assert_eq!(requests.trim(), "3", "each order request journaled");
    let start = query(&ch, "SELECT verdict FROM dolphin_violet.reconciliations FINAL WHERE startsWith(id, 'svc:')");
    assert_eq!(start.trim(), "MATCH", "the start-up reconciliation");

    // The journal and the exchange agree afterwards; the second trade is still open.
    let out = Command::new(env!("CARGO_BIN_EXE_violet"))
        .args(["reconcile", "--config"])
        .arg(&cfg)
        .env("VIOLET_EXCHANGE_API_KEY", KEY)
        .env("VIOLET_EXCHANGE_API_SECRET", SECRET)
        .output()
        .expect("reconcile");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("DOGEUSDT") && stdout.contains("verdict: MATCH"), "{stdout}");

    // A restart with that position in the journal is refused: exit 4, no order.
    let placed = sim.shared().place_arrivals.lock().expect("lock").len();
    let log = work.join("restart.log");
    let mut child = spawn(&cfg, true, &log);
    drop(child.stdin.take());
    let code = wait_exit(&mut child, &log);
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    assert_eq!(code, 4, "{text}");
    assert!(text.contains("journal holds open positions"), "{text}");
    assert_eq!(sim.shared().place_arrivals.lock().expect("lock").len(), placed, "no order sent");

    // Another service on this account: the venue holds what its journal cannot explain.
    sim.shared().books().external_position("AVAX-USDT", "SHORT", 100.0, 0.2);
    let cfg = config(&work, "other", server.url(), &sim.url(), "");
    let log = work.join("other.log");
    let mut child = spawn(&cfg, true, &log);
    drop(child.stdin.take());
    let code = wait_exit(&mut child, &log);
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    assert_eq!(code, 4, "{text}");
    assert!(text.contains("refusing to arm") && text.contains("AVAXUSDT") && text.contains("MISMATCH"), "{text}");
    assert_eq!(sim.shared().place_arrivals.lock().expect("lock").len(), placed, "no order sent");
    let runs = query(&ch, "SELECT status FROM dolphin_violet.runs FINAL WHERE source = 'other' FORMAT TSV");
    assert_eq!(runs.trim(), "FAILED", "the refused start is recorded");
    sim.stop();

    // While armed, a position appearing behind VIOLET's back is found by the periodic
    // reconciliation (every second here), checked again, and moves the state to REDUCING.
    let sim = simulator(&rt, &lines);
    let cfg = config(&work, "drift", server.url(), &sim.url(), "reconcile_interval_s = 1\n");
    let log = work.join("drift.log");
    let mut child = spawn(&cfg, true, &log);
    let outside = lines.len() / 4;
    feed(&mut child, &sim, &lines, Duration::from_millis(150), |n| {
        if n == outside {
            sim.shared().books().external_position("AVAX-USDT", "SHORT", 100.0, 0.2);
        }
    });
    let code = wait_exit(&mut child, &log);
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("DRIFT") && text.contains("REDUCING") && text.contains("AVAXUSDT"), "{text}");
    let checks = query(
        &ch,
        "SELECT verdict, count() FROM dolphin_violet.reconciliations FINAL WHERE startsWith(id, 'drift:') \
         GROUP BY verdict ORDER BY verdict FORMAT TSV",
    );
    let mismatches: u64 =
        checks.lines().find_map(|l| l.strip_prefix("MISMATCH\t")).and_then(|n| n.parse().ok()).unwrap_or(0);
    assert!(checks.starts_with("MATCH\t") && mismatches >= 2, "the start matched, then two checks did not: {checks}");
    sim.stop();
    std::fs::remove_dir_all(&work).ok();
}
