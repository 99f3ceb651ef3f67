//! Python's numeric semantics where they differ from Rust's, for exact transcriptions.
//!
//! - `min(a, b)` returns `a` unless `b < a`; `max(a, b)` returns `a` unless `b > a`. With a
//!   NaN argument these differ from `f64::min`/`f64::max` (which drop the NaN), and valid
//!   inputs reach that (a huge `acb_boost` times a zero `mc_scale` is NaN).
//! - `x ** 3` on a float is C `pow(x, 3.0)` (glibc's, via `f64::powf`); `powi(3)` and
//!   `x * x * x` round differently on about a quarter of inputs.
//! - `math.floor` returns an integer, so `-0.0` floors to `0` (+0.0 once back in a float).

/// Python's `min(a, b)`.
#[inline]
#[must_use]
pub fn py_min(a: f64, b: f64) -> f64 {
    if b < a { b } else { a }
}

/// Python's `max(a, b)`.
#[inline]
#[must_use]
pub fn py_max(a: f64, b: f64) -> f64 {
    if b > a { b } else { a }
}

/// Python's `x ** 3` for a float `x` in [0, 1] (CPython's `float_pow` special cases agree
/// with C `pow` there: `0.0`, `-0.0` and `1.0` come out the same).
#[inline]
#[must_use]
pub fn py_cube(x: f64) -> f64 {
    x.powf(3.0)
}

/// `float(math.floor(x))`: the floor as an exact integer, so `-0.0` becomes `+0.0`.
#[inline]
#[must_use]
pub fn py_floor(x: f64) -> f64 {
    x.floor() + 0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_max_keep_the_first_argument_unless_strictly_beaten() {
        assert!(py_min(f64::NAN, 1.0).is_nan());
        assert_eq!(py_min(1.0, f64::NAN), 1.0);
        assert_eq!(py_max(f64::NAN, 1.0).to_bits(), f64::NAN.to_bits());
        assert_eq!(py_max(0.5, f64::NAN), 0.5);
        assert_eq!(py_min(0.0, -0.0).to_bits(), 0.0f64.to_bits());
        assert_eq!(py_max(-0.0, 0.0).to_bits(), (-0.0f64).to_bits());
        // f64::min would differ:
        assert_eq!(f64::NAN.min(1.0), 1.0);
    }

    #[test]
    fn floor_of_negative_zero_is_positive_zero() {
        assert_eq!(py_floor(-0.0).to_bits(), 0.0f64.to_bits());
        assert_eq!(py_floor(2.7), 2.0);
        assert_eq!(py_floor(-0.5), -1.0);
    }
}
