//! An owned JSON value compared the way the gates compare answers: objects as maps,
//! integers by value, floats by bit pattern.

use std::fmt;

use super::number::{json_f64_any, write_f64};
use super::tape::{Kind, Value};
use super::write::write_str;

/// An owned JSON value.
#[derive(Debug, Clone)]
pub enum JsonValue {
    /// `null`
    Null,
    /// `true`/`false`
    Bool(bool),
    /// An integer token, kept as canonical decimal text (so any size compares exactly).
    Int(String),
    /// A float (from a float token or a `NaN`/`Infinity` constant).
    Float(f64),
    /// A string.
    Str(String),
    /// An array.
    Array(Vec<JsonValue>),
    /// An object, members in document order.
    Object(Vec<(String, JsonValue)>),
}

impl JsonValue {
    /// Copy a parsed value out of its document.
    #[must_use]
    pub fn from_value(v: Value<'_, '_>) -> Self {
        match v.kind() {
            Kind::Null => Self::Null,
            Kind::Bool => Self::Bool(v.as_bool().unwrap_or(false)),
            Kind::Int => {
                let t = v.number_text().unwrap_or("0");
                let t = if t.trim_start_matches('-') == "0" { "0" } else { t };
                Self::Int(t.to_owned())
            }
            Kind::Float => Self::Float(json_f64_any(v).unwrap_or(f64::NAN)),
            Kind::Str => Self::Str(v.as_str().map(std::borrow::Cow::into_owned).unwrap_or_default()),
            Kind::Array => Self::Array(v.array().into_iter().flatten().map(Self::from_value).collect()),
            Kind::Object => Self::Object(
                v.members()
                    .map(|(k, x)| {
                        (k.as_str().map(std::borrow::Cow::into_owned).unwrap_or_default(), Self::from_value(x))
                    })
                    .collect(),
            ),
        }
    }

    /// An integer value.
    #[must_use]
    pub fn int(i: i64) -> Self {
        Self::Int(i.to_string())
    }

    /// The member `key` of an object.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&JsonValue> {
        match self {
            Self::Object(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Exact equality: objects as maps, floats by bit pattern, integers by value; an
    /// integer never equals a float.
    #[must_use]
    pub fn same(&self, other: &JsonValue) -> bool {
        match (self, other) {
            (Self::Null, Self::Null) => true,
            (Self::Bool(a), Self::Bool(b)) => a == b,
            (Self::Int(a), Self::Int(b)) => a == b,
            (Self::Float(a), Self::Float(b)) => a.to_bits() == b.to_bits(),
            (Self::Str(a), Self::Str(b)) => a == b,
            (Self::Array(a), Self::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same(y)),
            (Self::Object(a), Self::Object(b)) => {
                a.len() == b.len() && a.iter().all(|(k, x)| other.get(k).is_some_and(|y| x.same(y)))
            }
            _ => false,
        }
    }

    /// Append the compact JSON text.
    pub fn write(&self, out: &mut String) {
        match self {
            Self::Null => out.push_str("null"),
            Self::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Self::Int(t) => out.push_str(t),
            Self::Float(x) => write_f64(out, *x),
            Self::Str(s) => write_str(out, s),
            Self::Array(a) => {
                out.push('[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    x.write(out);
                }
                out.push(']');
            }
            Self::Object(m) => {
                out.push('{');
                for (i, (k, x)) in m.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_str(out, k);
                    out.push(':');
                    x.write(out);
                }
                out.push('}');
            }
        }
    }
}

impl fmt::Display for JsonValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        self.write(&mut s);
        f.write_str(&s)
    }
}
