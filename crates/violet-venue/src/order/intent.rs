//! An order intent: what the engine wants done, by when.

use std::fmt;

use violet_domain::hash::fnv1a;

/// Which leg of a trade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Leg {
    /// Opening the position.
    Entry,
    /// Closing it.
    Exit,
}

impl Leg {
    /// `ENTRY` or `EXIT`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Leg::Entry => "ENTRY",
            Leg::Exit => "EXIT",
        }
    }
}

/// Order side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// Buy (closes a SHORT).
    Buy,
    /// Sell (opens a SHORT).
    Sell,
}

impl Side {
    /// `BUY` or `SELL`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Side::Buy => "BUY",
            Side::Sell => "SELL",
        }
    }
}

/// The client order id: `v<run>-<trade>-<e|x><attempt>`, a pure function of (run id, trade
/// id, leg, attempt), at most 40 characters of `[a-z0-9-]` (the exchange lowercases and caps
/// it), so a resend of one intent can never create a second live order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientOrderId(String);

impl ClientOrderId {
    /// The id of (`run_id`, `trade_id`, `leg`, `attempt`). The run id enters as 12 hex
    /// digits of its FNV-1a hash; trade id and attempt in base 36.
    #[must_use]
    pub fn new(run_id: &str, trade_id: u64, leg: Leg, attempt: u32) -> Self {
        let run = fnv1a(run_id.as_bytes()) & 0xffff_ffff_ffff;
        let leg = match leg {
            Leg::Entry => 'e',
            Leg::Exit => 'x',
        };
        Self(format!("v{run:012x}-{}-{leg}{}", base36(trade_id), base36(u64::from(attempt))))
    }

    /// The id.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClientOrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn base36(mut n: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::with_capacity(13);
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// What the engine wants executed: one leg of one trade, by a deadline.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderIntent {
    /// The client order id (see [`ClientOrderId`]).
    pub id: ClientOrderId,
    /// The trade.
    pub trade_id: u64,
    /// Entry or exit.
    pub leg: Leg,
    /// Attempt number for this leg (0 first; a leg re-decided after an expiry is 1...).
    pub attempt: u32,
    /// The asset.
    pub symbol: String,
    /// Buy or sell.
    pub side: Side,
    /// Quote notional wanted.
    pub notional: f64,
    /// The decision's price.
    pub price: f64,
    /// The conviction's leverage (risk checks it).
    pub leverage: f64,
    /// When the engine decided (unix ns).
    pub decided_ns: i64,
    /// Time to live (ns): the order may be sent only while now < decided + ttl.
    pub ttl_ns: i64,
}

impl OrderIntent {
    /// The deadline: `decided_ns + ttl_ns` (saturating).
    #[must_use]
    pub fn deadline_ns(&self) -> i64 {
        self.decided_ns.saturating_add(self.ttl_ns)
    }
}

/// The default TTL: 100 ms.
pub const DEFAULT_TTL_NS: i64 = 100_000_000;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn ids_fit_the_exchange_and_differ_when_any_input_differs(
            run in ".{0,80}", run2 in ".{0,80}", t in any::<u64>(), t2 in any::<u64>(), a in any::<u32>(), a2 in any::<u32>(),
            exit in any::<bool>(), exit2 in any::<bool>(),
        ) {
            let leg = |x| if x { Leg::Exit } else { Leg::Entry };
            let id = ClientOrderId::new(&run, t, leg(exit), a);
            prop_assert!(id.as_str().len() <= 40, "{id}");
            prop_assert!(id.as_str().bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{id}");
            prop_assert_eq!(&id, &ClientOrderId::new(&run, t, leg(exit), a), "pure");
            let other = ClientOrderId::new(&run, t2, leg(exit2), a2);
            prop_assert_eq!(id == other, (t, exit, a) == (t2, exit2, a2), "injective within a run");
            let run_hash = |r: &str| fnv1a(r.as_bytes()) & 0xffff_ffff_ffff;
            if run_hash(&run) != run_hash(&run2) {
                prop_assert_ne!(id, ClientOrderId::new(&run2, t, leg(exit), a));
            }
        }
    }

    #[test]
    fn the_longest_id_is_40_characters() {
        let id = ClientOrderId::new("r", u64::MAX, Leg::Exit, u32::MAX);
        assert_eq!(id.as_str().len(), 1 + 12 + 1 + 13 + 1 + 1 + 7);
        assert!(id.as_str().len() <= 40);
    }
}
