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
use super::model::{Asset, AssetPrice, AssetReturn, AssetVolatility, Event, Scan};

/// A scanned number token.
struct Num<'t> {
    text: &'t str,
    int: bool,
    negative: bool,
    nonzero: bool,
    /// The decimal magnitude of a nonzero value.
    mag: i64,
}

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
    fn literal<const N: usize>(&mut self, quoted: &[u8; N]) -> Option<()> {
        self.ws();
        // A fixed-size comparison the compiler inlines (a slice's `starts_with` calls memcmp).
        if self.b.get(self.pos..self.pos + N).is_some_and(|got| got == quoted) {
            self.pos += N;
            Some(())
        } else {
            None
        }
    }

    /// A key: `"name"` then `:`.
    #[inline]
    fn key<const N: usize>(&mut self, quoted: &[u8; N]) -> Option<()> {
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

    /// Skip ASCII digits, eight at a time.
    #[inline]
    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(chunk) = self.b.get(self.pos..self.pos + 8) {
            let x = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
            // A byte is flagged unless it is in b'0'..=b'9'; carries and borrows only ever
            // start at a flagged byte, so the lowest flagged byte is the first non-digit.
            let flags =
                (x.wrapping_sub(0x3030_3030_3030_3030) | x.wrapping_add(0x4646_4646_4646_4646)) & 0x8080_8080_8080_8080;
            if flags != 0 {
                self.pos += (flags.trailing_zeros() / 8) as usize;
                return self.pos - start;
            }
            self.pos += 8;
        }
        self.pos += self.b[self.pos..].iter().take_while(|c| c.is_ascii_digit()).count();
        self.pos - start
    }

    /// A number token (RFC 8259 grammar).
    #[inline]
    fn number(&mut self) -> Option<Num<'t>> {
        self.ws();
        let start = self.pos;
        let negative = self.b.get(self.pos) == Some(&b'-');
        if negative {
            self.pos += 1;
        }
        // Decimal magnitude: the value lies in [10^mag, 10^(mag+1)) when nonzero.
        let (mut mag, mut nonzero) = (0i64, false);
        match self.b.get(self.pos) {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                let n = self.digits();
                if n > MAX_INT_DIGITS {
                    return None;
                }
                mag = n as i64 - 1;
                nonzero = true;
            }
            _ => return None,
        }
        let mut int = true;
        if self.b.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            let frac_start = self.pos;
            if self.digits() == 0 {
                return None;
            }
            if !nonzero {
                let frac = &self.b[frac_start..self.pos];
                let zeros = frac.iter().take_while(|&&c| c == b'0').count();
                if zeros < frac.len() {
                    nonzero = true;
                    mag = -(zeros as i64) - 1;
                }
            }
            int = false;
        }
        if matches!(self.b.get(self.pos), Some(b'e' | b'E')) {
            self.pos += 1;
            let eneg = match self.b.get(self.pos) {
                Some(b'-') => {
                    self.pos += 1;
                    true
                }
                Some(b'+') => {
                    self.pos += 1;
                    false
                }
                _ => false,
            };
            let e_start = self.pos;
            let n = self.digits();
            if n == 0 {
                return None;
            }
            let e: i64 = if n > 9 { 1_000_000_000 } else { self.text.get(e_start..self.pos)?.parse().ok()? };
            mag += if eneg { -e } else { e };
            int = false;
        }
        Some(Num { text: self.text.get(start..self.pos)?, int, negative, nonzero, mag })
    }

    /// An integer field.
    #[inline]
    fn int(&mut self) -> Option<i64> {
        let n = self.number()?;
        if n.int { int_token_i64(n.text).ok() } else { None }
    }

    /// A finite float field (integer tokens convert as Python's `float(int)`).
    #[inline]
    fn float(&mut self) -> Option<f64> {
        let n = self.number()?;
        token_f64(n.text, n.int).ok().filter(|x| x.is_finite())
    }

    /// A return field: finite. A token that is zero or of a magnitude below 10^308 is
    /// finite whatever its digits (no overflow to infinity): settled without converting it.
    #[inline]
    fn ret(&mut self) -> Option<AssetReturn<'t>> {
        let n = self.number()?;
        if !n.nonzero || n.mag <= 307 {
            return Some(AssetReturn::validated_token(n.text, n.int));
        }
        Return::try_new(token_f64(n.text, n.int).ok()?).ok().map(AssetReturn::new)
    }

    /// A volatility field: finite and >= 0. A token that is zero (of either sign: -0.0 >= 0)
    /// or positive below 10^308 is settled without converting it.
    #[inline]
    fn vol(&mut self) -> Option<AssetVolatility<'t>> {
        let n = self.number()?;
        if !n.nonzero || (!n.negative && n.mag <= 307) {
            return Some(AssetVolatility::validated_token(n.text, n.int));
        }
        Volatility::try_new(token_f64(n.text, n.int).ok()?).ok().map(AssetVolatility::new)
    }

    /// A price field: finite and > 0. When the token is positive, nonzero and of a
    /// magnitude far from both ends of the double range (10^-320 .. 10^307: no underflow
    /// to 0, no overflow to infinity), that is settled without converting it; the
    /// conversion happens only if the price is used.
    #[inline]
    fn price(&mut self) -> Option<AssetPrice<'t>> {
        let n = self.number()?;
        if !n.negative && n.nonzero && (-320..=307).contains(&n.mag) {
            return Some(AssetPrice::validated_token(n.text, n.int));
        }
        let x = token_f64(n.text, n.int).ok().filter(|x| x.is_finite())?;
        Price::try_new(x).ok().map(AssetPrice::new)
    }

    fn asset(&mut self) -> Option<Asset<'t>> {
        self.byte(b'{')?;
        self.key(b"\"symbol\"")?;
        let symbol = Symbol::try_new(self.string()?).ok()?;
        self.byte(b',')?;
        self.key(b"\"price\"")?;
        let price = self.price()?;
        self.byte(b',')?;
        self.key(b"\"ret\"")?;
        let ret = self.ret()?;
        self.byte(b',')?;
        self.key(b"\"vol\"")?;
        let vol = self.vol()?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swar_digits_stop_at_the_first_non_digit() {
        for b in 0u8..=255 {
            for at in 0..12 {
                let mut v = vec![b'7'; 12];
                v[at] = b;
                let text = String::from_utf8_lossy(&v).into_owned();
                let bytes = text.as_bytes();
                let mut c = Cursor { text: &text, b: bytes, pos: 0 };
                let want = bytes.iter().take_while(|c| c.is_ascii_digit()).count();
                assert_eq!(c.digits(), want, "byte {b:#x} at {at}");
                assert_eq!(c.pos, want);
            }
        }
    }
}
