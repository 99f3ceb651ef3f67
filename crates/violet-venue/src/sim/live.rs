//! A simulated exchange on the wall clock, behind the async [`Venue`] trait: each request
//! waits its behaviour's latency for real, then answers as an exchange does (fills at the
//! price book's price moved by the slippage, partial fills left working, acks, rejects,
//! timeouts, dropped connections). One order per client id; reduce-only orders capped at the
//! position. For tests and rehearsals of the execution task; never a real venue.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use violet_domain::types::SymbolName;

use super::behaviour::{BehaviourSource, Outcome};
use crate::order::{ClientOrderId, Side};
use crate::venue::{OrderReport, OrderRequest, Recoverable, Unrecoverable, Venue, VenueError, VenuePosition};

/// Prices the simulated exchange fills at, per symbol (set by whoever drives the market).
#[derive(Debug, Clone, Default)]
pub struct PriceBook(Arc<Mutex<HashMap<String, f64>>>);

impl PriceBook {
    /// Set `symbol`'s price.
    pub fn set(&self, symbol: &str, price: f64) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).insert(symbol.to_string(), price);
    }

    /// `symbol`'s price.
    #[must_use]
    pub fn get(&self, symbol: &str) -> Option<f64> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).get(symbol).copied()
    }
}

#[derive(Debug, Clone)]
struct SimOrder {
    symbol: SymbolName,
    filled: f64,
    average: f64,
    open: bool,
}

/// The simulated exchange's books, shared with whoever checks them.
#[derive(Debug, Default)]
pub struct LiveBooks {
    orders: HashMap<ClientOrderId, SimOrder>,
    /// Net SHORT per symbol.
    positions: HashMap<String, f64>,
    /// Place requests that created an order.
    placed: u64,
}

impl LiveBooks {
    /// The net SHORT in `symbol` (base).
    #[must_use]
    pub fn position(&self, symbol: &str) -> f64 {
        self.positions.get(symbol).copied().unwrap_or(0.0)
    }

    /// Orders created (a resend of a known id creates none).
    #[must_use]
    pub fn placed(&self) -> u64 {
        self.placed
    }

    /// Every symbol with a position.
    pub fn symbols(&self) -> impl Iterator<Item = &String> {
        self.positions.keys()
    }
}

/// The simulated exchange on the wall clock.
#[derive(Debug)]
pub struct LiveSimVenue<S> {
    source: Mutex<S>,
    prices: PriceBook,
    books: Arc<Mutex<LiveBooks>>,
    request_timeout: Duration,
}

impl<S: BehaviourSource> LiveSimVenue<S> {
    /// An exchange answering as `source` draws, filling at `prices`; a request that never
    /// answers fails after `request_timeout` (as an HTTP client's timeout).
    pub fn new(source: S, prices: PriceBook, request_timeout: Duration) -> Self {
        Self { source: Mutex::new(source), prices, books: Arc::default(), request_timeout }
    }

    /// The books (shared: read them while the venue is in use).
    #[must_use]
    pub fn books(&self) -> Arc<Mutex<LiveBooks>> {
        Arc::clone(&self.books)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LiveBooks> {
        self.books.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn report(id: &ClientOrderId, o: &SimOrder) -> OrderReport {
        OrderReport {
            venue_order_id: format!("sim-{id}"),
            client_order_id: id.clone(),
            filled_quantity: o.filled,
            average_price: o.average,
            open: o.open,
        }
    }
}

fn nanos(ns: i64) -> Duration {
    Duration::from_nanos(u64::try_from(ns).unwrap_or(0))
}

impl<S: BehaviourSource + Send> Venue for LiveSimVenue<S> {
    async fn place_order(&self, req: &OrderRequest) -> Result<OrderReport, VenueError> {
        let b = self.source.lock().unwrap_or_else(PoisonError::into_inner).next_behaviour();
        if b.outcome == Outcome::Timeout {
            tokio::time::sleep(self.request_timeout).await;
            return Err(Recoverable::Timeout.into());
        }
        tokio::time::sleep(nanos(b.latency_ns)).await;
        if let Some(o) = self.lock().orders.get(&req.client_order_id) {
            return Ok(Self::report(&req.client_order_id, o)); // one order per id
        }
        let symbol: &str = req.symbol.as_ref();
        let Some(price) = self.prices.get(symbol) else {
            return Err(Unrecoverable::BadRequest(format!("no market for {symbol}")).into());
        };
        let slip = b.slippage_bps / 1e4;
        let price = match req.side {
            Side::Sell => price * (1.0 - slip),
            Side::Buy => price * (1.0 + slip),
        };
        let wanted = req.quantity.get();
        let mut books = self.lock();
        let (filled, open) = match b.outcome {
            Outcome::Reject => return Err(Unrecoverable::Rejected("simulated reject".into()).into()),
            Outcome::Disconnect => return Err(Recoverable::Disconnected.into()),
            Outcome::Fill => (wanted, false),
            Outcome::Partial => (wanted * b.fraction, true),
            Outcome::Ack | Outcome::Timeout => (0.0, true),
        };
        let held = books.positions.entry(symbol.to_string()).or_insert(0.0);
        let filled = if req.reduce_only {
            let f = filled.min(*held);
            if !(f > 0.0) && filled > 0.0 {
                return Err(Unrecoverable::Rejected("reduce-only: no position to reduce".into()).into());
            }
            *held -= f;
            if violet_engine::execution::is_dust(*held, f) {
                *held = 0.0; // an exchange's quantities are whole steps: float dust is no position
            }
            f
        } else {
            *held += filled;
            filled
        };
        let o = SimOrder { symbol: req.symbol.clone(), filled, average: if filled > 0.0 { price } else { 0.0 }, open };
        books.placed += 1;
        let report = Self::report(&req.client_order_id, &o);
        books.orders.insert(req.client_order_id.clone(), o);
        Ok(report)
    }

    async fn cancel_order(&self, _: &SymbolName, id: &ClientOrderId) -> Result<OrderReport, VenueError> {
        let mut books = self.lock();
        let Some(o) = books.orders.get_mut(id) else {
            return Err(Unrecoverable::Rejected("order does not exist".into()).into());
        };
        o.open = false;
        Ok(Self::report(id, o))
    }

    async fn query_order(&self, _: &SymbolName, id: &ClientOrderId) -> Result<OrderReport, VenueError> {
        let books = self.lock();
        books
            .orders
            .get(id)
            .map(|o| Self::report(id, o))
            .ok_or_else(|| Unrecoverable::Rejected("order does not exist".into()).into())
    }

    async fn positions(&self) -> Result<Vec<VenuePosition>, VenueError> {
        let books = self.lock();
        let avg: HashMap<&str, f64> = books.orders.values().map(|o| (o.symbol.as_ref() as &str, o.average)).collect();
        Ok(books
            .positions
            .iter()
            .filter(|(_, q)| **q != 0.0)
            .map(|(s, q)| VenuePosition {
                symbol: s.clone(),
                quantity: -q,
                entry_price: avg.get(s.as_str()).copied().unwrap_or(0.0),
            })
            .collect())
    }

    async fn balance(&self) -> Result<f64, VenueError> {
        Ok(0.0)
    }
}
