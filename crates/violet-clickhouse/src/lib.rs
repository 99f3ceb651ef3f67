//! ClickHouse over its HTTP interface, for VIOLET's journal and feeds: a minimal HTTP/1.0
//! client (one request per connection, bounded connect and request timeouts, optional basic
//! authentication with a [`Secret`] from `violet-domain`; no TLS: loopback and private
//! networks only) and the `RowBinary` format (exact floats). The throwaway local server
//! for tests lives in `violet-testkit` (dev-only).

mod http;
mod rowbinary;

pub use http::{CONNECT_TIMEOUT, ClickHouse, ClickHouseError, REQUEST_TIMEOUT, has_credentials, redact_url};
pub use rowbinary::{RowBinaryError, RowReader, RowWriter};
pub use violet_domain::secret::{Secret, SecretFileError};
