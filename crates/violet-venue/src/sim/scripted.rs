//! Scripted venues: behaviours from a script file (cycled), or drawn from a seed.
//!
//! Script format (JSON lines, `#` comments and blank lines ignored), one order per line,
//! the list cycled:
//!
//! ```text
//! {"latency_ms": 40, "outcome": "fill"}
//! {"latency_ms": 60, "outcome": "partial", "fraction": 0.5, "slippage_bps": 2}
//! {"latency_ms": 150, "outcome": "fill"}          # answers after a 100 ms TTL: expires
//! {"latency_ms": 30, "outcome": "reject"}
//! {"outcome": "timeout"}
//! {"latency_ms": 10, "outcome": "disconnect"}
//! ```
//! `outcome`: fill, partial, ack, reject, timeout, disconnect. `latency_ms` (float, default
//! 0), `fraction` (partial only, 0..1, default 0.5), `slippage_bps` (default 0).

use std::path::{Path, PathBuf};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Deserialize;

use super::behaviour::{Behaviour, BehaviourSource, Outcome};

/// A script that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ScriptError {
    /// Unreadable.
    #[error("cannot read the venue script {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A line that is not a behaviour.
    #[error("venue script {path}, line {line}: {message}")]
    Line {
        /// The file.
        path: PathBuf,
        /// 1-based.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// No behaviour at all.
    #[error("venue script {0} holds no behaviour")]
    Empty(PathBuf),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    #[serde(default)]
    latency_ms: f64,
    outcome: Outcome,
    #[serde(default = "half")]
    fraction: f64,
    #[serde(default)]
    slippage_bps: f64,
}

fn half() -> f64 {
    0.5
}

/// Behaviours read from a script, cycled.
#[derive(Debug, Clone)]
pub struct ScriptedVenue {
    script: Vec<Behaviour>,
    next: usize,
}

impl ScriptedVenue {
    /// Read a script (format in the module docs).
    ///
    /// # Errors
    /// [`ScriptError`], naming the file and line.
    pub fn from_file(path: &Path) -> Result<Self, ScriptError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| ScriptError::Io { path: path.to_path_buf(), source })?;
        Self::parse(&text, path)
    }

    /// Parse script text (`path` names it in errors).
    ///
    /// # Errors
    /// [`ScriptError`].
    pub fn parse(text: &str, path: &Path) -> Result<Self, ScriptError> {
        let mut script = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let l = raw.split('#').next().unwrap_or_default().trim();
            if l.is_empty() {
                continue;
            }
            let bad = |message: String| ScriptError::Line { path: path.to_path_buf(), line: i + 1, message };
            let v: Line = serde_json::from_str(l).map_err(|e| bad(e.to_string()))?;
            if !(v.latency_ms >= 0.0 && v.latency_ms.is_finite()) {
                return Err(bad(format!("latency_ms {} must be finite and >= 0", v.latency_ms)));
            }
            if !(v.fraction > 0.0 && v.fraction < 1.0) && v.outcome == Outcome::Partial {
                return Err(bad(format!("fraction {} must be in (0, 1)", v.fraction)));
            }
            if !v.slippage_bps.is_finite() {
                return Err(bad("slippage_bps must be finite".into()));
            }
            #[allow(clippy::cast_possible_truncation)] // bounded, finite, >= 0
            let latency_ns = (v.latency_ms * 1e6).round() as i64;
            script.push(Behaviour {
                latency_ns,
                outcome: v.outcome,
                fraction: v.fraction,
                slippage_bps: v.slippage_bps,
            });
        }
        if script.is_empty() {
            return Err(ScriptError::Empty(path.to_path_buf()));
        }
        Ok(Self { script, next: 0 })
    }
}

impl BehaviourSource for ScriptedVenue {
    fn next_behaviour(&mut self) -> Behaviour {
        let b = self.script[self.next % self.script.len()];
        self.next += 1;
        b
    }

    fn uses_l3(&self) -> bool {
        true
    }
}

/// Behaviours drawn from a seed: latency around `mean_ms` (triangular, ±`spread_ms`),
/// outcomes mostly fills, with partials, plain acks, rejects, timeouts and disconnects.
#[derive(Debug, Clone)]
pub struct SeededVenue {
    rng: ChaCha8Rng,
    mean_ns: f64,
    spread_ns: f64,
}

impl SeededVenue {
    /// Seeded behaviours around a 40 ms latency (most orders beat a 100 ms TTL).
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Self::with_latency(seed, 40.0, 40.0)
    }

    /// Seeded behaviours with latency `mean_ms` ± `spread_ms`.
    #[must_use]
    pub fn with_latency(seed: u64, mean_ms: f64, spread_ms: f64) -> Self {
        Self { rng: ChaCha8Rng::seed_from_u64(seed), mean_ns: mean_ms * 1e6, spread_ns: spread_ms * 1e6 }
    }
}

impl BehaviourSource for SeededVenue {
    fn next_behaviour(&mut self) -> Behaviour {
        let tri = self.rng.r#gen::<f64>() - self.rng.r#gen::<f64>();
        #[allow(clippy::cast_possible_truncation)]
        let latency_ns = (self.mean_ns + tri * self.spread_ns).max(0.0) as i64;
        let roll = self.rng.gen_range(0..100);
        let outcome = match roll {
            0..=69 => Outcome::Fill,
            70..=79 => Outcome::Partial,
            80..=84 => Outcome::Ack,
            85..=89 => Outcome::Reject,
            90..=94 => Outcome::Timeout,
            _ => Outcome::Disconnect,
        };
        Behaviour {
            latency_ns,
            outcome,
            fraction: self.rng.gen_range(0.1..0.9),
            slippage_bps: self.rng.gen_range(0.0..5.0),
        }
    }

    fn uses_l3(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_script_parses_and_cycles() {
        let text = "# example\n{\"latency_ms\": 40, \"outcome\": \"fill\"}\n\n{\"latency_ms\": 60, \"outcome\": \"partial\", \"fraction\": 0.5, \"slippage_bps\": 2}\n{\"outcome\": \"timeout\"}\n";
        let mut s = ScriptedVenue::parse(text, Path::new("x")).expect("parse");
        let b: Vec<Behaviour> = (0..4).map(|_| s.next_behaviour()).collect();
        assert_eq!(b[0].latency_ns, 40_000_000);
        assert_eq!(b[1].outcome, Outcome::Partial);
        assert_eq!(b[2].outcome, Outcome::Timeout);
        assert_eq!(b[3], b[0], "cycled");
    }

    #[test]
    fn script_errors_name_the_line() {
        let e = ScriptedVenue::parse("{\"outcome\":\"fill\"}\n{\"outcome\":\"explode\"}\n", Path::new("v.jsonl"))
            .expect_err("bad");
        assert!(e.to_string().contains("v.jsonl, line 2"), "{e}");
        let e = ScriptedVenue::parse("{\"latency_ms\":-1,\"outcome\":\"fill\"}", Path::new("v")).expect_err("neg");
        assert!(e.to_string().contains("latency_ms"), "{e}");
        assert!(matches!(ScriptedVenue::parse("# nothing\n", Path::new("v")), Err(ScriptError::Empty(_))));
    }

    #[test]
    fn a_seed_repeats_itself() {
        let draw = |s| {
            let mut v = SeededVenue::new(s);
            (0..50).map(|_| v.next_behaviour()).map(|b| (b.latency_ns, b.outcome as u8)).collect::<Vec<_>>()
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
    }
}
