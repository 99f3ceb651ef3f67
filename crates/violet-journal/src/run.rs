//! A run's row in `dolphin_violet.runs`: who ran, on what configuration, from when to when.

use violet_domain::json::ObjectWriter;

use crate::record::Col;

/// Where a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    /// Started, not stopped (or died without recording its stop).
    Running,
    /// Stopped cleanly.
    Stopped,
    /// Stopped on an error.
    Failed,
}

impl RunStatus {
    /// Stable name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "RUNNING",
            RunStatus::Stopped => "STOPPED",
            RunStatus::Failed => "FAILED",
        }
    }
}

/// One state of a run. Its version orders the states: the start is 1, the stop 2, so the
/// stop replaces the start under FINAL.
#[derive(Debug, Clone, Copy)]
pub struct RunRow<'a> {
    /// VIOLET's version (`CARGO_PKG_VERSION` of the launcher).
    pub violet_version: &'a str,
    /// Hash of the configuration the run uses.
    pub config_hash: &'a str,
    /// The records' id source (`replay-…` or the service's name).
    pub source: &'a str,
    /// Wall-clock start, unix ns.
    pub started_ns: i64,
    /// Wall-clock stop, unix ns (0 while running).
    pub stopped_ns: i64,
    /// State.
    pub status: RunStatus,
    /// Free-form detail (the stop's reason, the error).
    pub detail: &'a str,
}

impl RunRow<'_> {
    pub(crate) fn version(&self) -> u64 {
        match self.status {
            RunStatus::Running => 1,
            RunStatus::Stopped | RunStatus::Failed => 2,
        }
    }

    pub(crate) fn cols(&self) -> [Col<'_>; 6] {
        [
            Col::Str(self.violet_version),
            Col::Str(self.config_hash),
            Col::Str(self.source),
            Col::Int(self.started_ns),
            Col::Int(self.stopped_ns),
            Col::Str(self.status.as_str()),
        ]
    }

    pub(crate) fn write_json(&self, out: &mut String) {
        let mut w = ObjectWriter::new(out);
        w.str("violet_version", self.violet_version)
            .str("config_hash", self.config_hash)
            .str("source", self.source)
            .int("started_ns", self.started_ns)
            .int("stopped_ns", self.stopped_ns)
            .str("status", self.status.as_str())
            .str("detail", self.detail);
        w.finish();
    }
}
