//! Choosing a simulated venue on the command line: `instant`, `scripted:FILE`,
//! `scripted-seed:N`.

use std::path::PathBuf;
use std::str::FromStr;

/// Which simulated venue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VenueSpec {
    /// The BLUE-parity venue.
    Instant,
    /// Behaviours from a script file.
    Scripted(PathBuf),
    /// Behaviours drawn from a seed.
    Seeded(u64),
}

impl FromStr for VenueSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s == "instant" {
            return Ok(Self::Instant);
        }
        if let Some(n) = s.strip_prefix("scripted-seed:") {
            return n.parse().map(Self::Seeded).map_err(|_| format!("{s:?}: the seed must be an unsigned integer"));
        }
        if let Some(p) = s.strip_prefix("scripted:").filter(|p| !p.is_empty()) {
            return Ok(Self::Scripted(PathBuf::from(p)));
        }
        Err(format!("{s:?}: expected instant, scripted:FILE or scripted-seed:N"))
    }
}

impl std::fmt::Display for VenueSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Instant => f.write_str("instant"),
            Self::Scripted(p) => write!(f, "scripted:{}", p.display()),
            Self::Seeded(n) => write!(f, "scripted-seed:{n}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_and_print_back() {
        for s in ["instant", "scripted:/tmp/v.jsonl", "scripted-seed:42"] {
            assert_eq!(s.parse::<VenueSpec>().expect(s).to_string(), s);
        }
        for bad in ["", "scripted:", "scripted-seed:x", "binance"] {
            assert!(bad.parse::<VenueSpec>().is_err(), "{bad}");
        }
    }
}
