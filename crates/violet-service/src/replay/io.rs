//! A replay's inputs and outputs: files, `-` for stdin/stdout, the bundled stream.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The stream used when no events file is given: 1,000 scans of 20 assets with ticks and 1%
/// poison (`fixtures/streams/small-a.jsonl`; BLUE's trades for it are beside it).
pub const BUNDLED_STREAM: &[u8] = include_bytes!("../../../../fixtures/streams/small-a.jsonl");

/// Open an events input: a file, `-` for stdin, or the bundled stream when absent.
///
/// # Errors
/// The file cannot be opened (the message names it).
pub fn open_events(path: Option<&Path>) -> Result<Box<dyn BufRead + Send>, String> {
    Ok(match path {
        None => Box::new(BUNDLED_STREAM),
        Some(p) if p == Path::new("-") => Box::new(BufReader::with_capacity(1 << 20, io::stdin())),
        Some(p) => Box::new(BufReader::with_capacity(
            1 << 20,
            File::open(p).map_err(|e| format!("cannot open events file {}: {e}", p.display()))?,
        )),
    })
}

/// Create an output: a file, or `-` for stdout.
///
/// # Errors
/// The file cannot be created (the message names it).
pub fn create_output(path: &Path) -> Result<Box<dyn Write>, String> {
    Ok(if path == Path::new("-") {
        Box::new(BufWriter::new(io::stdout()))
    } else {
        Box::new(BufWriter::new(
            File::create(path).map_err(|e| format!("cannot create output file {}: {e}", path.display()))?,
        ))
    })
}

/// An input that remembers whether reading it failed (so a command can tell unreadable
/// input, exit 2, from its own failures, exit 1).
pub struct TrackedInput {
    inner: Box<dyn BufRead + Send>,
    failed: Arc<AtomicBool>,
}

impl TrackedInput {
    /// Track `inner`.
    pub fn new(inner: Box<dyn BufRead + Send>) -> Self {
        Self { inner, failed: Arc::new(AtomicBool::new(false)) }
    }

    /// A flag set when a read failed.
    pub fn failed_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.failed)
    }
}

impl io::Read for TrackedInput {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let r = self.inner.read(buf);
        if r.is_err() {
            self.failed.store(true, Ordering::Relaxed);
        }
        r
    }
}

impl BufRead for TrackedInput {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let r = self.inner.fill_buf();
        if r.is_err() {
            self.failed.store(true, Ordering::Relaxed);
        }
        r
    }

    fn consume(&mut self, amt: usize) {
        self.inner.consume(amt);
    }
}
