//! The cadence control plane: when each action runs.

use std::fmt;
use std::str::FromStr;

/// When an action runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Cadence {
    /// On every accepted scan (BLUE's behaviour; the only mode gated against BLUE).
    #[default]
    Scan,
    /// On every valid tick (and on scans).
    Tick,
    /// Every fixed interval of clock time, in nanoseconds (and on scans).
    Every(i64),
}

/// A cadence that cannot be parsed or is not allowed for its action.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CadenceError {
    /// Not `scan`, `tick` or a duration like `100ms`, `2s`, `500us`.
    #[error("invalid cadence {0:?}: expected scan, tick or a duration such as 100ms, 2s, 500us")]
    Invalid(String),
    /// The action only supports some cadences.
    #[error("cadence {cadence} is not supported for {action}: {why}")]
    Unsupported {
        /// The action.
        action: &'static str,
        /// The cadence asked for.
        cadence: Cadence,
        /// Why not.
        why: &'static str,
    },
}

impl FromStr for Cadence {
    type Err = CadenceError;
    fn from_str(s: &str) -> Result<Self, CadenceError> {
        let bad = || CadenceError::Invalid(s.to_string());
        match s {
            "scan" => return Ok(Cadence::Scan),
            "tick" => return Ok(Cadence::Tick),
            _ => {}
        }
        let (num, mult) = if let Some(n) = s.strip_suffix("ms") {
            (n, 1_000_000)
        } else if let Some(n) = s.strip_suffix("us") {
            (n, 1_000)
        } else if let Some(n) = s.strip_suffix("ns") {
            (n, 1)
        } else if let Some(n) = s.strip_suffix('s') {
            (n, 1_000_000_000)
        } else {
            return Err(bad());
        };
        let n: i64 = num.parse().map_err(|_| bad())?;
        if n <= 0 {
            return Err(bad());
        }
        n.checked_mul(mult).map(Cadence::Every).ok_or_else(bad)
    }
}

impl fmt::Display for Cadence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cadence::Scan => f.write_str("scan"),
            Cadence::Tick => f.write_str("tick"),
            Cadence::Every(ns) if ns % 1_000_000_000 == 0 => write!(f, "{}s", ns / 1_000_000_000),
            Cadence::Every(ns) if ns % 1_000_000 == 0 => write!(f, "{}ms", ns / 1_000_000),
            Cadence::Every(ns) if ns % 1_000 == 0 => write!(f, "{}us", ns / 1_000),
            Cadence::Every(ns) => write!(f, "{ns}ns"),
        }
    }
}

/// The cadence of every action. All `scan` (the default) is BLUE parity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CadencePlan {
    /// Entry decisions. Only `scan`: an entry needs a scan's assets and signal.
    pub entry: Cadence,
    /// Exit checks. `tick`/duration add price checks (TP and SL) between scans at the last
    /// tick price of the position's symbol; bars_held keeps counting scans.
    pub exit: Cadence,
    /// Journal flushes.
    pub flush: Cadence,
}

impl CadencePlan {
    /// A plan, checked: entry decisions only on scans.
    ///
    /// # Errors
    /// [`CadenceError::Unsupported`] for an entry cadence other than `scan`.
    pub fn new(entry: Cadence, exit: Cadence, flush: Cadence) -> Result<Self, CadenceError> {
        if entry != Cadence::Scan {
            return Err(CadenceError::Unsupported {
                action: "entry",
                cadence: entry,
                why: "an entry decision needs a scan (its assets and vel_div)",
            });
        }
        Ok(Self { entry, exit, flush })
    }

    /// Whether this plan is BLUE's (every decision-affecting action on scans).
    #[must_use]
    pub fn is_blue_parity(&self) -> bool {
        self.entry == Cadence::Scan && self.exit == Cadence::Scan
    }
}

impl fmt::Display for CadencePlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "entry={},exit={},flush={}", self.entry, self.exit, self.flush)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        for (s, c) in [
            ("scan", Cadence::Scan),
            ("tick", Cadence::Tick),
            ("100ms", Cadence::Every(100_000_000)),
            ("2s", Cadence::Every(2_000_000_000)),
            ("500us", Cadence::Every(500_000)),
            ("7ns", Cadence::Every(7)),
        ] {
            assert_eq!(s.parse::<Cadence>(), Ok(c));
            assert_eq!(c.to_string(), s);
        }
        for bad in ["", "0ms", "-5s", "fast", "10", "1.5s"] {
            assert!(bad.parse::<Cadence>().is_err(), "{bad}");
        }
        assert!(CadencePlan::new(Cadence::Tick, Cadence::Scan, Cadence::Scan).is_err());
        assert!(CadencePlan::default().is_blue_parity());
    }
}
