//! A TCP proxy on loopback in front of a test's ClickHouse, to make the server misbehave
//! on demand: pass the bytes through, accept and never answer (a host that hangs), or close
//! each connection at once (a server that refuses). A mode applies to the connections open
//! already too (the client keeps its connections alive): a hang stops forwarding their
//! bytes, a refusal closes them.

use std::io::{Read as _, Write as _};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

/// What the proxy does with a new connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Forward to the server and back.
    Pass = 0,
    /// Read the request, never answer (until the client gives up).
    Hang = 1,
    /// Close at once.
    Refuse = 2,
}

/// The proxy; its listener lives as long as the test process.
pub struct Proxy {
    url: String,
    mode: Arc<AtomicU8>,
}

fn copy(mut from: TcpStream, mut to: TcpStream, mode: &AtomicU8) {
    let mut buf = [0u8; 64 << 10];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => match mode.load(Ordering::SeqCst) {
                0 => {
                    if to.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
                1 => {} // hanging: the bytes go nowhere
                _ => {
                    let _ = from.shutdown(Shutdown::Both);
                    break;
                }
            },
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

impl Proxy {
    /// A proxy to `upstream` (`host:port`), passing through.
    pub fn start(upstream: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let mode = Arc::new(AtomicU8::new(Mode::Pass as u8));
        let (m, upstream) = (Arc::clone(&mode), upstream.to_string());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(client) = conn else { continue };
                match m.load(Ordering::SeqCst) {
                    0 => {
                        let Ok(server) = TcpStream::connect(&upstream) else { continue };
                        let (c2, s2) = (client.try_clone().expect("clone"), server.try_clone().expect("clone"));
                        let (m1, m2) = (Arc::clone(&m), Arc::clone(&m));
                        std::thread::spawn(move || copy(client, server, &m1));
                        std::thread::spawn(move || copy(s2, c2, &m2));
                    }
                    1 => {
                        std::thread::spawn(move || {
                            let mut client = client;
                            let _ = client.set_read_timeout(Some(Duration::from_secs(120)));
                            let mut buf = [0u8; 64 << 10];
                            while matches!(client.read(&mut buf), Ok(n) if n > 0) {}
                        });
                    }
                    _ => drop(client),
                }
            }
        });
        Self { url, mode }
    }

    /// Its URL (`http://127.0.0.1:port`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Behave as `mode` for connections from now on.
    pub fn set(&self, mode: Mode) {
        self.mode.store(mode as u8, Ordering::SeqCst);
    }
}
