//! Helpers shared by the tasks: the workspace root, running commands loudly.

use std::path::PathBuf;
use std::process::Command;
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
