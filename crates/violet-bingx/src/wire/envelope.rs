//! `{"code":0,"msg":"","data":...}`: `code` as a number or a string; any other code is an
//! [`ApiError`].

use serde_json::Value;

use super::value::{WireError, int, object, text};
use crate::error::{ApiError, CallError};

/// The `data` of a successful answer (`Value::Null` when absent).
///
/// # Errors
/// [`CallError::Api`] for `code != 0`; [`CallError::Malformed`] for a body that is not an
/// envelope.
pub fn open(body: &[u8]) -> Result<Value, CallError> {
    let v: Value = serde_json::from_slice(body).map_err(|e| {
        let head = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
        CallError::Malformed(format!("not JSON ({e}): {head}"))
    })?;
    let o = object(&v, "envelope").map_err(malformed)?;
    let code = int(o, &["code"]).map_err(malformed)?;
    if code != 0 {
        let msg = text(o, &["msg", "message"]).unwrap_or_default();
        return Err(ApiError::new(code, msg).into());
    }
    Ok(o.get("data").cloned().unwrap_or(Value::Null))
}

pub(crate) fn malformed(e: WireError) -> CallError {
    CallError::Malformed(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ApiErrorKind;

    #[test]
    fn code_as_number_or_string() {
        assert_eq!(open(br#"{"code":0,"msg":"","data":{"a":1}}"#).expect("ok")["a"], 1);
        assert_eq!(open(br#"{"code":"0","msg":"","data":[]}"#).expect("ok"), Value::Array(vec![]));
        let e = open(br#"{"code":"109421","msg":"order not exist"}"#).expect_err("err");
        assert_eq!(e.kind(), Some(ApiErrorKind::OrderNotFound));
        assert!(matches!(open(b"<html>502</html>"), Err(CallError::Malformed(m)) if m.contains("502")));
        assert!(matches!(open(br#"{"msg":"no code"}"#), Err(CallError::Malformed(m)) if m.contains("code")));
    }
}
