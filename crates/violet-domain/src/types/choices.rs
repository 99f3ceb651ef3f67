//! The enumerations of the domain: dc status, posture, exit reason, decision reason.
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

macro_rules! choice {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name { $($(#[$vm])* #[serde(rename = $s)] $v),+ }

        impl $name {
            /// Every variant, in BLUE's order.
            pub const ALL: &'static [$name] = &[$($name::$v),+];
            /// The wire spelling (BLUE's string).
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$v => $s),+ }
            }
        }

        impl FromStr for $name {
            type Err = ();
            fn from_str(s: &str) -> Result<Self, ()> {
                match s { $($s => Ok($name::$v),)+ _ => Err(()) }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

choice!(
    /// Direction confirmation of the signal.
    DcStatus {
        /// Confirms: leverage boosted by `dc_boost`.
        Confirm = "CONFIRM",
        /// Neutral: multiplier 1.
        Neutral = "NEUTRAL",
        /// Contradicts: entry vetoed.
        Contradict = "CONTRADICT",
    }
);

choice!(
    /// The system's risk posture.
    Posture {
        /// Full size.
        Apex = "APEX",
        /// Clamp leverage to `stalker_max_leverage`.
        Stalker = "STALKER",
        /// Halve the capital fraction.
        Turtle = "TURTLE",
        /// No entries.
        Hibernate = "HIBERNATE",
    }
);

choice!(
    /// Why exit v7 closed a position.
    ExitReason {
        /// Take profit.
        Tp = "TP",
        /// Stop loss.
        Sl = "SL",
        /// Held the maximum number of scans.
        MaxHold = "MAX_HOLD",
        /// vel_div turned past the exit threshold after the minimum hold.
        SignalReversal = "SIGNAL_REVERSAL",
    }
);

choice!(
    /// Why the entry decision came out as it did; first match wins, in this order.
    DecisionReason {
        /// Posture is HIBERNATE.
        PostureHibernate = "POSTURE_HIBERNATE",
        /// |vel_div| above `vel_div_abs_limit`.
        VelDivOutOfRange = "VEL_DIV_OUT_OF_RANGE",
        /// vel_div repeated `flat_scans_max` times: a stale feed.
        VelDivFlat = "VEL_DIV_FLAT",
        /// vel_div not below the threshold.
        NoSignal = "NO_SIGNAL",
        /// Direction confirmation contradicts.
        DcContradict = "DC_CONTRADICT",
        /// No asset passes the selector.
        NoEligibleAsset = "NO_ELIGIBLE_ASSET",
        /// Enter.
        Signal = "SIGNAL",
    }
);

choice!(
    /// The entry decision's action.
    Action {
        /// Enter a SHORT (if the slot is free).
        Enter = "ENTER",
        /// Do not enter.
        NoEntry = "NO_ENTRY",
    }
);
