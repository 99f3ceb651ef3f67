//! `cargo xtask gate kernels`: the Monte-Carlo gate. VIOLET's kernels against an oracle
//! speaking BLUE's protocol (default: BLUE's own), compared bit for bit.

mod build;
mod draw;
mod run;

pub use run::{Args, run};
