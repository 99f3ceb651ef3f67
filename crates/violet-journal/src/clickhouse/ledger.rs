//! The journal's view for a reconciliation, read back from `dolphin_violet`: the net
//! position per symbol from a service's fills, and its orders whose last step is not
//! terminal.

use std::collections::BTreeMap;

use violet_clickhouse::{ClickHouse, ClickHouseError, Select};
use violet_engine::execution::{OrderState, Side, UpdateKind};
use violet_venue::reconcile::{InFlight, JournalView};
use violet_venue::restart::{RecordedFill, RecordedOrder};

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

/// Run `select` (its values bound); its answer as `TabSeparated` text.
fn tsv(select: Select) -> Result<String, ClickHouseError> {
    select.fetch("TabSeparated").map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
}

fn check_source(source: &str) -> Result<(), LedgerError> {
    if source.is_empty() || !source.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
        return Err(LedgerError::Source(source.to_string()));
    }
    Ok(())
}

/// A TSV field as it was (the server escapes `\`, tab and newline).
fn unescape(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The journal's latest state of each of service `source`'s orders among `ids` (client
/// order ids: `[a-z0-9-]`); an id the journal does not hold is absent.
///
/// # Errors
/// [`LedgerError`]; an id that is not a client order id is a [`LedgerError::Row`].
pub fn order_states(ch: &ClickHouse, source: &str, ids: &[&str]) -> Result<BTreeMap<String, OrderState>, LedgerError> {
    check_source(source)?;
    let mut out = BTreeMap::new();
    for chunk in ids.chunks(500) {
        if let Some(bad) = chunk.iter().find(|i| !i.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')) {
            return Err(LedgerError::Row { table: "orders", row: (*bad).to_string() });
        }
        let rows = tsv(ch
            .select(
                "SELECT client_order_id, state FROM dolphin_violet.orders FINAL WHERE startsWith(id, ?) \
                 AND has(?, client_order_id)",
            )
            .bind(format!("{source}:order:"))
            .bind(chunk))?;
        for row in rows.lines() {
            let Some((id, state)) = row.split_once('\t') else {
                return Err(LedgerError::Row { table: "orders", row: row.to_string() });
            };
            let state =
                OrderState::parse(state).ok_or_else(|| LedgerError::Row { table: "orders", row: row.to_string() })?;
            out.insert(id.to_string(), state);
        }
    }
    Ok(out)
}

/// Every order of service `source` the journal holds with a step at or after `since_ns`:
/// its latest step and its fills (what a restart recalls instead of sending again).
///
/// # Errors
/// [`LedgerError`].
pub fn recorded_orders(ch: &ClickHouse, source: &str, since_ns: i64) -> Result<Vec<RecordedOrder>, LedgerError> {
    check_source(source)?;
    let bad = |table: &'static str, row: &str| LedgerError::Row { table, row: row.to_string() };
    let mut fills: BTreeMap<String, Vec<RecordedFill>> = BTreeMap::new();
    let rows = tsv(ch
        .select(
            "SELECT client_order_id, id, quantity, price, at_ns, visitParamExtractString(body, 'state'), \
             visitParamExtractString(body, 'what') FROM dolphin_violet.fills FINAL \
             WHERE startsWith(id, ?) AND at_ns >= ?",
        )
        .bind(format!("{source}:fill:"))
        .bind(since_ns))?;
    for row in rows.lines() {
        let f: Vec<&str> = row.split('\t').collect();
        let [cid, id, q, p, at, state, what] = f.as_slice() else { return Err(bad("fills", row)) };
        let step = id.rsplit(':').next().and_then(|s| s.parse::<u32>().ok());
        let (Some(step), Ok(quantity), Ok(price), Ok(at_ns), Some(state), Some(kind)) =
            (step, q.parse(), p.parse(), at.parse(), OrderState::parse(state), UpdateKind::parse(what))
        else {
            return Err(bad("fills", row));
        };
        fills.entry((*cid).to_string()).or_default().push(RecordedFill { step, quantity, price, at_ns, state, kind });
    }
    let rows = tsv(ch
        .select(
            "SELECT client_order_id, ifNull(venue_order_id, ''), state, step, at_ns, \
             visitParamExtractString(body, 'what'), visitParamExtractString(body, 'detail') \
             FROM dolphin_violet.orders FINAL WHERE startsWith(id, ?) AND at_ns >= ?",
        )
        .bind(format!("{source}:order:"))
        .bind(since_ns))?;
    let mut out = Vec::new();
    for row in rows.lines() {
        let f: Vec<&str> = row.split('\t').collect();
        let [cid, venue, state, step, at, what, detail] = f.as_slice() else { return Err(bad("orders", row)) };
        let (Some(state), Some(kind), Ok(step), Ok(at_ns)) =
            (OrderState::parse(state), UpdateKind::parse(what), step.parse::<u32>(), at.parse::<i64>())
        else {
            return Err(bad("orders", row));
        };
        out.push(RecordedOrder {
            client_order_id: (*cid).to_string(),
            venue_order_id: (!venue.is_empty()).then(|| unescape(venue)),
            state,
            kind,
            step,
            at_ns,
            detail: unescape(detail),
            fills: fills.remove(*cid).unwrap_or_default(),
        });
    }
    Ok(out)
}

/// Service `source`'s view: every fill it journaled (any run), summed per symbol (BUY
/// positive), and its orders whose latest step (under `FINAL`) is PENDING, SENT or ACKED.
///
/// # Errors
/// [`LedgerError`].
pub fn journal_view(ch: &ClickHouse, source: &str) -> Result<JournalView, LedgerError> {
    check_source(source)?;
    let mut positions = BTreeMap::new();
    let fills = tsv(ch
        .select(
            "SELECT symbol, side, quantity FROM dolphin_violet.fills FINAL WHERE startsWith(id, ?) ORDER BY at_ns, id",
        )
        .bind(format!("{source}:fill:")))?;
    for row in fills.lines() {
        let f: Vec<&str> = row.split('\t').collect();
        let (Some(symbol), Some(side), Some(Ok(q))) =
            (f.first(), f.get(1).and_then(|s| Side::parse(s)), f.get(2).map(|q| q.parse::<f64>()))
        else {
            return Err(LedgerError::Row { table: "fills", row: row.to_string() });
        };
        *positions.entry((*symbol).to_string()).or_insert(0.0) += side.signed(q);
    }
    let open = [OrderState::Pending, OrderState::Sent, OrderState::Acked].map(OrderState::as_str);
    let orders = tsv(ch
        .select(
            "SELECT client_order_id, symbol, side, visitParamExtractFloat(body, 'filled') \
             FROM dolphin_violet.orders FINAL WHERE startsWith(id, ?) AND has(?, state) ORDER BY client_order_id",
        )
        .bind(format!("{source}:order:"))
        .bind(&open[..]))?;
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
