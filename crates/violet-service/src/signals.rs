//! SIGTERM and SIGINT: the first asks for a graceful stop (a flag the loop reads between
//! events), the second exits at once with status 143. An immediate exit cannot corrupt the
//! journal: the spool's torn last record is cut on the next start, and what was not shipped
//! is shipped then.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// The exit status of a second signal.
pub const IMMEDIATE_EXIT: i32 = 143;

/// Install the handlers; the returned flag turns true on the first signal.
///
/// # Errors
/// The OS refused a handler.
pub fn install() -> std::io::Result<Arc<AtomicBool>> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [SIGTERM, SIGINT] {
        // Order matters: the conditional exit sees the flag as it was before this signal.
        signal_hook::flag::register_conditional_shutdown(sig, IMMEDIATE_EXIT, Arc::clone(&stop))?;
        signal_hook::flag::register(sig, Arc::clone(&stop))?;
    }
    Ok(stop)
}
