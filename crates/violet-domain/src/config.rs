//! BLUE's constants: [`BlueConfig`], same names, same defaults, same types as
//! `blue/config.py`, loadable from TOML (unknown keys refused, as `from_mapping` does).

use serde::{Deserialize, Serialize};

use crate::json::{JsonValue, ObjectWriter};

/// Every constant of BLUE's alpha engine; `Default` is BLUE's live settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[allow(missing_docs)] // the names are BLUE's; see blue/config.py
pub struct BlueConfig {
    // entry signal
    pub vel_div_threshold: f64,
    pub vel_div_extreme: f64,
    pub vel_div_abs_limit: f64,
    pub flat_scans_max: i64,
    // base cubic sizer + clamps
    pub min_leverage: f64,
    pub base_max_leverage: f64,
    pub abs_max_leverage: f64,
    pub stalker_max_leverage: f64,
    // capital fraction
    pub base_fraction: f64,
    pub turtle_fraction_mult: f64,
    // factor folds
    pub dc_boost: f64,
    pub ob_gain: f64,
    pub esof_gain: f64,
    pub esof_floor: f64,
    pub esof_defensive_mult: f64,
    // selector
    pub min_score: f64,
    // exit v7
    pub tp_pct: f64,
    pub sl_pct: f64,
    pub max_hold_bars: i64,
    pub min_hold_bars: i64,
    pub vel_div_exit: f64,
    // bookkeeping
    pub fee_rate: f64,
    pub initial_capital: f64,
}

impl Default for BlueConfig {
    fn default() -> Self {
        Self {
            vel_div_threshold: -0.02,
            vel_div_extreme: -0.05,
            vel_div_abs_limit: 0.5,
            flat_scans_max: 3,
            min_leverage: 0.5,
            base_max_leverage: 8.0,
            abs_max_leverage: 9.0,
            stalker_max_leverage: 2.0,
            base_fraction: 0.20,
            turtle_fraction_mult: 0.5,
            dc_boost: 1.25,
            ob_gain: 0.2,
            esof_gain: 0.15,
            esof_floor: -0.5,
            esof_defensive_mult: 0.5,
            min_score: 0.0,
            tp_pct: 0.0099,
            sl_pct: 0.015,
            max_hold_bars: 120,
            min_hold_bars: 5,
            vel_div_exit: 0.01,
            fee_rate: 0.0005,
            initial_capital: 25000.0,
        }
    }
}

/// A configuration file that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Not valid TOML, an unknown key, or a value of the wrong type.
    #[error("invalid BLUE configuration: {0}")]
    Toml(#[from] toml::de::Error),
}

impl BlueConfig {
    /// Parse a TOML table of BLUE constants; missing keys keep BLUE's defaults.
    ///
    /// # Errors
    /// [`ConfigError::Toml`] on a syntax error, an unknown key or a wrongly typed value.
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        Ok(toml::from_str(text)?)
    }

    /// The configuration as BLUE's oracle answers `{"fn": "config"}` (`asdict(cfg)`):
    /// same keys, same order, integers as integers.
    #[must_use]
    pub fn to_json(&self) -> JsonValue {
        let mut s = String::new();
        let mut w = ObjectWriter::new(&mut s);
        w.float("vel_div_threshold", self.vel_div_threshold)
            .float("vel_div_extreme", self.vel_div_extreme)
            .float("vel_div_abs_limit", self.vel_div_abs_limit)
            .int("flat_scans_max", self.flat_scans_max)
            .float("min_leverage", self.min_leverage)
            .float("base_max_leverage", self.base_max_leverage)
            .float("abs_max_leverage", self.abs_max_leverage)
            .float("stalker_max_leverage", self.stalker_max_leverage)
            .float("base_fraction", self.base_fraction)
            .float("turtle_fraction_mult", self.turtle_fraction_mult)
            .float("dc_boost", self.dc_boost)
            .float("ob_gain", self.ob_gain)
            .float("esof_gain", self.esof_gain)
            .float("esof_floor", self.esof_floor)
            .float("esof_defensive_mult", self.esof_defensive_mult)
            .float("min_score", self.min_score)
            .float("tp_pct", self.tp_pct)
            .float("sl_pct", self.sl_pct)
            .int("max_hold_bars", self.max_hold_bars)
            .int("min_hold_bars", self.min_hold_bars)
            .float("vel_div_exit", self.vel_div_exit)
            .float("fee_rate", self.fee_rate)
            .float("initial_capital", self.initial_capital);
        w.finish();
        crate::json::parse_owned(&s, crate::json::ParseOptions { allow_constants: true }).unwrap_or(JsonValue::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_overrides_and_refuses_unknown_keys() {
        let c = BlueConfig::from_toml("tp_pct = 0.02\nmax_hold_bars = 60\n").expect("valid");
        assert_eq!(c.tp_pct.to_bits(), 0.02f64.to_bits());
        assert_eq!(c.max_hold_bars, 60);
        assert_eq!(c.sl_pct.to_bits(), 0.015f64.to_bits());
        let e = BlueConfig::from_toml("tp_pc = 0.02\n").expect_err("unknown key");
        assert!(e.to_string().contains("tp_pc"), "{e}");
    }
}
