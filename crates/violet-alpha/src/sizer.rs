//! The base sizer: signal strength and the base cubic (`blue/sizer.py`).

use violet_domain::config::BlueConfig;
use violet_domain::pymath::py_cube;

/// How far `vel_div` is past the threshold toward the extreme, clamped to [0, 1].
#[inline]
#[must_use]
pub fn signal_strength(vel_div: f64, cfg: &BlueConfig) -> f64 {
    let mut s = (cfg.vel_div_threshold - vel_div) / (cfg.vel_div_threshold - cfg.vel_div_extreme);
    if s < 0.0 {
        s = 0.0;
    }
    if s > 1.0 {
        s = 1.0;
    }
    s
}

/// The base cubic: `min_leverage + (base_max_leverage - min_leverage) * s ** 3`.
#[inline]
#[must_use]
pub fn base_leverage(s: f64, cfg: &BlueConfig) -> f64 {
    base_leverage_from_cube(py_cube(s), cfg)
}

/// [`base_leverage`] with `s ** 3` already computed (callers needing the cube twice compute
/// it once: the same bits).
#[inline]
#[must_use]
pub fn base_leverage_from_cube(s3: f64, cfg: &BlueConfig) -> f64 {
    cfg.min_leverage + (cfg.base_max_leverage - cfg.min_leverage) * s3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strength_clamps_and_cube_is_pow() {
        let cfg = BlueConfig::default();
        assert_eq!(signal_strength(0.0, &cfg), 0.0);
        assert_eq!(signal_strength(-1.0, &cfg), 1.0);
        assert_eq!(signal_strength(-0.02, &cfg).to_bits(), 0.0f64.to_bits());
        // The cube is C pow, not s*s*s: find an input where they differ and check we use pow.
        let s = (1..10_000)
            .map(|i| f64::from(i) / 10_007.0)
            .find(|s| s.powf(3.0).to_bits() != (s * s * s).to_bits())
            .expect("pow and s*s*s differ somewhere");
        assert_eq!(base_leverage(s, &cfg).to_bits(), (0.5 + 7.5 * s.powf(3.0)).to_bits());
    }
}
