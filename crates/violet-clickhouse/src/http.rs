//! POST a query to ClickHouse's HTTP interface.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs as _};
use std::time::Duration;

/// How long connecting may take: a host that drops packets fails after this, not after the
/// system's minutes of SYN retries.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a request may wait on the socket (each write, each read) by default.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

use violet_domain::secret::Secret;

/// A ClickHouse request that failed.
#[derive(Debug, thiserror::Error)]
pub enum ClickHouseError {
    /// The URL is not `http://host:port[/]` (shown with any credentials masked).
    #[error("invalid ClickHouse URL {0:?}: expected http://host:port")]
    Url(String),
    /// The URL carries credentials (`user:password@`): refused, shown masked.
    #[error(
        "ClickHouse URL {0:?} carries credentials: they would be shown wherever the URL is; give the user in \
         [clickhouse] user (or --user) and the password in VIOLET_CLICKHOUSE_PASSWORD"
    )]
    Credentials(String),
    /// Connecting, writing or reading failed (server down, reset...): retryable.
    #[error("ClickHouse at {url} unreachable")]
    Io {
        /// The server.
        url: String,
        /// The error.
        source: std::io::Error,
    },
    /// The server answered with an error status.
    #[error("ClickHouse at {url} answered HTTP {status}: {body}")]
    Status {
        /// The server.
        url: String,
        /// HTTP status.
        status: u16,
        /// Its message.
        body: String,
    },
}

/// A ClickHouse server reached over HTTP.
#[derive(Debug, Clone)]
pub struct ClickHouse {
    url: String,
    addr: String,
    host: String,
    timeout: Duration,
    /// `Authorization: Basic ...` (user and password), when a password is set. Its `Debug`
    /// shows no secret.
    auth: Option<Secret>,
}

impl ClickHouse {
    /// A server at `url` (`http://host:port`).
    ///
    /// # Errors
    /// [`ClickHouseError::Url`] for anything else.
    pub fn new(url: &str) -> Result<Self, ClickHouseError> {
        if has_credentials(url) {
            return Err(ClickHouseError::Credentials(redact_url(url)));
        }
        let rest = url.strip_prefix("http://").ok_or_else(|| ClickHouseError::Url(redact_url(url)))?;
        let hostport = rest.trim_end_matches('/');
        if hostport.is_empty() || hostport.contains('/') || hostport.contains('@') {
            return Err(ClickHouseError::Url(redact_url(url)));
        }
        let addr = if hostport.contains(':') { hostport.to_string() } else { format!("{hostport}:8123") };
        let host = addr.split(':').next().unwrap_or_default().to_string();
        Ok(Self { url: url.to_string(), addr, host, timeout: REQUEST_TIMEOUT, auth: None })
    }

    /// The same server, each read or write of a request waiting at most `timeout` (at least
    /// a millisecond): a server that accepts and never answers fails the request then.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// The request timeout.
    #[must_use]
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// A connection, trying each address of the host for at most [`CONNECT_TIMEOUT`].
    fn connect(&self) -> std::io::Result<TcpStream> {
        let mut last = None;
        for addr in self.addr.to_socket_addrs()? {
            match TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT.min(self.timeout)) {
                Ok(s) => return Ok(s),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "the host has no address")))
    }

    /// The same server, as `user` with `password` (HTTP basic authentication).
    #[must_use]
    pub fn with_credentials(mut self, user: &str, password: &Secret) -> Self {
        use base64::Engine as _;
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{}", password.expose()));
        self.auth = Some(Secret::new(format!("Authorization: Basic {token}\r\n")));
        self
    }

    /// Run `query` and return the response body as text (lossy UTF-8).
    ///
    /// # Errors
    /// As [`ClickHouse::query_bytes`].
    pub fn query(&self, query: &str) -> Result<String, ClickHouseError> {
        self.query_bytes(query.as_bytes()).map(|b| String::from_utf8_lossy(&b).into_owned())
    }

    /// The URL.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Run `query` (the whole request body: a statement, or `INSERT ... FORMAT X` then rows,
    /// binary for `RowBinary`); return the response body.
    ///
    /// # Errors
    /// [`ClickHouseError::Io`] when the server cannot be reached (retryable),
    /// [`ClickHouseError::Status`] when it refuses the query.
    pub fn query_bytes(&self, query: &[u8]) -> Result<Vec<u8>, ClickHouseError> {
        let io = |source| ClickHouseError::Io { url: self.url.clone(), source };
        let mut s = self.connect().map_err(io)?;
        s.set_read_timeout(Some(self.timeout)).map_err(io)?;
        s.set_write_timeout(Some(self.timeout)).map_err(io)?;
        s.set_nodelay(true).map_err(io)?;
        let head = format!(
            "POST / HTTP/1.0\r\nHost: {}\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\n{}\r\n",
            self.host,
            query.len(),
            self.auth.as_ref().map_or("", Secret::expose)
        );
        s.write_all(head.as_bytes()).and_then(|()| s.write_all(query)).map_err(io)?;
        let mut resp = Vec::new();
        s.read_to_end(&mut resp).map_err(io)?;
        let split = memchr::memmem::find(&resp, b"\r\n\r\n");
        let (head, body) = match split {
            Some(at) => (&resp[..at], &resp[at + 4..]),
            None => (&resp[..], &[][..]),
        };
        let head = String::from_utf8_lossy(head);
        let status: u16 = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
        if status == 200 {
            Ok(body.to_vec())
        } else if status == 0 {
            Err(io(std::io::Error::new(std::io::ErrorKind::InvalidData, "no HTTP status in the response")))
        } else {
            let body = String::from_utf8_lossy(body).trim().to_string();
            Err(ClickHouseError::Status { url: self.url.clone(), status, body })
        }
    }
}

/// Where the authority of `url` starts and its userinfo (`user:pw@`) ends, if it has one.
fn userinfo(url: &str) -> Option<(usize, usize)> {
    let start = url.find("://").map_or(0, |i| i + 3);
    let authority_end = url[start..].find(['/', '?', '#']).map_or(url.len(), |i| start + i);
    url[start..authority_end].rfind('@').map(|at| (start, start + at))
}

/// Whether `url` carries credentials before its host.
#[must_use]
pub fn has_credentials(url: &str) -> bool {
    userinfo(url).is_some()
}

/// `url` with any credentials masked (`http://***@host:8123`): what may be shown.
#[must_use]
pub fn redact_url(url: &str) -> String {
    match userinfo(url) {
        Some((start, at)) => format!("{}***{}", &url[..start], &url[at..]),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_a_url_are_refused_and_never_shown() {
        assert_eq!(redact_url("http://user:s3cret@db:8123/"), "http://***@db:8123/");
        assert_eq!(redact_url("http://db:8123"), "http://db:8123");
        assert_eq!(redact_url("https://a@b@db"), "https://***@db", "the last @ ends the userinfo");
        assert!(!has_credentials("http://db:8123/path@x"), "an @ after the host is not userinfo");
        for url in ["http://user:s3cret@db:8123", "ftp://user:s3cret@db"] {
            let e = ClickHouse::new(url).expect_err("refused").to_string();
            assert!(!e.contains("s3cret") && e.contains("***@db"), "{e}");
            assert!(e.contains("VIOLET_CLICKHOUSE_PASSWORD"), "{e}");
        }
        let e = ClickHouse::new("gopher://db").expect_err("bad scheme").to_string();
        assert!(e.contains("expected http://host:port"), "{e}");
    }
}
