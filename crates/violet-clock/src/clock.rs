//! Clocks: now as unix nanoseconds.

use std::cell::Cell;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A point in time: nanoseconds since the Unix epoch (UTC). Its own type, so a time is
/// never mixed up with a duration, a quantity or a count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct UnixNanos(i64);

impl UnixNanos {
    /// The earliest time there is.
    pub const MIN: Self = Self(i64::MIN);
    /// The latest time there is.
    pub const MAX: Self = Self(i64::MAX);

    /// `ns` nanoseconds since the epoch.
    #[must_use]
    pub const fn new(ns: i64) -> Self {
        Self(ns)
    }

    /// Nanoseconds since the epoch.
    #[must_use]
    pub const fn get(self) -> i64 {
        self.0
    }

    /// `ns` nanoseconds later (earlier when negative), saturating.
    #[must_use]
    pub const fn saturating_add(self, ns: i64) -> Self {
        Self(self.0.saturating_add(ns))
    }

    /// Nanoseconds from `earlier` to `self`, saturating.
    #[must_use]
    pub const fn since(self, earlier: Self) -> i64 {
        self.0.saturating_sub(earlier.0)
    }
}

impl From<i64> for UnixNanos {
    fn from(ns: i64) -> Self {
        Self(ns)
    }
}

impl std::fmt::Display for UnixNanos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

/// A source of "now".
pub trait Clock {
    /// Now, in unix nanoseconds.
    fn now(&self) -> UnixNanos;
}

/// The wall clock, for the live service. Monotonic in practice: never reports less than a
/// value it reported before (a wall-clock step back holds the last value). `Sync`: tasks on
/// several threads may share one.
#[derive(Debug, Default)]
pub struct LiveClock {
    last: AtomicI64,
}

impl LiveClock {
    /// A live clock.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }
}

impl Clock for LiveClock {
    fn now(&self) -> UnixNanos {
        let t = UnixNanos(
            SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)),
        );
        // The largest value ever reported, this one included (one atomic step).
        let prev = self.last.fetch_max(t.0, Ordering::Relaxed);
        UnixNanos(prev.max(t.0))
    }
}

/// A deterministic clock that only moves when told, and never backwards.
#[derive(Debug, Default, Clone)]
pub struct TestClock {
    now: Cell<UnixNanos>,
}

impl TestClock {
    /// A test clock at `start`.
    #[must_use]
    pub fn new(start: impl Into<UnixNanos>) -> Self {
        Self { now: Cell::new(start.into()) }
    }

    /// Advance to `max(now, t)`: event timestamps may repeat or decrease, the clock does not.
    /// Returns the new now.
    pub fn advance_to(&self, t: impl Into<UnixNanos>) -> UnixNanos {
        let n = self.now.get().max(t.into());
        self.now.set(n);
        n
    }

    /// Advance by `d` nanoseconds (saturating; a negative `d` is ignored).
    pub fn advance_by(&self, d: i64) -> UnixNanos {
        self.advance_to(self.now.get().saturating_add(d.max(0)))
    }
}

impl Clock for TestClock {
    fn now(&self) -> UnixNanos {
        self.now.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_clock_never_goes_backwards() {
        let c = TestClock::new(100);
        let t = UnixNanos::new;
        assert_eq!(c.advance_to(50), t(100));
        assert_eq!(c.advance_to(150), t(150));
        assert_eq!(c.advance_to(150), t(150));
        assert_eq!(c.advance_by(-10), t(150));
        assert_eq!(c.advance_by(5), t(155));
        assert_eq!(c.now(), t(155));
    }

    #[test]
    fn live_clock_is_monotonic() {
        let c = LiveClock::new();
        let mut last = c.now();
        assert!(last > UnixNanos::new(1_600_000_000_000_000_000));
        for _ in 0..1000 {
            let t = c.now();
            assert!(t >= last);
            last = t;
        }
    }
}
