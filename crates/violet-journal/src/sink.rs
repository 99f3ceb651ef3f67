//! The engine's sink, journaling; and the records the engine does not make (runs,
//! divergences).

use std::fmt::Write as _;
use std::io;

use violet_divergence::{Divergence, Report};
use violet_domain::event::Rejection;
use violet_domain::json::ObjectWriter;
use violet_domain::json::itoa_like::Int as _;
use violet_engine::Sink;
use violet_engine::decision::DecisionRecord;
use violet_engine::execution::{OrderUpdate, TradeEvent};
use violet_venue::reconcile::Reconciliation;
use violet_venue::venue::audit::RequestRecord;

use crate::Journal;
use crate::record::{Col, Record, RecordKind};
use crate::run::RunRow;

/// Journals every decision, trade event and rejection; ids are `<source>:scan:<n>`,
/// `<source>:trade:<id>:<ENTRY|EXIT>` and `<source>:line:<n>`: pure functions of the
/// event and the source, so a rerun over the same events writes the same ids.
#[derive(Debug)]
pub struct JournalSink<J> {
    journal: J,
    source: String,
    run: String,
    body: String,
    id: String,
    /// Venue requests journaled so far (their ids count them).
    requests: u64,
    /// Records appended so far, by kind (in [`RecordKind::ALL`]'s order).
    written: [u64; RecordKind::ALL.len()],
}

impl<J: Journal> JournalSink<J> {
    /// A sink into `journal` for run `run`, ids prefixed with `source` (a replay's source is
    /// its run id; a service's is its configured name).
    pub fn new(journal: J, source: &str, run: &str) -> Self {
        Self {
            journal,
            source: source.to_string(),
            run: run.to_string(),
            body: String::with_capacity(1024),
            id: String::with_capacity(64),
            requests: 0,
            written: [0; RecordKind::ALL.len()],
        }
    }

    /// Records of `kind` appended through this sink so far (whether or not the journal has
    /// made them durable yet).
    #[must_use]
    pub fn written(&self, kind: RecordKind) -> u64 {
        self.written[kind.index()]
    }

    /// The journal, to look at.
    pub fn journal(&self) -> &J {
        &self.journal
    }

    /// The journal.
    pub fn journal_mut(&mut self) -> &mut J {
        &mut self.journal
    }

    /// Give the journal back.
    pub fn into_inner(self) -> J {
        self.journal
    }

    fn append(&mut self, kind: RecordKind, version: u64, cols: &[Col<'_>]) -> io::Result<()> {
        let body = self.journal.needs_body(kind).then_some(self.body.as_str());
        self.journal.append(&Record { kind, id: &self.id, run: &self.run, version, cols, body })?;
        self.written[kind.index()] += 1;
        Ok(())
    }

    fn start_id(&mut self) {
        self.id.clear();
        self.id.push_str(&self.source);
    }

    /// Journal the run's row (its start, or its stop: the stop has the higher version and
    /// replaces the start under FINAL).
    ///
    /// # Errors
    /// The journal's I/O error.
    pub fn run_row(&mut self, row: &RunRow<'_>) -> io::Result<()> {
        self.body.clear();
        row.write_json(&mut self.body);
        self.id.clear();
        self.id.push_str(&self.run);
        let cols = row.cols();
        self.append(RecordKind::Run, row.version(), &cols)
    }

    /// Journal a venue request (`venue_requests`); id `<run>:request:<n>`, n counting this
    /// run's requests from 1 (a request happens once: it is not an event a rerun replays,
    /// so its id is the run's, not the source's).
    ///
    /// # Errors
    /// The journal's I/O error.
    pub fn venue_request(&mut self, r: &RequestRecord) -> io::Result<()> {
        self.requests += 1;
        self.body.clear();
        let mut w = ObjectWriter::new(&mut self.body);
        w.str("class", r.class).str("params", &r.params).str("message", &r.message);
        w.finish();
        self.id.clear();
        let _ = write!(self.id, "{}:request:{}", self.run, self.requests);
        let cols = [
            Col::Int(r.sent_at.get()),
            Col::Str(r.method.as_str()),
            Col::Str(r.path),
            opt_str(r.client_order_id.as_deref()),
            opt_str(r.venue_order_id.as_deref()),
            r.http_status.map_or(Col::Null, |s| Col::Int(i64::from(s))),
            r.code.map_or(Col::Null, Col::Int),
            Col::Str(r.outcome.as_str()),
            Col::Int(i64::try_from(r.queued_us()).unwrap_or(i64::MAX)),
            Col::Int(i64::try_from(r.latency_us()).unwrap_or(i64::MAX)),
        ];
        self.append(RecordKind::VenueRequest, 1, &cols)
    }

    /// Journal a reconciliation made at `at_ns` against `venue`; id
    /// `<source>:reconcile:<at_ns>`.
    ///
    /// # Errors
    /// The journal's I/O error.
    pub fn reconciliation(&mut self, r: &Reconciliation, venue: &str, at_ns: i64) -> io::Result<()> {
        self.body.clear();
        self.body.push_str(&r.to_json());
        self.start_id();
        let _ = write!(self.id, ":reconcile:{at_ns}");
        let n = |k: usize| Col::Int(i64::try_from(k).unwrap_or(i64::MAX));
        let cols =
            [Col::Int(at_ns), Col::Str(venue), Col::Str(r.verdict.as_str()), n(r.symbols.len()), n(r.mismatches())];
        self.append(RecordKind::Reconciliation, 1, &cols)
    }

    /// Journal divergence `d` of `report` (the divergence monitor's finding, as
    /// `Report::divergence_json` writes it); id `<source>:divergence:<scan>:<event>`.
    ///
    /// # Errors
    /// The journal's I/O error.
    pub fn divergence(&mut self, report: &Report, d: &Divergence) -> io::Result<()> {
        self.body.clear();
        report.divergence_json(d, &mut self.body);
        self.start_id();
        let _ = write!(self.id, ":divergence:{}:{}", d.scan_number, d.event);
        self.append(
            RecordKind::Divergence,
            1,
            &[Col::Str(d.class.as_str()), Col::Int(d.scan_number), Col::Str(&d.event)],
        )
    }
}

fn opt_str(v: Option<&str>) -> Col<'_> {
    v.map_or(Col::Null, Col::Str)
}

fn opt_id(v: Option<u64>) -> Col<'static> {
    v.map_or(Col::Null, |v| Col::Int(i64::try_from(v).unwrap_or(i64::MAX)))
}

/// A decision's columns, in [`RecordKind::columns`] order: the same fields as its JSON
/// (`DecisionRecord::write_json`), the sizing breakdown's terms flattened.
fn decision_cols<'r>(r: &DecisionRecord<'r>) -> [Col<'r>; 28] {
    let d = &r.decision;
    let (symbol, price, score) = match &d.pick {
        Some(p) => (Col::Str(p.symbol), Col::Float(p.price.into_inner()), Col::Float(p.score)),
        None => (Col::Null, Col::Null, Col::Null),
    };
    let sizing = d.sizing.map(|s| s.terms());
    let term = |k: usize| sizing.map_or(Col::Null, |t| Col::Float(t[k].1));
    let allot = |f: fn(&violet_engine::decision::Allotment) -> Col<'r>| r.allotment.as_ref().map_or(Col::Null, f);
    [
        Col::Int(r.scan_number),
        Col::Int(r.ts_ns),
        Col::Str(d.action.as_str()),
        Col::Str(d.reason.as_str()),
        Col::Str(r.slot()),
        opt_id(r.slot_trade_at_start),
        opt_id(r.exited_trade),
        opt_id(r.entered_trade),
        Col::Float(r.capital),
        symbol,
        price,
        score,
        term(0),
        term(1),
        term(2),
        term(3),
        term(4),
        term(5),
        term(6),
        term(7),
        term(8),
        term(9),
        term(10),
        allot(|a| Col::Int(count(a.n_slots))),
        allot(|a| Col::Int(count(a.free_slots))),
        allot(|a| Col::Float(a.free_capital)),
        allot(|a| Col::Float(a.allotted)),
        r.allotment.and_then(|a| a.entry_slot).map_or(Col::Null, |s| Col::Int(count(s))),
    ]
}

/// A count as an Int64 column (slots are few).
fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl<J: Journal> Sink for JournalSink<J> {
    fn decision(&mut self, r: &DecisionRecord<'_>) -> io::Result<()> {
        self.body.clear();
        if self.journal.needs_body(RecordKind::Decision) {
            r.write_json(&mut self.body);
        }
        self.start_id();
        self.id.push_str(":scan:");
        r.scan_number.push_to(&mut self.id);
        let cols = decision_cols(r);
        self.append(RecordKind::Decision, 1, &cols)
    }

    fn trade(&mut self, t: &TradeEvent) -> io::Result<()> {
        self.body.clear();
        t.write_json(&mut self.body);
        let leg = match t {
            TradeEvent::Entry(_) => "ENTRY",
            TradeEvent::Exit(_) => "EXIT",
        };
        self.start_id();
        let _ = write!(self.id, ":trade:{}:{leg}", t.trade_id());
        self.append(RecordKind::Trade, 1, &[Col::Int(t.scan_number()), Col::Str(leg)])
    }

    fn order(&mut self, u: &OrderUpdate) -> io::Result<()> {
        self.body.clear();
        {
            let mut w = ObjectWriter::new(&mut self.body);
            w.str("client_order_id", u.client_order_id.as_str());
            if let Some(v) = &u.venue_order_id {
                w.str("venue_order_id", v);
            }
            w.int("trade_id", u.trade_id)
                .str("leg", u.leg.as_str())
                .str("symbol", u.symbol.as_ref())
                .str("side", u.side.as_str())
                .int("at_ns", u.at.get())
                .str("state", u.state.as_str())
                .str("what", u.kind.as_str())
                .float("filled", u.filled.get())
                .str("detail", &u.detail)
                .int("step", u64::from(u.step));
            if let Some(f) = u.fill {
                w.float("fill_quantity", f.quantity.get()).float("fill_price", f.price);
            }
            w.finish();
        }
        let trade_id = i64::try_from(u.trade_id).unwrap_or(i64::MAX);
        self.start_id();
        let _ = write!(self.id, ":order:{}", u.client_order_id);
        let venue_order_id = opt_str(u.venue_order_id.as_deref());
        let cols = [
            Col::Str(u.client_order_id.as_str()),
            venue_order_id,
            Col::Int(trade_id),
            Col::Str(u.leg.as_str()),
            Col::Str(u.symbol.as_ref()),
            Col::Str(u.side.as_str()),
            Col::Str(u.state.as_str()),
            Col::Int(i64::from(u.step)),
            Col::Int(u.at.get()),
        ];
        // The step is the version: FINAL keeps the latest step (the terminal state).
        self.append(RecordKind::Order, u64::from(u.step), &cols)?;
        if let Some(f) = u.fill {
            self.start_id();
            let _ = write!(self.id, ":fill:{}:{}", u.client_order_id, u.step);
            let cols = [
                Col::Str(u.client_order_id.as_str()),
                venue_order_id,
                Col::Int(trade_id),
                Col::Str(u.leg.as_str()),
                Col::Str(u.symbol.as_ref()),
                Col::Str(u.side.as_str()),
                Col::Float(f.quantity.get()),
                Col::Float(f.price),
                Col::Int(u.at.get()),
            ];
            self.append(RecordKind::Fill, 1, &cols)?;
        }
        Ok(())
    }

    fn rejection(&mut self, r: &Rejection) -> io::Result<()> {
        self.body.clear();
        self.body.push_str(&r.to_json());
        self.start_id();
        let _ = write!(self.id, ":line:{}", r.line);
        self.append(RecordKind::Rejection, 1, &[Col::Int(i64::try_from(r.line).unwrap_or(i64::MAX))])
    }
}
