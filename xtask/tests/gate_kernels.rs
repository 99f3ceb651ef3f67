//! The kernels gate is able to fail: against an oracle one ULP off in a few answers it exits
//! 1 and shows the mismatch; against the same oracle without faults it exits 0; without an
//! oracle it exits 2.

use std::process::Command;

fn gate(oracle: &str, extra: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["gate", "kernels", "--oracle", oracle, "--n", "3000", "--extreme", "1000", "--jobs", "1"])
        .args(extra)
        .output()
        .expect("run the gate")
}

/// (mismatches, compared) from the gate's last stdout line.
fn verdict(stdout: &str) -> (u64, u64) {
    let last = stdout.lines().last().unwrap_or_default();
    let words: Vec<&str> = last.split_whitespace().collect();
    assert!(last.starts_with("gate kernels: ") && words.len() >= 6 && words[3] == "mismatches", "{last}");
    (words[2].parse().expect("count"), words[5].parse().expect("total"))
}

fn faulty(every: u64) -> String {
    format!("'{}' faulty-oracle --every {every}", env!("CARGO_BIN_EXE_xtask"))
}

#[test]
fn gate_fails_on_an_oracle_one_ulp_off() {
    let out = gate(&faulty(997), &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stdout: {stdout}\nstderr: {stderr}");
    let (mismatches, compared) = verdict(&stdout);
    // 7 kernels x 4,000 requests, less the few `null` lines neither side answers.
    assert!(compared > 27_900 && compared <= 28_000, "{compared}");
    // One answer in 997 carries a one-ULP fault (those without a float cannot).
    assert!((10..=29).contains(&mismatches), "{mismatches}");
    assert!(stderr.contains("## mismatch in"), "the report shows mismatches in full");
}

#[test]
fn gate_passes_on_a_faithful_oracle() {
    let out = gate(&faulty(0), &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let (mismatches, compared) = verdict(&stdout);
    assert_eq!(mismatches, 0);
    assert!(compared > 27_900, "{compared}");
}

#[test]
fn gate_exits_2_without_an_oracle() {
    let out = gate("/nonexistent/oracle", &[]);
    assert_eq!(out.status.code(), Some(2));
    let out = gate("false", &[]);
    assert_eq!(out.status.code(), Some(2), "an oracle that answers nothing is a failure");
}
