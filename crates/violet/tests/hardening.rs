//! Bad input and misuse through the binary: each case asserts the exit status, the message,
//! and that nothing was lost.

mod common;

use std::process::Command;

use common::{fresh_dir, root, violet};

#[test]
fn a_replay_output_naming_its_input_or_another_output_is_refused_and_the_input_kept() {
    let work = fresh_dir("hardening-paths");
    let events = work.join("events.jsonl");
    std::fs::copy(root().join("fixtures/streams/small-a.jsonl"), &events).expect("copy");
    let before = std::fs::read(&events).expect("read");
    let ev = events.to_str().expect("utf-8");
    let dotted = format!("{}/./events.jsonl", work.display());
    for (flag, target) in [("--trades-out", ev), ("--decisions-out", dotted.as_str()), ("--summary-json", ev)] {
        let out = violet(&["replay", "--quiet", "--events", ev, flag, target]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag}: {err}");
        assert!(err.contains(&format!("{flag} and --events name the same file")), "{flag}: {err}");
        assert_eq!(std::fs::read(&events).expect("read"), before, "{flag}: the input is intact");
    }
    let a = work.join("out.jsonl");
    std::fs::create_dir_all(work.join("sub")).expect("sub");
    let out = violet(&[
        "replay",
        "--quiet",
        "--events",
        ev,
        "--trades-out",
        a.to_str().expect("utf-8"),
        "--rejections-out",
        &format!("{}/sub/../out.jsonl", work.display()),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("overwrite each other"), "{err}");
    assert!(!a.exists(), "nothing was opened");
    std::fs::remove_dir_all(&work).ok();
}

/// Run `violet args` with its stdout a pipe whose reader has already gone.
fn into_closed_pipe(args: &[&str]) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_violet"))
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take()); // `| head -0`: the reader is gone before the first byte
    child.wait_with_output().expect("wait")
}

#[test]
fn output_into_a_closed_pipe_ends_quietly_with_status_0() {
    let events = root().join("fixtures/streams/small-a.jsonl");
    let ev = events.to_str().expect("utf-8");
    for args in [
        vec!["run", "--print-config"],
        vec!["ddl", "print"],
        vec!["check", "--events", ev, "--rejections-out", "-"],
        vec!["replay", "--quiet", "--events", ev, "--trades-out", "-"],
        vec!["replay", "--events", ev, "--decisions-out", "/dev/stdout"],
    ] {
        let out = into_closed_pipe(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
        assert!(!err.contains("panicked") && !err.contains("Broken pipe"), "{args:?}: {err}");
    }
}

#[test]
fn a_password_in_a_clickhouse_url_is_refused_and_never_echoed() {
    let url = "http://violet:s3cret-pw@127.0.0.1:1";
    let work = fresh_dir("hardening-url");
    let spool = work.join("spool");
    let spool = spool.to_str().expect("utf-8");
    let no_env: &[(&str, &str)] = &[];
    let runs = [
        (vec!["replay", "--quiet", "--clickhouse-url", url, "--data-dir", spool], no_env),
        (vec!["ddl", "apply", "--clickhouse-url", url], no_env),
        (vec!["run", "--print-config"], &[("VIOLET_CLICKHOUSE_URL", url)][..]),
    ];
    for (args, env) in runs {
        let out = Command::new(env!("CARGO_BIN_EXE_violet"))
            .args(&args)
            .envs(env.iter().copied())
            .output()
            .expect("run violet");
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.status.code(), Some(2), "{args:?}: {text}");
        assert!(!text.contains("s3cret-pw"), "{args:?} shows the password: {text}");
        assert!(text.contains("***@127.0.0.1:1") && text.contains("VIOLET_CLICKHOUSE_PASSWORD"), "{args:?}: {text}");
    }
    std::fs::remove_dir_all(&work).ok();
}

#[test]
fn a_float_beyond_range_in_a_field_blue_does_not_read_is_rejected_with_its_rule_and_line() {
    let work = fresh_dir("hardening-overflow");
    let events = work.join("events.jsonl");
    let ok = r#"{"type":"tick","ts_ns":1,"symbol":"X","price":1.0}"#;
    let bad = r#"{"type":"tick","ts_ns":2,"symbol":"X","price":1.0,"note":1e400}"#;
    std::fs::write(&events, format!("{ok}\n{bad}\n")).expect("write");
    let out = violet(&["check", "--events", events.to_str().expect("utf-8")]);
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(stdout.trim(), r#"{"scans":0,"ticks":1,"rejected":1}"#);
    assert!(stderr.contains("line 2") && stderr.contains("number beyond a float's range"), "{stderr}");
    std::fs::remove_dir_all(&work).ok();
}

#[test]
fn a_one_nanosecond_cadence_over_a_one_year_gap_finishes() {
    let work = fresh_dir("hardening-cadence");
    let text = std::fs::read_to_string(root().join("fixtures/streams/small-a.jsonl")).expect("fixture");
    let lines: Vec<&str> = text.lines().collect();
    let year = 365 * 86_400 * 1_000_000_000i64;
    let key = "\"ts_ns\":";
    let mut out = String::new();
    for (n, line) in lines.iter().enumerate() {
        // The second half happens a year later.
        let shifted = match (n >= lines.len() / 2, line.find(key)) {
            (true, Some(at)) => {
                let start = at + key.len();
                let end = start + line[start..].find(|c: char| !c.is_ascii_digit()).unwrap_or(0);
                match line[start..end].parse::<i64>() {
                    Ok(ts) => format!("{}{}{}", &line[..start], ts + year, &line[end..]),
                    Err(_) => (*line).to_string(),
                }
            }
            _ => (*line).to_string(),
        };
        out.push_str(&shifted);
        out.push('\n');
    }
    let events = work.join("gap.jsonl");
    std::fs::write(&events, out).expect("write");
    let mut child = Command::new(env!("CARGO_BIN_EXE_violet"))
        .args(["replay", "--quiet", "--exit-cadence", "1ns", "--events", events.to_str().expect("utf-8")])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    // A bound on a hang, not a speed figure: the run takes well under a second.
    let log = work.join("none.log");
    let code = common::wait_exit_within(&mut child, &log, std::time::Duration::from_secs(60));
    assert_eq!(code, 0);
    std::fs::remove_dir_all(&work).ok();
}

/// `violet replay --data-dir dir` of `input` on stdin; the output.
fn replay_stdin(dir: &std::path::Path, input: &[u8]) -> std::process::Output {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_violet"))
        .args(["replay", "--quiet", "--events", "-", "--data-dir", dir.to_str().expect("utf-8")])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    // A refused run stops before reading: the pipe closes under the writer.
    let _ = child.stdin.take().expect("stdin").write_all(input);
    child.wait_with_output().expect("wait")
}

#[test]
fn a_second_stream_is_never_taken_for_a_resume_of_the_first() {
    let work = fresh_dir("hardening-runid");
    let journal = work.join("journal");
    let text = std::fs::read_to_string(root().join("fixtures/streams/small-a.jsonl")).expect("fixture");
    let half: String = text.lines().take(text.lines().count() / 2).map(|l| format!("{l}\n")).collect();
    // Two different stdin streams into one directory: the second is refused, saying why.
    let first = replay_stdin(&journal, text.as_bytes());
    assert_eq!(first.status.code(), Some(0), "{}", String::from_utf8_lossy(&first.stderr));
    let kept = violet_journal::FileJournal::read_all(&journal).expect("journal");
    let second = replay_stdin(&journal, half.as_bytes());
    let err = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(2), "{err}");
    assert!(err.contains("stdin cannot be resumed"), "{err}");
    assert_eq!(
        violet_journal::FileJournal::read_all(&journal).expect("journal"),
        kept,
        "the first run's journal intact"
    );

    // A file whose content changed (same length, same modification time) is another run.
    let events = work.join("events.jsonl");
    std::fs::write(&events, &text).expect("write");
    let mtime = std::fs::metadata(&events).and_then(|m| m.modified()).expect("mtime");
    let files = work.join("files");
    let run = |dir: &std::path::Path| {
        violet(&[
            "replay",
            "--quiet",
            "--events",
            events.to_str().expect("utf-8"),
            "--data-dir",
            dir.to_str().expect("utf-8"),
        ])
    };
    assert_eq!(run(&files).status.code(), Some(0));
    let changed = text.replacen("USDT", "USDX", 1);
    assert!(changed != text && changed.len() == text.len());
    std::fs::write(&events, &changed).expect("write");
    std::fs::File::options().write(true).open(&events).and_then(|f| f.set_modified(mtime)).expect("mtime");
    let out = run(&files);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "a changed file is not a resume: {err}");
    assert!(err.contains("holds run"), "{err}");
    std::fs::remove_dir_all(&work).ok();
}

#[test]
fn a_ship_timeout_keeps_the_summary_says_where_the_records_wait_and_exits_5() {
    let work = fresh_dir("hardening-ship");
    let spool = work.join("spool");
    let summary = work.join("summary.json");
    let events = root().join("fixtures/streams/small-a.jsonl");
    // Nothing listens on port 1: every insert fails, shipping retries until the timeout.
    let out = violet(&[
        "replay",
        "--quiet",
        "--events",
        events.to_str().expect("utf-8"),
        "--clickhouse-url",
        "http://127.0.0.1:1",
        "--data-dir",
        spool.to_str().expect("utf-8"),
        "--ship-timeout-s",
        "1",
        "--summary-json",
        summary.to_str().expect("utf-8"),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(err.contains(&format!("durable in the spool {}", spool.display())), "{err}");
    let s = std::fs::read_to_string(&summary).expect("the summary is written");
    assert!(s.contains("\"scans\":1000"), "{s}");
    let spooled = violet_journal::FileJournal::read_all(&spool).expect("spool");
    assert!(spooled.len() > 1000, "every record durable in the spool: {}", spooled.len());
    std::fs::remove_dir_all(&work).ok();
}

#[test]
fn help_lists_every_exit_status() {
    let out = violet(&["--help"]);
    let text = String::from_utf8_lossy(&out.stdout);
    for status in ["0 ", "1 ", "2 ", "3 ", "4 ", "5 ", "143 "] {
        assert!(text.contains(&format!("\n  {status}")), "status {status}missing from --help:\n{text}");
    }
}

#[test]
fn a_full_device_is_named_and_is_not_an_internal_error() {
    let events = root().join("fixtures/streams/small-a.jsonl");
    let ev = events.to_str().expect("utf-8");
    for args in [
        vec!["replay", "--quiet", "--events", ev, "--trades-out", "/dev/full"],
        vec!["replay", "--quiet", "--events", ev, "--decisions-out", "/dev/full"],
        vec!["replay", "--quiet", "--events", ev, "--summary-json", "/dev/full"],
        vec!["check", "--events", ev, "--rejections-out", "/dev/full"],
    ] {
        let out = violet(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("cannot write /dev/full") && err.contains("device holding it is full"), "{args:?}: {err}");
        assert!(!err.contains("internal error"), "{args:?}: {err}");
        assert_eq!(err.matches("No space left").count(), 1, "said once: {err}");
    }
    // A journal directory that cannot be made says why, not only where.
    let out = violet(&["replay", "--quiet", "--events", ev, "--data-dir", "/dev/full/journal"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("/dev/full/journal") && err.contains("Not a directory"), "{err}");
}

#[test]
fn a_journal_with_a_record_deleted_is_refused_on_reopen_naming_segment_and_line() {
    let work = fresh_dir("hardening-gap");
    let dir = work.join("journal");
    let events = root().join("fixtures/streams/small-a.jsonl");
    let args =
        ["replay", "--quiet", "--events", events.to_str().expect("utf-8"), "--data-dir", dir.to_str().expect("utf-8")];
    assert_eq!(violet(&args).status.code(), Some(0));
    let seg = dir.join("segment-000001.jsonl");
    let text = std::fs::read_to_string(&seg).expect("segment");
    let mut lines: Vec<&str> = text.lines().collect();
    lines.remove(5);
    let edited = lines.iter().map(|l| format!("{l}\n")).collect::<String>();
    std::fs::write(&seg, &edited).expect("write");
    let out = violet(&args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("segment-000001.jsonl: line 6 holds record 6, expected record 5"), "{err}");
    assert_eq!(std::fs::read_to_string(&seg).expect("segment"), edited, "nothing renumbered or cut");
    std::fs::remove_dir_all(&work).ok();
}

#[test]
fn a_table_clickhouse_refuses_stops_shipping_loudly_and_keeps_every_record() {
    let server = common::local_server("hardening-4xx");
    let ch = server.client();
    assert_eq!(violet(&["ddl", "apply", "--clickhouse-url", server.url()]).status.code(), Some(0));
    ch.query("DROP TABLE dolphin_violet.rejections").expect("drop");
    let work = fresh_dir("hardening-4xx");
    let spool = work.join("spool");
    let events = root().join("fixtures/streams/small-a.jsonl");
    let out = violet(&[
        "replay",
        "--events",
        events.to_str().expect("utf-8"),
        "--clickhouse-url",
        server.url(),
        "--data-dir",
        spool.to_str().expect("utf-8"),
        "--ship-timeout-s",
        "20",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(err.contains("rejections") && err.contains("durable in the spool"), "the table and the spool named: {err}");
    assert!(err.contains("replayed 1000 scans"), "the summary survives: {err}");
    let spooled = violet_journal::FileJournal::read_all(&spool).expect("spool");
    assert!(spooled.iter().filter(|l| l.contains("\"kind\":\"rejection\"")).count() == 18, "every rejection kept");
    std::fs::remove_dir_all(&work).ok();
}

#[test]
fn a_missing_file_is_named_with_the_reason_whichever_flag_names_it() {
    let missing = "/nonexistent-violet/x";
    let venue = format!("scripted:{missing}");
    for args in [
        vec!["check", "--events", missing],
        vec!["replay", "--quiet", "--events", missing],
        vec!["replay", "--quiet", "--config", missing],
        vec!["replay", "--quiet", "--contracts", missing],
        vec!["replay", "--quiet", "--blue-trades", missing],
        vec!["replay", "--quiet", "--venue", venue.as_str()],
        vec!["run", "--print-config", "--config", missing],
        vec!["reconcile", "--config", missing],
    ] {
        let out = violet(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(missing) && err.contains("No such file or directory"), "{args:?}: {err}");
    }
}

#[test]
fn run_says_why_it_could_not_run_and_exits_2_not_internal() {
    let work = fresh_dir("hardening-run-env");
    let run = |url: &str, data_dir: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_violet"))
            .arg("run")
            .env("VIOLET_FEED_KIND", "stdin")
            .env("VIOLET_CLICKHOUSE_URL", url)
            .env("VIOLET_SERVICE_DATA_DIR", data_dir)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("violet run")
    };
    // ClickHouse never answers; the operator stops it.
    let child = run("http://127.0.0.1:1", work.join("data").to_str().expect("utf-8"));
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let ok = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(ok.success());
    let out = child.wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("stopped before ClickHouse at http://127.0.0.1:1 answered"), "{err}");

    // The spool cannot be made: the path and the reason.
    let server = common::local_server("hardening-run-env");
    let out = run(server.url(), "/dev/full/violet").wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("/dev/full/violet") && err.contains("Not a directory"), "{err}");
    std::fs::remove_dir_all(&work).ok();
}
