//! The venue boundary: the async `Venue` trait exchange adapters implement, its errors,
//! and the observe-only guard.

mod api;
mod error;
mod observe_only;

pub use api::{OrderReport, OrderRequest, Venue, VenuePosition};
pub use error::{Recoverable, Unrecoverable, VenueError};
pub use observe_only::ObserveOnlyVenue;
