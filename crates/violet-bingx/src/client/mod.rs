//! The HTTP client: one connection pool, signing, server time, rate limits, the request
//! journal, and the stop after a key error. Every call goes through [`Client::call`].

pub mod endpoint;
pub mod rate;
pub mod time;

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::Value;
use violet_clock::{Clock as _, LiveClock, UnixNanos};
use violet_domain::secret::Secret;
use violet_venue::arming::ApiKeys;

use crate::audit::{RequestJournal, RequestOutcome, RequestRecord};
use crate::config::BingxConfig;
use crate::error::{ApiErrorKind, CallError};
use crate::sign::{Params, Signer};
use crate::wire::envelope;
use crate::wire::value::{int, object};
use endpoint::{Endpoint, Method, SERVER_TIME};
use rate::RateLimits;
use time::{ServerClock, TimeSync, local_ms};

/// The client could not be built.
#[derive(Debug, thiserror::Error)]
#[error("cannot build the HTTPS client: {0}")]
pub struct BuildError(String);

/// How long BingX is left alone after a rate-limit code without a `Retry-After`.
const RATE_CODE_BACK_OFF: Duration = Duration::from_secs(1);
/// After HTTP 418 (IP banned) without a `Retry-After`.
const BAN_BACK_OFF: Duration = Duration::from_secs(60);

/// The client. Share it (`Arc`): the limits and the clock are per account.
#[derive(Debug)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    key: Secret,
    signer: Signer,
    clock: ServerClock,
    limits: RateLimits,
    recv_window_ms: i64,
    halted: Mutex<Option<String>>,
    journal: Arc<dyn RequestJournal>,
    /// The local wall clock (requests' send times).
    wall: LiveClock,
}

/// A request's trip, as its record gives it.
#[derive(Debug, Clone, Copy)]
struct Trip {
    sent_at: UnixNanos,
    http_status: Option<u16>,
    queued: Duration,
    latency: Duration,
}

impl Client {
    /// A client for `config.host` with `keys`, recording every request in `journal`.
    ///
    /// # Errors
    /// [`BuildError`] when the TLS stack cannot be set up.
    pub fn new(config: &BingxConfig, keys: &ApiKeys, journal: Arc<dyn RequestJournal>) -> Result<Self, BuildError> {
        // rustls with ring as the process's provider (an earlier install is kept).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .pool_idle_timeout(Duration::from_secs(50))
            .tcp_nodelay(true)
            .user_agent(concat!("violet/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| BuildError(e.to_string()))?;
        Ok(Self {
            http,
            base: config.host.base_url().to_string(),
            key: keys.key().clone(),
            signer: Signer::new(keys.secret()),
            clock: ServerClock::default(),
            limits: RateLimits::default(),
            recv_window_ms: i64::try_from(config.recv_window.as_millis()).unwrap_or(i64::MAX),
            halted: Mutex::new(None),
            journal,
            wall: LiveClock::new(),
        })
    }

    /// The server clock.
    #[must_use]
    pub fn clock(&self) -> &ServerClock {
        &self.clock
    }

    /// The rate limits.
    #[must_use]
    pub fn limits(&self) -> &RateLimits {
        &self.limits
    }

    /// `recvWindow` in ms.
    #[must_use]
    pub fn recv_window_ms(&self) -> i64 {
        self.recv_window_ms
    }

    /// Why trading stopped, if it did.
    #[must_use]
    pub fn halted(&self) -> Option<String> {
        self.halted.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Read the server's time and keep the offset.
    ///
    /// # Errors
    /// [`CallError`].
    pub async fn sync_time(&self) -> Result<TimeSync, CallError> {
        let sent = local_ms();
        let data = self.send(SERVER_TIME, &Params::new(), None, None).await?;
        let received = local_ms();
        let server = object(&data, "data").and_then(|o| int(o, &["serverTime"])).map_err(envelope::malformed)?;
        Ok(self.clock.record(sent, server, received))
    }

    /// Call `endpoint` with `params` (signed ones get `timestamp`, `recvWindow` and the
    /// signature). A timestamp rejection re-syncs the server time and retries once (the
    /// rejected request did not execute). `client_order_id` labels the journal record.
    ///
    /// # Errors
    /// [`CallError`]; a 429/418 or rate-limit code also holds the class back.
    pub async fn call(
        &self,
        endpoint: Endpoint,
        params: Params,
        client_order_id: Option<&str>,
    ) -> Result<Value, CallError> {
        match self.send(endpoint, &params, None, client_order_id).await {
            Err(e) if endpoint.signed && e.kind() == Some(ApiErrorKind::TimestampInvalid) => {
                tracing::warn!(path = endpoint.path, error = %e, "timestamp refused: re-syncing server time, retrying once");
                self.sync_time().await?;
                self.send(endpoint, &params, None, client_order_id).await
            }
            other => other,
        }
    }

    /// Call with the server time's `timestamp` given (for a resend rule that must know it),
    /// never after `not_after_ms` (local wall clock, ms): a request the rate limiter holds
    /// back past it is not sent ([`CallError::NotSent`]).
    ///
    /// # Errors
    /// As [`Client::call`], without the timestamp retry.
    pub async fn call_at(
        &self,
        endpoint: Endpoint,
        params: &Params,
        timestamp_ms: i64,
        client_order_id: Option<&str>,
        not_after_ms: i64,
    ) -> Result<Value, CallError> {
        self.send_until(endpoint, params, Some(timestamp_ms), client_order_id, Some(not_after_ms)).await
    }

    async fn send(
        &self,
        endpoint: Endpoint,
        params: &Params,
        timestamp_ms: Option<i64>,
        id: Option<&str>,
    ) -> Result<Value, CallError> {
        self.send_until(endpoint, params, timestamp_ms, id, None).await
    }

    async fn send_until(
        &self,
        endpoint: Endpoint,
        params: &Params,
        timestamp_ms: Option<i64>,
        id: Option<&str>,
        not_after_ms: Option<i64>,
    ) -> Result<Value, CallError> {
        if let Some(why) = self.halted().filter(|_| endpoint.signed) {
            let e = CallError::Halted(why);
            let trip =
                Trip { sent_at: self.wall.now(), http_status: None, queued: Duration::ZERO, latency: Duration::ZERO };
            self.journal_record(endpoint, params.query(), id, &Err(e.clone()), &trip);
            return Err(e);
        }
        let queued = self.limits.acquire(endpoint.class).await;
        if let Some(limit) = not_after_ms
            && time::local_ms() >= limit
        {
            let e = CallError::NotSent(format!(
                "held back {} ms by the rate limiter, past the request's deadline: not sent",
                queued.as_millis()
            ));
            let trip = Trip { sent_at: self.wall.now(), http_status: None, queued, latency: Duration::ZERO };
            self.journal_record(endpoint, params.query(), id, &Err(e.clone()), &trip);
            return Err(e);
        }
        let (query, shown) = if endpoint.signed {
            let ts = timestamp_ms.unwrap_or_else(|| self.clock.now_ms());
            let p = params
                .clone()
                .set("timestamp", ts.to_string())
                .and_then(|p| p.set("recvWindow", self.recv_window_ms.to_string()))
                .map_err(|e| CallError::NotSent(e.to_string()))?;
            (self.signer.signed_query(&p), p.query())
        } else {
            (params.query(), params.query())
        };
        let url = if query.is_empty() {
            format!("{}{}", self.base, endpoint.path)
        } else {
            format!("{}{}?{}", self.base, endpoint.path, query)
        };
        let method = match endpoint.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Delete => reqwest::Method::DELETE,
        };
        let mut request = self.http.request(method, url);
        if endpoint.signed {
            request = request.header("X-BX-APIKEY", self.key.expose());
        }
        let sent_at = self.wall.now();
        let started = Instant::now();
        let (status, result) = match request.send().await {
            Err(e) => (None, Err(transport(&e))),
            Ok(resp) => {
                let status = resp.status().as_u16();
                let retry_after = resp
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(|s| s.saturating_mul(1000));
                match resp.bytes().await {
                    Err(e) => (Some(status), Err(transport(&e))),
                    Ok(body) => (Some(status), answer(status, retry_after, &body)),
                }
            }
        };
        let latency = started.elapsed();
        match &result {
            Err(CallError::Throttled { status, retry_after_ms }) => {
                let wait = Duration::from_millis(*retry_after_ms);
                tracing::warn!(
                    path = endpoint.path,
                    status,
                    wait_ms = retry_after_ms,
                    "BingX throttled us: backing off"
                );
                self.limits.back_off(endpoint.class, wait);
            }
            Err(CallError::Api(a)) if a.kind == ApiErrorKind::RateLimited => {
                self.limits.back_off(endpoint.class, RATE_CODE_BACK_OFF);
            }
            Err(CallError::Api(a)) if a.kind.stops_trading() => {
                tracing::error!(code = a.code, message = a.message.as_str(), "BingX refused the keys: trading stops");
                *self.halted.lock().unwrap_or_else(PoisonError::into_inner) = Some(a.to_string());
            }
            _ => {}
        }
        self.journal_record(endpoint, shown, id, &result, &Trip { sent_at, http_status: status, queued, latency });
        result
    }

    fn journal_record(
        &self,
        endpoint: Endpoint,
        params: String,
        id: Option<&str>,
        result: &Result<Value, CallError>,
        trip: &Trip,
    ) {
        let (outcome, code, message) = match result {
            Ok(_) => (RequestOutcome::Ok, Some(0), String::new()),
            Err(CallError::Api(a)) => (RequestOutcome::ApiError, Some(a.code), a.message.clone()),
            Err(e @ CallError::Throttled { .. }) => (RequestOutcome::Throttled, None, e.to_string()),
            Err(CallError::Unknown(m)) => (RequestOutcome::Unknown, None, m.clone()),
            Err(CallError::NotSent(m)) => (RequestOutcome::NotSent, None, m.clone()),
            Err(CallError::Malformed(m)) => (RequestOutcome::Malformed, None, m.clone()),
            Err(CallError::Halted(m)) => (RequestOutcome::Halted, None, m.clone()),
        };
        let venue_order_id = result.as_ref().ok().and_then(|d| {
            let o = d.as_object()?;
            let o = o.get("order").and_then(Value::as_object).unwrap_or(o);
            int(o, &["orderId", "orderID"]).ok().map(|v| v.to_string())
        });
        self.journal.record(&RequestRecord {
            sent_at: trip.sent_at,
            method: endpoint.method,
            path: endpoint.path,
            class: endpoint.class.as_str(),
            params,
            client_order_id: id.map(str::to_string),
            venue_order_id,
            http_status: trip.http_status,
            code,
            outcome,
            message,
            queued: trip.queued,
            latency: trip.latency,
        });
    }
}

/// A transport failure: not sent when no connection could be made, unknown otherwise.
fn transport(e: &reqwest::Error) -> CallError {
    // The error's text names the URL, whose query has no secret (the key is a header).
    let text = e.to_string();
    if e.is_connect() && !e.is_timeout() { CallError::NotSent(text) } else { CallError::Unknown(text) }
}

/// The answer to one request.
fn answer(status: u16, retry_after_ms: Option<u64>, body: &[u8]) -> Result<Value, CallError> {
    match status {
        429 => Err(CallError::Throttled { status, retry_after_ms: retry_after_ms.unwrap_or(1000) }),
        418 => Err(CallError::Throttled {
            status,
            retry_after_ms: retry_after_ms.unwrap_or(u64::try_from(BAN_BACK_OFF.as_millis()).unwrap_or(60_000)),
        }),
        500..=599 => Err(CallError::Unknown(format!(
            "HTTP {status} (the request may have executed): {}",
            String::from_utf8_lossy(&body[..body.len().min(200)])
        ))),
        _ => envelope::open(body).map_err(|e| match e {
            CallError::Malformed(m) if status != 200 => CallError::Malformed(format!("HTTP {status}: {m}")),
            other => other,
        }),
    }
}
