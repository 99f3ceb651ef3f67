//! One decision as journaled: the decision, the scan it was made on, and the slot.

use violet_domain::json::ObjectWriter;

use super::Decision;

/// A decision with its context, one per accepted scan (the `--decisions-out` line; schema
/// in `docs/decisions.md`).
#[derive(Debug, Clone, Copy)]
pub struct DecisionRecord<'s> {
    /// The scan's number.
    pub scan_number: i64,
    /// The scan's timestamp (carried).
    pub ts_ns: i64,
    /// The decision.
    pub decision: Decision<'s>,
    /// The open trade at the start of the scan (`None`: the slot was free).
    pub slot_trade_at_start: Option<u64>,
    /// The trade an exit closed on this scan, if any.
    pub exited_trade: Option<u64>,
    /// The trade this decision opened, if the slot took it.
    pub entered_trade: Option<u64>,
    /// Capital when deciding (after this scan's exit, if any).
    pub capital: f64,
    /// With several slots, how capital was allotted to the decision (absent with one: the
    /// decision is sized on `capital`, as BLUE's).
    pub allotment: Option<Allotment>,
}

/// How much capital a decision is sized on when slots share it (`docs/decisions.md`):
/// capital not committed to busy slots (each commits what it was allotted at its entry),
/// divided among the free slots (after this scan's exits), never more than is free. When no
/// slot is free, the decision (journaled, not entered) is sized on `capital / n_slots`. With
/// one slot both rules give `capital` itself, bit for bit: BLUE. (Several slots enter only
/// on an allotment above zero.)
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Allotment {
    /// Slots in all.
    pub n_slots: usize,
    /// Slots free after this scan's exits (the capital is shared by them).
    pub free_slots: usize,
    /// Capital minus what busy slots were allotted.
    pub free_capital: f64,
    /// What the decision's sizing used.
    pub allotted: f64,
    /// The slot the decision entered, if it did.
    pub entry_slot: Option<usize>,
}

impl Allotment {
    /// The allotment for a scan with `capital`, `committed` to busy slots, `free_slots`
    /// free, `n_slots` in all.
    #[inline]
    #[must_use]
    pub fn new(capital: f64, committed: f64, free_slots: usize, n_slots: usize) -> Self {
        let free_capital = capital - committed;
        let n = n_slots.max(1);
        #[allow(clippy::cast_precision_loss)] // slots are few
        let allotted = match free_slots {
            0 => capital / n as f64,
            k => (free_capital / k as f64).min(free_capital),
        };
        Self { n_slots: n, free_slots, free_capital, allotted, entry_slot: None }
    }
}

impl DecisionRecord<'_> {
    /// The slot at the start of the scan: `OPEN` (a trade was open) or `FREE`.
    #[must_use]
    pub const fn slot(&self) -> &'static str {
        if self.slot_trade_at_start.is_some() { "OPEN" } else { "FREE" }
    }

    /// Append the JSON line (without LF).
    pub fn write_json(&self, out: &mut String) {
        let d = &self.decision;
        let mut w = ObjectWriter::new(out);
        w.int("scan_number", self.scan_number)
            .int("ts_ns", self.ts_ns)
            .str("action", d.action.as_str())
            .str("reason", d.reason.as_str())
            .str("slot", self.slot());
        opt_int(&mut w, "slot_trade_id", self.slot_trade_at_start);
        opt_int(&mut w, "exited_trade_id", self.exited_trade);
        opt_int(&mut w, "entered_trade_id", self.entered_trade);
        w.float("capital", self.capital);
        if let Some(a) = &self.allotment {
            w.int("n_slots", a.n_slots)
                .int("free_slots", a.free_slots)
                .float("free_capital", a.free_capital)
                .float("allotted_capital", a.allotted);
            match a.entry_slot {
                Some(s) => w.int("entry_slot", s),
                None => w.raw("entry_slot", "null"),
            };
        }
        match &d.pick {
            Some(p) => {
                w.str("symbol", p.symbol).float("price", p.price.into_inner()).float("score", p.score);
            }
            None => {
                w.raw("symbol", "null").raw("price", "null").raw("score", "null");
            }
        }
        match &d.sizing {
            Some(s) => {
                let mut b = String::with_capacity(320);
                b.push_str(&s.to_json());
                w.raw("sizing", &b);
            }
            None => {
                w.raw("sizing", "null");
            }
        }
        w.finish();
    }
}

fn opt_int(w: &mut ObjectWriter<'_>, k: &str, v: Option<u64>) {
    match v {
        Some(v) => w.int(k, v),
        None => w.raw(k, "null"),
    };
}
