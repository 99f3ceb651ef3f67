//! The adapter over real HTTP against the simulator on loopback: set-up, orders in both
//! position modes, leverage, and what BingX's errors do.

mod common;

use std::time::Duration;

use common::{SECRET, config, connect, connect_with, order, placed, simulator};
use violet_bingx::audit::RequestOutcome;
use violet_bingx::{ConnectError, PositionMode};
use violet_venue::order::Side;
use violet_venue::venue::{Unrecoverable, Venue, VenueError};

const TTL: Duration = Duration::from_secs(5);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_opens_and_closes_in_hedge_mode_with_leverage_set_once() {
    let sim = simulator(true, 10_000.0).await;
    let (venue, journal) = connect(&sim, PositionMode::Hedge).await;
    assert_eq!(venue.contracts().get("BTCUSDT").map(|c| c.quantity_precision.into_inner()), Some(3));

    let mut entry = order(1, Side::Sell, 0.01239, false, TTL);
    entry.leverage = Some(7);
    let r = venue.place_order(&entry).await.expect("entry");
    // Rounded down to the 0.001 step, filled at the simulator's price.
    assert_eq!((r.filled_quantity, r.average_price, r.open), (0.012, 43_000.0, false));
    assert!(r.venue_order_id.parse::<i64>().expect("id") > 1 << 53, "int64 id kept exact: {}", r.venue_order_id);
    let mut second = order(2, Side::Sell, 0.001, false, TTL);
    second.leverage = Some(7);
    venue.place_order(&second).await.expect("second entry");
    assert_eq!(sim.shared().books().leverage_sets, 1, "leverage set once, then cached");
    assert_eq!(sim.shared().books().leverage.get(&("BTC-USDT".into(), "SHORT".into())), Some(&7));

    let pos = venue.positions().await.expect("positions");
    assert_eq!(pos.len(), 1);
    assert_eq!((pos[0].symbol.as_str(), pos[0].quantity, pos[0].entry_price), ("BTCUSDT", -0.013, 43_000.0));

    sim.set_price("BTC-USDT", 42_000.0);
    let close = venue.place_order(&order(3, Side::Buy, 0.013, true, TTL)).await.expect("close");
    assert_eq!((close.filled_quantity, close.average_price), (0.013, 42_000.0));
    assert!(venue.positions().await.expect("positions").is_empty());
    assert_eq!(venue.balance().await.expect("balance").to_bits(), sim.shared().books().balance.to_bits());
    assert!(sim.shared().books().balance > 10_000.0, "the short made money");

    // Every request journaled, none refused by the simulator's signature check, no secret.
    let records = journal.records();
    assert_eq!(sim.shared().auth_refusals.load(std::sync::atomic::Ordering::Relaxed), 0);
    assert!(records.iter().all(|r| !r.params.contains(SECRET) && !r.params.contains("signature")));
    let places: Vec<_> =
        records.iter().filter(|r| r.path.ends_with("trade/order") && r.method.as_str() == "POST").collect();
    assert_eq!(places.len(), 3);
    assert!(places.iter().all(|r| r.outcome == RequestOutcome::Ok && r.venue_order_id.is_some()));
    assert_eq!(places[0].venue_order_id.as_deref(), Some(r.venue_order_id.as_str()), "the record names the order");
    assert!(places[0].params.contains("positionSide=SHORT") && places[0].params.contains("quantity=0.012"));
    assert!(!places[2].params.contains("reduceOnly"), "hedge mode closes by side + positionSide");
    sim.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_way_mode_sends_both_and_closes_reduce_only() {
    let sim = simulator(false, 10_000.0).await;
    let (venue, journal) = connect(&sim, PositionMode::OneWay).await;
    venue.place_order(&order(1, Side::Sell, 0.02, false, TTL)).await.expect("entry");
    assert_eq!(venue.positions().await.expect("positions")[0].quantity, -0.02);
    // A close for more than is held only reduces.
    let r = venue.place_order(&order(2, Side::Buy, 0.05, true, TTL)).await.expect("close");
    assert_eq!(r.filled_quantity, 0.02);
    assert!(venue.positions().await.expect("positions").is_empty());
    assert!(
        journal
            .records()
            .iter()
            .any(|r| r.params.contains("positionSide=BOTH") && r.params.contains("reduceOnly=true"))
    );
    sim.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_position_mode_mismatch_is_refused_at_connect() {
    let sim = simulator(false, 10_000.0).await;
    let journal = std::sync::Arc::new(violet_bingx::audit::MemoryJournal::default());
    let e = violet_bingx::BingxVenue::connect(config(&sim, PositionMode::Hedge), &common::keys(SECRET), journal)
        .await
        .expect_err("mismatch");
    assert!(matches!(e, ConnectError::PositionMode { configured: "hedge", venue: "one-way" }), "{e}");
    assert!(e.to_string().contains("refusing to trade"));
    sim.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secret_stops_trading_and_nothing_more_is_sent() {
    let sim = simulator(true, 10_000.0).await;
    // Public endpoints work; the first signed one fails with 100001.
    let journal = std::sync::Arc::new(violet_bingx::audit::MemoryJournal::default());
    let e =
        violet_bingx::BingxVenue::connect(config(&sim, PositionMode::Hedge), &common::keys("wrong"), journal.clone())
            .await
            .expect_err("refused");
    assert!(e.to_string().contains("100001"), "{e}");
    assert_eq!(sim.shared().auth_refusals.load(std::sync::atomic::Ordering::Relaxed), 1);
    sim.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ip_error_mid_session_halts_every_later_request_without_sending() {
    let sim = simulator(true, 10_000.0).await;
    let (venue, journal) = connect(&sim, PositionMode::Hedge).await;
    sim.inject(
        violet_bingx_sim::FaultKind::Code(100_419, "IP not in whitelist".into()),
        violet_bingx_sim::Target::Place,
        1,
    );
    let e = venue.place_order(&order(1, Side::Sell, 0.01, false, TTL)).await.expect_err("ip");
    assert_eq!(e, VenueError::Unrecoverable(Unrecoverable::Auth));
    let before = sim.shared().requests.load(std::sync::atomic::Ordering::Relaxed);
    let e = venue.place_order(&order(2, Side::Sell, 0.01, false, TTL)).await.expect_err("halted");
    assert_eq!(e, VenueError::Unrecoverable(Unrecoverable::Auth));
    assert_eq!(sim.shared().requests.load(std::sync::atomic::Ordering::Relaxed), before, "nothing sent");
    assert!(venue.client().halted().is_some_and(|h| h.contains("100419")));
    assert_eq!(journal.records().last().map(|r| r.outcome), Some(RequestOutcome::Halted));
    sim.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn insufficient_funds_and_below_minimum_refuse_that_order_only() {
    let sim = simulator(true, 20.0).await;
    let (venue, _) = connect(&sim, PositionMode::Hedge).await;
    let big = order(1, Side::Sell, 1.0, false, TTL);
    let e = venue.place_order(&big).await.expect_err("funds");
    assert!(matches!(&e, VenueError::Unrecoverable(Unrecoverable::Rejected(m)) if m.contains("101204")), "{e}");
    // Below the 0.001 step: refused here, never sent.
    let before = sim.shared().requests.load(std::sync::atomic::Ordering::Relaxed);
    let e = venue.place_order(&order(2, Side::Sell, 0.0004, false, TTL)).await.expect_err("tiny");
    assert!(e.to_string().contains("rounds down to 0"), "{e}");
    assert_eq!(sim.shared().requests.load(std::sync::atomic::Ordering::Relaxed), before);
    // Still trading.
    let r = venue.place_order(&order(3, Side::Sell, 0.001, false, TTL)).await.expect("small order");
    assert_eq!(r.filled_quantity, 0.001);
    assert_eq!(placed(&sim, &big.client_order_id), 0);
    sim.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_position_from_outside_shows_in_positions() {
    let sim = simulator(true, 10_000.0).await;
    let (venue, _) = connect(&sim, PositionMode::Hedge).await;
    sim.shared().books().external_position("BTC-USDT", "SHORT", 0.5, 41_000.0);
    let pos = venue.positions().await.expect("positions");
    assert_eq!((pos[0].symbol.as_str(), pos[0].quantity, pos[0].entry_price), ("BTCUSDT", -0.5, 41_000.0));
    sim.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_skewed_exchange_clock_is_resynced_once_and_the_order_goes() {
    let sim = simulator(true, 10_000.0).await;
    let (venue, journal) = connect_with(config(&sim, PositionMode::Hedge), SECRET).await;
    sim.skew(3_000); // beyond the 1 s window
    let o = order(1, Side::Sell, 0.01, false, TTL);
    let r = venue.place_order(&o).await.expect("resynced");
    assert_eq!(r.filled_quantity, 0.01);
    assert_eq!(placed(&sim, &o.client_order_id), 1);
    let codes: Vec<Option<i64>> = journal.records().iter().rev().take(4).map(|r| r.code).collect();
    assert!(codes.contains(&Some(109_400)), "the refusal is journaled: {codes:?}");
    assert!((2_900..=3_100).contains(&venue.client().clock().last().offset_ms));
    sim.stop();
}

/// An entry that needs more margin than the account has available is refused before it is
/// sent (the adapter asks for the balance with the leverage); one that fits goes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entry_short_of_margin_is_refused_before_it_is_sent() {
    let sim = simulator(true, 100.0).await;
    let (venue, journal) = connect(&sim, PositionMode::Hedge).await;
    let mut big = order(1, Side::Sell, 0.01, false, TTL);
    big.leverage = Some(2);
    big.margin = Some(0.01 * 43_000.0 / 2.0); // 215 needed, 100 available
    let err = venue.place_order(&big).await.expect_err("refused");
    assert!(!err.outcome_unknown(), "a definite refusal: {err}");
    assert!(err.to_string().contains("insufficient margin") && err.to_string().contains("215"), "{err}");
    assert_eq!(placed(&sim, &big.client_order_id), 0, "never sent");
    assert!(journal.records().iter().any(|r| r.path.ends_with("/user/balance")), "the balance was asked");
    let mut small = order(2, Side::Sell, 0.004, false, TTL);
    small.leverage = Some(2);
    small.margin = Some(0.004 * 43_000.0 / 2.0); // 86 needed
    venue.place_order(&small).await.expect("fits");
    assert_eq!(placed(&sim, &small.client_order_id), 1);
    // The margin it holds now leaves 14 available: the same entry again is refused.
    let mut again = order(3, Side::Sell, 0.004, false, TTL);
    again.margin = small.margin;
    assert!(venue.place_order(&again).await.is_err(), "86 needed, 14 available");
    sim.stop();
}
