//! Matching and classifying trade events.

use violet_domain::json::JsonValue;

use crate::record::TradeRecord;
use crate::ulps::ulp_distance;

/// The class of a divergence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// BLUE has the event, VIOLET does not.
    Missing,
    /// VIOLET has the event, BLUE does not.
    Extra,
    /// Both have it; some field differs.
    FieldMismatch,
    /// Both have it, the same decision, booked from a venue's real fill: only the money
    /// fields differ (fill price, pnl, capital, sizing from that capital) — slippage and
    /// the exchange's quantity steps, not a logic difference.
    Fill,
}

impl Class {
    /// Stable name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Class::Missing => "missing",
            Class::Extra => "extra",
            Class::FieldMismatch => "field_mismatch",
            Class::Fill => "fill",
        }
    }
}

/// One differing field.
#[derive(Debug, Clone)]
pub struct FieldDiff {
    /// The field.
    pub field: String,
    /// BLUE's value (`None`: absent).
    pub blue: Option<JsonValue>,
    /// VIOLET's value (`None`: absent).
    pub violet: Option<JsonValue>,
    /// For two floats: their distance in ULPs.
    pub ulps: Option<u64>,
}

/// One divergent trade event.
#[derive(Debug, Clone)]
pub struct Divergence {
    /// Its class.
    pub class: Class,
    /// Scan number.
    pub scan_number: i64,
    /// `ENTRY` or `EXIT`.
    pub event: String,
    /// Index into BLUE's records, if BLUE has it.
    pub blue: Option<usize>,
    /// Index into VIOLET's records, if VIOLET has it.
    pub violet: Option<usize>,
    /// The differing fields (field mismatches only).
    pub fields: Vec<FieldDiff>,
}

/// The comparison of two trade-event sequences.
#[derive(Debug, Clone)]
pub struct Report {
    /// BLUE's events.
    pub blue: Vec<TradeRecord>,
    /// VIOLET's events.
    pub violet: Vec<TradeRecord>,
    /// Events found in both and identical.
    pub matched: usize,
    /// Every divergence, in stream order.
    pub divergences: Vec<Divergence>,
}

impl Report {
    /// Count of a class.
    #[must_use]
    pub fn count(&self, class: Class) -> usize {
        self.divergences.iter().filter(|d| d.class == class).count()
    }
}

/// The fields a real fill moves away from BLUE's: its price, what it realized, the
/// capital after it and every size computed from that capital, and VIOLET's own
/// execution record (its order, state, quantity and price). The decision fields (symbol,
/// reason, bars held, score, trade id, timestamp) are not among them: those differing is
/// a logic difference.
const FILL_FIELDS: [&str; 10] = [
    "price",
    "pnl",
    "pnl_pct",
    "capital",
    "capital_after",
    "sizing",
    "client_order_id",
    "order_state",
    "filled_quantity",
    "fill_price",
];

/// The class of two events at the same key whose `fields` differ: [`Class::Fill`] when
/// VIOLET's was booked from a venue's fill (it carries `fill_price`) and only fill fields
/// differ, else [`Class::FieldMismatch`].
fn mismatch_class(violet: &JsonValue, fields: &[FieldDiff]) -> Class {
    let from_venue = violet.get("fill_price").is_some();
    if from_venue && fields.iter().all(|f| FILL_FIELDS.contains(&f.field.as_str())) {
        Class::Fill
    } else {
        Class::FieldMismatch
    }
}

fn field_diffs(b: &JsonValue, v: &JsonValue) -> Vec<FieldDiff> {
    let mut keys: Vec<&str> = Vec::new();
    for o in [b, v] {
        if let JsonValue::Object(m) = o {
            for (k, _) in m {
                if !keys.contains(&k.as_str()) {
                    keys.push(k);
                }
            }
        }
    }
    let mut out = Vec::new();
    for k in keys {
        let (x, y) = (b.get(k), v.get(k));
        let same = matches!((x, y), (Some(x), Some(y)) if x.same(y));
        if !same {
            let ulps = match (x, y) {
                (Some(JsonValue::Float(a)), Some(JsonValue::Float(c))) => ulp_distance(*a, *c),
                _ => None,
            };
            out.push(FieldDiff { field: k.to_string(), blue: x.cloned(), violet: y.cloned(), ulps });
        }
    }
    out
}

/// Match `violet` against `blue` by (scan number, kind) in order and classify.
#[must_use]
pub fn compare(blue: Vec<TradeRecord>, violet: Vec<TradeRecord>) -> Report {
    let (mut i, mut j) = (0, 0);
    let mut matched = 0;
    let mut divergences = Vec::new();
    while i < blue.len() || j < violet.len() {
        let kb = blue.get(i).map(TradeRecord::key);
        let kv = violet.get(j).map(TradeRecord::key);
        match (kb, kv) {
            (Some(a), Some(b)) if a == b => {
                let fields = field_diffs(&blue[i].value, &violet[j].value);
                if fields.is_empty() {
                    matched += 1;
                } else {
                    divergences.push(Divergence {
                        class: mismatch_class(&violet[j].value, &fields),
                        scan_number: a.0,
                        event: blue[i].event.clone(),
                        blue: Some(i),
                        violet: Some(j),
                        fields,
                    });
                }
                i += 1;
                j += 1;
            }
            (Some(a), b) if b.is_none_or(|b| a < b) => {
                divergences.push(Divergence {
                    class: Class::Missing,
                    scan_number: a.0,
                    event: blue[i].event.clone(),
                    blue: Some(i),
                    violet: None,
                    fields: Vec::new(),
                });
                i += 1;
            }
            (_, Some(b)) => {
                divergences.push(Divergence {
                    class: Class::Extra,
                    scan_number: b.0,
                    event: violet[j].event.clone(),
                    blue: None,
                    violet: Some(j),
                    fields: Vec::new(),
                });
                j += 1;
            }
            (None, None) | (Some(_), None) => break,
        }
    }
    Report { blue, violet, matched, divergences }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::parse_trades;

    const BLUE: &str = r#"{"event":"ENTRY","trade_id":1,"scan_number":10,"price":1.0,"capital":25000.0}
{"event":"EXIT","trade_id":1,"scan_number":15,"price":0.99,"capital_after":25010.0}
{"event":"ENTRY","trade_id":2,"scan_number":15,"price":2.0,"capital":25010.0}
{"event":"EXIT","trade_id":2,"scan_number":20,"price":2.1,"capital_after":24990.0}"#;

    #[test]
    fn identical_streams_match() {
        let r = compare(parse_trades(BLUE).expect("ok"), parse_trades(BLUE).expect("ok"));
        assert_eq!(r.matched, 4);
        assert!(r.divergences.is_empty());
    }

    #[test]
    fn a_venues_fill_that_moves_only_money_fields_is_its_own_class() {
        let exec = r#","client_order_id":"v1","order_state":"FILLED","filled_quantity":10.0,"fill_price":1.001"#;
        // Slippage on the entry, and the exit's pnl and capital that follow from it.
        let violet = BLUE
            .replace(r#""price":1.0,"capital":25000.0}"#, &format!(r#""price":1.001,"capital":25000.0{exec}}}"#))
            .replace(
                r#""price":0.99,"capital_after":25010.0}"#,
                &format!(r#""price":0.99,"capital_after":25009.5{exec}}}"#),
            );
        let r = compare(parse_trades(BLUE).expect("ok"), parse_trades(&violet).expect("ok"));
        assert_eq!((r.count(Class::Fill), r.count(Class::FieldMismatch), r.matched), (2, 0, 2), "{:?}", r.divergences);
        // A decision field differing is a logic difference, venue fill or not.
        let other = violet.replace(r#""trade_id":1,"scan_number":15"#, r#""trade_id":7,"scan_number":15"#);
        let r = compare(parse_trades(BLUE).expect("ok"), parse_trades(&other).expect("ok"));
        assert_eq!((r.count(Class::Fill), r.count(Class::FieldMismatch)), (1, 1));
        // Without a venue's fill the same price difference is a field mismatch.
        let shadow = BLUE.replace(r#""price":1.0,"capital":25000.0}"#, r#""price":1.001,"capital":25000.0}"#);
        let r = compare(parse_trades(BLUE).expect("ok"), parse_trades(&shadow).expect("ok"));
        assert_eq!((r.count(Class::Fill), r.count(Class::FieldMismatch)), (0, 1));
    }

    #[test]
    fn classifies_missing_extra_and_field_mismatches_with_ulps() {
        let violet = BLUE.replace("\"price\":0.99", "\"price\":0.9900000000000001").replace(
            r#"{"event":"EXIT","trade_id":2,"scan_number":20,"price":2.1,"capital_after":24990.0}"#,
            r#"{"event":"EXIT","trade_id":2,"scan_number":21,"price":2.1,"capital_after":24990.0}"#,
        );
        let r = compare(parse_trades(BLUE).expect("ok"), parse_trades(&violet).expect("ok"));
        assert_eq!(r.matched, 2);
        assert_eq!(r.count(Class::FieldMismatch), 1);
        assert_eq!(r.count(Class::Missing), 1);
        assert_eq!(r.count(Class::Extra), 1);
        let f = &r.divergences[0];
        assert_eq!((f.class, f.scan_number, f.event.as_str()), (Class::FieldMismatch, 15, "EXIT"));
        assert_eq!(f.fields.len(), 1);
        assert_eq!(f.fields[0].field, "price");
        assert_eq!(f.fields[0].ulps, Some(1));
        assert_eq!((r.divergences[1].class, r.divergences[1].scan_number), (Class::Missing, 20));
        assert_eq!((r.divergences[2].class, r.divergences[2].scan_number), (Class::Extra, 21));
    }

    #[test]
    fn trade_id_is_compared_as_a_field() {
        let violet = BLUE.replace("\"trade_id\":2,\"scan_number\":15", "\"trade_id\":3,\"scan_number\":15");
        let r = compare(parse_trades(BLUE).expect("ok"), parse_trades(&violet).expect("ok"));
        assert_eq!(r.count(Class::FieldMismatch), 1);
        assert_eq!(r.divergences[0].fields[0].field, "trade_id");
    }

    #[test]
    fn divergences_jsonl_is_json_even_when_a_side_lacks_the_field() {
        let violet = BLUE.replace(",\"capital_after\":25010.0", ",\"extra\":null");
        let r = compare(parse_trades(BLUE).expect("ok"), parse_trades(&violet).expect("ok"));
        let text = r.to_jsonl();
        assert_eq!(text.lines().count(), 1);
        let v = violet_domain::json::parse_owned(text.trim(), violet_domain::json::ParseOptions::default())
            .unwrap_or_else(|e| panic!("{text}: {e}"));
        let Some(violet_domain::json::JsonValue::Array(fields)) = v.get("fields") else { panic!("{text}") };
        let by_name = |n: &str| {
            fields
                .iter()
                .find(|f| matches!(f.get("field"), Some(violet_domain::json::JsonValue::Str(s)) if s == n))
                .expect(n)
        };
        let capital = by_name("capital_after");
        assert!(capital.get("blue").is_some() && capital.get("violet").is_none(), "{text}");
        let extra = by_name("extra");
        assert!(
            extra.get("blue").is_none() && matches!(extra.get("violet"), Some(violet_domain::json::JsonValue::Null)),
            "{text}"
        );
    }
}
