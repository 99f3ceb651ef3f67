//! The blocking client: ClickHouse's official crate (`clickhouse`, on hyper) run on one
//! small tokio runtime of its own, so that the engine's threads (the feed, the journal's
//! shipper, the monitor) and the service's tasks call it alike.

use std::future::Future;
use std::sync::OnceLock;
use std::time::Duration;

use bytes::Bytes;
use clickhouse::Compression;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use violet_domain::secret::Secret;

use crate::error::ClickHouseError;
use crate::rowbinary::RowWriter;
use crate::url::ServerUrl;

/// How long connecting may take: a host that drops packets fails after this, not after the
/// system's minutes of SYN retries.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a whole request (connect, send, the server's work, the answer) may take by
/// default.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How long an idle pooled connection is kept: under the server's `keep_alive_timeout`
/// (3 s on 18.16 and today), so that the client never reuses one the server is closing.
const POOL_IDLE: Duration = Duration::from_secs(2);
/// An insert's rows go in compressed blocks of at most this much.
const INSERT_CHUNK: usize = 1 << 20;

/// The runtime every client's requests run on: one worker thread (the work is waiting on
/// sockets), made at the first request.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("violet-clickhouse")
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("cannot start the ClickHouse client's runtime: {e}"))
    })
}

/// A ClickHouse server reached over HTTP(S): keep-alive connections pooled and reused, LZ4
/// on every request and answer, a connect timeout ([`CONNECT_TIMEOUT`]) and a request
/// timeout ([`ClickHouse::with_timeout`]). Cloning shares the pool. `Debug` shows no secret.
#[derive(Clone)]
pub struct ClickHouse {
    client: clickhouse::Client,
    url: ServerUrl,
    timeout: Duration,
}

impl std::fmt::Debug for ClickHouse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClickHouse")
            .field("url", &self.url.given)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl ClickHouse {
    /// A server at `url`: `http://host[:port]` (port 8123 when none is given) or
    /// `https://host[:port]` (8443; the certificate checked against the system's roots, or
    /// the file `SSL_CERT_FILE` names).
    ///
    /// # Errors
    /// [`ClickHouseError::Url`] or [`ClickHouseError::Credentials`] for any other URL;
    /// [`ClickHouseError::Tls`] when an `https://` URL is given and no root certificate
    /// can be read.
    pub fn new(url: &str) -> Result<Self, ClickHouseError> {
        let url = ServerUrl::parse(url)?;
        let mut http = HttpConnector::new();
        http.set_connect_timeout(Some(CONNECT_TIMEOUT));
        http.set_nodelay(true);
        http.set_keepalive(Some(Duration::from_secs(60)));
        let pool = HyperClient::builder(TokioExecutor::new()).pool_idle_timeout(POOL_IDLE).clone();
        let client = if url.tls {
            http.enforce_http(false);
            let tls = hyper_rustls::HttpsConnectorBuilder::new()
                .with_provider_and_native_roots(rustls::crypto::ring::default_provider())
                .map_err(|source| ClickHouseError::Tls { url: url.given.clone(), source })?
                .https_only()
                .enable_http1()
                .wrap_connector(http);
            clickhouse::Client::with_http_client(pool.build(tls))
        } else {
            clickhouse::Client::with_http_client(pool.build(http))
        };
        // LZ4 both ways: inserts in ClickHouse's own framing (every server); answers by HTTP's
        // lz4 encoding, which the server uses only with enable_http_compression (ignored by
        // servers without it, 18.16 among them: their answers come plain).
        // Typed reads ([`Select::rows`]) as plain RowBinary: the crate's schema validation
        // asks for RowBinaryWithNamesAndTypes, which 18.16 lacks; one path for both servers
        // (the journal's tables are checked at start instead: `check_journal_tables`).
        let client = client
            .with_url(url.origin.clone())
            .with_compression(Compression::Lz4)
            .with_setting("enable_http_compression", "1")
            .with_validation(false);
        Ok(Self { client, url, timeout: REQUEST_TIMEOUT })
    }

    /// The same server, each request taking at most `timeout` (at least a millisecond): a
    /// server that accepts and never answers fails the request then.
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

    /// The same server, as `user` with `password` (HTTP basic authentication). The crate
    /// keeps its copy of the password in memory, never printed.
    #[must_use]
    pub fn with_credentials(mut self, user: &str, password: &Secret) -> Self {
        self.client = self.client.with_user(user).with_password(password.expose());
        self
    }

    /// The URL, as given.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url.given
    }

    /// Run the statement `sql` as written (a `?` in it is a `?`, not a placeholder) and
    /// return the answer as text: `TabSeparated` unless `sql` names its `FORMAT`. For DDL,
    /// and for an `INSERT` carrying its rows in the statement.
    ///
    /// # Errors
    /// [`ClickHouseError::Unreachable`] or [`ClickHouseError::TimedOut`] when the server
    /// cannot be reached or does not answer in time (retryable),
    /// [`ClickHouseError::Refused`] when it refuses the statement.
    pub fn query(&self, sql: &str) -> Result<String, ClickHouseError> {
        let bytes = self.select(&sql.replace('?', "??")).fetch("TabSeparated")?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// A `SELECT` whose `?` placeholders are bound, in order, with [`Select::bind`]: the
    /// values are escaped by the client (strings quoted, numbers as they are), never pasted.
    pub fn select(&self, sql: &str) -> Select {
        Select { query: self.client.query(sql), ch: self.clone() }
    }

    /// Insert `rows`, already in the format `statement` names
    /// (`INSERT INTO db.t (a, b) FORMAT RowBinary`), in one request: acknowledged as a whole
    /// or refused as a whole.
    ///
    /// # Errors
    /// As [`ClickHouse::query`].
    pub fn insert(&self, statement: &str, rows: &[u8]) -> Result<(), ClickHouseError> {
        let mut insert = self.client.insert_formatted_with(statement);
        let rows = Bytes::copy_from_slice(rows);
        self.block(async move {
            let mut at = 0;
            while at < rows.len() {
                let end = (at + INSERT_CHUNK).min(rows.len());
                insert.send(rows.slice(at..end)).await?;
                at = end;
            }
            insert.end().await
        })
    }

    /// Insert the rows of `w` ([`RowWriter::insert`]'s statement), as [`ClickHouse::insert`].
    ///
    /// # Errors
    /// As [`ClickHouse::query`].
    pub fn insert_rows(&self, w: &RowWriter) -> Result<(), ClickHouseError> {
        self.insert(w.statement(), w.as_bytes())
    }

    /// Run `work` on the client's runtime and wait for it, at most the request timeout.
    fn block<T: Send + 'static>(
        &self,
        work: impl Future<Output = clickhouse::error::Result<T>> + Send + 'static,
    ) -> Result<T, ClickHouseError> {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let timeout = self.timeout;
        // Spawned, not `block_on`: this may be called on a thread of another runtime.
        runtime().spawn(async move {
            let _ = tx.send(tokio::time::timeout(timeout, work).await);
        });
        let url = &self.url.given;
        match rx.recv() {
            Ok(Ok(Ok(v))) => Ok(v),
            Ok(Ok(Err(e))) => Err(ClickHouseError::from_client(url, e, timeout)),
            Ok(Err(_elapsed)) => Err(ClickHouseError::TimedOut { url: url.clone(), after: timeout }),
            Err(_) => Err(ClickHouseError::Unreachable {
                url: url.clone(),
                source: clickhouse::error::Error::Custom("the request's task ended without an answer".into()),
            }),
        }
    }
}

/// A `SELECT` being built: see [`ClickHouse::select`].
#[must_use]
pub struct Select {
    query: clickhouse::query::Query,
    ch: ClickHouse,
}

impl Select {
    /// Bind the next `?` to `value`.
    pub fn bind(self, value: impl clickhouse::sql::Bind) -> Self {
        Self { query: self.query.bind(value), ch: self.ch }
    }

    /// Run it; every row decoded into a `T` (`#[derive(Row, Deserialize)]`, its fields in
    /// the columns' order: `SELECT ?fields FROM ...` names them), from RowBinary.
    ///
    /// # Errors
    /// As [`ClickHouse::query`]; an answer that is not such rows is
    /// [`ClickHouseError::Decode`].
    pub fn rows<T>(self) -> Result<Vec<T>, ClickHouseError>
    where
        T: clickhouse::RowOwned + clickhouse::RowRead + Send,
    {
        let Select { query, ch } = self;
        ch.block(async move { query.fetch_all::<T>().await })
    }

    /// Run it; the whole answer in `format` (`RowBinary`, `TabSeparated`, ...; a `FORMAT`
    /// clause in the statement wins).
    ///
    /// # Errors
    /// As [`ClickHouse::query`]; a `?` left unbound is [`ClickHouseError::Unreachable`]
    /// with the client's reason (the query is never sent).
    pub fn fetch(self, format: &str) -> Result<Vec<u8>, ClickHouseError> {
        let Select { query, ch } = self;
        let format = format.to_string();
        ch.block(async move {
            let mut cursor = query.fetch_bytes(format)?;
            Ok(cursor.collect().await?.to_vec())
        })
    }
}
