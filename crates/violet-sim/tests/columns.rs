//! The columnar run (BLUE's cadence, one slot) against the engine itself: on generated
//! streams (flat and out-of-range vel_div, every posture and dc status, stablecoins, vol =
//! 0, score ties, symbols missing from scans, ticks, poison lines) under random constants,
//! the summary and every trade metric are the engine's, to the bit.

use proptest::prelude::*;
use violet_domain::config::BlueConfig;
use violet_sim::{DecodedStream, SimConfig, SimResult, simulate, simulate_engine};

const SYMBOLS: [&str; 7] = ["BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT", "ADAUSDT", "USDCUSDT", "DOGEUSDT"];
const POSTURES: [&str; 4] = ["APEX", "STALKER", "TURTLE", "HIBERNATE"];
const DC: [&str; 3] = ["CONFIRM", "NEUTRAL", "CONTRADICT"];

/// One line's recipe.
#[derive(Debug, Clone)]
enum Line {
    Scan { vel_div: f64, assets: Vec<(usize, f64, f64, f64)> },
    Factors { posture: usize, dc: usize, acb: f64, esof: f64, ob: f64 },
    Tick { symbol: usize, price: f64 },
    Poison,
}

fn vel_div() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => -0.06f64..0.03,
        1 => Just(-0.03),
        1 => Just(0.02),
        1 => prop_oneof![Just(0.7), Just(-0.9)],
    ]
}

/// Symbol `i`: one of [`SYMBOLS`], or beyond them one of a wide pool (a sparse stream:
/// most symbols absent from most scans, the columns' sparse price index).
fn symbol(i: usize) -> String {
    SYMBOLS.get(i).map_or_else(|| format!("X{i}USDT"), |s| (*s).to_string())
}

fn asset(pool: usize) -> impl Strategy<Value = (usize, f64, f64, f64)> {
    (
        0..pool,
        prop_oneof![4 => 0.5f64..2.0, 1 => Just(1.0)],
        prop_oneof![4 => -0.05f64..0.05, 1 => Just(-0.02), 1 => Just(0.0)],
        prop_oneof![4 => 0.001f64..0.05, 1 => Just(0.0), 1 => Just(0.01)],
    )
}

fn line(pool: usize) -> impl Strategy<Value = Line> {
    prop_oneof![
        12 => (vel_div(), prop::collection::vec(asset(pool), 0..6)).prop_map(|(vel_div, assets)| Line::Scan { vel_div, assets }),
        2 => (0..POSTURES.len(), 0..DC.len(), 0.5f64..1.5, -1.0f64..1.0, -1.0f64..1.0)
            .prop_map(|(posture, dc, acb, esof, ob)| Line::Factors { posture, dc, acb, esof, ob }),
        2 => (0..pool, 0.5f64..2.0).prop_map(|(symbol, price)| Line::Tick { symbol, price }),
        1 => Just(Line::Poison),
    ]
}

/// The stream's bytes: scan numbers and timestamps increase; a scan's duplicate symbols
/// are dropped (the decoder would refuse the scan).
fn render(lines: &[Line]) -> Vec<u8> {
    let mut out = String::new();
    let mut ts: i64 = 1_760_000_000_000_000_000;
    for (k, l) in lines.iter().enumerate() {
        ts += 1_000_000_000;
        match l {
            Line::Scan { vel_div, assets } => {
                let mut seen = std::collections::HashSet::new();
                let mut a = Vec::new();
                for &(s, price, ret, vol) in assets {
                    if seen.insert(s) {
                        a.push(format!(
                            r#"{{"symbol":"{}","price":{price:?},"ret":{ret:?},"vol":{vol:?}}}"#,
                            symbol(s)
                        ));
                    }
                }
                out += &format!(
                    r#"{{"type":"scan","scan_number":{},"ts_ns":{ts},"vel_div":{vel_div:?},"assets":[{}]}}"#,
                    k + 1,
                    a.join(",")
                );
            }
            Line::Factors { posture, dc, acb, esof, ob } => {
                out += &format!(
                    r#"{{"type":"factors","ts_ns":{ts},"acb_boost":{acb:?},"acb_beta":0.5,"mc_scale":0.8,"esof_score":{esof:?},"ob_consensus":{ob:?},"dc_status":"{}","posture":"{}"}}"#,
                    DC[*dc], POSTURES[*posture]
                );
            }
            Line::Tick { symbol: s, price } => {
                out += &format!(r#"{{"type":"tick","ts_ns":{ts},"symbol":"{}","price":{price:?}}}"#, symbol(*s));
            }
            Line::Poison => out += r#"{"type":"scan","scan_number":"x"}"#,
        }
        out.push('\n');
    }
    out.into_bytes()
}

fn config() -> impl Strategy<Value = BlueConfig> {
    (
        (
            -0.04f64..-0.005,
            -0.08f64..-0.045,
            0.05f64..1.0,
            0i64..5,
            prop_oneof![3 => -1.0f64..1.0, 1 => Just(0.0), 1 => Just(2.0)],
        ),
        (0.002f64..0.03, 0.002f64..0.03, 1i64..40, 0i64..8, -0.01f64..0.03),
        (0.0f64..0.002, 0.1f64..0.4),
    )
        .prop_map(|(entry, exit, book)| BlueConfig {
            vel_div_threshold: entry.0,
            vel_div_extreme: entry.1,
            vel_div_abs_limit: entry.2,
            flat_scans_max: entry.3,
            min_score: entry.4,
            tp_pct: exit.0,
            sl_pct: exit.1,
            max_hold_bars: exit.2,
            min_hold_bars: exit.3,
            vel_div_exit: exit.4,
            fee_rate: book.0,
            base_fraction: book.1,
            ..BlueConfig::default()
        })
}

fn bits(r: &SimResult) -> Vec<u64> {
    let (s, t) = (&r.summary, &r.stats);
    vec![
        s.capital.to_bits(),
        t.pnl.to_bits(),
        t.fees.to_bits(),
        t.max_drawdown.to_bits(),
        t.win_rate().to_bits(),
        t.risk_adjusted().to_bits(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn the_columnar_run_is_the_engines(
        lines in prop_oneof![Just(SYMBOLS.len()), Just(SYMBOLS.len() + 200)]
            .prop_flat_map(|pool| prop::collection::vec(line(pool), 1..400)),
        cfg in config(),
    ) {
        let bytes = render(&lines);
        let stream = DecodedStream::decode(&bytes, 1);
        let c = SimConfig { cfg, ..SimConfig::default() };
        let (fast, engine) = (simulate(&c, &stream), simulate_engine(&c, &stream));
        prop_assert_eq!(bits(&fast), bits(&engine));
        prop_assert_eq!(&fast.summary, &engine.summary);
        prop_assert_eq!(fast.stats.trades, engine.stats.trades);
        prop_assert_eq!(fast.stats.wins, engine.stats.wins);
    }
}

/// The comparison above fails on a run that differs from the engine's by one trade's worth
/// of capital in the last bit: it compares bits, not values within a tolerance.
#[test]
fn a_last_bit_difference_is_a_failure() {
    let bytes =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/streams/small-a.jsonl")).expect("fixture");
    let stream = DecodedStream::decode(&bytes, 1);
    let c = SimConfig::default();
    let engine = simulate_engine(&c, &stream);
    let mut off = simulate(&c, &stream);
    assert_eq!(bits(&off), bits(&engine));
    assert!(off.summary.entries > 0 && off.stats.trades > 0, "the fixture trades");
    off.summary.capital = f64::from_bits(off.summary.capital.to_bits() + 1);
    assert_ne!(bits(&off), bits(&engine));
}
