//! Versioned schema migrations of `dolphin_violet`, for tables a `CREATE TABLE IF NOT
//! EXISTS` leaves as they are. Each migration is a list of steps that check before they act
//! (18.16 has no `ADD COLUMN IF NOT EXISTS`: a column is added only when `system.columns`
//! lacks it), so applying one twice, or again after a crash half-way, changes nothing. A
//! migration's version is recorded in `dolphin_violet.migrations` once all its steps are
//! done. The same code path on 18.16 and on current servers.

use violet_clickhouse::{ClickHouse, ClickHouseError};

/// One step of a migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Add `column` of ClickHouse type `ty` at the end of `dolphin_violet.<table>` (new rows
    /// carry it; rows written before read as the type's default, NULL for a Nullable).
    AddColumn {
        /// The table (in `dolphin_violet`).
        table: &'static str,
        /// The column.
        column: &'static str,
        /// Its type, e.g. `Nullable(Int64)`.
        ty: &'static str,
    },
}

impl Step {
    /// The statement it runs when it has something to do.
    #[must_use]
    pub fn sql(&self) -> String {
        match self {
            Step::AddColumn { table, column, ty } => {
                format!("ALTER TABLE dolphin_violet.{table} ADD COLUMN {column} {ty}")
            }
        }
    }

    /// Whether the server already has what the step makes.
    fn done(&self, ch: &ClickHouse) -> Result<bool, ClickHouseError> {
        match self {
            Step::AddColumn { table, column, .. } => {
                let n = ch
                    .select("SELECT count() FROM system.columns WHERE database = 'dolphin_violet' AND table = ? AND name = ?")
                    .bind(*table)
                    .bind(*column)
                    .fetch("TabSeparated")?;
                Ok(String::from_utf8_lossy(&n).trim() != "0")
            }
        }
    }
}

/// A versioned migration.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// Its version: migrations run in increasing version order.
    pub version: u32,
    /// What it is for.
    pub name: &'static str,
    /// Its steps, in order.
    pub steps: &'static [Step],
}

/// Every migration, oldest first. `RecordKind::columns` lists each table's columns after all
/// of them (a test holds the DDL's `CREATE` plus these equal to it).
pub const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "V5 slots: the capital allotment of each decision",
    steps: &[
        Step::AddColumn { table: "decisions", column: "n_slots", ty: "Nullable(Int64)" },
        Step::AddColumn { table: "decisions", column: "free_slots", ty: "Nullable(Int64)" },
        Step::AddColumn { table: "decisions", column: "free_capital", ty: "Nullable(Float64)" },
        Step::AddColumn { table: "decisions", column: "allotted_capital", ty: "Nullable(Float64)" },
        Step::AddColumn { table: "decisions", column: "entry_slot", ty: "Nullable(Int64)" },
    ],
}];

/// The table of applied migrations (in `ddl/dolphin_violet.sql`).
const APPLIED: &str = "dolphin_violet.migrations";

/// What [`migrate`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Migrated {
    /// Versions recorded by this call.
    pub applied: Vec<u32>,
    /// Statements run (steps that had something to do).
    pub statements: usize,
}

/// Bring `dolphin_violet` up to the last migration: each migration not yet recorded runs
/// its steps (each only if needed), then is recorded.
///
/// # Errors
/// The server's error; the migration is then not recorded and runs again next time.
pub fn migrate(ch: &ClickHouse) -> Result<Migrated, ClickHouseError> {
    let recorded = ch.query(&format!("SELECT version FROM {APPLIED} FINAL FORMAT TabSeparated"))?;
    let recorded: Vec<u32> = recorded.lines().filter_map(|l| l.trim().parse().ok()).collect();
    let mut out = Migrated::default();
    for m in MIGRATIONS {
        if recorded.contains(&m.version) {
            continue;
        }
        for step in m.steps {
            if !step.done(ch)? {
                ch.query(&step.sql())?;
                out.statements += 1;
            }
        }
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        ch.select(&format!("INSERT INTO {APPLIED} (version, name, applied_ns, violet_version) VALUES (?, ?, ?, ?)"))
            .bind(m.version)
            .bind(m.name)
            .bind(i64::try_from(now).unwrap_or(i64::MAX))
            .bind(env!("CARGO_PKG_VERSION"))
            .fetch("TabSeparated")?;
        out.applied.push(m.version);
    }
    Ok(out)
}

/// The migrations as SQL, for `violet ddl print`: each step's statement under its
/// migration's version and name (run by `violet ddl apply` only where needed).
#[must_use]
pub fn migrations_sql() -> String {
    let mut out = String::from(
        "-- Migrations (violet ddl apply runs each step only where needed, then records the version in\n\
         -- dolphin_violet.migrations; 18.16 has no ADD COLUMN IF NOT EXISTS).\n",
    );
    for m in MIGRATIONS {
        out.push_str(&format!("\n-- {}: {}\n", m.version, m.name));
        for s in m.steps {
            out.push_str(&s.sql());
            out.push_str(";\n");
        }
    }
    out
}

/// The columns migrations add to `table`, in order, as `name Type`.
#[cfg(test)]
pub(crate) fn added_columns(table: &str) -> Vec<String> {
    MIGRATIONS
        .iter()
        .flat_map(|m| m.steps)
        .filter_map(|s| match s {
            Step::AddColumn { table: t, column, ty } if *t == table => Some(format!("{column} {ty}")),
            Step::AddColumn { .. } => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_increase_and_every_step_names_a_journal_table() {
        let versions: Vec<u32> = MIGRATIONS.iter().map(|m| m.version).collect();
        assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
        let tables: Vec<&str> = crate::RecordKind::ALL.iter().map(|k| k.table()).collect();
        for s in MIGRATIONS.iter().flat_map(|m| m.steps) {
            let Step::AddColumn { table, .. } = s;
            assert!(tables.contains(table), "{s:?}");
        }
        assert!(
            migrations_sql().contains("ALTER TABLE dolphin_violet.decisions ADD COLUMN entry_slot Nullable(Int64);")
        );
    }
}
