//! The operator's risk caps from `[risk]`, and the trading-state file.

use std::path::PathBuf;
use std::time::SystemTime;

use violet_clock::UnixNanos;
use violet_venue::risk::{RiskGate, RiskLimits, TradingState, TradingSwitch};

use crate::config::RiskConfig;

/// The gate for `[risk]` and the switch its state file flips; with `trade_from`, only
/// decisions on events from that instant on are sent (an armed start).
///
/// # Errors
/// An unknown `risk.state`, or a negative cap.
pub fn gate(cfg: &RiskConfig, trade_from: Option<UnixNanos>) -> Result<(RiskGate, TradingSwitch), String> {
    let state: TradingState = cfg.state.parse().map_err(|e| format!("risk.state = {e}"))?;
    for (key, v) in
        [("max_notional", cfg.max_notional), ("max_leverage", cfg.max_leverage), ("max_daily_loss", cfg.max_daily_loss)]
    {
        if !(v >= 0.0 && v.is_finite()) {
            return Err(format!("risk.{key} = {v}: must be finite and >= 0 (0: no cap)"));
        }
    }
    let cap = |v: f64| if v == 0.0 { f64::INFINITY } else { v };
    let allow: Vec<String> =
        cfg.allow.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect();
    let limits = RiskLimits {
        max_notional: cap(cfg.max_notional),
        max_leverage: cap(cfg.max_leverage),
        allow: (!allow.is_empty()).then_some(allow),
        max_orders_per_s: if cfg.max_orders_per_s == 0 { u32::MAX } else { cfg.max_orders_per_s },
        state,
        trade_from,
    };
    let switch = TradingSwitch::new(state);
    Ok((RiskGate::with_switch(limits, switch.clone()), switch))
}

/// Nanoseconds in a day.
const DAY_NS: i64 = 86_400_000_000_000;

/// The day's realized loss against `[risk] max_daily_loss`: exits' pnl summed per UTC day
/// of their event time; the first time the day's loss reaches the limit it trips (once a
/// day).
#[derive(Debug, Clone, PartialEq)]
pub struct DailyLoss {
    limit: f64,
    day: Option<i64>,
    realized: f64,
    tripped: bool,
}

impl DailyLoss {
    /// A limit of `limit` (quote); `None` for 0 (no limit).
    #[must_use]
    pub fn new(limit: f64) -> Option<Self> {
        (limit > 0.0).then_some(Self { limit, day: None, realized: 0.0, tripped: false })
    }

    /// An exit at `ts_ns` realized `pnl`. Returns the day's realized pnl when this exit
    /// makes the day's loss reach the limit (the first time that day).
    pub fn on_exit(&mut self, ts_ns: i64, pnl: f64) -> Option<f64> {
        let day = ts_ns.div_euclid(DAY_NS);
        if self.day != Some(day) {
            *self = Self { day: Some(day), realized: 0.0, tripped: false, ..*self };
        }
        self.realized += pnl;
        if !self.tripped && -self.realized >= self.limit {
            self.tripped = true;
            return Some(self.realized);
        }
        None
    }
}

/// Watches the trading-state file and flips the switch when it changes.
#[derive(Debug)]
pub struct StateFile {
    path: PathBuf,
    seen: Option<SystemTime>,
    switch: TradingSwitch,
}

impl StateFile {
    /// Watch `path` (nothing when empty).
    #[must_use]
    pub fn new(path: PathBuf, switch: TradingSwitch) -> Option<Self> {
        (!path.as_os_str().is_empty()).then_some(Self { path, seen: None, switch })
    }

    /// Re-read the file if it changed; log a flip or an unreadable state (the state then
    /// stays as it was).
    pub fn poll(&mut self) {
        let Ok(mtime) = std::fs::metadata(&self.path).and_then(|m| m.modified()) else { return };
        if self.seen == Some(mtime) {
            return;
        }
        self.seen = Some(mtime);
        let text = std::fs::read_to_string(&self.path).unwrap_or_default();
        match text.trim().parse::<TradingState>() {
            Ok(s) if s != self.switch.get() => {
                tracing::warn!(file = %self.path.display(), from = %self.switch.get(), to = %s, "trading state flipped");
                self.switch.set(s);
            }
            Ok(_) => {}
            Err(e) => {
                tracing::error!(file = %self.path.display(), error = %e, "trading state file unreadable; state unchanged")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_days_loss_trips_once_at_the_limit_and_a_new_day_starts_afresh() {
        assert_eq!(DailyLoss::new(0.0), None, "0: no limit");
        let mut d = DailyLoss::new(100.0).expect("limit");
        let day = 20_000 * DAY_NS;
        assert_eq!(d.on_exit(day + 1, -60.0), None);
        assert_eq!(d.on_exit(day + 2, 30.0), None, "a win offsets");
        assert_eq!(d.on_exit(day + 3, -69.0), None, "99 lost: below the limit");
        assert_eq!(d.on_exit(day + 4, -1.0), Some(-100.0), "100 lost: trips");
        assert_eq!(d.on_exit(day + 5, -50.0), None, "once a day");
        assert_eq!(d.on_exit(day + DAY_NS, -99.0), None, "the next UTC day starts at 0");
        assert_eq!(d.on_exit(day + DAY_NS + 1, -1.0), Some(-100.0));
        assert!(gate(&RiskConfig { max_daily_loss: f64::NAN, ..RiskConfig::default() }, None).is_err());
    }

    #[test]
    fn zero_means_no_cap_and_the_state_file_flips_the_gate() {
        let (_, switch) = gate(&RiskConfig::default(), None).expect("defaults");
        assert_eq!(switch.get(), TradingState::Active);
        assert!(gate(&RiskConfig { state: "SIDEWAYS".into(), ..RiskConfig::default() }, None).is_err());
        assert!(gate(&RiskConfig { max_notional: -1.0, ..RiskConfig::default() }, None).is_err());
        let p = std::env::temp_dir().join(format!("violet-state-{}", std::process::id()));
        std::fs::write(&p, "HALTED\n").expect("write");
        let mut f = StateFile::new(p.clone(), switch.clone()).expect("watch");
        f.poll();
        assert_eq!(switch.get(), TradingState::Halted);
        let _ = std::fs::remove_file(p);
    }
}
