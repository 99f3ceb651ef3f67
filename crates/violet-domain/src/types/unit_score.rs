//! Scores in [-1, 1].
use nutype::nutype;

/// The EsoF score: finite, in [-1, 1].
#[nutype(
    validate(finite, greater_or_equal = -1.0, less_or_equal = 1.0),
    derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize, Into, AsRef)
)]
pub struct EsofScore(f64);

/// The order-book consensus: finite, in [-1, 1].
#[nutype(
    validate(finite, greater_or_equal = -1.0, less_or_equal = 1.0),
    derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize, Into, AsRef)
)]
pub struct ObConsensus(f64);
