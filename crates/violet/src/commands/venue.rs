//! `violet venue check`: connect to BingX (or the simulator) read-only and print the account.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use violet_bingx::{BingxConfig, Host, PositionMode};
use violet_venue::arming::{ApiKeys, KEY_ENV, SECRET_ENV};

/// Arguments of `violet venue`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Mode {
    Hedge,
    OneWay,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// Connect read-only and print server time offset, position mode, tradable contracts,
    /// balance, positions and open orders as JSON. Sends no order and changes nothing.
    /// Keys: VIOLET_EXCHANGE_API_KEY + VIOLET_EXCHANGE_API_SECRET, or --keys-file (0600).
    /// Exit 0 when the account is reachable and in the expected position mode, 2 otherwise.
    Check {
        /// vst (BingX's demo exchange, the default), live (real money), or a base URL such
        /// as http://127.0.0.1:8931 (the simulator).
        #[arg(long, default_value = "vst")]
        host: String,
        /// The position mode the account must be in.
        #[arg(long, value_enum, default_value = "hedge")]
        mode: Mode,
        /// recvWindow in ms.
        #[arg(long, default_value_t = 5000)]
        recv_window_ms: u64,
        /// The keys file (when the environment variables are not set).
        #[arg(long)]
        keys_file: Option<PathBuf>,
    },
}

/// Run it.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let Action::Check { host, mode, recv_window_ms, keys_file } = &args.action;
    let host = match host.as_str() {
        "vst" => Host::Vst,
        "live" => Host::Live,
        url if url.starts_with("http://") || url.starts_with("https://") => Host::Custom(url.to_string()),
        other => anyhow::bail!("--host {other:?}: expected vst, live or a base URL (http://127.0.0.1:8931)"),
    };
    let env: BTreeMap<String, String> = std::env::vars().collect();
    let keys = ApiKeys::load(&env, keys_file.as_deref()).context("reading the exchange keys")?.with_context(|| {
        format!("no exchange keys: set {KEY_ENV} and {SECRET_ENV}, or pass --keys-file (mode 0600)")
    })?;
    let config = BingxConfig {
        host,
        position_mode: match mode {
            Mode::Hedge => PositionMode::Hedge,
            Mode::OneWay => PositionMode::OneWay,
        },
        recv_window: Duration::from_millis(*recv_window_ms),
        ..BingxConfig::default()
    };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting the runtime")?;
    match rt.block_on(violet_bingx::check::account_check(config, &keys)) {
        Ok(report) => {
            super::out(&format!("{}\n", serde_json::to_string_pretty(&report).unwrap_or_default()))?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("violet venue check: {e}");
            Ok(ExitCode::from(2))
        }
    }
}
