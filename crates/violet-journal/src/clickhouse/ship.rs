//! The ClickHouse journal: records go to the spool (a [`FileJournal`]) first; a shipper
//! thread reads what is durable there, inserts it in batches, records how far it got
//! (fsynced), and trims fully shipped segments. While the server is down it retries with
//! backoff and the spool keeps growing; after a restart of either side it resumes from the
//! last acknowledged position. Rows carry event-derived ids into ReplacingMergeTree tables,
//! so a batch retried after a lost answer only adds duplicates that collapse under FINAL.

use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::rows::Rows;
use crate::Journal;
use crate::file::{
    DurableWatch, FileJournal, FlushPolicy, JournalError, TRIMMED, segment_path, segments, trimmed_records,
};
use crate::record::{Record, RecordKind};
use violet_clickhouse::{ClickHouse, ClickHouseError, RowWriter};

const ACK: &str = "shipped";
/// Records per insert batch (at most).
const BATCH: usize = 50_000;
/// Bytes read from the spool per round (at most, unless one record is longer).
const BATCH_BYTES: u64 = 24 << 20;
/// Shortest time between two shipping rounds, unless a full batch waits or the journal is
/// finishing.
const SHIP_INTERVAL: Duration = Duration::from_millis(100);

/// What the shipper did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ShipStats {
    /// Records inserted (acknowledged by the server).
    pub shipped: u64,
    /// Insert attempts that failed and were retried.
    pub retries: u64,
    /// Batches whose first insert failed (each logged once, with the server's answer).
    pub failures: u64,
}

/// What waits in the spool for ClickHouse (for metrics and readiness).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Backlog {
    /// Bytes durable in the spool and not yet acknowledged by the server.
    pub bytes: u64,
    /// How long the oldest of them has been durable (`None`: nothing waits). An upper
    /// bound: it is the age of the oldest flush still waiting, at most the record's age plus
    /// the spool's flush interval.
    pub oldest: Option<Duration>,
}

/// At most this many flushes are told apart in the backlog's ages; beyond, the newest one
/// absorbs the next (its age then over-states theirs, never under-states).
const BACKLOG_MARKS: usize = 4096;

/// Shipping that failed for good (an unreachable server is retried, not an error).
#[derive(Debug, thiserror::Error)]
pub enum ShipError {
    /// The server refused a query (4xx): the rows or the schema are wrong.
    #[error(transparent)]
    ClickHouse(#[from] ClickHouseError),
    /// The spool directory failed (I/O, a line that is not a record, or records left
    /// unshipped when the time to finish ran out).
    #[error("journal spool {path}")]
    Spool {
        /// The spool directory.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
}

impl ShipError {
    /// Whether the time to finish ran out with records still in the spool (every one of
    /// them durable: a later run with the same spool ships them).
    #[must_use]
    pub fn is_timeout(&self) -> bool {
        matches!(self, ShipError::Spool { source, .. } if source.kind() == io::ErrorKind::TimedOut)
    }

    /// Whether the records that did not ship are all still durable in the spool: the time
    /// ran out, or the server refused them for good (they ship once the cause is fixed).
    #[must_use]
    pub fn leaves_records(&self) -> bool {
        self.is_timeout() || matches!(self, ShipError::ClickHouse(e) if !e.is_transient())
    }
}

/// A ClickHouse journal: a spool directory plus a shipper thread.
#[derive(Debug)]
pub struct ClickHouseJournal {
    dir: PathBuf,
    spool: FileJournal,
    signal: Arc<Signal>,
    shipper: Option<JoinHandle<Result<ShipStats, ShipError>>>,
    /// The shipper's result arrives here when it stops.
    done: mpsc::Receiver<()>,
}

/// Shipping position: segment number and byte offset in it (ordered: segment, then offset).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
struct Position {
    segment: u32,
    offset: u64,
}

fn read_ack(dir: &Path) -> Position {
    let t = fs::read_to_string(dir.join(ACK)).unwrap_or_default();
    let mut it = t.split_whitespace().filter_map(|x| x.parse::<u64>().ok());
    match (it.next(), it.next()) {
        (Some(s), Some(o)) => Position { segment: u32::try_from(s).unwrap_or(1), offset: o },
        _ => Position { segment: segments(dir).ok().and_then(|v| v.first().copied()).unwrap_or(1), offset: 0 },
    }
}

/// Bytes of the spool in `dir` from `from` to `to` (segments in between counted whole).
fn spool_bytes(dir: &Path, from: Position, to: Position) -> u64 {
    if to <= from {
        return 0;
    }
    if to.segment == from.segment {
        return to.offset - from.offset;
    }
    let len = |n: u32| fs::metadata(segment_path(dir, n)).map_or(0, |m| m.len());
    let middle: u64 = (from.segment + 1..to.segment).map(len).sum();
    len(from.segment).saturating_sub(from.offset) + middle + to.offset
}

fn write_atomically(dir: &Path, name: &str, text: &str) -> io::Result<()> {
    let tmp = dir.join(format!("{name}.tmp"));
    let mut f = File::create(&tmp)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    fs::rename(&tmp, dir.join(name))?;
    File::open(dir)?.sync_all()
}

/// Wakes the shipper when the spool made records durable, and tells it to finish.
#[derive(Debug, Default)]
struct Signal {
    state: Mutex<(bool, bool)>,
    cv: Condvar,
    /// Mirrors of the shipper's stats, for [`ClickHouseJournal::progress`].
    shipped: AtomicU64,
    retries: AtomicU64,
    failures: AtomicU64,
    /// Why the server refused a batch for good (4xx): shipping has stopped.
    refused: Mutex<Option<String>>,
    /// The journal gave up on the shipper (its finish timed out, or it was dropped): stop
    /// retrying and end.
    abandoned: std::sync::atomic::AtomicBool,
    /// Where the server's acknowledgement stands, and each flush not yet acknowledged
    /// (where it ended, when it became durable), oldest first.
    backlog: Mutex<(Position, std::collections::VecDeque<(Position, Instant)>)>,
}

impl Signal {
    fn backlog(&self) -> std::sync::MutexGuard<'_, (Position, std::collections::VecDeque<(Position, Instant)>)> {
        self.backlog.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records up to `end` became durable now.
    fn durable(&self, end: Position) {
        let mut b = self.backlog();
        if end <= b.0 {
            return;
        }
        if b.1.len() >= BACKLOG_MARKS
            && let Some(last) = b.1.back_mut()
        {
            last.0 = end;
        } else {
            b.1.push_back((end, Instant::now()));
        }
    }

    /// The server acknowledged everything up to `pos`.
    fn acknowledged(&self, pos: Position) {
        let mut b = self.backlog();
        b.0 = pos;
        while b.1.front().is_some_and(|(end, _)| *end <= pos) {
            b.1.pop_front();
        }
    }

    fn set(&self, finish: bool) {
        let mut s = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        s.0 = true;
        s.1 |= finish;
        self.cv.notify_one();
    }

    /// New records are durable in the spool.
    fn wake(&self) {
        self.set(false);
    }

    /// Ship what is left, then stop.
    fn finish(&self) {
        self.set(true);
    }

    /// Stop for good: no more retries, no more rounds.
    fn abandon(&self) {
        self.abandoned.store(true, Ordering::Relaxed);
        self.set(true);
    }

    fn abandoned(&self) -> bool {
        self.abandoned.load(Ordering::Relaxed)
    }

    fn finishing(&self) -> bool {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner).1
    }

    /// Wait for a wake-up (at most `timeout`: the spool is also read then), and consume it.
    fn wait(&self, timeout: Duration) {
        let s = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (mut s, _) =
            self.cv.wait_timeout_while(s, timeout, |s| !s.0).unwrap_or_else(std::sync::PoisonError::into_inner);
        s.0 = false;
    }
}

/// The first line of an error's text (a server's answer can run to pages).
fn first_line(e: &ClickHouseError) -> String {
    e.to_string().lines().next().unwrap_or_default().chars().take(300).collect()
}

/// Run one insert, retrying with backoff while the server cannot take it (unreachable, too
/// slow, or a refusal that says "not now": [`ClickHouseError::is_transient`]); any other
/// refusal is final: the records stay in the spool. The first failure of a
/// batch is logged with the server's answer and counted; a recovery after retries is
/// logged too; the retries in between are counted, not logged.
fn insert(ch: &ClickHouse, stats: &mut ShipStats, signal: &Signal, rows: &RowWriter) -> Result<(), ClickHouseError> {
    let mut backoff = Duration::from_millis(50);
    let mut failed = 0u64;
    loop {
        match ch.insert_rows(rows) {
            Ok(_) => {
                if failed > 0 {
                    tracing::info!(retries = failed, "ClickHouse took the batch after retrying");
                }
                return Ok(());
            }
            Err(e) if !e.is_transient() => {
                let why = first_line(&e);
                tracing::error!(
                    error = %why,
                    "ClickHouse refused a batch: not retried, shipping stopped; every record stays in the \
                     spool. Fix the table or the permissions, then restart: the spool ships on the next start"
                );
                *signal.refused.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(why);
                return Err(e);
            }
            Err(e) => {
                if failed == 0 {
                    stats.failures += 1;
                    signal.failures.store(stats.failures, Ordering::Relaxed);
                    tracing::warn!(error = %first_line(&e), "ClickHouse did not take a batch: retrying with backoff");
                }
                if signal.abandoned() {
                    return Err(e); // the records stay in the spool for the next run
                }
                failed += 1;
                stats.retries += 1;
                signal.retries.store(stats.retries, Ordering::Relaxed);
                std::thread::sleep(backoff);
                backoff = (backoff * 2).min(Duration::from_secs(2));
            }
        }
    }
}

struct Shipper {
    /// [`SHIP_INTERVAL`] (tests set their own).
    interval: Duration,
    dir: PathBuf,
    /// How far the spool is durable: only that much is read.
    durable: DurableWatch,
    ch: ClickHouse,
    signal: Arc<Signal>,
    stats: ShipStats,
    rows: Rows,
    /// The round's spool lines (kept: no fresh pages each round).
    buf: Vec<u8>,
}

impl Shipper {
    /// Read durable lines from `pos` on (at most `max`) into `self.buf`; how many, and the
    /// position after them.
    fn read(&mut self, pos: Position, max: usize) -> io::Result<(usize, Position)> {
        let end = self.durable.get();
        self.buf.clear();
        let mut count = 0;
        let mut pos = pos;
        let first = pos.segment;
        for n in segments(&self.dir)?.into_iter().filter(|&n| n >= first && n <= end.segment) {
            if n > pos.segment {
                pos = Position { segment: n, offset: 0 };
            }
            let mut f = File::open(segment_path(&self.dir, n))?;
            // Segments before the durable mark's are complete; its own is read up to it.
            let stop = if n == end.segment { end.offset } else { f.metadata()?.len() };
            f.seek(SeekFrom::Start(pos.offset))?;
            let start = self.buf.len();
            let available = stop.saturating_sub(pos.offset);
            // A bounded read; a record longer than the bound is read whole (the durable
            // mark is always at the end of a record).
            (&mut f).take(available.min(BATCH_BYTES)).read_to_end(&mut self.buf)?;
            let got = (self.buf.len() - start) as u64;
            if memchr::memchr(b'\n', &self.buf[start..]).is_none() && available > got {
                (&mut f).take(available - got).read_to_end(&mut self.buf)?;
            }
            let mut used = 0;
            for newline in memchr::memchr_iter(b'\n', &self.buf[start..]) {
                if count >= max {
                    break;
                }
                count += 1;
                used = newline + 1;
            }
            self.buf.truncate(start + used);
            pos.offset += used as u64;
            // Go on to the next segment only when this one is shipped to its end.
            if count >= max || pos.offset < stop || n == end.segment {
                break;
            }
        }
        Ok((count, pos))
    }

    fn trim(&self, pos: Position) -> io::Result<()> {
        let segs = segments(&self.dir)?;
        let mut trimmed = trimmed_records(&self.dir);
        let mut changed = false;
        for &n in segs.iter().filter(|&&n| n < pos.segment) {
            let path = segment_path(&self.dir, n);
            let records = memchr::memchr_iter(b'\n', &fs::read(&path)?).count() as u64;
            trimmed += records;
            // Delete, then count: a crash in between makes a rerun emit those records again
            // (same ids, so they collapse under FINAL), never skip records not shipped.
            fs::remove_file(&path)?;
            write_atomically(&self.dir, TRIMMED, &trimmed.to_string())?;
            changed = true;
        }
        if changed {
            File::open(&self.dir)?.sync_all()?;
        }
        Ok(())
    }

    /// Turn the lines in `self.buf` into rows of the round's inserts.
    fn convert(&mut self) -> io::Result<()> {
        let lines = std::str::from_utf8(&self.buf).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        // Lines end at LF (a record never holds a raw LF); memchr finds them far faster
        // than `str::lines`.
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', lines.as_bytes()) {
            let l = &lines[start..end];
            start = end + 1;
            if self.rows.push(l).is_none() {
                let what = format!(
                    "not a spool record of this version (a spool left by another version of VIOLET is \
                     shipped by that version): {l:.200}"
                );
                return Err(io::Error::new(io::ErrorKind::InvalidData, what));
            }
        }
        Ok(())
    }

    /// Records become rows as soon as they are durable (each time the spool's writer wakes
    /// the shipper); the rows are inserted once per round: when the interval has passed
    /// since the last round, when `BATCH` records wait, or when the journal finishes and
    /// nothing more is durable. So the last round after the last record is only its inserts.
    fn run(mut self) -> Result<ShipStats, ShipError> {
        let dir = self.dir.clone();
        let io_err = |e: io::Error| ShipError::Spool { path: dir.clone(), source: e };
        // `pos`: how far the spool is converted into `rows`; the acknowledged position is
        // where the last round ended (what was converted since waits in `rows`).
        let mut pos = read_ack(&self.dir);
        let mut pending = 0usize;
        let mut round = Instant::now();
        self.rows.clear();
        loop {
            if self.signal.abandoned() {
                return Ok(self.stats);
            }
            let finishing = self.signal.finishing();
            let (count, next) = self.read(pos, BATCH - pending).map_err(io_err)?;
            if count > 0 {
                self.convert().map_err(io_err)?;
                pending += count;
                pos = next;
            }
            let due = pending >= BATCH || round.elapsed() >= self.interval || (finishing && count == 0);
            if pending > 0 && due {
                for rows in self.rows.inserts() {
                    insert(&self.ch, &mut self.stats, &self.signal, rows)?;
                }
                self.stats.shipped += pending as u64;
                self.signal.shipped.store(self.stats.shipped, Ordering::Relaxed);
                write_atomically(&self.dir, ACK, &format!("{} {}", pos.segment, pos.offset)).map_err(io_err)?;
                self.signal.acknowledged(pos);
                self.trim(pos).map_err(io_err)?;
                self.rows.clear();
                pending = 0;
                // Every insert costs the server a new part per table: fewer, larger rounds
                // cost it far less CPU than one per spool flush.
                round = Instant::now();
                continue;
            }
            if count == 0 {
                if finishing && pending == 0 {
                    return Ok(self.stats);
                }
                // Woken by the next durable records, the finish, or the round's time.
                let wait = if pending > 0 {
                    self.interval.saturating_sub(round.elapsed())
                } else {
                    Duration::from_millis(250)
                };
                self.signal.wait(wait);
            }
        }
    }
}

impl Drop for ClickHouseJournal {
    /// Dropped without [`ClickHouseJournal::finish`]: the shipper stops (the records stay in
    /// the spool for the next run).
    fn drop(&mut self) {
        if self.shipper.is_some() {
            self.signal.abandon();
        }
    }
}

/// A ClickHouse journal's spool on its own, without a shipper (for tools that prepare one):
/// records go in as the ClickHouse journal spools them, and a [`ClickHouseJournal`] opened
/// on the same directory and run ships them.
#[derive(Debug)]
pub struct Spool(FileJournal);

impl Spool {
    /// Open the spool in `dir` for run `run_id`. A spool another run left shipped to its
    /// end is taken over (emptied); one still holding that run's unshipped records is
    /// refused ([`JournalError::OtherRun`]).
    ///
    /// # Errors
    /// The spool's [`JournalError`].
    pub fn open(dir: &Path, run_id: &str, policy: FlushPolicy) -> Result<Self, JournalError> {
        if let Some(previous) = FileJournal::reclaim(dir, run_id, shipped_to_end)? {
            tracing::info!(dir = %dir.display(), previous = %previous, run = run_id,
                "the spool's previous run shipped everything: the spool is this run's now");
        }
        Ok(Self(FileJournal::open(dir, run_id, policy)?.spool_lines()))
    }
}

/// Whether the server acknowledged every byte of the spool in `dir`.
fn shipped_to_end(dir: &Path) -> bool {
    let Ok(segs) = segments(dir) else { return false };
    let Some(&last) = segs.last() else { return true };
    let Ok(meta) = fs::metadata(segment_path(dir, last)) else { return false };
    spool_bytes(dir, read_ack(dir), Position { segment: last, offset: meta.len() }) == 0
}

impl Journal for Spool {
    fn append(&mut self, record: &Record<'_>) -> io::Result<()> {
        self.0.append(record)
    }

    fn needs_body(&self, kind: RecordKind) -> bool {
        kind.has_body()
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl ClickHouseJournal {
    /// Open the spool in `dir` for run `run_id` and start shipping to `ch`.
    ///
    /// # Errors
    /// The spool's [`JournalError`].
    pub fn open(dir: &Path, run_id: &str, policy: FlushPolicy, ch: ClickHouse) -> Result<Self, JournalError> {
        Self::start(Spool::open(dir, run_id, policy)?.0, ch, SHIP_INTERVAL)
    }

    /// Open the spool in `dir` owned by service `owner` in append mode (see
    /// [`FileJournal::open_append`]) and start shipping to `ch`: what was not shipped
    /// before a crash is shipped first.
    ///
    /// # Errors
    /// The spool's [`JournalError`].
    pub fn open_append(dir: &Path, owner: &str, policy: FlushPolicy, ch: ClickHouse) -> Result<Self, JournalError> {
        Self::start(FileJournal::open_append(dir, owner, policy)?.spool_lines(), ch, SHIP_INTERVAL)
    }

    /// What the shipper has done so far in this process (for status lines).
    #[must_use]
    pub fn progress(&self) -> ShipStats {
        ShipStats {
            shipped: self.signal.shipped.load(Ordering::Relaxed),
            retries: self.signal.retries.load(Ordering::Relaxed),
            failures: self.signal.failures.load(Ordering::Relaxed),
        }
    }

    /// Why shipping stopped for good (the server refused a batch, 4xx), if it did: the
    /// records stay in the spool.
    #[must_use]
    pub fn refused(&self) -> Option<String> {
        self.signal.refused.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// What waits in the spool for the server now: unacknowledged bytes, and the age of
    /// the oldest of them.
    #[must_use]
    pub fn backlog(&self) -> Backlog {
        let (acked, oldest) = {
            let b = self.signal.backlog();
            (b.0, b.1.front().map(|(_, t)| t.elapsed()))
        };
        let d = self.spool.watch().get();
        let end = Position { segment: d.segment, offset: d.offset };
        Backlog { bytes: spool_bytes(&self.dir, acked, end), oldest }
    }

    fn start(spool: FileJournal, ch: ClickHouse, interval: Duration) -> Result<Self, JournalError> {
        let dir = spool.dir().to_path_buf();
        let dir = dir.as_path();
        let signal = Arc::new(Signal::default());
        {
            // What a previous run left unshipped waits from now on.
            let acked = read_ack(dir);
            signal.backlog().0 = acked;
            let d = spool.watch().get();
            signal.durable(Position { segment: d.segment, offset: d.offset });
        }
        let shipper = Shipper {
            interval,
            dir: dir.to_path_buf(),
            durable: spool.watch(),
            ch,
            signal: Arc::clone(&signal),
            stats: ShipStats::default(),
            rows: Rows::new(),
            buf: Vec::new(),
        };
        let (wake, watch) = (Arc::clone(&signal), spool.watch());
        spool.on_durable(Arc::new(move || {
            let d = watch.get();
            wake.durable(Position { segment: d.segment, offset: d.offset });
            wake.wake();
        }));
        let (tx, done) = mpsc::channel();
        let handle = std::thread::Builder::new()
            .name("violet-ship".into())
            .spawn(move || {
                let r = shipper.run();
                let _ = tx.send(());
                r
            })
            .map_err(|e| JournalError::Io { path: dir.to_path_buf(), source: e })?;
        Ok(Self { dir: dir.to_path_buf(), spool, signal, shipper: Some(handle), done })
    }

    /// Flush the spool and wait until everything in it is shipped (retrying while the
    /// server is down, at most `timeout`). When the time runs out the shipper is told to
    /// stop: it makes no further attempt (one in flight ends by the client's request
    /// timeout), so nothing keeps retrying behind the caller.
    ///
    /// # Errors
    /// The spool's I/O error, a query the server refuses, or `timeout` passing with
    /// records still unshipped (they stay in the spool: a rerun ships them).
    pub fn finish(mut self, timeout: Duration) -> Result<ShipStats, ShipError> {
        let spool_err = |e: io::Error| ShipError::Spool { path: self.dir.clone(), source: e };
        self.spool.flush().map_err(spool_err)?;
        self.signal.finish();
        let Some(handle) = self.shipper.take() else { return Ok(ShipStats::default()) };
        // Disconnected: the shipper panicked (join resumes the panic).
        if let Err(mpsc::RecvTimeoutError::Timeout) = self.done.recv_timeout(timeout) {
            // It stops at its next attempt (a request in flight ends by its own timeout):
            // nothing keeps retrying behind the caller's back.
            self.signal.abandon();
            return Err(ShipError::Spool {
                path: self.dir.clone(),
                source: io::Error::new(
                    io::ErrorKind::TimedOut,
                    "records remain unshipped in the spool; rerun to ship them",
                ),
            });
        }
        handle.join().unwrap_or_else(|e| std::panic::resume_unwind(e))
    }
}

impl Journal for ClickHouseJournal {
    fn append(&mut self, record: &Record<'_>) -> io::Result<()> {
        // The spool's writer wakes the shipper when records become durable.
        self.spool.append(record)
    }

    fn needs_body(&self, kind: RecordKind) -> bool {
        kind.has_body()
    }

    fn flush(&mut self) -> io::Result<()> {
        self.spool.flush()
    }
}

#[cfg(test)]
mod tests {
    use violet_testkit::stub_http::{self, StubRequest};

    use super::*;
    use crate::record::Col;

    /// A stand-in for the server: answers 200 to every request; sends each request's
    /// statement to the returned channel.
    fn stub_server() -> (String, mpsc::Receiver<StubRequest>) {
        stub_http::serve(Vec::new())
    }

    /// As [`stub_server`], answering the first requests with `answers` (status, body), then
    /// 200.
    fn stub_server_answering(answers: Vec<(u16, &'static str)>) -> (String, mpsc::Receiver<StubRequest>) {
        stub_http::serve(answers.into_iter().map(|(status, text)| (status, text.to_string())).collect())
    }

    #[test]
    fn records_made_durable_in_many_flushes_go_in_one_round_per_interval() {
        let dir = std::env::temp_dir().join(format!("violet-ship-{}-round", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let (url, inserts) = stub_server();
        let ch = ClickHouse::new(&url).expect("url");
        let spool = Spool::open(&dir, "run-a", FlushPolicy::default()).expect("spool").0;
        // An interval longer than the test: the only round is the finish's.
        let mut j = ClickHouseJournal::start(spool, ch, Duration::from_secs(3600)).expect("start");
        for flush in 0..5 {
            for i in 0..20 {
                let id = format!("s:line:{flush}:{i}");
                let cols = [Col::Int(i)];
                j.append(&Record {
                    kind: RecordKind::Rejection,
                    id: &id,
                    run: "r",
                    version: 1,
                    cols: &cols,
                    body: Some("{}"),
                })
                .expect("append");
            }
            let cols = [Col::Int(flush), Col::Str("ENTRY")];
            j.append(&Record { kind: RecordKind::Trade, id: "t", run: "r", version: 1, cols: &cols, body: Some("{}") })
                .expect("append");
            j.flush().expect("durable"); // wakes the shipper: the records become rows
        }
        let stats = j.finish(Duration::from_secs(30)).expect("finish");
        assert_eq!(stats, ShipStats { shipped: 105, retries: 0, failures: 0 });
        let mut got: Vec<String> = inserts.try_iter().map(|r| r.statement).collect();
        got.sort();
        assert_eq!(
            got,
            [
                "INSERT INTO dolphin_violet.rejections (id, version, run_id, line, body) FORMAT RowBinary",
                "INSERT INTO dolphin_violet.trade_events (id, version, run_id, scan_number, event, body) FORMAT RowBinary",
            ],
            "one insert per table, not one round per flush"
        );
        assert_eq!(fs::read_to_string(dir.join(ACK)).expect("ack").trim().split(' ').count(), 2);
        fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn the_backlog_counts_unacknowledged_bytes_and_ages_from_the_oldest_waiting_flush() {
        let dir = std::env::temp_dir().join(format!("violet-ship-{}-backlog", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        // A server that refuses everything for good: nothing is ever acknowledged.
        let (url, _inserts) =
            stub_server_answering(vec![(404, "Code: 60, e.displayText() = DB::Exception: Table x doesn't exist"); 8]);
        let spool = Spool::open(&dir, "run-a", FlushPolicy::default()).expect("spool").0;
        let mut j = ClickHouseJournal::start(spool, ClickHouse::new(&url).expect("url"), Duration::from_secs(3600))
            .expect("start");
        assert_eq!(j.backlog(), Backlog::default(), "an empty spool: nothing waits");
        let append = |j: &mut ClickHouseJournal, id: &str| {
            let cols = [Col::Int(1)];
            let r = Record { kind: RecordKind::Rejection, id, run: "run-a", version: 1, cols: &cols, body: Some("{}") };
            j.append(&r).expect("append");
        };
        append(&mut j, "s:line:1");
        j.flush().expect("durable");
        std::thread::sleep(Duration::from_millis(50));
        append(&mut j, "s:line:2");
        j.flush().expect("durable");
        let b = j.backlog();
        let on_disk: u64 = segments(&dir)
            .expect("segments")
            .iter()
            .map(|&n| fs::metadata(segment_path(&dir, n)).expect("meta").len())
            .sum();
        assert_eq!(b.bytes, on_disk, "every durable byte waits");
        assert!(b.bytes > 0);
        let age = b.oldest.expect("something waits");
        assert!(age >= Duration::from_millis(50), "the first flush's age, not the second's: {age:?}");
        drop(j.finish(Duration::from_millis(500)));

        // The same spool on a server that takes it: once acknowledged, nothing waits.
        let (url, _inserts) = stub_server();
        let spool = Spool::open(&dir, "run-a", FlushPolicy::default()).expect("reopen").0;
        let j = ClickHouseJournal::start(spool, ClickHouse::new(&url).expect("url"), Duration::from_millis(10))
            .expect("start");
        assert_eq!(j.backlog().bytes, b.bytes, "what the last run left waits from the start");
        let t = Instant::now();
        while j.progress().shipped < 2 && t.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(j.backlog(), Backlog::default());
        drop(j.finish(Duration::from_secs(5)));
        fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_spool_shipped_to_its_end_is_free_for_another_run_and_one_with_records_left_is_not() {
        let dir = std::env::temp_dir().join(format!("violet-ship-{}-reclaim", std::process::id()));
        // Run a ships everything: run b takes the spool over, empty.
        let (url, _inserts) = stub_server();
        let (stats, _) = ship_one(&dir, &url);
        assert_eq!(stats.expect("shipped").shipped, 1);
        let spool = Spool::open(&dir, "run-b", FlushPolicy::default()).expect("run b takes a shipped spool");
        assert!(FileJournal::read_all(&dir).expect("read").is_empty(), "run a's lines are gone");
        drop(spool);
        // Run a's record refused for good: it stays, and so does run a's claim on the spool.
        let (url, _inserts) =
            stub_server_answering(vec![(404, "Code: 60, e.displayText() = DB::Exception: Table x doesn't exist")]);
        let _ = ship_one(&dir, &url);
        match Spool::open(&dir, "run-b", FlushPolicy::default()) {
            Err(JournalError::OtherRun { found, .. }) => assert_eq!(found, "run-a"),
            other => panic!("a spool with records unshipped is refused: {other:?}"),
        }
        assert_eq!(FileJournal::read_all(&dir).expect("read").len(), 1, "the record is kept");
        fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_finish_that_times_out_leaves_no_shipper_retrying_behind() {
        let dir = std::env::temp_dir().join(format!("violet-ship-{}-abandon", std::process::id()));
        // A server that is always busy (a proxy's 503): retried with backoff, never taken.
        let (url, inserts) = stub_server_answering(vec![(503, ""); 10_000]);
        let result = journal_with_one(&dir, &url).finish(Duration::from_millis(500));
        assert!(matches!(&result, Err(e) if e.is_timeout()), "{result:?}");
        // At most the attempt in flight then; after it, silence.
        std::thread::sleep(Duration::from_millis(2500));
        let settled = inserts.try_iter().count();
        assert!(settled >= 2, "it was retrying: {settled}");
        std::thread::sleep(Duration::from_millis(2500));
        assert_eq!(inserts.try_iter().count(), 0, "the shipper stopped retrying after the finish gave up");
        assert_eq!(FileJournal::read_all(&dir).expect("spool").len(), 1, "the record waits in the spool");
        fs::remove_dir_all(&dir).ok();
    }

    /// A fresh journal of run `run-a` in `dir` shipping to `url` every 10 ms, holding one
    /// rejection record (not yet flushed).
    fn journal_with_one(dir: &Path, url: &str) -> ClickHouseJournal {
        let _ = fs::remove_dir_all(dir);
        let spool = Spool::open(dir, "run-a", FlushPolicy::default()).expect("spool").0;
        let mut j = ClickHouseJournal::start(spool, ClickHouse::new(url).expect("url"), Duration::from_millis(10))
            .expect("start");
        let cols = [Col::Int(1)];
        j.append(&Record {
            kind: RecordKind::Rejection,
            id: "s:line:1",
            run: "run-a",
            version: 1,
            cols: &cols,
            body: Some("{}"),
        })
        .expect("append");
        j
    }

    /// One rejection record shipped through a journal on `url`; what finishing said.
    fn ship_one(dir: &Path, url: &str) -> (Result<ShipStats, ShipError>, Option<String>) {
        let mut j = journal_with_one(dir, url);
        j.flush().expect("durable");
        // Until the shipper has an answer for good (shipped, or refused).
        let t = std::time::Instant::now();
        while j.progress().shipped == 0 && j.refused().is_none() && t.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(5));
        }
        let refused = j.refused();
        (j.finish(Duration::from_secs(10)), refused)
    }

    #[test]
    fn a_busy_server_is_retried_and_counted_once_per_batch_and_a_refusal_stops_shipping_with_its_reason() {
        let dir = std::env::temp_dir().join(format!("violet-ship-{}-answers", std::process::id()));
        let (url, inserts) =
            stub_server_answering(vec![(500, "Code: 241. DB::Exception: Memory limit exceeded\nstack..."), (503, "")]);
        let (stats, refused) = ship_one(&dir, &url);
        let stats = stats.expect("shipped after retries");
        assert_eq!((stats.shipped, stats.retries, stats.failures, refused), (1, 2, 1, None));
        assert_eq!(inserts.try_iter().count(), 3, "two failed attempts, then the insert");

        let (url, inserts) =
            stub_server_answering(vec![(400, "Code: 16. DB::Exception: No such column note\nstack...")]);
        let (result, refused) = ship_one(&dir, &url);
        let why = refused.expect("the reason is kept");
        assert!(why.contains("No such column note") && !why.contains("stack"), "first line only: {why}");
        assert!(
            matches!(result, Err(ShipError::ClickHouse(ClickHouseError::Refused { code: Some(16), .. }))),
            "{result:?}"
        );
        assert_eq!(inserts.try_iter().count(), 1, "a refusal for good is not retried");
        let spooled = FileJournal::read_all(&dir).expect("spool");
        assert_eq!(spooled.len(), 1, "the record stays in the spool");
        fs::remove_dir_all(&dir).ok();
    }
}
