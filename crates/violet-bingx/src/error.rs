//! BingX's error codes as typed errors, in the old and the new numbering (BingX renumbered
//! on 2025-10-16; both are accepted), and what each means for trading.

use violet_venue::venue::{Recoverable, Unrecoverable, VenueError};

/// What an error code means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiErrorKind {
    /// 100001: the signature did not verify. Stops trading.
    SignatureInvalid,
    /// 100413: the API key is wrong. Stops trading.
    BadApiKey,
    /// 100419: this IP is not whitelisted. Stops trading.
    IpNotAllowed,
    /// 100410 / 100409 / 109429: frequency limit or system busy. Back off.
    RateLimited,
    /// 101204: insufficient funds (that order only).
    InsufficientFunds,
    /// 101400 / 110425: below the minimum quantity or notional (that order only).
    BelowMinimum,
    /// 80012 / 109500: service unavailable.
    ServiceUnavailable,
    /// 80014 / 80001 / 109414 / 109400: an invalid parameter.
    InvalidParameter,
    /// 100421, or 109400 saying "timestamp": the timestamp is outside the window. Re-sync
    /// server time and retry once.
    TimestampInvalid,
    /// 80016 / 109421: the order does not exist.
    OrderNotFound,
    /// 80017 / 80018 / 109422: the order cannot change any more (filled or ended).
    OrderEnded,
    /// 80019 / 109423: the order is being processed; ask again later.
    OrderBeingProcessed,
    /// 40029 / 80020 / 109403: forbidden by risk control (that order only).
    RiskForbidden,
    /// A code not in this table: surfaced with its code and message.
    Unknown,
}

impl ApiErrorKind {
    /// The kind of `code` (`message` tells a timestamp rejection from other invalid
    /// parameters, which share codes).
    #[must_use]
    pub fn of(code: i64, message: &str) -> Self {
        let about_time = message.to_ascii_lowercase().contains("timestamp");
        match code {
            100_001 => Self::SignatureInvalid,
            100_413 => Self::BadApiKey,
            100_419 => Self::IpNotAllowed,
            100_410 | 100_409 | 109_429 => Self::RateLimited,
            101_204 => Self::InsufficientFunds,
            101_400 | 110_425 => Self::BelowMinimum,
            80_012 | 109_500 => Self::ServiceUnavailable,
            100_421 | 109_400 | 80_014 | 80_001 | 109_414 if about_time => Self::TimestampInvalid,
            80_014 | 80_001 | 109_414 | 109_400 | 100_421 => Self::InvalidParameter,
            80_016 | 109_421 => Self::OrderNotFound,
            80_017 | 80_018 | 109_422 => Self::OrderEnded,
            80_019 | 109_423 => Self::OrderBeingProcessed,
            40_029 | 80_020 | 109_403 => Self::RiskForbidden,
            _ => Self::Unknown,
        }
    }

    /// Whether this error means the keys or the account cannot trade at all.
    #[must_use]
    pub const fn stops_trading(self) -> bool {
        matches!(self, Self::SignatureInvalid | Self::BadApiKey | Self::IpNotAllowed)
    }
}

/// An answer with `code != 0`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("BingX code {code} ({kind:?}): {message}")]
pub struct ApiError {
    /// The code as sent.
    pub code: i64,
    /// The message as sent.
    pub message: String,
    /// What it means.
    pub kind: ApiErrorKind,
}

impl ApiError {
    /// An error from `code` and `message`.
    #[must_use]
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        let message = message.into();
        Self { code, kind: ApiErrorKind::of(code, &message), message }
    }
}

/// A request that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// It never left the process (no connection could be made, or trading is stopped).
    #[error("not sent: {0}")]
    NotSent(String),
    /// Sent without a definite answer: a timeout, a dropped connection, HTTP 5xx (BingX
    /// documents 504 as "may have been executed").
    #[error("outcome unknown: {0}")]
    Unknown(String),
    /// HTTP 429 (rate limited) or 418 (IP banned): not executed.
    #[error("HTTP {status}: rate limited, retry after {retry_after_ms} ms")]
    Throttled {
        /// 429 or 418.
        status: u16,
        /// How long to wait.
        retry_after_ms: u64,
    },
    /// BingX answered with an error code.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The answer could not be read (it may still have executed).
    #[error("unreadable answer: {0}")]
    Malformed(String),
    /// Trading stopped after a signature, key or IP error; nothing more is sent.
    #[error("trading stopped after BingX refused the keys: {0}")]
    Halted(String),
}

impl CallError {
    /// The API error's kind, if BingX answered with one.
    #[must_use]
    pub fn kind(&self) -> Option<ApiErrorKind> {
        match self {
            CallError::Api(e) => Some(e.kind),
            _ => None,
        }
    }

    /// Whether a request that failed so certainly did not execute.
    #[must_use]
    pub fn not_executed(&self) -> bool {
        match self {
            CallError::NotSent(_) | CallError::Throttled { .. } | CallError::Halted(_) => true,
            CallError::Api(e) => !matches!(e.kind, ApiErrorKind::ServiceUnavailable | ApiErrorKind::Unknown),
            CallError::Unknown(_) | CallError::Malformed(_) => false,
        }
    }
}

impl From<CallError> for VenueError {
    fn from(e: CallError) -> Self {
        match e {
            CallError::NotSent(m) => Recoverable::Transient(format!("not sent: {m}")).into(),
            CallError::Unknown(m) | CallError::Malformed(m) => Recoverable::OutcomeUnknown(m).into(),
            CallError::Throttled { .. } => Recoverable::RateLimited.into(),
            CallError::Halted(_) => Unrecoverable::Auth.into(),
            CallError::Api(a) => match a.kind {
                ApiErrorKind::SignatureInvalid | ApiErrorKind::BadApiKey | ApiErrorKind::IpNotAllowed => {
                    Unrecoverable::Auth.into()
                }
                ApiErrorKind::RateLimited => Recoverable::RateLimited.into(),
                ApiErrorKind::ServiceUnavailable
                | ApiErrorKind::OrderBeingProcessed
                | ApiErrorKind::TimestampInvalid => Recoverable::Transient(a.to_string()).into(),
                ApiErrorKind::OrderNotFound => Unrecoverable::NoSuchOrder.into(),
                ApiErrorKind::InvalidParameter => Unrecoverable::BadRequest(a.to_string()).into(),
                ApiErrorKind::InsufficientFunds
                | ApiErrorKind::BelowMinimum
                | ApiErrorKind::RiskForbidden
                | ApiErrorKind::OrderEnded
                | ApiErrorKind::Unknown => Unrecoverable::Rejected(a.to_string()).into(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_and_new_codes_mean_the_same() {
        use ApiErrorKind as K;
        for (old, new, kind) in [
            (100_410, 109_429, K::RateLimited),
            (80_016, 109_421, K::OrderNotFound),
            (80_012, 109_500, K::ServiceUnavailable),
            (80_014, 109_400, K::InvalidParameter),
            (80_019, 109_423, K::OrderBeingProcessed),
            (40_029, 109_403, K::RiskForbidden),
            (80_020, 109_403, K::RiskForbidden),
            (80_018, 109_422, K::OrderEnded),
        ] {
            assert_eq!((K::of(old, "x"), K::of(new, "x")), (kind, kind), "{old} / {new}");
        }
        assert_eq!(K::of(109_400, "timestamp is invalid"), K::TimestampInvalid);
        assert_eq!(K::of(100_421, "Null timestamp or timestamp mismatch"), K::TimestampInvalid);
        assert_eq!(K::of(100_421, "symbol not exist"), K::InvalidParameter);
        assert_eq!(K::of(123_456, "new"), K::Unknown);
    }

    #[test]
    fn keys_errors_stop_trading_and_order_errors_refuse_that_order() {
        for code in [100_001, 100_413, 100_419] {
            let e = ApiError::new(code, "no");
            assert!(e.kind.stops_trading());
            assert_eq!(VenueError::from(CallError::Api(e)), VenueError::Unrecoverable(Unrecoverable::Auth));
        }
        for code in [101_204, 101_400, 110_425, 109_403] {
            let e = VenueError::from(CallError::Api(ApiError::new(code, "no")));
            assert!(
                matches!(e, VenueError::Unrecoverable(Unrecoverable::Rejected(ref m)) if m.contains(&code.to_string()))
            );
        }
        let unknown = VenueError::from(CallError::Api(ApiError::new(777_777, "brand new")));
        assert!(unknown.to_string().contains("777777") && unknown.to_string().contains("brand new"), "{unknown}");
        assert!(VenueError::from(CallError::Unknown("504".into())).outcome_unknown());
        assert!(VenueError::from(CallError::Throttled { status: 429, retry_after_ms: 1 }).is_recoverable());
        assert!(!CallError::Unknown("t".into()).not_executed());
        assert!(CallError::Api(ApiError::new(101_204, "x")).not_executed());
        assert!(!CallError::Api(ApiError::new(109_500, "x")).not_executed());
    }
}
