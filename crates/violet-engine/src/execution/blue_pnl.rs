//! BLUE's booking of a closed position (`trader.py`, `on_scan`).

use violet_domain::config::BlueConfig;

/// The pnl BLUE books when a position of `notional` closes at `pnl_pct`: the move on the
/// notional less the round trip's fees, operation for operation as BLUE writes it
/// (`pos.notional * pnl_pct - 2.0 * cfg.fee_rate * pos.notional`). The engine's BLUE fill
/// and `violet-sim`'s fast path both book through it.
#[inline]
#[must_use]
pub fn blue_exit_pnl(notional: f64, pnl_pct: f64, cfg: &BlueConfig) -> f64 {
    notional * pnl_pct - 2.0 * cfg.fee_rate * notional
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fees_are_taken_on_the_round_trip_after_the_move() {
        let cfg = BlueConfig { fee_rate: 0.0005, ..BlueConfig::default() };
        // 10,000 notional, +1 %: 100 less 2 · 0.0005 · 10,000 = 10 of fees.
        assert_eq!(blue_exit_pnl(10_000.0, 0.01, &cfg).to_bits(), 90.0f64.to_bits());
        // BLUE's order of operations, (n·p) − (2·f·n), not n·(p − 2f): the bits Python
        // prints for `9909.21 * -0.0051 - 2 * 0.0005 * 9909.21`.
        let python = f64::from_bits(0xc04e_391c_7581_8c5d);
        assert_eq!(blue_exit_pnl(9909.21, -0.0051, &cfg).to_bits(), python.to_bits());
        assert_ne!((9909.21f64 * (-0.0051 - 2.0 * cfg.fee_rate)).to_bits(), python.to_bits());
    }
}
