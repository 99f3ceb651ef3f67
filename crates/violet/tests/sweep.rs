//! `violet sweep` from the outside: the row of BLUE's default configuration is `violet
//! replay`'s summary to the bit, any row is `violet replay --config` with that row's
//! constants, shards cover the grid once with the same ids, and a bad grid names its key.

use std::path::Path;

mod common;
use common::{fresh_dir, root, violet};

/// The rows of a sweep's CSV, as (header, rows of fields).
fn rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header = lines.next().expect("header").split(',').map(str::to_string).collect();
    (header, lines.map(|l| l.split(',').map(str::to_string).collect()).collect())
}

/// The rows of a sweep's Parquet file as the CSV writes them: integers in decimal, doubles
/// in their shortest round-trip text (so equal text is equal bits), the id as it is.
fn parquet_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    use parquet::file::reader::{FileReader as _, SerializedFileReader};
    use parquet::record::Field;
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let reader = SerializedFileReader::new(file).expect("a Parquet file");
    let header =
        reader.metadata().file_metadata().schema_descr().columns().iter().map(|c| c.name().to_string()).collect();
    let rows = reader
        .get_row_iter(None)
        .expect("rows")
        .map(|row| {
            row.expect("row")
                .get_column_iter()
                .map(|(name, f)| match f {
                    Field::Str(s) => s.clone(),
                    Field::Long(i) => i.to_string(),
                    Field::Double(x) => violet_domain::json::f64_to_string(*x),
                    other => panic!("column {name}: {other:?}"),
                })
                .collect()
        })
        .collect();
    (header, rows)
}

/// `violet sweep --events EVENTS --grid GRID --out OUT` and `extra`.
fn sweep(events: &Path, grid: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["sweep", "--events", events.to_str().expect("p"), "--grid", grid.to_str().expect("p")];
    args.extend(["--out", out.to_str().expect("p")]);
    args.extend(extra);
    violet(&args)
}

fn field<'r>(header: &[String], row: &'r [String], name: &str) -> &'r str {
    &row[header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"))]
}

/// `violet replay`'s summary (JSON text) for `events` with BLUE's constants from `config`.
fn replay_capital(events: &Path, config: Option<&Path>, dir: &Path) -> String {
    let summary = dir.join("summary.json");
    let mut args =
        vec!["replay", "-q", "--events", events.to_str().expect("p"), "--summary-json", summary.to_str().expect("p")];
    if let Some(c) = config {
        args.extend(["--config", c.to_str().expect("p")]);
    }
    let out = violet(&args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&summary).expect("summary");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    // The summary's text of the capital, as violet writes floats (Python's repr).
    let at = text.find("\"capital\":").expect("capital") + "\"capital\":".len();
    let end = at + text[at..].find([',', '}']).expect("end");
    assert!(v["capital"].is_f64());
    text[at..end].to_string()
}

#[test]
fn rows_are_replays_and_shards_cover_the_grid_once() {
    let dir = fresh_dir("sweep");
    let events = root().join("fixtures/streams/small-b.jsonl");
    let grid = dir.join("grid.toml");
    // BLUE's defaults are on the grid: tp_pct 0.0099, max_hold_bars 120.
    std::fs::write(&grid, "tp_pct = [0.006, 0.0099, 0.014]\nmax_hold_bars = { from = 40, to = 120, step = 40 }\n")
        .expect("grid");
    let out = dir.join("all.csv");
    let ran = sweep(&events, &grid, &out, &[]);
    assert!(ran.status.success(), "{}", String::from_utf8_lossy(&ran.stderr));
    let (header, all) = rows(&out);
    assert_eq!(all.len(), 9);
    assert_eq!(&header[..4], ["id", "index", "max_hold_bars", "tp_pct"]);

    // BLUE's default row: violet replay's capital, to the digit (and so to the bit).
    let default = all
        .iter()
        .find(|r| field(&header, r, "tp_pct") == "0.0099" && field(&header, r, "max_hold_bars") == "120")
        .expect("the default row");
    assert_eq!(field(&header, default, "final_capital"), replay_capital(&events, None, &dir));
    // Another row: violet replay --config with its constants.
    let other = &all[1];
    let cfg = dir.join("row.toml");
    std::fs::write(
        &cfg,
        format!(
            "tp_pct = {}\nmax_hold_bars = {}\n",
            field(&header, other, "tp_pct"),
            field(&header, other, "max_hold_bars")
        ),
    )
    .expect("config");
    assert_eq!(field(&header, other, "final_capital"), replay_capital(&events, Some(&cfg), &dir));

    // The same rows as Parquet (`.parquet` chooses it), read back by the Parquet reader: the
    // CSV's columns, typed, every double the CSV's to the bit.
    let pq = dir.join("all.parquet");
    let ran = sweep(&events, &grid, &pq, &["-q"]);
    assert!(ran.status.success(), "{}", String::from_utf8_lossy(&ran.stderr));
    assert_eq!(parquet_rows(&pq), (header.clone(), all.clone()));

    // The HTML report: a cell per (max_hold_bars, tp_pct), the best row first, offline.
    let html = dir.join("sweep.html");
    let ran =
        sweep(&events, &grid, &out, &["-q", "--html", html.to_str().expect("p"), "--heatmap", "tp_pct,max_hold_bars"]);
    assert!(ran.status.success(), "{}", String::from_utf8_lossy(&ran.stderr));
    let page = std::fs::read_to_string(&html).expect("html");
    assert_eq!(page.matches("<rect ").count(), 9, "a cell per pair of values");
    assert!(!page.contains("<script") && !page.contains("src=") && !page.contains("href="), "self-contained");
    let best = all
        .iter()
        .max_by(|a, b| {
            let c = |r: &Vec<String>| field(&header, r, "final_capital").parse::<f64>().expect("capital");
            c(a).total_cmp(&c(b))
        })
        .expect("rows");
    let first_row = page.split("<tr><td>").nth(1).expect("a row");
    let best_capital = format!("<td>{}</td>", field(&header, best, "final_capital"));
    assert!(first_row.contains(&best_capital), "the best final capital first: {first_row}");
    let ran = sweep(&events, &grid, &out, &["--html", html.to_str().expect("p"), "--heatmap", "tp_pct,sl_pct"]);
    assert_eq!(ran.status.code(), Some(2), "a heat map over a key not on the grid");

    // Three shards (one through the scheduler's variable): every row once, the same ids.
    let mut sharded = Vec::new();
    for i in 0..3 {
        let part = dir.join(format!("part-{i}.csv"));
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_violet"));
        c.args(["sweep", "-q", "--events", events.to_str().expect("p"), "--grid", grid.to_str().expect("p")])
            .args(["--out", part.to_str().expect("p")]);
        if i == 2 {
            c.env("JOB_COMPLETION_INDEX", "2").args(["--shards", "3"]);
        } else {
            c.args(["--shard", &format!("{i}/3")]);
        }
        let ran = c.output().expect("run");
        assert!(ran.status.success(), "{}", String::from_utf8_lossy(&ran.stderr));
        sharded.extend(rows(&part).1);
    }
    assert_eq!(sharded, all, "the shards' rows, in order, are the whole grid's");

    // A bad grid names its key; a bad shard says how it is written.
    std::fs::write(&grid, "tp_pctt = [0.01]\n").expect("grid");
    let ran = sweep(&events, &grid, &out, &[]);
    assert_eq!(ran.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&ran.stderr).contains("tp_pctt"));
    let ran = sweep(&events, &grid, &out, &["--shard", "3/3"]);
    assert_eq!(ran.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn rows_go_into_clickhouse_once_however_often_a_shard_runs() {
    let server = common::local_server("sweep");
    let ch = server.client();
    let dir = fresh_dir("sweep-ch");
    let events = root().join("fixtures/streams/small-b.jsonl");
    let grid = dir.join("grid.toml");
    std::fs::write(&grid, "tp_pct = [0.006, 0.0099, 0.014]\nsl_pct = [0.01, 0.015]\n").expect("grid");
    let out = dir.join("rows.csv");
    // Two shards, the second run twice (a job array's retry).
    for shard in ["0/2", "1/2", "1/2"] {
        let ran = sweep(&events, &grid, &out, &["-q", "--shard", shard, "--clickhouse-url", server.url()]);
        assert!(ran.status.success(), "{}", String::from_utf8_lossy(&ran.stderr));
    }
    let q = |sql: &str| ch.query(sql).unwrap_or_else(|e| panic!("{sql}: {e}")).trim().to_string();
    assert_eq!(q("SELECT count() FROM dolphin_violet.sweeps FINAL"), "6", "every configuration once");
    assert_eq!(q("SELECT uniqExact(stream) FROM dolphin_violet.sweeps"), "1");
    // The whole grid's CSV, and its rows' capital in ClickHouse, to the digit.
    assert!(sweep(&events, &grid, &out, &["-q"]).status.success());
    let (header, rows) = rows(&out);
    for r in &rows {
        let values =
            format!("{{\"sl_pct\":{},\"tp_pct\":{}}}", field(&header, r, "sl_pct"), field(&header, r, "tp_pct"));
        let capital = q(&format!(
            "SELECT final_capital FROM dolphin_violet.sweeps FINAL WHERE grid_values = '{values}' FORMAT TSV"
        ));
        let want: f64 = field(&header, r, "final_capital").parse().expect("capital");
        assert_eq!(capital.parse::<f64>().expect("capital").to_bits(), want.to_bits(), "{values}");
    }
    std::fs::remove_dir_all(&dir).ok();
}
