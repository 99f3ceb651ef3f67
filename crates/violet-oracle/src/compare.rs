//! Comparing two oracle answers (the gate's and the golden tests' rule): a refusal matches a refusal; otherwise the values by JSON
//! structure, floats by bit pattern (never a tolerance).

use violet_domain::json::{JsonValue, ParseOptions, parse_owned};

/// How two answers compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Both answered `ok` with identical values.
    Same,
    /// Both refused.
    BothRefused,
    /// Anything else.
    Mismatch,
}

fn parse(answer: &str) -> Option<JsonValue> {
    parse_owned(answer.trim_end(), ParseOptions { allow_constants: true }).ok()
}

fn ok(v: &JsonValue) -> Option<bool> {
    match v.get("ok") {
        Some(JsonValue::Bool(b)) => Some(*b),
        _ => None,
    }
}

/// Compare BLUE's answer line with VIOLET's.
#[must_use]
pub fn compare(blue: &str, violet: &str) -> Verdict {
    let (Some(b), Some(v)) = (parse(blue), parse(violet)) else {
        return Verdict::Mismatch;
    };
    match (ok(&b), ok(&v)) {
        (Some(false), Some(false)) => Verdict::BothRefused,
        (Some(true), Some(true)) => match (b.get("out"), v.get("out")) {
            (Some(x), Some(y)) if x.same(y) => Verdict::Same,
            _ => Verdict::Mismatch,
        },
        _ => Verdict::Mismatch,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_compare_by_bits_and_refusals_by_kind() {
        let a = r#"{"ok": true, "out": {"x": 0.1, "n": 3}}"#;
        assert_eq!(compare(a, r#"{"ok":true,"out":{"n":3,"x":0.1}}"#), Verdict::Same);
        assert_eq!(compare(a, r#"{"ok":true,"out":{"n":3,"x":0.10000000000000002}}"#), Verdict::Mismatch);
        assert_eq!(compare(a, r#"{"ok":true,"out":{"n":3.0,"x":0.1}}"#), Verdict::Mismatch);
        assert_eq!(compare(r#"{"ok":true,"out":-0.0}"#, r#"{"ok":true,"out":0.0}"#), Verdict::Mismatch);
        assert_eq!(compare(r#"{"ok":true,"out":NaN}"#, r#"{"ok":true,"out":NaN}"#), Verdict::Same);
        assert_eq!(compare(r#"{"ok": false, "error": "a"}"#, r#"{"ok":false,"error":"b"}"#), Verdict::BothRefused);
        assert_eq!(compare(r#"{"ok": false, "error": "a"}"#, r#"{"ok":true,"out":null}"#), Verdict::Mismatch);
        assert_eq!(compare("garbage", r#"{"ok":true,"out":null}"#), Verdict::Mismatch);
    }
}
