//! `violet run --arm` against the BingX simulator on loopback and a real ClickHouse (both
//! started by the test; never skipped). The stdin feed through the armed service: the
//! orders the simulator executes are exactly the ones the engine placed (symbol, side,
//! quantity through L3), the journal names the exchange's order ids, and a reconciliation
//! afterwards matches. A restart whose replay does not hold the journal's position is
//! refused (exit 4), as is a start whose journal cannot explain the venue's positions;
//! neither sends an order. (A restart that replays its history: `restart.rs`.)
//! Unarmed, with keys present, not one request reaches the simulator.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use common::metrics::{free_port, get, parse, value, wait_for};
use common::venue::{Stage, arrivals, config, feed, query, reconcile, simulator, spawn, wait_exit};

/// The place-order endpoint, as the metrics label it.
const PLACE: &str = "POST /openApi/swap/v2/trade/order";

#[test]
fn an_armed_service_trades_what_it_decides_and_refuses_what_it_cannot_explain() {
    let Stage { server, ch, lines, rt, sim, work } = Stage::new("armed");

    // Unarmed, keys present: the simulator hears nothing at all.
    let cfg = config(&work, "dark", server.url(), &sim.url(), "");
    let log = work.join("dark.log");
    let mut child = spawn(&cfg, false, &log);
    feed(&mut child, &sim, &lines[..lines.len() / 3], Duration::from_millis(100), |_| {});
    assert_eq!(wait_exit(&mut child, &log), 0, "{}", std::fs::read_to_string(&log).unwrap_or_default());
    assert_eq!(sim.shared().requests.load(std::sync::atomic::Ordering::Relaxed), 0, "unarmed: not one request");

    // Armed: every order the engine placed executes once at the simulator, and the journal
    // says so with the exchange's ids. The exchange's clock runs 2.5 s ahead of this one.
    sim.shared().skew_ms.store(2500, std::sync::atomic::Ordering::Relaxed);
    let listen = format!("127.0.0.1:{}", free_port());
    let cfg = config(&work, "svc", server.url(), &sim.url(), &format!("\n[metrics]\nlisten = {listen:?}\n"));
    let log = work.join("armed.log");
    let mut child = spawn(&cfg, true, &log);
    let mut samples = Vec::new();
    feed(&mut child, &sim, &lines, Duration::from_millis(100), |n| {
        if n + 1 == lines.len() {
            // Before the last line: every order placed so far is counted, once, by endpoint.
            wait_for("the venue's requests counted", Duration::from_secs(20), || {
                let placed = arrivals(&sim).len() as f64;
                let (_, body) = get(&listen, "/metrics").ok_or("no answer")?;
                samples = parse(&body);
                let counted = value(&samples, "violet_venue_requests_total", &[("endpoint", PLACE)]);
                if counted == placed && placed == 3.0 { Ok(()) } else { Err(format!("{counted} of {placed}")) }
            });
            assert_eq!(get(&listen, "/readyz"), Some((200, "ready\n".to_string())), "armed, reconciled, taken over");
        }
    });
    assert_eq!(value(&samples, "violet_venue_requests_total", &[("endpoint", PLACE), ("code", "0")]), 3.0);
    assert_eq!(value(&samples, "violet_venue_request_duration_seconds_count", &[("endpoint", PLACE)]), 3.0);
    assert_eq!(value(&samples, "violet_decision_to_send_seconds_count", &[]), 3.0, "one per order sent");
    assert!(value(&samples, "violet_decision_to_send_seconds_sum", &[]) > 0.0);
    assert!(value(&samples, "violet_fills_total", &[]) >= 3.0, "each order filled (in one or more fills)");
    assert_eq!(
        value(&samples, "violet_orders_total", &[("venue", "custom-url"), ("result", "filled")]),
        value(&samples, "violet_orders_total", &[]),
        "every order ended filled so far"
    );
    let offset = value(&samples, "violet_venue_clock_offset_seconds", &[]);
    assert!((offset - 2.5).abs() < 0.5, "the exchange's clock is 2.5 s ahead: {offset}");
    let code = wait_exit(&mut child, &log);
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("ARMED"), "the first lines say armed, venue and host: {text}");
    let books = sim.shared().books();
    let mut at_exchange: BTreeMap<String, (i64, String, String, f64)> = BTreeMap::new();
    for o in &books.orders {
        let row = (o.order_id, o.symbol.replace('-', ""), o.side.clone(), o.executed_qty);
        assert!(at_exchange.insert(o.client_order_id.clone(), row).is_none(), "{} executed twice", o.client_order_id);
    }
    drop(books);
    let steps = query(
        &ch,
        "SELECT client_order_id, symbol, side, state, body FROM dolphin_violet.orders FINAL WHERE startsWith(id, 'svc:') \
         ORDER BY at_ns FORMAT TSV",
    );
    let trades =
        query(&ch, "SELECT body FROM dolphin_violet.trade_events FINAL WHERE startsWith(id, 'svc:') FORMAT TSV");
    assert_eq!(
        at_exchange.len(),
        3,
        "entry and exit of trade 1, entry of trade 2: {at_exchange:?}\n{steps}\n{trades}\n{text}"
    );
    let journal = query(
        &ch,
        "SELECT client_order_id, venue_order_id, symbol, side, state FROM dolphin_violet.orders FINAL \
         WHERE startsWith(id, 'svc:order:') AND isNotNull(venue_order_id) ORDER BY client_order_id FORMAT TSV",
    );
    let mut seen = BTreeSet::new();
    for line in journal.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let (order_id, symbol, side, executed) =
            at_exchange.get(f[0]).unwrap_or_else(|| panic!("{} not at the exchange: {journal}", f[0]));
        assert_eq!((f[1], f[2], f[3], f[4]), (order_id.to_string().as_str(), symbol.as_str(), side.as_str(), "FILLED"));
        assert!(*executed > 0.0);
        seen.insert(f[0].to_string());
    }
    assert_eq!(seen.len(), at_exchange.len(), "every executed order is in the journal: {journal}");
    let sides: Vec<String> = at_exchange.values().map(|(_, s, side, _)| format!("{s} {side}")).collect();
    assert_eq!(sides.iter().filter(|s| s.ends_with("SELL")).count(), 2, "two entries (shorts): {sides:?}");
    let requests = query(
        &ch,
        "SELECT count() FROM dolphin_violet.venue_requests FINAL WHERE method = 'POST' AND \
         path = '/openApi/swap/v2/trade/order' AND startsWith(run_id, 'svc-')",
    );
    assert_eq!(requests.trim(), "3", "each order request journaled");
    let start = query(&ch, "SELECT verdict FROM dolphin_violet.reconciliations FINAL WHERE startsWith(id, 'svc:')");
    assert_eq!(start.trim(), "MATCH", "the start-up reconciliation");

    // The journal and the exchange agree afterwards; the second trade is still open.
    let out = reconcile(&cfg);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("DOGEUSDT") && stdout.contains("verdict: MATCH"), "{stdout}");

    // A restart whose replay does not re-decide that position (no history on stdin) is
    // refused: it would never exit it. Exit 4, no order.
    let placed = sim.shared().place_arrivals.lock().expect("lock").len();
    let log = work.join("restart.log");
    let mut child = spawn(&cfg, true, &log);
    drop(child.stdin.take());
    let code = wait_exit(&mut child, &log);
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    assert_eq!(code, 4, "{text}");
    assert!(text.contains("take-over refused") && text.contains("DOGEUSDT engine 0 journal -"), "{text}");
    assert_eq!(sim.shared().place_arrivals.lock().expect("lock").len(), placed, "no order sent");

    // Another service on this account: the venue holds what its journal cannot explain.
    sim.shared().books().external_position("AVAX-USDT", "SHORT", 100.0, 0.2);
    let cfg = config(&work, "other", server.url(), &sim.url(), "");
    let log = work.join("other.log");
    let mut child = spawn(&cfg, true, &log);
    drop(child.stdin.take());
    let code = wait_exit(&mut child, &log);
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    assert_eq!(code, 4, "{text}");
    assert!(text.contains("refusing to arm") && text.contains("AVAXUSDT") && text.contains("MISMATCH"), "{text}");
    assert_eq!(sim.shared().place_arrivals.lock().expect("lock").len(), placed, "no order sent");
    let runs = query(&ch, "SELECT status FROM dolphin_violet.runs FINAL WHERE source = 'other' FORMAT TSV");
    assert_eq!(runs.trim(), "FAILED", "the refused start is recorded");
    sim.stop();

    // While armed, a position appearing behind VIOLET's back is found by the periodic
    // reconciliation (every second here), checked again, and moves the state to REDUCING.
    let sim = simulator(&rt, &lines);
    let listen = format!("127.0.0.1:{}", free_port());
    let extra = format!("reconcile_interval_s = 1\n\n[metrics]\nlisten = {listen:?}\n");
    let cfg = config(&work, "drift", server.url(), &sim.url(), &extra);
    let log = work.join("drift.log");
    let mut child = spawn(&cfg, true, &log);
    let outside = lines.len() / 4;
    feed(&mut child, &sim, &lines, Duration::from_millis(150), |n| {
        if n == outside {
            sim.shared().books().external_position("AVAX-USDT", "SHORT", 100.0, 0.2);
        }
        if n + 1 == lines.len() {
            // Not ready, and /readyz says why; the state and the mismatches are exported.
            wait_for("/readyz to say the venue differs", Duration::from_secs(10), || match get(&listen, "/readyz") {
                Some((503, why)) if why.contains("reconciliation: the journal and the venue differ") => Ok(()),
                other => Err(format!("{other:?}")),
            });
            let samples = parse(&get(&listen, "/metrics").expect("metrics").1);
            assert_eq!(value(&samples, "violet_ready", &[]), 0.0);
            assert_eq!(value(&samples, "violet_trading_state", &[("state", "REDUCING")]), 1.0);
            assert!(value(&samples, "violet_reconcile_mismatches_total", &[]) >= 2.0, "AVAXUSDT, twice");
        }
    });
    let code = wait_exit(&mut child, &log);
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("DRIFT") && text.contains("REDUCING") && text.contains("AVAXUSDT"), "{text}");
    let checks = query(
        &ch,
        "SELECT verdict, count() FROM dolphin_violet.reconciliations FINAL WHERE startsWith(id, 'drift:') \
         GROUP BY verdict ORDER BY verdict FORMAT TSV",
    );
    let mismatches: u64 =
        checks.lines().find_map(|l| l.strip_prefix("MISMATCH\t")).and_then(|n| n.parse().ok()).unwrap_or(0);
    assert!(checks.starts_with("MATCH\t") && mismatches >= 2, "the start matched, then two checks did not: {checks}");
    sim.stop();
    std::fs::remove_dir_all(&work).ok();
}
