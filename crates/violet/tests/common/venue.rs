//! The armed service's test stage: a simulator listing small-a's symbols, the service
//! started with keys against it and a local ClickHouse, and the stdin feed written a scan
//! at a time with the simulator's prices moved first.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use violet_bingx_sim::{SimConfig, SimContract, Simulator};
use violet_clickhouse::ClickHouse;

use super::root;

pub const KEY: &str = "armed-key";
pub const SECRET: &str = "armed-secret-0123456789";
/// The stream ends inside BLUE's second trade (entry at scan 1020, exit at 1049): the first
/// trade's entry and exit and the second's entry are placed.
pub const LAST_SCAN: i64 = 1030;

pub fn query(ch: &ClickHouse, q: &str) -> String {
    ch.query(q).unwrap_or_else(|e| panic!("{q}: {e}"))
}

pub fn config(dir: &Path, name: &str, clickhouse: &str, sim: &str, extra: &str) -> PathBuf {
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

pub fn spawn(cfg: &Path, arm: bool, log: &Path) -> Child {
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

pub fn wait_exit(child: &mut Child, log: &Path) -> i32 {
    super::wait_exit_within(child, log, Duration::from_secs(60))
}

/// small-a up to scan [`LAST_SCAN`], every `ts_ns` moved to start a minute from now (only
/// decisions on events after an armed start are sent).
pub fn stream() -> Vec<String> {
    stream_to(LAST_SCAN)
}

/// small-a up to scan `last`, moved as [`stream`] moves it.
pub fn stream_to(last: i64) -> Vec<String> {
    let text = std::fs::read_to_string(root().join("fixtures/streams/small-a.jsonl")).expect("fixture");
    let now =
        i64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_nanos())
            .expect("ns");
    let key = "\"ts_ns\":";
    let mut first = None;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.contains("\"type\":\"scan\"") && scan_number(line).is_some_and(|n| n > last) {
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

pub fn scan_number(line: &str) -> Option<i64> {
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    v.get("scan_number")?.as_i64()
}

/// A scan's prices by BingX symbol.
pub fn prices(line: &str) -> Vec<(String, f64)> {
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
pub fn feed(child: &mut Child, sim: &Simulator, lines: &[String], gap: Duration, mut at: impl FnMut(usize)) {
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
pub fn simulator(rt: &tokio::runtime::Runtime, lines: &[String]) -> Simulator {
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

/// `line` with its `ts_ns` set to `ts`.
pub fn restamp(line: &str, ts: i64) -> String {
    let key = "\"ts_ns\":";
    let Some(at) = line.find(key) else { return line.to_string() };
    let start = at + key.len();
    let end = start + line[start..].find(|c: char| !c.is_ascii_digit()).unwrap_or(line.len() - start);
    format!("{}{ts}{}", &line[..start], &line[end..])
}

/// The wall clock (unix ns).
pub fn now_ns() -> i64 {
    i64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_nanos())
        .expect("ns")
}

/// A test's armed stage: a local ClickHouse, small-a's lines, a runtime holding the
/// simulator, and a fresh work directory.
pub struct Stage {
    /// The server.
    pub server: violet_testkit::LocalServer,
    /// Its client.
    pub ch: ClickHouse,
    /// small-a up to [`LAST_SCAN`].
    pub lines: Vec<String>,
    /// The simulator's runtime.
    pub rt: tokio::runtime::Runtime,
    /// The simulator.
    pub sim: Simulator,
    /// The work directory.
    pub work: PathBuf,
}

impl Stage {
    /// Everything started for test `name`.
    pub fn new(name: &str) -> Self {
        let server = super::local_server(name);
        let ch = server.client();
        let lines = stream();
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
        let sim = simulator(&rt, &lines);
        Self { server, ch, lines, rt, sim, work: super::fresh_dir(name) }
    }
}

/// `violet reconcile --config cfg` with the keys.
pub fn reconcile(cfg: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_violet"))
        .args(["reconcile", "--config"])
        .arg(cfg)
        .env("VIOLET_EXCHANGE_API_KEY", KEY)
        .env("VIOLET_EXCHANGE_API_SECRET", SECRET)
        .output()
        .expect("reconcile")
}

/// The `clientOrderId` of every place request that reached the simulator, in order.
pub fn arrivals(sim: &Simulator) -> Vec<String> {
    sim.shared().place_arrivals.lock().expect("lock").iter().map(|a| a.client_order_id.clone()).collect()
}

/// Feed `history` at once, then `lines[*next..]` live, restamped with the wall clock as
/// they are written (each scan `gap` after the last, the
/// simulator's prices moved first), each written line added to `history`. After each live
/// scan, wait up to `gap` for `until(orders placed so far)`; once it holds, return at once
/// (the caller kills the process then).
pub fn drive(
    child: &mut Child,
    sim: &Simulator,
    gap: Duration,
    lines: &[String],
    next: &mut usize,
    history: &mut Vec<String>,
    until: impl Fn(usize) -> bool,
) -> bool {
    let mut stdin = child.stdin.take().expect("stdin");
    for line in history.iter() {
        writeln!(stdin, "{line}").expect("history");
    }
    while *next < lines.len() {
        let line = &lines[*next];
        let scan = line.contains("\"type\":\"scan\"");
        if scan {
            std::thread::sleep(gap);
            for (s, p) in prices(line) {
                sim.set_price(&s, p);
            }
        }
        let stamped = restamp(line, now_ns());
        writeln!(stdin, "{stamped}").expect("live line");
        history.push(stamped);
        *next += 1;
        if scan {
            let t = Instant::now();
            while t.elapsed() < gap {
                if until(arrivals(sim).len()) {
                    child.stdin = Some(stdin);
                    return true;
                }
                std::thread::sleep(Duration::from_micros(200));
            }
        }
    }
    drop(stdin); // the input ends: the service stops
    false
}

/// `kill -9`, and reap it.
pub fn kill(child: &mut Child) {
    child.kill().expect("kill -9");
    child.wait().expect("reaped");
}
