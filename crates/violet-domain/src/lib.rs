//! # violet-domain
//!
//! The bottom of VIOLET's layering: depends on nothing of ours.
//!
//! - [`types`]: refined types (`nutype`) for every input value that crosses a boundary.
//! - [`json`]: JSON numbers and text exactly as BLUE (Python) reads and writes them.
//! - [`event`]: the event stream (`scan`, `factors`, `tick` JSON lines) decoded with
//!   exactly BLUE's poison rules, each rejection a typed error naming line, field and rule.
//! - [`config`]: [`config::BlueConfig`], BLUE's constants with BLUE's names and defaults.
//! - [`hash`]: FNV-1a, for cheap non-cryptographic ids and tables.
//! - [`pymath`]: Python's `min`, `max`, `**` and `math.floor` where they differ from Rust's.

pub mod config;
pub mod event;
pub mod hash;
pub mod json;
pub mod pymath;
pub mod secret;
pub mod types;
