//! A reconciliation's result: a row per symbol, a row per order that needed a look, the
//! verdict; as a table for people and as JSON for the journal.

use std::fmt::Write as _;

use serde::Serialize;

/// How one comparison came out. Ordered: the worst is the largest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Verdict {
    /// Equal.
    Match,
    /// Different, and the venue's answers about VIOLET's own orders in flight account for
    /// the difference exactly (fills the journal had not recorded yet).
    Explained,
    /// A difference nothing explains: refuse to trade.
    Mismatch,
}

impl Verdict {
    /// `MATCH`, `EXPLAINED`, `MISMATCH`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Match => "MATCH",
            Self::Explained => "EXPLAINED",
            Self::Mismatch => "MISMATCH",
        }
    }
}

/// One symbol, held on either side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SymbolRow {
    /// The symbol (`BTCUSDT`).
    pub symbol: String,
    /// The venue's net position (a short negative).
    pub venue: f64,
    /// The journal's net position (the sum of its fills).
    pub journal: f64,
    /// What the venue's answers about the journal's orders in flight add to the journal.
    pub unjournaled: f64,
    /// The contract step the comparison counts in (none: no contract spec known).
    pub step: Option<f64>,
    /// How it came out.
    pub verdict: Verdict,
    /// Why, in words.
    pub why: String,
}

/// Where an order that needed a look was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrderWhere {
    /// Open at the venue, unknown to the journal.
    VenueOnly,
    /// In flight in the journal; the venue has no such order (it never executed).
    JournalOnly,
    /// In flight in the journal and known to the venue.
    Both,
    /// In flight in the journal; the venue could not say.
    Unknown,
}

/// One order that needed a look: every open order at the venue and every order the journal
/// holds as in flight.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderRow {
    /// Its client order id (empty: none, not VIOLET's).
    pub client_order_id: String,
    /// Its symbol.
    pub symbol: String,
    /// Where it was found.
    pub found: OrderWhere,
    /// How it came out.
    pub verdict: Verdict,
}

/// The whole comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reconciliation {
    /// The verdict: the worst of every row's (MATCH when there is nothing on either side).
    pub verdict: Verdict,
    /// A row per symbol held on either side, by symbol.
    pub symbols: Vec<SymbolRow>,
    /// A row per order that needed a look.
    pub orders: Vec<OrderRow>,
}

impl Reconciliation {
    /// Whether trading may go on: nothing unexplained.
    #[must_use]
    pub fn passed(&self) -> bool {
        self.verdict != Verdict::Mismatch
    }

    /// Whether the journal holds a position in any symbol (a whole step or more; exactly,
    /// without a contract spec).
    #[must_use]
    pub fn journal_holds(&self) -> bool {
        self.symbols.iter().any(|r| match r.step {
            Some(step) if step > 0.0 => (r.journal / step).round() != 0.0,
            _ => r.journal != 0.0,
        })
    }

    /// Rows (symbols and orders) that are mismatches.
    #[must_use]
    pub fn mismatches(&self) -> usize {
        self.symbols.iter().filter(|r| r.verdict == Verdict::Mismatch).count()
            + self.orders.iter().filter(|r| r.verdict == Verdict::Mismatch).count()
    }

    /// As a JSON object's text.
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| format!("{{\"error\":{:?}}}", e.to_string()))
    }

    /// As a table for people: one line per symbol and per order, then the verdict.
    #[must_use]
    pub fn render(&self) -> String {
        let mut out = String::new();
        if self.symbols.is_empty() {
            out.push_str("no position on either side\n");
        } else {
            let _ = writeln!(
                out,
                "{:<14} {:>18} {:>18} {:>14}  {:<9}  why",
                "symbol", "venue", "journal", "unjournaled", "verdict"
            );
            for r in &self.symbols {
                let _ = writeln!(
                    out,
                    "{:<14} {:>18} {:>18} {:>14}  {:<9}  {}",
                    r.symbol,
                    r.venue,
                    r.journal,
                    r.unjournaled,
                    r.verdict.as_str(),
                    r.why
                );
            }
        }
        for o in &self.orders {
            let id = if o.client_order_id.is_empty() { "(no client id)" } else { o.client_order_id.as_str() };
            let _ = writeln!(out, "order {id} {}: {:?} {}", o.symbol, o.found, o.verdict.as_str());
        }
        let n = self.mismatches();
        let _ = writeln!(out, "verdict: {} ({n} mismatch{})", self.verdict.as_str(), if n == 1 { "" } else { "es" });
        out
    }
}
