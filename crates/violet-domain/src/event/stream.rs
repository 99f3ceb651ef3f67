//! The stateful half of BLUE's checks: scan numbers strictly increase across accepted
//! scans. Also counts what BLUE's trader counts.

use super::decode::decode_line;
use super::model::Event;
use super::rejection::{Field, Rejection, Rule};
use crate::json::Parser;

/// Counts of a stream, as BLUE's trader prints them (`scans`, `ticks`, `rejected`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamCounts {
    /// Accepted scans.
    pub scans: u64,
    /// Valid ticks.
    pub ticks: u64,
    /// Accepted factor snapshots.
    pub factors: u64,
    /// Poison lines.
    pub rejected: u64,
}

/// Validates a stream event by event, applying the scan-number rule and counting.
#[derive(Debug, Default)]
pub struct EventStream {
    parser: Parser,
    last_scan: Option<i64>,
    line: u64,
    counts: StreamCounts,
}

impl EventStream {
    /// A stream at its start.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The counts so far.
    #[must_use]
    pub fn counts(&self) -> StreamCounts {
        self.counts
    }

    /// Decode the next raw line (numbered from 1, blanks included) and check it against the
    /// stream's state. `Ok(None)` for a blank line.
    ///
    /// # Errors
    /// The line's [`Rejection`]; it is counted and changes no state.
    pub fn next_line<'t>(&mut self, raw: &'t [u8]) -> Result<Option<Event<'t>>, Rejection> {
        self.line += 1;
        let decoded = decode_line(&mut self.parser, self.line, raw);
        self.accept(decoded)
    }

    /// Apply the stateful rule to a line decoded elsewhere (e.g. on another thread).
    ///
    /// # Errors
    /// The line's [`Rejection`], or [`Rule::ScanNumberNotIncreasing`].
    pub fn accept<'t>(
        &mut self,
        decoded: Result<Option<Event<'t>>, Rejection>,
    ) -> Result<Option<Event<'t>>, Rejection> {
        match decoded {
            Err(r) => {
                self.counts.rejected += 1;
                Err(r)
            }
            Ok(None) => Ok(None),
            Ok(Some(ev)) => {
                match &ev {
                    Event::Scan(s) => {
                        let n = s.scan_number.into_inner();
                        if let Some(last) = self.last_scan.filter(|&last| n <= last) {
                            self.counts.rejected += 1;
                            return Err(Rejection {
                                line: self.line,
                                field: Field::top("scan_number"),
                                rule: Rule::ScanNumberNotIncreasing { last },
                            });
                        }
                        self.last_scan = Some(n);
                        self.counts.scans += 1;
                    }
                    Event::Tick(_) => self.counts.ticks += 1,
                    Event::Factors(_) => self.counts.factors += 1,
                }
                Ok(Some(ev))
            }
        }
    }

    /// Set the current line number (for lines decoded elsewhere and fed to [`accept`](Self::accept)).
    pub fn set_line(&mut self, line: u64) {
        self.line = line;
    }
}
