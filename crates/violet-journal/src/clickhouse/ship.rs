//! The ClickHouse journal: records go to the spool (a [`FileJournal`]) first; a shipper
//! thread reads what is durable there, inserts it in batches, records how far it got
//! (fsynced), and trims fully shipped segments. While the server is down it retries with
//! backoff and the spool keeps growing; after a restart of either side it resumes from the
//! last acknowledged position. Rows carry event-derived ids into ReplacingMergeTree tables,
//! so a batch retried after a lost answer only adds duplicates that collapse under FINAL.

use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use violet_domain::json::{ObjectWriter, ParseOptions, Parser, write_str};

use super::http::{ClickHouse, ClickHouseError};
use crate::Journal;
use crate::file::{FileJournal, FlushPolicy, JournalError, TRIMMED, segment_path, segments, trimmed_records};
use crate::record::Record;

const ACK: &str = "shipped";
/// Records per insert batch.
const BATCH: usize = 50_000;

/// What the shipper did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ShipStats {
    /// Records inserted (acknowledged by the server).
    pub shipped: u64,
    /// Insert attempts that failed and were retried.
    pub retries: u64,
}

/// A ClickHouse journal: a spool directory plus a shipper thread.
#[derive(Debug)]
pub struct ClickHouseJournal {
    spool: FileJournal,
    finishing: Arc<AtomicBool>,
    shipper: Option<JoinHandle<Result<ShipStats, ClickHouseError>>>,
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

/// Append the row of one spool line (`{"seq":N,"kind":K,"id":I,"body":{...}}`, as
/// [`Record`] writes it) to its table's `INSERT ... FORMAT JSONEachRow` body.
fn row(run_id: &str, line: &str, parser: &mut Parser, inserts: &mut [String; 3]) -> Option<()> {
    // The body is the rest of the line after the id: an id is a JSON string, so the first
    // unescaped `","body":` ends it.
    let at = line.find("\",\"body\":")?;
    let body_text = line.get(at + 9..line.len().checked_sub(1)?)?;
    let head = format!("{}\"}}", &line[..at]);
    let (kind, id) = {
        let doc = parser.parse(&head).ok()?;
        let root = doc.root();
        (root.get("kind")?.as_str()?.into_owned(), root.get("id")?.as_str()?.into_owned())
    };
    let doc = parser.parse(body_text).ok()?;
    let body = doc.root();
    let raw = |k: &str| body.get(k).and_then(|v| v.number_text()).unwrap_or("0").to_string();
    let text = |k: &str| body.get(k).and_then(|v| v.as_str()).map(|s| s.into_owned()).unwrap_or_default();
    let slot = match kind.as_str() {
        "decision" => 0,
        "trade_event" => 1,
        _ => 2,
    };
    let out = &mut inserts[slot];
    let mut w = ObjectWriter::new(out);
    w.str("id", &id).int("version", 1u64).str("run_id", run_id);
    match slot {
        0 => {
            w.raw("scan_number", &raw("scan_number"))
                .raw("ts_ns", &raw("ts_ns"))
                .str("action", &text("action"))
                .str("reason", &text("reason"));
        }
        1 => {
            w.raw("scan_number", &raw("scan_number")).str("event", &text("event"));
        }
        _ => {
            w.raw("line", &raw("line"));
        }
    }
    write_str(w.key("body"), body_text);
    w.finish();
    out.push('\n');
    Some(())
}

const INSERTS: [&str; 3] = [
    "INSERT INTO dolphin_violet.decisions FORMAT JSONEachRow\n",
    "INSERT INTO dolphin_violet.trade_events FORMAT JSONEachRow\n",
    "INSERT INTO dolphin_violet.rejections FORMAT JSONEachRow\n",
];

struct Shipper {
    dir: PathBuf,
    ch: ClickHouse,
    run_id: String,
    finishing: Arc<AtomicBool>,
    stats: ShipStats,
    parser: Parser,
}

impl Shipper {
    /// Complete lines from `pos` on (at most `BATCH`), and the position after them.
    fn read(&self, pos: Position) -> io::Result<(Vec<String>, Position)> {
        let mut lines = Vec::new();
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
            f.take(64 << 20).read_to_end(&mut buf)?;
            let complete = buf.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
            let mut used = 0;
            for l in buf[..complete].split_inclusive(|&b| b == b'\n') {
                if lines.len() >= BATCH {
                    break;
                }
                lines.push(String::from_utf8_lossy(l).trim_end().to_string());
                used += l.len();
            }
            pos.offset += used as u64;
            if lines.len() >= BATCH || n != *segs.last().unwrap_or(&n) && used < complete {
                break;
            }
        }
        Ok((lines, pos))
    }

    fn insert(&mut self, body: &str) -> Result<(), ClickHouseError> {
        let mut backoff = Duration::from_millis(50);
        loop {
            match self.ch.query(body) {
                Ok(_) => return Ok(()),
                Err(e @ ClickHouseError::Status { status: 400..=499, .. }) => return Err(e),
                Err(_) => {
                    self.stats.retries += 1;
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
            let records = fs::read(&path)?.iter().filter(|&&b| b == b'\n').count() as u64;
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

    fn run(mut self) -> Result<ShipStats, ClickHouseError> {
        let spool = format!("spool {}", self.dir.display());
        let io_err = |e: io::Error| ClickHouseError::Io { url: spool.clone(), source: e };
        let mut pos = read_ack(&self.dir);
        loop {
            let finishing = self.finishing.load(Ordering::Acquire);
            let (lines, next) = self.read(pos).map_err(io_err)?;
            if lines.is_empty() {
                if finishing {
                    return Ok(self.stats);
                }
                std::thread::sleep(Duration::from_millis(20));
                continue;
            }
            let mut inserts = INSERTS.map(String::from);
            for l in &lines {
                row(&self.run_id, l, &mut self.parser, &mut inserts);
            }
            for (k, body) in inserts.iter().enumerate() {
                if body.len() > INSERTS[k].len() {
                    self.insert(body)?;
                }
            }
            self.stats.shipped += lines.len() as u64;
            pos = next;
            write_atomically(&self.dir, ACK, &format!("{} {}", pos.segment, pos.offset)).map_err(io_err)?;
            self.trim(pos).map_err(io_err)?;
        }
    }
}

impl ClickHouseJournal {
    /// Open the spool in `dir` for run `run_id` and start shipping to `ch`.
    ///
    /// # Errors
    /// The spool's [`JournalError`].
    pub fn open(dir: &Path, run_id: &str, policy: FlushPolicy, ch: ClickHouse) -> Result<Self, JournalError> {
        let spool = FileJournal::open(dir, run_id, policy)?;
        let finishing = Arc::new(AtomicBool::new(false));
        let shipper = Shipper {
            dir: dir.to_path_buf(),
            ch,
            run_id: run_id.to_string(),
            finishing: Arc::clone(&finishing),
            stats: ShipStats::default(),
            parser: Parser::new(ParseOptions { allow_constants: true }),
        };
        let handle = std::thread::Builder::new()
            .name("violet-ship".into())
            .spawn(move || shipper.run())
            .map_err(|e| JournalError::Io { path: dir.to_path_buf(), source: e })?;
        Ok(Self { spool, finishing, shipper: Some(handle) })
    }

    /// Flush the spool and wait until everything in it is shipped (retrying while the
    /// server is down, at most `timeout`).
    ///
    /// # Errors
    /// The spool's I/O error, a query the server refuses, or `timeout` passing with
    /// records still unshipped (they stay in the spool: a rerun ships them).
    pub fn finish(mut self, timeout: Duration) -> Result<ShipStats, ClickHouseError> {
        let spool_err = |e: io::Error| ClickHouseError::Io { url: "spool".into(), source: e };
        self.spool.flush().map_err(spool_err)?;
        self.finishing.store(true, Ordering::Release);
        let Some(handle) = self.shipper.take() else { return Ok(ShipStats::default()) };
        let t = Instant::now();
        while !handle.is_finished() {
            if t.elapsed() > timeout {
                return Err(ClickHouseError::Io {
                    url: "spool".into(),
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
        self.spool.append(record)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.spool.flush()
    }
}
