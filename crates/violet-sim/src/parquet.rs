//! A sweep's rows as Parquet: the CSV's columns, typed.

use std::sync::Arc;

use parquet::basic::{LogicalType, Repetition, Type as Physical};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::errors::ParquetError;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::{Type, TypePtr};

use crate::grid::Point;
use crate::run::SimResult;

/// A column's values.
enum Column {
    Text(Vec<ByteArray>),
    Int(Vec<i64>),
    Float(Vec<f64>),
}

impl Column {
    fn physical(&self) -> Physical {
        match self {
            Self::Text(_) => Physical::BYTE_ARRAY,
            Self::Int(_) => Physical::INT64,
            Self::Float(_) => Physical::DOUBLE,
        }
    }
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A grid key's column: integers when every value is an integer literal, else doubles.
fn grid_column(points: &[Point], k: usize) -> Column {
    let texts: Vec<&str> = points.iter().map(|p| p.values[k].1.as_str()).collect();
    let ints: Option<Vec<i64>> = texts.iter().map(|t| t.parse::<i64>().ok()).collect();
    match ints {
        Some(v) => Column::Int(v),
        None => Column::Float(texts.iter().map(|t| t.parse::<f64>().unwrap_or(f64::NAN)).collect()),
    }
}

/// The rows of `points` and their `results` as a Parquet file (one row group; the columns
/// of [`csv_header`](crate::csv_header), floats as the runs' doubles, bit for bit).
///
/// # Errors
/// The Parquet writer's (none is expected when writing to memory).
pub fn parquet_table(keys: &[String], points: &[Point], results: &[SimResult]) -> Result<Vec<u8>, ParquetError> {
    let mut cols: Vec<(String, Column)> = vec![
        ("id".into(), Column::Text(points.iter().map(|p| ByteArray::from(p.id.as_str())).collect())),
        ("index".into(), Column::Int(points.iter().map(|p| count(p.index as u64)).collect())),
    ];
    for (k, key) in keys.iter().enumerate() {
        cols.push((key.clone(), grid_column(points, k)));
    }
    let f = |g: fn(&SimResult) -> f64| Column::Float(results.iter().map(g).collect());
    let i = |g: fn(&SimResult) -> u64| Column::Int(results.iter().map(|r| count(g(r))).collect());
    cols.extend([
        ("final_capital".into(), f(|r| r.summary.capital)),
        ("trades".into(), i(|r| r.stats.trades)),
        ("win_rate".into(), f(|r| r.stats.win_rate())),
        ("max_drawdown".into(), f(|r| r.stats.max_drawdown)),
        ("risk_adjusted".into(), f(|r| r.stats.risk_adjusted())),
        ("fees".into(), f(|r| r.stats.fees)),
        ("pnl".into(), f(|r| r.stats.pnl)),
        ("entries".into(), i(|r| r.summary.entries)),
        ("scans".into(), i(|r| r.summary.scans)),
        ("rejected".into(), i(|r| r.summary.rejected)),
    ]);
    let mut fields: Vec<TypePtr> = Vec::with_capacity(cols.len());
    for (name, c) in &cols {
        let mut b = Type::primitive_type_builder(name, c.physical()).with_repetition(Repetition::REQUIRED);
        if matches!(c, Column::Text(_)) {
            b = b.with_logical_type(Some(LogicalType::String));
        }
        fields.push(Arc::new(b.build()?));
    }
    let schema = Arc::new(Type::group_type_builder("sweep").with_fields(fields).build()?);
    let props = Arc::new(WriterProperties::builder().set_created_by("violet sweep".into()).build());
    let mut w = SerializedFileWriter::new(Vec::new(), schema, props)?;
    let mut rg = w.next_row_group()?;
    for (_, c) in &cols {
        let Some(mut cw) = rg.next_column()? else {
            return Err(ParquetError::General("fewer columns than the schema's".into()));
        };
        match c {
            Column::Text(v) => cw.typed::<ByteArrayType>().write_batch(v, None, None)?,
            Column::Int(v) => cw.typed::<Int64Type>().write_batch(v, None, None)?,
            Column::Float(v) => cw.typed::<DoubleType>().write_batch(v, None, None)?,
        };
        cw.close()?;
    }
    rg.close()?;
    w.into_inner()
}
