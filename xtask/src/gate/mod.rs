//! The gates: VIOLET proven against BLUE.

pub mod kernels;
pub mod latency;
pub mod replay;
pub mod ttl;
