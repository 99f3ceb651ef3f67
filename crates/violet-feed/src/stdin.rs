//! JSON lines on standard input (or any reader), for bridges from other sources.

use std::io::{BufRead, BufReader, Read};
use std::sync::mpsc::{Receiver, TryRecvError, sync_channel};

use crate::feed::{Feed, FeedError};

/// Lines read by a background thread; `poll` takes what has arrived.
#[derive(Debug)]
pub struct StdinFeed {
    rx: Receiver<Option<Vec<u8>>>,
    batch: usize,
    ended: bool,
}

impl StdinFeed {
    /// Read standard input.
    #[must_use]
    pub fn stdin(batch: usize) -> Self {
        Self::from_reader(std::io::stdin(), batch)
    }

    /// Read `input` (lines end at LF; a last line without one counts), bytes as they are.
    #[must_use]
    pub fn from_reader<R: Read + Send + 'static>(input: R, batch: usize) -> Self {
        let (tx, rx) = sync_channel(batch.max(1) * 4);
        std::thread::Builder::new()
            .name("violet-stdin".into())
            .spawn(move || {
                let mut r = BufReader::new(input);
                let mut buf = Vec::new();
                loop {
                    buf.clear();
                    match r.read_until(b'\n', &mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {
                            if buf.ends_with(b"\n") {
                                buf.pop();
                            }
                            if tx.send(Some(std::mem::take(&mut buf))).is_err() {
                                return;
                            }
                        }
                    }
                }
                let _ = tx.send(None);
            })
            .ok();
        Self { rx, batch: batch.max(1), ended: false }
    }
}

impl Feed for StdinFeed {
    fn poll(&mut self, out: &mut Vec<Vec<u8>>) -> Result<bool, FeedError> {
        for _ in 0..self.batch {
            if self.ended {
                break;
            }
            match self.rx.try_recv() {
                Ok(Some(line)) => out.push(line),
                Ok(None) | Err(TryRecvError::Disconnected) => self.ended = true,
                Err(TryRecvError::Empty) => break,
            }
        }
        Ok(!self.ended)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_arrives_in_order_then_the_end() {
        let text: String = (0..1000).map(|i| format!("{{\"n\":{i}}}\n")).collect::<String>() + "last";
        let mut f = StdinFeed::from_reader(std::io::Cursor::new(text.into_bytes()), 64);
        let mut out = Vec::new();
        let t = std::time::Instant::now();
        while f.poll(&mut out).expect("poll") {
            assert!(t.elapsed() < std::time::Duration::from_secs(10), "stuck");
            std::thread::yield_now();
        }
        assert_eq!(out.len(), 1001);
        assert_eq!(out[0], b"{\"n\":0}");
        assert_eq!(out[999], b"{\"n\":999}");
        assert_eq!(out[1000], b"last");
    }
}
