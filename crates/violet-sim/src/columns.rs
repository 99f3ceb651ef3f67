//! The stream in columns: what every configuration's run reads, computed once.
//!
//! A run under BLUE's cadence (every rule on the scan, one slot) reads of each scan only its
//! vel_div, the flat run, the factors in force, the selector's pick and the price of the
//! held symbol. None of these depends on BLUE's constants but the pick's `min_score`, so
//! they are computed once per stream, by the engine's own functions (`FlatRun`,
//! `violet_alpha::select`), and a run is a walk down the columns.

use foldhash::HashMap;
use foldhash::HashMapExt as _;

use violet_alpha::{Pick, select};
use violet_domain::config::BlueConfig;
use violet_domain::event::{Event, Factors, Scan};
use violet_domain::types::{Price, SymbolName};
use violet_engine::decision::FlatRun;

/// Index of a symbol in [`Columns::symbol`].
pub(crate) type SymbolId = u32;

/// The selector's best asset of a scan, with no floor on its score.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BestAsset {
    pub symbol: SymbolId,
    pub price: Price,
    pub score: f64,
}

/// The accepted scans of a stream, column by column, and the symbols they name.
#[derive(Debug, Default)]
pub struct Columns {
    symbols: Vec<SymbolName>,
    scan_number: Vec<i64>,
    vel_div: Vec<f64>,
    flat_run: Vec<i64>,
    factors_at: Vec<u32>,
    factors: Vec<Factors>,
    best: Vec<Option<BestAsset>>,
    /// Scan `k`'s assets are `ids[offsets[k]..offsets[k + 1]]`, sorted by id, and their
    /// prices beside them.
    offsets: Vec<u32>,
    ids: Vec<SymbolId>,
    prices: Vec<Price>,
}

/// The selector with no floor on the score: every eligible asset competes.
fn unfloored() -> BlueConfig {
    BlueConfig { min_score: f64::NEG_INFINITY, ..BlueConfig::default() }
}

impl Columns {
    /// The columns of `events` (accepted, in order).
    ///
    /// # Panics
    /// When the stream has more than `u32::MAX` scans, assets or distinct symbols.
    #[must_use]
    pub fn of(events: &[Event<'_>]) -> Self {
        let mut c = Self { factors: vec![Factors::neutral()], offsets: vec![0], ..Self::default() };
        let mut index: HashMap<&str, SymbolId> = HashMap::new();
        let mut flat = FlatRun::default();
        let unfloored = unfloored();
        let mut row: Vec<(SymbolId, Price)> = Vec::new();
        for ev in events {
            match ev {
                Event::Factors(f) => c.factors.push(*f),
                Event::Tick(_) => {}
                Event::Scan(s) => {
                    c.push_scan(s, &mut index, &mut flat, &unfloored, &mut row);
                }
            }
        }
        c
    }

    fn push_scan<'e>(
        &mut self,
        s: &'e Scan<'_>,
        index: &mut HashMap<&'e str, SymbolId>,
        flat: &mut FlatRun,
        unfloored: &BlueConfig,
        row: &mut Vec<(SymbolId, Price)>,
    ) {
        let vel_div = s.vel_div.into_inner();
        self.scan_number.push(s.scan_number.into_inner());
        self.vel_div.push(vel_div);
        self.flat_run.push(flat.update(vel_div));
        self.factors_at.push(u32::try_from(self.factors.len() - 1).expect("fewer than 2^32 factor snapshots"));
        row.clear();
        for a in &s.assets {
            let name = a.symbol.as_str();
            let id = match index.get(name) {
                Some(&id) => id,
                None => {
                    let id = SymbolId::try_from(self.symbols.len()).expect("fewer than 2^32 symbols");
                    self.symbols.push(a.symbol.to_name());
                    index.insert(name, id);
                    id
                }
            };
            row.push((id, a.price.get()));
        }
        // Stable: of two assets of one name (the decoder refuses them) the first is kept,
        // as `Scan::price_of` finds the first.
        row.sort_by_key(|&(id, _)| id);
        row.dedup_by_key(|&mut (id, _)| id);
        for &(id, price) in row.iter() {
            self.ids.push(id);
            self.prices.push(price);
        }
        self.offsets.push(u32::try_from(self.ids.len()).expect("fewer than 2^32 assets"));
        self.best.push(select(&s.assets, unfloored).map(|p: Pick<'_>| BestAsset {
            symbol: index[p.symbol],
            price: p.price,
            score: p.score,
        }));
    }

    /// Accepted scans.
    #[must_use]
    pub fn scans(&self) -> usize {
        self.vel_div.len()
    }

    /// Distinct symbols named.
    #[must_use]
    pub fn symbol_count(&self) -> usize {
        self.symbols.len()
    }

    pub(crate) fn symbol(&self, id: SymbolId) -> &SymbolName {
        &self.symbols[id as usize]
    }

    pub(crate) fn scan_number(&self, k: usize) -> i64 {
        self.scan_number[k]
    }

    pub(crate) fn vel_div(&self, k: usize) -> f64 {
        self.vel_div[k]
    }

    pub(crate) fn flat_run(&self, k: usize) -> i64 {
        self.flat_run[k]
    }

    pub(crate) fn factors(&self, k: usize) -> &Factors {
        &self.factors[self.factors_at[k] as usize]
    }

    /// The selector's pick of scan `k` under `cfg` (`violet_alpha::select`'s, to the bit).
    ///
    /// The best asset with no floor is the pick under any floor `m` it clears, and no asset
    /// clears a floor the best does not: every eligible score is at most the best's, and
    /// the ranking (score, then symbol) is a total order on the distinct symbols of a scan,
    /// so the best of a subset that holds the best of the whole is that best.
    pub(crate) fn pick(&self, k: usize, cfg: &BlueConfig) -> Option<Pick<'_>> {
        let b = self.best[k]?;
        (b.score > cfg.min_score).then(|| Pick {
            symbol: self.symbols[b.symbol as usize].as_str(),
            price: b.price,
            score: b.score,
        })
    }

    pub(crate) fn best_symbol(&self, k: usize) -> Option<SymbolId> {
        self.best[k].map(|b| b.symbol)
    }

    /// The price of `symbol` in scan `k`, if the scan lists it (`Scan::price_of`).
    #[inline]
    pub(crate) fn price_of(&self, k: usize, symbol: SymbolId) -> Option<Price> {
        let (lo, hi) = (self.offsets[k] as usize, self.offsets[k + 1] as usize);
        let ids = &self.ids[lo..hi];
        // Ids are given in order of first appearance and a scan's are sorted: where a scan
        // lists every symbol seen so far, `symbol` sits at its own index.
        let at = symbol as usize;
        if ids.get(at) == Some(&symbol) {
            return Some(self.prices[lo + at]);
        }
        ids.binary_search(&symbol).ok().map(|i| self.prices[lo + i])
    }
}
