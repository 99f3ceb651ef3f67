//! ClickHouse over its HTTP interface, for VIOLET's journal and feeds: a minimal HTTP/1.0
//! client (one request per connection, optional basic authentication; no TLS: loopback and
//! private networks only), the `RowBinary` format (exact floats), secrets that never print,
//! and a throwaway local server for tests and benchmarks.

mod http;
mod local;
mod rowbinary;
mod secret;

pub use http::{CONNECT_TIMEOUT, ClickHouse, ClickHouseError, REQUEST_TIMEOUT, has_credentials, redact_url};
pub use local::{LocalServer, LocalServerError, SERVER_BINARY};
pub use rowbinary::{RowBinaryError, RowReader, RowWriter};
pub use secret::{Secret, SecretFileError};
