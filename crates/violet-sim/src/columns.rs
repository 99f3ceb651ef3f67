//! The stream in columns: what every configuration's run reads, computed once.
//!
//! A run under BLUE's cadence (every rule on the scan, one slot) reads of each scan only its
//! vel_div, the flat run, the factors in force, the selector's pick and the price of the
//! held symbol. None of these depends on BLUE's constants but the pick's `min_score`, so
//! they are computed once per stream, by the engine's own functions (`FlatRun`,
//! `violet_alpha::select`), and a run is a walk down the columns.

use std::sync::OnceLock;

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
    /// Each scan's best asset, selected when a run first needs it (only scans some run
    /// gets to the selector on are selected: most runs hold or see no signal most of the
    /// time, and selecting reads every asset's ret and vol).
    best: Vec<OnceLock<Option<BestAsset>>>,
    /// The index in the stream's events of each scan.
    scan_event: Vec<u32>,
    /// Symbol ids by name.
    index: HashMap<Box<str>, SymbolId>,
    /// Each scan's asset prices by symbol id.
    prices: PriceIndex,
}

/// Each scan's asset prices by symbol id.
#[derive(Debug)]
enum PriceIndex {
    /// Scan `k`'s assets are `ids[offsets[k]..offsets[k + 1]]`, sorted by id, and their
    /// prices beside them.
    ByScan { offsets: Vec<u32>, ids: Vec<SymbolId>, prices: Vec<Price> },
    /// When the symbols × scans matrix is at least an eighth full: each symbol's price in
    /// each scan, symbol by symbol (`m[id * scans + k]`, 0.0 where the scan lacks it; prices
    /// are > 0), so a held symbol's prices are read in a straight line.
    BySymbol { m: Vec<f64>, scans: usize },
}

impl Default for PriceIndex {
    fn default() -> Self {
        Self::ByScan { offsets: vec![0], ids: Vec::new(), prices: Vec::new() }
    }
}

impl PriceIndex {
    /// Append a scan's (id, price) pairs, sorted by id, the first of equal ids kept (as
    /// `Scan::price_of` finds the first).
    fn push(&mut self, row: &mut [(SymbolId, Price)]) {
        let Self::ByScan { offsets, ids, prices } = self else { unreachable!("built by scan") };
        row.sort_by_key(|&(id, _)| id);
        let mut last = None;
        for &(id, price) in row.iter() {
            if last != Some(id) {
                ids.push(id);
                prices.push(price);
                last = Some(id);
            }
        }
        offsets.push(u32::try_from(ids.len()).expect("fewer than 2^32 assets"));
    }

    /// The index by symbol, for `symbols` symbols, when it is dense enough to pay.
    fn densest(self, symbols: usize) -> Self {
        let Self::ByScan { offsets, ids, prices } = &self else { return self };
        let scans = offsets.len() - 1;
        match symbols.checked_mul(scans) {
            Some(cells) if cells <= 8 * ids.len().max(1) => {
                let mut m = vec![0.0; cells];
                for k in 0..scans {
                    let (lo, hi) = (offsets[k] as usize, offsets[k + 1] as usize);
                    for (id, p) in ids[lo..hi].iter().zip(&prices[lo..hi]) {
                        m[*id as usize * scans + k] = p.into_inner();
                    }
                }
                Self::BySymbol { m, scans }
            }
            _ => self,
        }
    }

    /// The price of `symbol` in scan `k`, if the scan lists it.
    #[inline]
    fn get(&self, k: usize, symbol: SymbolId) -> Option<Price> {
        match self {
            Self::BySymbol { m, scans } => {
                let x = m[symbol as usize * scans + k];
                // 0.0: the scan lacks the symbol; anything else was a `Price`.
                if x > 0.0 { Price::try_new(x).ok() } else { None }
            }
            Self::ByScan { offsets, ids, prices } => {
                let lo = offsets[k] as usize;
                let ids = &ids[lo..offsets[k + 1] as usize];
                ids.binary_search(&symbol).ok().map(|i| prices[lo + i])
            }
        }
    }
}

/// The selector with no floor on the score: every eligible asset competes.
fn unfloored() -> BlueConfig {
    BlueConfig { min_score: f64::NEG_INFINITY, ..BlueConfig::default() }
}

/// A contiguous run of scans, read on one thread: every asset's symbol as an id local to
/// the part (in order of first appearance in it) and its price, scan after scan.
struct Part<'e> {
    names: Vec<&'e str>,
    ids: Vec<SymbolId>,
    prices: Vec<Price>,
}

impl<'e> Part<'e> {
    fn of(scans: &[&'e Scan<'_>]) -> Self {
        let mut index: HashMap<&'e str, SymbolId> = HashMap::new();
        let mut part = Part { names: Vec::new(), ids: Vec::new(), prices: Vec::new() };
        for s in scans {
            for a in &s.assets {
                let name = a.symbol.as_str();
                let id = *index.entry(name).or_insert_with(|| {
                    part.names.push(name);
                    SymbolId::try_from(part.names.len() - 1).expect("fewer than 2^32 symbols")
                });
                part.ids.push(id);
                part.prices.push(a.price.get());
            }
        }
        part
    }
}

impl Columns {
    /// The columns of `events` (accepted, in order), the scans' assets read on `threads`
    /// threads (0: one per core).
    ///
    /// # Panics
    /// When the stream has more than `u32::MAX` scans, assets or distinct symbols.
    #[must_use]
    pub fn of(events: &[Event<'_>], threads: usize) -> Self {
        let scans: Vec<&Scan<'_>> =
            events.iter().filter_map(|e| if let Event::Scan(s) = e { Some(s) } else { None }).collect();
        let threads = crate::threads::resolve(threads);
        let per = scans.len().div_ceil(threads).max(1);
        let parts: Vec<Part<'_>> = std::thread::scope(|scope| {
            let handles: Vec<_> = scans.chunks(per).map(|part| scope.spawn(|| Part::of(part))).collect();
            handles.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
        });
        let mut c = Self { factors: vec![Factors::neutral()], ..Self::default() };
        // Global ids in order of first appearance in the stream: part by part, each part's
        // symbols in its own order of first appearance.
        let mut index: HashMap<&str, SymbolId> = HashMap::new();
        let remaps: Vec<Vec<SymbolId>> = parts
            .iter()
            .map(|p| {
                p.names
                    .iter()
                    .map(|&name| {
                        *index.entry(name).or_insert_with(|| {
                            let name =
                                SymbolName::try_new(name.to_string()).unwrap_or_else(|_| unreachable!("non-empty"));
                            c.symbols.push(name);
                            SymbolId::try_from(c.symbols.len() - 1).expect("fewer than 2^32 symbols")
                        })
                    })
                    .collect()
            })
            .collect();
        let mut flat = FlatRun::default();
        let mut row: Vec<(SymbolId, Price)> = Vec::new();
        let mut scan = 0;
        let (mut part, mut at) = (0, 0);
        for (i, ev) in events.iter().enumerate() {
            match ev {
                Event::Factors(f) => c.factors.push(*f),
                Event::Tick(_) => {}
                Event::Scan(s) => {
                    if scan > 0 && scan % per == 0 {
                        (part, at) = (part + 1, 0);
                    }
                    scan += 1;
                    let n = s.assets.len();
                    let (p, remap) = (&parts[part], &remaps[part]);
                    row.clear();
                    row.extend(
                        p.ids[at..at + n].iter().zip(&p.prices[at..at + n]).map(|(&id, &pr)| (remap[id as usize], pr)),
                    );
                    at += n;
                    c.scan_event.push(u32::try_from(i).expect("fewer than 2^32 events"));
                    c.push_scan(s, &mut flat, &mut row);
                }
            }
        }
        c.best = (0..c.scans()).map(|_| OnceLock::new()).collect();
        c.index = index.into_iter().map(|(name, id)| (Box::from(name), id)).collect();
        c.prices = std::mem::take(&mut c.prices).densest(c.symbols.len());
        c
    }

    /// Append scan `s`, its assets' (global id, price) in `row` in the scan's order.
    fn push_scan(&mut self, s: &Scan<'_>, flat: &mut FlatRun, row: &mut [(SymbolId, Price)]) {
        let vel_div = s.vel_div.into_inner();
        self.scan_number.push(s.scan_number.into_inner());
        self.vel_div.push(vel_div);
        self.flat_run.push(flat.update(vel_div));
        self.factors_at.push(u32::try_from(self.factors.len() - 1).expect("fewer than 2^32 factor snapshots"));
        self.prices.push(row);
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
    pub(crate) fn pick<'s>(&'s self, k: usize, cfg: &BlueConfig, events: &[Event<'_>]) -> Option<Pick<'s>> {
        let b = self.best(k, events)?;
        (b.score > cfg.min_score).then(|| Pick {
            symbol: self.symbols[b.symbol as usize].as_str(),
            price: b.price,
            score: b.score,
        })
    }

    /// Scan `k`'s best asset with no floor on the score (`events`: the stream's, as these
    /// columns were built from).
    pub(crate) fn best(&self, k: usize, events: &[Event<'_>]) -> Option<BestAsset> {
        *self.best[k].get_or_init(|| {
            let Event::Scan(s) = &events[self.scan_event[k] as usize] else { unreachable!("scan {k} is a scan event") };
            select(&s.assets, &unfloored()).map(|p| BestAsset {
                symbol: self.index[p.symbol],
                price: p.price,
                score: p.score,
            })
        })
    }

    /// The price of `symbol` in scan `k`, if the scan lists it (`Scan::price_of`).
    #[inline]
    pub(crate) fn price_of(&self, k: usize, symbol: SymbolId) -> Option<Price> {
        self.prices.get(k, symbol)
    }
}
