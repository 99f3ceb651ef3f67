//! Inputs that BLUE guarantees non-negative: finite and >= 0 (`-0.0` included, as in BLUE).
use nutype::nutype;

/// An asset's volatility: finite, >= 0 (0 makes the asset ineligible, it is not poison).
#[nutype(
    validate(finite, greater_or_equal = 0.0),
    derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize, Into, AsRef)
)]
pub struct Volatility(f64);

/// The ACB beta factor: finite, >= 0.
#[nutype(
    validate(finite, greater_or_equal = 0.0),
    derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize, Into, AsRef)
)]
pub struct AcbBeta(f64);

/// The Monte-Carlo scale factor: finite, >= 0.
#[nutype(
    validate(finite, greater_or_equal = 0.0),
    derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize, Into, AsRef)
)]
pub struct McScale(f64);
