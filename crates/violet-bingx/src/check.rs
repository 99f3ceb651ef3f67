//! A read-only look at an account: what `violet venue check` prints before anyone arms.
//! It sends no order and changes nothing (no leverage, no mode).

use std::sync::Arc;

use serde_json::{Value, json};

use crate::audit::LogJournal;
use crate::config::BingxConfig;
use crate::venue::{BingxVenue, ConnectError};
use crate::wire::OrderStatus;
use violet_venue::arming::ApiKeys;
use violet_venue::venue::Venue as _;

/// Connect with `config` and `keys` and report server time, contracts, position mode,
/// balance, positions and open orders, as JSON.
///
/// # Errors
/// [`ConnectError`] (a step that failed is named), or a later read failing.
pub async fn account_check(config: BingxConfig, keys: &ApiKeys) -> Result<Value, ConnectError> {
    let host = config.host.base_url().to_string();
    let mode = config.position_mode.as_str();
    let venue = BingxVenue::connect(config, keys, Arc::new(LogJournal)).await?;
    let step = |step: &'static str| move |source| ConnectError::Call { step, source };
    let time = venue.client().clock().last();
    let balance = venue
        .balance()
        .await
        .map_err(|e| ConnectError::Call { step: "balance", source: crate::error::CallError::NotSent(e.to_string()) })?;
    let positions = venue.wire_positions().await.map_err(step("positions"))?;
    let open = venue.open_orders().await.map_err(step("open orders"))?;
    let contracts = venue.contracts();
    Ok(json!({
        "host": host,
        "server_offset_ms": time.offset_ms,
        "round_trip_ms": time.round_trip_ms,
        "position_mode": mode,
        "tradable_contracts": contracts.listed().count(),
        "balance": balance,
        "positions": positions.iter().map(|p| json!({
            "symbol": p.symbol.violet(), "side": p.side.as_str(), "quantity": p.quantity, "avg_price": p.avg_price,
        })).collect::<Vec<_>>(),
        "open_orders": open.iter().map(|o| json!({
            "symbol": o.symbol, "order_id": o.order_id.to_string(), "client_order_id": o.client_order_id,
            "status": o.status.map_or("", OrderStatus::as_str), "executed_qty": o.executed_qty,
        })).collect::<Vec<_>>(),
    }))
}
