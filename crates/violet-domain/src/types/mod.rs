//! Refined domain types: every input value that crosses a boundary is one of these,
//! validated once at the source. Values BLUE *computes* (capital, leverage, regime) stay
//! plain `f64`: BLUE lets them become non-finite on extreme valid inputs, and so must we.

mod acb_boost;
mod choices;
mod counters;
mod non_negative;
mod price;
mod signal;
mod symbol;
mod unit_score;

pub use acb_boost::{AcbBoost, AcbBoostError};
pub use choices::{Action, DcStatus, DecisionReason, ExitReason, Posture};
pub use counters::{BarsHeld, ScanNumber, ScanNumberError, TsNs};
pub use non_negative::{AcbBeta, AcbBetaError, McScale, McScaleError, Volatility, VolatilityError};
pub use price::{Price, PriceError};
pub use signal::{Return, ReturnError, VelDiv, VelDivError};
pub use symbol::{EmptySymbol, Symbol, SymbolName, SymbolNameError};
pub use unit_score::{EsofScore, EsofScoreError, ObConsensus, ObConsensusError};
