//! Opening the launcher's inputs and outputs: files, `-` for stdin/stdout, the bundled stream.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::Path;

use anyhow::Context as _;

/// The stream replayed when no `--events` is given: a small fixture holding every poison
/// kind BLUE rejects between valid events.
pub const BUNDLED_STREAM: &[u8] = include_bytes!("../../../fixtures/streams/poison.jsonl");

/// Open `--events`: a file, `-` for stdin, or the bundled stream when absent.
pub fn open_events(path: Option<&Path>) -> anyhow::Result<Box<dyn BufRead>> {
    Ok(match path {
        None => Box::new(BUNDLED_STREAM),
        Some(p) if p == Path::new("-") => Box::new(BufReader::with_capacity(1 << 20, io::stdin())),
        Some(p) => Box::new(BufReader::with_capacity(
            1 << 20,
            File::open(p).with_context(|| format!("cannot open events file {}", p.display()))?,
        )),
    })
}

/// Create an output: a file, or `-` for stdout.
pub fn create_output(path: &Path) -> anyhow::Result<Box<dyn Write>> {
    Ok(if path == Path::new("-") {
        Box::new(BufWriter::new(io::stdout()))
    } else {
        Box::new(BufWriter::new(File::create(path).with_context(|| {
            format!("cannot create output file {}", path.display())
        })?))
    })
}
