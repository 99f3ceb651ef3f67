//! The replay gate is able to fail: against a trader whose trade events are one ULP off now
//! and then it exits 1; against the same trader without faults it exits 0; without a
//! trader it exits 2.

use std::process::Command;

fn gate(trader: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["gate", "replay", "--trader", trader, "--streams", "2", "--scans", "1500", "--seed", "77"])
        .output()
        .expect("run the gate")
}

fn faulty(every: u64) -> String {
    format!("'{}' faulty-trader --every {every}", env!("CARGO_BIN_EXE_xtask"))
}

#[test]
fn replay_gate_fails_on_a_faulty_trader() {
    let out = gate(&faulty(9));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.starts_with("gate replay: ") && !stdout.starts_with("gate replay: 0 "), "{stdout}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("BLUE "), "the divergence is shown");
}

#[test]
fn replay_gate_passes_on_a_faithful_trader() {
    let out = gate(&faulty(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.starts_with("gate replay: 0 divergences in 2 streams"), "{stdout}");
}

#[test]
fn replay_gate_exits_2_on_a_broken_trader() {
    assert_eq!(gate("false").status.code(), Some(2));
    assert_eq!(gate("/nonexistent/trader").status.code(), Some(2));
}
