//! Venue errors, split into recoverable (retry may help) and unrecoverable (it will not).

/// Retrying may help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Recoverable {
    /// No answer in time.
    #[error("timeout")]
    Timeout,
    /// The venue's rate limit.
    #[error("rate limited")]
    RateLimited,
    /// The connection dropped.
    #[error("disconnected")]
    Disconnected,
    /// The venue's own transient failure.
    #[error("transient venue error: {0}")]
    Transient(String),
    /// An order request was sent but whether it executed could not be established (a
    /// timeout or dropped connection after sending, HTTP 5xx, and the follow-up queries did
    /// not settle it). Never resend on this: query the order until the venue answers.
    #[error("outcome unknown: {0}")]
    OutcomeUnknown(String),
}

/// Retrying will not help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unrecoverable {
    /// Keys missing, wrong or without permission.
    #[error("authentication refused")]
    Auth,
    /// The request itself is wrong (quantity, symbol, ...).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The venue refused the order (e.g. insufficient margin).
    #[error("order rejected by the venue: {0}")]
    Rejected(String),
    /// The venue has no order with that client id.
    #[error("the venue has no such order")]
    NoSuchOrder,
    /// Execution is not armed: the observe-only guard refuses every order.
    #[error("observe-only: execution is not armed, no order leaves the process")]
    ObserveOnly,
}

/// A venue call that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VenueError {
    /// Retry may help.
    #[error(transparent)]
    Recoverable(#[from] Recoverable),
    /// It will not.
    #[error(transparent)]
    Unrecoverable(#[from] Unrecoverable),
}

impl VenueError {
    /// Whether a retry (with the same client order id) may help.
    #[must_use]
    pub fn is_recoverable(&self) -> bool {
        matches!(self, VenueError::Recoverable(_))
    }

    /// Whether an order request that failed so may have executed all the same (only
    /// [`Recoverable::OutcomeUnknown`]): such an order is queried, never resent.
    #[must_use]
    pub fn outcome_unknown(&self) -> bool {
        matches!(self, VenueError::Recoverable(Recoverable::OutcomeUnknown(_)))
    }
}
