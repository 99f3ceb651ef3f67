//! The journal's ClickHouse side: the DDL, its migrations and the shipper (the client itself is
//! `violet-clickhouse`, re-exported here).

mod ddl;
mod ledger;
mod migrate;
mod rows;
mod ship;

pub use ddl::{
    DDL_DOLPHIN, DDL_DOLPHIN_VIOLET, SchemaError, apply, apply_ddl, check_journal_tables, prepare, statements,
};
pub use ledger::{LedgerError, journal_view, order_states, recorded_orders};
pub use migrate::{MIGRATIONS, Migrated, Migration, Step, migrate, migrations_sql};
pub use ship::{Backlog, ClickHouseJournal, ShipError, ShipStats, Spool};
pub use violet_clickhouse::{ClickHouse, ClickHouseError};
