//! VIOLET's event feeds: BLUE's ClickHouse tables (`dolphin.eigen_scans`,
//! `dolphin.factor_snapshots`) tailed and merged into event-stream lines, BLUE's
//! `dolphin.trade_events` for the divergence monitor, and stdin.

mod blue_trades;
mod clickhouse;
mod feed;
mod line;
mod merge;
mod stdin;

pub use blue_trades::BlueTrades;
pub use clickhouse::ClickHouseFeed;
pub use feed::{Feed, FeedError};
pub use line::{FactorRow, ScanRow};
pub use merge::{MergeKey, Merged, merge};
pub use stdin::StdinFeed;
