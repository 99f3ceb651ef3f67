//! ClickHouse's `RowBinary` format (little-endian numbers, strings as LEB128 length + bytes):
//! exact for every Float64 bit pattern, unlike text formats whose float parsing differs
//! between server versions.

/// Rows being encoded for one `INSERT` (sent with [`crate::ClickHouse::insert_rows`]).
#[derive(Debug, Default, Clone)]
pub struct RowWriter {
    statement: String,
    buf: Vec<u8>,
}

impl RowWriter {
    /// Rows for `INSERT INTO <table> [(cols)] FORMAT RowBinary`.
    #[must_use]
    pub fn insert(table_and_columns: &str) -> Self {
        Self { statement: format!("INSERT INTO {table_and_columns} FORMAT RowBinary"), buf: Vec::with_capacity(4096) }
    }

    /// The `INSERT` statement the rows are for.
    #[must_use]
    pub fn statement(&self) -> &str {
        &self.statement
    }

    /// An Int64.
    pub fn i64(&mut self, v: i64) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }

    /// A UInt64.
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }

    /// A Float64, bit for bit.
    pub fn f64(&mut self, v: f64) -> &mut Self {
        self.buf.extend_from_slice(&v.to_bits().to_le_bytes());
        self
    }

    /// A String.
    pub fn str(&mut self, v: &str) -> &mut Self {
        let mut n = v.len() as u64;
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                self.buf.push(byte);
                break;
            }
            self.buf.push(byte | 0x80);
        }
        self.buf.extend_from_slice(v.as_bytes());
        self
    }

    /// A `Nullable` column's null flag: `true` for NULL (nothing follows), `false` before
    /// the value.
    pub fn null(&mut self, is_null: bool) -> &mut Self {
        self.buf.push(u8::from(is_null));
        self
    }

    /// Bytes of rows so far.
    #[must_use]
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Whether no row was written.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Cut back to the first `len` bytes (e.g. to a row's start, or to 0).
    pub fn truncate(&mut self, len: usize) {
        self.buf.truncate(len);
    }

    /// The rows so far.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// The rows.
    #[must_use]
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }
}

/// The response was shorter than its rows, or a string was not UTF-8.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("RowBinary response ends early or holds a non-UTF-8 string at byte {0}")]
pub struct RowBinaryError(pub usize);

/// Reads rows from a `FORMAT RowBinary` response.
#[derive(Debug, Clone)]
pub struct RowReader<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> RowReader<'a> {
    /// Read `data`.
    #[must_use]
    pub fn new(data: &'a [u8]) -> Self {
        Self { data, at: 0 }
    }

    /// Whether every byte has been read.
    #[must_use]
    pub fn is_done(&self) -> bool {
        self.at >= self.data.len()
    }

    fn take<const N: usize>(&mut self) -> Result<[u8; N], RowBinaryError> {
        let bytes = self.data.get(self.at..self.at + N).ok_or(RowBinaryError(self.at))?;
        self.at += N;
        let mut out = [0u8; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    /// An Int64.
    ///
    /// # Errors
    /// [`RowBinaryError`] when the data ends.
    pub fn i64(&mut self) -> Result<i64, RowBinaryError> {
        self.take::<8>().map(i64::from_le_bytes)
    }

    /// A UInt64.
    ///
    /// # Errors
    /// [`RowBinaryError`] when the data ends.
    pub fn u64(&mut self) -> Result<u64, RowBinaryError> {
        self.take::<8>().map(u64::from_le_bytes)
    }

    /// A `Nullable` column's null flag: `true` for NULL (no value follows).
    ///
    /// # Errors
    /// [`RowBinaryError`] when the data ends or the flag is neither 0 nor 1.
    pub fn is_null(&mut self) -> Result<bool, RowBinaryError> {
        let at = self.at;
        match self.take::<1>()? {
            [0] => Ok(false),
            [1] => Ok(true),
            _ => Err(RowBinaryError(at)),
        }
    }

    /// A Float64, bit for bit.
    ///
    /// # Errors
    /// [`RowBinaryError`] when the data ends.
    pub fn f64(&mut self) -> Result<f64, RowBinaryError> {
        self.u64().map(f64::from_bits)
    }

    /// A String (must be UTF-8).
    ///
    /// # Errors
    /// [`RowBinaryError`] when the data ends or the string is not UTF-8.
    pub fn str(&mut self) -> Result<&'a str, RowBinaryError> {
        let start = self.at;
        let mut n: u64 = 0;
        let mut shift = 0;
        loop {
            let [b] = self.take::<1>()?;
            n |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                break;
            }
            shift += 7;
            if shift > 63 {
                return Err(RowBinaryError(start));
            }
        }
        let len = usize::try_from(n).map_err(|_| RowBinaryError(start))?;
        let end = self.at.checked_add(len).ok_or(RowBinaryError(start))?;
        let bytes = self.data.get(self.at..end).ok_or(RowBinaryError(start))?;
        let s = std::str::from_utf8(bytes).map_err(|_| RowBinaryError(self.at))?;
        self.at = end;
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn rows_round_trip(
            rows in proptest::collection::vec(
                (any::<i64>(), any::<u64>(), any::<f64>(), ".{0,300}", any::<Option<f64>>()),
                0..20,
            ),
        ) {
            let mut w = RowWriter::insert("t");
            for (a, b, c, d, e) in &rows {
                w.i64(*a).u64(*b).f64(*c).str(d).null(e.is_none());
                if let Some(e) = e {
                    w.f64(*e);
                }
                // A row cut back leaves nothing behind.
                let row_end = w.len();
                w.str("dropped").i64(1);
                w.truncate(row_end);
            }
            prop_assert_eq!(w.statement(), "INSERT INTO t FORMAT RowBinary");
            let bytes = w.into_bytes();
            let mut r = RowReader::new(&bytes);
            for (a, b, c, d, e) in &rows {
                prop_assert_eq!(r.i64().expect("i64"), *a);
                prop_assert_eq!(r.u64().expect("u64"), *b);
                prop_assert_eq!(r.f64().expect("f64").to_bits(), c.to_bits());
                prop_assert_eq!(r.str().expect("str"), d.as_str());
                let got = if r.is_null().expect("flag") { None } else { Some(r.f64().expect("f64").to_bits()) };
                prop_assert_eq!(got, e.map(f64::to_bits));
            }
            prop_assert!(r.is_done());
        }
    }

    #[test]
    fn a_truncated_string_is_an_error_not_a_panic() {
        let mut r = RowReader::new(&[5, b'a', b'b']);
        assert_eq!(r.str(), Err(RowBinaryError(0)));
        let mut r = RowReader::new(&[1, 2, 3]);
        assert!(r.i64().is_err());
        assert_eq!(RowReader::new(&[2]).is_null(), Err(RowBinaryError(0)));
    }
}
