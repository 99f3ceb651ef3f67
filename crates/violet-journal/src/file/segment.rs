//! Segment files: names, listing, the count of trimmed records, and the scan that counts a
//! segment's records on open (cutting a torn last one).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use violet_domain::json::{ParseOptions, Parser};

use super::JournalError;

/// A segment is closed (the next one opened) once it holds this many bytes.
pub(crate) const SEGMENT_MAX: u64 = 64 << 20;

pub(crate) fn io_at(path: &Path) -> impl FnOnce(io::Error) -> JournalError + '_ {
    move |source| JournalError::Io { path: path.to_path_buf(), source }
}
/// The file recording how many records trimmed segments held.
pub(crate) const TRIMMED: &str = "trimmed";

/// Records in segments that were shipped and deleted.
pub(crate) fn trimmed_records(dir: &Path) -> u64 {
    fs::read_to_string(dir.join(TRIMMED)).ok().and_then(|t| t.trim().parse().ok()).unwrap_or(0)
}

pub(crate) fn segment_path(dir: &Path, n: u32) -> PathBuf {
    dir.join(format!("segment-{n:06}.jsonl"))
}

/// Segment numbers present in `dir`, ascending.
pub(crate) fn segments(dir: &Path) -> io::Result<Vec<u32>> {
    let mut v: Vec<u32> = fs::read_dir(dir)?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            name.strip_prefix("segment-")?.strip_suffix(".jsonl")?.parse().ok()
        })
        .collect();
    v.sort_unstable();
    Ok(v)
}

/// What a journal's records must be on open: numbered from `next_seq` on without a gap or
/// a repeat, and (a run's own journal) all of run `run`.
pub(crate) struct Expect<'a> {
    pub next_seq: u64,
    pub run: Option<&'a str>,
}

/// Count the complete records of a segment, checking each against `expect` (and advancing
/// it); with `repair`, cut a torn last record.
pub(crate) fn scan_segment(path: &Path, repair: bool, expect: &mut Expect<'_>) -> Result<u64, JournalError> {
    let mut text = Vec::new();
    File::open(path).and_then(|mut f| f.read_to_end(&mut text)).map_err(io_at(path))?;
    let mut good_end = 0usize;
    let mut count = 0u64;
    let mut parser = Parser::new(ParseOptions::default());
    for (k, line) in text.split_inclusive(|&b| b == b'\n').enumerate() {
        let line_no = k + 1;
        let complete = line.ends_with(b"\n");
        let doc = std::str::from_utf8(line).ok().and_then(|t| parser.parse(t.trim_end()).ok());
        if let (true, Some(doc)) = (complete, doc) {
            let root = doc.root();
            let seq = root.get("seq").and_then(|v| v.number_text()).and_then(|t| t.parse::<u64>().ok());
            if seq != Some(expect.next_seq) {
                return Err(JournalError::Gap {
                    path: path.to_path_buf(),
                    line: line_no,
                    expected: expect.next_seq,
                    found: seq.map_or_else(|| "none".to_string(), |s| s.to_string()),
                });
            }
            if let Some(run) = expect.run
                && !root.get("run").is_some_and(|r| r.str_eq(run))
            {
                let found = root.get("run").and_then(|r| r.as_str()).map_or_else(String::new, |c| c.into_owned());
                return Err(JournalError::Foreign { path: path.to_path_buf(), line: line_no, found });
            }
            expect.next_seq += 1;
            good_end += line.len();
            count += 1;
        } else if good_end + line.len() == text.len() && repair {
            // The torn last record of the last segment: drop it.
            let f = OpenOptions::new().write(true).open(path).map_err(io_at(path))?;
            f.set_len(good_end as u64).and_then(|()| f.sync_all()).map_err(io_at(path))?;
            break;
        } else {
            return Err(JournalError::Damaged { path: path.to_path_buf(), line: line_no });
        }
    }
    Ok(count)
}
