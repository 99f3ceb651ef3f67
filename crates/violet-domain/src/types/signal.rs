//! Signed signal inputs: any finite value.
use nutype::nutype;

/// An asset's return over the scan window: any finite value.
#[nutype(validate(finite), derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize, Into, AsRef))]
pub struct Return(f64);

/// The scan's lambda-max velocity divergence: any finite value.
#[nutype(validate(finite), derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize, Into, AsRef))]
pub struct VelDiv(f64);
