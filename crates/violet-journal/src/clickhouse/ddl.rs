//! The DDL (`ddl/*.sql`), applied idempotently.

use violet_clickhouse::{ClickHouse, ClickHouseError};

/// VIOLET's database.
pub const DDL_DOLPHIN_VIOLET: &str = include_str!("../../../../ddl/dolphin_violet.sql");
/// The stand-in for BLUE's production tables.
pub const DDL_DOLPHIN: &str = include_str!("../../../../ddl/dolphin.sql");

/// The statements of a DDL text (comments dropped, split at `;`).
#[must_use]
pub fn statements(ddl: &str) -> Vec<String> {
    let no_comments: String =
        ddl.lines().map(|l| l.split("--").next().unwrap_or_default()).collect::<Vec<_>>().join("\n");
    no_comments.split(';').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

/// Apply both DDLs (every statement is `IF NOT EXISTS`: applying twice changes nothing).
///
/// # Errors
/// The first statement the server refuses or cannot be sent.
pub fn apply_ddl(ch: &ClickHouse) -> Result<usize, ClickHouseError> {
    Ok(apply(ch, DDL_DOLPHIN_VIOLET)? + apply(ch, DDL_DOLPHIN)?)
}

/// Apply the statements of one DDL text; returns how many.
///
/// # Errors
/// The first statement the server refuses or cannot be sent.
pub fn apply(ch: &ClickHouse, ddl: &str) -> Result<usize, ClickHouseError> {
    let all = statements(ddl);
    for st in &all {
        ch.query(st)?;
    }
    Ok(all.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_statement_is_idempotent() {
        let all: Vec<String> = [DDL_DOLPHIN_VIOLET, DDL_DOLPHIN].iter().flat_map(|d| statements(d)).collect();
        assert_eq!(all.len(), 12);
        for s in &all {
            assert!(s.contains("IF NOT EXISTS"), "{s}");
            assert!(!s.contains("--"), "{s}");
        }
    }
}
