//! The gates: VIOLET proven against BLUE.

mod hdr;
pub mod kernels;
pub mod latency;
pub mod replay;
pub mod ttl;
