//! The HTML reports a person opens, in a real browser: the divergence report, the cadence
//! comparison and the sweep's heat map are rendered in headless Chromium (Debian's
//! `chromium`, driven by `playwright-core` from `xtask/browser/`) with the network cut off.
//! Each loads without a script, console or resource error and requests nothing but local
//! files, its charts are laid out, and its screenshot is not blank. Two faulty pages (a
//! script error and a CDN image; an empty page) show the checks fail when they should.
//!
//! `cargo xtask ci` installs Chromium and `xtask/browser/node_modules`; without them this
//! test fails and says so (it never skips).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

mod common;
use common::{fresh_dir, root, violet};

/// What the browser saw of one page.
#[derive(Debug)]
struct Rendered {
    problems: Vec<String>,
    /// Each `<svg>`'s laid-out width, height and shape count.
    svgs: Vec<(f64, f64, u64)>,
    screenshot: PathBuf,
}

/// Render `pages` (in order) with `xtask/browser/render.mjs`.
fn render(pages: &[&Path], shots: &Path) -> Vec<Rendered> {
    let tool = root().join("xtask/browser");
    assert!(
        Path::new("/usr/bin/chromium").exists() || std::env::var_os("CHROMIUM").is_some(),
        "no Chromium at /usr/bin/chromium: `cargo xtask ci` installs Debian's chromium (or set CHROMIUM)"
    );
    assert!(
        tool.join("node_modules/playwright-core").is_dir(),
        "no playwright-core in {}: `cargo xtask ci` runs `npm ci` there",
        tool.display()
    );
    std::fs::create_dir_all(shots).expect("screenshot dir");
    let out = Command::new("node")
        .arg(tool.join("render.mjs"))
        .arg(shots)
        .args(pages)
        .output()
        .expect("node (Node.js) runs render.mjs");
    assert!(out.status.success(), "render.mjs: {}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    assert_eq!(lines.len(), pages.len(), "a line per page");
    lines
        .iter()
        .map(|v| Rendered {
            problems: v["problems"]
                .as_array()
                .expect("problems")
                .iter()
                .map(|p| p.as_str().expect("p").into())
                .collect(),
            svgs: v["svgs"]
                .as_array()
                .expect("svgs")
                .iter()
                .map(|s| {
                    let f = |k: &str| s[k].as_f64().expect("number");
                    (f("width"), f("height"), s["shapes"].as_u64().expect("count"))
                })
                .collect(),
            screenshot: PathBuf::from(v["screenshot"].as_str().expect("screenshot")),
        })
        .collect()
}

/// Of a screenshot: the share of pixels that are not the page's white, and how many
/// distinct colours it holds.
fn ink(png_path: &Path) -> (f64, usize) {
    let file = std::fs::File::open(png_path).unwrap_or_else(|e| panic!("{}: {e}", png_path.display()));
    let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("a frame");
    let channels = info.color_type.samples();
    let px: Vec<&[u8]> = buf[..info.buffer_size()].chunks(channels).collect();
    let inked = px.iter().filter(|p| p[..3].iter().any(|&c| c < 250)).count();
    let colours: std::collections::HashSet<&[u8]> = px.iter().map(|p| &p[..3]).collect();
    #[allow(clippy::cast_precision_loss)] // pixel counts
    let share = inked as f64 / px.len().max(1) as f64;
    (share, colours.len())
}

/// Whether a page passed: no problem, every chart laid out with shapes, ink on the page.
fn faults(r: &Rendered) -> Vec<String> {
    let mut f = r.problems.clone();
    if r.svgs.is_empty() {
        f.push("no chart (<svg>)".into());
    }
    for (w, h, shapes) in &r.svgs {
        if !(*w > 0.0 && *h > 0.0 && *shapes > 0) {
            f.push(format!("a chart not drawn: {w}x{h}, {shapes} shapes"));
        }
    }
    let (share, colours) = ink(&r.screenshot);
    if share < 0.01 || colours < 3 {
        f.push(format!("a blank screenshot: {:.3} % inked, {colours} colours", share * 100.0));
    }
    f
}

fn ok(out: &std::process::Output, codes: &[i32]) {
    assert!(
        out.status.code().is_some_and(|c| codes.contains(&c)),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_report_renders_offline_without_errors_and_draws_its_charts() {
    let dir = fresh_dir("browser");
    let s = |p: &Path| p.to_str().expect("path").to_string();
    let fixtures = root().join("fixtures/streams");

    // The divergence report: small-b against BLUE's trades with one trade event dropped.
    let blue = std::fs::read_to_string(fixtures.join("small-b.blue-trades.jsonl")).expect("fixture");
    let dropped: String = blue.lines().enumerate().filter(|(i, _)| *i != 6).map(|(_, l)| format!("{l}\n")).collect();
    let bad_blue = dir.join("blue-dropped.jsonl");
    std::fs::write(&bad_blue, dropped).expect("write");
    let divergence = dir.join("divergence");
    let out = violet(&[
        "replay",
        "-q",
        "--events",
        &s(&fixtures.join("small-b.jsonl")),
        "--blue-trades",
        &s(&bad_blue),
        "--report-dir",
        &s(&divergence),
    ]);
    ok(&out, &[3]);

    // The cadence comparison: small-a (ticks between scans), scan against tick exits.
    let cadence = dir.join("cadence");
    let out = violet(&[
        "replay",
        "-q",
        "--events",
        &s(&fixtures.join("small-a.jsonl")),
        "--compare-cadence",
        "scan,tick",
        "--report-dir",
        &s(&cadence),
    ]);
    ok(&out, &[0]);

    // The sweep's heat map.
    let grid = dir.join("grid.toml");
    std::fs::write(&grid, "tp_pct = [0.006, 0.0099, 0.014]\nsl_pct = [0.01, 0.015, 0.02]\n").expect("grid");
    let heat = dir.join("sweep.html");
    let out = violet(&[
        "sweep",
        "-q",
        "--events",
        &s(&fixtures.join("small-b.jsonl")),
        "--grid",
        &s(&grid),
        "--out",
        &s(&dir.join("sweep.csv")),
        "--html",
        &s(&heat),
    ]);
    ok(&out, &[0]);

    // Two faulty pages the checks must catch.
    let broken = dir.join("broken.html");
    std::fs::write(
        &broken,
        "<!doctype html><html><body><svg width=\"200\" height=\"80\"><rect width=\"100\" height=\"40\" \
         fill=\"#36c\"/></svg><img src=\"https://cdn.example.com/chart.png\"><script>drawChart();</script></body></html>",
    )
    .expect("write");
    let blank = dir.join("blank.html");
    std::fs::write(&blank, "<!doctype html><html><body><svg width=\"0\" height=\"0\"></svg></body></html>")
        .expect("write");

    let reports = [divergence.join("report.html"), cadence.join("cadence.html"), heat];
    let mut pages: Vec<&Path> = reports.iter().map(PathBuf::as_path).collect();
    pages.extend([broken.as_path(), blank.as_path()]);
    let rendered = render(&pages, &dir.join("shots"));

    for (page, r) in reports.iter().zip(&rendered) {
        let f = faults(r);
        assert!(f.is_empty(), "{}: {f:?}", page.display());
    }
    let broken_faults = faults(&rendered[3]).join("\n");
    assert!(broken_faults.contains("script error: drawChart is not defined"), "{broken_faults}");
    assert!(broken_faults.contains("network request: https://cdn.example.com/chart.png"), "{broken_faults}");
    let blank_faults = faults(&rendered[4]).join("\n");
    assert!(
        blank_faults.contains("a blank screenshot") && blank_faults.contains("a chart not drawn"),
        "{blank_faults}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
