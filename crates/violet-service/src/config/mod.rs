//! Configuration: the schema (`model.rs`) and loading it from TOML plus the environment
//! (`load.rs`).

mod load;
mod model;

pub use load::{CONFIRM_LIVE_ENV, ConfigError, Loaded, PASSWORD_ENV, env_vars, load};
pub use model::{
    ClickHouseConfig, EngineConfig, ExecutionConfig, FeedConfig, JournalConfig, LogFormat, MetricsConfig,
    MonitorConfig, PositionModeChoice, RiskConfig, Service, ServiceConfig, VenueChoice,
};
