//! The registry: every metric `violet run` exports, by name, help and unit. Handles are
//! cheap clones of one set of atomics; the status log line and `/metrics` read the same.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Registry, Unit};
use violet_venue::risk::TradingState;

/// One label (a bounded value: a rule, a reason, a state; never an id).
pub(crate) type Label = [(&'static str, &'static str); 1];
/// Labels whose values are known only at run time but bounded (a venue's codes).
pub(crate) type Labels = Vec<(&'static str, String)>;
/// A gauge of a real value.
pub(crate) type GaugeF = Gauge<f64, AtomicU64>;

/// Each order's end.
pub(crate) type OrderLabels = [(&'static str, &'static str); 3];

/// Every series name `/metrics` exports, as PromQL spells it (counters with `_total`;
/// histograms by their base name, queried as `_bucket`, `_sum` and `_count`). Dashboards
/// and alerts may use these and no others.
pub const NAMES: [&str; 27] = [
    "violet_scans_total",
    "violet_ticks_total",
    "violet_rejected_lines_total",
    "violet_entries_total",
    "violet_exits_total",
    "violet_orders_total",
    "violet_fills_total",
    "violet_venue_requests_total",
    "violet_ttl_expired_total",
    "violet_divergences_total",
    "violet_reconcile_mismatches_total",
    "violet_journal_records_total",
    "violet_journal_shipped_total",
    "violet_journal_ship_failures_total",
    "violet_journal_ship_retries_total",
    "violet_capital",
    "violet_open_positions",
    "violet_trading_state",
    "violet_journal_spool_bytes",
    "violet_journal_lag_seconds",
    "violet_venue_clock_offset_seconds",
    "violet_feed_lag_seconds",
    "violet_ready",
    "violet_scan_to_decision_seconds",
    "violet_decision_to_send_seconds",
    "violet_venue_request_duration_seconds",
    "violet_event_lag_seconds",
];

/// Every trading state, for the state gauge (one series per state, the current one 1).
const STATES: [TradingState; 4] =
    [TradingState::Active, TradingState::Reducing, TradingState::Halted, TradingState::Flatten];

fn histogram(start: f64, n: u16) -> Histogram {
    Histogram::new(exponential_buckets(start, 2.0, n))
}

/// The metrics of one service.
#[derive(Debug, Clone)]
pub struct Metrics(Arc<Inner>);

/// The handles (each a clone of what the registry holds).
#[derive(Debug)]
pub(crate) struct Inner {
    pub registry: Registry,
    pub scans: Counter,
    pub ticks: Counter,
    pub rejected: Family<Label, Counter>,
    pub rejected_all: Counter,
    pub entries: Counter,
    pub exits: Family<Label, Counter>,
    pub orders: Family<OrderLabels, Counter>,
    pub orders_refused: Counter,
    pub fills: Counter,
    pub venue_requests: Family<Labels, Counter>,
    pub ttl_expired: Counter,
    pub divergences: Family<Label, Counter>,
    pub divergences_all: Counter,
    pub reconcile_mismatches: Counter,
    pub journal_records: Family<Label, Counter>,
    pub shipped: Counter,
    pub ship_failures: Counter,
    pub ship_retries: Counter,
    pub capital: GaugeF,
    pub open_positions: Gauge,
    pub trading_state: Family<Label, Gauge>,
    pub spool_bytes: Gauge,
    pub journal_lag: GaugeF,
    pub clock_offset: GaugeF,
    pub feed_lag: GaugeF,
    pub ready: Gauge,
    pub scan_to_decision: Histogram,
    pub decision_to_send: Histogram,
    pub venue_request_duration: Family<Labels, Histogram, fn() -> Histogram>,
    pub event_lag: Histogram,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A fresh registry (`violet_` prefix) with every metric at zero.
    #[must_use]
    pub fn new() -> Self {
        let mut r = Registry::with_prefix("violet");
        let counter = |r: &mut Registry, name: &str, help: &str| {
            let c = Counter::default();
            r.register(name, help, c.clone());
            c
        };
        let family = |r: &mut Registry, name: &str, help: &str| {
            let f = Family::<Label, Counter>::default();
            r.register(name, help, f.clone());
            f
        };
        let scans = counter(&mut r, "scans", "Scans the engine has decided on (one decision record each)");
        let ticks = counter(&mut r, "ticks", "Valid price ticks applied");
        let rejected =
            family(&mut r, "rejected_lines", "Input lines rejected (journaled, not applied), by BLUE's rule");
        let entries = counter(&mut r, "entries", "Trade entries (ENTRY trade events)");
        let exits = family(&mut r, "exits", "Trade exits (EXIT trade events), by close reason");
        let orders = Family::<OrderLabels, Counter>::default();
        r.register(
            "orders",
            "Orders that ended, by venue, side and how they ended (filled, rejected, expired, cancelled, \
             risk_refused, observe_only)",
            orders.clone(),
        );
        let fills = counter(&mut r, "fills", "Fills booked (late fills included)");
        let venue_requests = Family::<Labels, Counter>::default();
        r.register(
            "venue_requests",
            "Requests to the venue, by endpoint (method and path) and code (the venue's code; http_<status> \
             without one; none when no answer came)",
            venue_requests.clone(),
        );
        let ttl_expired = counter(&mut r, "ttl_expired", "Orders that reached their time-to-live unfilled");
        let divergences = family(&mut r, "divergences", "Divergences from BLUE's trade events found, by class");
        let reconcile_mismatches = counter(
            &mut r,
            "reconcile_mismatches",
            "Symbols on which a reconciliation found the journal and the venue apart",
        );
        let journal_records =
            family(&mut r, "journal_records", "Records written to the journal, by dolphin_violet table");
        let shipped = counter(&mut r, "journal_shipped", "Journal records ClickHouse acknowledged (this process)");
        let ship_failures = counter(
            &mut r,
            "journal_ship_failures",
            "Journal batches whose first insert failed (each logged once with the server's answer)",
        );
        let ship_retries = counter(&mut r, "journal_ship_retries", "Journal insert attempts retried (with backoff)");
        let capital = GaugeF::default();
        r.register("capital", "The engine's capital (quote currency)", capital.clone());
        let open_positions = Gauge::default();
        r.register("open_positions", "Symbols the engine holds a position in", open_positions.clone());
        let trading_state = Family::<Label, Gauge>::default();
        r.register("trading_state", "The trading state: 1 on the current state's series", trading_state.clone());
        let spool_bytes = Gauge::default();
        r.register_with_unit(
            "journal_spool",
            "Bytes durable in the journal's spool and not yet acknowledged by ClickHouse",
            Unit::Bytes,
            spool_bytes.clone(),
        );
        let journal_lag = GaugeF::default();
        r.register_with_unit(
            "journal_lag",
            "Age of the oldest durable journal record not yet in ClickHouse (0: none waits)",
            Unit::Seconds,
            journal_lag.clone(),
        );
        let clock_offset = GaugeF::default();
        r.register_with_unit(
            "venue_clock_offset",
            "The venue's clock minus the local clock, at its last reading (armed only)",
            Unit::Seconds,
            clock_offset.clone(),
        );
        let feed_lag = GaugeF::default();
        r.register_with_unit(
            "feed_lag",
            "Local wall clock minus the time of the last event read",
            Unit::Seconds,
            feed_lag.clone(),
        );
        let ready = Gauge::default();
        r.register("ready", "1 when /readyz answers 200", ready.clone());
        let scan_to_decision = histogram(0.000_01, 20);
        r.register_with_unit(
            "scan_to_decision",
            "From the scan's line reaching the service to the engine's decision on it",
            Unit::Seconds,
            scan_to_decision.clone(),
        );
        let decision_to_send = histogram(0.000_01, 20);
        r.register_with_unit(
            "decision_to_send",
            "From the engine's decision to its order request going to the venue adapter (armed)",
            Unit::Seconds,
            decision_to_send.clone(),
        );
        let venue_request_duration =
            Family::<Labels, Histogram, fn() -> Histogram>::new_with_constructor(|| histogram(0.001, 14));
        r.register_with_unit(
            "venue_request_duration",
            "Venue requests' time on the wire (send to answer), by endpoint (method and path)",
            Unit::Seconds,
            venue_request_duration.clone(),
        );
        let event_lag = histogram(0.01, 16);
        r.register_with_unit(
            "event_lag",
            "Local wall clock minus each scan's event time, at its decision (the feed's lag, per scan)",
            Unit::Seconds,
            event_lag.clone(),
        );
        let m = Self(Arc::new(Inner {
            registry: r,
            scans,
            ticks,
            rejected,
            rejected_all: Counter::default(),
            entries,
            exits,
            orders,
            orders_refused: Counter::default(),
            fills,
            venue_requests,
            ttl_expired,
            divergences,
            divergences_all: Counter::default(),
            reconcile_mismatches,
            journal_records,
            shipped,
            ship_failures,
            ship_retries,
            capital,
            open_positions,
            trading_state,
            spool_bytes,
            journal_lag,
            clock_offset,
            feed_lag,
            ready,
            scan_to_decision,
            decision_to_send,
            venue_request_duration,
            event_lag,
        }));
        m.trading_state(TradingState::Active);
        m
    }

    pub(crate) fn inner(&self) -> &Inner {
        &self.0
    }

    /// The registry in the OpenMetrics text format (what `/metrics` serves).
    #[must_use]
    pub fn encode(&self) -> String {
        let mut s = String::with_capacity(16 << 10);
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut s, &self.0.registry);
        s
    }

    /// Set the trading state's series.
    pub fn trading_state(&self, state: TradingState) {
        for s in STATES {
            self.0.trading_state.get_or_create(&[("state", s.as_str())]).set(i64::from(s == state));
        }
    }

    /// A divergence of `class` found.
    pub fn divergence(&self, class: &'static str) {
        self.0.divergences.get_or_create(&[("class", class)]).inc();
        self.0.divergences_all.inc();
    }

    /// A reconciliation found `n` symbols apart.
    pub fn reconcile_mismatches(&self, n: usize) {
        self.0.reconcile_mismatches.inc_by(n as u64);
    }

    /// Counts for the status line.
    #[must_use]
    pub fn status(&self) -> Status {
        let i = &self.0;
        Status {
            scans: i.scans.get(),
            ticks: i.ticks.get(),
            rejected: i.rejected_all.get(),
            entries: i.entries.get(),
            fills: i.fills.get(),
            orders_refused: i.orders_refused.get(),
            divergences: i.divergences_all.get(),
        }
    }
}

/// What the status line prints of the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    /// `violet_scans_total`.
    pub scans: u64,
    /// `violet_ticks_total`.
    pub ticks: u64,
    /// `violet_rejected_lines_total`, every rule.
    pub rejected: u64,
    /// `violet_entries_total`.
    pub entries: u64,
    /// `violet_fills_total`.
    pub fills: u64,
    /// `violet_orders_total{result="observe_only"}`.
    pub orders_refused: u64,
    /// `violet_divergences_total`, every class.
    pub divergences: u64,
}

/// Seconds of `d`, for histograms.
pub(crate) fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

impl violet_venue::task::SendObserver for Metrics {
    fn sending(&self, since_decision: Duration) {
        self.0.decision_to_send.observe(secs(since_decision));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_is_exported_under_its_conventional_name() {
        let m = Metrics::new();
        m.divergence("extra");
        let text = m.encode();
        for name in [
            "# TYPE violet_scans counter",
            "violet_scans_total 0",
            "# TYPE violet_journal_spool_bytes gauge",
            "# UNIT violet_journal_lag_seconds seconds",
            "# TYPE violet_scan_to_decision_seconds histogram",
            "# TYPE violet_decision_to_send_seconds histogram",
            "violet_trading_state{state=\"ACTIVE\"} 1",
            "violet_trading_state{state=\"HALTED\"} 0",
            "violet_divergences_total{class=\"extra\"} 1",
        ] {
            assert!(text.contains(name), "{name} missing from:\n{text}");
        }
        assert!(text.ends_with("# EOF\n"), "an OpenMetrics exposition ends with # EOF");
        m.trading_state(TradingState::Reducing);
        let text = m.encode();
        assert!(text.contains("violet_trading_state{state=\"REDUCING\"} 1"));
        assert!(text.contains("violet_trading_state{state=\"ACTIVE\"} 0"), "one state at a time");
        assert_eq!(m.status().divergences, 1);
    }

    #[test]
    fn names_lists_exactly_what_the_registry_exports() {
        let m = Metrics::new();
        // One series in every labelled family (an empty family is not exported at all).
        let i = m.inner();
        i.rejected.get_or_create(&[("rule", "NOT_JSON")]).inc();
        i.exits.get_or_create(&[("reason", "TP")]).inc();
        i.orders.get_or_create(&[("venue", "v"), ("side", "BUY"), ("result", "filled")]).inc();
        i.venue_requests.get_or_create(&vec![("endpoint", "GET /x".to_string()), ("code", "0".to_string())]).inc();
        i.divergences.get_or_create(&[("class", "extra")]).inc();
        i.journal_records.get_or_create(&[("table", "runs")]).inc();
        i.venue_request_duration.get_or_create(&vec![("endpoint", "GET /x".to_string())]).observe(0.1);
        let mut exported: Vec<String> = m
            .encode()
            .lines()
            .filter_map(|l| l.strip_prefix("# TYPE "))
            .map(|l| match l.split_once(' ') {
                Some((name, "counter")) => format!("{name}_total"),
                Some((name, _)) => name.to_string(),
                None => l.to_string(),
            })
            .collect();
        exported.sort();
        let mut names = NAMES.map(str::to_string).to_vec();
        names.sort();
        assert_eq!(exported, names);
    }
}
