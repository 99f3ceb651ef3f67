//! Journal records: what a record is, its table columns, and its journal line.

use violet_domain::json::itoa_like::Int as _;
use violet_domain::json::{ObjectWriter, write_f64, write_str};

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
    /// A request to a venue and how it ended (the audit of a live day).
    VenueRequest,
    /// A reconciliation of the journal with a venue.
    Reconciliation,
}

impl RecordKind {
    /// Every kind.
    pub const ALL: [RecordKind; 9] = [
        RecordKind::Decision,
        RecordKind::Trade,
        RecordKind::Rejection,
        RecordKind::Divergence,
        RecordKind::Run,
        RecordKind::Order,
        RecordKind::Fill,
        RecordKind::VenueRequest,
        RecordKind::Reconciliation,
    ];

    /// Its position in [`RecordKind::ALL`].
    #[must_use]
    pub const fn index(self) -> usize {
        self as usize
    }

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
            RecordKind::VenueRequest => "venue_request",
            RecordKind::Reconciliation => "reconciliation",
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
            RecordKind::VenueRequest => "venue_requests",
            RecordKind::Reconciliation => "reconciliations",
        }
    }

    /// The table's columns carried by the record (`cols`), between `id, version, run_id`
    /// and `body` (see `ddl/dolphin_violet.sql`), with their ClickHouse types.
    #[must_use]
    pub const fn columns(self) -> &'static [(&'static str, ColType)] {
        use ColType::{Float, Int, NullFloat, NullInt, NullStr, Str, UInt};
        match self {
            RecordKind::Decision => &[
                ("scan_number", Int),
                ("ts_ns", Int),
                ("action", Str),
                ("reason", Str),
                ("slot", Str),
                ("slot_trade_id", NullInt),
                ("exited_trade_id", NullInt),
                ("entered_trade_id", NullInt),
                ("capital", Float),
                ("symbol", NullStr),
                ("price", NullFloat),
                ("score", NullFloat),
                // The sizing breakdown (`SizingBreakdown::terms`), null without an entry.
                ("strength", NullFloat),
                ("base_leverage", NullFloat),
                ("dc_lev_mult", NullFloat),
                ("regime_size_mult", NullFloat),
                ("market_ob_mult", NullFloat),
                ("esof_mult", NullFloat),
                ("raw_leverage", NullFloat),
                ("clamped_max", NullFloat),
                ("leverage", NullFloat),
                ("fraction", NullFloat),
                ("notional", NullFloat),
                // With several slots, the capital allotment (migration 1; null with one).
                ("n_slots", NullInt),
                ("free_slots", NullInt),
                ("free_capital", NullFloat),
                ("allotted_capital", NullFloat),
                ("entry_slot", NullInt),
            ],
            RecordKind::Trade => &[("scan_number", Int), ("event", Str)],
            RecordKind::Rejection => &[("line", UInt)],
            RecordKind::Divergence => &[("class", Str), ("scan_number", Int), ("event", Str)],
            RecordKind::Run => &[
                ("violet_version", Str),
                ("config_hash", Str),
                ("source", Str),
                ("started_ns", Int),
                ("stopped_ns", Int),
                ("status", Str),
            ],
            RecordKind::Order => &[
                ("client_order_id", Str),
                ("venue_order_id", NullStr),
                ("trade_id", Int),
                ("leg", Str),
                ("symbol", Str),
                ("side", Str),
                ("state", Str),
                ("step", Int),
                ("at_ns", Int),
            ],
            RecordKind::Fill => &[
                ("client_order_id", Str),
                ("venue_order_id", NullStr),
                ("trade_id", Int),
                ("leg", Str),
                ("symbol", Str),
                ("side", Str),
                ("quantity", Float),
                ("price", Float),
                ("at_ns", Int),
            ],
            RecordKind::VenueRequest => &[
                ("at_ns", Int),
                ("method", Str),
                ("path", Str),
                ("client_order_id", NullStr),
                ("venue_order_id", NullStr),
                ("http_status", NullInt),
                ("code", NullInt),
                ("outcome", Str),
                ("queued_us", Int),
                ("latency_us", Int),
            ],
            RecordKind::Reconciliation => {
                &[("at_ns", Int), ("venue", Str), ("verdict", Str), ("symbols", Int), ("mismatches", Int)]
            }
        }
    }

    /// How many of [`RecordKind::columns`] the file journal's line carries: the rest are
    /// in its body. A decision's line carries its four key columns; its ClickHouse row has
    /// every column and no body.
    #[must_use]
    pub const fn line_columns(self) -> usize {
        match self {
            RecordKind::Decision => 4,
            k => k.columns().len(),
        }
    }

    /// Every column of its table, in order: `id, version, run_id`, [`RecordKind::columns`],
    /// and `body` when it has one (the DDL's columns, and an insert's).
    #[must_use]
    pub fn table_columns(self) -> Vec<(&'static str, ColType)> {
        let mut cols = vec![("id", ColType::Str), ("version", ColType::UInt), ("run_id", ColType::Str)];
        cols.extend_from_slice(self.columns());
        if self.has_body() {
            cols.push(("body", ColType::Str));
        }
        cols
    }

    /// Whether its table has a `body` column (the record as a JSON object). Decisions have
    /// none: every field is a typed column.
    #[must_use]
    pub const fn has_body(self) -> bool {
        !matches!(self, RecordKind::Decision)
    }
}

/// A column's ClickHouse type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    /// `Int64`.
    Int,
    /// `UInt64`.
    UInt,
    /// `Float64`.
    Float,
    /// `String`.
    Str,
    /// `Nullable(Int64)`.
    NullInt,
    /// `Nullable(Float64)`.
    NullFloat,
    /// `Nullable(String)`.
    NullStr,
}

impl ColType {
    /// Whether it is `Nullable(...)` (RowBinary: a null flag before the value).
    #[must_use]
    pub const fn is_nullable(self) -> bool {
        matches!(self, ColType::NullInt | ColType::NullFloat | ColType::NullStr)
    }

    /// As written in a `CREATE TABLE`.
    #[must_use]
    pub const fn sql(self) -> &'static str {
        match self {
            ColType::Int => "Int64",
            ColType::UInt => "UInt64",
            ColType::Float => "Float64",
            ColType::Str => "String",
            ColType::NullInt => "Nullable(Int64)",
            ColType::NullFloat => "Nullable(Float64)",
            ColType::NullStr => "Nullable(String)",
        }
    }
}

/// One column value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Col<'a> {
    /// An integer.
    Int(i64),
    /// A float (written as Python's repr, shipped bit for bit).
    Float(f64),
    /// A string.
    Str(&'a str),
    /// Null (a nullable column without a value).
    Null,
}

/// One record: kind, an id that is a pure function of the event, the run that wrote it, a
/// version (the highest wins under FINAL), the kind's columns, and the body (a JSON
/// object's text; see [`crate::Journal::needs_body`]).
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
    /// The record's JSON object, when the journal needs it.
    pub body: Option<&'a str>,
}

/// What a journal line carries: the file journal's line is for people and tools (a decision's
/// key columns and its JSON body); the ClickHouse spool's is for the shipper (every column,
/// the body only where the table has one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineShape {
    /// [`RecordKind::line_columns`] columns, and the body.
    File,
    /// Every column, and the body if [`RecordKind::has_body`].
    Spool,
}

impl Record<'_> {
    /// The journal line (without LF):
    /// `{"seq":N,"kind":K,"id":I,"run":R,"version":V,"cols":[...],"body":{...}}`. The body
    /// comes last, right after the cols array, so a reader finds it without parsing it; it
    /// is `null` when the line has none.
    pub(crate) fn write_line(&self, seq: u64, shape: LineShape, out: &mut String) {
        debug_assert_eq!(self.cols.len(), self.kind.columns().len(), "{:?}", self.kind);
        let (cols, body) = match shape {
            LineShape::File => (&self.cols[..self.kind.line_columns().min(self.cols.len())], self.body),
            LineShape::Spool => (self.cols, self.body.filter(|_| self.kind.has_body())),
        };
        let mut w = ObjectWriter::new(out);
        w.int("seq", seq)
            .str("kind", self.kind.as_str())
            .str("id", self.id)
            .str("run", self.run)
            .int("version", self.version);
        let out = w.key("cols");
        out.push('[');
        for (k, c) in cols.iter().enumerate() {
            if k > 0 {
                out.push(',');
            }
            match *c {
                Col::Int(i) => i.push_to(out),
                Col::Float(x) => write_f64(out, x),
                Col::Str(s) => write_str(out, s),
                Col::Null => out.push_str("null"),
            }
        }
        out.push(']');
        w.raw("body", body.unwrap_or("null"));
        w.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::RecordKind;

    #[test]
    fn each_kind_indexes_its_place_in_all() {
        for (i, k) in RecordKind::ALL.into_iter().enumerate() {
            assert_eq!(k.index(), i, "{k:?}");
        }
    }
}
