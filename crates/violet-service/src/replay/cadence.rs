//! `violet replay --compare-cadence A,B`: one stream replayed under two exit cadences (V6:
//! BLUE's `scan` against the stop-loss guard's `tick`), set side by side.

use std::io::{self, Read as _};
use std::path::Path;

use violet_clock::{Cadence, CadencePlan};
use violet_divergence::{CadenceComparison, ModeRun, parse_trades};
use violet_engine::Sink;
use violet_engine::decision::DecisionRecord;
use violet_engine::execution::TradeEvent;
use violet_engine::replay::{ReplayOptions, ReplaySummary, replay};

use super::io::open_events;
use super::{ReplayError, ReplayJob, usage};

/// Keeps the trade events' JSON lines.
#[derive(Default)]
struct Lines(String);

impl Sink for Lines {
    fn decision(&mut self, _: &DecisionRecord<'_>) -> io::Result<()> {
        Ok(())
    }
    fn trade(&mut self, t: &TradeEvent) -> io::Result<()> {
        t.write_json(&mut self.0);
        self.0.push('\n');
        Ok(())
    }
}

/// Replay `job`'s stream under each of `cadences` (exit checks; entries stay on scans),
/// compare, and write `cadence.md` and `cadence.html` into `dir`.
///
/// # Errors
/// [`ReplayError::Usage`] for an unreadable stream or a report that cannot be written.
pub fn compare_cadences(
    job: &ReplayJob,
    cadences: [Cadence; 2],
    dir: &Path,
) -> Result<(CadenceComparison, [ReplaySummary; 2]), ReplayError> {
    // Read once (a stream from stdin cannot be read twice), replayed twice.
    let mut input = Vec::new();
    open_events(job.events.as_deref())
        .map_err(ReplayError::Usage)?
        .read_to_end(&mut input)
        .map_err(|e| usage(format!("cannot read the events: {e}")))?;
    let mut runs = Vec::with_capacity(2);
    let mut summaries = Vec::with_capacity(2);
    for exit in cadences {
        let plan = CadencePlan::new(Cadence::Scan, exit, job.plan.flush)
            .and_then(|p| p.with_ttl(job.plan.entry_ttl_ns, job.plan.exit_ttl_ns))
            .map_err(usage)?;
        let opts = ReplayOptions {
            cfg: job.cfg.clone(),
            plan,
            threads: job.threads,
            namespace: "compare".into(),
            n_slots: job.n_slots,
        };
        let mut lines = Lines::default();
        let summary = replay(input.as_slice(), &opts, &mut lines, |_| Ok(()), |_| {}).map_err(usage)?;
        let trades = parse_trades(&lines.0).map_err(|e| usage(format!("trade events: {e}")))?;
        runs.push(ModeRun { name: format!("exit={exit}"), trades });
        summaries.push(summary);
    }
    let [a, b]: [ModeRun; 2] = runs.try_into().map_err(|_| usage("two runs"))?;
    let [sa, sb]: [ReplaySummary; 2] = summaries.try_into().map_err(|_| usage("two runs"))?;
    let comparison = CadenceComparison::new([a, b], job.cfg.initial_capital);
    comparison
        .write_dir(dir)
        .map_err(|e| usage(format!("cannot write the cadence report into {}: {e}", dir.display())))?;
    Ok((comparison, [sa, sb]))
}
