//! One module per subcommand.

/// Exit status: records left in a spool when the ship timeout ran out (all durable there;
/// the next run with the same spool ships them).
pub const SHIP_PENDING: u8 = 5;
pub mod check;
pub mod ddl;
pub mod oracle;
pub mod reconcile;
pub mod replay;
pub mod run;
pub mod sweep;
pub mod venue;

/// Write `text` to stdout and flush it. A reader that went away (`| head`) is an
/// `io::ErrorKind::BrokenPipe` error: `main` ends quietly with status 0 on it.
///
/// # Errors
/// The write's error.
pub fn out(text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()
}
