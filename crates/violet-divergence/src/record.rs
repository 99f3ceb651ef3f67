//! Trade events read back as records.

use violet_domain::json::{JsonValue, ParseOptions, parse_owned};

/// One trade event (ENTRY or EXIT) with its position in its file.
#[derive(Debug, Clone)]
pub struct TradeRecord {
    /// 1-based line in its file.
    pub line: usize,
    /// `"ENTRY"` or `"EXIT"`.
    pub event: String,
    /// The scan it happened on.
    pub scan_number: i64,
    /// Every field.
    pub value: JsonValue,
}

impl TradeRecord {
    /// The matching key: (scan number, EXIT before ENTRY).
    #[must_use]
    pub fn key(&self) -> (i64, u8) {
        (self.scan_number, if self.event == "EXIT" { 0 } else { 1 })
    }

    /// A float field.
    #[must_use]
    pub fn float(&self, k: &str) -> Option<f64> {
        match self.value.get(k) {
            Some(JsonValue::Float(x)) => Some(*x),
            _ => None,
        }
    }
}

/// A trade-event line that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {what}")]
pub struct ParseError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub what: String,
}

/// Read trade events (JSON lines; blank lines skipped).
///
/// # Errors
/// The first line that is not a trade event with `event` and an integer `scan_number`.
pub fn parse_trades(text: &str) -> Result<Vec<TradeRecord>, ParseError> {
    let mut out = Vec::new();
    for (i, l) in text.lines().enumerate() {
        let line = i + 1;
        if l.trim().is_empty() {
            continue;
        }
        let value = parse_owned(l.trim(), ParseOptions { allow_constants: true })
            .map_err(|e| ParseError { line, what: format!("not JSON: {e}") })?;
        let event = match value.get("event") {
            Some(JsonValue::Str(s)) if s == "ENTRY" || s == "EXIT" => s.clone(),
            _ => {
                return Err(ParseError { line, what: "no \"event\": \"ENTRY\" | \"EXIT\"".into() });
            }
        };
        let scan_number = match value.get("scan_number") {
            Some(JsonValue::Int(t)) => {
                t.parse().map_err(|_| ParseError { line, what: "scan_number out of range".into() })?
            }
            _ => {
                return Err(ParseError { line, what: "no integer \"scan_number\"".into() });
            }
        };
        out.push(TradeRecord { line, event, scan_number, value });
    }
    Ok(out)
}
