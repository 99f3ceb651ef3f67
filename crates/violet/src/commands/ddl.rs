//! `violet ddl`: print or apply the ClickHouse DDL.

use std::process::ExitCode;

use violet_journal::clickhouse::{
    ClickHouse, DDL_DOLPHIN, DDL_DOLPHIN_VIOLET, apply_ddl, check_journal_tables, migrations_sql,
};

/// Arguments of `violet ddl`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// Print the DDL: database dolphin_violet (VIOLET's journal), its migrations, and the
    /// dolphin stand-in.
    Print,
    /// Apply the DDL to a server (every statement is IF NOT EXISTS: safe to repeat), run the
    /// migrations not yet recorded (each step only where needed), then check that every
    /// journal table has the columns this VIOLET ships (a table left by another version is
    /// named, with both column lists).
    Apply {
        /// The server's HTTP interface, e.g. http://127.0.0.1:8123.
        #[arg(long, value_name = "URL", env = "VIOLET_CLICKHOUSE_URL")]
        clickhouse_url: String,
        /// The ClickHouse user (with VIOLET_CLICKHOUSE_PASSWORD, never a flag).
        #[arg(long, value_name = "USER", env = "VIOLET_CLICKHOUSE_USER", default_value = "default")]
        user: String,
    },
}

/// Run it. Exit 0 on success, 2 when the server refuses or cannot be reached.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    match &args.action {
        Action::Print => {
            super::out(&format!("{DDL_DOLPHIN_VIOLET}\n{}\n{DDL_DOLPHIN}", migrations_sql()))?;
            Ok(ExitCode::SUCCESS)
        }
        Action::Apply { clickhouse_url, user } => {
            let mut ch = ClickHouse::new(clickhouse_url)?;
            if let Ok(pw) = std::env::var("VIOLET_CLICKHOUSE_PASSWORD") {
                ch = ch.with_credentials(user, &violet_clickhouse::Secret::new(pw));
            }
            let n = apply_ddl(&ch)?;
            check_journal_tables(&ch)?;
            eprintln!(
                "violet ddl: {n} statements applied to {}; every journal table has the columns shipped",
                ch.url()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
