//! A rejected (poison) line: which line, which field, which rule.

use std::fmt;

use thiserror::Error;

use crate::json::{JsonError, Kind, NumberError};

/// Where in an event the fault is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The field's name (`"line"` for faults of the line as a whole).
    pub name: &'static str,
    /// The asset's index inside `assets`, for asset fields.
    pub asset: Option<u32>,
}

impl Field {
    /// A top-level field.
    #[must_use]
    pub const fn top(name: &'static str) -> Self {
        Self { name, asset: None }
    }

    /// The whole line.
    pub const LINE: Field = Field::top("line");
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.asset, self.name) {
            (Some(i), "") => write!(f, "assets[{i}]"),
            (Some(i), n) => write!(f, "assets[{i}].{n}"),
            (None, n) => f.write_str(n),
        }
    }
}

/// The rule a poison line breaks.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Rule {
    /// The line's bytes are not UTF-8.
    #[error("line is not valid UTF-8")]
    NotUtf8,
    /// Not JSON (`NaN`/`Infinity` tokens included), or JSON outside the contract.
    #[error("not JSON: {0}")]
    NotJson(JsonError),
    /// JSON, but not an object.
    #[error("event must be a JSON object")]
    NotAnObject,
    /// `type` is not `scan`, `factors` or `tick`.
    #[error("unknown event type (expected \"scan\", \"factors\" or \"tick\")")]
    UnknownType,
    /// A required field is absent (or `null`).
    #[error("is missing")]
    Missing,
    /// An integer field holding something else (`1.0` included).
    #[error("must be an integer, got {0}")]
    NotAnInteger(Kind),
    /// An integer outside the signed 64-bit range.
    #[error("is outside the 64-bit range")]
    IntegerOutOfRange,
    /// A number field holding something else (booleans included).
    #[error("must be a number, got {0}")]
    NotANumber(Kind),
    /// An integer token too large for a float.
    #[error("is too large for a float")]
    TooLargeForFloat,
    /// A non-finite number (`1e400`).
    #[error("must be finite")]
    NotFinite,
    /// Must be > 0.
    #[error("must be > 0")]
    NotPositive,
    /// Must be >= 0.
    #[error("must be >= 0")]
    Negative,
    /// Must be in [-1, 1].
    #[error("must be in [-1, 1]")]
    OutsideUnitRange,
    /// Not one of the allowed strings.
    #[error("must be one of {0}")]
    UnknownChoice(&'static str),
    /// Not a list.
    #[error("must be a list")]
    NotAList,
    /// An asset that is not an object.
    #[error("asset must be an object")]
    AssetNotAnObject,
    /// A symbol that is not a non-empty string.
    #[error("must be a non-empty string")]
    BadSymbol,
    /// A symbol twice in one scan.
    #[error("duplicate symbol {0:?} in one scan")]
    DuplicateSymbol(String),
    /// A scan number not greater than the last accepted one.
    #[error("must be greater than the last accepted scan number {last}")]
    ScanNumberNotIncreasing {
        /// The last accepted scan number.
        last: i64,
    },
}

impl Rule {
    /// A stable machine-readable code for journals and reports.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Rule::NotUtf8 => "NOT_UTF8",
            Rule::NotJson(_) => "NOT_JSON",
            Rule::NotAnObject => "NOT_AN_OBJECT",
            Rule::UnknownType => "UNKNOWN_TYPE",
            Rule::Missing => "MISSING",
            Rule::NotAnInteger(_) => "NOT_AN_INTEGER",
            Rule::IntegerOutOfRange => "INTEGER_OUT_OF_RANGE",
            Rule::NotANumber(_) => "NOT_A_NUMBER",
            Rule::TooLargeForFloat => "TOO_LARGE_FOR_FLOAT",
            Rule::NotFinite => "NOT_FINITE",
            Rule::NotPositive => "NOT_POSITIVE",
            Rule::Negative => "NEGATIVE",
            Rule::OutsideUnitRange => "OUTSIDE_UNIT_RANGE",
            Rule::UnknownChoice(_) => "UNKNOWN_CHOICE",
            Rule::NotAList => "NOT_A_LIST",
            Rule::AssetNotAnObject => "ASSET_NOT_AN_OBJECT",
            Rule::BadSymbol => "BAD_SYMBOL",
            Rule::DuplicateSymbol(_) => "DUPLICATE_SYMBOL",
            Rule::ScanNumberNotIncreasing { .. } => "SCAN_NUMBER_NOT_INCREASING",
        }
    }
}

impl From<NumberError> for Rule {
    fn from(e: NumberError) -> Self {
        match e {
            NumberError::NotAnInteger(Kind::Null) | NumberError::NotANumber(Kind::Null) => Rule::Missing,
            NumberError::NotAnInteger(k) => Rule::NotAnInteger(k),
            NumberError::IntegerOutOfRange => Rule::IntegerOutOfRange,
            NumberError::NotANumber(k) => Rule::NotANumber(k),
            NumberError::TooLargeForFloat => Rule::TooLargeForFloat,
            NumberError::NotFinite => Rule::NotFinite,
        }
    }
}

/// A poison line: counted as rejected, journaled, never applied.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("line {line}: {field}: {rule}")]
pub struct Rejection {
    /// 1-based line number in the stream (blank lines count as lines here).
    pub line: u64,
    /// The offending field.
    pub field: Field,
    /// The rule broken.
    pub rule: Rule,
}

impl Rejection {
    /// The rejection as one JSON object: `{"line", "field", "code", "rule"}`.
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut s = String::with_capacity(96);
        let mut w = crate::json::ObjectWriter::new(&mut s);
        w.int("line", self.line)
            .str("field", &self.field.to_string())
            .str("code", self.rule.code())
            .str("rule", &self.rule.to_string());
        w.finish();
        s
    }
}
