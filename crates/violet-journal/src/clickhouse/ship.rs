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
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use violet_domain::json::{ParseOptions, Parser};

use crate::Journal;
use crate::file::{FileJournal, FlushPolicy, JournalError, TRIMMED, segment_path, segments, trimmed_records};
use crate::record::{Record, RecordKind};
use violet_clickhouse::{ClickHouse, ClickHouseError};

const ACK: &str = "shipped";
/// Records per insert batch (at most).
const BATCH: usize = 50_000;
/// Bytes read from the spool per round (at most, unless one record is longer).
const BATCH_BYTES: u64 = 24 << 20;
/// Shortest time between two shipping rounds, unless a round found a full batch or the
/// journal is finishing.
const SHIP_INTERVAL: Duration = Duration::from_millis(100);

/// What the shipper did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ShipStats {
    /// Records inserted (acknowledged by the server).
    pub shipped: u64,
    /// Insert attempts that failed and were retried.
    pub retries: u64,
}

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

/// A ClickHouse journal: a spool directory plus a shipper thread.
#[derive(Debug)]
pub struct ClickHouseJournal {
    dir: PathBuf,
    spool: FileJournal,
    signal: Arc<Signal>,
    shipper: Option<JoinHandle<Result<ShipStats, ShipError>>>,
}

/// Shipping position: segment number and byte offset in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

fn write_atomically(dir: &Path, name: &str, text: &str) -> io::Result<()> {
    let tmp = dir.join(format!("{name}.tmp"));
    let mut f = File::create(&tmp)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    fs::rename(&tmp, dir.join(name))?;
    File::open(dir)?.sync_all()
}

/// Append `s` TabSeparated-escaped (backslash, tab, newline).
fn tsv_str(out: &mut String, s: &str) {
    let mut rest = s;
    while let Some(i) = memchr::memchr3(b'\\', b'\t', b'\n', rest.as_bytes()) {
        out.push_str(&rest[..i]);
        out.push_str(match rest.as_bytes()[i] {
            b'\\' => "\\\\",
            b'\t' => "\\t",
            _ => "\\n",
        });
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
}

/// The INSERT statement heading a kind's batch: explicit columns, TabSeparated rows.
fn insert_head(kind: RecordKind) -> String {
    let mut cols = vec!["id", "version", "run_id"];
    cols.extend_from_slice(kind.columns());
    cols.push("body");
    format!("INSERT INTO dolphin_violet.{} ({}) FORMAT TabSeparated\n", kind.table(), cols.join(", "))
}

/// Append the TabSeparated row of one spool line (as [`Record`] writes it:
/// `{"seq":N,"kind":K,"id":I,"run":R,"version":V,"cols":[...],"body":{...}}`) to its
/// kind's insert. Only the short head is parsed: the body follows the first `],"body":`
/// (inside a JSON string a quote is always escaped, so that text can only be structure) and
/// is copied as it is, escaped.
fn row(line: &str, parser: &mut Parser, inserts: &mut [String]) -> Option<()> {
    const BODY: &str = "],\"body\":";
    let at = line.find(BODY)?;
    let body = line.get(at + BODY.len()..line.len().checked_sub(1)?)?;
    let mut head = String::with_capacity(at + 2);
    head.push_str(&line[..=at]);
    head.push('}');
    let doc = parser.parse(&head).ok()?;
    let [kind, id, run, version, cols] = doc.root().pick(["kind", "id", "run", "version", "cols"]);
    let kind = RecordKind::from_name(&kind?.as_str()?)?;
    let out = &mut inserts[RecordKind::ALL.iter().position(|&k| k == kind)?];
    tsv_str(out, &id?.as_str()?);
    out.push('\t');
    out.push_str(version?.number_text()?);
    out.push('\t');
    tsv_str(out, &run?.as_str()?);
    for c in cols?.array()? {
        out.push('\t');
        match c.number_text() {
            Some(n) => out.push_str(n),
            None => tsv_str(out, &c.as_str()?),
        }
    }
    out.push('\t');
    tsv_str(out, body);
    out.push('\n');
    Some(())
}

/// Wakes the shipper when the spool made records durable, and tells it to finish.
#[derive(Debug, Default)]
struct Signal {
    state: Mutex<(bool, bool)>,
    cv: Condvar,
    /// Mirrors of the shipper's stats, for [`ClickHouseJournal::progress`].
    shipped: AtomicU64,
    retries: AtomicU64,
}

impl Signal {
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

    fn finishing(&self) -> bool {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner).1
    }

    /// Wait until told to finish, at most `timeout`.
    fn wait_finish(&self, timeout: Duration) {
        let s = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let _ = self.cv.wait_timeout_while(s, timeout, |s| !s.1);
    }

    /// Wait for a wake-up (at most `timeout`: the spool is also read then), and consume it.
    fn wait(&self, timeout: Duration) {
        let s = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (mut s, _) =
            self.cv.wait_timeout_while(s, timeout, |s| !s.0).unwrap_or_else(std::sync::PoisonError::into_inner);
        s.0 = false;
    }
}

struct Shipper {
    dir: PathBuf,
    ch: ClickHouse,
    signal: Arc<Signal>,
    stats: ShipStats,
    parser: Parser,
}

impl Shipper {
    /// Complete lines from `pos` on (at most `BATCH`), how many, and the position after them.
    fn read(&self, pos: Position) -> io::Result<(String, usize, Position)> {
        let mut lines = String::new();
        let mut count = 0;
        let mut pos = pos;
        let segs = segments(&self.dir)?;
        let first = pos.segment;
        for &n in segs.iter().filter(|&&n| n >= first) {
            if n > pos.segment {
                pos = Position { segment: n, offset: 0 };
            }
            let mut f = File::open(segment_path(&self.dir, n))?;
            f.seek(SeekFrom::Start(pos.offset))?;
            let mut buf = Vec::new();
            // A bounded read; a record longer than the bound is read whole.
            let mut limit = BATCH_BYTES;
            while (&mut f).take(limit).read_to_end(&mut buf)? == usize::try_from(limit).unwrap_or(usize::MAX)
                && memchr::memchr(b'\n', &buf).is_none()
            {
                limit *= 2;
            }
            let mut used = 0;
            for end in memchr::memchr_iter(b'\n', &buf) {
                if count >= BATCH {
                    break;
                }
                count += 1;
                used = end + 1;
            }
            buf.truncate(used);
            lines.push_str(std::str::from_utf8(&buf).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?);
            pos.offset += used as u64;
            // Go on to the next segment only when this one is shipped to its end.
            if count >= BATCH || pos.offset < f.metadata()?.len() {
                break;
            }
        }
        Ok((lines, count, pos))
    }

    fn insert(&mut self, body: &str) -> Result<(), ClickHouseError> {
        let mut backoff = Duration::from_millis(50);
        loop {
            match self.ch.query(body) {
                Ok(_) => return Ok(()),
                Err(e @ ClickHouseError::Status { status: 400..=499, .. }) => return Err(e),
                Err(_) => {
                    self.stats.retries += 1;
                    self.signal.retries.store(self.stats.retries, Ordering::Relaxed);
                    std::thread::sleep(backoff);
                    backoff = (backoff * 2).min(Duration::from_secs(2));
                }
            }
        }
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

    fn run(mut self) -> Result<ShipStats, ShipError> {
        let dir = self.dir.clone();
        let io_err = |e: io::Error| ShipError::Spool { path: dir.clone(), source: e };
        let mut pos = read_ack(&self.dir);
        loop {
            let finishing = self.signal.finishing();
            let round = Instant::now();
            let (lines, count, next) = self.read(pos).map_err(io_err)?;
            if count == 0 {
                if finishing {
                    return Ok(self.stats);
                }
                self.signal.wait(Duration::from_millis(250));
                continue;
            }
            let heads = RecordKind::ALL.map(insert_head);
            let mut inserts = heads.clone();
            for l in lines.lines() {
                if row(l, &mut self.parser, &mut inserts).is_none() {
                    let what = format!("not a journal record: {l:.200}");
                    return Err(io_err(io::Error::new(io::ErrorKind::InvalidData, what)));
                }
            }
            for (head, body) in heads.iter().zip(&inserts) {
                if body.len() > head.len() {
                    self.insert(body)?;
                }
            }
            self.stats.shipped += count as u64;
            self.signal.shipped.store(self.stats.shipped, Ordering::Relaxed);
            pos = next;
            write_atomically(&self.dir, ACK, &format!("{} {}", pos.segment, pos.offset)).map_err(io_err)?;
            self.trim(pos).map_err(io_err)?;
            if count < BATCH && !finishing {
                // Every insert costs the server a new part per table: fewer, larger batches
                // cost it far less CPU than one per spool flush.
                self.signal.wait_finish(SHIP_INTERVAL.saturating_sub(round.elapsed()));
            }
        }
    }
}

impl ClickHouseJournal {
    /// Open the spool in `dir` for run `run_id` and start shipping to `ch`.
    ///
    /// # Errors
    /// The spool's [`JournalError`].
    pub fn open(dir: &Path, run_id: &str, policy: FlushPolicy, ch: ClickHouse) -> Result<Self, JournalError> {
        Self::start(FileJournal::open(dir, run_id, policy)?, ch)
    }

    /// Open the spool in `dir` owned by service `owner` in append mode (see
    /// [`FileJournal::open_append`]) and start shipping to `ch`: what was not shipped
    /// before a crash is shipped first.
    ///
    /// # Errors
    /// The spool's [`JournalError`].
    pub fn open_append(dir: &Path, owner: &str, policy: FlushPolicy, ch: ClickHouse) -> Result<Self, JournalError> {
        Self::start(FileJournal::open_append(dir, owner, policy)?, ch)
    }

    /// What the shipper has done so far in this process (for status lines).
    #[must_use]
    pub fn progress(&self) -> ShipStats {
        ShipStats {
            shipped: self.signal.shipped.load(Ordering::Relaxed),
            retries: self.signal.retries.load(Ordering::Relaxed),
        }
    }

    fn start(spool: FileJournal, ch: ClickHouse) -> Result<Self, JournalError> {
        let dir = spool.dir().to_path_buf();
        let dir = dir.as_path();
        let signal = Arc::new(Signal::default());
        let shipper = Shipper {
            dir: dir.to_path_buf(),
            ch,
            signal: Arc::clone(&signal),
            stats: ShipStats::default(),
            parser: Parser::new(ParseOptions { allow_constants: true }),
        };
        let handle = std::thread::Builder::new()
            .name("violet-ship".into())
            .spawn(move || shipper.run())
            .map_err(|e| JournalError::Io { path: dir.to_path_buf(), source: e })?;
        Ok(Self { dir: dir.to_path_buf(), spool, signal, shipper: Some(handle) })
    }

    /// Flush the spool and wait until everything in it is shipped (retrying while the
    /// server is down, at most `timeout`).
    ///
    /// # Errors
    /// The spool's I/O error, a query the server refuses, or `timeout` passing with
    /// records still unshipped (they stay in the spool: a rerun ships them).
    pub fn finish(mut self, timeout: Duration) -> Result<ShipStats, ShipError> {
        let spool_err = |e: io::Error| ShipError::Spool { path: self.dir.clone(), source: e };
        self.spool.flush().map_err(spool_err)?;
        self.signal.finish();
        let Some(handle) = self.shipper.take() else { return Ok(ShipStats::default()) };
        let t = Instant::now();
        while !handle.is_finished() {
            if t.elapsed() > timeout {
                return Err(ShipError::Spool {
                    path: self.dir.clone(),
                    source: io::Error::new(
                        io::ErrorKind::TimedOut,
                        "records remain unshipped in the spool; rerun to ship them",
                    ),
                });
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        handle.join().unwrap_or_else(|e| std::panic::resume_unwind(e))
    }
}

impl Journal for ClickHouseJournal {
    fn append(&mut self, record: &Record<'_>) -> io::Result<()> {
        let before = self.spool.durable_records();
        self.spool.append(record)?;
        if self.spool.durable_records() != before {
            self.signal.wake();
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.spool.flush()?;
        self.signal.wake();
        Ok(())
    }
}
