//! A price: finite and > 0.
use nutype::nutype;

/// A price in quote currency: finite, strictly positive (BLUE: `price <= 0` is poison).
#[nutype(
    validate(finite, greater = 0.0),
    derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize, Into, AsRef)
)]
pub struct Price(f64);
