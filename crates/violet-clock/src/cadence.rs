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
    /// An order TTL that is not positive.
    #[error("{action} order TTL of {ttl_ns} ns: a TTL must be positive")]
    BadTtl {
        /// entry or exit.
        action: &'static str,
        /// The TTL asked for.
        ttl_ns: i64,
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

/// The default time to live of an order intent: 100 ms.
pub const DEFAULT_ORDER_TTL_NS: i64 = 100_000_000;

/// The cadence of every action, and how long each action's orders may wait. All `scan` (the
/// default) is BLUE parity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CadencePlan {
    /// Entry decisions. Only `scan`: an entry needs a scan's assets and signal.
    pub entry: Cadence,
    /// Exit checks. `tick`/duration add price checks (TP and SL) between scans at the last
    /// tick price of the position's symbol; bars_held keeps counting scans.
    pub exit: Cadence,
    /// Journal flushes.
    pub flush: Cadence,
    /// TTL of an entry's order intent (ns): sent only before decision time + TTL.
    pub entry_ttl_ns: i64,
    /// TTL of an exit's order intent (ns).
    pub exit_ttl_ns: i64,
}

impl Default for CadencePlan {
    fn default() -> Self {
        Self {
            entry: Cadence::Scan,
            exit: Cadence::Scan,
            flush: Cadence::Scan,
            entry_ttl_ns: DEFAULT_ORDER_TTL_NS,
            exit_ttl_ns: DEFAULT_ORDER_TTL_NS,
        }
    }
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
        Ok(Self { entry, exit, flush, ..Self::default() })
    }

    /// The same plan with order TTLs per action (both > 0).
    ///
    /// # Errors
    /// [`CadenceError::BadTtl`] for a TTL of 0 or less.
    pub fn with_ttl(mut self, entry_ttl_ns: i64, exit_ttl_ns: i64) -> Result<Self, CadenceError> {
        for (action, ttl_ns) in [("entry", entry_ttl_ns), ("exit", exit_ttl_ns)] {
            if ttl_ns <= 0 {
                return Err(CadenceError::BadTtl { action, ttl_ns });
            }
        }
        self.entry_ttl_ns = entry_ttl_ns;
        self.exit_ttl_ns = exit_ttl_ns;
        Ok(self)
    }

    /// Whether this plan is BLUE's (every decision-affecting action on scans).
    #[must_use]
    pub fn is_blue_parity(&self) -> bool {
        self.entry == Cadence::Scan && self.exit == Cadence::Scan
    }
}

impl fmt::Display for CadencePlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "entry={},exit={},flush={}", self.entry, self.exit, self.flush)?;
        if (self.entry_ttl_ns, self.exit_ttl_ns) != (DEFAULT_ORDER_TTL_NS, DEFAULT_ORDER_TTL_NS) {
            write!(f, ",entry_ttl={}ns,exit_ttl={}ns", self.entry_ttl_ns, self.exit_ttl_ns)?;
        }
        Ok(())
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
        let p = CadencePlan::default().with_ttl(50_000_000, 200_000_000).expect("ttl");
        assert_eq!(p.to_string(), "entry=scan,exit=scan,flush=scan,entry_ttl=50000000ns,exit_ttl=200000000ns");
        assert!(CadencePlan::default().with_ttl(0, 1).is_err());
    }
}
