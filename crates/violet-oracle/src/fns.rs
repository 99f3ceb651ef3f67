//! The protocol's functions: argument validation as BLUE's `handle`, then the kernel.

use violet_alpha::{Position, evaluate, select};
use violet_domain::config::BlueConfig;
use violet_domain::event::fields::{self, FieldError};
use violet_domain::event::{Field, Rule};
use violet_domain::json::{ObjectWriter, Value, write_f64};
use violet_domain::types::{BarsHeld, TsNs};
use violet_leverage::{Contract, MaxLeverage, QuantityPrecision, to_exchange};
use violet_sizing::{compose, dc_lev_mult, esof_mult, market_ob_mult};

/// The kernel functions of the protocol (besides `config`).
pub const KERNELS: [&str; 7] = ["signal_strength", "base_leverage", "fold", "compose", "select", "exit", "to_exchange"];

/// A refused request: the reason (wording is free; the refusal is the contract).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub String);

impl From<FieldError> for Refusal {
    fn from(e: FieldError) -> Self {
        Refusal(e.to_string())
    }
}

fn refuse<T>(msg: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal(msg.into()))
}

fn top(name: &'static str) -> Field {
    Field::top(name)
}

/// Answer one request object: append the JSON of `out` to `buf`.
///
/// # Errors
/// A [`Refusal`] where BLUE's oracle refuses (validation, unknown `fn`, a kernel that
/// cannot compute).
pub fn handle(req: Value<'_, '_>, cfg: &BlueConfig, buf: &mut String) -> Result<(), Refusal> {
    if !req.is_object() {
        return refuse("request must be an object");
    }
    let Some(fname) = req.get("fn").and_then(Value::as_str) else {
        return refuse("unknown fn (fn must be a string)");
    };
    match &*fname {
        "signal_strength" => {
            let v = fields::float(req, top("vel_div"))?;
            write_f64(buf, violet_alpha::signal_strength(v, cfg));
        }
        "base_leverage" => {
            let s = fields::float(req, top("s"))?;
            if !(0.0..=1.0).contains(&s) {
                return refuse("s must be in [0, 1]");
            }
            write_f64(buf, violet_alpha::sizer::base_leverage(s, cfg));
        }
        "fold" => {
            let (esof, ob, dc) = fields::fold_inputs(req)?;
            let mut w = ObjectWriter::new(buf);
            match dc_lev_mult(dc, cfg) {
                Some(m) => w.float("dc_lev_mult", m),
                None => w.raw("dc_lev_mult", "null"),
            };
            w.float("market_ob_mult", market_ob_mult(ob.into_inner(), cfg))
                .float("esof_mult", esof_mult(esof.into_inner(), cfg));
            w.finish();
        }
        "compose" => {
            let Some(f) = req.get("factors").filter(|f| f.is_object()) else {
                return refuse("factors must be an object");
            };
            let factors = fields::factors(f, TsNs::new(0))?;
            let vel_div = fields::float(req, top("vel_div"))?;
            let capital = fields::non_negative(req, top("capital"))?;
            let mut w = ObjectWriter::new(buf);
            match dc_lev_mult(factors.dc_status, cfg) {
                None => {
                    w.str("veto", "DC_CONTRADICT");
                }
                Some(dc) => compose(vel_div, &factors, dc, capital, cfg).write_members(&mut w),
            }
            w.finish();
        }
        "select" => {
            let assets = fields::assets(req, top("assets"))?;
            match select(&assets, cfg) {
                None => buf.push_str("null"),
                Some(p) => {
                    let mut w = ObjectWriter::new(buf);
                    w.str("symbol", p.symbol).float("price", p.price.into_inner()).float("score", p.score);
                    w.finish();
                }
            }
        }
        "exit" => exit(req, cfg, buf)?,
        "to_exchange" => {
            let leverage = fields::price(req, top("leverage"))?.into_inner();
            let notional = fields::non_negative(req, top("notional"))?;
            let price = fields::price(req, top("price"))?.into_inner();
            let contract = contract(req.get("contract"))?;
            let o = to_exchange(leverage, notional, price, &contract).map_err(|e| Refusal(e.to_string()))?;
            let mut w = ObjectWriter::new(buf);
            w.int("exchange_leverage", o.exchange_leverage)
                .float("quantity", o.quantity)
                .float("order_notional", o.order_notional)
                .float("margin", o.margin)
                .opt_str("reject", o.reject.map(violet_leverage::L3Reject::as_str));
            w.finish();
        }
        "config" => cfg.to_json().write(buf),
        other => return refuse(format!("unknown fn {other:?}")),
    }
    Ok(())
}

/// BLUE's `_bars_held`: a non-negative integer <= 1e9.
fn bars_held(p: Value<'_, '_>) -> Result<BarsHeld, Refusal> {
    let f = top("bars_held");
    let v = fields::int(p, f)?;
    match u64::try_from(v) {
        Err(_) => Err(FieldError { field: f, rule: Rule::Negative }.into()),
        Ok(v) if v > 1_000_000_000 => refuse("bars_held must be <= 1e9"),
        Ok(v) => Ok(BarsHeld::new(v)),
    }
}

fn exit(req: Value<'_, '_>, cfg: &BlueConfig, buf: &mut String) -> Result<(), Refusal> {
    let Some(p) = req.get("position").filter(|p| p.is_object()) else {
        return refuse("position must be an object");
    };
    let symbol = fields::symbol(p, top("symbol"))?.to_name();
    let entry_price = fields::price(p, top("entry_price"))?;
    let last_price = fields::price(p, top("last_price"))?;
    let bars_held = bars_held(p)?;
    let mut pos = Position {
        trade_id: 0,
        symbol,
        entry_scan: 0,
        entry_price,
        last_price,
        leverage: 1.0,
        notional: 1.0,
        bars_held,
    };
    let price = match req.get("price") {
        None => None,
        Some(v) if v.is_null() => None,
        Some(_) => Some(fields::price(req, top("price"))?),
    };
    let vel_div = fields::float(req, top("vel_div"))?;
    let check = evaluate(&mut pos, price, vel_div, cfg);
    let mut w = ObjectWriter::new(buf);
    w.opt_str("reason", check.reason.map(violet_domain::types::ExitReason::as_str))
        .float("price", check.price.into_inner())
        .float("pnl_pct", check.pnl_pct)
        .int("bars_held", pos.bars_held.into_inner());
    w.finish();
    Ok(())
}

/// BLUE's `parse_contract`.
fn contract(v: Option<Value<'_, '_>>) -> Result<Contract, Refusal> {
    let Some(d) = v.filter(|d| d.is_object()) else {
        return refuse("contract must be an object");
    };
    let qp = fields::int(d, top("quantity_precision"))?;
    let quantity_precision =
        QuantityPrecision::try_new(qp).map_err(|_| Refusal("quantity_precision must be in [0, 22]".into()))?;
    let ml = fields::int(d, top("max_leverage"))?;
    let max_leverage = MaxLeverage::try_new(ml).map_err(|_| Refusal("max_leverage must be in [1, 125]".into()))?;
    let min_qty = fields::float(d, top("min_qty"))?;
    let min_notional = fields::float(d, top("min_notional"))?;
    if min_qty < 0.0 || min_notional < 0.0 {
        return refuse("min_qty and min_notional must be >= 0");
    }
    Ok(Contract { quantity_precision, min_qty, min_notional, max_leverage })
}
