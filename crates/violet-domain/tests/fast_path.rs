//! The canonical-scan fast path never disagrees with the generic decoder (the reference):
//! whenever it accepts a line, the generic decoder accepts it too, with a bit-identical
//! event. Lines: canonical scans with random whitespace, number spellings, symbols and
//! values (valid or poison), shuffled or extra keys, and byte mutations of all of these.

use proptest::prelude::*;
use violet_domain::event::{Event, Scan, canonical_scan, decode_line, decode_line_generic, trim_line};
use violet_domain::json::{ParseOptions, Parser, f64_to_string, write_str};

fn ws() -> impl Strategy<Value = String> {
    prop_oneof![4 => Just(String::new()), 1 => "[ \t\r\n]{1,3}"]
}

fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => (prop::num::f64::POSITIVE | prop::num::f64::NEGATIVE | prop::num::f64::NORMAL | prop::num::f64::SUBNORMAL | prop::num::f64::ZERO).prop_map(f64_to_string),
        2 => (-0.1..0.1f64).prop_map(f64_to_string),
        1 => any::<i64>().prop_map(|i| i.to_string()),
        1 => Just("-0".to_string()),
        1 => prop::sample::select(vec!["1e400", "1e-400", "2.4e-324", "2.5e-324", "4.9e-324", "1e-320", "9.9e-321", "1.7976931348623157e308", "1.7976931348623159e308", "1e308", "99999e303", "0.000e5", "0e-7", "-0e1", "NaN", "-Infinity", "1.", "01", "1e", "2E-3", "-0.0", "123456789012345678901234567890", "true", "\"1\"", "null"]).prop_map(str::to_string),
    ]
}

fn symbol() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => "[A-Z]{1,6}USDT".prop_map(|s| { let mut o = String::new(); write_str(&mut o, &s); o }),
        1 => Just("\"\"".to_string()),
        1 => Just("\"B\\u0054C\"".to_string()),
        1 => Just("\"ÄUSDT\"".to_string()),
        1 => Just("7".to_string()),
    ]
}

fn asset() -> impl Strategy<Value = String> {
    (symbol(), number(), number(), number(), ws(), ws(), any::<u8>()).prop_map(
        |(sym, p, r, v, a, b, shape)| match shape % 10 {
            0 => format!("{{\"price\":{p},\"symbol\":{sym},\"ret\":{r},\"vol\":{v}}}"),
            1 => format!("{{\"symbol\":{sym},\"price\":{p},\"ret\":{r},\"vol\":{v},\"x\":1}}"),
            2 => format!("{{\"symbol\":{sym},\"price\":{p},\"ret\":{r}}}"),
            _ => format!("{{{a}\"symbol\"{b}:{a}{sym}{b},\"price\":{a}{p},{b}\"ret\":{r}{a},\"vol\"{b}:{v}{a}}}"),
        },
    )
}

fn scan_line() -> impl Strategy<Value = String> {
    (prop::collection::vec(asset(), 0..6), number(), number(), number(), ws(), ws(), any::<u8>()).prop_map(
        |(assets, n, ts, vd, a, b, shape)| {
            let list = assets.join(&format!("{a},{b}"));
            let n = if shape % 3 == 0 { n } else { (u64::from(shape) * 7).to_string() };
            let ts = if shape % 5 == 0 { ts } else { "1760000000000000000".to_string() };
            match shape % 11 {
                0 => format!("{{\"scan_number\":{n},\"type\":\"scan\",\"ts_ns\":{ts},\"vel_div\":{vd},\"assets\":[{list}]}}"),
                1 => format!("{{\"type\":\"scan\",\"scan_number\":{n},\"ts_ns\":{ts},\"vel_div\":{vd},\"assets\":[{list}],\"extra\":{{}}}}"),
                2 => format!("{{\"type\":\"tick\",\"scan_number\":{n},\"ts_ns\":{ts},\"vel_div\":{vd},\"assets\":[{list}]}}"),
                _ => format!(
                    "{a}{{{b}\"type\"{a}:{b}\"scan\"{a},{b}\"scan_number\":{a}{n}{b},\"ts_ns\":{ts},{a}\"vel_div\":{vd}{b},\"assets\"{a}:{b}[{a}{list}{b}]{a}}}{b}"
                ),
            }
        },
    )
}

fn same_scan(a: &Scan<'_>, b: &Scan<'_>) -> bool {
    a.scan_number == b.scan_number
        && a.ts_ns == b.ts_ns
        && a.vel_div.into_inner().to_bits() == b.vel_div.into_inner().to_bits()
        && a.assets.len() == b.assets.len()
        && a.assets.iter().zip(&b.assets).all(|(x, y)| {
            x.symbol == y.symbol
                && x.price.get().into_inner().to_bits() == y.price.get().into_inner().to_bits()
                && x.ret.get().into_inner().to_bits() == y.ret.get().into_inner().to_bits()
                && x.vol.get().into_inner().to_bits() == y.vol.get().into_inner().to_bits()
        })
}

/// Returns whether the fast path accepted the line.
fn check(bytes: &[u8]) -> bool {
    let mut p = Parser::new(ParseOptions::default());
    let generic = decode_line_generic(&mut p, 1, bytes);
    let full = decode_line(&mut p, 1, bytes);
    let fast = std::str::from_utf8(trim_line(bytes)).ok().and_then(canonical_scan);
    match (&fast, &generic) {
        (None, _) => {}
        (Some(Event::Scan(f)), Ok(Some(Event::Scan(g)))) => {
            assert!(same_scan(f, g), "{:?}", String::from_utf8_lossy(bytes))
        }
        (f, g) => panic!(
            "fast path accepted what the generic decoder did not: {f:?} vs {g:?} on {:?}",
            String::from_utf8_lossy(bytes)
        ),
    }
    // And decode_line (fast path first) agrees with the generic decoder in every case.
    match (&full, &generic) {
        (Ok(Some(Event::Scan(f))), Ok(Some(Event::Scan(g)))) => assert!(same_scan(f, g)),
        (a, b) => assert_eq!(format!("{a:?}"), format!("{b:?}"), "{:?}", String::from_utf8_lossy(bytes)),
    }
    fast.is_some()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6000, ..ProptestConfig::default() })]

    #[test]
    fn fast_path_agrees_with_the_generic_decoder(line in scan_line()) {
        check(line.as_bytes());
    }

    #[test]
    fn fast_path_agrees_on_mutated_lines(line in scan_line(), flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4)) {
        let mut bytes = line.into_bytes();
        for (i, b) in flips {
            let at = i.index(bytes.len());
            bytes[at] = b;
        }
        check(&bytes);
    }
}

#[test]
fn fast_path_takes_the_common_lines() {
    // The committed streams: most scan lines go through the fast path, with the same result.
    let text =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/streams/small-b.jsonl")).expect("fixture");
    let (mut scans, mut fast) = (0, 0);
    for line in text.split(|&b| b == b'\n') {
        if line.windows(13).any(|w| w == b"\"type\":\"scan\"") {
            scans += 1;
            if check(line) {
                fast += 1;
            }
        }
    }
    assert!(scans > 300 && fast * 10 >= scans * 9, "{fast} of {scans} scan lines took the fast path");
}

#[test]
fn python_spaced_lines_take_the_fast_path_too() {
    let line = r#"{"type": "scan", "scan_number": 5, "ts_ns": -0, "vel_div": -0, "assets": [{"symbol": "A", "price": 1.0, "ret": -0.01, "vol": 2}, {"symbol": "B", "price": 3e-5, "ret": 0.5, "vol": 0.0}]}"#;
    assert!(check(line.as_bytes()));
    assert!(check(b"  {\"type\":\"scan\",\"scan_number\":0,\"ts_ns\":0,\"vel_div\":0.0,\"assets\":[]} \r\n"));
    // Poison and other shapes fall back, with the generic decoder's verdict.
    assert!(!check(br#"{"type":"scan","scan_number":1,"ts_ns":0,"vel_div":0.0,"assets":[{"symbol":"A","price":0,"ret":0,"vol":0}]}"#));
    assert!(!check(br#"{"type":"scan","scan_number":1,"ts_ns":0,"vel_div":0.0,"assets":[{"symbol":"A","price":1,"ret":0,"vol":0},{"symbol":"A","price":1,"ret":0,"vol":0}]}"#));
    assert!(!check(br#"{"type":"scan","scan_number":1,"ts_ns":0,"vel_div":0.0,"assets":[],"assets":[]}"#));
}
