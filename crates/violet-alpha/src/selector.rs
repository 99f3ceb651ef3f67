//! The asset selector (`blue/selector.py`): which asset a SHORT entry goes into.

use violet_domain::config::BlueConfig;
use violet_domain::event::Asset;
use violet_domain::types::Price;

/// Symbols never traded: stablecoins.
pub const STABLECOIN_SYMBOLS: [&str; 10] = [
    "USDCUSDT",
    "FDUSDUSDT",
    "TUSDUSDT",
    "BUSDUSDT",
    "DAIUSDT",
    "USDPUSDT",
    "PYUSDUSDT",
    "USDEUSDT",
    "EURUSDT",
    "AEURUSDT",
];

/// Whether `symbol` is one of [`STABLECOIN_SYMBOLS`].
#[inline]
#[must_use]
pub fn is_stablecoin(symbol: &str) -> bool {
    // All end in "USDT" and are 7..=9 bytes long: a cheap filter before the list.
    (7..=9).contains(&symbol.len()) && STABLECOIN_SYMBOLS.contains(&symbol)
}

/// The selector's pick: the best SHORT candidate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pick<'s> {
    /// Its symbol (borrowed from the scan).
    pub symbol: &'s str,
    /// Its price in the scan.
    pub price: Price,
    /// `-ret / vol` (may be infinite on extreme valid inputs).
    pub score: f64,
}

/// The best SHORT candidate, or `None`.
///
/// score = `-ret / vol`; stablecoins and `vol == 0` are ineligible; the score must exceed
/// `min_score`; ties go to the lexicographically smaller symbol (code-point order, which is
/// UTF-8 byte order).
#[must_use]
pub fn select<'s>(assets: &'s [Asset<'_>], cfg: &BlueConfig) -> Option<Pick<'s>> {
    // The best so far: (asset, score); its price is converted once, at the end.
    let mut best: Option<(&'s Asset<'_>, f64)> = None;
    for a in assets {
        let vol = a.vol.get().into_inner();
        if vol == 0.0 || is_stablecoin(a.symbol.as_str()) {
            continue;
        }
        let score = -a.ret.get().into_inner() / vol;
        if !(score > cfg.min_score) {
            continue;
        }
        let better = match best {
            None => true,
            Some((b, b_score)) => score > b_score || (score == b_score && a.symbol.as_str() < b.symbol.as_str()),
        };
        if better {
            best = Some((a, score));
        }
    }
    best.map(|(a, score)| Pick { symbol: a.symbol.as_str(), price: a.price.get(), score })
}
