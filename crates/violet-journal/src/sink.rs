//! The engine's sink, journaling.

use std::io;

use violet_domain::event::Rejection;
use violet_engine::Sink;
use violet_engine::decision::DecisionRecord;
use violet_engine::execution::TradeEvent;

use crate::Journal;
use crate::record::{Record, RecordKind};

/// Journals every decision, trade event and rejection; ids are `<source>:scan:<n>`,
/// `<source>:trade:<id>:<ENTRY|EXIT>` and `<source>:line:<n>`.
#[derive(Debug)]
pub struct JournalSink<J> {
    journal: J,
    source: String,
    body: String,
    id: String,
}

impl<J: Journal> JournalSink<J> {
    /// A sink into `journal`, ids prefixed with `source` (e.g. `replay`).
    pub fn new(journal: J, source: &str) -> Self {
        Self { journal, source: source.to_string(), body: String::with_capacity(1024), id: String::new() }
    }

    /// The journal.
    pub fn journal_mut(&mut self) -> &mut J {
        &mut self.journal
    }

    /// Give the journal back.
    pub fn into_inner(self) -> J {
        self.journal
    }
}

impl<J: Journal> Sink for JournalSink<J> {
    fn decision(&mut self, r: &DecisionRecord<'_>) -> io::Result<()> {
        self.body.clear();
        r.write_json(&mut self.body);
        self.id.clear();
        self.id.push_str(&format!("{}:scan:{}", self.source, r.scan_number));
        self.journal.append(&Record { kind: RecordKind::Decision, id: &self.id, body: &self.body })
    }

    fn trade(&mut self, t: &TradeEvent) -> io::Result<()> {
        self.body.clear();
        t.write_json(&mut self.body);
        let leg = match t {
            TradeEvent::Entry(_) => "ENTRY",
            TradeEvent::Exit(_) => "EXIT",
        };
        self.id.clear();
        self.id.push_str(&format!("{}:trade:{}:{leg}", self.source, t.trade_id()));
        self.journal.append(&Record { kind: RecordKind::Trade, id: &self.id, body: &self.body })
    }

    fn rejection(&mut self, r: &Rejection) -> io::Result<()> {
        self.body.clear();
        self.body.push_str(&r.to_json());
        self.id.clear();
        self.id.push_str(&format!("{}:line:{}", self.source, r.line));
        self.journal.append(&Record { kind: RecordKind::Rejection, id: &self.id, body: &self.body })
    }
}
