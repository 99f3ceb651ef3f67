//! Scraping `/metrics` in tests: a GET over a plain socket, and the exposition parsed by
//! the official Prometheus Python client's strict OpenMetrics parser.

use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The Python with `prometheus_client` (`cargo xtask ci` installs it; set
/// `VIOLET_PROMETHEUS_PYTHON` to another interpreter).
pub fn python() -> String {
    std::env::var("VIOLET_PROMETHEUS_PYTHON").unwrap_or_else(|_| "python3".to_string())
}

const PARSE: &str = r"
import json, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
out = []
for fam in text_string_to_metric_families(sys.stdin.read()):
    for s in fam.samples:
        out.append({'family': fam.name, 'type': fam.type, 'name': s.name, 'labels': s.labels, 'value': s.value})
print(json.dumps(out))
";

/// One sample of a parsed exposition.
#[derive(Debug, Clone)]
pub struct Sample {
    pub family_type: String,
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

/// `text` parsed by the Prometheus client's parser (fails the test when it does not parse).
pub fn parse(text: &str) -> Vec<Sample> {
    let mut child = Command::new(python())
        .args(["-c", PARSE])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e} (cargo xtask ci installs python3 with prometheus_client)", python()));
    child.stdin.take().expect("stdin").write_all(text.as_bytes()).expect("write");
    let out = child.wait_with_output().expect("parser");
    assert!(
        out.status.success(),
        "the OpenMetrics parser refused the exposition (or prometheus_client is missing: `pip install \
         prometheus-client==0.21.1`, as cargo xtask ci does):\n{}\n--- exposition:\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("parser output");
    v.as_array()
        .expect("samples")
        .iter()
        .map(|s| Sample {
            family_type: s["type"].as_str().expect("type").to_string(),
            name: s["name"].as_str().expect("name").to_string(),
            labels: s["labels"]
                .as_object()
                .expect("labels")
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().expect("label").to_string()))
                .collect(),
            value: s["value"].as_f64().expect("value"),
        })
        .collect()
}

/// The sum of `name`'s samples whose labels include `labels`.
pub fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|s| s.name == name && labels.iter().all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v)))
        .map(|s| s.value)
        .sum()
}

/// `GET path` on `addr`: status and body.
pub fn get(addr: &str, path: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    let status = text.split(' ').nth(1)?.parse().ok()?;
    let body = text.split_once("\r\n\r\n")?.1.to_string();
    Some((status, body))
}

pub fn wait_for(what: &str, limit: Duration, mut f: impl FnMut() -> Result<(), String>) {
    let t = Instant::now();
    loop {
        match f() {
            Ok(()) => return,
            Err(why) if t.elapsed() > limit => panic!("{what} not within {limit:?}: {why}"),
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}
