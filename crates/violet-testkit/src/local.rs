//! A throwaway ClickHouse server on loopback, for tests and benchmarks: Debian's
//! `clickhouse-server` started with a fresh data folder in a temporary directory (the recipe
//! of `../shared/docs/clickhouse.md`), killed and removed on drop.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use violet_clickhouse::ClickHouse;
use violet_domain::secret::Secret;

/// The server binary Debian's `clickhouse-server` package installs.
pub const SERVER_BINARY: &str = "/usr/sbin/clickhouse-server";

/// A local server that could not be started.
#[derive(Debug, thiserror::Error)]
pub enum LocalServerError {
    /// The binary is not installed.
    #[error(
        "{SERVER_BINARY} is missing: install Debian's clickhouse-server (apt-get install clickhouse-server; `cargo xtask ci` does it)"
    )]
    Missing,
    /// Preparing the folder or spawning failed.
    #[error("cannot start {SERVER_BINARY} in {dir}")]
    Io {
        /// The server's folder.
        dir: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// It did not answer in time.
    #[error("clickhouse-server did not answer on {url} within 30 s; its error log: {log}")]
    NotUp {
        /// Its URL.
        url: String,
        /// The end of its error log.
        log: String,
    },
}

/// A running local server.
#[derive(Debug)]
pub struct LocalServer {
    child: Child,
    dir: PathBuf,
    url: String,
    password: Option<Secret>,
    https: Option<Https>,
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// The server's HTTPS port and its self-signed certificate (for `127.0.0.1` and
/// `localhost`), made with the `openssl` command.
#[derive(Debug, Clone)]
struct Https {
    url: String,
    certificate: PathBuf,
}

/// The `<https_port>` and `<openSSL>` parts of the config for a server with `https`.
fn https_config(dir: &Path, https: Option<u16>) -> String {
    let Some(port) = https else { return String::new() };
    let d = dir.display();
    format!(
        "<https_port>{port}</https_port>\n  <openSSL><server><certificateFile>{d}/cert.pem</certificateFile>\
         <privateKeyFile>{d}/key.pem</privateKeyFile><verificationMode>none</verificationMode>\
         <loadDefaultCAFile>false</loadDefaultCAFile><disableProtocols>sslv2,sslv3</disableProtocols>\
         </server></openSSL>"
    )
}

/// Make `dir/key.pem` and `dir/cert.pem`: a self-signed certificate for loopback, 2 days.
fn make_certificate(dir: &Path) -> std::io::Result<()> {
    let out = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost"])
        .args(["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-addext", "basicConstraints=critical,CA:FALSE"])
        .arg("-keyout")
        .arg(dir.join("key.pem"))
        .arg("-out")
        .arg(dir.join("cert.pem"))
        .stdin(Stdio::null())
        .output()?;
    if out.status.success() {
        Ok(())
    } else {
        Err(std::io::Error::other(format!("openssl req failed: {}", String::from_utf8_lossy(&out.stderr).trim())))
    }
}

fn config(dir: &Path, port: u16, password: &str, https: Option<u16>) -> String {
    let d = dir.display();
    let https = https_config(dir, https);
    format!(
        r#"<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>{d}/server.log</log><errorlog>{d}/server.err.log</errorlog></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>{port}</http_port>
  {https}
  <path>{d}/data/</path><tmp_path>{d}/data/tmp/</tmp_path>
  <user_files_path>{d}/data/user_files/</user_files_path>
  <format_schema_path>{d}/data/format_schemas/</format_schema_path>
  <mark_cache_size>268435456</mark_cache_size>
  <timezone>UTC</timezone>
  <users><default><password>{password}</password><networks><ip>127.0.0.1</ip></networks>
    <profile>default</profile><quota>default</quota></default></users>
  <profiles><default></default></profiles>
  <quotas><default></default></quotas>
</yandex>
"#
    )
}

impl LocalServer {
    /// Start a server named `name` (its folder: `<tmp>/violet-ch-<pid>-<name>`, emptied
    /// first) on a free loopback port, and wait until it answers.
    ///
    /// # Errors
    /// [`LocalServerError`]: not installed, cannot be spawned, or silent for 30 s.
    pub fn start(name: &str) -> Result<Self, LocalServerError> {
        Self::start_with_password(name, None)
    }

    /// As [`LocalServer::start`], the `default` user requiring `password` when given
    /// (plain text in the server's config: a test server only).
    ///
    /// # Errors
    /// As [`LocalServer::start`].
    pub fn start_with_password(name: &str, password: Option<&Secret>) -> Result<Self, LocalServerError> {
        Self::start_at(&std::env::temp_dir(), name, password, false)
    }

    /// As [`LocalServer::start`], its folder under `base` instead of the temporary directory
    /// (e.g. a tmpfs, so that the server's inserts do not measure the disk's file system).
    ///
    /// # Errors
    /// As [`LocalServer::start`].
    pub fn start_in(base: &Path, name: &str) -> Result<Self, LocalServerError> {
        Self::start_at(base, name, None, false)
    }

    /// As [`LocalServer::start`], also serving HTTPS ([`LocalServer::https_url`]) with a
    /// self-signed certificate ([`LocalServer::certificate`]) made by the `openssl` command.
    ///
    /// # Errors
    /// As [`LocalServer::start`]; `openssl` missing or failing is [`LocalServerError::Io`].
    pub fn start_tls(name: &str) -> Result<Self, LocalServerError> {
        Self::start_at(&std::env::temp_dir(), name, None, true)
    }

    /// Its HTTPS URL (`https://127.0.0.1:PORT`), when started with [`LocalServer::start_tls`].
    #[must_use]
    pub fn https_url(&self) -> Option<&str> {
        self.https.as_ref().map(|h| h.url.as_str())
    }

    /// The PEM file of its self-signed certificate, when started with
    /// [`LocalServer::start_tls`].
    #[must_use]
    pub fn certificate(&self) -> Option<&Path> {
        self.https.as_ref().map(|h| h.certificate.as_path())
    }

    fn start_at(base: &Path, name: &str, password: Option<&Secret>, tls: bool) -> Result<Self, LocalServerError> {
        if !Path::new(SERVER_BINARY).exists() {
            return Err(LocalServerError::Missing);
        }
        let dir = base.join(format!("violet-ch-{}-{name}", std::process::id()));
        let io = |source| LocalServerError::Io { dir: dir.clone(), source };
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(io)?;
        let port = free_port().map_err(io)?;
        let pw = password.map_or("", Secret::expose);
        let https_port = if tls {
            make_certificate(&dir).map_err(io)?;
            let mut https = free_port().map_err(io)?;
            while https == port {
                https = free_port().map_err(io)?;
            }
            Some(https)
        } else {
            None
        };
        std::fs::write(dir.join("config.xml"), config(&dir, port, pw, https_port)).map_err(io)?;
        let https =
            https_port.map(|p| Https { url: format!("https://127.0.0.1:{p}"), certificate: dir.join("cert.pem") });
        let child = spawn(&dir).map_err(io)?;
        let server = Self { child, dir, url: format!("http://127.0.0.1:{port}"), password: password.cloned(), https };
        server.wait_up()?;
        Ok(server)
    }

    /// Its URL (`http://127.0.0.1:PORT`).
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Its process id (for reading its CPU time from `/proc`).
    #[must_use]
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A client for it (with the password, when it has one).
    #[must_use]
    pub fn client(&self) -> ClickHouse {
        let ch = ClickHouse::new(&self.url).unwrap_or_else(|e| unreachable!("own URL {}: {e}", self.url));
        match &self.password {
            Some(p) => ch.with_credentials("default", p),
            None => ch,
        }
    }

    /// Kill it (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Start it again on the same data and port, and wait until it answers.
    ///
    /// # Errors
    /// As [`LocalServer::start`].
    pub fn restart(&mut self) -> Result<(), LocalServerError> {
        self.child = spawn(&self.dir).map_err(|source| LocalServerError::Io { dir: self.dir.clone(), source })?;
        self.wait_up()
    }

    fn wait_up(&self) -> Result<(), LocalServerError> {
        let t = Instant::now();
        let ch = self.client();
        while !ch.query("SELECT 1").is_ok_and(|r| r.trim() == "1") {
            if t.elapsed() > Duration::from_secs(30) {
                let log = std::fs::read_to_string(self.dir.join("server.err.log")).unwrap_or_default();
                let tail: String = log.lines().rev().take(5).collect::<Vec<_>>().join(" | ");
                return Err(LocalServerError::NotUp { url: self.url.clone(), log: tail });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(())
    }
}

fn spawn(dir: &Path) -> std::io::Result<Child> {
    Command::new(SERVER_BINARY)
        .arg(format!("--config-file={}", dir.join("config.xml").display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
