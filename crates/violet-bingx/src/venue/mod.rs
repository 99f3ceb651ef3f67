//! [`BingxVenue`]: the `Venue` trait on BingX, with the account set-up it needs (server
//! time, contracts, position mode, leverage) and the rule for orders whose outcome is
//! unknown (query; resend the same `clientOrderId` only when BingX says it has no such
//! order, before the deadline, and once the first send's `recvWindow` has passed so it can
//! no longer execute).

mod account;
mod orders;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Instant;

use violet_venue::arming::ApiKeys;
use violet_venue::contracts::Contracts;

use crate::audit::RequestJournal;
use crate::client::endpoint::{CONTRACTS, POSITION_MODE};
use crate::client::{BuildError, Client};
use crate::config::{BingxConfig, PositionMode};
use crate::error::CallError;
use crate::sign::Params;
use crate::symbol::Symbol;
use crate::wire::account::dual_side;
use crate::wire::envelope::malformed;
use crate::wire::{ContractSpec, PositionSide, WireError};

/// The adapter could not start.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The HTTPS client.
    #[error(transparent)]
    Build(#[from] BuildError),
    /// A start-up request failed.
    #[error("BingX start-up step {step} failed: {source}")]
    Call {
        /// Which step.
        step: &'static str,
        /// Why.
        source: CallError,
    },
    /// The account's position mode is not the configured one.
    #[error(
        "the BingX account is in {venue} position mode but VIOLET is configured for {configured}: refusing to trade (change one of them while flat)"
    )]
    PositionMode {
        /// Configured.
        configured: &'static str,
        /// The account's.
        venue: &'static str,
    },
}

#[derive(Debug, Default)]
struct ContractBook {
    specs: HashMap<String, ContractSpec>,
    fetched: Option<Instant>,
}

#[derive(Debug)]
struct Inner {
    client: Client,
    config: BingxConfig,
    contracts: RwLock<ContractBook>,
    /// The venue's leverage per (BingX symbol, side), as last read or set.
    leverage: Mutex<HashMap<(String, PositionSide), i64>>,
}

/// BingX USDT-M perpetuals behind the `Venue` trait. Cheap to clone (one shared client).
#[derive(Debug, Clone)]
pub struct BingxVenue {
    inner: Arc<Inner>,
}

impl BingxVenue {
    /// Connect: read server time, contracts and the position mode, and refuse an account
    /// whose position mode is not `config.position_mode`.
    ///
    /// # Errors
    /// [`ConnectError`].
    pub async fn connect(
        config: BingxConfig,
        keys: &ApiKeys,
        journal: Arc<dyn RequestJournal>,
    ) -> Result<Self, ConnectError> {
        let client = Client::new(&config, keys, journal)?;
        let venue = Self {
            inner: Arc::new(Inner {
                client,
                config,
                contracts: RwLock::new(ContractBook::default()),
                leverage: Mutex::new(HashMap::new()),
            }),
        };
        let sync =
            venue.client().sync_time().await.map_err(|source| ConnectError::Call { step: "server time", source })?;
        tracing::info!(
            host = venue.inner.config.host.name(),
            offset_ms = sync.offset_ms,
            round_trip_ms = sync.round_trip_ms,
            "BingX server time"
        );
        venue.refresh_contracts().await.map_err(|source| ConnectError::Call { step: "contracts", source })?;
        let mode =
            venue.position_mode().await.map_err(|source| ConnectError::Call { step: "position mode", source })?;
        if mode != venue.inner.config.position_mode {
            return Err(ConnectError::PositionMode {
                configured: venue.inner.config.position_mode.as_str(),
                venue: mode.as_str(),
            });
        }
        Ok(venue)
    }

    /// The client (for status and the journal's figures).
    #[must_use]
    pub fn client(&self) -> &Client {
        &self.inner.client
    }

    /// The configuration.
    #[must_use]
    pub fn config(&self) -> &BingxConfig {
        &self.inner.config
    }

    /// The account's position mode as BingX reports it.
    ///
    /// # Errors
    /// [`CallError`].
    pub async fn position_mode(&self) -> Result<PositionMode, CallError> {
        let data = self.client().call(POSITION_MODE, Params::new(), None).await?;
        Ok(if dual_side(&data).map_err(malformed)? { PositionMode::Hedge } else { PositionMode::OneWay })
    }

    /// Read the contract specs again.
    ///
    /// # Errors
    /// [`CallError`]; a row that cannot be read is skipped with a warning.
    pub async fn refresh_contracts(&self) -> Result<usize, CallError> {
        let data = self.client().call(CONTRACTS, Params::new(), None).await?;
        let rows = data.as_array().ok_or_else(|| malformed(WireError::new("data", "expected a list of contracts")))?;
        let mut specs = HashMap::with_capacity(rows.len());
        for row in rows {
            match ContractSpec::parse(row) {
                Ok(spec) => {
                    specs.insert(spec.symbol.violet().to_string(), spec);
                }
                Err(e) => tracing::warn!(error = %e, "BingX contract row skipped"),
            }
        }
        let n = specs.len();
        *self.inner.contracts.write().unwrap_or_else(PoisonError::into_inner) =
            ContractBook { specs, fetched: Some(Instant::now()) };
        Ok(n)
    }

    /// A symbol's spec (`BTCUSDT`).
    #[must_use]
    pub fn spec(&self, symbol: &Symbol) -> Option<ContractSpec> {
        self.inner.contracts.read().unwrap_or_else(PoisonError::into_inner).specs.get(symbol.violet()).cloned()
    }

    /// The tradable contracts as L3 specs, for the execution task's rounding.
    #[must_use]
    pub fn contracts(&self) -> Contracts {
        let book = self.inner.contracts.read().unwrap_or_else(PoisonError::into_inner);
        Contracts::from_specs(
            book.specs.iter().filter(|(_, s)| s.tradable).map(|(k, s)| (k.clone(), s.contract)).collect(),
        )
    }

    /// Keep server time and contracts fresh in the background (every
    /// `time_sync_every` / `contracts_every`); failures are logged and retried next time.
    #[must_use]
    pub fn spawn_maintenance(&self) -> tokio::task::JoinHandle<()> {
        let venue = self.clone();
        tokio::spawn(async move {
            let cfg = venue.inner.config.clone();
            let mut tick = tokio::time::interval(cfg.time_sync_every.min(cfg.contracts_every));
            tick.tick().await;
            loop {
                tick.tick().await;
                if let Err(e) = venue.client().sync_time().await {
                    tracing::warn!(error = %e, "BingX server time not read");
                }
                let stale = venue
                    .inner
                    .contracts
                    .read()
                    .unwrap_or_else(PoisonError::into_inner)
                    .fetched
                    .is_none_or(|t| t.elapsed() >= cfg.contracts_every);
                if stale && let Err(e) = venue.refresh_contracts().await {
                    tracing::warn!(error = %e, "BingX contracts not refreshed");
                }
            }
        })
    }
}
