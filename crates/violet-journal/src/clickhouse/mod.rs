//! ClickHouse over its HTTP interface: a minimal HTTP/1.0 client (one request per
//! connection; no TLS: loopback and private networks only) and the DDL.

mod ddl;
mod http;
mod local;
mod ship;

pub use ddl::{DDL_DOLPHIN, DDL_DOLPHIN_VIOLET, apply_ddl, statements};
pub use http::{ClickHouse, ClickHouseError};
pub use local::{LocalServer, LocalServerError, SERVER_BINARY};
pub use ship::{ClickHouseJournal, ShipStats};
