//! One module per subcommand.
pub mod check;
pub mod ddl;
pub mod oracle;
pub mod reconcile;
pub mod replay;
pub mod run;
pub mod venue;
