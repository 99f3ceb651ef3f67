//! Writing JSON text: strings and a small object writer for JSON-lines records.

use super::number::write_f64;

/// Append `s` as a JSON string literal (UTF-8 kept; quotes, backslashes and control
/// characters escaped).
pub fn write_str(out: &mut String, s: &str) {
    // Most strings (every key, most values) need no escape: one scan, one copy.
    if !s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        out.reserve(s.len() + 2);
        out.push('"');
        out.push_str(s);
        out.push('"');
        return;
    }
    out.push('"');
    let mut start = 0;
    // Every byte to escape is ASCII, and no byte of a multi-byte UTF-8 character is: a byte
    // scan finds them and slices stay on character boundaries.
    for (i, &b) in s.as_bytes().iter().enumerate() {
        let esc = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..0x20 => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if esc.is_empty() {
            use std::fmt::Write as _;
            let _ = write!(out, "\\u{b:04x}");
        } else {
            out.push_str(esc);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// Writes one JSON object member by member into a `String`.
///
/// ```
/// use violet_domain::json::ObjectWriter;
/// let mut s = String::new();
/// let mut w = ObjectWriter::new(&mut s);
/// w.int("scans", 3).float("capital", 25000.0).str("mode", "scan");
/// w.finish();
/// assert_eq!(s, r#"{"scans":3,"capital":25000.0,"mode":"scan"}"#);
/// ```
#[derive(Debug)]
pub struct ObjectWriter<'o> {
    out: &'o mut String,
    first: bool,
}

impl<'o> ObjectWriter<'o> {
    /// Start an object.
    pub fn new(out: &'o mut String) -> Self {
        out.push('{');
        Self { out, first: true }
    }

    /// Start a member and return the buffer to write its value into.
    pub fn key(&mut self, k: &str) -> &mut String {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        write_str(self.out, k);
        self.out.push(':');
        self.out
    }

    /// A float member (Python's format).
    pub fn float(&mut self, k: &str, v: f64) -> &mut Self {
        write_f64(self.key(k), v);
        self
    }

    /// An integer member.
    pub fn int(&mut self, k: &str, v: impl itoa_like::Int) -> &mut Self {
        v.push_to(self.key(k));
        self
    }

    /// A string member.
    pub fn str(&mut self, k: &str, v: &str) -> &mut Self {
        let out = self.key(k);
        write_str(out, v);
        self
    }

    /// A string member, or `null` when absent.
    pub fn opt_str(&mut self, k: &str, v: Option<&str>) -> &mut Self {
        match v {
            Some(v) => self.str(k, v),
            None => self.raw(k, "null"),
        }
    }

    /// A member whose value is already JSON text.
    pub fn raw(&mut self, k: &str, json: &str) -> &mut Self {
        self.key(k).push_str(json);
        self
    }

    /// A boolean member.
    pub fn bool(&mut self, k: &str, v: bool) -> &mut Self {
        self.raw(k, if v { "true" } else { "false" })
    }

    /// Close the object.
    pub fn finish(self) {
        self.out.push('}');
    }
}

/// Integers the writer accepts.
pub mod itoa_like {
    /// An integer that appends its decimal text.
    pub trait Int {
        /// Append the decimal text.
        fn push_to(self, out: &mut String);
    }
    macro_rules! int {
        ($($t:ty),*) => {$(
            impl Int for $t {
                fn push_to(self, out: &mut String) {
                    out.push_str(itoa::Buffer::new().format(self));
                }
            }
        )*};
    }
    int!(i32, i64, u32, u64, usize);
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::write_str;
    use crate::json::{JsonValue, ParseOptions, parse_owned};

    proptest! {
        /// Any string, control characters and non-ASCII included, reads back unchanged.
        #[test]
        fn write_str_round_trips(s in "(\\PC|[\\x00-\\x1f\"\\\\])*") {
            let mut out = String::new();
            write_str(&mut out, &s);
            prop_assert!(out.bytes().all(|b| b >= 0x20), "{out:?}");
            match parse_owned(&out, ParseOptions::default()) {
                Ok(JsonValue::Str(back)) => prop_assert_eq!(back, s),
                other => prop_assert!(false, "{out:?} -> {other:?}"),
            }
        }
    }
}
