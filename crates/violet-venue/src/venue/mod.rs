//! The venue boundary: the async `Venue` trait exchange adapters implement, its errors,
//! the observe-only guard, and the audit of every request an adapter makes.

mod api;
pub mod audit;
mod error;
mod observe_only;

pub use api::{OrderReport, OrderRequest, Venue, VenuePosition};
pub use error::{Recoverable, Unrecoverable, VenueError};
pub use observe_only::ObserveOnlyVenue;
