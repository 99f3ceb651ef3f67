//! The embedded journal: append-only JSON-lines segment files.
//!
//! - `segment`: segment files, and the scan that counts (and repairs) them on open;
//! - `writer`: the thread that writes and fsyncs full buffers, off the engine's thread.

mod segment;
mod writer;

use std::fs::{self, File, OpenOptions};
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::Journal;
use crate::record::{LineShape, Record};

use segment::{Expect, io_at, scan_segment};
pub(crate) use segment::{TRIMMED, segment_path, segments, trimmed_records};
use writer::{Disk, Writer};
pub(crate) use writer::{DurableWatch, OnDurable};

/// When buffered records are handed to the writer thread, which writes and fsyncs them:
/// whichever bound is reached first (checked at each append), and always on
/// [`Journal::flush`] (which also waits until they are durable).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlushPolicy {
    /// Buffered bytes.
    pub max_bytes: usize,
    /// Time since the last flush.
    pub max_interval: Duration,
}

impl Default for FlushPolicy {
    fn default() -> Self {
        Self { max_bytes: 1 << 20, max_interval: Duration::from_secs(1) }
    }
}

/// A journal directory that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// An I/O error on a named file.
    #[error("journal {path}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
    /// The directory holds another run's journal.
    #[error("journal {dir} holds run {found}, not run {expected}: use another --data-dir (or remove it)")]
    OtherRun {
        /// The directory.
        dir: PathBuf,
        /// The run id found there.
        found: String,
        /// This run's id.
        expected: String,
    },
    /// Another process has the journal open (a running service, or a second copy of it).
    #[error("journal {dir} is in use by another process (is the service running? one process per data directory)")]
    InUse {
        /// The directory.
        dir: PathBuf,
    },
    /// A record out of sequence: one before it deleted, or one repeated (never renumbered).
    #[error(
        "journal {path}: line {line} holds record {found}, expected record {expected}: a record is missing or \
         repeated (refusing to guess or renumber; restore the segment, or use another directory)"
    )]
    Gap {
        /// The segment.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// The sequence number expected there.
        expected: u64,
        /// The one found (`none`: no number).
        found: String,
    },
    /// A record of another run in a run's own journal (a segment copied in).
    #[error("journal {path}: line {line} belongs to run {found:?}, not this directory's run: a segment from elsewhere")]
    Foreign {
        /// The segment.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// Its run.
        found: String,
    },
    /// A record in the middle of the journal is damaged (only the last one may be torn).
    #[error("journal {path}: record {line} is damaged (only a torn last record is recoverable)")]
    Damaged {
        /// The segment.
        path: PathBuf,
        /// 1-based line.
        line: usize,
    },
}

const META: &str = "run.json";
/// The file whose exclusive lock marks the journal open.
const LOCK: &str = "lock";

/// An append-only journal in a directory of segment files `segment-NNNNNN.jsonl`.
#[derive(Debug)]
pub struct FileJournal {
    dir: PathBuf,
    /// Held (locked) while open.
    _lock: File,
    writer: Writer,
    buf: String,
    next_seq: u64,
    /// Records in `buf`.
    pending: u64,
    /// Records found durable on open: the first this many appended now are skipped.
    resume: u64,
    last_flush: Instant,
    policy: FlushPolicy,
    shape: LineShape,
}

impl FileJournal {
    /// Open (or create) the journal of run `run_id` in `dir`. Records already durable from
    /// an earlier, interrupted run of the same id are kept; that many first records appended
    /// now are skipped (a rerun emits the same records in the same order), so every record
    /// is journaled once.
    ///
    /// # Errors
    /// [`JournalError`]: I/O, another run's directory, or a damaged record before the last.
    pub fn open(dir: &Path, run_id: &str, policy: FlushPolicy) -> Result<Self, JournalError> {
        Self::open_as(dir, run_id, policy, true)
    }

    /// Open (or create) the journal of a long-running service in append mode: `dir` is
    /// owned by `owner` (the service's name, recorded as `service:<owner>`), a torn last
    /// record is cut as on [`FileJournal::open`], and every record appended now is kept,
    /// numbered after the ones already there. A restarted service re-journals what it
    /// re-reads; its records' ids are event-derived, so the copies collapse downstream.
    ///
    /// # Errors
    /// As [`FileJournal::open`].
    pub fn open_append(dir: &Path, owner: &str, policy: FlushPolicy) -> Result<Self, JournalError> {
        Self::open_as(dir, &format!("service:{owner}"), policy, false)
    }

    /// Empty `dir` for run `run_id` when it holds another run's journal of which `done`
    /// says nothing is still needed (a ClickHouse spool shipped to its end): everything in
    /// it but the lock file goes. Returns the other run's id when it did. A directory in
    /// use, of `run_id` itself, or whose records are still needed is left as it is (opening
    /// it then says why).
    ///
    /// # Errors
    /// An I/O error, naming the path.
    pub(crate) fn reclaim(
        dir: &Path,
        run_id: &str,
        done: impl FnOnce(&Path) -> bool,
    ) -> Result<Option<String>, JournalError> {
        let meta = dir.join(META);
        let found = match fs::read_to_string(&meta) {
            Ok(t) => t.trim().to_string(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_at(&meta)(e)),
        };
        if found == run_id {
            return Ok(None);
        }
        let lock_path = dir.join(LOCK);
        let lock =
            OpenOptions::new().create(true).truncate(false).write(true).open(&lock_path).map_err(io_at(&lock_path))?;
        if lock.try_lock().is_err() || !done(dir) {
            return Ok(None);
        }
        for entry in fs::read_dir(dir).map_err(io_at(dir))? {
            let path = entry.map_err(io_at(dir))?.path();
            if path.file_name().is_some_and(|n| n != LOCK) && path.is_file() {
                fs::remove_file(&path).map_err(io_at(&path))?;
            }
        }
        File::open(dir).and_then(|d| d.sync_all()).map_err(io_at(dir))?;
        Ok(Some(found))
    }

    fn open_as(dir: &Path, run_id: &str, policy: FlushPolicy, rerun: bool) -> Result<Self, JournalError> {
        fs::create_dir_all(dir).map_err(io_at(dir))?;
        // One writer per directory: an exclusive lock held while the journal is open (the
        // kernel drops it when the process dies, `kill -9` included).
        let lock_path = dir.join(LOCK);
        let lock =
            OpenOptions::new().create(true).truncate(false).write(true).open(&lock_path).map_err(io_at(&lock_path))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => return Err(JournalError::InUse { dir: dir.to_path_buf() }),
            Err(fs::TryLockError::Error(e)) => return Err(io_at(&lock_path)(e)),
        }
        let meta = dir.join(META);
        match fs::read_to_string(&meta) {
            Ok(text) => {
                let found = text.trim().to_string();
                if found != run_id {
                    return Err(JournalError::OtherRun { dir: dir.to_path_buf(), found, expected: run_id.to_string() });
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let mut f = File::create(&meta).map_err(io_at(&meta))?;
                f.write_all(run_id.as_bytes()).and_then(|()| f.sync_all()).map_err(io_at(&meta))?;
            }
            Err(e) => return Err(io_at(&meta)(e)),
        }
        let segs = segments(dir).map_err(io_at(dir))?;
        // Records in segments already shipped and trimmed (see `clickhouse::ship`).
        let mut durable = trimmed_records(dir);
        // Every record numbered in order from the trimmed ones on, and a run's own journal
        // holding its run's records only: a deleted or repeated line, or a segment copied in
        // from elsewhere, is refused, never renumbered.
        let mut expect = Expect { next_seq: durable, run: rerun.then_some(run_id) };
        for (k, &n) in segs.iter().enumerate() {
            durable += scan_segment(&segment_path(dir, n), k + 1 == segs.len(), &mut expect)?;
        }
        let segment = segs.last().copied().unwrap_or(1);
        let path = segment_path(dir, segment);
        let mut file = OpenOptions::new().create(true).append(true).open(&path).map_err(io_at(&path))?;
        let len = file.seek(SeekFrom::End(0)).map_err(io_at(&path))?;
        let disk = Disk { dir: dir.to_path_buf(), segment, file, len };
        let writer = Writer::start(disk, durable).map_err(io_at(dir))?;
        Ok(Self {
            dir: dir.to_path_buf(),
            _lock: lock,
            writer,
            buf: String::with_capacity(policy.max_bytes + 4096),
            next_seq: if rerun { 0 } else { durable },
            pending: 0,
            resume: if rerun { durable } else { 0 },
            last_flush: Instant::now(),
            policy,
            shape: LineShape::File,
        })
    }

    /// Write the ClickHouse spool's lines instead of the file journal's (see
    /// [`LineShape`]); before the first append.
    pub(crate) fn spool_lines(mut self) -> Self {
        self.shape = LineShape::Spool;
        self
    }

    /// The journal's directory.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Records durable in the journal (including those found on open).
    #[must_use]
    pub fn durable_records(&self) -> u64 {
        self.writer.durable().records
    }

    /// A view of the durable mark (records, segment, offset) for another thread.
    pub(crate) fn watch(&self) -> DurableWatch {
        self.writer.watch()
    }

    /// Call `f` on the writer thread each time records become durable.
    pub(crate) fn on_durable(&self, f: OnDurable) {
        self.writer.on_durable(f);
    }

    /// Every record line of the journal in `dir`, in order (for tools and tests).
    ///
    /// # Errors
    /// An I/O error.
    pub fn read_all(dir: &Path) -> io::Result<Vec<String>> {
        let mut out = Vec::new();
        for n in segments(dir)? {
            let text = fs::read_to_string(segment_path(dir, n))?;
            out.extend(text.lines().map(str::to_string));
        }
        Ok(out)
    }

    /// Hand the buffered records to the writer thread (they become durable shortly after).
    fn hand_over(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let full = std::mem::take(&mut self.buf);
        self.buf = self.writer.submit(full, self.pending)?;
        self.pending = 0;
        self.last_flush = Instant::now();
        Ok(())
    }
}

impl Journal for FileJournal {
    fn append(&mut self, record: &Record<'_>) -> io::Result<()> {
        let seq = self.next_seq;
        self.next_seq += 1;
        if seq < self.resume {
            return Ok(()); // already journaled by an interrupted run of the same id
        }
        record.write_line(seq, self.shape, &mut self.buf);
        self.buf.push('\n');
        self.pending += 1;
        if self.buf.len() >= self.policy.max_bytes || self.last_flush.elapsed() >= self.policy.max_interval {
            self.hand_over()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.hand_over()?;
        self.writer.wait_durable()
    }
}

impl Drop for FileJournal {
    fn drop(&mut self) {
        // What is buffered is handed over; dropping the writer writes the queue and joins.
        let _ = self.hand_over();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Col, RecordKind};

    fn rec(i: u64) -> String {
        format!("{{\"n\":{i}}}")
    }

    fn write(dir: &Path, n: u64) -> Result<FileJournal, JournalError> {
        let mut j = FileJournal::open(dir, "run-a", FlushPolicy::default())?;
        append_n(&mut j, n);
        Ok(j)
    }

    #[test]
    fn a_journal_open_elsewhere_is_refused_and_free_again_once_closed() {
        let dir = std::env::temp_dir().join(format!("violet-journal-lock-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let first = FileJournal::open_append(&dir, "svc", FlushPolicy::default()).expect("first");
        let second = FileJournal::open_append(&dir, "svc", FlushPolicy::default());
        assert!(matches!(&second, Err(JournalError::InUse { dir: d }) if d == &dir), "{second:?}");
        let text = second.expect_err("in use").to_string();
        assert!(text.contains("in use by another process"), "{text}");
        drop(first);
        FileJournal::open_append(&dir, "svc", FlushPolicy::default()).expect("free once closed");
        let _ = fs::remove_dir_all(&dir);
    }

    fn append_n(j: &mut FileJournal, n: u64) {
        for i in 0..n {
            let body = rec(i);
            let id = format!("t:{i}");
            j.append(&Record {
                kind: RecordKind::Rejection,
                id: &id,
                run: "run-a",
                version: 1,
                cols: &[Col::Int(0)],
                body: Some(&body),
            })
            .expect("append");
        }
    }

    #[test]
    fn append_mode_keeps_every_record_and_numbers_on_after_a_torn_one() {
        let dir = tmp("append");
        let mut j = FileJournal::open_append(&dir, "svc", FlushPolicy::default()).expect("open");
        append_n(&mut j, 3);
        drop(j);
        OpenOptions::new()
            .append(true)
            .open(segment_path(&dir, 1))
            .and_then(|mut f| f.write_all(b"{\"seq\":3,\"ki"))
            .expect("tear");
        let mut j = FileJournal::open_append(&dir, "svc", FlushPolicy::default()).expect("reopen");
        append_n(&mut j, 2);
        drop(j);
        let lines = FileJournal::read_all(&dir).expect("read");
        let seqs: Vec<String> = lines.iter().map(|l| l[..l.find(',').expect("comma")].to_string()).collect();
        assert_eq!(seqs, ["{\"seq\":0", "{\"seq\":1", "{\"seq\":2", "{\"seq\":3", "{\"seq\":4"]);
        // A replay's journal is not a service's, nor another service's.
        assert!(matches!(FileJournal::open(&dir, "run-a", FlushPolicy::default()), Err(JournalError::OtherRun { .. })));
        assert!(matches!(
            FileJournal::open_append(&dir, "other", FlushPolicy::default()),
            Err(JournalError::OtherRun { .. })
        ));
        fs::remove_dir_all(&dir).ok();
    }

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("violet-journal-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn a_torn_last_record_is_dropped_and_a_rerun_completes_the_journal_once() {
        let dir = tmp("torn");
        let mut j = write(&dir, 10).expect("open");
        j.flush().expect("flush");
        drop(j);
        // Simulate a crash mid-write: half a record at the end.
        let seg = segment_path(&dir, 1);
        OpenOptions::new()
            .append(true)
            .open(&seg)
            .and_then(|mut f| f.write_all(b"{\"seq\":10,\"kind\":\"dec"))
            .expect("tear");
        // Rerun of the same run: 25 records emitted, the first 10 already there.
        let mut j = write(&dir, 25).expect("reopen");
        assert_eq!(j.resume, 10);
        j.flush().expect("flush");
        drop(j);
        let lines = FileJournal::read_all(&dir).expect("read");
        assert_eq!(lines.len(), 25);
        for (i, l) in lines.iter().enumerate() {
            assert!(l.starts_with(&format!("{{\"seq\":{i},")), "{l}");
            assert!(l.ends_with(&format!("\"body\":{}}}", rec(i as u64))), "{l}");
        }
        fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn another_run_and_damage_in_the_middle_are_refused() {
        let dir = tmp("other");
        write(&dir, 3).expect("open").flush().expect("flush");
        assert!(matches!(FileJournal::open(&dir, "run-b", FlushPolicy::default()), Err(JournalError::OtherRun { .. })));
        let seg = segment_path(&dir, 1);
        let text = fs::read_to_string(&seg).expect("read").replacen("\"seq\":1", "\"seq\":1,,", 1);
        fs::write(&seg, text).expect("write");
        assert!(matches!(
            FileJournal::open(&dir, "run-a", FlushPolicy::default()),
            Err(JournalError::Damaged { line: 2, .. })
        ));
        fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_deleted_a_repeated_or_a_foreign_record_is_refused_naming_segment_and_line() {
        let seg_of = |dir: &Path| segment_path(dir, 1);
        let lines = |dir: &Path| -> Vec<String> {
            fs::read_to_string(seg_of(dir)).expect("read").lines().map(|l| format!("{l}\n")).collect()
        };
        // A line deleted in the middle.
        let dir = tmp("gap");
        write(&dir, 4).expect("open").flush().expect("flush");
        let mut l = lines(&dir);
        l.remove(1);
        fs::write(seg_of(&dir), l.concat()).expect("write");
        let e = FileJournal::open(&dir, "run-a", FlushPolicy::default()).expect_err("a gap");
        assert!(matches!(&e, JournalError::Gap { line: 2, expected: 1, .. }), "{e:?}");
        assert!(e.to_string().contains("segment-000001.jsonl: line 2 holds record 2, expected record 1"), "{e}");
        // A line repeated (still valid JSON).
        let dir2 = tmp("repeat");
        write(&dir2, 3).expect("open").flush().expect("flush");
        let mut l = lines(&dir2);
        l.insert(1, l[0].clone());
        fs::write(seg_of(&dir2), l.concat()).expect("write");
        let e = FileJournal::open(&dir2, "run-a", FlushPolicy::default()).expect_err("a repeat");
        assert!(matches!(&e, JournalError::Gap { line: 2, expected: 1, .. }), "{e:?}");
        // A segment of another run copied in.
        let dir3 = tmp("foreign");
        write(&dir3, 3).expect("open").flush().expect("flush");
        let text = fs::read_to_string(seg_of(&dir3)).expect("read").replace("\"run\":\"run-a\"", "\"run\":\"run-z\"");
        fs::write(seg_of(&dir3), text).expect("write");
        let e = FileJournal::open(&dir3, "run-a", FlushPolicy::default()).expect_err("foreign");
        assert!(matches!(&e, JournalError::Foreign { line: 1, .. }), "{e:?}");
        for d in [dir, dir2, dir3] {
            fs::remove_dir_all(d).ok();
        }
    }

    #[test]
    fn records_are_buffered_until_a_bound() {
        let dir = tmp("buffer");
        let policy = FlushPolicy { max_bytes: 1 << 20, max_interval: Duration::from_secs(3600) };
        let mut j = FileJournal::open(&dir, "run-a", policy).expect("open");
        for i in 0..100 {
            let body = rec(i);
            let cols = [Col::Int(1), Col::Str("ENTRY")];
            j.append(&Record {
                kind: RecordKind::Trade,
                id: "x",
                run: "run-a",
                version: 1,
                cols: &cols,
                body: Some(&body),
            })
            .expect("append");
        }
        assert_eq!(FileJournal::read_all(&dir).expect("read").len(), 0, "not once per event");
        j.flush().expect("flush");
        assert_eq!(FileJournal::read_all(&dir).expect("read").len(), 100);
        fs::remove_dir_all(&dir).ok();
    }
}
