//! Reconciliation while armed: every `execution.reconcile_interval_s`, the journal's view
//! kept live from the order updates ([`LiveLedger`]) against the venue, asked off the
//! reactor's task. Every check is journaled; a mismatch is checked again shortly after (an
//! order can be between the venue and the reactor), and a second one in a row moves the
//! trading state to REDUCING, loudly.

use std::time::{Duration, Instant};

use tokio::sync::oneshot;
use violet_bingx::BingxVenue;
use violet_clock::{Clock as _, LiveClock};
use violet_engine::execution::OrderUpdate;
use violet_journal::{AnyJournal, JournalSink};
use violet_venue::reconcile::{JournalView, LiveLedger, VenueView};
use violet_venue::risk::{TradingState, TradingSwitch};

use crate::reconcile::{compare, venue_view};

/// How soon a mismatch is checked again.
const RECHECK: Duration = Duration::from_millis(500);

/// A check in flight: the ledger as it was when it started, and the venue's answer to come.
struct Pending {
    snapshot: JournalView,
    answer: oneshot::Receiver<Result<VenueView, String>>,
}

/// The periodic reconciliation of an armed service.
pub(crate) struct Drift {
    venue: BingxVenue,
    label: String,
    ledger: LiveLedger,
    every: Duration,
    next: Instant,
    pending: Option<Pending>,
    strikes: u32,
    switch: TradingSwitch,
    /// Where mismatches are counted.
    metrics: Option<crate::metrics::Metrics>,
}

impl Drift {
    /// Checks of `venue` every `every`, from the journal's view at the start.
    pub fn new(venue: BingxVenue, label: String, start: JournalView, every: Duration, switch: TradingSwitch) -> Self {
        Self {
            venue,
            label,
            ledger: LiveLedger::new(start),
            every,
            next: Instant::now() + every,
            pending: None,
            strikes: 0,
            switch,
            metrics: None,
        }
    }

    /// Count mismatches into `metrics`.
    #[must_use]
    pub fn with_metrics(mut self, metrics: crate::metrics::Metrics) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// Whether the last reconciliation found the journal and the venue apart (until a
    /// later one passes).
    pub fn apart(&self) -> bool {
        self.strikes > 0
    }

    /// One step of an order's path (every one the engine journals).
    pub fn on_update(&mut self, u: &OrderUpdate) {
        self.ledger.on_update(u);
    }

    /// On the reactor's tick: take a check that came back, start one when due.
    ///
    /// # Errors
    /// The journal's I/O error.
    pub fn poll(&mut self, sink: &mut JournalSink<AnyJournal>) -> std::io::Result<()> {
        if let Some(p) = self.pending.as_mut() {
            match p.answer.try_recv() {
                Err(oneshot::error::TryRecvError::Empty) => return Ok(()),
                Err(oneshot::error::TryRecvError::Closed) => {
                    tracing::warn!(venue = %self.label, "reconciliation check ended without an answer");
                    self.pending = None;
                    self.next = Instant::now() + self.every;
                }
                Ok(answer) => {
                    let snapshot = std::mem::take(&mut p.snapshot);
                    self.pending = None;
                    self.answer(&snapshot, answer, sink)?;
                }
            }
        }
        if self.pending.is_none() && Instant::now() >= self.next {
            let snapshot = self.ledger.view();
            let (tx, answer) = oneshot::channel();
            let (venue, asked) = (self.venue.clone(), snapshot.clone());
            tokio::spawn(async move {
                let _ = tx.send(venue_view(&venue, &asked).await.map_err(|e| e.to_string()));
            });
            self.pending = Some(Pending { snapshot, answer });
        }
        Ok(())
    }

    fn answer(
        &mut self,
        snapshot: &JournalView,
        answer: Result<VenueView, String>,
        sink: &mut JournalSink<AnyJournal>,
    ) -> std::io::Result<()> {
        let now = Instant::now();
        let view = match answer {
            Ok(v) => v,
            Err(e) => {
                tracing::warn!(venue = %self.label, error = %e, "reconciliation: the venue could not be asked");
                self.next = now + self.every;
                return Ok(());
            }
        };
        let r = compare(snapshot, &view, &self.venue);
        sink.reconciliation(&r, &self.label, LiveClock::new().now().get())?;
        if let Some(m) = &self.metrics {
            m.reconcile_mismatches(r.mismatches());
        }
        if r.passed() {
            self.strikes = 0;
            self.next = now + self.every;
            return Ok(());
        }
        self.strikes += 1;
        if self.strikes == 1 {
            tracing::warn!(venue = %self.label, "reconciliation: a difference, checking again\n{}", r.render());
            self.next = now + RECHECK;
        } else {
            if !matches!(self.switch.get(), TradingState::Reducing | TradingState::Halted) {
                self.switch.set(TradingState::Reducing);
            }
            tracing::error!(
                venue = %self.label,
                checks = self.strikes,
                "DRIFT: the journal and the venue differ in a way nothing explains: trading state REDUCING (exits only) \
                 until an operator looks (violet reconcile, the state file)\n{}",
                r.render()
            );
            self.next = now + self.every;
        }
        Ok(())
    }
}
