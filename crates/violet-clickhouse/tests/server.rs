//! The client against a real server (Debian's 18.16, started here on loopback): values bound
//! client-side, rows bit for bit, pooled connections, LZ4 on the wire, refusals by code,
//! and both timeouts.

use std::io::{Read as _, Write as _};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use violet_clickhouse::{ClickHouse, ClickHouseError, RowReader, RowWriter};
use violet_testkit::LocalServer;

fn server(name: &str) -> LocalServer {
    LocalServer::start(name).unwrap_or_else(|e| panic!("a local ClickHouse is needed: {e}"))
}

/// A TCP relay to `upstream` that counts the connections it accepted and the bytes the
/// client sent.
struct Relay {
    url: String,
    connections: Arc<AtomicU64>,
    sent: Arc<AtomicU64>,
}

fn relay(upstream: &str) -> Relay {
    let upstream = upstream.trim_start_matches("http://").to_string();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let (connections, sent) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let (c, a) = (Arc::clone(&connections), Arc::clone(&sent));
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            c.fetch_add(1, Ordering::SeqCst);
            let server = TcpStream::connect(&upstream).expect("upstream");
            let (mut s_in, mut c_out) = (server.try_clone().expect("clone"), client.try_clone().expect("clone"));
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut s_in, &mut c_out);
                let _ = c_out.shutdown(Shutdown::Write);
            });
            let (mut c_in, mut s_out, a) = (client, server, Arc::clone(&a));
            std::thread::spawn(move || {
                let mut buf = [0u8; 16 * 1024];
                while let Ok(n) = c_in.read(&mut buf) {
                    if n == 0 || s_out.write_all(&buf[..n]).is_err() {
                        break;
                    }
                    a.fetch_add(n as u64, Ordering::SeqCst);
                }
                let _ = s_out.shutdown(Shutdown::Write);
            });
        }
    });
    Relay { url, connections, sent }
}

#[test]
fn bound_values_and_rowbinary_rows_travel_exactly() {
    let s = server("client-values");
    let ch = s.client();
    ch.query("CREATE TABLE default.t (s String, x Float64, n Int64) ENGINE = Memory").expect("create");
    let strings = ["plain", "it's", "a ? mark", "back\\slash", "tab\there", "ünïcødé"];
    let floats = [0.1 + 0.2, -0.0, f64::from_bits(1), f64::MAX, 1e-300, f64::INFINITY];
    let mut w = RowWriter::insert("default.t (s, x, n)");
    for (i, (s, x)) in strings.iter().zip(floats).enumerate() {
        w.str(s).f64(x).i64(i64::try_from(i).expect("small") - 3);
    }
    ch.insert_rows(&w).expect("insert");

    for (i, (want, x)) in strings.iter().zip(floats).enumerate() {
        let data = ch
            .select("SELECT s, x, n FROM default.t WHERE s = ? AND n = ?")
            .bind(*want)
            .bind(i64::try_from(i).expect("small") - 3)
            .fetch("RowBinary")
            .expect("select");
        let mut r = RowReader::new(&data);
        assert_eq!(r.str(), Ok(*want), "a bound string is quoted and escaped, never pasted");
        assert_eq!(r.f64().map(f64::to_bits), Ok(x.to_bits()), "{x} bit for bit");
        assert!(r.i64().is_ok() && r.is_done(), "exactly one row for {want:?}");
    }
    // `query` runs a statement as written: its `?` is a character, not a placeholder.
    assert_eq!(ch.query("SELECT count() FROM default.t WHERE s = 'a ? mark'").expect("query").trim(), "1");
    let unbound = ch.select("SELECT ?").fetch("RowBinary").expect_err("a placeholder left unbound");
    assert!(unbound.to_string().contains("unreachable") || !unbound.is_transient(), "{unbound}");
}

/// A typed row: its fields are the columns (`?fields`).
#[derive(Debug, PartialEq, clickhouse::Row, serde::Deserialize)]
struct Typed {
    s: String,
    x: f64,
    n: i64,
}

#[test]
fn typed_rows_decode_bit_for_bit_on_18_16_and_a_row_of_another_shape_is_a_final_error() {
    let s = server("client-typed");
    let ch = s.client();
    ch.query("CREATE TABLE default.t (s String, x Float64, n Int64) ENGINE = Memory").expect("create");
    let mut w = RowWriter::insert("default.t (s, x, n)");
    let floats = [0.1 + 0.2, f64::from_bits(1), -0.0, f64::MAX];
    for (i, x) in floats.iter().enumerate() {
        w.str(&format!("row {i}")).f64(*x).i64(i64::try_from(i).expect("small"));
    }
    ch.insert_rows(&w).expect("insert");
    let rows: Vec<Typed> =
        ch.select("SELECT ?fields FROM default.t WHERE n >= ? ORDER BY n").bind(1).rows().expect("rows");
    assert_eq!(rows.len(), 3);
    for (r, want) in rows.iter().zip(&floats[1..]) {
        assert_eq!(r.x.to_bits(), want.to_bits());
    }
    assert_eq!(rows[0].s, "row 1");
    // A column of another type (n as String): the rows cannot be read, and retrying will
    // not change that.
    let e = ch.select("SELECT s, x, toString(n) AS n FROM default.t").rows::<Typed>().expect_err("another shape");
    assert!(matches!(e, ClickHouseError::Decode { .. }) && !e.is_transient(), "{e:?}");
}

#[test]
fn requests_share_pooled_connections_and_inserts_travel_compressed() {
    let s = server("client-pool");
    let r = relay(s.url());
    let ch = ClickHouse::new(&r.url).expect("url");
    for i in 0..40 {
        assert_eq!(ch.query(&format!("SELECT {i}")).expect("query").trim(), i.to_string());
    }
    let opened = r.connections.load(Ordering::SeqCst);
    assert!(opened <= 2, "40 queries in a row reuse their connection: {opened} opened");

    // Two megabytes of rows alike go LZ4-compressed: a few kilobytes on the wire. (Answers
    // are compressed only by servers that know HTTP's lz4 encoding; 18.16 does not.)
    ch.query("CREATE TABLE default.rows (s String, x Float64) ENGINE = Memory").expect("create");
    let mut w = RowWriter::insert("default.rows (s, x)");
    for _ in 0..100_000 {
        w.str("the same row, again").f64(0.5);
    }
    assert!(w.len() > 2_000_000);
    let before = r.sent.load(Ordering::SeqCst);
    ch.insert_rows(&w).expect("insert");
    let wire = r.sent.load(Ordering::SeqCst) - before;
    assert!(wire < 100_000, "the rows crossed compressed: {wire} bytes for {}", w.len());
    assert_eq!(ch.query("SELECT count(), sum(x) FROM default.rows").expect("count").trim(), "100000\t50000");
    assert!(r.connections.load(Ordering::SeqCst) <= 2, "the insert took a pooled connection too");
}

#[test]
fn a_refusal_carries_its_code_and_is_final_and_a_dead_port_is_transient() {
    let s = server("client-refusal");
    let e = s.client().query("SELECT * FROM default.no_such_table").expect_err("no such table");
    assert!(matches!(e, ClickHouseError::Refused { code: Some(60), .. }), "{e:?}");
    assert!(!e.is_transient(), "an unknown table stays unknown");
    assert!(e.to_string().contains("no_such_table"), "the server's reason is kept: {e}");

    let port = TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let t = Instant::now();
    let e = ClickHouse::new(&format!("http://127.0.0.1:{port}")).expect("url").query("SELECT 1").expect_err("down");
    assert!(matches!(e, ClickHouseError::Unreachable { .. }) && e.is_transient(), "{e:?}");
    assert!(t.elapsed() < Duration::from_secs(2), "a refused connection fails at once: {:?}", t.elapsed());
}

#[test]
fn a_server_that_accepts_and_never_answers_fails_the_request_at_its_timeout() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    // Accept, read, and keep every connection open without a word.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for c in listener.incoming().flatten() {
            held.push(c);
        }
    });
    let ch = ClickHouse::new(&url).expect("url").with_timeout(Duration::from_millis(600));
    let mut rows = RowWriter::insert("t");
    rows.str("x");
    let select = || ch.query("SELECT 1").map(drop);
    let insert = || ch.insert_rows(&rows);
    for attempt in [&select as &dyn Fn() -> Result<(), ClickHouseError>, &insert] {
        let t = Instant::now();
        let e = attempt().expect_err("no answer");
        let took = t.elapsed();
        assert!(matches!(e, ClickHouseError::TimedOut { after, .. } if after == Duration::from_millis(600)), "{e:?}");
        assert!(e.is_transient());
        assert!(took < Duration::from_secs(3), "failed at its timeout: {took:?}");
    }
}
