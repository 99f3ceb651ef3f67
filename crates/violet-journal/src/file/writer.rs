//! The file journal's writer thread. The appending thread (the engine's) fills a buffer and
//! hands it over when a flush bound is reached; the writer writes and fsyncs the buffers in
//! order, opens the next segment when one is full, and publishes how far the journal is
//! durable. The engine never waits on the disk, unless the writer is [`MAX_QUEUED`] buffers
//! behind (then it waits: memory stays bounded) or it asks for durability
//! ([`Writer::wait_durable`]).
//!
//! A write that fails stops the writer for good: what was queued behind it is dropped and
//! every later call returns the error, so the segment never holds records after a torn one.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

use super::segment::{SEGMENT_MAX, segment_path};

/// Buffers handed over but not yet durable, at most.
pub(crate) const MAX_QUEUED: usize = 4;

/// Called by the writer thread each time more records became durable.
pub(crate) type OnDurable = Arc<dyn Fn() + Send + Sync>;

/// How far the journal is durable: records, and the end of the last durable one (segment
/// and byte offset; every segment before it is complete).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Durable {
    pub records: u64,
    pub segment: u32,
    pub offset: u64,
}

struct Batch {
    text: String,
    records: u64,
}

struct State {
    queue: VecDeque<Batch>,
    /// Emptied buffers, handed back to the appending thread.
    spare: Vec<String>,
    /// The writer holds a batch it has not finished.
    busy: bool,
    closing: bool,
    durable: Durable,
    /// The first failure (kind, text): the writer has stopped.
    failed: Option<(io::ErrorKind, String)>,
    on_durable: Option<OnDurable>,
}

struct Shared {
    state: Mutex<State>,
    cv: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wait<'a>(&self, g: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        self.cv.wait(g).unwrap_or_else(PoisonError::into_inner)
    }
}

fn failure(f: &(io::ErrorKind, String)) -> io::Error {
    io::Error::new(f.0, f.1.clone())
}

/// The open segment the writer appends to.
pub(crate) struct Disk {
    pub dir: PathBuf,
    pub segment: u32,
    pub file: File,
    pub len: u64,
}

impl Disk {
    fn write(&mut self, text: &str) -> io::Result<()> {
        let path = || segment_path(&self.dir, self.segment);
        let at = |e: io::Error| io::Error::new(e.kind(), format!("journal segment {}: {e}", path().display()));
        self.file.write_all(text.as_bytes()).map_err(at)?;
        self.file.sync_data().map_err(at)?;
        self.len += text.len() as u64;
        if self.len >= SEGMENT_MAX {
            let next = segment_path(&self.dir, self.segment + 1);
            let at = |e: io::Error| io::Error::new(e.kind(), format!("journal segment {}: {e}", next.display()));
            self.file = OpenOptions::new().create(true).append(true).open(&next).map_err(at)?;
            File::open(&self.dir).and_then(|d| d.sync_all()).map_err(at)?;
            self.segment += 1;
            self.len = 0;
        }
        Ok(())
    }
}

/// The handle the appending thread holds; dropping it writes what is queued and joins.
pub(crate) struct Writer {
    shared: Arc<Shared>,
    handle: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").field("durable", &self.durable()).finish_non_exhaustive()
    }
}

impl Writer {
    /// Start the writer on `disk`, `records` records being durable already.
    pub(crate) fn start(disk: Disk, records: u64) -> io::Result<Self> {
        let durable = Durable { records, segment: disk.segment, offset: disk.len };
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                queue: VecDeque::with_capacity(MAX_QUEUED),
                spare: Vec::new(),
                busy: false,
                closing: false,
                durable,
                failed: None,
                on_durable: None,
            }),
            cv: Condvar::new(),
        });
        let s = Arc::clone(&shared);
        let handle = std::thread::Builder::new().name("violet-journal".into()).spawn(move || run(&s, disk))?;
        Ok(Self { shared, handle: Some(handle) })
    }

    /// Hand over `text` (`records` whole lines) and get an empty buffer back; waits while
    /// [`MAX_QUEUED`] buffers are pending.
    ///
    /// # Errors
    /// The writer's failure (nothing more is written after one).
    pub(crate) fn submit(&self, text: String, records: u64) -> io::Result<String> {
        let capacity = text.capacity();
        let mut s = self.shared.lock();
        while s.failed.is_none() && s.queue.len() >= MAX_QUEUED {
            s = self.shared.wait(s);
        }
        if let Some(f) = &s.failed {
            return Err(failure(f));
        }
        s.queue.push_back(Batch { text, records });
        self.shared.cv.notify_all();
        Ok(s.spare.pop().unwrap_or_else(|| String::with_capacity(capacity)))
    }

    /// Wait until everything handed over is durable and the [`Writer::on_durable`] hook has
    /// run for it.
    ///
    /// # Errors
    /// The writer's failure.
    pub(crate) fn wait_durable(&self) -> io::Result<()> {
        let mut s = self.shared.lock();
        while s.failed.is_none() && (s.busy || !s.queue.is_empty()) {
            s = self.shared.wait(s);
        }
        s.failed.as_ref().map_or(Ok(()), |f| Err(failure(f)))
    }

    /// How far the journal is durable now.
    pub(crate) fn durable(&self) -> Durable {
        self.shared.lock().durable
    }

    /// A view of the durable mark for another thread (the shipper).
    pub(crate) fn watch(&self) -> DurableWatch {
        DurableWatch(Arc::clone(&self.shared))
    }

    /// Call `f` (on the writer thread) each time records become durable.
    pub(crate) fn on_durable(&self, f: OnDurable) {
        self.shared.lock().on_durable = Some(f);
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.shared.lock().closing = true;
        self.shared.cv.notify_all();
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// Reads the durable mark from any thread.
#[derive(Clone)]
pub(crate) struct DurableWatch(Arc<Shared>);

impl std::fmt::Debug for DurableWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("DurableWatch").field(&self.get()).finish()
    }
}

impl DurableWatch {
    /// How far the journal is durable now.
    pub(crate) fn get(&self) -> Durable {
        self.0.lock().durable
    }
}

fn run(shared: &Shared, mut disk: Disk) {
    loop {
        let batch = {
            let mut s = shared.lock();
            loop {
                if s.failed.is_some() {
                    return;
                }
                if let Some(b) = s.queue.pop_front() {
                    s.busy = true;
                    break b;
                }
                if s.closing {
                    return;
                }
                s = shared.wait(s);
            }
        };
        let result = disk.write(&batch.text);
        let hook = {
            let mut s = shared.lock();
            match result {
                Ok(()) => {
                    s.durable =
                        Durable { records: s.durable.records + batch.records, segment: disk.segment, offset: disk.len };
                }
                Err(e) => {
                    s.failed = Some((e.kind(), e.to_string()));
                    s.queue.clear();
                }
            }
            s.on_durable.clone()
        };
        // The hook runs before the batch counts as done, so whoever waits for durability
        // also sees the hook's effect (the shipper already woken).
        if let Some(f) = hook {
            f();
        }
        let mut s = shared.lock();
        s.busy = false;
        let mut text = batch.text;
        text.clear();
        s.spare.push(text);
        shared.cv.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("violet-writer-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("dir");
        d
    }

    fn disk(dir: &std::path::Path, writable: bool) -> Disk {
        let path = segment_path(dir, 1);
        std::fs::write(&path, "").expect("create");
        let file = if writable {
            OpenOptions::new().append(true).open(&path).expect("open")
        } else {
            File::open(&path).expect("open")
        };
        Disk { dir: dir.to_path_buf(), segment: 1, file, len: 0 }
    }

    #[test]
    fn batches_become_durable_in_order_and_the_mark_follows() {
        let dir = tmp("order");
        let w = Writer::start(disk(&dir, true), 5).expect("start");
        let calls = Arc::new(AtomicU64::new(0));
        let c = Arc::clone(&calls);
        w.on_durable(Arc::new(move || {
            c.fetch_add(1, Ordering::Relaxed);
        }));
        let mut buf = String::new();
        for i in 0..10 {
            buf.push_str(&format!("line {i}\nline {i}b\n"));
            buf = w.submit(buf, 2).expect("submit");
            assert!(buf.is_empty());
        }
        w.wait_durable().expect("durable");
        let text = std::fs::read_to_string(segment_path(&dir, 1)).expect("read");
        let expected: String = (0..10).map(|i| format!("line {i}\nline {i}b\n")).collect();
        assert_eq!(text, expected);
        assert_eq!(w.durable(), Durable { records: 25, segment: 1, offset: expected.len() as u64 });
        assert_eq!(w.watch().get(), w.durable());
        assert_eq!(calls.load(Ordering::Relaxed), 10);
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_failed_write_stops_the_writer_and_every_later_call_reports_it() {
        let dir = tmp("fail");
        // A read-only handle: the first write fails.
        let w = Writer::start(disk(&dir, false), 0).expect("start");
        let buf = w.submit("a\n".to_string(), 1).expect("handed over");
        let err = w.wait_durable().expect_err("the write failed");
        assert!(err.to_string().contains("segment-000001.jsonl"), "{err}");
        assert!(w.submit(buf, 0).is_err());
        assert!(w.wait_durable().is_err());
        assert_eq!(w.durable().records, 0);
        std::fs::remove_dir_all(&dir).ok();
    }
}
