//! Many configurations on one decoded stream, on every core.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::run::{SimConfig, SimResult, simulate};
use crate::stream::DecodedStream;

/// Run every configuration of `configs` on `stream` on `threads` threads (0: one per
/// core), telling `on_done` how many are done after each; the results in `configs`' order.
pub fn sweep(
    configs: &[SimConfig],
    stream: &DecodedStream<'_>,
    threads: usize,
    on_done: impl Fn(usize) + Sync,
) -> Vec<SimResult> {
    let threads = crate::threads::resolve(threads).min(configs.len().max(1));
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<SimResult>>> = Mutex::new(vec![None; configs.len()]);
    let work = || {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(config) = configs.get(i) else { return };
            let r = simulate(config, stream);
            results.lock().unwrap_or_else(std::sync::PoisonError::into_inner)[i] = Some(r);
            on_done(done.fetch_add(1, Ordering::Relaxed) + 1);
        }
    };
    std::thread::scope(|s| {
        for _ in 1..threads {
            s.spawn(work);
        }
        work();
    });
    results
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .into_iter()
        .map(|r| r.unwrap_or_else(|| unreachable!("every configuration ran")))
        .collect()
}
