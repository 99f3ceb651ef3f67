//! Reading a stream file into memory on several threads.

use std::fs::File;
use std::io;
use std::path::Path;

/// The whole of the file at `path`, read on `threads` threads (0: one per core), each
/// filling its own slice of one buffer: the copy out of the page cache and the faults on
/// fresh memory are shared between cores, where `std::fs::read` does both on one.
///
/// # Errors
/// The file's I/O errors; `UnexpectedEof` when it shrinks while being read.
pub fn read_file(path: &Path, threads: usize) -> io::Result<Vec<u8>> {
    let file = File::open(path)?;
    let len = usize::try_from(file.metadata()?.len()).map_err(|_| io::Error::other("file too large to hold"))?;
    let threads = crate::threads::resolve(threads);
    // Below a few MiB one thread is as fast; `fs::read` also copes with files that grow.
    if threads == 1 || len < (8 << 20) || !cfg!(unix) {
        return std::fs::read(path);
    }
    let mut buf = vec![0u8; len];
    let per = len.div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = buf
            .chunks_mut(per)
            .enumerate()
            .map(|(i, part)| {
                let file = &file;
                s.spawn(move || read_at(file, part, (i * per) as u64))
            })
            .collect();
        handles.into_iter().try_for_each(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
    })?;
    Ok(buf)
}

#[cfg(unix)]
fn read_at(file: &File, part: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, part, offset)
}

#[cfg(not(unix))]
fn read_at(_: &File, _: &mut [u8], _: u64) -> io::Result<()> {
    unreachable!("read_file reads with std::fs::read off unix")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_lands_where_it_was_whatever_the_threads() {
        let dir = std::env::temp_dir().join(format!("violet-sim-read-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        // 9 MiB + 7 bytes of a pattern that shifts with the offset: a slice read at the
        // wrong place, or twice, shows.
        let path = dir.join("stream.bin");
        let want: Vec<u8> = (0..(9usize << 20) + 7).map(|i| (i % 251) as u8 ^ (i >> 16) as u8).collect();
        std::fs::write(&path, &want).expect("write");
        for threads in [1, 2, 3, 7] {
            assert!(read_file(&path, threads).expect("read") == want, "{threads} threads");
        }
        std::fs::write(&path, b"short").expect("write");
        assert_eq!(read_file(&path, 4).expect("read"), b"short");
        assert!(read_file(&dir.join("missing"), 2).is_err());
        std::fs::remove_dir_all(&dir).ok();
    }
}
