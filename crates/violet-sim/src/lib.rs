//! # violet-sim
//!
//! The simulation library research tools call (the spec's VIBRISS horizon: many instances
//! of the alpha, judged side by side):
//!
//! - [`read_file`]: a stream file into memory on every core; [`DecodedStream`]: an event
//!   stream decoded **once** (in parallel, every line checked and sequenced as `violet
//!   replay` does), its events borrowing the input bytes.
//! - [`simulate`]: one run on a decoded stream under a [`SimConfig`] (BLUE's constants,
//!   the cadence plan, the slots), the instant venue (BLUE's fill), and what it did:
//!   [`SimResult`] (the replay's summary and the trade metrics of [`TradeStats`]). Its
//!   summary is `violet replay`'s on the same stream and configuration, to the bit. Under
//!   BLUE's cadence with one slot it walks the stream's [`Columns`] (built once: vel_div,
//!   flat run, factors, each scan's best asset, prices by symbol) through the engine's own
//!   rules; otherwise it runs the engine ([`simulate_engine`]). [`simulate_with`] runs the
//!   engine and hands every decision and trade event to a sink of the caller's.
//! - [`Grid`]: BLUE's constants as lists or ranges (`grid.toml`), expanded into every
//!   combination; [`shard`] picks the I-th of N slices.
//! - [`sweep`]: every configuration on one decoded stream, on every core, results in order;
//!   [`csv_header`] and [`csv_row`] write them, a row per configuration keyed by its id,
//!   [`parquet_table`] the same columns as Parquet; [`sweep_html`] draws final capital over
//!   two constants (a heat map) and the best rows.
//!
//! `examples/` holds two short research programs on these crates (`cargo run --release -p
//! violet-sim --example sizing_table`, `--example exit_reasons`).

mod columns;
mod fast;
mod grid;
mod heatmap;
mod parquet;
mod read;
mod rows;
mod run;
mod stats;
mod stream;
mod sweep;
mod table;
mod threads;

pub use columns::Columns;
pub use grid::{Grid, GridError, Point, shard};
pub use heatmap::sweep_html;
pub use parquet::parquet_table;
pub use read::read_file;
pub use rows::{grid_values_json, row_id, stream_fingerprint};
pub use run::{SimConfig, SimResult, simulate, simulate_engine, simulate_with};
pub use stats::TradeStats;
pub use stream::DecodedStream;
pub use sweep::sweep;
pub use table::{csv_header, csv_row};
