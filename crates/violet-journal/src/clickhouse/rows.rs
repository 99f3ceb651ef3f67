//! Spool lines to insert statements: one TabSeparated `INSERT` per table, built from the
//! journal lines of a shipping round. Its buffers live as long as the shipper, so a round
//! allocates nothing once the first rounds have sized them.

use memchr::memmem::Finder;
use violet_domain::json::{ParseOptions, Parser};

use crate::record::RecordKind;

/// Append `s` TabSeparated-escaped (backslash, tab, newline).
fn tsv_str(out: &mut String, s: &str) {
    let mut rest = s;
    while let Some(i) = memchr::memchr3(b'\\', b'\t', b'\n', rest.as_bytes()) {
        out.push_str(&rest[..i]);
        out.push_str(match rest.as_bytes()[i] {
            b'\\' => "\\\\",
            b'\t' => "\\t",
            _ => "\\n",
        });
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
}

/// The INSERT statement heading a kind's batch: explicit columns, TabSeparated rows.
fn insert_head(kind: RecordKind) -> String {
    let mut cols = vec!["id", "version", "run_id"];
    cols.extend_from_slice(kind.columns());
    cols.push("body");
    format!("INSERT INTO dolphin_violet.{} ({}) FORMAT TabSeparated\n", kind.table(), cols.join(", "))
}

/// The inserts of one round, a statement per [`RecordKind`].
pub(super) struct Rows {
    /// Each kind's statement head, and its statement so far (head + rows).
    inserts: [(usize, String); RecordKind::ALL.len()],
    parser: Parser,
    head: String,
    body_at: Finder<'static>,
}

impl Rows {
    pub(super) fn new() -> Self {
        Self {
            inserts: RecordKind::ALL.map(|k| {
                let head = insert_head(k);
                (head.len(), head)
            }),
            parser: Parser::new(ParseOptions { allow_constants: true }),
            head: String::new(),
            body_at: Finder::new("],\"body\":"),
        }
    }

    /// Start a new round (keeps the buffers).
    pub(super) fn clear(&mut self) {
        for (head, s) in &mut self.inserts {
            s.truncate(*head);
        }
    }

    /// The statements that have rows.
    pub(super) fn statements(&self) -> impl Iterator<Item = &str> {
        self.inserts.iter().filter(|(head, s)| s.len() > *head).map(|(_, s)| s.as_str())
    }

    /// Append the TabSeparated row of one spool line (as [`crate::Record`] writes it:
    /// `{"seq":N,"kind":K,"id":I,"run":R,"version":V,"cols":[...],"body":{...}}`) to its
    /// kind's insert; `None` if the line is not such a record. Only the short head is
    /// parsed: the body follows the first `],"body":` (inside a JSON string a quote is
    /// always escaped, so that text can only be structure) and is copied as it is, escaped.
    pub(super) fn push(&mut self, line: &str) -> Option<()> {
        let at = self.body_at.find(line.as_bytes())?;
        let body = line.get(at + self.body_at.needle().len()..line.len().checked_sub(1)?)?;
        self.head.clear();
        self.head.push_str(&line[..=at]);
        self.head.push('}');
        let doc = self.parser.parse(&self.head).ok()?;
        let [kind, id, run, version, cols] = doc.root().pick(["kind", "id", "run", "version", "cols"]);
        let kind = RecordKind::from_name(&kind?.as_str()?)?;
        let out = &mut self.inserts[RecordKind::ALL.iter().position(|&k| k == kind)?].1;
        tsv_str(out, &id?.as_str()?);
        out.push('\t');
        out.push_str(version?.number_text()?);
        out.push('\t');
        tsv_str(out, &run?.as_str()?);
        for c in cols?.array()? {
            out.push('\t');
            match c.number_text() {
                Some(n) => out.push_str(n),
                None => tsv_str(out, &c.as_str()?),
            }
        }
        out.push('\t');
        tsv_str(out, body);
        out.push('\n');
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Col, Record};

    fn line(r: &Record<'_>) -> String {
        let mut s = String::new();
        r.write_line(3, &mut s);
        s
    }

    #[test]
    fn a_line_becomes_an_escaped_row_of_its_table_and_clear_starts_a_new_round() {
        let mut rows = Rows::new();
        let trade = Record {
            kind: RecordKind::Trade,
            id: "src:trade:7:ENTRY\tx\\y",
            run: "r1",
            version: 1,
            cols: &[Col::Int(42), Col::Str("ENTRY")],
            body: r#"{"note":"a\nb"}"#,
        };
        rows.push(&line(&trade)).expect("a record");
        let run = Record {
            kind: RecordKind::Rejection,
            id: "src:line:9",
            run: "r1",
            version: 2,
            cols: &[Col::Int(9)],
            body: "{}",
        };
        rows.push(&line(&run)).expect("a record");
        let got: Vec<&str> = rows.statements().collect();
        assert_eq!(
            got,
            [
                "INSERT INTO dolphin_violet.trade_events (id, version, run_id, scan_number, event, body) \
                 FORMAT TabSeparated\nsrc:trade:7:ENTRY\\tx\\\\y\t1\tr1\t42\tENTRY\t{\"note\":\"a\\\\nb\"}\n",
                "INSERT INTO dolphin_violet.rejections (id, version, run_id, line, body) FORMAT TabSeparated\n\
                 src:line:9\t2\tr1\t9\t{}\n",
            ]
        );
        rows.clear();
        assert_eq!(rows.statements().count(), 0);
        assert!(rows.push("{\"seq\":1,\"kind\":\"nope\",\"cols\":[],\"body\":{}}").is_none());
        assert!(rows.push("not json").is_none());
    }
}
