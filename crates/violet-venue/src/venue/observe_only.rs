//! The observe-only guard: the venue `violet run` gets whenever execution is not armed.

use std::sync::atomic::{AtomicU64, Ordering};

use violet_domain::types::SymbolName;

use crate::order::ClientOrderId;
use crate::venue::api::{OrderReport, OrderRequest, Venue, VenuePosition};
use crate::venue::error::{Unrecoverable, VenueError};

/// Refuses every order and cancel with [`Unrecoverable::ObserveOnly`], and counts them. It
/// holds no keys and no connection: nothing can leave the process through it.
#[derive(Debug, Default)]
pub struct ObserveOnlyVenue {
    refused: AtomicU64,
}

impl ObserveOnlyVenue {
    /// A guard with nothing refused yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Orders (and cancels) refused so far.
    #[must_use]
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }
}

impl Venue for ObserveOnlyVenue {
    async fn place_order(&self, _: &OrderRequest) -> Result<OrderReport, VenueError> {
        self.refused.fetch_add(1, Ordering::Relaxed);
        Err(Unrecoverable::ObserveOnly.into())
    }

    async fn cancel_order(&self, _: &SymbolName, _: &ClientOrderId) -> Result<OrderReport, VenueError> {
        self.refused.fetch_add(1, Ordering::Relaxed);
        Err(Unrecoverable::ObserveOnly.into())
    }

    async fn query_order(&self, _: &SymbolName, _: &ClientOrderId) -> Result<OrderReport, VenueError> {
        Err(Unrecoverable::ObserveOnly.into())
    }

    async fn positions(&self) -> Result<Vec<VenuePosition>, VenueError> {
        Ok(Vec::new())
    }

    async fn balance(&self) -> Result<f64, VenueError> {
        Ok(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::{DecisionEvent, Leg, Quantity, Side};

    #[tokio::test(flavor = "current_thread")]
    async fn every_order_is_refused_typed_and_counted() {
        let v = ObserveOnlyVenue::new();
        let event = DecisionEvent { scan_number: 1, ts_ns: 0 };
        let req = OrderRequest {
            client_order_id: ClientOrderId::new("r", event, Leg::Entry, 0),
            symbol: SymbolName::try_new("BTCUSDT".to_string()).expect("symbol"),
            side: Side::Sell,
            quantity: Quantity::computed(1.0),
            reduce_only: false,
            leverage: None,
            deadline: violet_clock::UnixNanos::MAX,
            margin: None,
        };
        for n in 1..=3 {
            let e = v.place_order(&req).await.expect_err("refused");
            assert_eq!(e, VenueError::Unrecoverable(Unrecoverable::ObserveOnly));
            assert!(!e.is_recoverable());
            assert_eq!(v.refused(), n);
        }
        assert!(v.positions().await.expect("positions").is_empty());
    }
}
