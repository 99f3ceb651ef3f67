//! `kill -9` of an armed service at the worst moments, and restarts that replay its
//! history: no order is ever sent twice, each restart takes over the positions the dead run
//! left (its orders recalled from the journal, the intent log and the venue, never sent
//! again), trading goes on, and a reconciliation at the end matches. The simulator and
//! ClickHouse run on loopback, started by the test.
//!
//! A fourth start, with the operator's state file at FLATTEN, takes the open position over,
//! closes it reduce-only and holds HALTED.
//!
//! The feed is stdin: each run is handed the lines every earlier run read (their `ts_ns`
//! before its start: history), then new lines stamped with the wall clock as they are
//! written (live).

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::venue::{
    LAST_SCAN, Stage, arrivals, config, drive, kill, query, reconcile, scan_number, spawn, stream_to, wait_exit,
};

/// A scan every 100 ms.
const GAP: Duration = Duration::from_millis(100);

#[test]
fn a_killed_armed_service_restarts_without_sending_twice_and_takes_its_positions_over() {
    let Stage { server, ch, rt: _rt, sim, work, .. } = Stage::new("restart");
    // Runs 1-3 read up to LAST_SCAN; run 4 reads five scans more.
    let lines = stream_to(LAST_SCAN + 5);
    let cut = lines
        .iter()
        .position(|l| l.contains("\"type\":\"scan\"") && scan_number(l).is_some_and(|n| n > LAST_SCAN))
        .expect("scans after LAST_SCAN");
    let cfg = config(&work, "svc", server.url(), &sim.url(), "");
    let (mut next, mut history) = (0, Vec::new());
    let log = |n: u32| work.join(format!("run{n}.log"));
    let text = |n: u32| std::fs::read_to_string(log(n)).unwrap_or_default();

    // Run 1 dies the instant its first order reaches the exchange: sent, filled there, and
    // (the spool flushes every 50 ms) most likely not yet journaled.
    let mut child = spawn(&cfg, true, &log(1));
    assert!(drive(&mut child, &sim, GAP, &lines[..cut], &mut next, &mut history, |placed| placed >= 1), "{}", text(1));
    kill(&mut child);

    // Run 2 replays run 1's lines, recalls the entry instead of sending it, takes the
    // position over and trades on; it dies 30 ms after the exit reaches the exchange.
    let mut child = spawn(&cfg, true, &log(2));
    assert!(drive(&mut child, &sim, GAP, &lines[..cut], &mut next, &mut history, |placed| placed >= 2), "{}", text(2));
    std::thread::sleep(Duration::from_millis(30));
    kill(&mut child);
    assert!(text(2).contains("take-over: the replay holds what the journal holds"), "{}", text(2));

    // Run 3 replays both and runs to the end of the input.
    let mut child = spawn(&cfg, true, &log(3));
    assert!(!drive(&mut child, &sim, GAP, &lines[..cut], &mut next, &mut history, |_| false));
    assert_eq!(wait_exit(&mut child, &log(3)), 0, "{}", text(3));
    assert!(text(3).contains("take-over: the replay holds what the journal holds"), "{}", text(3));

    // Every order reached the exchange once: the entry and exit of trade 1 and the entry of
    // trade 2, as an uninterrupted run places them (`armed.rs`).
    let arrived = arrivals(&sim);
    let mut per_id: BTreeMap<&str, usize> = BTreeMap::new();
    for id in &arrived {
        *per_id.entry(id.as_str()).or_default() += 1;
    }
    assert!(per_id.values().all(|n| *n == 1), "an order sent twice: {per_id:?}");
    let books = sim.shared().books();
    let sides: Vec<(String, String)> =
        books.orders.iter().map(|o| (o.client_order_id.clone(), o.side.clone())).collect();
    drop(books);
    assert_eq!(
        sides.iter().map(|(_, s)| s.as_str()).collect::<Vec<_>>(),
        ["SELL", "BUY", "SELL"],
        "entry, exit, entry: {sides:?}\n{}\n{}\n{}",
        text(1),
        text(2),
        text(3)
    );

    // The journal knows every one of them as filled, with the exchange's ids.
    let journal = query(
        &ch,
        "SELECT client_order_id, state FROM dolphin_violet.orders FINAL WHERE startsWith(id, 'svc:order:') \
         AND isNotNull(venue_order_id) ORDER BY client_order_id FORMAT TSV",
    );
    for (id, _) in &sides {
        assert!(journal.contains(&format!("{id}\tFILLED")), "{id} not journaled as filled:\n{journal}");
    }
    // Each start reconciled (the first restart explained by the venue's answer about the
    // order run 1 died sending, or matched if run 1 journaled it in time).
    let verdicts = query(
        &ch,
        "SELECT verdict FROM dolphin_violet.reconciliations FINAL WHERE startsWith(id, 'svc:') ORDER BY at_ns FORMAT TSV",
    );
    assert_eq!(verdicts.lines().count(), 3, "{verdicts}");
    assert!(verdicts.lines().all(|v| v == "MATCH" || v == "EXPLAINED"), "{verdicts}");

    // And a reconciliation afterwards matches: trade 2 is open, journal and exchange agree.
    let out = reconcile(&cfg);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("verdict: MATCH") && stdout.contains("DOGEUSDT"), "trade 2 is held: {stdout}");

    // Run 4 starts with the state file at FLATTEN: it takes trade 2 over at the first live
    // scan, closes it reduce-only, and holds HALTED; the scans after it enter nothing.
    let state = work.join("trading-state");
    std::fs::write(&state, "FLATTEN\n").expect("state file");
    let cfg = config(&work, "svc", server.url(), &sim.url(), &format!("\n[risk]\nstate_file = {state:?}\n"));
    let mut child = spawn(&cfg, true, &log(4));
    assert!(!drive(&mut child, &sim, GAP, &lines, &mut next, &mut history, |_| false));
    assert_eq!(wait_exit(&mut child, &log(4)), 0, "{}", text(4));
    assert!(text(4).contains("FLATTEN done") && text(4).contains("HALTED"), "{}", text(4));
    let books = sim.shared().books();
    let orders: Vec<(String, f64)> = books.orders.iter().map(|o| (o.side.clone(), o.executed_qty)).collect();
    drop(books);
    assert_eq!(orders.len(), 4, "the flatten's one order, nothing entered after: {orders:?}");
    assert_eq!((orders[3].0.as_str(), orders[3].1.to_bits()), ("BUY", orders[2].1.to_bits()), "trade 2 closed whole");
    let exits = query(
        &ch,
        "SELECT visitParamExtractString(body, 'reason') FROM dolphin_violet.trade_events FINAL \
         WHERE startsWith(id, 'svc:trade:') AND endsWith(id, ':EXIT') ORDER BY scan_number FORMAT TSV",
    );
    assert_eq!(exits.lines().last(), Some("FLATTEN"), "{exits}");
    let out = reconcile(&cfg);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("verdict: MATCH") && !stdout.contains("DOGEUSDT"), "flat on both sides: {stdout}");
    sim.stop();
    std::fs::remove_dir_all(&work).ok();
}
