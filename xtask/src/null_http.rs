//! A ClickHouse that costs nothing: an HTTP endpoint on loopback that reads each request
//! whole and answers `200 OK` with an empty body. `bench journal` points the ClickHouse
//! journal at it to measure what the journal costs VIOLET itself (records, spool, shipping),
//! apart from what the server's ingest costs the machine.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};

/// Start the endpoint on a free loopback port (a detached thread serving one connection
/// at a time, as the journal's shipper sends one insert at a time); its URL.
///
/// # Errors
/// The port cannot be bound.
pub fn start() -> anyhow::Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}", listener.local_addr()?);
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            // A client that hangs up early only ends its own request.
            let _ = answer(conn);
        }
    });
    Ok(url)
}

/// Read one request (headers, then `Content-Length` bytes of body) and answer it.
fn answer(conn: TcpStream) -> std::io::Result<()> {
    let mut reader = BufReader::new(conn);
    let mut length = 0u64;
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    std::io::copy(&mut (&mut reader).take(length), &mut std::io::sink())?;
    reader.get_mut().write_all(b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")
}

#[cfg(test)]
mod tests {
    use violet_journal::clickhouse::ClickHouse;

    #[test]
    fn answers_every_request_with_an_empty_200_after_reading_its_body() {
        let ch = ClickHouse::new(&super::start().expect("bind")).expect("url");
        let big = vec![b'x'; 3 << 20];
        for body in [&b"SELECT 1"[..], &big] {
            assert_eq!(ch.query_bytes(body).expect("200"), b"");
        }
    }
}
