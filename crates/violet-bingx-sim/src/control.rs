//! `/sim/...`: what an operator (or a test) tells the simulator: prices, faults, skew,
//! positions from outside, and its state.

use std::collections::HashMap;
use std::sync::atomic::Ordering;

use hyper::{Method, StatusCode};
use serde_json::{Value, json};

use crate::auth::pairs;
use crate::fault::{Fault, FaultKind, Target};
use crate::server::Shared;

type Answer = hyper::Response<http_body_util::Full<bytes::Bytes>>;

fn answer(status: StatusCode, body: &Value) -> Answer {
    let mut r = hyper::Response::new(http_body_util::Full::new(bytes::Bytes::from(body.to_string())));
    *r.status_mut() = status;
    r
}

fn bad(why: impl Into<String>) -> Answer {
    answer(StatusCode::BAD_REQUEST, &json!({"error": why.into()}))
}

/// The fault a control request describes: `kind` = 429 | code | drop | 504 | delay | late |
/// partial | processing, with `target` (place, query, cancel, any; default place), `times`
/// (default 1), `ms`, `code` + `msg`, `fraction`.
///
/// # Errors
/// What is missing or wrong, naming the parameter.
pub fn parse_fault(p: &HashMap<String, String>) -> Result<Fault, String> {
    let num = |k: &str| -> Result<u64, String> {
        p.get(k).ok_or(format!("{k} is required"))?.parse().map_err(|_| format!("{k} must be a whole number"))
    };
    let kind = match p.get("kind").map(String::as_str) {
        Some("429") => FaultKind::Http429,
        Some("code") => FaultKind::Code(
            p.get("code").ok_or("code is required")?.parse().map_err(|_| "code must be an integer")?,
            p.get("msg").cloned().unwrap_or_else(|| "simulated error".into()),
        ),
        Some("busy") => FaultKind::Code(109_429, "system busy, please retry later".into()),
        Some("drop") => FaultKind::DropAfterExecute,
        Some("504") => FaultKind::Http504AfterExecute,
        Some("delay") => FaultKind::DelayAnswer(num("ms")?),
        Some("late") => FaultKind::LateArrival(num("ms")?),
        Some("partial") => FaultKind::PartialFill(
            p.get("fraction")
                .and_then(|f| f.parse::<f64>().ok())
                .filter(|f| (0.0..=1.0).contains(f))
                .ok_or("fraction must be in 0..=1")?,
        ),
        Some("processing") => FaultKind::Processing,
        other => {
            return Err(format!(
                "kind {other:?}: expected 429, code, busy, drop, 504, delay, late, partial or processing"
            ));
        }
    };
    let default_target = if kind == FaultKind::Processing { "query" } else { "place" };
    let target = p.get("target").map_or(default_target, String::as_str);
    let target = Target::parse(target).ok_or(format!("target {target:?}: expected place, query, cancel or any"))?;
    let times = match p.get("times") {
        None => 1,
        Some(t) => t.parse().map_err(|_| "times must be a whole number")?,
    };
    Ok(Fault { kind, target, times })
}

/// Serve one control request.
pub fn handle(shared: &Shared, method: &Method, path: &str, query: &str) -> Answer {
    let p: HashMap<String, String> = pairs(query).into_iter().collect();
    match (method, path) {
        (&Method::POST, "price") => {
            let (Some(symbol), Some(price)) = (p.get("symbol"), p.get("price").and_then(|x| x.parse::<f64>().ok()))
            else {
                return bad("symbol and price (a positive number) are required");
            };
            if !(price.is_finite() && price > 0.0) {
                return bad("price must be a positive number");
            }
            let mut books = shared.books();
            books.contracts.entry(symbol.clone()).or_default();
            books.prices.insert(symbol.clone(), price);
            answer(StatusCode::OK, &json!({"symbol": symbol, "price": price}))
        }
        (&Method::POST, "fault") => match parse_fault(&p) {
            Ok(f) => {
                let shown = format!("{f:?}");
                shared.inject(f);
                answer(StatusCode::OK, &json!({"queued": shown}))
            }
            Err(e) => bad(e),
        },
        (&Method::POST, "skew") => match p.get("ms").and_then(|m| m.parse::<i64>().ok()) {
            Some(ms) => {
                shared.skew_ms.store(ms, Ordering::Relaxed);
                answer(StatusCode::OK, &json!({"skew_ms": ms}))
            }
            None => bad("ms (an integer, may be negative) is required"),
        },
        (&Method::POST, "position") => {
            let side = p.get("side").map_or("", String::as_str);
            let qty = p.get("qty").and_then(|q| q.parse::<f64>().ok());
            let price = p.get("price").and_then(|q| q.parse::<f64>().ok());
            match (p.get("symbol"), qty, price) {
                (Some(s), Some(q), Some(px))
                    if matches!(side, "LONG" | "SHORT" | "BOTH") && q.is_finite() && px > 0.0 =>
                {
                    shared.books().external_position(s, side, q, px);
                    answer(StatusCode::OK, &json!({"symbol": s, "side": side, "qty": q}))
                }
                _ => bad("symbol, side (LONG, SHORT or BOTH), qty and price are required"),
            }
        }
        (&Method::POST, "clear") => {
            shared.faults.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
            answer(StatusCode::OK, &json!({"faults": 0}))
        }
        (&Method::GET, "state") => {
            let books = shared.books();
            answer(
                StatusCode::OK,
                &json!({
                    "balance": books.balance,
                    "dual_side": books.dual_side,
                    "orders": books.orders.iter().map(crate::exchange::SimOrder::to_json).collect::<Vec<_>>(),
                    "positions": books.positions_json(),
                    "requests": shared.requests.load(Ordering::Relaxed),
                    "auth_refusals": shared.auth_refusals.load(Ordering::Relaxed),
                }),
            )
        }
        _ => answer(
            StatusCode::NOT_FOUND,
            &json!({"error": format!("{method} /sim/{path}: expected POST price|fault|skew|position|clear or GET state")}),
        ),
    }
}
