//! Spool lines to insert statements: one RowBinary `INSERT` per table, built from the
//! journal lines of a shipping round. RowBinary carries every float bit for bit (a text
//! format would leave the digits to the server's float parser). Its buffers live as long as
//! the shipper, so a round allocates nothing once the first rounds have sized them.

use memchr::memmem::Finder;
use violet_clickhouse::RowWriter;
use violet_domain::json::{ParseOptions, Parser, Value, json_f64_any, json_i64};

use crate::record::{ColType, RecordKind};

/// The INSERT statement heading a kind's batch: explicit columns, RowBinary rows.
fn insert_head(kind: RecordKind) -> RowWriter {
    let cols: Vec<&str> = kind.table_columns().into_iter().map(|(name, _)| name).collect();
    RowWriter::insert(&format!("dolphin_violet.{} ({})", kind.table(), cols.join(", ")))
}

/// Append one column value of type `ty`; `None` if `v` is not such a value.
fn push_col(w: &mut RowWriter, ty: ColType, v: Value<'_, '_>) -> Option<()> {
    if ty.is_nullable() {
        w.null(v.is_null());
        if v.is_null() {
            return Some(());
        }
    }
    match ty {
        ColType::Int | ColType::NullInt => w.i64(json_i64(v).ok()?),
        ColType::UInt => w.u64(v.number_text()?.parse().ok()?),
        ColType::Float | ColType::NullFloat => w.f64(json_f64_any(v).ok()?),
        ColType::Str | ColType::NullStr => w.str(&v.as_str()?),
    };
    Some(())
}

/// The inserts of one round, a statement per [`RecordKind`].
pub(super) struct Rows {
    /// Each kind's insert: its statement, and its rows so far.
    inserts: [RowWriter; RecordKind::ALL.len()],
    parser: Parser,
    head: String,
    body_at: Finder<'static>,
}

impl Rows {
    pub(super) fn new() -> Self {
        Self {
            inserts: RecordKind::ALL.map(insert_head),
            parser: Parser::new(ParseOptions { allow_constants: true }),
            head: String::new(),
            body_at: Finder::new("],\"body\":"),
        }
    }

    /// Start a new round (keeps the buffers).
    pub(super) fn clear(&mut self) {
        for w in &mut self.inserts {
            w.truncate(0);
        }
    }

    /// The inserts that have rows.
    pub(super) fn inserts(&self) -> impl Iterator<Item = &RowWriter> {
        self.inserts.iter().filter(|w| !w.is_empty())
    }

    /// Append the RowBinary row of one spool line (as [`crate::Record`] writes it for the
    /// spool: `{"seq":N,"kind":K,"id":I,"run":R,"version":V,"cols":[...],"body":{...}}`,
    /// every column of the kind's table) to its kind's insert; `None` (and nothing
    /// appended) if the line is not such a record. Only the head is parsed: the body
    /// follows the first `],"body":` (inside a JSON string a quote is always escaped, so
    /// that text can only be structure) and is copied as it is.
    pub(super) fn push(&mut self, line: &str) -> Option<()> {
        let at = self.body_at.find(line.as_bytes())?;
        let body = line.get(at + self.body_at.needle().len()..line.len().checked_sub(1)?)?;
        self.head.clear();
        self.head.push_str(&line[..=at]);
        self.head.push('}');
        let doc = self.parser.parse(&self.head).ok()?;
        let [kind, id, run, version, cols] = doc.root().pick(["kind", "id", "run", "version", "cols"]);
        let kind = RecordKind::from_name(&kind?.as_str()?)?;
        let w = &mut self.inserts[RecordKind::ALL.iter().position(|&k| k == kind)?];
        let row_start = w.len();
        let row = (|| {
            w.str(&id?.as_str()?).u64(version?.number_text()?.parse().ok()?).str(&run?.as_str()?);
            let mut values = cols?.array()?;
            for &(_, ty) in kind.columns() {
                push_col(w, ty, values.next()?)?;
            }
            if values.next().is_some() {
                return None;
            }
            if kind.has_body() {
                w.str(body);
            }
            Some(())
        })();
        if row.is_none() {
            w.truncate(row_start);
        }
        row
    }
}

#[cfg(test)]
mod tests {
    use violet_clickhouse::RowReader;

    use super::*;
    use crate::record::{Col, LineShape, Record};

    fn line(r: &Record<'_>) -> String {
        let mut s = String::new();
        r.write_line(3, LineShape::Spool, &mut s);
        s
    }

    /// An insert's statement and a reader of its rows.
    fn rows_of(w: &RowWriter) -> (&str, RowReader<'_>) {
        (w.statement(), RowReader::new(w.as_bytes()))
    }

    #[test]
    fn a_line_becomes_a_row_of_its_table_bit_for_bit_and_clear_starts_a_new_round() {
        let mut rows = Rows::new();
        let trade = Record {
            kind: RecordKind::Trade,
            id: "src:trade:7:ENTRY\tx\\y",
            run: "r1",
            version: 1,
            cols: &[Col::Int(42), Col::Str("ENTRY")],
            body: Some(r#"{"note":"a\nb"}"#),
        };
        rows.push(&line(&trade)).expect("a record");
        // A decision: every column typed, no body; floats at their extremes.
        let mut cols = vec![
            Col::Int(1001),
            Col::Int(-5),
            Col::Str("ENTER"),
            Col::Str("SIGNAL"),
            Col::Str("FREE"),
            Col::Null,
            Col::Null,
            Col::Int(1),
            Col::Float(25_000.0),
            Col::Str("A033USDT"),
            Col::Float(f64::from_bits(1)),
            Col::Float(-0.0),
        ];
        let terms = [0.1 + 0.2, f64::NAN, f64::INFINITY, f64::MAX, 1e-300, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0];
        cols.extend(terms.map(Col::Float));
        // The allotment (several slots): counts, capital, the slot entered.
        cols.extend([Col::Int(3), Col::Int(2), Col::Float(16_000.5), Col::Float(8_000.25), Col::Int(1)]);
        let decision = Record {
            kind: RecordKind::Decision,
            id: "src:scan:1001",
            run: "r1",
            version: 1,
            cols: &cols,
            body: Some("{\"not\":\"shipped\"}"),
        };
        rows.push(&line(&decision)).expect("a record");
        let got: Vec<&RowWriter> = rows.inserts().collect();
        assert_eq!(got.len(), 2);

        let (head, mut r) = rows_of(got[0]);
        assert!(head.starts_with("INSERT INTO dolphin_violet.decisions (id, version, run_id, scan_number, ts_ns,"));
        assert!(
            head.ends_with(
                ", notional, n_slots, free_slots, free_capital, allotted_capital, entry_slot) FORMAT RowBinary"
            ),
            "{head}"
        );
        assert_eq!(
            (r.str(), r.u64(), r.str(), r.i64(), r.i64(), r.str(), r.str(), r.str()),
            (Ok("src:scan:1001"), Ok(1), Ok("r1"), Ok(1001), Ok(-5), Ok("ENTER"), Ok("SIGNAL"), Ok("FREE"))
        );
        assert_eq!((r.is_null(), r.is_null(), r.is_null(), r.i64()), (Ok(true), Ok(true), Ok(false), Ok(1)));
        assert_eq!(r.f64().map(f64::to_bits), Ok(25_000f64.to_bits()));
        assert_eq!((r.is_null(), r.str()), (Ok(false), Ok("A033USDT")));
        for want in [f64::from_bits(1), -0.0].into_iter().chain(terms) {
            assert_eq!(r.is_null(), Ok(false));
            assert_eq!(r.f64().map(f64::to_bits), Ok(want.to_bits()), "{want}");
        }
        assert_eq!((r.is_null(), r.i64(), r.is_null(), r.i64()), (Ok(false), Ok(3), Ok(false), Ok(2)));
        assert_eq!((r.is_null(), r.f64(), r.is_null(), r.f64()), (Ok(false), Ok(16_000.5), Ok(false), Ok(8_000.25)));
        assert_eq!((r.is_null(), r.i64()), (Ok(false), Ok(1)));
        assert!(r.is_done(), "no body column for decisions");

        let (head, mut r) = rows_of(got[1]);
        assert_eq!(
            head,
            "INSERT INTO dolphin_violet.trade_events (id, version, run_id, scan_number, event, body) FORMAT RowBinary"
        );
        assert_eq!(
            (r.str(), r.u64(), r.str(), r.i64(), r.str(), r.str()),
            (Ok("src:trade:7:ENTRY\tx\\y"), Ok(1), Ok("r1"), Ok(42), Ok("ENTRY"), Ok(r#"{"note":"a\nb"}"#))
        );
        assert!(r.is_done());

        rows.clear();
        assert_eq!(rows.inserts().count(), 0);
    }

    #[test]
    fn a_line_that_is_not_a_spool_record_adds_nothing() {
        let mut rows = Rows::new();
        assert!(rows.push("{\"seq\":1,\"kind\":\"nope\",\"cols\":[],\"body\":{}}").is_none());
        assert!(rows.push("not json").is_none());
        // A file journal's decision line (four columns and a body) is not a spool line.
        let cols = [Col::Int(1), Col::Int(2), Col::Str("NO_ENTRY"), Col::Str("NO_SIGNAL")];
        let mut padded = cols.to_vec();
        padded.extend([Col::Null; 24]);
        let r = Record { kind: RecordKind::Decision, id: "s", run: "r", version: 1, cols: &padded, body: Some("{}") };
        let mut file_line = String::new();
        r.write_line(0, LineShape::File, &mut file_line);
        assert!(file_line.contains("\"cols\":[1,2,\"NO_ENTRY\",\"NO_SIGNAL\"],\"body\":{}"), "{file_line}");
        assert!(rows.push(&file_line).is_none());
        // A wrong type, and one column too many.
        assert!(rows.push(&line(&Record { cols: &[Col::Str("x")], ..rejection() })).is_none());
        // (Written by editing a good line: `write_line` asserts its column count.)
        let good = line(&rejection());
        let extra = good.replacen("\"cols\":[9]", "\"cols\":[1,2]", 1);
        assert_ne!(extra, good);
        assert!(rows.push(&extra).is_none());
        assert_eq!(rows.inserts().count(), 0, "a refused line leaves no partial row");
        rows.push(&line(&rejection())).expect("a record");
        assert_eq!(rows.inserts().count(), 1);
    }

    fn rejection() -> Record<'static> {
        Record {
            kind: RecordKind::Rejection,
            id: "s:line:9",
            run: "r",
            version: 1,
            cols: &[Col::Int(9)],
            body: Some("{}"),
        }
    }
}
