//! # violet-oracle
//!
//! VIOLET's kernels behind **BLUE's oracle protocol** (`blue/oracle.py`): one JSON request
//! per line in, one answer per line out, in order. A request is `{"fn": NAME, ...args}`; the
//! answer is `{"ok": true, "out": ...}` or `{"ok": false, "error": "..."}`. Arguments are
//! validated exactly as BLUE validates them (a request BLUE refuses is refused); a blank
//! line, and a line holding just `null`, get no answer (as in BLUE). Research tools in any language can drive VIOLET's kernels this way,
//! and the kernels gate compares it with BLUE's.

mod compare;
mod fns;
mod serve;

pub use compare::{Verdict, compare};
pub use fns::{KERNELS, Refusal};
pub use serve::{Oracle, serve};
