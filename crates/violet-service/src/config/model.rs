//! The service's configuration: one TOML file, every key overridable from the environment.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Everything `violet run` reads from its TOML file. Every key has a default; the database
/// password is not here (see [`crate::config::load`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct ServiceConfig {
    /// The service itself.
    pub service: Service,
    /// The ClickHouse server (feed and journal).
    pub clickhouse: ClickHouseConfig,
    /// Where events come from.
    pub feed: FeedConfig,
    /// The journal.
    pub journal: JournalConfig,
    /// The divergence monitor.
    pub monitor: MonitorConfig,
    /// The engine.
    pub engine: EngineConfig,
    /// Order execution (DARK until keys).
    pub execution: ExecutionConfig,
    /// Pre-trade risk caps (checked before any venue call, armed or not).
    pub risk: RiskConfig,
    /// Prometheus metrics and health endpoints.
    pub metrics: MetricsConfig,
}

/// `[service]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Service {
    /// The service's name: the prefix of every journaled id (`<name>:scan:<n>`) and the
    /// owner of the spool directory. Keep it across restarts.
    pub name: String,
    /// The spool directory (journal segments waiting to be shipped) and the divergence report.
    pub data_dir: PathBuf,
    /// Log level: error, warn, info, debug, trace.
    pub log_level: String,
    /// Seconds between status lines in the log.
    pub status_interval_s: u64,
    /// Log lines as `text` (for people) or `json` (one object per line, with the run id,
    /// for log shippers).
    pub log_format: LogFormat,
}

/// `service.log_format`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line (tracing-subscriber's JSON formatter), `run_id` on each.
    Json,
}

/// `[metrics]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsConfig {
    /// Serve `/metrics`, `/healthz` and `/readyz` here (`127.0.0.1:9187`); empty: off.
    pub listen: String,
    /// `/readyz` answers 503 when the oldest journal record not yet in ClickHouse is older
    /// than this (seconds).
    pub ready_journal_lag_s: u64,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        Self { listen: String::new(), ready_journal_lag_s: 120 }
    }
}

impl Default for Service {
    fn default() -> Self {
        Self {
            name: "violet".into(),
            data_dir: PathBuf::from("violet-data"),
            log_level: "info".into(),
            status_interval_s: 60,
            log_format: LogFormat::Text,
        }
    }
}

/// `[clickhouse]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClickHouseConfig {
    /// The HTTP interface, `http://host:port`.
    pub url: String,
    /// The user.
    pub user: String,
    /// A file holding the password, mode 0600 (or set `VIOLET_CLICKHOUSE_PASSWORD`).
    /// Empty: no password (or the environment's).
    pub password_file: PathBuf,
    /// A whole request (connect, send, the server's work, the answer) takes at most this
    /// long (seconds): a server that accepts and never answers fails the request then
    /// (connecting is bounded at 5 s).
    /// The feed and the journal retry; the journal's records wait in the spool.
    pub timeout_s: u64,
}

impl Default for ClickHouseConfig {
    fn default() -> Self {
        Self {
            url: "http://127.0.0.1:8123".into(),
            user: "default".into(),
            password_file: PathBuf::new(),
            timeout_s: 30,
        }
    }
}

/// `[feed]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FeedConfig {
    /// `clickhouse` (tail `dolphin.eigen_scans` and `dolphin.factor_snapshots`) or
    /// `stdin` (event-stream JSON lines on standard input; the service stops at its end).
    pub kind: String,
    /// Milliseconds between polls when nothing new arrived.
    pub poll_interval_ms: u64,
    /// Rows per table per poll (at most).
    pub batch: usize,
    /// Read rows with `ts_ns` at or after this (every start re-reads from here, rebuilding
    /// the engine's state; the rows' ids make the re-journaled copies collapse).
    pub since_ts_ns: i64,
    /// Hold each row this long (ms) after it is first read, so a factor snapshot or scan
    /// inserted a little after a later row of the other table still takes its place.
    pub settle_ms: u64,
}

impl Default for FeedConfig {
    fn default() -> Self {
        Self { kind: "clickhouse".into(), poll_interval_ms: 250, batch: 10_000, since_ts_ns: 0, settle_ms: 250 }
    }
}

/// `[journal]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JournalConfig {
    /// Flush (write + fsync) the spool at least this often, in milliseconds.
    pub flush_ms: u64,
    /// ... or when this many bytes are buffered.
    pub flush_bytes: usize,
    /// On a graceful stop, wait at most this long for the spool to ship (seconds). Keep it
    /// below the supervisor's stop timeout (30 s).
    pub ship_timeout_s: u64,
}

impl Default for JournalConfig {
    fn default() -> Self {
        Self { flush_ms: 1000, flush_bytes: 1 << 20, ship_timeout_s: 20 }
    }
}

/// `[monitor]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MonitorConfig {
    /// Compare with BLUE's `dolphin.trade_events`.
    pub enabled: bool,
    /// Compare a scan's trade events only this long (ms) after VIOLET decided it, so BLUE's
    /// rows for it have had time to arrive.
    pub settle_ms: u64,
    /// Milliseconds between reads of BLUE's trade events.
    pub interval_ms: u64,
}

impl Default for MonitorConfig {
    fn default() -> Self {
        Self { enabled: true, settle_ms: 10_000, interval_ms: 1000 }
    }
}

/// `[engine]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EngineConfig {
    /// BLUE's constants (a TOML file as `violet replay --config` reads); empty: BLUE's defaults.
    pub blue_config: PathBuf,
    /// Exit-check cadence: `scan` (BLUE parity), `tick`, or a duration such as `100ms`.
    pub exit_cadence: String,
    /// Journal-flush cadence.
    pub flush_cadence: String,
    /// TTL of an entry's order intent (ms): not sent at or after decision time + TTL.
    pub entry_ttl_ms: u64,
    /// TTL of an exit's order intent (ms).
    pub exit_ttl_ms: u64,
    /// Slots sharing the capital (V5): 1 is BLUE (one position at a time); up to 64,
    /// observe-only (an armed start refuses more than one), and the divergence monitor is
    /// off (BLUE holds one position).
    pub n_slots: u16,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            blue_config: PathBuf::new(),
            exit_cadence: "scan".into(),
            flush_cadence: "scan".into(),
            entry_ttl_ms: 100,
            exit_ttl_ms: 100,
            n_slots: 1,
        }
    }
}

/// `[execution]`. Execution is armed only when exchange keys are present **and** `armed` is
/// true (or `violet run --arm`); otherwise every order goes to the observe-only guard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExecutionConfig {
    /// The operator's arming switch.
    pub armed: bool,
    /// A file with the exchange API key and secret (two lines, mode 0600), or set
    /// `VIOLET_EXCHANGE_API_KEY` and `VIOLET_EXCHANGE_API_SECRET`.
    pub keys_file: PathBuf,
    /// The exchange: `bingx-vst` (BingX's demo exchange, virtual USDT; the default) or
    /// `bingx-live` (real money; an armed start also needs `VIOLET_CONFIRM_LIVE=yes`).
    pub venue: VenueChoice,
    /// Another base URL for the venue's API (the simulator: `http://127.0.0.1:8931`); empty:
    /// the venue's own host.
    pub base_url: String,
    /// The account's position mode, `hedge` or `one-way`: a start is refused when the
    /// account is in the other.
    pub position_mode: PositionModeChoice,
    /// `recvWindow` of signed requests (ms).
    pub recv_window_ms: u64,
    /// Armed, how often the journal is reconciled with the venue while running (s; 0: at
    /// the start only). A mismatch twice in a row moves the trading state to REDUCING.
    pub reconcile_interval_s: u64,
}

impl Default for ExecutionConfig {
    fn default() -> Self {
        Self {
            armed: false,
            keys_file: PathBuf::new(),
            venue: VenueChoice::BingxVst,
            base_url: String::new(),
            position_mode: PositionModeChoice::Hedge,
            recv_window_ms: 5000,
            reconcile_interval_s: 60,
        }
    }
}

/// `execution.venue`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VenueChoice {
    /// BingX's demo exchange (VST).
    BingxVst,
    /// BingX mainnet.
    BingxLive,
}

impl VenueChoice {
    /// `bingx-vst`, `bingx-live`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::BingxVst => "bingx-vst",
            Self::BingxLive => "bingx-live",
        }
    }
}

/// `execution.position_mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PositionModeChoice {
    /// Hedge mode (dual side): LONG and SHORT positions apart.
    Hedge,
    /// One-way mode: one net position per symbol.
    OneWay,
}

/// `[risk]`: caps every order intent passes before any venue call. 0 (or empty) means no
/// cap; set them before arming (the first live stage trades one asset).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RiskConfig {
    /// Largest notional per order (quote); 0: no cap.
    pub max_notional: f64,
    /// Largest leverage per order; 0: no cap.
    pub max_leverage: f64,
    /// Symbols allowed, comma-separated; empty: any.
    pub allow: String,
    /// Orders per rolling second; 0: no cap.
    pub max_orders_per_s: u32,
    /// ACTIVE, REDUCING (exits only), FLATTEN (armed: close every position reduce-only,
    /// then HALTED) or HALTED (nothing).
    pub state: String,
    /// A file holding ACTIVE, REDUCING, FLATTEN or HALTED: re-read while running, so an
    /// operator can flip the state without a restart (`echo FLATTEN > FILE`). Empty: `state`
    /// only.
    pub state_file: PathBuf,
    /// Largest realized loss in one UTC day (quote, the sum of the day's exits' pnl): when
    /// reached, the trading state moves to REDUCING (exits only) until an operator flips it.
    /// 0: no limit.
    pub max_daily_loss: f64,
}

impl Default for RiskConfig {
    fn default() -> Self {
        Self {
            max_notional: 0.0,
            max_leverage: 0.0,
            allow: String::new(),
            max_orders_per_s: 0,
            state: "ACTIVE".into(),
            state_file: PathBuf::new(),
            max_daily_loss: 0.0,
        }
    }
}
