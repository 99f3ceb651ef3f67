//! A replay's run id: a hash of what determines its records (configuration, cadence, venue,
//! the events' identity). A journal directory belongs to one run id; client order ids are
//! namespaced by it.

use super::ReplayJob;

/// `replay-<16 hex digits>` of (constants, cadence plan, events, venue).
#[must_use]
pub fn run_id(job: &ReplayJob) -> String {
    let events = match job.events.as_deref() {
        None => "bundled".to_string(),
        Some(p) if p.as_os_str() == "-" => "stdin".to_string(),
        Some(p) => {
            let meta = std::fs::metadata(p).ok();
            let mtime = meta.as_ref().and_then(|m| m.modified().ok()).map(|t| format!("{t:?}")).unwrap_or_default();
            format!(
                "{}|{}|{mtime}",
                p.canonicalize().unwrap_or_else(|_| p.to_path_buf()).display(),
                meta.map_or(0, |m| m.len())
            )
        }
    };
    let text = format!("{:?}|{}|{events}|{}", job.cfg, job.plan, job.venue);
    let h = violet_domain::hash::fnv1a(text.as_bytes());
    format!("replay-{h:016x}")
}
