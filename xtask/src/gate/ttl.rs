//! `cargo xtask gate ttl`: the execution deadline driver under load.
//!
//! (a) Deterministic, on the `TestClock`: 1,000,000 intents (100 ms TTL) against a seeded
//!     venue whose latencies are drawn around 100 ms (so about half answer after their
//!     deadline), some submitted after their deadline. Must hold exactly: 0 sends at or after
//!     a deadline, every expiry handled at its deadline (lateness 0), every intent in exactly
//!     one terminal state, every late answer reconciled (a late ack cancelled, a late fill
//!     handed on as `LATE_FILL` for the engine to book and close). Any breach fails the gate
//!     (exit 1).
//! (b) Live, on the `LiveClock`: 10,000 intents against a venue thread answering after
//!     ~100 ms; the lateness of expiry handling (expiry time − deadline), HDR histogram.
//!     Target p99 <= 1 ms; recorded in `target/gates/ttl.md`; fails only beyond 10x.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::fmt::Write as _;
use std::process::ExitCode;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::Duration;

use hdrhistogram::Histogram;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use violet_clock::{Clock, LiveClock, UnixNanos};
use violet_domain::types::{Price, SymbolName};
use violet_venue::driver::{Command, Driver, ExchangeSize, VenueEvent};
use violet_venue::order::{
    ClientOrderId, DEFAULT_TTL_NS, DecisionEvent, Leg, Nanos, Notional, OrderTicket, UpdateKind,
};
use violet_venue::risk::{RiskGate, RiskLimits};
use violet_venue::sim::{BehaviourSource, SeededVenue, SimRuntime};

use super::hdr::{HEADER, beyond_10x, histogram, row, verdict};
use crate::util::root;

/// Arguments of `cargo xtask gate ttl`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Intents on the TestClock.
    #[arg(long, default_value_t = 1_000_000)]
    pub intents: u64,
    /// Intents on the LiveClock.
    #[arg(long, default_value_t = 10_000)]
    pub live_intents: u64,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Fault injection for the gate's self-test: handle deadlines this many ns late.
    #[arg(long, default_value_t = 0, hide = true)]
    pub fault_deadline_delay_ns: i64,
}

const TARGET_LATENESS_NS: u64 = 1_000_000;

fn intent(run: &str, k: u64, decided_ns: i64, rng: &mut ChaCha8Rng) -> OrderTicket {
    let leg = if k.is_multiple_of(2) { Leg::Entry } else { Leg::Exit };
    let event = DecisionEvent { scan_number: i64::try_from(k / 2).unwrap_or(i64::MAX), ts_ns: decided_ns };
    OrderTicket {
        id: ClientOrderId::new(run, event, leg, 0),
        trade_id: k / 2,
        leg,
        event,
        symbol: SymbolName::try_new("BTCUSDT".to_string()).unwrap_or_else(|_| unreachable!("a valid symbol")),
        notional: Notional::computed(rng.gen_range(10.0..1000.0)),
        price: Price::try_new(64_000.0).unwrap_or_else(|_| unreachable!("a valid price")),
        leverage: 1.0,
        quantity: None,
        decided_at: UnixNanos::new(decided_ns),
        ttl: Nanos::new(DEFAULT_TTL_NS),
    }
}

/// What the deterministic run found.
#[derive(Debug, Default)]
struct Det {
    breaches: Vec<String>,
    stats: violet_venue::driver::DriverStats,
    late_fills: u64,
    late_acks: u64,
}

fn submit(rt: &mut SimRuntime<SeededVenue>, risk: &mut RiskGate, det: &mut Det, i: OrderTicket, at: i64) {
    let decided = i.decided_at;
    match risk.check(i, decided) {
        Ok(a) => rt.submit(a, 0.01, at),
        Err(e) => det.breaches.push(format!("risk refused with unlimited caps: {e}")),
    }
}

fn deterministic(args: &Args) -> Det {
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let venue = SeededVenue::with_latency(args.seed ^ 0x5eed, 100.0, 60.0);
    let mut rt = SimRuntime::new(venue, 0).with_deadline_delay(args.fault_deadline_delay_ns);
    let mut risk = RiskGate::new(RiskLimits::unlimited());
    let mut det = Det::default();
    let mut t = 0i64;
    let check = |rt: &mut SimRuntime<SeededVenue>, det: &mut Det| {
        let events: Vec<_> = rt.driver_mut().drain_events().collect();
        for e in events {
            let id = &e.client_order_id;
            let Some(deadline) = rt.driver().ticket(id).map(|t| t.deadline().get()) else { continue };
            let breach = match e.kind {
                UpdateKind::Sent | UpdateKind::Resent if e.at.get() >= deadline => {
                    Some(format!("{id} sent at {} >= deadline {deadline}", e.at.get()))
                }
                UpdateKind::Expire | UpdateKind::Cancel
                    if e.at.get() != deadline && !e.detail.contains("before sending") =>
                {
                    Some(format!("{id} expired at {}, deadline {deadline}", e.at.get()))
                }
                UpdateKind::LateFill if e.fill.is_none() => Some(format!("{id}: a late fill without its quantity")),
                _ => None,
            };
            det.late_fills += u64::from(e.kind == UpdateKind::LateFill);
            det.late_acks += u64::from(e.kind == UpdateKind::LateAckCancelled);
            if let Some(b) = breach
                && det.breaches.len() < 20
            {
                det.breaches.push(b);
            }
        }
    };
    let progress = (args.intents / 10).max(1);
    // Intents that reach the driver late (a stalled caller), by arrival time.
    let mut stalled: BinaryHeap<Reverse<(i64, u64)>> = BinaryHeap::new();
    let mut stalled_intents: HashMap<u64, OrderTicket> = HashMap::new();
    for k in 0..args.intents {
        t += rng.gen_range(0..200_000); // ~10,000 intents per virtual second
        while let Some(Reverse((at, j))) = stalled.peek().copied().filter(|Reverse((at, _))| *at <= t) {
            stalled.pop();
            if let Some(i) = stalled_intents.remove(&j) {
                submit(&mut rt, &mut risk, &mut det, i, at);
            }
        }
        let i = intent("gate-ttl", k, t, &mut rng);
        // 2% reach the driver after their deadline: they must never be sent.
        if rng.gen_range(0..100) < 2 {
            stalled.push(Reverse((t + DEFAULT_TTL_NS + rng.gen_range(0..5_000_000), k)));
            stalled_intents.insert(k, i);
        } else {
            submit(&mut rt, &mut risk, &mut det, i, t);
        }
        check(&mut rt, &mut det);
        if k % 10_000 == 0 {
            let before = rt.now().saturating_add(-2_000_000_000);
            rt.driver_mut().forget_terminal(before);
        }
        if k > 0 && k % progress == 0 {
            eprintln!("gate ttl: {k}/{} intents on the TestClock", args.intents);
        }
    }
    while let Some(Reverse((at, j))) = stalled.pop() {
        if let Some(i) = stalled_intents.remove(&j) {
            submit(&mut rt, &mut risk, &mut det, i, at);
        }
    }
    rt.drain();
    check(&mut rt, &mut det);
    det.stats = rt.driver().stats();
    let s = det.stats;
    let terminal = s.filled + s.rejected + s.expired + s.cancelled;
    if s.sends_late != 0 {
        det.breaches.push(format!("{} sends at or after their deadline", s.sends_late));
    }
    if s.max_expiry_lateness_ns != 0 {
        det.breaches.push(format!("expiry handled up to {} ns late on the TestClock", s.max_expiry_lateness_ns));
    }
    if terminal != args.intents || rt.driver().open() != 0 {
        det.breaches.push(format!("{terminal} terminal of {} intents, {} open", args.intents, rt.driver().open()));
    }
    if s.reconciled != det.late_fills + det.late_acks {
        det.breaches.push(format!(
            "{} late answers reconciled, but {} late fills and {} late acks reported",
            s.reconciled, det.late_fills, det.late_acks
        ));
    }
    det
}

/// The live run: the driver loop on this thread, the venue on another.
fn live(args: &Args) -> (Histogram<u64>, u64) {
    let clock = LiveClock::new();
    let (to_venue, venue_rx): (Sender<(ClientOrderId, f64, i64)>, Receiver<_>) = channel();
    let (to_driver, answers): (Sender<(ClientOrderId, VenueEvent)>, Receiver<_>) = channel();
    let seed = args.seed;
    let venue = std::thread::spawn(move || venue_thread(&venue_rx, &to_driver, seed));
    let mut driver = Driver::new();
    let mut risk = RiskGate::new(RiskLimits::unlimited());
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x11fe);
    let mut h = histogram();
    let spacing = 500_000i64; // an intent every 0.5 ms
    let start = clock.now().get() + 1_000_000;
    let (mut next_k, mut sends_late) = (0u64, 0u64);
    let mut deadlines: HashMap<ClientOrderId, i64> = HashMap::new();
    let send = |cmds: Vec<Command>, driver: &mut Driver, now: i64, deadlines: &HashMap<ClientOrderId, i64>| -> u64 {
        let mut late = 0;
        for c in cmds {
            if let Command::Send(req) = c {
                let d = deadlines.get(&req.client_order_id).copied().unwrap_or(i64::MAX);
                driver.note_send(UnixNanos::new(now), UnixNanos::new(d));
                late += u64::from(now >= d);
                let _ = to_venue.send((req.client_order_id, req.quantity.get(), now));
            }
        }
        late
    };
    loop {
        let next_submit = (next_k < args.live_intents).then(|| start + i64::try_from(next_k).unwrap_or(0) * spacing);
        let wake = [next_submit, driver.next_deadline().map(UnixNanos::get)].into_iter().flatten().min();
        let Some(wake) = wake else {
            if driver.open() == 0 {
                break;
            }
            // Only answers can move things now.
            if let Ok((id, ev)) = answers.recv_timeout(Duration::from_millis(50)) {
                let now = clock.now().get();
                let cmds = driver.on_venue(&id, ev, UnixNanos::new(now));
                sends_late += send(cmds, &mut driver, now, &deadlines);
            }
            continue;
        };
        // Wait for an answer or until shortly before the wake-up, then yield until due.
        let now = clock.now().get();
        if wake - now > 150_000 {
            match answers.recv_timeout(Duration::from_nanos(u64::try_from(wake - now - 100_000).unwrap_or(0))) {
                Ok((id, ev)) => {
                    let now = clock.now().get();
                    let cmds = driver.on_venue(&id, ev, UnixNanos::new(now));
                    sends_late += send(cmds, &mut driver, now, &deadlines);
                    continue;
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        while clock.now().get() < wake {
            if let Ok((id, ev)) = answers.try_recv() {
                let now = clock.now().get();
                let cmds = driver.on_venue(&id, ev, UnixNanos::new(now));
                sends_late += send(cmds, &mut driver, now, &deadlines);
            }
            std::thread::yield_now();
        }
        let now = clock.now().get();
        let expired = driver.on_time(UnixNanos::new(now));
        let _ = expired; // cancels: the simulated venue forgets cancelled orders
        for e in driver.drain_events() {
            if matches!(e.kind, UpdateKind::Expire | UpdateKind::Cancel)
                && let Some(d) = deadlines.remove(&e.client_order_id)
            {
                h.record(u64::try_from(e.at.get() - d).unwrap_or(0).max(1)).ok();
            }
        }
        if next_submit.is_some_and(|t| t <= now) {
            let i = intent("gate-ttl-live", next_k, now, &mut rng);
            deadlines.insert(i.id.clone(), i.deadline().get());
            next_k += 1;
            if let Ok(a) = risk.check(i, now) {
                let cmds = driver.submit(a, ExchangeSize::quantity(0.01), UnixNanos::new(now));
                sends_late += send(cmds, &mut driver, now, &deadlines);
            }
        }
    }
    drop(to_venue);
    let _ = venue.join();
    (h, sends_late)
}

/// The simulated exchange: answers each order after its drawn latency (around 100 ms).
fn venue_thread(
    orders: &Receiver<(ClientOrderId, f64, i64)>,
    answers: &Sender<(ClientOrderId, VenueEvent)>,
    seed: u64,
) {
    let clock = LiveClock::new();
    let mut behaviour = SeededVenue::with_latency(seed, 100.0, 60.0);
    let mut due: BinaryHeap<Reverse<(i64, u64)>> = BinaryHeap::new();
    let mut pending: HashMap<u64, (ClientOrderId, VenueEvent)> = HashMap::new();
    let mut seq = 0u64;
    loop {
        let now = clock.now().get();
        while let Some(Reverse((t, s))) = due.peek().copied() {
            if t > now {
                break;
            }
            due.pop();
            if let Some(a) = pending.remove(&s) {
                let _ = answers.send(a);
            }
        }
        let wait = due.peek().map_or(Duration::from_millis(20), |Reverse((t, _))| {
            Duration::from_nanos(u64::try_from((*t - now).max(0)).unwrap_or(0))
        });
        match orders.recv_timeout(wait) {
            Ok((id, qty, sent)) => {
                let b = behaviour.next_behaviour();
                let ev = match b.outcome {
                    violet_venue::sim::Outcome::Timeout => continue,
                    violet_venue::sim::Outcome::Reject => VenueEvent::Reject("simulated".into()),
                    violet_venue::sim::Outcome::Ack => VenueEvent::Ack,
                    _ => VenueEvent::Fill { quantity: qty, price: 64_000.0 },
                };
                seq += 1;
                due.push(Reverse((sent + b.latency_ns, seq)));
                pending.insert(seq, (id, ev));
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                if due.is_empty() {
                    return;
                }
            }
        }
    }
}

/// Run the gate.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    eprintln!("gate ttl: {} intents on the TestClock (seed {})...", args.intents, args.seed);
    let det = deterministic(args);
    eprintln!("gate ttl: {} intents on the LiveClock...", args.live_intents);
    let (late, live_sends_late) = live(args);
    let s = det.stats;
    let us = |v: u64| v as f64 / 1000.0;
    let p99 = late.value_at_quantile(0.99);
    let verdict = verdict(p99, Some(TARGET_LATENESS_NS));
    let mut r = String::from("# gate ttl\n\n");
    let _ = writeln!(
        r,
        "## TestClock: {} intents, 100 ms TTL, venue latency 100 ± 60 ms (seed {})\n\n| measure | value |\n|---|---:|",
        args.intents, args.seed
    );
    for (k, v) in [
        ("sends", s.sends),
        ("sends at or after the deadline", s.sends_late),
        ("filled", s.filled),
        ("rejected", s.rejected),
        ("expired", s.expired),
        ("cancelled", s.cancelled),
        ("late answers reconciled", s.reconciled),
        ("late fills handed to the engine", det.late_fills),
        ("late acks cancelled", det.late_acks),
    ] {
        let _ = writeln!(r, "| {k} | {v} |");
    }
    let _ = writeln!(r, "| max expiry lateness (ns) | {} |", s.max_expiry_lateness_ns);
    let _ = writeln!(
        r,
        "\nBreaches: {}\n",
        if det.breaches.is_empty() { "none".to_string() } else { det.breaches.join("; ") }
    );
    let _ = writeln!(
        r,
        "## LiveClock: {} intents, one every 0.5 ms, venue thread answering after ~100 ms (times in µs)\n\n{HEADER}\n{}\n\nSends at or after the deadline (live): {live_sends_late}.",
        args.live_intents,
        row("expiry lateness", &late, Some(TARGET_LATENESS_NS)),
    );
    let dir = root().join("target/gates");
    std::fs::create_dir_all(&dir).ok();
    std::fs::write(dir.join("ttl.md"), &r).ok();
    eprint!("{r}");
    let failed = !det.breaches.is_empty() || live_sends_late > 0 || beyond_10x(&late, TARGET_LATENESS_NS);
    println!(
        "gate ttl: {} breaches in {} intents (TestClock); live expiry lateness p99 {:.1} µs over {} expiries ({verdict})",
        det.breaches.len(),
        args.intents,
        us(p99),
        late.len()
    );
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
