//! Replay: an event stream through the engine on the deterministic `TestClock`.

mod chunks;
mod run;
mod sink;
mod summary;

pub use chunks::Chunks;
pub use run::{ReplayOptions, decode_lines, replay, replay_with, split_lines};
pub use sink::WriterSink;
pub use summary::ReplaySummary;
