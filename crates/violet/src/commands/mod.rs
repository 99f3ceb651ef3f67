//! One module per subcommand.
pub mod check;
pub mod oracle;
pub mod replay;
