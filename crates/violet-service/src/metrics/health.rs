//! Readiness: what `/readyz` answers. The reactor decides it (it sees the feed, the journal
//! and the venue's reconciliation); the feed thread reports its own failures; the HTTP
//! server only reads.

use std::sync::{Mutex, PoisonError};

/// The service's health, shared between the reactor, the feed and the HTTP server.
#[derive(Debug)]
pub struct Health {
    /// The feed's last failure, cleared by its next answer (`None`: reading).
    feed: Mutex<Option<String>>,
    /// `Ok`: ready; `Err`: why not, one line.
    verdict: Mutex<Result<(), String>>,
}

impl Default for Health {
    fn default() -> Self {
        Self { feed: Mutex::new(None), verdict: Mutex::new(Err("starting".to_string())) }
    }
}

/// One line: reasons can carry a server's answer.
fn one_line(why: &str) -> String {
    why.lines().next().unwrap_or_default().chars().take(300).collect()
}

impl Health {
    /// The feed answered.
    pub fn feed_ok(&self) {
        *self.feed.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// The feed failed with `why`.
    pub fn feed_failed(&self, why: &str) {
        *self.feed.lock().unwrap_or_else(PoisonError::into_inner) = Some(one_line(why));
    }

    /// The feed's last failure, if its last poll failed.
    #[must_use]
    pub fn feed_error(&self) -> Option<String> {
        self.feed.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Set the verdict: ready when `reasons` is empty, else not, with every reason.
    pub fn set(&self, reasons: &[String]) {
        let v = if reasons.is_empty() { Ok(()) } else { Err(one_line(&reasons.join("; "))) };
        *self.verdict.lock().unwrap_or_else(PoisonError::into_inner) = v;
    }

    /// Ready, or why not.
    ///
    /// # Errors
    /// Why the service is not ready (one line).
    pub fn readiness(&self) -> Result<(), String> {
        self.verdict.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_ready_until_told_then_every_reason_on_one_line() {
        let h = Health::default();
        assert_eq!(h.readiness(), Err("starting".to_string()));
        h.set(&[]);
        assert_eq!(h.readiness(), Ok(()));
        h.set(&["feed: down\nstack".to_string(), "journal: refused".to_string()]);
        assert_eq!(h.readiness(), Err("feed: down".to_string()), "the first line only");
        h.set(&["feed: down".to_string(), "journal: refused".to_string()]);
        assert_eq!(h.readiness(), Err("feed: down; journal: refused".to_string()));
        h.feed_failed("connection refused\nmore");
        assert_eq!(h.feed_error().as_deref(), Some("connection refused"));
        h.feed_ok();
        assert_eq!(h.feed_error(), None);
    }
}
