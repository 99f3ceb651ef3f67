//! Every term of one sizing, so a size can be attributed factor by factor.

use violet_domain::json::ObjectWriter;

/// The full sizing breakdown of one entry (BLUE's `compose` dict). Computed values: any of
/// them may be non-finite on extreme valid inputs, as in BLUE.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SizingBreakdown {
    /// Signal strength `s` in [0, 1].
    pub strength: f64,
    /// The base cubic.
    pub base_leverage: f64,
    /// Direction-confirmation multiplier.
    pub dc_lev_mult: f64,
    /// `acb_boost * (1 + acb_beta * s**3) * mc_scale`.
    pub regime_size_mult: f64,
    /// Order-book multiplier.
    pub market_ob_mult: f64,
    /// EsoF multiplier.
    pub esof_mult: f64,
    /// `base * dc * regime * ob * esof`.
    pub raw_leverage: f64,
    /// The leverage cap.
    pub clamped_max: f64,
    /// `max(min_leverage, min(raw, clamped_max))`.
    pub leverage: f64,
    /// Capital fraction (halved under TURTLE).
    pub fraction: f64,
    /// `capital * fraction * leverage`.
    pub notional: f64,
}

impl SizingBreakdown {
    /// The terms as `(name, value)` in BLUE's key order.
    #[must_use]
    pub fn terms(&self) -> [(&'static str, f64); 11] {
        [
            ("strength", self.strength),
            ("base_leverage", self.base_leverage),
            ("dc_lev_mult", self.dc_lev_mult),
            ("regime_size_mult", self.regime_size_mult),
            ("market_ob_mult", self.market_ob_mult),
            ("esof_mult", self.esof_mult),
            ("raw_leverage", self.raw_leverage),
            ("clamped_max", self.clamped_max),
            ("leverage", self.leverage),
            ("fraction", self.fraction),
            ("notional", self.notional),
        ]
    }

    /// Write the terms as members of an object being written.
    pub fn write_members(&self, w: &mut ObjectWriter<'_>) {
        for (k, v) in self.terms() {
            w.float(k, v);
        }
    }

    /// The breakdown as a JSON object (BLUE's keys and order).
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut s = String::with_capacity(320);
        let mut w = ObjectWriter::new(&mut s);
        self.write_members(&mut w);
        w.finish();
        s
    }
}
