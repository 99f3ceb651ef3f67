//! One raw line → an event, a blank, or a rejection: BLUE's `decode_line` + `on_event`
//! checks, minus the one rule that needs state (scan numbers must increase), which
//! [`EventStream`](super::EventStream) applies. Stateless, so lines can be decoded on any
//! thread while decisions stay sequential.

use crate::json::{JsonError, Parser, Value};
use crate::types::{ScanNumber, TsNs, VelDiv};

use super::fast::canonical_scan;
use super::fields::{self, FieldError};
use super::model::{Event, Scan, Tick};
use super::rejection::{Field, Rejection, Rule};

/// Strip what BLUE strips: the trailing LF, then spaces, tabs and CRs at both ends.
#[must_use]
pub fn trim_line(raw: &[u8]) -> &[u8] {
    let raw = raw.strip_suffix(b"\n").unwrap_or(raw);
    let is_space = |c: &u8| matches!(c, b' ' | b'\t' | b'\r');
    let start = raw.iter().position(|c| !is_space(c)).unwrap_or(raw.len());
    let end = raw.iter().rposition(|c| !is_space(c)).map_or(start, |e| e + 1);
    &raw[start..end]
}

/// The line's text: trimmed, UTF-8 checked; `None` when blank.
fn line_text(line: u64, raw: &[u8]) -> Result<Option<&str>, Rejection> {
    match std::str::from_utf8(trim_line(raw)) {
        Err(_) => Err(Rejection { line, field: Field::LINE, rule: Rule::NotUtf8 }),
        Ok("") => Ok(None),
        Ok(text) => Ok(Some(text)),
    }
}

/// Decode one line (with or without its LF). `Ok(None)` for a blank line.
///
/// Canonical scan lines take a fast path ([`canonical_scan`]); everything else, and every
/// line the fast path does not fully accept, goes through [`decode_line_generic`].
///
/// # Errors
/// A [`Rejection`] naming `line`, the field and the rule, for every poison kind BLUE
/// rejects (and for JSON outside the contract).
pub fn decode_line<'t>(parser: &mut Parser, line: u64, raw: &'t [u8]) -> Result<Option<Event<'t>>, Rejection> {
    let Some(text) = line_text(line, raw)? else { return Ok(None) };
    if let Some(ev) = canonical_scan(text) {
        return Ok(Some(ev));
    }
    decode_text(parser, line, text)
}

/// The generic decoder (the reference): strict JSON into the tape, then BLUE's field rules.
///
/// # Errors
/// As [`decode_line`].
pub fn decode_line_generic<'t>(parser: &mut Parser, line: u64, raw: &'t [u8]) -> Result<Option<Event<'t>>, Rejection> {
    let Some(text) = line_text(line, raw)? else { return Ok(None) };
    decode_text(parser, line, text)
}

fn decode_text<'t>(parser: &mut Parser, line: u64, text: &'t str) -> Result<Option<Event<'t>>, Rejection> {
    let reject = |e: FieldError| Rejection { line, field: e.field, rule: e.rule };
    let doc = parser.parse(text).map_err(|e| Rejection { line, field: Field::LINE, rule: Rule::NotJson(e) })?;
    let root = doc.root();
    if !root.is_object() {
        return Err(Rejection { line, field: Field::LINE, rule: Rule::NotAnObject });
    }
    let ev = decode_object(root).map_err(reject)?;
    // A float beyond f64's range that no field read (a read one is named by its field's
    // rule above): outside the contract, poison.
    if let Some(at) = doc.float_overflow() {
        return Err(Rejection { line, field: Field::LINE, rule: Rule::NotJson(JsonError::FloatOverflow { at }) });
    }
    Ok(Some(ev))
}

fn decode_object<'t>(obj: Value<'t, '_>) -> Result<Event<'t>, FieldError> {
    let ty = obj.get("type");
    let is = |s: &str| ty.is_some_and(|t| t.str_eq(s));
    if is("scan") {
        let [sn, ts, vd, assets] = obj.pick(["scan_number", "ts_ns", "vel_div", "assets"]);
        let f = Field::top("scan_number");
        let scan_number =
            ScanNumber::try_new(fields::int_of(sn, f)?).map_err(|_| FieldError { field: f, rule: Rule::Negative })?;
        let ts_ns = TsNs::new(fields::int_of(ts, Field::top("ts_ns"))?);
        let f = Field::top("vel_div");
        let vel_div =
            VelDiv::try_new(fields::float_of(vd, f)?).map_err(|_| FieldError { field: f, rule: Rule::NotFinite })?;
        let assets = fields::assets_of(assets, Field::top("assets"))?;
        Ok(Event::Scan(Scan { scan_number, ts_ns, vel_div, assets }))
    } else if is("factors") {
        let ts_ns = fields::ts_ns(obj, Field::top("ts_ns"))?;
        Ok(Event::Factors(fields::factors(obj, ts_ns)?))
    } else if is("tick") {
        let ts_ns: TsNs = fields::ts_ns(obj, Field::top("ts_ns"))?;
        let symbol = fields::symbol(obj, Field::top("symbol"))?;
        let price = fields::price(obj, Field::top("price"))?;
        Ok(Event::Tick(Tick { ts_ns, symbol, price }))
    } else {
        Err(FieldError { field: Field::top("type"), rule: Rule::UnknownType })
    }
}
