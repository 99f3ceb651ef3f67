//! Rendering a [`Report`]: `divergences.jsonl`, `report.md`, `report.html`.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;

use violet_domain::json::{JsonValue, ObjectWriter, f64_to_string};

use crate::chart::{BLUE_COLOUR, Curve, VIOLET_COLOUR, capital_svg};
use crate::compare::{Class, Divergence, Report};
use crate::record::TradeRecord;

/// Context lines shown around the first divergence.
const CONTEXT: usize = 2;
/// Divergences listed in full in the Markdown and HTML reports.
const LISTED: usize = 50;

fn opt(v: Option<&JsonValue>) -> String {
    v.map_or_else(|| "absent".to_string(), ToString::to_string)
}

impl Report {
    /// Divergences as JSON lines, one [`Report::divergence_json`] each.
    #[must_use]
    pub fn to_jsonl(&self) -> String {
        let mut s = String::new();
        for d in &self.divergences {
            self.divergence_json(d, &mut s);
            s.push('\n');
        }
        s
    }

    /// One divergence as a JSON object:
    /// `{"class","scan_number","event","blue_line","violet_line","fields":[{"field","blue","violet","ulps"}...]}`;
    /// a field's `blue` or `violet` key is left out where that side lacks the field.
    pub fn divergence_json(&self, d: &Divergence, s: &mut String) {
        let mut w = ObjectWriter::new(s);
        w.str("class", d.class.as_str()).int("scan_number", d.scan_number).str("event", &d.event);
        let line =
            |idx: Option<usize>, recs: &[TradeRecord]| idx.map_or("null".to_string(), |i| recs[i].line.to_string());
        w.raw("blue_line", &line(d.blue, &self.blue)).raw("violet_line", &line(d.violet, &self.violet));
        let mut f = String::from("[");
        for (k, fd) in d.fields.iter().enumerate() {
            if k > 0 {
                f.push(',');
            }
            let mut fw = ObjectWriter::new(&mut f);
            // A side where the field is absent has no key (the text "absent" is not JSON).
            fw.str("field", &fd.field);
            for (k, v) in [("blue", &fd.blue), ("violet", &fd.violet)] {
                if let Some(v) = v {
                    v.write(fw.key(k));
                }
            }
            match fd.ulps {
                Some(u) => fw.int("ulps", u),
                None => fw.raw("ulps", "null"),
            };
            fw.finish();
        }
        f.push(']');
        w.raw("fields", &f);
        w.finish();
    }

    /// One divergence in a line: class, event, scan, lines in both files, differing fields
    /// with their ULP distances.
    #[must_use]
    pub fn describe(&self, d: &Divergence) -> String {
        let mut s = format!("{} {} at scan {}", d.class.as_str(), d.event, d.scan_number);
        if let Some(i) = d.blue {
            let _ = write!(s, " (BLUE line {})", self.blue[i].line);
        }
        if let Some(j) = d.violet {
            let _ = write!(s, " (VIOLET line {})", self.violet[j].line);
        }
        for f in &d.fields {
            let _ = write!(s, "; {}: BLUE {} vs VIOLET {}", f.field, opt(f.blue.as_ref()), opt(f.violet.as_ref()));
            if let Some(u) = f.ulps {
                let _ = write!(s, " ({u} ULP)");
            }
        }
        s
    }

    fn context(&self, recs: &[TradeRecord], at: Option<usize>, label: &str, out: &mut String) {
        let Some(at) = at else {
            let _ = writeln!(out, "{label}: (no such event)");
            return;
        };
        let lo = at.saturating_sub(CONTEXT);
        let hi = (at + CONTEXT + 1).min(recs.len());
        let _ = writeln!(out, "{label}:");
        for (k, r) in recs.iter().enumerate().take(hi).skip(lo) {
            let _ = writeln!(out, "{} {:>6}: {}", if k == at { ">" } else { " " }, r.line, r.value);
        }
    }

    /// The Markdown report.
    #[must_use]
    pub fn to_markdown(&self) -> String {
        let mut s = String::from("# Divergence report: VIOLET vs BLUE trade events\n\n");
        let _ = writeln!(s, "| | count |\n|---|---:|");
        let _ = writeln!(s, "| BLUE events | {} |\n| VIOLET events | {} |", self.blue.len(), self.violet.len());
        let _ = writeln!(s, "| matched | {} |", self.matched);
        for c in [Class::Missing, Class::Extra, Class::FieldMismatch, Class::Fill] {
            let _ = writeln!(s, "| {} | {} |", c.as_str(), self.count(c));
        }
        let _ = writeln!(s);
        match self.divergences.first() {
            None => {
                let _ = writeln!(s, "No divergence: every trade event identical, floats bit for bit.");
            }
            Some(d) => {
                let _ = writeln!(s, "## First divergence\n\n{}\n\n```", self.describe(d));
                let near = |recs: &[TradeRecord]| recs.iter().position(|r| r.key() >= (d.scan_number, 0));
                self.context(&self.blue, d.blue.or_else(|| near(&self.blue)), "BLUE", &mut s);
                self.context(&self.violet, d.violet.or_else(|| near(&self.violet)), "VIOLET", &mut s);
                let _ = writeln!(s, "```\n\n## Divergences (first {LISTED})\n");
                for d in self.divergences.iter().take(LISTED) {
                    let _ = writeln!(s, "- {}", self.describe(d));
                }
            }
        }
        s
    }

    fn curve(recs: &[TradeRecord]) -> Vec<(f64, f64)> {
        let mut pts = Vec::new();
        for r in recs {
            #[allow(clippy::cast_precision_loss)]
            let x = r.scan_number as f64;
            let y = if r.event == "ENTRY" { r.float("capital") } else { r.float("capital_after") };
            if let Some(y) = y.filter(|y| y.is_finite()) {
                pts.push((x, y));
            }
        }
        pts
    }

    /// The capital curves as an SVG (BLUE blue, VIOLET violet, divergences red).
    ///
    /// # Errors
    /// A drawing error (as text).
    pub fn svg(&self) -> Result<String, String> {
        let marks: Vec<(f64, f64)> = self
            .divergences
            .iter()
            .filter_map(|d| {
                let r = d.violet.map(|j| &self.violet[j]).or_else(|| d.blue.map(|i| &self.blue[i]))?;
                Self::curve(std::slice::from_ref(r)).first().copied()
            })
            .collect();
        let curves = [
            Curve { points: Self::curve(&self.blue), colour: BLUE_COLOUR, width: 3 },
            Curve { points: Self::curve(&self.violet), colour: VIOLET_COLOUR, width: 1 },
        ];
        capital_svg(&curves, &marks)
    }

    /// The HTML report: counts, the chart, the first divergences. Self-contained (offline).
    #[must_use]
    pub fn to_html(&self) -> String {
        let esc = |t: &str| t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        let chart = self.svg().unwrap_or_else(|e| format!("<p>(chart unavailable: {})</p>", esc(&e)));
        let mut s = String::from(
            "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>VIOLET vs BLUE: divergence report</title>\n\
             <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}\
             pre{background:#f6f6f6;padding:8px;overflow-x:auto}.k{color:#1f77b4}.v{color:#9400d3}.d{color:red}</style></head><body>\n",
        );
        let _ = writeln!(s, "<h1>Divergence report: VIOLET vs BLUE trade events</h1>");
        let _ = writeln!(
            s,
            "<table><tr><th>BLUE events</th><th>VIOLET events</th><th>matched</th><th>missing</th><th>extra</th><th>field mismatch</th><th>fill</th></tr>\
             <tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr></table>",
            self.blue.len(),
            self.violet.len(),
            self.matched,
            self.count(Class::Missing),
            self.count(Class::Extra),
            self.count(Class::FieldMismatch),
            self.count(Class::Fill)
        );
        let _ = writeln!(
            s,
            "<h2>Capital</h2><p><span class=\"k\">■ BLUE</span> <span class=\"v\">■ VIOLET</span> <span class=\"d\">● divergence</span></p>\n{chart}"
        );
        if self.divergences.is_empty() {
            let _ = writeln!(s, "<p>No divergence: every trade event identical, floats bit for bit.</p>");
        } else {
            let md = self.to_markdown();
            let first = md.split("## Divergences").next().unwrap_or_default();
            let _ = writeln!(
                s,
                "<h2>First divergence</h2><pre>{}</pre>",
                esc(first.split("## First divergence").nth(1).unwrap_or_default())
            );
            let _ = writeln!(s, "<h2>Divergences (first {LISTED})</h2><ol>");
            for d in self.divergences.iter().take(LISTED) {
                let _ = writeln!(s, "<li>{}</li>", esc(&self.describe(d)));
            }
            let _ = writeln!(s, "</ol>");
        }
        s.push_str("</body></html>\n");
        s
    }

    /// Write `divergences.jsonl`, `report.md` and `report.html` into `dir` (created).
    ///
    /// # Errors
    /// An I/O error.
    pub fn write_dir(&self, dir: &Path) -> io::Result<()> {
        fs::create_dir_all(dir)?;
        fs::write(dir.join("divergences.jsonl"), self.to_jsonl())?;
        fs::write(dir.join("report.md"), self.to_markdown())?;
        fs::write(dir.join("report.html"), self.to_html())?;
        Ok(())
    }
}

/// A one-line summary for logs.
#[must_use]
pub fn one_line(r: &Report) -> String {
    format!(
        "{} trade events divergent ({} missing, {} extra, {} field mismatches, {} real-fill differences), {} matched; \
         capital BLUE {} vs VIOLET {}",
        r.divergences.len(),
        r.count(Class::Missing),
        r.count(Class::Extra),
        r.count(Class::FieldMismatch),
        r.count(Class::Fill),
        r.matched,
        last_capital(&r.blue),
        last_capital(&r.violet)
    )
}

fn last_capital(recs: &[TradeRecord]) -> String {
    recs.iter()
        .rev()
        .find_map(|r| if r.event == "EXIT" { r.float("capital_after") } else { r.float("capital") })
        .map_or("n/a".to_string(), f64_to_string)
}
