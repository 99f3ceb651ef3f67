//! Positions, balance, open orders and leverage.

use std::sync::PoisonError;

use violet_venue::venue::{Unrecoverable, VenueError, VenuePosition};

use super::BingxVenue;
use crate::client::endpoint::{BALANCE, GET_LEVERAGE, OPEN_ORDERS, POSITIONS, SET_LEVERAGE};
use crate::error::CallError;
use crate::sign::Params;
use crate::symbol::Symbol;
use crate::wire::account::{available_margin, balance, leverage};
use crate::wire::envelope::malformed;
use crate::wire::{PositionSide, WireError, WireOrder, WirePosition};

fn rows(data: &serde_json::Value, inner: &'static str) -> Result<Vec<serde_json::Value>, CallError> {
    let list = match data {
        serde_json::Value::Array(rows) => rows,
        serde_json::Value::Object(o) => match o.get(inner) {
            Some(serde_json::Value::Array(rows)) => rows,
            _ => return Err(malformed(WireError::new(inner, "expected a list"))),
        },
        serde_json::Value::Null => return Ok(Vec::new()),
        _ => return Err(malformed(WireError::new(inner, "expected a list"))),
    };
    Ok(list.clone())
}

pub(super) fn bad_params(e: crate::sign::UnsafeParam) -> VenueError {
    Unrecoverable::BadRequest(e.to_string()).into()
}

impl BingxVenue {
    /// Every position row (zero rows skipped).
    ///
    /// # Errors
    /// [`CallError`].
    pub async fn wire_positions(&self) -> Result<Vec<WirePosition>, CallError> {
        let data = self.client().call(POSITIONS, Params::new(), None).await?;
        let mut out = Vec::new();
        for row in rows(&data, "positions")? {
            let p = WirePosition::parse(&row).map_err(malformed)?;
            if p.quantity != 0.0 {
                out.push(p);
            }
        }
        Ok(out)
    }

    /// Orders BingX still works (all symbols).
    ///
    /// # Errors
    /// [`CallError`].
    pub async fn open_orders(&self) -> Result<Vec<WireOrder>, CallError> {
        let data = self.client().call(OPEN_ORDERS, Params::new(), None).await?;
        rows(&data, "orders")?.iter().map(|r| WireOrder::parse(r).map_err(malformed)).collect()
    }

    /// Make the venue's leverage for `symbol` and `side` equal `wanted` (read once, then
    /// cached; set only when it differs).
    ///
    /// # Errors
    /// [`VenueError`].
    pub async fn ensure_leverage(&self, symbol: &Symbol, side: PositionSide, wanted: u32) -> Result<(), VenueError> {
        let key = (symbol.venue().to_string(), side);
        let known = self.inner.leverage.lock().unwrap_or_else(PoisonError::into_inner).get(&key).copied();
        let current = match known {
            Some(l) => l,
            None => {
                let p = Params::new().set("symbol", symbol.venue()).map_err(bad_params)?;
                let data = self.client().call(GET_LEVERAGE, p, None).await?;
                leverage(&data, side).map_err(malformed)?
            }
        };
        if current != i64::from(wanted) {
            let p = Params::new()
                .set("symbol", symbol.venue())
                .and_then(|p| p.set("side", side.as_str()))
                .and_then(|p| p.set("leverage", wanted.to_string()))
                .map_err(bad_params)?;
            self.client().call(SET_LEVERAGE, p, None).await?;
            tracing::info!(
                symbol = symbol.venue(),
                side = side.as_str(),
                from = current,
                to = wanted,
                "BingX leverage set"
            );
        }
        self.inner.leverage.lock().unwrap_or_else(PoisonError::into_inner).insert(key, i64::from(wanted));
        Ok(())
    }

    pub(super) async fn venue_positions(&self) -> Result<Vec<VenuePosition>, VenueError> {
        Ok(self
            .wire_positions()
            .await?
            .into_iter()
            .map(|p| VenuePosition {
                symbol: p.symbol.violet().to_string(),
                quantity: p.quantity,
                entry_price: p.avg_price,
            })
            .collect())
    }

    /// Refuse an entry needing `needed` of margin when the account has less available.
    ///
    /// # Errors
    /// [`Unrecoverable::Rejected`] naming both amounts (nothing was sent); the balance
    /// request's error.
    pub(super) async fn check_margin(&self, needed: f64) -> Result<(), VenueError> {
        let data = self.client().call(BALANCE, Params::new(), None).await?;
        let available = available_margin(&data).map_err(malformed)?;
        if available < needed {
            return Err(Unrecoverable::Rejected(format!(
                "insufficient margin: the entry needs {needed} available, the account has {available}"
            ))
            .into());
        }
        Ok(())
    }

    pub(super) async fn venue_balance(&self) -> Result<f64, VenueError> {
        let data = self.client().call(BALANCE, Params::new(), None).await?;
        Ok(balance(&data).map_err(malformed)?)
    }
}
