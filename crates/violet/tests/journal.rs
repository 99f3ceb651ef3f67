//! `violet replay --data-dir`: the file journal survives `kill -9`; a rerun of the same
//! events file leaves every record in it exactly once, identical to an uninterrupted run's
//! journal. (A stream read from stdin cannot be resumed: `hardening.rs`.)

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::{fresh_dir, long_stream};

fn replay_file(events: &Path, dir: &PathBuf) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_violet"))
        .args(["replay", "--quiet", "--threads", "1", "--journal-flush-ms", "1", "--events"])
        .arg(events)
        .arg("--data-dir")
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start violet")
}

fn journal(dir: &PathBuf) -> Vec<String> {
    let mut lines = Vec::new();
    let mut segs: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("journal dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("segment-")))
        .collect();
    segs.sort();
    for s in segs {
        lines.extend(std::fs::read_to_string(s).expect("segment").lines().map(str::to_string));
    }
    lines
}

#[test]
fn kill_9_then_rerun_journals_every_record_once() {
    let work = fresh_dir("journal-events");
    let events = work.join("events.jsonl");
    std::fs::write(&events, long_stream(120)).expect("events");
    // An uninterrupted run: the reference journal.
    let clean = fresh_dir("journal-clean");
    let out = replay_file(&events, &clean).wait_with_output().expect("wait");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let want = journal(&clean);
    assert!(want.len() > 30_000, "{} records", want.len());

    // A run killed mid-stream: kill -9 as soon as its first records are durable.
    let dir = fresh_dir("journal-killed");
    let mut k = replay_file(&events, &dir);
    let t = Instant::now();
    while journal(&dir).is_empty() && t.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(1));
    }
    k.kill().expect("kill -9");
    let _ = k.wait();
    let partial = journal(&dir);
    assert!(
        !partial.is_empty() && partial.len() < want.len(),
        "killed mid-stream: {} of {}",
        partial.len(),
        want.len()
    );

    // The rerun resumes: the journal ends up exactly the reference, each record once.
    let out = replay_file(&events, &dir).wait_with_output().expect("wait");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let got = journal(&dir);
    assert_eq!(got.len(), want.len());
    // The run's start and stop rows carry wall-clock times; every other record is a pure
    // function of the events.
    let events = |j: &[String]| j.iter().filter(|l| !l.contains("\"kind\":\"run\"")).cloned().collect::<Vec<_>>();
    assert!(events(&got) == events(&want), "the resumed journal differs from an uninterrupted run's");
    assert_eq!(got.len() - events(&got).len(), 2, "one start and one stop row");
    assert!(got[0].contains("\"status\":\"RUNNING\"") && got[got.len() - 1].contains("\"status\":\"STOPPED\""));
    let records = events(&got);
    // (id, version) is unique: an order's steps share its id with rising versions.
    let key = |l: &String| -> Option<(String, String)> {
        let id = l.split("\"id\":\"").nth(1)?.split('"').next()?.to_string();
        let version = l.split("\"version\":").nth(1)?.split(',').next()?.to_string();
        Some((id, version))
    };
    let mut ids: Vec<(String, String)> = records.iter().filter_map(key).collect();
    assert_eq!(ids.len(), records.len(), "every record has an id and a version");
    ids.sort_unstable();
    let n = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), n, "a record (id, version) appears twice");

    // Another run's directory is refused, loudly.
    let out = Command::new(env!("CARGO_BIN_EXE_violet"))
        .args(["replay", "--quiet", "--data-dir"])
        .arg(&dir)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("holds run"));
    for d in [clean, dir, work] {
        std::fs::remove_dir_all(d).ok();
    }
}
