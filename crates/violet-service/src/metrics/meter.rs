//! The meter: a [`Sink`] beside the journal's that counts what the engine emits (decisions,
//! trade events, order steps, rejections) into the registry, plus what the reactor hands it
//! (ticks, venue requests, latencies, sampled gauges).

use std::io;
use std::time::Duration;

use violet_domain::event::Rejection;
use violet_engine::Sink;
use violet_engine::decision::DecisionRecord;
use violet_engine::execution::{OrderUpdate, TradeEvent, UpdateKind};
use violet_journal::RecordKind;
use violet_journal::clickhouse::ShipStats;
use violet_venue::venue::audit::RequestRecord;

use super::registry::{Metrics, secs};

/// Counts into `metrics`; `venue` labels the orders (`observe-only` unarmed).
#[derive(Debug, Clone)]
pub struct Meter {
    metrics: Metrics,
    venue: &'static str,
    /// Journal records counted so far, by kind (the sink's own counts are the source).
    journaled: [u64; RecordKind::ALL.len()],
    /// The shipper's counts so far.
    ship: ShipStats,
}

/// How an order ended, when `u` ends it (a late fill or a late ack after the end does not
/// end it again).
fn order_end(u: &OrderUpdate) -> Option<&'static str> {
    if !u.state.is_terminal() {
        return None;
    }
    Some(match u.kind {
        UpdateKind::Fill => "filled",
        UpdateKind::Reject => "rejected",
        UpdateKind::RiskRefused => "risk_refused",
        UpdateKind::ObserveOnly => "observe_only",
        UpdateKind::Expire => "expired",
        UpdateKind::Cancel => "cancelled",
        _ => return None,
    })
}

impl Meter {
    /// A meter counting into `metrics`.
    #[must_use]
    pub fn new(metrics: Metrics, venue: &'static str) -> Self {
        Self { metrics, venue, journaled: [0; RecordKind::ALL.len()], ship: ShipStats::default() }
    }

    /// The registry.
    #[must_use]
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// A valid tick applied.
    pub fn tick(&self) {
        self.metrics.inner().ticks.inc();
    }

    /// A scan decided `since_read` after its line reached the service, `event_lag` after
    /// its event time (wall clock).
    pub fn scan_decided(&self, since_read: Duration, event_lag: Option<Duration>) {
        let i = self.metrics.inner();
        i.scan_to_decision.observe(secs(since_read));
        if let Some(lag) = event_lag {
            i.event_lag.observe(secs(lag));
        }
    }

    /// A venue request ended.
    pub fn venue_request(&self, r: &RequestRecord) {
        let code = match (r.code, r.http_status) {
            (Some(c), _) => c.to_string(),
            (None, Some(s)) => format!("http_{s}"),
            (None, None) => "none".to_string(),
        };
        let endpoint = format!("{} {}", r.method.as_str(), r.path);
        let i = self.metrics.inner();
        i.venue_requests.get_or_create(&vec![("endpoint", endpoint.clone()), ("code", code)]).inc();
        i.venue_request_duration.get_or_create(&vec![("endpoint", endpoint)]).observe(secs(r.latency));
    }

    /// Bring the shipping counters up to the shipper's `now`.
    pub fn shipping(&mut self, now: ShipStats) {
        let i = self.metrics.inner();
        i.shipped.inc_by(now.shipped.saturating_sub(self.ship.shipped));
        i.ship_failures.inc_by(now.failures.saturating_sub(self.ship.failures));
        i.ship_retries.inc_by(now.retries.saturating_sub(self.ship.retries));
        self.ship = now;
    }

    /// Bring `violet_journal_records_total` up to the sink's counts (`written(kind)`).
    pub fn journaled(&mut self, written: impl Fn(RecordKind) -> u64) {
        for k in RecordKind::ALL {
            let n = written(k);
            let was = &mut self.journaled[k.index()];
            if n > *was {
                self.metrics.inner().journal_records.get_or_create(&[("table", k.table())]).inc_by(n - *was);
                *was = n;
            }
        }
    }
}

impl Sink for Meter {
    fn decision(&mut self, _: &DecisionRecord<'_>) -> io::Result<()> {
        self.metrics.inner().scans.inc();
        Ok(())
    }

    fn trade(&mut self, event: &TradeEvent) -> io::Result<()> {
        let i = self.metrics.inner();
        match event {
            TradeEvent::Entry(_) => {
                i.entries.inc();
            }
            TradeEvent::Exit(e) => {
                i.exits.get_or_create(&[("reason", e.reason.as_str())]).inc();
            }
        }
        Ok(())
    }

    fn order(&mut self, u: &OrderUpdate) -> io::Result<()> {
        let i = self.metrics.inner();
        if u.fill.is_some() {
            i.fills.inc();
        }
        if u.kind == UpdateKind::Expire {
            i.ttl_expired.inc();
        }
        if let Some(end) = order_end(u) {
            i.orders.get_or_create(&[("venue", self.venue), ("side", u.side.as_str()), ("result", end)]).inc();
            if u.kind == UpdateKind::ObserveOnly {
                i.orders_refused.inc();
            }
        }
        Ok(())
    }

    fn rejection(&mut self, r: &Rejection) -> io::Result<()> {
        let i = self.metrics.inner();
        i.rejected.get_or_create(&[("rule", r.rule.code())]).inc();
        i.rejected_all.inc();
        Ok(())
    }
}
