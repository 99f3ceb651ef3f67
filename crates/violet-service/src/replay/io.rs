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
        let file = File::create(path).map_err(|e| format!("cannot create output file {}: {e}", path.display()))?;
        Box::new(BufWriter::new(NamedOutput { path: path.to_path_buf(), file }))
    })
}

/// A write to a named output failed: which file, and the OS's error (ENOSPC: the disk or
/// device holding it is full — the environment, not VIOLET).
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}: {error}{}", path.display(), if error.kind() == io::ErrorKind::StorageFull { " (the device holding it is full)" } else { "" })]
pub struct OutputError {
    /// The file.
    pub path: std::path::PathBuf,
    /// The OS's error (shown in the message, not a separate cause: said once).
    pub error: io::Error,
}

impl OutputError {
    /// The [`OutputError`] inside `e`, if `e` is a named output's failure.
    #[must_use]
    pub fn inside(e: &io::Error) -> Option<&Self> {
        e.get_ref().and_then(|i| i.downcast_ref::<Self>())
    }
}

/// A file whose write errors name it.
struct NamedOutput {
    path: std::path::PathBuf,
    file: File,
}

impl NamedOutput {
    fn named(&self, e: io::Error) -> io::Error {
        io::Error::new(e.kind(), OutputError { path: self.path.clone(), error: e })
    }
}

impl Write for NamedOutput {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf).map_err(|e| self.named(e))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush().map_err(|e| self.named(e))
    }
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
