//! Every request and its outcome, with its latency, for the audit of a live day. Never a
//! secret: the API key travels in a header that is not recorded, and the signature is cut.

use std::fmt::Debug;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use crate::client::endpoint::Method;
use crate::client::rate::LimitClass;

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestOutcome {
    /// `code` 0.
    Ok,
    /// BingX answered with an error code.
    ApiError,
    /// HTTP 429 or 418.
    Throttled,
    /// Sent, no definite answer.
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

/// One request to the exchange.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestRecord {
    /// Local wall clock when it was sent (ms since the epoch).
    pub sent_at_ms: i64,
    /// Method.
    pub method: Method,
    /// Path.
    pub path: &'static str,
    /// Rate-limit class.
    pub class: LimitClass,
    /// The parameters sent, without the signature (`timestamp` included).
    pub params: String,
    /// The client order id, for order requests.
    pub client_order_id: Option<String>,
    /// The venue's order id, when the answer carried one.
    pub venue_order_id: Option<i64>,
    /// HTTP status (none when no answer came).
    pub http_status: Option<u16>,
    /// BingX's code (0 on success; none without an envelope).
    pub code: Option<i64>,
    /// How it ended.
    pub outcome: RequestOutcome,
    /// BingX's message or the transport's error.
    pub message: String,
    /// Time waiting for the client-side rate limit.
    pub queued: Duration,
    /// Time on the wire (send to answer).
    pub latency: Duration,
}

/// Where request records go. Implementations must not block (they are called on the
/// request path).
pub trait RequestJournal: Send + Sync + Debug {
    /// Take one record.
    fn record(&self, r: &RequestRecord);
}

/// Records as structured log lines (`tracing`, target `violet_bingx::requests`).
#[derive(Debug, Default, Clone, Copy)]
pub struct LogJournal;

impl RequestJournal for LogJournal {
    fn record(&self, r: &RequestRecord) {
        tracing::info!(
            target: "violet_bingx::requests",
            method = r.method.as_str(),
            path = r.path,
            params = r.params.as_str(),
            client_order_id = r.client_order_id.as_deref().unwrap_or(""),
            venue_order_id = r.venue_order_id.unwrap_or(0),
            http_status = r.http_status.unwrap_or(0),
            code = r.code.unwrap_or(-1),
            outcome = r.outcome.as_str(),
            message = r.message.as_str(),
            queued_us = u64::try_from(r.queued.as_micros()).unwrap_or(u64::MAX),
            latency_us = u64::try_from(r.latency.as_micros()).unwrap_or(u64::MAX),
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
