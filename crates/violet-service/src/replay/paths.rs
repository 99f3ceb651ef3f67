//! The files a replay names, checked before anything is opened: an output that is also an
//! input (the input would be truncated) or two outputs naming one file (they would corrupt
//! each other) are refused, naming both flags. Paths are compared canonically (symlinks
//! resolved, `./x` and `x` alike); `-` (stdin/stdout) is not a file.

use std::path::{Path, PathBuf};

use super::ReplayJob;

/// Where a flag's path points, canonically: the file itself when it exists, else its
/// directory's canonical path joined with its name (a file about to be created).
fn canonical(p: &Path) -> PathBuf {
    if let Ok(c) = std::fs::canonicalize(p) {
        return c;
    }
    let parent = p.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    match (std::fs::canonicalize(parent), p.file_name()) {
        (Ok(d), Some(name)) => d.join(name),
        _ => p.to_path_buf(),
    }
}

/// A flag and the file it names.
#[derive(Debug, Clone)]
pub struct Named {
    /// The flag (`--trades-out`).
    pub flag: String,
    /// The path as given.
    pub path: PathBuf,
    /// Whether the replay writes it.
    pub output: bool,
}

/// The files `job` reads and writes, by flag.
#[must_use]
pub fn named(job: &ReplayJob) -> Vec<Named> {
    let dash = |p: &Path| p.as_os_str() == "-";
    let mut out = Vec::new();
    let mut add = |flag: &str, p: Option<&PathBuf>, output: bool| {
        if let Some(p) = p.filter(|p| !dash(p)) {
            out.push(Named { flag: flag.to_string(), path: p.clone(), output });
        }
    };
    add("--events", job.events.as_ref(), false);
    add("--blue-trades", job.blue_trades.as_ref(), false);
    add("--contracts", job.contracts.as_ref(), false);
    add("--trades-out", job.trades_out.as_ref(), true);
    add("--decisions-out", job.decisions_out.as_ref(), true);
    add("--summary-json", job.summary_json.as_ref(), true);
    add("--rejections-out", job.rejections_out.as_ref(), true);
    if job.blue_trades.is_some() {
        for f in ["divergences.jsonl", "report.md", "report.html"] {
            add(&format!("--report-dir ({f})"), Some(&job.report_dir.join(f)), true);
        }
    }
    out
}

/// Refuse when an output names the same file as an input or another output.
///
/// # Errors
/// The two flags and the file, e.g. `--trades-out and --events name the same file /x/s.jsonl:
/// the input would be destroyed`.
pub fn check_distinct(files: &[Named]) -> Result<(), String> {
    let canon: Vec<PathBuf> = files.iter().map(|n| canonical(&n.path)).collect();
    for (i, a) in files.iter().enumerate() {
        for (j, b) in files.iter().enumerate().skip(i + 1) {
            if canon[i] != canon[j] || !(a.output || b.output) {
                continue;
            }
            let (out, other) = if a.output { (a, b) } else { (b, a) };
            let why =
                if other.output { "two outputs would overwrite each other" } else { "the input would be destroyed" };
            return Err(format!(
                "{} and {} name the same file {}: {why}; nothing was opened",
                out.flag,
                other.flag,
                canon[i].display()
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn n(flag: &str, path: PathBuf, output: bool) -> Named {
        Named { flag: flag.into(), path, output }
    }

    fn dir() -> PathBuf {
        let d = std::env::temp_dir().join(format!("violet-paths-{}", std::process::id()));
        std::fs::create_dir_all(d.join("sub")).expect("dir");
        std::fs::write(d.join("events.jsonl"), "{}\n").expect("input");
        #[cfg(unix)]
        {
            let _ = std::os::unix::fs::symlink(d.join("events.jsonl"), d.join("link.jsonl"));
        }
        d
    }

    /// Ways to name `name` in `d`: plain, with `./`, through `sub/..`, and (for the input)
    /// through a symlink.
    fn spellings(d: &Path, name: &str) -> Vec<PathBuf> {
        let mut v = vec![d.join(name), d.join(".").join(name), d.join("sub").join("..").join(name)];
        if name == "events.jsonl" {
            v.push(d.join("link.jsonl"));
        }
        v
    }

    #[test]
    fn an_output_naming_the_input_or_another_output_is_refused_naming_both_flags() {
        let d = dir();
        let e = check_distinct(&[
            n("--events", d.join("events.jsonl"), false),
            n("--trades-out", d.join("link.jsonl"), true),
        ])
        .expect_err("through a symlink");
        assert!(e.contains("--trades-out and --events") && e.contains("input would be destroyed"), "{e}");
        let e = check_distinct(&[
            n("--decisions-out", d.join("out.jsonl"), true),
            n("--summary-json", d.join("./out.jsonl"), true),
        ])
        .expect_err("two outputs");
        assert!(e.contains("--decisions-out and --summary-json") && e.contains("overwrite each other"), "{e}");
        // Two inputs may be one file; distinct files are fine.
        assert!(
            check_distinct(&[
                n("--events", d.join("events.jsonl"), false),
                n("--blue-trades", d.join("link.jsonl"), false)
            ])
            .is_ok()
        );
        assert!(
            check_distinct(&[n("--events", d.join("events.jsonl"), false), n("--trades-out", d.join("t.jsonl"), true)])
                .is_ok()
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn any_two_flags_naming_one_canonical_file_with_an_output_among_them_are_refused(
            a in 0usize..4, b in 0usize..4, sa in 0usize..4, sb in 0usize..4, same in any::<bool>(),
            out_a in any::<bool>(), out_b in any::<bool>(),
        ) {
            let d = dir();
            let flags = ["--events", "--trades-out", "--decisions-out", "--summary-json"];
            let (fa, fb) = (flags[a], flags[(b + 1 + a) % 4]);
            let name_b = if same { "events.jsonl" } else { "other.jsonl" };
            let pa = spellings(&d, "events.jsonl");
            let pb = spellings(&d, name_b);
            let files = [n(fa, pa[sa % pa.len()].clone(), out_a), n(fb, pb[sb % pb.len()].clone(), out_b)];
            let refused = check_distinct(&files).is_err();
            prop_assert_eq!(refused, same && (out_a || out_b));
        }
    }
}
