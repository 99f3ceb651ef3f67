//! JSON numbers exactly as BLUE (Python) reads and writes them.
//!
//! Reading: an integer token is an exact integer (`-0` is 0); an integer token in a float
//! field converts as Python's `float(int)` does (correctly rounded; `-0` is +0.0; too large
//! is an error, not infinity); a float token is parsed correctly rounded (Rust's `str::parse`
//! is, as is Python's `float()`; both proven equal in this crate's tests).
//!
//! Writing: Python's `repr(float)`: the shortest string that round-trips (of two equally
//! near, the one with the even last digit: zmij's choice, and Python's), in fixed notation
//! when the decimal exponent is in [-4, 16), else `1.5e-05` / `1e+16` style; non-finite
//! values as `NaN`, `Infinity`, `-Infinity` (what Python's `json.dumps` writes). Proven
//! against Python's own repr in `fixtures/float-repr`.

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
    // The shortest round-trip digits (the closest to x among the shortest, as Python's
    // repr), in zmij's own layout (fixed, or with an `e` exponent): taken apart into the
    // significant digits and the decimal point's position, then laid out as Python does.
    let mut buffer = zmij::Buffer::new();
    let text = buffer.format_finite(x.abs()).as_bytes();
    let (mant, exp) = match text.iter().position(|&b| b == b'e') {
        Some(at) => (&text[..at], parse_exponent(&text[at + 1..])),
        None => (text, 0),
    };
    // Digits with leading and trailing zeros removed; decpt: where the point goes.
    let mut digits = [0u8; 32];
    let mut n = 0;
    let mut decpt = exp;
    let mut seen_point = false;
    for &b in mant {
        match b {
            b'.' => seen_point = true,
            b'0' if n == 0 => {
                if seen_point {
                    decpt -= 1;
                }
            }
            _ => {
                if n < digits.len() {
                    digits[n] = b;
                    n += 1;
                }
                if !seen_point {
                    decpt += 1;
                }
            }
        }
    }
    // Integer-part zeros after the first digit count as places; trailing zeros go.
    while n > 1 && digits[n - 1] == b'0' {
        n -= 1;
    }
    let digits = std::str::from_utf8(&digits[..n]).unwrap_or("0");
    if x.is_sign_negative() {
        out.push('-');
    }
    lay_out(out, digits, decpt);
}

/// The exponent after `e` (optional sign, then digits).
fn parse_exponent(text: &[u8]) -> i32 {
    let (negative, digits) = match text.first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let e = digits.iter().fold(0i32, |e, &d| e * 10 + i32::from(d - b'0'));
    if negative { -e } else { e }
}

/// Python's repr layout of the significant `digits` (no leading or trailing zeros, at least
/// one) with the decimal point `decpt` places from their start: fixed notation when the
/// exponent `decpt - 1` is in [-4, 16), else `d.ddde+XX` / `de-XX`.
fn lay_out(out: &mut String, digits: &str, decpt: i32) {
    let n = i32::try_from(digits.len()).unwrap_or(i32::MAX);
    if decpt > -4 && decpt <= 16 {
        if decpt <= 0 {
            out.push_str("0.");
            for _ in 0..-decpt {
                out.push('0');
            }
            out.push_str(digits);
        } else if decpt >= n {
            out.push_str(digits);
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
        out.push('e');
        out.push(if e < 0 { '-' } else { '+' });
        let e = e.unsigned_abs();
        if e < 10 {
            out.push('0');
        }
        // At most three digits (|e| <= 324).
        let mut rev = [0u8; 3];
        let mut k = 0;
        let mut e = e;
        loop {
            rev[k] = b'0' + u8::try_from(e % 10).unwrap_or(0);
            k += 1;
            e /= 10;
            if e == 0 || k == rev.len() {
                break;
            }
        }
        for &d in rev[..k].iter().rev() {
            out.push(char::from(d));
        }
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
    use proptest::prelude::*;
    use rand::{Rng as _, SeedableRng as _};

    /// What this crate wrote before zmij: Rust's standard shortest digits (`{:e}`) laid out
    /// as Python's repr. It agrees with Python except at ties (two shortest digit strings
    /// equally near the value: Python takes the even digit, the standard library the upper
    /// one), so it checks digit counts and layout, and Python's own repr
    /// (`fixtures/float-repr`) checks the ties.
    fn reference(x: f64) -> String {
        use std::fmt::Write as _;
        if !x.is_finite() || x == 0.0 {
            return f64_to_string(x);
        }
        let mut out = String::new();
        let sci = format!("{:e}", x.abs());
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
        out
    }

    /// `x`'s text round-trips, and is the reference's text or, at a tie, the other of the
    /// two equally near shortest strings (same length, both round-trip).
    fn check(x: f64) {
        let got = f64_to_string(x);
        let bits = x.to_bits();
        assert_eq!(got.parse::<f64>().map(f64::to_bits), Ok(bits), "round trip of {got} ({bits:#018x})");
        let want = reference(x);
        if got != want {
            assert_eq!(got.len(), want.len(), "{bits:#018x}: {got} vs {want}");
            assert_eq!(want.parse::<f64>().map(f64::to_bits), Ok(bits), "{bits:#018x}: {want} is not a tie");
        }
    }

    #[test]
    fn python_repr_of_every_value_in_the_golden_file() {
        let text = include_str!("../../../../fixtures/float-repr/repr.txt");
        let mut n = 0;
        for line in text.lines() {
            let (bits, want) = line.split_once(' ').expect("`bits repr`");
            let x = f64::from_bits(u64::from_str_radix(bits, 16).expect("hex bits"));
            assert_eq!(f64_to_string(x), want, "bits {bits}");
            n += 1;
        }
        assert!(n > 5000, "{n} values");
    }

    #[test]
    fn shortest_round_trip_text_on_a_million_random_floats_and_every_boundary() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(20_261_125);
        for _ in 0..1_000_000 {
            let x = f64::from_bits(rng.r#gen::<u64>());
            if x.is_finite() {
                check(x);
            }
        }
        // Decimal and binary boundaries, their neighbours, integers, subnormals.
        for e in -324..=308 {
            let p = format!("1e{e}").parse::<f64>().expect("a power of ten");
            for x in [p, p.next_up(), p.next_down(), 5.0 * p, 9.999_999_999_999_999 * p] {
                if x.is_finite() && x != 0.0 {
                    check(x);
                    check(-x);
                }
            }
        }
        for k in -1074..=1023 {
            let p = 2f64.powi(k);
            for x in [p, p.next_up(), p.next_down()] {
                if x.is_finite() && x != 0.0 {
                    check(x);
                }
            }
        }
        for i in 1..10_000_i32 {
            check(f64::from(i));
            check(f64::from(i) / 1000.0);
        }
        check(f64::MAX);
        check(f64::MIN_POSITIVE);
    }

    proptest! {
        #[test]
        fn shortest_round_trip_text_on_any_bits(bits in any::<u64>()) {
            let x = f64::from_bits(bits);
            prop_assume!(x.is_finite());
            check(x);
        }
    }

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
