//! A local exchange that speaks BingX's USDT-M perpetual REST v2 protocol on loopback, for
//! the adapter's tests and for operators' rehearsals. Never a real venue.
//!
//! - `auth.rs`: the signature over the exact string received, the key, the timestamp window.
//! - `exchange.rs`: contracts, prices, orders, positions (hedge and one-way), leverage,
//!   balance; MARKET orders fill at the price given.
//! - `fault.rs`: faults on demand (429, busy codes, an answer dropped after the order
//!   executed, 504, late answers, late arrivals, partial fills, "being processed").
//! - `server.rs`: BingX's paths and envelopes (hyper, HTTP/1.1); `control.rs`: `/sim/...`.
//!
//! Unlike BingX as far as anyone documents, a second order with a `clientOrderId` already
//! used is accepted as a new order: a client that resends blind is caught, not saved.

pub mod auth;
pub mod control;
pub mod exchange;
pub mod fault;
pub mod server;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

pub use exchange::{Exchange, SimContract, SimOrder, SimPosition};
pub use fault::{Fault, FaultKind, Target};
pub use server::{PlaceArrival, Shared};

/// How the simulator starts.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// The API key it accepts.
    pub api_key: String,
    /// The secret it verifies signatures with.
    pub secret: String,
    /// Hedge mode (true) or one-way.
    pub dual_side: bool,
    /// Starting balance (USDT).
    pub balance: f64,
    /// Listed contracts by `BTC-USDT`.
    pub contracts: BTreeMap<String, SimContract>,
    /// Prices by `BTC-USDT` (a priced symbol not listed gets the default contract).
    pub prices: BTreeMap<String, f64>,
}

/// A running simulator.
#[derive(Debug)]
pub struct Simulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Simulator {
    /// Start on `addr` (loopback only; port 0 picks one).
    ///
    /// # Errors
    /// A non-loopback address or a failed bind.
    pub async fn start(config: SimConfig, addr: SocketAddr) -> std::io::Result<Self> {
        let listener = server::bind(addr).await?;
        let addr = listener.local_addr()?;
        let mut contracts = config.contracts;
        for symbol in config.prices.keys() {
            contracts.entry(symbol.clone()).or_default();
        }
        let mut exchange = Exchange::new(config.dual_side, config.balance, contracts);
        exchange.prices.extend(config.prices);
        let shared = Arc::new(Shared {
            exchange: Mutex::new(exchange),
            faults: Mutex::new(fault::Faults::default()),
            skew_ms: AtomicI64::new(0),
            auth_refusals: AtomicU64::new(0),
            requests: AtomicU64::new(0),
            place_arrivals: Mutex::new(Vec::new()),
            api_key: config.api_key,
            secret: config.secret,
        });
        let task = tokio::spawn(server::serve(listener, Arc::clone(&shared)));
        Ok(Self { addr, shared, task })
    }

    /// `http://127.0.0.1:PORT`.
    #[must_use]
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The shared state (books, faults, counters).
    #[must_use]
    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// Set `symbol`'s (`BTC-USDT`) price.
    pub fn set_price(&self, symbol: &str, price: f64) {
        let mut books = self.shared.books();
        books.contracts.entry(symbol.to_string()).or_default();
        books.prices.insert(symbol.to_string(), price);
    }

    /// Queue a fault.
    pub fn inject(&self, kind: FaultKind, target: Target, times: u32) {
        self.shared.inject(Fault { kind, target, times });
    }

    /// Skew the exchange's clock by `ms`.
    pub fn skew(&self, ms: i64) {
        self.shared.skew_ms.store(ms, Ordering::Relaxed);
    }

    /// Stop serving.
    pub fn stop(self) {
        self.task.abort();
    }
}
