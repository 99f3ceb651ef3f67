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
    step("gate replay (12 streams x 5,000 scans)", replay)?;
    let mut latency = cargo();
    latency.args(["xtask", "gate", "latency"]);
    step("gate latency (fails only beyond 10x a target)", latency)?;

    eprintln!("ci: all steps passed in {:.0} s", t.elapsed().as_secs_f64());
    Ok(ExitCode::SUCCESS)
}
