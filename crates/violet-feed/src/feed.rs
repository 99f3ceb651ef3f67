//! The feed trait.

use violet_clickhouse::ClickHouseError;

/// A source of event-stream lines.
pub trait Feed {
    /// Append the lines available now (raw bytes: a line that is not UTF-8 is poison, for
    /// the decoder to reject) (at most the feed's batch), without waiting.
    /// Returns `Ok(false)` once the input has ended for good (stdin closed); a ClickHouse
    /// feed never ends.
    ///
    /// # Errors
    /// [`FeedError`]: the source failed (a ClickHouse feed's caller retries).
    fn poll(&mut self, out: &mut Vec<Vec<u8>>) -> Result<bool, FeedError>;
}

/// A feed that failed.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    /// The server is unreachable, refused the query, or answered rows of another shape
    /// ([`ClickHouseError::Decode`]).
    #[error("feed query failed")]
    ClickHouse(#[from] ClickHouseError),
}

impl FeedError {
    /// Whether retrying may help (the server is down or restarting), as opposed to a
    /// query the server refuses (a missing table, a wrong schema).
    #[must_use]
    pub fn is_transient(&self) -> bool {
        matches!(self, FeedError::ClickHouse(e) if e.is_transient())
    }
}
