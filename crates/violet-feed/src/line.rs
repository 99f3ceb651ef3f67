//! Table rows as event-stream lines.

use violet_domain::json::{write_f64, write_str};

/// A row of `dolphin.eigen_scans` (read as a typed RowBinary row, its fields the columns).
#[derive(Debug, Clone, PartialEq, violet_clickhouse::Row, serde::Deserialize)]
#[clickhouse(crate = "violet_clickhouse::clickhouse")]
pub struct ScanRow {
    /// The scan number.
    pub scan_number: i64,
    /// Its timestamp (ns).
    pub ts_ns: i64,
    /// The scan's vel_div.
    pub vel_div: f64,
    /// The assets: the JSON array of the event stream's `"assets"`, as stored.
    pub assets: String,
}

/// A row of `dolphin.factor_snapshots` (read as a typed RowBinary row, its fields the
/// columns).
#[derive(Debug, Clone, PartialEq, violet_clickhouse::Row, serde::Deserialize)]
#[clickhouse(crate = "violet_clickhouse::clickhouse")]
pub struct FactorRow {
    /// Its timestamp (ns).
    pub ts_ns: i64,
    /// ACB boost.
    pub acb_boost: f64,
    /// ACB beta.
    pub acb_beta: f64,
    /// MC scale.
    pub mc_scale: f64,
    /// EsoF score.
    pub esof_score: f64,
    /// OB consensus.
    pub ob_consensus: f64,
    /// DC status name.
    pub dc_status: String,
    /// Posture name.
    pub posture: String,
}

impl ScanRow {
    /// The event-stream line. The assets text is copied as stored: if it is not a JSON
    /// array of assets, the line is poison and is rejected like any other.
    #[must_use]
    pub fn to_line(&self) -> String {
        let mut s = String::with_capacity(self.assets.len() + 96);
        s.push_str("{\"type\":\"scan\",\"scan_number\":");
        s.push_str(&self.scan_number.to_string());
        s.push_str(",\"ts_ns\":");
        s.push_str(&self.ts_ns.to_string());
        s.push_str(",\"vel_div\":");
        write_f64(&mut s, self.vel_div);
        s.push_str(",\"assets\":");
        s.push_str(if self.assets.is_empty() { "null" } else { &self.assets });
        s.push('}');
        s
    }
}

impl FactorRow {
    /// The event-stream line (a non-finite float is written as `NaN`/`Infinity`, which the
    /// decoder rejects as poison, as BLUE does).
    #[must_use]
    pub fn to_line(&self) -> String {
        let mut s = String::with_capacity(256);
        s.push_str("{\"type\":\"factors\",\"ts_ns\":");
        s.push_str(&self.ts_ns.to_string());
        for (k, v) in [
            ("acb_boost", self.acb_boost),
            ("acb_beta", self.acb_beta),
            ("mc_scale", self.mc_scale),
            ("esof_score", self.esof_score),
            ("ob_consensus", self.ob_consensus),
        ] {
            s.push_str(",\"");
            s.push_str(k);
            s.push_str("\":");
            write_f64(&mut s, v);
        }
        s.push_str(",\"dc_status\":");
        write_str(&mut s, &self.dc_status);
        s.push_str(",\"posture\":");
        write_str(&mut s, &self.posture);
        s.push('}');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use violet_domain::event::{Event, decode_line};
    use violet_domain::json::{ParseOptions, Parser};

    proptest! {
        /// A row with valid fields decodes to exactly its values, bit for bit.
        #[test]
        fn a_valid_row_decodes_to_its_values(
            n in 0i64..i64::MAX, ts in any::<i64>(), vd in -1e3f64..1e3,
            boost in 1e-9f64..10.0, beta in 0f64..5.0, mc in 0f64..5.0, esof in -1f64..=1.0, ob in -1f64..=1.0,
        ) {
            let mut p = Parser::new(ParseOptions::default());
            let scan = ScanRow { scan_number: n, ts_ns: ts, vel_div: vd,
                assets: r#"[{"symbol":"BTCUSDT","price":64000.5,"ret":-0.012,"vol":0.02}]"#.into() };
            let line = scan.to_line();
            match decode_line(&mut p, 1, line.as_bytes()) {
                Ok(Some(Event::Scan(s))) => {
                    prop_assert_eq!(s.scan_number.into_inner(), n);
                    prop_assert_eq!(s.ts_ns.into_inner(), ts);
                    prop_assert_eq!(s.vel_div.into_inner().to_bits(), vd.to_bits());
                }
                other => prop_assert!(false, "{line} -> {other:?}"),
            }
            let f = FactorRow { ts_ns: ts, acb_boost: boost, acb_beta: beta, mc_scale: mc, esof_score: esof,
                ob_consensus: ob, dc_status: "CONFIRM".into(), posture: "APEX".into() };
            let line = f.to_line();
            match decode_line(&mut p, 1, line.as_bytes()) {
                Ok(Some(Event::Factors(x))) => {
                    prop_assert_eq!(x.acb_boost.into_inner().to_bits(), boost.to_bits());
                    prop_assert_eq!(x.acb_beta.into_inner().to_bits(), beta.to_bits());
                    prop_assert_eq!(x.mc_scale.into_inner().to_bits(), mc.to_bits());
                    prop_assert_eq!(x.esof_score.into_inner().to_bits(), esof.to_bits());
                    prop_assert_eq!(x.ob_consensus.into_inner().to_bits(), ob.to_bits());
                }
                other => prop_assert!(false, "{line} -> {other:?}"),
            }
        }
    }

    #[test]
    fn poison_in_a_row_stays_poison_in_its_line() {
        let mut p = Parser::new(ParseOptions::default());
        let bad = |line: String, p: &mut Parser| assert!(decode_line(p, 7, line.as_bytes()).is_err(), "{line}");
        let scan = |vd: f64, assets: &str| ScanRow { scan_number: 1, ts_ns: 1, vel_div: vd, assets: assets.into() };
        let ok_assets = r#"[{"symbol":"BTCUSDT","price":1.0,"ret":0.0,"vol":0.0}]"#;
        bad(scan(f64::NAN, ok_assets).to_line(), &mut p);
        bad(scan(f64::INFINITY, ok_assets).to_line(), &mut p);
        bad(scan(0.0, "[{\"symbol\":\"BTCUSDT\",\"price\":-1.0,\"ret\":0.0,\"vol\":0.0}]").to_line(), &mut p);
        bad(scan(0.0, "not json").to_line(), &mut p);
        bad(scan(0.0, "").to_line(), &mut p);
        let f = FactorRow {
            ts_ns: 1,
            acb_boost: 1.0,
            acb_beta: 0.0,
            mc_scale: 1.0,
            esof_score: 0.0,
            ob_consensus: 0.0,
            dc_status: "NOPE".into(),
            posture: "APEX".into(),
        };
        bad(f.to_line(), &mut p);
        bad(FactorRow { dc_status: "NEUTRAL".into(), esof_score: 2.0, ..f }.to_line(), &mut p);
    }
}
