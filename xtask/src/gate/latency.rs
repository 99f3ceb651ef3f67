//! `cargo xtask gate latency`: how fast the reactor answers, under load.
//!
//! (a) Scan arrival (raw line in hand) → decision ready, decoding included, on the
//!     `LiveClock`, for 50- and 500-asset scans.
//! (b) Lateness of 100,000 scheduled deadlines on the `LiveClock`.
//!
//! Both run while another thread replays a stream in a loop (the load). Shared machines
//! are noisy: the figures are recorded (`target/gates/latency.md`) and the gate fails only
//! beyond 10× a target (p99 <= 20 µs at 50 assets; p99 <= 1 ms lateness). The 500-asset
//! figure is recorded; it has no target.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use hdrhistogram::Histogram;
use violet_clock::{CadencePlan, Clock, DeadlineScheduler, LiveClock};
use violet_domain::config::BlueConfig;
use violet_domain::event::{EventStream, decode_line};
use violet_domain::json::{ObjectWriter, ParseOptions, Parser};
use violet_engine::decision::DecisionRecord;
use violet_engine::execution::TradeEvent;
use violet_engine::replay::{ReplayOptions, replay};
use violet_engine::{Engine, Sink};

use super::hdr::{HEADER, beyond_10x, histogram, row};
use crate::util::root;

/// Arguments of `cargo xtask gate latency`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Scans timed at 50 assets (500-asset scans: a tenth of it).
    #[arg(long, default_value_t = 50_000)]
    pub scans: u64,
    /// Deadlines scheduled.
    #[arg(long, default_value_t = 100_000)]
    pub deadlines: u64,
    /// Spacing of the deadlines, in microseconds.
    #[arg(long, default_value_t = 25)]
    pub spacing_us: u64,
    /// No background replay (measure an idle machine).
    #[arg(long)]
    pub no_load: bool,
}

const TARGET_DECISION_NS: u64 = 20_000;
const TARGET_LATENESS_NS: u64 = 1_000_000;

/// A sink that drops everything (the work measured is the decision, not I/O).
struct Discard;

impl Sink for Discard {
    fn decision(&mut self, r: &DecisionRecord<'_>) -> io::Result<()> {
        std::hint::black_box(r);
        Ok(())
    }
    fn trade(&mut self, t: &TradeEvent) -> io::Result<()> {
        std::hint::black_box(t);
        Ok(())
    }
}

/// A scan line with a fixed-width scan number (10 digits, no leading zero) that can be
/// rewritten in place, so every timed line is a fresh, valid, increasing scan.
struct Template {
    line: Vec<u8>,
    number_at: usize,
}

fn template(assets: usize, variant: u64) -> Template {
    let mut list = String::from("[");
    for i in 0..assets {
        if i > 0 {
            list.push(',');
        }
        let x = ((i as u64 * 7919 + variant * 104_729) % 1000) as f64 / 1000.0;
        let mut w = ObjectWriter::new(&mut list);
        w.str("symbol", &format!("S{i:03}USDT"))
            .float("price", 1.0 + 997.3 * x)
            .float("ret", -0.05 + 0.1 * x)
            .float("vol", 0.001 + 0.05 * (1.0 - x));
        w.finish();
    }
    list.push(']');
    let mut s = String::new();
    let mut w = ObjectWriter::new(&mut s);
    w.str("type", "scan")
        .raw("scan_number", "1000000000")
        .int("ts_ns", 1_760_000_000_000_000_000i64)
        .float("vel_div", -0.021 - 0.0001 * (variant % 300) as f64)
        .raw("assets", &list);
    w.finish();
    let number_at = s.find("1000000000").unwrap_or(0);
    Template { line: s.into_bytes(), number_at }
}

fn set_number(t: &mut Template, n: u64) {
    let digits = format!("{n:010}");
    t.line[t.number_at..t.number_at + 10].copy_from_slice(digits.as_bytes());
}

/// (a): arrival → decision, per scan, on the live clock.
fn decision_latency(assets: usize, scans: u64) -> anyhow::Result<Histogram<u64>> {
    let clock = LiveClock::new();
    let mut engine = Engine::new(BlueConfig::default(), CadencePlan::default(), LiveClock::new());
    let mut stream = EventStream::new();
    let mut parser = Parser::new(ParseOptions::default());
    let mut templates: Vec<Template> = (0..16).map(|v| template(assets, v)).collect();
    let mut h = histogram();
    let mut sink = Discard;
    for k in 0..scans {
        let t = &mut templates[(k % 16) as usize];
        set_number(t, 1_000_000_000 + k);
        let t0 = clock.now().get();
        let decoded = decode_line(&mut parser, k + 1, &t.line);
        match stream.accept(decoded) {
            Ok(Some(ev)) => engine.on_event(&ev, &mut sink)?,
            other => anyhow::bail!("the timed scan was not accepted: {other:?}"),
        }
        let t1 = clock.now().get();
        h.record(u64::try_from(t1 - t0).unwrap_or(0).max(1)).ok();
    }
    Ok(h)
}

/// (b): lateness of deadlines fired by a loop that sleeps until the next one is due.
fn deadline_lateness(n: u64, spacing_ns: i64) -> Histogram<u64> {
    let clock = LiveClock::new();
    let mut s = DeadlineScheduler::new();
    let start = clock.now().get() + 1_000_000;
    for k in 0..n {
        s.schedule(start + i64::try_from(k).unwrap_or(0) * spacing_ns, k);
    }
    let mut h = histogram();
    while let Some(due) = s.next_due().map(violet_clock::UnixNanos::get) {
        let now = clock.now().get();
        if due > now {
            let wait = due - now;
            if wait > 100_000 {
                // Sleep most of the wait, then yield until due.
                std::thread::sleep(Duration::from_nanos(u64::try_from(wait - 80_000).unwrap_or(0)));
            }
            while clock.now().get() < due {
                std::thread::yield_now();
            }
        }
        let now = clock.now().get();
        while let Some(f) = s.pop_due(now) {
            h.record(u64::try_from(now - f.due.get()).unwrap_or(0).max(1)).ok();
        }
    }
    h
}

/// Run the gate.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let stream = fs::read(root().join("fixtures/streams/small-a.jsonl"))
        .context("the load stream fixtures/streams/small-a.jsonl")?;
    let stop = AtomicBool::new(false);
    let (a50, a500, late) = std::thread::scope(|s| -> anyhow::Result<_> {
        if !args.no_load {
            s.spawn(|| {
                while !stop.load(Ordering::Relaxed) {
                    let opts = ReplayOptions { threads: 1, ..ReplayOptions::default() };
                    let _ = replay(&stream[..], &opts, &mut Discard, |_| Ok(()), |_| {});
                }
            });
        }
        let run = || -> anyhow::Result<_> {
            eprintln!("gate latency: {} scans of 50 assets...", args.scans);
            let a50 = decision_latency(50, args.scans)?;
            eprintln!("gate latency: {} scans of 500 assets...", args.scans / 10);
            let a500 = decision_latency(500, (args.scans / 10).max(1))?;
            eprintln!("gate latency: {} deadlines every {} µs...", args.deadlines, args.spacing_us);
            let late = deadline_lateness(args.deadlines, i64::try_from(args.spacing_us * 1000).unwrap_or(25_000));
            Ok((a50, a500, late))
        };
        let r = run();
        stop.store(true, Ordering::Relaxed);
        r
    })?;
    let mut r = String::from("# gate latency\n\n");
    let _ = writeln!(
        r,
        "Load: {}. Times in µs, LiveClock.\n",
        if args.no_load { "none" } else { "another thread replaying fixtures/streams/small-a.jsonl in a loop" }
    );
    let _ = writeln!(r, "{HEADER}");
    let _ = writeln!(r, "{}", row("scan → decision, 50 assets (decode included)", &a50, Some(TARGET_DECISION_NS)));
    let _ = writeln!(r, "{}", row("scan → decision, 500 assets (decode included)", &a500, None));
    let _ = writeln!(r, "{}", row("deadline lateness", &late, Some(TARGET_LATENESS_NS)));
    let dir = root().join("target/gates");
    fs::create_dir_all(&dir).ok();
    fs::write(dir.join("latency.md"), &r).ok();
    eprint!("{r}");
    let failed =
        [(&a50, TARGET_DECISION_NS), (&late, TARGET_LATENESS_NS)].iter().filter(|(h, t)| beyond_10x(h, *t)).count();
    println!(
        "gate latency: p99 {:.1} µs (50 assets), {:.1} µs (500 assets), deadline lateness p99 {:.1} µs; {failed} beyond 10x target",
        a50.value_at_quantile(0.99) as f64 / 1000.0,
        a500.value_at_quantile(0.99) as f64 / 1000.0,
        late.value_at_quantile(0.99) as f64 / 1000.0
    );
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
