//! Streams with ticks between scans, for the stop-loss guard (`exit_cadence = tick`).

/// `text` (an event stream) with `per_gap` ticks between consecutive scans for every asset of
/// the earlier scan: each price walks from that scan's price to the next scan's, with a
/// seeded wobble of up to ±1.5% (xorshift: the same seed, the same stream). Lines that are not
/// scans (factors, ticks, poison) stay where they are.
#[must_use]
pub fn with_dense_ticks(text: &str, per_gap: u32, seed: u64) -> String {
    let mut rng = seed | 1;
    let mut wobble = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        #[allow(clippy::cast_precision_loss)] // 53 random bits as a fraction
        let u = (rng >> 11) as f64 / (1u64 << 53) as f64;
        (u - 0.5) * 0.03
    };
    let is_scan = |v: &serde_json::Value| v["type"] == "scan" && v["assets"].is_array() && v["ts_ns"].is_i64();
    let scans: Vec<serde_json::Value> =
        text.lines().filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok()).filter(is_scan).collect();
    let mut out = String::with_capacity(text.len() * 2);
    let mut next_scan = 0;
    for line in text.lines() {
        out.push_str(line);
        out.push('\n');
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        if !is_scan(&v) {
            continue;
        }
        next_scan += 1;
        let Some(next) = scans.get(next_scan) else { continue };
        let (Some(t0), Some(t1)) = (v["ts_ns"].as_i64(), next["ts_ns"].as_i64()) else { continue };
        for k in 1..=per_gap {
            let ts = t0 + (t1 - t0) * i64::from(k) / i64::from(per_gap + 1);
            for a in v["assets"].as_array().into_iter().flatten() {
                let (Some(sym), Some(p0)) = (a["symbol"].as_str(), a["price"].as_f64()) else { continue };
                let p1 = next["assets"]
                    .as_array()
                    .and_then(|n| n.iter().find(|b| b["symbol"] == sym))
                    .and_then(|b| b["price"].as_f64())
                    .unwrap_or(p0);
                let f = f64::from(k) / f64::from(per_gap + 1);
                let price = (p0 + (p1 - p0) * f) * (1.0 + wobble());
                if price.is_finite() && price > 0.0 {
                    out.push_str(
                        &serde_json::json!({"type": "tick", "ts_ns": ts, "symbol": sym, "price": price}).to_string(),
                    );
                    out.push('\n');
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn ticks_go_between_scans_in_time_order_and_the_same_seed_gives_the_same_stream() {
        let text = concat!(
            r#"{"type":"scan","scan_number":1,"ts_ns":1000,"vel_div":0.0,"assets":[{"symbol":"AUSDT","price":10.0}]}"#,
            "\n",
            r#"{"type":"scan","scan_number":2,"ts_ns":4000,"vel_div":0.0,"assets":[{"symbol":"AUSDT","price":13.0}]}"#,
            "\n"
        );
        let out = super::with_dense_ticks(text, 2, 7);
        let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).expect("json")).collect();
        assert_eq!(lines.len(), 4, "{out}");
        assert_eq!((lines[1]["type"].as_str(), lines[1]["ts_ns"].as_i64()), (Some("tick"), Some(2000)));
        assert_eq!(lines[2]["ts_ns"].as_i64(), Some(3000));
        let p = lines[1]["price"].as_f64().expect("price");
        assert!((11.0 * 0.985..=11.0 * 1.015).contains(&p), "{p}");
        assert_eq!(out, super::with_dense_ticks(text, 2, 7));
        assert_ne!(out, super::with_dense_ticks(text, 2, 8));
    }
}
