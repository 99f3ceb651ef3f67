//! Integers that cross the boundary: scan numbers, timestamps, bars held.
use nutype::nutype;

/// A scan number: 0 ..= `i64::MAX`.
#[nutype(
    validate(greater_or_equal = 0),
    derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Into, AsRef, Display)
)]
pub struct ScanNumber(i64);

/// An event timestamp in unix nanoseconds: any i64. Carried, never used for decisions:
/// timestamps may repeat or go backwards.
#[nutype(derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    Into,
    AsRef,
    Display,
    From
))]
pub struct TsNs(i64);

/// Scans a position has been held: unsigned, so a negative count cannot exist.
#[nutype(
    default = 0,
    derive(
        Debug,
        Clone,
        Copy,
        PartialEq,
        Eq,
        PartialOrd,
        Ord,
        Hash,
        Serialize,
        Deserialize,
        Into,
        AsRef,
        Display,
        From,
        Default
    )
)]
pub struct BarsHeld(u64);

impl BarsHeld {
    /// One more scan held (saturating: a position cannot live 2^64 scans).
    #[must_use]
    pub fn incremented(self) -> Self {
        Self::new(self.into_inner().saturating_add(1))
    }
}
