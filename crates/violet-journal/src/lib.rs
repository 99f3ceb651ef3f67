//! # violet-journal
//!
//! The journal behind the engine's [`Sink`](violet_engine::Sink): every decision, trade
//! event and rejection as a record with an id that is a pure function of the event, so a
//! rerun after a crash writes the same records.
//!
//! - [`Journal`]: the trait (append, make durable).
//! - [`FileJournal`]: append-only JSON-lines segment files in a directory, made durable
//!   (written and fsynced) on a size or time bound — never once per event. After a
//!   `kill -9` a torn last record is detected and dropped on reopen; nothing before it is
//!   lost, and a rerun of the same run resumes after the last durable record, so the journal
//!   holds every record once.
//! - [`JournalSink`]: the engine's sink writing into a journal.
//!
//! - [`clickhouse`]: the HTTP client, the DDL (`ddl/*.sql`, applied idempotently) and the
//!   ClickHouse journal: spool (a [`FileJournal`]) → ship RowBinary batches →
//!   acknowledge → trim.
//! - [`AnyJournal`]: either, chosen at run time; [`RunRow`]: a run's start and stop.

mod any;
pub mod clickhouse;
mod file;
mod record;
mod run;
mod sink;

pub use any::AnyJournal;
pub use file::{FileJournal, FlushPolicy, JournalError};
pub use record::{Col, ColType, Record, RecordKind};
pub use run::{RunRow, RunStatus};
pub use sink::JournalSink;

/// Where journal records go.
pub trait Journal {
    /// Append one record (buffered).
    ///
    /// # Errors
    /// An I/O error.
    fn append(&mut self, record: &Record<'_>) -> std::io::Result<()>;

    /// Whether records of `kind` must carry their JSON body (the file journal keeps every
    /// body; ClickHouse has no body column for decisions, so their body is not even
    /// formatted).
    fn needs_body(&self, kind: RecordKind) -> bool {
        let _ = kind;
        true
    }

    /// Make everything appended so far durable.
    ///
    /// # Errors
    /// An I/O error.
    fn flush(&mut self) -> std::io::Result<()>;
}
