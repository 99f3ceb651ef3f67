//! Seeded request generators, per kernel: random draws over realistic ranges, and extreme
//! draws (thresholds and one ULP either side, ±0.0, ties, denormals, exact TP/SL hits,
//! integer leverages, every posture and dc status, big selects, refusable requests).

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use violet_domain::config::BlueConfig;

use super::build::{BAD_LINES, J, corrupt, f, i, null, req, s};

/// Kernel indices follow `violet_oracle::KERNELS`.
pub const SIGNAL_STRENGTH: usize = 0;
/// `base_leverage`.
pub const BASE_LEVERAGE: usize = 1;
/// `fold`.
pub const FOLD: usize = 2;
/// `compose`.
pub const COMPOSE: usize = 3;
/// `select`.
pub const SELECT: usize = 4;
/// `exit`.
pub const EXIT: usize = 5;
/// `to_exchange`.
pub const TO_EXCHANGE: usize = 6;

const DC: [&str; 3] = ["CONFIRM", "NEUTRAL", "CONTRADICT"];
const POSTURES: [&str; 4] = ["APEX", "STALKER", "TURTLE", "HIBERNATE"];
const SYMBOLS: &[&str] = &[
    "BTCUSDT",
    "ETHUSDT",
    "SOLUSDT",
    "DOGEUSDT",
    "XRPUSDT",
    "ADAUSDT",
    "AVAXUSDT",
    "LINKUSDT",
    "DOTUSDT",
    "TRXUSDT",
    "MATICUSDT",
    "LTCUSDT",
    "BCHUSDT",
    "UNIUSDT",
    "ATOMUSDT",
    "ETCUSDT",
    "XLMUSDT",
    "FILUSDT",
    "APTUSDT",
    "ARBUSDT",
    "OPUSDT",
    "NEARUSDT",
    "ICPUSDT",
    "HBARUSDT",
    "VETUSDT",
    "INJUSDT",
    "SUIUSDT",
    "SEIUSDT",
    "TIAUSDT",
    "WIFUSDT",
    "PEPEUSDT",
    "SHIBUSDT",
    "BONKUSDT",
    "FETUSDT",
    "RNDRUSDT",
    "GRTUSDT",
    "AAVEUSDT",
    "MKRUSDT",
    "LDOUSDT",
    "CRVUSDT",
    "A",
    "B",
    "AA",
    "Ab",
    "a",
    "Z",
    "ÄUSDT",
    "ÉTHUSDT",
    "B\u{1F600}",
    "\u{1F600}",
    "X Y",
    "q\"uote",
    "back\\slash",
    // Near misses of the stablecoins, which BLUE does not exclude.
    "USDCUSD",
    "usdcusdt",
    "USDTUSDT",
];
/// BLUE's stablecoins (`blue/selector.py`), transcribed here independently of the code under
/// test. They are in every symbol pool too.
const STABLE: &[&str] = &[
    "USDCUSDT",
    "FDUSDUSDT",
    "TUSDUSDT",
    "BUSDUSDT",
    "DAIUSDT",
    "USDPUSDT",
    "PYUSDUSDT",
    "USDEUSDT",
    "EURUSDT",
    "AEURUSDT",
];

/// Values every float argument sometimes takes in extreme draws.
const TINY: &[f64] = &[
    0.0,
    -0.0,
    5e-324,
    -5e-324,
    f64::MIN_POSITIVE,
    -f64::MIN_POSITIVE,
    f64::from_bits(0x000F_FFFF_FFFF_FFFF), // the largest subnormal
    f64::MAX,
    -f64::MAX,
    1e-300,
    1e300,
    1.0,
    -1.0,
    0.5,
];

fn pick<T: Copy>(rng: &mut ChaCha8Rng, xs: &[T]) -> T {
    xs[rng.gen_range(0..xs.len())]
}

/// Log-uniform in [lo, hi].
fn lu(rng: &mut ChaCha8Rng, lo: f64, hi: f64) -> f64 {
    (rng.gen_range(lo.ln()..=hi.ln())).exp()
}

/// `x` moved by -k..=k ULPs (k <= 3).
fn ulps(rng: &mut ChaCha8Rng, x: f64) -> f64 {
    let mut y = x;
    match rng.gen_range(0..7) {
        0 => y = y.next_down(),
        1 => y = y.next_up(),
        2 => y = y.next_down().next_down(),
        3 => y = y.next_up().next_up(),
        4 => y = y.next_up().next_up().next_up(),
        _ => {}
    }
    y
}

/// A threshold, one ULP either side, or a universal extreme.
fn around(rng: &mut ChaCha8Rng, thresholds: &[f64]) -> f64 {
    if rng.gen_bool(0.2) {
        pick(rng, TINY)
    } else {
        let t = pick(rng, thresholds);
        ulps(rng, t)
    }
}

fn vel_div_random(rng: &mut ChaCha8Rng) -> f64 {
    match rng.gen_range(0..10) {
        0 => rng.gen_range(-1.0..1.0),
        1 => -lu(rng, 1e-6, 10.0),
        _ => rng.gen_range(-0.08..0.03),
    }
}

fn vel_div_extreme(rng: &mut ChaCha8Rng, cfg: &BlueConfig) -> f64 {
    around(
        rng,
        &[
            cfg.vel_div_threshold,
            cfg.vel_div_extreme,
            cfg.vel_div_abs_limit,
            -cfg.vel_div_abs_limit,
            cfg.vel_div_exit,
            0.0,
        ],
    )
}

fn unit_random(rng: &mut ChaCha8Rng) -> f64 {
    if rng.gen_bool(0.05) { pick(rng, &[-1.0, 1.0, 0.0, -0.0]) } else { rng.gen_range(-1.0..=1.0) }
}

fn unit_extreme(rng: &mut ChaCha8Rng, cfg: &BlueConfig) -> f64 {
    let t = pick(rng, &[-1.0, 1.0, 0.0, -0.0, cfg.esof_floor, 5e-324, -5e-324, 0.5, -0.5]);
    ulps(rng, t)
}

fn fold_members(esof: f64, ob: f64, dc: &str) -> Vec<(&'static str, J)> {
    vec![("dc_status", s(dc)), ("ob_consensus", f(ob)), ("esof_score", f(esof))]
}

fn factors(rng: &mut ChaCha8Rng, cfg: &BlueConfig, extreme: bool) -> J {
    let (boost, beta, mc, esof, ob) = if extreme {
        (
            pick(rng, &[5e-324, f64::MIN_POSITIVE, 1.0, f64::MAX, 1e300, 1e-300, 0.5, 2.0]),
            pick(rng, &[0.0, -0.0, 5e-324, f64::MAX, 1e300, 1.0, 0.5]),
            pick(rng, &[0.0, -0.0, 5e-324, f64::MAX, 1e300, 1.0, 0.9]),
            unit_extreme(rng, cfg),
            unit_extreme(rng, cfg),
        )
    } else {
        (lu(rng, 0.01, 100.0), rng.gen_range(0.0..2.0), rng.gen_range(0.0..2.0), unit_random(rng), unit_random(rng))
    };
    J::Obj(vec![
        ("acb_boost", f(boost)),
        ("acb_beta", f(beta)),
        ("mc_scale", f(mc)),
        ("esof_score", f(esof)),
        ("ob_consensus", f(ob)),
        ("dc_status", s(pick(rng, &DC))),
        ("posture", s(pick(rng, &POSTURES))),
    ])
}

fn asset(symbol: &str, price: f64, ret: f64, vol: f64) -> J {
    J::Obj(vec![("symbol", s(symbol)), ("price", f(price)), ("ret", f(ret)), ("vol", f(vol))])
}

/// `n` distinct symbols in random order (beyond the pool: generated names).
fn symbols(rng: &mut ChaCha8Rng, n: usize) -> Vec<String> {
    let mut pool: Vec<String> = SYMBOLS.iter().chain(STABLE).map(|s| (*s).to_string()).collect();
    while pool.len() < n {
        pool.push(format!("S{}USDT", pool.len()));
    }
    for k in 0..n {
        let j = rng.gen_range(k..pool.len());
        pool.swap(k, j);
    }
    pool.truncate(n);
    pool
}

fn select_random(rng: &mut ChaCha8Rng) -> J {
    let n = rng.gen_range(0..=60);
    let assets = symbols(rng, n)
        .iter()
        .map(|sym| {
            let vol = if rng.gen_bool(0.03) { 0.0 } else { rng.gen_range(0.0..0.1) };
            asset(sym, lu(rng, 1e-6, 1e5), rng.gen_range(-0.1..0.1), vol)
        })
        .collect();
    req("select", vec![("assets", J::Arr(assets))])
}

fn select_extreme(rng: &mut ChaCha8Rng) -> J {
    let n = if rng.gen_ratio(1, 200) { 500 } else { rng.gen_range(0..=40) };
    let syms = symbols(rng, n);
    let mode = rng.gen_range(0..6);
    let base_ret = -lu(rng, 1e-4, 0.1);
    let base_vol = lu(rng, 1e-4, 0.1);
    let mut assets = Vec::with_capacity(n + 2);
    for (k, sym) in syms.iter().enumerate() {
        let (ret, vol) = match mode {
            // Exact ties: the same ret and vol.
            0 => (base_ret, base_vol),
            // Scaled ties: ret and vol scaled by the same power of two (same quotient).
            1 => {
                let scale = 2f64.powi(rng.gen_range(-20..20));
                (base_ret * scale, base_vol * scale)
            }
            // Denormals, infinite scores, zero and negative-zero vols and rets.
            2 => (pick(rng, &[-f64::MAX, -1e300, -5e-324, 5e-324, 0.0, -0.0, -1.0, base_ret]), pick(rng, TINY).abs()),
            // Scores right at min_score (0): ret of ±0, tiny rets.
            3 => (pick(rng, &[0.0, -0.0, -5e-324, 5e-324]), base_vol),
            _ => {
                if rng.gen_bool(0.3) {
                    (base_ret, base_vol)
                } else {
                    (rng.gen_range(-0.1..0.1), if rng.gen_bool(0.1) { 0.0 } else { rng.gen_range(0.0..0.1) })
                }
            }
        };
        let price = if k % 7 == 0 { pick(rng, &[5e-324, f64::MAX, 1.0]) } else { lu(rng, 1e-6, 1e5) };
        assets.push(asset(sym, price, ret, vol));
    }
    if rng.gen_bool(0.5) && assets.len() < 500 {
        // A stablecoin ranked first: the best score of all, at the front.
        let st = pick(rng, STABLE);
        if !syms.iter().any(|x| x == st) {
            assets.insert(0, asset(st, 1.0, -0.5, 1e-4));
        }
    }
    req("select", vec![("assets", J::Arr(assets))])
}

fn exit_request(rng: &mut ChaCha8Rng, cfg: &BlueConfig, extreme: bool) -> J {
    let entry =
        if extreme && rng.gen_bool(0.2) { pick(rng, &[5e-324, f64::MAX, 1.0, 1e-300]) } else { lu(rng, 1e-6, 1e5) };
    let last = entry * (1.0 + rng.gen_range(-0.02..0.02));
    let bars = if extreme {
        let any = rng.gen_range(0..200);
        pick(rng, &[0, 3, 4, 5, 6, 118, 119, 120, 121, 999_999_999, 1_000_000_000, any])
    } else {
        rng.gen_range(0..150)
    };
    let price = if extreme {
        match rng.gen_range(0..5) {
            // Exact TP / SL hits and one ULP either side.
            0 => Some(ulps(rng, entry * (1.0 - cfg.tp_pct))),
            1 => Some(ulps(rng, entry * (1.0 + cfg.sl_pct))),
            2 => Some(ulps(rng, entry)),
            3 => None,
            _ => Some(pick(rng, &[5e-324, f64::MAX, 1e-300, 1e300])),
        }
    } else if rng.gen_bool(0.1) {
        None
    } else {
        Some(entry * (1.0 + rng.gen_range(-0.03..0.03)))
    };
    let vel_div = if extreme { around(rng, &[cfg.vel_div_exit, 0.0]) } else { rng.gen_range(-0.05..0.05) };
    let position = J::Obj(vec![
        ("symbol", s(pick(rng, SYMBOLS))),
        ("entry_price", f(entry)),
        ("last_price", f(if last > 0.0 && last.is_finite() { last } else { entry })),
        ("bars_held", i(bars)),
    ]);
    let mut m = vec![("position", position)];
    match price {
        Some(p) => m.push(("price", f(p))),
        None if rng.gen_bool(0.5) => m.push(("price", null())),
        None => {}
    }
    m.push(("vel_div", f(vel_div)));
    req("exit", m)
}

fn to_exchange_request(rng: &mut ChaCha8Rng, extreme: bool) -> J {
    let qp: i64 = if extreme { pick(rng, &[0, 1, 8, 15, 21, 22]) } else { rng.gen_range(0..=22) };
    let max_lev: i64 = if extreme { pick(rng, &[1, 2, 20, 50, 124, 125]) } else { rng.gen_range(1..=125) };
    let (lev, notional, price) = if extreme {
        let k = pick(rng, &[1.0, 2.0, 3.0, 10.0, 20.0, 124.0, 125.0, 126.0]);
        (
            if rng.gen_bool(0.7) { ulps(rng, k) } else { pick(rng, &[5e-324, 0.5, 1e300, f64::MAX]) },
            {
                let any = lu(rng, 1.0, 1e6);
                pick(rng, &[0.0, -0.0, 5e-324, 1e300, f64::MAX, 1000.0, any])
            },
            {
                let any = lu(rng, 1e-6, 1e5);
                pick(rng, &[5e-324, f64::MIN_POSITIVE, 1.0, f64::MAX, 1e-300, 0.1, any])
            },
        )
    } else {
        (
            if rng.gen_bool(0.2) { f64::from(rng.gen_range(1..=130)) } else { rng.gen_range(0.01..150.0) },
            if rng.gen_bool(0.02) { 0.0 } else { lu(rng, 0.01, 1e7) },
            lu(rng, 1e-6, 1e5),
        )
    };
    // min_qty near the quantity BLUE computes (exactly at, one ULP either side), or simple values.
    let scale = 10f64.powi(i32::try_from(qp).unwrap_or(0));
    let q = (notional / price * scale).floor() / scale;
    let min_qty = if rng.gen_bool(0.3) && q.is_finite() {
        ulps(rng, q).max(0.0)
    } else {
        pick(rng, &[0.0, 1.0 / scale, 0.001, 1.0, 10.0])
    };
    let min_notional = if rng.gen_bool(0.3) && q.is_finite() {
        ulps(rng, q * price).max(0.0)
    } else {
        pick(rng, &[0.0, 5.0, 2.0, 1e300])
    };
    let contract = J::Obj(vec![
        ("quantity_precision", i(qp)),
        ("min_qty", f(min_qty)),
        ("min_notional", f(min_notional)),
        ("max_leverage", i(max_lev)),
    ]);
    req(
        "to_exchange",
        vec![("leverage", f(lev)), ("notional", f(notional)), ("price", f(price)), ("contract", contract)],
    )
}

/// A random request for `kernel`, written into `out`. About 1% are corrupted (refusable).
pub fn random_request(kernel: usize, rng: &mut ChaCha8Rng, cfg: &BlueConfig, out: &mut String) {
    let mut j = match kernel {
        SIGNAL_STRENGTH => req("signal_strength", vec![("vel_div", f(vel_div_random(rng)))]),
        BASE_LEVERAGE => {
            let s = if rng.gen_bool(0.02) { pick(rng, &[0.0, 1.0]) } else { rng.gen_range(0.0..=1.0) };
            req("base_leverage", vec![("s", f(s))])
        }
        FOLD => req("fold", fold_members(unit_random(rng), unit_random(rng), pick(rng, &DC))),
        COMPOSE => req(
            "compose",
            vec![
                ("vel_div", f(vel_div_random(rng))),
                ("factors", factors(rng, cfg, false)),
                ("capital", f(rng.gen_range(0.0..1e6))),
            ],
        ),
        SELECT => select_random(rng),
        EXIT => exit_request(rng, cfg, false),
        TO_EXCHANGE => to_exchange_request(rng, false),
        _ => unreachable!("kernel index {kernel}"),
    };
    if rng.gen_ratio(1, 100) {
        corrupt(&mut j, rng);
    }
    j.render(out);
}

/// An extreme request for `kernel`, written into `out`. About 10% are refusable.
pub fn extreme_request(kernel: usize, rng: &mut ChaCha8Rng, cfg: &BlueConfig, out: &mut String) {
    if rng.gen_ratio(1, 50) {
        out.push_str(pick(rng, BAD_LINES));
        return;
    }
    let mut j = match kernel {
        SIGNAL_STRENGTH => req("signal_strength", vec![("vel_div", f(vel_div_extreme(rng, cfg)))]),
        BASE_LEVERAGE => {
            let t = pick(rng, &[0.0, -0.0, 1.0, 5e-324, f64::MIN_POSITIVE, 1e-103, 1e-108, 1e-110, 0.5, 0.999]);
            let s = ulps(rng, t);
            req("base_leverage", vec![("s", f(s))])
        }
        FOLD => req("fold", fold_members(unit_extreme(rng, cfg), unit_extreme(rng, cfg), pick(rng, &DC))),
        COMPOSE => req(
            "compose",
            vec![
                ("vel_div", f(vel_div_extreme(rng, cfg))),
                ("factors", factors(rng, cfg, true)),
                ("capital", f(pick(rng, &[0.0, -0.0, 5e-324, f64::MAX, 1e300, 25000.0]))),
            ],
        ),
        SELECT => select_extreme(rng),
        EXIT => exit_request(rng, cfg, true),
        TO_EXCHANGE => to_exchange_request(rng, true),
        _ => unreachable!("kernel index {kernel}"),
    };
    if rng.gen_ratio(1, 12) {
        corrupt(&mut j, rng);
    }
    j.render(out);
}
