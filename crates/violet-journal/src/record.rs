//! Journal records.

use violet_domain::json::ObjectWriter;

/// What a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    /// A decision (one per accepted scan).
    Decision,
    /// A trade event.
    Trade,
    /// A rejected line.
    Rejection,
}

impl RecordKind {
    /// Stable name (the future table name).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            RecordKind::Decision => "decision",
            RecordKind::Trade => "trade_event",
            RecordKind::Rejection => "rejection",
        }
    }
}

/// One record: kind, an id that is a pure function of the event, and the body (a JSON
/// object's text).
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    /// Kind.
    pub kind: RecordKind,
    /// Event-derived id (e.g. `replay-9f2c…:scan:1042`).
    pub id: &'a str,
    /// The record's JSON object.
    pub body: &'a str,
}

impl Record<'_> {
    /// The journal line (without LF): `{"seq":N,"kind":K,"id":I,"body":{...}}`.
    pub(crate) fn write_line(&self, seq: u64, out: &mut String) {
        let mut w = ObjectWriter::new(out);
        w.int("seq", seq).str("kind", self.kind.as_str()).str("id", self.id).raw("body", self.body);
        w.finish();
    }
}
