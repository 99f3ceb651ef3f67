//! The execution task writes each order request to the intent log before sending it, and
//! sends nothing it could not write down (an armed restart relies on the log to know every
//! order that may be at the venue).

use std::path::Path;
use std::time::Duration;

use violet_clock::{Clock as _, LiveClock};
use violet_domain::types::{Price, SymbolName};
use violet_engine::execution::{
    ClientOrderId, Command, DecisionEvent, Leg, Nanos, Notional, OrderState, OrderTicket, OrderUpdate,
};
use violet_venue::restart::IntentLog;
use violet_venue::risk::{RiskGate, RiskLimits};
use violet_venue::sim::{LiveSimVenue, PriceBook, ScriptedVenue};
use violet_venue::task::{ExecutionTask, TaskOptions};

fn ticket(n: i64) -> OrderTicket {
    let now = LiveClock::new().now();
    let event = DecisionEvent { scan_number: n, ts_ns: now.get() };
    OrderTicket {
        id: ClientOrderId::new("intents", event, Leg::Entry, 0),
        trade_id: 1,
        leg: Leg::Entry,
        event,
        symbol: SymbolName::try_new("BTCUSDT".to_string()).expect("symbol"),
        notional: Notional::computed(100.0),
        price: Price::try_new(50_000.0).expect("price"),
        leverage: 1.0,
        quantity: None,
        decided_at: now,
        ttl: Nanos::new(2_000_000_000),
    }
}

/// Run one order through a task writing to `log`; the order's updates, and how many
/// orders the exchange placed.
fn one_order(log: IntentLog, t: OrderTicket) -> (Vec<OrderUpdate>, u64) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_time().build().expect("runtime");
    rt.block_on(async {
        let book = PriceBook::default();
        book.set("BTCUSDT", 50_000.0);
        let source =
            ScriptedVenue::parse(r#"{"latency_ms": 5, "outcome": "fill"}"#, Path::new("script")).expect("script");
        let venue = LiveSimVenue::new(source, book, Duration::from_millis(300));
        let books = venue.books();
        let (cmd_tx, cmd_rx) = tokio::sync::mpsc::unbounded_channel();
        let (upd_tx, mut upd_rx) = tokio::sync::mpsc::unbounded_channel();
        let task =
            ExecutionTask::new(venue, RiskGate::new(RiskLimits::unlimited()), TaskOptions::default()).with_intents(log);
        let handle = tokio::spawn(task.run(cmd_rx, upd_tx));
        cmd_tx.send(Command::Place(t)).expect("send");
        drop(cmd_tx);
        let mut out = Vec::new();
        while let Ok(Some(u)) = tokio::time::timeout(Duration::from_secs(5), upd_rx.recv()).await {
            out.push(u);
        }
        handle.await.expect("task");
        let placed = books.lock().expect("lock").placed();
        (out, placed)
    })
}

#[test]
fn every_request_is_written_down_before_it_is_sent_and_none_is_sent_unwritten() {
    let dir = std::env::temp_dir().join(format!("violet-task-intents-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("intents");
    let _ = std::fs::remove_file(&path);
    let t = ticket(1);
    let (updates, placed) = one_order(IntentLog::open(&path).expect("log"), t.clone());
    assert_eq!(placed, 1);
    assert_eq!(updates.last().map(|u| u.state), Some(OrderState::Filled), "{updates:#?}");
    let logged = IntentLog::read(&path).expect("read");
    assert_eq!(logged.len(), 1);
    assert_eq!((logged[0].client_order_id.as_str(), logged[0].symbol.as_str()), (t.id.as_str(), "BTCUSDT"));

    // A log that cannot be written (a full disk): the order is rejected, never sent.
    let (updates, placed) = one_order(IntentLog::open(Path::new("/dev/full")).expect("/dev/full"), ticket(2));
    assert_eq!(placed, 0, "nothing reached the exchange");
    let last = updates.last().expect("an answer");
    assert_eq!(last.state, OrderState::Rejected, "{updates:#?}");
    assert!(last.detail.contains("not sent"), "{}", last.detail);
    let _ = std::fs::remove_dir_all(&dir);
}
