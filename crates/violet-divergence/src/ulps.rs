//! ULP distance between two floats.

/// How many representable doubles lie between `a` and `b` (0 when bit-identical; `None`
/// when either is NaN with the other not bit-identical, or they are infinities of
/// different sign... anything without a meaningful distance).
#[must_use]
pub fn ulp_distance(a: f64, b: f64) -> Option<u64> {
    if a.to_bits() == b.to_bits() {
        return Some(0);
    }
    if a.is_nan() || b.is_nan() {
        return None;
    }
    // Map to integers ordered like the floats (-0.0 and +0.0 adjacent, one apart).
    let key = |x: f64| -> i128 {
        let bits = x.to_bits();
        if bits >> 63 == 1 { -i128::from(bits & !(1u64 << 63)) - 1 } else { i128::from(bits) }
    };
    u64::try_from((key(a) - key(b)).unsigned_abs()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(ulp_distance(1.0, 1.0), Some(0));
        assert_eq!(ulp_distance(1.0, 1.0f64.next_up()), Some(1));
        assert_eq!(ulp_distance(1.0f64.next_down(), 1.0f64.next_up()), Some(2));
        assert_eq!(ulp_distance(0.0, -0.0), Some(1));
        assert_eq!(ulp_distance(5e-324, -5e-324), Some(3));
        assert_eq!(ulp_distance(f64::NAN, 1.0), None);
        assert_eq!(ulp_distance(f64::MAX, f64::INFINITY), Some(1));
    }
}
