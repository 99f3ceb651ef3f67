//! The tape parser agrees with serde_json (`float_roundtrip`) on every valid JSON text
//! serde_json writes: same structure, same strings, floats bit for bit.

use proptest::prelude::*;
use serde_json::Value as Sj;
use violet_domain::json::{JsonValue, ParseOptions, parse_owned};

fn json() -> impl Strategy<Value = Sj> {
    let leaf = prop_oneof![
        Just(Sj::Null),
        any::<bool>().prop_map(Sj::Bool),
        any::<i64>().prop_map(|i| Sj::Number(i.into())),
        (prop::num::f64::POSITIVE
            | prop::num::f64::NEGATIVE
            | prop::num::f64::NORMAL
            | prop::num::f64::SUBNORMAL
            | prop::num::f64::ZERO)
            .prop_filter_map("finite", serde_json::Number::from_f64)
            .prop_map(Sj::Number),
        ".*".prop_map(Sj::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Sj::Array),
            prop::collection::btree_map(".*", inner, 0..8).prop_map(|m| Sj::Object(m.into_iter().collect())),
        ]
    })
}

fn same(ours: &JsonValue, theirs: &Sj) -> bool {
    match (ours, theirs) {
        (JsonValue::Null, Sj::Null) => true,
        (JsonValue::Bool(a), Sj::Bool(b)) => a == b,
        (JsonValue::Int(t), Sj::Number(n)) => {
            n.as_i64().map(|i| i.to_string()) == Some(t.clone()) || n.as_u64().map(|i| i.to_string()) == Some(t.clone())
        }
        (JsonValue::Float(x), Sj::Number(n)) => n.as_f64().is_some_and(|y| y.to_bits() == x.to_bits()),
        (JsonValue::Str(a), Sj::String(b)) => a == b,
        (JsonValue::Array(a), Sj::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y)),
        (JsonValue::Object(a), Sj::Object(b)) => {
            a.len() == b.len() && a.iter().all(|(k, x)| b.get(k).is_some_and(|y| same(x, y)))
        }
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]
    #[test]
    fn agrees_with_serde_json(v in json(), pretty in any::<bool>()) {
        let text = if pretty { serde_json::to_string_pretty(&v) } else { serde_json::to_string(&v) }.expect("serialize");
        let ours = parse_owned(&text, ParseOptions::default()).expect("valid JSON");
        prop_assert!(same(&ours, &v), "{text}");
        // And our writer's text reads back to the same value.
        let again = parse_owned(&ours.to_string(), ParseOptions::default()).expect("re-read");
        prop_assert!(again.same(&ours));
    }

    #[test]
    fn refuses_what_serde_json_refuses(s in "[\\[\\]{}\",:0-9a-z.eE+\\- ]{0,24}") {
        // Texts without duplicate keys or NaN-like words: both parsers must agree on validity.
        let theirs = serde_json::from_str::<Sj>(&s);
        // A literal beyond f64 (`1E310`): Python's json (BLUE) reads it as inf and so does
        // ours; serde_json refuses it. Not a validity disagreement to compare.
        if theirs.as_ref().err().is_some_and(|e| e.to_string().contains("number out of range")) {
            return Ok(());
        }
        let theirs = theirs.is_ok();
        let ours = parse_owned(&s, ParseOptions::default());
        if !matches!(ours, Err(violet_domain::json::JsonError::DuplicateKey { .. })) {
            prop_assert_eq!(ours.is_ok(), theirs, "{}", s);
        }
    }
}
