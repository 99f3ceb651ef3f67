//! `violet check`: validate a stream, count it as BLUE's trader does.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use violet_domain::event::check_stream;
use violet_domain::json::ObjectWriter;

use violet_service::replay::{create_output, open_events};

/// Arguments of `violet check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Event stream (JSON lines); `-` for stdin. Default: the bundled fixture stream.
    #[arg(long, value_name = "FILE|-")]
    events: Option<PathBuf>,
    /// Write each rejection as a JSON line {"line","field","code","rule"} here instead of
    /// human-readable lines on stderr.
    #[arg(long, value_name = "FILE")]
    rejections_out: Option<PathBuf>,
}

/// Run it.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let input = open_events(args.events.as_deref()).map_err(anyhow::Error::msg)?;
    let counts = if let Some(path) = &args.rejections_out {
        let mut out = create_output(path).map_err(anyhow::Error::msg)?;
        let counts = check_stream(input, |r| writeln!(out, "{}", r.to_json()))?;
        out.flush()?;
        counts
    } else {
        let stderr = io::stderr();
        let mut err = stderr.lock();
        check_stream(input, |r| writeln!(err, "rejected: {r}"))?
    };
    let mut s = String::new();
    let mut w = ObjectWriter::new(&mut s);
    w.int("scans", counts.scans).int("ticks", counts.ticks).int("rejected", counts.rejected);
    w.finish();
    s.push('\n');
    super::out(&s)?;
    Ok(ExitCode::SUCCESS)
}
