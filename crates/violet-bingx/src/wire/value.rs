//! Lenient reading of BingX's JSON: numbers may arrive as strings and strings as numbers,
//! one field under two spellings (`orderId` / `orderID`), decimals as `"0.5"` or `0.5`.
//! Integers are read as integers (an `orderId` above 2^53 never passes through `f64`).

use serde_json::{Map, Value};

/// A field that is missing or of a shape that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("field {field}: {problem}")]
pub struct WireError {
    /// The field (first spelling).
    pub field: &'static str,
    /// What is wrong, with what was found.
    pub problem: String,
}

impl WireError {
    pub(crate) fn new(field: &'static str, problem: impl Into<String>) -> Self {
        Self { field, problem: problem.into() }
    }
}

/// An object's fields.
pub type Object = Map<String, Value>;

/// `v` as an object.
///
/// # Errors
/// [`WireError`] naming `field`.
pub fn object<'a>(v: &'a Value, field: &'static str) -> Result<&'a Object, WireError> {
    v.as_object().ok_or_else(|| WireError::new(field, format!("expected an object, found {}", kind(v))))
}

/// The first of `names` present (and not null) in `o`.
#[must_use]
pub fn field<'a>(o: &'a Object, names: &[&str]) -> Option<&'a Value> {
    names.iter().find_map(|n| o.get(*n).filter(|v| !v.is_null()))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// An integer: a JSON integer or a string of one (never through `f64`).
///
/// # Errors
/// [`WireError`] for anything else (a fraction, text, a missing field).
pub fn int(o: &Object, names: &[&'static str]) -> Result<i64, WireError> {
    let name = names[0];
    match field(o, names) {
        Some(Value::Number(n)) => {
            n.as_i64().ok_or_else(|| WireError::new(name, format!("{n} is not a 64-bit integer")))
        }
        Some(Value::String(s)) => {
            s.trim().parse().map_err(|_| WireError::new(name, format!("{s:?} is not an integer")))
        }
        Some(v) => Err(WireError::new(name, format!("expected an integer, found {}", kind(v)))),
        None => Err(WireError::new(name, "missing")),
    }
}

/// A decimal: a JSON number or a string of one. `""` (an unfilled order's commission) and a
/// missing field are `None`.
///
/// # Errors
/// [`WireError`] for text that is not a finite decimal.
pub fn decimal(o: &Object, names: &[&'static str]) -> Result<Option<f64>, WireError> {
    let name = names[0];
    let x = match field(o, names) {
        None => return Ok(None),
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) if s.trim().is_empty() => return Ok(None),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        Some(v) => return Err(WireError::new(name, format!("expected a decimal, found {}", kind(v)))),
    };
    match x {
        Some(x) if x.is_finite() => Ok(Some(x)),
        _ => Err(WireError::new(
            name,
            format!("{} is not a finite decimal", field(o, names).map_or_else(String::new, ToString::to_string)),
        )),
    }
}

/// A decimal that must be present.
///
/// # Errors
/// [`WireError`] when missing or unreadable.
pub fn required_decimal(o: &Object, names: &[&'static str]) -> Result<f64, WireError> {
    decimal(o, names)?.ok_or_else(|| WireError::new(names[0], "missing"))
}

/// Text: a JSON string, or a number or boolean written out. Missing: `None`.
#[must_use]
pub fn text(o: &Object, names: &[&str]) -> Option<String> {
    match field(o, names)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A flag: `true`/`false` or `"true"`/`"false"`. Missing: `None`.
///
/// # Errors
/// [`WireError`] for anything else.
pub fn flag(o: &Object, names: &[&'static str]) -> Result<Option<bool>, WireError> {
    match field(o, names) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(v) => Err(WireError::new(names[0], format!("expected true or false, found {v}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(s: &str) -> Object {
        serde_json::from_str(s).expect("json")
    }

    #[test]
    fn an_order_id_above_2_pow_53_survives_bare_or_quoted() {
        let id = 1_736_011_869_418_901_234_i64; // > 2^53: f64 would round it
        for text in [format!("{{\"orderId\":{id}}}"), format!("{{\"orderID\":\"{id}\"}}")] {
            assert_eq!(int(&obj(&text), &["orderId", "orderID"]), Ok(id), "{text}");
        }
        assert!(int(&obj("{\"orderId\":1.5}"), &["orderId"]).is_err());
        assert_eq!(int(&obj("{}"), &["orderId"]).expect_err("missing").field, "orderId");
    }

    #[test]
    fn decimals_come_as_strings_or_numbers_and_empty_is_none() {
        let o = obj("{\"a\":\"0.0123\",\"b\":0.5,\"c\":\"\",\"d\":\"NaN\",\"e\":\"x\",\"f\":\"4\"}");
        assert_eq!(decimal(&o, &["a"]), Ok(Some(0.0123)));
        assert_eq!(decimal(&o, &["b"]), Ok(Some(0.5)));
        assert_eq!(decimal(&o, &["c"]), Ok(None));
        assert_eq!(decimal(&o, &["missing"]), Ok(None));
        assert!(decimal(&o, &["d"]).is_err());
        assert!(decimal(&o, &["e"]).is_err());
        assert_eq!(int(&o, &["f"]), Ok(4));
        assert_eq!(flag(&obj("{\"s\":\"false\",\"t\":true}"), &["s"]), Ok(Some(false)));
        assert_eq!(text(&obj("{\"n\":5}"), &["n"]).as_deref(), Some("5"));
    }
}
