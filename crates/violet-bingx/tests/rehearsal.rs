//! A rehearsal of a live day on loopback: the engine decides on a fixture stream, its orders
//! go through the execution task and the BingX adapter to the simulator, and everything —
//! decisions, order steps, fills, every request to the exchange — is journaled into a real
//! ClickHouse (started by the test, never skipped). At the end the exchange, the engine and
//! the journal tell the same story: each client order id executed at most once, the
//! engine's positions are the exchange's, every order row carries the exchange's order id,
//! and every request the exchange served is a row of `venue_requests`.

mod common;

use std::collections::HashMap;
use std::io;
use std::time::Duration;

use common::stage::{Audit, Stage, stream};
use violet_bingx::audit::{RequestOutcome, RequestRecord};
use violet_clickhouse::ClickHouse;
use violet_domain::event::Rejection;
use violet_engine::Sink;
use violet_engine::decision::DecisionRecord;
use violet_engine::execution::{OrderUpdate, TradeEvent, UpdateKind};
use violet_journal::clickhouse::{ClickHouseJournal, apply_ddl, journal_view};
use violet_journal::{FlushPolicy, JournalSink};
use violet_testkit::LocalServer;
use violet_venue::reconcile::{VenueView, Verdict, reconcile};
use violet_venue::venue::Venue as _;

/// The journal, and what went into it.
struct Journaled {
    sink: JournalSink<ClickHouseJournal>,
    orders: Vec<OrderUpdate>,
    requests: Vec<RequestRecord>,
}

impl Sink for Journaled {
    fn decision(&mut self, r: &DecisionRecord<'_>) -> io::Result<()> {
        self.sink.decision(r)
    }
    fn trade(&mut self, t: &TradeEvent) -> io::Result<()> {
        self.sink.trade(t)
    }
    fn order(&mut self, u: &OrderUpdate) -> io::Result<()> {
        self.orders.push(u.clone());
        self.sink.order(u)
    }
    fn rejection(&mut self, r: &Rejection) -> io::Result<()> {
        self.sink.rejection(r)
    }
}

impl Audit for Journaled {
    fn request(&mut self, r: &RequestRecord) {
        self.requests.push(r.clone());
        self.sink.venue_request(r).expect("journal");
    }
}

fn query(ch: &ClickHouse, q: &str) -> String {
    ch.query(q).unwrap_or_else(|e| panic!("{q}: {e}"))
}

#[test]
fn a_day_on_the_simulator_is_journaled_whole_and_agrees_with_the_exchange() {
    let server = LocalServer::start("bingx-rehearsal").unwrap_or_else(|e| panic!("{e}"));
    let ch = ClickHouse::new(server.url()).expect("url");
    apply_ddl(&ch).expect("ddl");
    let dir = std::env::temp_dir().join(format!("violet-bingx-rehearsal-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let run = "rehearsal-run-1";
    let journal = ClickHouseJournal::open(&dir, run, FlushPolicy::default(), ch.clone()).expect("journal");
    let mut out =
        Journaled { sink: JournalSink::new(journal, "rehearsal", run), orders: Vec::new(), requests: Vec::new() };

    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let (sim, engine, stats) = rt.block_on(async {
        let lines = stream("small-b", 1);
        let mut stage = Stage::start(&lines, Duration::from_secs(2), "rehearsal").await;
        let placed = stage.play(&lines, Duration::from_millis(20), &mut out).await;
        assert!(placed.len() >= 20, "the stream trades: {} orders", placed.len());
        assert_eq!(stage.requests_lost(), 0, "every request record reached the journal");
        stage.finish(Duration::from_secs(10), &mut out).await
    });
    let shipped = out.sink.into_inner().finish(Duration::from_secs(60)).expect("shipped");
    assert!(shipped.shipped > 0);

    // The exchange: one order per client order id at most, all filled (no fault injected).
    let books = sim.shared().books();
    let mut at_exchange: HashMap<String, (i64, f64)> = HashMap::new();
    for o in &books.orders {
        assert!(
            at_exchange.insert(o.client_order_id.clone(), (o.order_id, o.executed_qty)).is_none(),
            "{} executed twice",
            o.client_order_id
        );
    }
    let sent: Vec<&OrderUpdate> = out.orders.iter().filter(|u| u.kind == UpdateKind::Sent).collect();
    assert_eq!(at_exchange.len(), sent.len(), "every order sent reached the exchange once: {stats:?}");
    assert!(engine.halted().is_none(), "{:?}", engine.halted());

    // The engine's positions are the exchange's. BLUE only sells short, so in hedge mode the
    // exchange holds SHORT sides only; the engine counts a short's quantity positive.
    let mut symbols: Vec<String> =
        engine.portfolio().slots().iter().filter_map(|s| s.symbol()).map(|s| s.as_ref().to_string()).collect();
    let mut exchange: Vec<(String, u64)> = Vec::new();
    for ((symbol, side), p) in &books.positions {
        assert_eq!(side, "SHORT", "{symbol}: only shorts are opened");
        exchange.push((symbol.replace('-', ""), p.quantity.to_bits()));
        symbols.push(symbol.replace('-', ""));
    }
    symbols.sort();
    symbols.dedup();
    exchange.sort();
    let ours: Vec<(String, u64)> = symbols
        .iter()
        .map(|s| (s.clone(), engine.portfolio().quantity_of(s).to_bits()))
        .filter(|(_, q)| *q != 0)
        .collect();
    assert_eq!(ours, exchange, "positions: engine vs exchange");

    // Every order step the engine saw is a row, and the final row of each order names the
    // exchange's order id for it.
    let rows = query(
        &ch,
        "SELECT client_order_id, ifNull(venue_order_id, ''), state FROM dolphin_violet.orders FINAL \
         ORDER BY client_order_id FORMAT TSV",
    );
    let mut n_rows = 0;
    for line in rows.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let (id, venue_id, state) = (f[0], f[1], f[2]);
        n_rows += 1;
        let (order_id, executed) = at_exchange.get(id).unwrap_or_else(|| panic!("{id} is not at the exchange"));
        assert_eq!(venue_id, order_id.to_string(), "{id}: the row's venue order id is the exchange's");
        assert!(*order_id > 1 << 53, "an int64 id above 2^53 kept exact: {order_id}");
        let path: Vec<String> = out
            .orders
            .iter()
            .filter(|u| u.client_order_id.as_str() == id)
            .map(|u| format!("{:?} {:?} filled {} {}", u.kind, u.state, u.filled.get(), u.detail))
            .chain(
                out.requests
                    .iter()
                    .filter(|r| r.client_order_id.as_deref() == Some(id))
                    .map(|r| format!("{} {} {} {:?}", r.method.as_str(), r.params, r.message, r.outcome)),
            )
            .collect();
        assert_eq!(state, "FILLED", "{id}: {path:#?}");
        assert!(*executed > 0.0);
    }
    assert_eq!(n_rows, at_exchange.len(), "one order row per order");
    let fills = query(&ch, "SELECT count(), countIf(isNull(venue_order_id)) FROM dolphin_violet.fills FINAL");
    assert_eq!(fills.trim(), format!("{}\t0", out.orders.iter().filter(|u| u.fill.is_some()).count()));

    // Every request the exchange served is a row: same count, same places, no secret.
    let served = sim.shared().requests.load(std::sync::atomic::Ordering::Relaxed);
    assert_eq!(u64::try_from(out.requests.len()).expect("n"), served, "a record per request served");
    let counts = query(
        &ch,
        "SELECT count(), countIf(method = 'POST' AND path = '/openApi/swap/v2/trade/order'), \
         countIf(outcome = 'ok'), countIf(position(body, 'signature') > 0) FROM dolphin_violet.venue_requests FINAL",
    );
    let places = books.orders.len();
    let ok = out.requests.iter().filter(|r| r.outcome == RequestOutcome::Ok).count();
    assert_eq!(counts.trim(), format!("{served}\t{places}\t{ok}\t0"));
    let ids = query(
        &ch,
        "SELECT client_order_id, venue_order_id FROM dolphin_violet.venue_requests FINAL \
         WHERE method = 'POST' AND path = '/openApi/swap/v2/trade/order' FORMAT TSV",
    );
    for line in ids.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let (order_id, _) = at_exchange.get(f[0]).unwrap_or_else(|| panic!("{} is not at the exchange", f[0]));
        assert_eq!(f[1], order_id.to_string(), "{}", f[0]);
    }

    // The journal's ledger (its fills, read back) reconciles with the exchange: MATCH.
    drop(books);
    let journal = journal_view(&ch, "rehearsal").expect("journal view");
    assert!(journal.in_flight.is_empty(), "every order ended: {:?}", journal.in_flight);
    let venue = rt.block_on(async {
        let (venue, _) = common::connect(&sim, violet_bingx::PositionMode::Hedge).await;
        let mut positions = std::collections::BTreeMap::new();
        for p in venue.positions().await.expect("positions") {
            *positions.entry(p.symbol).or_insert(0.0) += p.quantity;
        }
        VenueView { positions, ..VenueView::default() }
    });
    let r = reconcile(&journal, &venue, |_| Some(0.001));
    assert_eq!(r.verdict, Verdict::Match, "{}", r.render());
    assert!(!r.symbols.is_empty(), "a position is open at the end");
    let _ = std::fs::remove_dir_all(&dir);
}
