//! The HTTP side: BingX's paths and envelopes on loopback, the faults, and the `/sim/...`
//! control requests.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::auth::{Refusal, pairs, verify};
use crate::exchange::Exchange;
use crate::fault::{Fault, FaultKind, Faults, Target};

/// A place request's arrival.
#[derive(Debug, Clone)]
pub struct PlaceArrival {
    /// When it arrived.
    pub at: std::time::Instant,
    /// Its `clientOrderId` as sent (empty without one).
    pub client_order_id: String,
}

/// Everything the server shares.
#[derive(Debug)]
pub struct Shared {
    /// The books.
    pub exchange: Mutex<Exchange>,
    /// Faults waiting.
    pub faults: Mutex<Faults>,
    /// The exchange clock's skew from the machine's (ms).
    pub skew_ms: AtomicI64,
    /// Signed requests refused by authentication.
    pub auth_refusals: AtomicU64,
    /// Requests served (all kinds).
    pub requests: AtomicU64,
    /// When each place request arrived, and for which `clientOrderId` (for the wire-latency
    /// measurement).
    pub place_arrivals: Mutex<Vec<PlaceArrival>>,
    pub(crate) api_key: String,
    pub(crate) secret: String,
}

impl Shared {
    /// The exchange's clock (ms).
    #[must_use]
    pub fn now_ms(&self) -> i64 {
        let local =
            SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(0));
        local + self.skew_ms.load(Ordering::Relaxed)
    }

    /// The books, locked.
    pub fn books(&self) -> std::sync::MutexGuard<'_, Exchange> {
        self.exchange.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queue a fault.
    pub fn inject(&self, fault: Fault) {
        self.faults.lock().unwrap_or_else(PoisonError::into_inner).push(fault);
    }

    fn take_fault(&self, target: Target) -> Option<FaultKind> {
        self.faults.lock().unwrap_or_else(PoisonError::into_inner).take(target)
    }
}

type Answer = Response<Full<Bytes>>;

fn reply(status: StatusCode, body: &Value) -> Answer {
    let mut r = Response::new(Full::new(Bytes::from(body.to_string())));
    *r.status_mut() = status;
    r.headers_mut().insert("content-type", hyper::header::HeaderValue::from_static("application/json"));
    r
}

fn ok(data: Value) -> Answer {
    reply(StatusCode::OK, &json!({"code": 0, "msg": "", "data": data}))
}

fn err(r: &Refusal) -> Answer {
    // BingX answers errors with HTTP 200 and the code in the body (as a string at times).
    reply(StatusCode::OK, &json!({"code": r.code.to_string(), "msg": r.message, "data": {}}))
}

/// The dropped connection of a `DropAfterExecute` fault.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by a fault")
    }
}

impl std::error::Error for Dropped {}

/// Serve on `listener` until the task is aborted.
pub async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        let _ = stream.set_nodelay(true);
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            let service = service_fn(move |req| {
                let shared = Arc::clone(&shared);
                async move { handle(shared, req).await }
            });
            let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

async fn handle(shared: Arc<Shared>, req: Request<Incoming>) -> Result<Answer, Dropped> {
    let arrived = std::time::Instant::now();
    shared.requests.fetch_add(1, Ordering::Relaxed);
    if req.method() == Method::POST && req.uri().path() == "/openApi/swap/v2/trade/order" {
        let id = req.uri().query().unwrap_or("").split('&').find_map(|kv| kv.strip_prefix("clientOrderId="));
        let arrival = PlaceArrival { at: arrived, client_order_id: id.unwrap_or("").to_string() };
        shared.place_arrivals.lock().unwrap_or_else(PoisonError::into_inner).push(arrival);
    }
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let method = req.method().clone();
    let key = req.headers().get("X-BX-APIKEY").and_then(|v| v.to_str().ok()).map(str::to_string);
    if let Some(control) = path.strip_prefix("/sim/") {
        return Ok(crate::control::handle(&shared, &method, control, &query));
    }
    let public = matches!(
        path.as_str(),
        "/openApi/swap/v2/server/time" | "/openApi/swap/v2/quote/contracts" | "/openApi/swap/v2/quote/price"
    );
    if public {
        return Ok(public_answer(&shared, &path, &query));
    }
    let target = match (&method, path.as_str()) {
        (&Method::POST, "/openApi/swap/v2/trade/order") => Some(Target::Place),
        (&Method::GET, "/openApi/swap/v2/trade/order") => Some(Target::Query),
        (&Method::DELETE, "/openApi/swap/v2/trade/order") => Some(Target::Cancel),
        _ => None,
    };
    let fault = shared.take_fault(target.unwrap_or(Target::Any));
    match &fault {
        Some(FaultKind::Http429) => {
            return Ok(reply(StatusCode::TOO_MANY_REQUESTS, &json!({"code": 100_410, "msg": "rate limited"})));
        }
        Some(FaultKind::Code(code, msg)) => return Ok(err(&Refusal { code: *code, message: msg.clone() })),
        Some(FaultKind::Processing) if target == Some(Target::Query) => {
            return Ok(err(&Refusal { code: 109_423, message: "order is being processed, please query later".into() }));
        }
        _ => {}
    }
    // The exchange works the request in its own task: a client that gives up (and drops the
    // connection) does not stop a request that has reached the exchange.
    let late = match &fault {
        Some(FaultKind::LateArrival(ms)) => *ms,
        _ => 0,
    };
    let fraction = match &fault {
        Some(FaultKind::PartialFill(f)) => *f,
        _ => 1.0,
    };
    let worker = Arc::clone(&shared);
    let answer = tokio::spawn(async move {
        if late > 0 {
            tokio::time::sleep(Duration::from_millis(late)).await;
        }
        private_answer(&worker, &method, &path, key.as_deref(), &query, fraction)
    })
    .await
    .unwrap_or_else(|_| {
        reply(StatusCode::INTERNAL_SERVER_ERROR, &json!({"code": 109_500, "msg": "simulator task failed"}))
    });
    match fault {
        Some(FaultKind::DropAfterExecute) => Err(Dropped),
        Some(FaultKind::Http504AfterExecute) => {
            Ok(reply(StatusCode::GATEWAY_TIMEOUT, &json!({"msg": "Gateway Time-out"})))
        }
        Some(FaultKind::DelayAnswer(ms)) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            Ok(answer)
        }
        _ => Ok(answer),
    }
}

fn public_answer(shared: &Shared, path: &str, query: &str) -> Answer {
    let p: HashMap<String, String> = pairs(query).into_iter().collect();
    match path {
        "/openApi/swap/v2/server/time" => ok(json!({"serverTime": shared.now_ms()})),
        "/openApi/swap/v2/quote/contracts" => ok(shared.books().contracts_json()),
        _ => {
            let symbol = p.get("symbol").cloned().unwrap_or_default();
            match shared.books().prices.get(&symbol) {
                Some(price) => ok(json!({"symbol": symbol, "price": price.to_string(), "time": shared.now_ms()})),
                None => err(&Refusal { code: 109_400, message: format!("no price for {symbol}") }),
            }
        }
    }
}

fn private_answer(
    shared: &Shared,
    method: &Method,
    path: &str,
    key: Option<&str>,
    query: &str,
    fraction: f64,
) -> Answer {
    let params = match verify(&shared.api_key, &shared.secret, key, query, shared.now_ms()) {
        Ok(p) => p,
        Err(r) => {
            shared.auth_refusals.fetch_add(1, Ordering::Relaxed);
            return err(&r);
        }
    };
    let p: HashMap<String, String> = params.into_iter().collect();
    let mut books = shared.books();
    let result = match (method, path) {
        (&Method::POST, "/openApi/swap/v2/trade/order") => books.place(&p, fraction).map(|o| {
            // The 2026 reply: flat, both spellings, status PENDING, no fill.
            json!({
                "orderId": o.order_id, "orderID": o.order_id.to_string(),
                "clientOrderId": o.client_order_id, "clientOrderID": o.client_order_id,
                "symbol": o.symbol, "side": o.side, "positionSide": o.position_side, "type": "MARKET",
                "status": "PENDING", "executedQty": "0.00",
            })
        }),
        (&Method::GET, "/openApi/swap/v2/trade/order") => books.query(&p).map(|o| json!({"order": o.to_json()})),
        (&Method::DELETE, "/openApi/swap/v2/trade/order") => books.cancel(&p).map(|o| json!({"order": o.to_json()})),
        (&Method::GET, "/openApi/swap/v2/trade/openOrders") => Ok(
            json!({"orders": books.open_orders().into_iter().map(crate::exchange::SimOrder::to_json).collect::<Vec<_>>()}),
        ),
        (&Method::GET, "/openApi/swap/v2/user/positions") => Ok(books.positions_json()),
        (&Method::GET, "/openApi/swap/v2/user/balance") => {
            let (balance, available) = (books.balance, books.available_margin());
            Ok(
                json!({"balance": {"asset": "VST", "balance": balance.to_string(), "equity": balance.to_string(), "availableMargin": available.to_string()}}),
            )
        }
        (&Method::GET, "/openApi/swap/v1/positionSide/dual") => {
            Ok(json!({"dualSidePosition": books.dual_side.to_string()}))
        }
        (&Method::POST, "/openApi/swap/v1/positionSide/dual") => {
            if !books.positions.is_empty() {
                Err(Refusal { code: 109_400, message: "position mode can only change while flat".into() })
            } else {
                books.dual_side = p.get("dualSidePosition").is_some_and(|v| v == "true");
                Ok(json!({"dualSidePosition": books.dual_side.to_string()}))
            }
        }
        (&Method::GET, "/openApi/swap/v2/trade/leverage") => {
            Ok(books.leverage_json(p.get("symbol").map_or("", String::as_str)))
        }
        (&Method::POST, "/openApi/swap/v2/trade/leverage") => books.set_leverage(&p),
        _ => {
            return reply(
                StatusCode::NOT_FOUND,
                &json!({"code": 100_404, "msg": format!("{method} {path}: no such endpoint")}),
            );
        }
    };
    match result {
        Ok(data) => ok(data),
        Err(r) => err(&r),
    }
}

/// Bind `addr` (loopback only).
///
/// # Errors
/// A non-loopback address, or the bind failing.
pub async fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    if !addr.ip().is_loopback() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("{addr}: the simulator listens on loopback only (127.0.0.1 or ::1)"),
        ));
    }
    TcpListener::bind(addr).await
}
