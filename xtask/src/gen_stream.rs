//! `cargo xtask gen-stream`: a seeded event-stream generator (rand_chacha) covering every
//! poison kind BLUE rejects, score ties, stablecoins ranked first, vol = 0, flat and
//! out-of-range vel_div, symbols missing from scans (an open position's too), timestamps
//! that repeat or go back, and factor changes through every posture and dc status. It never
//! writes a line outside the contract (no duplicate keys, no lone surrogates, no deep
//! nesting, no overflowing numbers in fields BLUE does not read).

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use rand::Rng;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use violet_domain::json::ObjectWriter;

/// Arguments of `cargo xtask gen-stream`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Seed (same seed and shape, same bytes).
    #[arg(long)]
    pub seed: u64,
    /// Scans to write (poison lines come on top).
    #[arg(long, default_value_t = 20_000)]
    pub scans: u64,
    /// Assets per scan.
    #[arg(long, default_value_t = 50)]
    pub assets: usize,
    /// Ticks between consecutive scans.
    #[arg(long, default_value_t = 1)]
    pub ticks_per_scan: u32,
    /// Probability that a line is poison (one of the poison kinds).
    #[arg(long, default_value_t = 0.01)]
    pub poison_rate: f64,
    /// Output file, `-` for stdout.
    #[arg(long, default_value = "-")]
    pub out: PathBuf,
}

/// Stream shape.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Seed.
    pub seed: u64,
    /// Scans.
    pub scans: u64,
    /// Assets per scan.
    pub assets: usize,
    /// Ticks per scan.
    pub ticks_per_scan: u32,
    /// Poison probability per line.
    pub poison_rate: f64,
}

const REAL: &[&str] = &[
    "BTCUSDT", "ETHUSDT", "SOLUSDT", "DOGEUSDT", "XRPUSDT", "ADAUSDT", "AVAXUSDT", "LINKUSDT", "DOTUSDT", "TRXUSDT",
    "LTCUSDT", "BCHUSDT", "UNIUSDT", "ATOMUSDT", "NEARUSDT", "APTUSDT", "ARBUSDT", "OPUSDT", "INJUSDT", "SUIUSDT",
];
const STABLES: &[&str] = &["USDCUSDT", "FDUSDUSDT", "DAIUSDT"];
const POSTURES: [&str; 4] = ["APEX", "STALKER", "TURTLE", "HIBERNATE"];
const DC: [&str; 3] = ["CONFIRM", "NEUTRAL", "CONTRADICT"];

/// Poison kinds: each makes one line BLUE rejects.
pub const POISON_KINDS: usize = 30;

struct Gen {
    rng: ChaCha8Rng,
    shape: Shape,
    symbols: Vec<String>,
    prices: Vec<f64>,
    vel_div: f64,
    flat_left: u32,
    scan_number: i64,
    ts: i64,
    line: String,
}

fn obj(out: &mut String, f: impl FnOnce(&mut ObjectWriter<'_>)) {
    let mut w = ObjectWriter::new(out);
    f(&mut w);
    w.finish();
}

impl Gen {
    fn new(shape: Shape) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(shape.seed);
        let mut symbols: Vec<String> = Vec::with_capacity(shape.assets);
        for k in 0..shape.assets {
            let s = if let Some(st) = STABLES.get(k).filter(|_| shape.assets >= 10) {
                (*st).to_string()
            } else if let Some(r) = REAL.get(k) {
                (*r).to_string()
            } else {
                format!("A{k:03}USDT")
            };
            symbols.push(s);
        }
        let prices = symbols.iter().map(|_| (rng.gen_range(-5.0f64..11.0)).exp()).collect();
        Self {
            rng,
            shape,
            symbols,
            prices,
            vel_div: 0.0,
            flat_left: 0,
            scan_number: 1000,
            ts: 1_760_000_000_000_000_000,
            line: String::new(),
        }
    }

    fn factors(&mut self) {
        let r = &mut self.rng;
        let (boost, beta, mc) = (r.gen_range(0.5..1.5), r.gen_range(0.0..1.0), r.gen_range(0.0..1.5));
        let (esof, ob) = (r.gen_range(-1.0..=1.0), r.gen_range(-1.0..=1.0));
        let dc = DC[[0, 0, 1, 1, 2][r.gen_range(0..5)]];
        let posture = POSTURES[[0, 0, 0, 0, 0, 1, 1, 2, 2, 3][r.gen_range(0..10)]];
        let ts = self.ts;
        obj(&mut self.line, |w| {
            w.str("type", "factors")
                .int("ts_ns", ts)
                .float("acb_boost", boost)
                .float("acb_beta", beta)
                .float("mc_scale", mc)
                .float("esof_score", esof)
                .float("ob_consensus", ob)
                .str("dc_status", dc)
                .str("posture", posture);
        });
    }

    fn next_vel_div(&mut self) -> f64 {
        if self.flat_left > 0 {
            self.flat_left -= 1;
            return self.vel_div;
        }
        let r = &mut self.rng;
        if r.gen_ratio(1, 60) {
            self.flat_left = r.gen_range(2..6);
        }
        if r.gen_ratio(1, 200) {
            return if r.gen_bool(0.5) { r.gen_range(0.5..2.0) } else { -r.gen_range(0.5..2.0) };
        }
        let shock: f64 = r.gen_range(-0.012..0.012);
        self.vel_div = 0.85 * self.vel_div + shock - 0.0012;
        self.vel_div
    }

    /// One scan line (assets may be missing, ties and stablecoins planted).
    fn scan(&mut self, scan_number: i64, vel_div: f64) {
        let n = self.symbols.len();
        let mut rows: Vec<(usize, f64, f64)> = Vec::with_capacity(n);
        for k in 0..n {
            let step: f64 = self.rng.gen_range(-0.006..0.006);
            self.prices[k] *= step.exp();
            if self.rng.gen_ratio(1, 33) {
                continue; // missing from this scan
            }
            let stable = STABLES.contains(&self.symbols[k].as_str());
            let (ret, vol) = if stable {
                // Stablecoins ranked first: the best score of the scan, always excluded.
                (-0.05, 0.001)
            } else if self.rng.gen_ratio(1, 50) {
                (self.rng.gen_range(-0.02..0.02), 0.0)
            } else {
                (self.rng.gen_range(-0.02..0.02), self.rng.gen_range(0.004..0.05))
            };
            rows.push((k, ret, vol));
        }
        if rows.len() > 3 && self.rng.gen_ratio(1, 10) {
            // A score tie with the best candidate: exact, or scaled by a power of two.
            let best = rows
                .iter()
                .filter(|r| r.2 > 0.0 && !STABLES.contains(&self.symbols[r.0].as_str()))
                .map(|r| (-r.1 / r.2, r.1, r.2))
                .fold(None, |b: Option<(f64, f64, f64)>, x| if b.is_none_or(|b| x.0 > b.0) { Some(x) } else { b });
            if let Some((_, ret, vol)) = best {
                let j = self.rng.gen_range(0..rows.len());
                let scale = if self.rng.gen_bool(0.5) { 1.0 } else { 4.0 };
                rows[j].1 = ret * scale;
                rows[j].2 = vol * scale;
            }
        }
        let ts = self.ts;
        let mut assets = String::with_capacity(rows.len() * 96);
        assets.push('[');
        for (i, &(k, ret, vol)) in rows.iter().enumerate() {
            if i > 0 {
                assets.push(',');
            }
            let (sym, price) = (&self.symbols[k], self.prices[k]);
            obj(&mut assets, |w| {
                w.str("symbol", sym).float("price", price).float("ret", ret).float("vol", vol);
            });
        }
        assets.push(']');
        obj(&mut self.line, |w| {
            w.str("type", "scan")
                .int("scan_number", scan_number)
                .int("ts_ns", ts)
                .float("vel_div", vel_div)
                .raw("assets", &assets);
        });
    }

    fn tick(&mut self) {
        let k = self.rng.gen_range(0..self.symbols.len());
        let price = self.prices[k] * (self.rng.gen_range(-0.004f64..0.004)).exp();
        let ts = self.ts;
        let sym = self.symbols[k].clone();
        obj(&mut self.line, |w| {
            w.str("type", "tick").int("ts_ns", ts).str("symbol", &sym).float("price", price);
        });
    }

    /// A poison line of the given kind; returns raw bytes (kind 0 is not UTF-8).
    fn poison(&mut self, kind: usize) -> Vec<u8> {
        let sn = self.scan_number + 1;
        let ts = self.ts;
        let sym = self.symbols[self.rng.gen_range(0..self.symbols.len())].clone();
        let scan = |sn: &str, ts: &str, vd: &str, assets: &str| {
            format!(r#"{{"type":"scan","scan_number":{sn},"ts_ns":{ts},"vel_div":{vd},"assets":{assets}}}"#)
        };
        let a = |price: &str, ret: &str, vol: &str| {
            format!(r#"{{"symbol":"{sym}","price":{price},"ret":{ret},"vol":{vol}}}"#)
        };
        let ok_a = a("1.5", "-0.01", "0.02");
        let fac = |boost: &str, beta: &str, mc: &str, esof: &str, ob: &str, dc: &str, posture: &str| {
            format!(
                r#"{{"type":"factors","ts_ns":{ts},"acb_boost":{boost},"acb_beta":{beta},"mc_scale":{mc},"esof_score":{esof},"ob_consensus":{ob},"dc_status":{dc},"posture":{posture}}}"#
            )
        };
        let (sn_s, ts_s) = (sn.to_string(), ts.to_string());
        let list = format!("[{ok_a}]");
        let line = match kind {
            0 => {
                return [b"{\"type\":\"tick\",\"ts_ns\":1,\"symbol\":\"\xc3\x28\",\"price\":1.0}".as_slice()].concat();
            }
            1 => {
                let mut s = scan(&sn_s, &ts_s, "-0.03", &list);
                s.truncate(s.len() / 2);
                s
            }
            2 => scan(&sn_s, &ts_s, "-0.03", &format!("[{}]", a("NaN", "-0.01", "0.02"))),
            3 => scan(&sn_s, &ts_s, "-Infinity", &list),
            4 => format!(r#"{{"type":"trade","ts_ns":{ts}}}"#),
            5 => format!("[{ok_a}]"),
            6 => scan(&format!("{sn}.0"), &ts_s, "-0.03", &list),
            7 => scan(&format!("-{sn}"), &ts_s, "-0.03", &list),
            8 => scan(&(self.scan_number - self.rng.gen_range(0..3)).to_string(), &ts_s, "-0.03", &list),
            9 => scan(&sn_s, &format!("\"{ts}\""), "-0.03", &list),
            10 => scan(&sn_s, "9223372036854775808", "-0.03", &list),
            11 => scan(&sn_s, &ts_s, "1e400", &list),
            12 => scan(
                &sn_s,
                &ts_s,
                "-0.03",
                &format!("[{}]", a(["0", "-0.0", "-3.5"][self.rng.gen_range(0..3)], "0.01", "0.02")),
            ),
            13 => scan(&sn_s, &ts_s, "-0.03", &format!("[{}]", a("1.5", "-0.01", "-0.0001"))),
            14 => scan(&sn_s, &ts_s, "-0.03", &format!("[{ok_a},{ok_a}]")),
            15 => scan(&sn_s, &ts_s, "-0.03", r#"[{"symbol":"","price":1.0,"ret":0.0,"vol":0.1}]"#),
            16 => scan(&sn_s, &ts_s, "-0.03", "{}"),
            17 => fac("0", "0.5", "1.0", "0.1", "0.1", "\"NEUTRAL\"", "\"APEX\""),
            18 => fac("1.0", "-0.5", "1.0", "0.1", "0.1", "\"NEUTRAL\"", "\"APEX\""),
            19 => fac("1.0", "0.5", "-1e-9", "0.1", "0.1", "\"NEUTRAL\"", "\"APEX\""),
            20 => fac("1.0", "0.5", "1.0", "1.5", "0.1", "\"NEUTRAL\"", "\"APEX\""),
            21 => fac("1.0", "0.5", "1.0", "0.1", "-1.0000000000000002", "\"NEUTRAL\"", "\"APEX\""),
            22 => fac("1.0", "0.5", "1.0", "0.1", "0.1", "\"BULLISH\"", "\"APEX\""),
            23 => fac("1.0", "0.5", "1.0", "0.1", "0.1", "\"NEUTRAL\"", "null"),
            24 => format!(r#"{{"type":"tick","ts_ns":{ts},"symbol":"{sym}","price":-1.0}}"#),
            25 => format!(r#"{{"type":"tick","ts_ns":{ts},"price":1.0}}"#),
            26 => scan(&sn_s, &ts_s, "true", &list),
            27 => format!(r#"{{"type":"scan","scan_number":{sn},"ts_ns":{ts},"assets":{list}}}"#),
            28 => scan(&sn_s, &ts_s, "-0.03", "[1]"),
            _ => "{\"type\":\"factors\"".to_string(),
        };
        line.into_bytes()
    }

    fn write(&mut self, out: &mut impl Write) -> io::Result<()> {
        out.write_all(self.line.as_bytes())?;
        out.write_all(b"\n")?;
        self.line.clear();
        Ok(())
    }

    fn maybe_poison(&mut self, out: &mut impl Write) -> io::Result<()> {
        if self.shape.poison_rate > 0.0 && self.rng.gen_bool(self.shape.poison_rate.min(1.0)) {
            let kind = self.rng.gen_range(0..POISON_KINDS);
            let line = self.poison(kind);
            out.write_all(&line)?;
            out.write_all(b"\n")?;
        }
        Ok(())
    }

    fn run(&mut self, out: &mut impl Write) -> io::Result<()> {
        self.factors();
        self.write(out)?;
        for _ in 0..self.shape.scans {
            if self.rng.gen_ratio(1, 40) {
                self.factors();
                self.write(out)?;
            }
            self.maybe_poison(out)?;
            // Timestamps: mostly forward, sometimes repeated or backwards (carried, never used).
            self.ts += match self.rng.gen_range(0..100) {
                0 => 0,
                1 => -1_000_000_000,
                _ => 5_000_000_000,
            };
            self.scan_number += if self.rng.gen_ratio(1, 50) { self.rng.gen_range(2..10) } else { 1 };
            let vd = self.next_vel_div();
            self.scan(self.scan_number, vd);
            self.write(out)?;
            for _ in 0..self.shape.ticks_per_scan {
                self.ts += 1_000_000;
                self.tick();
                self.write(out)?;
                self.maybe_poison(out)?;
            }
            if self.rng.gen_ratio(1, 200) {
                out.write_all(if self.rng.gen_bool(0.5) { b"\n" } else { b"  \t\r\n" })?;
            }
        }
        Ok(())
    }
}

/// Write a stream of `shape` to `out`.
///
/// # Errors
/// `out`'s I/O error.
pub fn generate(shape: Shape, out: &mut impl Write) -> io::Result<()> {
    Gen::new(shape).run(out)
}

/// Write a stream of `shape` to the file `path`.
///
/// # Errors
/// When the file cannot be written.
pub fn generate_file(shape: Shape, path: &Path) -> anyhow::Result<()> {
    let f = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut w = BufWriter::with_capacity(1 << 20, f);
    generate(shape, &mut w)?;
    w.flush()?;
    Ok(())
}

/// Run the task.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let shape = Shape {
        seed: args.seed,
        scans: args.scans,
        assets: args.assets.max(1),
        ticks_per_scan: args.ticks_per_scan,
        poison_rate: args.poison_rate,
    };
    if !(0.0..=1.0).contains(&args.poison_rate) {
        anyhow::bail!("--poison-rate must be in [0, 1], got {}", args.poison_rate);
    }
    if args.out.as_os_str() == "-" {
        let stdout = io::stdout();
        let mut w = BufWriter::with_capacity(1 << 20, stdout.lock());
        generate(shape, &mut w)?;
        w.flush()?;
    } else {
        generate_file(shape, &args.out)?;
    }
    Ok(ExitCode::SUCCESS)
}
