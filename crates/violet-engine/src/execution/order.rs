//! Orders as the engine sees them: legs, sides, states, what happened to them, and client
//! order ids that survive restarts.

use std::fmt;

use violet_domain::hash::fnv1a;

/// Which leg of a trade an order is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Leg {
    /// Opening the position (SELL: VIOLET trades SHORT).
    Entry,
    /// Closing it (BUY, reduce-only).
    Exit,
    /// Closing a quantity that filled after its entry order had ended (BUY, reduce-only).
    LateClose,
}

impl Leg {
    /// `ENTRY`, `EXIT` or `LATE_CLOSE`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Leg::Entry => "ENTRY",
            Leg::Exit => "EXIT",
            Leg::LateClose => "LATE_CLOSE",
        }
    }

    /// The side of this leg for a SHORT: entries sell, closes buy.
    #[must_use]
    pub const fn side(self) -> Side {
        match self {
            Leg::Entry => Side::Sell,
            Leg::Exit | Leg::LateClose => Side::Buy,
        }
    }

    /// Whether the leg may only reduce a position.
    #[must_use]
    pub const fn reduce_only(self) -> bool {
        !matches!(self, Leg::Entry)
    }

    const fn code(self) -> char {
        match self {
            Leg::Entry => 'e',
            Leg::Exit => 'x',
            Leg::LateClose => 'c',
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

    /// The side named `text` (`BUY`, `SELL`).
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        [Side::Buy, Side::Sell].into_iter().find(|s| s.as_str() == text)
    }

    /// A base quantity `q` as a change of the net position: a buy adds it, a sell takes it
    /// away.
    #[must_use]
    pub fn signed(self, q: f64) -> f64 {
        match self {
            Side::Buy => q,
            Side::Sell => -q,
        }
    }
}

/// Where an order is. Terminal: FILLED, REJECTED, EXPIRED, CANCELLED; each order reaches
/// exactly one and never leaves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderState {
    /// Approved, not yet sent.
    Pending,
    /// Sent, no acknowledgement yet.
    Sent,
    /// Acknowledged by the venue, not (fully) filled.
    Acked,
    /// Fully filled.
    Filled,
    /// Refused (by risk, the observe-only guard, or the venue).
    Rejected,
    /// Not acknowledged by its deadline (or never sent because the deadline had passed).
    Expired,
    /// Acknowledged but not fully filled by its deadline, the rest cancelled.
    Cancelled,
}

impl OrderState {
    /// Whether the order's path has ended.
    #[must_use]
    pub const fn is_terminal(self) -> bool {
        matches!(self, OrderState::Filled | OrderState::Rejected | OrderState::Expired | OrderState::Cancelled)
    }

    /// Upper-case name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            OrderState::Pending => "PENDING",
            OrderState::Sent => "SENT",
            OrderState::Acked => "ACKED",
            OrderState::Filled => "FILLED",
            OrderState::Rejected => "REJECTED",
            OrderState::Expired => "EXPIRED",
            OrderState::Cancelled => "CANCELLED",
        }
    }

    /// The state named `text` (`FILLED`, ...), as the journal spells it.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        [
            OrderState::Pending,
            OrderState::Sent,
            OrderState::Acked,
            OrderState::Filled,
            OrderState::Rejected,
            OrderState::Expired,
            OrderState::Cancelled,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// What one step of an order's path was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UpdateKind {
    /// Sent to the venue.
    Sent,
    /// Sent again with the same client order id after a recoverable error.
    Resent,
    /// Accepted by the venue.
    Ack,
    /// (Part of) the order filled.
    Fill,
    /// Refused by the venue (or an L3 reject before sending).
    Reject,
    /// Refused by the pre-trade risk caps.
    RiskRefused,
    /// Refused by the observe-only guard (execution not armed).
    ObserveOnly,
    /// Not acknowledged by its deadline.
    Expire,
    /// Acknowledged, not fully filled by its deadline: the rest cancelled.
    Cancel,
    /// Acknowledged after it had expired: cancelled.
    LateAckCancelled,
    /// Filled after it had ended: the engine books it and closes it.
    LateFill,
    /// The venue's answer to a query.
    Queried,
    /// A fill the engine cannot book (an invalid price or quantity, or more than the
    /// position holds): journaled, entries halted.
    InvalidFill,
}

impl UpdateKind {
    /// Upper-case name (the journal's `what`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            UpdateKind::Sent => "SENT",
            UpdateKind::Resent => "RESENT",
            UpdateKind::Ack => "ACK",
            UpdateKind::Fill => "FILL",
            UpdateKind::Reject => "REJECT",
            UpdateKind::RiskRefused => "RISK_REFUSED",
            UpdateKind::ObserveOnly => "OBSERVE_ONLY",
            UpdateKind::Expire => "EXPIRE",
            UpdateKind::Cancel => "CANCEL",
            UpdateKind::LateAckCancelled => "LATE_ACK_CANCELLED",
            UpdateKind::LateFill => "LATE_FILL",
            UpdateKind::Queried => "QUERIED",
            UpdateKind::InvalidFill => "INVALID_FILL",
        }
    }

    /// The kind named `text` (`FILL`, ...), as the journal spells it.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        [
            UpdateKind::Sent,
            UpdateKind::Resent,
            UpdateKind::Ack,
            UpdateKind::Fill,
            UpdateKind::Reject,
            UpdateKind::RiskRefused,
            UpdateKind::ObserveOnly,
            UpdateKind::Expire,
            UpdateKind::Cancel,
            UpdateKind::LateAckCancelled,
            UpdateKind::LateFill,
            UpdateKind::Queried,
            UpdateKind::InvalidFill,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

/// The event a decision was made on: a scan (its number and timestamp), or for an exit
/// checked between scans, the last scan's number and the tick's timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DecisionEvent {
    /// The scan number.
    pub scan_number: i64,
    /// The triggering event's timestamp (unix ns).
    pub ts_ns: i64,
}

/// The client order id: a pure function of (namespace, the decision's event, leg, attempt),
/// `v` + 6 hex digits of the namespace's FNV-1a + the scan number (base 36) + `-` + the
/// event's timestamp (base 36) + `-` + `e|x|c` + the attempt (base 36): at most 40 characters
/// of `[a-z0-9-]` (BingX's rule). A restart that decides the same event again makes the same
/// id, so it can never place a second order for it; two events never share one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientOrderId(String);

impl ClientOrderId {
    /// The id of (`namespace`, `event`, `leg`, `attempt`). The namespace (a service's name,
    /// a replay's run id) keeps two deployments on one account apart.
    #[must_use]
    pub fn new(namespace: &str, event: DecisionEvent, leg: Leg, attempt: u16) -> Self {
        let ns = fnv1a(namespace.as_bytes()) & 0xff_ffff;
        let mut s = String::with_capacity(40);
        s.push('v');
        for shift in (0..6).rev() {
            let d = ((ns >> (shift * 4)) & 0xf) as u8;
            s.push(char::from(if d < 10 { b'0' + d } else { b'a' + d - 10 }));
        }
        // Bits, not values: a negative number still maps to one string of its own.
        push_base36(&mut s, u64::from_ne_bytes(event.scan_number.to_ne_bytes()));
        s.push('-');
        push_base36(&mut s, u64::from_ne_bytes(event.ts_ns.to_ne_bytes()));
        s.push('-');
        s.push(leg.code());
        push_base36(&mut s, u64::from(attempt));
        Self(s)
    }

    /// An id read back (from the journal): `v` + 6 hex digits, then `[a-z0-9-]`, at most
    /// 40 characters; `None` for anything else (never an id VIOLET made).
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let b = text.as_bytes();
        let ok = b.len() > 7
            && b.len() <= 40
            && b[0] == b'v'
            && b[1..7].iter().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
            && b[7..].iter().all(|c| c.is_ascii_digit() || c.is_ascii_lowercase() || *c == b'-');
        ok.then(|| Self(text.to_string()))
    }

    /// The id of an order that is never sent (BLUE's fill booked with no venue at all).
    pub(crate) fn unsent() -> Self {
        Self(String::new())
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

fn push_base36(out: &mut String, mut n: u64) {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut buf = [0u8; 13];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = DIGITS[(n % 36) as usize];
        n /= 36;
        if n == 0 {
            break;
        }
    }
    for &b in &buf[i..] {
        out.push(char::from(b));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn only_ids_of_violets_form_parse() {
        for bad in
            ["", "v12345", "x123456abc", "v12345g-1", "v123456-ABC", "v123456_1", &format!("v123456{}", "a".repeat(34))]
        {
            assert_eq!(ClientOrderId::parse(bad), None, "{bad}");
        }
        assert!(ClientOrderId::parse("v0a22actv-dddo284b6pds-e0").is_some());
    }

    fn leg(k: u8) -> Leg {
        [Leg::Entry, Leg::Exit, Leg::LateClose][usize::from(k % 3)]
    }

    proptest! {
        #[test]
        fn ids_fit_the_exchange_and_differ_when_any_input_differs(
            ns in ".{0,80}", sn in any::<i64>(), sn2 in any::<i64>(), ts in any::<i64>(), ts2 in any::<i64>(),
            a in any::<u16>(), a2 in any::<u16>(), l in any::<u8>(), l2 in any::<u8>(),
        ) {
            let e = DecisionEvent { scan_number: sn, ts_ns: ts };
            let id = ClientOrderId::new(&ns, e, leg(l), a);
            prop_assert!(!id.as_str().is_empty() && id.as_str().len() <= 40, "{id}");
            prop_assert_eq!(ClientOrderId::parse(id.as_str()), Some(id.clone()), "read back as itself");
            prop_assert!(id.as_str().bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{id}");
            prop_assert_eq!(&id, &ClientOrderId::new(&ns, e, leg(l), a), "pure");
            let other = ClientOrderId::new(&ns, DecisionEvent { scan_number: sn2, ts_ns: ts2 }, leg(l2), a2);
            prop_assert_eq!(id == other, (sn, ts, l % 3, a) == (sn2, ts2, l2 % 3, a2), "injective within a namespace");
        }
    }

    #[test]
    fn the_longest_id_is_40_characters_and_known_ids_are_stable() {
        let e = DecisionEvent { scan_number: -1, ts_ns: -1 };
        let id = ClientOrderId::new("r", e, Leg::LateClose, u16::MAX);
        assert_eq!(id.as_str().len(), 40, "{id}");
        // Written out by hand: fnv1a("blue") & 0xffffff, scan 12 = "c", ts 36 = "10".
        let id = ClientOrderId::new("blue", DecisionEvent { scan_number: 12, ts_ns: 36 }, Leg::Exit, 1);
        let ns = fnv1a(b"blue") & 0xff_ffff;
        assert_eq!(id.as_str(), format!("v{ns:06x}c-10-x1"));
    }
}
