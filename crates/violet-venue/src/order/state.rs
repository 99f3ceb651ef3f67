//! The life of an order intent.

/// Where an intent is. Terminal: FILLED, REJECTED, EXPIRED, CANCELLED; each intent reaches
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
    /// Whether the intent's path has ended.
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
}
