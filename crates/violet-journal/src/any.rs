//! Either journal, chosen at run time.

use std::io;
use std::time::Duration;

use crate::Journal;
use crate::clickhouse::{ClickHouseJournal, ShipError, ShipStats};
use crate::file::FileJournal;
use crate::record::{Record, RecordKind};

/// The file journal or the ClickHouse journal.
#[derive(Debug)]
pub enum AnyJournal {
    /// Segment files only.
    File(FileJournal),
    /// Spool and ship.
    ClickHouse(ClickHouseJournal),
}

impl AnyJournal {
    /// Flush; for ClickHouse, also wait (at most `timeout`) until the spool is shipped.
    /// Returns what the shipper did (`None` for the file journal).
    ///
    /// # Errors
    /// An I/O error of the files, or [`ClickHouseJournal::finish`]'s error.
    pub fn close(self, timeout: Duration) -> Result<Option<ShipStats>, ShipError> {
        match self {
            AnyJournal::File(mut f) => {
                f.flush().map_err(|source| ShipError::Spool { path: f.dir().to_path_buf(), source })?;
                Ok(None)
            }
            AnyJournal::ClickHouse(c) => c.finish(timeout).map(Some),
        }
    }
}

impl Journal for AnyJournal {
    fn append(&mut self, record: &Record<'_>) -> io::Result<()> {
        match self {
            AnyJournal::File(j) => j.append(record),
            AnyJournal::ClickHouse(j) => j.append(record),
        }
    }

    fn needs_body(&self, kind: RecordKind) -> bool {
        match self {
            AnyJournal::File(j) => j.needs_body(kind),
            AnyJournal::ClickHouse(j) => j.needs_body(kind),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            AnyJournal::File(j) => j.flush(),
            AnyJournal::ClickHouse(j) => j.flush(),
        }
    }
}
