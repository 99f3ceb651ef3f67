//! `violet reconcile` against the BingX simulator on loopback and a real ClickHouse (both
//! started by the test; never skipped): an account that matches the journal passes (exit
//! 0), a position opened behind VIOLET's back is refused (exit 4) naming the symbol and both
//! quantities, a fill in the journal explains it, an order the journal holds in flight is
//! asked about by its client order id, and an account in the other position mode cannot be
//! reconciled (exit 2). Every run is recorded in `dolphin_violet.reconciliations`.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{fresh_dir, local_server};
use violet_bingx_sim::{SimConfig, SimContract, Simulator};
use violet_clickhouse::ClickHouse;

const KEY: &str = "reconcile-key";
const SECRET: &str = "reconcile-secret-0123456789";

fn query(ch: &ClickHouse, q: &str) -> String {
    ch.query(q).unwrap_or_else(|e| panic!("{q}: {e}"))
}

fn config(dir: &Path, clickhouse: &str, sim: &str, mode: &str) -> PathBuf {
    let p = dir.join("violet.toml");
    let text = format!(
        "[service]\nname = \"svc\"\ndata_dir = {:?}\n\n[clickhouse]\nurl = {clickhouse:?}\n\n\
         [execution]\nbase_url = {sim:?}\nposition_mode = {mode:?}\n",
        dir.join("data").display().to_string()
    );
    std::fs::write(&p, text).expect("config");
    p
}

fn reconcile(cfg: &Path) -> (i32, String, String) {
    let out: Output = Command::new(env!("CARGO_BIN_EXE_violet"))
        .args(["reconcile", "--config"])
        .arg(cfg)
        .env("VIOLET_EXCHANGE_API_KEY", KEY)
        .env("VIOLET_EXCHANGE_API_SECRET", SECRET)
        .output()
        .expect("run violet reconcile");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn reconcile_passes_a_matching_account_and_refuses_a_position_from_outside() {
    let server = local_server("reconcile");
    let ch = server.client();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
    let contracts: BTreeMap<String, SimContract> = [("ETH-USDT".to_string(), SimContract::default())].into();
    let sim_cfg = SimConfig {
        api_key: KEY.into(),
        secret: SECRET.into(),
        dual_side: true,
        balance: 10_000.0,
        contracts,
        prices: [("ETH-USDT".to_string(), 2_000.0)].into(),
    };
    let sim = rt.block_on(Simulator::start(sim_cfg, "127.0.0.1:0".parse().expect("addr"))).expect("simulator");
    let work = fresh_dir("reconcile");
    let cfg = config(&work, server.url(), &sim.url(), "hedge");

    // Nothing on either side.
    let (code, out, err) = reconcile(&cfg);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("no position on either side") && out.contains("verdict: MATCH"), "{out}");
    assert_eq!(sim.shared().books().orders.len(), 0, "reconcile sends no order");

    // A short opened behind VIOLET's back: refused, naming symbol and both quantities.
    sim.shared().books().external_position("ETH-USDT", "SHORT", 0.5, 2_000.0);
    let (code, out, err) = reconcile(&cfg);
    assert_eq!(code, 4, "{out}{err}");
    let row = out.lines().find(|l| l.starts_with("ETHUSDT")).unwrap_or_else(|| panic!("no ETHUSDT row: {out}"));
    let fields: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(&fields[..5], ["ETHUSDT", "-0.5", "0", "0", "MISMATCH"], "{row}");
    assert!(row.contains("venue -500 steps, journal 0"), "{row}");
    assert!(out.contains("verdict: MISMATCH (1 mismatch)"), "{out}");
    assert_eq!(sim.shared().books().orders.len(), 0, "reconcile sends no order");

    // The journal's own fill explains it; an order it holds in flight is asked about (the
    // venue never had it: nothing to explain).
    query(
        &ch,
        "INSERT INTO dolphin_violet.fills (id, version, run_id, client_order_id, trade_id, leg, symbol, side, quantity, \
         price, at_ns, body) VALUES ('svc:fill:v000001-1-e0:2', 1, 'svc-1', 'v000001-1-e0', 1, 'ENTRY', 'ETHUSDT', \
         'SELL', 0.5, 2000.0, 1, '{}')",
    );
    query(
        &ch,
        "INSERT INTO dolphin_violet.orders (id, version, run_id, client_order_id, trade_id, leg, symbol, side, state, \
         step, at_ns, body) VALUES ('svc:order:v000001-2-x0', 1, 'svc-1', 'v000001-2-x0', 1, 'EXIT', 'ETHUSDT', 'BUY', \
         'SENT', 1, 2, '{\"filled\":0.0}')",
    );
    let (code, out, err) = reconcile(&cfg);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("order v000001-2-x0 ETHUSDT: JournalOnly MATCH"), "{out}");
    let queried = sim.shared().books().orders.len();
    assert_eq!(queried, 0, "asked, not placed");

    // Every run recorded, every request journaled.
    let rows =
        query(&ch, "SELECT verdict, mismatches FROM dolphin_violet.reconciliations FINAL ORDER BY at_ns FORMAT TSV");
    assert_eq!(rows.lines().collect::<Vec<_>>(), ["MATCH\t0", "MISMATCH\t1", "MATCH\t0"], "{rows}");
    let asked = query(
        &ch,
        "SELECT count() FROM dolphin_violet.venue_requests FINAL WHERE method = 'GET' AND \
         path = '/openApi/swap/v2/trade/order' AND client_order_id = 'v000001-2-x0'",
    );
    assert_eq!(asked.trim(), "1", "the in-flight order was asked about, by its id");

    // The account in the other position mode: no reconciliation, exit 2, saying why.
    let cfg = config(&work, server.url(), &sim.url(), "one-way");
    let (code, out, err) = reconcile(&cfg);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.to_lowercase().contains("position mode"), "{err}");
    sim.stop();
    std::fs::remove_dir_all(&work).ok();
}
