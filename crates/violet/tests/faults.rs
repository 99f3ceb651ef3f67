//! The armed service through every fault the simulator injects (rate limits, busy codes,
//! answers lost or late after the order executed, requests arriving late, partial fills
//! left working, queries answered "being processed"), one fault per order as the stdin
//! feed runs, and a fill that comes after its order's deadline (a late fill, closed at
//! once): no `clientOrderId` executes twice, every order at the exchange is in the journal
//! under the exchange's id, and afterwards the journal and the exchange reconcile. Each run
//! is then started again on its own history: the replay recalls every order (none is sent)
//! and takes the positions over.

mod common;

use std::time::Duration;

use common::venue::{
    LAST_SCAN, Stage, arrivals, config, drive, query, reconcile, simulator, spawn, stream_to, wait_exit,
};
use violet_bingx_sim::{FaultKind, Target};

/// A fault queued at the simulator: what, on which requests, how many times.
struct Queued(FaultKind, Target, u32);

#[test]
fn every_fault_kind_leaves_each_order_executed_once_and_the_journal_equal_to_the_exchange() {
    let Stage { server, ch, rt, work, .. } = Stage::new("faults");
    // Thirty scans more than the armed test: a fault that delays trade 1's entry still
    // leaves its exit inside the stream.
    let lines = stream_to(LAST_SCAN + 30);
    // Each run's faults, queued before it starts: requests of a target meet them in order
    // (a resend after a refusal is a request too: both may meet one order).
    let runs: Vec<(&str, Vec<Queued>)> = vec![
        (
            "faults-a",
            vec![Queued(FaultKind::Http429, Target::Place, 1), Queued(FaultKind::DropAfterExecute, Target::Place, 1)],
        ),
        (
            "faults-b",
            vec![
                Queued(FaultKind::Code(109_429, "busy".into()), Target::Place, 1),
                Queued(FaultKind::Http504AfterExecute, Target::Place, 1),
            ],
        ),
        (
            "faults-c",
            vec![
                Queued(FaultKind::DelayAnswer(600), Target::Place, 1),
                Queued(FaultKind::LateArrival(300), Target::Place, 1),
            ],
        ),
        (
            "faults-d",
            vec![
                Queued(FaultKind::DropAfterExecute, Target::Place, 1),
                Queued(FaultKind::Processing, Target::Query, 2),
                Queued(FaultKind::PartialFill(0.5), Target::Place, 1),
            ],
        ),
        // Its entry TTL is 200 ms (below): the answer comes after the order expired.
        ("faults-late", vec![Queued(FaultKind::DelayAnswer(600), Target::Place, 1)]),
    ];
    for (name, faults) in runs {
        let sim = simulator(&rt, &lines);
        for Queued(kind, target, times) in &faults {
            sim.inject(kind.clone(), *target, *times);
        }
        let cfg = config(&work, name, server.url(), &sim.url(), "");
        if name == "faults-late" {
            let text = std::fs::read_to_string(&cfg).expect("cfg").replace("entry_ttl_ms = 3000", "entry_ttl_ms = 200");
            std::fs::write(&cfg, text).expect("cfg");
        }
        let log = work.join(format!("{name}.log"));
        let text = || std::fs::read_to_string(&log).unwrap_or_default();
        let mut child = spawn(&cfg, true, &log);
        let (mut next, mut history) = (0, Vec::new());
        drive(&mut child, &sim, Duration::from_millis(60), &lines, &mut next, &mut history, |_| false);
        assert_eq!(wait_exit(&mut child, &log), 0, "{name}: {}", text());
        let arrived = arrivals(&sim);
        assert_eq!(
            sim.shared().faults.lock().expect("lock").pending(),
            0,
            "{name}: every fault met a request; arrivals {arrived:?}: {}",
            text()
        );

        // Each clientOrderId executed once at the exchange, each in the journal with its id.
        let books = sim.shared().books();
        let executed: Vec<(String, i64)> =
            books.orders.iter().map(|o| (o.client_order_id.clone(), o.order_id)).collect();
        for (id, _) in &executed {
            assert_eq!(books.orders_for(id), 1, "{name}: {id} executed twice");
        }
        drop(books);
        assert!(!executed.is_empty(), "{name}: {executed:?}\n{}", text());
        let journal = query(
            &ch,
            &format!(
                "SELECT client_order_id, venue_order_id FROM dolphin_violet.orders FINAL \
                 WHERE startsWith(id, '{name}:order:') AND isNotNull(venue_order_id) FORMAT TSV"
            ),
        );
        for (id, order_id) in &executed {
            assert!(
                journal.contains(&format!("{id}\t{order_id}")),
                "{name}: {id} ({order_id}) not journaled:\n{journal}"
            );
        }
        let out = reconcile(&cfg);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{name}: {stdout}{}", String::from_utf8_lossy(&out.stderr));
        assert!(stdout.contains("verdict: MATCH"), "{name}: {stdout}");
        if name == "faults-late" {
            let late = query(
                &ch,
                &format!(
                    "SELECT count() FROM dolphin_violet.orders FINAL WHERE startsWith(id, '{name}:order:') AND body LIKE '%LATE_CLOSE%'"
                ),
            );
            assert!(late.trim() != "0", "{name}: a late fill closed at once: {}", text());
        }

        // Started again on its own history: every order recalled, none sent, positions
        // taken over.
        let sent = arrivals(&sim).len();
        let again = work.join(format!("{name}-again.log"));
        let mut child = spawn(&cfg, true, &again);
        drive(&mut child, &sim, Duration::from_millis(60), &lines, &mut next, &mut history, |_| false);
        let said = std::fs::read_to_string(&again).unwrap_or_default();
        assert_eq!(wait_exit(&mut child, &again), 0, "{name} again: {said}");
        let said = std::fs::read_to_string(&again).unwrap_or_default();
        assert!(said.contains("take-over: the replay holds what the journal holds"), "{name} again: {said}");
        assert_eq!(arrivals(&sim).len(), sent, "{name} again: nothing sent");
        sim.stop();
    }
    std::fs::remove_dir_all(&work).ok();
}
