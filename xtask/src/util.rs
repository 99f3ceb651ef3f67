//! Helpers shared by the tasks: the workspace root, running commands loudly, timing whole
//! processes for the benchmarks.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context as _, bail};

/// The workspace root (xtask lives one level below it).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize().unwrap_or_else(|_| PathBuf::from(".."))
}

/// `cargo` as invoked by this process's parent (so toolchains stay consistent).
pub fn cargo() -> Command {
    let mut c = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    c.current_dir(root());
    c
}

/// Run a step, echoing it with its duration; fail naming the step.
pub fn step(name: &str, mut cmd: Command) -> anyhow::Result<()> {
    eprintln!("==> {name}: {cmd:?}");
    let t = Instant::now();
    let status = cmd.status().with_context(|| format!("cannot start step `{name}`"))?;
    eprintln!("<== {name}: {} in {:.1} s", if status.success() { "ok" } else { "FAILED" }, t.elapsed().as_secs_f64());
    if !status.success() {
        bail!("step `{name}` failed ({status})");
    }
    Ok(())
}

/// Whether `cargo <sub> --version` works.
pub fn has_cargo_subcommand(sub: &str) -> bool {
    cargo().args([sub, "--version"]).output().is_ok_and(|o| o.status.success())
}

/// Build `violet` with the `dist` profile (what the benchmarks time); its path.
///
/// # Errors
/// The build failed.
pub fn dist_violet() -> anyhow::Result<PathBuf> {
    let mut build = cargo();
    build.args(["build", "--profile", "dist", "--quiet", "-p", "violet", "--bin", "violet"]);
    if !build.status().context("cannot start cargo")?.success() {
        bail!("building violet (dist profile) failed");
    }
    Ok(root().join("target/dist/violet"))
}

/// The benchmarks' default stream (`gen-stream` seed 1, `scans` x 50 assets, one tick per
/// scan, 1% poison) under target/bench, generated when missing.
///
/// # Errors
/// It cannot be written.
pub fn bench_stream(scans: u64) -> anyhow::Result<PathBuf> {
    let dir = root().join("target/bench");
    std::fs::create_dir_all(&dir)?;
    let events = dir.join(format!("replay-seed1-{scans}x50.jsonl"));
    if !events.exists() {
        eprintln!("bench: generating {}", events.display());
        let shape = crate::gen_stream::Shape { seed: 1, scans, assets: 50, ticks_per_scan: 1, poison_rate: 0.01 };
        crate::gen_stream::generate_file(shape, &events)?;
    }
    Ok(events)
}

/// Run `cmd` to its end, stdout discarded; its wall time in seconds.
///
/// # Errors
/// It cannot start, or exits unsuccessfully (its stderr in the error).
pub fn time(cmd: &mut Command) -> anyhow::Result<f64> {
    let t = Instant::now();
    let out = cmd.stdout(Stdio::null()).stderr(Stdio::piped()).output().context("cannot start")?;
    let s = t.elapsed().as_secs_f64();
    if !out.status.success() {
        bail!("{cmd:?} failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr));
    }
    Ok(s)
}

/// The median (upper median for an even count); sorts `v`. `v` must not be empty.
pub fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}
