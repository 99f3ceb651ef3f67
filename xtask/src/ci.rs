//! `cargo xtask ci`: the whole check, as CI runs it.

use std::process::ExitCode;
use std::time::Instant;

use crate::util::{cargo, has_cargo_subcommand, step};

/// Arguments of `cargo xtask ci`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Skip `cargo deny` (e.g. on a machine without registry access to install it).
    #[arg(long)]
    no_deny: bool,
}

/// Run every step; stop at the first failure.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let t = Instant::now();
    let mut fmt = cargo();
    fmt.args(["fmt", "--all", "--", "--check"]);
    step("fmt", fmt)?;

    let mut clippy = cargo();
    clippy.args(["clippy", "--workspace", "--all-targets", "--release", "--", "-D", "warnings"]);
    step("clippy", clippy)?;

    ensure_debian_packages()?;
    ensure_report_renderer()?;
    ensure_prometheus_parser()?;
    let mut test = cargo();
    test.args(["test", "--workspace", "--release"]);
    step("test", test)?;

    if !args.no_deny {
        if !has_cargo_subcommand("deny") {
            let mut install = cargo();
            install.args(["install", "cargo-deny", "--locked"]);
            step("install cargo-deny", install)?;
        }
        let mut deny = cargo();
        // Advisories need the advisory database from the network: not checked here.
        deny.args(["deny", "--workspace", "check", "licenses", "bans", "sources"]);
        step("cargo deny", deny)?;
    }

    // The gates: VIOLET against BLUE (../shared/blue beside the checkout).
    let mut kernels = cargo();
    kernels.args(["xtask", "gate", "kernels"]);
    step("gate kernels (1,000,000 random + 200,000 extreme per kernel)", kernels)?;
    let mut replay = cargo();
    replay.args(["xtask", "gate", "replay", "--streams", "12", "--scans", "5000"]);
    step("gate replay (12 streams x 5,000 scans, through the instant venue)", replay)?;
    let mut latency = cargo();
    latency.args(["xtask", "gate", "latency"]);
    step("gate latency (fails only beyond 10x a target)", latency)?;
    let mut ttl = cargo();
    ttl.args(["xtask", "gate", "ttl"]);
    step("gate ttl (1,000,000 intents on the TestClock, 10,000 on the LiveClock)", ttl)?;

    eprintln!("ci: all steps passed in {:.0} s", t.elapsed().as_secs_f64());
    Ok(ExitCode::SUCCESS)
}

/// Debian's packages the tests use: the integration tests start clickhouse-server on
/// loopback; the report test renders the HTML reports in Chromium. Install what is missing
/// (needs root and Debian's package registry, as on CI and the developers' machines).
fn ensure_debian_packages() -> anyhow::Result<()> {
    let wanted: [(&str, &[&str], &str); 2] = [
        (
            "/usr/sbin/clickhouse-server",
            &["clickhouse-server", "clickhouse-client"],
            "the ClickHouse integration tests",
        ),
        ("/usr/bin/chromium", &["chromium"], "the HTML reports' browser test"),
    ];
    let missing: Vec<_> = wanted.iter().filter(|(path, _, _)| !std::path::Path::new(path).exists()).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let packages: Vec<&str> = missing.iter().flat_map(|(_, p, _)| p.iter().copied()).collect();
    let users: Vec<&str> = missing.iter().map(|(_, _, u)| *u).collect();
    let mut update = std::process::Command::new("apt-get");
    update.args(["update", "-qq"]).env("DEBIAN_FRONTEND", "noninteractive");
    step("apt-get update", update)?;
    let mut install = std::process::Command::new("apt-get");
    install.args(["install", "-y", "-qq"]).args(&packages).env("DEBIAN_FRONTEND", "noninteractive");
    step(&format!("install Debian's {} (for {})", packages.join(", "), users.join(", ")), install)
        .map_err(|e| anyhow::anyhow!("{e:#}: {} need {}", users.join(" and "), packages.join(", ")))
}

/// The report test drives Chromium with `playwright-core` (the version pinned in
/// `xtask/browser/package-lock.json`; no browser download): install it when missing (npm).
fn ensure_report_renderer() -> anyhow::Result<()> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("browser");
    if dir.join("node_modules/playwright-core").is_dir() {
        return Ok(());
    }
    let mut install = std::process::Command::new("npm");
    install.args(["ci", "--no-audit", "--no-fund", "--loglevel=error"]).current_dir(&dir);
    step("install playwright-core for the HTML reports' browser test (npm ci in xtask/browser)", install)
        .map_err(|e| anyhow::anyhow!("{e:#}: the browser test needs Node.js and npm"))
}

/// The version of the official Prometheus Python client whose OpenMetrics parser reads
/// `/metrics` in the metrics test (pure Python, about 50 KB).
const PROMETHEUS_CLIENT: &str = "prometheus-client==0.21.1";

/// The metrics test parses the service's exposition with the official Prometheus client's
/// parser; install it for `python3` when missing (from PyPI).
fn ensure_prometheus_parser() -> anyhow::Result<()> {
    let has = std::process::Command::new("python3")
        .args(["-c", "import prometheus_client.openmetrics.parser"])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if has {
        return Ok(());
    }
    let mut install = std::process::Command::new("python3");
    install.args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", PROMETHEUS_CLIENT]);
    step("install the Prometheus client's parser for the metrics test (pip)", install)
        .map_err(|e| anyhow::anyhow!("{e:#}: the metrics test needs python3 with {PROMETHEUS_CLIENT}"))
}
