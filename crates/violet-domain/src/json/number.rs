//! JSON numbers exactly as BLUE (Python) reads and writes them.
//!
//! Reading: an integer token is an exact integer (`-0` is 0); an integer token in a float
//! field converts as Python's `float(int)` does (correctly rounded; `-0` is +0.0; too large
//! is an error, not infinity); a float token is parsed correctly rounded (Rust's `str::parse`
//! is, as is Python's `float()`; both proven equal in this crate's tests).
//!
//! Writing: Python's `repr(float)`: the shortest string that round-trips, in fixed notation
//! when the decimal exponent is in [-4, 16), else `1.5e-05` / `1e+16` style; non-finite
//! values as `NaN`, `Infinity`, `-Infinity` (what Python's `json.dumps` writes).

use std::fmt::Write as _;

use super::tape::{Kind, Value};

/// Why a JSON value is not the number a field needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberError {
    /// Not an integer token (a float, a string, `true`, missing...).
    NotAnInteger(Kind),
    /// An integer outside the signed 64-bit range.
    IntegerOutOfRange,
    /// Not a number at all (booleans are not numbers here, unlike in Python's type tree).
    NotANumber(Kind),
    /// An integer token too large for a float (Python: `OverflowError`).
    TooLargeForFloat,
    /// A non-finite value (`1e400`, or a constant token where those are allowed).
    NotFinite,
}

/// The i64 of an integer token.
///
/// # Errors
/// [`NumberError::NotAnInteger`] for any other kind of value, including float tokens such
/// as `1.0`; [`NumberError::IntegerOutOfRange`] outside the i64 range.
pub fn json_i64(v: Value<'_, '_>) -> Result<i64, NumberError> {
    if v.kind() != Kind::Int {
        return Err(NumberError::NotAnInteger(v.kind()));
    }
    int_token_i64(v.number_text().unwrap_or_default())
}

/// The i64 of the text of an integer token (JSON grammar already checked).
///
/// # Errors
/// [`NumberError::IntegerOutOfRange`] outside the i64 range.
#[inline]
pub fn int_token_i64(text: &str) -> Result<i64, NumberError> {
    text.parse::<i64>().map_err(|_| NumberError::IntegerOutOfRange)
}

/// The f64 of the text of a number token (JSON grammar already checked) as Python's
/// `float()` of what `json` read: an integer token exactly, a float token correctly rounded.
///
/// # Errors
/// [`NumberError::TooLargeForFloat`] for an integer token beyond f64.
#[inline]
pub fn token_f64(text: &str, is_int: bool) -> Result<f64, NumberError> {
    if is_int {
        if let Ok(i) = text.parse::<i64>() {
            #[allow(clippy::cast_precision_loss)] // round-to-nearest-even, as Python
            return Ok(i as f64);
        }
        // Beyond i64: the correctly rounded value of the exact integer, as Python.
        let x: f64 = text.parse().map_err(|_| NumberError::NotANumber(Kind::Int))?;
        if x.is_finite() { Ok(x + 0.0) } else { Err(NumberError::TooLargeForFloat) }
    } else {
        text.parse::<f64>().map_err(|_| NumberError::NotANumber(Kind::Float))
    }
}

/// The f64 of a number token, as Python's `float(v)`, refusing non-finite results.
///
/// # Errors
/// [`NumberError::NotANumber`] for non-numbers, [`NumberError::TooLargeForFloat`] for an
/// integer beyond f64, [`NumberError::NotFinite`] for a float token that overflows or a
/// non-finite constant.
pub fn json_f64(v: Value<'_, '_>) -> Result<f64, NumberError> {
    let x = json_f64_any(v)?;
    if x.is_finite() { Ok(x) } else { Err(NumberError::NotFinite) }
}

/// The f64 of a number token or constant, non-finite values included.
///
/// # Errors
/// [`NumberError::NotANumber`] for non-numbers, [`NumberError::TooLargeForFloat`] for an
/// integer token beyond f64.
pub fn json_f64_any(v: Value<'_, '_>) -> Result<f64, NumberError> {
    match v.kind() {
        Kind::Int => token_f64(v.number_text().unwrap_or_default(), true),
        Kind::Float => match v.constant() {
            Some(c) => Ok(c),
            None => token_f64(v.number_text().unwrap_or_default(), false),
        },
        k => Err(NumberError::NotANumber(k)),
    }
}

/// Append `x` as Python's `json.dumps` writes a float.
pub fn write_f64(out: &mut String, x: f64) {
    if x.is_nan() {
        out.push_str("NaN");
        return;
    }
    if x.is_infinite() {
        out.push_str(if x > 0.0 { "Infinity" } else { "-Infinity" });
        return;
    }
    if x == 0.0 {
        out.push_str(if x.is_sign_negative() { "-0.0" } else { "0.0" });
        return;
    }
    // Shortest round-trip digits from the standard library: "d.ddde<exp>".
    let mut sci = String::with_capacity(32);
    let _ = write!(sci, "{:e}", x.abs());
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(char::is_ascii_digit).collect();
    let n = i32::try_from(digits.len()).unwrap_or(i32::MAX);
    let decpt = exp + 1;
    if x.is_sign_negative() {
        out.push('-');
    }
    if decpt > -4 && decpt <= 16 {
        if decpt <= 0 {
            out.push_str("0.");
            for _ in 0..-decpt {
                out.push('0');
            }
            out.push_str(&digits);
        } else if decpt >= n {
            out.push_str(&digits);
            for _ in 0..decpt - n {
                out.push('0');
            }
            out.push_str(".0");
        } else {
            let (a, b) = digits.split_at(usize::try_from(decpt).unwrap_or(0));
            out.push_str(a);
            out.push('.');
            out.push_str(b);
        }
    } else {
        out.push_str(&digits[..1]);
        if n > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let e = decpt - 1;
        let _ = write!(out, "e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
    }
}

/// `x` as Python's `json.dumps` writes it.
#[must_use]
pub fn f64_to_string(x: f64) -> String {
    let mut s = String::new();
    write_f64(&mut s, x);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_like_python_repr() {
        // Expected strings are Python 3's repr() of the same values.
        let cases: &[(f64, &str)] = &[
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-5, "1.5e-05"),
            (123.456, "123.456"),
            (-0.0, "-0.0"),
            (0.1 + 0.2, "0.30000000000000004"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (25000.0, "25000.0"),
            (-2.5e100, "-2.5e+100"),
            (1234567890123456.7, "1234567890123456.8"),
            (12345678901234567.0, "1.2345678901234568e+16"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
        ];
        for &(x, want) in cases {
            assert_eq!(f64_to_string(x), want, "{x:?}");
        }
    }
}
