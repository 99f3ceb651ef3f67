//! Every request and its outcome, with its latency, for the audit of a live day: the
//! venue-neutral record of `violet_venue::venue::audit`, which the journal keeps
//! (`dolphin_violet.venue_requests`). Never a secret: the API key travels in a header that
//! is not recorded, and the signature is cut from the parameters recorded.

pub use violet_venue::venue::audit::{
    ChannelJournal, HttpMethod, LogJournal, MemoryJournal, RequestJournal, RequestOutcome, RequestRecord,
};
