//! The feed trait.

use violet_clickhouse::{ClickHouseError, RowBinaryError, RowReader, Select};

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
    #[error("feed: unreadable answer to the query of {table}")]
    Rows {
        /// The table read.
        table: &'static str,
        /// Where it broke.
        source: RowBinaryError,
    },
}

impl FeedError {
    /// Whether retrying may help (the server is down or restarting), as opposed to a
    /// query the server refuses (a missing table, a wrong schema).
    #[must_use]
    pub fn is_transient(&self) -> bool {
        matches!(self, FeedError::ClickHouse(e) if e.is_transient())
    }
}

/// Run `select` (its values bound) on `table`, answered in RowBinary, and read every row of
/// the answer with `read`.
///
/// # Errors
/// [`FeedError`]: the server failed, or the answer is not the rows `read` expects.
pub(crate) fn select_rows<T>(
    select: Select,
    table: &'static str,
    mut read: impl FnMut(&mut RowReader<'_>) -> Result<T, RowBinaryError>,
) -> Result<Vec<T>, FeedError> {
    let data = select.fetch("RowBinary")?;
    let mut r = RowReader::new(&data);
    let mut rows = Vec::new();
    while !r.is_done() {
        rows.push(read(&mut r).map_err(|source| FeedError::Rows { table, source })?);
    }
    Ok(rows)
}
