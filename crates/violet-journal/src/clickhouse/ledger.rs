//! The journal's view for a reconciliation, read back from `dolphin_violet`: the net
//! position per symbol from a service's fills, and its orders whose last step is not
//! terminal.

use std::collections::BTreeMap;

use violet_clickhouse::{ClickHouse, ClickHouseError};
use violet_engine::execution::{OrderState, Side};
use violet_venue::reconcile::{InFlight, JournalView};

/// The journal could not be read back.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// The server's error.
    #[error(transparent)]
    ClickHouse(#[from] ClickHouseError),
    /// A source name that cannot be put in a query as it is.
    #[error("source {0:?}: only letters, digits, '-', '_' and '.' can be read back")]
    Source(String),
    /// A row that does not parse.
    #[error("dolphin_violet.{table}: unreadable row {row:?}")]
    Row {
        /// The table.
        table: &'static str,
        /// The row as the server sent it.
        row: String,
    },
}

/// Service `source`'s view: every fill it journaled (any run), summed per symbol (BUY
/// positive), and its orders whose latest step (under `FINAL`) is PENDING, SENT or ACKED.
///
/// # Errors
/// [`LedgerError`].
pub fn journal_view(ch: &ClickHouse, source: &str) -> Result<JournalView, LedgerError> {
    if source.is_empty() || !source.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
        return Err(LedgerError::Source(source.to_string()));
    }
    let mut positions = BTreeMap::new();
    let fills = ch.query(&format!(
        "SELECT symbol, side, quantity FROM dolphin_violet.fills FINAL WHERE startsWith(id, '{source}:fill:') \
         ORDER BY at_ns, id FORMAT TSV"
    ))?;
    for row in fills.lines() {
        let f: Vec<&str> = row.split('\t').collect();
        let (Some(symbol), Some(side), Some(Ok(q))) =
            (f.first(), f.get(1).and_then(|s| Side::parse(s)), f.get(2).map(|q| q.parse::<f64>()))
        else {
            return Err(LedgerError::Row { table: "fills", row: row.to_string() });
        };
        *positions.entry((*symbol).to_string()).or_insert(0.0) += side.signed(q);
    }
    let open: Vec<String> = [OrderState::Pending, OrderState::Sent, OrderState::Acked]
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    let orders = ch.query(&format!(
        "SELECT client_order_id, symbol, side, visitParamExtractFloat(body, 'filled') FROM dolphin_violet.orders FINAL \
         WHERE startsWith(id, '{source}:order:') AND state IN ({}) ORDER BY client_order_id FORMAT TSV",
        open.join(", ")
    ))?;
    let mut in_flight = Vec::new();
    for row in orders.lines() {
        let f: Vec<&str> = row.split('\t').collect();
        let (Some(id), Some(symbol), Some(side), Some(Ok(filled))) =
            (f.first(), f.get(1), f.get(2).and_then(|s| Side::parse(s)), f.get(3).map(|q| q.parse::<f64>()))
        else {
            return Err(LedgerError::Row { table: "orders", row: row.to_string() });
        };
        in_flight.push(InFlight {
            client_order_id: (*id).to_string(),
            symbol: (*symbol).to_string(),
            side,
            journaled: side.signed(filled),
        });
    }
    Ok(JournalView { positions, in_flight })
}
