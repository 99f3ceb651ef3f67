//! Writing JSON text: strings and a small object writer for JSON-lines records.

use super::number::write_f64;

/// Append `s` as a JSON string literal (UTF-8 kept; quotes, backslashes and control
/// characters escaped).
pub fn write_str(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let esc = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            c if (c as u32) < 0x20 => None,
            _ => continue,
        };
        out.push_str(&s[start..i]);
        match esc {
            Some(e) => out.push_str(e),
            None => {
                use std::fmt::Write as _;
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
        }
        start = i + c.len_utf8();
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
                    use std::fmt::Write as _;
                    let _ = write!(out, "{self}");
                }
            }
        )*};
    }
    int!(i32, i64, u32, u64, usize);
}
