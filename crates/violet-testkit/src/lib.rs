//! # violet-testkit
//!
//! Test support, used only by tests, benchmarks and `xtask` (no production crate depends
//! on it): production crates hold no test servers.
//!
//! - [`LocalServer`]: a throwaway ClickHouse server on loopback (Debian's
//!   `clickhouse-server`, a fresh data folder), killed and removed on drop. A test that needs
//!   it fails when it cannot start, naming the package; it never skips.
//! - [`stub_http::serve`]: a scripted stand-in for ClickHouse's HTTP interface (answers
//!   no real server gives on demand: a 503, a refusal; or nothing but `200 OK`).
//! - [`with_dense_ticks`]: a stream with ticks between its scans (for the stop-loss guard).
//! - [`root`], [`fixture`], [`fresh_dir`]: the workspace's paths and a clean directory per
//!   test.

mod local;
pub mod stub_http;
mod ticks;

use std::path::PathBuf;

pub use local::{LocalServer, LocalServerError, SERVER_BINARY};
pub use ticks::with_dense_ticks;

/// The workspace root.
#[must_use]
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A file under `fixtures/` (e.g. `streams/small-a.jsonl`).
#[must_use]
pub fn fixture(path: &str) -> PathBuf {
    root().join("fixtures").join(path)
}

/// A fresh, empty directory for this test process and `name` under the system's
/// temporary directory.
///
/// # Panics
/// When it cannot be made (a test cannot run without it).
#[must_use]
pub fn fresh_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("violet-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    #[allow(clippy::expect_used)] // a test helper: no directory, no test
    std::fs::create_dir_all(&d).expect("a temporary directory");
    d
}
