//! Validate a whole stream: what `violet check` does.

use std::io::{self, BufRead};

use super::rejection::Rejection;
use super::stream::{EventStream, StreamCounts};

/// Read `input` line by line (split at LF only), validate every event, hand each
/// rejection to `on_reject`, and return the counts.
///
/// # Errors
/// An I/O error from `input` or from `on_reject`.
pub fn check_stream<R: BufRead>(
    mut input: R,
    mut on_reject: impl FnMut(&Rejection) -> io::Result<()>,
) -> io::Result<StreamCounts> {
    let mut stream = EventStream::new();
    let mut buf = Vec::with_capacity(64 * 1024);
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        if let Err(r) = stream.next_line(&buf) {
            on_reject(&r)?;
        }
    }
    Ok(stream.counts())
}
