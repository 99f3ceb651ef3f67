//! What can go wrong with a request, and whether trying again may help.

use std::time::Duration;

/// A ClickHouse request that failed.
#[derive(Debug, thiserror::Error)]
pub enum ClickHouseError {
    /// The URL is not `http(s)://host[:port]` (shown with any credentials masked).
    #[error("invalid ClickHouse URL {0:?}: expected http://host:port or https://host:port")]
    Url(String),
    /// The URL carries credentials (`user:password@`): refused, shown masked.
    #[error(
        "ClickHouse URL {0:?} carries credentials: they would be shown wherever the URL is; give the user in \
         [clickhouse] user (or --user) and the password in VIOLET_CLICKHOUSE_PASSWORD"
    )]
    Credentials(String),
    /// An `https://` URL, and the system's root certificates cannot be read.
    #[error("ClickHouse at {url}: no root certificates to check its TLS certificate with")]
    Tls {
        /// The server.
        url: String,
        /// Why the roots could not be read.
        source: std::io::Error,
    },
    /// Connecting, sending or reading failed (server down, connection reset, TLS refused):
    /// retryable.
    #[error("ClickHouse at {url} unreachable")]
    Unreachable {
        /// The server.
        url: String,
        /// The client's error.
        source: clickhouse::error::Error,
    },
    /// No complete answer within the request timeout: retryable.
    #[error("ClickHouse at {url} did not answer within {after:?}")]
    TimedOut {
        /// The server.
        url: String,
        /// The request timeout.
        after: Duration,
    },
    /// The answer is not the rows asked for (a column of another type, a row cut short):
    /// final, the query or the table must change.
    #[error("ClickHouse at {url}: the answer is not the rows asked for")]
    Decode {
        /// The server.
        url: String,
        /// The client's error.
        source: clickhouse::error::Error,
    },
    /// The server answered with an error: its exception code when it gave one, and its text.
    #[error("ClickHouse at {url} refused the query: {message}")]
    Refused {
        /// The server.
        url: String,
        /// ClickHouse's exception code (`Code: 60, ...`), `None` when the answer has none
        /// (a proxy's, or an HTTP status without a body).
        code: Option<u32>,
        /// Its message.
        message: String,
    },
}

/// ClickHouse exception codes that say "not now" rather than "never": too busy, out of
/// memory, a timeout, too many parts, a table briefly read-only, a network error between
/// replicas. Every other code (an unknown table or column, a type mismatch, a syntax error,
/// authentication) is final: retrying sends the same query to the same refusal.
const TRANSIENT_CODES: [u32; 15] = [
    3,   // UNEXPECTED_END_OF_FILE
    159, // TIMEOUT_EXCEEDED
    202, // TOO_MANY_SIMULTANEOUS_QUERIES
    203, // NO_FREE_CONNECTION
    209, // SOCKET_TIMEOUT
    210, // NETWORK_ERROR
    236, // ABORTED
    241, // MEMORY_LIMIT_EXCEEDED
    242, // TABLE_IS_READ_ONLY
    252, // TOO_MANY_PARTS
    285, // TOO_FEW_LIVE_REPLICAS
    319, // UNKNOWN_STATUS_OF_INSERT
    394, // QUERY_WAS_CANCELLED
    425, // SYSTEM_ERROR
    999, // KEEPER_EXCEPTION
];

impl ClickHouseError {
    /// Whether trying again may help: the server could not be reached or did not answer in
    /// time, or it refused with a code that says "not now", or with no code at all (a proxy
    /// between, a server starting). A refusal with any other code is final.
    #[must_use]
    pub fn is_transient(&self) -> bool {
        match self {
            ClickHouseError::Unreachable { .. } | ClickHouseError::TimedOut { .. } => true,
            ClickHouseError::Refused { code, .. } => code.is_none_or(|c| TRANSIENT_CODES.contains(&c)),
            ClickHouseError::Url(_)
            | ClickHouseError::Credentials(_)
            | ClickHouseError::Tls { .. }
            | ClickHouseError::Decode { .. } => false,
        }
    }

    /// The client's error as ours; `timeout` is the request timeout in force.
    pub(crate) fn from_client(url: &str, e: clickhouse::error::Error, timeout: Duration) -> Self {
        use clickhouse::error::Error as E;
        match e {
            E::TimedOut => ClickHouseError::TimedOut { url: url.to_string(), after: timeout },
            E::BadResponse(message) => {
                ClickHouseError::Refused { url: url.to_string(), code: exception_code(&message), message }
            }
            source @ (E::NotEnoughData
            | E::InvalidUtf8Encoding(_)
            | E::InvalidTagEncoding(_)
            | E::Custom(_)
            | E::SchemaMismatch(_)
            | E::DeserializeAnyNotSupported
            | E::SequenceMustHaveLength) => ClickHouseError::Decode { url: url.to_string(), source },
            source => ClickHouseError::Unreachable { url: url.to_string(), source },
        }
    }
}

/// The exception code an answer starts with: `Code: 60, e.displayText() = ...` (18.16) or
/// `Code: 60. DB::Exception: ...` (current servers).
fn exception_code(message: &str) -> Option<u32> {
    let rest = message.trim_start().strip_prefix("Code:")?.trim_start();
    let digits = rest.find(|c: char| !c.is_ascii_digit()).map_or(rest, |end| &rest[..end]);
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(message: &str) -> ClickHouseError {
        ClickHouseError::Refused { url: "u".into(), code: exception_code(message), message: message.into() }
    }

    #[test]
    fn the_exception_code_decides_whether_a_refusal_is_retried() {
        assert_eq!(exception_code("Code: 60, e.displayText() = DB::Exception: Table x doesn't exist"), Some(60));
        assert_eq!(exception_code("Code: 241. DB::Exception: Memory limit (total) exceeded"), Some(241));
        assert_eq!(exception_code("503 Service Unavailable"), None);
        assert_eq!(exception_code("Code: x"), None);
        assert!(!refused("Code: 60, e.displayText() = DB::Exception: Table doesn't exist").is_transient());
        assert!(!refused("Code: 16. DB::Exception: No such column note").is_transient());
        assert!(!refused("Code: 516. DB::Exception: default: Authentication failed").is_transient());
        assert!(refused("Code: 241. DB::Exception: Memory limit exceeded").is_transient());
        assert!(refused("Code: 252, e.displayText() = DB::Exception: Too many parts").is_transient());
        assert!(refused("502 Bad Gateway").is_transient(), "no code: a proxy or a starting server");
        assert!(!ClickHouseError::Url("x".into()).is_transient());
    }
}
