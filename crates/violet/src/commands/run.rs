//! `violet run`: the observe-only DARK service (wiring only: `violet-service` runs it).

use std::path::PathBuf;
use std::process::ExitCode;

use violet_service::config::{Loaded, env_vars, load};
use violet_service::{RunStart, ServiceError, Stop, error_chain, run as run_service};

/// Arguments of `violet run`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The TOML configuration (see deploy/violet.example.toml). Every key can be overridden
    /// by VIOLET_<SECTION>_<KEY> (e.g. VIOLET_FEED_POLL_INTERVAL_MS=100); the database
    /// password comes from VIOLET_CLICKHOUSE_PASSWORD or clickhouse.password_file (mode 0600).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Arm execution (as execution.armed = true): orders go to [execution] venue (bingx-vst
    /// by default; bingx-live also needs VIOLET_CONFIRM_LIVE=yes; base_url for the
    /// simulator). Needs exchange keys (VIOLET_EXCHANGE_API_KEY + VIOLET_EXCHANGE_API_SECRET,
    /// or execution.keys_file, mode 0600). Before the first order the journal is reconciled
    /// with the venue: anything unexplained refuses the start with exit 4, no order sent.
    /// Only decisions on events after the start are sent.
    #[arg(long)]
    arm: bool,
    /// Print the configuration in effect (file + environment; no secrets) and every
    /// environment variable it reads, then exit.
    #[arg(long)]
    print_config: bool,
}

fn print_config(loaded: &Loaded) -> anyhow::Result<()> {
    use std::fmt::Write as _;
    let mut s = format!("{}\n", toml::to_string(&loaded.config)?);
    let _ = writeln!(s, "# password: {}", if loaded.password.is_some() { "set (not shown)" } else { "none" });
    let _ = writeln!(s, "# exchange keys: {}", if loaded.keys.is_some() { "present (not shown)" } else { "none" });
    s.push_str("# environment overrides:\n");
    for (var, key) in env_vars() {
        let _ = writeln!(s, "#   {var} -> {key}");
    }
    super::out(&s)?;
    Ok(())
}

/// Run it. Exit 0 after a graceful stop with everything shipped; 2 on a bad configuration,
/// a spool that cannot be used or written (named), or a stop before ClickHouse ever
/// answered; 4 when an armed start's reconciliation or take-over refused; 5 when records
/// were left in the spool; 143 on a second signal.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let env: std::collections::BTreeMap<String, String> = std::env::vars().collect();
    let mut loaded = load(args.config.as_deref(), &env)?;
    loaded.config.execution.armed |= args.arm;
    if args.print_config {
        print_config(&loaded)?;
        return Ok(ExitCode::SUCCESS);
    }
    let service = &loaded.config.service;
    let start = RunStart::now(&service.name);
    violet_service::logs::init(&service.log_level, service.log_format, &start.run_id).map_err(anyhow::Error::msg)?;
    match run_service(&loaded, Stop::new(), &start) {
        Ok(_) => Ok(ExitCode::SUCCESS),
        Err(e @ ServiceError::Config(_)) => Err(e.into()),
        Err(ServiceError::Unreconciled(why)) => {
            eprintln!("violet run: {why}");
            Ok(ExitCode::from(super::reconcile::MISMATCH))
        }
        Err(ServiceError::Ship(e)) if e.leaves_records() => {
            tracing::error!(
                error = %error_chain(&e),
                "stopped with records still in the spool (all durable): they ship at the next start"
            );
            Ok(ExitCode::from(super::SHIP_PENDING))
        }
        // The spool unusable or unwritable (a full disk, permissions: the error names the
        // path), or stopped before ClickHouse ever answered: the environment's, not VIOLET's.
        Err(e) => {
            tracing::error!(error = %error_chain(&e), "violet run failed");
            Ok(ExitCode::from(2))
        }
    }
}
