//! What a person reads, pinned as insta snapshots (`crates/violet/tests/snapshots/`): every
//! `--help`, `violet ddl print`, `violet run --print-config` on the defaults, and the
//! divergence report's markdown for a BLUE trade file with one event missing. A change to
//! any of them shows up in review as a snapshot diff (`cargo insta review`, or
//! `INSTA_UPDATE=always cargo test -p violet --test snapshots` and read the diff).

mod common;

use std::process::Command;

use common::{fresh_dir, root};

/// `violet args` with an empty environment (no `VIOLET_*` override, no terminal): stdout.
fn stdout(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_violet"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .output()
        .expect("violet");
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn every_help_text() {
    for sub in ["", "check", "oracle", "replay", "sweep", "ddl", "run", "venue", "reconcile"] {
        let args: Vec<&str> = if sub.is_empty() { vec!["--help"] } else { vec![sub, "--help"] };
        let name = if sub.is_empty() { "help".to_string() } else { format!("help_{sub}") };
        insta::assert_snapshot!(name, stdout(&args));
    }
}

#[test]
fn ddl_print() {
    insta::assert_snapshot!("ddl_print", stdout(&["ddl", "print"]));
}

#[test]
fn print_config_on_the_defaults() {
    insta::assert_snapshot!("print_config", stdout(&["run", "--print-config"]));
}

#[test]
fn the_divergence_reports_markdown() {
    let dir = root().join("fixtures/streams");
    let blue = std::fs::read_to_string(dir.join("small-b.blue-trades.jsonl")).expect("BLUE trades");
    // BLUE's file without its 7th event: VIOLET's is extra there.
    let missing: String = blue.lines().enumerate().filter(|(i, _)| *i != 6).map(|(_, l)| format!("{l}\n")).collect();
    let work = fresh_dir("snapshot-report");
    let bad = work.join("blue.jsonl");
    std::fs::write(&bad, missing).expect("write");
    let report = work.join("report");
    let out = Command::new(env!("CARGO_BIN_EXE_violet"))
        .args(["replay", "--quiet", "--events"])
        .arg(dir.join("small-b.jsonl"))
        .arg("--blue-trades")
        .arg(&bad)
        .arg("--report-dir")
        .arg(&report)
        .output()
        .expect("violet replay");
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    let md = std::fs::read_to_string(report.join("report.md")).expect("report.md");
    // The report names the files it compared; their directory is this test's.
    let md = md.replace(&work.display().to_string(), "<work>").replace(&root().display().to_string(), "<root>");
    insta::assert_snapshot!("divergence_report_md", md);
    std::fs::remove_dir_all(&work).ok();
}
