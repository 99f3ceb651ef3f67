//! `cargo xtask faulty-oracle`: VIOLET's oracle with a deliberate one-ULP fault in every
//! K-th answer, to prove that the kernels gate fails on a faulty reference.

use std::io::{self, BufRead, BufWriter, Write};
use std::process::ExitCode;

use violet_domain::config::BlueConfig;
use violet_domain::json::{JsonValue, ParseOptions, parse_owned};
use violet_oracle::Oracle;

/// Arguments of `cargo xtask faulty-oracle`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Corrupt every K-th answer that carries a finite float (0: never).
    #[arg(long, default_value_t = 1000)]
    every: u64,
}

/// Move the first finite float of `v` by one ULP; whether one was found.
fn bump(v: &mut JsonValue) -> bool {
    match v {
        JsonValue::Float(x) if x.is_finite() => {
            *x = x.next_up();
            true
        }
        JsonValue::Array(a) => a.iter_mut().any(bump),
        JsonValue::Object(m) => m.iter_mut().any(|(_, x)| bump(x)),
        _ => false,
    }
}

/// Serve stdin to stdout.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let mut oracle = Oracle::new(BlueConfig::default());
    let stdin = io::stdin().lock();
    let mut out = BufWriter::new(io::stdout().lock());
    let mut n = 0u64;
    let mut answer = String::new();
    for line in stdin.split(b'\n') {
        let line = line?;
        answer.clear();
        if !oracle.answer(&line, &mut answer) {
            continue;
        }
        n += 1;
        if args.every > 0
            && n.is_multiple_of(args.every)
            && let Ok(mut v) = parse_owned(&answer, ParseOptions { allow_constants: true })
            && let Some(JsonValue::Bool(true)) = v.get("ok")
            && let JsonValue::Object(m) = &mut v
            && m.iter_mut().any(|(k, x)| k == "out" && bump(x))
        {
            answer = v.to_string();
        }
        out.write_all(answer.as_bytes())?;
        out.write_all(b"\n")?;
        out.flush()?;
    }
    Ok(ExitCode::SUCCESS)
}
