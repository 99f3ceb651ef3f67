//! SIGTERM and SIGINT, as a task of the service's runtime: the first asks for a graceful
//! stop (a flag every loop reads, and a wake-up for the reactor), the second exits at once
//! with status 143. An immediate exit cannot corrupt the journal: the spool's torn last
//! record is cut on the next start, and what was not shipped is shipped then.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Notify;

/// The exit status of a second signal.
pub const IMMEDIATE_EXIT: i32 = 143;

/// A stop request: a flag for loops that poll, a notification for tasks that wait.
#[derive(Debug, Default)]
pub struct Stop {
    flag: AtomicBool,
    notify: Notify,
}

impl Stop {
    /// A stop not yet requested.
    #[must_use]
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Request the stop.
    pub fn request(&self) {
        self.flag.store(true, Ordering::SeqCst);
        self.notify.notify_waiters();
    }

    /// Whether the stop was requested.
    #[must_use]
    pub fn requested(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }

    /// Wait until the stop is requested.
    pub async fn wait(&self) {
        loop {
            let notified = self.notify.notified();
            if self.requested() {
                return;
            }
            notified.await;
        }
    }
}

/// Listen for SIGTERM and SIGINT on the current runtime: the first requests `stop`, the
/// second exits the process with [`IMMEDIATE_EXIT`].
///
/// # Errors
/// The OS refused a handler.
pub fn spawn(stop: Arc<Stop>) -> std::io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    tokio::spawn(async move {
        let mut seen = 0u32;
        loop {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
            seen += 1;
            if seen == 1 {
                tracing::info!("signal: stopping gracefully (a second signal exits at once)");
                stop.request();
            } else {
                std::process::exit(IMMEDIATE_EXIT);
            }
        }
    });
    Ok(())
}
