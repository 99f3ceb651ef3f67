//! The line protocol: decode, handle, answer.

use std::io::{self, BufRead, Write};

use violet_domain::config::BlueConfig;
use violet_domain::event::trim_line;
use violet_domain::json::{ObjectWriter, ParseOptions, Parser, write_str};

use crate::fns::handle;

/// An oracle: a configuration and a reusable parser.
#[derive(Debug)]
pub struct Oracle {
    cfg: BlueConfig,
    parser: Parser,
}

impl Oracle {
    /// An oracle answering with `cfg`.
    #[must_use]
    pub fn new(cfg: BlueConfig) -> Self {
        Self { cfg, parser: Parser::new(ParseOptions::default()) }
    }

    /// Answer one raw request line (with or without its LF): append the answer line
    /// (without LF) to `out` and return `true`, or return `false` for a blank line or a
    /// `null` request (BLUE answers neither).
    pub fn answer(&mut self, raw: &[u8], out: &mut String) -> bool {
        let Ok(text) = std::str::from_utf8(trim_line(raw)) else {
            refusal(out, "line is not valid UTF-8");
            return true;
        };
        if text.is_empty() {
            return false;
        }
        let doc = match self.parser.parse(text) {
            Ok(doc) => doc,
            Err(e) => {
                refusal(out, &format!("not JSON: {e}"));
                return true;
            }
        };
        if doc.root().is_null() {
            // BLUE's oracle skips a request that decodes to None: `null` gets no answer,
            // exactly like a blank line.
            return false;
        }
        let mark = out.len();
        out.push_str(r#"{"ok":true,"out":"#);
        match handle(doc.root(), &self.cfg, out) {
            Ok(()) => out.push('}'),
            Err(r) => {
                out.truncate(mark);
                refusal(out, &r.0);
            }
        }
        true
    }
}

fn refusal(out: &mut String, msg: &str) {
    let mut w = ObjectWriter::new(out);
    w.raw("ok", "false");
    write_str(w.key("error"), msg);
    w.finish();
}

/// Serve the protocol: read requests from `input` until EOF, write one answer line per
/// non-blank request to `output`, flushing after each (a caller may wait for each answer).
///
/// # Errors
/// An I/O error reading or writing.
pub fn serve<R: BufRead, W: Write>(mut input: R, mut output: W, cfg: BlueConfig) -> io::Result<()> {
    let mut oracle = Oracle::new(cfg);
    let mut line = Vec::with_capacity(4096);
    let mut out = String::with_capacity(4096);
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        out.clear();
        if oracle.answer(&line, &mut out) {
            out.push('\n');
            output.write_all(out.as_bytes())?;
            output.flush()?;
        }
    }
}
