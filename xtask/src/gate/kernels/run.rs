//! Running the gate: shards of requests, each through one oracle process, answers read
//! concurrently with writing (a pipe written without being read fills and hangs both sides).

use std::collections::hash_map::DefaultHasher;
use std::fmt::Write as _;
use std::fs;
use std::hash::{Hash, Hasher};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use violet_domain::config::BlueConfig;
use violet_domain::json::{JsonValue, ParseOptions, parse_owned};
use violet_oracle::{KERNELS, Oracle, Verdict, compare};

use super::draw::{extreme_request, random_request};
use crate::util::root;

/// Arguments of `cargo xtask gate kernels`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Oracle command line, split as a shell splits words. Default: ../shared/blue/oracle
    /// relative to the workspace root.
    #[arg(long, value_name = "CMD")]
    pub oracle: Option<String>,
    /// Seeded random requests per kernel.
    #[arg(long, default_value_t = 1_000_000)]
    pub n: u64,
    /// Extreme / boundary requests per kernel.
    #[arg(long, default_value_t = 200_000)]
    pub extreme: u64,
    /// Seed of the draws (same seed, same requests).
    #[arg(long, default_value_t = 20_261_125)]
    pub seed: u64,
    /// Oracle request lines to send instead of drawn requests.
    #[arg(long, value_name = "FILE")]
    pub cases: Option<PathBuf>,
    /// Oracle processes run side by side (requests are split between them).
    #[arg(long, default_value_t = 2)]
    pub jobs: usize,
    /// Also write requests and the oracle's answers under DIR (golden vectors):
    /// `<kernel>.requests.jsonl` and `<kernel>.answers.jsonl`, line for line, at most
    /// 200 kB of requests per kernel for each of random and extreme draws.
    #[arg(long, value_name = "DIR")]
    pub write_golden: Option<PathBuf>,
    /// Mismatches shown in full per kernel.
    #[arg(long, default_value_t = 3)]
    pub show: usize,
}

const BLOCK: u64 = 1000;
/// Label for requests whose `fn` is not a kernel (refusable lines, `config`).
const OTHER: usize = KERNELS.len();

fn kernel_name(k: usize) -> &'static str {
    KERNELS.get(k).copied().unwrap_or("other")
}

struct Item {
    kernel: usize,
    extreme: bool,
    request: String,
    violet: String,
}

#[derive(Default, Clone)]
struct Stats {
    random: u64,
    extreme: u64,
    refused: u64,
    mismatches: u64,
    shown: Vec<(String, String, String)>,
}

struct Shared {
    stats: Mutex<Vec<Stats>>,
    done: AtomicU64,
    golden: Option<Mutex<Golden>>,
    show: usize,
}

struct Golden {
    files: Vec<(BufWriter<fs::File>, BufWriter<fs::File>)>,
    /// Request bytes written per (kernel, extreme): each is capped at [`GOLDEN_BUDGET`].
    written: Vec<[usize; 2]>,
}

/// Request bytes of golden vectors per kernel and kind (random, extreme): keeps the
/// committed vectors at a few MB even for 500-asset selects.
const GOLDEN_BUDGET: usize = 200_000;

fn oracle_words(args: &Args) -> anyhow::Result<Vec<String>> {
    match &args.oracle {
        Some(cmd) => {
            let words = shlex::split(cmd).with_context(|| format!("cannot split --oracle {cmd:?} into words"))?;
            if words.is_empty() {
                bail!("--oracle is empty");
            }
            Ok(words)
        }
        None => {
            let p = root().join("../shared/blue/oracle");
            if !p.exists() {
                bail!("no --oracle given and the default oracle {} does not exist", p.display());
            }
            Ok(vec![p.to_string_lossy().into_owned()])
        }
    }
}

fn spawn(words: &[String]) -> anyhow::Result<Child> {
    Command::new(&words[0])
        .args(&words[1..])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("cannot start the oracle {words:?}"))
}

/// Ask the oracle for its configuration and compare it with VIOLET's.
fn check_config(words: &[String], cfg: &BlueConfig) -> anyhow::Result<Result<(), String>> {
    let mut child = spawn(words)?;
    {
        let mut stdin = child.stdin.take().context("oracle stdin")?;
        stdin.write_all(b"{\"fn\": \"config\"}\n").context("writing to the oracle")?;
    }
    let out = child.wait_with_output().context("reading the oracle's config answer")?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().next().unwrap_or_default();
    let answer = parse_owned(line, ParseOptions { allow_constants: true })
        .with_context(|| format!("the oracle's config answer is not JSON: {line:?}"))?;
    let Some(theirs) = answer.get("out") else { bail!("the oracle refused {{\"fn\": \"config\"}}: {line}") };
    let ours = cfg.to_json();
    if ours.same(theirs) {
        return Ok(Ok(()));
    }
    let mut diff = String::new();
    if let (JsonValue::Object(a), JsonValue::Object(b)) = (&ours, theirs) {
        for (k, v) in a {
            match b.iter().find(|(k2, _)| k2 == k) {
                Some((_, w)) if v.same(w) => {}
                Some((_, w)) => {
                    let _ = writeln!(diff, "  {k}: VIOLET {v}, oracle {w}");
                }
                None => {
                    let _ = writeln!(diff, "  {k}: VIOLET {v}, oracle has no such key");
                }
            }
        }
        for (k, w) in b {
            if !a.iter().any(|(k2, _)| k2 == k) {
                let _ = writeln!(diff, "  {k}: oracle {w}, VIOLET has no such key");
            }
        }
    }
    Ok(Err(diff))
}

fn block_rng(seed: u64, kernel: usize, extreme: bool, block: u64) -> ChaCha8Rng {
    let mut h = DefaultHasher::new();
    (seed, kernel, extreme, block).hash(&mut h);
    ChaCha8Rng::seed_from_u64(h.finish())
}

/// The drawn work: (kernel, extreme, block index, count in block), in a fixed order.
fn blocks(args: &Args) -> Vec<(usize, bool, u64, u64)> {
    let mut v = Vec::new();
    for k in 0..KERNELS.len() {
        for (extreme, total) in [(false, args.n), (true, args.extreme)] {
            let mut b = 0;
            while b * BLOCK < total {
                v.push((k, extreme, b, BLOCK.min(total - b * BLOCK)));
                b += 1;
            }
        }
    }
    v
}

fn kernel_of(line: &str) -> usize {
    parse_owned(line, ParseOptions { allow_constants: true })
        .ok()
        .and_then(|v| match v.get("fn") {
            Some(JsonValue::Str(s)) => KERNELS.iter().position(|k| k == s),
            _ => None,
        })
        .unwrap_or(OTHER)
}

/// Writer: produce this shard's requests, answer each with VIOLET, queue it, send it.
fn feed(
    shard: usize,
    jobs: usize,
    args: &Args,
    cases: Option<&[String]>,
    stdin: ChildStdin,
    tx: &SyncSender<Item>,
) -> anyhow::Result<()> {
    let cfg = BlueConfig::default();
    let mut oracle = Oracle::new(cfg.clone());
    let mut w = BufWriter::with_capacity(1 << 16, stdin);
    let mut send = |kernel: usize, extreme: bool, request: String| -> anyhow::Result<()> {
        let mut violet = String::new();
        if !oracle.answer(request.as_bytes(), &mut violet) {
            // A line neither side answers (blank, `null`): sending it would only
            // misalign the answer stream.
            return Ok(());
        }
        w.write_all(request.as_bytes())?;
        w.write_all(b"\n")?;
        // Queue before the oracle can answer: the reader always finds the item waiting.
        tx.send(Item { kernel, extreme, request, violet }).ok();
        Ok(())
    };
    match cases {
        Some(lines) => {
            for line in lines.iter().skip(shard).step_by(jobs) {
                send(kernel_of(line), false, line.clone())?;
            }
        }
        None => {
            for (kernel, extreme, b, count) in blocks(args).into_iter().skip(shard).step_by(jobs) {
                let mut rng = block_rng(args.seed, kernel, extreme, b);
                for _ in 0..count {
                    let mut r = String::with_capacity(256);
                    if extreme {
                        extreme_request(kernel, &mut rng, &cfg, &mut r);
                    } else {
                        random_request(kernel, &mut rng, &cfg, &mut r);
                    }
                    send(kernel, extreme, r)?;
                }
            }
        }
    }
    w.flush()?;
    Ok(())
}

/// Reader: take each answer, compare it with VIOLET's.
fn collect(stdout: ChildStdout, rx: &Receiver<Item>, shared: &Shared) -> anyhow::Result<()> {
    let mut r = BufReader::with_capacity(1 << 16, stdout);
    let mut line = String::new();
    let mut local = vec![Stats::default(); KERNELS.len() + 1];
    let mut since_flush = 0u64;
    let flush = |local: &mut Vec<Stats>| {
        let mut g = shared.stats.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for (a, b) in g.iter_mut().zip(local.iter_mut()) {
            a.random += b.random;
            a.extreme += b.extreme;
            a.refused += b.refused;
            a.mismatches += b.mismatches;
            for m in b.shown.drain(..) {
                if a.shown.len() < shared.show {
                    a.shown.push(m);
                }
            }
            *b = Stats::default();
        }
    };
    for item in rx {
        line.clear();
        if r.read_line(&mut line)? == 0 {
            flush(&mut local);
            bail!(
                "the oracle closed its output before answering: {}",
                item.request.chars().take(300).collect::<String>()
            );
        }
        let st = &mut local[item.kernel];
        if item.extreme {
            st.extreme += 1;
        } else {
            st.random += 1;
        }
        match compare(&line, &item.violet) {
            Verdict::Same => {}
            Verdict::BothRefused => st.refused += 1,
            Verdict::Mismatch => {
                st.mismatches += 1;
                if st.shown.len() < shared.show {
                    st.shown.push((item.request.clone(), line.trim_end().to_string(), item.violet.clone()));
                }
            }
        }
        if let Some(g) = &shared.golden {
            let mut g = g.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let used = &mut g.written[item.kernel][usize::from(item.extreme)];
            if *used + item.request.len() <= GOLDEN_BUDGET {
                *used += item.request.len() + 1;
                let (req, ans) = &mut g.files[item.kernel];
                writeln!(req, "{}", item.request)?;
                writeln!(ans, "{}", line.trim_end())?;
            }
        }
        since_flush += 1;
        if since_flush == 4096 {
            shared.done.fetch_add(since_flush, Ordering::Relaxed);
            since_flush = 0;
            flush(&mut local);
        }
    }
    shared.done.fetch_add(since_flush, Ordering::Relaxed);
    flush(&mut local);
    Ok(())
}

fn open_golden(dir: &Path) -> anyhow::Result<Golden> {
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut files = Vec::new();
    for k in 0..=KERNELS.len() {
        let name = kernel_name(k);
        let open = |ext: &str| -> anyhow::Result<BufWriter<fs::File>> {
            let p = dir.join(format!("{name}.{ext}.jsonl"));
            Ok(BufWriter::new(fs::File::create(&p).with_context(|| format!("cannot create {}", p.display()))?))
        };
        files.push((open("requests")?, open("answers")?));
    }
    let written = vec![[0, 0]; files.len()];
    Ok(Golden { files, written })
}

/// Run the gate. Exit 0: no mismatch; 1: mismatches; 2: oracle or usage failure.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let t0 = Instant::now();
    let words = match oracle_words(args) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("gate kernels: {e:#}");
            return Ok(ExitCode::from(2));
        }
    };
    let cfg = BlueConfig::default();
    match check_config(&words, &cfg) {
        Err(e) => {
            eprintln!("gate kernels: oracle failure: {e:#}");
            return Ok(ExitCode::from(2));
        }
        Ok(Err(diff)) => {
            eprintln!("gate kernels: refusing to run: VIOLET's configuration differs from the oracle's:\n{diff}");
            return Ok(ExitCode::from(2));
        }
        Ok(Ok(())) => {
            let keys = match cfg.to_json() {
                JsonValue::Object(m) => m.len(),
                _ => 0,
            };
            eprintln!("gate kernels: configuration identical to the oracle's ({keys} keys)");
        }
    }
    let cases: Option<Vec<String>> = match &args.cases {
        None => None,
        Some(p) => {
            let text = fs::read_to_string(p).with_context(|| format!("cannot read --cases {}", p.display()))?;
            Some(text.lines().filter(|l| !l.trim_matches([' ', '\t', '\r']).is_empty()).map(str::to_owned).collect())
        }
    };
    let total = cases.as_ref().map_or((args.n + args.extreme) * KERNELS.len() as u64, |c| c.len() as u64);
    let jobs = args.jobs.max(1);
    let shared = Arc::new(Shared {
        stats: Mutex::new(vec![Stats::default(); KERNELS.len() + 1]),
        done: AtomicU64::new(0),
        golden: args.write_golden.as_deref().map(open_golden).transpose()?.map(Mutex::new),
        show: args.show,
    });
    eprintln!("gate kernels: {total} requests through {jobs} × {}", words.join(" "));
    let mut failures: Vec<String> = Vec::new();
    std::thread::scope(|scope| {
        let mut handles = Vec::new();
        for shard in 0..jobs {
            let mut child = match spawn(&words) {
                Ok(c) => c,
                Err(e) => {
                    failures.push(format!("{e:#}"));
                    continue;
                }
            };
            let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
                failures.push("oracle pipes unavailable".into());
                continue;
            };
            let (tx, rx) = sync_channel::<Item>(8192);
            let cases = cases.as_deref();
            let writer = scope.spawn(move || feed(shard, jobs, args, cases, stdin, &tx));
            let sh = Arc::clone(&shared);
            let reader = scope.spawn(move || collect(stdout, &rx, &sh));
            handles.push((child, writer, reader));
        }
        let sh = Arc::clone(&shared);
        let progress = scope.spawn(move || {
            let mut last = Instant::now();
            loop {
                std::thread::sleep(Duration::from_millis(250));
                let done = sh.done.load(Ordering::Relaxed);
                if done >= total {
                    break;
                }
                if last.elapsed() >= Duration::from_secs(10) {
                    last = Instant::now();
                    let rate = done as f64 / t0.elapsed().as_secs_f64();
                    eprintln!(
                        "gate kernels: {done}/{total} ({:.1}%), {:.0} requests/s, ~{:.0} s left",
                        100.0 * done as f64 / total.max(1) as f64,
                        rate,
                        (total - done) as f64 / rate.max(1.0)
                    );
                }
            }
        });
        for (mut child, writer, reader) in handles {
            match writer.join() {
                Ok(Ok(())) => {}
                Ok(Err(e)) => failures.push(format!("writing to the oracle: {e:#}")),
                Err(_) => failures.push("writer thread panicked".into()),
            }
            match reader.join() {
                Ok(Ok(())) => {}
                Ok(Err(e)) => failures.push(format!("{e:#}")),
                Err(_) => failures.push("reader thread panicked".into()),
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        shared.done.store(total, Ordering::Relaxed);
        let _ = progress.join();
    });
    if let Some(g) = &shared.golden {
        let mut g = g.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for (a, b) in &mut g.files {
            a.flush()?;
            b.flush()?;
        }
    }
    let stats = shared.stats.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
    let report = report(args, &words, &stats, t0.elapsed(), &failures);
    let dir = root().join("target/gates");
    fs::create_dir_all(&dir).ok();
    fs::write(dir.join("kernels.md"), &report).ok();
    eprint!("{report}");
    let compared: u64 = stats.iter().map(|s| s.random + s.extreme).sum();
    let mismatches: u64 = stats.iter().map(|s| s.mismatches).sum();
    if !failures.is_empty() {
        for f in &failures {
            eprintln!("gate kernels: oracle failure: {f}");
        }
        println!("gate kernels: {mismatches} mismatches of {compared} (oracle failure: incomplete)");
        return Ok(ExitCode::from(2));
    }
    println!("gate kernels: {mismatches} mismatches of {compared}");
    Ok(if mismatches == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn report(args: &Args, words: &[String], stats: &[Stats], took: Duration, failures: &[String]) -> String {
    let mut r = String::new();
    let _ = writeln!(r, "# gate kernels\n");
    let _ = writeln!(r, "- oracle: `{}`", words.join(" "));
    match &args.cases {
        Some(p) => {
            let _ = writeln!(r, "- cases: `{}`", p.display());
        }
        None => {
            let _ = writeln!(r, "- draws per kernel: {} random + {} extreme, seed {}", args.n, args.extreme, args.seed);
        }
    }
    let _ = writeln!(r, "- took {:.1} s, {} oracle processes\n", took.as_secs_f64(), args.jobs.max(1));
    let _ = writeln!(r, "| kernel | random | extreme | both refused | mismatches |");
    let _ = writeln!(r, "|---|---:|---:|---:|---:|");
    for (k, s) in stats.iter().enumerate() {
        if s.random + s.extreme == 0 {
            continue;
        }
        let _ = writeln!(r, "| {} | {} | {} | {} | {} |", kernel_name(k), s.random, s.extreme, s.refused, s.mismatches);
    }
    let total: u64 = stats.iter().map(|s| s.random + s.extreme).sum();
    let mism: u64 = stats.iter().map(|s| s.mismatches).sum();
    let _ = writeln!(r, "| **all** | | | | **{mism} of {total}** |\n");
    for (k, s) in stats.iter().enumerate() {
        for (req, blue, violet) in &s.shown {
            let _ = writeln!(r, "## mismatch in {}\n", kernel_name(k));
            let _ = writeln!(r, "request:\n```\n{req}\n```\noracle:\n```\n{blue}\n```\nVIOLET:\n```\n{violet}\n```\n");
        }
    }
    for f in failures {
        let _ = writeln!(r, "**oracle failure:** {f}\n");
    }
    r
}
