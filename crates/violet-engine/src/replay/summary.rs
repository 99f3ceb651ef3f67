//! The replay summary.

use violet_domain::json::ObjectWriter;

/// What a replay did.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplaySummary {
    /// Accepted scans.
    pub scans: u64,
    /// Valid ticks.
    pub ticks: u64,
    /// Poison lines.
    pub rejected: u64,
    /// Final capital.
    pub capital: f64,
    /// Positions opened.
    pub entries: u64,
    /// Positions closed.
    pub exits: u64,
    /// Decisions made (one per accepted scan).
    pub decisions: u64,
    /// The cadence plan, e.g. `entry=scan,exit=scan,flush=scan`.
    pub cadence: String,
    /// Whether the run is BLUE's (all cadences scan, one slot): only then are trades gated
    /// against BLUE.
    pub blue_parity: bool,
    /// Slots sharing the capital (1: BLUE).
    pub n_slots: usize,
    /// Still open at the end of the stream (BLUE leaves it open too): the first slot's.
    pub open_trade: Option<u64>,
    /// Every trade still open, slot by slot (several slots only).
    pub open_trades: Vec<u64>,
    /// Divergences from BLUE's trade events, when they were compared.
    pub divergences: Option<usize>,
}

impl ReplaySummary {
    /// What `engine` did on a stream with `counts` (its plan and slots included).
    #[must_use]
    pub fn of<C: violet_clock::Clock>(counts: violet_domain::event::StreamCounts, engine: &crate::Engine<C>) -> Self {
        let e = engine.counts();
        let slots = engine.portfolio().slots();
        Self {
            scans: counts.scans,
            ticks: counts.ticks,
            rejected: counts.rejected,
            capital: engine.capital(),
            entries: e.entries,
            exits: e.exits,
            decisions: e.decisions,
            cadence: engine.plan().to_string(),
            blue_parity: engine.plan().is_blue_parity() && slots.len() == 1,
            n_slots: slots.len(),
            open_trade: engine.slot().position().map(|p| p.trade_id),
            open_trades: slots.iter().filter_map(|s| s.position().map(|p| p.trade_id)).collect(),
            divergences: None,
        }
    }

    /// The summary as one JSON object.
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut s = String::new();
        let mut w = ObjectWriter::new(&mut s);
        w.int("scans", self.scans)
            .int("ticks", self.ticks)
            .int("rejected", self.rejected)
            .float("capital", self.capital)
            .int("entries", self.entries)
            .int("exits", self.exits)
            .int("decisions", self.decisions)
            .str("cadence", &self.cadence)
            .bool("blue_parity", self.blue_parity);
        match self.open_trade {
            Some(t) => w.int("open_trade_id", t),
            None => w.raw("open_trade_id", "null"),
        };
        if self.n_slots > 1 {
            let ids: Vec<String> = self.open_trades.iter().map(u64::to_string).collect();
            w.int("n_slots", self.n_slots).raw("open_trade_ids", &format!("[{}]", ids.join(",")));
        }
        if let Some(n) = self.divergences {
            w.int("divergences", n as u64);
        }
        w.finish();
        s
    }

    /// A short human summary.
    #[must_use]
    pub fn human(&self, initial_capital: f64) -> String {
        let mode = if self.blue_parity {
            "BLUE-parity cadence".to_string()
        } else if self.n_slots > 1 {
            format!("VIOLET-only: {} slots, cadence {} (not gated against BLUE)", self.n_slots, self.cadence)
        } else {
            format!("VIOLET-only cadence {} (not gated against BLUE)", self.cadence)
        };
        let open = if self.n_slots > 1 && !self.open_trades.is_empty() {
            let ids: Vec<String> = self.open_trades.iter().map(u64::to_string).collect();
            format!(" (trades {} still open)", ids.join(", "))
        } else {
            self.open_trade.map(|t| format!(" (trade {t} still open)")).unwrap_or_default()
        };
        format!(
            "replayed {} scans, {} ticks, {} rejected lines; {} decisions, {} entries, {} exits{}; capital {} -> {} ({mode})",
            self.scans,
            self.ticks,
            self.rejected,
            self.decisions,
            self.entries,
            self.exits,
            open,
            violet_domain::json::f64_to_string(initial_capital),
            violet_domain::json::f64_to_string(self.capital),
        )
    }
}
