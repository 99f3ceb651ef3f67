//! The ACB boost: finite and > 0.
use nutype::nutype;

/// The ACB boost factor: finite, strictly positive.
#[nutype(
    validate(finite, greater = 0.0),
    derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize, Into, AsRef)
)]
pub struct AcbBoost(f64);
