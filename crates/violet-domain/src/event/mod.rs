//! The event stream: JSON lines of `scan`, `factors` and `tick` events, decoded with
//! exactly BLUE's rules (`blue/events.py` and the checks in `blue/trader.py`).
//!
//! Lines end at LF; a line holding only spaces, tabs and CRs is blank (skipped, not
//! counted); every other line is one event or one [`Rejection`].

mod check;
mod decode;
mod fast;
pub mod fields;
mod model;
mod rejection;
mod stream;

pub use check::check_stream;
pub use decode::{decode_line, decode_line_generic, trim_line};
pub use fast::canonical_scan;
pub use model::{Asset, AssetPrice, AssetReturn, AssetVolatility, Event, Factors, Scan, Tick};
pub use rejection::{Field, Rejection, Rule};
pub use stream::{EventStream, StreamCounts};
