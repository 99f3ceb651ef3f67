//! Why a text is not (contract) JSON.

use thiserror::Error;

/// A JSON text refused by the [`Parser`](super::Parser), with the byte offset of the fault.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum JsonError {
    /// The text ended inside a value.
    #[error("unexpected end of text")]
    UnexpectedEnd,
    /// A byte that cannot start or continue a value here.
    #[error("unexpected character at byte {at}")]
    UnexpectedChar {
        /// Byte offset.
        at: usize,
    },
    /// Text after the one value.
    #[error("extra data at byte {at}")]
    TrailingData {
        /// Byte offset.
        at: usize,
    },
    /// A malformed number token.
    #[error("malformed number at byte {at}")]
    BadNumber {
        /// Byte offset.
        at: usize,
    },
    /// `NaN`, `Infinity` or `-Infinity`: not JSON.
    #[error("NaN/Infinity token at byte {at} is not JSON")]
    NonFiniteConstant {
        /// Byte offset.
        at: usize,
    },
    /// A string without its closing quote.
    #[error("unterminated string starting at byte {at}")]
    UnterminatedString {
        /// Byte offset.
        at: usize,
    },
    /// A raw control character (U+0000..U+001F) inside a string.
    #[error("control character in string at byte {at}")]
    ControlCharInString {
        /// Byte offset.
        at: usize,
    },
    /// An invalid backslash escape.
    #[error("invalid escape at byte {at}")]
    BadEscape {
        /// Byte offset.
        at: usize,
    },
    /// Outside the contract: a `\uD800`-style escape without its pair.
    #[error("lone UTF-16 surrogate escape at byte {at} (outside the contract)")]
    LoneSurrogate {
        /// Byte offset.
        at: usize,
    },
    /// Outside the contract: a key twice in one object.
    #[error("duplicate key in the object at byte {at} (outside the contract)")]
    DuplicateKey {
        /// Byte offset of the object.
        at: usize,
    },
    /// Outside the contract: nesting deeper than 128.
    #[error("nesting deeper than 128 at byte {at} (outside the contract)")]
    TooDeep {
        /// Byte offset.
        at: usize,
    },
    /// Outside the contract: an integer of more than 4,300 digits.
    #[error("integer longer than 4300 digits at byte {at} (outside the contract)")]
    IntegerTooLong {
        /// Byte offset.
        at: usize,
    },
    /// Outside the contract: a float beyond f64's range (`1e400`), in any field.
    #[error("number beyond a float's range at byte {at} (outside the contract)")]
    FloatOverflow {
        /// Byte offset.
        at: usize,
    },
    /// A text of 4 GiB or more.
    #[error("text longer than 4 GiB")]
    TooLong,
}
