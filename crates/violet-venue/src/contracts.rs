//! Contract specs for L3 rounding (`fixtures/contracts.json` is the default).

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;
use violet_leverage::Contract;

/// The bundled `fixtures/contracts.json`.
pub const DEFAULT_CONTRACTS: &str = include_str!("../../../fixtures/contracts.json");

/// Specs by symbol, with a default for symbols not listed.
#[derive(Debug, Clone, Deserialize)]
pub struct Contracts {
    default: Option<Contract>,
    symbols: HashMap<String, Contract>,
}

/// A contracts file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("contracts {origin}: {message}")]
pub struct ContractsError {
    /// The file (or "bundled").
    pub origin: String,
    /// What is wrong.
    pub message: String,
}

impl Contracts {
    /// The bundled specs.
    ///
    /// # Panics
    /// Never: the bundled file is tested.
    #[must_use]
    pub fn bundled() -> Self {
        Self::parse(DEFAULT_CONTRACTS, "bundled").unwrap_or_else(|e| unreachable!("{e}"))
    }

    /// Specs an exchange published (an adapter's `quote/contracts`), by VIOLET symbol
    /// (`BTCUSDT`); symbols not listed have none.
    #[must_use]
    pub fn from_specs(symbols: HashMap<String, Contract>) -> Self {
        Self { default: None, symbols }
    }

    /// Parse `{"default": {...}, "symbols": {"BTCUSDT": {...}}}`.
    ///
    /// # Errors
    /// [`ContractsError`] naming `origin`.
    pub fn parse(text: &str, origin: &str) -> Result<Self, ContractsError> {
        let c: Self =
            serde_json::from_str(text).map_err(|e| ContractsError { origin: origin.into(), message: e.to_string() })?;
        for (name, k) in c.symbols.iter().map(|(n, k)| (n.as_str(), k)).chain(c.default.iter().map(|k| ("default", k)))
        {
            if !(k.min_qty.is_finite() && k.min_qty >= 0.0 && k.min_notional.is_finite() && k.min_notional >= 0.0) {
                return Err(ContractsError {
                    origin: origin.into(),
                    message: format!("{name}: min_qty and min_notional must be finite and >= 0"),
                });
            }
        }
        Ok(c)
    }

    /// Read a contracts file.
    ///
    /// # Errors
    /// [`ContractsError`].
    pub fn from_file(path: &Path) -> Result<Self, ContractsError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ContractsError { origin: path.display().to_string(), message: e.to_string() })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// The symbols listed, with their specs.
    pub fn listed(&self) -> impl Iterator<Item = (&str, &Contract)> {
        self.symbols.iter().map(|(k, c)| (k.as_str(), c))
    }

    /// The spec for symbols not listed.
    #[must_use]
    pub fn fallback(&self) -> Option<&Contract> {
        self.default.as_ref()
    }

    /// The spec for `symbol` (or the default).
    #[must_use]
    pub fn get(&self, symbol: &str) -> Option<&Contract> {
        self.symbols.get(symbol).or(self.default.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_contracts_load_and_default_covers_the_rest() {
        let c = Contracts::bundled();
        assert_eq!(c.get("BTCUSDT").map(|k| k.quantity_precision.into_inner()), Some(4));
        assert!(c.get("A028USDT").is_some(), "default");
        assert!(
            Contracts::parse(
                "{\"symbols\":{\"X\":{\"quantity_precision\":99,\"min_qty\":1,\"min_notional\":1,\"max_leverage\":5}}}",
                "t"
            )
            .is_err()
        );
    }
}
