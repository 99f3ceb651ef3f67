//! How many threads a call asked for.

/// `requested` threads, 0 meaning one per core, between 1 and 64.
pub(crate) fn resolve(requested: usize) -> usize {
    match requested {
        0 => std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        n => n,
    }
    .clamp(1, 64)
}
