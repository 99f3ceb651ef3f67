//! `violet-bingx-sim`: a local exchange speaking BingX's protocol, for rehearsals.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context as _, bail};
use clap::{Parser, ValueEnum};
use violet_bingx_sim::{SimConfig, SimContract, Simulator};
use violet_venue::arming::{ApiKeys, KEY_ENV, SECRET_ENV};
use violet_venue::contracts::Contracts;

/// Position mode of the simulated account.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Mode {
    /// LONG and SHORT positions apart (BingX's dual side).
    Hedge,
    /// One net position per symbol.
    OneWay,
}

/// A local exchange that speaks BingX's USDT-M perpetual REST v2 protocol on 127.0.0.1:
/// signatures checked over the exact string received, orders, positions and balance kept,
/// MARKET orders filled at the prices it is given, faults on demand. Point the adapter at
/// it with its base URL. It never talks to BingX.
///
/// Keys: VIOLET_EXCHANGE_API_KEY and VIOLET_EXCHANGE_API_SECRET (the pair the adapter
/// reads), or --keys-file (mode 0600: key, then secret). Control while it runs (curl -X POST):
///   /sim/price?symbol=BTC-USDT&price=43000
///   /sim/fault?kind=429|busy|code|drop|504|delay|late|partial|processing&target=place|query|cancel|any&times=1&ms=..&fraction=..&code=..&msg=..
///   /sim/skew?ms=-3000            /sim/position?symbol=BTC-USDT&side=SHORT&qty=0.5&price=43000
///   /sim/clear (faults)           GET /sim/state
#[derive(Debug, Parser)]
#[command(name = "violet-bingx-sim", version, verbatim_doc_comment)]
struct Args {
    /// Address to listen on (loopback only).
    #[arg(long, default_value = "127.0.0.1:8931")]
    listen: SocketAddr,
    /// Position mode of the account.
    #[arg(long, value_enum, default_value = "hedge")]
    mode: Mode,
    /// Starting balance (USDT; reported as asset VST, as the demo exchange does).
    #[arg(long, default_value_t = 10_000.0)]
    balance: f64,
    /// A price, SYMBOL=PRICE (BTC-USDT=43000 or BTCUSDT=43000); repeatable.
    #[arg(long = "price", value_name = "SYMBOL=PRICE")]
    prices: Vec<String>,
    /// A file of prices, one `SYMBOL PRICE` (or `SYMBOL,PRICE`) a line; `#` comments.
    #[arg(long)]
    price_file: Option<PathBuf>,
    /// Contract specs in VIOLET's contracts.json layout (default: the bundled file).
    #[arg(long)]
    contracts: Option<PathBuf>,
    /// The keys file (used when the environment variables are not set).
    #[arg(long)]
    keys_file: Option<PathBuf>,
}

fn venue_symbol(s: &str) -> anyhow::Result<String> {
    if s.contains('-') {
        return Ok(s.to_string());
    }
    match s.strip_suffix("USDT") {
        Some(base) if !base.is_empty() => Ok(format!("{base}-USDT")),
        _ => bail!("symbol {s:?}: expected BTC-USDT or BTCUSDT"),
    }
}

fn price_line(line: &str, origin: &str) -> anyhow::Result<Option<(String, f64)>> {
    let line = line.split('#').next().unwrap_or("").trim();
    if line.is_empty() {
        return Ok(None);
    }
    let mut parts = line.split(|c: char| c == '=' || c == ',' || c.is_whitespace()).filter(|s| !s.is_empty());
    let (Some(symbol), Some(price), None) = (parts.next(), parts.next(), parts.next()) else {
        bail!("{origin}: {line:?}: expected SYMBOL PRICE");
    };
    let price: f64 = price.parse().with_context(|| format!("{origin}: {line:?}: price is not a number"))?;
    if !(price.is_finite() && price > 0.0) {
        bail!("{origin}: {line:?}: price must be positive");
    }
    Ok(Some((venue_symbol(symbol).with_context(|| origin.to_string())?, price)))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt().with_writer(std::io::stderr).init();
    let args = Args::parse();
    let env: BTreeMap<String, String> = std::env::vars().collect();
    let keys = ApiKeys::load(&env, args.keys_file.as_deref())
        .context("reading the simulator's keys")?
        .with_context(|| format!("no keys: set {KEY_ENV} and {SECRET_ENV}, or pass --keys-file (mode 0600)"))?;
    let contracts = match &args.contracts {
        Some(p) => Contracts::from_file(p)?,
        None => Contracts::bundled(),
    };
    let mut listed = BTreeMap::new();
    for (symbol, c) in contracts.listed() {
        listed.insert(
            venue_symbol(symbol)?,
            SimContract {
                quantity_precision: u32::try_from(c.quantity_precision.into_inner()).unwrap_or(0),
                min_qty: c.min_qty,
                min_notional: c.min_notional,
                max_leverage: c.max_leverage.into_inner(),
                ..SimContract::default()
            },
        );
    }
    let mut prices = BTreeMap::new();
    for p in &args.prices {
        if let Some((s, x)) = price_line(p, "--price")? {
            prices.insert(s, x);
        }
    }
    if let Some(path) = &args.price_file {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        for (n, line) in text.lines().enumerate() {
            if let Some((s, x)) = price_line(line, &format!("{}:{}", path.display(), n + 1))? {
                prices.insert(s, x);
            }
        }
    }
    let config = SimConfig {
        api_key: keys.key().expose().to_string(),
        secret: keys.secret().expose().to_string(),
        dual_side: matches!(args.mode, Mode::Hedge),
        balance: args.balance,
        contracts: listed,
        prices,
    };
    let sim = Simulator::start(config, args.listen).await.with_context(|| format!("listening on {}", args.listen))?;
    println!("violet-bingx-sim: BingX protocol on {} ({:?} mode); Ctrl-C stops it", sim.url(), args.mode);
    tokio::signal::ctrl_c().await.context("waiting for Ctrl-C")?;
    sim.stop();
    Ok(())
}
