//! Field readers with BLUE's exact rules (`blue/events.py`: `_int`, `_float`, `_symbol`,
//! `_choice`, `parse_*`), shared by the event decoder and the oracle protocol.

use std::borrow::Cow;

use crate::json::{Value, json_f64, json_i64};
use crate::types::{
    AcbBeta, AcbBoost, DcStatus, EsofScore, McScale, ObConsensus, Price, Return, ScanNumber, Symbol, TsNs, VelDiv,
    Volatility,
};

use super::model::{Asset, Factors};
use super::rejection::{Field, Rule};

/// A field that breaks a rule (a [`Rejection`](super::Rejection) without its line number).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {rule}")]
pub struct FieldError {
    /// The field.
    pub field: Field,
    /// The rule.
    pub rule: Rule,
}

/// Shorthand result of the field readers.
pub type FieldResult<T> = Result<T, FieldError>;

#[inline]
fn fail<T>(field: Field, rule: Rule) -> FieldResult<T> {
    Err(FieldError { field, rule })
}

#[inline]
fn present<'t, 'n>(v: Option<Value<'t, 'n>>, field: Field) -> FieldResult<Value<'t, 'n>> {
    match v {
        Some(v) if !v.is_null() => Ok(v),
        _ => fail(field, Rule::Missing),
    }
}

/// BLUE's `_int`: an integer token in the i64 range (`true`, `1.0` refused).
///
/// # Errors
/// [`Rule::Missing`], [`Rule::NotAnInteger`] or [`Rule::IntegerOutOfRange`].
pub fn int(obj: Value<'_, '_>, field: Field) -> FieldResult<i64> {
    int_of(obj.get(field.name), field)
}

/// [`int`] of a member already looked up (`None`: absent).
///
/// # Errors
/// As [`int`].
#[inline]
pub fn int_of(v: Option<Value<'_, '_>>, field: Field) -> FieldResult<i64> {
    json_i64(present(v, field)?).map_err(|e| FieldError { field, rule: e.into() })
}

/// BLUE's `_float`: an integer or float token, converted as `float()`, finite.
///
/// # Errors
/// [`Rule::Missing`], [`Rule::NotANumber`], [`Rule::TooLargeForFloat`] or [`Rule::NotFinite`].
pub fn float(obj: Value<'_, '_>, field: Field) -> FieldResult<f64> {
    float_of(obj.get(field.name), field)
}

/// [`float`] of a member already looked up (`None`: absent).
///
/// # Errors
/// As [`float`].
#[inline]
pub fn float_of(v: Option<Value<'_, '_>>, field: Field) -> FieldResult<f64> {
    json_f64(present(v, field)?).map_err(|e| FieldError { field, rule: e.into() })
}

/// BLUE's `_nonneg_int` as a scan number.
///
/// # Errors
/// As [`int`], and [`Rule::Negative`].
pub fn scan_number(obj: Value<'_, '_>, field: Field) -> FieldResult<ScanNumber> {
    let v = int(obj, field)?;
    ScanNumber::try_new(v).or_else(|_| fail(field, Rule::Negative))
}

/// A timestamp: any i64.
///
/// # Errors
/// As [`int`].
pub fn ts_ns(obj: Value<'_, '_>, field: Field) -> FieldResult<TsNs> {
    int(obj, field).map(TsNs::new)
}

/// A price: finite, > 0.
///
/// # Errors
/// As [`float`], and [`Rule::NotPositive`].
pub fn price(obj: Value<'_, '_>, field: Field) -> FieldResult<Price> {
    let v = float(obj, field)?;
    Price::try_new(v).or_else(|_| fail(field, Rule::NotPositive))
}

/// A finite float >= 0 (`-0.0` passes, as in BLUE).
///
/// # Errors
/// As [`float`], and [`Rule::Negative`].
pub fn non_negative(obj: Value<'_, '_>, field: Field) -> FieldResult<f64> {
    let v = float(obj, field)?;
    if v < 0.0 { fail(field, Rule::Negative) } else { Ok(v) }
}

/// BLUE's `_symbol`: a non-empty string.
///
/// # Errors
/// [`Rule::BadSymbol`].
pub fn symbol<'t>(obj: Value<'t, '_>, field: Field) -> FieldResult<Symbol<'t>> {
    symbol_of(obj.get(field.name), field)
}

/// [`symbol`] of a member already looked up.
///
/// # Errors
/// As [`symbol`].
#[inline]
pub fn symbol_of<'t>(v: Option<Value<'t, '_>>, field: Field) -> FieldResult<Symbol<'t>> {
    let s: Option<Cow<'t, str>> = v.and_then(Value::as_str);
    match s.map(Symbol::try_new) {
        Some(Ok(s)) => Ok(s),
        _ => fail(field, Rule::BadSymbol),
    }
}

/// BLUE's `_choice`: one of the allowed strings.
///
/// # Errors
/// [`Rule::UnknownChoice`].
fn choice<T: std::str::FromStr>(obj: Value<'_, '_>, field: Field, allowed: &'static str) -> FieldResult<T> {
    obj.get(field.name)
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
        .map_or_else(|| fail(field, Rule::UnknownChoice(allowed)), Ok)
}

/// BLUE's `parse_fold_inputs`: esof_score, ob_consensus (finite, in [-1, 1]), dc_status.
///
/// # Errors
/// The first field that breaks a rule, in BLUE's order.
pub fn fold_inputs(obj: Value<'_, '_>) -> FieldResult<(EsofScore, ObConsensus, DcStatus)> {
    let f = Field::top("esof_score");
    let esof = EsofScore::try_new(float(obj, f)?).or_else(|_| fail(f, Rule::OutsideUnitRange))?;
    let f = Field::top("ob_consensus");
    let ob = ObConsensus::try_new(float(obj, f)?).or_else(|_| fail(f, Rule::OutsideUnitRange))?;
    let dc = choice(obj, Field::top("dc_status"), "CONFIRM, NEUTRAL, CONTRADICT")?;
    Ok((esof, ob, dc))
}

/// BLUE's `parse_factors` without `ts_ns` (the caller supplies it).
///
/// # Errors
/// The first field that breaks a rule, in BLUE's order.
pub fn factors(obj: Value<'_, '_>, ts_ns: TsNs) -> FieldResult<Factors> {
    let f = Field::top("acb_boost");
    let acb_boost = AcbBoost::try_new(float(obj, f)?).or_else(|_| fail(f, Rule::NotPositive))?;
    let f = Field::top("acb_beta");
    let acb_beta = AcbBeta::try_new(float(obj, f)?).or_else(|_| fail(f, Rule::Negative))?;
    let f = Field::top("mc_scale");
    let mc_scale = McScale::try_new(float(obj, f)?).or_else(|_| fail(f, Rule::Negative))?;
    let (esof_score, ob_consensus, dc_status) = fold_inputs(obj)?;
    let posture = choice(obj, Field::top("posture"), "APEX, STALKER, TURTLE, HIBERNATE")?;
    Ok(Factors { ts_ns, acb_boost, acb_beta, mc_scale, esof_score, ob_consensus, dc_status, posture })
}

/// The `assets` list of a scan (BLUE's loop in `parse_scan`), symbols unique.
///
/// The error reported is the one BLUE meets first, walking assets in order and each asset's
/// fields in order (symbol, duplicate check, price, ret, vol). Uniqueness is checked once
/// at the end (sorted, `O(n log n)`); the exact first offender is searched for only on the
/// rare poison path.
///
/// # Errors
/// The first asset field that breaks a rule, in BLUE's order.
pub fn assets<'t>(obj: Value<'t, '_>, field: Field) -> FieldResult<Vec<Asset<'t>>> {
    assets_of(obj.get(field.name), field)
}

/// [`assets`] of a member already looked up.
///
/// # Errors
/// As [`assets`].
pub fn assets_of<'t>(v: Option<Value<'t, '_>>, field: Field) -> FieldResult<Vec<Asset<'t>>> {
    let Some(list) = v.and_then(Value::array) else {
        return fail(field, Rule::NotAList);
    };
    let mut out = Vec::with_capacity(list.len());
    for (i, ra) in list.enumerate() {
        match asset(ra, i) {
            Ok(a) => out.push(a),
            Err(e) => {
                // BLUE checks this asset's symbol for a duplicate before its other fields.
                let symbol_ok = e.field.name != "symbol";
                let seen = if symbol_ok { symbol(ra, e.field).ok() } else { None };
                if let Some(dup) = seen.filter(|s| out.iter().any(|a| &a.symbol == s)) {
                    return Err(duplicate(i, &dup));
                }
                return Err(e);
            }
        }
    }
    if has_duplicate_symbols(&out) {
        for (i, a) in out.iter().enumerate() {
            if out[..i].iter().any(|b| b.symbol == a.symbol) {
                return Err(duplicate(i, &a.symbol));
            }
        }
    }
    Ok(out)
}

fn at(i: usize, name: &'static str) -> Field {
    Field { name, asset: Some(u32::try_from(i).unwrap_or(u32::MAX)) }
}

fn duplicate(i: usize, s: &Symbol<'_>) -> FieldError {
    FieldError { field: at(i, "symbol"), rule: Rule::DuplicateSymbol(s.as_str().to_owned()) }
}

/// Whether two assets share a symbol (`O(n)`).
pub(crate) fn has_duplicate_symbols(assets: &[Asset<'_>]) -> bool {
    let n = assets.len();
    if n <= 8 {
        return assets.iter().enumerate().any(|(i, a)| assets[..i].iter().any(|b| b.symbol == a.symbol));
    }
    if n >= usize::from(u16::MAX) {
        let mut names: Vec<&str> = assets.iter().map(|a| a.symbol.as_str()).collect();
        names.sort_unstable();
        return names.windows(2).any(|w| w[0] == w[1]);
    }
    // Open addressing over indices, hashed with FNV-1a: O(n), no allocation up to 128 assets.
    let cap = (2 * n).next_power_of_two();
    let mut small = [u16::MAX; 256];
    let mut big = Vec::new();
    let table: &mut [u16] = if cap <= small.len() {
        &mut small[..cap]
    } else {
        big.resize(cap, u16::MAX);
        &mut big
    };
    for (i, a) in assets.iter().enumerate() {
        let h = crate::hash::fnv1a(a.symbol.as_str().as_bytes());
        #[allow(clippy::cast_possible_truncation)] // masked to the table size
        let mut slot = (h as usize) & (cap - 1);
        loop {
            let j = table[slot];
            if j == u16::MAX {
                #[allow(clippy::cast_possible_truncation)] // n < u16::MAX
                {
                    table[slot] = i as u16;
                }
                break;
            }
            if assets[usize::from(j)].symbol == a.symbol {
                return true;
            }
            slot = (slot + 1) & (cap - 1);
        }
    }
    false
}

/// One asset object, fields in BLUE's order (without the duplicate check).
fn asset<'t>(ra: Value<'t, '_>, i: usize) -> FieldResult<Asset<'t>> {
    if !ra.is_object() {
        return fail(at(i, ""), Rule::AssetNotAnObject);
    }
    let [sym, px, rt, vl] = ra.pick(["symbol", "price", "ret", "vol"]);
    let symbol = symbol_of(sym, at(i, "symbol"))?;
    let f = at(i, "price");
    let price = Price::try_new(float_of(px, f)?).or_else(|_| fail(f, Rule::NotPositive))?;
    let f = at(i, "ret");
    let ret = Return::try_new(float_of(rt, f)?).or_else(|_| fail(f, Rule::NotFinite))?;
    let f = at(i, "vol");
    let vol = Volatility::try_new(float_of(vl, f)?).or_else(|_| fail(f, Rule::Negative))?;
    Ok(Asset { symbol, price: price.into(), ret: ret.into(), vol: vol.into() })
}

/// A scan's vel_div: finite.
///
/// # Errors
/// As [`float`].
pub fn vel_div(obj: Value<'_, '_>, field: Field) -> FieldResult<VelDiv> {
    VelDiv::try_new(float(obj, field)?).or_else(|_| fail(field, Rule::NotFinite))
}
