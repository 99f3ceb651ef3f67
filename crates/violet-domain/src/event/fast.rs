//! A fast path for the common line: a scan in the canonical shape
//! `{"type":"scan","scan_number":N,"ts_ns":N,"vel_div":X,"assets":[{"symbol":"S","price":X,"ret":X,"vol":X},...]}`
//! (keys in this order, any JSON whitespace between tokens, no escapes in strings).
//!
//! It decodes such a line straight into a [`Scan`] without the generic tape. It returns an
//! event only for a line it has fully validated — JSON grammar, BLUE's field rules and
//! unique symbols — and `None` for anything else (another event type, another key order,
//! an escape, any poison), which then goes through the generic decoder: the reference,
//! which also names the fault. A differential test holds the two to the same results.

use crate::json::{MAX_INT_DIGITS, int_token_i64, token_f64};
use crate::types::{Price, Return, ScanNumber, Symbol, TsNs, VelDiv, Volatility};

use super::fields::has_duplicate_symbols;
use super::model::{Asset, Event, Scan};

struct Cursor<'t> {
    text: &'t str,
    b: &'t [u8],
    pos: usize,
}

impl<'t> Cursor<'t> {
    #[inline]
    fn ws(&mut self) {
        // Canonical lines have no whitespace: test the first byte before looping.
        if matches!(self.b.get(self.pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += self.b[self.pos..].iter().take_while(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r')).count();
        }
    }

    /// Expect `c` after optional whitespace.
    #[inline]
    fn byte(&mut self, c: u8) -> Option<()> {
        self.ws();
        if self.b.get(self.pos) == Some(&c) {
            self.pos += 1;
            Some(())
        } else {
            None
        }
    }

    /// Expect the exact quoted string `s` (no escapes) after optional whitespace.
    #[inline]
    fn literal(&mut self, quoted: &[u8]) -> Option<()> {
        self.ws();
        if self.b[self.pos..].starts_with(quoted) {
            self.pos += quoted.len();
            Some(())
        } else {
            None
        }
    }

    /// A key: `"name"` then `:`.
    #[inline]
    fn key(&mut self, quoted: &[u8]) -> Option<()> {
        self.literal(quoted)?;
        self.byte(b':')
    }

    /// A string without escapes or control characters.
    #[inline]
    fn string(&mut self) -> Option<&'t str> {
        self.byte(b'"')?;
        let start = self.pos;
        let len = self.b[start..].iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20)?;
        if self.b[start + len] != b'"' {
            return None;
        }
        self.pos = start + len + 1;
        // Offsets sit next to ASCII quotes: char boundaries of valid UTF-8.
        self.text.get(start..start + len)
    }

    #[inline]
    fn digits(&mut self) -> usize {
        let n = self.b[self.pos..].iter().take_while(|c| c.is_ascii_digit()).count();
        self.pos += n;
        n
    }

    /// A number token (RFC 8259 grammar): its text and whether it is an integer token.
    #[inline]
    fn number(&mut self) -> Option<(&'t str, bool)> {
        self.ws();
        let start = self.pos;
        if self.b.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        match self.b.get(self.pos) {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                if self.digits() > MAX_INT_DIGITS {
                    return None;
                }
            }
            _ => return None,
        }
        let mut int = true;
        if self.b.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return None;
            }
            int = false;
        }
        if matches!(self.b.get(self.pos), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.b.get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return None;
            }
            int = false;
        }
        Some((self.text.get(start..self.pos)?, int))
    }

    /// An integer field.
    #[inline]
    fn int(&mut self) -> Option<i64> {
        match self.number()? {
            (t, true) => int_token_i64(t).ok(),
            _ => None,
        }
    }

    /// A finite float field (integer tokens convert as Python's `float(int)`).
    #[inline]
    fn float(&mut self) -> Option<f64> {
        let (t, int) = self.number()?;
        token_f64(t, int).ok().filter(|x| x.is_finite())
    }

    fn asset(&mut self) -> Option<Asset<'t>> {
        self.byte(b'{')?;
        self.key(b"\"symbol\"")?;
        let symbol = Symbol::try_new(self.string()?).ok()?;
        self.byte(b',')?;
        self.key(b"\"price\"")?;
        let price = Price::try_new(self.float()?).ok()?;
        self.byte(b',')?;
        self.key(b"\"ret\"")?;
        let ret = Return::try_new(self.float()?).ok()?;
        self.byte(b',')?;
        self.key(b"\"vol\"")?;
        let vol = Volatility::try_new(self.float()?).ok()?;
        self.byte(b'}')?;
        Some(Asset { symbol, price, ret, vol })
    }
}

/// Decode a trimmed line if it is a valid scan in the canonical shape; `None` otherwise.
#[must_use]
pub fn canonical_scan(text: &str) -> Option<Event<'_>> {
    let mut c = Cursor { text, b: text.as_bytes(), pos: 0 };
    c.byte(b'{')?;
    c.key(b"\"type\"")?;
    c.literal(b"\"scan\"")?;
    c.byte(b',')?;
    c.key(b"\"scan_number\"")?;
    let scan_number = ScanNumber::try_new(c.int()?).ok()?;
    c.byte(b',')?;
    c.key(b"\"ts_ns\"")?;
    let ts_ns = TsNs::new(c.int()?);
    c.byte(b',')?;
    c.key(b"\"vel_div\"")?;
    let vel_div = VelDiv::try_new(c.float()?).ok()?;
    c.byte(b',')?;
    c.key(b"\"assets\"")?;
    c.byte(b'[')?;
    let mut assets = Vec::with_capacity(64);
    c.ws();
    if c.b.get(c.pos) == Some(&b']') {
        c.pos += 1;
    } else {
        loop {
            assets.push(c.asset()?);
            c.ws();
            match c.b.get(c.pos) {
                Some(b',') => c.pos += 1,
                Some(b']') => {
                    c.pos += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    c.byte(b'}')?;
    c.ws();
    if c.pos != c.b.len() || has_duplicate_symbols(&assets) {
        return None;
    }
    Some(Event::Scan(Scan { scan_number, ts_ns, vel_div, assets }))
}
