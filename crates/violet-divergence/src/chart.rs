//! Capital curves as an SVG (plotters' SVG backend: no fonts to load, viewable offline).

use plotters::prelude::*;

/// One curve: its points (scan number, capital), colour and stroke width.
pub(crate) struct Curve {
    pub points: Vec<(f64, f64)>,
    pub colour: RGBColor,
    pub width: u32,
}

/// The curves as steps (capital changes at events and holds in between), with `marks` as
/// red dots, in one 960×420 SVG.
///
/// # Errors
/// A drawing error (as text).
pub(crate) fn capital_svg(curves: &[Curve], marks: &[(f64, f64)]) -> Result<String, String> {
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in curves.iter().flat_map(|c| &c.points).filter(|p| p.1.is_finite()) {
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    if x0 > x1 {
        (x0, x1, y0, y1) = (0.0, 1.0, 0.0, 1.0);
    }
    let pad = ((y1 - y0) * 0.05).max(1e-9);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (960, 420)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut chart = ChartBuilder::on(&root)
            .margin(20)
            .x_label_area_size(30)
            .y_label_area_size(70)
            .build_cartesian_2d(x0..x1.max(x0 + 1.0), (y0 - pad)..(y1 + pad))
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .x_desc("scan number")
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_desc("capital")
            .y_label_formatter(&|y| format!("{y:.2}"))
            .draw()
            .map_err(|e| e.to_string())?;
        for c in curves {
            let mut steps = Vec::with_capacity(c.points.len() * 2);
            for (k, &(x, y)) in c.points.iter().enumerate() {
                if k > 0 {
                    steps.push((x, c.points[k - 1].1));
                }
                steps.push((x, y));
            }
            chart.draw_series(LineSeries::new(steps, c.colour.stroke_width(c.width))).map_err(|e| e.to_string())?;
        }
        chart.draw_series(marks.iter().map(|&p| Circle::new(p, 5, RED.filled()))).map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// BLUE's colour in the charts (and a reference mode's).
pub(crate) const BLUE_COLOUR: RGBColor = RGBColor(31, 119, 180);
/// VIOLET's.
pub(crate) const VIOLET_COLOUR: RGBColor = RGBColor(148, 0, 211);
