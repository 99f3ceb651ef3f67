//! Request signing: the sorted `k=v&...` parameter string and its HMAC-SHA256 signature.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use violet_domain::secret::Secret;

/// A parameter value that cannot be sent unencoded (BingX signs the raw string, so values
/// are kept URL-safe and raw and encoded strings stay the same).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("parameter {key}={value:?}: only letters, digits and - _ . are sent")]
pub struct UnsafeParam {
    /// The key.
    pub key: &'static str,
    /// The value refused.
    pub value: String,
}

/// The parameters of one request, sent as a query string with keys sorted a–z.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(Vec<(&'static str, String)>);

impl Params {
    /// No parameters.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Add `key=value` (a later value for the same key replaces the earlier).
    ///
    /// # Errors
    /// [`UnsafeParam`] when the value has a character other than `A-Za-z0-9-_.`.
    pub fn set(mut self, key: &'static str, value: impl Into<String>) -> Result<Self, UnsafeParam> {
        let value = value.into();
        if value.is_empty() || !value.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)) {
            return Err(UnsafeParam { key, value });
        }
        self.0.retain(|(k, _)| *k != key);
        self.0.push((key, value));
        Ok(self)
    }

    /// The value of `key`.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| v.as_str())
    }

    /// `k=v&k=v...`, keys sorted.
    #[must_use]
    pub fn query(&self) -> String {
        let mut pairs: Vec<&(&'static str, String)> = self.0.iter().collect();
        pairs.sort_by_key(|(k, _)| *k);
        let mut out = String::with_capacity(pairs.iter().map(|(k, v)| k.len() + v.len() + 2).sum());
        for (i, (k, v)) in pairs.into_iter().enumerate() {
            if i > 0 {
                out.push('&');
            }
            out.push_str(k);
            out.push('=');
            out.push_str(v);
        }
        out
    }
}

/// Signs with the API secret. `Debug` never shows it.
#[derive(Clone)]
pub struct Signer {
    mac: Hmac<Sha256>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer(***)")
    }
}

impl Signer {
    /// A signer over `secret`.
    #[must_use]
    pub fn new(secret: &Secret) -> Self {
        // HMAC takes a key of any length.
        let mac = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes()).unwrap_or_else(|_| unreachable!());
        Self { mac }
    }

    /// Lowercase hex HMAC-SHA256 of `payload`, the exact string sent.
    #[must_use]
    pub fn sign(&self, payload: &str) -> String {
        let mut mac = self.mac.clone();
        mac.update(payload.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// The signed query string: `params` (with `timestamp` and `recvWindow`) sorted, then
    /// `&signature=...` over exactly that string.
    #[must_use]
    pub fn signed_query(&self, params: &Params) -> String {
        let mut q = params.query();
        let signature = self.sign(&q);
        q.push_str("&signature=");
        q.push_str(&signature);
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET_A: &str = "mheO6dR8ovSsxZQCOYEFCtelpuxcWGTfHw7te326y6jOwq5WpvFQ9JNljoTwBXZGv5It07m9RXSPpDQEK2w";
    const SECRET_B: &str = "UuGuyEGt6ZEkpUObCYCmIfh0elYsZVh80jlYwpJuRZEw70t6vomMH7Sjmf94ztSI";

    fn signer(s: &str) -> Signer {
        Signer::new(&Secret::new(s.to_string()))
    }

    #[test]
    fn the_published_vectors_reproduce() {
        // ../shared/docs/bingx.md (each checked there with `openssl dgst -sha256 -hmac`).
        let a = signer(SECRET_A);
        assert_eq!(
            a.sign("symbol=BTC-USDT&timestamp=1667872120843&side=LONG&leverage=6"),
            "4f581ecdb1fa09b9d6e57886b6f70cffed17f82b93399722939e49a38edec2bf"
        );
        assert_eq!(
            a.sign("recvWindow=0&subAccountString=abc12345&timestamp=1696751141337"),
            "8d0d3ea9b592be3678c33332ab13e9102e093e67255921e15a581146c87c272f"
        );
        assert_eq!(
            a.sign("recvWindow=0&symbol=BTC-USDT&timestamp=1696751141337"),
            "f8d883609dfd31c824feb4de865b071008dedb1d461451fa70847875c8e7a7a2"
        );
        assert_eq!(
            signer(SECRET_B).sign("quoteOrderQty=20&side=BUY&symbol=ETHUSDT&timestamp=1649404670162&type=MARKET"),
            "428a3c383bde514baff0d10d3c20e5adfaacaf799e324546dafe5ccc480dd827"
        );
    }

    #[test]
    fn the_query_is_sorted_and_the_signature_covers_exactly_it() -> Result<(), UnsafeParam> {
        let p = Params::new().set("timestamp", "1696751141337")?.set("symbol", "BTC-USDT")?.set("recvWindow", "0")?;
        assert_eq!(p.query(), "recvWindow=0&symbol=BTC-USDT&timestamp=1696751141337");
        assert_eq!(
            signer(SECRET_A).signed_query(&p),
            "recvWindow=0&symbol=BTC-USDT&timestamp=1696751141337\
             &signature=f8d883609dfd31c824feb4de865b071008dedb1d461451fa70847875c8e7a7a2"
        );
        Ok(())
    }

    #[test]
    fn values_that_would_need_encoding_are_refused_naming_the_key() {
        let e = Params::new().set("clientOrderId", "a&b=c").expect_err("unsafe");
        assert_eq!(e.key, "clientOrderId");
        assert!(Params::new().set("symbol", "").is_err());
        assert!(Params::new().set("quantity", "0.001").is_ok());
        assert_eq!(format!("{:?}", signer(SECRET_A)), "Signer(***)");
    }
}
