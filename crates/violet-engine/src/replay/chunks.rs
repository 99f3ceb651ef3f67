//! Reading a stream in large chunks that end at a line boundary.

use std::io::{self, Read};

/// Yields chunks of about `size` bytes, each ending just after an LF (the last one may
/// end without). A line longer than `size` makes a longer chunk.
#[derive(Debug)]
pub struct Chunks<R> {
    input: R,
    carry: Vec<u8>,
    eof: bool,
    size: usize,
}

impl<R: Read> Chunks<R> {
    /// Chunks of about `size` bytes from `input`.
    pub fn new(input: R, size: usize) -> Self {
        Self { input, carry: Vec::new(), eof: false, size: size.max(1) }
    }

    /// Fill `out` (cleared first; its allocation is reused, so steady-state reading
    /// touches no fresh memory) with the next chunk; `false` at the end.
    ///
    /// # Errors
    /// The input's I/O error.
    pub fn next_into(&mut self, out: &mut Vec<u8>) -> io::Result<bool> {
        out.clear();
        out.extend_from_slice(&self.carry);
        self.carry.clear();
        let mut scanned = 0;
        loop {
            while out.len() < self.size + scanned && !self.eof {
                let want = (self.size + scanned - out.len()).max(64 * 1024) as u64;
                // read_to_end appends without zeroing what it has already initialised.
                let n = (&mut self.input).take(want).read_to_end(out)?;
                if n == 0 {
                    self.eof = true;
                }
            }
            if self.eof {
                return Ok(!out.is_empty());
            }
            if let Some(p) = out[scanned..].iter().rposition(|&b| b == b'\n') {
                let cut = scanned + p + 1;
                self.carry.extend_from_slice(&out[cut..]);
                out.truncate(cut);
                return Ok(true);
            }
            // No line end yet: a very long line; read more.
            scanned = out.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_end_at_line_boundaries_and_lose_nothing() {
        let text: Vec<u8> =
            (0..1000).flat_map(|i| format!("line {i} {}\n", "x".repeat(i % 37)).into_bytes()).chain(*b"tail").collect();
        for size in [1, 7, 64, 1000, 1 << 20] {
            let mut c = Chunks::new(&text[..], size);
            let mut all = Vec::new();
            let mut n = 0;
            let mut ch = Vec::new();
            while c.next_into(&mut ch).expect("read") {
                n += 1;
                if all.len() + ch.len() < text.len() {
                    assert_eq!(ch.last(), Some(&b'\n'), "size {size}");
                }
                all.extend_from_slice(&ch);
            }
            assert_eq!(all, text, "size {size}");
            assert!(n >= 1);
        }
    }
}
