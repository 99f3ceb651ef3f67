//! What a ClickHouse URL may be, and how one is shown.

use crate::error::ClickHouseError;

/// The port of a URL that names none: ClickHouse's HTTP port (8123), or its HTTPS port (8443)
/// for `https://` — not HTTP's 80 and 443.
const fn default_port(tls: bool) -> u16 {
    if tls { 8443 } else { 8123 }
}

/// A URL checked for use: `http://host[:port][/]` or `https://host[:port][/]`, no
/// credentials, no path; its port made explicit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServerUrl {
    /// As given (shown in errors and logs).
    pub(crate) given: String,
    /// `scheme://host:port`, what the client is given.
    pub(crate) origin: String,
    /// Whether it is `https://`.
    pub(crate) tls: bool,
}

impl ServerUrl {
    /// Check `url`.
    ///
    /// # Errors
    /// [`ClickHouseError::Credentials`] for a URL with a user or password,
    /// [`ClickHouseError::Url`] for anything else but the forms above.
    pub(crate) fn parse(url: &str) -> Result<Self, ClickHouseError> {
        if has_credentials(url) {
            return Err(ClickHouseError::Credentials(redact_url(url)));
        }
        let bad = || ClickHouseError::Url(redact_url(url));
        let (tls, rest) = match (url.strip_prefix("http://"), url.strip_prefix("https://")) {
            (Some(rest), _) => (false, rest),
            (_, Some(rest)) => (true, rest),
            _ => return Err(bad()),
        };
        let hostport = rest.strip_suffix('/').unwrap_or(rest);
        if hostport.is_empty() || hostport.contains(['/', '?', '#', '@', ' ']) {
            return Err(bad());
        }
        let scheme = if tls { "https" } else { "http" };
        let origin = match hostport.rsplit_once(':') {
            Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0) => {
                format!("{scheme}://{hostport}")
            }
            Some(_) => return Err(bad()),
            None => format!("{scheme}://{hostport}:{}", default_port(tls)),
        };
        Ok(Self { given: url.to_string(), origin, tls })
    }
}

/// Where the authority of `url` starts and its userinfo (`user:pw@`) ends, if it has one.
fn userinfo(url: &str) -> Option<(usize, usize)> {
    let start = url.find("://").map_or(0, |i| i + 3);
    let authority_end = url[start..].find(['/', '?', '#']).map_or(url.len(), |i| start + i);
    url[start..authority_end].rfind('@').map(|at| (start, start + at))
}

/// Whether `url` carries credentials before its host.
#[must_use]
pub fn has_credentials(url: &str) -> bool {
    userinfo(url).is_some()
}

/// `url` with any credentials masked (`http://***@host:8123`): what may be shown.
#[must_use]
pub fn redact_url(url: &str) -> String {
    match userinfo(url) {
        Some((start, at)) => format!("{}***{}", &url[..start], &url[at..]),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_a_url_are_refused_and_never_shown() {
        assert_eq!(redact_url("http://user:s3cret@db:8123/"), "http://***@db:8123/");
        assert_eq!(redact_url("http://db:8123"), "http://db:8123");
        assert_eq!(redact_url("https://a@b@db"), "https://***@db", "the last @ ends the userinfo");
        assert!(!has_credentials("http://db:8123/path@x"), "an @ after the host is not userinfo");
        for url in ["http://user:s3cret@db:8123", "ftp://user:s3cret@db", "https://user:s3cret@db"] {
            let e = ServerUrl::parse(url).expect_err("refused").to_string();
            assert!(!e.contains("s3cret") && e.contains("***@db"), "{e}");
            assert!(e.contains("VIOLET_CLICKHOUSE_PASSWORD"), "{e}");
        }
    }

    #[test]
    fn a_url_is_a_scheme_a_host_and_a_port_which_defaults_to_clickhouses() {
        let ok = |u: &str| ServerUrl::parse(u).map(|s| (s.origin, s.tls)).expect(u);
        assert_eq!(ok("http://db"), ("http://db:8123".to_string(), false));
        assert_eq!(ok("http://db:9000/"), ("http://db:9000".to_string(), false));
        assert_eq!(ok("https://ch.example.com"), ("https://ch.example.com:8443".to_string(), true));
        assert_eq!(ok("https://ch.example.com:443"), ("https://ch.example.com:443".to_string(), true));
        for bad in ["gopher://db", "db:8123", "http://", "http://db/x", "http://db:x", "http://db:0", "http://db?a=1"] {
            let e = ServerUrl::parse(bad).expect_err(bad).to_string();
            assert!(e.contains("expected http://host:port or https://host:port"), "{bad}: {e}");
        }
    }
}
