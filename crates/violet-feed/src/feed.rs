//! The feed trait.

use violet_clickhouse::{ClickHouseError, RowBinaryError};

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
    /// The server is unreachable or refused the query.
    #[error("feed query failed")]
    ClickHouse(#[from] ClickHouseError),
    /// The server's answer was not the rows asked for.
    #[error("feed: unreadable answer to {query}")]
    Rows {
        /// The query.
        query: String,
        /// Where it broke.
        source: RowBinaryError,
    },
}

impl FeedError {
    /// Whether retrying may help (the server is down or restarting), as opposed to a
    /// query the server refuses (a missing table, a wrong schema).
    #[must_use]
    pub fn is_transient(&self) -> bool {
        matches!(self, FeedError::ClickHouse(ClickHouseError::Io { .. }))
    }
}
