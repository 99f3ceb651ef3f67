//! Property tests of the event decoder: valid events round-trip bit for bit, each poison
//! variant is rejected with its rule, arbitrary bytes never panic.

use proptest::prelude::*;
use violet_domain::event::{Event, EventStream, Field, Rule, decode_line};
use violet_domain::json::{JsonError, ObjectWriter, ParseOptions, Parser, f64_to_string};
use violet_domain::types::{DcStatus, Posture};

#[derive(Debug, Clone)]
struct A {
    symbol: String,
    price: f64,
    ret: f64,
    vol: f64,
}

fn finite() -> impl Strategy<Value = f64> {
    prop_oneof![
        prop::num::f64::POSITIVE
            | prop::num::f64::NEGATIVE
            | prop::num::f64::NORMAL
            | prop::num::f64::SUBNORMAL
            | prop::num::f64::ZERO,
        (-1.0e3..1.0e3f64),
        Just(-0.0),
    ]
}
fn positive() -> impl Strategy<Value = f64> {
    prop_oneof![prop::num::f64::POSITIVE | prop::num::f64::NORMAL | prop::num::f64::SUBNORMAL, 1e-9..1e6f64]
}
fn non_negative() -> impl Strategy<Value = f64> {
    prop_oneof![positive(), Just(0.0), Just(-0.0)]
}
fn unit() -> impl Strategy<Value = f64> {
    prop_oneof![-1.0..=1.0f64, Just(-1.0), Just(1.0), Just(-0.0)]
}
fn asset() -> impl Strategy<Value = A> {
    ("[A-Z]{1,6}(USDT)?", positive(), finite(), non_negative()).prop_map(|(symbol, price, ret, vol)| A {
        symbol,
        price,
        ret,
        vol,
    })
}
fn assets() -> impl Strategy<Value = Vec<A>> {
    prop::collection::vec(asset(), 0..12).prop_map(|mut v| {
        let mut seen = std::collections::HashSet::new();
        v.retain(|a| seen.insert(a.symbol.clone()));
        v
    })
}

fn scan_json(n: i64, ts: i64, vd: f64, assets: &[A]) -> String {
    let mut list = String::from("[");
    for (i, a) in assets.iter().enumerate() {
        if i > 0 {
            list.push(',');
        }
        let mut w = ObjectWriter::new(&mut list);
        w.str("symbol", &a.symbol).float("price", a.price).float("ret", a.ret).float("vol", a.vol);
        w.finish();
    }
    list.push(']');
    let mut s = String::new();
    let mut w = ObjectWriter::new(&mut s);
    w.str("type", "scan").int("scan_number", n).int("ts_ns", ts).float("vel_div", vd).raw("assets", &list);
    w.finish();
    s
}

#[allow(clippy::too_many_arguments)]
fn factors_json(ts: i64, boost: f64, beta: f64, mc: f64, esof: f64, ob: f64, dc: &str, posture: &str) -> String {
    let mut s = String::new();
    let mut w = ObjectWriter::new(&mut s);
    w.str("type", "factors")
        .int("ts_ns", ts)
        .float("acb_boost", boost)
        .float("acb_beta", beta)
        .float("mc_scale", mc)
        .float("esof_score", esof)
        .float("ob_consensus", ob)
        .str("dc_status", dc)
        .str("posture", posture);
    w.finish();
    s
}

fn rule_of(line: &str) -> Rule {
    let mut p = Parser::new(ParseOptions::default());
    match decode_line(&mut p, 1, line.as_bytes()) {
        Err(r) => r.rule,
        Ok(ev) => panic!("accepted poison {line}: {ev:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn valid_scans_round_trip(n in 0..=i64::MAX, ts in any::<i64>(), vd in finite(), assets in assets()) {
        let line = scan_json(n, ts, vd, &assets);
        let mut p = Parser::new(ParseOptions::default());
        let ev = decode_line(&mut p, 1, line.as_bytes()).expect("valid").expect("not blank");
        let Event::Scan(s) = ev else { panic!("not a scan") };
        prop_assert_eq!(s.scan_number.into_inner(), n);
        prop_assert_eq!(s.ts_ns.into_inner(), ts);
        prop_assert_eq!(s.vel_div.into_inner().to_bits(), vd.to_bits());
        prop_assert_eq!(s.assets.len(), assets.len());
        for (got, want) in s.assets.iter().zip(&assets) {
            prop_assert_eq!(got.symbol.as_str(), want.symbol.as_str());
            prop_assert_eq!(got.price.get().into_inner().to_bits(), want.price.to_bits());
            prop_assert_eq!(got.ret.get().into_inner().to_bits(), want.ret.to_bits());
            prop_assert_eq!(got.vol.get().into_inner().to_bits(), want.vol.to_bits());
        }
    }

    #[test]
    fn valid_factors_round_trip(ts in any::<i64>(), boost in positive(), beta in non_negative(), mc in non_negative(),
                                esof in unit(), ob in unit(), dc in 0..3usize, posture in 0..4usize) {
        let (dc, posture) = (DcStatus::ALL[dc], Posture::ALL[posture]);
        let line = factors_json(ts, boost, beta, mc, esof, ob, dc.as_str(), posture.as_str());
        let mut p = Parser::new(ParseOptions::default());
        let Some(Event::Factors(f)) = decode_line(&mut p, 1, line.as_bytes()).expect("valid") else { panic!("not factors") };
        prop_assert_eq!(f.ts_ns.into_inner(), ts);
        prop_assert_eq!(f.acb_boost.into_inner().to_bits(), boost.to_bits());
        prop_assert_eq!(f.acb_beta.into_inner().to_bits(), beta.to_bits());
        prop_assert_eq!(f.mc_scale.into_inner().to_bits(), mc.to_bits());
        prop_assert_eq!(f.esof_score.into_inner().to_bits(), esof.to_bits());
        prop_assert_eq!(f.ob_consensus.into_inner().to_bits(), ob.to_bits());
        prop_assert_eq!(f.dc_status, dc);
        prop_assert_eq!(f.posture, posture);
    }

    #[test]
    fn poison_asset_fields_are_rejected_with_their_rule(assets in assets().prop_filter("non-empty", |a| !a.is_empty()),
                                                        which in 0..8usize, bad_neg in -1e300..-1e-300f64) {
        let mut a = assets.clone();
        let i = a.len() - 1;
        let (field, want): (&str, Rule) = match which {
            0 => { a[i].price = 0.0; ("price", Rule::NotPositive) }
            1 => { a[i].price = bad_neg; ("price", Rule::NotPositive) }
            2 => { a[i].vol = bad_neg; ("vol", Rule::Negative) }
            3 => { a[i].price = f64::INFINITY; ("price", Rule::NotJson(JsonError::NonFiniteConstant { at: 0 })) }
            4 => { a[i].ret = f64::NAN; ("ret", Rule::NotJson(JsonError::NonFiniteConstant { at: 0 })) }
            5 => { a[i].symbol = String::new(); ("symbol", Rule::BadSymbol) }
            6 => { let s = a[0].symbol.clone(); a.push(A { symbol: s.clone(), ..a[0].clone() });
                   ("symbol", Rule::DuplicateSymbol(s)) }
            _ => { a[i].vol = f64::NEG_INFINITY; ("vol", Rule::NotJson(JsonError::NonFiniteConstant { at: 0 })) }
        };
        let line = scan_json(1, 1, -0.03, &a);
        let mut p = Parser::new(ParseOptions::default());
        let r = decode_line(&mut p, 7, line.as_bytes()).expect_err("poison");
        prop_assert_eq!(r.line, 7);
        match (&r.rule, &want) {
            (Rule::NotJson(JsonError::NonFiniteConstant { .. }), Rule::NotJson(JsonError::NonFiniteConstant { .. })) => {
                prop_assert_eq!(r.field, Field::LINE);
            }
            _ => {
                prop_assert_eq!(&r.rule, &want);
                prop_assert_eq!(r.field.name, field);
                prop_assert_eq!(r.field.asset, Some(u32::try_from(a.len() - 1).expect("index")));
            }
        }
    }

    #[test]
    fn poison_factor_fields_are_rejected_with_their_rule(which in 0..9usize, bad_neg in -1e300..-1e-300f64,
                                                         out in prop_oneof![1.0000000000000002..1e300f64, -1e300..-1.0000000000000002f64]) {
        let mut args = (1.1, 0.5, 0.9, 0.3, -0.2, "CONFIRM", "APEX");
        let (field, want) = match which {
            0 => { args.0 = 0.0; ("acb_boost", Rule::NotPositive) }
            1 => { args.0 = bad_neg; ("acb_boost", Rule::NotPositive) }
            2 => { args.1 = bad_neg; ("acb_beta", Rule::Negative) }
            3 => { args.2 = bad_neg; ("mc_scale", Rule::Negative) }
            4 => { args.3 = out; ("esof_score", Rule::OutsideUnitRange) }
            5 => { args.4 = out; ("ob_consensus", Rule::OutsideUnitRange) }
            6 => { args.5 = "BULLISH"; ("dc_status", Rule::UnknownChoice("CONFIRM, NEUTRAL, CONTRADICT")) }
            7 => { args.6 = "apex"; ("posture", Rule::UnknownChoice("APEX, STALKER, TURTLE, HIBERNATE")) }
            _ => { args.5 = ""; ("dc_status", Rule::UnknownChoice("CONFIRM, NEUTRAL, CONTRADICT")) }
        };
        let line = factors_json(0, args.0, args.1, args.2, args.3, args.4, args.5, args.6);
        let mut p = Parser::new(ParseOptions::default());
        let r = decode_line(&mut p, 3, line.as_bytes()).expect_err("poison");
        prop_assert_eq!(r.rule, want);
        prop_assert_eq!(r.field.name, field);
    }

    #[test]
    fn non_increasing_scan_numbers_are_rejected(a in 0..1000i64, b in 0..1000i64) {
        let mut s = EventStream::new();
        let l1 = scan_json(a, 0, 0.0, &[]);
        let l2 = scan_json(b, 0, 0.0, &[]);
        s.next_line(l1.as_bytes()).expect("first scan");
        let second = s.next_line(l2.as_bytes());
        if b > a {
            prop_assert!(second.is_ok());
            prop_assert_eq!(s.counts().scans, 2);
        } else {
            prop_assert_eq!(second.expect_err("not increasing").rule, Rule::ScanNumberNotIncreasing { last: a });
            prop_assert_eq!(s.counts().rejected, 1);
            prop_assert_eq!(s.counts().scans, 1);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let mut p = Parser::new(ParseOptions::default());
        let _ = decode_line(&mut p, 1, &bytes);
    }

    #[test]
    fn mutated_valid_lines_never_panic(assets in assets(), flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6)) {
        let mut bytes = scan_json(5, 5, -0.04, &assets).into_bytes();
        for (i, b) in flips {
            let at = i.index(bytes.len());
            bytes[at] = b;
        }
        let mut p = Parser::new(ParseOptions::default());
        let _ = decode_line(&mut p, 1, &bytes);
    }
}

#[test]
fn integer_rules_follow_python() {
    let scan = |n: &str| format!(r#"{{"type":"scan","scan_number":{n},"ts_ns":-0,"vel_div":-0,"assets":[]}}"#);
    assert_eq!(rule_of(&scan("1.0")), Rule::NotAnInteger(violet_domain::json::Kind::Float));
    assert_eq!(rule_of(&scan("1e2")), Rule::NotAnInteger(violet_domain::json::Kind::Float));
    assert_eq!(rule_of(&scan("true")), Rule::NotAnInteger(violet_domain::json::Kind::Bool));
    assert_eq!(rule_of(&scan("9223372036854775808")), Rule::IntegerOutOfRange);
    assert_eq!(rule_of(&scan("-1")), Rule::Negative);
    assert_eq!(rule_of(&scan("null")), Rule::Missing);
    // -0 is the integer 0 (valid), and -0 in a float field is +0.0.
    let mut p = Parser::new(ParseOptions::default());
    let line = scan("-0");
    let Some(Event::Scan(s)) = decode_line(&mut p, 1, line.as_bytes()).expect("valid") else { panic!() };
    assert_eq!(s.scan_number.into_inner(), 0);
    assert_eq!(s.vel_div.into_inner().to_bits(), 0.0f64.to_bits());
    // An integer token beyond i64 in a float field converts exactly; beyond f64 it is poison.
    let tick = |p: &str| format!(r#"{{"type":"tick","ts_ns":1,"symbol":"X","price":{p}}}"#);
    let line = tick("123456789012345678901234567890");
    let Some(Event::Tick(t)) = decode_line(&mut p, 1, line.as_bytes()).expect("valid") else { panic!() };
    assert_eq!(t.price.into_inner().to_bits(), 1.2345678901234568e29f64.to_bits());
    assert_eq!(rule_of(&tick(&"9".repeat(400))), Rule::TooLargeForFloat);
    assert_eq!(rule_of(&tick("1e400")), Rule::NotFinite);
}

#[test]
fn outside_the_contract_is_poison() {
    let ok_tick = r#"{"type":"tick","ts_ns":1,"symbol":"X","price":1.0}"#;
    let mut p = Parser::new(ParseOptions::default());
    assert!(decode_line(&mut p, 1, ok_tick.as_bytes()).is_ok());
    let dup = r#"{"type":"tick","ts_ns":1,"symbol":"X","price":1.0,"price":2.0}"#;
    assert!(matches!(rule_of(dup), Rule::NotJson(JsonError::DuplicateKey { .. })));
    let dup_escaped = r#"{"type":"tick","ts_ns":1,"symbol":"X","price":1.0,"pr\u0069ce":2.0}"#;
    assert!(matches!(rule_of(dup_escaped), Rule::NotJson(JsonError::DuplicateKey { .. })));
    let deep = |n: usize| {
        format!(r#"{{"type":"tick","ts_ns":1,"symbol":"X","price":1.0,"x":{}1{}}}"#, "[".repeat(n), "]".repeat(n))
    };
    assert!(decode_line(&mut p, 1, deep(127).as_bytes()).is_ok(), "depth 128 is inside the contract");
    assert!(matches!(rule_of(&deep(128)), Rule::NotJson(JsonError::TooDeep { .. })));
    let lone = r#"{"type":"tick","ts_ns":1,"symbol":"\ud800","price":1.0}"#;
    assert!(matches!(rule_of(lone), Rule::NotJson(JsonError::LoneSurrogate { .. })));
    let lone_low = r#"{"type":"tick","ts_ns":1,"symbol":"\udc00x","price":1.0}"#;
    assert!(matches!(rule_of(lone_low), Rule::NotJson(JsonError::LoneSurrogate { .. })));
    let pair = r#"{"type":"tick","ts_ns":1,"symbol":"\ud83d\ude00","price":1.0}"#;
    let Some(Event::Tick(t)) = decode_line(&mut p, 1, pair.as_bytes()).expect("pair is fine") else { panic!() };
    assert_eq!(t.symbol.as_str(), "\u{1F600}");
    let long_int = format!(r#"{{"type":"tick","ts_ns":1,"symbol":"X","price":1.0,"x":{}}}"#, "1".repeat(4301));
    assert!(matches!(rule_of(&long_int), Rule::NotJson(JsonError::IntegerTooLong { .. })));
    // A float beyond f64's range in a field BLUE does not read (Python reads it as inf):
    // outside the contract, rejected, however deep it sits.
    for extra in ["1e999", "-1e400", "[0.5, {\"y\": 18e307}]", "1234567890.5e300"] {
        let line = format!(r#"{{"type":"tick","ts_ns":1,"symbol":"X","price":1.0,"x":{extra}}}"#);
        assert!(matches!(rule_of(&line), Rule::NotJson(JsonError::FloatOverflow { .. })), "{extra}");
    }
    // Large but finite, and tiny (underflow to 0 is no overflow): accepted.
    for extra in ["1.7e308", "1e-400", "0.0000000001e300"] {
        let line = format!(r#"{{"type":"tick","ts_ns":1,"symbol":"X","price":1.0,"x":{extra}}}"#);
        assert!(decode_line(&mut p, 1, line.as_bytes()).is_ok(), "{extra}");
    }
}

#[test]
fn written_floats_read_back_bit_for_bit() {
    let mut p = Parser::new(ParseOptions::default());
    for bits in [0u64, 1, 0x8000_0000_0000_0000, 0x7FEF_FFFF_FFFF_FFFF, 0x3FF0_0000_0000_0001, 0x0010_0000_0000_0000] {
        let x = f64::from_bits(bits);
        let s = f64_to_string(x);
        let doc = p.parse(&s).expect("number");
        let y = violet_domain::json::json_f64_any(doc.root()).expect("float");
        assert_eq!(y.to_bits(), bits, "{s}");
    }
}
