//! The feed task: polls the feed on a blocking thread (the ClickHouse feed makes HTTP
//! calls; stdin is read by a thread of its own) and sends batches of lines to the reactor,
//! with backoff while the source fails. A bounded channel: when the reactor is behind, the
//! feed waits.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use violet_feed::Feed;

use super::chain;
use crate::metrics::Health;
use crate::signals::Stop;

/// What the feed hands the reactor.
#[derive(Debug)]
pub enum FeedMsg {
    /// Lines, in order, and when the feed had them.
    Lines(Vec<Vec<u8>>, Instant),
    /// The input has ended for good (stdin closed).
    Ended,
}

/// Sleep up to `d`, returning early when `stop` is requested.
fn nap(d: Duration, stop: &Stop) {
    let t = std::time::Instant::now();
    while !stop.requested() && t.elapsed() < d {
        std::thread::sleep((d - t.elapsed()).min(Duration::from_millis(20)));
    }
}

/// Start polling `feed` every `poll` (when it had nothing) on a blocking thread; batches
/// arrive on the returned channel. Each poll's outcome goes to `health`.
pub fn spawn(
    mut feed: Box<dyn Feed + Send>,
    poll: Duration,
    stop: Arc<Stop>,
    health: Arc<Health>,
) -> mpsc::Receiver<FeedMsg> {
    let (tx, rx) = mpsc::channel(4);
    tokio::task::spawn_blocking(move || {
        let mut backoff = poll;
        while !stop.requested() {
            let mut lines = Vec::new();
            match feed.poll(&mut lines) {
                Ok(more) => {
                    health.feed_ok();
                    backoff = poll;
                    let empty = lines.is_empty();
                    if !empty && tx.blocking_send(FeedMsg::Lines(lines, Instant::now())).is_err() {
                        return;
                    }
                    if !more {
                        let _ = tx.blocking_send(FeedMsg::Ended);
                        return;
                    }
                    if empty {
                        nap(poll, &stop);
                    }
                }
                Err(e) => {
                    health.feed_failed(&chain(&e));
                    if e.is_transient() {
                        tracing::warn!(error = %chain(&e), "feed unreachable; retrying");
                    } else {
                        tracing::error!(error = %chain(&e), "feed query refused; retrying");
                    }
                    nap(backoff, &stop);
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                }
            }
        }
    });
    rx
}
