//! Order quantities as the decimal strings sent: rounded **down** to the contract's step
//! (10^-quantityPrecision), written without float formatting artefacts.

/// A quantity that cannot be sent.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QuantityError {
    /// Not finite or not positive.
    #[error("quantity {0} is not a positive finite number")]
    NotPositive(f64),
    /// Nothing left after rounding down to the step.
    #[error("quantity {quantity} rounds down to 0 at {precision} decimals")]
    RoundsToZero {
        /// The quantity asked.
        quantity: f64,
        /// The contract's decimals.
        precision: u32,
    },
}

/// `quantity` rounded down to `precision` decimals, as the decimal string sent.
///
/// Works on the shortest decimal that reads back as `quantity` (Rust's `Display` of `f64`,
/// never in exponent form), so a quantity L3 already floored to the step is sent exactly
/// as its decimal (`0.0123`, not `0.012299999`), and anything finer is cut, never rounded
/// up. Trailing zeros are dropped.
///
/// # Errors
/// [`QuantityError`].
pub fn format_down(quantity: f64, precision: u32) -> Result<String, QuantityError> {
    if !(quantity.is_finite() && quantity > 0.0) {
        return Err(QuantityError::NotPositive(quantity));
    }
    let text = quantity.to_string();
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let keep = frac.len().min(usize::try_from(precision).unwrap_or(usize::MAX));
    let frac = frac[..keep].trim_end_matches('0');
    let out = if frac.is_empty() { int.to_string() } else { format!("{int}.{frac}") };
    if out.bytes().all(|b| b == b'0' || b == b'.') {
        return Err(QuantityError::RoundsToZero { quantity, precision });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn rounds_down_and_writes_the_decimal() {
        assert_eq!(format_down(0.0123, 4).as_deref(), Ok("0.0123"));
        assert_eq!(format_down(0.01239, 4).as_deref(), Ok("0.0123"));
        assert_eq!(format_down(0.1 + 0.2, 3).as_deref(), Ok("0.3")); // 0.30000000000000004
        assert_eq!(format_down(12.0, 0).as_deref(), Ok("12"));
        assert_eq!(format_down(12.99, 0).as_deref(), Ok("12"));
        assert_eq!(format_down(1e-7, 8).as_deref(), Ok("0.0000001"));
        assert_eq!(format_down(1e21, 2).as_deref(), Ok("1000000000000000000000"));
        assert_eq!(format_down(0.00009, 4), Err(QuantityError::RoundsToZero { quantity: 0.00009, precision: 4 }));
        assert!(format_down(f64::NAN, 2).is_err());
        assert!(format_down(-1.0, 2).is_err());
    }

    proptest! {
        /// What L3 computes (floor(x * 10^p) / 10^p) is sent as exactly that many steps, and
        /// what is sent never exceeds what was asked.
        #[test]
        fn l3_quantities_go_out_exactly_and_nothing_rounds_up(steps in 1u64..10_000_000_000, p in 0u32..=8) {
            let scale = 10f64.powi(i32::try_from(p).unwrap_or(0));
            #[allow(clippy::cast_precision_loss)]
            let q = steps as f64 / scale;
            let s = format_down(q, p).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let sent: f64 = s.parse().map_err(|_| TestCaseError::fail(s.clone()))?;
            prop_assert_eq!(sent.to_bits(), q.to_bits(), "{} -> {}", q, s);
            let finer = q + 0.5 / scale;
            let s = format_down(finer, p).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let sent: f64 = s.parse().map_err(|_| TestCaseError::fail(s.clone()))?;
            prop_assert!(sent <= finer && s.split('.').nth(1).map_or(0, str::len) <= p as usize);
        }
    }
}
