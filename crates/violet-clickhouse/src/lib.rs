//! ClickHouse over its HTTP interface, for VIOLET's journal and feeds.
//!
//! - [`ClickHouse`]: the official `clickhouse` crate behind a blocking API (its own small
//!   tokio runtime), with pooled keep-alive connections, LZ4 both ways, connect and request
//!   timeouts, TLS by rustls for `https://` URLs, optional basic authentication with a
//!   [`Secret`], and values bound client-side ([`Select::bind`]). Inserts send rows VIOLET
//!   encoded itself ([`RowWriter`]), so the crate's schema validation (a format 18.16 lacks)
//!   never runs, and a failed insert is returned, never dropped.
//! - The `RowBinary` format ([`RowWriter`], [`RowReader`]): exact floats.
//! - [`ClickHouseError::is_transient`]: which failures a caller may retry.
//!
//! The throwaway local server for tests lives in `violet-testkit` (dev-only).

mod client;
mod error;
mod rowbinary;
mod url;

/// The official crate, for `#[derive(Row)]` in crates that read typed rows:
/// `#[derive(violet_clickhouse::Row, serde::Deserialize)] #[clickhouse(crate = "violet_clickhouse::clickhouse")]`.
pub use clickhouse;
pub use clickhouse::Row;
pub use clickhouse::sql::Bind;
pub use client::{CONNECT_TIMEOUT, ClickHouse, REQUEST_TIMEOUT, Select};
pub use error::ClickHouseError;
pub use rowbinary::{RowBinaryError, RowReader, RowWriter};
pub use url::{has_credentials, redact_url};
pub use violet_domain::secret::{Secret, SecretFileError};
