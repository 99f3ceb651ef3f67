//! The endpoints used, with their method and limit class.

use super::rate::LimitClass;

pub use violet_venue::venue::audit::HttpMethod as Method;

/// An endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    /// Method.
    pub method: Method,
    /// Path.
    pub path: &'static str,
    /// Rate-limit class.
    pub class: LimitClass,
    /// Whether it is signed.
    pub signed: bool,
}

const fn ep(method: Method, path: &'static str, class: LimitClass, signed: bool) -> Endpoint {
    Endpoint { method, path, class, signed }
}

/// Server time.
pub const SERVER_TIME: Endpoint = ep(Method::Get, "/openApi/swap/v2/server/time", LimitClass::Market, false);
/// Contract specs.
pub const CONTRACTS: Endpoint = ep(Method::Get, "/openApi/swap/v2/quote/contracts", LimitClass::Market, false);
/// Position mode.
pub const POSITION_MODE: Endpoint = ep(Method::Get, "/openApi/swap/v1/positionSide/dual", LimitClass::Account, true);
/// Leverage of a symbol.
pub const GET_LEVERAGE: Endpoint = ep(Method::Get, "/openApi/swap/v2/trade/leverage", LimitClass::Account, true);
/// Set a symbol's leverage (2/s).
pub const SET_LEVERAGE: Endpoint = ep(Method::Post, "/openApi/swap/v2/trade/leverage", LimitClass::Leverage, true);
/// Place an order.
pub const PLACE_ORDER: Endpoint = ep(Method::Post, "/openApi/swap/v2/trade/order", LimitClass::Orders, true);
/// Query an order.
pub const QUERY_ORDER: Endpoint = ep(Method::Get, "/openApi/swap/v2/trade/order", LimitClass::OrderQuery, true);
/// Cancel an order.
pub const CANCEL_ORDER: Endpoint = ep(Method::Delete, "/openApi/swap/v2/trade/order", LimitClass::Orders, true);
/// Open orders.
pub const OPEN_ORDERS: Endpoint = ep(Method::Get, "/openApi/swap/v2/trade/openOrders", LimitClass::Account, true);
/// Positions.
pub const POSITIONS: Endpoint = ep(Method::Get, "/openApi/swap/v2/user/positions", LimitClass::Account, true);
/// Balance.
pub const BALANCE: Endpoint = ep(Method::Get, "/openApi/swap/v2/user/balance", LimitClass::Account, true);
