//! The simulation library against `violet replay`'s engine loop: on every fixture stream,
//! decoded once, any configuration's summary is the replay's, to the bit; a sweep's rows
//! are the single runs', in order, whatever the threads.

use violet_clock::{Cadence, CadencePlan};
use violet_domain::config::BlueConfig;
use violet_engine::replay::{ReplayOptions, ReplaySummary, replay};
use violet_sim::{DecodedStream, Grid, SimConfig, simulate, sweep};

fn fixture(name: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/streams").join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// `violet replay`'s engine loop (no journal, the instant venue).
fn replayed(bytes: &[u8], c: &SimConfig) -> ReplaySummary {
    let opts =
        ReplayOptions { cfg: c.cfg.clone(), plan: c.plan, n_slots: c.n_slots, threads: 2, ..ReplayOptions::default() };
    let mut sink = violet_sim::TradeStats::default();
    replay(bytes, &opts, &mut sink, |_| Ok(()), |_| {}).expect("replay")
}

fn same(a: &ReplaySummary, b: &ReplaySummary) {
    assert_eq!(a.capital.to_bits(), b.capital.to_bits(), "capital {} vs {}", a.capital, b.capital);
    assert_eq!(a, b);
}

#[test]
fn any_configuration_on_a_stream_decoded_once_is_the_replay_of_it() {
    let grid = Grid::parse(
        "tp_pct = [0.006, 0.0099, 0.02]\nsl_pct = [0.01, 0.015]\nmax_hold_bars = [30, 120]\nvel_div_threshold = [-0.02, -0.01]\n",
    )
    .expect("grid");
    for name in ["small-a.jsonl", "small-b.jsonl", "poison.jsonl"] {
        let bytes = fixture(name);
        let stream = DecodedStream::decode(&bytes, 2);
        // BLUE's defaults, then every grid point, under both exit cadences and 1 or 3 slots.
        let base = SimConfig::default();
        same(&simulate(&base, &stream).summary, &replayed(&bytes, &base));
        for i in 0..grid.len() {
            let p = grid.point(i, &BlueConfig::default());
            let exit = if i % 2 == 0 { Cadence::Scan } else { Cadence::Tick };
            let c = SimConfig {
                cfg: p.cfg,
                plan: CadencePlan::new(Cadence::Scan, exit, Cadence::Scan).expect("plan"),
                n_slots: if i % 3 == 0 { 3 } else { 1 },
            };
            same(&simulate(&c, &stream).summary, &replayed(&bytes, &c));
        }
    }
}

#[test]
fn a_sweep_returns_the_single_runs_in_order_whatever_the_threads() {
    let bytes = fixture("small-b.jsonl");
    let stream = DecodedStream::decode(&bytes, 1);
    assert_eq!(stream.counts(), DecodedStream::decode(&bytes, 4).counts(), "decoding threads change nothing");
    let grid =
        Grid::parse("tp_pct = { from = 0.004, to = 0.02, step = 0.004 }\nmax_hold_bars = [20, 60, 120]").expect("grid");
    let configs: Vec<SimConfig> = (0..grid.len())
        .map(|i| SimConfig { cfg: grid.point(i, &BlueConfig::default()).cfg, ..SimConfig::default() })
        .collect();
    let one: Vec<_> = configs.iter().map(|c| simulate(c, &stream)).collect();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let many = sweep(&configs, &stream, 3, |n| {
        done.fetch_max(n, std::sync::atomic::Ordering::Relaxed);
    });
    assert_eq!(many, one);
    assert_eq!(done.into_inner(), configs.len(), "progress reached every configuration");
    let capitals: std::collections::HashSet<u64> = one.iter().map(|r| r.summary.capital.to_bits()).collect();
    assert!(capitals.len() > 1, "the constants change the outcome");
}

#[test]
fn trade_stats_add_up_to_the_capital() {
    let bytes = fixture("small-a.jsonl");
    let r = simulate(&SimConfig::default(), &DecodedStream::decode(&bytes, 0));
    let initial = BlueConfig::default().initial_capital;
    assert_eq!(r.stats.trades, r.summary.exits);
    assert!((initial + r.stats.pnl - r.summary.capital).abs() <= 1e-6 * initial, "the pnl is the capital's change");
    assert!(r.stats.fees > 0.0 && r.stats.wins <= r.stats.trades);
    assert!(r.stats.max_drawdown > 0.0 && r.stats.max_drawdown < 1.0);
}
