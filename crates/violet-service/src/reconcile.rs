//! Reconciliation with the venue (`violet reconcile`, and an armed start): ship what the
//! spool still holds, read the journal's view back from `dolphin_violet`, ask the venue for
//! its positions, open orders and every order the journal holds as in flight, compare
//! (`violet_venue::reconcile`), and journal the result with every request made.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use violet_bingx::audit::{MemoryJournal, RequestJournal};
use violet_bingx::{BingxConfig, BingxVenue, Host, PositionMode};
use violet_clock::{Clock as _, LiveClock};
use violet_domain::types::SymbolName;
use violet_engine::execution::ClientOrderId;
use violet_journal::clickhouse::{ClickHouse, ClickHouseJournal, journal_view, order_states};
use violet_journal::{AnyJournal, FlushPolicy, JournalSink};
use violet_venue::arming::ApiKeys;
use violet_venue::reconcile::{InFlight, JournalView, OpenOrder, Reconciliation, Resolution, VenueView, reconcile};
use violet_venue::restart::IntentLog;
use violet_venue::venue::{Unrecoverable, Venue as _, VenueError};

use crate::config::{ExecutionConfig, Loaded, PositionModeChoice, VenueChoice};
use crate::run::ServiceError;
use crate::signals::Stop;

/// The adapter's settings from `[execution]`.
#[must_use]
pub fn bingx_config(exec: &ExecutionConfig) -> BingxConfig {
    let host = if !exec.base_url.is_empty() {
        Host::Custom(exec.base_url.clone())
    } else {
        match exec.venue {
            VenueChoice::BingxVst => Host::Vst,
            VenueChoice::BingxLive => Host::Live,
        }
    };
    BingxConfig {
        host,
        position_mode: match exec.position_mode {
            PositionModeChoice::Hedge => PositionMode::Hedge,
            PositionModeChoice::OneWay => PositionMode::OneWay,
        },
        recv_window: Duration::from_millis(exec.recv_window_ms),
        ..BingxConfig::default()
    }
}

/// Where the venue is, for rows and logs: the base URL when overridden, else the venue's
/// name (`bingx-vst`, `bingx-live`).
#[must_use]
pub fn venue_label(exec: &ExecutionConfig) -> String {
    if exec.base_url.is_empty() { exec.venue.as_str().to_string() } else { exec.base_url.clone() }
}

/// What the venue says, for the journal's view `journal`: positions netted per symbol,
/// open orders, and an answer for every order the journal holds as in flight.
///
/// # Errors
/// The venue's error on positions or open orders (an order query that fails is an
/// [`Resolution::Unknown`], not an error: the comparison refuses on it).
pub async fn venue_view(venue: &BingxVenue, journal: &JournalView) -> Result<VenueView, VenueError> {
    let mut positions: BTreeMap<String, f64> = BTreeMap::new();
    for p in venue.positions().await? {
        *positions.entry(p.symbol).or_insert(0.0) += p.quantity;
    }
    let open_orders = venue
        .open_orders()
        .await
        .map_err(VenueError::from)?
        .into_iter()
        .map(|o| OpenOrder { client_order_id: o.client_order_id, symbol: o.symbol.replace('-', "") })
        .collect();
    let mut resolutions = BTreeMap::new();
    for o in &journal.in_flight {
        let answer = match (ClientOrderId::parse(&o.client_order_id), SymbolName::try_new(o.symbol.clone())) {
            (Some(id), Ok(symbol)) => match venue.query_order(&symbol, &id).await {
                Ok(r) => Resolution::Found {
                    executed: o.side.signed(r.filled_quantity),
                    average_price: r.average_price,
                    venue_order_id: r.venue_order_id,
                    open: r.open,
                },
                Err(VenueError::Unrecoverable(Unrecoverable::NoSuchOrder)) => Resolution::NotFound,
                Err(e) => Resolution::Unknown(e.to_string()),
            },
            _ => Resolution::Unknown(format!("{} / {} cannot be asked about", o.client_order_id, o.symbol)),
        };
        resolutions.insert(o.client_order_id.clone(), answer);
    }
    Ok(VenueView { positions, open_orders, resolutions })
}

/// Each symbol's quantity step at `venue` (from its contract specs).
pub fn step_of(venue: &BingxVenue) -> impl Fn(&str) -> Option<f64> + Send + 'static {
    let contracts = venue.contracts();
    move |s| contracts.get(s).map(|c| 10f64.powi(-i32::try_from(c.quantity_precision.into_inner()).unwrap_or(0)))
}

/// Compare the two views, counting in the venue's contract steps.
#[must_use]
pub fn compare(journal: &JournalView, view: &VenueView, venue: &BingxVenue) -> Reconciliation {
    reconcile(journal, view, step_of(venue))
}

/// A reconciliation as `violet reconcile` makes it.
#[derive(Debug)]
pub struct Reconciled {
    /// The comparison.
    pub reconciliation: Reconciliation,
    /// Where it looked (see [`venue_label`]).
    pub venue: String,
    /// The requests it made.
    pub requests: usize,
}

fn blocking_err(e: tokio::task::JoinError) -> ServiceError {
    ServiceError::Config(format!("a blocking task failed: {e}"))
}

/// The spool of service `name` opened, shipped and closed: what a stopped (or killed)
/// service left unshipped is in ClickHouse afterwards.
async fn ship_leftovers(loaded: &Loaded, ch: &ClickHouse) -> Result<(), ServiceError> {
    let cfg = &loaded.config;
    let spool = cfg.service.data_dir.join("spool");
    let (name, ch) = (cfg.service.name.clone(), ch.clone());
    let timeout = Duration::from_secs(cfg.journal.ship_timeout_s);
    tokio::task::spawn_blocking(move || -> Result<(), ServiceError> {
        let journal = ClickHouseJournal::open_append(&spool, &name, FlushPolicy::default(), ch)?;
        journal.finish(timeout)?;
        Ok(())
    })
    .await
    .map_err(blocking_err)?
}

/// The intent log of the service `loaded` (in its data directory).
#[must_use]
pub fn intents_path(loaded: &Loaded) -> std::path::PathBuf {
    loaded.config.service.data_dir.join("intents")
}

/// Read the journal's view back, with every order of the intent log the journal does not
/// hold at all added as in flight (nothing booked for it): the process died between
/// writing the intent and journaling the order. Returns the view and the intents' ids
/// whose journaled state is terminal (the log no longer needs them).
fn read_journal(
    ch: &ClickHouse,
    name: &str,
    intents: &[violet_venue::restart::Intent],
) -> Result<(JournalView, Vec<String>), violet_journal::clickhouse::LedgerError> {
    let mut view = journal_view(ch, name)?;
    let ids: Vec<&str> = intents.iter().map(|i| i.client_order_id.as_str()).collect();
    let states = order_states(ch, name, &ids)?;
    let mut added = std::collections::BTreeSet::new();
    for i in intents {
        if !states.contains_key(&i.client_order_id) && added.insert(i.client_order_id.clone()) {
            view.in_flight.push(InFlight {
                client_order_id: i.client_order_id.clone(),
                symbol: i.symbol.clone(),
                side: i.side,
                journaled: 0.0,
            });
        }
    }
    let ended = states.into_iter().filter(|(_, s)| s.is_terminal()).map(|(id, _)| id).collect();
    Ok((view, ended))
}

/// Both sides looked at once, and compared.
pub(crate) struct Look {
    /// The venue, connected (server time, contracts, position mode checked).
    pub venue: BingxVenue,
    /// Where it is (see [`venue_label`]).
    pub label: String,
    /// The journal's view, read back after the spool's leftovers were shipped (with the
    /// intent log's orders it never journaled, as in flight).
    pub journal: JournalView,
    /// The venue's view.
    pub view: VenueView,
    /// The comparison.
    pub reconciliation: Reconciliation,
    /// The intent log's orders whose journaled state is terminal.
    pub ended_intents: Vec<String>,
}

/// Ship the service's spool leftovers, connect the venue (its requests to `requests`),
/// read the journal back, ask the venue, compare: what `violet reconcile` and an armed
/// start both do.
///
/// # Errors
/// [`ServiceError::Config`]: the venue unreachable or in the other position mode, the
/// journal unreadable; the spool's errors.
pub(crate) async fn look(
    loaded: &Loaded,
    ch: &ClickHouse,
    keys: &ApiKeys,
    requests: Arc<dyn RequestJournal>,
) -> Result<Look, ServiceError> {
    let cfg = &loaded.config;
    let label = venue_label(&cfg.execution);
    ship_leftovers(loaded, ch).await?;
    let path = intents_path(loaded);
    let intents = IntentLog::read(&path).map_err(|e| ServiceError::Config(e.to_string()))?;
    let (name, c) = (cfg.service.name.clone(), ch.clone());
    let (journal, ended_intents) = tokio::task::spawn_blocking(move || read_journal(&c, &name, &intents))
        .await
        .map_err(blocking_err)?
        .map_err(|e| ServiceError::Config(format!("reading the journal back: {e}")))?;
    let venue = BingxVenue::connect(bingx_config(&cfg.execution), keys, requests)
        .await
        .map_err(|e| ServiceError::Config(format!("venue {label}: {e}")))?;
    let view = venue_view(&venue, &journal).await.map_err(|e| ServiceError::Config(format!("venue {label}: {e}")))?;
    let reconciliation = compare(&journal, &view, &venue);
    Ok(Look { venue, label, journal, view, reconciliation, ended_intents })
}

/// Reconcile service `loaded`'s journal with its venue once, and journal the result (a
/// `reconciliations` row and a `venue_requests` row per request made). Needs the exchange
/// keys; reads only (no order is sent). Run it while the service is stopped: the service's
/// spool is opened to ship what it holds, and a running service holds it.
///
/// # Errors
/// [`ServiceError`]: no keys, ClickHouse or the venue unreachable, the account in the other
/// position mode, the spool in use.
pub async fn reconcile_once(loaded: &Loaded, stop: &Arc<Stop>) -> Result<Reconciled, ServiceError> {
    let cfg = &loaded.config;
    let keys = loaded.keys.as_ref().ok_or_else(|| {
        ServiceError::Config(format!(
            "no exchange keys: set {} and {}, or execution.keys_file (mode 0600)",
            violet_venue::arming::KEY_ENV,
            violet_venue::arming::SECRET_ENV
        ))
    })?;
    let ch = crate::run::clickhouse_client(loaded)?;
    crate::run::connect(&ch, stop).await?;
    let requests = Arc::new(MemoryJournal::default());
    let Look { reconciliation, label, .. } = look(loaded, &ch, keys, requests.clone()).await?;
    // Journal it, in a spool of its own (the service's may be reopened by its next start).
    let at_ns = LiveClock::new().now().get();
    let run = format!("{}-reconcile-{at_ns}", cfg.service.name);
    let records = requests.records();
    let made = records.len();
    let (spool, source, ch2) = (cfg.service.data_dir.join("reconcile-spool"), cfg.service.name.clone(), ch.clone());
    let timeout = Duration::from_secs(cfg.journal.ship_timeout_s);
    let (r2, l2) = (reconciliation.clone(), label.clone());
    tokio::task::spawn_blocking(move || -> Result<(), ServiceError> {
        let journal = ClickHouseJournal::open_append(&spool, &source, FlushPolicy::default(), ch2)?;
        let mut sink = JournalSink::new(AnyJournal::ClickHouse(journal), &source, &run);
        for r in &records {
            sink.venue_request(r)?;
        }
        sink.reconciliation(&r2, &l2, at_ns)?;
        sink.into_inner().close(timeout)?;
        Ok(())
    })
    .await
    .map_err(blocking_err)??;
    Ok(Reconciled { reconciliation, venue: label, requests: made })
}
