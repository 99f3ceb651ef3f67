//! A strict, borrowing JSON parser that writes a flat tape of nodes.
//!
//! One parser is reused line after line: the tape's `Vec` keeps its capacity, strings and
//! numbers stay as spans of the input, so parsing a line allocates nothing once warm.
//!
//! The grammar is RFC 8259, which is exactly what Python's `json.loads` accepts apart from
//! the non-standard constants `NaN`, `Infinity` and `-Infinity` (accepted only when
//! [`ParseOptions::allow_constants`] is set: BLUE's oracle answers carry them, event lines
//! must not). On top of the grammar the parser refuses what the event-stream contract puts
//! outside the contract: duplicate keys, nesting deeper than [`MAX_DEPTH`], lone UTF-16
//! surrogate escapes, integers longer than [`MAX_INT_DIGITS`] digits; and it notes the first
//! float beyond f64's range (`1e400`), wherever it is ([`Doc::float_overflow`]).

use std::borrow::Cow;

use super::error::JsonError;

/// Deepest nesting of arrays and objects accepted (the contract's limit).
pub const MAX_DEPTH: usize = 128;
/// Longest integer token accepted (Python refuses longer ones: `sys.int_info`).
pub const MAX_INT_DIGITS: usize = 4300;

/// Bytes that end a run of plain string content: `"`, `\\` and the control characters.
static STRING_STOP: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 0x20 {
        t[c] = true;
        c += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

/// What a [`Parser`] accepts beyond RFC 8259.
#[derive(Debug, Clone, Copy, Default)]
pub struct ParseOptions {
    /// Accept `NaN`, `Infinity` and `-Infinity` tokens (Python's `json` writes them).
    pub allow_constants: bool,
}

/// One node of the tape. Spans are byte offsets into the parsed text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Node {
    /// `null`
    Null,
    /// `true` or `false`
    Bool(bool),
    /// A number token without fraction or exponent.
    Int {
        /// Token start.
        start: u32,
        /// Token end (exclusive).
        end: u32,
    },
    /// A number token with a fraction or an exponent.
    Float {
        /// Token start.
        start: u32,
        /// Token end (exclusive).
        end: u32,
    },
    /// A non-standard constant (`NaN`, `Infinity`, `-Infinity`), only with `allow_constants`.
    Constant(f64),
    /// A string; the span is inside the quotes, raw (escapes not yet decoded).
    Str {
        /// First byte after the opening quote.
        start: u32,
        /// The closing quote's offset.
        end: u32,
        /// Whether the raw text holds a backslash escape.
        escaped: bool,
    },
    /// An array of `len` values; `next` is the index of the node after its last descendant.
    Array {
        /// Number of elements.
        len: u32,
        /// Index just past the subtree.
        next: u32,
    },
    /// An object of `len` members, each a key `Str` node then its value's subtree.
    Object {
        /// Number of members.
        len: u32,
        /// Index just past the subtree.
        next: u32,
    },
}

/// A reusable parser: keep one per thread and feed it lines.
#[derive(Debug, Default)]
pub struct Parser {
    nodes: Vec<Node>,
    opts: ParseOptions,
}

/// A parsed document: the text (lifetime `'t`) and its tape (lifetime `'n`, the parser's).
/// Node 0 is the root. Strings taken out of it borrow the text only.
#[derive(Debug, Clone, Copy)]
pub struct Doc<'t, 'n> {
    text: &'t str,
    nodes: &'n [Node],
    overflow: Option<usize>,
}

/// A value inside a [`Doc`].
#[derive(Debug, Clone, Copy)]
pub struct Value<'t, 'n> {
    doc: Doc<'t, 'n>,
    idx: usize,
}

impl Parser {
    /// A parser with the given options.
    #[must_use]
    pub fn new(opts: ParseOptions) -> Self {
        Self { nodes: Vec::with_capacity(512), opts }
    }

    /// Parse one complete JSON text (surrounding JSON whitespace allowed).
    ///
    /// # Errors
    /// [`JsonError`] naming the offset and what is wrong when `text` is not one JSON value
    /// inside the contract.
    pub fn parse<'t, 'n>(&'n mut self, text: &'t str) -> Result<Doc<'t, 'n>, JsonError> {
        self.nodes.clear();
        if u32::try_from(text.len()).is_err() {
            return Err(JsonError::TooLong);
        }
        let mut st =
            State { text, b: text.as_bytes(), pos: 0, nodes: &mut self.nodes, opts: self.opts, overflow: None };
        st.ws();
        st.value(0)?;
        st.ws();
        if st.pos != st.b.len() {
            return Err(JsonError::TrailingData { at: st.pos });
        }
        let overflow = st.overflow;
        Ok(Doc { text, nodes: &self.nodes, overflow })
    }
}

struct State<'s> {
    text: &'s str,
    b: &'s [u8],
    pos: usize,
    nodes: &'s mut Vec<Node>,
    opts: ParseOptions,
    /// The first float token beyond f64's range (byte offset).
    overflow: Option<usize>,
}

#[allow(clippy::cast_possible_truncation)] // offsets fit u32: checked in `parse`
impl State<'_> {
    #[inline]
    fn ws(&mut self) {
        while let Some(&c) = self.b.get(self.pos) {
            if c == b' ' || c == b'\t' || c == b'\n' || c == b'\r' {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn value(&mut self, depth: usize) -> Result<(), JsonError> {
        match self.peek() {
            None => Err(JsonError::UnexpectedEnd),
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => {
                let n = self.string()?;
                self.nodes.push(n);
                Ok(())
            }
            Some(b't') => self.literal(b"true", Node::Bool(true)),
            Some(b'f') => self.literal(b"false", Node::Bool(false)),
            Some(b'n') => self.literal(b"null", Node::Null),
            Some(b'N') => self.constant(b"NaN", f64::NAN),
            Some(b'I') => self.constant(b"Infinity", f64::INFINITY),
            Some(b'-') if self.b.get(self.pos + 1) == Some(&b'I') => self.constant(b"-Infinity", f64::NEG_INFINITY),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(JsonError::UnexpectedChar { at: self.pos }),
        }
    }

    fn literal(&mut self, word: &[u8], node: Node) -> Result<(), JsonError> {
        if self.b[self.pos..].starts_with(word) {
            self.pos += word.len();
            self.nodes.push(node);
            Ok(())
        } else {
            Err(JsonError::UnexpectedChar { at: self.pos })
        }
    }

    fn constant(&mut self, word: &[u8], v: f64) -> Result<(), JsonError> {
        if !self.b[self.pos..].starts_with(word) {
            return Err(JsonError::UnexpectedChar { at: self.pos });
        }
        if !self.opts.allow_constants {
            return Err(JsonError::NonFiniteConstant { at: self.pos });
        }
        self.pos += word.len();
        self.nodes.push(Node::Constant(v));
        Ok(())
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<(), JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let int_start = self.pos;
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(JsonError::BadNumber { at: start }),
        }
        let int_digits = self.pos - int_start;
        let mut float = false;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(JsonError::BadNumber { at: start });
            }
            float = true;
        }
        let mut exponent: i64 = 0;
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            let negative = self.peek() == Some(b'-');
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            let at = self.pos;
            if self.digits() == 0 {
                return Err(JsonError::BadNumber { at: start });
            }
            exponent = self.text.as_bytes()[at..self.pos]
                .iter()
                .fold(0i64, |e, d| e.saturating_mul(10).saturating_add(i64::from(d - b'0')));
            if negative {
                exponent = -exponent;
            }
            float = true;
        }
        // A float that may exceed f64's range (about 1.8e308) is parsed here, whether or
        // not a field reads it, and the first that overflows is noted (`Doc::float_overflow`):
        // a field that reads it names it; one no field reads is outside the contract. Only
        // tokens whose digits and exponent reach that far pay for the parse.
        if float
            && self.overflow.is_none()
            && exponent.saturating_add(i64::try_from(int_digits).unwrap_or(i64::MAX)) > 300
            && self.text[start..self.pos].parse::<f64>().is_ok_and(f64::is_infinite)
        {
            self.overflow = Some(start);
        }
        let (start, end) = (start as u32, self.pos as u32);
        if float {
            self.nodes.push(Node::Float { start, end });
        } else {
            if int_digits > MAX_INT_DIGITS {
                return Err(JsonError::IntegerTooLong { at: start as usize });
            }
            self.nodes.push(Node::Int { start, end });
        }
        Ok(())
    }

    /// Scan a string starting at its opening quote; validates escapes.
    fn string(&mut self) -> Result<Node, JsonError> {
        let open = self.pos;
        self.pos += 1;
        let start = self.pos;
        let mut escaped = false;
        loop {
            // Fast skip over plain bytes: one table lookup per byte.
            self.pos +=
                self.b[self.pos..].iter().position(|&c| STRING_STOP[usize::from(c)]).unwrap_or(self.b.len() - self.pos);
            match self.peek() {
                None => return Err(JsonError::UnterminatedString { at: open }),
                Some(b'"') => {
                    let end = self.pos;
                    self.pos += 1;
                    return Ok(Node::Str { start: start as u32, end: end as u32, escaped });
                }
                Some(b'\\') => {
                    escaped = true;
                    self.escape()?;
                }
                Some(_) => return Err(JsonError::ControlCharInString { at: self.pos }),
            }
        }
    }

    fn hex4(&self, at: usize) -> Result<u32, JsonError> {
        let Some(h) = self.b.get(at..at + 4) else {
            return Err(JsonError::BadEscape { at });
        };
        let mut v = 0u32;
        for &c in h {
            let d = match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                b'A'..=b'F' => c - b'A' + 10,
                _ => return Err(JsonError::BadEscape { at }),
            };
            v = (v << 4) | u32::from(d);
        }
        Ok(v)
    }

    fn escape(&mut self) -> Result<(), JsonError> {
        let at = self.pos;
        match self.b.get(self.pos + 1) {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                self.pos += 2;
                Ok(())
            }
            Some(b'u') => {
                let cu = self.hex4(self.pos + 2)?;
                self.pos += 6;
                if (0xDC00..0xE000).contains(&cu) {
                    return Err(JsonError::LoneSurrogate { at });
                }
                if (0xD800..0xDC00).contains(&cu) {
                    if self.b.get(self.pos) == Some(&b'\\') && self.b.get(self.pos + 1) == Some(&b'u') {
                        let lo = self.hex4(self.pos + 2)?;
                        if (0xDC00..0xE000).contains(&lo) {
                            self.pos += 6;
                            return Ok(());
                        }
                    }
                    return Err(JsonError::LoneSurrogate { at });
                }
                Ok(())
            }
            _ => Err(JsonError::BadEscape { at }),
        }
    }

    fn enter(depth: usize, at: usize) -> Result<(), JsonError> {
        if depth > MAX_DEPTH { Err(JsonError::TooDeep { at }) } else { Ok(()) }
    }

    fn array(&mut self, depth: usize) -> Result<(), JsonError> {
        Self::enter(depth, self.pos)?;
        let me = self.nodes.len();
        self.nodes.push(Node::Array { len: 0, next: 0 });
        self.pos += 1;
        self.ws();
        let mut len = 0u32;
        if self.peek() == Some(b']') {
            self.pos += 1;
        } else {
            loop {
                self.value(depth)?;
                len += 1;
                self.ws();
                match self.peek() {
                    Some(b',') => {
                        self.pos += 1;
                        self.ws();
                    }
                    Some(b']') => {
                        self.pos += 1;
                        break;
                    }
                    None => return Err(JsonError::UnexpectedEnd),
                    Some(_) => return Err(JsonError::UnexpectedChar { at: self.pos }),
                }
            }
        }
        self.nodes[me] = Node::Array { len, next: self.nodes.len() as u32 };
        Ok(())
    }

    fn object(&mut self, depth: usize) -> Result<(), JsonError> {
        let open = self.pos;
        Self::enter(depth, open)?;
        let me = self.nodes.len();
        self.nodes.push(Node::Object { len: 0, next: 0 });
        self.pos += 1;
        self.ws();
        let mut len = 0u32;
        if self.peek() == Some(b'}') {
            self.pos += 1;
        } else {
            loop {
                if self.peek() != Some(b'"') {
                    return Err(if self.peek().is_none() {
                        JsonError::UnexpectedEnd
                    } else {
                        JsonError::UnexpectedChar { at: self.pos }
                    });
                }
                let key = self.string()?;
                self.nodes.push(key);
                self.ws();
                if self.peek() != Some(b':') {
                    return Err(JsonError::UnexpectedChar { at: self.pos });
                }
                self.pos += 1;
                self.ws();
                self.value(depth)?;
                len += 1;
                self.ws();
                match self.peek() {
                    Some(b',') => {
                        self.pos += 1;
                        self.ws();
                    }
                    Some(b'}') => {
                        self.pos += 1;
                        break;
                    }
                    None => return Err(JsonError::UnexpectedEnd),
                    Some(_) => return Err(JsonError::UnexpectedChar { at: self.pos }),
                }
            }
        }
        self.nodes[me] = Node::Object { len, next: self.nodes.len() as u32 };
        if len > 1 {
            self.check_duplicate_keys(me, open)?;
        }
        Ok(())
    }

    fn check_duplicate_keys(&self, me: usize, open: usize) -> Result<(), JsonError> {
        let doc = Doc { text: self.text, nodes: self.nodes, overflow: None };
        let obj = Value { doc, idx: me };
        let mut keys: Vec<Cow<'_, str>> = Vec::new();
        let mut raw_keys: [(u32, u32); 16] = [(0, 0); 16];
        let mut n = 0usize;
        let mut any_escaped = false;
        for (k, _) in obj.members() {
            if let Node::Str { start, end, escaped } = doc.nodes[k.idx] {
                any_escaped |= escaped;
                if n < raw_keys.len() {
                    raw_keys[n] = (start, end);
                }
                n += 1;
            }
        }
        if !any_escaped && n <= raw_keys.len() {
            let key = |i: usize| &self.b[raw_keys[i].0 as usize..raw_keys[i].1 as usize];
            for i in 1..n {
                for j in 0..i {
                    if key(i) == key(j) {
                        return Err(JsonError::DuplicateKey { at: open });
                    }
                }
            }
            return Ok(());
        }
        for (k, _) in obj.members() {
            keys.push(k.as_str().unwrap_or_default());
        }
        keys.sort_unstable();
        if keys.windows(2).any(|w| w[0] == w[1]) {
            return Err(JsonError::DuplicateKey { at: open });
        }
        Ok(())
    }
}

impl<'t, 'n> Doc<'t, 'n> {
    /// The byte offset of the first float token beyond f64's range, if any.
    #[must_use]
    pub fn float_overflow(self) -> Option<usize> {
        self.overflow
    }

    /// The root value.
    #[must_use]
    pub fn root(self) -> Value<'t, 'n> {
        Value { doc: self, idx: 0 }
    }

    /// The parsed text.
    #[must_use]
    pub fn text(self) -> &'t str {
        self.text
    }
}

/// Decode the raw text of a JSON string (escapes validated by the parser).
fn unescape(raw: &str) -> String {
    let b = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    let hex = |at: usize| u32::from_str_radix(&raw[at..at + 4], 16).unwrap_or(0xFFFD);
    while i < b.len() {
        let c = b[i];
        if c != b'\\' {
            // Copy a run of plain text at once (UTF-8 boundaries are preserved: '\\' is ASCII).
            let run_end = raw[i..].find('\\').map_or(b.len(), |k| i + k);
            out.push_str(&raw[i..run_end]);
            i = run_end;
            continue;
        }
        let e = b[i + 1];
        i += 2;
        let ch = match e {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            _ => {
                let cu = hex(i);
                i += 4;
                let cp = if (0xD800..0xDC00).contains(&cu) {
                    let lo = hex(i + 2);
                    i += 6;
                    0x10000 + ((cu - 0xD800) << 10) + (lo - 0xDC00)
                } else {
                    cu
                };
                char::from_u32(cp).unwrap_or('\u{FFFD}')
            }
        };
        out.push(ch);
    }
    out
}

/// The kind of a JSON value, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `null`
    Null,
    /// `true`/`false`
    Bool,
    /// An integer token.
    Int,
    /// A float token (or a non-standard constant).
    Float,
    /// A string.
    Str,
    /// An array.
    Array,
    /// An object.
    Object,
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Kind::Null => "null",
            Kind::Bool => "a boolean",
            Kind::Int => "an integer",
            Kind::Float => "a float",
            Kind::Str => "a string",
            Kind::Array => "an array",
            Kind::Object => "an object",
        })
    }
}

impl<'t, 'n> Value<'t, 'n> {
    #[inline]
    fn node(self) -> Node {
        self.doc.nodes[self.idx]
    }

    /// Index just past this value's subtree.
    #[inline]
    fn next(self) -> usize {
        match self.node() {
            Node::Array { next, .. } | Node::Object { next, .. } => next as usize,
            _ => self.idx + 1,
        }
    }

    /// The kind of value.
    #[must_use]
    #[inline]
    pub fn kind(self) -> Kind {
        match self.node() {
            Node::Null => Kind::Null,
            Node::Bool(_) => Kind::Bool,
            Node::Int { .. } => Kind::Int,
            Node::Float { .. } | Node::Constant(_) => Kind::Float,
            Node::Str { .. } => Kind::Str,
            Node::Array { .. } => Kind::Array,
            Node::Object { .. } => Kind::Object,
        }
    }

    /// Whether this is `null`.
    #[must_use]
    #[inline]
    pub fn is_null(self) -> bool {
        matches!(self.node(), Node::Null)
    }

    /// The boolean, if this is one.
    #[must_use]
    pub fn as_bool(self) -> Option<bool> {
        match self.node() {
            Node::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The raw token text of a number (integer or float token).
    #[must_use]
    #[inline]
    pub fn number_text(self) -> Option<&'t str> {
        match self.node() {
            Node::Int { start, end } | Node::Float { start, end } => Some(&self.doc.text[start as usize..end as usize]),
            _ => None,
        }
    }

    /// The non-standard constant's value, if this is one.
    #[must_use]
    pub fn constant(self) -> Option<f64> {
        match self.node() {
            Node::Constant(v) => Some(v),
            _ => None,
        }
    }

    /// The decoded string, borrowed when it holds no escape.
    #[must_use]
    #[inline]
    pub fn as_str(self) -> Option<Cow<'t, str>> {
        match self.node() {
            Node::Str { start, end, escaped } => {
                let raw = &self.doc.text[start as usize..end as usize];
                Some(if escaped { Cow::Owned(unescape(raw)) } else { Cow::Borrowed(raw) })
            }
            _ => None,
        }
    }

    /// Whether this is a string equal (after decoding) to `s`.
    #[must_use]
    #[inline]
    pub fn str_eq(self, s: &str) -> bool {
        match self.node() {
            Node::Str { start, end, escaped: false } => {
                let raw = &self.doc.text.as_bytes()[start as usize..end as usize];
                // Keys are short: a byte loop beats a call to memcmp.
                raw.len() == s.len() && raw.iter().zip(s.as_bytes()).all(|(a, b)| a == b)
            }
            Node::Str { .. } => self.as_str().is_some_and(|v| v == s),
            _ => false,
        }
    }

    /// The elements, if this is an array.
    #[must_use]
    #[inline]
    pub fn array(self) -> Option<Elements<'t, 'n>> {
        match self.node() {
            Node::Array { len, next } => {
                Some(Elements { doc: self.doc, idx: self.idx + 1, end: next as usize, len: len as usize })
            }
            _ => None,
        }
    }

    /// Whether this is an object.
    #[must_use]
    #[inline]
    pub fn is_object(self) -> bool {
        matches!(self.node(), Node::Object { .. })
    }

    /// The members of an object (empty for anything else).
    #[must_use]
    #[inline]
    pub fn members(self) -> Members<'t, 'n> {
        match self.node() {
            Node::Object { next, .. } => Members { doc: self.doc, idx: self.idx + 1, end: next as usize },
            _ => Members { doc: self.doc, idx: 0, end: 0 },
        }
    }

    /// The member named `key` of an object (keys are unique: the parser refuses duplicates).
    #[must_use]
    #[inline]
    pub fn get(self, key: &str) -> Option<Value<'t, 'n>> {
        self.members().find(|(k, _)| k.str_eq(key)).map(|(_, v)| v)
    }

    /// The members named `names`, found in one pass over the object (`None` for absent
    /// ones; all `None` for a non-object). Cheaper than `N` calls to [`get`](Self::get).
    #[must_use]
    #[inline]
    pub fn pick<const N: usize>(self, names: [&str; N]) -> [Option<Value<'t, 'n>>; N] {
        let mut out = [None; N];
        let mut found = 0;
        for (k, v) in self.members() {
            if let Some(i) = names.iter().position(|n| k.str_eq(n)) {
                if out[i].is_none() {
                    found += 1;
                }
                out[i] = Some(v);
                if found == N {
                    break;
                }
            }
        }
        out
    }
}

/// Iterator over an array's elements.
#[derive(Debug, Clone)]
pub struct Elements<'t, 'n> {
    doc: Doc<'t, 'n>,
    idx: usize,
    end: usize,
    len: usize,
}

impl<'t, 'n> Iterator for Elements<'t, 'n> {
    type Item = Value<'t, 'n>;
    #[inline]
    fn next(&mut self) -> Option<Value<'t, 'n>> {
        if self.idx >= self.end {
            return None;
        }
        let v = Value { doc: self.doc, idx: self.idx };
        self.idx = v.next();
        self.len -= 1;
        Some(v)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.len, Some(self.len))
    }
}

impl ExactSizeIterator for Elements<'_, '_> {}

/// Iterator over an object's `(key, value)` members.
#[derive(Debug, Clone)]
pub struct Members<'t, 'n> {
    doc: Doc<'t, 'n>,
    idx: usize,
    end: usize,
}

impl<'t, 'n> Iterator for Members<'t, 'n> {
    type Item = (Value<'t, 'n>, Value<'t, 'n>);
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.idx >= self.end {
            return None;
        }
        let k = Value { doc: self.doc, idx: self.idx };
        let v = Value { doc: self.doc, idx: self.idx + 1 };
        self.idx = v.next();
        Some((k, v))
    }
}
