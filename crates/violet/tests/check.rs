//! `violet check` counts a stream exactly as BLUE's trader does.

use std::process::Command;

use violet_domain::json::{JsonValue, ParseOptions, parse_owned};

mod common;
use common::root;

fn counts(v: &JsonValue) -> [String; 3] {
    ["scans", "ticks", "rejected"].map(|k| v.get(k).map(ToString::to_string).unwrap_or_default())
}

#[test]
fn poison_fixture_counts_equal_blues() {
    let fixture = root().join("fixtures/streams/poison.jsonl");
    // Recorded from `../shared/blue/trader fixtures/streams/poison.jsonl` (stderr line).
    let blue_text = std::fs::read_to_string(root().join("fixtures/streams/poison.blue-counts.json")).expect("fixture");
    let blue = parse_owned(blue_text.trim(), ParseOptions::default()).expect("BLUE's counts");
    let rej = std::env::temp_dir().join(format!("violet-check-{}.jsonl", std::process::id()));
    let out = Command::new(env!("CARGO_BIN_EXE_violet"))
        .args(["check", "--events"])
        .arg(&fixture)
        .arg("--rejections-out")
        .arg(&rej)
        .output()
        .expect("run violet");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let ours = parse_owned(String::from_utf8_lossy(&out.stdout).trim(), ParseOptions::default()).expect("json");
    assert_eq!(counts(&ours), counts(&blue));
    // One rejection line per rejected event, each naming line, field and rule.
    let rejections = std::fs::read_to_string(&rej).expect("rejections");
    let _ = std::fs::remove_file(&rej);
    let lines: Vec<&str> = rejections.lines().collect();
    assert_eq!(lines.len().to_string(), counts(&blue)[2]);
    for l in lines {
        let v = parse_owned(l, ParseOptions::default()).expect("rejection is JSON");
        for k in ["line", "field", "code", "rule"] {
            assert!(v.get(k).is_some(), "{l} lacks {k}");
        }
    }
}

#[test]
fn default_stream_is_bundled_and_unreadable_input_exits_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_violet")).args(["check"]).output().expect("run violet");
    assert!(out.status.success());
    // The bundled stream is fixtures/streams/small-a.jsonl: BLUE counts 1000 scans, 1000 ticks, 18 rejected.
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), r#"{"scans":1000,"ticks":1000,"rejected":18}"#);
    let out = Command::new(env!("CARGO_BIN_EXE_violet"))
        .args(["check", "--events", "/nonexistent/stream.jsonl"])
        .output()
        .expect("run violet");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/stream.jsonl"));
}
