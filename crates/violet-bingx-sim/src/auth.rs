//! BingX's request authentication, checked over the exact string received: API key header,
//! HMAC-SHA256 signature of everything before `&signature=`, timestamp window.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Why a request is refused (BingX's code and message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Code.
    pub code: i64,
    /// Message.
    pub message: String,
}

fn refuse(code: i64, message: impl Into<String>) -> Refusal {
    Refusal { code, message: message.into() }
}

/// `k=v` pairs of a query string, in order.
#[must_use]
pub fn pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|s| !s.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (k.to_string(), v.to_string())
        })
        .collect()
}

/// Check a signed request: `key` the header, `query` the raw query string, `now_ms` the
/// exchange's clock. Returns the parameters (signature removed).
///
/// # Errors
/// [`Refusal`] with BingX's code: 100413 wrong key, 100001 bad signature, 100421 no
/// timestamp, 109400 timestamp outside the window.
pub fn verify(
    api_key: &str,
    secret: &str,
    key: Option<&str>,
    query: &str,
    now_ms: i64,
) -> Result<Vec<(String, String)>, Refusal> {
    if key != Some(api_key) {
        return Err(refuse(100_413, "Incorrect apiKey"));
    }
    let Some((payload, signature)) =
        query.rsplit_once("&signature=").or_else(|| query.strip_prefix("signature=").map(|s| ("", s)))
    else {
        return Err(refuse(100_001, "Signature verification failed: no signature"));
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return Err(refuse(100_001, "Signature verification failed"));
    };
    mac.update(payload.as_bytes());
    if hex::encode(mac.finalize().into_bytes()) != signature {
        return Err(refuse(100_001, "Signature verification failed"));
    }
    let params = pairs(payload);
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let Some(ts) = get("timestamp").and_then(|t| t.parse::<i64>().ok()) else {
        return Err(refuse(100_421, "Null timestamp or timestamp mismatch"));
    };
    let window = get("recvWindow").and_then(|w| w.parse::<i64>().ok()).filter(|w| *w > 0).unwrap_or(5000);
    if ts > now_ms + 1000 || now_ms - ts > window {
        return Err(refuse(109_400, format!("timestamp is invalid: {ts} vs server {now_ms}, recvWindow {window}")));
    }
    Ok(params)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "mheO6dR8ovSsxZQCOYEFCtelpuxcWGTfHw7te326y6jOwq5WpvFQ9JNljoTwBXZGv5It07m9RXSPpDQEK2w";

    #[test]
    fn the_published_vector_verifies_and_any_change_does_not() {
        let q = "recvWindow=0&symbol=BTC-USDT&timestamp=1696751141337\
                 &signature=f8d883609dfd31c824feb4de865b071008dedb1d461451fa70847875c8e7a7a2";
        let ok = verify("k", SECRET, Some("k"), q, 1_696_751_141_337).expect("verifies");
        assert_eq!(ok.len(), 3);
        let tampered = q.replace("BTC-USDT", "ETH-USDT");
        assert_eq!(verify("k", SECRET, Some("k"), &tampered, 1_696_751_141_337).expect_err("bad").code, 100_001);
        assert_eq!(verify("k", SECRET, Some("other"), q, 1_696_751_141_337).expect_err("key").code, 100_413);
        assert_eq!(verify("k", SECRET, Some("k"), q, 1_696_751_141_337 + 6000).expect_err("old").code, 109_400);
    }
}
