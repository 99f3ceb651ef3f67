//! Clocks: now as unix nanoseconds.

use std::cell::Cell;
use std::time::{SystemTime, UNIX_EPOCH};

/// A point in time in unix nanoseconds.
pub type UnixNanos = i64;

/// A source of "now".
pub trait Clock {
    /// Now, in unix nanoseconds.
    fn now(&self) -> UnixNanos;
}

/// The wall clock, for the live service. Monotonic in practice: never reports less than a
/// value it reported before (a wall-clock step back holds the last value).
#[derive(Debug, Default)]
pub struct LiveClock {
    last: Cell<UnixNanos>,
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
        let t =
            SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX));
        let t = t.max(self.last.get());
        self.last.set(t);
        t
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
    pub fn new(start: UnixNanos) -> Self {
        Self { now: Cell::new(start) }
    }

    /// Advance to `max(now, t)`: event timestamps may repeat or decrease, the clock does not.
    /// Returns the new now.
    pub fn advance_to(&self, t: UnixNanos) -> UnixNanos {
        let n = self.now.get().max(t);
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
        assert_eq!(c.advance_to(50), 100);
        assert_eq!(c.advance_to(150), 150);
        assert_eq!(c.advance_to(150), 150);
        assert_eq!(c.advance_by(-10), 150);
        assert_eq!(c.advance_by(5), 155);
        assert_eq!(c.now(), 155);
    }

    #[test]
    fn live_clock_is_monotonic() {
        let c = LiveClock::new();
        let mut last = c.now();
        assert!(last > 1_600_000_000_000_000_000);
        for _ in 0..1000 {
            let t = c.now();
            assert!(t >= last);
            last = t;
        }
    }
}
