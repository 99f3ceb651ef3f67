//! BingX's clock as seen from here: offset and round trip of the last server-time read.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Local wall-clock milliseconds.
#[must_use]
pub fn local_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The server's offset from the local clock.
#[derive(Debug, Default)]
pub struct ServerClock {
    offset_ms: AtomicI64,
    round_trip_ms: AtomicI64,
    synced_at_ms: AtomicI64,
}

/// One reading of the server clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeSync {
    /// Server minus local (ms), at the middle of the round trip.
    pub offset_ms: i64,
    /// The round trip (ms).
    pub round_trip_ms: i64,
}

impl ServerClock {
    /// Take a reading: `sent_ms` and `received_ms` local, `server_ms` what the server said.
    pub fn record(&self, sent_ms: i64, server_ms: i64, received_ms: i64) -> TimeSync {
        let round_trip_ms = (received_ms - sent_ms).max(0);
        let offset_ms = server_ms - (sent_ms + round_trip_ms / 2);
        self.offset_ms.store(offset_ms, Ordering::Relaxed);
        self.round_trip_ms.store(round_trip_ms, Ordering::Relaxed);
        self.synced_at_ms.store(received_ms, Ordering::Relaxed);
        TimeSync { offset_ms, round_trip_ms }
    }

    /// The server's time now (ms): what `timestamp` carries.
    #[must_use]
    pub fn now_ms(&self) -> i64 {
        local_ms() + self.offset_ms.load(Ordering::Relaxed)
    }

    /// The last reading.
    #[must_use]
    pub fn last(&self) -> TimeSync {
        TimeSync {
            offset_ms: self.offset_ms.load(Ordering::Relaxed),
            round_trip_ms: self.round_trip_ms.load(Ordering::Relaxed),
        }
    }

    /// Local ms of the last reading (0: never).
    #[must_use]
    pub fn synced_at_ms(&self) -> i64 {
        self.synced_at_ms.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offset_is_taken_at_the_middle_of_the_round_trip() {
        let c = ServerClock::default();
        assert_eq!(c.record(1_000, 6_010, 1_020), TimeSync { offset_ms: 5_000, round_trip_ms: 20 });
        let d = c.now_ms() - local_ms();
        assert!((4_999..=5_001).contains(&d), "{d}");
        assert_eq!(c.record(1_000, 900, 990).round_trip_ms, 0, "a clock going back never gives a negative trip");
    }
}
