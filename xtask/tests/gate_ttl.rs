//! The TTL gate is able to fail: with deadlines handled one nanosecond late it exits 1
//! and names the breach; without the fault it exits 0.

use std::process::Command;

fn gate(extra: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["gate", "ttl", "--intents", "20000", "--live-intents", "300", "--seed", "5"])
        .args(extra)
        .output()
        .expect("run the gate")
}

#[test]
fn ttl_gate_fails_when_expiry_is_late() {
    let out = gate(&["--fault-deadline-delay-ns", "1"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(!stdout.starts_with("gate ttl: 0 breaches"), "{stdout}");
    assert!(stderr.contains("expired at") || stderr.contains("ns late"), "the breach is named: {stderr}");
}

#[test]
fn ttl_gate_passes_on_the_driver() {
    let out = gate(&[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.starts_with("gate ttl: 0 breaches in 20000 intents"), "{stdout}");
}
