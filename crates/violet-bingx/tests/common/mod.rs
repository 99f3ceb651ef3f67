//! A simulator on loopback and an adapter connected to it.

#![allow(dead_code, missing_docs)]

pub mod stage;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use violet_bingx::audit::MemoryJournal;
use violet_bingx::{BingxConfig, BingxVenue, Host, PositionMode};
use violet_bingx_sim::{SimConfig, SimContract, Simulator};
use violet_clock::UnixNanos;
use violet_domain::types::SymbolName;
use violet_venue::arming::{ApiKeys, KEY_ENV, SECRET_ENV};
use violet_venue::order::{ClientOrderId, DecisionEvent, Leg, Quantity, Side};
use violet_venue::venue::OrderRequest;

pub const KEY: &str = "sim-key-0001";
pub const SECRET: &str = "sim-secret-0123456789abcdef";

pub fn keys(secret: &str) -> ApiKeys {
    let env: BTreeMap<String, String> =
        [(KEY_ENV.to_string(), KEY.to_string()), (SECRET_ENV.to_string(), secret.to_string())].into_iter().collect();
    ApiKeys::load(&env, None).expect("keys").expect("present")
}

pub async fn simulator(dual_side: bool, balance: f64) -> Simulator {
    let mut contracts = BTreeMap::new();
    contracts.insert(
        "BTC-USDT".to_string(),
        SimContract { quantity_precision: 3, min_qty: 0.001, min_notional: 2.0, max_leverage: 20, taker_fee: 0.0005 },
    );
    let prices = [("BTC-USDT".to_string(), 43_000.0)].into_iter().collect();
    let cfg = SimConfig { api_key: KEY.into(), secret: SECRET.into(), dual_side, balance, contracts, prices };
    Simulator::start(cfg, "127.0.0.1:0".parse().expect("addr")).await.expect("simulator")
}

/// Short timeouts so fault tests stay quick.
pub fn config(sim: &Simulator, mode: PositionMode) -> BingxConfig {
    BingxConfig {
        host: Host::Custom(sim.url()),
        position_mode: mode,
        recv_window: Duration::from_millis(1000),
        connect_timeout: Duration::from_millis(500),
        request_timeout: Duration::from_millis(300),
        settle_backoff: Duration::from_millis(50),
        ..BingxConfig::default()
    }
}

pub async fn connect(sim: &Simulator, mode: PositionMode) -> (BingxVenue, Arc<MemoryJournal>) {
    connect_with(config(sim, mode), SECRET).await
}

pub async fn connect_with(cfg: BingxConfig, secret: &str) -> (BingxVenue, Arc<MemoryJournal>) {
    let journal = Arc::new(MemoryJournal::default());
    let venue = BingxVenue::connect(cfg, &keys(secret), journal.clone()).await.expect("connect");
    (venue, journal)
}

pub fn now_ns() -> i64 {
    use violet_clock::Clock as _;
    violet_clock::LiveClock::new().now().get()
}

pub fn order(n: i64, side: Side, quantity: f64, reduce_only: bool, ttl: Duration) -> OrderRequest {
    let leg = if reduce_only { Leg::Exit } else { Leg::Entry };
    OrderRequest {
        client_order_id: ClientOrderId::new(
            "bingx-test",
            DecisionEvent { scan_number: n, ts_ns: 1_700_000_000_000_000_000 + n },
            leg,
            0,
        ),
        symbol: SymbolName::try_new("BTCUSDT".to_string()).expect("symbol"),
        side,
        quantity: Quantity::computed(quantity),
        reduce_only,
        leverage: None,
        deadline: UnixNanos::new(now_ns()).saturating_add(i64::try_from(ttl.as_nanos()).unwrap_or(i64::MAX)),
        margin: None,
    }
}

/// Orders the simulator holds under `id`.
pub fn placed(sim: &Simulator, id: &ClientOrderId) -> usize {
    sim.shared().books().orders_for(id.as_str())
}
