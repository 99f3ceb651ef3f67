//! Journal records: what a record is, its table columns, and its journal line.

use violet_domain::json::itoa_like::Int as _;
use violet_domain::json::{ObjectWriter, write_str};

/// What a record is; each kind is one table of `dolphin_violet`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    /// A decision (one per accepted scan).
    Decision,
    /// A trade event.
    Trade,
    /// A rejected line.
    Rejection,
    /// A trade event on which VIOLET and BLUE differ.
    Divergence,
    /// The start or the stop of a run.
    Run,
    /// One step of an order intent's path (the latest step wins under FINAL).
    Order,
    /// A fill.
    Fill,
}

impl RecordKind {
    /// Every kind.
    pub const ALL: [RecordKind; 7] = [
        RecordKind::Decision,
        RecordKind::Trade,
        RecordKind::Rejection,
        RecordKind::Divergence,
        RecordKind::Run,
        RecordKind::Order,
        RecordKind::Fill,
    ];

    /// Stable name, as written in the journal line.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            RecordKind::Decision => "decision",
            RecordKind::Trade => "trade_event",
            RecordKind::Rejection => "rejection",
            RecordKind::Divergence => "divergence",
            RecordKind::Run => "run",
            RecordKind::Order => "order",
            RecordKind::Fill => "fill",
        }
    }

    /// The kind named `name`.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Its table in `dolphin_violet`.
    #[must_use]
    pub const fn table(self) -> &'static str {
        match self {
            RecordKind::Decision => "decisions",
            RecordKind::Trade => "trade_events",
            RecordKind::Rejection => "rejections",
            RecordKind::Divergence => "divergences",
            RecordKind::Run => "runs",
            RecordKind::Order => "orders",
            RecordKind::Fill => "fills",
        }
    }

    /// The table's key columns carried by the record (`cols`), between `id, version, run_id`
    /// and `body` (see `ddl/dolphin_violet.sql`).
    #[must_use]
    pub const fn columns(self) -> &'static [&'static str] {
        match self {
            RecordKind::Decision => &["scan_number", "ts_ns", "action", "reason"],
            RecordKind::Trade => &["scan_number", "event"],
            RecordKind::Rejection => &["line"],
            RecordKind::Divergence => &["class", "scan_number", "event"],
            RecordKind::Run => &["violet_version", "config_hash", "source", "started_ns", "stopped_ns", "status"],
            RecordKind::Order => &["client_order_id", "trade_id", "leg", "state", "step", "at_ns"],
            RecordKind::Fill => &["client_order_id", "trade_id", "leg", "at_ns"],
        }
    }
}

/// One key-column value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col<'a> {
    /// An integer.
    Int(i64),
    /// A string.
    Str(&'a str),
}

/// One record: kind, an id that is a pure function of the event, the run that wrote it, a
/// version (the highest wins under FINAL), the kind's key columns, and the body (a JSON
/// object's text).
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    /// Kind.
    pub kind: RecordKind,
    /// Event-derived id (e.g. `replay-9f2c…:scan:1042`).
    pub id: &'a str,
    /// The run that wrote it.
    pub run: &'a str,
    /// Row version (1 for events; a run's stop replaces its start).
    pub version: u64,
    /// Values of [`RecordKind::columns`], in order.
    pub cols: &'a [Col<'a>],
    /// The record's JSON object.
    pub body: &'a str,
}

impl Record<'_> {
    /// The journal line (without LF):
    /// `{"seq":N,"kind":K,"id":I,"run":R,"version":V,"cols":[...],"body":{...}}`. The body
    /// comes last, right after the cols array, so a reader finds it without parsing it.
    pub(crate) fn write_line(&self, seq: u64, out: &mut String) {
        debug_assert_eq!(self.cols.len(), self.kind.columns().len(), "{:?}", self.kind);
        let mut w = ObjectWriter::new(out);
        w.int("seq", seq)
            .str("kind", self.kind.as_str())
            .str("id", self.id)
            .str("run", self.run)
            .int("version", self.version);
        let out = w.key("cols");
        out.push('[');
        for (k, c) in self.cols.iter().enumerate() {
            if k > 0 {
                out.push(',');
            }
            match *c {
                Col::Int(i) => i.push_to(out),
                Col::Str(s) => write_str(out, s),
            }
        }
        out.push(']');
        w.raw("body", self.body);
        w.finish();
    }
}
