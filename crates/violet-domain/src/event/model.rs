//! The decoded events: every field refined.

use crate::types::{
    AcbBeta, AcbBoost, DcStatus, EsofScore, McScale, ObConsensus, Posture, Price, Return, ScanNumber, Symbol, TsNs,
    VelDiv, Volatility,
};

/// A field of an asset validated at decode and converted to a float when it is used: a
/// scan carries dozens of assets and the engine reads a few of them (the held symbol's
/// price; ret and vol only when an entry reaches the selector).
macro_rules! lazy_field {
    ($(#[$doc:meta])* $name:ident, $repr:ident, $ty:ty, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name<'a>($repr<'a>);

        #[derive(Debug, Clone, Copy)]
        enum $repr<'a> {
            Value($ty),
            /// A number token known to convert to a valid value (see `event::fast`).
            Token(&'a str, bool),
        }

        impl<'a> $name<'a> {
            /// A value already converted.
            #[must_use]
            pub fn new(v: $ty) -> Self {
                Self($repr::Value(v))
            }

            /// A number token (`is_int`: an integer token) whose value is known valid.
            pub(crate) fn validated_token(text: &'a str, is_int: bool) -> Self {
                Self($repr::Token(text, is_int))
            }

            /// The value.
            #[inline]
            #[must_use]
            pub fn get(&self) -> $ty {
                match self.0 {
                    $repr::Value(v) => v,
                    $repr::Token(text, is_int) => crate::json::token_f64(text, is_int)
                        .ok()
                        .and_then(|x| <$ty>::try_new(x).ok())
                        .unwrap_or_else(|| unreachable!("{} token {text:?} was validated at decode", $what)),
                }
            }
        }

        impl PartialEq for $name<'_> {
            fn eq(&self, other: &Self) -> bool {
                self.get().into_inner().to_bits() == other.get().into_inner().to_bits()
            }
        }

        impl From<$ty> for $name<'_> {
            fn from(v: $ty) -> Self {
                Self::new(v)
            }
        }
    };
}

lazy_field!(
    /// An asset's price: finite, > 0.
    AssetPrice,
    PriceRepr,
    Price,
    "price"
);
lazy_field!(
    /// An asset's return: finite.
    AssetReturn,
    ReturnRepr,
    Return,
    "ret"
);
lazy_field!(
    /// An asset's volatility: finite, >= 0.
    AssetVolatility,
    VolatilityRepr,
    Volatility,
    "vol"
);

/// One asset of a scan.
#[derive(Debug, Clone, PartialEq)]
pub struct Asset<'a> {
    /// The asset's symbol.
    pub symbol: Symbol<'a>,
    /// Last price.
    pub price: AssetPrice<'a>,
    /// Return over the scan window.
    pub ret: AssetReturn<'a>,
    /// Volatility over the scan window.
    pub vol: AssetVolatility<'a>,
}

/// An eigen scan.
#[derive(Debug, Clone, PartialEq)]
pub struct Scan<'a> {
    /// Strictly increasing across accepted scans.
    pub scan_number: ScanNumber,
    /// Carried, never used for decisions.
    pub ts_ns: TsNs,
    /// The entry signal.
    pub vel_div: VelDiv,
    /// The assets, in input order, symbols unique.
    pub assets: Vec<Asset<'a>>,
}

impl Scan<'_> {
    /// The price of the first asset named `symbol` (BLUE's `Scan.price_of`).
    #[must_use]
    pub fn price_of(&self, symbol: &str) -> Option<Price> {
        self.assets.iter().find(|a| a.symbol.as_str() == symbol).map(|a| a.price.get())
    }
}

/// A factor snapshot: replaces the current one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Factors {
    /// Carried, never used for decisions.
    pub ts_ns: TsNs,
    /// ACB boost.
    pub acb_boost: AcbBoost,
    /// ACB beta.
    pub acb_beta: AcbBeta,
    /// Monte-Carlo scale.
    pub mc_scale: McScale,
    /// EsoF score.
    pub esof_score: EsofScore,
    /// Order-book consensus.
    pub ob_consensus: ObConsensus,
    /// Direction confirmation.
    pub dc_status: DcStatus,
    /// Posture.
    pub posture: Posture,
}

impl Factors {
    /// BLUE's `NEUTRAL_FACTORS`, in force before the first factors event.
    #[must_use]
    pub fn neutral() -> Self {
        let ok = "constant in range";
        Self {
            ts_ns: TsNs::new(0),
            acb_boost: AcbBoost::try_new(1.0).expect(ok),
            acb_beta: AcbBeta::try_new(0.0).expect(ok),
            mc_scale: McScale::try_new(1.0).expect(ok),
            esof_score: EsofScore::try_new(0.0).expect(ok),
            ob_consensus: ObConsensus::try_new(0.0).expect(ok),
            dc_status: DcStatus::Neutral,
            posture: Posture::Apex,
        }
    }
}

/// A price update between scans.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick<'a> {
    /// Carried.
    pub ts_ns: TsNs,
    /// The asset.
    pub symbol: Symbol<'a>,
    /// Its price.
    pub price: Price,
}

/// One event of the stream.
#[derive(Debug, Clone, PartialEq)]
pub enum Event<'a> {
    /// An eigen scan.
    Scan(Scan<'a>),
    /// A factor snapshot.
    Factors(Factors),
    /// A price tick.
    Tick(Tick<'a>),
}

impl Event<'_> {
    /// When it happened (unix ns).
    #[must_use]
    pub fn ts_ns(&self) -> i64 {
        match self {
            Event::Scan(e) => e.ts_ns.into_inner(),
            Event::Factors(e) => e.ts_ns.into_inner(),
            Event::Tick(e) => e.ts_ns.into_inner(),
        }
    }
}
