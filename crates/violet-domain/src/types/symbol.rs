//! Symbols: non-empty strings.
use std::borrow::Cow;
use std::fmt;

use nutype::nutype;

/// An owned symbol name: non-empty. Used where a symbol outlives its input line
/// (an open position, configuration).
#[nutype(
    validate(not_empty),
    derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, AsRef, Display, Deref)
)]
pub struct SymbolName(String);

/// A symbol borrowed from its input line when it holds no escape: non-empty.
///
/// The borrowed twin of [`SymbolName`] (nutype cannot carry a lifetime): the field is
/// private and [`Symbol::try_new`] is the only way in, so an empty symbol is
/// unrepresentable here too.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Symbol<'a>(Cow<'a, str>);

/// An empty symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("symbol must be a non-empty string")]
pub struct EmptySymbol;

impl<'a> Symbol<'a> {
    /// Refine a string into a symbol.
    ///
    /// # Errors
    /// [`EmptySymbol`] for `""`.
    pub fn try_new(s: impl Into<Cow<'a, str>>) -> Result<Self, EmptySymbol> {
        let s = s.into();
        if s.is_empty() { Err(EmptySymbol) } else { Ok(Self(s)) }
    }

    /// The symbol text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// An owned copy.
    #[must_use]
    pub fn to_name(&self) -> SymbolName {
        // Non-empty by construction, so the refinement cannot fail.
        SymbolName::try_new(self.0.to_string()).unwrap_or_else(|_| unreachable!("non-empty"))
    }
}

impl fmt::Display for Symbol<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Symbol<'_> {
    fn as_ref(&self) -> &str {
        &self.0
    }
}
