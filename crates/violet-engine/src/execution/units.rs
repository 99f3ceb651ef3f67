//! Quantities of execution as their own types: a base quantity is not a quote notional, and
//! neither is a bare `f64`.

use std::fmt;

macro_rules! amount {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
        pub struct $name(f64);

        impl $name {
            /// Zero.
            pub const ZERO: Self = Self(0.0);

            /// A finite amount of at least zero; `None` otherwise (a venue's NaN, a negative).
            #[must_use]
            pub fn new(v: f64) -> Option<Self> {
                (v.is_finite() && v >= 0.0).then_some(Self(v))
            }

            /// A computed amount carried as computed (BLUE's sizing may be non-finite on
            /// extreme inputs; parity keeps it).
            #[must_use]
            pub const fn computed(v: f64) -> Self {
                Self(v)
            }

            /// The value.
            #[must_use]
            pub const fn get(self) -> f64 {
                self.0
            }

            /// Whether it is more than zero.
            #[must_use]
            pub fn is_positive(self) -> bool {
                self.0 > 0.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }
    };
}

amount!(
    /// A base-asset quantity (contracts' underlying units, e.g. BTC).
    Quantity
);

amount!(
    /// A quote notional (USDT).
    Notional
);

/// Whether `residue` is rounding dust relative to `scale`: the same fills summed in another
/// order (the exchange's net position against the engine's per-trade books) differ by a few
/// ULPs, never by a billionth of the quantity.
#[must_use]
pub fn is_dust(residue: f64, scale: f64) -> bool {
    residue.abs() <= 1e-9 * scale.abs()
}

/// A span of clock time in nanoseconds (an order's time to live).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Nanos(i64);

impl Nanos {
    /// `ns` nanoseconds.
    #[must_use]
    pub const fn new(ns: i64) -> Self {
        Self(ns)
    }

    /// The count.
    #[must_use]
    pub const fn get(self) -> i64 {
        self.0
    }
}

/// Time to live of an entry's and of an exit's orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderTtl {
    /// An entry's.
    pub entry: Nanos,
    /// An exit's (and a late close's).
    pub exit: Nanos,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_refuse_what_no_venue_can_mean() {
        for bad in [f64::NAN, f64::INFINITY, -1.0, f64::NEG_INFINITY] {
            assert!(Quantity::new(bad).is_none(), "{bad}");
            assert!(Notional::new(bad).is_none(), "{bad}");
        }
        assert_eq!(Quantity::new(0.0), Some(Quantity::ZERO));
        assert_eq!(Quantity::new(1.5).map(Quantity::get), Some(1.5));
        assert!(Notional::computed(f64::NAN).get().is_nan(), "computed amounts are carried as computed");
    }
}
