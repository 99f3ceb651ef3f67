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

use common::venue::{Stage, config, feed, query, reconcile, simulator, spawn, wait_exit};

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
    // says so with the exchange's ids.
    let cfg = config(&work, "svc", server.url(), &sim.url(), "");
    let log = work.join("armed.log");
    let mut child = spawn(&cfg, true, &log);
    feed(&mut child, &sim, &lines, Duration::from_millis(100), |_| {});
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
    let cfg = config(&work, "drift", server.url(), &sim.url(), "reconcile_interval_s = 1\n");
    let log = work.join("drift.log");
    let mut child = spawn(&cfg, true, &log);
    let outside = lines.len() / 4;
    feed(&mut child, &sim, &lines, Duration::from_millis(150), |n| {
        if n == outside {
            sim.shared().books().external_position("AVAX-USDT", "SHORT", 100.0, 0.2);
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
