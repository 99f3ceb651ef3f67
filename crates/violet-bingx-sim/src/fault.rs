//! Faults injected on demand, each for the next matching request(s).

/// Which requests a fault hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Place order.
    Place,
    /// Query order.
    Query,
    /// Cancel order.
    Cancel,
    /// Any signed request.
    Any,
}

impl Target {
    /// From `place`, `query`, `cancel`, `any`.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "place" => Self::Place,
            "query" => Self::Query,
            "cancel" => Self::Cancel,
            "any" => Self::Any,
            _ => return None,
        })
    }
}

/// What goes wrong.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultKind {
    /// HTTP 429, nothing executed.
    Http429,
    /// An envelope with this code and message, nothing executed (e.g. 109429 busy).
    Code(i64, String),
    /// The request executes, then the connection is dropped without an answer.
    DropAfterExecute,
    /// The request executes, then HTTP 504 ("may have been executed").
    Http504AfterExecute,
    /// The request executes at once; the answer comes this many ms later.
    DelayAnswer(u64),
    /// The request reaches the exchange this many ms late (its timestamp is checked then).
    LateArrival(u64),
    /// A MARKET order fills only this fraction and stays working.
    PartialFill(f64),
    /// Order queries answer 109423 "order is being processed".
    Processing,
}

/// A fault and how many requests it hits.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    /// What.
    pub kind: FaultKind,
    /// Which requests.
    pub target: Target,
    /// How many more times.
    pub times: u32,
}

/// Faults waiting, first in first out per target.
#[derive(Debug, Default)]
pub struct Faults(Vec<Fault>);

impl Faults {
    /// Queue `fault`.
    pub fn push(&mut self, fault: Fault) {
        if fault.times > 0 {
            self.0.push(fault);
        }
    }

    /// The fault for a request to `target`, if one waits (spent once).
    pub fn take(&mut self, target: Target) -> Option<FaultKind> {
        let i = self.0.iter().position(|f| f.target == target || f.target == Target::Any)?;
        let f = &mut self.0[i];
        f.times -= 1;
        let kind = f.kind.clone();
        if f.times == 0 {
            self.0.remove(i);
        }
        Some(kind)
    }

    /// Faults still waiting.
    #[must_use]
    pub fn pending(&self) -> usize {
        self.0.len()
    }

    /// Drop every fault.
    pub fn clear(&mut self) {
        self.0.clear();
    }
}
