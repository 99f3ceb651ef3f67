//! Two VIOLET modes side by side on one stream (V6: BLUE's scan cadence against the
//! stop-loss guard's tick cadence): the trades each took, exits that came earlier and by how
//! much, pnl per trade, drawdown and final capital. Rendered as `cadence.md` and
//! `cadence.html` (the two capital curves, an inline SVG: offline).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;

use violet_domain::json::{JsonValue, f64_to_string};

use crate::chart::{BLUE_COLOUR, Curve, VIOLET_COLOUR, capital_svg};
use crate::record::TradeRecord;

/// Trades listed one by one in the reports.
const LISTED: usize = 40;

/// One mode's run: its name (`scan`, `tick`, ...) and its trade events.
#[derive(Debug, Clone)]
pub struct ModeRun {
    /// The mode, e.g. `exit=scan`.
    pub name: String,
    /// Its trade events, in order.
    pub trades: Vec<TradeRecord>,
}

/// What one mode did, in figures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModeStats {
    /// Closed trades (EXIT events).
    pub exits: usize,
    /// Exits with pnl above zero.
    pub wins: usize,
    /// Capital after the last event (the initial capital when nothing happened).
    pub final_capital: f64,
    /// The largest fall of capital from a previous high, as a fraction of that high.
    pub max_drawdown: f64,
    /// The sum of the exits' pnl (fees in it).
    pub pnl: f64,
}

/// One entry both modes took (same scan, same asset), and how each closed it.
#[derive(Debug, Clone, PartialEq)]
pub struct PairedTrade {
    /// The entry's scan.
    pub entry_scan: i64,
    /// The asset.
    pub symbol: String,
    /// Each mode's exit: (scan number, timestamp, reason, pnl); `None` if still open.
    pub exits: [Option<ExitSide>; 2],
}

/// How one mode closed a trade.
#[derive(Debug, Clone, PartialEq)]
pub struct ExitSide {
    /// The exit's scan number (the last scan, for a between-scan exit).
    pub scan: i64,
    /// Its timestamp (a tick's, between scans).
    pub ts_ns: i64,
    /// Its reason.
    pub reason: String,
    /// Its pnl.
    pub pnl: f64,
}

impl PairedTrade {
    /// How much earlier the second mode exited than the first (ns; negative: later),
    /// when both did.
    #[must_use]
    pub fn lead_ns(&self) -> Option<i64> {
        match &self.exits {
            [Some(a), Some(b)] => Some(a.ts_ns - b.ts_ns),
            _ => None,
        }
    }
}

/// The comparison of two modes on one stream.
#[derive(Debug, Clone)]
pub struct CadenceComparison {
    /// The two runs, the reference first.
    pub runs: [ModeRun; 2],
    /// The capital both started with.
    pub initial_capital: f64,
    /// Each mode's figures.
    pub stats: [ModeStats; 2],
    /// Entries both took, by entry scan.
    pub paired: Vec<PairedTrade>,
    /// Entries only one mode took: (mode index, entry scan, symbol).
    pub unpaired: Vec<(usize, i64, String)>,
}

fn text(r: &TradeRecord, k: &str) -> String {
    match r.value.get(k) {
        Some(JsonValue::Str(s)) => s.clone(),
        _ => String::new(),
    }
}

fn int(r: &TradeRecord, k: &str) -> Option<i64> {
    match r.value.get(k) {
        Some(JsonValue::Int(t)) => t.parse().ok(),
        _ => None,
    }
}

/// The capital after each event, in order, starting from `initial`.
fn capital_path(trades: &[TradeRecord], initial: f64) -> Vec<(i64, f64)> {
    let mut out = Vec::with_capacity(trades.len() + 1);
    out.push((trades.first().map_or(0, |t| t.scan_number), initial));
    for t in trades {
        if t.event == "EXIT"
            && let Some(c) = t.float("capital_after")
        {
            out.push((t.scan_number, c));
        }
    }
    out
}

fn stats(trades: &[TradeRecord], initial: f64) -> ModeStats {
    let path = capital_path(trades, initial);
    let (mut peak, mut dd) = (f64::MIN, 0.0f64);
    for &(_, c) in &path {
        peak = peak.max(c);
        if peak > 0.0 {
            dd = dd.max((peak - c) / peak);
        }
    }
    let exits: Vec<&TradeRecord> = trades.iter().filter(|t| t.event == "EXIT").collect();
    ModeStats {
        exits: exits.len(),
        wins: exits.iter().filter(|t| t.float("pnl").is_some_and(|p| p > 0.0)).count(),
        final_capital: path.last().map_or(initial, |p| p.1),
        max_drawdown: dd,
        pnl: exits.iter().filter_map(|t| t.float("pnl")).sum(),
    }
}

/// Each trade's entry (scan, symbol) and exit, by trade id.
fn trades_by_entry(trades: &[TradeRecord]) -> BTreeMap<(i64, String), Option<ExitSide>> {
    let mut entries: BTreeMap<i64, (i64, String)> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for t in trades {
        let Some(id) = int(t, "trade_id") else { continue };
        let symbol = text(t, "symbol");
        if t.event == "ENTRY" {
            entries.insert(id, (t.scan_number, symbol.clone()));
            out.insert((t.scan_number, symbol), None);
        } else if let Some(key) = entries.get(&id) {
            // A trade closed in parts keeps its last exit.
            let side = ExitSide {
                scan: t.scan_number,
                ts_ns: int(t, "ts_ns").unwrap_or_default(),
                reason: text(t, "reason"),
                pnl: t.float("pnl").unwrap_or(0.0),
            };
            out.insert(key.clone(), Some(side));
        }
    }
    out
}

impl CadenceComparison {
    /// Compare `runs` (the reference first), both started with `initial_capital`.
    #[must_use]
    pub fn new(runs: [ModeRun; 2], initial_capital: f64) -> Self {
        let stats = [stats(&runs[0].trades, initial_capital), stats(&runs[1].trades, initial_capital)];
        let (a, b) = (trades_by_entry(&runs[0].trades), trades_by_entry(&runs[1].trades));
        let mut paired = Vec::new();
        let mut unpaired = Vec::new();
        for (key, ea) in &a {
            match b.get(key) {
                Some(eb) => paired.push(PairedTrade {
                    entry_scan: key.0,
                    symbol: key.1.clone(),
                    exits: [ea.clone(), eb.clone()],
                }),
                None => unpaired.push((0, key.0, key.1.clone())),
            }
        }
        unpaired.extend(b.keys().filter(|k| !a.contains_key(*k)).map(|k| (1, k.0, k.1.clone())));
        Self { runs, initial_capital, stats, paired, unpaired }
    }

    /// Paired trades the second mode closed earlier, and the leads (ns), largest first.
    #[must_use]
    pub fn earlier(&self) -> Vec<(&PairedTrade, i64)> {
        let mut v: Vec<(&PairedTrade, i64)> =
            self.paired.iter().filter_map(|p| p.lead_ns().filter(|&l| l > 0).map(|l| (p, l))).collect();
        v.sort_by_key(|&(_, l)| std::cmp::Reverse(l));
        v
    }

    /// The report as Markdown.
    #[must_use]
    pub fn to_markdown(&self) -> String {
        let [a, b] = [&self.runs[0].name, &self.runs[1].name];
        let mut s = format!("# Exit cadences side by side: {a} vs {b}\n\n");
        let _ = writeln!(s, "| | {a} | {b} |\n|---|---|---|");
        let row = |s: &mut String, k: &str, f: &dyn Fn(&ModeStats) -> String| {
            let _ = writeln!(s, "| {k} | {} | {} |", f(&self.stats[0]), f(&self.stats[1]));
        };
        row(&mut s, "closed trades", &|m| m.exits.to_string());
        row(&mut s, "win rate", &|m| pct(ratio(m.wins, m.exits)));
        row(&mut s, "pnl (fees in it)", &|m| f64_to_string(m.pnl));
        row(&mut s, "max drawdown", &|m| pct(m.max_drawdown));
        row(&mut s, "final capital", &|m| f64_to_string(m.final_capital));
        let earlier = self.earlier();
        let later = self.paired.iter().filter(|p| p.lead_ns().is_some_and(|l| l < 0)).count();
        let _ = writeln!(
            s,
            "\nStarting capital {}. {} entries both took; {} closed earlier under {b}, {later} later, the rest at the \
             same instant. {} entries only one mode took (a trade closed earlier frees the slot for another).\n",
            f64_to_string(self.initial_capital),
            self.paired.len(),
            earlier.len(),
            self.unpaired.len()
        );
        if !earlier.is_empty() {
            let mut leads: Vec<i64> = earlier.iter().map(|&(_, l)| l).collect();
            leads.sort_unstable();
            let _ = writeln!(
                s,
                "Exits {b} took earlier: by {} at the median, {} at most.\n",
                seconds(leads[leads.len() / 2]),
                seconds(leads[leads.len() - 1])
            );
        }
        let _ = writeln!(s, "## Trades both took (first {LISTED})\n");
        let _ = writeln!(
            s,
            "| entry scan | asset | {a}: exit scan, reason, pnl | {b}: exit scan, reason, pnl | {b} earlier by |"
        );
        let _ = writeln!(s, "|---|---|---|---|---|");
        for p in self.paired.iter().take(LISTED) {
            let side = |e: &Option<ExitSide>| {
                e.as_ref().map_or("open".to_string(), |x| format!("{}, {}, {}", x.scan, x.reason, f64_to_string(x.pnl)))
            };
            let lead = p.lead_ns().map_or("n/a".to_string(), seconds);
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {lead} |",
                p.entry_scan,
                p.symbol,
                side(&p.exits[0]),
                side(&p.exits[1])
            );
        }
        s
    }

    /// The capital curves (the reference blue, the other violet) as an SVG.
    ///
    /// # Errors
    /// A drawing error (as text).
    pub fn svg(&self) -> Result<String, String> {
        let curve = |r: &ModeRun| -> Vec<(f64, f64)> {
            #[allow(clippy::cast_precision_loss)] // scan numbers on an axis
            capital_path(&r.trades, self.initial_capital).iter().map(|&(x, y)| (x as f64, y)).collect()
        };
        let curves = [
            Curve { points: curve(&self.runs[0]), colour: BLUE_COLOUR, width: 2 },
            Curve { points: curve(&self.runs[1]), colour: VIOLET_COLOUR, width: 2 },
        ];
        capital_svg(&curves, &[])
    }

    /// The HTML report: the figures, the curves, the trades. Self-contained (offline).
    #[must_use]
    pub fn to_html(&self) -> String {
        let esc = |t: &str| t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        let [a, b] = [esc(&self.runs[0].name), esc(&self.runs[1].name)];
        let chart = self.svg().unwrap_or_else(|e| format!("<p>(chart unavailable: {})</p>", esc(&e)));
        let mut s = format!(
            "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Exit cadences: {a} vs {b}</title>\n\
             <style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:4px 8px}}\
             .a{{color:#1f77b4}}.b{{color:#9400d3}}</style></head><body>\n<h1>Exit cadences side by side: {a} vs {b}</h1>\n"
        );
        let md = self.to_markdown();
        let mut in_table = false;
        for line in md.lines().skip(1) {
            if let Some(cells) = line.strip_prefix('|') {
                if cells.starts_with("---") {
                    continue;
                }
                if !in_table {
                    s.push_str("<table>\n");
                    in_table = true;
                }
                let cells: Vec<String> =
                    cells.trim_end_matches('|').split('|').map(|c| format!("<td>{}</td>", esc(c.trim()))).collect();
                let _ = writeln!(s, "<tr>{}</tr>", cells.concat());
                continue;
            }
            if in_table {
                s.push_str("</table>\n");
                in_table = false;
            }
            if let Some(h) = line.strip_prefix("## ") {
                let _ = writeln!(s, "<h2>{}</h2>", esc(h));
            } else if !line.trim().is_empty() {
                let _ = writeln!(s, "<p>{}</p>", esc(line));
            }
        }
        if in_table {
            s.push_str("</table>\n");
        }
        let _ = writeln!(
            s,
            "<h2>Capital</h2><p><span class=\"a\">■ {a}</span> <span class=\"b\">■ {b}</span></p>\n{chart}"
        );
        s.push_str("</body></html>\n");
        s
    }

    /// Write `cadence.md` and `cadence.html` into `dir` (created).
    ///
    /// # Errors
    /// An I/O error.
    pub fn write_dir(&self, dir: &Path) -> io::Result<()> {
        fs::create_dir_all(dir)?;
        fs::write(dir.join("cadence.md"), self.to_markdown())?;
        fs::write(dir.join("cadence.html"), self.to_html())?;
        Ok(())
    }
}

#[allow(clippy::cast_precision_loss)] // counts of trades
fn ratio(n: usize, d: usize) -> f64 {
    if d == 0 { 0.0 } else { n as f64 / d as f64 }
}

fn pct(x: f64) -> String {
    format!("{:.2}%", x * 100.0)
}

#[allow(clippy::cast_precision_loss)] // nanoseconds shown as seconds
fn seconds(ns: i64) -> String {
    format!("{:.3} s", ns as f64 / 1e9)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::parse_trades;

    fn run(name: &str, lines: &[&str]) -> ModeRun {
        ModeRun { name: name.into(), trades: parse_trades(&lines.join("\n")).expect("trades") }
    }

    #[test]
    fn an_exit_the_guard_takes_earlier_is_paired_measured_and_reported() {
        let scan = run(
            "exit=scan",
            &[
                r#"{"event":"ENTRY","trade_id":1,"scan_number":10,"ts_ns":100,"symbol":"AUSDT","capital":1000.0}"#,
                r#"{"event":"EXIT","trade_id":1,"scan_number":14,"ts_ns":5000000100,"symbol":"AUSDT","reason":"SL","pnl":-30.0,"capital_after":970.0}"#,
                r#"{"event":"ENTRY","trade_id":2,"scan_number":20,"ts_ns":200,"symbol":"BUSDT","capital":970.0}"#,
            ],
        );
        let tick = run(
            "exit=tick",
            &[
                r#"{"event":"ENTRY","trade_id":1,"scan_number":10,"ts_ns":100,"symbol":"AUSDT","capital":1000.0}"#,
                r#"{"event":"EXIT","trade_id":1,"scan_number":12,"ts_ns":2000000100,"symbol":"AUSDT","reason":"SL","pnl":-16.0,"capital_after":984.0}"#,
                r#"{"event":"ENTRY","trade_id":2,"scan_number":13,"ts_ns":150,"symbol":"CUSDT","capital":984.0}"#,
                r#"{"event":"EXIT","trade_id":2,"scan_number":15,"ts_ns":300,"symbol":"CUSDT","reason":"TP","pnl":10.0,"capital_after":994.0}"#,
            ],
        );
        let c = CadenceComparison::new([scan, tick], 1000.0);
        assert_eq!(c.stats[0].final_capital, 970.0);
        assert_eq!(c.stats[1].final_capital, 994.0);
        assert_eq!((c.stats[0].exits, c.stats[1].exits, c.stats[1].wins), (1, 2, 1));
        assert_eq!(c.stats[0].max_drawdown.to_bits(), 0.03f64.to_bits());
        assert_eq!(c.stats[1].max_drawdown.to_bits(), (16.0f64 / 1000.0).to_bits());
        assert_eq!(c.paired.len(), 1);
        let earlier = c.earlier();
        assert_eq!(earlier.len(), 1);
        assert_eq!(earlier[0].1, 3_000_000_000, "3 s earlier");
        assert_eq!(c.unpaired, [(0, 20, "BUSDT".to_string()), (1, 13, "CUSDT".to_string())]);
        let md = c.to_markdown();
        assert!(md.contains("| final capital | 970.0 | 994.0 |"), "{md}");
        assert!(md.contains("1 closed earlier under exit=tick"), "{md}");
        assert!(md.contains("| 10 | AUSDT | 14, SL, -30.0 | 12, SL, -16.0 | 3.000 s |"), "{md}");
        let html = c.to_html();
        assert!(
            html.contains("<svg") && html.contains("<td>final capital</td>") && !html.contains("<script"),
            "{html}"
        );
    }
}
