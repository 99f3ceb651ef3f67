//! Client-side rate limits per endpoint class, shared by every caller of one client (GCRA:
//! up to `limit` requests in any `window`, spread out once the burst is spent), plus the
//! back-off BingX asks for with HTTP 429/418 or a rate-limit code.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

/// BingX's limit classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LimitClass {
    /// Place and cancel: 10/s per account.
    Orders,
    /// Order queries: 5/s.
    OrderQuery,
    /// Set leverage: 2/s.
    Leverage,
    /// Account endpoints (positions, balance, mode, open orders): 2000 per 10 s.
    Account,
    /// Market data (time, contracts, prices): 500 per 10 s.
    Market,
}

impl LimitClass {
    const ALL: [LimitClass; 5] =
        [LimitClass::Orders, LimitClass::OrderQuery, LimitClass::Leverage, LimitClass::Account, LimitClass::Market];

    /// `(requests, window)`.
    #[must_use]
    pub const fn limit(self) -> (u32, Duration) {
        match self {
            LimitClass::Orders => (10, Duration::from_secs(1)),
            LimitClass::OrderQuery => (5, Duration::from_secs(1)),
            LimitClass::Leverage => (2, Duration::from_secs(1)),
            LimitClass::Account => (2000, Duration::from_secs(10)),
            LimitClass::Market => (500, Duration::from_secs(10)),
        }
    }

    const fn index(self) -> usize {
        match self {
            LimitClass::Orders => 0,
            LimitClass::OrderQuery => 1,
            LimitClass::Leverage => 2,
            LimitClass::Account => 3,
            LimitClass::Market => 4,
        }
    }

    /// A short name for logs and the request journal.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            LimitClass::Orders => "orders",
            LimitClass::OrderQuery => "order_query",
            LimitClass::Leverage => "leverage",
            LimitClass::Account => "account",
            LimitClass::Market => "market",
        }
    }
}

#[derive(Debug)]
struct Gcra {
    interval: Duration,
    tolerance: Duration,
    /// Theoretical arrival time of the next request.
    tat: Option<Instant>,
    /// No request before this (the venue asked us to back off).
    blocked_until: Option<Instant>,
}

impl Gcra {
    fn new(class: LimitClass) -> Self {
        let (n, window) = class.limit();
        let interval = window / n;
        Self { interval, tolerance: window.saturating_sub(interval), tat: None, blocked_until: None }
    }

    /// Reserve a slot: when this request may go.
    fn reserve(&mut self, now: Instant) -> Instant {
        let now = self.blocked_until.map_or(now, |b| b.max(now));
        let tat = self.tat.map_or(now, |t| t.max(now));
        let at = tat.checked_sub(self.tolerance).map_or(now, |earliest| earliest.max(now));
        self.tat = Some(tat + self.interval);
        at
    }
}

/// The limits of one client.
#[derive(Debug)]
pub struct RateLimits {
    classes: [Mutex<Gcra>; 5],
}

impl Default for RateLimits {
    fn default() -> Self {
        Self { classes: LimitClass::ALL.map(|c| Mutex::new(Gcra::new(c))) }
    }
}

impl RateLimits {
    /// Wait for a slot in `class`; returns how long it waited.
    pub async fn acquire(&self, class: LimitClass) -> Duration {
        let now = Instant::now();
        let at = self.classes[class.index()].lock().unwrap_or_else(PoisonError::into_inner).reserve(now);
        if at > now {
            tokio::time::sleep_until(at).await;
        }
        at - now
    }

    /// The venue said back off: nothing in `class` before `wait` has passed.
    pub fn back_off(&self, class: LimitClass, wait: Duration) {
        let until = Instant::now() + wait;
        let mut g = self.classes[class.index()].lock().unwrap_or_else(PoisonError::into_inner);
        g.blocked_until = Some(g.blocked_until.map_or(until, |b| b.max(until)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "current_thread", start_paused = true)]
    async fn a_burst_of_the_limit_goes_at_once_then_requests_are_spread() {
        let limits = RateLimits::default();
        let start = Instant::now();
        for _ in 0..5 {
            limits.acquire(LimitClass::OrderQuery).await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO, "5/s: a burst of five waits for nothing");
        limits.acquire(LimitClass::OrderQuery).await;
        assert_eq!(start.elapsed(), Duration::from_millis(200), "the sixth waits one interval");
        // 2/s for leverage is its own budget.
        let t = Instant::now();
        limits.acquire(LimitClass::Leverage).await;
        assert_eq!(t.elapsed(), Duration::ZERO);
    }

    #[tokio::test(flavor = "current_thread", start_paused = true)]
    async fn a_back_off_holds_every_request_of_the_class() {
        let limits = RateLimits::default();
        limits.back_off(LimitClass::Orders, Duration::from_secs(2));
        let t = Instant::now();
        let waited = limits.acquire(LimitClass::Orders).await;
        assert_eq!((t.elapsed(), waited), (Duration::from_secs(2), Duration::from_secs(2)));
        let t = Instant::now();
        limits.acquire(LimitClass::Account).await;
        assert_eq!(t.elapsed(), Duration::ZERO, "other classes are not held");
    }
}
