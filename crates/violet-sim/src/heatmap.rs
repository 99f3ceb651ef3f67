//! A sweep's HTML report: a heat map of final capital over two of the grid's constants, and
//! the best rows. Self-contained (inline SVG, no script): it opens offline.

use std::fmt::Write as _;

use violet_domain::json::f64_to_string;

use crate::grid::Point;
use crate::run::SimResult;

/// Rows listed under the map.
const TOP: usize = 20;

fn esc(t: &str) -> String {
    t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Blue (low) to yellow (high) through green, for `t` in 0..=1.
fn colour(t: f64) -> String {
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 };
    let lerp = |a: f64, b: f64, u: f64| a + (b - a) * u;
    let (r, g, b) = if t < 0.5 {
        let u = t * 2.0;
        (lerp(49.0, 53.0, u), lerp(54.0, 183.0, u), lerp(149.0, 121.0, u))
    } else {
        let u = (t - 0.5) * 2.0;
        (lerp(53.0, 253.0, u), lerp(183.0, 231.0, u), lerp(121.0, 37.0, u))
    };
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // 0..=255
    let c = |x: f64| x.round() as u8;
    format!("#{:02x}{:02x}{:02x}", c(r), c(g), c(b))
}

/// The report for `points` and their `results` (same order), the map over grid keys `x`
/// and `y` (each cell the best final capital among the rows with those two values, when
/// the grid has more keys). `title` heads it (e.g. the stream's name).
///
/// # Errors
/// A key that is not on the grid (named).
pub fn sweep_html(points: &[Point], results: &[SimResult], x: &str, y: &str, title: &str) -> Result<String, String> {
    let col = |key: &str| -> Result<usize, String> {
        points
            .first()
            .and_then(|p| p.values.iter().position(|(k, _)| k == key))
            .ok_or_else(|| format!("{key:?} is not a key of the grid"))
    };
    let (xi, yi) = (col(x)?, col(y)?);
    let mut xs: Vec<String> = Vec::new();
    let mut ys: Vec<String> = Vec::new();
    let num = |v: &str| v.parse::<f64>().unwrap_or(f64::NAN);
    for p in points {
        for (vals, k) in [(&mut xs, xi), (&mut ys, yi)] {
            if !vals.contains(&p.values[k].1) {
                vals.push(p.values[k].1.clone());
            }
        }
    }
    xs.sort_by(|a, b| num(a).total_cmp(&num(b)));
    ys.sort_by(|a, b| num(a).total_cmp(&num(b)));
    let mut cells = vec![vec![f64::NAN; xs.len()]; ys.len()];
    for (p, r) in points.iter().zip(results) {
        let cx = xs.iter().position(|v| *v == p.values[xi].1).unwrap_or(0);
        let cy = ys.iter().position(|v| *v == p.values[yi].1).unwrap_or(0);
        let c = &mut cells[cy][cx];
        if c.is_nan() || r.summary.capital > *c {
            *c = r.summary.capital;
        }
    }
    let finite: Vec<f64> = cells.iter().flatten().copied().filter(|c| c.is_finite()).collect();
    let lo = finite.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (cw, ch, left, top) = (64usize, 28usize, 110usize, 40usize);
    let (w, h) = (left + cw * xs.len() + 20, top + ch * ys.len() + 60);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"11\">\n"
    );
    for (ry, row) in cells.iter().enumerate() {
        // The highest y value at the top.
        let py = top + ch * (ys.len() - 1 - ry);
        for (rx, c) in row.iter().enumerate() {
            let px = left + cw * rx;
            let t = if hi > lo { (c - lo) / (hi - lo) } else { 1.0 };
            let fill = if c.is_finite() { colour(t) } else { "#dddddd".to_string() };
            let _ = writeln!(
                svg,
                "<rect x=\"{px}\" y=\"{py}\" width=\"{cw}\" height=\"{ch}\" fill=\"{fill}\" stroke=\"white\"><title>{x}={}, {y}={}: {}</title></rect>",
                esc(&xs[rx]),
                esc(&ys[ry]),
                f64_to_string(*c)
            );
            let _ = writeln!(
                svg,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"9\" fill=\"{}\">{:.0}</text>",
                px + cw / 2,
                py + ch / 2 + 3,
                // Light text on the dark low end of the scale, dark text on the rest.
                if c.is_finite() && t < 0.35 { "white" } else { "black" },
                c
            );
        }
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            left - 6,
            py + ch / 2 + 4,
            esc(&ys[ry])
        );
    }
    for (rx, v) in xs.iter().enumerate() {
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            left + cw * rx + cw / 2,
            top + ch * ys.len() + 16,
            esc(v)
        );
    }
    let _ = writeln!(
        svg,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-weight=\"bold\">{}</text>",
        left + cw * xs.len() / 2,
        top + ch * ys.len() + 40,
        esc(x)
    );
    let _ = writeln!(svg, "<text x=\"12\" y=\"{}\" font-weight=\"bold\">{}</text>", top - 14, esc(y));
    svg.push_str("</svg>\n");

    let mut order: Vec<usize> = (0..results.len()).collect();
    order.sort_by(|&a, &b| results[b].summary.capital.total_cmp(&results[a].summary.capital));
    let mut s = format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Sweep: {t}</title>\n<style>body{{font-family:sans-serif;margin:2em}}\
         table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:3px 8px;text-align:right}}</style></head><body>\n\
         <h1>Sweep: {t}</h1>\n<p>{} configurations. Final capital over {} and {} (each cell the best row with those two values; \
         low blue, high yellow: {} to {}).</p>\n{svg}",
        points.len(),
        esc(x),
        esc(y),
        f64_to_string(lo),
        f64_to_string(hi),
        t = esc(title),
    );
    let _ = write!(s, "<h2>Best {} rows</h2>\n<table><tr><th>id</th>", TOP.min(points.len()));
    if let Some(p) = points.first() {
        for (k, _) in &p.values {
            let _ = write!(s, "<th>{}</th>", esc(k));
        }
    }
    s.push_str("<th>final capital</th><th>trades</th><th>win rate</th><th>max drawdown</th><th>risk-adjusted</th><th>fees</th></tr>\n");
    for &i in order.iter().take(TOP) {
        let (p, r) = (&points[i], &results[i]);
        let _ = write!(s, "<tr><td>{}</td>", p.id);
        for (_, v) in &p.values {
            let _ = write!(s, "<td>{}</td>", esc(v));
        }
        let st = &r.stats;
        let _ = writeln!(
            s,
            "<td>{}</td><td>{}</td><td>{:.1}%</td><td>{:.2}%</td><td>{:.2}</td><td>{:.2}</td></tr>",
            f64_to_string(r.summary.capital),
            st.trades,
            st.win_rate() * 100.0,
            st.max_drawdown * 100.0,
            st.risk_adjusted(),
            st.fees
        );
    }
    s.push_str("</table></body></html>\n");
    Ok(s)
}
