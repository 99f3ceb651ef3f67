//! A replay's run id: a hash of what determines its records (configuration, cadence, venue,
//! the events' identity). A journal directory belongs to one run id; client order ids are
//! namespaced by it.

use super::ReplayJob;

/// The bytes of a file's head and tail that go into its fingerprint.
const EDGE: u64 = 1 << 20;

/// FNV-1a of a file's first and last [`EDGE`] bytes (all of it when smaller): with its
/// length and modification time, what tells one content from another without reading a
/// large stream twice.
fn fingerprint(p: &std::path::Path, len: u64) -> u64 {
    use std::io::{Read as _, Seek as _, SeekFrom};
    let Ok(mut f) = std::fs::File::open(p) else { return 0 };
    let mut buf = Vec::new();
    let _ = (&mut f).take(EDGE).read_to_end(&mut buf);
    if len > 2 * EDGE && f.seek(SeekFrom::Start(len - EDGE)).is_ok() {
        let _ = f.take(EDGE).read_to_end(&mut buf);
    } else if len > EDGE {
        let _ = f.read_to_end(&mut buf);
    }
    violet_domain::hash::fnv1a(&buf)
}

/// `replay-<16 hex digits>` of (constants, cadence plan, events, venue, slots). A file's identity
/// is its path, length, modification time and content fingerprint; a stream read from
/// stdin cannot be told from another, so each gets a run of its own (its start instant).
#[must_use]
pub fn run_id(job: &ReplayJob) -> String {
    let events = match job.events.as_deref() {
        None => "bundled".to_string(),
        // stdin, and any file that is not a regular one (a pipe, `/dev/stdin`: reading it to
        // fingerprint it would consume the stream).
        Some(p) if p.as_os_str() == "-" || !std::fs::metadata(p).is_ok_and(|m| m.is_file()) => {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            format!("stdin@{}", now.as_nanos())
        }
        Some(p) => {
            let meta = std::fs::metadata(p).ok();
            let mtime = meta.as_ref().and_then(|m| m.modified().ok()).map(|t| format!("{t:?}")).unwrap_or_default();
            let len = meta.map_or(0, |m| m.len());
            format!(
                "{}|{len}|{mtime}|{:016x}",
                p.canonicalize().unwrap_or_else(|_| p.to_path_buf()).display(),
                fingerprint(p, len)
            )
        }
    };
    // Several slots decide other trades: a run of their own (one slot keeps the old ids).
    let slots = if job.n_slots > 1 { format!("|slots={}", job.n_slots) } else { String::new() };
    let text = format!("{:?}|{}|{events}|{}{slots}", job.cfg, job.plan, job.venue);
    let h = violet_domain::hash::fnv1a(text.as_bytes());
    format!("replay-{h:016x}")
}
