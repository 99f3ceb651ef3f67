//! The audit of a venue's requests: every request an adapter makes and how it ended, with
//! its latency, never a secret (API keys travel in headers that are not recorded, and
//! signatures are cut). Adapters hand each [`RequestRecord`] to a [`RequestJournal`]; the
//! journal crate keeps them (`dolphin_violet.venue_requests`).

use std::fmt::Debug;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::mpsc;
use violet_clock::UnixNanos;

/// HTTP method of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    /// GET.
    Get,
    /// POST.
    Post,
    /// DELETE.
    Delete,
}

impl HttpMethod {
    /// `GET`, `POST`, `DELETE`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Delete => "DELETE",
        }
    }
}

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestOutcome {
    /// The venue accepted it.
    Ok,
    /// The venue answered with an error code.
    ApiError,
    /// Throttled (HTTP 429 or 418).
    Throttled,
    /// Sent, no definite answer: it may have executed.
    Unknown,
    /// Never left the process.
    NotSent,
    /// An answer that could not be read.
    Malformed,
    /// Refused locally: trading stopped after a key error.
    Halted,
}

impl RequestOutcome {
    /// `ok`, `api_error`, `throttled`, `unknown`, `not_sent`, `malformed`, `halted`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::ApiError => "api_error",
            Self::Throttled => "throttled",
            Self::Unknown => "unknown",
            Self::NotSent => "not_sent",
            Self::Malformed => "malformed",
            Self::Halted => "halted",
        }
    }
}

/// One request to a venue.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestRecord {
    /// Local wall clock when it was sent.
    pub sent_at: UnixNanos,
    /// Method.
    pub method: HttpMethod,
    /// Path.
    pub path: &'static str,
    /// The adapter's rate-limit class (its name).
    pub class: &'static str,
    /// The parameters sent, without the signature (`timestamp` included).
    pub params: String,
    /// The client order id, for order requests.
    pub client_order_id: Option<String>,
    /// The venue's order id, when the answer carried one (BingX's are int64 above 2^53:
    /// kept as the decimal text, never through a float).
    pub venue_order_id: Option<String>,
    /// HTTP status (none when no answer came).
    pub http_status: Option<u16>,
    /// The venue's code (0 on success; none without an envelope).
    pub code: Option<i64>,
    /// How it ended.
    pub outcome: RequestOutcome,
    /// The venue's message or the transport's error.
    pub message: String,
    /// Time waiting for the client-side rate limit.
    pub queued: Duration,
    /// Time on the wire (send to answer).
    pub latency: Duration,
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

impl RequestRecord {
    /// [`RequestRecord::queued`] in µs.
    #[must_use]
    pub fn queued_us(&self) -> u64 {
        micros(self.queued)
    }

    /// [`RequestRecord::latency`] in µs.
    #[must_use]
    pub fn latency_us(&self) -> u64 {
        micros(self.latency)
    }
}

/// Where request records go. Implementations must not block: they are called on the
/// request path.
pub trait RequestJournal: Send + Sync + Debug {
    /// Take one record.
    fn record(&self, r: &RequestRecord);
}

/// Records as structured log lines (`tracing`, target `violet_venue::requests`).
#[derive(Debug, Default, Clone, Copy)]
pub struct LogJournal;

impl RequestJournal for LogJournal {
    fn record(&self, r: &RequestRecord) {
        tracing::info!(
            target: "violet_venue::requests",
            method = r.method.as_str(),
            path = r.path,
            params = r.params.as_str(),
            client_order_id = r.client_order_id.as_deref().unwrap_or(""),
            venue_order_id = r.venue_order_id.as_deref().unwrap_or(""),
            http_status = r.http_status.unwrap_or(0),
            code = r.code.unwrap_or(-1),
            outcome = r.outcome.as_str(),
            message = r.message.as_str(),
            queued_us = r.queued_us(),
            latency_us = r.latency_us(),
            "venue request"
        );
    }
}

/// Records kept in memory (tests, rehearsals).
#[derive(Debug, Default)]
pub struct MemoryJournal(Mutex<Vec<RequestRecord>>);

impl MemoryJournal {
    /// Every record so far.
    #[must_use]
    pub fn records(&self) -> Vec<RequestRecord> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

impl RequestJournal for MemoryJournal {
    fn record(&self, r: &RequestRecord) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).push(r.clone());
    }
}

/// Records sent down a bounded channel to the task that owns the journal (the reactor).
/// Never blocks: when the channel is full or closed, the record goes to the log instead
/// ([`LogJournal`]) and is counted, so none is lost silently.
#[derive(Debug)]
pub struct ChannelJournal {
    tx: mpsc::Sender<RequestRecord>,
    logged: AtomicU64,
}

impl ChannelJournal {
    /// A journal sending into a new channel of `capacity` records; the receiver is the
    /// journal owner's.
    #[must_use]
    pub fn new(capacity: usize) -> (Self, mpsc::Receiver<RequestRecord>) {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        (Self { tx, logged: AtomicU64::new(0) }, rx)
    }

    /// Records that could not be sent (channel full or closed) and were logged instead.
    #[must_use]
    pub fn logged_instead(&self) -> u64 {
        self.logged.load(Ordering::Relaxed)
    }
}

impl RequestJournal for ChannelJournal {
    fn record(&self, r: &RequestRecord) {
        if let Err(e) = self.tx.try_send(r.clone()) {
            let n = self.logged.fetch_add(1, Ordering::Relaxed) + 1;
            let why = match e {
                mpsc::error::TrySendError::Full(_) => "the journal's channel is full",
                mpsc::error::TrySendError::Closed(_) => "the journal has stopped",
            };
            tracing::warn!(logged_instead = n, "{why}: this venue request goes to the log only");
            LogJournal.record(r);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(n: i64) -> RequestRecord {
        RequestRecord {
            sent_at: UnixNanos::new(n),
            method: HttpMethod::Post,
            path: "/openApi/swap/v2/trade/order",
            class: "orders",
            params: format!("n={n}"),
            client_order_id: Some(format!("c{n}")),
            venue_order_id: Some((1_900_000_000_000_000_001 + n).to_string()),
            http_status: Some(200),
            code: Some(0),
            outcome: RequestOutcome::Ok,
            message: String::new(),
            queued: Duration::from_micros(3),
            latency: Duration::from_micros(180),
        }
    }

    #[test]
    fn the_channel_journal_delivers_in_order_and_logs_what_does_not_fit() {
        let (j, mut rx) = ChannelJournal::new(2);
        for n in 0..3 {
            j.record(&record(n));
        }
        assert_eq!(j.logged_instead(), 1, "the third record did not fit");
        assert_eq!(rx.try_recv().expect("first"), record(0));
        assert_eq!(rx.try_recv().expect("second"), record(1));
        assert!(rx.try_recv().is_err());
        drop(rx);
        j.record(&record(4));
        assert_eq!(j.logged_instead(), 2, "a closed journal: logged");
    }

    #[test]
    fn durations_are_reported_in_microseconds() {
        let r = record(1);
        assert_eq!((r.queued_us(), r.latency_us()), (3, 180));
    }
}
