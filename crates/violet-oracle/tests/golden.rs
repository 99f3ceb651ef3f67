//! Bit-identity: the golden vectors (requests and BLUE's answers, committed under
//! `fixtures/golden/`) replayed through VIOLET's oracle. A fresh clone proves parity without
//! BLUE present. Regenerate: see `fixtures/golden/README.md`.

use std::path::PathBuf;

use violet_domain::config::BlueConfig;
use violet_oracle::{KERNELS, Oracle, Verdict, compare};

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/golden")
}

#[test]
fn golden_vectors_match_blue_bit_for_bit() {
    let mut oracle = Oracle::new(BlueConfig::default());
    let mut total = 0;
    for kernel in KERNELS {
        let req = std::fs::read_to_string(golden_dir().join(format!("{kernel}.requests.jsonl"))).expect("requests");
        let ans = std::fs::read_to_string(golden_dir().join(format!("{kernel}.answers.jsonl"))).expect("answers");
        let (req, ans): (Vec<&str>, Vec<&str>) = (req.lines().collect(), ans.lines().collect());
        assert_eq!(req.len(), ans.len(), "{kernel}: requests and answers must align");
        assert!(req.len() >= 150, "{kernel}: only {} golden vectors", req.len());
        let mut refused = 0;
        for (i, (r, blue)) in req.iter().zip(&ans).enumerate() {
            let mut ours = String::new();
            assert!(oracle.answer(r.as_bytes(), &mut ours), "{kernel} line {}: no answer", i + 1);
            match compare(blue, &ours) {
                Verdict::Same => {}
                Verdict::BothRefused => refused += 1,
                Verdict::Mismatch => panic!("{kernel} line {}:\nrequest {r}\nBLUE   {blue}\nVIOLET {ours}", i + 1),
            }
        }
        assert!(refused < req.len(), "{kernel}: every vector is a refusal");
        total += req.len();
    }
    assert!(total > 10_000, "{total}");
}

#[test]
fn blank_and_null_lines_get_no_answer_as_in_blue() {
    let mut oracle = Oracle::new(BlueConfig::default());
    let mut out = String::new();
    for line in ["", "   ", "\t\r", "null", " null \r"] {
        assert!(!oracle.answer(line.as_bytes(), &mut out), "{line:?}");
    }
    assert!(out.is_empty());
    assert!(oracle.answer(b"[]", &mut out));
    assert!(out.starts_with(r#"{"ok":false"#), "{out}");
}
