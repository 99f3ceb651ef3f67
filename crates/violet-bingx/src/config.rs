//! Where and how the adapter talks to BingX.

use std::time::Duration;

/// BingX's demo exchange (VST, virtual USDT): the default.
pub const VST_URL: &str = "https://open-api-vst.bingx.com";
/// BingX's live exchange: only when configured explicitly.
pub const LIVE_URL: &str = "https://open-api.bingx.com";

/// Which exchange.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Host {
    /// The demo exchange.
    #[default]
    Vst,
    /// Real money.
    Live,
    /// Another base URL: the simulator (`http://127.0.0.1:PORT`).
    Custom(String),
}

impl Host {
    /// The base URL (no trailing slash).
    #[must_use]
    pub fn base_url(&self) -> &str {
        match self {
            Host::Vst => VST_URL,
            Host::Live => LIVE_URL,
            Host::Custom(u) => u.trim_end_matches('/'),
        }
    }

    /// `vst`, `live` or `custom`.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        match self {
            Host::Vst => "vst",
            Host::Live => "live",
            Host::Custom(_) => "custom",
        }
    }
}

/// The account's position mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PositionMode {
    /// Hedge (dual side): LONG and SHORT positions apart; closes by side + positionSide.
    #[default]
    Hedge,
    /// One-way: one net position per symbol; closes are reduce-only.
    OneWay,
}

impl PositionMode {
    /// `hedge` or `one-way`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            PositionMode::Hedge => "hedge",
            PositionMode::OneWay => "one-way",
        }
    }
}

/// The adapter's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BingxConfig {
    /// The exchange.
    pub host: Host,
    /// The position mode the account must be in (checked at connect).
    pub position_mode: PositionMode,
    /// `recvWindow`: how long after its timestamp BingX still accepts a request. An order
    /// whose outcome is unknown is only ever resent after this has passed since its first
    /// send, so the first can no longer execute.
    pub recv_window: Duration,
    /// TCP (and TLS) connect timeout.
    pub connect_timeout: Duration,
    /// Whole-request timeout.
    pub request_timeout: Duration,
    /// Server time is re-read this often.
    pub time_sync_every: Duration,
    /// Contract specs are re-read this often.
    pub contracts_every: Duration,
    /// Queries made to settle an order whose outcome is unknown before giving up (the
    /// execution task keeps asking after that).
    pub settle_queries: u32,
    /// The first wait between those queries (doubling).
    pub settle_backoff: Duration,
}

impl Default for BingxConfig {
    fn default() -> Self {
        Self {
            host: Host::Vst,
            position_mode: PositionMode::Hedge,
            recv_window: Duration::from_millis(5000),
            connect_timeout: Duration::from_secs(3),
            request_timeout: Duration::from_secs(5),
            time_sync_every: Duration::from_secs(60),
            contracts_every: Duration::from_secs(600),
            settle_queries: 6,
            settle_backoff: Duration::from_millis(100),
        }
    }
}
