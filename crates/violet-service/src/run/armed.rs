//! The armed start: before the first order, the journal is reconciled with the venue and
//! the start is refused on anything unexplained (fail closed). Orders a dead run left
//! working at the venue are cancelled first. The past orders the restart's replay will
//! decide again are recalled from the journal (completed by the venue's answers), and the
//! positions the replay must end holding are set. What it needs comes back as an
//! [`ArmedVenue`].

use std::collections::BTreeMap;

use std::sync::Arc;

use tokio::sync::mpsc;
use violet_bingx::BingxVenue;
use violet_bingx::audit::{ChannelJournal, RequestRecord};
use violet_clock::{Clock as _, LiveClock};
use violet_domain::types::SymbolName;
use violet_engine::execution::ClientOrderId;
use violet_journal::clickhouse::{ClickHouse, recorded_orders};
use violet_venue::reconcile::{JournalView, Reconciliation, Resolution};
use violet_venue::restart::{IntentLog, Recall, RecallError};
use violet_venue::venue::Venue as _;

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
    /// The journal's view with the venue's answers about its orders in flight booked: the
    /// positions the replay must end holding, and where the live ledger starts.
    pub journal: JournalView,
    /// The past orders a restart's replay will meet again.
    pub recall: Result<Recall, RecallError>,
    /// When it was made.
    pub at_ns: i64,
}

impl ArmedVenue {
    /// Why the start must be refused, if it must: a mismatch, or a past order whose end
    /// cannot be recalled.
    pub fn refusal(&self) -> Option<String> {
        let r = &self.reconciliation;
        if !r.passed() {
            return Some(format!(
                "the journal and {} differ in a way nothing explains: refusing to arm (no order sent)\n{}",
                self.label,
                r.render()
            ));
        }
        self.recall.as_ref().err().map(|e| format!("{e}: refusing to arm (no order sent)\n{}", r.render()))
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
    let journal: Arc<ChannelJournal> = Arc::new(journal);
    let mut seen = look(loaded, ch, keys, journal.clone()).await?;
    if cancel_left_open(&seen).await {
        // What they filled before the cancel is in the venue's answers now.
        seen = look(loaded, ch, keys, journal).await?;
    }
    let Look { venue, label, journal, view, reconciliation, ended_intents } = seen;
    tracing::info!(
        venue = %label,
        verdict = reconciliation.verdict.as_str(),
        symbols = reconciliation.symbols.len(),
        mismatches = reconciliation.mismatches(),
        "start-up reconciliation"
    );
    let at_ns = LiveClock::new().now().get();
    let (c, name, since) = (ch.clone(), loaded.config.service.name.clone(), loaded.config.feed.since_ts_ns);
    let orders = tokio::task::spawn_blocking(move || recorded_orders(&c, &name, since))
        .await
        .map_err(|e| ServiceError::Config(format!("a blocking task failed: {e}")))?
        .map_err(|e| ServiceError::Config(format!("reading the journal's orders back: {e}")))?;
    let recall = Recall::new(orders, &view.resolutions, at_ns);
    if let Ok(r) = &recall {
        tracing::info!(orders = r.len(), "past orders recalled: a decision the replay makes again is never sent again");
    }
    // The log keeps only what the journal has not seen end.
    let path = crate::reconcile::intents_path(loaded);
    match IntentLog::retain(&path, |i| !ended_intents.contains(&i.client_order_id)) {
        Ok(dropped) => tracing::debug!(dropped, "intent log compacted"),
        Err(e) => return Err(ServiceError::Config(e.to_string())),
    }
    let journal = journal.resolved(&view);
    Ok(ArmedVenue { venue, requests, label, reconciliation, journal, recall, at_ns })
}

/// Cancel VIOLET's orders a dead run left working at the venue (each one the journal or
/// the intent log holds in flight). Returns whether any was.
async fn cancel_left_open(seen: &Look) -> bool {
    let symbols: BTreeMap<&str, &str> =
        seen.journal.in_flight.iter().map(|o| (o.client_order_id.as_str(), o.symbol.as_str())).collect();
    let mut any = false;
    for (id, r) in &seen.view.resolutions {
        let Resolution::Found { open: true, .. } = r else { continue };
        let (Some(cid), Some(Ok(symbol))) =
            (ClientOrderId::parse(id), symbols.get(id.as_str()).map(|s| SymbolName::try_new((*s).to_string())))
        else {
            continue;
        };
        any = true;
        match seen.venue.cancel_order(&symbol, &cid).await {
            Ok(_) => tracing::warn!(id = %cid, symbol = %symbol, "an order a dead run left working: cancelled"),
            Err(e) => tracing::error!(id = %cid, error = %e, "an order a dead run left working could not be cancelled"),
        }
    }
    any
}
