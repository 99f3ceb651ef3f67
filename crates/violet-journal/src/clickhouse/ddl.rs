//! The DDL (`ddl/*.sql`), applied idempotently.

use violet_clickhouse::{ClickHouse, ClickHouseError};

use crate::record::RecordKind;

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

/// Apply both DDLs (every statement is `IF NOT EXISTS`: applying twice changes nothing),
/// then the migrations not yet recorded ([`super::migrate`]); returns the statements run.
///
/// # Errors
/// The first statement the server refuses or cannot be sent.
pub fn apply_ddl(ch: &ClickHouse) -> Result<usize, ClickHouseError> {
    let n = apply(ch, DDL_DOLPHIN_VIOLET)? + apply(ch, DDL_DOLPHIN)?;
    Ok(n + super::migrate::migrate(ch)?.statements)
}

/// What a journal needs before it ships: `dolphin_violet`'s DDL applied, its migrations run
/// and every journal table checked; returns the statements run.
///
/// # Errors
/// As [`check_journal_tables`].
pub fn prepare(ch: &ClickHouse) -> Result<usize, SchemaError> {
    let n = apply(ch, DDL_DOLPHIN_VIOLET)?;
    let m = super::migrate::migrate(ch)?;
    check_journal_tables(ch)?;
    Ok(n + m.statements)
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

/// A journal table whose columns are not the ones this VIOLET ships.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// The server could not be asked.
    #[error(transparent)]
    ClickHouse(#[from] ClickHouseError),
    /// The table has other columns (created by another version of VIOLET: `CREATE TABLE IF
    /// NOT EXISTS` leaves an existing table as it is).
    #[error(
        "dolphin_violet.{table} has columns ({found}) but this VIOLET ships ({expected}): it was created by another \
         version; rename or drop it (its rows stay yours to migrate), then apply the DDL again"
    )]
    Mismatch {
        /// The table.
        table: &'static str,
        /// `name Type` of each column found, in order.
        found: String,
        /// `name Type` of each column shipped, in order.
        expected: String,
    },
}

/// The columns a journal table must have, in order, as `name Type`.
fn expected_columns(kind: RecordKind) -> Vec<String> {
    kind.table_columns().into_iter().map(|(name, ty)| format!("{name} {}", ty.sql())).collect()
}

/// Check that every `dolphin_violet` journal table has the columns the journal ships, in
/// order, with their types.
///
/// # Errors
/// [`SchemaError::Mismatch`] naming the first table that differs, or the server's error.
pub fn check_journal_tables(ch: &ClickHouse) -> Result<(), SchemaError> {
    for kind in RecordKind::ALL {
        let described = ch.query(&format!("DESCRIBE TABLE dolphin_violet.{}", kind.table()))?;
        // DESCRIBE's first two fields are name and type (later servers add more fields).
        let found: Vec<String> =
            described.lines().map(|l| l.split('\t').take(2).collect::<Vec<_>>().join(" ")).collect();
        let expected = expected_columns(kind);
        if found != expected {
            return Err(SchemaError::Mismatch {
                table: kind.table(),
                found: found.join(", "),
                expected: expected.join(", "),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_statement_is_idempotent() {
        let all: Vec<String> = [DDL_DOLPHIN_VIOLET, DDL_DOLPHIN].iter().flat_map(|d| statements(d)).collect();
        assert_eq!(all.len(), 16);
        for s in &all {
            assert!(s.contains("IF NOT EXISTS"), "{s}");
            assert!(!s.contains("--"), "{s}");
        }
    }

    #[test]
    fn the_ddl_creates_every_journal_table_with_the_columns_shipped() {
        for kind in RecordKind::ALL {
            let head = format!("CREATE TABLE IF NOT EXISTS dolphin_violet.{} (", kind.table());
            let st = statements(DDL_DOLPHIN_VIOLET).into_iter().find(|s| s.starts_with(&head)).expect("a table");
            let body = &st[head.len()..st.rfind(") ENGINE").expect("engine")];
            let mut cols: Vec<String> =
                body.split(",\n").map(|c| c.split_whitespace().collect::<Vec<_>>().join(" ")).collect();
            cols.extend(super::super::migrate::added_columns(kind.table()));
            assert_eq!(cols, expected_columns(kind), "{}: the CREATE, then the migrations", kind.table());
        }
    }
}
