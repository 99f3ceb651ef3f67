//! `violet reconcile`: the service's journal against its venue, without trading (wiring
//! only: `violet_service::reconcile` does it).

use std::path::PathBuf;
use std::process::ExitCode;

use violet_service::config::load;
use violet_service::reconcile::reconcile_once;
use violet_service::{Stop, error_chain};

/// Arguments of `violet reconcile`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The service's TOML configuration (the same file `violet run` reads): its name, data
    /// directory, ClickHouse and `[execution]` venue. Keys: VIOLET_EXCHANGE_API_KEY +
    /// VIOLET_EXCHANGE_API_SECRET, or execution.keys_file (mode 0600).
    #[arg(long, value_name = "FILE")]
    config: PathBuf,
}

/// Exit status when the journal and the venue differ in a way nothing explains.
pub const MISMATCH: u8 = 4;

/// Run it: exit 0 when the journal and the venue agree, 4 on a mismatch, 2 when it cannot
/// look (bad configuration, no keys, ClickHouse or the venue unreachable, the account in
/// the other position mode, the service running).
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let env: std::collections::BTreeMap<String, String> = std::env::vars().collect();
    let loaded = load(Some(&args.config), &env)?;
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let stop = Stop::new();
    let outcome = rt.block_on(async {
        violet_service::signals::spawn(std::sync::Arc::clone(&stop))?;
        reconcile_once(&loaded, &stop).await
    });
    match outcome {
        Ok(r) => {
            super::out(&format!(
                "reconciliation of service {:?} with {} ({} requests)\n{}",
                loaded.config.service.name,
                r.venue,
                r.requests,
                r.reconciliation.render()
            ))?;
            Ok(ExitCode::from(if r.reconciliation.passed() { 0 } else { MISMATCH }))
        }
        Err(e) => {
            eprintln!("violet reconcile: {}", error_chain(&e));
            Ok(ExitCode::from(2))
        }
    }
}
