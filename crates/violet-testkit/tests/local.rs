//! The throwaway local server, started under a chosen directory (a real clickhouse-server:
//! the test command installs it; a missing server fails here, naming the package).

use std::path::PathBuf;

use violet_testkit::LocalServer;

#[test]
fn a_server_started_in_a_directory_lives_there_answers_and_is_removed_on_drop() {
    let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("local-server-base");
    std::fs::create_dir_all(&base).expect("base");
    let folder = base.join(format!("violet-ch-{}-start-in", std::process::id()));
    let server = LocalServer::start_in(&base, "start-in").expect("clickhouse-server starts");
    assert!(folder.join("config.xml").is_file(), "its folder is under the base: {}", folder.display());
    assert_eq!(server.client().query("SELECT 40 + 2").expect("a query").trim(), "42");
    assert!(std::fs::metadata(format!("/proc/{}", server.pid())).is_ok(), "pid() is the live server");
    drop(server);
    assert!(!folder.exists(), "dropped: its folder is removed");
}
