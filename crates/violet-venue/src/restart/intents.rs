//! The intent log: `client_order_id TAB symbol TAB side` per order request, appended with
//! one `write` before the request is sent. Not fsynced: it guards against the process
//! dying (the kernel keeps what was written), which is what a restart has to survive.

use std::fs::{File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use violet_domain::types::SymbolName;

use crate::order::{ClientOrderId, Side};

/// One order request that may have reached the venue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intent {
    /// Its client order id.
    pub client_order_id: String,
    /// Its symbol (`BTCUSDT`).
    pub symbol: String,
    /// Buy or sell.
    pub side: Side,
}

/// The log, open for appending.
#[derive(Debug)]
pub struct IntentLog {
    path: PathBuf,
    file: File,
}

impl IntentLog {
    /// Open (or create) the log at `path`.
    ///
    /// # Errors
    /// The file cannot be opened for appending.
    pub fn open(path: &Path) -> io::Result<Self> {
        let file = OpenOptions::new().create(true).append(true).open(path).map_err(|e| at(path, e))?;
        Ok(Self { path: path.to_path_buf(), file })
    }

    /// Where it is.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Record that `id` is about to be sent: one `write` of one line (atomic on an
    /// append-only file).
    ///
    /// # Errors
    /// The write failed: the request must not be sent.
    pub fn record(&self, id: &ClientOrderId, symbol: &SymbolName, side: Side) -> io::Result<()> {
        let line = format!("{}\t{}\t{}\n", id.as_str(), symbol.as_ref() as &str, side.as_str());
        (&self.file).write_all(line.as_bytes()).map_err(|e| at(&self.path, e))
    }

    /// Every intent in the log at `path` (none when there is no file). A torn last line
    /// (the process died inside the write) is skipped; a damaged line before it is an error.
    ///
    /// # Errors
    /// The file is unreadable or damaged.
    pub fn read(path: &Path) -> io::Result<Vec<Intent>> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(at(path, e)),
        };
        let complete = text.rfind('\n').map_or("", |end| &text[..end]);
        let mut out = Vec::new();
        for (n, line) in complete.lines().enumerate() {
            let f: Vec<&str> = line.split('\t').collect();
            match (f.as_slice(), f.get(2).and_then(|s| Side::parse(s))) {
                ([id, symbol, _], Some(side)) if ClientOrderId::parse(id).is_some() && !symbol.is_empty() => {
                    out.push(Intent { client_order_id: (*id).to_string(), symbol: (*symbol).to_string(), side });
                }
                _ => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("intent log {}: line {} is damaged: {line:?}", path.display(), n + 1),
                    ));
                }
            }
        }
        Ok(out)
    }

    /// Rewrite the log at `path` with only the intents `keep` keeps (written to a new file,
    /// then renamed over it: a crash leaves the old log or the new one). Returns how many
    /// were dropped.
    ///
    /// # Errors
    /// The log is unreadable, or the new one cannot be written.
    pub fn retain(path: &Path, keep: impl Fn(&Intent) -> bool) -> io::Result<usize> {
        let all = Self::read(path)?;
        let kept: Vec<&Intent> = all.iter().filter(|i| keep(i)).collect();
        if kept.len() == all.len() {
            return Ok(0);
        }
        let tmp = path.with_extension("tmp");
        let mut text = String::new();
        for i in &kept {
            text.push_str(&format!("{}\t{}\t{}\n", i.client_order_id, i.symbol, i.side.as_str()));
        }
        let mut f = File::create(&tmp).map_err(|e| at(&tmp, e))?;
        f.write_all(text.as_bytes()).and_then(|()| f.sync_data()).map_err(|e| at(&tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| at(path, e))?;
        Ok(all.len() - kept.len())
    }
}

fn at(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("intent log {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::{DecisionEvent, Leg};

    fn id(n: i64) -> ClientOrderId {
        ClientOrderId::new("svc", DecisionEvent { scan_number: n, ts_ns: n }, Leg::Entry, 0)
    }

    fn symbol() -> SymbolName {
        SymbolName::try_new("BTCUSDT".to_string()).expect("symbol")
    }

    #[test]
    fn what_was_recorded_is_read_back_a_torn_last_line_skipped_and_retain_rewrites() {
        let dir = std::env::temp_dir().join(format!("violet-intents-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("intents");
        let _ = std::fs::remove_file(&path);
        assert_eq!(IntentLog::read(&path).expect("no file"), Vec::new());
        let log = IntentLog::open(&path).expect("open");
        log.record(&id(1), &symbol(), Side::Sell).expect("write");
        log.record(&id(2), &symbol(), Side::Buy).expect("write");
        drop(log);
        // The process died inside a write: the torn line is not an intent.
        std::fs::OpenOptions::new().append(true).open(&path).and_then(|mut f| f.write_all(b"v1234")).expect("torn");
        let read = IntentLog::read(&path).expect("read");
        assert_eq!(read.len(), 2);
        assert_eq!((read[0].client_order_id.as_str(), read[0].side), (id(1).as_str(), Side::Sell));
        assert_eq!((read[1].symbol.as_str(), read[1].side), ("BTCUSDT", Side::Buy));
        let dropped = IntentLog::retain(&path, |i| i.side == Side::Buy).expect("retain");
        assert_eq!(dropped, 1);
        let left = IntentLog::read(&path).expect("read");
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].client_order_id, id(2).as_str());
        // A damaged line in the middle is an error naming the line, never skipped.
        std::fs::write(&path, format!("{}\tBTCUSDT\tSELL\nnot an intent\n{}\tBTCUSDT\tBUY\n", id(1), id(2)))
            .expect("w");
        let e = IntentLog::read(&path).expect_err("damaged");
        assert!(e.to_string().contains("line 2 is damaged"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
