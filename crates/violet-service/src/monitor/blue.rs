//! BLUE's trade events, read off the reactor: a thread polls `dolphin.trade_events` and
//! hands new lines over a bounded channel, so a ClickHouse that is slow or stops answering
//! never holds up the engine's task (it only finds nothing new).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::time::{Duration, Instant};

use violet_feed::BlueTrades;

/// Batches of lines waiting, at most (the poller waits beyond).
const QUEUED: usize = 4;

/// The reader's end: new lines as they come; the poller stops when this is dropped.
#[derive(Debug)]
pub(crate) struct BlueLines {
    rx: Receiver<Vec<String>>,
    stop: Arc<AtomicBool>,
}

impl BlueLines {
    /// Poll `blue` every `every` on a thread of its own.
    pub fn spawn(mut blue: BlueTrades, every: Duration) -> Self {
        let (tx, rx) = sync_channel(QUEUED);
        let stop = Arc::new(AtomicBool::new(false));
        let halt = Arc::clone(&stop);
        let spawned = std::thread::Builder::new().name("violet-monitor".into()).spawn(move || {
            let mut failing = false;
            while !halt.load(Ordering::Relaxed) {
                let mut lines = Vec::new();
                match blue.poll(&mut lines) {
                    Ok(_) => {
                        if failing {
                            tracing::info!("divergence monitor: BLUE's trade events readable again");
                            failing = false;
                        }
                        if !lines.is_empty() && !send(&tx, lines, &halt) {
                            return;
                        }
                    }
                    Err(e) => {
                        if !failing {
                            tracing::warn!(error = %crate::run::chain(&e), "divergence monitor: BLUE's trade events unreadable; retrying");
                            failing = true;
                        }
                    }
                }
                nap(every, &halt);
            }
        });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "divergence monitor: cannot start its reader; BLUE's trade events are not read");
        }
        Self { rx, stop }
    }

    /// Every line read since the last call.
    pub fn take(&self, out: &mut Vec<String>) {
        while let Ok(batch) = self.rx.try_recv() {
            out.extend(batch);
        }
    }
}

impl Drop for BlueLines {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Hand `lines` over, waiting while the queue is full; false once the reader is gone.
fn send(tx: &SyncSender<Vec<String>>, mut lines: Vec<String>, halt: &AtomicBool) -> bool {
    loop {
        match tx.try_send(lines) {
            Ok(()) => return true,
            Err(TrySendError::Disconnected(_)) => return false,
            Err(TrySendError::Full(back)) => {
                if halt.load(Ordering::Relaxed) {
                    return false;
                }
                lines = back;
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

fn nap(d: Duration, halt: &AtomicBool) {
    let t = Instant::now();
    while !halt.load(Ordering::Relaxed) && t.elapsed() < d {
        std::thread::sleep((d - t.elapsed()).min(Duration::from_millis(20)));
    }
}
