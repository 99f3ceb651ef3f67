//! Every fault the simulator injects, over real HTTP: an order whose outcome is unknown is
//! settled by querying, never resent blind; each `clientOrderId` executes at most once; and
//! at the end the adapter's view of orders, positions and balance equals the simulator's.

mod common;

use std::time::Duration;

use common::{SECRET, config, connect, connect_with, order, placed, simulator};
use proptest::prelude::*;
use violet_bingx::PositionMode;
use violet_bingx_sim::{FaultKind, Target};
use violet_venue::order::Side;
use violet_venue::venue::{Recoverable, Venue, VenueError};

const TTL: Duration = Duration::from_secs(5);

async fn one_fault(kind: FaultKind, target: Target) -> (f64, usize) {
    let sim = simulator(true, 10_000.0).await;
    let (venue, _) = connect(&sim, PositionMode::Hedge).await;
    sim.inject(kind.clone(), target, 1);
    let o = order(1, Side::Sell, 0.01, false, TTL);
    let r = venue.place_order(&o).await.unwrap_or_else(|e| panic!("{kind:?}: {e}"));
    let n = placed(&sim, &o.client_order_id);
    sim.stop();
    (r.filled_quantity, n)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_back_off_and_the_order_goes_once() {
    for kind in [FaultKind::Http429, FaultKind::Code(109_429, "busy".into()), FaultKind::Code(100_410, "busy".into())] {
        assert_eq!(one_fault(kind, Target::Place).await, (0.01, 1));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_back_off_that_outlasts_the_deadline_sends_nothing_late() {
    let sim = simulator(true, 10_000.0).await;
    let (venue, _) = connect(&sim, PositionMode::Hedge).await;
    // 429: the limiter holds orders back a second; this order's deadline is 200 ms away.
    sim.inject(FaultKind::Http429, Target::Place, 1);
    let o = order(1, Side::Sell, 0.01, false, Duration::from_millis(200));
    let e = venue.place_order(&o).await.expect_err("not sent late");
    assert!(matches!(&e, VenueError::Recoverable(Recoverable::Transient(m)) if m.contains("deadline")), "{e}");
    assert_eq!(placed(&sim, &o.client_order_id), 0, "never executed");
    let arrived = sim.shared().place_arrivals.lock().expect("lock").len();
    assert_eq!(arrived, 1, "only the throttled send reached the exchange");
    sim.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_lost_after_the_order_executed_is_found_by_query_not_resent() {
    for kind in [FaultKind::DropAfterExecute, FaultKind::Http504AfterExecute, FaultKind::DelayAnswer(600)] {
        assert_eq!(one_fault(kind, Target::Place).await, (0.01, 1));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn being_processed_answers_are_asked_again() {
    let sim = simulator(true, 10_000.0).await;
    let (venue, _) = connect(&sim, PositionMode::Hedge).await;
    sim.inject(FaultKind::DropAfterExecute, Target::Place, 1);
    sim.inject(FaultKind::Processing, Target::Query, 2);
    let o = order(1, Side::Sell, 0.01, false, TTL);
    assert_eq!(venue.place_order(&o).await.expect("settled").filled_quantity, 0.01);
    assert_eq!(placed(&sim, &o.client_order_id), 1);
    // When queries never settle it the error says so, and is not one the driver resends.
    sim.inject(FaultKind::DropAfterExecute, Target::Place, 1);
    sim.inject(FaultKind::Processing, Target::Query, 100);
    let o = order(2, Side::Sell, 0.01, false, TTL);
    let e = venue.place_order(&o).await.expect_err("unsettled");
    assert!(e.outcome_unknown(), "{e}");
    assert_eq!(placed(&sim, &o.client_order_id), 1);
    sim.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_that_arrives_late_is_resent_only_after_its_window_and_executes_once() {
    let sim = simulator(true, 10_000.0).await;
    let (venue, _) = connect(&sim, PositionMode::Hedge).await; // window 1 s, timeout 0.3 s
    // The first send reaches the exchange 1.5 s late: the client times out, BingX has no
    // such order, the adapter waits out the window, asks again, and sends again; the late
    // original is refused on arrival for its old timestamp.
    sim.inject(FaultKind::LateArrival(1_500), Target::Place, 1);
    let o = order(1, Side::Sell, 0.01, false, TTL);
    let r = venue.place_order(&o).await.expect("resent");
    assert_eq!(r.filled_quantity, 0.01);
    tokio::time::sleep(Duration::from_millis(1_700)).await;
    assert_eq!(placed(&sim, &o.client_order_id), 1, "executed once");
    assert_eq!(sim.shared().auth_refusals.load(std::sync::atomic::Ordering::Relaxed), 1, "the late one refused");

    // With a deadline before the window closes it is not resent at all.
    sim.inject(FaultKind::LateArrival(1_500), Target::Place, 1);
    let o = order(2, Side::Sell, 0.01, false, Duration::from_millis(800));
    let e = venue.place_order(&o).await.expect_err("not resent");
    assert!(matches!(&e, VenueError::Recoverable(Recoverable::Transient(m)) if m.contains("not resent")), "{e}");
    tokio::time::sleep(Duration::from_millis(1_700)).await;
    assert_eq!(placed(&sim, &o.client_order_id), 0);
    sim.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partial_fill_stays_working_until_cancelled() {
    let sim = simulator(true, 10_000.0).await;
    let (venue, _) = connect(&sim, PositionMode::Hedge).await;
    sim.inject(FaultKind::PartialFill(0.5), Target::Place, 1);
    let o = order(1, Side::Sell, 0.02, false, TTL);
    let r = venue.place_order(&o).await.expect("partial");
    assert_eq!((r.filled_quantity, r.open), (0.01, true));
    let c = venue.cancel_order(&o.symbol, &o.client_order_id).await.expect("cancel");
    assert_eq!((c.filled_quantity, c.open), (0.01, false));
    assert_eq!(venue.positions().await.expect("positions")[0].quantity, -0.01);
    let q = venue.query_order(&o.symbol, &o.client_order_id).await.expect("query");
    assert!(!q.open);
    let missing = order(9, Side::Sell, 0.01, false, TTL);
    assert_eq!(
        venue.query_order(&missing.symbol, &missing.client_order_id).await,
        Err(VenueError::Unrecoverable(violet_venue::venue::Unrecoverable::NoSuchOrder))
    );
    sim.stop();
}

/// One step of a random schedule: the fault before an order (if any), and the order.
#[derive(Debug, Clone)]
struct Step {
    fault: Option<(FaultKind, Target)>,
    sell: bool,
    lots: u32,
}

fn fault() -> impl Strategy<Value = Option<(FaultKind, Target)>> {
    prop_oneof![
        Just(None),
        Just(Some((FaultKind::Http429, Target::Place))),
        Just(Some((FaultKind::Code(109_429, "busy".into()), Target::Place))),
        Just(Some((FaultKind::DropAfterExecute, Target::Place))),
        Just(Some((FaultKind::Http504AfterExecute, Target::Place))),
        Just(Some((FaultKind::DelayAnswer(400), Target::Place))),
        Just(Some((FaultKind::PartialFill(0.5), Target::Place))),
        Just(Some((FaultKind::Processing, Target::Query))),
        Just(Some((FaultKind::DropAfterExecute, Target::Query))),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    (fault(), any::<bool>(), 1u32..5).prop_map(|(fault, sell, lots)| Step { fault, sell, lots })
}

async fn schedule(steps: Vec<Step>) -> Result<(), TestCaseError> {
    let sim = simulator(true, 100_000.0).await;
    let (venue, _) = connect_with(config(&sim, PositionMode::Hedge), SECRET).await;
    let mut reports = Vec::new();
    for (n, s) in steps.iter().enumerate() {
        if let Some((kind, target)) = &s.fault {
            sim.inject(kind.clone(), *target, 1);
        }
        let n = i64::try_from(n).unwrap_or(0);
        let side = if s.sell { Side::Sell } else { Side::Buy };
        let o = order(n, side, f64::from(s.lots) * 0.001, false, TTL);
        let result = venue.place_order(&o).await;
        reports.push((o, result));
    }
    // Each client order id executed at most once, and what the adapter says of each order
    // is what the exchange holds.
    for (o, result) in &reports {
        let at_venue = placed(&sim, &o.client_order_id);
        prop_assert!(at_venue <= 1, "{} placed {} times", o.client_order_id, at_venue);
        let view = match result {
            Ok(r) => Some(r.filled_quantity),
            Err(e) if e.outcome_unknown() => None,
            Err(e) => {
                prop_assert_eq!(at_venue, 0, "{} failed ({}) yet the exchange has it", o.client_order_id, e);
                continue;
            }
        };
        let q = venue.query_order(&o.symbol, &o.client_order_id).await;
        let exchange = sim
            .shared()
            .books()
            .orders
            .iter()
            .find(|x| x.client_order_id == o.client_order_id.as_str())
            .map(|x| x.executed_qty);
        prop_assert_eq!(q.as_ref().ok().map(|r| r.filled_quantity), exchange, "{}", o.client_order_id);
        if let (Some(v), Some(x)) = (view, exchange) {
            prop_assert!(v <= x, "reported {} filled, exchange {}", v, x);
        }
    }
    sim.shared().faults.lock().map_err(|_| TestCaseError::fail("lock"))?.clear();
    let mut ours: Vec<(String, u64)> = venue
        .positions()
        .await
        .map_err(|e| TestCaseError::fail(e.to_string()))?
        .iter()
        .map(|p| (p.symbol.clone(), p.quantity.to_bits()))
        .collect();
    ours.sort();
    let (mut theirs, balance) = {
        let books = sim.shared().books();
        let theirs: Vec<(String, u64)> = books
            .positions
            .iter()
            .map(|((s, side), p)| {
                (s.replace('-', ""), if side == "SHORT" { -p.quantity } else { p.quantity }.to_bits())
            })
            .collect();
        (theirs, books.balance)
    };
    theirs.sort();
    prop_assert_eq!(ours, theirs);
    prop_assert_eq!(
        venue.balance().await.map_err(|e| TestCaseError::fail(e.to_string()))?.to_bits(),
        balance.to_bits()
    );
    let open: Vec<i64> =
        venue.open_orders().await.map_err(|e| TestCaseError::fail(e.to_string()))?.iter().map(|o| o.order_id).collect();
    let sim_open: Vec<i64> = sim.shared().books().open_orders().iter().map(|o| o.order_id).collect();
    prop_assert_eq!(open, sim_open);
    sim.stop();
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_fault_schedules_never_execute_an_id_twice_and_views_agree(steps in prop::collection::vec(step(), 1..7)) {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        rt.block_on(schedule(steps))?;
    }
}
