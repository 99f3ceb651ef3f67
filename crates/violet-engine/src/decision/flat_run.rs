//! The flat-vel_div run: consecutive scans repeating vel_div (a stale feed).

/// Counts consecutive repeats of `vel_div` across accepted scans (BLUE's `flat_run`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FlatRun {
    prev: Option<f64>,
    run: i64,
}

impl FlatRun {
    /// Update with this scan's vel_div; return the run length (0 when it changed).
    pub fn update(&mut self, vel_div: f64) -> i64 {
        if self.prev.is_some_and(|p| vel_div == p) {
            self.run += 1;
        } else {
            self.run = 0;
        }
        self.prev = Some(vel_div);
        self.run
    }

    /// The current run length.
    #[must_use]
    pub fn run(&self) -> i64 {
        self.run
    }
}
