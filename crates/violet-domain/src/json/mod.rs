//! JSON the way BLUE reads and writes it, in one place for the event stream, the oracle,
//! replay and the gates.
//!
//! - [`Parser`]: strict RFC 8259 into a reusable flat tape, borrowing strings and number
//!   tokens from the line (no allocation per line once warm), refusing what the contract
//!   puts out of bounds (duplicate keys, depth > 128, lone surrogates, > 4,300-digit ints).
//! - [`json_i64`] / [`json_f64`]: integer and float fields with Python's conversions.
//! - [`write_f64`]: Python's `repr(float)` and `json.dumps` non-finite spellings.
//! - [`JsonValue`]: an owned value compared as the gates compare (floats by bits).

mod error;
mod number;
mod owned;
mod tape;
mod write;

pub use error::JsonError;
pub use number::{NumberError, f64_to_string, int_token_i64, json_f64, json_f64_any, json_i64, token_f64, write_f64};
pub use owned::JsonValue;
pub use tape::{Doc, Elements, Kind, MAX_DEPTH, MAX_INT_DIGITS, Members, Node, ParseOptions, Parser, Value};
pub use write::{ObjectWriter, itoa_like, write_str};

/// Parse one JSON text into an owned value (allocates; for requests, answers and tests).
///
/// # Errors
/// [`JsonError`] when `text` is not contract JSON under `opts`.
pub fn parse_owned(text: &str, opts: ParseOptions) -> Result<JsonValue, JsonError> {
    let mut p = Parser::new(opts);
    let doc = p.parse(text)?;
    Ok(JsonValue::from_value(doc.root()))
}
