//! The armed start: before the first order, the journal is reconciled with the venue and
//! the start is refused on anything unexplained (fail closed). What it needs of the venue
//! comes back as an [`ArmedVenue`] for the execution task.

use std::sync::Arc;

use tokio::sync::mpsc;
use violet_bingx::BingxVenue;
use violet_bingx::audit::{ChannelJournal, RequestRecord};
use violet_clock::{Clock as _, LiveClock};
use violet_journal::clickhouse::ClickHouse;
use violet_venue::reconcile::{JournalView, Reconciliation};

use super::ServiceError;
use crate::config::{Loaded, VenueChoice};
use crate::reconcile::{Look, look};

/// Request records waiting for the journal's owner, at most (the channel never blocks the
/// adapter: beyond this they go to the log).
const REQUEST_BACKLOG: usize = 65_536;

/// The venue of an armed service, reconciled.
pub(crate) struct ArmedVenue {
    /// The adapter, connected (time, contracts, position mode checked).
    pub venue: BingxVenue,
    /// Its request records, for the reactor to journal.
    pub requests: mpsc::Receiver<RequestRecord>,
    /// Where it is (`bingx-vst`, `bingx-live` or the base URL).
    pub label: String,
    /// The start's reconciliation.
    pub reconciliation: Reconciliation,
    /// The journal's view it was made on (the live ledger starts from it).
    pub journal: JournalView,
    /// When it was made.
    pub at_ns: i64,
}

impl ArmedVenue {
    /// Why the start must be refused, if it must: a mismatch, or a position the journal
    /// holds (a restart cannot take positions over yet: it would not exit them).
    pub fn refusal(&self) -> Option<String> {
        let r = &self.reconciliation;
        if !r.passed() {
            return Some(format!(
                "the journal and {} differ in a way nothing explains: refusing to arm (no order sent)\n{}",
                self.label,
                r.render()
            ));
        }
        r.journal_holds().then(|| {
            format!(
                "the journal holds open positions (they match {}): an armed restart cannot take positions over yet, \
                 so it would never exit them. Refusing to arm; run unarmed (DARK) meanwhile\n{}",
                self.label,
                r.render()
            )
        })
    }
}

/// Mainnet only with `VIOLET_CONFIRM_LIVE=yes`.
///
/// # Errors
/// [`ServiceError::Config`] saying so.
pub(crate) fn check_live(loaded: &Loaded) -> Result<(), ServiceError> {
    if loaded.config.execution.venue == VenueChoice::BingxLive && !loaded.confirm_live {
        return Err(ServiceError::Config(format!(
            "execution.venue = \"bingx-live\" trades real money: set {}=yes in the environment to confirm, or use \
             bingx-vst",
            crate::config::CONFIRM_LIVE_ENV
        )));
    }
    Ok(())
}

/// Check the mainnet confirmation, ship the spool's leftovers, connect the venue, read the
/// journal back, ask the venue, reconcile.
///
/// # Errors
/// [`ServiceError::Config`]: mainnet without `VIOLET_CONFIRM_LIVE=yes`, no keys, the venue
/// unreachable or in the other position mode, the journal unreadable.
pub(crate) async fn prepare(loaded: &Loaded, ch: &ClickHouse) -> Result<ArmedVenue, ServiceError> {
    check_live(loaded)?;
    let keys = loaded.keys.as_ref().ok_or_else(|| ServiceError::Config("armed without exchange keys".into()))?;
    let (journal, requests) = ChannelJournal::new(REQUEST_BACKLOG);
    let Look { venue, label, journal, reconciliation } = look(loaded, ch, keys, Arc::new(journal)).await?;
    tracing::info!(
        venue = %label,
        verdict = reconciliation.verdict.as_str(),
        symbols = reconciliation.symbols.len(),
        mismatches = reconciliation.mismatches(),
        "start-up reconciliation"
    );
    Ok(ArmedVenue { venue, requests, label, reconciliation, journal, at_ns: LiveClock::new().now().get() })
}
