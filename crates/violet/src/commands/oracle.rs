//! `violet oracle`: VIOLET's kernels behind BLUE's oracle protocol on stdin/stdout.

use std::io::{self, BufReader, BufWriter};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::config::load_blue_config;

/// Arguments of `violet oracle`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// BLUE constants as a TOML table (keys as in BLUE's config.py); default: BLUE's live
    /// settings.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

/// Run it until stdin ends.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let cfg = load_blue_config(args.config.as_deref())?;
    let input = BufReader::with_capacity(1 << 16, io::stdin().lock());
    let output = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    violet_oracle::serve(input, output, cfg)?;
    Ok(ExitCode::SUCCESS)
}
