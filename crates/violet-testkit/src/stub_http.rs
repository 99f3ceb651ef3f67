//! A scripted stand-in for ClickHouse's HTTP interface on loopback: each request's statement
//! is reported, each gets the next scripted answer (then `200 OK`, empty). For tests of what
//! a client does with answers no real server gives on demand (a 503, a refusal), and for
//! measuring a client apart from the server's work. HTTP/1.1 with keep-alive; request bodies
//! of a known length or chunked (how the `clickhouse` crate streams an insert).

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

/// One request as the stub saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StubRequest {
    /// The statement: the URL's `query` parameter (an insert's, its rows in the body), else
    /// the body's first line.
    pub statement: String,
    /// The body's length in bytes (compressed, as sent).
    pub body_len: usize,
}

/// An answer: the HTTP status and the body (e.g. `Code: 241. DB::Exception: ...`).
pub type StubAnswer = (u16, String);

/// Serve on a free loopback port (detached threads, one per connection) answering the first
/// requests with `answers` in order, then `200 OK` with an empty body; the URL and the
/// requests as they come.
///
/// # Panics
/// When no loopback port can be bound.
#[must_use]
pub fn serve(answers: Vec<StubAnswer>) -> (String, mpsc::Receiver<StubRequest>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind a loopback port: {e}"));
    let url = format!("http://{}", listener.local_addr().unwrap_or_else(|e| panic!("its address: {e}")));
    let answers = Arc::new(Mutex::new(answers.into_iter()));
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let (answers, tx) = (Arc::clone(&answers), tx.clone());
            // A client that hangs up only ends its own connection.
            std::thread::spawn(move || drop(connection(conn, &answers, &tx)));
        }
    });
    (url, rx)
}

/// Serve one connection's requests until the client closes it.
fn connection(
    conn: TcpStream,
    answers: &Mutex<std::vec::IntoIter<StubAnswer>>,
    tx: &mpsc::Sender<StubRequest>,
) -> std::io::Result<()> {
    // One write per answer and no Nagle: a keep-alive client must not wait on delayed ACKs.
    conn.set_nodelay(true)?;
    let mut r = BufReader::new(conn.try_clone()?);
    let mut out = conn;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let target = line.split_whitespace().nth(1).unwrap_or_default().to_string();
        let (mut length, mut chunked) = (0usize, false);
        loop {
            line.clear();
            if r.read_line(&mut line)? == 0 || line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                } else if name.eq_ignore_ascii_case("transfer-encoding") {
                    chunked = value.trim().eq_ignore_ascii_case("chunked");
                }
            }
        }
        let body = if chunked { read_chunked(&mut r)? } else { read_exact(&mut r, length)? };
        let statement = query_param(&target).unwrap_or_else(|| {
            let first = body.split(|&b| b == b'\n').next().unwrap_or_default();
            String::from_utf8_lossy(first).into_owned()
        });
        let _ = tx.send(StubRequest { statement, body_len: body.len() });
        let next = answers.lock().unwrap_or_else(std::sync::PoisonError::into_inner).next();
        let (status, text) = next.unwrap_or((200, String::new()));
        let answer = format!("HTTP/1.1 {status} Stub\r\nContent-Length: {}\r\n\r\n{text}", text.len());
        out.write_all(answer.as_bytes())?;
    }
}

fn read_exact(r: &mut impl std::io::Read, n: usize) -> std::io::Result<Vec<u8>> {
    let mut body = vec![0; n];
    r.read_exact(&mut body)?;
    Ok(body)
}

/// A chunked body: hex size lines, each chunk, until the zero chunk and its blank line.
fn read_chunked(r: &mut BufReader<TcpStream>) -> std::io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let mut size = String::new();
        r.read_line(&mut size)?;
        let n = usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        if n == 0 {
            let mut end = String::new();
            while r.read_line(&mut end)? > 0 && end != "\r\n" {
                end.clear();
            }
            return Ok(body);
        }
        body.extend(read_exact(r, n)?);
        let mut crlf = [0; 2];
        r.read_exact(&mut crlf)?;
    }
}

/// The `query` parameter of a request target (`/?query=INSERT%20INTO...&decompress=1`),
/// decoded.
fn query_param(target: &str) -> Option<String> {
    let params = target.split_once('?')?.1;
    let value = params.split('&').find_map(|kv| kv.strip_prefix("query="))?;
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_query_parameter_is_decoded() {
        assert_eq!(
            super::query_param("/?query=INSERT+INTO+t+%28a%2C+b%29+FORMAT+RowBinary&decompress=1").as_deref(),
            Some("INSERT INTO t (a, b) FORMAT RowBinary")
        );
        assert_eq!(super::query_param("/?compress=1"), None);
        assert_eq!(super::query_param("/"), None);
    }
}
