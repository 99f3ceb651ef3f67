//! Helpers shared by the launcher's integration tests.
#![allow(dead_code)] // each test binary uses a different subset

use std::path::PathBuf;
use std::process::{Command, Output};

/// A local clickhouse-server for this test (fails, never skips, when it cannot start).
pub fn local_server(name: &str) -> violet_clickhouse::LocalServer {
    violet_clickhouse::LocalServer::start(name).unwrap_or_else(|e| panic!("{e}"))
}

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A fresh, empty directory for this test process and `name`.
pub fn fresh_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("violet-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// Run the `violet` binary.
pub fn violet(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_violet")).args(args).output().expect("run violet")
}

/// `copies` of fixtures/streams/small-b.jsonl with scan numbers shifted so they keep increasing.
pub fn long_stream(copies: u64) -> Vec<u8> {
    let text = std::fs::read_to_string(root().join("fixtures/streams/small-b.jsonl")).expect("fixture");
    let mut out = Vec::new();
    for c in 0..copies {
        for line in text.lines() {
            let shifted = line.find("\"scan_number\":").and_then(|at| {
                let start = at + "\"scan_number\":".len();
                let end = start + line[start..].find(|ch: char| !ch.is_ascii_digit())?;
                let n: i64 = line[start..end].parse().ok()?;
                Some(format!("{}{}{}", &line[..start], n + i64::try_from(c).ok()? * 100_000, &line[end..]))
            });
            out.extend_from_slice(shifted.as_deref().unwrap_or(line).as_bytes());
            out.push(b'\n');
        }
    }
    out
}
