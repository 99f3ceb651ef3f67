//! Symbols: VIOLET's `BTCUSDT` is BingX's `BTC-USDT`.

use std::fmt;

/// A USDT-margined perpetual, known under both spellings.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Symbol {
    violet: String,
    venue: String,
}

/// A symbol that cannot be mapped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("symbol {0:?}: expected <BASE>USDT (VIOLET) or <BASE>-USDT (BingX), base of letters and digits")]
pub struct BadSymbol(pub String);

fn base_ok(base: &str) -> bool {
    !base.is_empty() && base.bytes().all(|b| b.is_ascii_alphanumeric())
}

impl Symbol {
    /// From VIOLET's `BTCUSDT`.
    ///
    /// # Errors
    /// [`BadSymbol`].
    pub fn from_violet(s: &str) -> Result<Self, BadSymbol> {
        match s.strip_suffix("USDT") {
            Some(base) if base_ok(base) => Ok(Self { violet: s.to_string(), venue: format!("{base}-USDT") }),
            _ => Err(BadSymbol(s.to_string())),
        }
    }

    /// From BingX's `BTC-USDT`.
    ///
    /// # Errors
    /// [`BadSymbol`].
    pub fn from_venue(s: &str) -> Result<Self, BadSymbol> {
        match s.strip_suffix("-USDT") {
            Some(base) if base_ok(base) => Ok(Self { violet: format!("{base}USDT"), venue: s.to_string() }),
            _ => Err(BadSymbol(s.to_string())),
        }
    }

    /// `BTCUSDT`.
    #[must_use]
    pub fn violet(&self) -> &str {
        &self.violet
    }

    /// `BTC-USDT`.
    #[must_use]
    pub fn venue(&self) -> &str {
        &self.venue
    }
}

impl fmt::Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.venue)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_spellings_map_and_junk_is_refused() {
        let s = Symbol::from_violet("BTCUSDT").expect("ok");
        assert_eq!((s.violet(), s.venue()), ("BTCUSDT", "BTC-USDT"));
        assert_eq!(Symbol::from_venue("1000PEPE-USDT").expect("ok").violet(), "1000PEPEUSDT");
        for bad in ["USDT", "BTC-USD", "BTC/USDT", ""] {
            assert!(Symbol::from_violet(bad).is_err(), "{bad}");
        }
        assert!(Symbol::from_venue("BTCUSDT").is_err());
        assert!(Symbol::from_violet("BT-CUSDT").is_err());
    }
}
