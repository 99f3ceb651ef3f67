//! A grid of BLUE's constants: every combination of the values given for each key.

use violet_domain::config::BlueConfig;

/// A grid file that cannot be used: which key, and why.
#[derive(Debug, thiserror::Error)]
pub enum GridError {
    /// Not TOML.
    #[error("the grid is not TOML: {0}")]
    Toml(#[from] toml::de::Error),
    /// A key's values are not a list or a range of numbers.
    #[error("grid key {key:?}: {why}")]
    Values {
        /// The key.
        key: String,
        /// What is wrong.
        why: String,
    },
    /// A value BLUE's configuration refuses (an unknown key, a wrong type).
    #[error("grid key {key:?} = {value}: {why}")]
    Config {
        /// The key.
        key: String,
        /// The value.
        value: String,
        /// BLUE's configuration's error.
        why: String,
    },
    /// More combinations than a sweep takes.
    #[error("the grid has {0} combinations; at most {MAX_POINTS} (split it, or shard it over machines)")]
    TooLarge(u128),
}

/// The most combinations one grid may have.
pub const MAX_POINTS: u128 = 10_000_000;

/// One combination: its place in the grid, its values (key, TOML text), its configuration
/// and its id (the same values, the same id: rows written twice collapse).
#[derive(Debug, Clone)]
pub struct Point {
    /// Its index in the whole grid (0-based).
    pub index: usize,
    /// Each grid key and its value as TOML text, in key order.
    pub values: Vec<(String, String)>,
    /// BLUE's configuration with those values.
    pub cfg: BlueConfig,
    /// 16 hex digits: FNV-1a of `key=value;...` over every key of the configuration.
    pub id: String,
}

/// A parsed grid.
#[derive(Debug, Clone)]
pub struct Grid {
    /// Each key and its values, in key order.
    pub axes: Vec<(String, Vec<toml::Value>)>,
}

/// A finite number.
fn number(v: &toml::Value) -> Option<toml::Value> {
    match v {
        toml::Value::Integer(_) => Some(v.clone()),
        toml::Value::Float(f) if f.is_finite() => Some(v.clone()),
        _ => None,
    }
}

/// `{ from, to, step }`: from, from + step, ... up to `to` (each `from + k * step`, never a
/// running sum); integers when all three are.
fn range(key: &str, t: &toml::Table) -> Result<Vec<toml::Value>, GridError> {
    let bad = |why: &str| GridError::Values { key: key.to_string(), why: why.to_string() };
    let get = |k: &str| t.get(k).ok_or_else(|| bad(&format!("a range needs `{k}`")));
    let (from, to, step) = (get("from")?, get("to")?, get("step")?);
    if let Some(extra) = t.keys().find(|k| !["from", "to", "step"].contains(&k.as_str())) {
        return Err(bad(&format!("a range has from, to, step; not {extra:?}")));
    }
    if let (toml::Value::Integer(a), toml::Value::Integer(b), toml::Value::Integer(s)) = (from, to, step) {
        if *s <= 0 || b < a {
            return Err(bad("a range needs step > 0 and from <= to"));
        }
        return Ok((0..).map(|k| a + k * s).take_while(|v| v <= b).map(toml::Value::Integer).collect());
    }
    #[allow(clippy::cast_precision_loss)] // a range's bounds
    let f = |v: &toml::Value| match v {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(x) if x.is_finite() => Some(*x),
        _ => None,
    };
    let (Some(a), Some(b), Some(s)) = (f(from), f(to), f(step)) else {
        return Err(bad("from, to and step must be numbers"));
    };
    if !(s > 0.0) || b < a {
        return Err(bad("a range needs step > 0 and from <= to"));
    }
    // Up to `to`, with a millionth of a step of slack for the decimal steps floats miss.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
    let n = ((b - a) / s + 1e-6).floor() as u64 + 1;
    // In the decimals the range is written with (0.005 + 3 * 0.0015 is 0.0095, not
    // 0.009500000000000001): integers of 10^-d, then one division.
    let d = [a, b, s].iter().map(|x| decimals(*x)).max().unwrap_or(0);
    let scale = 10f64.powi(d);
    #[allow(clippy::cast_precision_loss)]
    Ok((0..n).map(|k| toml::Value::Float(((a * scale).round() + k as f64 * (s * scale).round()) / scale)).collect())
}

/// The decimals `x`'s shortest text has (at most 15; an exponent form counts its digits).
fn decimals(x: f64) -> i32 {
    let t = format!("{x:?}");
    let (mantissa, exp) = match t.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (t.as_str(), 0),
    };
    let frac = mantissa.split_once('.').map_or(0, |(_, f)| i32::try_from(f.trim_end_matches('0').len()).unwrap_or(15));
    (frac - exp).clamp(0, 15)
}

impl Grid {
    /// Parse `text`: each key is one of BLUE's constants (as in BLUE's `config.py`) with a
    /// list of values (`tp_pct = [0.008, 0.0099]`), a range (`max_hold_bars = { from = 60,
    /// to = 180, step = 30 }`) or one value.
    ///
    /// # Errors
    /// [`GridError`] naming the key.
    pub fn parse(text: &str) -> Result<Self, GridError> {
        let table: toml::Table = toml::from_str(text)?;
        let mut axes = Vec::new();
        for (key, v) in &table {
            let values = match v {
                toml::Value::Array(items) => items
                    .iter()
                    .map(|i| {
                        number(i).ok_or_else(|| GridError::Values {
                            key: key.clone(),
                            why: format!("{i} is not a finite number"),
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?,
                toml::Value::Table(t) => range(key, t)?,
                other => vec![number(other).ok_or_else(|| GridError::Values {
                    key: key.clone(),
                    why: format!("{other} is not a number, a list or a range"),
                })?],
            };
            if values.is_empty() {
                return Err(GridError::Values { key: key.clone(), why: "no values".into() });
            }
            for value in &values {
                BlueConfig::from_toml(&format!("{key} = {value}")).map_err(|e| GridError::Config {
                    key: key.clone(),
                    value: value.to_string(),
                    why: e.to_string().lines().next().unwrap_or_default().to_string(),
                })?;
            }
            axes.push((key.clone(), values));
        }
        let n: u128 = axes.iter().map(|(_, v)| v.len() as u128).product();
        if n > MAX_POINTS {
            return Err(GridError::TooLarge(n));
        }
        Ok(Self { axes })
    }

    /// How many combinations.
    #[must_use]
    pub fn len(&self) -> usize {
        self.axes.iter().map(|(_, v)| v.len()).product()
    }

    /// Whether it has no combination (never: every key has a value; an empty grid has one,
    /// BLUE's defaults).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Combination `index` (the last key varies fastest), on top of `base`.
    ///
    /// # Panics
    /// When `index >= len()`.
    #[must_use]
    pub fn point(&self, index: usize, base: &BlueConfig) -> Point {
        assert!(index < self.len(), "point {index} of {}", self.len());
        let mut rest = index;
        let mut table = toml::Table::try_from(base).unwrap_or_default();
        let mut values = vec![(String::new(), String::new()); self.axes.len()];
        for (k, (key, vals)) in self.axes.iter().enumerate().rev() {
            let v = &vals[rest % vals.len()];
            values[k] = (key.clone(), v.to_string());
            table.insert(key.clone(), v.clone());
            rest /= vals.len();
        }
        // Every value was checked by `parse`: the combination is a configuration.
        let cfg: BlueConfig = table.try_into().unwrap_or_else(|e| unreachable!("grid point {index}: {e}"));
        let id = format!("{:016x}", violet_domain::hash::fnv1a(cfg.to_json().to_string().as_bytes()));
        Point { index, values, cfg, id }
    }
}

/// The `i`-th of `n` contiguous slices of `0..len` (0-based `i`; the slices cover every
/// index once, their sizes differ by at most one).
///
/// # Panics
/// When `n == 0` or `i >= n`.
#[must_use]
pub fn shard(len: usize, i: usize, n: usize) -> std::ops::Range<usize> {
    assert!(n > 0 && i < n, "shard {i} of {n}");
    (len * i / n)..(len * (i + 1) / n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_ranges_and_single_values_expand_to_every_combination() {
        let g = Grid::parse(
            "tp_pct = [0.008, 0.0099]\nmax_hold_bars = { from = 60, to = 180, step = 60 }\nsl_pct = 0.02\n",
        )
        .expect("grid");
        assert_eq!(g.len(), 6);
        let base = BlueConfig::default();
        let p = g.point(5, &base);
        assert_eq!(
            p.values,
            [
                ("max_hold_bars".into(), "180".into()),
                ("sl_pct".into(), "0.02".into()),
                ("tp_pct".into(), "0.0099".into())
            ]
        );
        assert_eq!(
            (p.cfg.max_hold_bars, p.cfg.sl_pct.to_bits(), p.cfg.tp_pct.to_bits()),
            (180, 0.02f64.to_bits(), 0.0099f64.to_bits())
        );
        assert_eq!(p.cfg.vel_div_threshold.to_bits(), base.vel_div_threshold.to_bits(), "the rest is the base");
        assert_eq!(g.point(0, &base).values[0].1, "60");
        let ids: std::collections::HashSet<String> = (0..6).map(|i| g.point(i, &base).id).collect();
        assert_eq!(ids.len(), 6);
        assert_eq!(g.point(3, &base).id, g.point(3, &base).id, "the same values, the same id");
        let f = Grid::parse("tp_pct = { from = 0.005, to = 0.02, step = 0.005 }").expect("grid");
        let texts: Vec<String> = f.axes[0].1.iter().map(ToString::to_string).collect();
        assert_eq!(texts, ["0.005", "0.01", "0.015", "0.02"], "each from + k * step, `to` included");
        let g = Grid::parse("tp_pct = { from = 0.005, to = 0.0185, step = 0.0015 }\nvel_div_threshold = { from = -0.03, to = -0.012, step = 0.002 }").expect("grid");
        let tp: Vec<String> = g.axes[0].1.iter().map(ToString::to_string).collect();
        assert_eq!(tp[3], "0.0095", "in the range's decimals, not 0.009500000000000001");
        assert_eq!(tp.len(), 10);
        let v: Vec<String> = g.axes[1].1.iter().map(ToString::to_string).collect();
        assert_eq!(v[5], "-0.02");
        assert_eq!(v.last().map(String::as_str), Some("-0.012"));
    }

    #[test]
    fn a_bad_grid_names_its_key() {
        let e = Grid::parse("tp_pctt = [0.01]").expect_err("unknown").to_string();
        assert!(e.contains("tp_pctt"), "{e}");
        let e = Grid::parse("max_hold_bars = [1.5]").expect_err("a float for an int").to_string();
        assert!(e.contains("max_hold_bars"), "{e}");
        let e = Grid::parse("tp_pct = { from = 1, to = 0, step = 1 }").expect_err("empty range").to_string();
        assert!(e.contains("from <= to"), "{e}");
        let e = Grid::parse("tp_pct = \"x\"").expect_err("a string").to_string();
        assert!(e.contains("not a number"), "{e}");
    }

    #[test]
    fn shards_cover_every_index_once() {
        for (len, n) in [(10, 3), (7, 7), (3, 5), (1000, 16)] {
            let mut all: Vec<usize> = (0..n).flat_map(|i| shard(len, i, n)).collect();
            all.sort_unstable();
            assert_eq!(all, (0..len).collect::<Vec<_>>(), "{len} in {n}");
        }
    }
}
