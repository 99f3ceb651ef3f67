//! What a run's trades add up to.

use std::io;

use violet_engine::Sink;
use violet_engine::decision::DecisionRecord;
use violet_engine::execution::TradeEvent;

/// A run's trade metrics, fed trade events as the engine writes them (a [`Sink`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TradeStats {
    /// Closed trades (EXIT events).
    pub trades: u64,
    /// Exits with pnl above zero.
    pub wins: u64,
    /// The sum of the exits' pnl (fees in it, as BLUE books them).
    pub pnl: f64,
    /// Fees paid: `2 * fee_rate * notional` per exit, the entry's notional (BLUE's fill).
    pub fees: f64,
    /// The largest fall of capital from a previous high, as a fraction of that high.
    pub max_drawdown: f64,
    /// Each exit's return on the capital before it: `pnl / (capital_after - pnl)`.
    returns: Vec<f64>,
    peak: f64,
    /// The open trades' notionals (one per slot at most: a short list).
    notional: Vec<(u64, f64)>,
    fee_rate: f64,
}

impl TradeStats {
    /// Empty, for a run starting with `initial_capital` at `fee_rate`.
    #[must_use]
    pub fn new(initial_capital: f64, fee_rate: f64) -> Self {
        Self { peak: initial_capital, fee_rate, ..Self::default() }
    }

    /// Wins over trades (0 without trades).
    #[must_use]
    #[allow(clippy::cast_precision_loss)] // counts of trades
    pub fn win_rate(&self) -> f64 {
        if self.trades == 0 { 0.0 } else { self.wins as f64 / self.trades as f64 }
    }

    /// The per-trade returns' mean over their standard deviation, times the square root of
    /// their number (a t-statistic: how far from zero the average trade is, in standard
    /// errors). 0 with fewer than two trades or no spread.
    #[must_use]
    #[allow(clippy::cast_precision_loss)] // counts of trades
    pub fn risk_adjusted(&self) -> f64 {
        let n = self.returns.len();
        if n < 2 {
            return 0.0;
        }
        let mean = self.returns.iter().sum::<f64>() / n as f64;
        let var = self.returns.iter().map(|r| (r - mean) * (r - mean)).sum::<f64>() / (n - 1) as f64;
        if var > 0.0 { mean / var.sqrt() * (n as f64).sqrt() } else { 0.0 }
    }
}

impl TradeStats {
    /// Trade `trade_id` opened with `notional` (an ENTRY).
    pub fn record_entry(&mut self, trade_id: u64, notional: f64) {
        self.notional.push((trade_id, notional));
    }

    /// Trade `trade_id` closed with `pnl`, leaving `capital_after` (an EXIT).
    pub fn record_exit(&mut self, trade_id: u64, pnl: f64, capital_after: f64) {
        self.trades += 1;
        if pnl > 0.0 {
            self.wins += 1;
        }
        self.pnl += pnl;
        if let Some(i) = self.notional.iter().position(|&(t, _)| t == trade_id) {
            let (_, n) = self.notional.swap_remove(i);
            self.fees += 2.0 * self.fee_rate * n;
        }
        let before = capital_after - pnl;
        if before != 0.0 {
            self.returns.push(pnl / before);
        }
        self.peak = self.peak.max(capital_after);
        if self.peak > 0.0 {
            self.max_drawdown = self.max_drawdown.max((self.peak - capital_after) / self.peak);
        }
    }
}

impl Sink for TradeStats {
    fn decision(&mut self, _: &DecisionRecord<'_>) -> io::Result<()> {
        Ok(())
    }

    fn trade(&mut self, t: &TradeEvent) -> io::Result<()> {
        match t {
            TradeEvent::Entry(e) => self.record_entry(e.trade_id, e.sizing.notional),
            TradeEvent::Exit(x) => self.record_exit(x.trade_id, x.pnl, x.capital_after),
        }
        Ok(())
    }
}
