//! Helpers shared by the tasks: the workspace root, running commands loudly, timing whole
//! processes for the benchmarks.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context as _, bail};
use violet_testkit::LocalServer;

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

/// Where a benchmark's ClickHouse server is.
#[derive(Debug, Clone, clap::Args)]
pub struct ServerArgs {
    /// Use this server instead of a local one started for the benchmark (its dolphin_violet
    /// tables get the rows; the DDL is applied first).
    #[arg(long, value_name = "URL")]
    pub clickhouse_url: Option<String>,
    /// The local server's data folder goes under this directory. Default: /dev/shm when it
    /// exists (a tmpfs), else the temporary directory. On a file system without a journal
    /// (ext4 here), creating files gets slow after many deletions, and each insert creates
    /// a part (a folder of files): on such a disk the server's inserts measure the file
    /// system more than the server.
    #[arg(long, value_name = "DIR", conflicts_with = "clickhouse_url")]
    pub server_dir: Option<PathBuf>,
}

impl ServerArgs {
    /// The server: started here (named `name`; returned so it lives as long as the
    /// benchmark) unless a URL was given; its URL.
    ///
    /// # Errors
    /// The local server cannot be started.
    pub fn start(&self, name: &str) -> anyhow::Result<(Option<LocalServer>, String)> {
        if let Some(url) = &self.clickhouse_url {
            return Ok((None, url.clone()));
        }
        let base = match &self.server_dir {
            Some(d) => d.clone(),
            None if Path::new("/dev/shm").is_dir() => PathBuf::from("/dev/shm"),
            None => std::env::temp_dir(),
        };
        eprintln!("bench: starting a local clickhouse-server under {}", base.display());
        let server = LocalServer::start_in(&base, name)
            .with_context(|| format!("starting a local clickhouse-server under {}", base.display()))?;
        let url = server.url().to_string();
        Ok((Some(server), url))
    }
}

/// A whole process's wall time and CPU time (user + system, all its threads), seconds.
#[derive(Debug, Clone, Copy)]
pub struct Timed {
    /// Wall time.
    pub wall: f64,
    /// CPU time (10 ms resolution: the kernel's clock ticks).
    pub cpu: f64,
}

/// As [`time`], with the process's CPU time: the growth of this process's reaped children's
/// CPU time (`cutime + cstime` in `/proc/self/stat`) across the run.
///
/// # Errors
/// As [`time`], or `/proc/self/stat` cannot be read (not Linux).
pub fn time_cpu(cmd: &mut Command) -> anyhow::Result<Timed> {
    let before = children_cpu()?;
    let wall = time(cmd)?;
    Ok(Timed { wall, cpu: children_cpu()? - before })
}

/// CPU seconds of this process's reaped children so far.
fn children_cpu() -> anyhow::Result<f64> {
    // cutime and cstime are fields 16 and 17.
    stat_cpu("/proc/self/stat", 16)
}

/// CPU seconds process `pid` has used so far, all its threads (`utime + stime` of
/// `/proc/PID/stat`).
///
/// # Errors
/// The file cannot be read (the process is gone, or not Linux).
pub fn process_cpu(pid: u32) -> anyhow::Result<f64> {
    stat_cpu(&format!("/proc/{pid}/stat"), 14)
}

/// The sum of fields `field` and `field + 1` (1-based, as in proc(5)) of a `stat` file, in
/// seconds. Linux reports them in clock ticks of 1/100 s (`USER_HZ`, fixed at 100 in the
/// `/proc` interface on x86 and arm).
fn stat_cpu(path: &str, field: usize) -> anyhow::Result<f64> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?;
    parse_stat_cpu(&text, field).with_context(|| format!("{path}: {text:.200}"))
}

/// [`stat_cpu`] of the text of a `stat` file.
fn parse_stat_cpu(text: &str, field: usize) -> anyhow::Result<f64> {
    // Field 2 is the command in parentheses (it may hold spaces and parentheses): field 3
    // starts after the last `)`.
    let rest = text.rfind(')').map(|at| &text[at + 1..]).context("no `(comm)` field")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let tick = |f: usize| -> anyhow::Result<f64> {
        let v = fields.get(f.wrapping_sub(3)).with_context(|| format!("no field {f}"))?;
        Ok(v.parse::<u64>().with_context(|| format!("field {f} = {v:?}"))? as f64 / 100.0)
    };
    Ok(tick(field)? + tick(field + 1)?)
}

/// The median (upper median for an even count); sorts `v`. `v` must not be empty.
pub fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_cpu_counts_fields_after_a_command_with_spaces_and_parentheses() {
        // proc(5) layout: pid (comm) state ppid ... utime(14) stime(15) cutime(16) cstime(17).
        let text = "42 (a b) c)) S 1 2 3 4 5 6 7 8 9 10 250 130 7 3 20 0 1 0";
        assert_eq!(parse_stat_cpu(text, 14).expect("utime + stime"), 3.8);
        assert_eq!(parse_stat_cpu(text, 16).expect("cutime + cstime"), 0.1);
        assert!(parse_stat_cpu("42 (x) S 1", 14).is_err(), "missing fields");
        assert!(parse_stat_cpu("no command", 14).is_err(), "no (comm)");
    }

    #[test]
    fn cpu_of_this_process_is_readable_and_grows_with_work() {
        let pid = std::process::id();
        let before = process_cpu(pid).expect("own stat");
        // Spin until a clock tick of our CPU time shows (bounded: a loaded machine may
        // give this thread little time, but not none for 10 s).
        let deadline = Instant::now() + std::time::Duration::from_secs(10);
        let mut x = 0u64;
        while process_cpu(pid).expect("own stat") <= before {
            assert!(Instant::now() < deadline, "10 s of spinning never showed in /proc/{pid}/stat");
            for _ in 0..100_000 {
                x = std::hint::black_box(x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1));
            }
        }
    }
}
